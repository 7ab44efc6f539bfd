"""Asked after Stop: the title of the lesson just recorded, with a suggestion filled in."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from shared.ui.plain import plain

__all__ = ["LessonTitleDialog"]


class LessonTitleDialog(QDialog):
    """One line for the lesson's title, filled in with ``suggestion`` and selected.

    The recording is being saved while it is open; Cancel (or Esc) keeps the
    suggestion, so nothing depends on the answer. :meth:`title` is what to use, and
    :meth:`typed` whether the teacher wrote it (a suggestion kept may give way to the
    first slide's title once the lesson is built).
    """

    def __init__(self, suggestion: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.suggestion = suggestion
        self.setWindowTitle("Name this lesson")
        self.setAccessibleName("Name this lesson")
        heading = QLabel("<b>What is this lesson called?</b>")
        self.title_box = QLineEdit(suggestion)
        self.title_box.setAccessibleName("Lesson title")
        self.title_box.setMinimumWidth(380)
        self.title_box.selectAll()
        note = plain(QLabel("The recording is being saved. You can rename the lesson later too."))
        note.setProperty("muted", True)
        note.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("Save title", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("primary")
        self.save_button.setDefault(True)
        self.keep_button = skip = buttons.addButton(
            "Keep suggestion", QDialogButtonBox.ButtonRole.RejectRole
        )
        skip.setAccessibleName("Keep the suggested title")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.title_box)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def title(self) -> str:
        """The title typed (when accepted and not blank), else the suggestion."""
        typed = " ".join(self.title_box.text().split())
        if self.result() == QDialog.DialogCode.Accepted and typed:
            return typed
        return self.suggestion

    def typed(self) -> bool:
        """Whether :meth:`title` is the teacher's own, not the suggestion kept as it was."""
        return self.title() != self.suggestion
