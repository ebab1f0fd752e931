"""The command line's parser: subcommands, long options, flags, repeated options, positionals
and --help, and no more than our commands use.

argparse was about 10 ms of a 45 ms `plan --json` (its import, gettext and locale, and a
terminal-size probe in every add_argument; see bench/cli_start.py). Every error raises
UsageError with one line, or InputError from an option's own check.
"""
from __future__ import annotations

from .errors import InputError

REQUIRED = object()


class UsageError(Exception):
    """The command line does not fit the command's options."""


class Namespace:
    def __init__(self, **values):
        self.__dict__.update(values)

    def __repr__(self) -> str:
        return f"Namespace({', '.join(f'{k}={v!r}' for k, v in self.__dict__.items())})"


class Opt:
    """`--name VALUE` (or `--name=VALUE`); a flag takes no value; `many` collects repeats in a list."""

    def __init__(self, name: str, help: str = "", *, flag: bool = False, many: bool = False, type=None,
                 choices: tuple = (), required: bool = False, default=None, metavar: str = ""):
        self.name, self.help, self.flag, self.many = name, help, flag, many
        self.type, self.choices, self.required = type, choices, required
        self.dest = name.lstrip("-").replace("-", "_")
        self.default = False if flag else default
        self.metavar = metavar or ("|".join(choices) if choices else self.dest.upper())

    def initial(self):
        return [] if self.many else self.default

    def convert(self, text: str):
        if self.choices and text not in self.choices:
            raise InputError(self.name, text, "one of " + ", ".join(self.choices))
        return self.type(text) if self.type else text

    @property
    def usage(self) -> str:
        return self.name if self.flag else f"{self.name} {self.metavar}"


class Arg:
    """A positional argument; with a default it may be left out."""

    def __init__(self, dest: str, help: str = "", *, metavar: str = "", choices: tuple = (), default=REQUIRED):
        self.dest, self.help, self.choices, self.default = dest, help, choices, default
        self.metavar = metavar or dest.upper()

    def convert(self, text: str) -> str:
        if self.choices and text not in self.choices:
            raise UsageError(f"{self.metavar}: {text!r} is not a choice; expected one of {', '.join(self.choices)}")
        return text

    @property
    def usage(self) -> str:
        return self.metavar if self.default is REQUIRED else f"[{self.metavar}]"


class Command:
    def __init__(self, name: str, help: str, handler, opts: tuple = (), args: tuple = (), description: str = ""):
        self.name, self.help, self.handler = name, help, handler
        self.opts, self.args, self.description = tuple(opts), tuple(args), description or help


class Parser:
    """`prog [global options] [COMMAND [arguments and options]]`; no command means the desktop app."""

    def __init__(self, prog: str, description: str, global_opts: tuple, commands: tuple):
        self.prog, self.description = prog, description
        self.global_opts, self.commands = tuple(global_opts), {c.name: c for c in commands}

    def parse(self, argv: list[str]) -> tuple[Command | None, Namespace]:
        ns = Namespace(command=None, **{o.dest: o.initial() for o in self.global_opts})
        opts = {o.name: o for o in self.global_opts}
        i = 0
        while i < len(argv) and argv[i].startswith("-"):
            if argv[i] in ("-h", "--help"):
                self._show(self.help())
            i = _take(opts, argv, i, ns, f"see '{self.prog} --help'")
        if i == len(argv):
            return None, ns
        cmd = self.commands.get(argv[i])
        if cmd is None:
            raise UsageError(f"{argv[i]!r} is not a command; expected one of {', '.join(self.commands)}")
        ns.command = cmd.name
        for o in cmd.opts:  # an option the command shares with the global ones keeps the global value
            if not hasattr(ns, o.dest):
                setattr(ns, o.dest, o.initial())
        opts = {o.name: o for o in cmd.opts}
        given, positionals = set(), []
        i += 1
        while i < len(argv):
            tok = argv[i]
            if tok in ("-h", "--help"):
                self._show(self.command_help(cmd))
            if tok.startswith("--"):
                given.add(tok.partition("=")[0])
                i = _take(opts, argv, i, ns, f"see '{self.prog} {cmd.name} --help'")
                continue
            if tok.startswith("-") and tok != "-":
                raise UsageError(f"{tok!r} is not an option of {cmd.name}: see '{self.prog} {cmd.name} --help'")
            positionals.append(tok)
            i += 1
        if len(positionals) > len(cmd.args):
            raise UsageError(f"{cmd.name}: unexpected argument {positionals[len(cmd.args)]!r}")
        for arg, tok in zip(cmd.args, positionals + [None] * len(cmd.args)):
            if tok is None and arg.default is REQUIRED:
                raise UsageError(f"{cmd.name}: {arg.metavar} is required")
            setattr(ns, arg.dest, arg.default if tok is None else arg.convert(tok))
        missing = [o.name for o in cmd.opts if o.required and o.name not in given]
        if missing:
            raise UsageError(f"{cmd.name}: {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} required")
        return cmd, ns

    def help(self) -> str:
        lines = [f"usage: {self.prog} {' '.join(f'[{o.usage}]' for o in self.global_opts)} [COMMAND] [options]",
                 "", *_wrap(self.description), "", "commands:"]
        lines += _table([(c.name, c.help) for c in self.commands.values()])
        lines += ["", "options:"]
        lines += _table([(o.usage, o.help) for o in self.global_opts] + [("-h, --help", "show this help")])
        lines += ["", f"'{self.prog} COMMAND --help' shows a command's options."]
        return "\n".join(lines)

    def command_help(self, cmd: Command) -> str:
        needed = [a.usage for a in cmd.args] + [o.usage for o in cmd.opts if o.required]
        optional = " [options]" if any(not o.required for o in cmd.opts) else ""
        lines = [f"usage: {self.prog} {cmd.name} {' '.join(needed)}{optional}".rstrip(), "", *_wrap(cmd.description)]
        if cmd.args:
            lines += ["", "arguments:"] + _table([(a.metavar, a.help) for a in cmd.args])
        rows = [(o.usage, ("required: " if o.required else "") + o.help + (" (may be repeated)" if o.many else ""))
                for o in cmd.opts]
        lines += ["", "options:"] + _table(rows + [("-h, --help", "show this help")])
        return "\n".join(lines)

    @staticmethod
    def _show(text: str):
        print(text)
        raise SystemExit(0)


def _take(opts: dict, argv: list[str], i: int, ns: Namespace, see: str) -> int:
    """Read the option at argv[i] into ns; the index of the next token."""
    name, eq, value = argv[i].partition("=")
    opt = opts.get(name)
    if opt is None:
        raise UsageError(f"{name!r} is not an option here: {see}")
    if opt.flag:
        if eq:
            raise UsageError(f"{name} takes no value")
        setattr(ns, opt.dest, True)
        return i + 1
    if not eq:
        if i + 1 >= len(argv):
            raise UsageError(f"{name} needs a value ({opt.metavar})")
        i += 1
        value = argv[i]
    v = opt.convert(value)
    if opt.many:
        getattr(ns, opt.dest).append(v)
    else:
        setattr(ns, opt.dest, v)
    return i + 1


WIDTH = 100


def _wrap(text: str, width: int = WIDTH) -> list[str]:
    import textwrap  # help only

    return textwrap.wrap(text, width) or [""]


def _table(rows: list[tuple[str, str]]) -> list[str]:
    left = min(max(len(a) for a, _ in rows), 28) + 4
    out = []
    for a, b in rows:
        wrapped = _wrap(b, WIDTH - left)
        if len(a) + 4 > left:
            out.append(f"  {a}")
            out += [" " * left + w for w in wrapped]
        else:
            out.append(f"  {a:<{left - 2}}{wrapped[0]}".rstrip())
            out += [" " * left + w for w in wrapped[1:]]
    return out


def number(field: str, lo: float, hi: float, unit: str = "", lo_open: bool = False):
    """A check for a finite number in range; the error names the field and the range."""
    import math

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

