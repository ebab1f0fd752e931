"""Starting the app: no display, a broken platform plugin, a real X server (Xvfb), recovery, geometry."""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(extra)
    return env


def test_no_display_explains_how_to_run():
    from ui.app import display_problem

    assert "xvfb-run -a python main.py" in display_problem({}, "linux")
    assert "QT_QPA_PLATFORM=offscreen" in display_problem({}, "linux")
    assert display_problem({"DISPLAY": ":0"}, "linux") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert display_problem({}, "win32") is None


def test_main_without_a_display_prints_advice_and_exits_0(tmp_path):
    p = subprocess.run([sys.executable, "main.py", "--db", str(tmp_path / "j.sqlite3")], cwd=ROOT,
                       env=clean_env(), capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "xvfb-run -a python main.py" in p.stdout
    assert "Traceback" not in p.stdout + p.stderr


def test_no_x_server_at_display_is_said_plainly():
    from ui.app import xcb_problem

    msg = xcb_problem(clean_env(DISPLAY=":87", QT_QPA_PLATFORM="xcb"))
    assert msg is not None and ("no X server at DISPLAY=:87" in msg or "libxcb" in msg)


def _x_socket_answers(display: str) -> bool:
    """The server accepts a connection on its socket (it may announce itself a moment before)."""
    import socket

    path = f"/tmp/.X11-unix/X{display.lstrip(':')}"
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            s.connect(path)
        return True
    except OSError:
        return False


@pytest.fixture
def xvfb():
    """A real X server, or a clean skip where Xvfb cannot be started.

    -noreset: by default Xvfb resets when its last client disconnects, and a test that connects
    twice (a check, then the app) can meet it mid-reset under CPU load. The display number comes
    through -displayfd once the server is ready; reading it waits with a timeout (select), and the
    socket is then asked until it answers, so a loaded machine waits instead of failing."""
    import select

    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    r, w = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1600x1000x24", "-nolisten", "tcp",
                             "-noreset"], pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    num = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not num.endswith(b"\n") and proc.poll() is None:
        ready, _, _ = select.select([r], [], [], 0.5)
        if ready:
            chunk = os.read(r, 16)
            if not chunk:
                break
            num += chunk
    os.close(r)
    display = f":{num.strip().decode()}" if num.strip() else ""
    while display and time.monotonic() < deadline and not _x_socket_answers(display):
        time.sleep(0.1)
    if not display or not _x_socket_answers(display):
        proc.kill()
        proc.wait(10)
        pytest.skip("Xvfb did not start")
    yield display
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@pytest.mark.slow
def test_a_platform_plugin_that_cannot_load_names_the_libraries(xvfb, tmp_path):
    """A broken libxcb-cursor (an empty file first on the library path) makes the xcb plugin fail."""
    from ui.app import XCB_LIBS

    (tmp_path / "libxcb-cursor.so.0").write_bytes(b"")
    env = clean_env(DISPLAY=xvfb, LD_LIBRARY_PATH=str(tmp_path))
    p = subprocess.run([sys.executable, "main.py", "--db", str(tmp_path / "j.sqlite3")], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=90)
    assert p.returncode == 1
    assert "xcb) platform plugin failed to load" in p.stderr
    assert all(lib in p.stderr for lib in XCB_LIBS)
    assert "Traceback" not in p.stderr


def test_a_missing_library_is_named_with_the_reason():
    from ui.app import unloadable_libraries

    bad = unloadable_libraries(("libxcb.so.1", "libivig-not-there.so.7"))
    assert len(bad) == 1 and bad[0].startswith("libivig-not-there.so.7: ")


def test_a_working_x_server_is_checked_without_a_child_process(xvfb, monkeypatch):
    """Every start on a real display: libraries load and the X server answers, no Qt probe process."""
    import ui.app as app

    if app.unloadable_libraries():
        pytest.skip("the xcb libraries are not all installed here (make sysdeps)")
    monkeypatch.setattr(app, "_probe", lambda *a: pytest.fail("the slow probe ran on a working display"))
    assert app.x_server_answers(xvfb)
    assert app.xcb_problem(clean_env(DISPLAY=xvfb)) is None
    assert not app.x_server_answers(":87")  # nothing there: the probe then gives Qt's words


@pytest.mark.slow
def test_the_window_opens_on_a_real_x_server(xvfb, tmp_path):
    from ui.app import xcb_problem

    env = clean_env(DISPLAY=xvfb, IVIG_GUI_QUIT_MS="1500", IVIG_GUI_SCREENSHOT=str(tmp_path / "shot.png"))
    problem = xcb_problem(env)
    if problem:
        pytest.skip(f"the xcb plugin cannot load here (make sysdeps): {problem.splitlines()[0]}")
    p = subprocess.run([sys.executable, "main.py", "--db", str(tmp_path / "j.sqlite3")], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=90)
    assert p.returncode == 0, p.stderr
    shot = tmp_path / "shot.png"
    assert shot.exists()
    from PySide6.QtGui import QImage

    img = QImage(str(shot))
    assert img.width() >= 800 and img.height() >= 600
    # not a blank screen: the window's light background and dark text are both there
    colours = {img.pixelColor(x, y).name() for x in range(0, img.width(), 37) for y in range(0, img.height(), 29)}
    assert len(colours) > 3


def _unfinished_journal(path, wall0):
    from titration.plan import PlanRequest, build_plan
    from titration.session import Session
    from titration.store.journal import Journal
    from titration.vitals import Vitals

    j = Journal(path, now=lambda: wall0 + 31 * 60)
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70.0, 1.0)))
    j.attach(s, chair="Chair 3", patient_id="P-7", training=False, wall_start=wall0)
    s.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14))
    s.start(0)
    s.confirm(30, s.due(30))  # 84 mL/h from 30 min; 21 mL in by then
    j.close()


@pytest.mark.parametrize("answer, status", [("stopped", "paused"), ("ran", "running"), (None, None)])
def test_unfinished_infusions_reopen_in_their_chair(qtbot, tmp_path, answer, status):
    from tests.ui.conftest import WALL0
    from titration.store.journal import Journal
    from ui.window.app_model import AppModel
    from ui.window.main_window import MainWindow

    path = tmp_path / "crash.sqlite3"
    _unfinished_journal(path, WALL0)
    now = WALL0 + 40 * 60  # 9 min after the last event was written (at 31 min)
    j = Journal(path, now=lambda: now)
    model = AppModel(j, wall=lambda: now, autostart=False)
    w = MainWindow(model)
    w.force_close = True
    qtbot.addWidget(w)
    asked = []
    lines = model.recover_unfinished(lambda rec, wall: asked.append((rec.chair, wall)) or answer)
    assert asked == [("Chair 3", now)]
    if answer is None:
        assert model.chairs == [] and "not reopened" in lines[0]
        j.close()
        return
    chair = model.chairs[0]
    assert chair.name == "Chair 3" and chair.patient.identifier == "P-7"
    assert chair.session.status == status
    assert "reopened after 9 min away" in lines[0]
    if answer == "ran":
        # 21 mL + 84 mL/h x 9 min = 33.6 mL in now (session minute 39)
        assert chair.time_now() == pytest.approx(39.0, abs=0.05)
        assert chair.session.delivered_ml(chair.time_now()) == pytest.approx(33.6, abs=0.1)
    else:
        assert chair.session.delivered_ml(chair.time_now()) == pytest.approx(21.0)
    # the record continues under the same id
    assert j.events(chair.journal_id)[-1]["kind"] == chair.session.events[-1].kind
    j.close()


def test_window_geometry_is_the_only_setting(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from ui.window.app_model import AppModel
    from ui.window.main_window import MainWindow

    ini = str(tmp_path / "settings.ini")
    st = QSettings(ini, QSettings.IniFormat)
    w = MainWindow(AppModel(None, autostart=False), settings=st)
    qtbot.addWidget(w)
    w.resize(1000, 701)
    w.show()
    w.close()
    st.sync()
    assert QSettings(ini, QSettings.IniFormat).allKeys() == ["geometry"]
    w2 = MainWindow(AppModel(None, autostart=False), settings=QSettings(ini, QSettings.IniFormat))
    qtbot.addWidget(w2)
    assert w2.height() == 701  # (the offscreen screen is 800 px wide: widths are clamped)


def test_a_training_chair_reopens_with_its_simulated_patient(qtbot, tmp_path):
    """After a crash the simulated patient is rebuilt from the scenario and seed in the record;
    what it said while the app was closed is said when the chair reopens, and it goes on."""
    from tests.ui.conftest import WALL0
    from titration.clock import SourceClock
    from titration.store.journal import Journal
    from titration.training.run import TrainingRun
    from titration.training.scenario import read_scenario
    from ui.window.app_model import AppModel

    scenario = read_scenario(ROOT / "resources" / "scenarios" / "02-mild-reaction-first-increase.toml")
    path = tmp_path / "crash.sqlite3"
    j = Journal(path, now=lambda: WALL0 + 3 * 60)  # at 10x, session minute 30 is 3 real minutes in
    run = TrainingRun(scenario, seed=2)
    s = run.session
    j.attach(s, chair="Chair 2", patient_id=None, training=True, wall_start=WALL0, speed=10.0)
    s.record_vitals(0, run.take_vitals(0))
    s.start(0)
    run.advance(30)
    s.confirm(30, s.due(30))
    j.close()  # the crash: this patient starts shivering at 35 and worsens at 45 (seed 2)

    now = WALL0 + 4 * 60  # one real minute later: session minute 40
    secs = [0.0]
    model = AppModel(Journal(path, now=lambda: now), wall=lambda: now, autostart=False,
                     clock_factory=lambda start_min=0.0, speed=1.0, training=False:
                     SourceClock(lambda: secs[0], start_min=start_min, speed=speed))
    heard = []  # as the chair view listens: from the moment the chair is added
    model.sig_chair_added.connect(lambda chair: chair.sig_utterances.connect(
        lambda said: heard.extend((round(u.at_min), u.text) for u in said)))
    assert model.recover_unfinished(lambda rec, wall: "ran") == ["Chair 2: reopened after 1 min away (pump ran)."]
    chair = model.chairs[0]
    assert chair.training and chair.run is not None and chair.run.session is chair.session
    assert chair.patient.identifier == "SIMULATED: 80 kg"  # the briefing: the title would give the answer away
    assert chair.run.speed_at(40) == 10.0  # the debrief judges at the speed it ran
    assert heard == [(35, "I feel cold and shivery.")]  # said while the app was closed
    model.tick()
    assert len(heard) == 1  # and said once
    secs[0] += 60  # 10 session minutes
    model.tick()
    assert heard[1:] == [(45, "It's getting worse. I can't stop shaking.")]
    assert chair.run.take_vitals(chair.time_now()).temp_c is not None
    model.journal.close()
