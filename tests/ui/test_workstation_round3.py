"""The chair workstation through the application model: a crash reopened without back-dating, a
quit journaled, training chairs named apart, a fresh form's indication its product's own."""
import pytest

from tests.ui.conftest import WALL0, answer_checklist, fill_patient
from titration.intake import default_indication
from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.journal import Journal
from titration.vitals import Vitals
from ui.window.app_model import AppModel

RES = "resources/scenarios/01-uneventful-first-infusion.toml"


def _running(path, alive_min: float):
    """Chair 3 running at 42 mL/h from minute 0; the last event at 15.9 min; seen alive to alive_min."""
    wall = [WALL0]
    j = Journal(path, now=lambda: wall[0])
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70.0, 1.0)))
    j.attach(s, chair="Chair 3", patient_id="P-7", training=False, wall_start=WALL0)
    s.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14))
    s.start(0)
    wall[0] = WALL0 + 15.9 * 60
    s.note(15.9, "comfortable")
    j.alive(WALL0 + alive_min * 60)  # the app's heartbeat, every minute while it runs
    return j, s


def test_a_crash_reopened_with_the_pump_stopped_counts_to_the_last_time_seen_alive(qtbot, tmp_path):
    path = tmp_path / "crash.sqlite3"
    j, _ = _running(path, 27.9)
    j.close()  # the app died: nothing more is written
    now = WALL0 + 40 * 60
    j = Journal(path, now=lambda: now)
    model = AppModel(j, wall=lambda: now, autostart=False)
    model.recover_unfinished(lambda rec, wall: "stopped")
    s = model.chairs[0].session
    pauses = [e for e in s.events if e.kind == "pause"]
    assert [round(e.at_min, 1) for e in pauses] == [27.9]  # not back-dated to the last event (15.9)
    assert s.delivered_ml(40) == pytest.approx(42 * 27.9 / 60)
    assert model.chairs[0].state.next_step.words.startswith("none while paused")
    j.close()


def test_a_quit_is_journaled_and_the_next_start_does_not_take_it_for_a_crash(qtbot, tmp_path):
    path = tmp_path / "quit.sqlite3"
    j, s = _running(path, 15.9)
    model = AppModel(j, wall=lambda: WALL0 + 27.9 * 60, autostart=False, clock_factory=lambda **kw: _Clock(27.9))
    chair = model.add_chair(s, name="Chair 3", wall_start=WALL0, start_min=27.9)
    model.record_quit({chair: "runs-on"})
    assert s.events[-1].kind == "app_closed" and s.events[-1].at_min == pytest.approx(27.9)
    j.close()
    from ui.chair.recovery_dialog import RecoveryDialog

    j = Journal(path)
    (rec,) = j.unfinished()
    d = RecoveryDialog(None, rec, rec.last_wall + 12 * 60)
    qtbot.addWidget(d)
    assert "closed on purpose 12 min ago (the pump keeps running)" in d.text.text()
    assert "unexpectedly" not in d.text.text()
    j.close()


class _Clock:
    def __init__(self, t):
        self.t = t

    def now(self):
        return self.t


def test_training_chairs_are_named_training_and_never_take_a_real_chairs_name(qtbot, window):
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot)
    answer_checklist(f)
    assert f.create_infusion()
    chair = window.model.new_training(RES, speed=10)
    assert window.model.chairs[0].name == "Chair 1" and chair.name == "Training 1"
    assert chair.state.state_words.startswith("TRAINING")
    with pytest.raises(Exception, match="kept for training runs"):
        window.model.new_infusion(type("Spec", (), {"chair_name": "Training 2"})())


def test_a_second_infusion_for_a_patient_running_here_is_refused(qtbot, window):
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot, pid="P-123")
    answer_checklist(f)
    assert f.create_infusion()
    n = len(window.model.chairs)
    fill_patient(f, qtbot, pid="p-123")
    answer_checklist(f)
    f.update_preview()
    f.create_infusion()
    assert len(window.model.chairs) == n
    assert f.preview.error.text().startswith("Patient p-123: already running on Chair 1 (")
    assert "since 08:00" in f.preview.error.text()


def test_after_an_infusion_the_fresh_form_shows_its_products_own_indication(qtbot, window):
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot, product="octagam-10", indication="itp")
    answer_checklist(f)
    assert f.create_infusion()
    f.reset()
    product = f.prescription.product.currentData()
    assert f.prescription.indication.currentData() == default_indication(f.library[product])
    assert (product, f.prescription.indication.currentData()) != ("privigen", "itp")  # never carried over
