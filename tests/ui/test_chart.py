"""The chart draws the core's numbers (octagam-10 ITP, 70 kg, 1 g/kg: see tests/test_chartdata.py)."""
import time

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF

from titration.session import Session
from titration.vitals import Vitals
from ui.chart.feed import ChartFeed
from ui.chart.infusion_chart import InfusionChart
from ui.chart.style import ClockAxis


def mild_reaction(plan) -> Session:
    s = Session(plan)
    s.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14))
    s.start(0)
    s.confirm(30, s.due(30))
    s.confirm(40, s.report_symptoms(40, ["chills"]))  # mild: slow to 42 mL/h
    return s


def test_preview_draws_the_plan(chart, plan):
    chart.set_plan(plan)
    cv = chart.curves()
    assert set(cv) >= {"original_ml", "current_ml", "delivered_ml", "planned_rate_ml_h", "actual_rate_ml_h"}
    t, ml = cv["current_ml"]
    assert t == pytest.approx([0, 30, 60, 90, 120, 165.8333], abs=1e-3)
    assert ml == pytest.approx([0, 21, 63, 147, 315, 700])
    tr, rate = cv["planned_rate_ml_h"]
    assert rate.tolist() == [42, 84, 168, 336, 504] and len(tr) == 6
    assert len(cv["delivered_ml"][0]) == 0 and len(cv["actual_rate_ml_h"][1]) == 0
    # what pyqtgraph holds is what curves() reports
    x, y = chart.parts.c_current.getData()
    assert np.allclose(x, t) and np.allclose(y, ml)
    assert not chart.parts.now_line.isVisible()


def _spots(c, kind):
    """The spots of one kind on the events' scatter (vitals have their own)."""
    if kind == "vitals":
        return list(c.parts.vitals_spots.data)
    return [d for d in c.parts.event_spots.data if d["data"].kind == kind]


def test_session_after_a_reaction(chart, plan):
    s = mild_reaction(plan)
    chart.set_session(s, 85.0)
    cv = chart.curves()
    assert cv["original_ml"][1] == pytest.approx([0, 21, 63, 147, 315, 700])
    t, v = cv["current_ml"]
    assert t == pytest.approx([40, 70, 100, 130, 160, 201.6667], abs=1e-3)
    assert v == pytest.approx([35, 56, 98, 182, 350, 700])
    t, v = cv["delivered_ml"]
    assert t == pytest.approx([0, 30, 40, 85]) and v == pytest.approx([0, 21, 35, 66.5])
    assert cv["actual_rate_ml_h"][1].tolist() == [42, 84, 42]
    assert cv["planned_rate_ml_h"][1].tolist() == [42, 84, 168, 336, 504]
    assert chart.parts.now_line.value() == pytest.approx(85.0)
    kinds = [m.kind for m in chart.markers()]
    assert kinds == ["vitals", "start", "symptoms", "slow"]
    (sym,) = _spots(chart, "symptoms")
    assert sym["y"] == pytest.approx(35.0)  # on the delivered curve
    # the two events that changed the infusion are numbered on the plot and listed in words beside it
    assert chart.marker_layer.kinds().count("number") == 2
    assert chart.events.texts() == ["1   0:40   Symptoms: Chills", "2   0:40   Slowed to 42 mL/h"]


def test_a_tick_costs_the_same_and_a_new_event_appends(chart, plan):
    s = mild_reaction(plan)
    for k in range(40):  # a long record: a tick must not pay for it
        s.note(40.0 + k * 0.1, f"note {k}")
    feed = ChartFeed(s)
    chart.show_frame(feed.frame(45.0))
    before = dict(chart.stats)
    for i in range(200):
        chart.show_frame(feed.frame(45.0 + i * 0.05))
    assert chart.stats["full_redraws"] == before["full_redraws"]
    assert chart.stats["plan_redraws"] == before["plan_redraws"]
    assert chart.stats["set_data"] - before["set_data"] == 2 * 200  # the delivered tip and the pump rate
    assert len(chart.curves()["delivered_ml"][0]) == 4
    first = chart.parts.event_spots.data["data"][0]
    s.record_vitals(56.0, Vitals(36.9, 74, 122, 78, 98, 14))
    chart.show_frame(feed.frame(56.0))
    assert chart.stats["full_redraws"] == before["full_redraws"]  # appended, nothing drawn again
    assert chart.parts.event_spots.data["data"][0] is first
    assert chart.markers()[-1].kind == "vitals" and len(_spots(chart, "vitals")) == 2


def test_a_replan_redraws_only_the_planned_part(chart, plan):
    s = Session(plan)
    s.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14))
    s.start(0)
    s.confirm(30, s.due(30))
    feed = ChartFeed(s)
    chart.show_frame(feed.frame(35.0))
    before = dict(chart.stats)
    original = chart.parts.c_original.getData()
    s.confirm(40, s.report_symptoms(40, ["chills"]))  # a new plan from 42 mL/h
    chart.show_frame(feed.frame(40.5))
    assert chart.stats["plan_redraws"] == before["plan_redraws"] + 1
    assert chart.stats["full_redraws"] == before["full_redraws"]
    # the planned part (2 curves) and the two tips: nothing else is set again
    assert chart.stats["set_data"] - before["set_data"] == 4
    assert chart.parts.c_original.getData()[0] is original[0]
    assert chart.curves()["current_ml"][0][0] == pytest.approx(40.0)
    assert chart.step_labels.texts() == ["42", "84", "168", "336", "504"]


def test_override_continue_is_not_drawn_as_a_resume(chart, plan):
    s = mild_reaction(plan)
    s.resolved(50)
    p = s.due(70)
    s.override(70, p, "continue", 42.0, "watching closely")
    chart.set_session(s, 75.0)
    last = chart.events.texts()[-1]
    assert "Continued at 42 mL/h" in last and "Resumed" not in last


def test_stopped_infusion_has_no_current_plan(chart, plan):
    s = Session(plan)
    s.start(0)
    s.confirm(10, s.report_symptoms(10, ["wheeze"]))  # severe: stop
    chart.set_session(s, 20.0)
    cv = chart.curves()
    assert len(cv["current_ml"][0]) == 0 and len(cv["planned_rate_ml_h"][1]) == 0
    assert cv["delivered_ml"][1][-1] == pytest.approx(7.0)
    assert len(_spots(chart, "stop")) == 1


def test_curves_are_named_and_nurses_get_no_export_menu(chart):
    names = {c.name() for c in chart.parts.volume_plot.getPlotItem().listDataItems()}
    assert {"Original plan", "Current plan", "Delivered"} <= names
    names = {c.name() for c in chart.parts.rate_plot.getPlotItem().listDataItems()}
    assert {"Planned rate", "Pump rate (confirmed)"} <= names
    for pw in (chart.parts.volume_plot, chart.parts.rate_plot):
        assert not pw.getPlotItem().menuEnabled()
        assert not pw.getPlotItem().getViewBox().menuEnabled()
    # one shared time axis
    assert chart.parts.rp.getViewBox().linkedView(0) is chart.parts.vp.getViewBox()


def test_large_type_and_clock_time(chart, plan):
    chart.set_plan(plan)
    ax = chart.parts.rate_plot.getPlotItem().getAxis("bottom")
    assert ax.style["tickFont"].pointSize() >= 11
    chart.set_large(True)
    assert ax.style["tickFont"].pointSize() >= 14
    assert chart.parts.c_delivered.opts["pen"].widthF() > 4
    start = time.mktime((2026, 11, 21, 10, 0, 0, 0, 0, -1))
    chart.set_wall_start(start)
    top = chart.parts.volume_plot.getPlotItem().getAxis("top")
    assert isinstance(top, ClockAxis)
    assert top.tickStrings([0, 30, 90], 1, 30) == ["10:00", "10:30", "11:30"]
    chart.set_wall_start(None)
    assert top.tickStrings([0, 90], 1, 30) == ["0:00", "1:30"]


def test_the_bundled_font_is_registered(qtbot):
    from PySide6.QtGui import QFontDatabase

    from ui.common.fonts import register_fonts

    fam = register_fonts()
    assert fam == "DejaVu Sans"
    assert register_fonts() == fam  # idempotent
    assert fam in QFontDatabase.families()


def _shown_chart(qtbot, size, session_or_plan, now=None):
    c = InfusionChart()
    qtbot.addWidget(c)
    c.resize(*size)
    c.show()
    qtbot.waitExposed(c)
    if now is None:
        c.set_plan(session_or_plan)
    else:
        c.set_session(session_or_plan, now)
    qtbot.wait(10)  # the key's show/hide settles the layout
    return c


def _curve_points_in_scene(c, pw):
    """Every curve drawn in plot `pw`, sampled densely (segments too, not only vertices), in its scene."""
    keys = (("original_ml", "current_ml", "delivered_ml") if pw is c.parts.volume_plot
            else ("original_rate_ml_h", "planned_rate_ml_h", "actual_rate_ml_h"))
    vb = pw.getPlotItem().getViewBox()
    out = []
    for k in keys:
        x, y = c.curves()[k]
        if len(x) < 2:
            continue
        if len(y) == len(x) - 1:  # steps: edges and rates
            x, y = np.repeat(x, 2)[1:-1], np.repeat(y, 2)
        d = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x) / np.ptp(x), np.diff(y) / max(np.ptp(y), 1)))])
        u = np.linspace(0, d[-1], 400)
        for xi, yi in zip(np.interp(u, d, x), np.interp(u, d, y)):
            out.append(vb.mapViewToScene(QPointF(xi, yi)))
    assert out
    return out


@pytest.mark.parametrize("size", [(420, 560), (1200, 800), (900, 620)])
def test_no_legend_covers_a_curve_or_the_now_label(qtbot, plan, size):
    c = _shown_chart(qtbot, size, mild_reaction(plan), 50.0)
    now_label = c.parts.now_line.label.sceneBoundingRect()
    shown = 0
    for pw, lg in ((c.parts.volume_plot, c.parts.legend_v), (c.parts.rate_plot, c.parts.legend_r)):
        if not (lg.isVisible() and lg.items):
            continue
        shown += 1
        r = lg.sceneBoundingRect()
        assert not any(r.contains(p) for p in _curve_points_in_scene(c, pw))
        if pw is c.parts.volume_plot:
            assert not r.intersects(now_label)
    # a short rate plot (the list of events under it) gives its legend up: the volume legend tells the styles apart
    assert shown == (0 if size[0] < 500 else 2 if size[0] >= 1000 else 1)


@pytest.mark.parametrize("narrow", [(420, 560), (300, 400)])
def test_a_narrow_chart_shows_a_compact_key_and_little_headroom(qtbot, plan, narrow):
    c = _shown_chart(qtbot, narrow, mild_reaction(plan), 50.0)
    assert c.parts.key.isVisible() and not c.parts.legend_v.isVisible() and not c.parts.legend_r.isVisible()
    key = c.parts.key.text()
    for name in ("Original plan", "Current plan", "Delivered", "Vitals", "Prescribed 700 mL"):
        assert name.replace(" ", "&nbsp;") in key
    assert c.parts.key.geometry().bottom() <= c.parts.volume_plot.geometry().top()  # above the plots, not on them
    lo, hi = c.parts.volume_plot.getPlotItem().getViewBox().viewRange()[1]
    assert hi < 1.35 * 700.0  # was ~1650 mL with the tall in-plot legend
    assert (hi - 700.0) / (hi - lo) < 0.25
    # the 'now' label stays inside the plot, under the prescribed-volume line
    vb = c.parts.volume_plot.getPlotItem().getViewBox()
    label = c.parts.now_line.label.sceneBoundingRect()
    assert vb.sceneBoundingRect().contains(label)
    assert label.top() > vb.mapViewToScene(QPointF(0.0, 700.0)).y()
    # widening brings the in-plot legends back, narrowing again the key
    c.resize(1200, 800)
    qtbot.wait(10)
    assert not c.parts.key.isVisible() and c.parts.legend_v.isVisible()
    c.resize(*narrow)
    qtbot.wait(10)
    assert c.parts.key.isVisible() and not c.parts.legend_v.isVisible()


def test_the_wide_legend_fits_above_the_data(qtbot, plan):
    c = _shown_chart(qtbot, (1200, 800), mild_reaction(plan), 50.0)
    assert not c.parts.key.isVisible()
    vb = c.parts.volume_plot.getPlotItem().getViewBox()
    lo, hi = vb.viewRange()[1]
    legend = c.parts.legend_v.boundingRect()
    assert c.parts.legend_v.isVisible() and c.parts.legend_r.isVisible()
    assert legend.width() <= vb.width()
    band_px = (hi - 700.0) / (hi - lo) * vb.height()  # room above the prescribed volume
    assert band_px >= legend.height()
    assert -(-5 // c.parts.legend_v.columnCount) <= 2  # at most two rows (the list of events takes the right)
    names = [label.text for _, label in c.parts.legend_v.items]
    assert names == ["Original plan", "Current plan", "Delivered", "Vitals", "Prescribed 700 mL"]


def test_a_note_does_not_redraw_and_legends_rebuild_only_when_their_list_changes(qtbot, plan):
    s = Session(plan)
    s.start(0)
    s.confirm(30, s.due(30))
    c = _shown_chart(qtbot, (420, 560), s, 35.0)
    feed = ChartFeed(s)
    c.show_frame(feed.frame(35.0))
    redraws, rebuilds = c.stats["full_redraws"], c.stats["legend_rebuilds"]
    assert "Vitals" not in c.parts.key.text()
    s.note(36.0, "patient asleep")
    c.show_frame(feed.frame(36.5))
    assert c.stats["full_redraws"] == redraws and c.stats["legend_rebuilds"] == rebuilds
    assert c.markers()[-1].kind == "note" and c.markers()[-1].label == "Note: patient asleep"
    assert c.events.texts() == []  # a note is in the event log, not on the chart
    s.record_vitals(40.0, Vitals(36.8, 72, 124, 78, 98, 14))  # the first vitals: a new legend entry
    c.show_frame(feed.frame(40.5))
    assert c.stats["legend_rebuilds"] == rebuilds + 1
    assert "Vitals" in c.parts.key.text()
    s.record_vitals(45.0, Vitals(36.9, 74, 122, 78, 98, 14))  # another: a new marker, the same legend
    c.show_frame(feed.frame(45.5))
    assert c.stats["legend_rebuilds"] == rebuilds + 1
    assert len(_spots(c, "vitals")) == 2
    s.note(46.0, "tea")
    s.confirm(60, s.due(60))  # a note and a rate change together
    c.show_frame(feed.frame(60.5))
    assert c.stats["full_redraws"] == redraws  # never drawn from scratch: appended
    assert c.curves()["actual_rate_ml_h"][1].tolist() == [42, 84, 168]
    sizes = c.parts.vitals_spots.data["size"].tolist()
    c.set_large(True)  # unchanged markers are not set again, but a new style is
    assert sizes == [9, 9] and c.parts.vitals_spots.data["size"].tolist() == [12, 12]
    assert "font-size:14pt" in c.parts.key.text()


def _eventful(plan) -> Session:
    """Three moments that change the infusion, the later two in the right half of a narrow chart."""
    s = mild_reaction(plan)
    s.resolved(50)
    s.confirm(70, s.due(70))  # back up after the review
    s.confirm(84, s.report_symptoms(84, ["rigors"]))
    return s


@pytest.mark.parametrize("size", [(420, 560), (1200, 800)])
def test_events_are_numbered_and_listed_never_boxed_over_a_curve(qtbot, plan, size):
    c = _shown_chart(qtbot, size, _eventful(plan), 100.0)
    texts = c.events.texts()
    assert [t.split()[0] for t in texts] == [str(i) for i in range(1, len(texts) + 1)]
    assert any("Stepped up" in t for t in texts) and texts[-1].endswith("Paused")
    assert c.marker_layer.kinds().count("number") == len(texts)
    # no text item in the volume plot but the 'now' label: nothing can hide a curve
    items = [it for it in c.parts.vp.getViewBox().addedItems if isinstance(it, pg.TextItem)]
    assert items == []
    # the list stands beside the plots when wide, under them when narrow, and never on them
    lst, plot = c.events.geometry(), c.parts.volume_plot.geometry()
    assert c.events.isVisible() and not lst.intersects(plot)
    assert (lst.left() >= plot.right()) if size[0] >= 1000 else (lst.top() >= c.parts.rate_plot.geometry().bottom())


def test_two_events_at_one_moment_stack_their_numbers(qtbot, plan):
    s = mild_reaction(plan)  # the symptoms and the slow-down at minute 40
    c = _shown_chart(qtbot, (900, 600), s, 50.0)
    numbers = [d for d in c.parts.event_spots.data if d["data"].kind == "number"]
    assert len(numbers) == 2
    (a, b) = ((d["symbol"].boundingRect(), d["size"]) for d in numbers)
    assert b[0].bottom() * b[1] <= a[0].top() * a[1] + 1e-6  # the second stands above the first (in pixels)
    for r, _ in (a, b):  # inside the square pyqtgraph draws a symbol in (what lies outside it is clipped)
        assert -0.5 <= r.left() and r.right() <= 0.5 and -0.5 <= r.top() and r.bottom() <= 0.5


def test_ticks_are_round(qtbot):
    from ui.chart.style import MinutesAxis, VolumeAxis, minute_spacing, one_two_five

    assert [minute_spacing(span, 8)[0] for span in (60, 200, 400, 900)] == [15, 30, 60, 120]
    assert [one_two_five(span, 6) for span in (29.7, 98.66, 700, 1650)] == [5, 20, 200, 500]
    ax = VolumeAxis("left")
    (major, big), _ = ax.tickValues(-12.0, 743.0, 300)
    assert all(v % major == 0 for v in big) and major in (100, 200, 250, 500) or major in (50,)
    mx = MinutesAxis("bottom")
    mx.origin = 3.25  # the pump started at session minute 3.25: ticks count from it
    (major, big), _ = mx.tickValues(0.0, 200.0, 600)
    assert major in (15, 30, 60) and [round(v - 3.25) % major for v in big] == [0] * len(big)
    assert mx.tickStrings(big[:2], 1, major) == ["0", str(int(major))]
    clock = ClockAxis("top")
    clock.wall_start = time.mktime((2026, 11, 21, 10, 7, 0, 0, 0, -1))  # started 10:07
    (major, big), _ = clock.tickValues(0.0, 200.0, 600)
    assert all(t.endswith(("00", "15", "30", "45")) for t in clock.tickStrings(big, 1, major))
