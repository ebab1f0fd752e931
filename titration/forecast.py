"""Chair-time forecast: the distribution of an infusion's finish time when a reaction may happen.

Monte Carlo, vectorised with numpy (no Python loop per simulated infusion). Each simulated
infusion, with the probability in resources/forecast.toml (0.8%, UK study, ref 3), has a reaction
that begins uniformly 30-60 min after the start (ref 2.4). The infusion then pauses for the review
window (30 min, NHS Borders, ref 3) and finishes at the last tolerated rate: the rate of the step
before the one running at the onset (the first step's own rate if it began there). A share of
reactions (stop_probability; no cited figure, 0 by default) ends the infusion at the onset.
A reaction that would begin after the plan's end changes nothing.

    f = forecast(plan, n=10000, seed=0, params=None)
    f.median_min   # "likely done by" (minutes from the planned start)
    f.p90_min      # "allow until"
    f.samples      # numpy array of finish times

With a reaction probability of 0 every sample is exactly plan.end_min (plan.duration_min for a plan
built from the start). The model is a simplification: the tiered policy's 'slow' path for a mild
reaction finishes sooner than a pause, so the forecast errs towards later finishes.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .data import Table, load_toml, resource


@dataclass(frozen=True)
class ForecastParams:
    probability: float
    onset_min: tuple[float, float]
    pause_min: float
    stop_probability: float
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Forecast:
    median_min: float
    p90_min: float
    samples: np.ndarray
    params: ForecastParams | None = None

    def to_dict(self) -> dict:
        return {"median_min": round(self.median_min, 1), "p90_min": round(self.p90_min, 1),
                "n": int(self.samples.size)}


def load_params(path: str | None = None) -> ForecastParams:
    path = path or str(resource("forecast.toml"))
    top = Table(load_toml(path), path)
    top.schema_version(1, missing=1)  # written before files carried a version: version 1
    t = top.table("reaction")
    onset = t.nums("onset_min", lo=-1e-9)
    if len(onset) != 2 or onset[0] > onset[1]:
        raise t.fail("onset_min", "must be [earliest, latest] minutes after the start")
    params = ForecastParams(
        probability=t.num("probability", lo=0, hi=1),
        onset_min=(onset[0], onset[1]),
        pause_min=t.num("pause_min", lo=0, hi=24 * 60),
        stop_probability=t.num("stop_probability", lo=0, hi=1),
        sources=tuple(t.str(k) for k in ("probability_source", "onset_source", "pause_source", "stop_source")),
    )
    top.finish()
    return params


def _params(params) -> ForecastParams:
    if params is None:
        return load_params()
    if isinstance(params, ForecastParams):
        return params
    if isinstance(params, dict):  # overrides of the file's values, e.g. {"probability": 0.05}
        base = load_params()
        if "onset_min" in params:
            params = {**params, "onset_min": tuple(params["onset_min"])}
        return replace(base, **params)
    raise TypeError("params must be None, a ForecastParams or a dict of overrides")


def forecast(plan, n: int = 10_000, seed: int = 0, params=None) -> Forecast:
    p = _params(params)
    rng = np.random.default_rng(seed)
    end = float(plan.end_min)
    steps = [s for s in plan.steps if s.rate_ml_h > 0]
    samples = np.full(n, end)
    if not steps or p.probability <= 0:
        return Forecast(float(np.median(samples)), float(np.percentile(samples, 90)), samples, p)
    starts = np.array([s.start_min for s in steps])
    ends = np.array([s.end_min for s in steps])
    rates = np.array([s.rate_ml_h for s in steps])
    vol0 = plan.delivered_at_start_ml + np.concatenate(([0.0], np.cumsum([s.volume_ml for s in steps])[:-1]))
    rung_rates = np.array([g.rate_ml_h for g in plan.rungs])
    held_by_step = rung_rates[np.maximum(np.array([s.rung for s in steps]) - 1, 0)]

    reacts = rng.random(n) < p.probability
    onset = rng.uniform(p.onset_min[0], p.onset_min[1], n)
    stops = rng.random(n) < p.stop_probability
    hit = reacts & (onset >= starts[0]) & (onset < end)
    i = np.clip(np.searchsorted(ends, onset, side="right"), 0, len(steps) - 1)
    delivered = vol0[i] + rates[i] * (onset - starts[i]) / 60.0
    left = np.maximum(plan.volume_ml - delivered, 0.0)
    finish = onset + p.pause_min + left / held_by_step[i] * 60.0
    samples = np.where(hit, np.where(stops, onset, finish), samples)
    return Forecast(float(np.median(samples)), float(np.percentile(samples, 90)), samples, p)
