"""A damaged library is refused: by its reader, by `library check`, by the commands that read it
and at the app's start, each time with one line naming the file, the key and the problem."""
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from titration.data import Table
from titration.errors import DataError
from titration.library.load import load
from titration.library.resources import check_resources

ROOT = Path(__file__).resolve().parent.parent
RES = ROOT / "resources"


def copy_resources(tmp_path) -> Path:
    dst = tmp_path / "res"
    shutil.copytree(RES, dst, ignore=shutil.ignore_patterns("fonts"))
    return dst


def edit(folder: Path, name: str, old: str, new: str, count: int = 1) -> Path:
    f = folder / name
    text = f.read_text()
    assert old in text, f"{old!r} not in {name}"
    f.write_text(text.replace(old, new, count))
    return f


def symptom_index(sid: str) -> int:
    ids = [s["id"] for s in tomllib.loads((RES / "symptoms.toml").read_text())["symptom"]]
    return ids.index(sid)


# (file, old text, new text, the key named, words of the problem)
DAMAGE = {
    "privigen max 80": ("products.toml", 'max = "8 mg/kg/min"', 'max = "80 mg/kg/min"',
                        "product[0].indication[0].max", "above 14 mg/kg/min, the highest maximum of any IVIg label"),
    "a protocol step of 1 min": ("protocols/local-doubling-30.toml", "step_minutes = 30", "step_minutes = 1",
                                 "step_minutes", "1 min is shorter than 15 min"),
    "a label ladder step of 1 min": ("products.toml", '"200 mg/kg/h"], step_minutes = 30 }',
                                     '"200 mg/kg/h"], step_minutes = 1 }',
                                     "product[2].indication[0].label_ladder.step_minutes", "shorter than 15 min"),
    "at_risk_mx": ("products.toml", 'at_risk_max = "0.03 mL/kg/min"', 'at_risk_mx = "0.03 mL/kg/min"',
                   "product[3].indication[0].at_risk_mx", "did you mean at_risk_max?"),
    "an unknown key": ("symptoms.toml", "schema_version = 2\n", 'schema_version = 2\ncolour = "red"\n',
                       "colour", "is not a known key"),
    "a misspelt required key": ("policies/tiered.toml", 'action = "slow"', 'acton = "slow"',
                                "mild.action", "acton is given: a misspelling of action?"),
    "schema_version 99": ("products.toml", "schema_version = 1", "schema_version = 99",
                          "schema_version", "99 is not a version this app reads"),
    "a NaN threshold": ("symptoms.toml", 'when = [["temp_c", ">=", 38.0]]', 'when = [["temp_c", ">=", nan]]',
                        "vitals[0].when[0][2]", "nan is not a number"),
    "an infinite concentration": ("products.toml", "concentration_mg_per_ml = 100", "concentration_mg_per_ml = inf",
                                  "product[0].concentration_mg_per_ml", "inf is not a number"),
    "a thrombosis sign downgraded": ("symptoms.toml", 'id = "one-sided-weakness"\ngrade = "severe"',
                                     'id = "one-sided-weakness"\ngrade = "mild"',
                                     f"symptom[{symptom_index('one-sided-weakness')}].grade",
                                     "'mild' for one-sided-weakness is below severe"),
}


@pytest.fixture(params=sorted(DAMAGE))
def damaged(request, tmp_path):
    name, old, new, key, problem = DAMAGE[request.param]
    folder = copy_resources(tmp_path)
    return folder, edit(folder, name, old, new), key, problem


def test_the_bundled_resources_pass_every_check():
    lib = check_resources(str(RES))
    assert lib.manifest is not None and len(lib.products) >= 10


def test_each_damage_is_refused_on_load_naming_file_key_and_problem(damaged):
    folder, f, key, problem = damaged
    with pytest.raises(DataError) as e:
        check_resources(str(folder))
    assert e.value.path == str(f) and e.value.key == key, str(e.value)
    assert problem in e.value.problem and "\n" not in str(e.value)


def one_line(p) -> str:
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in p.stderr, p.stderr
    return lines[0]


def run(args, folder=None, **env):
    full = {**os.environ, **env}
    if folder is not None:
        full["IVIG_RESOURCES"] = str(folder)
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=full, capture_output=True, text=True,
                          timeout=60)


def test_library_check_exits_2_with_the_one_line(damaged):
    folder, f, key, problem = damaged
    p = run(["library", "check", str(folder)])
    line = one_line(p)
    assert p.returncode == 2 and line.startswith(f"error: {f}: {key}: ") and problem in line, line


def test_the_app_refuses_to_start_on_a_damaged_library_without_a_display(damaged, tmp_path):
    folder, f, key, problem = damaged
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["IVIG_RESOURCES"] = str(folder)
    p = subprocess.run([sys.executable, "main.py", "--db", str(tmp_path / "j.sqlite3")], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
    line = one_line(p)
    assert p.returncode == 2 and f"{f}: {key}: " in line and problem in line
    assert "xvfb-run" not in p.stdout  # refused before the advice on displays


@pytest.mark.parametrize("case,args", [
    ("privigen max 80", ["products"]),
    ("at_risk_mx", ["plan", "--product", "octagam-10", "--indication", "itp", "--weight-kg", "70",
                    "--dose-g-per-kg", "1", "--json"]),
    ("a protocol step of 1 min", ["plan", "--product", "privigen", "--indication", "pi", "--weight-kg", "70",
                                  "--dose-g-per-kg", "0.4"]),
    ("a thrombosis sign downgraded", ["simulate", "SCENARIO"]),
    ("a NaN threshold", ["simulate", "SCENARIO"]),
    ("a misspelt required key", ["simulate", "SCENARIO"]),
])
def test_commands_that_read_the_damaged_part_refuse_in_one_line(tmp_path, case, args):
    name, old, new, key, problem = DAMAGE[case]
    folder = copy_resources(tmp_path)
    f = edit(folder, name, old, new)
    scenario = str(folder / "scenarios" / "01-uneventful-first-infusion.toml")
    p = run([scenario if a == "SCENARIO" else a for a in args], folder)
    line = one_line(p)
    assert p.returncode == 2 and line == f"error: {f}: {key}: {line.split(f'{key}: ', 1)[1]}" and problem in line
    assert p.stdout == ""


def test_a_sound_copy_named_by_ivig_resources_still_works(tmp_path):
    folder = copy_resources(tmp_path)
    edit(folder, "products.toml", 'max = "8 mg/kg/min"', 'max = "6 mg/kg/min"')  # a unit's own, lower maximum
    p = run(["products", "--json"], folder)
    assert p.returncode == 0, p.stderr
    assert '"max_mg_kg_min": 6.0' in p.stdout


# ---------------------------------------------------------------- the generic strictness of Table
def test_a_key_a_reader_reads_is_known_and_any_other_refused(tmp_path):
    t = Table({"a": 1, "sub": {"b": 2, "c": 3}}, "f.toml")
    t.num("a")
    t.table("sub").num("b")
    with pytest.raises(DataError) as e:
        t.finish()
    assert e.value.key == "sub.c" and "is not a known key" in e.value.problem
    t.table("sub").num("c", 0)  # a reader that reads it makes it known: no list of keys to keep up to date
    t.finish()


def test_a_key_used_only_with_other_settings_is_named_as_such(tmp_path):
    data = {"x": [{"mode": "a", "size": 1}, {"mode": "b", "size": 2}]}
    t = Table(data, "f.toml")
    for row in t.tables("x"):
        if row.str("mode") == "a":
            row.num("size")
    with pytest.raises(DataError) as e:
        t.finish()
    assert e.value.key == "x[1].size" and "other keys" in e.value.problem


def test_part_of_a_file_can_be_finished_alone():
    t = Table({"mine": {"k": 1}, "theirs": {"z": 1}}, "f.toml")
    t.table("mine").num("k")
    t.table("mine").finish()  # the other section is its own reader's business
    with pytest.raises(DataError, match="theirs"):
        t.finish()


def test_every_resource_file_refuses_an_unknown_top_level_key(tmp_path):
    """Every reader finishes its file: a stray key anywhere is refused, whichever file it is in."""
    folder = copy_resources(tmp_path)
    names = ["products.toml", "symptoms.toml", "unit.toml", "training.toml", "forecast.toml",
             *[f"protocols/{p.name}" for p in (RES / "protocols").glob("*.toml")],
             *[f"policies/{p.name}" for p in (RES / "policies").glob("*.toml")]]
    for name in names:
        f = folder / name
        sound = f.read_text()
        f.write_text("stray_key = 1\n" + sound)
        with pytest.raises(DataError) as e:
            check_resources(str(folder))
        assert e.value.path == str(f) and e.value.key == "stray_key", (name, str(e.value))
        f.write_text(sound)
    load(str(folder))


@pytest.mark.parametrize("name,old,new,key", [
    ("symptoms.toml", 'id = "angioedema"\ngrade = "severe"', 'id = "angioedema"\ngrade = "moderate"',
     f"symptom[{symptom_index('angioedema')}].grade"),
    ("symptoms.toml", 'id = "anaphylaxis-airway"', 'id = "anaphylaxis-airways"', "criteria"),
    ("symptoms.toml", 'when = [["sbp", "<", 90]]\ngrade = "severe"', 'when = [["sbp", "<", 90]]\ngrade = "moderate"',
     "vitals"),
    ("symptoms.toml", 'when = [["sbp", "<", 90]]', 'when = [["sbp", "<", 900]]', "vitals[3].when[0]"),
    ("symptoms.toml", 'field = "sbp"\nop = "<"\nvalue = 70\n', 'field = "sbp"\nop = "<"\nvalue = 700\n',
     "paediatric[0].value"),
])
def test_the_emergency_floor_outside_the_catalogue_holds(tmp_path, name, old, new, key):
    folder = copy_resources(tmp_path)
    f = edit(folder, name, old, new)
    with pytest.raises(DataError) as e:
        load(str(folder))
    assert e.value.path == str(f) and e.value.key.startswith(key), str(e.value)


def test_the_installed_command_finds_the_library_from_any_folder(tmp_path):
    """The editable install links each module from build/; the resources are found beside the sources."""
    command = Path(sys.executable).parent / "ivig-titration"
    if not command.exists():
        pytest.skip("the ivig-titration command is not installed in this environment")
    env = {k: v for k, v in os.environ.items() if k != "IVIG_RESOURCES"}
    p = subprocess.run([str(command), "library", "check", str(RES)], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    p = subprocess.run([str(command), "products", "--json"], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0 and '"privigen"' in p.stdout, p.stderr


# ---------------------------------------------------------------- the NEWS2 chart: part of the library, with a floor
NEWS2_DAMAGE = {
    "an emergency total above the RCP's 7": ("emergency_total = 7", "emergency_total = 9",
                                             "emergency_total: 9 is above the RCP's 7"),
    "a pulse of 131 scored below 3": ("at_most = [40, 50, 90, 110, 130]", "at_most = [40, 50, 90, 110, 140]",
                                      "Pulse 131 scores 2, below the RCP's 3"),
    "an unknown key": ("urgent_total = 5", "urgent_total = 5\nurgent_totl = 4", "urgent_totl: is not a known key"),
    "a score for new confusion below 3": ("confusion_score = 3", "confusion_score = 2",
                                          "confusion_score: 2 is below the RCP's 3"),
}


@pytest.mark.parametrize("case", sorted(NEWS2_DAMAGE))
def test_a_damaged_news2_chart_is_refused_in_one_line(tmp_path, case):
    import shutil

    from titration.errors import DataError
    from titration.news2 import read_chart

    old, new, words = NEWS2_DAMAGE[case]
    src = Path(__file__).resolve().parents[1] / "resources" / "news2.toml"
    text = src.read_text()
    assert old in text
    path = tmp_path / "news2.toml"
    shutil.copy(src, path)
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(DataError) as e:
        read_chart(str(path))
    assert words in str(e.value) and "\n" not in str(e.value)


def test_the_news2_chart_is_part_of_the_library_version_and_its_diff(tmp_path):
    import shutil

    from titration.library.diff import diff
    from titration.library.identity import content_hash
    from titration.library.load import load

    root = Path(__file__).resolve().parents[1] / "resources"
    copy = tmp_path / "lib"
    shutil.copytree(root, copy)
    before = content_hash(str(copy))
    f = copy / "news2.toml"
    f.write_text(f.read_text().replace("urgent_total = 5", "urgent_total = 4"))
    assert content_hash(str(copy)) != before
    changes = diff(load(str(root)), load(str(copy)))
    assert [(c.effect, c.text) for c in changes] == [("raises safety", "NEWS2 total for an urgent review 5 → 4")]
