"""The Checkpoints tab's form: write a new question, or rewrite one, in the Studio.

The form holds the kind of question, its text, the choices with a "correct" tick and
the feedback of each (or, for a short answer, the accepted answers with a tolerance
for numbers), the feedback for any other answer, "required" and "re-watch on a wrong
answer", and where it is asked. Save checks it with
:func:`studio.lesson_checkpoints.written_question`; a question that cannot be asked
keeps the form open with one sentence saying what to change. Everything is reachable
with Tab and the underlined Alt+letter of each label.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from shared.checkpoints import MULTIPLE, SHORT, SINGLE, TRUE_FALSE, Checkpoint
from shared.checkpoints.model import KIND_NAMES
from shared.errors import LecternError
from shared.timecode import clock
from shared.ui.plain import plain
from studio.lesson_checkpoints import AnswerRow, ChoiceRow, written_question

__all__ = ["QuestionDialog"]

_KINDS = (SINGLE, MULTIPLE, TRUE_FALSE, SHORT)
_ROWS = 4  # empty choice rows a new question starts with


class _ChoiceLine:
    def __init__(self, number: int) -> None:
        self.correct = QCheckBox()
        self.correct.setAccessibleName(f"Choice {number} is correct")
        self.text = QLineEdit()
        self.text.setAccessibleName(f"Choice {number}")
        self.text.setPlaceholderText(f"Choice {number}")
        self.feedback = QLineEdit()
        self.feedback.setAccessibleName(f"Feedback for choice {number}")
        self.feedback.setPlaceholderText("Feedback when chosen (optional)")

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.correct, self.text, self.feedback)

    def row(self) -> ChoiceRow:
        return ChoiceRow(self.text.text(), self.correct.isChecked(), self.feedback.text())


class _AnswerLine:
    def __init__(self, number: int) -> None:
        self.answer = QLineEdit()
        self.answer.setAccessibleName(f"Accepted answer {number}")
        self.answer.setPlaceholderText(f"Answer {number} (a text or a number)")
        self.tolerance = QLineEdit()
        self.tolerance.setAccessibleName(f"Tolerance of answer {number}")
        self.tolerance.setPlaceholderText("± tolerance")
        self.tolerance.setToolTip("How far a typed number may be from the answer, such as 0.5")
        self.tolerance.setMaximumWidth(130)
        self.feedback = QLineEdit()
        self.feedback.setAccessibleName(f"Feedback for answer {number}")
        self.feedback.setPlaceholderText("Feedback when given (optional)")

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.answer, self.tolerance, self.feedback)

    def row(self) -> AnswerRow:
        return AnswerRow(self.answer.text(), self.tolerance.text(), self.feedback.text())


class QuestionDialog(QDialog):
    """Write a question (``question=None``) or rewrite ``question``.

    When accepted, :attr:`question` is the checked question, with its id kept when
    rewritten and made from its text (clear of ``taken``) when new.
    """

    def __init__(
        self,
        *,
        duration: float,
        chapters: int,
        playhead: float,
        taken: Sequence[str] = (),
        question: Checkpoint | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._duration, self._chapters, self._taken = duration, chapters, tuple(taken)
        self._editing = question
        self.question: Checkpoint | None = None
        self._shown_at: tuple[float, float] | None = None
        title = "Edit question" if question else "New question"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(680)

        self.kind_box = QComboBox()
        self.kind_box.setAccessibleName("Kind of question")
        for kind in _KINDS:
            self.kind_box.addItem(KIND_NAMES[kind].capitalize(), kind)
        self.title_box = QLineEdit()
        self.title_box.setAccessibleName("Short name")
        self.title_box.setPlaceholderText("Shown in the list (optional)")
        self.prompt_box = QPlainTextEdit()
        self.prompt_box.setAccessibleName("Question")
        self.prompt_box.setTabChangesFocus(True)
        self.prompt_box.setFixedHeight(64)
        form = QFormLayout()
        for text, widget in (
            ("&Kind:", self.kind_box),
            ("&Question:", self.prompt_box),
            ("Short &name:", self.title_box),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)

        self.choices_box = QGroupBox("&Choices: tick the correct one")
        self._choice_grid = QGridLayout(self.choices_box)
        self._choice_grid.addWidget(QLabel("Correct"), 0, 0)
        self._choice_grid.addWidget(QLabel("Choice"), 0, 1)
        self._choice_grid.addWidget(QLabel("Feedback"), 0, 2)
        self._choice_grid.setColumnStretch(1, 2)
        self._choice_grid.setColumnStretch(2, 3)
        self.choice_lines: list[_ChoiceLine] = []
        self.answer_lines: list[_AnswerLine] = []
        self.add_answer_button = QPushButton("Add an&swer")
        self.add_choice_button = QPushButton("A&dd choice")
        for button in (self.add_choice_button, self.add_answer_button):
            button.setAutoDefault(False)  # Enter saves the question, it adds no row
        self.add_choice_button.clicked.connect(lambda: self._more(self._add_choice().text))
        for _ in range(_ROWS):
            self._add_choice()

        self.answers_box = QGroupBox("Acce&pted answers: case and spacing are forgiven")
        self._answer_grid = QGridLayout(self.answers_box)
        self._answer_grid.setColumnStretch(0, 2)
        self._answer_grid.setColumnStretch(2, 3)
        self.add_answer_button.clicked.connect(lambda: self._more(self._add_answer().answer))
        for _ in range(2):
            self._add_answer()

        self.wrong_box = QLineEdit()
        self.wrong_box.setAccessibleName("Feedback for any other answer")
        self.wrong_box.setPlaceholderText("Feedback for an answer without its own (optional)")
        self.required_box = QCheckBox("&Required before going on")
        self.rewatch_box = QCheckBox("On a &wrong answer, offer to re-watch this chapter")

        placement = QGroupBox("Ask it")
        self.at_button = QRadioButton("A&t")
        self.at_box = QDoubleSpinBox()
        self.at_box.setAccessibleName("Time in seconds")
        self.at_box.setRange(0.0, max(duration, 0.0))
        self.at_box.setDecimals(1)
        self.at_box.setSuffix(" s")
        self.at_box.setValue(min(max(playhead, 0.0), max(duration, 0.0)))
        self.at_clock = QLabel()
        self.at_box.valueChanged.connect(lambda value: self.at_clock.setText(f"({clock(value)})"))
        self.at_clock.setText(f"({clock(self.at_box.value())})")
        self.chapter_button = QRadioButton("At the end of c&hapter")
        self.chapter_box = QSpinBox()
        self.chapter_box.setAccessibleName("Chapter number")
        self.chapter_box.setRange(1, max(chapters, 1))
        self.end_button = QRadioButton("At the &end of the lesson")
        if chapters < 1:
            self.chapter_button.setEnabled(False)
            self.chapter_button.setToolTip("This lesson has no chapters.")
        self.at_button.setChecked(True)
        self.at_button.toggled.connect(self.at_box.setEnabled)
        self.chapter_button.toggled.connect(self.chapter_box.setEnabled)
        self.chapter_box.setEnabled(False)
        place = QGridLayout(placement)
        place.addWidget(self.at_button, 0, 0)
        place.addWidget(self.at_box, 0, 1)
        place.addWidget(self.at_clock, 0, 2)
        place.addWidget(self.chapter_button, 1, 0)
        place.addWidget(self.chapter_box, 1, 1)
        place.addWidget(self.end_button, 2, 0, 1, 3)
        place.setColumnStretch(3, 1)

        self.error_label = plain(QLabel())
        self.error_label.setAccessibleName("Problem")
        self.error_label.setWordWrap(True)
        self.error_label.setObjectName("banner")  # stands out, like the review panel's
        self.error_label.hide()
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(
            "Save question", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName("primary")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Save the question (Enter, or Ctrl+Enter in the question)")
        save = QShortcut(QKeySequence("Ctrl+Return"), self)  # the question box takes Enter
        save.activated.connect(self.accept)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        flags = QHBoxLayout()
        flags.addWidget(self.required_box)
        flags.addWidget(self.rewatch_box)
        flags.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.choices_box)
        layout.addWidget(self.answers_box)
        other = QFormLayout()
        other_label = QLabel("Any &other answer:")
        other_label.setBuddy(self.wrong_box)
        other.addRow(other_label, self.wrong_box)
        layout.addLayout(other)
        layout.addLayout(flags)
        layout.addWidget(placement)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

        self.kind_box.currentIndexChanged.connect(lambda _: self._show_kind())
        if question is not None:
            self._fill(question)
        self._show_kind()
        self._order_tabs()
        self.prompt_box.setFocus()

    # ------------------------------------------------------------------ rows

    def _add_choice(self) -> _ChoiceLine:
        line = _ChoiceLine(len(self.choice_lines) + 1)
        row = len(self.choice_lines) + 1
        for column, widget in enumerate(line.widgets()):
            self._choice_grid.addWidget(widget, row, column)
        self._choice_grid.addWidget(self.add_choice_button, row + 1, 1)
        # Ticking one choice of a single-choice question unticks the others. Not a
        # QButtonGroup: an exclusive group lets Tab reach only one of its boxes.
        line.correct.toggled.connect(lambda on, line=line: on and self._only(line))
        self.choice_lines.append(line)
        return line

    def _add_answer(self) -> _AnswerLine:
        line = _AnswerLine(len(self.answer_lines) + 1)
        row = len(self.answer_lines)
        for column, widget in enumerate(line.widgets()):
            self._answer_grid.addWidget(widget, row, column)
        self._answer_grid.addWidget(self.add_answer_button, row + 1, 0)
        self.answer_lines.append(line)
        return line

    def _more(self, first: QWidget) -> None:
        self._order_tabs()
        first.setFocus()

    def _order_tabs(self) -> None:
        """Tab goes along each row, then to the Add button (not column by column)."""
        chain: list[QWidget] = [self.kind_box, self.prompt_box, self.title_box]
        for line in self.choice_lines:
            chain.extend(line.widgets())
        chain.append(self.add_choice_button)
        for answer in self.answer_lines:
            chain.extend(answer.widgets())
        chain += [self.add_answer_button, self.wrong_box, self.required_box, self.rewatch_box]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # ------------------------------------------------------------------ kinds

    def kind(self) -> str:
        return self.kind_box.currentData()

    def set_kind(self, kind: str) -> None:
        self.kind_box.setCurrentIndex(_KINDS.index(kind))

    def _show_kind(self) -> None:
        kind = self.kind()
        short, true_false = kind == SHORT, kind == TRUE_FALSE
        self.choices_box.setVisible(not short)
        self.answers_box.setVisible(short)
        self.choices_box.setTitle(
            "&Choices: tick every correct one"
            if kind == MULTIPLE
            else "&Statement is: tick True or False"
            if true_false
            else "&Choices: tick the correct one"
        )
        for number, line in enumerate(self.choice_lines):
            fixed = true_false and number < 2
            if fixed:
                line.text.setText(("True", "False")[number])
            elif true_false is False and line.text.isReadOnly():
                line.text.clear()  # the True/False of a kind changed back
            line.text.setReadOnly(fixed)
            for widget in line.widgets():
                widget.setVisible(not true_false or number < 2)
        self.add_choice_button.setVisible(not true_false)
        self.adjustSize()

    def _only(self, chosen: _ChoiceLine) -> None:
        if self.kind() != MULTIPLE:
            for line in self.choice_lines:
                if line is not chosen:
                    line.correct.setChecked(False)

    def _fill(self, question: Checkpoint) -> None:
        self.set_kind(question.kind)
        self.prompt_box.setPlainText(question.prompt)
        self.title_box.setText(question.title)
        while len(self.choice_lines) < len(question.choices) + 1:
            self._add_choice()
        for line, choice in zip(self.choice_lines, question.choices, strict=False):
            line.text.setText(choice.text)
            line.correct.setChecked(choice.correct)
            line.feedback.setText(choice.feedback)
        if question.kind == TRUE_FALSE:
            for line in self.choice_lines[:2]:
                line.text.setReadOnly(True)
        while len(self.answer_lines) < len(question.accepted) + 1:
            self._add_answer()
        for line, answer in zip(self.answer_lines, question.accepted, strict=False):
            if answer.number is None:
                line.answer.setText(answer.text or "")
            else:
                line.answer.setText(f"{answer.number:g}")
                line.tolerance.setText(f"{answer.tolerance:g}" if answer.tolerance else "")
            line.feedback.setText(answer.feedback)
        self.wrong_box.setText(question.wrong_feedback)
        self.required_box.setChecked(question.required)
        self.rewatch_box.setChecked(question.rewatch_on_wrong)
        if question.at is not None:
            self.at_box.setValue(question.at)
            self._shown_at = (self.at_box.value(), question.at)  # the box shows tenths
        elif question.after_chapter is not None and self._chapters >= 1:
            self.chapter_box.setValue(question.after_chapter)
            self.chapter_button.setChecked(True)
        else:
            self.end_button.setChecked(True)

    # ------------------------------------------------------------------ saving

    def accept(self) -> None:
        """Check the question; keep the form open with one sentence when it is wrong."""
        at = self.at_box.value() if self.at_button.isChecked() else None
        if at is not None and self._shown_at is not None and at == self._shown_at[0]:
            at = self._shown_at[1]  # left as it was: keep the exact time, not its tenths
        chapter = self.chapter_box.value() if self.chapter_button.isChecked() else None
        try:
            self.question = written_question(
                self.kind(),
                self.prompt_box.toPlainText(),
                choices=[line.row() for line in self.choice_lines],
                answers=[line.row() for line in self.answer_lines],
                wrong_feedback=self.wrong_box.text(),
                title=self.title_box.text(),
                required=self.required_box.isChecked(),
                rewatch_on_wrong=self.rewatch_box.isChecked(),
                at=at,
                after_chapter=chapter,
                duration=self._duration,
                chapters=self._chapters,
                keep_id=self._editing.id if self._editing else None,
                taken=self._taken,
            )
        except LecternError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            return
        super().accept()

    def problem(self) -> str:
        """The sentence shown for the last refused save ("" when none)."""
        return self.error_label.text() if self.error_label.isVisible() else ""
