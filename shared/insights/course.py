"""What insights need to know of a course: its id, lessons, chapters and questions.

Statements name lessons by activity id (:mod:`shared.xapi`):
``urn:lectern:course:<course id>:lesson:<lesson key>``, and questions by
``<lesson activity id>:checkpoint:<question id>``. A lesson answers to each of its
keys: its uid (packages since format 1.1), its id, and its folder name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shared import xapi

__all__ = ["QuestionInfo", "LessonInfo", "CourseMap"]


@dataclass(frozen=True)
class QuestionInfo:
    """One checkpoint question as insights show it.

    Attributes:
        id: the question id (the end of its activity id).
        prompt: the question.
        kind: a :data:`shared.checkpoints.KINDS` value, or ``""`` when unknown.
        options: the choices' texts, in order (``"True"``, ``"False"`` for true or false).
        correct: the indices of the correct choices.
        at: when it is asked, in seconds.
    """

    id: str
    prompt: str
    kind: str = ""
    options: tuple[str, ...] = ()
    correct: tuple[int, ...] = ()
    at: float = 0.0


@dataclass(frozen=True)
class LessonInfo:
    """One lesson: the keys naming it in activity ids, its length, chapters and questions."""

    keys: tuple[str, ...]
    title: str
    duration: float
    chapters: tuple[tuple[float, float, str], ...] = ()
    questions: tuple[QuestionInfo, ...] = ()


@dataclass(frozen=True)
class CourseMap:
    """The course whose statements count; ``threshold`` is the coverage that completes."""

    id: str
    title: str
    lessons: tuple[LessonInfo, ...]
    threshold: float = 0.9

    def lesson_activities(self) -> dict[str, int]:
        """Every lesson activity id of the course, to the lesson's index."""
        found: dict[str, int] = {}
        for index, lesson in enumerate(self.lessons):
            for key in lesson.keys:
                if key:
                    found.setdefault(xapi.lesson_activity(self.id, key), index)
        return found

    def question_activities(self) -> dict[str, tuple[int, int]]:
        """Every question activity id, to ``(lesson index, question index)``."""
        found: dict[str, tuple[int, int]] = {}
        for index, lesson in enumerate(self.lessons):
            for key in lesson.keys:
                for number, question in enumerate(lesson.questions):
                    if key:
                        activity = xapi.checkpoint_activity(self.id, key, question.id)
                        found.setdefault(activity, (index, number))
        return found

    @property
    def prefix(self) -> str:
        """What every activity id of this course starts with."""
        return xapi.lesson_activity(self.id, "")


def chapters_of(values: Sequence[object]) -> tuple[tuple[float, float, str], ...]:
    """``(start, end, title)`` of chapter values (anything with those attributes)."""
    return tuple((float(c.start), float(c.end), str(c.title)) for c in values)  # type: ignore[attr-defined]
