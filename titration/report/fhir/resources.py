"""The FHIR resources of one infusion record, as plain dicts (bundle.py validates them):

Patient; a Practitioner per nurse; the prescription (MedicationRequest); a Medication per lot
(batch.lotNumber, batch.expirationDate) and, when the dose spans several lots, one Medication
whose ingredients are the lots; the whole infusion (MedicationAdministration: status,
effectivePeriod, total dose) and one MedicationAdministration per rate segment (partOf the whole,
dosage.rateQuantity in mL/h: the R4 comment on dosage.rate[x] asks for one per change of rate);
a MedicationAdministration per premedication; vital-sign Observations (LOINC, UCUM, the R4
vital-signs profiles); an AdverseEvent per reaction (suspectEntity the infusion, seriousness and
severity from the grade), its findings as Observations (focus: the AdverseEvent).
"""
from __future__ import annotations

from .codes import (
    ATC,
    BP,
    BP_PARTS,
    DATA_ABSENT,
    HTEST,
    IVIG_ATC,
    LOINC,
    OBS_CATEGORY,
    OUTCOME,
    PERFORMER_FUNCTION,
    PREMED_UNITS,
    PROFILE,
    PULSE_OXIMETRY,
    ROUTES,
    SERIOUS_KINDS,
    SERIOUSNESS,
    SEVERITY,
    SNOMED,
    VITALS,
    coding,
    quantity,
)
from .ids import Ids

SINGLE_IDENTIFIER = {"AdverseEvent"}  # R4: AdverseEvent.identifier is 0..1, not a list


class Resources:
    """Builds the entries: (fullUrl, resource, identifier or None)."""

    def __init__(self, record, ids: Ids):
        self.r, self.ids = record, ids
        self.entries: list[tuple[str, dict, dict | None]] = []
        self.people: dict[str, str] = {}  # name -> Practitioner fullUrl

    # ------------------------------------------------------------------ helpers
    def add(self, rtype: str, name: str, body: dict, identifier: dict | None) -> str:
        url = self.ids.full_url(rtype, name)
        res = {"resourceType": rtype}
        meta = dict(body.pop("meta", {}))
        if self.r.training:
            meta["tag"] = [HTEST]
        if meta:
            res["meta"] = meta
        if identifier is not None:
            res["identifier"] = identifier if rtype in SINGLE_IDENTIFIER else [identifier]
        res.update(body)
        self.entries.append((url, res, identifier))
        return url

    def ref(self, url: str) -> dict:
        return {"reference": url}

    def who(self, name: str) -> dict | None:
        url = self.people.get(name)
        return self.ref(url) if url else None

    def product(self) -> dict:
        return {"coding": [coding(ATC, *IVIG_ATC)], "text": self.r.product_name}

    @staticmethod
    def route(route: str) -> dict:
        code, display = ROUTES[route]
        return {"coding": [coding(SNOMED, code, display)], "text": display}

    # ------------------------------------------------------------------ people
    def patient(self) -> str:
        r = self.r
        ident = self.ids.identifier("patient-id", r.patient_id) if r.patient_id else None
        body: dict = {}
        if r.patient_name and not r.deidentified:
            body["name"] = [{"text": r.patient_name}]
        sex = getattr(r.session.original_plan.request, "sex", None)
        if sex in ("female", "male"):
            body["gender"] = sex
        return self.add("Patient", "patient", body, ident)

    def practitioners(self) -> None:
        names = [n for n, _, _ in self.r.nurses] + [n for _, _, n in self.r.second_checks]
        for name in dict.fromkeys(names):
            body = {} if self.r.deidentified else {"name": [{"text": name}]}
            self.people[name] = self.add("Practitioner", f"nurse/{name}", body, self.ids.identifier("nurse", name))

    # ------------------------------------------------------------------ the drug
    def medications(self) -> dict:
        """The medication[x] of the infusion: one lot's Medication, or one made of the lots."""
        lots = self.r.lots
        urls = []
        for gtin, lot, expiry, count, grams in lots:
            batch = {"lotNumber": lot}
            if expiry:
                batch["expirationDate"] = expiry
            body = {"code": {**self.product(), "coding": [coding(ATC, *IVIG_ATC)]},
                    "amount": {"numerator": quantity(grams, "g"), "denominator": quantity(count, "{vial}")},
                    "batch": batch}
            ident = None if self.r.deidentified else self.ids.identifier("lot", f"{gtin}/{lot}")
            urls.append(self.add("Medication", f"lot/{gtin}/{lot}", body, ident))
        if not urls:
            return {"medicationCodeableConcept": self.product()}
        if len(urls) == 1:
            return {"medicationReference": self.ref(urls[0])}
        pooled = {"code": self.product(),
                  "ingredient": [{"itemReference": self.ref(u), "isActive": True} for u in urls]}
        return {"medicationReference": self.ref(self.add("Medication", "pooled", pooled, self.ids.local("medication")))}

    def request(self, patient: str, medication: dict) -> str:
        r, p0 = self.r, self.r.session.original_plan
        status = {"completed": "completed", "closed": "completed" if "STOPPED" not in r.outcome else "stopped",
                  "stopped": "stopped"}.get(r.session.status, "active")
        body = {"status": status, "intent": "order", **medication, "subject": self.ref(patient),
                "authoredOn": self.ids.at(0.0),
                "dosageInstruction": [{"text": f"{p0.request.dose_g_per_kg:g} g/kg = {p0.dose.dose_g:g} g IV, "
                                               f"rates by {r.protocol}",
                                       "route": self.route("IV"),
                                       "doseAndRate": [{"doseQuantity": quantity(p0.dose.dose_g, "g")}]}]}
        return self.add("MedicationRequest", "request", body, self.ids.local("request"))

    def administrations(self, patient: str, request: str, medication: dict) -> str:
        r, s = self.r, self.r.session
        st = s.status
        status = {"running": "in-progress", "paused": "on-hold", "completed": "completed", "closed": "completed",
                  "stopped": "stopped", "planned": "not-done"}[st]
        if st == "closed" and "STOPPED" in r.outcome:
            status = "stopped"
        start = r.started_min if r.started_min is not None else 0.0
        period = {"start": self.ids.at(start)}
        if r.end_min is not None:
            period["end"] = self.ids.at(r.end_min)
        body = {"status": status, **medication, "subject": self.ref(patient), "effectivePeriod": period,
                "request": self.ref(request),
                "dosage": {"route": self.route("IV"), "dose": quantity(r.delivered_g, "g")}}
        starter = next((e for e in s.events if e.kind == "start"), None)
        performers = []
        if starter is not None and self.who(starter.who):
            performers.append({"actor": self.who(starter.who)})
        for what, _, name in r.second_checks:
            if what.startswith("pump setting") and self.who(name):
                performers.append({"function": {"coding": [coding(PERFORMER_FUNCTION, "verifier", "Verifier")]},
                                   "actor": self.who(name)})
        if performers:
            body["performer"] = performers
        whole = self.add("MedicationAdministration", "administration", body, self.ids.local("administration"))
        self.segments(patient, whole, medication)
        return whole

    def segments(self, patient: str, whole: str, medication: dict) -> None:
        s = self.r.session
        done = next((e.data.get("volume_in_min", e.at_min) for e in s.events if e.kind == "complete"), None)
        setters = [e for e in s.events if e.kind in ("start", "increase", "action", "resume", "pause")]
        until = None if s.state.end_min is not None else self.r.now_min
        for i, (a, b, rate) in enumerate(s.rate_segments(until=until)):
            if rate <= 0 and done is not None and a >= done - 1e-6:
                continue  # the bag was empty: not an administration
            body = {"status": "on-hold" if rate <= 0 else "completed" if b < self.r.now_min or s.state.end_min else
                    "in-progress", "partOf": [self.ref(whole)], **medication, "subject": self.ref(patient),
                    "effectivePeriod": {"start": self.ids.at(a), "end": self.ids.at(b)},
                    "dosage": {"route": self.route("IV"), "rateQuantity": quantity(rate, "mL/h"),
                               "dose": quantity(rate * (b - a) / 60.0, "mL")}}
            setter = next((e for e in reversed(setters) if e.at_min <= a + 1e-6), None)
            if setter is not None and self.who(setter.who):
                body["performer"] = [{"actor": self.who(setter.who)}]
            self.add("MedicationAdministration", f"segment/{i + 1}", body, self.ids.local(f"segment/{i + 1}"))

    def premedications(self, patient: str) -> None:
        for i, p in enumerate(self.r.premedications):
            med = {"text": p.drug}
            if p.atc:
                med["coding"] = [coding(ATC, p.atc, p.drug)]
            body = {"status": "completed", "medicationCodeableConcept": med, "subject": self.ref(patient),
                    "effectiveDateTime": self.ids.at(p.given_min),
                    "dosage": {"route": self.route(p.route), "dose": quantity(p.dose, PREMED_UNITS[p.unit])}}
            if self.who(p.who):
                body["performer"] = [{"actor": self.who(p.who)}]
            name = f"premedication/{i + 1}"
            self.add("MedicationAdministration", name, body, self.ids.local(name))

    # ------------------------------------------------------------------ observations
    def _obs(self, name: str, code: tuple, at: float, patient: str, who: str, extra: dict, profile: str) -> None:
        body = {"meta": {"profile": [PROFILE + "vitalsigns", PROFILE + profile]}, "status": "final",
                "category": [{"coding": [coding(OBS_CATEGORY, "vital-signs", "Vital Signs")], "text": "Vital Signs"}],
                "code": {"coding": [coding(LOINC, code[0], code[1])], "text": code[1]},
                "subject": self.ref(patient), "effectiveDateTime": self.ids.at(at), **extra}
        if self.who(who):
            body["performer"] = [self.who(who)]
        self.add("Observation", name, body, self.ids.local(name))

    def vitals(self, patient: str) -> None:
        for i, v in enumerate(self.r.vitals):
            vals = v.values
            for f, (code, display, unit, profile) in VITALS.items():
                if f not in vals:
                    continue
                code_t = (code, display)
                extra = {"valueQuantity": quantity(vals[f], unit)}
                name = f"vitals/{i + 1}/{f}"
                if f == "spo2":
                    self._obs(name, code_t, v.at_min, patient, v.who, extra, profile)
                    self.entries[-1][1]["code"]["coding"].append(coding(LOINC, *PULSE_OXIMETRY))
                    continue
                self._obs(name, code_t, v.at_min, patient, v.who, extra, profile)
            if "sbp" in vals or "dbp" in vals:
                comps = []
                for f, (code, display) in BP_PARTS.items():
                    c = {"code": {"coding": [coding(LOINC, code, display)], "text": display}}
                    if f in vals:
                        c["valueQuantity"] = quantity(vals[f], "mm[Hg]")
                    else:
                        c["dataAbsentReason"] = {"coding": [coding(DATA_ABSENT, "not-performed", "Not Performed")]}
                    comps.append(c)
                self._obs(f"vitals/{i + 1}/bp", BP[:2], v.at_min, patient, v.who, {"component": comps}, BP[2])

    def reactions(self, patient: str, whole: str) -> None:
        for i, x in enumerate(self.r.reactions):
            if x.grade == "none":
                continue
            serious = x.grade == "severe" or x.kind in SERIOUS_KINDS
            body = {"actuality": "actual", "event": {"text": x.kind_label}, "subject": self.ref(patient),
                    "date": self.ids.at(x.at_min), "detected": self.ids.at(x.at_min),
                    "recordedDate": self.ids.at(x.at_min),
                    "seriousness": {"coding": [coding(SERIOUSNESS, "serious" if serious else "non-serious",
                                                      "Serious" if serious else "Non-serious")]},
                    "severity": {"coding": [coding(SEVERITY, x.grade, x.grade.capitalize())]},
                    "outcome": {"coding": [coding(OUTCOME, "resolved", "Resolved") if x.resolved_at is not None
                                           else coding(OUTCOME, "ongoing", "Ongoing")]},
                    "suspectEntity": [{"instance": self.ref(whole)}]}
            if self.who(x.who):
                body["recorder"] = self.who(x.who)
            ae = self.add("AdverseEvent", f"reaction/{i + 1}", body, self.ids.local(f"reaction/{i + 1}"))
            for j, label in enumerate(x.symptoms):
                name = f"reaction/{i + 1}/finding/{j + 1}"
                obs = {"status": "final", "code": {"text": label}, "subject": self.ref(patient),
                       "effectiveDateTime": self.ids.at(x.at_min), "valueBoolean": True,
                       "focus": [self.ref(ae)], "partOf": [self.ref(whole)]}
                if self.who(x.who):
                    obs["performer"] = [self.who(x.who)]
                self.add("Observation", name, obs, self.ids.local(name))

    def build(self) -> list[tuple[str, dict, dict | None]]:
        patient = self.patient()
        self.practitioners()
        medication = self.medications()
        request = self.request(patient, medication)
        whole = self.administrations(patient, request, medication)
        self.premedications(patient)
        self.vitals(patient)
        self.reactions(patient, whole)
        return self.entries
