"""Titles and default file names of exports ("exports a unit can file").

A title names the product, the patient's identifier (or "de-identified"), the date and TRAINING
where it is one. A default file name names the chair, the patient's identifier (or "training")
and the date, and never the name of a file already there. No Qt here: the main window asks for
a name before it loads the exporters.
"""
from __future__ import annotations

import os
import re
import time

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def date_text(epoch: float | None = None) -> str:
    """The infusion's date (its start), or today's for a plan not yet started."""
    return time.strftime("%Y-%m-%d", time.localtime(time.time() if epoch is None else epoch))


def who_text(patient_id: str | None, *, deidentified: bool = False, training: bool = False) -> str:
    if deidentified:
        return "de-identified"
    if training:
        return "training"
    return f"patient {patient_id}" if patient_id else "no patient identifier"


def export_title(what: str, product: str, *, patient_id: str | None = None, deidentified: bool = False,
                 training: bool = False, when: float | None = None) -> str:
    """'IVIg rate chart — Octagam 10% — patient MRN-1 — 2026-12-01' (a de-identified one has no date)."""
    parts = [f"IVIg {what}", product, who_text(patient_id, deidentified=deidentified, training=training)]
    if not deidentified:
        parts.append(date_text(when))
    if training:
        parts.insert(0, "TRAINING")
    return " — ".join(parts)


def safe(text: str) -> str:
    return _UNSAFE.sub("-", str(text)).strip(" .-") or "export"


def default_file_name(what: str, ext: str, *, chair: str = "", patient_id: str | None = None,
                      training: bool = False, when: float | None = None, folder: str | None = None,
                      deidentified: bool = False) -> str:
    """'Chair 1 - MRN-884422 - 2026-12-01 - rate chart.pdf', numbered ' (2)' past a file already in
    `folder` (default: the working folder), so an earlier export is never offered for overwriting.
    A de-identified file is named without the patient or the date."""
    if deidentified:
        parts = [p for p in (chair, "de-identified", what) if p]
    else:
        who = "training" if training or not patient_id else patient_id
        parts = [p for p in (chair, who, date_text(when), what) if p]
    stem = safe(" - ".join(parts))[:180]  # well under any file system's name limit
    folder = folder or os.getcwd()
    name, n = f"{stem}.{ext}", 1
    while os.path.exists(os.path.join(folder, name)):
        n += 1
        name = f"{stem} ({n}).{ext}"
    return os.path.join(folder, name)
