"""What a trainee is told before a scenario starts: the patient and the prescription, never what
will happen.

A scenario's title, description and learning goals say what the exercise teaches ("Mild reaction
at the first increase", "Fever found only in the vitals"): shown before the start they give the
answer away. The briefing is made from the scenario's data only (the patient, the prescription,
the reaction policy); the title, the goals and the lesson are shown in the debrief.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..policy import get_policy
from ..products import INDICATIONS, load_library


@dataclass(frozen=True)
class Briefing:
    patient: str  # "Patient: 4 years old, 18 kg"
    prescription: str  # "Octagam 10% for Kawasaki disease: 2 g/kg (36 g) ..."
    notes: tuple[str, ...] = ()  # flags a nurse would read on the prescription (first infusion, at risk ...)

    def line(self) -> str:
        """One line for a tile or a banner."""
        return f"{self.patient} · {self.prescription}"

    def text(self) -> str:
        return "\n".join([self.patient, self.prescription, *self.notes])


def briefing(sc) -> Briefing:
    """The patient and the prescription of scenario `sc` (titration.training.scenario.Scenario)."""
    r = sc.request
    who = []
    if r.age_years is not None:
        who.append(f"{r.age_years:g} years old")
    if r.sex:
        who.append(r.sex)
    who.append(f"{r.weight_kg:g} kg")
    patient = "Patient: " + ", ".join(who) + (f" ({sc.patient_id})" if sc.patient_id else "")
    library = load_library()
    product = library[r.product].name if r.product in library else r.product
    indication = INDICATIONS.get(r.indication, r.indication)
    dose_g = r.dose_g_per_kg * r.weight_kg
    protocol = f", protocol {r.protocol}" if r.protocol else ""
    rx = (f"Prescription: {product} for {indication}, {r.dose_g_per_kg:g} g/kg ({dose_g:g} g){protocol}; "
          f"reaction policy: {get_policy(sc.policy).name}")
    notes = []
    if r.first_infusion:
        notes.append("First infusion of this product.")
    if r.product_switch:
        notes.append("Another brand than last time.")
    if r.at_risk:
        cap = f" (prescriber's cap {r.at_risk_cap_mg_kg_min:g} mg/kg/min)" if r.at_risk_cap_mg_kg_min else ""
        notes.append(f"At risk of renal dysfunction or thrombosis{cap}.")
    if r.tolerated_max_mg_kg_min is not None:
        notes.append(f"Previously tolerated up to {r.tolerated_max_mg_kg_min:g} mg/kg/min.")
    return Briefing(patient, rx, tuple(notes))
