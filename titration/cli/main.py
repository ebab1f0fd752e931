"""Command line (docs/design.md section 5). Headless commands never import Qt.

Bad input exits 2 with one line on stderr naming the field, the value and what is allowed.
No traceback reaches a user (set IVIG_DEBUG=1 to see one).
"""
from __future__ import annotations

import os
import sys
from types import ModuleType

from ..errors import TitrationError
from .args import DB_HELP, Parser, UsageError
from .hooks import HOOKS


# Each command's module, imported only when it is asked for: a command pays for its own imports and
# parser, not for every other command's (`plan --json` is run by other tools, often).
def _products() -> ModuleType:
    from . import products
    return products


def _plan() -> ModuleType:
    from . import plan
    return plan


def _simulate() -> ModuleType:
    from . import simulate
    return simulate


def _train() -> ModuleType:
    from . import train
    return train


def _journal() -> ModuleType:
    from . import journal
    return journal


def _unit() -> ModuleType:
    from . import unit
    return unit


def _library() -> ModuleType:
    from . import library
    return library


COMMANDS = {"products": _products, "plan": _plan, "simulate": _simulate, "train": _train, "journal": _journal,
            "unit": _unit, "library": _library}


def _asked(argv: list[str]) -> str | None:
    """The command named in argv (after the global --db and its value), if it is one of ours."""
    rest = iter(argv)
    for word in rest:
        if word == "--db":
            next(rest, None)
        elif not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def build_parser(argv: list[str] | None = None) -> Parser:
    """The parser: with only the command argv names when it names one (else every command, for
    help and for the usage error)."""
    p = Parser(prog="python main.py",
               description="IVIg infusion-rate titration assistant. With no command it opens the desktop app.",
               epilog="'python main.py COMMAND --help' shows a command's options.")
    p.add_argument("--db", metavar="PATH", help=DB_HELP)
    sub = p.add_subparsers(title="commands", metavar="COMMAND")
    asked = None if argv is None else _asked(argv)
    for name, module in COMMANDS.items():
        if asked is None or name == asked:
            module().add_parser(sub)
    return p


def cmd_gui(a) -> int:
    gui = HOOKS.get("gui")
    if gui is None:
        raise TitrationError("the desktop app is started through main.py")
    return gui(a)


def one_line(text: str) -> str:
    """A message as one line (a name or a database's words may hold line breaks)."""
    return " / ".join(part.strip() for part in text.splitlines() if part.strip())


def main(argv: list[str] | None = None, hooks: dict | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if hooks:
        HOOKS.update(hooks)
    try:
        a = build_parser(argv).parse_args(argv)
        return getattr(a, "handler", cmd_gui)(a)
    except (UsageError, TitrationError) as exc:  # bad input, a missing value, a broken file
        print(f"error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last guard: one line, never a traceback
        if os.environ.get("IVIG_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {one_line(str(exc))} (set IVIG_DEBUG=1 for details)",
              file=sys.stderr)
        return 1
