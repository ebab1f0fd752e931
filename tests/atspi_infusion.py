"""Drive a whole infusion through the accessibility tree, as a screen reader user's tools would.

Run by tests/test_accessible_tree.py under `dbus-run-session`, with the system Python that has
Debian's pyatspi (it is not installable in the venv): start Xvfb and the AT-SPI bus, start the app
(the command after `--`), then find each control by its accessible name, act on it through AT-SPI
(press, toggle, set text) and print one JSON line per control: {"name", "found": "name" | "text" |
null}. "text" means the control was found only by its visible text, not by the name the
accessible-name contract gives it. Ends the app and its servers itself.

    dbus-run-session -- /usr/bin/python3 tests/atspi_infusion.py -- .venv/bin/python main.py --db x.db
"""
import json
import os
import subprocess
import sys
import time

import pyatspi
from gi.repository import GLib

STEP_S = 8.0  # the longest wait for one control to show


class Missing(Exception):
    """A control the infusion needs is not in the tree by any of its names: the run cannot go on."""


def showing(a) -> bool:
    return a.getState().contains(pyatspi.STATE_SHOWING)


def index(root) -> list:
    """(name, role, node, path of names above it) for every showing node: one walk of the tree."""
    out, stack = [], [(root, ())]
    while stack:
        a, above = stack.pop()
        try:
            if not showing(a):
                continue
            name, role = a.name, a.getRoleName()
            kids = [a.getChildAtIndex(i) for i in range(a.childCount)]
        except (LookupError, RuntimeError, GLib.GError):  # a node gone while we read it (dialogs close)
            continue
        out.append((name, role, a, above))
        stack.extend((k, (*above, name)) for k in reversed(kids) if k is not None)
    return out


class App:
    def __init__(self, proc):
        self.proc = proc
        self.log = []
        self.nodes = None  # the last walk of the tree; None after an action changed the screen

    def root(self):
        desk = pyatspi.Registry.getDesktop(0)
        for i in range(desk.childCount):
            a = desk.getChildAtIndex(i)
            if a is not None and a.name == "IVIg chair workstation":
                return a
        return None

    def lookup(self, names, role, scope):
        for how, name in zip(("name", "text", "text", "text"), names):
            for n, r, node, above in self.nodes:
                if n == name and (role is None or r == role) and (scope is None or scope in above):
                    return node, how
        return None, None

    def wait(self, names, role=None, scope=None, timeout=STEP_S):
        """(node, how) for the first of `names` to show: the contract's name first, then visible texts."""
        end = time.monotonic() + timeout
        while True:
            if self.nodes is None:
                root = self.root()
                self.nodes = index(root) if root is not None else []
            node, how = self.lookup(names, role, scope)
            if node is not None or time.monotonic() > end:
                return node, how
            time.sleep(0.2)
            self.nodes = None

    def note(self, name, how, **more):
        line = {"name": name, "found": how, **more}
        self.log.append(line)
        print(json.dumps(line), flush=True)

    def press(self, *names, role=None, scope=None):
        for _ in range(3):  # a screen being rebuilt drops the node we found: find it again
            node, how = self.wait(names, role, scope)
            try:
                if node is not None:
                    node.queryAction().doAction(0)  # press / toggle / click: the widget's first action
                    time.sleep(0.3)
                    self.nodes = None
                break
            except GLib.GError:
                self.nodes = None
                time.sleep(0.3)
        self.note(names[0], how)
        if node is None:
            raise Missing(names)
        return node

    def type(self, text, *names):
        node, how = self.wait(names, "text")
        self.note(names[0], how)
        if node is None:
            raise Missing(names)
        node.queryEditableText().setTextContents(text)
        self.log[-1]["value"] = node.queryText().getText(0, -1)
        return node

    def dump(self):
        """The showing tree on stderr: what the screen said when a control was missing."""
        def walk(a, depth):
            if not showing(a):
                return
            print("  " * depth + f"{a.getRoleName()} | {a.name}", file=sys.stderr)
            for i in range(a.childCount):
                walk(a.getChildAtIndex(i), depth + 1)
        walk(self.root(), 0)

    def reason(self, title, text):
        """Type into the reason field that sits under `title` (the box's question)."""
        node, how = self.wait([title], "label")
        self.note(title, how)
        if node is not None:
            parent = node.parent
            for i in range(parent.childCount):
                kid = parent.getChildAtIndex(i)
                if kid.getRoleName() == "text":
                    kid.queryEditableText().setTextContents(text)
                    self.log[-1]["value"] = kid.queryText().getText(0, -1)
                    break

    def combo(self, label):
        """A combo box is named by its value on Linux; its label is a relation: the label's LABEL_FOR target."""
        node, how = self.wait([label], "label", timeout=0)
        target = None
        if node is not None:
            for r in node.getRelationSet():
                if r.getRelationType() == pyatspi.RELATION_LABEL_FOR and r.getNTargets():
                    target = r.getTarget(0)
        role = target.getRoleName() if target is not None else ""
        self.note(label, how if role == "combo box" else None, text=target.name if target is not None else "")

    def see(self, *names, role=None):
        node, how = self.wait(names, role, timeout=0)  # the screen is there: a name is, or is not
        self.note(names[0], how, text=node.name if node is not None else "")
        return node


VITALS = (("Temperature", "Temperature (°C)", "36.8"), ("Pulse", "Pulse (/min)", "72"),
          ("Systolic BP", "Systolic BP (mmHg)", "124"), ("Diastolic BP", "Diastolic BP (mmHg)", "78"),
          ("SpO2", "SpO2 (%)", "98"), ("Respiratory rate", "Respiratory rate (/min)", "14"))
CHECKLIST = (("Previous severe or anaphylactic reaction to immunoglobulin?", "No"),
             ("IgA deficiency with antibodies against IgA?", "No"), ("Pregnant?", "No"), ("Breastfeeding?", "No"),
             ("Live vaccine in the last 2 weeks, or one planned in the next 3 months?", "No"),
             ("Infection today?", "No"), ("Same brand as last time?", "Yes, same"))


def infusion(app: App) -> None:
    app.press("New infusion", "New infusion (Ctrl+N)", role="push button")
    app.see("Chairs")
    app.type("A11Y-1", "Patient identifier", "Identifier")
    app.type("70", "Weight (kg)")
    app.combo("Product")
    app.combo("Indication")
    app.type("0.4", "Dose (g/kg)")
    for question, answer in CHECKLIST:
        group, how = app.wait([question], role="filler", timeout=0)
        app.note(question, how)
        if group is not None:
            app.press(answer, role="radio button", scope=question)
    app.press("Patient adequately hydrated (confirm)", role="check box")
    for name, text, value in VITALS:
        app.type(value, name, text)
    app.press("Create the infusion", "Create (Ctrl+Enter)")
    # the chair: start, a step, vitals, a reaction, pause, resume, stop, the observation's end
    app.press("Start the infusion", "Start: pump is set")
    app.see("Pump rate now")
    app.see("Next action")
    app.see("Chart summary")
    app.see("Planned steps")
    app.see("Alerts")
    app.see("Confirm the proposal")
    app.see("Override the proposal", "Override… (Ctrl+Shift+O)")
    for name, text, value in VITALS:
        app.type(value, name, text)
    app.see("On oxygen", "On oxygen (NEWS2 scores 2)")
    app.press("Record vitals")
    app.press("Pause the infusion", "Pause… (Ctrl+P)")
    app.press("Pause now", role="push button")  # the reason box's own button (the reason is optional)
    app.press("Resume the infusion", "Resume (Ctrl+Shift+R)")
    app.press("Chills", role="check box")
    app.press("Report symptoms", "Report symptoms\n(Ctrl+Shift+Enter)")
    app.press("Confirm the proposal", "Confirm: pause", "Confirm: slow", "Confirm: continue")
    app.see("Symptoms resolved", "Symptoms resolved (Ctrl+R)")
    app.press("Stop the infusion", "Stop infusion… (Ctrl+Shift+X)")
    app.reason("Why stop? (required)", "chills worse")
    app.press("STOP the infusion", role="push button")
    app.see("Emergency steps")
    app.press("Close the observation", "Close observation (Ctrl+Shift+C)")
    app.reason("The hour is not over: why close the observation now? (required)", "transferred to the ward")
    app.press("Close the observation early", role="push button")
    app.see("Export infusion record", "Export infusion record… (Ctrl+Shift+E)")


def main(argv) -> int:
    cmd = argv[argv.index("--") + 1:]
    # Xvfb picks a free display itself and writes its number to the pipe (others may run Xvfb too)
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x1024x24", "-noreset"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write_end,))
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        display = f":{pipe.readline().strip()}"
    env = dict(os.environ, DISPLAY=display, QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1", QT_ACCESSIBILITY="1")
    env.pop("QT_QPA_PLATFORM", None)
    os.environ["DISPLAY"] = display
    # the accessibility bus (org.a11y.Bus) is started by D-Bus activation when Qt asks for it
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    app = App(proc)
    try:
        end = time.monotonic() + 20
        while app.root() is None or app.wait(["New infusion", "New infusion (Ctrl+N)"])[0] is None:
            if time.monotonic() > end or proc.poll() is not None:
                print(json.dumps({"error": "the app never showed its window"}), flush=True)
                return 1
            time.sleep(0.3)
        try:
            infusion(app)
        except Missing as exc:
            print(json.dumps({"error": f"no control named {' or '.join(map(repr, exc.args[0]))}"}), flush=True)
            app.dump()
            return 3
        return 0
    finally:
        for p in (proc, xvfb):
            p.terminate()
        for p in (proc, xvfb):
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
