"""`python main.py train SCENARIO --responses FILE [--json]`: replay a trainee's actions, print the debrief.

Kept light at import: the command is listed for every other command's --help; the work is in the handler.
"""
from __future__ import annotations

from .args import add_json, whole


def cmd_train(a) -> int:
    import json

    from ..training.responses import read_responses
    from ..training.run import TrainingRun
    from ..training.scenario import read_scenario

    scenario = read_scenario(a.scenario)
    seed, actions = read_responses(a.responses, a.seed)
    run = TrainingRun.replay(scenario, actions, seed=seed)
    d = run.debrief()
    if a.json:
        print(json.dumps(d.to_dict(), indent=1))
    else:
        print("\n".join(d.lines()))
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="replay a trainee's recorded actions against a scenario; print the debrief",
                       description="Replay a trainee's recorded actions against a scenario and print the debrief.")
    p.add_argument("scenario", metavar="SCENARIO.toml", help="the scenario file (TOML)")
    p.add_argument("--responses", required=True, metavar="FILE",
                   help="the trainee's actions (JSON, as the app saves them; or a plain list of actions); "
                        "at most 5 MB and 20,000 actions")
    p.add_argument("--seed", metavar="N", type=whole("--seed"),
                   help="the simulated patient's seed (default: the file's, or 0; given, it must agree "
                        "with the file's)")
    add_json(p, "print JSON")
    p.set_defaults(handler=cmd_train)
