"""A lesson's checkpoints in the Studio: import a question bank into a lesson folder.

The questions live in the lesson folder's ``checkpoints.json`` (see
:meth:`shared.workspace.LessonWorkspace.save_checkpoints`) and travel in the course
package. The CLI (``lectern-studio checkpoints``) and the review window both import
through :func:`import_checkpoints`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shared.checkpoints import (
    MULTIPLE,
    SHORT,
    SINGLE,
    TRUE_FALSE,
    Accepted,
    BankImport,
    Checkpoint,
    Choice,
    Skipped,
    checkpoint_id,
    import_bank,
    parse_number,
    unique_ids,
)
from shared.errors import LecternError
from shared.timecode import clock
from shared.workspace import LessonWorkspace

__all__ = [
    "PlacementError",
    "QuestionError",
    "ImportOutcome",
    "ChoiceRow",
    "AnswerRow",
    "import_checkpoints",
    "placed",
    "written_question",
]


class PlacementError(LecternError):
    """A place to ask questions that the lesson does not have."""


class QuestionError(LecternError):
    """A question written in the Studio that cannot be asked as it stands."""


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did to a lesson.

    Attributes:
        added: the questions added, as placed.
        skipped: the bank's questions that could not be used, each with its reason.
        checkpoints: all of the lesson's checkpoints afterwards.
    """

    added: tuple[Checkpoint, ...]
    skipped: tuple[Skipped, ...]
    checkpoints: tuple[Checkpoint, ...]


def placed(
    bank: BankImport,
    *,
    duration: float,
    chapters: int,
    at: float | None = None,
    after_chapter: int | None = None,
) -> tuple[Checkpoint, ...]:
    """The bank's questions asked at ``at`` seconds or after chapter ``after_chapter``.

    With neither, each keeps its own placement (a Lectern file) or none (the end).

    Raises:
        PlacementError: the time is outside the lesson, or there is no such chapter.
    """
    if at is not None:
        if not 0 <= at <= duration:
            raise PlacementError(
                f"{at:g} s is outside the lesson, which is {clock(duration)} long; "
                "choose a time within it."
            )
        return tuple(item.placed(at=at) for item in bank.checkpoints)
    if after_chapter is not None:
        if not 1 <= after_chapter <= max(chapters, 0):
            have = {0: "has no chapters", 1: "has 1 chapter"}.get(
                chapters, f"has {chapters} chapters"
            )
            raise PlacementError(
                f"There is no chapter {after_chapter}: the lesson {have}; "
                "choose one of them or a time (--at)."
            )
        return tuple(item.placed(after_chapter=after_chapter) for item in bank.checkpoints)
    return bank.checkpoints


def import_checkpoints(
    folder: str | Path | LessonWorkspace,
    bank_path: str | Path,
    *,
    at: float | None = None,
    after_chapter: int | None = None,
    required: bool | None = None,
    rewatch_on_wrong: bool | None = None,
) -> ImportOutcome:
    """Add the questions of a bank (GIFT, Aiken or Lectern JSON) to a lesson folder.

    Questions the lesson has already (the same id) are not added twice. ``required``
    and ``rewatch_on_wrong``, when given, are set on every added question (GIFT and
    Aiken cannot say them).

    Raises:
        BankError: the bank cannot be read.
        PlacementError: the placement does not fit the lesson.
        WorkspaceError: the lesson folder or its checkpoints cannot be read.
        DiskFullError, OutputNotWritableError: the lesson cannot be written.
    """
    workspace = LessonWorkspace.open(folder)
    lesson = workspace.lesson
    existing = workspace.checkpoints()
    bank = import_bank(bank_path, duration=lesson.duration)
    known = {item.id for item in existing}
    fresh = BankImport(tuple(q for q in bank.checkpoints if q.id not in known), bank.skipped)
    added = placed(
        fresh,
        duration=lesson.duration,
        chapters=len(workspace.chapters()),
        at=at,
        after_chapter=after_chapter,
    )
    flags = {
        name: value
        for name, value in (("required", required), ("rewatch_on_wrong", rewatch_on_wrong))
        if value is not None
    }
    added = tuple(dataclasses.replace(item, **flags) for item in added)
    everything = (*existing, *added)
    if added:
        workspace.save_checkpoints(everything)
    return ImportOutcome(added, bank.skipped, everything)


def describe(checkpoints: Sequence[Checkpoint]) -> list[dict]:
    """The checkpoints as ``list --json`` prints them."""
    return [
        {
            "id": item.id,
            "kind": item.kind,
            "name": item.name,
            "prompt": item.prompt,
            "placement": item.placement(),
            "at": item.at,
            "after_chapter": item.after_chapter,
            "required": item.required,
            "rewatch_on_wrong": item.rewatch_on_wrong,
        }
        for item in checkpoints
    ]


@dataclass(frozen=True)
class ChoiceRow:
    """One choice as the teacher wrote it: its text, whether it is right, its feedback."""

    text: str
    correct: bool = False
    feedback: str = ""

    @property
    def blank(self) -> bool:
        return not (self.text.strip() or self.feedback.strip() or self.correct)


@dataclass(frozen=True)
class AnswerRow:
    """One accepted answer as written: a text or a number, a tolerance, its feedback."""

    answer: str
    tolerance: str = ""
    feedback: str = ""

    @property
    def blank(self) -> bool:
        return not (self.answer.strip() or self.tolerance.strip() or self.feedback.strip())


def written_question(
    kind: str,
    prompt: str,
    *,
    choices: Sequence[ChoiceRow] = (),
    answers: Sequence[AnswerRow] = (),
    wrong_feedback: str = "",
    title: str = "",
    required: bool = False,
    rewatch_on_wrong: bool = False,
    at: float | None = None,
    after_chapter: int | None = None,
    duration: float,
    chapters: int,
    keep_id: str | None = None,
    taken: Sequence[str] = (),
) -> Checkpoint:
    """A question written in the Studio's form, checked.

    Blank rows are left out. A short answer that reads as a number (``"3,14"``) is
    accepted as that number, within its tolerance (0 when none is given); any other
    answer is compared as text (case and spacing forgiven). A true-or-false question
    takes its two choices (True, then False) from ``choices``.

    Args:
        keep_id: the id of the question being rewritten (kept), or ``None`` for a new
            question, whose id is made from its text and kept clear of ``taken``.

    Raises:
        QuestionError: the question cannot be asked as written (one sentence saying
            what to change).
        PlacementError: the time is outside the lesson, or there is no such chapter.
    """
    prompt = prompt.strip()
    if not prompt:
        raise QuestionError("Write the question first.")
    picked: tuple[Choice, ...] = ()
    accepted: tuple[Accepted, ...] = ()
    if kind == SHORT:
        accepted = _accepted(answers)
    elif kind in (SINGLE, MULTIPLE, TRUE_FALSE):
        picked = _choices(kind, choices)
    else:
        raise QuestionError(f"{kind!r} is not a kind of question Lectern can ask.")
    question = Checkpoint(
        id=keep_id or "new",
        kind=kind,
        prompt=prompt,
        choices=picked,
        accepted=accepted,
        wrong_feedback=wrong_feedback.strip(),
        required=required,
        rewatch_on_wrong=rewatch_on_wrong,
        title=" ".join(title.split()),
    )
    problem = question.problem()
    if problem is not None:  # the model's own rule, should the form miss one
        raise QuestionError(f"This question cannot be asked: {problem}.")
    (question,) = placed(
        BankImport((question,), ()),
        duration=duration,
        chapters=chapters,
        at=None if at is None else round(at, 3),
        after_chapter=after_chapter,
    )
    if keep_id is None:
        fresh = dataclasses.replace(question, id=checkpoint_id(kind, prompt))
        (question,) = unique_ids([fresh], taken)
    return question


def _choices(kind: str, rows: Sequence[ChoiceRow]) -> tuple[Choice, ...]:
    if kind == TRUE_FALSE:
        truth = [row.correct for row in rows[:2]]
        if len(truth) != 2 or sum(truth) != 1:
            raise QuestionError("Say whether the statement is true or false.")
        return tuple(
            Choice(text, row.correct, row.feedback.strip())
            for text, row in zip(("True", "False"), rows[:2], strict=True)
        )
    made = []
    for number, row in enumerate(rows, 1):
        if row.blank:
            continue
        if not row.text.strip():
            raise QuestionError(f"Choice {number} has no text; write it or remove the choice.")
        made.append(Choice(" ".join(row.text.split()), row.correct, row.feedback.strip()))
    if len(made) < 2:
        raise QuestionError("Give at least two choices.")
    right = sum(choice.correct for choice in made)
    if right == 0:
        raise QuestionError("Mark the correct choice.")
    if kind == SINGLE and right > 1:
        raise QuestionError(
            "A single-choice question has one correct choice; untick the others "
            "or make it multiple choice."
        )
    return tuple(made)


def _accepted(rows: Sequence[AnswerRow]) -> tuple[Accepted, ...]:
    made = []
    for number, row in enumerate(rows, 1):
        if row.blank:
            continue
        answer = " ".join(row.answer.split())
        if not answer:
            raise QuestionError(f"Accepted answer {number} is empty; write it or remove it.")
        value = parse_number(answer)
        tolerance = 0.0
        if row.tolerance.strip():
            tolerance = parse_number(row.tolerance)  # type: ignore[assignment]
            if tolerance is None or tolerance < 0:
                raise QuestionError(
                    f"The tolerance of answer {number} is not a number of 0 or more, such as 0.5."
                )
            if value is None:
                raise QuestionError(
                    f"Answer {number} has a tolerance but is not a number; "
                    "clear the tolerance or write a number."
                )
        feedback = row.feedback.strip()
        if value is None:
            made.append(Accepted(text=answer, feedback=feedback))
        else:
            made.append(Accepted(number=value, tolerance=tolerance, feedback=feedback))
    if not made:
        raise QuestionError("Give at least one accepted answer.")
    return tuple(made)
