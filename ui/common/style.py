"""Colours and type sizes in one place: a colour-blind-safe palette (Okabe-Ito), the alert colours,
every text colour with the background it is drawn on, and the large-type mode.

Meaning is never carried by colour alone: every coloured element also says what it is in words.

Alert colours follow the pattern of IEC 60601-1-8 (medical electrical equipment, alarm systems):
high priority red, medium yellow, low cyan. Every text/background pair the app draws is listed in
TEXT_PAIRS and has a contrast ratio of at least 4.5:1 (WCAG 2.x, success criterion 1.4.3,
https://www.w3.org/TR/WCAG21/#contrast-minimum); tests/ui/test_style_contrast.py computes each.
White on pure red is 4.0:1, so "red" here is a darker red.
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
WINDOW = "#efefef"  # the Fusion style's window background, under labels that set only a text colour

# darker shades of the palette, where text sits on them or they are text on a light background
ERROR_INK = "#B33F00"  # vermillion, dark enough to read as text on the window (5.0:1)
ALARM_BG = "#B00020"  # red lines that stay: NOT SAVED, the unit server not taking events
BLOCK_BG = "#AD4700"  # "CANNOT START YET" (vermillion, darkened for white text)
CONFIRM_BG = "#00704F"  # the green of a Confirm / Create button (white text)
EMERGENCY_BG = "#8b0000"
WARN_BG = "#fff4cc"
READY_BG = "#e3f4ec"
LOOK_OUT_BG = "#e8f1f8"
TILE_BG = PAPER
TILE_FOCUS_BG = "#e8f1fb"
READ_ONLY_BG = "#f3f3f3"  # a tile of a chair driven from another workstation

# IEC 60601-1-8 priorities: (background, text) when an alert stands out (ringing, on the flash)...
ALERT_COLOURS = {
    "high": ("#C00000", PAPER),
    "medium": ("#FFD700", INK),
    "low": ("#00B7EB", INK),
}
# ... and the quiet phase of the flash (and an acknowledged alert): a tint, the colour as its edge
ALERT_QUIET = {
    "high": ("#FDE2E2", INK),
    "medium": ("#FFF3B0", INK),
    "low": ("#D9F4FC", INK),
}
ALERT_EDGE = {p: bg for p, (bg, _fg) in ALERT_COLOURS.items()}
# A training chair's alerts: their own colour (violet), never a real alert's, and a TRAINING mark
TRAINING_ALERT = ("#6A3D9A", PAPER)
TRAINING_QUIET = ("#EFE6F5", INK)
TRAINING_EDGE = TRAINING_ALERT[0]
PRIORITY_WORDS = {"high": "HIGH", "medium": "MEDIUM", "low": "LOW"}

# backward names kept for the chair list (an alerting chair's row)
ALERT_BG = WARN_BG
ALERT_FG = INK

# one meaning, one colour, everywhere (the pump panel, the board, the chart): severe red,
# moderate orange, mild amber; each is also said in words. These are edges and symbols; text on
# them takes `text_on(colour)`.
RED = "#C00000"
DARK_ORANGE = "#E66100"
AMBER = "#F5B800"
GRADE_COLOURS = {"none": GREEN, "mild": AMBER, "moderate": DARK_ORANGE, "severe": RED, "alert": VERMILLION}
STATE_COLOURS = {"planned": MUTED, "running": GREEN, "paused": ORANGE, "stopped": VERMILLION,
                 "completed": BLUE, "closed": MUTED}

# a training debrief's verdicts, as text on the table's white (each is also the word itself)
VERDICT_COLOURS = {"correct": CONFIRM_BG, "late": "#8A5A00", "early": "#8A5A00", "missed": ERROR_INK,
                   "wrong": ERROR_INK}

# Every text colour the app draws, with its background: (text, background).
TEXT_PAIRS: dict[str, tuple[str, str]] = {
    "#confirm": (PAPER, CONFIRM_BG),
    "#errorLine": (ERROR_INK, WINDOW),
    "#fieldError": (ERROR_INK, WINDOW),
    "#journalBanner": (PAPER, ALARM_BG),
    "#alarmLine": (PAPER, ALARM_BG),
    "#trainingBanner": (INK, YELLOW),
    "#emergency": (PAPER, EMERGENCY_BG),
    "#blockLine": (PAPER, BLOCK_BG),
    "#warnLine": (INK, WARN_BG),
    "#readyLine": (INK, READY_BG),
    "#judgeLine": (INK, WARN_BG),
    "#lookOut": (INK, LOOK_OUT_BG),
    "#dayFitTitle": (ERROR_INK, WARN_BG),
    "#noteLine": (INK, WINDOW),
    "#pumpUnits": (MUTED, WINDOW),
    "danger button": (PAPER, GRADE_COLOURS["severe"]),  # STOP: the confirm and the reason box's button
    "quiet strip": (MUTED, WINDOW),
    "tile": (INK, TILE_BG),
    "tile focused": (INK, TILE_FOCUS_BG),
    "training tile": (INK, TRAINING_QUIET[0]),
    "read-only tile": (INK, READ_ONLY_BG),
    "stale line": (INK, WARN_BG),
    **{f"verdict {v}": (c, PAPER) for v, c in VERDICT_COLOURS.items()},
    **{f"alert {p}": pair for p, pair in ALERT_COLOURS.items()},
    **{f"alert {p} quiet": pair for p, pair in ALERT_QUIET.items()},
    "alert training": TRAINING_ALERT,
    "alert training quiet": TRAINING_QUIET,
}



def danger_css(object_name: str, padding: str = "8px 18px") -> str:
    """A button that stops the infusion looks like danger, never like a step's green confirm: white on the
    severe grade's red (the "danger button" pair above, 5.9:1), drawn flat (a border set: no style's shading)."""
    fg, bg = TEXT_PAIRS["danger button"]
    return (f"#{object_name} {{ background: {bg}; color: {fg}; border: 1px solid {bg}; border-radius: 4px; "
            f"padding: {padding}; }}")


BASE_PT = {False: 10, True: 14}
# (object name) -> (points above the base size, bold); set with setFont so layouts follow the size
FONT_ROLES = {
    "pumpRate": (20, True), "pumpUnits": (1, False), "proposalReason": (1, False), "pumpTitle": (2, True),
    "chairHeader": (4, True), "bigValue": (3, True), "confirm": (4, True), "emergencyTitle": (8, True),
    "trainingBanner": (6, True), "stateBadge": (2, True), "debriefScore": (4, True), "nowClock": (3, True),
}
LARGE_EXTRA = {"pumpRate": 16}  # the pump rate grows more than the rest in large type


def luminance(colour: str) -> float:
    """Relative luminance of '#rrggbb' (WCAG 2.x definition)."""
    h = colour.lstrip("#")
    out = 0.0
    for weight, i in ((0.2126, 0), (0.7152, 2), (0.0722, 4)):
        c = int(h[i:i + 2], 16) / 255
        out += weight * (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return out


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_on(background: str) -> str:
    """INK or PAPER, whichever reads better on `background`."""
    return INK if contrast(INK, background) >= contrast(PAPER, background) else PAPER


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


def _pair(name: str) -> str:
    fg, bg = TEXT_PAIRS[name]
    return f"color: {fg}; background: {bg};"


def app_stylesheet(large: bool = False) -> str:
    """Colours and borders only: sizes are fonts (see apply_fonts)."""
    return f"""
    QGroupBox {{ font-weight: bold; border: 1px solid #b0b0b0; border-radius: 4px; margin-top: 1.1em;
                padding-top: 4px; }}
    QGroupBox::title {{ subcontrol-origin: margin; left: 8px; padding: 0 3px; }}
    #pumpRate {{ color: {INK}; }}
    #pumpUnits {{ color: {MUTED}; }}
    #confirm {{ padding: 8px 18px; {_pair("#confirm")} border-radius: 4px; }}
    #confirm:disabled {{ background: #b9c9c2; color: #f0f0f0; }}
    #errorLine {{ color: {ERROR_INK}; font-weight: bold; }}
    #journalBanner {{ {_pair("#journalBanner")} font-weight: bold; padding: 6px; }}
    #trainingBanner {{ {_pair("#trainingBanner")} border: 4px dashed {INK}; padding: 4px; }}
    #emergency {{ background: {EMERGENCY_BG}; border: 3px solid {INK}; }}
    #emergency QLabel {{ color: {PAPER}; }}
    #blockLine {{ {_pair("#blockLine")} font-weight: bold; padding: 4px; }}
    #warnLine {{ {_pair("#warnLine")} padding: 4px; border-left: 6px solid {ORANGE}; }}
    #readyLine {{ {_pair("#readyLine")} padding: 4px; border-left: 6px solid {GREEN}; }}
    #fieldError {{ color: {ERROR_INK}; font-weight: bold; }}
    #judgeLine {{ {_pair("#judgeLine")} font-weight: bold; padding: 4px; border-left: 6px solid {PURPLE}; }}
    #lookOut {{ {_pair("#lookOut")} padding: 4px; border-left: 6px solid {BLUE}; }}
    #dayFit {{ background: {WARN_BG}; border: 2px solid {VERMILLION}; }}
    #dayFitTitle {{ color: {ERROR_INK}; font-weight: bold; }}
    #noteLine {{ color: {INK}; padding: 2px; border-left: 6px solid {SKY}; }}
    #staleLine {{ {_pair("stale line")} font-weight: bold; padding: 4px; border-left: 6px solid {ALARM_BG}; }}
    """
