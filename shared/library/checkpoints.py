"""``library.checkpoints``: a lesson's questions, the learner's answers, and the review.

The questions are read from the installed course (the lesson's checkpoints file, as
checked on import); the ``checkpoints`` table keeps when each is asked and whether it
is required, so completion can be decided in SQL (:data:`OPEN_REQUIRED`). Answers are
kept per lesson and question id with their attempts, time spent and Leitner box (see
:mod:`shared.checkpoints.review`), and survive a course update that keeps the question;
every attempt is kept too (:meth:`Checkpoints.attempts`), each told to an LRS.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from shared.checkpoints import Checkpoint, Grade, grade
from shared.checkpoints.review import next_review
from shared.contents import ContentError, read_checkpoints
from shared.library.errors import CheckpointsUnreadableError, NotInLibraryError
from shared.library.text import _when
from shared.library.updates import LIVE
from shared.library.values import Attempt, CheckpointAnswer, ReviewItem
from shared.timecode import whole_ms

if TYPE_CHECKING:
    from shared.library.core import Library

__all__ = ["Checkpoints", "OPEN_REQUIRED"]

#: SQL for a lesson row (``lessons``): how many of its required questions are unanswered.
OPEN_REQUIRED = (
    "SELECT COUNT(*) FROM checkpoints AS c WHERE c.lesson_key = lessons.key AND c.required "
    "AND NOT EXISTS (SELECT 1 FROM checkpoint_answers AS a "
    "WHERE a.lesson_key = c.lesson_key AND a.checkpoint_id = c.id)"
)


def _stored(response: str | int | Collection[int]) -> str:
    if isinstance(response, (str, int)):
        return json.dumps(response)
    return json.dumps(sorted(response))


class Checkpoints:
    """``library.checkpoints``: questions, answers and the review."""

    def __init__(self, library: Library) -> None:
        self._lib = library

    def of(self, course_id: str, lesson_id: str) -> tuple[Checkpoint, ...]:
        """The questions of a lesson in the order the package lists them.

        Raises:
            NotInLibraryError: the course or lesson is not installed.
            CheckpointsUnreadableError: the installed checkpoints file is missing or damaged.
        """
        row = self._lib._lesson_row(course_id, lesson_id)
        if not row["checkpoints"]:
            return ()
        path = self._lib.courses_dir / course_id / row["checkpoints"]
        try:
            return read_checkpoints(path.read_bytes(), row["duration_ms"] / 1000, path.name)
        except ContentError as error:
            raise CheckpointsUnreadableError(path, lesson_id, error.problem) from None
        except OSError as error:
            raise CheckpointsUnreadableError(path, lesson_id, str(error.strerror)) from None

    def times(self, course_id: str, lesson_id: str) -> dict[str, float]:
        """When each question of a lesson is asked, in seconds, by question id."""
        key = self._lib._lesson_key(course_id, lesson_id)
        rows = self._lib._rows("SELECT id, time_ms FROM checkpoints WHERE lesson_key = ?", (key,))
        return {row["id"]: row["time_ms"] / 1000 for row in rows}

    def answer(
        self,
        course_id: str,
        lesson_id: str,
        checkpoint: Checkpoint,
        response: str | int | Collection[int],
        *,
        spent: float = 0.0,
        reviewing: bool = False,
    ) -> Grade:
        """Grade an answer and keep it: the answer, the attempt, the time spent, the review.

        Args:
            course_id, lesson_id: the lesson that asks the question.
            checkpoint: the question (one of :meth:`of`).
            response: the learner's answer (see :func:`shared.checkpoints.grade`).
            spent: seconds spent on this attempt.
            reviewing: answered in the review rather than while watching.

        Raises:
            NotInLibraryError: the course or lesson is not installed.
            ValueError: the answer does not fit the question.
        """
        result = grade(checkpoint, response)
        if self._lib.read_only:
            return result
        with self._lib.atomic():
            key = self._lib._lesson_key(course_id, lesson_id)
            now = self._lib._now()
            old = self._lib._rows(
                "SELECT * FROM checkpoint_answers WHERE lesson_key = ? AND checkpoint_id = ?",
                (key, checkpoint.id),
            )
            box, due = next_review(
                old[0]["box"] if old else None, result.correct, now, reviewing=reviewing
            )
            spent_ms = max(whole_ms(spent), 0)
            self._lib.db.execute(
                "INSERT INTO checkpoint_answers (lesson_key, checkpoint_id, answer, correct, "
                "attempts, spent_ms, first_ms, answered_ms, box, due_ms) "
                "VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?) "
                "ON CONFLICT (lesson_key, checkpoint_id) DO UPDATE SET answer = excluded.answer, "
                "correct = excluded.correct, attempts = attempts + 1, "
                "spent_ms = spent_ms + excluded.spent_ms, answered_ms = excluded.answered_ms, "
                "box = excluded.box, due_ms = excluded.due_ms",
                (
                    key,
                    checkpoint.id,
                    _stored(response),
                    int(result.correct),
                    spent_ms,
                    now,
                    now,
                    box,
                    due,
                ),
            )
            self._lib.db.execute(
                "INSERT INTO checkpoint_attempts (lesson_key, checkpoint_id, attempt, answer, "
                "correct, spent_ms, answered_ms) SELECT lesson_key, checkpoint_id, attempts, "
                "answer, correct, ?, answered_ms FROM checkpoint_answers "
                "WHERE lesson_key = ? AND checkpoint_id = ?",
                (spent_ms, key, checkpoint.id),
            )
        return result

    def answers(self, course_id: str, lesson_id: str) -> dict[str, CheckpointAnswer]:
        """The learner's answers in a lesson, by question id."""
        key = self._lib._lesson_key(course_id, lesson_id)
        rows = self._lib._rows("SELECT * FROM checkpoint_answers WHERE lesson_key = ?", (key,))
        return {row["checkpoint_id"]: _answer(row) for row in rows}

    def attempts(self, course_id: str, lesson_id: str) -> dict[str, list[Attempt]]:
        """Every attempt at the lesson's questions, by question id, first attempt first.

        A library from before attempts were kept has only each question's last one.
        """
        key = self._lib._lesson_key(course_id, lesson_id)
        rows = self._lib._rows(
            "SELECT * FROM checkpoint_attempts WHERE lesson_key = ? ORDER BY checkpoint_id, attempt",
            (key,),
        )
        found: dict[str, list[Attempt]] = {}
        for row in rows:
            found.setdefault(row["checkpoint_id"], []).append(
                Attempt(
                    number=row["attempt"],
                    answer=json.loads(row["answer"]),
                    correct=bool(row["correct"]),
                    spent=row["spent_ms"] / 1000,
                    answered=_when(row["answered_ms"]),
                )
            )
        return found

    def open_required(self, course_id: str, lesson_id: str) -> int:
        """How many required questions of a lesson are not answered yet."""
        key = self._lib._lesson_key(course_id, lesson_id)
        return self._lib._one(f"SELECT ({OPEN_REQUIRED}) FROM lessons WHERE key = ?", (key,))

    def due(self, now_ms: int | None = None) -> list[ReviewItem]:
        """The questions due in the review now, the longest due first.

        A question whose course was removed, or that a course update dropped, is left out.
        """
        now_ms = self._lib._now() if now_ms is None else now_ms
        rows = self._lib._rows(
            "SELECT a.checkpoint_id, a.box, a.due_ms, c.time_ms, lessons.id AS lesson_id, "
            "lessons.title AS lesson_title, courses.id AS course_id, "
            "courses.title AS course_title FROM checkpoint_answers AS a "
            "JOIN checkpoints AS c ON c.lesson_key = a.lesson_key AND c.id = a.checkpoint_id "
            "JOIN lessons ON lessons.key = a.lesson_key "
            "JOIN courses ON courses.key = lessons.course_key "
            f"WHERE a.due_ms IS NOT NULL AND a.due_ms <= ?{LIVE} ORDER BY a.due_ms",
            (now_ms,),
        )
        found: list[ReviewItem] = []
        questions: dict[tuple[str, str], Mapping[str, Checkpoint]] = {}
        for row in rows:
            where = (row["course_id"], row["lesson_id"])
            if where not in questions:
                try:
                    questions[where] = {item.id: item for item in self.of(*where)}
                except (CheckpointsUnreadableError, NotInLibraryError):
                    questions[where] = {}
            checkpoint = questions[where].get(row["checkpoint_id"])
            if checkpoint is None:
                continue
            time = row["time_ms"] / 1000
            found.append(
                ReviewItem(
                    course_id=row["course_id"],
                    course_title=row["course_title"],
                    lesson_id=row["lesson_id"],
                    lesson_title=row["lesson_title"],
                    checkpoint=checkpoint,
                    time=time,
                    explained_at=self._chapter_start(*where, time),
                    box=row["box"],
                    due=_when(row["due_ms"]),
                )
            )
        return found

    def _chapter_start(self, course_id: str, lesson_id: str, time: float) -> float:
        try:
            chapters = self._lib.chapters(course_id, lesson_id)
        except Exception:  # noqa: BLE001 - a damaged chapters file: jump to the question
            return time
        starts = [c.start for c in chapters if c.start < time - 1e-3] or [0.0]
        return max(starts)


def _answer(row: Mapping[str, Any]) -> CheckpointAnswer:
    return CheckpointAnswer(
        checkpoint_id=row["checkpoint_id"],
        answer=json.loads(row["answer"]),
        correct=bool(row["correct"]),
        attempts=row["attempts"],
        spent=row["spent_ms"] / 1000,
        first_answered=_when(row["first_ms"]),
        answered=_when(row["answered_ms"]),
        box=row["box"],
        due=_when(row["due_ms"]),
    )
