"""`python main.py train SCENARIO --responses FILE [--json]`: replay a trainee's actions, print the debrief.

Kept light at import: the command is listed for every other command's --help; the work is in the handler.
"""
from __future__ import annotations

from .args import add_json, whole


def read_responses(path: str):
    import json

    from ..errors import TitrationError

    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise TitrationError(f"--responses: {path}: not found") from None
    except json.JSONDecodeError as exc:
        raise TitrationError(f"--responses: {path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except OSError as exc:
        raise TitrationError(f"--responses: {path}: cannot be read ({exc.strerror})") from None


def cmd_train(a) -> int:
    import json

    from ..training.run import TrainingRun
    from ..training.scenario import read_scenario

    scenario = read_scenario(a.scenario)
    run = TrainingRun.replay(scenario, read_responses(a.responses), seed=a.seed)
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
                   help="the trainee's actions (JSON, as the app saves them; or a plain list of actions)")
    p.add_argument("--seed", metavar="N", type=whole("--seed"),
                   help="the simulated patient's seed (default: the file's, or 0)")
    add_json(p, "print JSON")
    p.set_defaults(handler=cmd_train)
