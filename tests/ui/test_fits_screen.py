"""A window that fits a ward screen (1024x700, large type too), and one clock everywhere."""
import pytest
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import answer_checklist, fill_patient, new_chair

WARD = (1024, 700)


def settle():
    for _ in range(4):
        QApplication.processEvents()


def in_view(widget) -> bool:
    """The whole widget is on the screen (not clipped by a scroll area or the window)."""
    return widget.isVisible() and widget.visibleRegion().boundingRect().size() == widget.size()


def start_a_chair(qtbot, window):
    """A patient filled in, the checklist answered, the infusion created and started."""
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot)
    answer_checklist(f)
    assert f.create_infusion()
    window.confirm()


def chair_with_a_proposal(qtbot, window, clock):
    start_a_chair(qtbot, window)
    clock.set(42)
    window.model.tick()
    view = window.current_view()
    view.symptoms.boxes["chills"].setChecked(True)
    view.symptoms.report_button.click()
    return view


@pytest.mark.parametrize("large", [False, True])
def test_every_view_fits_1024x700_without_growing(qtbot, window, clock, large):
    view = chair_with_a_proposal(qtbot, window, clock)
    fill_patient(window.new_form, qtbot, pid="P-2")  # the form with a plan, notes and warnings in it
    answer_checklist(window.new_form, pregnant=1, vaccine=1)
    window.set_large(large)
    window.resize(*WARD)
    settle()
    pages = {"chair": lambda: window.show_chair(view.chair), "new infusion": window.show_new_infusion,
             "training": window.show_training_setup, "overview": window.show_home, "unit": window.show_unit}
    for name, show in pages.items():
        show()
        settle()
        hint = window.minimumSizeHint()
        assert hint.width() <= WARD[0] and hint.height() <= WARD[1], (name, hint)
        assert window.size().toTuple() == WARD, name
    window.show_chair(view.chair)
    settle()
    assert in_view(view.pump.confirm_button) and in_view(view.pump.pump_rate)  # Confirm always in view
    window.show_new_infusion()
    window.new_form.update_preview()
    settle()
    form = window.new_form
    assert in_view(form.create_button)
    panel = form.blockers.geometry().translated(form.blockers.parentWidget().mapTo(window, form.blockers.pos())
                                                - form.blockers.pos())
    assert form.blockers.isVisible() and window.rect().contains(panel)
    window.show_training_setup()
    settle()
    t = window.training_setup
    assert in_view(t.list)
    window.set_large(False)


def test_large_type_on_and_off_returns_the_layout_exactly(qtbot, window, clock):
    view = chair_with_a_proposal(qtbot, window, clock)
    window.resize(*WARD)
    settle()

    def layout():
        return (window.main_split.sizes(), view.split.sizes(), view.centre.sizes(), view.pump.geometry(),
                view.chart.geometry(), view.pump.confirm_button.geometry(), window.alert_strip.height())

    before = layout()
    window.set_large(True)
    settle()
    assert layout() != before  # it did change
    window.set_large(False)
    settle()
    assert layout() == before


def test_one_clock_counts_from_the_pump_start(qtbot, window, clock):
    view = new_chair(window, qtbot)
    clock.set(20)  # the pump is started 20 min after the plan was made
    window.model.tick()
    window.confirm()
    clock.set(50)
    window.model.tick()
    chair = view.chair
    assert chair.session.state.started_at == 20
    assert view.bar.now_label.text() == "08:50 · +0:30"
    assert view.now_panel.labels["elapsed"].text() == "0:30 since the start"
    assert view.chart.parts.now_line.label.format == "now 0:30"
    log = {r[2]: r[0] for r in view.log.texts()}
    start_row = next(k for k in log if k.startswith("Started"))
    assert log[start_row] == "08:20  (+0:00:00)"
    assert view.chart.parts.volume_plot.getPlotItem().getAxis("bottom").tickStrings([20.0, 80.0], 1, 60) == ["0", "60"]
    # the original plan is drawn from the actual start, not from when it was made
    x, _ = view.chart._data["original_ml"]
    assert x[0] == pytest.approx(20.0)


def test_expected_finish_says_the_time_and_what_is_left(qtbot, window, clock):
    start_a_chair(qtbot, window)
    view = window.current_view()
    # 165.8 min plan from 08:00: expected 10:45:48, said 10:46 (one rounding: 09:40 + 1 h 06 min is 10:46)
    assert view.now_panel.labels["finish"].text() == "10:46, 2 h 46 min left"
    clock.set(100.0)
    window.model.tick()
    assert view.now_panel.labels["finish"].text() == "10:46, 1 h 06 min left"


def test_the_two_y_axis_titles_never_overlap(qtbot):
    from titration.plan import PlanRequest, build_plan
    from ui.chart.infusion_chart import InfusionChart

    c = InfusionChart()
    qtbot.addWidget(c)
    c.set_plan(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    for w, h in ((420, 240), (900, 700), (300, 200)):
        c.resize(w, h)
        c.show()
        settle()
        axes = [pw.getPlotItem().getAxis("left") for pw in (c.parts.volume_plot, c.parts.rate_plot)]
        if not all(a.label.isVisible() for a in axes):
            continue  # a title left out is a title that overlaps nothing
        rects = [a.label.sceneBoundingRect() for a in axes]
        tops = [pw.mapToGlobal(pw.rect().topLeft()).y() for pw in (c.parts.volume_plot, c.parts.rate_plot)]
        spans = [(t + r.top(), t + r.bottom()) for t, r in zip(tops, rects)]
        assert spans[0][1] <= spans[1][0], (w, h, spans)  # the volume title ends above the rate title
    c.resize(420, 240)
    settle()
    assert c.axis_title("rate") in ("mL/h", "")  # the short form, or none, in a short plot
    c.resize(900, 700)
    settle()
    assert (c.axis_title("volume"), c.axis_title("rate")) == ("Volume in (mL)", "Rate (mL/h)")


def test_large_type_at_1024x700_never_scrolls_sideways(qtbot, window, clock):
    from PySide6.QtWidgets import QScrollArea

    view = chair_with_a_proposal(qtbot, window, clock)
    for large in (True, False, True):
        window.set_large(large)
        window.resize(*WARD)
        window.show_chair(view.chair)
        settle()
        if large:  # the right column (vitals, symptoms) stacked below the pump panel
            assert view.vitals.isVisibleTo(view.left_scroll.widget()) and not view.right.isVisible()
            bars = [s.horizontalScrollBar() for s in view.findChildren(QScrollArea) if s.isVisible()
                    and s.widget() in (view.left_scroll.widget(), view.right_inner)]
            assert bars and not any(b.isVisible() for b in bars)
            assert in_view(view.pump.confirm_button)
        else:
            assert view.right.isVisible() and view.right.widget() is view.right_inner
        assert window.size().toTuple() == WARD
    window.set_large(False)


def test_the_first_window_is_never_larger_than_the_screen(qtbot, clock, beeper, journal):
    """With no saved geometry the window opens at 1440x900 only where the screen has room: on a
    ward's 1024x700 it must not open wider than the screen (found under Xvfb at 1024x700)."""
    from ui.window.app_model import AppModel
    from ui.window.main_window import MainWindow

    w = MainWindow(AppModel(journal, clock_factory=lambda **kw: clock, autostart=False), beep=beeper)
    w.force_close = True
    qtbot.addWidget(w)
    room = w.screen().availableGeometry()
    assert room.width() < 1440  # the offscreen screen is small: the window had to shrink
    assert w.width() <= max(room.width(), w.minimumWidth())
    assert w.height() <= max(room.height(), w.minimumHeight())


def test_the_plan_table_is_whole_at_1024x700_and_the_chart_gives_way(qtbot, window):
    """In a short window the rates come first: every row of the plan table in view; the preview
    chart is hidden rather than drawn too small to read, and comes back in a tall window."""
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot)
    window.resize(*WARD)
    f.update_preview()
    settle()
    table, view = f.preview.table, f.preview.table.viewport().rect()
    assert table.rowCount() >= 4
    for r in range(table.rowCount()):
        assert view.contains(table.visualItemRect(table.item(r, 1))), r
    chart_h = f.preview.parts.sizes()[1]
    assert chart_h == 0 or chart_h >= 180
    window.resize(1920, 1080)
    settle()
    assert f.preview.parts.sizes()[1] >= 180


def test_the_event_log_times_read_in_full_in_large_type(qtbot, window, clock):
    """The log's time and who columns are measured again when the type grows (they showed '0…')."""
    view = chair_with_a_proposal(qtbot, window, clock)
    window.resize(*WARD)
    window.show_chair(view.chair)
    window.set_large(True)
    qtbot.wait(50)
    log = view.log
    fm = log.fontMetrics()
    for col in (0, 1):
        widest = max(fm.horizontalAdvance(log.item(r, col).text()) for r in range(log.rowCount()))
        assert log.columnWidth(col) >= widest, col


def _nested_scrolls(view) -> list[str]:
    """Scroll areas (lists, tables and plots included) inside another scroll area of the chair view."""
    from PySide6.QtWidgets import QAbstractScrollArea, QHeaderView

    out = []
    for w in view.findChildren(QAbstractScrollArea):
        if not w.isVisible() or w.window() is not view.window():  # a combo box's popup is a window of its own
            continue
        if isinstance(w, QHeaderView):  # a table's own header: part of the table, it never scrolls on its own
            continue
        p = w.parentWidget()
        while p is not None and p is not view:
            if isinstance(p, QAbstractScrollArea):
                out.append(f"{type(w).__name__} {w.objectName()!r} in {type(p).__name__} {p.objectName()!r}")
                break
            p = p.parentWidget()
    return out


@pytest.mark.parametrize("large", [False, True])
def test_the_chair_screen_at_a_glance_through_a_whole_infusion(qtbot, window, clock, large):
    """At 1024x700, in normal and large type, at every stage: the pump rate, the next action and
    Pause/Stop in view without scrolling; no scroll area inside another; after a STOP the emergency
    steps are what the left column shows."""
    window.set_large(large)
    window.resize(*WARD)
    start_a_chair(qtbot, window)
    view = window.current_view()
    bar = view.bar

    def at_a_glance(stage):
        settle()
        assert window.size().toTuple() == WARD, stage
        for w in (bar.pump_now, bar.next_action, bar.stop_button, view.pump.confirm_button):
            assert in_view(w) or (w is view.pump.confirm_button and not w.isVisible()), (stage, w.objectName())
        assert in_view(bar.pause_button) or in_view(bar.resume_button), stage
        assert bar.pump_now.text() and bar.next_action.text(), stage
        assert _nested_scrolls(view) == [], stage

    at_a_glance("running")
    assert bar.pump_now.text() == "Pump at 42 mL/h" and bar.next_action.text().startswith("Next: ")
    assert "(in " in bar.next_action.text()  # the time to it
    clock.set(30)
    window.model.tick()
    at_a_glance("step due")
    assert bar.next_action.text().startswith("NOW: ")
    window.confirm()
    clock.set(42)
    window.model.tick()
    view.symptoms.boxes["chills"].setChecked(True)
    view.symptoms.report_button.click()
    at_a_glance("mild reaction")
    window.confirm()
    view.left_scroll.verticalScrollBar().setValue(view.left_scroll.verticalScrollBar().maximum())  # scrolled down
    clock.set(55)
    window.model.tick()
    view.symptoms.boxes["wheeze"].setChecked(True)
    view.symptoms.report_button.click()
    at_a_glance("STOP")
    assert bar.state_badge.text() == "STOP NOW"
    assert view.left_scroll.verticalScrollBar().value() == 0  # scrolled back to the emergency steps
    assert in_view(view.emergency.title) and not view.emergency.steps.visibleRegion().isEmpty()
    window.confirm()
    clock.set(60)
    window.model.tick()
    at_a_glance("observation")
    assert not bar.stop_button.isEnabled() and not bar.pause_button.isEnabled()
    window.set_large(False)
