"""Test set-up: offscreen Qt, and nothing read from or written to a developer's real data (as napari does)."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

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
