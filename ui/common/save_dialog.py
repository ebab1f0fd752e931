"""Asking where to save a file: the folder the nurse saved in last is offered again, and a save is
said in words with its path.

The folder is UI state, kept with QSettings (the window's settings, typed: a QSettings value comes
back as a string unless asked for with `type=`); with no settings (tests, a first start) it is
remembered for this run only. Clinical and audit data never go here.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

KEY = "exports/lastFolder"


class LastFolder:
    """Where the last file was saved (this run, and in the settings when there are some)."""

    def __init__(self) -> None:
        self.settings: QSettings | None = None
        self._here = ""

    def use(self, settings: QSettings | None) -> None:
        self.settings = settings

    def folder(self) -> str:
        """The last folder saved in, if it still exists; else the home folder."""
        got = self._here
        if self.settings is not None:
            got = str(self.settings.value(KEY, got, type=str) or got)
        return got if got and os.path.isdir(got) else os.path.expanduser("~")

    def remember(self, path: str) -> None:
        folder = os.path.dirname(os.path.abspath(path))
        self._here = folder
        if self.settings is not None:
            self.settings.setValue(KEY, folder)


last_folder = LastFolder()  # one per app: every Save dialog offers where the nurse saved last


def ask_save_path(parent: QWidget | None, title: str, file_name: str, filters: str) -> str | None:
    """The path the nurse chose (None: cancelled); `file_name` is offered in the last folder."""
    start = os.path.join(last_folder.folder(), os.path.basename(file_name))
    path, _ = QFileDialog.getSaveFileName(parent, title, start, filters)
    return path or None


def saved_words(what: str, path: str) -> str:
    """'Saved the infusion record: /home/nurse/exports/Chair 1 - P-1 - 2026-11-21 - infusion record.pdf'"""
    return f"Saved the {what}: {os.path.abspath(path)}"
