"""The patient's own history in the New-infusion form: the last infusion of the same brand offers
its tolerated maximum, weeks since, a switch or a first infusion, put in the visible fields where
the nurse can see and change them (never the previous patient's values)."""
from __future__ import annotations

from ui import optional


class HistoryOffer:
    """A mixin of NewInfusionForm: looks the patient up when the identifier or the product changes."""

    def _lookup_history(self) -> None:
        """The patient's own history (same brand) offers the tolerated maximum and past reactions.

        The offered values are put in the visible fields, where the nurse can see and change them.
        """
        self.history_offer = None
        self.history.hide()
        pid = self.patient_id.text().strip()
        if not pid or self.journal is None:
            self._show_blockers()
            return
        mod = optional.load("titration.store.history")
        if mod is None:
            return
        try:
            ph = mod.History(self.journal).for_patient(pid)
            offer = ph.offer(self.product.currentData(), now_wall=self.wall()) if ph is not None else None
        except Exception as exc:  # noqa: BLE001 - a history problem must not block the form
            self.history.setText(f"History unavailable: {exc}")
            self.history.show()
            return
        if not offer:
            self.history.setText(f"No earlier infusion on record for {pid}.")
            self.history.show()
            self._show_blockers()
            return
        self.history_offer = dict(offer)
        self.history.setText("From this patient's history:\n" + "\n".join(self._history_lines()))
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

    def _history_lines(self) -> list[str]:
        o = self.history_offer or {}
        out = list(o.get("warnings") or [])
        if o.get("tolerated_why"):
            out.append(f"Previously tolerated maximum: {o['tolerated_why']}")
        if o.get("last_product_name"):
            out.append(f"Last infusion: {o['last_product_name']} on {o.get('last_date', '?')}")
        return out
