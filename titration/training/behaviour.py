"""How a scenario's simulated patient behaves: its `[behaviour]` section (or a scripted
`[[events]]` list), read and checked.

A scenario's `[behaviour]` section describes the patient (README "Writing a scenario"):

    [[behaviour.reaction]]
    id = "chills"                             # a name for the debrief
    symptoms = ["chills"]                     # catalogue ids (resources/symptoms.toml)
    onset = { step = 2, delay_min = 5 }       # or at_min (after the start), rate_ml_kg_min,
                                              # after_end_min; delay_min: how long the rate is held
    vitals = { temp_c = 0.6, pulse = 12 }     # change from [patient].baseline_vitals while active
    settle_min = 15                           # settles after this long with the rate lowered
    settles_on = "slow"                       # slow (any lower rate) | pause (rate zero) | stop (ended)
    worsen_after_min = 10                     # not relieved for this long: worse
    worsen_to = ["rigors"]                    # what the patient then reports
    worsen_vitals = { temp_c = 1.4, pulse = 25 }
    recur_within_min = 30                     # rate back up to the onset rate this soon after settling:
    recur_delay_min = 5                       #   symptoms come back this long after
    recur_symptoms = ["chills"]               # default: the onset symptoms
    silent = false                            # true: says nothing; found only in the vitals

The patient is deterministic: its course depends only on the pump history it is shown and on
the seed (vitals noise is seeded by seed and time, so asking twice gives the same reading).
The patient speaks in its own words (the catalogue's `words`), never in grades.
Scenarios without `[behaviour]` (only `[[events]]`) are played as a script: symptoms at fixed times,
settling at the next `resolved = true` event.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from ..catalogue_file import load_catalogue
from ..data import Table, load_toml, resource
from ..errors import DataError
from ..vitals import VITAL_FIELDS, Vitals

ONSETS = ("at_min", "rate_ml_kg_min", "step", "after_end_min")
SETTLES_ON = ("slow", "pause", "stop")
REACTION_KEYS = ("id", "symptoms", "onset", "vitals", "settle_min", "settles_on", "worsen_after_min", "worsen_to",
                 "worsen_vitals", "recur_within_min", "recur_delay_min", "recur_symptoms", "silent", "note")
BEHAVIOUR_KEYS = ("reaction", "noise", "better_words", "worse_words", "recur_words")


# ---------------------------------------------------------------------------- defaults (resources/training.toml)
@dataclass(frozen=True)
class PatientDefaults:
    settle_min: float
    recur_delay_min: float
    noise: dict
    better_words: str
    worse_words: str
    recur_words: str


@lru_cache(maxsize=4)
def load_settings(path: str | None = None) -> PatientDefaults:
    path = path or str(resource("training.toml"))
    return read_patient_defaults(Table(load_toml(path), path).table("patient"))


def read_patient_defaults(t: Table) -> PatientDefaults:
    """training.toml's [patient] section, read strictly (the rest of the file: settings.base_settings)."""
    nt = t.table("noise")
    noise = {}
    for f in nt.data:
        if f not in VITAL_FIELDS:
            raise nt.fail(f, f"is not a vital sign; use {', '.join(VITAL_FIELDS)}")
        noise[f] = nt.num(f, lo=0, hi=20)
    defaults = PatientDefaults(t.num("settle_min", lo=0.5, hi=240), t.num("recur_delay_min", lo=0, hi=240), noise,
                               t.str("better_words"), t.str("worse_words"), t.str("recur_words"))
    t.finish()
    return defaults


# ---------------------------------------------------------------------------- the scenario's description
@dataclass(frozen=True)
class Onset:
    kind: str  # at_min | rate_ml_kg_min | step | after_end_min | clock_min (a scripted [[events]] time)
    value: float
    delay_min: float = 0.0


@dataclass(frozen=True)
class ReactionSpec:
    id: str
    symptoms: tuple[str, ...]
    onset: Onset
    vitals: dict = field(default_factory=dict)
    settle_min: float = math.inf
    settles_on: str = "slow"
    worsen_after_min: float | None = None
    worsen_to: tuple[str, ...] = ()
    worsen_vitals: dict = field(default_factory=dict)
    recur_within_min: float = 0.0
    recur_delay_min: float = 0.0
    recur_symptoms: tuple[str, ...] = ()
    silent: bool = False
    resolves_at_min: float | None = None  # scripted: settles at this time whatever the pump does


@dataclass(frozen=True)
class Behaviour:
    reactions: tuple[ReactionSpec, ...]
    baseline: Vitals | None
    noise: dict
    better_words: str
    worse_words: str
    recur_words: str
    scripted: bool = False


def _deltas(t: Table, key: str, baseline: Vitals | None) -> dict:
    v = t.raw(key, {})
    if not isinstance(v, dict):
        raise t.fail(key, "must be a table of changes from baseline, like {temp_c = 1.2, pulse = 20}")
    Table(v, t.path, t._k(key)).only(VITAL_FIELDS, "vital sign")
    out = {}
    for f, d in v.items():
        if isinstance(d, bool) or not isinstance(d, (int, float)) or not math.isfinite(d):
            raise t.fail(f"{key}.{f}", f"must be a number (a change from baseline), not {d!r}")
        if baseline is None or getattr(baseline, f) is None:
            raise t.fail(f"{key}.{f}", f"needs a baseline: add {f} to [patient].baseline_vitals")
        lo, hi = VITAL_FIELDS[f][2]
        value = getattr(baseline, f) + d
        if not lo <= value <= hi:
            raise t.fail(f"{key}.{f}",
                         f"baseline {getattr(baseline, f):g} + {d:g} = {value:g} is outside {lo:g} to {hi:g}")
        out[f] = float(d)
    return out


def _symptoms(t: Table, key: str, default=(), allow_empty: bool = False) -> tuple[str, ...]:
    ids = t.strs(key, default)
    cat = load_catalogue()
    for s in ids:
        if s not in cat.symptoms:
            raise t.fail(key, f"{s!r} is not a symptom id (see resources/symptoms.toml)")
    if not ids and not allow_empty:
        raise t.fail(key, "must name at least one symptom id")
    return tuple(ids)


def _onset(t: Table) -> Onset:
    o = t.table("onset")
    o.only(ONSETS + ("delay_min",), "onset key")
    kinds = [k for k in ONSETS if o.has(k)]
    if len(kinds) != 1:
        raise t.fail("onset", f"give exactly one of {', '.join(ONSETS)}")
    k = kinds[0]
    hi = {"at_min": 24 * 60, "rate_ml_kg_min": 1.0, "step": 50, "after_end_min": 24 * 60}[k]
    v = o.num(k, lo=0, hi=hi)
    if k == "step" and (v < 1 or v != int(v)):
        raise o.fail("step", f"{v:g} must be a whole step number from 1 (step 1 is the starting rate)")
    if k == "rate_ml_kg_min" and v <= 0:
        raise o.fail(k, "must be above 0")
    return Onset(k, v, o.num("delay_min", 0.0, lo=0, hi=24 * 60))


def read_behaviour(scenario) -> Behaviour:
    """The simulated patient of a scenario; every problem names file, key and what is wrong."""
    raw, path = scenario.raw, scenario.path
    settings = load_settings()
    baseline = scenario.baseline
    top = Table(raw, path)
    if not top.has("behaviour"):
        return _scripted(scenario, settings)
    b = top.table("behaviour").only(BEHAVIOUR_KEYS, "behaviour key")
    if baseline is None:
        raise DataError(path, "patient.baseline_vitals", "is missing: a simulated patient needs baseline vitals")
    noise = dict(settings.noise)
    nt = b.table("noise", {}).only(VITAL_FIELDS, "vital sign")
    for f in nt.data:
        noise[f] = nt.num(f, lo=0, hi=20)
    specs = []
    seen = set()
    for i, t in enumerate(b.tables("reaction") if b.has("reaction") else []):
        t.only(REACTION_KEYS, "reaction key")
        rid = t.str("id", f"reaction-{i + 1}")
        if rid in seen:
            raise t.fail("id", f"{rid!r} appears twice")
        seen.add(rid)
        silent = t.bool("silent", False)
        syms = _symptoms(t, "symptoms", (), allow_empty=silent)
        vit = _deltas(t, "vitals", baseline)
        if silent and not vit:
            raise t.fail("vitals", "a silent reaction is found only in the vitals: give the changes")
        worsen_after = t.num("worsen_after_min", None, lo=0.5, hi=24 * 60)
        worsen_to = _symptoms(t, "worsen_to", (), allow_empty=True)
        if worsen_after is not None and not worsen_to and not t.has("worsen_vitals"):
            raise t.fail("worsen_to", "worsen_after_min needs worsen_to (symptom ids) or worsen_vitals")
        if worsen_after is None and (worsen_to or t.has("worsen_vitals")):
            raise t.fail("worsen_after_min", "is missing: when does it get worse if nothing is done?")
        specs.append(ReactionSpec(
            id=rid, symptoms=syms, onset=_onset(t), vitals=vit,
            settle_min=t.num("settle_min", settings.settle_min, lo=0.5, hi=24 * 60),
            settles_on=t.str("settles_on", "slow", choices=SETTLES_ON),
            worsen_after_min=worsen_after, worsen_to=worsen_to,
            worsen_vitals=_deltas(t, "worsen_vitals", baseline) if t.has("worsen_vitals") else vit,
            recur_within_min=t.num("recur_within_min", 0.0, lo=0, hi=24 * 60),
            recur_delay_min=t.num("recur_delay_min", settings.recur_delay_min, lo=0, hi=24 * 60),
            recur_symptoms=_symptoms(t, "recur_symptoms", syms, allow_empty=silent),
            silent=silent,
        ))
    return Behaviour(tuple(specs), baseline, noise, b.str("better_words", settings.better_words),
                     b.str("worse_words", settings.worse_words), b.str("recur_words", settings.recur_words))


def _scripted(scenario, settings: PatientDefaults) -> Behaviour:
    """A scenario with only [[events]]: symptoms at fixed times, settling at the next 'resolved'."""
    base = scenario.baseline
    specs = []
    evs = list(scenario.events)
    for i, ev in enumerate(evs):
        if not ev.symptoms and ev.vitals is None:
            continue
        deltas = {}
        if ev.vitals is not None and base is not None:
            deltas = {f: v - getattr(base, f) for f, v in ev.vitals.to_dict().items() if getattr(base, f) is not None}
        resolves = next((e.at_min for e in evs[i + 1:] if e.resolved), None)
        if ev.resolved:
            resolves = ev.at_min
        specs.append(ReactionSpec(f"event-{i + 1}", tuple(ev.symptoms), Onset("clock_min", ev.at_min), deltas,
                                  silent=not ev.symptoms, resolves_at_min=resolves))
    return Behaviour(tuple(specs), base, dict(settings.noise), settings.better_words, settings.worse_words,
                     settings.recur_words, scripted=True)
