"""What every command shares: an argparse parser whose errors are one line, and value checks
that name the field, the value and what is allowed (shared/design.md section 5)."""
from __future__ import annotations

import argparse
import math

from ..errors import InputError

DB_HELP = "journal file (SQLite); default: $IVIG_DB, or the user data folder"
JSON_HELP = "print JSON (design section 5)"


class UsageError(Exception):
    """The command line does not fit the command's options."""


class Parser(argparse.ArgumentParser):
    """argparse, with its errors raised as one line instead of usage text and exit 2.
    Sub-parsers are made of the same class, so this holds for every command."""

    def error(self, message: str):
        raise UsageError(f"{message} (see '{self.prog} --help')")


def number(field: str, lo: float, hi: float, unit: str = "", lo_open: bool = False):
    """A check for a finite number in range; the error names the field and the range."""
    def parse(text: str) -> float:
        try:
            v = float(text)
        except ValueError:
            v = math.nan
        ok = math.isfinite(v) and (v > lo if lo_open else v >= lo) and v <= hi
        if not ok:
            bound = f"above {lo:g}" if lo_open else f"from {lo:g}"
            raise InputError(field, text, f"a number {bound} to {hi:g}{' ' + unit if unit else ''}")
        return v
    return parse


def whole(field: str):
    def parse(text: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise InputError(field, text, "a whole number") from None
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
