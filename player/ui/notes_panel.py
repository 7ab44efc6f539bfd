"""The notes panel: the learner's notes and bookmarks on a lesson, at their times."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shared.errors import LecternError
from shared.library import Library, Note
from shared.timecode import clock

__all__ = ["NotesPanel"]

_ID = Qt.ItemDataRole.UserRole
_TIME = Qt.ItemDataRole.UserRole + 1


class _NoteTree(QTreeWidget):
    deletePressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.state() != (
            QTreeWidget.State.EditingState
        ):
            self.deletePressed.emit()
            return
        super().keyPressEvent(event)


class NotesPanel(QWidget):
    """Lists, adds, edits and deletes the notes of one lesson.

    Signals:
        seekRequested(float): a note was chosen; its time in seconds.
        editingStarted(), editingFinished(): the learner starts and stops typing a note.
        changed(): notes were added, edited or deleted.
        message(str): something to tell the learner (status bar).
        failed(str): an error message to show.
    """

    seekRequested = Signal(float)
    message = Signal(str)
    failed = Signal(str)
    editingStarted = Signal()
    editingFinished = Signal()
    changed = Signal()

    def __init__(
        self, library: Library, now: Callable[[], float], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.library = library
        self._now = now
        self.course_id: str | None = None
        self.lesson_id: str | None = None
        style = self.style()

        self.add_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_FileDialogNewFolder), "Note"
        )
        self.add_button.setAccessibleName("Add a note at the current time")
        self.add_button.setToolTip("Add a note at the current time (N)")
        self.bookmark_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton), "Bookmark"
        )
        self.bookmark_button.setAccessibleName("Add a bookmark at the current time")
        self.bookmark_button.setToolTip("Bookmark the current time (B)")
        self.delete_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_TrashIcon), "")
        self.delete_button.setAccessibleName("Delete the selected note")
        self.delete_button.setToolTip("Delete the selected note (Delete)")
        self.export_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton), "Export"
        )
        self.export_button.setAccessibleName("Export the course's notes as Markdown")
        self.export_button.setToolTip("Export all notes of this course as Markdown")

        self.tree = _NoteTree()
        self.tree.setAccessibleName("Notes")
        self.tree.setColumnCount(2)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setWordWrap(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.tree.setEditTriggers(QTreeWidget.EditTrigger.EditKeyPressed)
        self.empty = QLabel(
            "No notes yet. Press N to write a note at the current moment (the video waits "
            "while you type), B to bookmark it; F2 gives a bookmark a label."
        )
        self.empty.setObjectName("muted")
        self.empty.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for button in (self.add_button, self.bookmark_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty)

        self.add_button.clicked.connect(lambda: self.add("note"))
        self.bookmark_button.clicked.connect(lambda: self.add("bookmark"))
        self.delete_button.clicked.connect(self.delete_selected)
        self.tree.deletePressed.connect(self.delete_selected)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.itemActivated.connect(self._clicked)
        self.tree.itemDoubleClicked.connect(lambda item, _column: self.edit(item))
        self.tree.itemChanged.connect(self._changed)
        self.tree.itemDelegate().closeEditor.connect(lambda *_: self.editingFinished.emit())

    # ------------------------------------------------------------------ model

    def set_lesson(self, course_id: str | None, lesson_id: str | None) -> None:
        self.course_id, self.lesson_id = course_id, lesson_id
        self.refresh()

    def notes(self) -> list[Note]:
        if self.course_id is None or self.lesson_id is None:
            return []
        return self.library.notes(self.course_id, self.lesson_id)

    def refresh(self, select: int | None = None) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        chosen = None
        for note in self.notes():
            item = QTreeWidgetItem([clock(note.time), self._label(note)])
            item.setData(0, _ID, note.id)
            item.setData(0, _TIME, note.time)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            icon = (
                QStyle.StandardPixmap.SP_DialogApplyButton
                if note.kind == "bookmark"
                else QStyle.StandardPixmap.SP_FileDialogDetailedView
            )
            item.setIcon(0, self.style().standardIcon(icon))
            item.setToolTip(1, "Double-click or press F2 to edit")
            self.tree.addTopLevelItem(item)
            if note.id == select:
                chosen = item
        self.tree.blockSignals(False)
        self.empty.setVisible(self.tree.topLevelItemCount() == 0)
        self.changed.emit()
        if chosen is not None:
            self.tree.setCurrentItem(chosen)

    @staticmethod
    def _label(note: Note) -> str:
        return note.text or ("Bookmark" if note.kind == "bookmark" else "")

    # ---------------------------------------------------------------- actions

    def add(self, kind: str) -> Note | None:
        """Add a note (then edit its text) or a bookmark at the current time."""
        if self.course_id is None or self.lesson_id is None:
            return None
        try:
            note = self.library.add_note(self.course_id, self.lesson_id, self._now(), "", kind=kind)
        except LecternError as error:
            self.failed.emit(str(error))
            return None
        self.refresh(select=note.id)
        self.message.emit(f"{kind.capitalize()} added at {clock(note.time)}")
        if kind == "note":
            item = self.tree.currentItem()
            if item is not None:
                self.edit(item)
        return note

    def edit(self, item: QTreeWidgetItem) -> None:
        self.editingStarted.emit()
        self.tree.setFocus()
        self.tree.editItem(item, 1)

    def is_editing(self) -> bool:
        return self.tree.state() == QTreeWidget.State.EditingState

    def delete_selected(self) -> None:
        item = self.tree.currentItem()
        if item is None:
            return
        try:
            self.library.delete_note(int(item.data(0, _ID)))
        except LecternError as error:
            self.failed.emit(str(error))
        self.refresh()
        self.message.emit("Note deleted")

    def _changed(self, item: QTreeWidgetItem, column: int) -> None:
        if column != 1:
            return
        try:
            self.library.update_note(int(item.data(0, _ID)), item.text(1))
        except LecternError as error:
            self.failed.emit(str(error))
        self.changed.emit()

    def _clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        self.seekRequested.emit(float(item.data(0, _TIME)))
