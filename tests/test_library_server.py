"""The drug library on the unit server: published as a draft, approved by a pharmacist and a nurse
(two people, neither the author), activated, and loaded by the workstations, verified and kept.

Against the real PostgreSQL server the tests start. The people are names (attribution); the
logins that ran each step are the server's own record of who did it."""
import json
import os
import shutil

import psycopg
import pytest

from titration.cli.main import main
from titration.library import cache
from titration.library.identity import content_hash
from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store import library_sync

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESOURCES = os.path.join(ROOT, "resources")
pytestmark = pytest.mark.pg


@pytest.fixture
def unit(pg_server):
    """(superuser URL, library login URL, a second library login URL, workstation login URL)."""
    url = pg_server.new_database()
    name = url.split("/")[3].split("?")[0]
    for login in ("lib_pharmacy", "lib_ward"):
        pg_server.admin(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{login}') THEN "
                        f"CREATE ROLE {login} LOGIN IN ROLE ivig_library; END IF; END $$")
    ws = pg_server.workstation_login()
    return url, pg_server.url(name, "lib_pharmacy"), pg_server.url(name, "lib_ward"), pg_server.url(name, ws)


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def new_version(tmp_path, version, grade="moderate"):
    """A copy of the bundled library with headache graded `grade`, as version `version`."""
    folder = tmp_path / f"library-v{version}"
    shutil.copytree(RESOURCES, folder, ignore=shutil.ignore_patterns("scenarios", "fonts"))
    sym = folder / "symptoms.toml"
    sym.write_text(sym.read_text().replace('id = "headache"\ngrade = "mild"', f'id = "headache"\ngrade = "{grade}"'))
    digest = content_hash(str(folder))
    (folder / "library.toml").write_text(
        f'schema_version = 1\nversion = {version}\neffective = "2027-01-0{version}"\n'
        f'changelog = "Headache graded {grade}."\ncontent_hash = "{digest}"\n')
    return str(folder), digest


def publish_approved(capsys, lib_a, lib_b, folder, version):
    assert run(capsys, "library", "publish", folder, "--as", "Ann Author", "--db", lib_a)[0] == 0
    assert run(capsys, "library", "approve", str(version), "--as", "Pat Pharm", "--role", "pharmacist",
               "--db", lib_b)[0] == 0
    assert run(capsys, "library", "approve", str(version), "--as", "Nell Nurse", "--role", "nurse",
               "--db", lib_b)[0] == 0
    assert run(capsys, "library", "activate", str(version), "--db", lib_a)[0] == 0


def test_a_version_is_published_approved_by_two_other_people_then_activated(unit, capsys):
    _, lib_a, lib_b, _ = unit
    code, out, _ = run(capsys, "library", "publish", RESOURCES, "--as", "Ann Author", "--db", lib_a)
    assert code == 0 and out.splitlines()[0] == "1" and "as a draft, by Ann Author (login lib_pharmacy)" in out
    assert "attribution, not authentication" in out
    code, _, err = run(capsys, "library", "approve", "1", "--as", " ann  author ", "--role", "pharmacist",
                       "--db", lib_b)
    assert code == 1 and "the author cannot approve their own version" in err
    code, _, err = run(capsys, "library", "activate", "1", "--db", lib_a)
    assert code == 1 and "not approved by a pharmacist and a nurse" in err
    assert run(capsys, "library", "approve", "1", "--as", "Nell Nurse", "--role", "nurse", "--db", lib_b)[0] == 0
    code, _, err = run(capsys, "library", "approve", "1", "--as", "Nell Nurse", "--role", "pharmacist", "--db", lib_b)
    assert code == 1 and "Nell Nurse already approved version 1 as nurse" in err
    code, _, err = run(capsys, "library", "approve", "1", "--as", "Nora Other", "--role", "nurse", "--db", lib_b)
    assert code == 1 and "already approved by a nurse (Nell Nurse)" in err
    assert run(capsys, "library", "activate", "1", "--db", lib_a)[0] == 1  # still only the nurse
    assert run(capsys, "library", "approve", "1", "--as", "Pat Pharm", "--role", "pharmacist", "--db", lib_a)[0] == 0
    code, out, _ = run(capsys, "library", "activate", "1", "--db", lib_a)
    assert code == 0 and "version 1 is now the unit's active library, activated by login lib_pharmacy" in out
    code, out, _ = run(capsys, "library", "status", "--db", lib_b, "--json")
    status = json.loads(out)
    (v,) = status["versions"]
    assert status["active"] == 1 and v["state"] == "active" and v["author_login"] == "lib_pharmacy"
    assert [(x["name"], x["role"], x["login"]) for x in v["approvals"]] == \
        [("Nell Nurse", "nurse", "lib_ward"), ("Pat Pharm", "pharmacist", "lib_pharmacy")]
    code, out, _ = run(capsys, "library", "status", "--db", lib_b)
    assert "version 1 ACTIVE" in out and "approved by Pat Pharm as pharmacist (login lib_pharmacy)" in out


def test_what_the_server_refuses_to_publish_and_who_may_not_publish(unit, capsys, tmp_path):
    su, lib_a, _, ws = unit
    code, _, err = run(capsys, "library", "publish", RESOURCES, "--as", "Ann Author", "--db", ws)
    assert code == 1 and "ivig_library role" in err  # a workstation's login may only read the library
    assert run(capsys, "library", "publish", RESOURCES, "--as", "Ann Author", "--db", lib_a)[0] == 0
    code, out, _ = run(capsys, "library", "publish", RESOURCES, "--as", "Ann Author", "--db", lib_a)
    assert code == 0 and "already on the unit server with this content" in out
    edited, _ = new_version(tmp_path, 1)  # another content under a number already used
    code, _, err = run(capsys, "library", "publish", edited, "--as", "Ann Author", "--db", lib_a)
    assert code == 1 and "version 1 is already on the unit server with other content" in err
    stale = tmp_path / "stale"
    shutil.copytree(edited, stale)
    (stale / "symptoms.toml").write_text((stale / "symptoms.toml").read_text().replace('"moderate"', '"mild"', 1))
    code, _, err = run(capsys, "library", "publish", str(stale), "--as", "Ann Author", "--db", lib_a)
    assert code == 1 and "content_hash: the content is" in err  # checked here before anything is sent
    from titration.library.identity import library_texts
    from titration.library.load import load
    from titration.store.library_server import LibraryRefused, LibraryServer

    files = library_texts(edited)
    with LibraryServer(lib_a) as srv, pytest.raises(LibraryRefused, match="arrived damaged"):
        srv.publish(load(new_version(tmp_path / "b", 2)[0]).manifest, files, "sha256:" + "0" * 64, "Ann Author")
    for sql in ("UPDATE library_versions SET changelog = 'x'", "DELETE FROM library_versions",
                "TRUNCATE library_approvals", "TRUNCATE library_activations"):
        with psycopg.connect(su, autocommit=True) as c, pytest.raises(psycopg.Error, match="append-only"):
            c.execute(sql)  # the owner and a superuser too, while the triggers are on


def test_an_infusion_keeps_its_version_across_a_publish_and_the_next_one_takes_the_new(unit, capsys, tmp_path):
    _, lib_a, lib_b, ws = unit
    publish_approved(capsys, lib_a, lib_b, RESOURCES, 1)
    now = library_sync.apply(library_sync.fetch(ws))
    assert (now.version, now.source) == (1, "unit server")
    watch = library_sync.LibraryWatch(ws)
    watch.start()
    try:
        first = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
        folder, digest = new_version(tmp_path, 2)
        import time

        time.sleep(0.5)  # the watch is listening
        publish_approved(capsys, lib_a, lib_b, folder, 2)
        deadline = time.monotonic() + 20
        decision = None
        while decision is None and time.monotonic() < deadline:
            decision = watch.poll()
            time.sleep(0.1)
        assert decision is not None, "the workstation did not hear the activation"
    finally:
        watch.stop()
    now = library_sync.apply(decision)
    assert (now.version, now.content_hash, now.source) == (2, digest, "unit server")
    assert "Drug library version 2" in now.line()
    second = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    assert first.library["version"] == 1 and second.library == {"version": 2, "hash": digest}
    assert first.catalogue.grade(["headache"]).grade == "mild"  # the running infusion keeps its rules
    assert second.catalogue.grade(["headache"]).grade == "moderate"
    first.record_vitals(0, __import__("titration.reactions", fromlist=["Vitals"]).Vitals(
        temp_c=36.8, pulse=72, sbp=124, dbp=78, spo2=98, rr=14))
    first.start(0)
    events = [json.loads(json.dumps(e.to_dict())) for e in first.events]
    again = Session.replay(events, **cache.replay_rules(events))  # as recovery replays it
    assert again.catalogue.grade(["headache"]).grade == "mild"


def test_a_workstation_out_of_reach_plans_with_its_kept_copy_and_never_with_a_tampered_one(unit, capsys, tmp_path,
                                                                                         pg_server):
    su, lib_a, lib_b, ws = unit
    d = library_sync.fetch(ws)
    assert (d.folder, d.source) == (None, "bundled") and "no active library version" in d.note
    folder, digest = new_version(tmp_path, 2)
    publish_approved(capsys, lib_a, lib_b, folder, 2)
    assert library_sync.fetch(ws).source == "unit server"
    code, out, _ = run(capsys, "unit", "status", "--db", ws)
    assert code == 0 and f"drug library: version 2 ({digest[:19]}) is active on the unit server; this workstation " \
        "runs version 2" in out
    gone = f"postgresql://127.0.0.1:{pg_server.tcp_port + 1}/nowhere?user=nobody&connect_timeout=2"
    d = library_sync.fetch(gone)
    assert (d.source, d.folder) == ("kept copy", cache.folder_for(digest)) and "could not be asked" in d.note
    now = library_sync.apply(d)
    assert now.version == 2 and "kept copy" in now.line()
    with psycopg.connect(su, autocommit=True) as c:  # a superuser edits the stored files behind the triggers
        c.execute("SET session_replication_role = replica")
        c.execute("UPDATE library_versions SET files = jsonb_set(files, '{symptoms.toml}', to_jsonb(replace("
                  "files->>'symptoms.toml', 'grade = \"moderate\"', 'grade = \"mild\"')))")
    shutil.rmtree(cache.folder_for(digest))
    d = library_sync.fetch(ws)
    assert d.source == "bundled" and "version 2 was NOT used" in d.note and "not the" in d.note
