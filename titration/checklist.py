"""The pre-infusion checklist's rules (clinical reference, section 5): which questions are asked of
this patient, and what the answers mean.

An answer may block the start outright (a contraindication, or a question left unanswered), hold
it until a prescriber has decided (titration/holds.py), warn, or set a flag the plan uses (at
risk, product switch, first infusion). Nothing here computes a rate; the form only shows the
questions and passes the answers here.

Questions that do not apply are not asked: pregnancy and breastfeeding are asked of a female
patient (or one whose sex is not given) from 12 years of age, or whose age is not given. Source
for the age: NHS Greater Glasgow and Clyde, "Pregnancy testing guidelines for girls aged 12 yrs &
over" (Royal Hospital for Children), after NPSA, NICE and RCPCH: pregnancy status is ascertained
in females of child-bearing age, from 12 years
(https://clinicalguidelines.scot.nhs.uk/nhsggc-paediatric-clinical-guidelines/nhsggc-guidelines/
emergency-medicine/pregnancy-testing-guidelines-for-girls-aged-12-yrs-over-rhc/). Where the sex or
the age is not known the question is asked (the safer reading).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

SRC_REACTION = "nsccm.org.np ICU protocol (G); MIMS Gamunex-C HK (L2); epgonline Gammagard Liquid (L2)"
SRC_IGA = "epgonline.org (L2); MIMS Thailand Kiovig (L2)"
SRC_PREG = "Privigen, Flebogamma and Gammagard SmPC (L); ch.oddb.org reg 57676 (L)"
SRC_VACCINE = ("Swiss SmPC ch.oddb.org 61547/58314 (L); gov.uk immunoglobulin patient information (G); "
               "BNF via gpnotebook (G)")
SRC_INFECTION = "Immunodeficiency UK FAQ (G)"
SRC_RISK = "US IVIG boxed warnings (L)"
SRC_HYDRATION = "US IVIG boxed warnings (L): ensure adequate hydration before administration"
SRC_SWITCH = ("privigen.com, gammagard.com professional pages (L): switching product, start at the minimum rate "
              "(ref 2.1)")
PREGNANCY_FROM_YEARS = 12.0  # NHS GGC pregnancy testing guideline (girls aged 12 and over), see above

RENAL = (  # boxed warnings (L), ref 1 and 5
    ("renal-insufficiency", "pre-existing renal insufficiency"),
    ("diabetes", "diabetes mellitus"),
    ("age-over-65", "age over 65"),
    ("volume-depletion", "volume depletion"),
    ("sepsis", "sepsis"),
    ("paraproteinaemia", "paraproteinaemia"),
    ("nephrotoxic-drugs", "nephrotoxic drugs"),
)
THROMBOSIS = (  # boxed warnings (L); obesity: medinfogalway.ie (G), ref 5
    ("advanced-age", "advanced age"),
    ("immobilisation", "prolonged immobilisation"),
    ("hypercoagulable", "hypercoagulable condition"),
    ("prior-thrombosis", "history of venous or arterial thrombosis"),
    ("estrogens", "estrogens"),
    ("central-catheter", "indwelling central venous catheter"),
    ("hyperviscosity", "hyperviscosity"),
    ("cv-risk", "cardiovascular risk factors"),
    ("obesity", "obesity"),
)


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    source: str
    answers: tuple[str, ...] = ("No", "Yes")
    record_as: str = ""  # the words in the record ("previous severe reaction")


QUESTIONS = (
    Question("prior_reaction", "Previous severe or anaphylactic reaction to immunoglobulin?", SRC_REACTION,
             record_as="previous severe reaction"),
    Question("iga", "IgA deficiency with antibodies against IgA?", SRC_IGA, record_as="IgA deficiency with antibodies"),
    Question("pregnant", "Pregnant?", SRC_PREG, record_as="pregnant"),
    Question("breastfeeding", "Breastfeeding?", SRC_PREG, record_as="breastfeeding"),
    Question("vaccine", "Live vaccine in the last 2 weeks, or one planned in the next 3 months?", SRC_VACCINE,
             record_as="live vaccine"),
    Question("infection", "Infection today?", SRC_INFECTION, record_as="infection today"),
    Question("brand", "Same brand as last time?", SRC_SWITCH, ("Yes, same", "No, a switch", "First infusion"),
             record_as="same brand"),
)
BY_ID = {q.id: q for q in QUESTIONS}


def questions_for(age_years: float | None, sex: str | None) -> tuple[Question, ...]:
    """The questions asked of this patient: pregnancy and breastfeeding only where they can apply."""
    return tuple(q for q in QUESTIONS if q.id not in ("pregnant", "breastfeeding") or can_be_pregnant(age_years, sex))


def can_be_pregnant(age_years: float | None, sex: str | None) -> bool:
    if sex == "male":
        return False
    return age_years is None or age_years >= PREGNANCY_FROM_YEARS


def asked_for(age_years: float | None, sex: str | None) -> str:
    """Which age and sex chose the questions, for the record ('a male patient: pregnancy not asked')."""
    who = []
    if age_years is not None:
        who.append(f"{age_years:g} years")
    if sex:
        who.append(sex)
    who_text = ", ".join(who) or "age and sex not given"
    if can_be_pregnant(age_years, sex):
        return f"{who_text}: every question asked"
    why = "male" if sex == "male" else f"under {PREGNANCY_FROM_YEARS:g} years (NHS GGC pregnancy testing guideline)"
    return f"{who_text}: pregnancy and breastfeeding not asked ({why})"


@dataclass(frozen=True)
class ChecklistAnswers:
    """What the nurse answered: question id -> the index of the answer (None: not answered)."""

    answers: Mapping[str, int | None] = field(default_factory=dict)
    risk_factors: tuple[str, ...] = ()  # keys of RENAL and THROMBOSIS ticked ("renal:diabetes", "thrombosis:obesity")
    hydrated: bool = False
    iga_prescriber: str = ""  # a prescriber's override for IgA deficiency: name and reason
    iga_reason: str = ""
    iga_override: bool = False
    age_years: float | None = None
    sex: str | None = None


@dataclass
class ChecklistResult:
    blocks: list[str] = field(default_factory=list)  # the start cannot happen (a contraindication, a question)
    holds: list[str] = field(default_factory=list)  # the start waits for the prescriber's decision
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    at_risk: bool = False
    risk_factors: list[str] = field(default_factory=list)
    product_switch: bool = False
    first_infusion: bool = False
    override: str = ""  # the prescriber's IgA override, as recorded
    answers: dict = field(default_factory=dict)  # question -> answer, for the record
    asked_for: str = ""

    @property
    def ok(self) -> bool:
        return not self.blocks

    def event_data(self) -> dict:
        """The checklist as the journal keeps it (event "checklist")."""
        return {"answers": dict(self.answers), "blocks": list(self.blocks), "holds": list(self.holds),
                "warnings": list(self.warnings), "notes": list(self.notes), "risk_factors": list(self.risk_factors),
                "override": self.override, "asked_for": self.asked_for}

    def record(self) -> str:
        """The answers as one line for the journal."""
        parts = ["Pre-infusion checklist: " + "; ".join(f"{q}: {a}" for q, a in self.answers.items())]
        parts += [f"BLOCK {b}" for b in self.blocks]
        parts += [f"HOLD {h}" for h in self.holds]
        parts += [f"warning: {w}" for w in self.warnings]
        if self.risk_factors:
            parts.append("risk factors: " + ", ".join(self.risk_factors))
        if self.override:
            parts.append(f"IgA override: {self.override}")
        parts += self.notes
        return " | ".join(parts)


def assess(a: ChecklistAnswers) -> ChecklistResult:
    """What the answers mean: blocks, holds, warnings, notes and the plan's flags."""
    r = ChecklistResult(asked_for=asked_for(a.age_years, a.sex))
    asked = questions_for(a.age_years, a.sex)
    for q in asked:
        v = a.answers.get(q.id)
        r.answers[q.record_as] = "unanswered" if v is None else q.answers[v]
    r.answers["hydrated"] = "confirmed" if a.hydrated else "not confirmed"
    ids = {q.id for q in asked}

    def ans(qid: str) -> int | None:
        return a.answers.get(qid) if qid in ids else 0

    pr = ans("prior_reaction")
    if pr is None:
        r.blocks.append("answer: previous severe reaction to immunoglobulin?")
    elif pr == 1:
        r.blocks.append("previous severe or anaphylactic reaction to immunoglobulin: contraindicated, "
                        "do not start; contact the prescriber")
    iga = ans("iga")
    if iga is None:
        r.blocks.append("answer: IgA deficiency with anti-IgA antibodies?")
    elif iga == 1:
        who, why = a.iga_prescriber.strip(), a.iga_reason.strip()
        if a.iga_override and who and why:
            r.override = f"{who}: {why}"
            r.warnings.append("IgA deficiency with anti-IgA antibodies: started on the prescriber's override "
                              f"({who}: {why})")
        else:
            r.blocks.append("IgA deficiency with anti-IgA antibodies: contraindicated unless the prescriber's "
                            "override is recorded with a name and a reason")
    for qid, what in (("pregnant", "pregnant?"), ("breastfeeding", "breastfeeding?"),
                      ("vaccine", "live vaccine in the last 2 weeks or planned in the next 3 months?"),
                      ("infection", "infection today?")):
        if qid in ids and ans(qid) is None:  # every question asked is answered, so none is skipped by accident
            r.blocks.append(f"answer: {what}")
    if ans("pregnant") == 1:
        r.notes.append("Pregnancy: safety not established in controlled trials; give with caution. IVIg crosses "
                       "the placenta, more in the third trimester; experience suggests no harm to the pregnancy, "
                       "fetus or neonate. Dosing weight: pre-pregnancy weight (Ontario).")
    if ans("breastfeeding") == 1:
        r.notes.append("Breastfeeding: immunoglobulin passes into milk and may help protect the baby; "
                       "no negative effects expected.")
    if ans("vaccine") == 1:  # the vaccine's effect is at stake, not the infusion's safety: a warning
        r.warnings.append("Live vaccines: immunoglobulin may impair live attenuated vaccines (measles, rubella, "
                          "mumps, varicella) for at least 6 weeks and up to 3 months; leave 3 months before "
                          "such a vaccine; normal Ig not less than 2 weeks after one. Tell the prescriber.")
    if ans("infection") == 1:  # a reaction is more likely: the prescriber decides whether to delay
        r.holds.append("an infection today raises the reaction risk (consider delaying)")
    brand = ans("brand")
    if brand is None:
        r.blocks.append("answer: same brand as last time?")
    elif brand == 1:
        r.product_switch = True
        r.warnings.append("Product switch: the infusion starts at the initial rate.")
    elif brand == 2:
        r.first_infusion = True
    names = {f"renal:{k}": f"renal: {t}" for k, t in RENAL} | {f"thrombosis:{k}": f"thrombosis: {t}"
                                                               for k, t in THROMBOSIS}
    r.risk_factors = [names[k] for k in a.risk_factors if k in names]
    r.at_risk = bool(r.risk_factors)
    if not a.hydrated:
        r.blocks.append("confirm the patient is adequately hydrated")
    return r
