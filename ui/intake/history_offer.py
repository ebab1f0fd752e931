"""The patient's own history in the New-infusion form: the last infusion of the same brand offers
its tolerated maximum, weeks since, a switch or a first infusion, put in the visible fields where
the nurse can see and change them (never the previous patient's values).

With a unit server the history is read off the GUI thread (ui.common.net_call): the form says it is
being read, and the infusion cannot be created until the answer is in (or the wait has passed
WAIT_MS and the form says the history could not be read), so a product switch or a previous
reaction is never missed because the server was slow."""
from __future__ import annotations

from PySide6.QtCore import QTimer

from ui import optional

WAIT_MS = 20_000  # a lookup is bounded by the connection's own limits; this bounds the form's wait too


class HistoryOffer:
    """A mixin of NewInfusionForm: looks the patient up when the identifier or the product changes."""

    _history_wait: tuple | None = None  # (patient id, product) being looked up on the unit server

    def _lookup_history(self) -> None:
        """The patient's own history (same brand) offers the tolerated maximum and past reactions.

        The offered values are put in the visible fields, where the nurse can see and change them.
        """
        self.history_offer = None
        self.history.hide()
        self._history_wait = None
        pid = self.patient_id.text().strip()
        if not pid or self.journal is None:
            self._show_blockers()
            return
        mod = optional.load("titration.store.history")
        if mod is None:
            return
        product, now = self.product.currentData(), self.wall()
        journal = self.journal

        def lookup():
            ph = mod.History(journal).for_patient(pid)
            return ph.offer(product, now_wall=now) if ph is not None else None, getattr(journal, "history_note", "")

        if getattr(journal, "outbox", None) is None:  # this workstation's own journal: at once, as always
            try:
                offer, note = lookup()
            except Exception as exc:  # noqa: BLE001 - a history problem must not block the form
                self._history_failed(exc)
                return
            self._history_ready(offer, note, pid)
            return
        ticket = (pid, product)
        self._history_wait = ticket
        self.history.setText(f"Reading {pid}'s history from the unit server…")
        self.history.show()
        self._show_blockers()
        if not hasattr(self, "_history_net"):
            from ui.common.net_call import NetCall  # noqa: PLC0415

            self._history_net = NetCall(self)
        self._history_net.run(lookup, lambda r: self._history_answer(ticket, r),
                              lambda exc: self._history_answer(ticket, exc))
        # the form as context: the timer dies with it (a closed form is never written to)
        QTimer.singleShot(WAIT_MS, self, lambda: self._history_timeout(ticket))

    def history_blocks(self) -> list[str]:
        """What the history lookup still holds up (for the form's blockers)."""
        return ["Patient history: being read from the unit server"] if self._history_wait else []

    def _history_answer(self, ticket, result) -> None:
        if self._history_wait != ticket:  # the nurse changed the patient or the product meanwhile, or it timed out
            return
        self._history_wait = None
        if isinstance(result, Exception):
            self._history_failed(result)
        else:
            self._history_ready(*result, ticket[0])

    def _history_timeout(self, ticket) -> None:
        if self._history_wait != ticket:
            return
        self._history_wait = None
        self._history_failed(TimeoutError(f"the unit server did not answer within {WAIT_MS // 1000} s"))

    def _history_failed(self, exc) -> None:
        self.history.setText(f"History unavailable: {exc}. Ask the patient and check the notes.")
        self.history.show()
        self._show_blockers()

    def _history_ready(self, offer, note: str, pid: str) -> None:
        if not offer:
            self.history.setText(f"No earlier infusion on record for {pid}." + (f"\n{note}" if note else ""))
            self.history.show()
            self._show_blockers()
            return
        self.history_offer = dict(offer)
        lines = self._history_lines() + ([note] if note else [])
        self.history.setText("From this patient's history:\n" + "\n".join(lines))
        self.history.show()
        req = offer.get("request") or {}
        if req.get("tolerated_max_mg_kg_min") is not None:
            self.tolerated.setText(f"{float(req['tolerated_max_mg_kg_min']):g}")
        if req.get("weeks_since_last") is not None and not self.weeks.text().strip():
            self.weeks.setText(f"{float(req['weeks_since_last']):g}")
        if req.get("product_switch"):
            self.product_switch.setChecked(True)
        if req.get("first_infusion"):
            self.first_infusion.setChecked(True)
        self.schedule_preview()
        self._show_blockers()

    def _history_lines(self) -> list[str]:
        o = self.history_offer or {}
        out = list(o.get("warnings") or [])
        if o.get("tolerated_why"):
            out.append(f"Previously tolerated maximum: {o['tolerated_why']}")
        if o.get("last_product_name"):
            out.append(f"Last infusion: {o['last_product_name']} on {o.get('last_date', '?')}")
        return out
