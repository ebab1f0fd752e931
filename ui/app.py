"""Start the desktop app: `run(args) -> exit code` (args has `.db`).

Before Qt is touched it checks that a window can be shown: with no display it explains how to
run the app (Xvfb or the offscreen platform) and exits 0; when the xcb platform plugin cannot
load, it names the Linux libraries a real window needs, instead of Qt's abort.

The xcb check is cheap at every start (load the libraries the plugin needs, connect to the X
server: a few milliseconds); only when one of those fails does a child process try the real
plugin, to quote Qt's own words (and to overrule the cheap check if Qt copes after all).
"""
from __future__ import annotations

import os
import sqlite3
import sys

from titration.errors import TitrationError

XCB_LIBS = ("libxcb-cursor0", "libxkbcommon-x11-0", "libegl1", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-shape0",
            "libxcb-xinerama0", "libxcb-randr0", "libxcb-render-util0", "libxcb-image0")

NO_DISPLAY = """The IVIg chair workstation needs a display, and this machine has none
(neither DISPLAY nor WAYLAND_DISPLAY is set).

To run it anyway:
  xvfb-run -a python main.py                 # a virtual X server (apt-get install xvfb)
  QT_QPA_PLATFORM=offscreen python main.py   # no window at all (for scripted checks)

Headless commands need no display: python main.py --help
"""

XCB_FAILED = """The window could not open: Qt's X11 (xcb) platform plugin failed to load.
On Debian/Ubuntu install the system libraries a Qt window needs:
  sudo apt-get install {libs}
(or run `make sysdeps`), then start again. Details from Qt:
{detail}"""

NO_CONNECTION = """The window could not open: there is no X server at DISPLAY={display}.
Start one (for example `xvfb-run -a python main.py`) or check DISPLAY. Details from Qt:
{detail}"""

PROBE = "from PySide6.QtGui import QGuiApplication; app = QGuiApplication([]); print('ok')"

# The shared libraries (sonames) of the packages in XCB_LIBS, with libxcb itself: the ones the
# xcb plugin fails without on a bare system (peers-and-pitfalls C.4).
XCB_SONAMES = ("libxcb.so.1", "libxcb-cursor.so.0", "libxkbcommon-x11.so.0", "libEGL.so.1", "libxcb-icccm.so.4",
               "libxcb-keysyms.so.1", "libxcb-shape.so.0", "libxcb-xinerama.so.0", "libxcb-randr.so.0",
               "libxcb-render-util.so.0", "libxcb-image.so.0")


def display_problem(env=None, platform: str | None = None) -> str | None:
    """The advice to print when no window can be shown, or None."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if not platform.startswith("linux"):
        return None
    if env.get("QT_QPA_PLATFORM"):
        return None
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return NO_DISPLAY


def unloadable_libraries(sonames=XCB_SONAMES) -> list[str]:
    """'soname: reason' for each library this process cannot load (missing, or a broken file)."""
    import ctypes  # only on Linux with a display

    bad = []
    for name in sonames:
        try:
            ctypes.CDLL(name)
        except OSError as exc:
            bad.append(f"{name}: {exc}")
    return bad


def x_server_answers(display: str) -> bool:
    """True when libxcb connects to the X server at `display` (what Qt's plugin does first)."""
    import ctypes

    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return False
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = (ctypes.c_char_p, ctypes.c_void_p)
    xcb.xcb_connection_has_error.argtypes = (ctypes.c_void_p,)
    xcb.xcb_disconnect.argtypes = (ctypes.c_void_p,)
    conn = xcb.xcb_connect(display.encode(), None)
    if not conn:
        return False
    try:
        return xcb.xcb_connection_has_error(conn) == 0
    finally:
        xcb.xcb_disconnect(conn)  # an errored connection must be freed too


def xcb_problem(env=None, timeout: float = 20.0) -> str | None:
    """The message to print when the xcb platform plugin cannot work here, or None.

    Fast path: every library loads and the X server answers, so no child process is needed.
    Otherwise the plugin is tried in a child process (Qt aborts the process when it cannot load).
    The libraries are looked up for this process (its LD_LIBRARY_PATH), the X server at env's DISPLAY.
    """
    env = dict(os.environ if env is None else env)
    if not sys.platform.startswith("linux"):
        return None
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None
    if not env.get("DISPLAY"):
        return None
    missing = unloadable_libraries()
    if not missing and x_server_answers(env["DISPLAY"]):
        return None
    return _probe(env, timeout, missing)


def _probe(env: dict, timeout: float, missing: list[str]) -> str | None:
    """Start Qt's platform plugin in a child process: None if it works, else the message."""
    import subprocess  # only when the cheap check failed

    try:
        p = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return XCB_FAILED.format(libs=" ".join(XCB_LIBS), detail=f"  probe failed: {exc}")
    if p.returncode == 0 and "ok" in p.stdout:
        return None
    out = (p.stderr or p.stdout).strip()
    detail = "\n".join("  " + ln for ln in (missing + out.splitlines()[-6:]))
    if "could not connect to display" in out:
        return NO_CONNECTION.format(display=env.get("DISPLAY"), detail=detail)
    return XCB_FAILED.format(libs=" ".join(XCB_LIBS), detail=detail)


def run(args) -> int:
    refused = refuse_damaged_library()
    if refused is not None:
        return refused
    advice = display_problem()
    if advice:
        print(advice)
        return 0
    problem = xcb_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox
    except ImportError as exc:
        print(f"error: Qt (PySide6) could not load: {exc}. The Linux libraries a window needs: "
              f"{' '.join(XCB_LIBS)}", file=sys.stderr)
        return 1
    from PySide6.QtGui import QFont

    from ui.common.fonts import register_fonts
    from ui.window.app_model import AppModel
    from ui.window.errors import TopLevelErrors
    from ui.window.geometry import app_settings
    from ui.window.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("IVIg chair workstation")
    QApplication.setFont(QFont(register_fonts(), 10))

    journal, journal_error = open_journal(getattr(args, "db", None))
    library_note = _unit_library(journal)
    errors = TopLevelErrors(app)
    errors.install()
    model = AppModel(journal)
    win = MainWindow(model, settings=app_settings())
    errors.win = win
    win.prepare_pages_after_first_paint()  # the New-infusion page, once the window is on the screen
    win.show()
    _smoke_hooks(app, win)
    if journal_error:
        win.show_notice(f"NOT RECORDING: {journal_error}")
        QMessageBox.critical(win, "The journal cannot be used", journal_error)
    elif getattr(journal, "notice", ""):
        win.show_notice(journal.notice)
    if library_note:
        win.show_notice(library_note)
    feed = None
    if getattr(journal, "outbox", None) is not None:  # the unit server: banner and board feed
        from ui.unit.server_feed import attach_unit

        _banner, feed = attach_unit(win, journal)
    ask = _pump_question(win)
    for line in model.recover_unfinished(ask):
        win.show_notice(line)
    if getattr(journal, "notice", "") and journal.notice not in win.notice.text():
        win.show_notice(journal.notice)
    if model.chairs:
        win.show_chair(model.chairs[0])
    code = 0 if app.property("smoke_quit") else app.exec()
    if feed is not None:
        feed.stop()
    if win.unit.library is not None:
        win.unit.library.stop()
    if journal is not None:
        try:
            journal.close(flush_s=3.0) if getattr(journal, "outbox", None) is not None else journal.close()
        except (TitrationError, OSError, sqlite3.Error) as exc:  # closing at exit: said, nothing left to do
            print(f"warning: the journal did not close cleanly: {exc}", file=sys.stderr)
    return code


def _unit_library(journal) -> str:
    """With a unit server, plan with its active drug library version (verified, kept for offline
    use) before any form loads the library; the line to show when it is not the server's version."""
    if getattr(journal, "outbox", None) is None:
        return ""
    from titration.store.library_sync import at_start

    now = at_start(journal)
    return now.line() if now.note else ""


def refuse_damaged_library() -> int | None:
    """The library (and unit.toml) is read strictly before anything else: on a damaged file the app
    does not start (exit 2), with one line naming the file, the key and the problem, on stderr and,
    where a window can open, in a message box. None: the library is sound."""
    from titration.errors import DataError
    from titration.library.resources import check_start

    try:
        check_start()
    except DataError as exc:
        line = f"error: {exc}"
        print(line, file=sys.stderr)
        if display_problem() is None and xcb_problem() is None:
            _show_refusal(line)
        return 2
    return None


def _show_refusal(line: str) -> None:
    try:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication, QMessageBox
    except ImportError:
        return  # the line is on stderr already
    _app = QApplication.instance() or QApplication(sys.argv[:1])  # kept while the box is open
    box = QMessageBox(QMessageBox.Icon.Critical, "The drug library cannot be used",
                      f"{line}\n\nThe app does not start on a damaged library. Correct the file named above "
                      "(`python main.py library check FOLDER` lists every problem), then start again.")
    ms = os.environ.get("IVIG_GUI_QUIT_MS")  # the smoke tests' way to close what is open
    if ms:
        QTimer.singleShot(max(200, int(ms)), box.close)
    box.exec()


def _smoke_hooks(app, win) -> None:
    """For the real-window smoke test: IVIG_GUI_SCREENSHOT=FILE.png saves the window, and
    IVIG_GUI_QUIT_MS=N quits after N ms (the window closes without asking)."""
    from PySide6.QtCore import QTimer

    ms = os.environ.get("IVIG_GUI_QUIT_MS")
    shot = os.environ.get("IVIG_GUI_SCREENSHOT")
    if not ms:
        return
    delay = max(200, int(ms))

    def finish():
        if shot:
            screen = app.primaryScreen()
            img = screen.grabWindow(0) if screen is not None else win.grab()
            if img.isNull() or img.width() < 10:
                img = win.grab()
            img.save(shot)
        win.force_close = True
        for w in app.topLevelWidgets():  # a question still open (recovery) is closed unanswered
            if w is not win and w.isVisible():
                w.close()
        win.close()
        app.setProperty("smoke_quit", True)  # quit() before exec() would be lost
        app.quit()

    QTimer.singleShot(delay, finish)


def open_journal(path):
    """(journal, None) or (None, a one-line reason): the app still opens, saying loudly it does not record."""
    from titration.store.journal import Journal

    try:
        return Journal(path), None
    except (TitrationError, OSError, sqlite3.Error) as exc:  # JournalError says what to do
        return None, f"{exc}"


def _pump_question(parent):
    """ask(recovered, now_wall): the recovery dialog's question about what the pump did."""
    from ui.chair.recovery_dialog import ask_pump_state

    def ask(rec, now_wall):
        return ask_pump_state(parent, rec, now_wall)

    return ask
