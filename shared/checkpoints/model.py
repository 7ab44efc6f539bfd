"""The checkpoint model: questions asked during a lesson, their placement and grading.

A checkpoint is one question shown over the video at a moment of the lesson: at a
time, or at the end of chapter N (counted from 1). Four kinds exist:

* ``single``: choose one of the choices;
* ``multiple``: choose every correct choice (and no wrong one);
* ``truefalse``: a statement to judge, stored as the two choices True and False;
* ``short``: type an answer; accepted texts ignore case and spacing, accepted
  numbers have a tolerance.

Every choice and accepted answer may carry its own feedback; ``wrong_feedback`` is
shown for any other answer. ``required`` means the learner cannot go past the
checkpoint without answering it; ``rewatch_on_wrong`` offers, after a wrong answer,
to play the chapter it belongs to again.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

__all__ = [
    "KINDS",
    "SINGLE",
    "MULTIPLE",
    "TRUE_FALSE",
    "SHORT",
    "Choice",
    "Accepted",
    "Checkpoint",
    "Grade",
    "grade",
    "normalize_answer",
    "parse_number",
    "checkpoint_id",
    "unique_ids",
    "true_false_choices",
]

SINGLE, MULTIPLE, TRUE_FALSE, SHORT = "single", "multiple", "truefalse", "short"
KINDS = (SINGLE, MULTIPLE, TRUE_FALSE, SHORT)
KIND_NAMES = {
    SINGLE: "single choice",
    MULTIPLE: "multiple choice",
    TRUE_FALSE: "true or false",
    SHORT: "short answer",
}


@dataclass(frozen=True)
class Choice:
    """One choice of a choice question.

    Attributes:
        text: what the learner reads.
        correct: whether choosing it is right.
        feedback: shown when the learner chose it (may be empty).
    """

    text: str
    correct: bool = False
    feedback: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "correct": self.correct}
        if self.feedback:
            data["feedback"] = self.feedback
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Choice:
        return cls(data["text"], bool(data.get("correct", False)), data.get("feedback", ""))


@dataclass(frozen=True)
class Accepted:
    """One accepted answer of a short-answer question: a text or a number.

    Attributes:
        text: the accepted text (compared without case and extra spacing), or ``None``.
        number: the accepted number, or ``None`` for a text answer.
        tolerance: how far a typed number may lie from ``number`` (not negative).
        feedback: shown when the learner's answer matched this one.
    """

    text: str | None = None
    number: float | None = None
    tolerance: float = 0.0
    feedback: str = ""

    def matches(self, answer: str) -> bool:
        """Whether the typed ``answer`` is this accepted answer."""
        if self.number is not None:
            typed = parse_number(answer)
            return typed is not None and abs(typed - self.number) <= self.tolerance + 1e-9
        return self.text is not None and normalize_answer(answer) == normalize_answer(self.text)

    def describe(self) -> str:
        """The accepted answer in words, such as ``"3.14 ± 0.01"``."""
        if self.number is None:
            return self.text or ""
        return f"{self.number:g}" + (f" ± {self.tolerance:g}" if self.tolerance else "")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.number is not None:
            data["number"] = self.number
            if self.tolerance:
                data["tolerance"] = self.tolerance
        else:
            data["text"] = self.text or ""
        if self.feedback:
            data["feedback"] = self.feedback
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Accepted:
        return cls(
            text=data.get("text"),
            number=data.get("number"),
            tolerance=float(data.get("tolerance", 0.0)),
            feedback=data.get("feedback", ""),
        )


@dataclass(frozen=True)
class Checkpoint:
    """One question asked during a lesson.

    Attributes:
        id: stable id within the lesson (answers in the learner's library refer to it).
        kind: one of :data:`KINDS`.
        prompt: the question.
        choices: the choices of a ``single``, ``multiple`` or ``truefalse`` question.
        accepted: the accepted answers of a ``short`` question.
        wrong_feedback: shown for an answer that has no feedback of its own and is wrong.
        at: when to ask, in seconds from the start, or ``None``.
        after_chapter: ask at the end of this chapter (1 = the first), or ``None``.
            With neither, the question is asked at the end of the lesson.
        required: the learner cannot go past it without answering.
        rewatch_on_wrong: a wrong answer offers to replay its chapter from the start.
        title: a short name (GIFT's ``::name::``), shown in lists; may be empty.
    """

    id: str
    kind: str
    prompt: str
    choices: tuple[Choice, ...] = ()
    accepted: tuple[Accepted, ...] = ()
    wrong_feedback: str = ""
    at: float | None = None
    after_chapter: int | None = None
    required: bool = False
    rewatch_on_wrong: bool = False
    title: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "choices", tuple(self.choices))
        object.__setattr__(self, "accepted", tuple(self.accepted))

    @property
    def name(self) -> str:
        """What lists show: the title, or the start of the prompt."""
        text = self.title or " ".join(self.prompt.split())
        return text if len(text) <= 60 else text[:57] + "..."

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    def placement(self) -> str:
        """Where it is asked, in words: ``"at 1:05"``, ``"after chapter 2"``, ``"at the end"``."""
        from shared.timecode import clock  # noqa: PLC0415 - keep the model's imports tiny

        if self.at is not None:
            return f"at {clock(self.at)}"
        if self.after_chapter is not None:
            return f"after chapter {self.after_chapter}"
        return "at the end"

    def time_in(self, chapter_ends: Sequence[float], duration: float) -> float:
        """The moment it is asked in a lesson with chapters ending at ``chapter_ends``.

        A chapter number past the last chapter, or no placement at all, means the end
        of the lesson; every time is clamped to ``0..duration``.
        """
        if self.at is not None:
            moment = self.at
        elif self.after_chapter is not None and 1 <= self.after_chapter <= len(chapter_ends):
            moment = chapter_ends[self.after_chapter - 1]
        else:
            moment = duration
        return min(max(moment, 0.0), max(duration, 0.0))

    def placed(self, *, at: float | None = None, after_chapter: int | None = None) -> Checkpoint:
        """The same question asked elsewhere (give one of ``at`` and ``after_chapter``)."""
        return replace(self, at=at, after_chapter=after_chapter)

    def to_dict(self) -> dict[str, Any]:
        """As an item of a checkpoints file (see ``checkpoints-1.schema.json``)."""
        data: dict[str, Any] = {"id": self.id, "kind": self.kind, "prompt": self.prompt}
        if self.kind == SHORT:
            data["accepted"] = [answer.to_dict() for answer in self.accepted]
        else:
            data["choices"] = [choice.to_dict() for choice in self.choices]
        if self.wrong_feedback:
            data["wrong_feedback"] = self.wrong_feedback
        if self.at is not None:
            data["at"] = self.at
        if self.after_chapter is not None:
            data["after_chapter"] = self.after_chapter
        data["required"] = self.required
        data["rewatch_on_wrong"] = self.rewatch_on_wrong
        if self.title:
            data["title"] = self.title
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Checkpoint:
        """From an item of a checkpoints file that follows the schema."""
        return cls(
            id=data["id"],
            kind=data["kind"],
            prompt=data["prompt"],
            choices=tuple(Choice.from_dict(item) for item in data.get("choices", ())),
            accepted=tuple(Accepted.from_dict(item) for item in data.get("accepted", ())),
            wrong_feedback=data.get("wrong_feedback", ""),
            at=data.get("at"),
            after_chapter=data.get("after_chapter"),
            required=bool(data.get("required", False)),
            rewatch_on_wrong=bool(data.get("rewatch_on_wrong", False)),
            title=data.get("title", ""),
        )

    def problem(self) -> str | None:
        """Why this question cannot be asked, in words, or ``None`` when it can."""
        if not self.prompt.strip():
            return "its question is empty"
        if self.kind == SHORT:
            if not self.accepted:
                return "it accepts no answer"
            return None
        if self.kind == TRUE_FALSE and len(self.choices) != 2:
            return "a true-or-false question has exactly two choices"
        if len(self.choices) < 2:
            return "it has fewer than two choices"
        right = sum(choice.correct for choice in self.choices)
        if right == 0:
            return "none of its choices is correct"
        if self.kind in (SINGLE, TRUE_FALSE) and right != 1:
            return "a single-choice question has exactly one correct choice"
        return None


@dataclass(frozen=True)
class Grade:
    """The outcome of one answer.

    Attributes:
        correct: whether the answer is right.
        feedback: what to show the learner (may be empty).
    """

    correct: bool
    feedback: str = ""


def true_false_choices(
    truth: bool, *, true_feedback: str = "", false_feedback: str = ""
) -> tuple[Choice, Choice]:
    """The two choices of a true-or-false question whose statement is ``truth``."""
    return (Choice("True", truth, true_feedback), Choice("False", not truth, false_feedback))


def grade(checkpoint: Checkpoint, answer: str | int | Collection[int]) -> Grade:
    """Grade a learner's answer.

    Args:
        checkpoint: the question.
        answer: the typed text (``short``), the chosen index (``single``,
            ``truefalse``) or the chosen indexes (``multiple``).

    Raises:
        ValueError: the answer does not fit the kind of question.
    """
    if checkpoint.kind == SHORT:
        if not isinstance(answer, str):
            raise ValueError("a short-answer question takes a text")
        match = next((item for item in checkpoint.accepted if item.matches(answer)), None)
        if match is not None:
            return Grade(True, match.feedback)
        return Grade(False, checkpoint.wrong_feedback)
    chosen = {answer} if isinstance(answer, int) else set(answer)  # type: ignore[arg-type]
    if not chosen or not all(
        isinstance(i, int) and 0 <= i < len(checkpoint.choices) for i in chosen
    ):
        raise ValueError("the answer names no choice of the question")
    if checkpoint.kind != MULTIPLE and len(chosen) != 1:
        raise ValueError("a single-choice question takes one choice")
    right = {i for i, choice in enumerate(checkpoint.choices) if choice.correct}
    correct = chosen == right
    said = [
        checkpoint.choices[i].feedback for i in sorted(chosen) if checkpoint.choices[i].feedback
    ]
    if not said and not correct:
        said = [checkpoint.wrong_feedback] if checkpoint.wrong_feedback else []
    return Grade(correct, "\n".join(said))


_SPACES = re.compile(r"\s+")


def normalize_answer(text: str) -> str:
    """A typed answer as compared: Unicode-normalized, case folded, spacing collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def parse_number(text: str) -> float | None:
    """A typed number (``"3.14"``, ``"3,14"``, ``" -2e3 "``), or ``None`` if it is none."""
    text = normalize_answer(text).replace(" ", "")
    if not _NUMBER.match(text):
        return None
    value = float(text.replace(",", "."))
    return value if math.isfinite(value) else None


def checkpoint_id(kind: str, prompt: str) -> str:
    """A stable id made from a question's kind and text: the same question, the same id."""
    digest = hashlib.sha256(f"{kind}\n{normalize_answer(prompt)}".encode()).hexdigest()
    return f"q-{digest[:12]}"


def unique_ids(checkpoints: Iterable[Checkpoint], taken: Collection[str] = ()) -> list[Checkpoint]:
    """The checkpoints with ids made unique (``q-...-2`` for a second one), none in ``taken``."""
    seen = set(taken)
    out = []
    for item in checkpoints:
        base, number, ident = item.id, 1, item.id
        while ident in seen:
            number += 1
            ident = f"{base}-{number}"
        seen.add(ident)
        out.append(item if ident == item.id else replace(item, id=ident))
    return out
