"""plan_cli_ratio: `main.py plan ... --json` against `python -c pass`, interleaved, medians."""
import subprocess
import time

from common import PY, ROOT, compile_sources, median

PLAN = [PY, "main.py", "plan", "--product", "octagam-10", "--indication", "itp", "--weight-kg", "70",
        "--dose-g-per-kg", "1", "--json"]
BARE = [PY, "-c", "pass"]


def run(rounds: int = 21) -> dict:
    a, b = [], []
    compile_sources()
    for cmd in (PLAN, BARE):  # warm the file cache
        subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
    for _ in range(rounds):
        for cmd, acc in ((PLAN, a), (BARE, b)):
            t = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
            acc.append(time.perf_counter() - t)
    return {"plan_cli_ratio": median(a) / median(b),
            "_plan_cli_ms": median(a) * 1000, "_python_pass_ms": median(b) * 1000}


if __name__ == "__main__":
    print(run())
