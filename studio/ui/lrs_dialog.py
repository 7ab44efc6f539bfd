"""Asked by the Insights window before reading a course's statements from an LRS.

The address and user name are remembered for the course (``.insights/lrs.json`` in the
course folder); the key (password) never is.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from shared.files import write_json_atomic
from shared.lrs import Endpoint, valid_address
from shared.ui.plain import plain

__all__ = ["LrsDialog", "remembered_lrs", "remember_lrs"]

#: Where a course folder keeps the LRS its insights were last read from.
LRS_FILE = Path(".insights") / "lrs.json"


def remembered_lrs(course: Path) -> tuple[str, str]:
    """The address and user last used for ``course`` (``""`` when none or unreadable)."""
    try:
        data = json.loads((course / LRS_FILE).read_text(encoding="utf-8"))
        return str(data.get("address", "")), str(data.get("user", ""))
    except (OSError, ValueError, AttributeError):
        return "", ""


def remember_lrs(course: Path, endpoint: Endpoint) -> None:
    """Keep ``endpoint``'s address and user (not its key) for ``course``."""
    path = course / LRS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, {"address": endpoint.address, "user": endpoint.user})


class LrsDialog(QDialog):
    """Address, user and key of the LRS; OK only with an address that can be used."""

    def __init__(self, address: str = "", user: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Read from a Learning Record Store")
        self.setAccessibleName("Read from a Learning Record Store")
        intro = plain(
            QLabel(
                "Read the statements your learners' players sent to an LRS (xAPI). Only "
                "this course's lessons and questions are asked for."
            )
        )
        intro.setWordWrap(True)
        self.address_box = QLineEdit(address)
        self.address_box.setPlaceholderText("https://lrs.example.org/xAPI/")
        self.address_box.setAccessibleName("LRS address")
        self.address_box.setMinimumWidth(380)
        self.user_box = QLineEdit(user)
        self.user_box.setAccessibleName("User")
        self.key_box = QLineEdit()
        self.key_box.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_box.setAccessibleName("Key")
        form = QFormLayout()
        form.addRow("&Address:", self.address_box)
        form.addRow("&User:", self.user_box)
        form.addRow("&Key:", self.key_box)
        self.problem = plain(QLabel())
        self.problem.setWordWrap(True)
        self.problem.setProperty("error", True)  # the theme's QLabel[error="true"]
        self.problem.hide()
        note = plain(QLabel("The address and user are remembered for this course; the key is not."))
        note.setProperty("muted", True)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.read_button = buttons.addButton("&Read", QDialogButtonBox.ButtonRole.AcceptRole)
        self.read_button.setObjectName("primary")
        self.read_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(note)
        layout.addWidget(buttons)
        (self.key_box if address else self.address_box).setFocus()

    def accept(self) -> None:
        if not valid_address(self.address_box.text().strip()):
            self.problem.setText(
                "That is not an LRS address; give its xAPI address, such as "
                "https://lrs.example.org/xAPI/."
            )
            self.problem.show()
            self.address_box.setFocus()
            return
        super().accept()

    def endpoint(self) -> Endpoint:
        """The LRS as typed (call after the dialog was accepted)."""
        return Endpoint(
            self.address_box.text().strip(), self.user_box.text().strip(), self.key_box.text()
        )
