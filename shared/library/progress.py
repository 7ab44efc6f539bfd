"""``library.progress``: where the learner is in each lesson, and what was watched.

Watched parts are kept as merged intervals in milliseconds, so watching a part again
never counts twice; a lesson is complete when the learner marked it so or when the
share watched reaches the ``completion_threshold`` setting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.library.text import _merge, _when
from shared.library.updates import LIVE
from shared.library.values import ContinueItem, CourseProgress
from shared.timecode import whole_ms

if TYPE_CHECKING:
    from shared.library.core import Library

__all__ = ["Progress"]


class Progress:
    """``library.progress``: playback positions, watched intervals and completion."""

    def __init__(self, library: Library) -> None:
        self._lib = library

    def _touch(self, lesson_key: int, **values: int | None) -> None:
        """Upsert the progress row of a lesson with ``values`` and a new played time."""
        values["played_ms"] = self._lib._now()
        self._lib.db["progress"].upsert({"lesson_key": lesson_key, **values}, pk="lesson_key")

    def save_position(self, course_id: str, lesson_id: str, seconds: float) -> None:
        """Remember where playback of a lesson is (clamped to the lesson).

        Raises:
            NotInLibraryError: the course or lesson is not installed.
            ValueError: ``seconds`` is not a finite number.
        """
        if self._lib.read_only:  # playing a read-only library works; nothing is saved
            return
        with self._lib.atomic():
            key = self._lib._lesson_key(course_id, lesson_id)
            position = min(max(whole_ms(seconds), 0), self._lib._duration_ms(key))
            self._touch(key, position_ms=position)

    def position(self, course_id: str, lesson_id: str) -> float:
        """Where playback of a lesson stopped, in seconds (0 if never played)."""
        key = self._lib._lesson_key(course_id, lesson_id)
        value = self._lib._one("SELECT position_ms FROM progress WHERE lesson_key = ?", (key,))
        return (value or 0) / 1000

    def add_watched(self, course_id: str, lesson_id: str, start: float, end: float) -> float:
        """Record that ``start..end`` (seconds) of a lesson was played without a jump.

        The span is clamped to the lesson and merged into the stored, merged
        intervals, so watching a part again never counts twice. Callers report only
        contiguous played spans, so parts skipped by seeking are never added; the
        playback speed does not matter.

        Returns:
            The lesson's coverage afterwards.

        Raises:
            NotInLibraryError: the course or lesson is not installed.
            ValueError: a time is not a finite number.
        """
        if self._lib.read_only:
            return self.coverage(course_id, lesson_id)
        start_ms, end_ms = whole_ms(start), whole_ms(end)
        with self._lib.atomic():
            key = self._lib._lesson_key(course_id, lesson_id)
            duration = self._lib._duration_ms(key)
            start_ms, end_ms = max(start_ms, 0), min(end_ms, duration)
            if end_ms > start_ms:
                intervals = [
                    tuple(row)
                    for row in self._lib.db.execute(
                        "SELECT start_ms, end_ms FROM watched WHERE lesson_key = ?", (key,)
                    )
                ]
                merged = _merge([*intervals, (start_ms, end_ms)])
                self._lib.db.execute("DELETE FROM watched WHERE lesson_key = ?", (key,))
                self._lib.db.conn.executemany(
                    "INSERT INTO watched (lesson_key, start_ms, end_ms) VALUES (?, ?, ?)",
                    [(key, s, e) for s, e in merged],
                )
                self._touch(key)
            return self.coverage(course_id, lesson_id)

    def watched(self, course_id: str, lesson_id: str) -> list[tuple[float, float]]:
        """The merged watched intervals of a lesson, in seconds."""
        key = self._lib._lesson_key(course_id, lesson_id)
        rows = self._lib._rows(
            "SELECT start_ms, end_ms FROM watched WHERE lesson_key = ? ORDER BY start_ms", (key,)
        )
        return [(row["start_ms"] / 1000, row["end_ms"] / 1000) for row in rows]

    def coverage(self, course_id: str, lesson_id: str) -> float:
        """The share of a lesson watched, 0..1."""
        key = self._lib._lesson_key(course_id, lesson_id)
        return self._lib._coverage(self._lib._lesson_rows("lessons.key = ?", (key,))[0])

    def mark_complete(self, course_id: str, lesson_id: str, done: bool = True) -> None:
        """Mark a lesson complete (or not complete) whatever its coverage says."""
        if self._lib.read_only:
            return
        with self._lib.atomic():
            key = self._lib._lesson_key(course_id, lesson_id)
            self._lib.db["progress"].upsert(
                {"lesson_key": key, "marked": int(done)}, pk="lesson_key"
            )

    def course_progress(self, course_id: str) -> CourseProgress:
        """Completed lessons and coverage of one course."""
        summary = self._lib.course(course_id)
        return CourseProgress(summary.completed_lessons, summary.lesson_count, summary.coverage)

    def record_opened(self, course_id: str, lesson_id: str) -> None:
        """Remember that a lesson was just opened (for "continue watching" and sorting)."""
        if self._lib.read_only:
            return
        with self._lib.atomic():
            key = self._lib._lesson_key(course_id, lesson_id)
            self._touch(key)
            self._lib.db.execute(
                "UPDATE courses SET opened_ms = ? WHERE id = ?", (self._lib._last_stamp, course_id)
            )

    def continue_watching(self, limit: int = 5) -> list[ContinueItem]:
        """The most recently played lessons that are not completed, newest first."""
        threshold = self._lib._threshold()
        rows = self._lib._lesson_rows(f"progress.played_ms IS NOT NULL{LIVE}", ())
        rows.sort(key=lambda row: row["played_ms"], reverse=True)
        items = []
        for row in rows:
            if len(items) >= limit:
                break
            if self._lib._completed(row, threshold):
                continue
            items.append(
                ContinueItem(
                    course_id=row["course_id"],
                    course_title=row["course_title"],
                    lesson_id=row["id"],
                    lesson_title=row["title"],
                    position=(row["position_ms"] or 0) / 1000,
                    duration=row["duration_ms"] / 1000,
                    coverage=self._lib._coverage(row),
                    last_played=_when(row["played_ms"]),
                )
            )
        return items
