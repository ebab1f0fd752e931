"""The patient's own history in the New-infusion form: the last infusion of the same brand offers
its tolerated maximum, weeks since, a switch or a first infusion, put in the visible fields where
the nurse can see and change them (never the previous patient's values).

With a unit server the history is read off the GUI thread (ui.common.net_call): the form says it is
being read, and the infusion cannot be created until the answer is in (or the wait has passed
WAIT_MS and the form says the history could not be read), so a product switch or a previous
reaction is never missed because the server was slow."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from titration.errors import TitrationError
from ui.common.net_call import NetCall
from ui.intake.inputs import FlagsBox, PatientBox, PrescriptionBox

WAIT_MS = 20_000  # a lookup is bounded by the connection's own limits; this bounds the form's wait too


class HistoryOffer(QObject):
    """Looks the patient up when the identifier or the product changes; says what it found in the
    patient box's history line and fills the flags it offers. `sig_changed`: what holds up the
    form (`blocks`) or the fields it filled changed."""

    sig_changed = Signal()

    def __init__(self, patient: PatientBox, prescription: PrescriptionBox, flags: FlagsBox, journal,
                 wall: Callable[[], float], parent: QObject | None = None):
        super().__init__(parent)
        self.patient, self.prescription, self.flags = patient, prescription, flags
        self.journal = journal
        self.wall = wall
        self.line = patient.history
        self.offer: dict | None = None
        self._wait: tuple | None = None  # (patient id, product) being looked up on the unit server
        self._net: NetCall | None = None

    def clear(self) -> None:
        """A new patient: nothing of the last one's history."""
        self.offer = None
        self._wait = None
        self.line.hide()

    def lookup(self) -> None:
        """The patient's own history (same brand) offers the tolerated maximum and past reactions.

        The offered values are put in the visible fields, where the nurse can see and change them.
        """
        self.clear()
        pid = self.patient.patient_id.text().strip()
        if not pid or self.journal is None:
            self.sig_changed.emit()
            return
        from titration.store.history import History  # the store, only once a patient is looked up

        product, now = self.prescription.product.currentData(), self.wall()
        journal = self.journal

        def lookup():
            ph = History(journal).for_patient(pid)
            return ph.offer(product, now_wall=now) if ph is not None else None, getattr(journal, "history_note", "")

        if getattr(journal, "outbox", None) is None:  # this workstation's own journal: at once, as always
            try:
                offer, note = lookup()
            except (TitrationError, sqlite3.Error) as exc:  # a history problem must not block the form
                self._failed(exc)
                return
            self._ready(offer, note, pid)
            return
        ticket = (pid, product)
        self._wait = ticket
        self.line.setText(f"Reading {pid}'s history from the unit server…")
        self.line.show()
        self.sig_changed.emit()
        if self._net is None:
            self._net = NetCall(self)
        self._net.run(lookup, lambda r: self._answer(ticket, r), lambda exc: self._answer(ticket, exc))
        # this object as context: the timer dies with it, and it with its form (a closed form is never written to)
        QTimer.singleShot(WAIT_MS, self, lambda: self._timeout(ticket))

    def blocks(self) -> list[str]:
        """What the history lookup still holds up (for the form's blockers)."""
        return ["Patient history: being read from the unit server"] if self._wait else []

    def _answer(self, ticket, result) -> None:
        if self._wait != ticket:  # the nurse changed the patient or the product meanwhile, or it timed out
            return
        self._wait = None
        if isinstance(result, Exception):
            self._failed(result)
        else:
            offer, note = result
            self._ready(offer, note, ticket[0])

    def _timeout(self, ticket) -> None:
        if self._wait != ticket:
            return
        self._wait = None
        self._failed(TimeoutError(f"the unit server did not answer within {WAIT_MS // 1000} s"))

    def _failed(self, exc) -> None:
        self.line.setText(f"History unavailable: {exc}. Ask the patient and check the notes.")
        self.line.show()
        self.sig_changed.emit()

    def _ready(self, offer, note: str, pid: str) -> None:
        if not offer:
            self.line.setText(f"No earlier infusion on record for {pid}." + (f"\n{note}" if note else ""))
            self.line.show()
            self.sig_changed.emit()
            return
        self.offer = dict(offer)
        lines = self._lines() + ([note] if note else [])
        self.line.setText("From this patient's history:\n" + "\n".join(lines))
        self.line.show()
        req = offer.get("request") or {}
        fl = self.flags
        if req.get("tolerated_max_mg_kg_min") is not None:
            fl.tolerated.setText(f"{float(req['tolerated_max_mg_kg_min']):g}")
        if req.get("weeks_since_last") is not None and not fl.weeks.text().strip():
            fl.weeks.setText(f"{float(req['weeks_since_last']):g}")
        if req.get("product_switch"):
            fl.product_switch.setChecked(True)
        if req.get("first_infusion"):
            fl.first_infusion.setChecked(True)
        self.sig_changed.emit()

    def _lines(self) -> list[str]:
        o = self.offer or {}
        out = list(o.get("warnings") or [])
        if o.get("tolerated_why"):
            out.append(f"Previously tolerated maximum: {o['tolerated_why']}")
        if o.get("last_product_name"):
            out.append(f"Last infusion: {o['last_product_name']} on {o.get('last_date', '?')}")
        return out
