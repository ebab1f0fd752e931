"""Stable ids: every resource's fullUrl is a name-based UUID (RFC 4122 version 5) of its identifier,
so the same infusion exported twice gives the same bundle, and references resolve inside it.

Times: an event's clock time (the infusion's wall-clock start + its minutes), in UTC. A
de-identified export has no clock time: its times are minutes after a fixed epoch (DEID_EPOCH),
and its ids derive from "deidentified" rather than the infusion's identity.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from .codes import ID_BASE

NAMESPACE = uuid.UUID("0f6c4a4e-8d0b-5a8e-9a53-6a3c2b1e7f10")  # this app's namespace for name-based UUIDs
DEID_EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


class Ids:
    def __init__(self, key: str | None, wall_start: float | None):
        self.key = key  # the infusion's identity (journal uid); None: de-identified
        self.start = DEID_EPOCH if wall_start is None else datetime.fromtimestamp(wall_start, tz=timezone.utc)

    def identifier(self, kind: str, value: str) -> dict | None:
        """An identifier of this app's (system urn:ivig-titration:KIND); none when de-identified."""
        if self.key is None:
            return None
        return {"system": f"{ID_BASE}:{kind}", "value": value}

    def local(self, name: str) -> dict | None:
        """An identifier for a resource of this infusion: the infusion's key / name."""
        return None if self.key is None else self.identifier("infusion", f"{self.key}/{name}")

    def full_url(self, resource_type: str, name: str) -> str:
        seed = f"{resource_type}|{'deidentified' if self.key is None else self.key}|{name}"
        return "urn:uuid:" + str(uuid.uuid5(NAMESPACE, seed))

    def at(self, minutes: float) -> str:
        t = self.start + timedelta(minutes=float(minutes))
        return t.replace(microsecond=0).isoformat().replace("+00:00", "Z")
