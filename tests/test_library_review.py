"""Reviewing a library: `library check` applies the rules across files, `library diff` says in words
what changed for a patient, the changes that lower safety first."""
import json
import re
import shutil
from pathlib import Path

import pytest

from titration.cli.main import main
from titration.library.checks import problems
from titration.library.diff import LOWERS, RAISES, diff
from titration.library.identity import content_hash
from titration.library.load import load

RES = Path(__file__).resolve().parent.parent / "resources"


def copy(tmp_path, name="res") -> Path:
    dst = tmp_path / name
    shutil.copytree(RES, dst, ignore=shutil.ignore_patterns("fonts", "scenarios"))
    return dst


def edit(folder: Path, name: str, old: str, new: str) -> Path:
    f = folder / name
    text = f.read_text()
    assert old in text, old
    f.write_text(text.replace(old, new, 1))
    return f


def restamp(folder: Path) -> None:
    """Give the edited library a new version, as a reviewer would after `library check`."""
    m = folder / "library.toml"
    text = re.sub(r"(?m)^version = \d+$", "version = 2", m.read_text())
    m.write_text(re.sub(r"content_hash = .*", f'content_hash = "{content_hash(str(folder))}"', text))


# ---------------------------------------------------------------- library check: across files
CROSS = {  # (file, old, new, words of the first problem, how many problems: one per indication it touches)
    "a default ladder the product may not use": (
        "products.toml", 'ladder = "local-doubling-30"', 'ladder = "local-gammaplex-5"',
        "privigen pi: ladder: 'local-gammaplex-5' does not resolve", 1),
    "a default list step above the maximum": (
        "protocols/local-gammaplex-5.toml", '"0.08 mL/kg/min"]', '"0.08 mL/kg/min", "0.1 mL/kg/min"]',
        "gammaplex-5 pi: ladder: local-gammaplex-5 has a step of 0.1 mL/kg/min (5 mg/kg/min), above the maximum",
        2),
    "a first step above the label's initial rate": (
        "protocols/local-gammaplex-5.toml", 'rates = ["0.01 mL/kg/min"', 'rates = ["0.015 mL/kg/min"',
        "gammaplex-5 pi: ladder: local-gammaplex-5 starts at 0.015 mL/kg/min (0.75 mg/kg/min), above the label's",
        2),
    "a product's own table faster than its label": (  # Gamunex-C x 3 (30 min at the start), Octagam 10% x 5
        "protocols/nl-ivig002.toml", "step_minutes = 30", "step_minutes = 20",
        "gamunex-c pi: ladder: nl-ivig002 holds the initial rate 20 min, shorter than the label's 30 min", 8),
    "a GTIN whose last digit is not its check digit": (  # 00344206437100 is Privigen 10 g (check digit 0)
        "products.toml", '"00344206437100"', '"00344206437101"',
        "privigen: gtins: '00344206437101': expected a GTIN whose last digit is its check digit (0 here)", 1),
    "a protocol for a product the library lacks": (
        "protocols/nl-ivig002.toml", '"gamunex-c", "octagam-10"', '"gamunex-c", "octagam-10", "igivnex"',
        "applies_to_products: 'igivnex' is not a product in products.toml", 1),
}


@pytest.mark.parametrize("case", sorted(CROSS))
def test_check_finds_what_no_single_file_shows(tmp_path, capsys, case):
    name, old, new, words, count = CROSS[case]
    folder = copy(tmp_path)
    edit(folder, name, old, new)
    restamp(folder)
    found = problems(load(str(folder)))
    assert len(found) == count and words in found[0], found
    assert main(["library", "check", str(folder)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[:-1] == found and out[-1].endswith(f"{count} problem" + ("" if count == 1 else "s"))


def test_check_lists_every_problem_one_per_line_and_as_json(tmp_path, capsys):
    folder = copy(tmp_path)
    edit(folder, "protocols/nl-ivig002.toml", "step_minutes = 30", "step_minutes = 20")
    (folder / "policies" / "tiered.toml").unlink()
    assert main(["library", "check", str(folder), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["version"] == 1 and doc["hash"] == content_hash(str(folder))
    assert any("content_hash" in p for p in doc["problems"])  # edited without a new version
    assert any("has no tiered.toml" in p for p in doc["problems"])
    assert sum("nl-ivig002 steps every 20 min" in p for p in doc["problems"]) == 2  # octagam-10 ITP, DM
    assert all("\n" not in p for p in doc["problems"])


def test_a_criterion_naming_a_missing_symptom_makes_the_library_unreadable(tmp_path, capsys):
    folder = copy(tmp_path)
    f = edit(folder, "symptoms.toml", 'require = [["headache", "severe-headache"], ["stiff-neck", "photophobia"]]',
             'require = [["headache", "severe-headache"], ["stiff-nek", "photophobia"]]')
    assert main(["library", "check", str(folder)]) == 2
    err = capsys.readouterr().err.strip()
    assert re.match(rf"error: {re.escape(str(f))}: criteria\[\d+\]\.require: 'stiff-nek' is neither a sign nor "
                    r"a symptom id", err), err


def test_the_bundled_library_checks_clean(capsys):
    assert main(["library", "check", str(RES)]) == 0
    assert capsys.readouterr().out.strip().endswith("no problems")


# ---------------------------------------------------------------- library diff
def test_a_lowered_grade_is_reported_first(tmp_path, capsys):
    old, new = copy(tmp_path, "old"), copy(tmp_path, "new")
    edit(new, "products.toml", 'max = "8 mg/kg/min"', 'max = "6 mg/kg/min"')  # raises safety
    edit(new, "products.toml", 'vial_sizes_g = [5, 10, 20, 40]', 'vial_sizes_g = [5, 10, 20]')  # neither
    edit(new, "symptoms.toml", 'id = "stiff-neck"\ngrade = "moderate"', 'id = "stiff-neck"\ngrade = "mild"')
    restamp(new)
    assert main(["library", "diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"library diff: {old} (version 1 ({content_hash(str(old))[:19]})) → {new} " \
                     f"(version 2 ({content_hash(str(new))[:19]}))"
    assert out[1:] == [
        "Lowers safety (1):",
        "  symptom stiff-neck moderate → mild: lowers a grade",
        "Other changes (1):",
        "  Privigen 10% vial sizes 5, 10, 20, 40 g → 5, 10, 20 g",
        "Raises safety (1):",
        "  Privigen 10% PI maximum 8 → 6 mg/kg/min: lowers a limit",
    ]


def test_diff_as_json_keeps_the_order_and_says_each_effect(tmp_path, capsys):
    old, new = copy(tmp_path, "old"), copy(tmp_path, "new")
    edit(new, "products.toml", 'max = "8 mg/kg/min"', 'max = "6 mg/kg/min"')
    edit(new, "symptoms.toml", 'id = "stiff-neck"\ngrade = "moderate"', 'id = "stiff-neck"\ngrade = "mild"')
    assert main(["library", "diff", str(old), str(new), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["effect"] for c in doc["changes"]] == [LOWERS, RAISES]
    assert doc["changes"][0] == {"effect": LOWERS, "text": "symptom stiff-neck moderate → mild: lowers a grade",
                                 "file": "symptoms.toml", "key": "symptom stiff-neck.grade",
                                 "old": "moderate", "new": "mild"}
    assert doc["old"]["version"] == 1 and doc["new"]["hash"] == content_hash(str(new)) != doc["old"]["hash"]


@pytest.mark.parametrize("name,old,new,text", [
    ("products.toml", 'max = "8 mg/kg/min"', 'max = "9 mg/kg/min"',
     "Privigen 10% PI maximum 8 → 9 mg/kg/min: raises a limit"),
    ("products.toml", 'at_risk_max = "0.03 mL/kg/min"', 'at_risk_max = "0.033 mL/kg/min"',
     "Octagam 10% ITP at-risk cap 0.03 → 0.033 mL/kg/min: raises a limit"),
    ("products.toml", "concentration_mg_per_ml = 100", "concentration_mg_per_ml = 50",
     "Privigen 10% concentration 100 → 50 mg/mL: raises every pump rate in mL/h"),
    ("protocols/nl-ivig002.toml", "step_minutes = 30", "step_minutes = 20",
     "protocol nl-ivig002 step interval 30 min → 20 min: climbs sooner"),
    ("protocols/local-gammaplex-5.toml", 'applies_to_products = ["gammaplex-5"]', 'applies_to_products = []',
     "protocol local-gammaplex-5 may be used for products gammaplex-5 → any: wider"),
    ("policies/tiered.toml", 'action = "pause"\nunresolved = "stop"', 'action = "slow"\nunresolved = "stop"',
     "reaction policy tiered: a moderate reaction's action pause → slow: a weaker response"),
    ("policies/pause-always.toml", 'recurrence = "stop"', 'recurrence = "escalate"',
     "reaction policy pause-always: a further reaction stop → escalate"),
    ("symptoms.toml", 'when = [["spo2", "<=", 91]]', 'when = [["spo2", "<=", 88]]',
     "vitals rule 'Hypoxia: SpO2 91% or less (NEWS2 score 3)' spo2 <= 91 → spo2 <= 88: holds for fewer readings"),
    ("symptoms.toml", 'signs = ["gut"]\nwords = "I\'ve just been sick."', 'words = "I\'ve just been sick."',
     "symptom vomiting no longer counts as a gut sign: a combination rule may no longer hold"),
    ("symptoms.toml", 'require = [["skin"], ["respiratory", "circulatory", "hypotension", "gut", "hypoxaemia"]]',
     'require = [["skin"], ["respiratory", "circulatory", "hypotension", "hypoxaemia"]]',
     "combination rule anaphylaxis-skin needs (skin) and (respiratory or circulatory or hypotension or gut or "
     "hypoxaemia) → (skin) and (respiratory or circulatory or hypotension or hypoxaemia): holds less often"),
    ("symptoms.toml", 'kind = "circulatory-overload"\nwindow_hours = 12\n',
     'kind = "circulatory-overload"\nwindow_hours = 8\n',
     "combination rule circulatory-overload counts findings to 12 h → 8 h after the end: fewer earlier findings count"),
    ("policies/tiered.toml", 'came_back = "stop"', 'came_back = "escalate"',
     "reaction policy tiered: symptoms back after 'resolved' stop → escalate"),
    ("symptoms.toml", 'pulse = [80, 129]', 'pulse = [80, 139]',
     "a child's normal pulse at 5-11 years 80-129 → 80-139: wider, the adult bands grade fewer readings"),
    ("symptoms.toml", 'adult_sides = ["temp_c low", "temp_c high"]', 'adult_sides = ["temp_c high"]',
     "adult bands no longer grade a child's temp_c low at every age"),
    ("products.toml", '  at_risk_from = "label-ceiling"\n', '  at_risk_from = "label"\n',
     "Octagam 5% PI at-risk figure a ceiling for the prescriber's cap → the cap itself: the prescriber is no "
     "longer asked"),
])
def test_each_kind_of_safety_lowering_change_is_named_in_words(tmp_path, name, old, new, text):
    a, b = copy(tmp_path, "old"), copy(tmp_path, "new")
    edit(b, name, old, new)
    changes = diff(load(str(a)), load(str(b)))
    assert [c.text for c in changes if c.effect == LOWERS] == [text], [c.text for c in changes]


def test_a_reformatted_library_has_no_change_that_matters(tmp_path, capsys):
    a, b = copy(tmp_path, "old"), copy(tmp_path, "new")
    f = b / "products.toml"
    f.write_text("\n".join(ln for ln in f.read_text().splitlines() if not ln.lstrip().startswith("#")))
    edit(b, "products.toml", 'sources = ["privigen.com/Dosing (L)"', 'sources = ["privigen.com/Dosing (L, checked)"')
    assert diff(load(str(a)), load(str(b))) == []
    assert main(["library", "diff", str(a), str(b)]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == "No change that matters to a patient (wording or sources differ)."


def test_diff_of_a_damaged_library_is_one_line_exit_2(tmp_path, capsys):
    a, b = copy(tmp_path, "old"), copy(tmp_path, "new")
    f = edit(b, "products.toml", 'max = "8 mg/kg/min"', 'max = "80 mg/kg/min"')
    assert main(["library", "diff", str(a), str(b)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {f}: product[0].indication[0].max: 80 mg/kg/min is above")
