"""Test set-up: offscreen Qt, and nothing read from or written to a developer's real data (as napari does)."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path, monkeypatch):
    """Journal, settings and user data go to a temporary folder in every test."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("IVIG_DB", str(tmp_path / "journal.sqlite3"))
    monkeypatch.delenv("IVIG_RESOURCES", raising=False)
    yield
    from titration import data

    if data.library_folder() != data.RESOURCES:  # a test that ran a unit server's library version
        from titration.library.cache import use

        use(None, "bundled")


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL server for the whole run (tests/pgserver.py). Without PostgreSQL the
    tests that need it skip, except under CI (CI=true), where that is a failure."""
    from pgserver import PgServer

    try:
        srv = PgServer()
        srv.init()
    except Exception as exc:  # noqa: BLE001 - any reason: say it
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL tests cannot run under CI: {exc}")
        pytest.skip(f"no PostgreSQL server for the unit-server tests: {exc}")
    try:
        yield srv
    finally:
        srv.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI a skipped unit-server test fails the run: the suite cannot pass without them."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and "pg_server" in getattr(item, "fixturenames", ()) and \
            os.environ.get("CI", "").lower() == "true":
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, which needs the PostgreSQL tests: {report.longrepr}"
