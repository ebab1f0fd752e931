"""The Unit view: every chair of the unit on one board, and the chairs opened from it.

The board is the Overview's (ui.unit.board), fed by this workstation's chairs and, with a unit
server, by the UnitFeed's rows (ui.unit.server_feed): a snapshot, then only the chairs that changed
(LISTEN/NOTIFY; the whole table is never polled). A chair driven here opens as usual; one that
another workstation drives opens read-only and live (`feed.watch`); one whose workstation's
hold has expired is offered to be taken over (the recovery question and a reason, then
`AppModel.take_over`). The server's summaries are shown as they are: no clinical arithmetic.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from titration.errors import TitrationError
from titration.library.cache import running as running_library
from titration.timefmt import wall_time_seconds
from ui.chair.model import ChairModel, PatientInfo
from ui.unit.board import BoardModel, OverviewBoard
from ui.unit.rows import expired, row_summary
from ui.unit.watched import STALE_S, ReadOnlyChair, Watched, WatchedClock, lock

if TYPE_CHECKING:
    from ui.chair.view import ChairView  # built when a chair is first opened
    from ui.common.net_call import NetCall
    from ui.unit.server_feed import LibraryFollow, UnitFeed
    from ui.window.main_window import MainWindow

UNIT_TEXT = ("<p>No chair yet on this workstation. With a unit server (<code>--db postgresql://...</code>) "
             "this board shows every chair of the unit, on every workstation, as it changes. Arrow keys move "
             "between chairs; Enter opens one (read-only when another workstation drives it).</p>")


def stale_words(since: float, now_wall: float) -> str:
    """The line a watching workstation shows when the unit server has gone quiet."""
    return (f"NOT UPDATED since {wall_time_seconds(since)}: the unit server has not answered for "
            f"{now_wall - since:.0f} s. Chairs driven elsewhere are shown as they were then; check at the bedside.")


class UnitPages(QObject):
    """The Unit page of a MainWindow, its feed's rows, and the chairs watched from it."""

    def __init__(self, win: MainWindow):
        super().__init__(win)
        self.win = win
        self.rows: dict[str, dict] = {}
        self.watched: dict[str, Watched] = {}  # uid -> a chair driven elsewhere, read-only here
        self.fenced_lines: dict[ChairModel, QLabel] = {}  # chairs of this window another workstation took over
        self.feed: UnitFeed | None = None
        self.board = BoardModel(self)
        self.problem = QLabel("")  # what happens meanwhile (opening, taking over, the feed's problems)
        self.problem.setObjectName("warnLine")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.stale_line = QLabel("")  # the unit server not heard for a while: nothing here is counted down
        self.stale_line.setObjectName("staleLine")
        self.stale_line.setWordWrap(True)
        self.stale_line.hide()
        self.library_line = QLabel("")  # which drug library version this workstation plans with
        self.library_line.setObjectName("libraryLine")
        self.library_line.setWordWrap(True)
        self.library: LibraryFollow | None = None  # the unit server's library, followed (server_feed)
        self.pending: str | None = None  # the chair being opened from the server
        self.net: NetCall | None = None
        self._page: OverviewBoard | None = None  # built when first shown: start-up builds only the page it shows
        win.model.sig_tick.connect(self.refresh)
        win.model.board.sig_changed.connect(self.refresh)
        win.actions_by_name["large"].toggled.connect(self._large)  # the window sizes its own chairs' views

    @property
    def page(self) -> OverviewBoard:
        if self._page is None:
            from ui.common.style import apply_fonts

            page = OverviewBoard(self.board, UNIT_TEXT)
            page.setObjectName("unitBoard")
            page.heading.setText("Unit: every chair")
            page.column.insertWidget(1, self.problem)
            page.column.insertWidget(1, self.stale_line)
            page.column.insertWidget(1, self.library_line)
            page.sig_open.connect(self.open)
            self.win.stack.addWidget(page)
            apply_fonts(page, self.win.large)
            self._page = page
            self.refresh()
        return self._page

    # ------------------------------------------------------------------ the feed
    def set_library(self, library: LibraryFollow) -> None:
        self.library = library

    def set_feed(self, feed) -> None:
        self.feed = feed
        feed.sig_snapshot.connect(self.on_snapshot)
        feed.sig_changed.connect(self.on_changed)
        feed.sig_problem.connect(self.on_problem)
        feed.sig_session.connect(self.on_session)

    def on_snapshot(self, rows: list) -> None:
        now = self.win.model.wall()
        self.rows = {r["uid"]: dict(r, seen_wall=now) for r in rows if r.get("uid")}
        self.refresh()

    def on_changed(self, rows: list) -> None:
        now = self.win.model.wall()
        for r in rows:
            if r.get("uid"):
                self.rows[r["uid"]] = dict(r, seen_wall=now)
        self.refresh()

    def on_problem(self, text: str) -> None:
        if not text and self._page is None:
            return
        self.page  # noqa: B018 - built with its problem line
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    # ------------------------------------------------------------------ the board
    def _journal(self):
        return self.win.model.journal

    def local_uid(self, chair) -> str | None:
        return getattr(self._journal(), "_uids", {}).get(chair.journal_id)

    def refresh(self, *_a) -> None:
        """This workstation's chairs as they are now, then every other chair the server knows."""
        if self._page is None:
            return  # nobody looks yet: the rows are kept, the page is drawn when first shown
        line = running_library().line()
        if self.library_line.text() != line:
            self.library_line.setText(line)
        me = getattr(self._journal(), "workstation", "") or ""
        # a chair of this window another workstation took over is shown as the server has it (and may be taken back)
        mine = [c for c in self.win.model.chairs if c not in self.fenced_lines]
        here = {self.local_uid(c) for c in mine} - {None}
        sums = [replace(c.summary(), workstation=self._here_words()) for c in mine]
        now = self.win.model.wall()
        stale = self.stale_since(now)
        sums += [row_summary(r, now, me, stale) for uid, r in self.rows.items() if uid not in here]
        self.board.set_summaries(sums)
        words = "" if stale is None else stale_words(stale, now)
        if self.stale_line.text() != words:
            self.stale_line.setText(words)
            self.stale_line.setVisible(bool(words))
        for uid, w in self.watched.items():
            w.take_over_button.setVisible(expired(self.rows.get(uid, {}), now))
            if w.stale_line.text() != words:
                w.stale_line.setText(words)
                w.stale_line.setVisible(bool(words))
        page = self.page
        if self.win.stack.currentWidget() is page and not any(t.hasFocus() for t in page.tiles):
            page.focus_first()  # the first chairs arrived after the view was opened: the keys work at once

    def _here_words(self) -> str:
        nurse = self.win.model.nurse
        return "this workstation" + (f", {nurse.label}" if nurse is not None else "")

    def heard(self) -> float | None:
        """When the feed last heard the unit server (None: no feed, or not yet)."""
        return self.feed.heard_wall if self.feed is not None else None

    def stale_since(self, now_wall: float) -> float | None:
        """The last time the server was heard, once that is more than STALE_S ago (else None)."""
        heard = self.heard()
        if self.feed is None:
            return None
        if heard is None:
            heard = self.feed.started_wall
        return heard if heard is not None and now_wall - heard > STALE_S else None

    # ------------------------------------------------------------------ opening a chair
    def open(self, key) -> None:
        if not (isinstance(key, tuple) and key[0] == "unit"):
            self.win._open_key(key)
            return
        uid = key[1]
        row = self.rows.get(uid)
        if row is None:
            return
        if expired(row, self.win.model.wall()):
            self.offer_take_over(uid, row)
        else:
            self.open_watched(uid, row)

    def offer_take_over(self, uid: str, row: dict):
        from ui.unit.take_over_dialog import TakeOverDialog

        dlg = TakeOverDialog(self.win, row)
        self.dialog = dlg  # tests answer it
        try:
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return None
            return self.take_over(uid, dlg.pump, dlg.reason.text())
        finally:
            dlg.deleteLater()

    def take_over(self, uid: str, pump: str | None, reason: str) -> None:
        """Take the lease on the server off the GUI thread; the chair opens here when it answers."""
        from titration.store.takeover import fetch
        from ui.common.net_call import NetCall

        chair_name = self.rows.get(uid, {}).get("chair", "")
        journal = self._journal()
        if self.net is None:
            self.net = NetCall(self)
        self.page  # noqa: B018 - its problem line says what happens meanwhile
        self.problem.setText(f"Taking over {chair_name} on the unit server…")
        self.problem.show()

        def done(fetched) -> None:
            self.problem.hide()
            self.drop_fenced(uid)  # taken back: the chair read-only here gives way to the record continued here
            try:
                chair = self.win.model.take_over_fetched(fetched, pump, reason)
            except TitrationError as exc:  # one line (the journal could not record it)
                self.failed_take(chair_name, exc)
                return
            self.close_watched(uid)
            self.win.show_chair(chair)

        self.net.run(lambda: fetch(journal, uid), done, lambda exc: self.failed_take(chair_name, exc))

    def drop_fenced(self, uid: str) -> None:
        """This window's old chair of that infusion (turned read-only when another workstation took it):
        gone, with its READ-ONLY line, once the infusion is taken back here."""
        for chair in [c for c in self.fenced_lines if self.local_uid(c) == uid]:
            self.fenced_lines.pop(chair)
            self.win.model.remove_chair(chair)

    def failed_take(self, chair_name: str, exc) -> None:
        """LeaseHeld (it came back meanwhile), the server not answering...: one line."""
        self.problem.hide()
        QMessageBox.warning(self.win, "Not taken over", f"{chair_name}: {exc}")

    def open_watched(self, uid: str, row: dict) -> None:
        """A chair another workstation drives: read-only here, live from the server."""
        watched = self.watched.get(uid)
        if watched is not None:
            self.win.stack.setCurrentWidget(watched.view)
            return
        if self.feed is None:
            return
        self.pending = uid
        self.feed.watch(uid)  # the session comes back through sig_session (the GUI never waits on the network)
        self.problem.setText(f"Opening {row.get('chair', '')} from the unit server…")
        self.problem.show()

    def on_session(self, uid: str, session) -> None:
        if session is None:
            return
        watched = self.watched.get(uid)
        if watched is not None:
            row = self.rows.get(uid, {})
            holder = row.get("held_by") or row.get("last_holder")
            if holder:
                watched.read_only_line.setText(f"Driven from workstation {holder}: read-only")
            self._swap(watched.view, session)
            return
        if self.pending != uid:
            return
        self.pending = None
        self.problem.hide()
        self.win.stack.setCurrentWidget(self._build(uid, session))

    def _build(self, uid: str, session) -> ChairView:
        from ui.chair.view import ChairView
        from ui.common.style import apply_fonts

        row = self.rows.get(uid, {})
        holder = row.get("held_by") or row.get("last_holder") or "?"
        wall_start = None
        if row.get("event_age_s") is not None and row.get("at_min") is not None and row.get("seen_wall"):
            # minute 0 by this clock: the last event reached the server event_age_s before the row came
            wall_start = row["seen_wall"] - row["event_age_s"] - row["at_min"] * 60.0 / (row.get("speed") or 1.0)
        if wall_start is None:  # the row does not say when the last event came: the session's own last event is now
            wall_start = self.win.model.wall() - session.events[-1].at_min * 60.0 / (row.get("speed") or 1.0)
        clock = WatchedClock(self.win.model.wall, wall_start, row.get("speed") or 1.0, self.heard)
        chair = ReadOnlyChair(row.get("chair", ""), session, holder=holder, clock=clock, wall_start=wall_start,
                              patient=PatientInfo(row.get("patient_id") or ""))
        chair.setParent(self)
        view = ChairView(chair)
        view.setObjectName("watchedChair")
        line = QLabel(f"Driven from workstation {holder}: read-only")
        line.setObjectName("warnLine")
        take = QPushButton("Take over…")  # shown once the other workstation's hold has expired
        take.setObjectName("takeOverOffer")
        take.clicked.connect(lambda: self.offer_take_over(uid, self.rows.get(uid, row)))
        stale = QLabel("")
        stale.setObjectName("staleLine")
        stale.setWordWrap(True)
        stale.hide()
        top = QHBoxLayout()
        top.addWidget(line, 1)
        top.addWidget(take)
        view.root.insertLayout(0, top)
        view.root.insertWidget(0, stale)
        take.setVisible(expired(row, self.win.model.wall()))
        view.export_plan_button.clicked.connect(lambda: self.win.exports.rate_chart())
        view.export_record_button.clicked.connect(lambda: self.win.exports.record())
        chair.sig_changed.connect(lambda: lock(view))
        chair.sig_tick.connect(lambda _t: lock(view))
        self.win.model.sig_tick.connect(chair.tick)
        apply_fonts(view, self.win.large)
        view.set_large(self.win.large)
        lock(view)
        self.watched[uid] = Watched(view, line, take, stale)
        self.win.update_menus()
        self.win.stack.addWidget(view)
        return view

    @staticmethod
    def _swap(view: ChairView, session) -> None:
        """The server's newer record of the chair, in the same view: its model takes the new session and
        publishes a snapshot of it, which every panel draws."""
        view.chart.set_session(session, view.chair.now)
        chair = view.chair
        assert isinstance(chair, ReadOnlyChair)  # only chairs driven elsewhere are watched
        chair.replace_session(session)

    def close_watched(self, uid: str) -> None:
        watched = self.watched.pop(uid, None)
        if self.feed is not None:
            self.feed.unwatch(uid)
        if watched is not None:
            view = watched.view
            self.win.model.sig_tick.disconnect(view.chair.tick)
            self.win.stack.removeWidget(view)
            view.deleteLater()

    def close_view(self, view: ChairView) -> None:
        uid = next((u for u, w in self.watched.items() if w.view is view), None)
        if uid is not None:
            self.close_watched(uid)

    def _large(self, large: bool) -> None:
        for w in self.watched.values():
            w.view.set_large(large)

    def watched_view(self, widget: QWidget | None) -> ChairView | None:
        """`widget` when it is the view of a chair driven elsewhere (read-only here), else None."""
        return next((w.view for w in self.watched.values() if w.view is widget), None)

    def lock_fenced(self, fenced: dict) -> None:
        """Chairs of this window that another workstation took over: read-only here, with a clear line."""
        journal = self.win.model.journal
        uids = getattr(journal, "_uids", {})
        for chair in self.win.model.chairs:
            why = fenced.get(uids.get(chair.journal_id))
            view = self.win.views.get(chair)
            if not why or view is None or chair in self.fenced_lines:
                continue
            line = QLabel(f"READ-ONLY: {why}")
            line.setObjectName("warnLine")
            line.setWordWrap(True)
            view.root.insertWidget(0, line)
            self.fenced_lines[chair] = line
            chair.core.read_only = f"read-only here: {why}"  # the menus and the model refuse, not only the widgets
            chair.sig_changed.connect(lambda view=view: lock(view))
            chair.sig_tick.connect(lambda _t, view=view: lock(view))
            lock(view)
            self.win.update_menus()
