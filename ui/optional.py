"""Modules built alongside the GUI (chart, exports, journal, history, forecast, training).

Each is imported when first needed; if one is missing or broken the window still works and says
what is unavailable, instead of failing to start.
"""
from __future__ import annotations

import importlib

_missing: dict[str, str] = {}


def load(name: str):
    """The module, or None (the reason is kept in `missing()`)."""
    try:
        return importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001 - any failure means "not available", said on screen
        _missing[name] = f"{type(exc).__name__}: {exc}"
        return None


def missing() -> dict[str, str]:
    return dict(_missing)


def chart_widget(parent=None):
    """An InfusionChart, or a plain label saying the chart is unavailable."""
    mod = load("ui.chart.infusion_chart")
    if mod is not None and hasattr(mod, "InfusionChart"):
        try:
            return mod.InfusionChart(parent)
        except TypeError:
            return mod.InfusionChart()
    from PySide6.QtWidgets import QLabel

    name = "ui.chart.infusion_chart"
    w = QLabel("Chart unavailable" + (f" ({_missing.get(name)})" if name in _missing else ""))
    w.setWordWrap(True)
    return w


def is_chart(w) -> bool:
    return hasattr(w, "set_plan") and hasattr(w, "refresh")
