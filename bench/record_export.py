"""record_export_fhir_s: `journal export SESSION --format fhir` end to end, a fresh process each time
(the done-when scenario: three vials, premedication, two reactions, 18 sets of vitals: ~90
resources), median of repeated runs; also the CSV and the warm in-process FHIR build."""
import os
import subprocess
import tempfile
import time

from common import PY, ROOT, compile_sources, median

SCENARIO = os.path.join(ROOT, "resources", "scenarios", "18-record-three-vials.toml")


def _export(db: str, fmt: str, out: str) -> float:
    t = time.perf_counter()
    subprocess.run([PY, os.path.join(ROOT, "main.py"), "journal", "export", "1", "--format", fmt, "--out", out,
                    "--force", "--db", db], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - t


def run() -> dict:
    compile_sources()
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "j.sqlite3")
        subprocess.run([PY, os.path.join(ROOT, "main.py"), "simulate", SCENARIO, "--db", db], check=True,
                       capture_output=True, cwd=ROOT)
        _export(db, "fhir", os.path.join(d, "warm.json"))  # the TOML cache and .pyc files
        fhir = [_export(db, "fhir", os.path.join(d, "r.json")) for _ in range(5)]
        csv = [_export(db, "csv", os.path.join(d, "r.csv")) for _ in range(5)]
        pdf = [_export(db, "pdf", os.path.join(d, "r.pdf")) for _ in range(3)]
    from titration.report.fhir.bundle import build_bundle
    from titration.report.record import RecordSource, build_record
    from titration.training.run import perfect_run
    from titration.training.scenario import read_scenario

    record = build_record(RecordSource(perfect_run(read_scenario(SCENARIO)).session, wall_start=0.0, uid="bench"))
    warm = []
    for _ in range(6):
        t = time.perf_counter()
        build_bundle(record)
        warm.append(time.perf_counter() - t)
    return {"record_export_fhir_s": median(fhir), "_record_export_csv_s": median(csv),
            "_record_export_pdf_s": median(pdf), "_fhir_bundle_warm_s": median(warm[1:])}


if __name__ == "__main__":
    print(run())
