"""``library.activity``: the learner's progress as xAPI statements, for export.

Made from what the library keeps, so nothing extra is recorded while watching: each
stretch watched without a jump (``played``), each completed lesson (``completed``, with
``progress`` and ``played-segments``) and each question answered (``answered``, a
``cmi.interaction``). See :mod:`shared.xapi` for the activity ids and statement ids.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from shared import xapi
from shared.checkpoints import MULTIPLE, SHORT, TRUE_FALSE, Checkpoint
from shared.library.errors import CheckpointsUnreadableError
from shared.library.updates import LIVE

if TYPE_CHECKING:
    from shared.library.core import Library

__all__ = ["Activity"]

_LEARNER = "xapi_learner_id"


def _interaction(question: Checkpoint, answer: Any) -> tuple[str, str]:
    """``(interactionType, response)`` of an answer as xAPI writes them."""
    if question.kind == SHORT:
        numeric = all(item.number is not None for item in question.accepted)
        return ("numeric" if numeric else "fill-in"), str(answer)
    if question.kind == TRUE_FALSE:
        return "true-false", "true" if question.choices[int(answer)].text == "True" else "false"
    chosen = sorted(answer) if question.kind == MULTIPLE else [answer]
    return "choice", "[,]".join(str(index) for index in chosen)


class Activity:
    """``library.activity``: the learner's pseudonymous id and their xAPI statements."""

    def __init__(self, library: Library) -> None:
        self._lib = library

    def learner_id(self) -> str:
        """The learner's random id, made once per library (nothing personal in it)."""
        value = self._lib._one("SELECT value FROM settings WHERE name = ?", (_LEARNER,))
        if value:
            return value
        value = str(uuid.uuid4())
        if not self._lib.read_only:
            with self._lib.atomic():
                self._lib.db.execute(
                    "INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)", (_LEARNER, value)
                )
            value = self._lib._one("SELECT value FROM settings WHERE name = ?", (_LEARNER,))
        return value

    def statements(self, course_id: str, *, name: str = "", email: str = "") -> list[dict]:
        """The course's progress as xAPI Video Profile statements, oldest first.

        Raises:
            NotInLibraryError: the course is not installed.
        """
        self._lib.course(course_id)  # raises NotInLibraryError
        who = xapi.actor(self.learner_id(), name=name, email=email)
        threshold = self._lib._threshold()
        found: list[dict] = []
        for row in self._lib._lesson_rows(f"courses.id = ?{LIVE}", (course_id,)):
            activity = xapi.lesson_activity(course_id, row["uid"] or row["id"])
            when = row["played_ms"] or 0
            segments = self._lib.progress.watched(course_id, row["id"])
            for start, end in segments:
                found.append(xapi.played(who, activity, row["title"], start, end, at_ms=when))
            if self._lib._completed(row, threshold):
                found.append(
                    xapi.completed(
                        who,
                        activity,
                        row["title"],
                        length=row["duration_ms"] / 1000,
                        segments=segments,
                        progress=self._lib._coverage(row),
                        at_ms=when,
                    )
                )
            attempts = self._lib.checkpoints.attempts(course_id, row["id"])
            if not attempts:
                continue
            try:
                questions = {q.id: q for q in self._lib.checkpoints.of(course_id, row["id"])}
            except CheckpointsUnreadableError:
                continue
            for question_id, tries in attempts.items():
                question = questions.get(question_id)
                if question is None:
                    continue
                activity = xapi.checkpoint_activity(course_id, row["uid"] or row["id"], question_id)
                for attempt in tries:  # each attempt is its own statement
                    interaction, response = _interaction(question, attempt.answer)
                    found.append(
                        xapi.answered(
                            who,
                            activity,
                            prompt=question.prompt,
                            interaction=interaction,
                            response=response,
                            success=attempt.correct,
                            attempts=attempt.number,
                            at_ms=round(attempt.answered.timestamp() * 1000),
                        )
                    )
        found.sort(key=lambda statement: statement["timestamp"])
        return found
