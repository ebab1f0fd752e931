"""A clock tick costs the same with a few events or many (no table rebuilt, no list walked)."""
import time

from tests.ui.conftest import answer_checklist, fill_patient


def tick_cost(window, n=200):
    t0 = time.perf_counter()
    for _ in range(n):
        window.model.tick()
    return (time.perf_counter() - t0) / n


def test_tick_cost_does_not_grow_with_the_event_log(qtbot, window, clock):
    f = window.new_form
    fill_patient(f, qtbot)
    answer_checklist(f)
    assert f.create()
    window.confirm()
    chair = window.model.chairs[0]
    clock.set(1)
    few = tick_cost(window)
    for i in range(150):  # 150 notes: the log and the session grow
        chair.note(f"note {i}")
    view = window.current_view()
    assert view.log.rowCount() == len(chair.session.events)
    many = tick_cost(window)
    assert many < few * 3 + 0.002, (few, many)
