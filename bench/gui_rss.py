"""gui_rss_mb: resident memory of the app with four chairs running (training chairs at 60x)."""
import os
import subprocess

from common import PY, ROOT, median


def run(rounds: int = 3) -> dict:
    vals = []
    for _ in range(rounds):
        out = subprocess.run([PY, os.path.join(ROOT, "bench", "_four_chairs.py"), "8"], cwd=ROOT,
                             capture_output=True, text=True, timeout=180)
        parts = out.stdout.split()
        if len(parts) < 2 or parts[1] != "4":
            raise RuntimeError(f"four chairs did not run: {out.stderr.strip()[-300:]}")
        vals.append(float(parts[0]))
    return {"gui_rss_mb": median(vals)}


if __name__ == "__main__":
    print(run(1))
