"""Exported files, checked as files: PDF (renders with pdftoppm where present), PNG size, SVG parses,
CSV round-trips with the plan's numbers, a de-identified record holds no patient identifier."""
import csv
import re
import shutil
import string
import subprocess
import time
import unicodedata
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QImage

from titration.errors import InputError
from titration.plan import PlanRequest, build_plan
from titration.report.table import rows
from titration.session import Session
from titration.timefmt import span_hm
from titration.vitals import Vitals
from ui.exports.plan_export import export_plan_file
from ui.exports.record import export_record_file
from ui.exports.render import CHART_SIZE

PDFTOPPM = shutil.which("pdftoppm")
PDFTOTEXT = shutil.which("pdftotext")
PATIENT = {"id": "MRN-884422", "name": "Jane Example"}


@pytest.fixture
def app(qtbot):
    """pytest-qt's QApplication (never our own, peers-and-pitfalls C.3)."""
    return qtbot


def pdf_text(path) -> str:
    out = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFKC", out)  # the font's ligatures: "ﬁ" -> "fi"


def pdf_pages(path) -> int:
    return pdf_text(path).count("\f")


def render_pdf(path, tmp_path) -> list:
    subprocess.run([PDFTOPPM, "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True, timeout=60)
    return sorted(tmp_path.glob("page*.png"))


def a_finished_infusion(plan) -> Session:
    s = Session(plan)
    s.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14))
    s.start(0)
    s.confirm(30, s.due(30))
    s.confirm(40, s.report_symptoms(40, ["chills"]))  # mild: slow to 42 mL/h
    s.record_vitals(55, Vitals(37.2, 80, 118, 74, 97, 16))
    s.resolved(62)
    s.note(63, f"patient {PATIENT['id']} feels better")  # free text a nurse typed
    t = 70.0
    while s.status == "running" and t < 400:
        p = s.due(t)
        if p is not None:
            s.confirm(t, p)
        t += 1.0
    assert s.status == "completed"
    return s


# ---------------------------------------------------------------- the plan
def test_plan_pdf_a4(app, plan, tmp_path):
    out = tmp_path / "plan.pdf"
    export_plan_file(plan, out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert re.search(rb"/MediaBox \[0 0 595(\.0+)? 842", data)  # A4 is 595 x 842 pt
    if PDFTOTEXT:
        text = pdf_text(out)
        for expected in ("IVIg rate plan", "Octagam 10%", "Patient weight: 70 kg", "immune thrombocytopenia",
                         "Decision support only", "Generated", "504.0", "700.0", "octagamusa.com",
                         "12 mg/kg/min x 70 x 60 / 100 = 504.00 -> 504 mL/h"):
            assert expected in text, expected
    if PDFTOPPM:
        pages = render_pdf(out, tmp_path)
        assert pages and QImage(str(pages[0])).width() > 200


def test_plan_pdf_letter(app, plan, tmp_path):
    out = tmp_path / "plan.pdf"
    export_plan_file(plan, out, page="letter")
    assert re.search(rb"/MediaBox \[0 0 612(\.0+)? 792(\.0+)?\]", out.read_bytes())  # Letter
    with pytest.raises(InputError):
        export_plan_file(plan, tmp_path / "x.pdf", page="legal")


def test_a_local_protocol_is_flagged(app, tmp_path):
    plan = build_plan(PlanRequest("privigen", "pi", 70.0, 0.4))
    assert plan.protocol_kind == "local"
    out = tmp_path / "local.pdf"
    export_plan_file(plan, out)
    if not PDFTOTEXT:
        pytest.skip("pdftotext not installed")
    text = pdf_text(out)
    assert "LOCAL protocol" in text and "LOCAL PROTOCOL" in text


def test_plan_png_has_the_chart_size(app, plan, tmp_path):
    out = tmp_path / "plan.png"
    export_plan_file(plan, out)
    img = QImage(str(out))
    assert (img.width(), img.height()) == CHART_SIZE == (1200, 800)
    # not blank: the planned-rate blue is on it
    colours = {img.pixelColor(x, y).name() for x in range(0, 1200, 7) for y in range(0, 800, 7)}
    assert "#0072b2" in colours


def test_plan_svg_is_valid_vector_xml(app, plan, tmp_path):
    out = tmp_path / "plan.svg"
    export_plan_file(plan, out)
    root = ET.parse(out).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == ns + "svg"
    assert root.get("viewBox") == "0 0 1200 800"
    assert not root.findall(f".//{ns}image")  # vector, not a bitmap inside an SVG
    assert len(root.findall(f".//{ns}polyline")) + len(root.findall(f".//{ns}path")) > 10
    texts = " ".join(t.text or "" for t in root.iter(ns + "text"))
    assert "504" in texts and "Rate (mL/h)" in texts


def test_plan_csv_round_trips(app, plan, tmp_path):
    out = tmp_path / "plan.csv"
    export_plan_file(plan, out)
    with open(out, newline="", encoding="utf-8") as fh:
        got = list(csv.DictReader(fh))
    want = rows(plan)
    assert [float(r["rate_ml_h"]) for r in got] == [42, 84, 168, 336, 504]
    assert [float(r["cumulative_ml"]) for r in got] == pytest.approx([21, 63, 147, 315, 700])
    assert float(got[-1]["end_min"]) == pytest.approx(want[-1]["end_min"], abs=1e-4)
    assert got[-1]["until_volume_complete"] == "True"


def test_bad_export_names_fail_in_one_line(app, plan, tmp_path):
    with pytest.raises(InputError, match="pdf, .png, .svg or .csv"):
        export_plan_file(plan, tmp_path / "plan.docx")
    with pytest.raises(InputError, match="existing folder"):
        export_plan_file(plan, tmp_path / "missing" / "plan.pdf")


# ---------------------------------------------------------------- the infusion record
def test_record_pdf(app, plan, tmp_path):
    s = a_finished_infusion(plan)
    out = tmp_path / "record.pdf"
    export_record_file(s, out, patient=PATIENT)
    assert out.read_bytes().startswith(b"%PDF")
    if PDFTOTEXT:
        text = pdf_text(out)
        for expected in ("IVIg infusion record", "Jane Example", PATIENT["id"], "Delivered: 700.0 mL",
                         "Chills", "Slowed to 42 mL/h", "Vital signs", "Second check", "Signature", "Date",
                         "Events"):
            assert expected in text, expected
    if PDFTOPPM:
        assert render_pdf(out, tmp_path)


# Identifiers seeded into a record, in several spellings: none may survive de-identification.
SEEDED = {
    "identifier": ["MRN-884422", "mrn884422", "M R N 884 422", "884422", "884-422"],
    "name": ["Jane Example", "JANE EXAMPLE", "Example, Jane", "J. Example"],
    "dob": ["DOB 01/02/1960", "born 1 February 1960", "1960-02-01"],
    "nhs": ["NHS 943 476 5919", "9434765919"],
    "phone": ["01632 960983", "+44 1632 960983"],
    "address": ["12 Acacia Avenue", "SW1A 1AA"],
}
FORBIDDEN = ["884422", "8844", "example", "jane", "1960", "9434765919", "4765919", "1632960983", "acacia",
             "sw1a", "1aa"]


def squash(text: str) -> str:
    """Lower case, letters and digits only: '884 422' and '884-422' both read 884422."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def a_record_seeded_with_identifiers(plan) -> Session:
    s = Session(plan)
    every = "; ".join(x for xs in SEEDED.values() for x in xs)
    s.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14), who="Sister Jane Example")
    s.start(0, who="nurse")
    s.note(5, f"pt {every}")
    s.confirm(30, s.due(30))
    s.pause(32, reason="Jane Example (MRN 884 422) to the toilet")
    s.resume(34)
    s.report_symptoms(40, ["chills"])
    p = s.due(40)
    s.override(40, p, "slow", p.rate_ml_h, f"agreed with Dr Smith for {SEEDED['identifier'][0]}, call 01632 960983")
    s.note(50, "M.R.N. 8-8-4-4-2-2 / jane.example@example.org")
    s.stop(60, reason=f"stopped: patient {SEEDED['identifier'][1]} asked")
    s.close_observation(60 + 61, who="Sister Jane Example")
    return s


def test_deidentified_record_holds_no_identifier(app, plan, tmp_path, monkeypatch):
    monkeypatch.setattr(time, "time", lambda: 1795248000.0)  # whatever 'now' is, it must not show
    s = a_record_seeded_with_identifiers(plan)
    pdf, table = tmp_path / "teach.pdf", tmp_path / "teach.csv"
    start = 1795248000.0  # a wall-clock start: 2026-11-21 08:00 UTC
    export_record_file(s, pdf, patient=PATIENT, deidentified=True, wall_start=start)
    export_record_file(s, table, patient=PATIENT, deidentified=True, wall_start=start)
    texts = {"csv": table.read_text(encoding="utf-8")}
    if PDFTOTEXT:
        texts["pdf"] = pdf_text(pdf)
    for kind, text in texts.items():
        flat = squash(text)
        for bad in FORBIDDEN:
            assert bad not in flat, (kind, bad)
        assert "[note removed]" in text and "[reason removed]" in text, kind
        assert not re.search(r"20\d\d-\d\d-\d\d|\b08:\d\d\b|2026", text), kind  # no wall-clock date or time
        assert "day 0, +0:40" in text, kind  # elapsed from the start
        assert "Sister" not in text and "Smith" not in text, kind
    if PDFTOTEXT:
        assert "DE-IDENTIFIED" in texts["pdf"] and "de-identified" in texts["pdf"]
        assert b"2026" not in pdf.read_bytes()  # nor in the file's metadata
    # the same record, identified, keeps what the nurse wrote
    named = tmp_path / "named.csv"
    export_record_file(s, named, patient=PATIENT)
    assert "Jane Example (MRN 884 422)" in named.read_text(encoding="utf-8")


@pytest.mark.parametrize("text", [x for xs in SEEDED.values() for x in xs])
def test_the_scrubber_removes_each_spelling(text):
    from titration.report.deidentify import Scrubber

    out = squash(Scrubber(PATIENT)(f"before {text} after"))
    assert out.startswith("before") and out.endswith("after")
    assert not any(bad in out for bad in FORBIDDEN), out


@pytest.mark.parametrize("text", ["Slowed to 42 mL/h", "Delivered: 700.0 mL of 700.0 mL prescribed (70.0 g of 70 g)",
                                  "Vitals: T 36.8 °C, P 72/min, BP 124/78, SpO2 98%, RR 14/min — grade none",
                                  "12 mg/kg/min x 70 x 60 / 100 = 504.00 -> 504 mL/h", "day 0, +1:30"])
def test_the_scrubber_leaves_clinical_text_alone(text):
    from titration.report.deidentify import Scrubber

    assert Scrubber(PATIENT)(text) == text


def test_patient_may_be_a_bare_identifier(app, plan, tmp_path):
    s = a_finished_infusion(plan)
    out = tmp_path / "teach.csv"
    export_record_file(s, out, patient=PATIENT["id"], deidentified=True)  # as the main window passes it
    assert PATIENT["id"] not in out.read_text(encoding="utf-8")
    if PDFTOTEXT:
        pdf = tmp_path / "named.pdf"
        export_record_file(s, pdf, patient=PATIENT["id"])
        assert f"Identifier: {PATIENT['id']}" in pdf_text(pdf)


def test_record_csv_lists_the_events(app, plan, tmp_path):
    s = a_finished_infusion(plan)
    out = tmp_path / "events.csv"
    export_record_file(s, out)
    with open(out, newline="", encoding="utf-8") as fh:
        got = list(csv.DictReader(fh))
    events = [r for r in got if not r["kind"].startswith("observations")]
    assert len(events) == len(s.events)  # the 'planned' row first: product, protocol, library version
    assert [r["kind"] for r in events[:4]] == ["planned", "vitals", "start", "increase"]
    assert events[-1]["kind"] == "complete"
    # no observations between the start and 0:55, none after it: the rounds due then are flagged
    missed = [r for r in got if r["kind"] == "observations missed"]
    assert missed and all("missed" in r["observations"] for r in missed)
    late = [r for r in events if r["observations"].startswith("late")]
    assert [r["at_min"] for r in late] == ["55"]
    slow = [r for r in got if r["kind"] == "action"][0]
    assert float(slow["rate_ml_h"]) == 42 and float(slow["at_min"]) == 40 and slow["elapsed"] == "0:40"


def test_a_long_record_runs_over_pages(app, plan, tmp_path):
    s = a_finished_infusion(plan)
    for k in range(80):
        s.note(s.events[-1].at_min + 0.5, f"observation note {k}")
    out = tmp_path / "long.pdf"
    export_record_file(s, out)
    if not PDFTOTEXT:
        pytest.skip("pdftotext not installed")
    text = pdf_text(out)
    assert pdf_pages(out) >= 3
    assert "page 3 of" in text
    assert "observation note 79" in text


@pytest.mark.parametrize("ext", ["pdf", "svg"])
def test_command_line_export(tmp_path, ext):
    import os
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / f"plan.{ext}"
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    r = subprocess.run([sys.executable, str(root / "main.py"), "plan", "--product", "octagam-10", "--indication", "itp",
                        "--weight-kg", "70", "--dose-g-per-kg", "1", "--export", str(out)],
                       capture_output=True, text=True, timeout=120, env=env, cwd=root)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"wrote {out}"
    assert r.stderr == ""  # no Qt chatter, no traceback
    if ext == "pdf":
        assert out.read_bytes()[:5] == b"%PDF-"
    else:
        assert ET.parse(out).getroot().tag.endswith("svg")


def test_record_with_clock_times(app, plan, tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        s = a_finished_infusion(plan)
        start = 1795248000.0  # 2026-11-21 08:00 UTC
        out = tmp_path / "events.csv"
        export_record_file(s, out, wall_start=start)
        with open(out, newline="", encoding="utf-8") as fh:
            got = list(csv.DictReader(fh))
        slow = [r for r in got if r["kind"] == "action"][0]
        assert slow["clock"] == "2026-11-21 08:40"
        if PDFTOTEXT:
            pdf = tmp_path / "record.pdf"
            export_record_file(s, pdf, wall_start=start)
            text = pdf_text(pdf)
            assert "Started: 2026-11-21 08:00" in text and "08:40 (+0:40)" in text
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


# ---------------------------------------------------------------- paths, permissions
FORMATS = ["pdf", "png", "svg", "csv"]


@pytest.mark.parametrize("ext", FORMATS)
def test_exports_are_created_0600(app, plan, tmp_path, ext):
    import os
    import stat

    out = tmp_path / f"plan.{ext}"
    export_plan_file(plan, out)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    if ext in ("pdf", "csv"):
        rec = tmp_path / f"record.{ext}"
        export_record_file(a_finished_infusion(plan), rec, patient=PATIENT)
        assert stat.S_IMODE(os.stat(rec).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".ivig-export-")] == []  # no leftovers


@pytest.mark.parametrize("ext", FORMATS)
@pytest.mark.parametrize("where,words", [
    ("missing/plan", "existing folder"), ("x" * 300, "shorter file name"), ("dir", "not a folder"),
])
def test_a_path_that_cannot_be_written_is_one_line(app, plan, tmp_path, ext, where, words):
    (tmp_path / "dir.pdf").mkdir()
    (tmp_path / "dir.png").mkdir()
    (tmp_path / "dir.svg").mkdir()
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(InputError, match=words) as e:
        export_plan_file(plan, tmp_path / f"{where}.{ext}")
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("ext", FORMATS)
def test_an_unwritable_place_is_one_line(app, plan, ext):
    with pytest.raises(InputError) as e:
        export_plan_file(plan, f"/proc/ivig-export-test.{ext}")  # not writable, even for root
    assert "\n" not in str(e.value)


def test_a_failed_export_leaves_an_earlier_file_whole(app, plan, tmp_path, monkeypatch):
    out = tmp_path / "plan.csv"
    out.write_text("an earlier export\n")
    import titration.report.table as table

    def broken(plan, path):
        open(path, "w").write("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("ui.exports.plan_export.write_plan_csv", broken)
    with pytest.raises(InputError, match="free space"):
        export_plan_file(plan, out)
    assert out.read_text() == "an earlier export\n"
    assert table  # the module stays importable


@pytest.mark.parametrize("ext", ["csv", "svg"])
def test_command_line_export_to_a_bad_path_is_one_line(tmp_path, ext):
    import os
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    for bad in (tmp_path / "missing" / f"plan.{ext}", tmp_path / f"{'x' * 300}.{ext}"):
        r = subprocess.run([sys.executable, str(root / "main.py"), "plan", "--product", "octagam-10", "--indication",
                            "itp", "--weight-kg", "70", "--dose-g-per-kg", "1", "--export", str(bad)],
                           capture_output=True, text=True, timeout=120, env=env, cwd=root)
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and r.stderr.startswith("error: --export:"), r.stderr


# ---------------------------------------------------------------- exports a unit can file
def a_stopped_infusion(plan) -> Session:
    s = Session(plan)
    s.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14))
    s.start(0)
    s.confirm(30, s.due(30))  # 84 mL/h
    s.pause(40, reason="cannula")
    s.resume(50)
    s.stop(70, reason="patient asked")
    return s


def test_rate_chart_of_a_stopped_chair_exports_what_happened(app, plan, tmp_path):
    s = a_stopped_infusion(plan)
    out = tmp_path / "chart.csv"
    export_plan_file(plan, out, session=s)
    with open(out, newline="", encoding="utf-8") as fh:
        got = list(csv.DictReader(fh))
    assert [(r["state"], float(r["start_min"]), float(r["end_min"]), float(r["rate_ml_h"])) for r in got] == [
        ("delivered", 0, 30, 42), ("delivered", 30, 40, 84), ("paused", 40, 50, 0), ("delivered", 50, 70, 84),
        ("stopped", 70, 70, 0)]
    # 42 x 0.5 + 84 x (10 + 20) / 60 = 21 + 42 = 63 mL, as the session says
    assert float(got[-1]["cumulative_ml"]) == pytest.approx(63.0) == pytest.approx(s.delivered_ml(70))
    if PDFTOTEXT:
        pdf = tmp_path / "chart.pdf"
        export_plan_file(plan, pdf, session=s, patient=PATIENT)
        text = pdf_text(pdf)
        for expected in ("IVIg rate chart", "What happened", "STOPPED", "paused", "Delivered: 63.0 mL",
                         f"patient {PATIENT['id']}"):
            assert expected in text, expected


def test_rate_chart_of_a_running_chair_stops_at_now(app, plan, tmp_path):
    s = Session(plan)
    s.start(0)
    out = tmp_path / "chart.csv"
    export_plan_file(plan, out, session=s, now_min=20)
    lines = out.read_text().splitlines()
    assert lines[1].split(",")[:6] == ["0.0", "20.0", "0:00", "0:20", "delivered", "42.0"] and len(lines) == 2


def test_every_chart_carries_its_title(app, plan, tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        start = 1795248000.0  # 2026-11-21 08:00 UTC
        svg = tmp_path / "plan.svg"
        export_plan_file(plan, svg, patient=PATIENT, wall_start=start)
        ns = "{http://www.w3.org/2000/svg}"
        root = ET.parse(svg).getroot()
        texts = " ".join(t.text or "" for t in root.iter(ns + "text"))
        assert "Octagam 10%" in texts and f"patient {PATIENT['id']}" in texts and "2026-11-21" in texts
        assert root.find(ns + "title").text.startswith("IVIg rate plan — Octagam 10%")
        training = Session(plan, training=True)
        training.start(0)
        svg2 = tmp_path / "training.svg"
        export_plan_file(plan, svg2, session=training, now_min=10)
        texts = " ".join(t.text or "" for t in ET.parse(svg2).getroot().iter(ns + "text"))
        assert "TRAINING" in texts and "training" in texts
        png = tmp_path / "plan.png"
        export_plan_file(plan, png, patient=PATIENT)
        img = QImage(str(png))
        band = {img.pixelColor(x, y).name() for x in range(0, 600, 3) for y in range(0, 44, 2)}
        assert "#000000" in band or any(c != "#ffffff" for c in band)  # the title is drawn above the chart
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_default_file_names_name_chair_patient_date_and_never_an_existing_file(tmp_path):
    from titration.report.names import default_file_name

    start = 1795248000.0
    day = time.strftime("%Y-%m-%d", time.localtime(start))
    name = default_file_name("rate chart", "pdf", chair="Bay 2/Chair 3", patient_id="MRN-884422", when=start,
                             folder=str(tmp_path))
    assert name == str(tmp_path / f"Bay 2-Chair 3 - MRN-884422 - {day} - rate chart.pdf")
    (tmp_path / f"Bay 2-Chair 3 - MRN-884422 - {day} - rate chart.pdf").write_text("earlier")
    again = default_file_name("rate chart", "pdf", chair="Bay 2/Chair 3", patient_id="MRN-884422", when=start,
                              folder=str(tmp_path))
    assert again.endswith(f"{day} - rate chart (2).pdf")
    sim = default_file_name("infusion record", "pdf", chair="Chair 1", patient_id=None, training=True, when=start,
                            folder=str(tmp_path))
    assert sim.endswith(f"Chair 1 - training - {day} - infusion record.pdf")
    teach = default_file_name("infusion record", "csv", chair="Chair 1", patient_id="MRN-884422", when=start,
                              folder=str(tmp_path), deidentified=True)
    assert teach.endswith("Chair 1 - de-identified - infusion record.csv")


@st.composite
def spelt(draw, ident: str) -> str:
    """An identifier as a person might type it: any case, spaces, dashes or dots between characters."""
    out = []
    for c in ident:
        out.append(c.upper() if draw(st.booleans()) else c.lower())
        out.append(draw(st.sampled_from(["", "", "", " ", "-", "."])))
    return "".join(out).strip(" -.")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data(), st.text(alphabet=string.ascii_uppercase, min_size=2, max_size=4),
       st.integers(100_000, 99_999_999), st.sampled_from(["note", "pause", "stop", "override"]))
def test_no_spelling_of_the_identifier_survives_de_identification(plan, tmp_path, data, prefix, number, where):
    """The CSV is written without Qt, so a generated case costs milliseconds."""
    ident = f"{prefix}-{number}"
    typed = data.draw(spelt(ident))
    s = Session(plan)
    s.start(0)
    text = f"for {typed} see {data.draw(spelt(str(number)))}"
    if where == "note":
        s.note(5, text)
    elif where == "pause":
        s.pause(5, reason=text)
        s.resume(6)
    elif where == "stop":
        s.stop(5, reason=text)
    else:
        s.confirm(30, s.due(30))
        s.report_symptoms(40, ["chills"])
        p = s.due(40)
        s.override(40, p, "slow", p.rate_ml_h, text)
    out = tmp_path / "teach.csv"
    export_record_file(s, out, patient={"id": ident}, deidentified=True)
    rows = list(csv.reader(out.open(encoding="utf-8")))
    for row in rows:
        for cell in row:
            assert str(number) not in squash(cell), (typed, cell)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=0, max_size=300).filter(lambda t: "\x00" not in t))
def test_any_file_name_is_written_0600_or_refused_in_one_line(plan, tmp_path, name):
    """Whatever a user types as a name: the export is written (0600) where it says, or refused in one
    line; never an internal error, never a file elsewhere, never a leftover temporary file."""
    import os
    import stat

    folder = tmp_path / "out"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.csv"
    try:
        export_plan_file(plan, path)
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        os.unlink(path)
    assert not [p for p in folder.rglob("*") if p.name.startswith(".ivig-export-")]


def test_what_happened_gives_the_observations_real_close(plan):
    from ui.exports.facts import record_facts

    s = a_finished_infusion(plan)
    end = s.state.end_min
    s.record_vitals(end + 60, Vitals(36.8, 72, 124, 78, 98, 14))
    s.close_observation(end + 90)
    outcome = record_facts(s, end + 90)[0]
    assert outcome.startswith(f"Outcome: completed at {span_hm(end)}") and f"closed at {span_hm(end + 90)}" in outcome


def test_an_exported_chart_lists_every_numbered_event_nothing_to_scroll(qapp):
    from titration.session import Session
    from ui.exports.render import PDF_CHART_SIZE, done, export_chart

    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    s.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14))
    s.start(0)
    for k in range(4):  # eight numbered events: four pauses, four resumes
        s.pause(10 + 4 * k, "line check")
        s.resume(12 + 4 * k)
    chart = export_chart(session=s, now_min=40, size=PDF_CHART_SIZE, large=True)
    try:
        ev = chart.events
        assert ev.count() == 8 and ev.max_rows and ev.count() > ev.max_rows
        assert ev.height() >= ev.count() * ev.row_height()  # every row in view: a page cannot scroll
    finally:
        done(chart)
