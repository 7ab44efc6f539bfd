"""The learner's Review page: questions answered wrong come back after 1, 3 and 7 days.

Each due question is asked again with the same card as in the lesson
(:class:`~shared.ui.question_card.QuestionCard`); "Jump to the explanation" opens its
lesson at the start of the chapter that explains it. Answers given here move the
question through the Leitner boxes (:mod:`shared.checkpoints.review`); a right answer
on a second try, after a wrong one in the same sitting, keeps it in box 1.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shared.errors import LecternError
from shared.library import Library, ReviewItem
from shared.timecode import clock
from shared.ui.plain import plain
from shared.ui.question_card import QuestionCard

__all__ = ["ReviewView"]


class ReviewView(QWidget):
    """The questions due for review, one at a time.

    Signals:
        jumpRequested(str, str, float): open this course's lesson at this time.
        failed(str): an error message to show.
        countChanged(int): how many questions are due now.
    """

    jumpRequested = Signal(str, str, float)
    failed = Signal(str)
    countChanged = Signal(int)

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.library = library
        self.items: list[ReviewItem] = []
        self._missed = False  # answered wrong in this sitting: a retry does not move it up
        heading = QLabel("Review")
        heading.setObjectName("heading")
        self.summary = plain(QLabel())
        self.summary.setObjectName("muted")
        self.summary.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Questions to review")
        self.list.setMinimumWidth(280)
        self.card = QuestionCard(self)
        self.card.setAccessibleName("Review question")
        self.jump_button = QPushButton("&Jump to the explanation")
        self.jump_button.setAccessibleName("Jump to the explanation")
        self.where = plain(QLabel())
        self.where.setObjectName("muted")
        right = QVBoxLayout()
        right.addWidget(self.where)
        right.addWidget(self.card)
        jump = QHBoxLayout()
        jump.addWidget(self.jump_button)
        jump.addStretch(1)
        right.addLayout(jump)
        right.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.list, 1)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        layout.addLayout(body, 1)

        self.list.currentRowChanged.connect(self._chosen)
        self.card.answered.connect(self._answered)
        self.card.continued.connect(self.refresh)
        self.card.skipped.connect(self._skip)
        self.card.rewatchRequested.connect(self.jump)
        self.jump_button.clicked.connect(self.jump)

    def refresh(self) -> None:
        """Read what is due now and show the first question."""
        try:
            self.items = self.library.checkpoints.due()
        except LecternError as error:
            self.failed.emit(str(error))
            self.items = []
        self.list.clear()
        for item in self.items:
            entry = QListWidgetItem(f"{item.checkpoint.name}\n{item.lesson_title} · box {item.box}")
            entry.setToolTip(item.checkpoint.prompt)
            self.list.addItem(entry)
        count = len(self.items)
        self.summary.setText(
            f"{count} question(s) to review. Questions you answered wrong come back after "
            "1, 3 and 7 days; answer them right to move them on."
            if count
            else "Nothing to review now. Questions you answer wrong in a lesson come back "
            "here after a day."
        )
        self.card.setVisible(bool(count))
        self.jump_button.setVisible(bool(count))
        self.where.setVisible(bool(count))
        self.countChanged.emit(count)
        if count:
            self.list.setCurrentRow(0)

    def current(self) -> ReviewItem | None:
        row = self.list.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def _chosen(self, row: int) -> None:
        item = self.current()
        if item is None:
            return
        self.where.setText(
            f"{item.course_title} › {item.lesson_title}, asked at {clock(item.time)}"
        )
        self._missed = False
        self.card.ask(item.checkpoint, heading=f"Review · box {item.box} of 3")
        self.card.skip_button.setVisible(True)  # the review never holds the learner back
        self.card.rewatch_button.setText("&Re-watch the explanation")

    def _answered(self, response: object, spent: float) -> None:
        item = self.current()
        if item is None:
            return
        try:
            result = self.library.checkpoints.answer(
                item.course_id,
                item.lesson_id,
                item.checkpoint,
                response,  # type: ignore[arg-type]
                spent=spent,
                reviewing=not self._missed,
            )
        except (LecternError, ValueError) as error:
            self.failed.emit(str(error))
            return
        self._missed = self._missed or not result.correct
        self.card.show_result(result)
        self.card.rewatch_button.setVisible(not result.correct)

    def _skip(self) -> None:
        row = self.list.currentRow()
        if row + 1 < self.list.count():
            self.list.setCurrentRow(row + 1)

    def jump(self) -> None:
        """Open the current question's lesson where it is explained."""
        item = self.current()
        if item is not None:
            self.jumpRequested.emit(item.course_id, item.lesson_id, item.explained_at)

    def keyPressEvent(self, event) -> None:  # noqa: ANN001 - Qt's signature
        if event.key() == Qt.Key.Key_Escape:
            self._skip()
            return
        super().keyPressEvent(event)
