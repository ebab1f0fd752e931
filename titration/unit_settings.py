"""The unit's workstation settings (resources/unit.toml): how long an acknowledged alert is quiet,
the unit's nurses, which actions need a second nurse, the usual premedications, and how long the
outbox keeps comparing an infusion with the unit server."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .data import Table, load_toml, resource
from .nurses import DoubleCheck, Nurse, read_double_check, read_nurses
from .premedication import PremedOption, read_options


@dataclass(frozen=True)
class UnitSettings:
    silence_min: float  # minutes an acknowledged alert stays quiet before it rings again
    nurses: tuple[Nurse, ...] = ()
    double_check: DoubleCheck = DoubleCheck()
    premedications: tuple[PremedOption, ...] = ()
    retention_days: float = 30.0  # days after an infusion's last event that the outbox still heals it


@lru_cache(maxsize=4)
def load_unit_settings(path: str | None = None) -> UnitSettings:
    path = path or str(resource("unit.toml"))
    top = Table(load_toml(path), path).only(("schema_version", "alerts", "nurse", "double_check", "premedication",
                                             "outbox"))
    top.schema_version(1)
    alerts = top.table("alerts").only(("silence_min",))
    outbox = top.table("outbox", None)  # a unit's copy from before it existed: the default
    retention = 30.0 if outbox is None else outbox.only(("retention_days",)).num("retention_days", lo=1, hi=3650)
    return UnitSettings(silence_min=alerts.num("silence_min", lo=1, hi=15),
                        nurses=read_nurses(top.tables("nurse")) if top.has("nurse") else (),
                        double_check=read_double_check(top.table("double_check", None)),
                        premedications=read_options(top.tables("premedication")) if top.has("premedication") else (),
                        retention_days=retention)
