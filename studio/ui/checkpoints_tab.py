"""The review panel's Checkpoints tab: the questions asked during the lesson.

The tab lists them (when, kind, question, required, re-watch), writes new ones and
rewrites them in a form (:class:`~studio.ui.question_dialog.QuestionDialog`: "New
question…" or Ins; double-click or Enter on a question), imports question banks
(Moodle GIFT, Aiken, Lectern JSON) at the playhead, moves and deletes them (Del), and says
where a question is missing (see :func:`studio.nudges.checkpoint_suggestions`). Every
change is an :class:`~studio.editing.Edit` that the review panel makes through its
session, so Ctrl+Z undoes it like any other edit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shared.checkpoints import BankError, Checkpoint, import_bank
from shared.errors import LecternError
from shared.timecode import clock
from shared.ui.plain import plain
from studio.editing import (
    AddCheckpoints,
    ChangeCheckpoint,
    EditState,
    RemoveCheckpoint,
    ReplaceCheckpoint,
)
from studio.lesson_checkpoints import placed
from studio.nudges import checkpoint_suggestions, long_parts
from studio.ui.question_dialog import QuestionDialog

__all__ = ["CheckpointsTab", "BANK_FILTER"]

BANK_FILTER = "Question banks (*.gift *.txt *.json);;All files (*)"
_REQUIRED, _REWATCH = 3, 4


def question_times(state: EditState) -> list[float]:
    """When each of the state's questions is asked, in the state's order."""
    ends = [chapter.end for chapter in state.chapters]
    return [item.time_in(ends, state.duration) for item in state.checkpoints]


class CheckpointsTab(QWidget):
    """The list of a lesson's questions and the buttons that change them.

    Signals:
        editRequested(object): make this edit (an ``Edit``) through the session.
        seekRequested(float): show the lesson at this time.
        message(str), failed(str): words for the status bar / an error.
    """

    editRequested = Signal(object)
    seekRequested = Signal(float)
    message = Signal(str)
    failed = Signal(str)

    def __init__(self, playhead: Callable[[], float], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._playhead = playhead
        self._state: EditState | None = None
        self._filling = False
        self.table = QTableWidget(0, 5)
        self.table.setAccessibleName("Checkpoints")
        self.table.setHorizontalHeaderLabels(["When", "Kind", "Question", "Required", "Re-watch"])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip(
            "Click a question to go to it · tick Required so learners must answer it · "
            "tick Re-watch to offer the chapter again after a wrong answer"
        )
        self.new_button = QPushButton("New question…")
        self.new_button.setAccessibleName("New question")
        self.new_button.setToolTip("Write a question asked at the playhead (Ins in the list)")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setAccessibleName("Edit question")
        self.edit_button.setToolTip("Rewrite the selected question (Enter or double-click)")
        self.dialog: QuestionDialog | None = None
        self.import_button = QPushButton("Import questions…")
        self.import_button.setAccessibleName("Import questions")
        self.import_button.setToolTip(
            "Add the questions of a Moodle GIFT, Aiken or Lectern file at the playhead"
        )
        self.move_button = QPushButton("Move to playhead")
        self.move_button.setAccessibleName("Move question to playhead")
        self.delete_button = QPushButton("Delete question")
        self.delete_button.setAccessibleName("Delete question")
        self.hint = plain(QLabel())
        self.hint.setWordWrap(True)
        self.hint.setProperty("muted", True)
        buttons = QHBoxLayout()
        for button in (
            self.new_button,
            self.edit_button,
            self.import_button,
            self.move_button,
            self.delete_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 8, 6, 6)
        layout.addLayout(buttons)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)

        self.new_button.clicked.connect(lambda: self.new_question())
        self.edit_button.clicked.connect(lambda: self.edit_selected())
        self.table.activated.connect(self._activated)  # Enter, and double-click
        for keys, slot in (
            (QKeySequence.StandardKey.Delete, self.delete_selected),
            (QKeySequence(Qt.Key.Key_Insert), self.new_question),
        ):
            action = QAction(self.table)
            action.setShortcut(keys)
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(lambda _=False, slot=slot: slot())
            self.table.addAction(action)
        self.import_button.clicked.connect(lambda: self.import_file())
        self.move_button.clicked.connect(lambda: self.move_selected())
        self.delete_button.clicked.connect(lambda: self.delete_selected())
        self.table.cellClicked.connect(self._clicked)
        self.table.itemChanged.connect(self._ticked)

    # ---------------------------------------------------------------- actions

    def selected(self) -> Checkpoint | None:
        row = self.table.currentRow()
        if self._state is None or not 0 <= row < len(self._state.checkpoints):
            return None
        return self._state.checkpoints[row]

    def import_file(self, path: str | Path | None = None) -> bool:
        """Import a question bank at the playhead (asks for the file when not given)."""
        if self._state is None:
            return False
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Import questions", "", BANK_FILTER)
            if not path:
                return False
        state = self._state
        try:
            bank = import_bank(path, duration=state.duration)
            known = {item.id for item in state.checkpoints}  # the same question is not added twice
            bank = dataclasses.replace(
                bank, checkpoints=tuple(q for q in bank.checkpoints if q.id not in known)
            )
            items = placed(
                bank,
                duration=state.duration,
                chapters=len(state.chapters),
                at=round(self._playhead(), 3),
            )
        except (BankError, LecternError) as error:
            self.failed.emit(str(error))
            return False
        if items:
            self.editRequested.emit(AddCheckpoints(items))
        skipped = "; ".join(str(item) for item in bank.skipped)
        text = f"Imported {len(items)} question(s) at {clock(self._playhead())}"
        self.message.emit(f"{text}. {skipped}" if skipped else text)
        return bool(items)

    def new_question(self) -> QuestionDialog | None:
        """Open the form for a new question, asked at the playhead unless changed."""
        return self._open_form(None)

    def edit_selected(self) -> QuestionDialog | None:
        """Open the form on the selected question."""
        item = self.selected()
        if item is None:
            self.failed.emit("Select a question in the list first, then edit it.")
            return None
        return self._open_form(item)

    def _activated(self, index: QModelIndex) -> None:
        if index.column() not in (_REQUIRED, _REWATCH):  # those are tick boxes
            self.edit_selected()

    def _open_form(self, item: Checkpoint | None) -> QuestionDialog | None:
        state = self._state
        if state is None:
            return None
        dialog = QuestionDialog(
            duration=state.duration,
            chapters=len(state.chapters),
            playhead=self._playhead(),
            taken=[question.id for question in state.checkpoints],
            question=item,
            parent=self,
        )
        dialog.accepted.connect(lambda: self._written(dialog, item))
        dialog.finished.connect(lambda _: self._back_to_list(dialog))
        self.dialog = dialog
        dialog.open()  # window-modal; the answer arrives through ``accepted``
        return dialog

    def _written(self, dialog: QuestionDialog, item: Checkpoint | None) -> None:
        question = dialog.question
        if question is None:
            return
        if item is None:
            self.editRequested.emit(AddCheckpoints((question,)))
            self.message.emit(f"Added the question {question.name!r} {question.placement()}")
        elif question != item:
            self.editRequested.emit(ReplaceCheckpoint(question))
            self.message.emit(f"Changed the question {question.name!r}")
        self._select(question.id)

    def _back_to_list(self, dialog: QuestionDialog) -> None:
        """The keyboard goes on in the list where it left it."""
        dialog.deleteLater()
        self.activateWindow()
        self.table.setFocus()

    def _select(self, ident: str) -> None:
        if self._state is None:
            return
        for row, question in enumerate(self._state.checkpoints):
            if question.id == ident:
                self.table.setCurrentCell(row, 2)

    def move_selected(self) -> bool:
        item = self.selected()
        if item is None:
            self.failed.emit("Select a question in the list first, then move it.")
            return False
        self.editRequested.emit(ChangeCheckpoint(item.id, at=self._playhead()))
        return True

    def delete_selected(self) -> bool:
        item = self.selected()
        if item is None:
            self.failed.emit("Select a question in the list first, then delete it.")
            return False
        self.editRequested.emit(RemoveCheckpoint(item.id))
        return True

    def _clicked(self, row: int, _column: int) -> None:
        if self._state is not None and 0 <= row < len(self._state.checkpoints):
            self.seekRequested.emit(question_times(self._state)[row])

    def _ticked(self, cell: QTableWidgetItem) -> None:
        if self._filling or self._state is None or cell.column() not in (_REQUIRED, _REWATCH):
            return
        item = self._state.checkpoints[cell.row()]
        on = cell.checkState() == Qt.CheckState.Checked
        if cell.column() == _REQUIRED:
            self.editRequested.emit(ChangeCheckpoint(item.id, required=on))
        else:
            self.editRequested.emit(ChangeCheckpoint(item.id, rewatch_on_wrong=on))

    # ---------------------------------------------------------------- showing

    def show_state(self, state: EditState | None) -> None:
        """Fill the list from the session's state (``None``: no lesson)."""
        self._state = state
        self._filling = True
        try:
            items = state.checkpoints if state is not None else ()
            row_now = self.table.currentRow()
            self.table.setRowCount(len(items))
            times = question_times(state) if state is not None else []
            for row, (item, at) in enumerate(zip(items, times, strict=True)):
                when = _cell(clock(at))
                when.setToolTip(item.placement())
                self.table.setItem(row, 0, when)
                self.table.setItem(row, 1, _cell(item.kind_name))
                question = _cell(item.name)
                question.setToolTip(item.prompt)
                self.table.setItem(row, 2, question)
                for column, on in ((_REQUIRED, item.required), (_REWATCH, item.rewatch_on_wrong)):
                    tick = _cell("")
                    tick.setFlags(tick.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    tick.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                    self.table.setItem(row, column, tick)
            if 0 <= row_now < len(items):
                self.table.setCurrentCell(row_now, 0)
            self.move_button.setEnabled(bool(items))
            self.delete_button.setEnabled(bool(items))
            self.edit_button.setEnabled(bool(items))
            self.import_button.setEnabled(state is not None)
            self.new_button.setEnabled(state is not None)
            self.hint.setText(_hint(state))
        finally:
            self._filling = False

    def marks(self) -> list[tuple[float, str, str]]:
        """The seek bar's diamonds for the questions shown."""
        if self._state is None:
            return []
        return [
            (at, "required" if item.required else "open", item.name)
            for item, at in zip(self._state.checkpoints, question_times(self._state), strict=True)
        ]


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    return item


def _hint(state: EditState | None) -> str:
    if state is None:
        return ""
    length = state.timeline.duration if state.trimmed else state.duration
    long = ""
    if long_parts(length, ()):
        long = (
            f"This lesson is {clock(length)} long and engagement drops after about 6 "
            "minutes: consider splitting it (right-click a chapter > Split the lesson here). "
        )
    chapters = [part for part in long_parts(state.duration, state.chapters) if part.index]
    if chapters:
        named = ", ".join(f"{part.index} ({clock(part.length)})" for part in chapters[:5])
        long += f"Chapters longer than 6 minutes: {named}. "
    return long + _questions_hint(state, length)


def _questions_hint(state: EditState, length: float) -> str:
    suggestions = checkpoint_suggestions(length, question_times(state))
    if not state.checkpoints and not suggestions:
        return (
            "No questions yet. Write one (New question…) or import a question bank "
            "to ask learners during the lesson."
        )
    if suggestions:
        where = ", ".join(clock(at) for at in suggestions)
        return (
            f"Learners engage more with a short question every ~5 minutes; "
            f"consider one near {where}."
        )
    return f"{len(state.checkpoints)} question(s)."
