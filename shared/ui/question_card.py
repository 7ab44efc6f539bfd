"""The question card: one checkpoint shown over the video, answered with keyboard or mouse.

Keys: the digits 1-9 choose a choice (toggle it in a multiple-choice question), the
arrows move between choices, Space ticks, Enter checks the answer and then goes on,
Escape skips a question that is not required; Alt+T tries again after a wrong answer,
Alt+R re-watches the chapter when the teacher offers it, Alt+C continues. Text is shown as plain text, never as
rich text: a question comes from a package, which may be hostile.

Signals:
    answered(object, float): the learner's answer (an index, a set of indexes or a
        text) and the seconds spent on this attempt; call :meth:`show_result` next.
    continued(): go on with the lesson.
    rewatchRequested(): play the question's chapter again from its start.
    skipped(): the learner left a question that is not required unanswered.
"""

from __future__ import annotations

import time
from collections.abc import Collection

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from shared.checkpoints import MULTIPLE, SHORT, Checkpoint, Grade
from shared.ui.plain import plain

__all__ = ["QuestionCard"]


class QuestionCard(QFrame):
    """One question, its answer controls, and then its feedback."""

    answered = Signal(object, float)
    continued = Signal()
    rewatchRequested = Signal()
    skipped = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("questionCard")
        self.setAccessibleName("Question")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            "QFrame#questionCard { background: #ffffff; border: 2px solid #2860c8;"
            " border-radius: 12px; }"
            " QLabel#questionPrompt { font-size: 13pt; font-weight: 600; }"
            " QLabel#questionFeedback { padding: 8px; border-radius: 6px; }"
        )
        self.checkpoint: Checkpoint | None = None
        self._started = 0.0
        self._buttons: list[QAbstractButton] = []
        self._group: QButtonGroup | None = None

        self.heading = plain(QLabel())
        self.heading.setObjectName("muted")
        self.prompt = plain(QLabel())
        self.prompt.setObjectName("questionPrompt")
        self.prompt.setWordWrap(True)
        self.choices_box = QWidget()
        self.choices_layout = QVBoxLayout(self.choices_box)
        self.choices_layout.setContentsMargins(0, 4, 0, 4)
        self.answer_box = QLineEdit()
        self.answer_box.setAccessibleName("Your answer")
        self.answer_box.setPlaceholderText("Type your answer, then press Enter")
        self.feedback = plain(QLabel())
        self.feedback.setObjectName("questionFeedback")
        self.feedback.setWordWrap(True)
        self.feedback.setAccessibleName("Feedback")
        self.check_button = QPushButton("Chec&k answer")
        self.check_button.setObjectName("primary")
        self.continue_button = QPushButton("&Continue")
        self.continue_button.setObjectName("primary")
        self.rewatch_button = QPushButton("&Re-watch this chapter")
        self.retry_button = QPushButton("&Try again")
        self.skip_button = QPushButton("Skip")
        self.skip_button.setToolTip("Skip this question (Esc)")
        buttons = QHBoxLayout()
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        for button in (self.rewatch_button, self.retry_button, self.check_button):
            buttons.addWidget(button)
        buttons.addWidget(self.continue_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 18)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.prompt)
        layout.addWidget(self.choices_box)
        layout.addWidget(self.answer_box)
        layout.addWidget(self.feedback)
        layout.addLayout(buttons)

        self.check_button.clicked.connect(self._check)
        self.answer_box.returnPressed.connect(self._check)
        self.continue_button.clicked.connect(self.continued)
        self.rewatch_button.clicked.connect(self.rewatchRequested)
        self.retry_button.clicked.connect(self._retry)
        self.skip_button.clicked.connect(self._skip)
        self.hide()

    # ---------------------------------------------------------------- content

    def ask(
        self,
        checkpoint: Checkpoint,
        *,
        heading: str = "",
        previous: object = None,
    ) -> None:
        """Show ``checkpoint``, with a ``previous`` answer chosen or typed already."""
        self.checkpoint = checkpoint
        self.heading.setText(heading or "Question")
        self.prompt.setText(checkpoint.prompt)
        for button in self._buttons:  # gone now, not at the next turn of the event loop
            self.choices_layout.removeWidget(button)
            button.hide()
            button.deleteLater()
        self._buttons = []
        self._group = None
        short = checkpoint.kind == SHORT
        if not short:
            many = checkpoint.kind == MULTIPLE
            self._group = QButtonGroup(self)
            self._group.setExclusive(not many)
            for number, choice in enumerate(checkpoint.choices, 1):
                text = choice.text.replace("&", "&&")  # a literal &, not a mnemonic
                label = f"&{number}  {text}" if number < 10 else text
                button: QAbstractButton = QCheckBox(label) if many else QRadioButton(label)
                button.setAccessibleName(choice.text)
                self._group.addButton(button, number - 1)
                self.choices_layout.addWidget(button)
                self._buttons.append(button)
        self.choices_box.setVisible(not short)
        self.answer_box.setVisible(short)
        self.answer_box.clear()
        self._restore(previous)
        self.skip_button.setVisible(not checkpoint.required)
        self._answering(True)
        self.show()
        self.raise_()
        self._started = time.monotonic()
        (self.answer_box if short else (self._buttons or [self.check_button])[0]).setFocus()

    def _restore(self, previous: object) -> None:
        if previous is None:
            return
        if isinstance(previous, str):
            self.answer_box.setText(previous)
            return
        chosen = [previous] if isinstance(previous, int) else list(previous)  # type: ignore[arg-type]
        for index in chosen:
            if isinstance(index, int) and 0 <= index < len(self._buttons):
                self._buttons[index].setChecked(True)

    def _answering(self, on: bool) -> None:
        self.check_button.setVisible(on)
        self.feedback.setVisible(not on)
        self.continue_button.setVisible(not on)
        self.retry_button.setVisible(False)
        self.rewatch_button.setVisible(False)
        self.answer_box.setReadOnly(not on)
        for button in self._buttons:
            button.setEnabled(on)

    def response(self) -> str | int | Collection[int] | None:
        """The answer as given now, or ``None`` when nothing is chosen or typed."""
        if self.checkpoint is None:
            return None
        if self.checkpoint.kind == SHORT:
            text = self.answer_box.text()
            return text if text.strip() else None
        chosen = [i for i, button in enumerate(self._buttons) if button.isChecked()]
        if not chosen:
            return None
        return set(chosen) if self.checkpoint.kind == MULTIPLE else chosen[0]

    def _check(self) -> None:
        if self.checkpoint is None or not self.check_button.isVisible():
            return
        answer = self.response()
        if answer is None:
            self.feedback.setText("Choose or type an answer first.")
            self.feedback.setStyleSheet("background: #fff4d6;")
            self.feedback.show()
            return
        self.answered.emit(answer, time.monotonic() - self._started)

    def show_result(self, result: Grade) -> None:
        """Show whether the answer was right, its feedback, and what can be done next."""
        self._answering(False)
        verdict = "Right!" if result.correct else "Not quite."
        self.feedback.setText(f"{verdict} {result.feedback}".strip())
        self.feedback.setStyleSheet(
            "background: #dcf5e6;" if result.correct else "background: #fde2e1;"
        )
        wrong = not result.correct
        self.retry_button.setVisible(wrong)
        self.rewatch_button.setVisible(
            wrong and self.checkpoint is not None and self.checkpoint.rewatch_on_wrong
        )
        self.continue_button.setFocus()

    def _retry(self) -> None:
        self._answering(True)
        self._started = time.monotonic()
        (self.answer_box if self.answer_box.isVisible() else self.check_button).setFocus()
        if self._buttons:
            self._buttons[0].setFocus()

    def _skip(self) -> None:
        if self.checkpoint is not None and not self.checkpoint.required:
            self.skipped.emit()

    def is_answering(self) -> bool:
        return self.isVisible() and self.check_button.isVisible()

    # ------------------------------------------------------------------ keys

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focused = self.focusWidget()
            if isinstance(focused, QPushButton) and focused.isVisible():
                focused.click()
            elif self.check_button.isVisible():
                self._check()
            else:
                self.continue_button.click()
            return
        if key == Qt.Key.Key_Escape:
            self._skip()
            return
        if Qt.Key.Key_1 <= key <= Qt.Key.Key_9 and self.check_button.isVisible():
            index = key - Qt.Key.Key_1
            if index < len(self._buttons):
                button = self._buttons[index]
                button.setChecked(not button.isChecked() if isinstance(button, QCheckBox) else True)
                button.setFocus()
                return
        super().keyPressEvent(event)
