"""The library has one identity: a content hash (blind to layout, comments and key order), a version
number with its date and changelog line, recorded in every infusion's planned event and kept."""
import json
import re
import shutil
from pathlib import Path

import pytest

from titration.cli.main import main
from titration.errors import DataError
from titration.library.checks import problems
from titration.library.identity import content_hash, current_version, version_record
from titration.library.load import load
from titration.library.manifest import read_manifest
from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.journal import Journal

RES = Path(__file__).resolve().parent.parent / "resources"
LIBRARY_FILES = ["products.toml", "symptoms.toml", *[f"protocols/{p.name}" for p in (RES / "protocols").glob("*.toml")],
                 *[f"policies/{p.name}" for p in (RES / "policies").glob("*.toml")]]


def copy(tmp_path, name="res") -> Path:
    dst = tmp_path / name
    shutil.copytree(RES, dst, ignore=shutil.ignore_patterns("fonts", "scenarios"))
    return dst


def reformat(text: str) -> str:
    """The same content written differently: no comments, other spacing, 30 written as 30.0, and
    the first two keys of every table swapped where both are plain one-line values."""
    out = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        line = re.sub(r"^(\s*)(step_minutes|initial_minutes|review_minutes) = (\d+)$", r"\1\2   =   \3.0", line)
        out.append("    " + line if line.strip() and not line.lstrip().startswith("[") else line)
        out.append("")
    text = "\n".join(out)
    # swap `name = ...` and `manufacturer = ...` (adjacent in every product table)
    return re.sub(r"(    name = .*)\n\n(    manufacturer = .*)\n", r"\2\n\n\1\n", text)


def test_the_hash_stays_when_the_files_are_only_written_differently(tmp_path):
    folder = copy(tmp_path)
    before = content_hash(str(folder))
    for name in LIBRARY_FILES:
        f = folder / name
        f.write_text(reformat(f.read_text()))
    assert "manufacturer" in (folder / "products.toml").read_text().split("name =")[0]  # the swap happened
    assert content_hash(str(folder)) == before
    assert problems(load(str(folder))) == []  # reformatting needs no new version


@pytest.mark.parametrize("name,old,new", [
    ("products.toml", 'max = "8 mg/kg/min"', 'max = "6 mg/kg/min"'),
    ("symptoms.toml", 'id = "stiff-neck"\ngrade = "moderate"', 'id = "stiff-neck"\ngrade = "severe"'),
    ("policies/tiered.toml", "review_minutes = 30", "review_minutes = 20"),
    ("protocols/local-doubling-30.toml", 'name = "Local: double', 'name = "Local: doubles'),  # even words
])
def test_any_change_of_content_changes_the_hash_and_check_asks_for_a_new_version(tmp_path, capsys, name, old, new):
    folder = copy(tmp_path)
    before = content_hash(str(folder))
    f = folder / name
    f.write_text(f.read_text().replace(old, new, 1))
    after = content_hash(str(folder))
    assert after != before and after.startswith("sha256:") and len(after) == 71
    assert main(["library", "check", str(folder)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{folder / 'library.toml'}: content_hash: the content is {after}")
    assert out[-1].endswith("1 problem")
    record = version_record(str(folder))
    assert record == {"version": 1, "hash": after, "edited_since_version": True}


def test_the_bundled_manifest_names_this_content():
    m = read_manifest(str(RES / "library.toml"))
    assert m.content_hash == content_hash(str(RES)), "run `python main.py library check resources` and version it"
    assert version_record(str(RES)) == {"version": m.version, "hash": m.content_hash}


@pytest.mark.parametrize("line,key", [
    ('version = "one"', "version"),
    ('version = 0', "version"),
    ('effective = "2026-13-40"', "effective"),
    ('effective = 2026-12-03', "effective"),
    ('changelog = "two\\nlines"', "changelog"),
    ('content_hash = "sha256:abc"', "content_hash"),
    ('schema_version = 2', "schema_version"),
    ('approved_by = "me"', "approved_by"),
])
def test_a_damaged_manifest_is_refused(tmp_path, line, key):
    folder = copy(tmp_path)
    f = folder / "library.toml"
    name = line.split(" =")[0]
    lines = [ln for ln in f.read_text().splitlines() if not ln.startswith(name + " =")]
    f.write_text("\n".join([line, *lines]) + "\n")
    with pytest.raises(DataError) as e:
        load(str(folder))
    assert e.value.path == str(f) and e.value.key == key


def test_a_copy_without_a_manifest_still_loads_but_check_says_it_has_no_version(tmp_path, capsys):
    folder = copy(tmp_path)
    (folder / "library.toml").unlink()
    assert version_record(str(folder)) == {"version": None, "hash": content_hash(str(folder))}
    assert main(["library", "check", str(folder)]) == 1
    assert "library.toml: (file): is missing" in capsys.readouterr().out


# ---------------------------------------------------------------- an infusion keeps its version
def _session() -> Session:
    return Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))


def test_an_infusion_records_the_library_version_in_its_planned_event():
    s = _session()
    m = read_manifest(str(RES / "library.toml"))
    assert s.events[0].kind == "planned"
    assert s.events[0].data["library"] == {"version": m.version, "hash": m.content_hash}
    assert s.library == s.events[0].data["library"]


def test_the_version_is_kept_across_replay_and_a_new_version_applies_to_the_next_infusion(tmp_path, monkeypatch):
    s = _session()
    s.start(0)
    s.confirm(30, s.due(30))
    first = s.library
    # The unit installs version 2 while the infusion runs.
    folder = copy(tmp_path)
    f = folder / "products.toml"
    f.write_text(f.read_text().replace('max = "8 mg/kg/min"', 'max = "6 mg/kg/min"', 1))
    m = folder / "library.toml"
    text = re.sub(r"(?m)^version = 1$", "version = 2", m.read_text())
    m.write_text(re.sub(r"content_hash = .*", f'content_hash = "{content_hash(str(folder))}"', text))
    from titration.library.cache import use

    use(str(folder), "unit server")  # as a workstation does when the unit activates a version
    assert current_version()["version"] == 2
    replayed = Session.replay([e.to_dict() for e in s.events])
    assert replayed.library == first and replayed.library["version"] == 1
    assert _session().library == {"version": 2, "hash": content_hash(str(folder))}


def test_the_journal_keeps_the_version_and_journal_json_shows_it(tmp_path, capsys):
    db = tmp_path / "j.sqlite3"
    j = Journal(db)
    s = _session()
    j.attach(s, chair="1", patient_id="P1", training=False, wall_start=0.0)
    s.start(0)
    s.confirm(30, s.due(30))
    j.close()
    assert main(["journal", "--db", str(db), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    session = doc["sessions"][0]
    assert session["library"] == s.library and session["library"]["version"] == 1
    planned = session["events"][0]
    assert planned["kind"] == "planned" and planned["library"] == s.library
