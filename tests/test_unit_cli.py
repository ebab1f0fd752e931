"""`unit init`, `unit status`, `journal verify --db URL`: the unit server from the command line,
and passwords: never taken from the command line, never printed."""
import json
import os
import subprocess
import sys

import psycopg
import pytest

from titration.cli.main import main
from titration.store.base import scrub

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytestmark = pytest.mark.pg


def run(*argv, env=None):
    return subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), *argv], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, **(env or {})))


def test_unit_init_creates_then_finds_the_schema_and_status_lists_chairs(pg_server, tmp_path, capsys):
    url = pg_server.new_database(init=False)
    assert main(["unit", "init", "--db", url]) == 0
    assert "schema created 7" in capsys.readouterr().out
    assert main(["unit", "init", "--db", url]) == 0
    assert "schema already at 7" in capsys.readouterr().out
    env = {"IVIG_OUTBOX": str(tmp_path / "o.sqlite3"), "IVIG_WORKSTATION": "bay-c"}
    r = run("simulate", os.path.join(ROOT, "resources", "scenarios", "03-moderate-reaction.toml"), "--db", url,
            "--speed", "50000", env=env)
    assert r.returncode == 0, r.stderr
    r = run("unit", "status", "--db", url, "--json")
    (chair,) = json.loads(r.stdout)["chairs"]
    assert chair["chair"] == "simulation" and chair["held_by"] == "bay-c" and chair["product"] == "octagam-10"
    assert {"rate_ml_h", "step", "steps", "state", "next_due", "alerts"} <= chair.keys()
    r = run("unit", "status", "--db", url)
    assert r.returncode == 0 and "simulation" in r.stdout and "driven from bay-c" in r.stdout
    r = run("journal", "verify", "--db", url)
    assert r.returncode == 0 and "intact (1 session," in r.stdout
    r = run("journal", "--db", url, "--json")
    (s,) = json.loads(r.stdout)["sessions"]
    assert s["training"] is True and s["events"][0]["kind"] == "planned"


def test_a_newer_schema_on_the_server_is_refused_with_advice(pg_server):
    url = pg_server.new_database()
    with psycopg.connect(url, autocommit=True) as c:
        c.execute("UPDATE schema_version SET version = 99")
    for argv in (["unit", "init", "--db", url], ["unit", "status", "--db", url], ["journal", "verify", "--db", url]):
        r = run(*argv)
        assert r.returncode == 2 and "newer version of this app" in r.stderr and "update the app" in r.stderr
        assert "Traceback" not in r.stderr


def test_a_server_without_the_schema_says_to_run_unit_init(pg_server):
    url = pg_server.new_database(init=False)
    r = run("journal", "verify", "--db", url)
    assert r.returncode == 2 and "unit init" in r.stderr


@pytest.mark.parametrize("where", ["argument", "IVIG_DB"])
def test_a_password_in_the_url_is_refused_and_never_printed(pg_server, where):
    url = pg_server.url("postgres").replace("postgresql:///", "postgresql://postgres:s3cr3t-pw@/")
    argv = ["unit", "status"] + (["--db", url] if where == "argument" else [])
    r = run(*argv, env={"IVIG_DB": url} if where == "IVIG_DB" else None)
    assert r.returncode == 2 and "~/.pgpass" in r.stderr
    assert "s3cr3t-pw" not in r.stderr + r.stdout


def test_an_unreachable_server_is_one_line_without_the_password(tmp_path):
    url = f"postgresql:///nowhere?host={tmp_path}&port=1"
    r = run("unit", "status", "--db", url)
    assert r.returncode == 2 and r.stderr.startswith("error: cannot reach the unit server") and \
        len(r.stderr.strip().splitlines()) == 1


def test_scrub_hides_passwords_in_every_spelling():
    assert scrub("postgresql://nurse:pa:ss@db.unit/ivig") == "postgresql://nurse:***@db.unit/ivig"
    assert scrub("x postgres://u:p@h/d?sslmode=require&password=zz y") == \
        "x postgres://u:***@h/d?sslmode=require&password=*** y"
    assert scrub("host=db password=hunter2 user=n") == "host=db password=*** user=n"
    assert scrub("postgresql:///ivig?host=/run/pg") == "postgresql:///ivig?host=/run/pg"


def test_the_local_journal_commands_load_no_database_driver(tmp_path):
    db = tmp_path / "j.sqlite3"
    r = run("simulate", os.path.join(ROOT, "resources", "scenarios", "01-uneventful-first-infusion.toml"), "--db",
            str(db))
    assert r.returncode == 0, r.stderr
    code = ("import sys, io, contextlib\nfrom titration.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    main(['journal', '--db', {str(db)!r}, '--json']); main(['journal', 'verify', '--db', {str(db)!r}])\n"
            "print('psycopg' in sys.modules)\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "False", r.stderr


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SAFE = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!$'()*+,;=",
               min_size=1, max_size=20)


@settings(max_examples=60, deadline=None)
@given(user=st.text(alphabet="abcdefgh.-_", min_size=1, max_size=10), password=SAFE.map(lambda p: f"QQ{p}QQ"),
       host=st.sampled_from(["db.unit", "", "10.0.0.5:5433"]))
def test_no_spelling_of_a_password_survives_scrubbing(user, password, host):
    for url in (f"postgresql://{user}:{password}@{host}/ivig",
                f"postgres://{user}:{password}@{host}/ivig?sslmode=require",
                f"postgresql://{host}/ivig?user={user}&password={password}&sslmode=verify-full"):
        out = scrub(f"cannot reach {url}: refused")
        assert "QQ" not in out and out.startswith("cannot reach postgres") and out.endswith(": refused")


@pytest.mark.parametrize("db", ["host=127.0.0.1 port=1 dbname=ivig user=ws pasword=hunter2",
                                "host=127.0.0.1 dbname=ivig passwrd='hunter2 x'",
                                "postgresql://ws@127.0.0.1:1/ivig?passwd=hunter2",
                                "host=127.0.0.1 dbname=ivig sslpassword=hunter2",
                                "postgresql://ws@127.0.0.1:1/ivig?sslpassword=hunter2",
                                "host=127.0.0.1 dbname=ivig colour=hunter2",
                                "host=127.0.0.1 dbname=ivig hunter2"])
def test_a_misspelt_or_unknown_keyword_is_refused_without_showing_any_value(tmp_path, db):
    for argv in (["unit", "status", "--db", db], ["journal", "verify", "--db", db], ["unit", "send", "--db", db]):
        r = run(*argv, env={"IVIG_OUTBOX": str(tmp_path / "o.sqlite3")})
        assert r.returncode == 2 and "hunter2" not in r.stdout + r.stderr, (argv, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "connection string" in r.stderr
    assert not (tmp_path / "o.sqlite3").exists()  # refused before anything was made
