"""Under CI (CI=true) the PostgreSQL tests cannot be skipped: without a server the run fails.
(Outside CI the same tests skip, saying why; tests/conftest.py, fixture pg_server.)"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_one(ci: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, IVIG_PG_BIN="/nonexistent", CI=ci)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/test_store_contract.py::test_every_event_names_its_workstation_and_nurse"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_without_a_server_the_pg_tests_fail_under_ci():
    r = run_one("true")
    assert r.returncode == 1 and "PostgreSQL tests cannot run under CI" in r.stdout, r.stdout[-600:]
