"""The chair screen speaks to a screen reader: every control of a whole infusion has the accessible
name the accessibility contract gives it (and a description), and the chart has a text alternative
(a summary line and the plan as a table) with the numbers the chart draws."""
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QWidget

from tests.ui.conftest import new_chair

FIELDS = ("Temperature", "Pulse", "Systolic BP", "Diastolic BP", "SpO2", "Respiratory rate", "On oxygen")


def named(view) -> dict[str, QWidget]:
    """The chair view's shown widgets by the name a screen reader reads (through QAccessible)."""
    for _ in range(3):
        QApplication.processEvents()
    out = {}
    for w in [view, *view.findChildren(QWidget)]:
        if not w.isVisibleTo(view) or not w.accessibleName():
            continue
        iface = QAccessible.queryAccessibleInterface(w)
        name = iface.text(QAccessible.Text.Name) if iface is not None else w.accessibleName()
        out[name] = w
    return out


def expect(view, *names):
    shown = named(view)
    missing = [n for n in names if n not in shown]
    assert missing == []
    undescribed = [n for n in names if not shown[n].accessibleDescription()]
    assert undescribed == []


def test_a_whole_infusion_by_accessible_name(qtbot, window, clock):
    view = new_chair(window, qtbot)
    expect(view, "Start the infusion", "Pump rate now", "Next action", "Chart summary")
    # the plan as a table is the page beside the event log: its tab says "Planned steps" (found by that
    # name too), and the table itself has the name once its page is shown
    assert view.tabs.tabText(view.tabs.indexOf(view.steps)) == "Planned steps"
    view.tabs.setCurrentWidget(view.steps)
    expect(view, "Planned steps")
    view.tabs.setCurrentWidget(view.log)
    # the plan as a table, worked by hand from the label (70 kg, 1 g/kg of a 10% product: 700 mL in five
    # 30-minute steps of 0.5, 1, 2, 4 and 6 mg/kg/min = 21, 42 ... mL/h doubled from 42)
    assert view.steps.rows() == [("1", "0:00", "0:30", "42", "21"), ("2", "0:30", "1:00", "84", "63"),
                                 ("3", "1:00", "1:30", "168", "147"), ("4", "1:30", "2:00", "336", "315"),
                                 ("5", "2:00", "2:46", "504", "700")]  # 385 mL at 504 mL/h: 45.8 min
    assert view.chart_summary.text() == "Chart: the plan, 700 mL in 5 steps, the first at 42 mL/h; not started"
    window.confirm()
    clock.set(20)
    window.model.tick()
    expect(view, "Confirm the proposal", "Override the proposal", "Pause the infusion", "Stop the infusion",
           "Record vitals", *FIELDS, "Report symptoms", "Chills", "Urticaria (hives)", "Symptoms resolved")
    assert view.chart_summary.text() == "Chart: pump 42 mL/h; 14.0 of 700.0 mL in; next: " \
        + view.chair.state.next_step.words
    assert view.chart_summary.text().startswith("Chart: pump 42 mL/h; 14.0 of 700.0 mL in; next: step 2: 84 mL/h")
    view.chair.pause("patient to the toilet")
    expect(view, "Resume the infusion")
    view.chair.resume()
    clock.set(25)
    window.model.tick()
    view.symptoms.boxes["wheeze"].setChecked(True)
    view.symptoms.report_button.click()
    expect(view, "Emergency steps")
    assert "background: #C00000" in view.pump.confirm_button.styleSheet()  # a STOP is confirmed in red
    assert view.pump.confirm_button.accessibleDescription().startswith("STOP")
    window.confirm()
    assert view.steps.rows() == []  # stopped: no plan left to run
    clock.set(90)
    window.model.tick()
    expect(view, "Close the observation")
