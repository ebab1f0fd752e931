"""The unit's quality report, worked out from each infusion's facts (quality_facts.py).

Counted: the infusions started in the period (those set up and never started are said, not
counted); training runs only when asked. "Per 100" is per 100 of those infusions. Reactions are
episodes (one per infusion until it is over); the step is the one it began in. Time to the
maximum rate compares, for each infusion whose plan reaches its maximum, when the plan got there
with when the pump did (minutes after the start). Observation rounds are judged as on the record
(observations.py: late when taken more than 5 min after they fell due). A chair's hours run from
its infusion's first event to its last (the observation closed), counted on the day it began.
"""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta

from .quality_facts import InfusionFacts
from .quality_model import Chart, Figure, QualityReport, Section, Table

ON_PLAN_MIN = 15.0  # reaching the maximum within this of the plan counts as on plan
LIMIT_WORDS = (("initial rate", "the label's initial rate (first step)"), ("plan's maximum", "the plan's maximum"),
               ("no rate climbs", "no climb during a reaction"), ("last tolerated", "the last tolerated rate"))


def per100(n: int, of: int) -> str:
    return "—" if not of else f"{100.0 * n / of:.1f}"


def _day(wall: float) -> date:
    return date.fromtimestamp(wall)  # the local day


def _minutes(v: float | None) -> str:
    return "—" if v is None else f"{v:.0f}"


def build(facts: list[InfusionFacts], first: date, last: date, training: bool, generated: str,
          source: str) -> QualityReport:
    started = [f for f in facts if f.started]
    day = {f.session_id: _day(f.wall_start) for f in started}  # once: a year is 9,000 infusions
    n = len(started)
    never = len(facts) - n
    scope = "real infusions and training runs" if training else "real infusions (training runs left out)"
    sections = [_infusions(started), _reactions(started), _to_max(started), _soft(started), _hard(started),
                _not_followed(started), _observations(started, day), _chair_hours(started, day, first, last)]
    notes = [f"Source: {source}. Counted: {n} infusion(s) started from {first.isoformat()} to {last.isoformat()}"
             + (f"; {never} set up and never started are not counted." if never else "."),
             "Per 100: per 100 infusions started in the period. A reaction is an episode: every finding from the "
             "first abnormal one until it is resolved and reviewed.",
             f"On plan: the pump reached the plan's maximum rate within {ON_PLAN_MIN:g} min of when the plan did.",
             "Observations: late when taken more than 5 min after they fell due; missed when the schedule moved on "
             "without them."]
    return QualityReport("Unit quality report", f"{first.isoformat()} to {last.isoformat()}", scope, generated,
                         _figures(started, day), sections, notes)


def _figures(fs: list[InfusionFacts], day: dict[int, date]) -> list[Figure]:
    n = len(fs)
    reactions = [r for f in fs for r in f.reactions]
    severe = sum(1 for r in reactions if r.grade == "severe")
    planned = [f for f in fs if f.planned_to_max_min is not None]
    on_plan = sum(1 for f in planned if f.actual_to_max_min is not None
                  and f.actual_to_max_min - f.planned_to_max_min <= ON_PLAN_MIN)
    soft = sum(len(f.soft_overrides) for f in fs)
    hard = sum(len(f.hard_hits) for f in fs)
    nf = sum(len(f.not_followed) for f in fs)
    due = sum(f.rounds_due for f in fs)
    late, missed = sum(f.rounds_late for f in fs), sum(f.rounds_missed for f in fs)
    days = set(day.values())
    hours = sum(f.chair_s for f in fs) / 3600.0
    completed = sum(1 for f in fs if f.outcome == "completed")
    stopped = sum(1 for f in fs if f.outcome == "stopped")
    return [
        Figure("Infusions", f"{n}", f"{completed} completed, {stopped} stopped"),
        Figure("Reactions per 100 infusions", per100(len(reactions), n), f"{len(reactions)}, of which {severe} severe",
               alarm=severe > 0),
        Figure("Maximum rate on plan", f"{per100(on_plan, len(planned))} %",
               f"{on_plan} of {len(planned)} within {ON_PLAN_MIN:g} min"),
        Figure("Soft limits set aside /100", per100(soft, n), f"{soft} times, each with a reason"),
        Figure("Hard-limit hits", f"{hard}", "rates refused by a hard limit", alarm=hard > 0),
        Figure("Proposals not followed /100", per100(nf, n), f"{nf} overridden, each with a reason"),
        Figure("Observations late / missed", f"{per100(late, due)}% / {per100(missed, due)}%",
               f"of {due} rounds", alarm=missed > 0),
        Figure("Chair hours per open day", "—" if not days else f"{hours / len(days):.0f}",
               f"{hours:.0f} h over {len(days)} days; {_per_chair(fs, day)}"),
    ]


def _per_chair(fs: list[InfusionFacts], day: dict[int, date]) -> str:
    """'10.9 h a day per chair in use': the mean over each open day of its hours per chair used that day."""
    per_day: defaultdict[date, float] = defaultdict(float)
    chairs: defaultdict[date, set] = defaultdict(set)
    for f in fs:
        d = day[f.session_id]
        per_day[d] += f.chair_s / 3600.0
        chairs[d].add(f.chair)
    if not per_day:
        return "no chair used"
    return f"{sum(per_day[d] / len(chairs[d]) for d in per_day) / len(per_day):.1f} h a day per chair in use"


def _infusions(fs: list[InfusionFacts]) -> Section:
    by = Counter((f.product_name, f.indication) for f in fs)
    outcome: defaultdict[str, Counter] = defaultdict(Counter)
    for f in fs:
        outcome[(f.product_name, f.indication)][f.outcome] += 1
    rows = tuple((p, i.upper(), str(c), str(outcome[(p, i)]["completed"]), str(outcome[(p, i)]["stopped"]),
                  str(outcome[(p, i)]["running"])) for (p, i), c in sorted(by.items(), key=lambda kv: -kv[1]))
    top = max(by.items(), key=lambda kv: kv[1]) if by else None
    answer = (f"{len(fs)} infusions; the most were {top[0][0]} for {top[0][1].upper()} ({top[1]})." if top
              else "No infusion was started in this period.")
    chart = Chart("Infusions", tuple(f"{p} {i.upper()}" for p, i, *_ in rows),
                  (("infusions", tuple(float(r[2]) for r in rows)),), "infusions", horizontal=True)
    table = Table("How they ended", ("product", "indication", "infusions", "completed",
                                                          "stopped", "not finished"), rows, frozenset({2, 3, 4, 5}))
    return Section("Infusions by product and indication", answer, [chart] if rows else [], [table])


def _reactions(fs: list[InfusionFacts]) -> Section:
    n = len(fs)
    infusions = Counter(f.product_name for f in fs)
    count: Counter = Counter()
    grades: Counter = Counter()
    steps: Counter = Counter()
    kinds: Counter = Counter()
    for f in fs:
        for r in f.reactions:
            count[f.product_name] += 1
            grades[r.grade] += 1
            kinds[r.kind] += 1
            steps["after the end" if r.step is None else "before the start" if r.step == 0 else f"step {r.step}"] += 1
    total = sum(count.values())
    by_product = tuple((p, str(infusions[p]), str(count[p]), per100(count[p], infusions[p]))
                       for p in sorted(infusions, key=lambda p: -count[p] / infusions[p]))
    by_grade = tuple((g, str(grades[g]), per100(grades[g], n)) for g in ("mild", "moderate", "severe"))
    order = sorted((k for k in steps if k.startswith("step")), key=lambda k: int(k.split()[1]))
    order = (["before the start"] if "before the start" in steps else []) + order + \
        (["after the end"] if "after the end" in steps else [])
    by_step = tuple((k, str(steps[k]), per100(steps[k], n)) for k in order)
    worst = max(((p, count[p] / infusions[p]) for p in infusions if count[p]), key=lambda x: x[1], default=None)
    first_step = max(order, key=lambda k: steps[k]) if order else None
    answer = (f"{per100(total, n)} reactions per 100 infusions ({total}); {grades['severe']} severe. "
              + (f"Highest with {worst[0]} ({100 * worst[1]:.1f} per 100); most began in {first_step}."
                 if worst else "")) if total else "No reaction was recorded in this period."
    charts = [Chart("Reactions per 100 infusions, by the step they began in", tuple(order),
                    (("per 100", tuple(100.0 * steps[k] / n for k in order)),), "per 100 infusions")] if total else []
    charts += [Chart("Reactions per 100 infusions, by product", tuple(r[0] for r in by_product),
                     (("per 100", tuple(100.0 * count[p] / infusions[p] for p, *_ in by_product)),),
                     "per 100 infusions", horizontal=True)] if total else []
    tables = [Table("By product", ("product", "infusions", "reactions", "per 100"), by_product, frozenset({1, 2, 3})),
              Table("By grade", ("grade", "reactions", "per 100"), by_grade, frozenset({1, 2})),
              Table("By the step they began in", ("began in", "reactions", "per 100"), by_step, frozenset({1, 2}))]
    if kinds:
        tables.append(Table("By kind", ("kind", "reactions"), tuple((k, str(c)) for k, c in kinds.most_common()),
                            frozenset({1})))
    return Section("Reactions", answer, charts, tables)


BINS = ("on plan", "15-30 min later", "30-60 min later", "over 60 min later", "not reached: reaction",
        "not reached: other")


def _bin(f: InfusionFacts) -> str:
    if f.actual_to_max_min is None:
        return BINS[4] if f.reactions else BINS[5]
    late = f.actual_to_max_min - f.planned_to_max_min
    return BINS[0] if late <= ON_PLAN_MIN else BINS[1] if late <= 30 else BINS[2] if late <= 60 else BINS[3]


def _to_max(fs: list[InfusionFacts]) -> Section:
    planned = [f for f in fs if f.planned_to_max_min is not None]
    bins = Counter(_bin(f) for f in planned)
    by = defaultdict(list)
    for f in planned:
        by[f.product_name].append(f)
    rows = []
    for p, group in sorted(by.items(), key=lambda kv: -len(kv[1])):
        reached = [f for f in group if f.actual_to_max_min is not None]
        rows.append((p, str(len(group)), _minutes(statistics.median(f.planned_to_max_min for f in group)),
                     _minutes(statistics.median(f.actual_to_max_min for f in reached) if reached else None),
                     f"{per100(len(reached), len(group))} %",
                     f"{per100(sum(1 for f in group if _bin(f) == BINS[0]), len(group))} %"))
    n = len(planned)
    answer = (f"{per100(bins[BINS[0]], n)} % reached the maximum rate on plan; "
              f"{per100(bins[BINS[1]] + bins[BINS[2]] + bins[BINS[3]], n)} % later; "
              f"{per100(bins[BINS[4]] + bins[BINS[5]], n)} % never did ({bins[BINS[4]]} after a reaction)."
              if n else "No plan in this period reached a maximum rate.")
    chart = Chart("When the pump reached the plan's maximum rate", BINS,
                  (("% of infusions", tuple(100.0 * bins[b] / n for b in BINS) if n else ()),), "% of infusions",
                  note=f"on plan: within {ON_PLAN_MIN:g} min of when the plan reached it")
    table = Table("Minutes from the start to the maximum rate (medians)",
                  ("product", "infusions", "plan", "actual", "reached", "on plan"), tuple(rows),
                  frozenset({1, 2, 3, 4, 5}))
    return Section("Time to the maximum rate, against the plan", answer, [chart] if n else [], [table])


def _soft(fs: list[InfusionFacts]) -> Section:
    n = len(fs)
    limits = Counter(name for f in fs for name, _ in f.soft_overrides)
    reasons = Counter((name, why) for f in fs for name, why in f.soft_overrides)
    total = sum(limits.values())
    answer = (f"{per100(total, n)} soft limits set aside per 100 infusions ({total}); the most often: "
              f"{limits.most_common(1)[0][0]}." if total else "No soft limit was set aside in this period.")
    return Section("Soft limits set aside", answer, [], [
        Table("By limit", ("limit", "times", "per 100"), tuple((k, str(c), per100(c, n)) for k, c in
                                                              limits.most_common()), frozenset({1, 2})),
        Table("With their reasons", ("limit", "reason", "times"), tuple((k, why, str(c)) for (k, why), c in
                                                                        reasons.most_common()), frozenset({2}))])


def limit_words(why: str) -> str:
    low = why.lower()
    return next((words for key, words in LIMIT_WORDS if key in low), why.split(" (")[0])


def _hard(fs: list[InfusionFacts]) -> Section:
    hits = Counter((limit_words(why), intent) for f in fs for intent, why in f.hard_hits)
    total = sum(hits.values())
    answer = (f"{total} rate(s) refused by a hard limit ({per100(total, len(fs))} per 100 infusions): nothing above a "
              "hard limit was recorded." if total else "No rate was refused by a hard limit in this period.")
    return Section("Hard-limit hits", answer, [], [
        Table("Refused rates, by limit", ("limit", "what was tried", "times"),
              tuple((k, intent, str(c)) for (k, intent), c in hits.most_common()), frozenset({2}))])


def _not_followed(fs: list[InfusionFacts]) -> Section:
    n = len(fs)
    items = Counter((f"{p} → {d}", why) for f in fs for p, d, why in f.not_followed)
    total = sum(items.values())
    answer = (f"{per100(total, n)} proposals not followed per 100 infusions ({total}), each with a reason."
              if total else "Every reaction proposal in this period was followed.")
    return Section("Proposals not followed", answer, [], [
        Table("Proposed → done, with the reason", ("proposed → done", "reason", "times"),
              tuple((k, why, str(c)) for (k, why), c in items.most_common()), frozenset({2}))])


def _observations(fs: list[InfusionFacts], day: dict[int, date]) -> Section:
    months: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for f in fs:
        d = day[f.session_id]
        m = f"{d.year:04d}-{d.month:02d}"
        months[m][0] += f.rounds_due
        months[m][1] += f.rounds_late
        months[m][2] += f.rounds_missed
    due = sum(v[0] for v in months.values())
    late, missed = sum(v[1] for v in months.values()), sum(v[2] for v in months.values())
    keys = tuple(sorted(months))
    answer = (f"{due} rounds due: {per100(late, due)} % late, {per100(missed, due)} % missed." if due else
              "No observation round fell due in this period.")
    chart = Chart("Observation rounds late and missed, by month", keys,
                  (("late %", tuple(100.0 * months[k][1] / max(1, months[k][0]) for k in keys)),
                   ("missed %", tuple(100.0 * months[k][2] / max(1, months[k][0]) for k in keys))), "% of rounds")
    table = Table("By month", ("month", "rounds", "late", "missed", "late %", "missed %"),
                  tuple((k, str(months[k][0]), str(months[k][1]), str(months[k][2]), per100(months[k][1], months[k][0]),
                         per100(months[k][2], months[k][0])) for k in keys), frozenset({1, 2, 3, 4, 5}))
    return Section("Observations late or missed", answer, [chart] if due else [], [table])


def _chair_hours(fs: list[InfusionFacts], day: dict[int, date], first: date, last: date) -> Section:
    per_day: defaultdict[date, float] = defaultdict(float)
    chairs = defaultdict(set)
    for f in fs:
        d = day[f.session_id]
        per_day[d] += f.chair_s / 3600.0
        chairs[d].add(f.chair)
    days = sorted(per_day)
    if not days:
        return Section("Chair hours used per day", "No chair was used in this period.", [], [])
    mean = sum(per_day.values()) / len(days)
    busiest = max(days, key=lambda d: per_day[d])
    answer = (f"{mean:.1f} chair hours per open day on average ({len(days)} days; {_per_chair(fs, day)}); the busiest "
              f"was {busiest.isoformat()} with {per_day[busiest]:.1f} h on {len(chairs[busiest])} chairs.")
    if (last - first).days <= 62:
        labels = tuple(d.strftime("%d %b") for d in days)
        values = tuple(per_day[d] for d in days)
        chart = Chart("Chair hours used per day", labels, (("hours", values),), "hours")
    else:  # a longer period: each week's mean per open day, so the bars stay readable
        weeks = defaultdict(list)
        for d in days:
            weeks[d - timedelta(days=d.weekday())].append(per_day[d])
        keys = sorted(weeks)
        chart = Chart("Chair hours used per open day, week by week (mean)", tuple(k.strftime("%d %b") for k in keys),
                      (("hours", tuple(sum(weeks[k]) / len(weeks[k]) for k in keys)),), "hours per day")
    weekdays = defaultdict(list)
    for d in days:
        weekdays[d.weekday()].append(per_day[d])
    names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    table = Table("By day of the week", ("day", "open days", "mean hours", "most hours"),
                  tuple((names[k], str(len(v)), f"{sum(v) / len(v):.1f}", f"{max(v):.1f}") for k, v in
                        sorted(weekdays.items())), frozenset({1, 2, 3}))
    return Section("Chair hours used per day", answer, [chart], [table])
