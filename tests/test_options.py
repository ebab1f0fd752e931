"""The command-line parser: what each command's options accept and refuse, in one line."""
import pytest

from titration.errors import InputError
from titration.options import Arg, Command, Opt, Parser, UsageError, number


def handler(a):
    return 0


CMD = Command("go", "do it", handler,
              args=(Arg("what", "the thing", metavar="THING"),
                    Arg("how", "how", choices=("fast", "slow"), default="fast")),
              opts=(Opt("--kg", "weight", required=True, type=number("--kg", 2, 250, "kg")),
                    Opt("--json", "json", flag=True),
                    Opt("--tag", "a tag", many=True),
                    Opt("--sex", "sex", choices=("female", "male")),
                    Opt("--db", "journal here", metavar="PATH")))
P = Parser("prog", "A tool.", (Opt("--db", "journal", metavar="PATH"),), (CMD,))


def test_values_flags_repeats_and_defaults():
    cmd, a = P.parse(["go", "x", "--kg=70", "--tag", "a", "--json", "--tag", "b=c"])
    assert cmd is CMD and a.command == "go"
    assert (a.what, a.how, a.kg, a.json, a.tag, a.sex, a.db) == ("x", "fast", 70.0, True, ["a", "b=c"], None, None)
    _, b = P.parse(["go", "x", "slow", "--kg", "3"])
    assert b.how == "slow" and b.json is False and b.tag == []  # a fresh list, not the last run's


def test_no_command_and_the_global_option():
    cmd, a = P.parse(["--db", "j.sqlite3"])
    assert cmd is None and a.command is None and a.db == "j.sqlite3"


def test_a_command_option_wins_only_when_given():
    assert P.parse(["--db", "g", "go", "x", "--kg", "3"])[1].db == "g"
    assert P.parse(["--db", "g", "go", "x", "--kg", "3", "--db", "c"])[1].db == "c"


def test_a_negative_number_is_a_value_and_is_checked():
    with pytest.raises(InputError, match="--kg: '-3'.*from 2 to 250 kg"):
        P.parse(["go", "x", "--kg", "-3"])


@pytest.mark.parametrize("argv,message", [
    (["stop"], "'stop' is not a command; expected one of go"),
    (["go", "--kg", "3"], "THING is required"),
    (["go", "x"], "--kg is required"),
    (["go", "x", "--kg"], "--kg needs a value"),
    (["go", "x", "--kg", "3", "--json=yes"], "--json takes no value"),
    (["go", "x", "--kg", "3", "--nope"], "'--nope' is not an option here: see 'prog go --help'"),
    (["go", "x", "--kg", "3", "-n"], "'-n' is not an option of go"),
    (["go", "x", "medium", "--kg", "3"], "'medium' is not a choice; expected one of fast, slow"),
    (["go", "x", "slow", "extra", "--kg", "3"], "unexpected argument 'extra'"),
    (["--nope", "go"], "see 'prog --help'"),
])
def test_usage_errors_are_one_line(argv, message):
    with pytest.raises(UsageError) as e:
        P.parse(argv)
    assert message in str(e.value) and "\n" not in str(e.value)


def test_a_choice_names_the_option():
    with pytest.raises(InputError, match="--sex: 'x'.*one of female, male"):
        P.parse(["go", "x", "--kg", "3", "--sex", "x"])


def test_help_lists_commands_and_options(capsys):
    with pytest.raises(SystemExit) as e:
        P.parse(["--help"])
    assert e.value.code == 0 and "go  do it" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        P.parse(["go", "-h"])
    out = capsys.readouterr().out
    assert out.startswith("usage: prog go THING [HOW] --kg KG [options]")
    assert "required: weight" in out and "a tag (may be repeated)" in out and "--sex female|male" in out
