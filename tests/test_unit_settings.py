"""resources/unit.toml: the alert silence is data, validated on load; Proposal.one_line is the core's."""
import pytest

from titration.errors import DataError
from titration.session_events import Proposal
from titration.unit_settings import load_unit_settings


def test_the_shipped_silence_is_five_minutes_and_the_outbox_heals_for_30_days():
    assert load_unit_settings().silence_min == 5
    assert load_unit_settings().retention_days == 30


def test_a_units_copy_from_before_the_outbox_key_keeps_30_days(tmp_path):
    f = tmp_path / "unit.toml"
    f.write_text("schema_version = 1\n[alerts]\nsilence_min = 5\n")
    assert load_unit_settings(str(f)).retention_days == 30


@pytest.mark.parametrize("text,problem", [
    ("schema_version = 1\n[alerts]\nsilence_min = 0\n", "silence_min"),
    ("schema_version = 1\n[alerts]\nsilence_min = 60\n", "silence_min"),
    ("schema_version = 1\n[alerts]\nsilence = 5\n", "did you mean silence_min"),
    ("schema_version = 1\n", "alerts"),
    ("schema_version = 1\n[alerts]\nsilence_min = 5\n[outbox]\nretention_days = 0\n", "retention_days"),
    ("schema_version = 1\n[alerts]\nsilence_min = 5\n[outbox]\nretention_days = nan\n", "retention_days"),
    ("schema_version = 1\n[alerts]\nsilence_min = 5\n[outbox]\nretention = 30\n", "did you mean retention_days"),
])
def test_a_bad_unit_file_is_refused_in_one_line(tmp_path, text, problem):
    f = tmp_path / "unit.toml"
    f.write_text(text)
    with pytest.raises(DataError, match=problem) as exc:
        load_unit_settings(str(f))
    assert "\n" not in str(exc.value)


def test_the_alert_book_takes_its_silence_from_the_unit_file():
    from titration.alerts import Alert, AlertBook

    book = AlertBook()
    a = Alert(("vitals", 15.0, "x"), "vitals", "low", "VITALS DUE")
    book.update([a], 15.0)
    book.acknowledge(15.0)
    assert book.quiet_until[a.key] == 20.0
    assert AlertBook(silence_min=2).silence_min == 2


@pytest.mark.parametrize("p,line", [
    (Proposal("increase", 96.0, 1, "Step 2"), "Increase: set the pump to 96 mL/h."),
    (Proposal("slow", 48.0, 0, "x", grade="mild"), "SLOW DOWN: set the pump to 48 mL/h. Mild reaction."),
    (Proposal("stop", 0.0, -1, "x", grade="severe", emergency=("Call for help.",)),
     "STOP: set the pump to 0. Call for help."),
    (Proposal("complete", 0.0, -1, "x"),
     "END: the bag should be empty. Confirm the pump has finished (and the line is flushed)."),
])
def test_a_proposal_reads_as_one_line(p, line):
    assert p.one_line() == line
