"""A chair at a glance: the words of its tile on the board and of its row in the chair list, from its
snapshot. This workstation's chairs and the unit's are summarised alike."""
from __future__ import annotations

from dataclasses import dataclass

from titration.chair_state import ChairState
from ui.common.style import GRADE_COLOURS, STATE_COLOURS


@dataclass(frozen=True)
class ChairSummary:
    """What a tile (and the chair list) shows about one chair; plain text, already worded."""

    key: object  # identifies the chair to its source (here: the ChairModel's id)
    chair: str
    patient: str
    product: str
    rate: str
    state: str
    next_what: str
    next_at: str = ""  # "now", a clock time, or ""
    finish: str = "—"
    alert: str = ""  # "" | "ringing" | "silenced"
    grade: str = "none"  # the reaction grade behind a proposal, for the colour
    training: bool = False
    workstation: str = ""  # "" for this one; the unit server names the others
    alerts: str = ""  # the unit server's alert lines for a chair driven elsewhere ("" for local chairs)
    priority: str = ""  # the loudest alert's priority: high | medium | low ("" when nothing is due)

    def lines(self) -> list[str]:
        if self.next_at == "now":
            nxt = f"NOW: {self.next_what}"
        else:
            nxt = f"{self.next_what} at {self.next_at}" if self.next_at else self.next_what
        return [f"{self.chair}{'  [TRAINING]' if self.training else ''}"
                + (f"  ({self.workstation})" if self.workstation else ""),
                self.patient, self.product, f"{self.state.upper()} · {self.rate}", f"next: {nxt}",
                f"finish: {self.finish}"] + ([self.alerts] if self.alerts else [])

    def colour(self) -> str:
        """The alert colour: the reaction grade's, else the alert's, else the state's."""
        if self.alert and self.grade not in ("none", ""):
            return GRADE_COLOURS[self.grade]
        if self.alert == "ringing":
            return GRADE_COLOURS["alert"]
        return STATE_COLOURS.get(self.state, "#555555")


def summary_of(st: ChairState, key: object, workstation: str = "") -> ChairSummary:
    """A chair's tile and list row, from its snapshot (this workstation's chairs and the unit's alike)."""
    due = st.next_due
    level = "ringing" if st.ringing else ("silenced" if st.alerts else "")
    grade = next((a.grade for a in st.alerts if a.grade not in ("none", "")), "none")
    return ChairSummary(
        key=key, chair=st.chair, patient=st.patient, product=st.product, rate=f"{st.pump_rate_ml_h:g} mL/h",
        state=st.status, next_what=due.what if due is not None else "—",
        next_at="" if due is None else due.at_text,
        # "10:46" while it runs, "ended 10:45" once it has ended: the core's finish words, never a dash
        finish=st.times.finish_text.split(",")[0],
        alert=level, grade=grade, training=st.training, workstation=workstation, priority=st.priority)
