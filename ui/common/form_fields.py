"""Number fields that say what is wrong beside themselves, in the nurse's words.

A minus sign or a letter in a number is an error the nurse sees (never a character silently
dropped by a validator). The ranges come from the core (titration.plan.validate): its
InputError names a field the command line's way ("--weight-kg"); `plain_error` turns it into
"Weight: 0 kg is not possible; enter 2 to 250 kg", shown beside the field, which is outlined.
"""
from __future__ import annotations

import re

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.common.style import VERMILLION

NUMBER = re.compile(r"^\d+(?:[.,]\d*)?$|^[.,]\d+$")
BAD_STYLE = f"border: 2px solid {VERMILLION};"


class FieldError(ValueError):
    """What is wrong with one field, in plain words (already shown beside it)."""


def parse_number(text: str, label: str, unit: str) -> float | None:
    """The number typed, None when empty; FieldError for a sign, a letter or two points."""
    t = text.strip()
    if not t:
        return None
    if not NUMBER.match(t):
        if t.startswith("-"):
            raise FieldError(f"{label}: a minus sign is not possible here; type the {unit} as a positive number")
        raise FieldError(f"{label}: '{t}' is not a number; type digits only"
                         + (f" (in {unit})" if unit else ""))
    return float(t.replace(",", "."))


def plain_allowed(allowed: str, unit: str) -> str:
    """The core's 'a number from 2 to 250' as 'enter 2 to 250 kg'."""
    u = f" {unit}" if unit else ""
    m = re.match(r"a number from (\S+) to (\S+)$", allowed)
    if m:
        return f"enter {m[1]} to {m[2]}{u}"
    m = re.match(r"a number above (\S+) to (\S+)$", allowed)
    if m:
        return f"enter more than {m[1]} and at most {m[2]}{u}"
    # anything else the core says, without command-line option names
    return re.sub(r"--([a-z-]+)", lambda k: k[1].replace("-", " "), allowed)


def plain_error(label: str, unit: str, value, allowed: str) -> str:
    shown = f"{value:g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else f"{value}"
    u = f" {unit}" if unit and isinstance(value, (int, float)) else ""
    return f"{label}: {shown}{u} is not possible; {plain_allowed(allowed, unit)}"


class CheckedEdit(QLineEdit):
    """A line edit whose value is checked; `error` is its own error label, which `field_row` puts below it."""

    def __init__(self, label: str, unit: str, placeholder: str, name: str, parent=None):
        super().__init__(parent)
        self.label, self.unit = label, unit
        self.setObjectName(name)
        self.setPlaceholderText(placeholder)
        # a screen reader names the field by its visible label and unit ("Weight (kg)")
        self.setAccessibleName(f"{label} ({unit})" if unit else label)
        self.setAccessibleDescription(placeholder)
        self.setMaximumWidth(140)
        self.error = QLabel("")
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.textChanged.connect(lambda _t: self.set_error(""))

    def set_error(self, text: str) -> None:
        if text == self.error.text():
            return
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.setStyleSheet(BAD_STYLE if text else "")


class NumberEdit(CheckedEdit):
    """A number ('70', '0.4'), or nothing."""

    def value(self) -> float | None:
        """The number, None when empty; FieldError (and the error shown) when it is not a number."""
        try:
            return parse_number(self.text(), self.label, self.unit)
        except FieldError as exc:
            self.set_error(str(exc))
            raise


class ClockEdit(CheckedEdit):
    """A time of day ('18:00'), checked by the core's parse_time_of_day; its error shows beside it."""

    def value(self) -> str:
        from titration.errors import InputError
        from titration.timefmt import parse_time_of_day

        text = self.text().strip()
        try:
            parse_time_of_day(text, self.label)
        except InputError:
            msg = f"{self.label}: '{text}' is not a time of day; type it like 18:00"
            self.set_error(msg)
            raise FieldError(msg) from None
        return text


def field_row(edit: CheckedEdit, *extra: QWidget) -> QWidget:
    """The edit (and anything after it on its line), with its error label below."""
    w = QWidget()
    lay = QVBoxLayout(w)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(1)
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(edit)
    for x in extra:
        row.addWidget(x)
    row.addStretch(1)
    lay.addLayout(row)
    lay.addWidget(edit.error)
    return w
