"""One workstation for the board benchmark: drives `chairs` chairs on the unit server, one note
on each chair in turn, until `seconds` have passed (argv: url outbox workstation chairs seconds)."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.journal import Journal


def main() -> None:
    url, outbox, ws, chairs, seconds = sys.argv[1:6]
    j = Journal(url, outbox=outbox, workstation=ws, nurse="bench")
    sessions = []
    for i in range(int(chairs)):
        s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
        j.attach(s, chair=f"{ws}/{i + 1}", patient_id=f"{ws}-P{i}", training=False, wall_start=time.time())
        s.start(0)
        sessions.append(s)
    print("ready", flush=True)
    end, t = time.monotonic() + float(seconds), 0.0
    while time.monotonic() < end:
        t += 0.1
        for s in sessions:
            s.note(t, "bench")
            time.sleep(0.02)
    j.close(flush_s=10)


if __name__ == "__main__":
    main()
