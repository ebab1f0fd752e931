"""A whole infusion through the window, checked against numbers worked out by hand.

Octagam 10%, ITP, 70 kg, 1 g/kg: 70 g = 700 mL at 100 mg/mL. The label ladder 1, 2, 4, 8, 12
mg/kg/min is x 70 kg x 60 / 100 = 42, 84, 168, 336, 504 mL/h, every 30 min. Tiered policy: a mild
reaction (chills) at 40 min slows to the last tolerated rate (42 mL/h); resolved at 50 min; the
review at 70 min (30 min after the slowing) proposes escalation again.
"""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import answer_checklist, fill_patient

LADDER = [42.0, 84.0, 168.0, 336.0, 504.0]


def ctrl_enter(qtbot, w):
    qtbot.keyClick(w, Qt.Key_Return, Qt.ControlModifier)


def record_vitals(view, temp="36.9", pulse="76", sbp="122", dbp="76", spo2="98", rr="15"):
    for k, v in dict(temp_c=temp, pulse=pulse, sbp=sbp, dbp=dbp, spo2=spo2, rr=rr).items():
        view.vitals.fields[k].setText(v)
    view.vitals.record_button.click()


def at(window, clock, t):
    clock.set(t)
    window.model.tick()


def test_whole_infusion_through_the_window(qtbot, window, clock, beeper):
    w = window
    qtbot.keyClick(w, Qt.Key_N, Qt.ControlModifier)
    f = w.new_form
    assert w.stack.currentWidget() is f
    fill_patient(f, qtbot, baseline=False)
    answer_checklist(f)

    # The preview: the rate table and the chart hold the core's numbers.
    table = f.preview.table
    rates = [float(table.item(r, 1).text()) for r in range(table.rowCount())]
    assert rates == LADDER
    assert [table.item(r, 5).text() for r in range(table.rowCount())] == ["21.0", "63.0", "147.0", "315.0", "700.0"]
    assert "2 h 46 min" in f.preview.summary.text() and "700.0 mL" in f.preview.summary.text()
    assert "Step 5: 12 mg/kg/min x 70 x 60 / 100 = 504.00 -> 504 mL/h." in f.preview.arithmetic.toPlainText()
    t, r = f.preview.chart.curves()["planned_rate_ml_h"]
    assert list(r) == LADDER
    assert list(t[:5]) == [0, 30, 60, 90, 120]

    # Without baseline vitals the start is blocked.
    assert not f.create_infusion()
    assert "Baseline vitals" in f.blockers.text()
    assert not w.model.chairs
    for k, v in dict(temp_c="36.8", pulse="72", sbp="124", dbp="78", spo2="98", rr="14").items():
        f.baseline.fields[k].setText(v)
    ctrl_enter(qtbot, w)  # Ctrl+Enter creates the infusion
    assert len(w.model.chairs) == 1
    chair = w.model.chairs[0]
    s = chair.session
    view = w.current_view()
    assert view.chair is chair and s.status == "planned"
    assert s.state.baseline.temp_c == 36.8
    assert view.pump.pump_rate.text() == "42 mL/h"
    assert view.pump.pump_units.text().startswith("1.00 mg/kg/min · 0.0100 mL/kg/min")
    assert "Pre-infusion checklist" in view.log.texts()[1][2]
    assert "previous severe reaction: No" in view.log.texts()[1][2]

    ctrl_enter(qtbot, w)  # start: the pump is set to 42 mL/h
    assert s.status == "running" and s.state.rate_ml_h == 42.0
    assert view.now_panel.labels["next_step"].text() == "in 30:00 (at 08:30)"
    assert view.now_panel.labels["vitals"].text().startswith("in 15:00 (at 08:15)")
    assert view.now_panel.labels["finish"].text() == "10:46, 2 h 46 min left"  # 165.8 min: 08:00 + 2:46, one rounding

    # 15 min: vitals due -> the bar flashes and beeps until acknowledged.
    at(w, clock, 15)
    assert w.alert_strip.active and "VITALS DUE" in w.alert_strip.text()
    assert beeper.count >= 1
    assert view.now_panel.labels["volume"].text() == "10.5 of 700.0 mL"  # 42 mL/h x 15 min
    qtbot.keyClick(w, Qt.Key_F8)
    assert not w.alert_strip.active
    record_vitals(view)
    assert s.state.last_vitals_at == 15

    # 30 min: step 2 due.
    at(w, clock, 30)
    assert w.alert_strip.active and "Chair 1: Increase: set the pump to 84 mL/h." in w.alert_strip.text()
    assert view.pump.pump_title.text() == "Increase: set pump to" and view.pump.pump_rate.text() == "84 mL/h"
    assert view.pump.pump_units.text().startswith("2.00 mg/kg/min · 0.0200 mL/kg/min")
    ctrl_enter(qtbot, w)
    assert s.state.rate_ml_h == 84.0
    record_vitals(view)  # vitals with the increase

    # 40 min: chills (mild) -> slow to the last tolerated rate, 42 mL/h.
    at(w, clock, 40)
    view.symptoms.boxes["chills"].setChecked(True)
    view.symptoms.report_button.click()
    p = chair.proposal()
    assert (p.action, p.rate_ml_h, p.grade) == ("slow", 42.0, "mild")
    assert view.pump.pump_title.text() == "SLOW DOWN: set pump to" and view.pump.pump_rate.text() == "42 mL/h"
    assert view.pump.reason.text() == "SLOW DOWN: set the pump to 42 mL/h. Mild reaction."
    assert "Slow to the last tolerated rate, 42 mL/h" in view.pump.why_text.text()
    assert "policy tiered" in view.pump.rule.text()
    assert w.alert_strip.active
    view.pump.confirm_button.click()
    assert s.state.rate_ml_h == 42.0 and s.state.reaction.action == "slow"
    assert view.now_panel.labels["next_step"].text() == "on hold: a reaction is being handled"
    assert not view.symptoms.boxes["chills"].isChecked()

    # 50 min: resolved (Ctrl+R). The review at 70 min proposes escalation again.
    at(w, clock, 50)
    record_vitals(view)
    qtbot.keyClick(w, Qt.Key_R, Qt.ControlModifier)
    assert s.state.reaction.resolved_at == 50
    at(w, clock, 69.9)
    assert chair.proposal() is None
    at(w, clock, 70)
    p = chair.proposal()
    assert (p.action, p.rate_ml_h) == ("increase", 84.0)
    ctrl_enter(qtbot, w)

    # Then each step as it falls due, vitals whenever due, until the volume is in.
    for _ in range(40):
        if s.status != "running":
            break
        v = s.vitals_due(chair.now)
        if v is not None and v[0] <= chair.now:
            record_vitals(view)
        if chair.proposal() is not None:
            ctrl_enter(qtbot, w)
            continue
        nxt = [x for x in (s.next_due_at(), s.vitals_due(chair.now)[0], s.completion_at()) if x is not None]
        at(w, clock, max(min(nxt), chair.now))
    assert s.status == "completed"
    confirmed = [e.data["rate_ml_h"] for e in s.events if e.kind in ("start", "increase", "action")]
    assert confirmed == [42.0, 84.0, 42.0, 84.0, 168.0, 336.0, 504.0]
    assert s.delivered_ml(chair.now) == pytest.approx(700.0)
    assert view.pump.pump_title.text() == "Infusion COMPLETED"
    assert view.pump.pump_rate.text() == "700.0 mL in"

    # The chart draws the session's own numbers.
    cv = view.chart.curves()
    tr, rr = cv["actual_rate_ml_h"]
    steps = [rr[0]] + [b for a, b in zip(rr, rr[1:]) if b != a]
    assert steps == [42.0, 84.0, 42.0, 84.0, 168.0, 336.0, 504.0]
    td, vd = cv["delivered_ml"]
    assert vd[-1] == pytest.approx(700.0) and td[-1] == pytest.approx(s.state.end_min)
    t0, v0 = cv["original_ml"]
    assert list(np.round(v0, 1)) == [0.0, 21.0, 63.0, 147.0, 315.0, 700.0]

    # After the end: end vitals, the observation hour, the summary, close.
    assert view.after.isVisible()
    end = s.state.end_min
    assert "Delivered 700.0 of 700.0 mL" in view.after.summary.text()
    assert "Reactions: 1 (highest grade mild)" in view.after.summary.text()
    assert "Highest pump rate 504 mL/h" in view.after.summary.text()
    record_vitals(view)  # end vitals
    at(w, clock, end + 30)
    assert view.now_panel.labels["observation"].text().startswith("ends in 30:00")
    at(w, clock, end + 60)
    assert "OBSERVATION HOUR OVER" in w.alert_strip.text()
    record_vitals(view)
    view.after.close_obs_button.click()
    assert s.status == "closed"
    assert not w.alert_strip.active

    # The event log shows every event, in order, with the time, who and what.
    rows = view.log.texts()
    assert len(rows) == len(s.events)
    assert rows[0][0].startswith("08:00")
    whats = [r[2] for r in rows]
    assert "Symptoms reported: Chills (mild)" in whats
    assert any(x.startswith("Confirmed: slow — pump 42 mL/h") for x in whats)
    assert whats[-1] == "Observation closed"

    # Everything was journaled, in the same order (the record is the journal's, not the screen's).
    stored = w.model.journal.events(chair.journal_id)
    assert [e["kind"] for e in stored] == [e.kind for e in s.events]

    # The chair is closed with the observation: Ctrl+W frees it.
    qtbot.keyClick(w, Qt.Key_W, Qt.ControlModifier)
    assert w.model.chairs == [] and w.chair_list.count() == 0
