"""The unit's workstation settings (resources/unit.toml): how long an acknowledged alert is quiet."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .data import Table, load_toml, resource


@dataclass(frozen=True)
class UnitSettings:
    silence_min: float  # minutes an acknowledged alert stays quiet before it rings again


@lru_cache(maxsize=4)
def load_unit_settings(path: str | None = None) -> UnitSettings:
    path = path or str(resource("unit.toml"))
    top = Table(load_toml(path), path).only(("schema_version", "alerts"))
    top.schema_version(1)
    alerts = top.table("alerts").only(("silence_min",))
    return UnitSettings(silence_min=alerts.num("silence_min", lo=1, hi=15))
