"""The bundled font (DejaVu Sans), registered with Qt so text looks the same everywhere.

The offscreen platform loads no system fonts (peers-and-pitfalls C.4): without a registered
font, labels come out as boxes and exported charts lose their text. Call `register_fonts()`
once a QGuiApplication exists; calling it again costs nothing.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFontDatabase

FONT_DIR = Path(__file__).resolve().parent.parent / "resources" / "fonts"
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
FALLBACK_FAMILY = "DejaVu Sans"

_family: str | None = None


def register_fonts() -> str:
    """Register the bundled fonts (once) and return their family name."""
    global _family
    if _family is not None:
        return _family
    family = None
    for name in FONT_FILES:
        fid = QFontDatabase.addApplicationFont(str(FONT_DIR / name))
        if fid >= 0 and family is None:
            fams = QFontDatabase.applicationFontFamilies(fid)
            family = fams[0] if fams else None
    # A missing file is not fatal: Qt falls back to whatever it has; say the family we meant.
    _family = family or FALLBACK_FAMILY
    return _family
