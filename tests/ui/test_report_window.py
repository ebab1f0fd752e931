"""View > Quality report: the report worked out off the GUI thread, its answers shown, and saved as
a PDF (charts drawn onto the page) and as HTML; the PDF renders to a page a person can read."""
import shutil
import subprocess
from datetime import date

import pytest
from PySide6.QtCore import QDate

from tests.test_unit_report import journal_one
from titration.store.journal import Journal


@pytest.fixture
def report_window(qtbot, tmp_path):
    from ui.window.quality_report import ReportWindow

    db = str(tmp_path / "unit.sqlite3")
    journal_one(db, tmp_path)
    j = Journal(db)
    w = ReportWindow(j)
    qtbot.addWidget(w)
    w.first.setDate(QDate(2027, 3, 1))
    w.last.setDate(QDate(2027, 3, 2))
    yield w
    j.close()


def test_the_window_shows_the_answers_and_saves_pdf_and_html(qtbot, report_window, tmp_path):
    w = report_window
    assert not w.save_pdf.isEnabled()
    w.make_button.click()
    qtbot.waitUntil(lambda: w.report is not None, timeout=20_000)
    text = w.view.toPlainText()
    assert "50.0" in text and "25.0 % reached the maximum rate on plan" in text
    assert w.period() == (date(2027, 3, 1), date(2027, 3, 2)) and w.save_pdf.isEnabled()
    pdf = w.write(str(tmp_path / "report.pdf"), ".pdf")
    html = w.write(str(tmp_path / "report.html"), ".html")
    assert open(pdf, "rb").read(5) == b"%PDF-" and "<svg" in open(html).read()
    assert (tmp_path / "report.pdf").stat().st_mode & 0o777 == 0o600
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", pdf, str(tmp_path / "page")],
                       check=True, timeout=60)
        assert (tmp_path / "page-1.png").stat().st_size > 10_000  # a page with tiles and charts on it


def test_a_period_that_ends_before_it_begins_is_refused_in_words(qtbot, report_window):
    w = report_window
    w.last.setDate(QDate(2027, 2, 1))
    w.make_button.click()
    assert w.status.text().startswith("To: 2027-02-01 is before From (2027-03-01)") and w.report is None
