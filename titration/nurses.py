"""Named nurses: who is signed in at the workstation, and the second nurse a unit may require.

Attribution, not security: a nurse signs in by name and initials (from the unit's list in
resources/unit.toml, or typed); nothing secret is asked or stored. Every later event carries the
signed-in nurse's name. Where unit.toml asks for it, the pump setting at the start and every
override need a second nurse's name (the double check of an IV infusion's pump setting); the core
refuses those intents without it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InputError, SessionError

NAME_RE = re.compile(r"[^\W\d_][\w .'\-]{0,59}")  # a name: starts with a letter, at most 60 characters
INITIALS_RE = re.compile(r"[^\W\d_]{1,4}")
DOUBLE_CHECKS = ("start", "override")


@dataclass(frozen=True, slots=True)
class Nurse:
    name: str
    initials: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.initials})"


def nurse(name: object, initials: object, field: str = "nurse") -> Nurse:
    n = " ".join(str(name or "").split())
    i = str(initials or "").strip()
    if not NAME_RE.fullmatch(n):
        raise InputError(f"{field} name", name, "a name of 1 to 60 letters (spaces, - and ' allowed)")
    if not INITIALS_RE.fullmatch(i):
        raise InputError(f"{field} initials", initials, "1 to 4 letters")
    return Nurse(n, i.upper())


def second_name(name: object) -> str:
    n = " ".join(str(name or "").split())
    if not NAME_RE.fullmatch(n):
        raise InputError("second nurse", name, "the second nurse's name (1 to 60 letters)")
    return n


@dataclass(frozen=True, slots=True)
class DoubleCheck:
    """Which nurse actions need a second nurse's name (unit.toml [double_check])."""

    start: bool = False
    override: bool = False

    def confirm(self, action: str, second: str, by: str | None) -> str:
        """The second nurse's name for `action`, or "" when none is needed and none was given."""
        needed = getattr(self, action)
        if not str(second or "").strip():
            if needed:
                what = "the pump setting at the start" if action == "start" else "an override"
                raise SessionError(f"{what} needs a second nurse to check it: give the second nurse's name")
            return ""
        name = second_name(second)
        if by and name.casefold() == by.casefold():
            raise SessionError("the second nurse must be someone other than the nurse who set the pump")
        return name


def read_nurses(tables) -> tuple[Nurse, ...]:
    out: list[Nurse] = []
    for t in tables:
        t.only(("name", "initials"))
        try:
            n = nurse(t.str("name"), t.str("initials"))
        except InputError as exc:
            raise t.fail(exc.field.split()[-1], f"{exc.value!r}: expected {exc.allowed}") from None
        if any(o.initials == n.initials for o in out):
            raise t.fail("initials", f"{n.initials!r} is already another nurse's initials")
        out.append(n)
    return tuple(out)


def read_double_check(t) -> DoubleCheck:
    if t is None:
        return DoubleCheck()
    t.only(DOUBLE_CHECKS)
    return DoubleCheck(start=t.bool("start", False), override=t.bool("override", False))
