"""startup_ratio: process start to the first painted main window, against a bare PySide6 +
pyqtgraph window made the same way (same platform, same child script), alternated, medians."""
import os
import subprocess
import sys
import time

from common import PY, ROOT, compile_sources, median

CHILD = os.path.join(ROOT, "bench", "_first_paint.py")


def once(which: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    env.pop("IVIG_GUI_QUIT_MS", None)
    out = subprocess.run([PY, CHILD, which, repr(time.time())], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    lines = [ln for ln in out.stdout.splitlines() if ln.strip()]
    if not lines:
        raise RuntimeError(f"{which} window never painted: {out.stderr.strip()[-300:]}")
    return float(lines[-1])


def run(rounds: int = 11) -> dict:
    compile_sources()
    once("bare"), once("app")  # warm the file cache
    a, b = [], []
    for _ in range(rounds):
        a.append(once("app"))
        b.append(once("bare"))
    return {"startup_ratio": median(a) / median(b), "_startup_app_s": median(a), "_startup_bare_s": median(b)}


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 11))
