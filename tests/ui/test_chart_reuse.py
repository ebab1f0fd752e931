"""What the chart keeps between frames so that a replan costs little: the mL/h labels (a hidden one
keeps its text for a later plan), the pens and brushes of the event symbols (shared, so each symbol
is rendered once) and the 'now' label (laid out by the move of its line). None may ever show
something stale."""
import numpy as np
import pyqtgraph as pg
import pytest

from titration.report.chartdata import Marker
from titration.session import Session
from titration.vitals import Vitals
from ui.chart.feed import ChartFeed


def labels_in_view(c) -> list[tuple[str, float, float]]:
    """What the rate plot shows, left to right: each visible label's text and place."""
    shown = [ti for ti in c.step_labels.items if ti.isVisible()]
    return sorted(((ti.toPlainText(), ti.pos().x(), ti.pos().y()) for ti in shown), key=lambda e: e[1])


def show_steps(c, edges, rates) -> None:
    c.step_labels.show(np.array(edges, float), np.array(rates, float), float(edges[-1]) if edges else 0.0, c.look)


def test_labels_follow_each_plan_and_only_a_new_rate_is_written(chart, monkeypatch):
    written = []
    set_text = pg.TextItem.setText
    monkeypatch.setattr(pg.TextItem, "setText", lambda ti, text, *a: (written.append(text), set_text(ti, text, *a)))
    show_steps(chart, [0, 30, 60, 90], [42, 84, 168])
    assert labels_in_view(chart) == [("42", 15, 42), ("84", 45, 84), ("168", 75, 168)]
    assert written == ["42", "84", "168"]
    show_steps(chart, [0, 30, 60, 90, 120], [84, 42, 168, 336])  # the same rates on other steps, and one new
    assert labels_in_view(chart) == [("84", 15, 84), ("42", 45, 42), ("168", 75, 168), ("336", 105, 336)]
    assert chart.step_labels.texts() == ["84", "42", "168", "336"]  # in the order of the steps
    assert written[3:] == ["336"]
    show_steps(chart, [0, 50, 200], [0, 42])  # a pause, then one step: the rest hide
    assert labels_in_view(chart) == [("42", 125, 42)]
    show_steps(chart, [0, 30, 60, 90], [42, 84, 168])  # back: the kept texts, shown again where they belong
    assert labels_in_view(chart) == [("42", 15, 42), ("84", 45, 84), ("168", 75, 168)]
    assert written[4:] == []
    show_steps(chart, [0, 30, 60, 90], [42, 42, 60])  # one rate on two steps: two labels
    assert labels_in_view(chart) == [("42", 15, 42), ("42", 45, 42), ("60", 75, 60)]


def test_labels_kept_are_few_and_still_right_after_many_rates(chart):
    for k in range(60):
        rates = [10 + k, 200 + 3 * k, 500 - k]
        show_steps(chart, [0, 40, 80, 120], rates)
        assert labels_in_view(chart) == [(f"{r:g}", x, r) for r, x in zip(rates, (20, 60, 100))]
    assert len(chart.step_labels.items) <= chart.step_labels.KEPT
    show_steps(chart, [], [])
    assert labels_in_view(chart) == [] and chart.step_labels.texts() == []


def test_a_replan_shows_its_new_rate_and_a_new_session_its_own(chart, plan):
    s = Session(plan)
    s.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14))
    s.start(0)
    s.confirm(30, s.due(30))
    feed = ChartFeed(s)
    chart.show_frame(feed.frame(31.0))
    assert [t for t, _, _ in labels_in_view(chart)] == ["84", "168", "336", "504"]
    s.confirm(40, s.report_symptoms(40, ["rigors"]))  # moderate: paused, then 42 mL/h to the end
    chart.show_frame(feed.frame(41.0))
    tr, _ = chart.curves()["planned_rate_ml_h"]
    assert labels_in_view(chart) == [("42", pytest.approx((70.0 + tr[-1]) / 2), 42)]
    chart.show_frame(ChartFeed(Session(plan)).frame(0.0))  # another session in the same chart
    assert [(t, x) for t, x, _ in labels_in_view(chart)] == [
        ("42", 15), ("84", 45), ("168", 75), ("336", 105), ("504", pytest.approx(142.9167, abs=1e-3))]


def symptoms(at_min: float) -> tuple[Marker, float]:
    return Marker(at_min, "symptoms", "Symptoms: Chills", "mild"), 20.0


def test_a_symbol_already_drawn_is_not_rendered_again(chart, plan):
    chart.show_frame(ChartFeed(Session(plan)).frame(0.0))
    atlas = chart.parts.event_spots.fragmentAtlas
    layer = chart.marker_layer
    layer.append([symptoms(10.0)], chart.look)
    before = len(atlas)
    layer.append([symptoms(50.0)], chart.look)  # the same symbol; a new number (2)
    assert len(atlas) == before + 1
    layer.append([symptoms(50.5)], chart.look)  # close to the last: its number (3) goes above it
    assert len(atlas) == before + 2
    numbers = [d for d in chart.parts.event_spots.data if d["data"].kind == "number"]
    assert [str(d["data"]).split(":")[0] for d in numbers] == ["1", "2", "3"]
    (_, two, three) = (d["symbol"].boundingRect().center().y() * d["size"] for d in numbers)
    assert three < two  # higher on the screen (y grows downwards in a symbol)
    sym = [d for d in chart.parts.event_spots.data if d["data"].kind == "symptoms"]
    assert len({id(d["pen"]) for d in sym}) == len({id(d["brush"]) for d in sym}) == 1
    chart.show_frame(ChartFeed(Session(plan)).frame(0.0))  # a new session, the same events: numbered from 1 again
    for at in (10.0, 50.0, 50.5):
        layer.append([symptoms(at)], chart.look)
    assert len(atlas) == before + 2  # every symbol already rendered
    again = [d for d in chart.parts.event_spots.data if d["data"].kind == "number"]
    assert [str(d["data"]).split(":")[0] for d in again] == ["1", "2", "3"]
    assert [d["symbol"] for d in again] == [d["symbol"] for d in numbers]  # the same places, stacked alike


def test_the_now_label_shows_the_minute_whatever_moved(chart, plan):
    s = Session(plan)
    s.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14))
    s.start(0)
    feed = ChartFeed(s)
    label = chart.parts.now_line.label
    chart.show_frame(feed.frame(45.0))
    assert label.toPlainText() == "now 0:45"
    chart.show_frame(feed.frame(45.2))  # the same minute
    assert label.toPlainText() == "now 0:45" and chart.parts.now_line.value() == 45.2
    chart.show_frame(feed.frame(46.0))
    assert label.toPlainText() == "now 0:46"
    chart.set_show_now(False)  # hidden while 'now' moves on
    chart.show_frame(feed.frame(50.0))
    chart.set_show_now(True)
    chart.show_frame(feed.frame(50.0))  # shown again, 'now' where it was
    assert label.isVisible() and label.toPlainText() == "now 0:50"
