"""Sign in (or switch nurse) at this workstation: Ctrl+I, pick or type, Enter. Attribution only:
no password is asked or kept. The unit's nurses (resources/unit.toml) are offered first; anyone
else signs in with their name and initials. The window calls `sign_in_dialog(parent, model)`."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit

from titration.errors import InputError
from titration.unit_settings import load_unit_settings

OTHER = "Someone else (type the name and initials)"


class SignInDialog(QDialog):
    def __init__(self, parent, model):
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle("Sign in at this workstation")
        self.model = model
        self.listed = load_unit_settings().nurses
        form = QFormLayout(self)
        self.who = QComboBox()
        self.who.setObjectName("signInNurse")
        self.who.addItems([n.label for n in self.listed] + [OTHER])
        current = model.nurse
        nxt = next((i for i, n in enumerate(self.listed) if current is None or n != current), len(self.listed))
        self.who.setCurrentIndex(nxt)  # switching nurse: the next one is offered, Enter takes it
        self.name = QLineEdit()
        self.name.setObjectName("signInName")
        self.initials = QLineEdit()
        self.initials.setObjectName("signInInitials")
        self.initials.setMaxLength(4)
        self.error = QLabel()
        self.error.setObjectName("signInError")
        self.error.setStyleSheet("color: #B00020")
        form.addRow("Nurse", self.who)
        form.addRow("Name", self.name)
        form.addRow("Initials", self.initials)
        form.addRow(QLabel("Attribution only: no password. Every event you record carries your name."))
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.sign_in)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.who.currentIndexChanged.connect(self._typed_or_listed)
        self._typed_or_listed()

    def _typed_or_listed(self) -> None:
        typed = self.who.currentIndex() >= len(self.listed)
        self.name.setEnabled(typed)
        self.initials.setEnabled(typed)
        (self.name if typed else self.who).setFocus()

    def sign_in(self) -> None:
        i = self.who.currentIndex()
        listed = i < len(self.listed)
        name, initials = (self.listed[i].name, self.listed[i].initials) if listed else \
            (self.name.text(), self.initials.text())
        try:
            self.model.sign_in(name, initials, from_list=listed)
        except InputError as exc:
            self.error.setText(f"{exc.field}: {exc.allowed}")
            return
        self.accept()


def sign_in_dialog(parent, model) -> SignInDialog:
    """Not modal: a running countdown is never blocked."""
    d = SignInDialog(parent, model)
    d.setModal(False)
    d.show()
    return d
