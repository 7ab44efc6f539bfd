"""Shown while the desktop's own screen-sharing picker is open (Wayland)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from shared.ui.plain import plain

__all__ = ["SharePrompt"]


class SharePrompt(QDialog):
    """Says the desktop is asking what to share; Cancel gives up before recording.

    Not modal: the Studio keeps answering (the handshake with the desktop runs off
    the GUI thread) while the desktop's picker waits for the teacher.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Choose what to share")
        self.setAccessibleName("Choose what to share")
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        heading = QLabel("<b>Choose what to record in your desktop's window</b>")
        note = plain(
            QLabel(
                "On Wayland your desktop itself asks which screen or window Lectern may "
                "record. The recording starts once you have chosen."
            )
        )
        note.setWordWrap(True)
        note.setProperty("muted", True)
        buttons = QDialogButtonBox()
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setIcon(QIcon())  # as the picker's Cancel: words only
        self.cancel_button.setAccessibleName("Cancel the recording")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
