"""What every command shares: an argparse parser whose errors are one line, and value checks
that name the field, the value and what is allowed (docs/design.md section 5).

A value the user gave is never dropped or replaced silently:
- an option given twice is refused (`--override`, meant to be repeated, collects its values);
- an empty value is refused;
- options are spelt out in full (no abbreviations: `--weight 70` is not `--weight-kg`);
- numbers are plain decimal digits 0-9 with at most one point: `7_0`, `1e2`, `+5`, ` 70`,
  `inf` and digits of other scripts (`٧٠`) are refused, not read as something else.
"""
from __future__ import annotations

import argparse
import re

from ..errors import InputError

DB_HELP = "journal: a file (SQLite) or a postgresql:// URL (unit server); default: $IVIG_DB, or the user data folder"
JSON_HELP = "print JSON (design section 5)"
DECIMAL = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")  # 0-9 only: \d would take other scripts' digits
WHOLE = re.compile(r"[0-9]+")
SEED_MAX = 2**32 - 1
_GIVEN = "_given:"  # namespace marks: which options were given, by which parser (see Parser.parse_args)


class UsageError(Exception):
    """The command line does not fit the command's options."""


def _name(action: argparse.Action) -> str:
    return "/".join(action.option_strings) if action.option_strings else action.metavar or action.dest


def _mark(parser, namespace, action: argparse.Action, option_string) -> None:
    """Refuse a second value for the same option; note which parser took it (the global `--db`
    and a command's `--db` are two parsers' options for one value)."""
    mark = f"{_GIVEN}{action.dest}:{parser.prog}"
    if getattr(namespace, mark, None) is not None:
        raise argparse.ArgumentError(action, "given twice; give it once")
    setattr(namespace, mark, option_string or _name(action))


class Once(argparse._StoreAction):
    """Store a value given at most once, never an empty one."""

    def __call__(self, parser, namespace, values, option_string=None):
        _mark(parser, namespace, self, option_string)
        if isinstance(values, str) and not values.strip():
            raise argparse.ArgumentError(self, "an empty value is not allowed")
        setattr(namespace, self.dest, values)


class OnceTrue(argparse._StoreTrueAction):
    def __call__(self, parser, namespace, values, option_string=None):
        _mark(parser, namespace, self, option_string)
        setattr(namespace, self.dest, True)


class Collect(argparse._AppendAction):
    """A repeatable option (documented as such in its help): each value kept, none empty."""

    def __call__(self, parser, namespace, values, option_string=None):
        if isinstance(values, str) and not values.strip():
            raise argparse.ArgumentError(self, "an empty value is not allowed")
        super().__call__(parser, namespace, values, option_string)


class Parser(argparse.ArgumentParser):
    """argparse, with its errors raised as one line instead of usage text and exit 2.
    Sub-parsers are made of the same class, so this holds for every command."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self.register("action", None, Once)
        self.register("action", "store", Once)
        self.register("action", "store_true", OnceTrue)
        self.register("action", "append", Collect)

    def error(self, message: str):
        raise UsageError(f"{message} (see '{self.prog} --help')")

    def parse_args(self, args=None, namespace=None):
        a = super().parse_args(args, namespace)
        given: dict[str, list[str]] = {}
        for key in [k for k in vars(a) if k.startswith(_GIVEN)]:
            dest = key[len(_GIVEN):].split(":", 1)[0]
            given.setdefault(dest, []).append(getattr(a, key))
            delattr(a, key)
        for options in given.values():
            if len(options) > 1:  # e.g. `--db A journal --db B`
                self.error(f"argument {options[0]}: given twice (before and after the command); give it once")
        return a


def number(field: str, lo: float, hi: float, unit: str = "", lo_open: bool = False):
    """A check for a plain decimal number in range; the error names the field and the range."""
    def parse(text: str) -> float:
        v = float(text) if DECIMAL.fullmatch(text) else None
        if v is None or not ((v > lo if lo_open else v >= lo) and v <= hi):
            bound = f"above {lo:g}" if lo_open else f"from {lo:g}"
            raise InputError(field, text, f"a number {bound} to {hi:g}{' ' + unit if unit else ''}"
                                          " in digits 0-9 (like 70 or 0.5)")
        return v
    return parse


def whole(field: str, lo: int = 0, hi: int = SEED_MAX):
    def parse(text: str) -> int:
        v = int(text) if WHOLE.fullmatch(text) and len(text) <= 20 else None
        if v is None or not lo <= v <= hi:
            raise InputError(field, text, f"a whole number from {lo} to {hi} in digits 0-9")
        return v
    return parse


def choice(field: str, choices: tuple[str, ...]):
    """A value from a fixed list; the error names the field (argparse's own names only the option)."""
    def parse(text: str) -> str:
        if text not in choices:
            raise InputError(field, text, "one of " + ", ".join(choices))
        return text
    return parse


def add_db(p: argparse.ArgumentParser, help: str = DB_HELP) -> None:
    """`--db` after the command. Not given, the global `--db` (before the command) stays."""
    p.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help=help)


def add_json(p: argparse.ArgumentParser, help: str = JSON_HELP) -> None:
    p.add_argument("--json", action="store_true", help=help)
