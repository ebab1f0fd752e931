"""The parsed-TOML cache never serves a stale or broken file."""
import os

import pytest

from titration.data import _cache_file, load_toml
from titration.errors import DataError


def test_cache_follows_the_file(tmp_path):
    f = tmp_path / "x.toml"
    f.write_text('a = 1\n')
    assert load_toml(str(f)) == {"a": 1}
    assert os.path.exists(_cache_file(str(f)))
    assert load_toml(str(f)) == {"a": 1}  # from the cache
    f.write_text('a = 22\n')  # size changes
    assert load_toml(str(f)) == {"a": 22}
    st = os.stat(f)
    f.write_text('a = 33\n')  # same size: the modification time tells
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    assert load_toml(str(f)) == {"a": 33}


def test_a_broken_cache_file_is_ignored(tmp_path):
    f = tmp_path / "y.toml"
    f.write_text('b = "x"\n')
    load_toml(str(f))
    with open(_cache_file(str(f)), "wb") as fh:
        fh.write(b"\x00garbage")
    assert load_toml(str(f)) == {"b": "x"}


def test_an_invalid_file_is_never_cached_as_valid(tmp_path):
    f = tmp_path / "z.toml"
    f.write_text('c = [\n')
    for _ in range(2):
        with pytest.raises(DataError, match="not valid TOML"):
            load_toml(str(f))


def test_an_unwritable_cache_only_costs_time(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", "/proc/no-such-place")
    f = tmp_path / "w.toml"
    f.write_text('d = 4\n')
    assert load_toml(str(f)) == {"d": 4}
