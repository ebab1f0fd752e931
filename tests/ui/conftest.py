"""GUI fixtures: offscreen Qt, the bundled font, UTC clock times, a manual clock, a window, a journal.

No test waits on real time: the clock is a ManualClock the test moves, and the model is ticked
by hand (`model.tick()`), never by its QTimer.
"""
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pytest

from titration.clock import ManualClock

WALL0 = 1795248000.0  # 2026-11-21 08:00:00 UTC: t = 0 shows as 08:00


@pytest.fixture(autouse=True)
def _utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    time.tzset()


@pytest.fixture
def clock():
    return ManualClock()


class Beeper:
    def __init__(self):
        self.count = 0

    def __call__(self):
        self.count += 1


@pytest.fixture
def beeper():
    return Beeper()


@pytest.fixture
def journal(tmp_path):
    from titration.store.journal import Journal

    j = Journal(tmp_path / "gui-journal.sqlite3")
    yield j
    j.close()


@pytest.fixture
def window(qtbot, clock, beeper, journal):
    from ui.common.fonts import register_fonts
    from ui.window.app_model import AppModel
    from ui.window.main_window import MainWindow

    register_fonts()
    model = AppModel(journal, clock_factory=lambda **kw: clock, wall=lambda: WALL0, autostart=False)
    w = MainWindow(model, beep=beeper)
    w.force_close = True  # closing at teardown must not ask about running infusions
    qtbot.addWidget(w)
    w.resize(1440, 900)
    w.show()
    qtbot.waitExposed(w)
    yield w
    model.timer.stop()


def answer_checklist(form, *, prior=0, iga=0, brand=0, hydrated=True, pregnant=0, breastfeeding=0, vaccine=0,
                     infection=0):
    c = form.checklist
    for yn, v in ((c.prior_reaction, prior), (c.iga, iga), (c.pregnant, pregnant), (c.breastfeeding, breastfeeding),
                  (c.vaccine, vaccine), (c.infection, infection), (c.brand, brand)):
        if v is not None:
            yn.buttons[v].click()
    c.hydrated.setChecked(hydrated)


def fill_patient(form, qtbot, *, weight="70", dose="1", product="octagam-10", indication="itp", pid="P-123",
                 baseline=True, age=None):
    form.prescription.product.setCurrentIndex(form.prescription.product.findData(product))
    form.prescription.indication.setCurrentIndex(form.prescription.indication.findData(indication))
    form.patient.patient_id.setText(pid)
    form.patient.weight.clear()
    qtbot.keyClicks(form.patient.weight, weight)
    if age is None and float(weight) < 40:
        age = "16"  # under 40 kg the form asks for the age; 16: the baseline below is normal for it
    if age is not None:
        form.patient.age_years.setText(age)
    form.prescription.dose.clear()
    qtbot.keyClicks(form.prescription.dose, dose)
    if baseline:  # normal for the age: an adult's breathing rate of 14 grades moderate at 4, and holds the start
        young = age not in (None, "") and float(age) < 12
        normal = dict(temp_c="36.8", pulse="100", sbp="100", dbp="60", spo2="98", rr="24") if young else \
            dict(temp_c="36.8", pulse="72", sbp="124", dbp="78", spo2="98", rr="14")
        for k, v in normal.items():
            form.baseline.fields[k].setText(v)
    form.update_preview()


def new_chair(window, qtbot):
    """The usual patient through the New-infusion form, created: the chair's view (not started)."""
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot)
    answer_checklist(f)
    assert f.create_infusion()
    return window.current_view()


@pytest.fixture(scope="module")
def plan():
    """A standard plan: Octagam 10%, ITP, 70 kg, 1 g/kg."""
    from titration.plan import PlanRequest, build_plan

    return build_plan(PlanRequest("octagam-10", "itp", 70.0, 1.0))


@pytest.fixture
def chart(qtbot):
    """The infusion chart, shown at 1000x700."""
    from ui.chart.infusion_chart import InfusionChart

    c = InfusionChart()
    qtbot.addWidget(c)
    c.resize(1000, 700)
    c.show()
    qtbot.waitExposed(c)
    return c
