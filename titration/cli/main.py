"""Command line (docs/design.md section 5). Headless commands never import Qt.

Bad input exits 2 with one line on stderr naming the field, the value and what is allowed.
No traceback reaches a user (set IVIG_DEBUG=1 to see one).
"""
from __future__ import annotations

import os
import sys

from ..errors import TitrationError
from . import journal, library, plan, products, simulate, train, unit
from .args import DB_HELP, Parser, UsageError
from .hooks import HOOKS

COMMANDS = (products, plan, simulate, train, journal, unit, library)


def build_parser() -> Parser:
    p = Parser(prog="python main.py",
               description="IVIg infusion-rate titration assistant. With no command it opens the desktop app.",
               epilog="'python main.py COMMAND --help' shows a command's options.")
    p.add_argument("--db", metavar="PATH", help=DB_HELP)
    sub = p.add_subparsers(title="commands", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return p


def cmd_gui(a) -> int:
    gui = HOOKS.get("gui")
    if gui is None:
        raise TitrationError("the desktop app is started through main.py")
    return gui(a)


def main(argv: list[str] | None = None, hooks: dict | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if hooks:
        HOOKS.update(hooks)
    try:
        a = build_parser().parse_args(argv)
        return getattr(a, "handler", cmd_gui)(a)
    except (UsageError, TitrationError) as exc:  # bad input, a missing value, a broken file
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last guard: one line, never a traceback
        if os.environ.get("IVIG_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (set IVIG_DEBUG=1 for details)", file=sys.stderr)
        return 1
