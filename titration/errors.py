"""Errors the user can act on. Each names the field, the value and what is allowed."""
from __future__ import annotations


class TitrationError(Exception):
    """Base for every error the core raises on purpose."""


class InputError(TitrationError):
    """A value given by a person or a command line is not acceptable."""

    def __init__(self, field: str, value: object, allowed: str, words: str = ""):
        """`words`: the whole line in the nurse's words, when the field has a label a person reads
        ("Temperature (°C): 98.6 is not allowed; 30 to 44")."""
        self.field, self.value, self.allowed = field, value, allowed
        super().__init__(words or f"{field}: {value!r} is not allowed; expected {allowed}")


class DataError(TitrationError):
    """A resource file (TOML) is missing or invalid."""

    def __init__(self, path: str, key: str, problem: str):
        self.path, self.key, self.problem = path, key, problem
        super().__init__(f"{path}: {key}: {problem}")


class NeedsInput(TitrationError):
    """The plan needs a value the sources do not give (a cap, a local protocol)."""

    def __init__(self, field: str, why: str):
        self.field, self.why = field, why
        super().__init__(f"{field} is required: {why}")


class SessionError(TitrationError):
    """An action that the infusion's current state does not allow."""
