"""Invariants of reaction episodes and the hard rate limits (hypothesis; modest example counts).

- Any set of findings that meets a combination rule within one episode stops (or, after the end,
  shows the emergency steps), whatever their order, timing within the window and split into entries,
  and whatever state the chair is in.
- No path (confirm, override, pause and resume, increase, journal replay) sets a rate above a hard
  limit: the plan's maximum, the label's initial rate before the first step's time has run, a climb
  while an episode is open, a resume above the last tolerated rate.
- A child's value outside its normal range is never graded below an adult's (tests/test_child_floor.py).
"""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nurse_on_time import follow

from titration.catalogue_file import load_catalogue
from titration.errors import SessionError
from titration.plan import PlanRequest, build_plan
from titration.policy import get_policy
from titration.reactions import grade_index
from titration.session import Session
from titration.vitals import Vitals

CAT = load_catalogue()
BASE = Vitals(temp_c=36.8, pulse=72, sbp=124, dbp=78, spo2=98, rr=14)

# Each criterion: groups of findings, one from each completes it. A finding is a symptom id or vitals.
SKIN = ["urticaria", "itch", "flushing", "angioedema"]
RESP = ["breathlessness", "chest-tightness", "wheeze", Vitals(rr=26), Vitals(spo2=91)]
CRITERIA = {
    "anaphylaxis-skin": [SKIN, RESP + ["vomiting", "abdominal-pain", Vitals(sbp=85)]],
    "anaphylaxis-respiratory-gut": [RESP, ["vomiting", "abdominal-pain"]],
    "aseptic-meningitis": [["headache", "severe-headache"], ["stiff-neck", "photophobia"]],
    "trali": [["breathlessness", "chest-tightness"], [Vitals(spo2=88)]],
    "circulatory-overload": [["breathlessness", "severe-dyspnoea"], [Vitals(sbp=226)]],
}
FILLER = ["chills", "myalgia", "fatigue", "nausea", "back-pain", Vitals(temp_c=37.2)]
STATES = ("running", "paused", "bag-empty", "ended", "closed")


def _chair(state, policy, t0):
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 0.4)), get_policy(policy))
    s.record_vitals(0, BASE)
    s.start(0)
    until = t0 if state in ("running", "paused") else 1e9
    while True:  # every step on time
        nxt = s.next_step_at()
        if nxt is None or nxt > until:
            break
        s.confirm(nxt, s.due(nxt))
    done = s.completion_at()  # 280 mL in at 102.5 min on time
    if state == "running":
        return s, t0
    if state == "paused":
        s.pause(t0, "by hand")
        return s, t0 + 0.5
    if state == "bag-empty":
        return s, done + t0 / 10
    s.confirm(done + 1, s.due(done + 1))
    if state == "closed":
        s.close_observation(done + 61)
        return s, done + 62 + t0
    return s, done + 2 + t0 / 10


def _report(s, t, entry):
    symptoms = [f for f in entry if isinstance(f, str)]
    vitals = [f for f in entry if isinstance(f, Vitals)]
    merged = {}
    for v in vitals:
        merged.update(v.to_dict())
    if symptoms:
        s.report_symptoms(t, symptoms, Vitals(**merged) if merged else None)
    elif merged:
        s.record_vitals(t, Vitals(**merged))


@st.composite
def findings_in_entries(draw):
    groups = CRITERIA[draw(st.sampled_from(sorted(CRITERIA)))]
    items = [draw(st.sampled_from(g)) for g in groups] + draw(st.lists(st.sampled_from(FILLER), max_size=2))
    items = draw(st.permutations(items))
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(items) - 1)), max_size=len(items) - 1)))
    entries, last = [], 0
    for c in cuts + [len(items)]:
        if items[last:c]:
            entries.append(items[last:c])
        last = c
    gaps = draw(st.lists(st.floats(0, 8), min_size=len(entries), max_size=len(entries)))  # 25 min at most
    return entries, gaps


@settings(max_examples=60, deadline=None)
@given(findings_in_entries(), st.sampled_from(STATES), st.sampled_from(["tiered", "pause-always"]),
       st.floats(5, 60))
def test_property_findings_that_meet_a_criterion_within_one_episode_stop(found, state, policy, t0):
    entries, gaps = found
    s, t = _chair(state, policy, t0)
    severe = []
    for entry, gap in zip(entries, gaps):
        t += gap
        _report(s, t, entry)
        p = s.due(t)
        while p is not None and p.action != "complete":
            severe.append(p.grade == "severe" and p.action in ("stop", "emergency") and bool(p.emergency))
            s.confirm(t, p)  # the nurse does what is proposed; nothing is recorded resolved
            if p.action in ("stop", "review", "emergency"):
                break
            p = s.due(t)
    assert s.state.episode.grade == "severe"
    assert any(severe), (state, entries)
    if state in ("running", "paused", "bag-empty"):
        assert s.status == "stopped"


# ------------------------------------------------------------------ hard limits on every path
OPS = st.one_of(
    st.tuples(st.just("symptoms"), st.sampled_from(["flushing", "chills", "rigors", "urticaria", "headache"])),
    st.tuples(st.just("vitals"), st.sampled_from([BASE, Vitals(pulse=115, rr=22), Vitals(temp_c=38.2)])),
    st.tuples(st.just("confirm"), st.none()),
    st.tuples(st.just("override"), st.tuples(st.sampled_from(["continue", "increase", "slow", "resume"]),
                                              st.sampled_from([42.0, 84.0, 168.0, 336.0, 504.0, 600.0]))),
    st.tuples(st.just("pause"), st.none()),
    st.tuples(st.just("resume"), st.sampled_from([None, 42.0, 84.0, 336.0, 504.0])),
    st.tuples(st.just("resolved"), st.none()),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(OPS, st.floats(0, 25)), max_size=25))
def test_property_no_path_exceeds_a_hard_limit(ops):
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    s.record_vitals(0, BASE)
    s.start(0)
    top, initial, first = s.rungs[-1].rate_ml_h, 42.0, s.rungs[0].minutes
    t = 0.0
    for (op, arg), dt in ops:
        t += dt
        before, status = s.state.rate_ml_h, s.status
        ep = s.state.episode
        was_open = ep is not None and ep.is_open(t)
        paused_from = s.state.paused_from_ml_h
        try:
            if op == "symptoms":
                s.report_symptoms(t, [arg])
            elif op == "vitals":
                s.record_vitals(t, arg)
            elif op == "confirm" and s.due(t) is not None:
                s.confirm(t, s.due(t))
            elif op == "override" and s.due(t) is not None:
                s.override(t, s.due(t), arg[0], arg[1], "the nurse's reason")
            elif op == "pause":
                s.pause(t, "by hand")
            elif op == "resume":
                s.resume(t, arg)
            elif op == "resolved":
                s.resolved(t)
        except SessionError:
            continue
        after = s.state.rate_ml_h
        if was_open and status == "running" and s.status == "running":
            assert after <= before + 1e-9, "a rate climbed while a reaction episode was open"
        if op == "resume" and status == "paused":
            assert after <= paused_from + 1e-9, "a resume went above the last tolerated rate"
    run = 0.0
    for a, b, rate in s.rate_segments(until=t):
        assert rate <= top + 1e-9
        if run < first - 1e-9:
            assert rate <= initial + 1e-9, "above the label's initial rate before the first step's time ran"
        run += (b - a) if rate > 0 else 0.0
    replayed = Session.replay([e.to_dict() for e in s.events])  # the journal rebuilds the same rates
    assert replayed.rate_segments(until=t) == s.rate_segments(until=t)


# ------------------------------------------------------------------ children against adults
# The rule itself (adult bands a floor outside the child's normal range, absent inside it) is a property
# in tests/test_child_floor.py; these are the sides where an adult's danger is a child's at every age.
@pytest.mark.parametrize("age,field,value", [(4, "spo2", 85), (16, "spo2", 88), (0.5, "pulse", 35),
                                             (7, "rr", 6), (3, "sbp", 230), (9, "temp_c", 34.5)])
def test_same_danger_sides_are_never_graded_below_an_adult(age, field, value):
    child = CAT.grade_vitals(Vitals(**{field: value}), age_years=age).grade
    adult = CAT.grade_vitals(Vitals(**{field: value})).grade
    assert grade_index(child) >= grade_index(adult) >= grade_index("moderate")


# ------------------------------------------------------------------ across the episode boundary
# A criterion split in two: one finding, the nurse follows the app (recording it resolved or not), then the
# rest up to five hours later (inside every criterion's window). Not severe alone, so that the completion acts.
SPLIT = {
    "anaphylaxis-skin": (["urticaria", "itch", "flushing"],
                         ["breathlessness", "chest-tightness", Vitals(rr=26), "vomiting", "abdominal-pain"]),
    "anaphylaxis-skin (breathing first)": (["breathlessness", "chest-tightness", Vitals(rr=26)],
                                           ["urticaria", "itch", "flushing"]),
    "anaphylaxis-respiratory-gut": (["breathlessness", "chest-tightness", Vitals(rr=26)],
                                    ["vomiting", "abdominal-pain"]),
    "aseptic-meningitis": (["headache", "severe-headache"], ["stiff-neck", "photophobia"]),
    "aseptic-meningitis (neck first)": (["stiff-neck", "photophobia"], ["headache", "severe-headache"]),
    "trali": (["breathlessness", "chest-tightness"], [Vitals(spo2=88)]),
    "circulatory-overload": (["breathlessness"], [Vitals(sbp=226)]),
}


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(sorted(SPLIT)), st.data(), st.sampled_from(["tiered", "pause-always"]), st.floats(1, 300),
       st.booleans())
def test_property_a_criterion_completed_across_episodes_stops_and_resolved_never_weakens_it(name, data, policy,
                                                                                           gap, resolve):
    first_options, rest_options = SPLIT[name]
    first, rest = data.draw(st.sampled_from(first_options)), data.draw(st.sampled_from(rest_options))
    cid = name.split(" ")[0]
    kind = next(c.kind for c in CAT.criteria if c.id == cid)
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 0.4)), get_policy(policy))
    s.record_vitals(0, BASE)
    s.start(0)
    follow(s, 62)
    _report(s, 62, [first])
    follow(s, 62)
    if resolve:
        s.resolved(62.5)
    t2 = 62.5 + gap
    follow(s, t2)
    _report(s, t2, [rest])
    p = s.due(t2)
    assert p is not None and p.action in ("stop", "emergency") and p.grade == "severe", (name, first, rest, p)
    also = CAT.kinds[kind].also
    assert p.kind == kind or (also and also in p.emergency), (name, p.kind, p.emergency)
    replayed = Session.replay([e.to_dict() for e in s.events])
    assert replayed.due(t2) == p
