"""Questions written in the Studio's form: checked into real checkpoints, one sentence
when they cannot be asked, and rewritten through an undoable edit."""

from __future__ import annotations

import pytest

from shared.chapters import Chapter
from shared.checkpoints import MULTIPLE, SHORT, SINGLE, TRUE_FALSE, Checkpoint, Choice, grade
from shared.transcription import Transcript
from studio.editing import AddCheckpoints, EditError, EditState, ReplaceCheckpoint
from studio.lesson_checkpoints import (
    AnswerRow,
    ChoiceRow,
    PlacementError,
    QuestionError,
    written_question,
)

LESSON = {"duration": 300.0, "chapters": 2}


def test_a_single_choice_question_keeps_its_choices_feedback_and_placement():
    question = written_question(
        SINGLE,
        "  Which gas do leaves release?  ",
        choices=[
            ChoiceRow("Oxygen", True, "Yes: it comes from splitting water."),
            ChoiceRow(""),  # a blank row is left out
            ChoiceRow(" Carbon   dioxide ", False, "No: they take it in."),
        ],
        wrong_feedback="Think of what we breathe.",
        title="Oxygen",
        required=True,
        rewatch_on_wrong=True,
        at=42.1234,
        **LESSON,
    )
    assert question.kind == SINGLE and question.prompt == "Which gas do leaves release?"
    assert question.choices == (
        Choice("Oxygen", True, "Yes: it comes from splitting water."),
        Choice("Carbon dioxide", False, "No: they take it in."),
    )
    assert (question.at, question.after_chapter) == (42.123, None)
    assert question.required and question.rewatch_on_wrong and question.title == "Oxygen"
    assert question.problem() is None
    assert grade(question, 1).feedback == "No: they take it in."
    assert grade(question, 0).correct


def test_new_ids_come_from_the_text_and_avoid_those_taken_while_rewritten_ones_stay():
    first = written_question(
        TRUE_FALSE, "Leaves are green.", choices=[ChoiceRow("", True), ChoiceRow("")], **LESSON
    )
    assert [c.text for c in first.choices] == ["True", "False"]
    assert [c.correct for c in first.choices] == [True, False]
    again = written_question(
        TRUE_FALSE,
        "Leaves are green.",
        choices=[ChoiceRow("", True), ChoiceRow("")],
        taken=[first.id],
        **LESSON,
    )
    assert again.id == f"{first.id}-2"
    kept = written_question(
        TRUE_FALSE,
        "Leaves are blue.",
        choices=[ChoiceRow(""), ChoiceRow("", True)],
        keep_id=first.id,
        after_chapter=2,
        **LESSON,
    )
    assert kept.id == first.id and kept.after_chapter == 2 and kept.at is None


def test_short_answers_are_texts_or_numbers_with_a_tolerance():
    question = written_question(
        SHORT,
        "What is pi, to two decimals?",
        answers=[
            AnswerRow("3,14", "0.01", "Right."),
            AnswerRow(" Pi "),
            AnswerRow(""),
        ],
        **LESSON,
    )
    first, second = question.accepted
    assert (first.number, first.tolerance, first.feedback) == (3.14, 0.01, "Right.")
    assert (second.text, second.number) == ("Pi", None)
    assert grade(question, "3.15").correct and grade(question, "  PI").correct
    assert not grade(question, "3.2").correct
    assert question.at is None and question.after_chapter is None  # asked at the end


@pytest.mark.parametrize(
    ("kind", "rows", "message"),
    [
        (SINGLE, [ChoiceRow("A"), ChoiceRow("B")], "Mark the correct choice."),
        (SINGLE, [ChoiceRow("A", True)], "Give at least two choices."),
        (SINGLE, [ChoiceRow("A", True), ChoiceRow("B", True)], "A single-choice question has"),
        (MULTIPLE, [ChoiceRow("A", True), ChoiceRow("", False, "why")], "Choice 2 has no text"),
        (TRUE_FALSE, [ChoiceRow(""), ChoiceRow("")], "Say whether the statement is true"),
        (SHORT, [AnswerRow("")], "Give at least one accepted answer."),
        (SHORT, [AnswerRow("", "", "fine")], "Accepted answer 1 is empty"),
        (SHORT, [AnswerRow("3", "-1")], "The tolerance of answer 1 is not a number of 0 or more"),
        (SHORT, [AnswerRow("3", "lots")], "The tolerance of answer 1 is not a number"),
        (SHORT, [AnswerRow("Oxygen", "0.1")], "Answer 1 has a tolerance but is not a number"),
    ],
)
def test_a_question_that_cannot_be_asked_is_refused_with_one_sentence(kind, rows, message):
    rows_of = {"answers": rows} if kind == SHORT else {"choices": rows}
    with pytest.raises(QuestionError) as refused:
        written_question(kind, "A question?", **rows_of, **LESSON)
    text = str(refused.value)
    assert text.startswith(message) and text.count(". ") == 0 and text.endswith(".")


def test_an_empty_question_and_a_place_outside_the_lesson_are_refused():
    choices = [ChoiceRow("A", True), ChoiceRow("B")]
    with pytest.raises(QuestionError, match="Write the question first"):
        written_question(SINGLE, "   ", choices=choices, **LESSON)
    with pytest.raises(PlacementError, match="outside the lesson"):
        written_question(SINGLE, "Q?", choices=choices, at=301.0, **LESSON)
    with pytest.raises(PlacementError, match="There is no chapter 3"):
        written_question(SINGLE, "Q?", choices=choices, after_chapter=3, **LESSON)


def _state(*questions: Checkpoint) -> EditState:
    chapters = (Chapter(0.0, 150.0, "One"), Chapter(150.0, 300.0, "Two"))
    return EditState(Transcript.empty(300.0), chapters, 300.0, checkpoints=questions)


def test_rewriting_a_question_replaces_it_in_place_and_a_vanished_one_is_refused():
    one = written_question(SINGLE, "One?", choices=[ChoiceRow("a", True), ChoiceRow("b")], **LESSON)
    two = written_question(SHORT, "Two?", answers=[AnswerRow("2")], at=10, **LESSON)
    state = AddCheckpoints((one, two)).apply(_state())
    rewritten = written_question(
        MULTIPLE,
        "One, rewritten?",
        choices=[ChoiceRow("a", True), ChoiceRow("b", True)],
        keep_id=one.id,
        **LESSON,
    )
    edit = ReplaceCheckpoint(rewritten)
    assert edit.label == "Edit a question"
    after = edit.apply(state)
    assert after.checkpoints == (rewritten, two)
    with pytest.raises(EditError, match="no longer in the lesson"):
        edit.apply(_state(two))
