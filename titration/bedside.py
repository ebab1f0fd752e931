"""What happens beside the pump and is part of the record: who is signed in, the vials hung (with
their lots), vials removed, and the premedication given. Composed into the Session
(`session.bedside`): the session folds these events here, so a replayed journal rebuilds the same
list, and the intents below append them through the session like any other event.

Events (data keys):
- signin: name, initials, from_list           who = the nurse's name
- vial: gtin, lot, expiry, grams, entry, serial?, finding, product?
- vial_removed: vial (its number, from 1), reason
- premedication: drug, dose, unit, route, given_min, from_list
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .errors import InputError, SessionError
from .nurses import DoubleCheck, Nurse, nurse
from .premedication import Premedication, check_time, premedication
from .vials import FINDINGS, Vial, finding, refuse_expired

KINDS = ("signin", "vial", "vial_removed", "premedication")


@dataclass
class HungVial:
    vial: Vial
    finding: str  # matched | unknown-gtin | other-product
    product: str | None  # the library's product for its GTIN, when known
    at_min: float
    who: str
    removed: str = ""  # why it was taken away (empty: in use)
    removed_at: float | None = None


@dataclass
class Bedside:
    double_check: DoubleCheck = field(default_factory=DoubleCheck)
    vials: list[HungVial] = field(default_factory=list)
    premedications: list[tuple[Premedication, float, str]] = field(default_factory=list)  # (given, at, who)
    signins: list[tuple[Nurse, float, bool]] = field(default_factory=list)  # (nurse, at, from the unit's list)

    @property
    def on_duty(self) -> Nurse | None:
        return self.signins[-1][0] if self.signins else None

    def in_use(self) -> list[HungVial]:
        return [v for v in self.vials if not v.removed]

    def grams(self) -> float:
        return round(sum(v.vial.grams for v in self.in_use()), 6)

    def blocking(self) -> list[str]:
        """Why the infusion cannot start: a vial of another product that is still there."""
        return [f"vial {i + 1} (lot {v.vial.lot}) is {v.product}, not the prescribed product: remove it"
                for i, v in enumerate(self.vials) if v.finding == "other-product" and not v.removed]

    def lots(self) -> list[tuple[str, str, date, int, float]]:
        """(gtin, lot, expiry, vials, grams) per lot in use, in the order first hung."""
        out: dict[tuple[str, str], list] = {}
        for v in self.in_use():
            key = (v.vial.gtin, v.vial.lot)
            row = out.setdefault(key, [v.vial.gtin, v.vial.lot, v.vial.expiry, 0, 0.0])
            row[3] += 1
            row[4] += v.vial.grams
        return [tuple(r) for r in out.values()]

    # ------------------------------------------------------------------ folding (the session calls this)
    def fold(self, kind: str, at: float, who: str, d: dict) -> None:
        """Validate and keep one event's data; a malformed event raises before it is kept."""
        if kind == "signin":
            self.signins.append((nurse(d.get("name"), d.get("initials")), at, bool(d.get("from_list", False))))
        elif kind == "vial":
            v = Vial.from_dict(d)
            if d.get("finding") not in FINDINGS:
                raise SessionError(f"a vial's finding must be one of {', '.join(FINDINGS)}")
            if v.serial and any(h.vial.serial == v.serial and h.vial.gtin == v.gtin for h in self.vials):
                raise SessionError(f"that vial (serial {v.serial}) is already recorded")
            self.vials.append(HungVial(v, d["finding"], d.get("product"), at, who))
        elif kind == "vial_removed":
            n = d.get("vial")
            if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= len(self.vials):
                raise SessionError(f"there is no vial {n!r} to remove (vials 1 to {len(self.vials)})")
            hung = self.vials[n - 1]
            if hung.removed:
                raise SessionError(f"vial {n} was already removed")
            hung.removed, hung.removed_at = str(d.get("reason") or "removed"), at
        elif kind == "premedication":
            self.premedications.append((Premedication.from_dict(d), at, who))


# ---------------------------------------------------------------------- intents (through the session)
def sign_in(session, at: float, name: str, initials: str, from_list: bool = False) -> Nurse:
    """The nurse at the workstation; every later event of this infusion carries their name."""
    from .session_events import Event

    n = nurse(name, initials)
    session.apply(Event(at, "signin", n.name, {"name": n.name, "initials": n.initials, "from_list": bool(from_list)}))
    return n


def add_vial(session, at: float, vial: Vial, today: date, library: dict, who: str = "nurse") -> HungVial:
    """Record a vial after checking it: an expired one is refused (InputError, nothing recorded)."""
    from .session_events import Event

    refuse_expired(vial, today)
    found, owner = finding(vial, session.original_plan.request.product, library)
    data = {**vial.to_dict(), "finding": found}
    if owner is not None:
        data["product"] = owner
    session.apply(Event(at, "vial", who, data))
    return session.bedside.vials[-1]


def remove_vial(session, at: float, number: int, reason: str, who: str = "nurse") -> None:
    from .session_events import Event

    if not str(reason or "").strip():
        raise InputError("reason", reason, "why the vial is removed (for example: another product)")
    session.apply(Event(at, "vial_removed", who, {"vial": number, "reason": reason.strip()}))


def give_premedication(session, at: float, drug: str, dose: float, unit: str, route: str, given_min: float,
                       from_list: bool = False, who: str = "nurse") -> Premedication:
    from .session_events import Event

    p = premedication(drug, dose, unit, route, given_min, from_list)
    check_time(p, at)
    session.apply(Event(at, "premedication", who, p.to_dict()))
    return p
