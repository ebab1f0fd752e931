"""What the chart keeps between frames so that a replan costs little: the pens and brushes of the
event symbols (shared, so each symbol is rendered once) and the 'now' label (laid out by the move of
its line). None may ever show something stale."""
import pytest

from titration.plan import PlanRequest, build_plan
from titration.reactions import Vitals
from titration.report.chartdata import Marker
from titration.session import Session
from ui.chart.feed import ChartFeed
from ui.chart.infusion_chart import InfusionChart


@pytest.fixture(scope="module")
def plan():
    return build_plan(PlanRequest("octagam-10", "itp", 70.0, 1.0))


@pytest.fixture
def chart(qtbot):
    c = InfusionChart()
    qtbot.addWidget(c)
    c.resize(1000, 700)
    c.show()
    qtbot.waitExposed(c)
    return c


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
