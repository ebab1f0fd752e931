"""Every shipped scenario runs to its end through the window, with a trainee who does what the
screen says: confirm what is due, take and record vitals when due, report what the patient says."""
from pathlib import Path

import pytest

from titration.data import resource

SCENARIOS = sorted(Path(resource("scenarios")).glob("*.toml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_runs_to_the_end_in_the_window(qtbot, window, clock, path):
    w = window
    errors = []
    chair = w.model.new_training(str(path), speed=60)
    chair.sig_error.connect(errors.append)
    w.show_chair(chair)
    view = w.current_view()
    s = chair.session
    said_ids, better = [], []

    def heard(items):
        for u in items:
            said_ids.extend(u.symptom_ids)
            if u.kind == "better":
                better.append(u)

    chair.sig_utterances.connect(heard)
    view.take_vitals()
    view.vitals.record_button.click()
    w.confirm()  # start
    assert s.status == "running"
    t = 0.0
    for _ in range(400):
        if s.status == "closed":
            break
        t += 5.0
        clock.set(t)
        w.model.tick()
        if said_ids and s.status in ("running", "paused", "completed", "stopped"):
            known = [i for i in dict.fromkeys(said_ids) if i in s.catalogue.symptoms]
            said_ids.clear()
            if known:
                view.symptoms.set_checked(known)
                view.report_ticked()
        if better and s.state.reaction is not None and s.state.reaction.resolved_at is None \
                and s.status in ("running", "paused"):
            better.clear()
            view.resolved()
        v = s.vitals_due(chair.time_now())
        if v is not None and v[0] <= chair.time_now():
            view.take_vitals()
            view.vitals.record_button.click()
            r = s.state.reaction
            fever_only = r is not None and not any(e.kind == "symptoms" and e.at_min >= r.at_min for e in s.events)
            if fever_only and s.events[-1].data.get("grade") == "none" and r.resolved_at is None \
                    and s.status in ("running", "paused"):
                view.resolved()  # a reaction found in the vitals resolves when they are normal again
        if chair.proposal() is not None:
            w.confirm()
        if s.status in ("completed", "stopped") and t >= s.observation_ends_at():
            view.close_observation()
    assert s.status == "closed", (s.status, errors)
    assert not [e for e in errors if "internal" in e or "failed" in e], errors
    assert view.log.rowCount() == len(s.events)
    view.training_panel.show_debrief()
    d = view.training_panel.debrief
    assert d.table.rowCount() > 0 and d.score.text().startswith("Score: ")
    # a trainee who does what the screen says gets full marks
    missed = [(i.at_min, i.expected, i.verdict) for i in chair.run.debrief().items if i.verdict != "correct"]
    assert chair.run.debrief().score == 100, missed
