"""``library.outbox``: the learner's xAPI statements waiting for their LRS.

The Player records its events here as they happen (:meth:`Outbox.record`:
``initialized``, ``played``, ``paused``, ``seeked``, ``terminated``); before a sync the
statements made from what the library keeps (``played`` stretches, ``completed``,
``answered``; :mod:`shared.library.activity`) are queued too (:meth:`Outbox.queue_progress`).
Every statement is queued once under its id and stays until the LRS acknowledges it
(:meth:`Outbox.mark_sent`); nothing is ever dropped for a failed send.

Statements are kept pseudonymous (the library's random learner id); the learner's name
or e-mail, if they gave one in the settings, goes in when a statement is sent or
exported (:meth:`Outbox.actor`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shared import xapi
from shared.lrs import Endpoint

if TYPE_CHECKING:
    from shared.library.core import Library

__all__ = ["Outbox", "QueueCounts"]


@dataclass(frozen=True)
class QueueCounts:
    """How many statements are waiting, and how many were sent (with the newest time)."""

    waiting: int
    sent: int
    last_sent_ms: int | None


class Outbox:
    """``library.outbox``: record, queue, list and mark sent the learner's statements."""

    def __init__(self, library: Library) -> None:
        self._lib = library

    # ------------------------------------------------------------------ who and where

    def actor(self) -> dict[str, Any]:
        """The learner as statements go out: the random id, with the name or e-mail
        only if the learner entered one in the settings."""
        settings = self._lib.settings
        return xapi.actor(
            self._lib.activity.learner_id(),
            name=settings.get("learner_name"),
            email=settings.get("learner_email"),
        )

    def endpoint(self) -> Endpoint | None:
        """The LRS the learner set (address, user, key), or ``None``: then nothing is sent."""
        settings = self._lib.settings
        address = settings.get("lrs_address")
        if not address:
            return None
        return Endpoint(address, settings.get("lrs_user"), settings.get("lrs_key"))

    # ------------------------------------------------------------------ recording

    def record(
        self,
        course_id: str,
        lesson_id: str,
        verb: str,
        *,
        session: str,
        time: float | None = None,
        time_from: float | None = None,
        time_to: float | None = None,
    ) -> dict | None:
        """Queue one player event of a lesson (see :func:`shared.xapi.event`).

        ``paused`` and ``terminated`` get the lesson's progress and played segments
        from the library. Nothing is recorded in a read-only library.

        Returns:
            The statement queued, or ``None`` when the library is read-only.

        Raises:
            NotInLibraryError: the course or lesson is not installed.
            ValueError: ``verb`` is not a player event.
        """
        if self._lib.read_only:
            return None
        lesson = self._lib.lesson(course_id, lesson_id)
        row = self._lib._lesson_row(course_id, lesson_id)
        progress = segments = None
        if verb in ("paused", "terminated"):
            progress = lesson.coverage
            segments = self._lib.progress.watched(course_id, lesson_id)
        statement = xapi.event(
            xapi.actor(self._lib.activity.learner_id()),
            xapi.lesson_activity(course_id, row.get("uid") or lesson_id),
            lesson.title,
            verb,
            session=session,
            length=lesson.duration,
            at_ms=self._lib._now(),
            time=time,
            time_from=time_from,
            time_to=time_to,
            progress=progress,
            segments=segments,
        )
        self.add(course_id, [statement])
        return statement

    def add(self, course_id: str, statements: Iterable[dict]) -> int:
        """Queue statements of a course (each once: one already queued is left as it is).

        Returns:
            How many were new.
        """
        if self._lib.read_only:
            return 0
        with self._lib.atomic():
            before = self._lib.db.conn.total_changes
            self._lib.db.conn.executemany(
                "INSERT OR IGNORE INTO outbox (id, course_id, made_ms, statement) "
                "VALUES (?, ?, ?, ?)",
                (
                    (
                        statement["id"],
                        course_id,
                        self._lib._now(),
                        json.dumps(statement, ensure_ascii=False, separators=(",", ":")),
                    )
                    for statement in statements
                ),
            )
            return self._lib.db.conn.total_changes - before

    def queue_progress(self) -> int:
        """Queue the statements made from every course's progress (played stretches,
        completions, answers) that are not queued yet.

        Returns:
            How many were new.
        """
        added = 0
        for course in self._lib.courses():
            added += self.add(course.id, self._lib.activity.statements(course.id))
        return added

    # ------------------------------------------------------------------ sending

    def waiting(self, limit: int) -> list[dict]:
        """Up to ``limit`` statements not acknowledged yet, oldest first, as they go out
        (with :meth:`actor`)."""
        return next(self.batches(limit), [])

    def batches(self, size: int) -> Iterator[list[dict]]:
        """The statements not acknowledged yet, oldest first, ``size`` at a time, as they
        go out (with :meth:`actor`). Each batch is read when the previous one has been
        handled, after it, so marking a batch sent (or not) never repeats a statement."""
        who = self.actor()
        cursor = (-1, "")
        while True:
            with self._lib._lock:
                rows = self._lib.db.execute(
                    "SELECT made_ms, id, statement FROM outbox WHERE sent_ms IS NULL "
                    "AND (made_ms, id) > (?, ?) ORDER BY made_ms, id LIMIT ?",
                    (*cursor, size),
                ).fetchall()
            if not rows:
                return
            cursor = (rows[-1][0], rows[-1][1])
            yield [xapi.with_actor(json.loads(row[2]), who) for row in rows]

    def mark_sent(self, ids: Iterable[str]) -> None:
        """Mark statements as acknowledged by the LRS (they are not sent again)."""
        if self._lib.read_only:
            return
        with self._lib.atomic():
            now = self._lib._now()
            self._lib.db.conn.executemany(
                "UPDATE outbox SET sent_ms = ? WHERE id = ? AND sent_ms IS NULL",
                ((now, ident) for ident in ids),
            )

    def counts(self) -> QueueCounts:
        """How many statements wait and how many were sent."""
        row = self._lib._rows(
            "SELECT SUM(sent_ms IS NULL) AS waiting, SUM(sent_ms IS NOT NULL) AS sent, "
            "MAX(sent_ms) AS last FROM outbox"
        )[0]
        return QueueCounts(row["waiting"] or 0, row["sent"] or 0, row["last"])

    def of_course(self, course_id: str, who: dict[str, Any] | None = None) -> list[dict]:
        """Every statement queued for a course (sent or not), oldest first, told by
        ``who`` (by default :meth:`actor`)."""
        who = who or self.actor()
        rows = self._lib._rows(
            "SELECT statement FROM outbox WHERE course_id = ? ORDER BY made_ms, id", (course_id,)
        )
        return [xapi.with_actor(json.loads(row["statement"]), who) for row in rows]
