"""One workstation for the chaos test, run as a process so it can be killed -9 at any moment.

argv: URL OUTBOX NAME. It reopens what its outbox holds unfinished (the pump ran on), then records
a note on every chair it drives every few milliseconds, and obeys lines on stdin:
    new         start a chair here (prints "uid UID")
    take UID    take over a chair whose hold expired (prints "taken UID" or "error ...")
    quit        flush (bounded), close, print "left N" (events still waiting) and exit
It prints "lost UID" when the server says another workstation took a chair over (read-only here).
"""
import os
import queue
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.journal import Journal, JournalError
from titration.store.recovery import recover
from titration.store.takeover import take_over


def say(*words) -> None:
    print(*words, flush=True)


def main() -> None:
    url, outbox, name = sys.argv[1:4]
    j = Journal(url, outbox=outbox, workstation=name, nurse=f"nurse-{name}")
    chairs: dict[str, Session] = {}
    for rec in j.unfinished():
        s = recover(rec, time.time(), "ran")
        try:
            j.attach(s, chair=rec.chair, patient_id=rec.patient_id, training=rec.training, wall_start=rec.wall_start,
                     speed=rec.speed, session_id=rec.id)
        except JournalError as exc:
            say("lost", rec.uid, exc)
            continue
        chairs[rec.uid] = s
    cmds: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [cmds.put(line.split()) for line in sys.stdin], daemon=True).start()
    say("ready", *chairs)
    n = 0
    while True:
        try:
            cmd = cmds.get_nowait()
        except queue.Empty:
            cmd = None
        if cmd and cmd[0] == "new":
            n += 1
            s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)), training=True)
            sid = j.attach(s, chair=f"{name}/{n}", patient_id=None, training=True, wall_start=time.time())
            s.start(0)
            chairs[j._uids[sid]] = s
            say("uid", j._uids[sid])
        elif cmd and cmd[0] == "take":
            try:
                taken = take_over(j, cmd[1], pump="ran", reason=f"chaos: {name} takes over", now_wall=time.time())
            except JournalError as exc:
                say("error", exc)
            else:
                chairs[cmd[1]] = taken.session
                say("taken", cmd[1])
        elif cmd and cmd[0] == "quit":
            left = j.flush(15)
            j.close()
            say("left", left)
            return
        for uid, s in list(chairs.items()):
            try:
                s.note(s.events[-1].at_min + 0.01, f"{name} was here")
            except JournalError as exc:  # taken over elsewhere: read-only here
                del chairs[uid]
                say("lost", uid, exc)
        time.sleep(0.03)


if __name__ == "__main__":
    main()
