"""The lesson's questions in one list: where each is, and how the learner answered it.

One row per checkpoint, in time order: its time, its name, whether it is required,
and the learner's answers so far (right or wrong, how many attempts), marked with the
seek bar's diamond colour. Enter or a double-click goes to the question's moment;
"Try again" (Ctrl+Enter) asks it once more there, whatever was answered before.

The questions come from the course package, which someone else made: their text is
shown only as plain text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shared.checkpoints import Checkpoint
from shared.library import CheckpointAnswer
from shared.timecode import clock
from shared.ui import theme
from shared.ui.plain import plain, plain_tip
from shared.ui.seek_bar import CHECKPOINT_COLOURS

__all__ = ["QuestionsPanel", "question_state", "question_summary"]

_NONE = "This lesson has no questions."


def question_state(question: Checkpoint, answer: CheckpointAnswer | None) -> str:
    """``"right"``, ``"wrong"``, ``"required"`` or ``"open"``, as the seek bar's diamonds."""
    if answer is not None:
        return "right" if answer.correct else "wrong"
    return "required" if question.required else "open"


def _status(question: Checkpoint, answer: CheckpointAnswer | None) -> str:
    if answer is None:
        return "Required · not answered yet" if question.required else "Not answered yet"
    tries = f"{answer.attempts} attempt{'s' if answer.attempts != 1 else ''}"
    return f"{'Right' if answer.correct else 'Wrong'} · {tries}"


def question_summary(
    questions: Sequence[tuple[float, Checkpoint]], answers: Mapping[str, CheckpointAnswer]
) -> str:
    """One line over the list: how many, answered, right, and required ones left."""
    if not questions:
        return _NONE
    total = len(questions)
    answered = [answers[q.id] for _at, q in questions if q.id in answers]
    right = sum(1 for answer in answered if answer.correct)
    left = sum(1 for _at, q in questions if q.required and q.id not in answers)
    parts = [
        f"{total} question{'s' if total != 1 else ''}",
        f"{len(answered)} answered",
        f"{right} right",
    ]
    if left:
        parts.append(f"{left} required left")
    return " · ".join(parts)


def _diamond(state: str, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(theme.SURFACE))
    painter.setBrush(QColor(CHECKPOINT_COLOURS.get(state, theme.ACCENT)))
    half = size // 2
    painter.drawPolygon(
        [QPoint(half, 1), QPoint(size - 1, half), QPoint(half, size - 1), QPoint(1, half)]
    )
    painter.end()
    return QIcon(pixmap)


class QuestionsPanel(QWidget):
    """The questions of the lesson that is open.

    Signals:
        seekRequested(float): go to this question's moment (it is not asked again).
        askRequested(str): ask the question with this id again, at its moment.
    """

    seekRequested = Signal(float)
    askRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Questions")
        self._questions: list[tuple[float, Checkpoint]] = []
        self.summary = plain(QLabel(_NONE))
        self.summary.setObjectName("muted")
        self.summary.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Questions of this lesson")
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.itemActivated.connect(self._go)
        self.list.itemDoubleClicked.connect(self._go)
        self.list.currentRowChanged.connect(self._chosen)
        self.go_button = QPushButton("Go to")
        self.go_button.setToolTip("Go to the moment of this question (Enter)")
        self.go_button.clicked.connect(lambda: self._go(self.list.currentItem()))
        self.again_button = QPushButton("Try again")
        self.again_button.setToolTip("Ask this question again at its moment (Ctrl+Enter)")
        self.again_button.clicked.connect(self.ask_again)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.list)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.ask_again)
        buttons = QHBoxLayout()
        buttons.addWidget(self.go_button)
        buttons.addWidget(self.again_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self._chosen(-1)

    def set_questions(
        self,
        questions: Sequence[tuple[float, Checkpoint]],
        answers: Mapping[str, CheckpointAnswer],
    ) -> None:
        """Show ``(time, question)`` pairs with the learner's answers; keeps the selection."""
        row = self.list.currentRow()
        self._questions = sorted(questions, key=lambda pair: pair[0])
        self.list.clear()
        for at, question in self._questions:
            answer = answers.get(question.id)
            state = question_state(question, answer)
            item = QListWidgetItem(f"{clock(at)}  {question.name}\n{_status(question, answer)}")
            item.setIcon(_diamond(state))
            item.setData(Qt.ItemDataRole.UserRole, question.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, state)
            item.setToolTip(plain_tip(f"{question.kind_name}: {' '.join(question.prompt.split())}"))
            self.list.addItem(item)
        self.summary.setText(question_summary(self._questions, answers))
        if 0 <= row < self.list.count():
            self.list.setCurrentRow(row)
        self._chosen(self.list.currentRow())

    def rows(self) -> list[tuple[str, str]]:
        """``(text, state)`` of each row, as shown."""
        return [
            (self.list.item(i).text(), self.list.item(i).data(Qt.ItemDataRole.UserRole + 1))
            for i in range(self.list.count())
        ]

    def focus_list(self) -> None:
        """Put the keyboard in the list, on the first question if none is chosen."""
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self.list.setFocus()

    def ask_again(self) -> None:
        index = self.list.currentRow()
        if 0 <= index < len(self._questions):
            self.askRequested.emit(self._questions[index][1].id)

    def _go(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        index = self.list.row(item)
        if 0 <= index < len(self._questions):
            self.seekRequested.emit(self._questions[index][0])

    def _chosen(self, row: int) -> None:
        self.go_button.setEnabled(row >= 0)
        self.again_button.setEnabled(row >= 0)
