"""Colours and type sizes in one place: a colour-blind-safe palette (Okabe-Ito) and the large-type mode.

Meaning is never carried by colour alone: every coloured element also says what it is in words.
"""
from __future__ import annotations

# Okabe & Ito (2008) palette
BLUE = "#0072B2"
ORANGE = "#E69F00"
VERMILLION = "#D55E00"
GREEN = "#009E73"
SKY = "#56B4E9"
YELLOW = "#F0E442"
PURPLE = "#CC79A7"
INK = "#1a1a1a"
PAPER = "#ffffff"
MUTED = "#555555"

ALERT_BG = "#fff4cc"
ALERT_FG = INK
ALERT_FLASH_BG = VERMILLION
ALERT_FLASH_FG = PAPER

# one meaning, one colour, everywhere (the pump panel, the strip, the board, the chart):
# severe red, moderate orange, mild amber; each is also said in words
RED = "#C00000"
DARK_ORANGE = "#E66100"
AMBER = "#F5B800"
GRADE_COLOURS = {"none": GREEN, "mild": AMBER, "moderate": DARK_ORANGE, "severe": RED, "alert": VERMILLION}
STATE_COLOURS = {"planned": MUTED, "running": GREEN, "paused": ORANGE, "stopped": VERMILLION,
                 "completed": BLUE, "closed": MUTED}

BASE_PT = {False: 10, True: 14}
# (object name) -> (points above the base size, bold); set with setFont so layouts follow the size
FONT_ROLES = {
    "pumpRate": (20, True), "pumpUnits": (1, False), "proposalReason": (1, False), "pumpTitle": (2, True),
    "chairHeader": (4, True), "bigValue": (3, True), "confirm": (4, True), "emergencyTitle": (8, True),
    "trainingBanner": (6, True), "stateBadge": (2, True), "debriefScore": (4, True), "nowClock": (3, True),
}
LARGE_EXTRA = {"pumpRate": 16}  # the pump rate grows more than the rest in large type


def apply_fonts(root, large: bool) -> None:
    """Sizes for the named labels under `root` (the base size comes from QApplication.setFont)."""
    from PySide6.QtWidgets import QWidget

    base = BASE_PT[large]
    for name, (extra, bold) in FONT_ROLES.items():
        for w in root.findChildren(QWidget, name) + ([root] if root.objectName() == name else []):
            f = w.font()
            f.setPointSize(base + extra + (LARGE_EXTRA.get(name, 0) if large else 0))
            f.setBold(bold)
            w.setFont(f)


def app_stylesheet(large: bool = False) -> str:
    """Colours and borders only: sizes are fonts (see apply_fonts)."""
    return f"""
    QGroupBox {{ font-weight: bold; border: 1px solid #b0b0b0; border-radius: 4px; margin-top: 1.1em;
                padding-top: 4px; }}
    QGroupBox::title {{ subcontrol-origin: margin; left: 8px; padding: 0 3px; }}
    #pumpRate {{ color: {INK}; }}
    #pumpUnits {{ color: {MUTED}; }}
    #confirm {{ padding: 8px 18px; background: {GREEN}; color: white; border-radius: 4px; }}
    #confirm:disabled {{ background: #b9c9c2; color: #f0f0f0; }}
    #errorLine {{ color: {VERMILLION}; font-weight: bold; }}
    #journalBanner {{ background: {VERMILLION}; color: white; font-weight: bold; padding: 6px; }}
    #trainingBanner {{ background: {YELLOW}; color: {INK}; border: 4px dashed {INK}; padding: 4px; }}
    #emergency {{ background: #8b0000; border: 3px solid {INK}; }}
    #emergency QLabel {{ color: white; }}
    #blockLine {{ background: {VERMILLION}; color: white; font-weight: bold; padding: 4px; }}
    #warnLine {{ background: #fff4cc; color: {INK}; padding: 4px; border-left: 6px solid {ORANGE}; }}
    #readyLine {{ background: #e3f4ec; color: {INK}; padding: 4px; border-left: 6px solid {GREEN}; }}
    #fieldError {{ color: {VERMILLION}; font-weight: bold; }}
    #judgeLine {{ background: #fff4cc; color: {INK}; font-weight: bold; padding: 4px;
                  border-left: 6px solid {PURPLE}; }}
    #lookOut {{ background: #e8f1f8; color: {INK}; padding: 4px; border-left: 6px solid {BLUE}; }}
    #dayFit {{ background: #fff4cc; border: 2px solid {VERMILLION}; }}
    #dayFitTitle {{ color: {VERMILLION}; font-weight: bold; }}
    #noteLine {{ color: {INK}; padding: 2px; border-left: 6px solid {SKY}; }}
    """
