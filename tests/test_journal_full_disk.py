"""A really full disk (a 256 kB tmpfs): recording stops loudly, nothing is lost, and it resumes
once space is freed. Needs root to mount; skipped elsewhere (test_journal.py covers SQLITE_FULL
with max_page_count everywhere)."""
import os
import subprocess

import pytest

from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.base import JournalFull
from titration.store.journal import Journal


@pytest.fixture
def tiny(tmp_path):
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_a_really_full_disk(tiny):
    filler = tiny / "filler"
    filler.write_bytes(b"\0" * 64 * 1024)  # space we can free later
    j = Journal(tiny / "j.sqlite3")
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    sid = j.attach(s, chair="1", patient_id="P", training=False, wall_start=0.0)
    s.start(0)
    notes = 0
    with pytest.raises(JournalFull, match="is full"):
        for i in range(1000):
            s.note(i, "z" * 2000)
            notes += 1
    assert j.unwritten() == 1 and len(s.events) == notes + 3
    filler.unlink()
    s.note(notes + 1, "space again")  # writes the one that failed, then this one
    assert j.unwritten() == 0
    assert len(j.events(sid)) == len(s.events) and j.verify() == []
    j.close()
