"""One active infusion per patient and per chair, on either store.

An infusion is active from its first event until it is completed, stopped, closed or set aside.
A second active infusion for the same patient identifier, or on the same chair, is refused with
one line that says where the first one is ("already running on Bay C chair 5 (workstation A,
since 06:40)"). Training runs are exempt from the patient rule (a scenario's made-up patient is
nobody), and they never take a real chair's name: two training runs may share a name, but a
training run and a real infusion may not, and a real chair may not be named "Training ...".

Chair names are compared as a nurse reads them: case and spacing aside ("Bay C/5" is "bay c / 5").
The SQLite journal checks in the transaction that writes the new infusion; the unit server checks
in the function that first takes an infusion (pg_functions.ivig_append), under a lock of the
patient's and of the chair's, and a workstation asks it before it writes the new infusion locally
(Outbox.check_active). The server reads "active" from its own record (which of the events it took
started or ended the infusion), never from what a workstation says.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime

from .base import AlreadyActive

NOT_ACTIVE = ("completed", "stopped", "closed", "set-aside")
TRAINING_WORD = "training"


def chair_key(name: str | None) -> str:
    """A chair's name as compared: case, spaces and the spacing around '/' do not matter."""
    text = " ".join(str(name or "").split()).casefold()
    return re.sub(r"\s*/\s*", "/", text)


def chair_words(name: str) -> str:
    """'Bay C/5' -> 'Bay C chair 5'; a name that says what it is is left as it is."""
    name = " ".join(str(name).split())
    if "/" in name:
        bay, _, rest = name.partition("/")
        rest = rest.strip()
        return f"{bay.strip()} chair {rest}" if not rest.casefold().startswith("chair") else f"{bay.strip()} {rest}"
    low = name.casefold()
    return name if low.startswith(("chair", "bay", TRAINING_WORD, "room", "bed")) else f"chair {name}"


@dataclass(frozen=True)
class Active:
    """An active infusion as a store holds it."""

    chair: str
    patient_id: str | None
    training: bool
    workstation: str  # who drives it now (the lease holder on the server), else who started it
    wall_start: float
    status: str
    uid: str | None = None

    def since(self, now: float | None = None) -> str:
        """'06:40' today, else '12 Mar 06:40' (this workstation's clock and time zone)."""
        when = datetime.fromtimestamp(self.wall_start)
        today = datetime.fromtimestamp(now).date() if now is not None else datetime.now().date()
        return when.strftime("%H:%M") if when.date() == today else when.strftime("%d %b %H:%M")

    def where(self, now: float | None = None) -> str:
        """'Bay C chair 5 (workstation A, since 06:40)'."""
        ws = f"workstation {self.workstation}, " if self.workstation else ""
        return f"{chair_words(self.chair)} ({ws}since {self.since(now)})"

    def running(self) -> bool:
        return self.status != "planned"

    def to_dict(self) -> dict:
        return asdict(self)


def conflicts(found: list[Active], chair: str, patient_id: str | None, training: bool,
              uid: str | None = None) -> tuple[str, Active] | None:
    """('patient' | 'chair', the infusion in the way) for a new infusion, or None."""
    key, pid = chair_key(chair), (patient_id or "").strip()
    for a in found:
        if uid and a.uid == uid:
            continue
        if pid and not training and not a.training and (a.patient_id or "").strip() == pid:
            return "patient", a
    for a in found:
        if uid and a.uid == uid:
            continue
        if chair_key(a.chair) == key and not (training and a.training):
            return "chair", a
    return None


def refusal_line(rule: str, a: Active, chair: str, patient_id: str | None, now: float | None = None) -> str:
    """The one line a nurse reads when the store refuses the new infusion."""
    if rule == "patient":
        what = "already running" if a.running() else "already set up (not started)"
        return f"Patient {patient_id}: {what} on {a.where(now)}; finish or close that infusion first"
    thing = "a training run" if a.training else f"an infusion for patient {a.patient_id}" if a.patient_id \
        else "an infusion"
    what = f"already has {thing} running" if a.running() else f"already has {thing} set up (not started)"
    ws = f"workstation {a.workstation}, " if a.workstation else ""
    return (f"{chair_words(a.chair)}: {what} ({ws}since {a.since(now)}); choose another chair or close that "
            "infusion first")


def refuse(found: list[Active], chair: str, patient_id: str | None, training: bool, uid: str | None = None,
           now: float | None = None) -> None:
    """AlreadyActive naming where the other infusion is, if the new one may not be added."""
    check_real_chair_name(chair, training)
    hit = conflicts(found, chair, patient_id, training, uid)
    if hit is not None:
        rule, a = hit
        raise AlreadyActive(refusal_line(rule, a, chair, patient_id, now), rule, a)


def check_real_chair_name(chair: str, training: bool) -> None:
    if not training and chair_key(chair).startswith(TRAINING_WORD):
        raise AlreadyActive(f"Chair: '{chair}' begins with 'Training', which is kept for training runs; name a "
                            "real chair by its bay and number", "name")


def running_now_lines(found: list[Active], now: float | None = None) -> list[str]:
    """For the patient's history: 'Running now: on Bay C chair 5 (workstation A, since 06:40)'."""
    out = []
    for a in found:
        what = "Set up now, not started" if a.status == "planned" else "RUNNING NOW"
        out.append(f"{what}: on {a.where(now)}")
    return out
