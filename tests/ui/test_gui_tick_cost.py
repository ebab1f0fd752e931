"""A clock tick does constant work: with a long event log, no table is rebuilt and no chart is redrawn.

Speed itself is measured by bench/tick.py; here the work a tick does is counted.
"""
from tests.ui.conftest import answer_checklist, fill_patient


def test_a_tick_adds_no_rows_and_redraws_nothing_however_long_the_log(qtbot, window, clock):
    f = window.new_form
    fill_patient(f, qtbot)
    answer_checklist(f)
    assert f.create_infusion()
    window.confirm()
    chair = window.model.chairs[0]
    for i in range(150):  # the log and the session grow
        chair.note(f"note {i}")
    clock.set(1)
    window.model.tick()  # takes in the notes once
    view = window.current_view()
    assert view.log.rowCount() == len(chair.session.events)
    rows, redraws = view.log.rowCount(), (view.chart.stats["full_redraws"], view.chart.stats["plan_redraws"])
    trace_rebuilds = chair.chart_feed._trace.rebuilds  # the delivered curve's cached points
    for k in range(50):
        clock.set(1 + k * 0.01)
        window.model.tick()
    assert view.log.rowCount() == rows
    assert (view.chart.stats["full_redraws"], view.chart.stats["plan_redraws"]) == redraws
    assert chair.chart_feed._trace.rebuilds == trace_rebuilds
