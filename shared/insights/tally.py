"""Statements counted into per-lesson insights, in columns, so millions fit in memory.

Each statement that names a lesson or question of the course becomes a few numbers
appended to typed arrays (no dict per statement is kept). Duplicates are found by
statement id only at the end (a 64-bit hash per statement, ``numpy.unique``), and the
numbers are then folded with numpy into the plots' series (:mod:`shared.insights.results`).

What counts, from any player that follows the xAPI Video Profile:

* a stretch watched: ``result.extensions`` ``time-from`` .. ``time-to`` of a
  ``played`` (Lectern's; on ``seeked`` they are a jump, not watching), and the profile's ``played-segments`` (``start[.]end[,]...``) on any verb;
  of ``played-segments`` lists, which grow during a session (``context.registration``),
  the longest per learner, lesson and session counts for re-watching;
* completion: verb ``completed`` or ``result.completion`` true, or ``progress`` >= 1;
* an answer: verb ``answered`` on a question's activity id, ``result.response`` and
  ``result.success``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import time
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from shared import xapi
from shared.insights.course import CourseMap
from shared.insights.reader import ProgressFileError, read_statements
from shared.insights.results import SESSION, STRETCH, CourseInsights, fold
from shared.jobs import ProgressState, check_cancelled

__all__ = ["FileReport", "Tally", "FUTURE_SLACK_S"]

#: How far ahead of this computer's clock a timestamp may be (clocks disagree a little).
FUTURE_SLACK_S = 600.0
_EXT = xapi.EXT
_FROM, _TO, _SEGMENTS = _EXT["time-from"], _EXT["time-to"], _EXT["played-segments"]
_PROGRESS = _EXT["progress"]
_LENGTH = _EXT["length"]
_SEGMENT_SPLIT = re.compile(r"\[[.,]\]")
_INF = float("inf")
_MASK = (1 << 64) - 1
_COMPLETED = xapi.VERBS["completed"]
_PLAYED = xapi.VERBS["played"]
_ANSWERED = xapi.VERBS["answered"]


@dataclass
class FileReport:
    """What one source added.

    Attributes:
        name: the file name (or the source's name).
        statements: statements read that name this course.
        refused: the one sentence saying why the whole file was refused, or ``""``.
        future: statements skipped because their timestamp is in the future.
        other: statements skipped because they name another course or activity.
        again: the same file (path, size and time) was imported before, so it was not
            read again.
        lrs: the statements were read from a Learning Record Store, not a file.
    """

    name: str
    statements: int = 0
    refused: str = ""
    future: int = 0
    other: int = 0
    again: bool = False
    lrs: bool = False

    @property
    def warnings(self) -> list[str]:
        """One sentence per kind of statement that was skipped."""
        out = []
        if self.again:
            out.append(f"{self.name} was imported before, so it was not read again.")
        if self.future:
            out.append(
                f"{self.name}: {self.future:,} statement(s) dated in the future were ignored "
                "(check the clock of the computer that made them)."
            )
        if self.other and self.statements:
            out.append(
                f"{self.name}: {self.other:,} statement(s) about other courses or activities "
                "were ignored."
            )
        return out


@dataclass
class _Columns:
    """Typed arrays, one value per row; ``mark``/``rollback`` undo a refused file."""

    ids: array = field(default_factory=lambda: array("q"))  # statement id hash, per statement
    # (statement numbers and learners fit 32 bits, lessons 16 and times float32: seconds
    # are binned whole, so a row takes 23 bytes and millions of them fit)
    # watched rows: statement number, lesson, learner, session, kind, start, end
    w_stmt: array = field(default_factory=lambda: array("i"))
    w_lesson: array = field(default_factory=lambda: array("h"))
    w_learner: array = field(default_factory=lambda: array("i"))
    w_session: array = field(default_factory=lambda: array("i"))
    w_kind: array = field(default_factory=lambda: array("b"))
    w_start: array = field(default_factory=lambda: array("f"))
    w_end: array = field(default_factory=lambda: array("f"))
    # completions: statement number, lesson, learner
    c_stmt: array = field(default_factory=lambda: array("i"))
    c_lesson: array = field(default_factory=lambda: array("h"))
    c_learner: array = field(default_factory=lambda: array("i"))
    # answers: statement number, lesson, question, learner, time, response, success
    a_stmt: array = field(default_factory=lambda: array("i"))
    a_lesson: array = field(default_factory=lambda: array("h"))
    a_question: array = field(default_factory=lambda: array("h"))
    a_learner: array = field(default_factory=lambda: array("i"))
    a_time: array = field(default_factory=lambda: array("d"))
    a_response: array = field(default_factory=lambda: array("i"))
    a_success: array = field(default_factory=lambda: array("b"))

    def mark(self) -> dict[str, int]:
        return {name: len(column) for name, column in vars(self).items()}

    def rollback(self, mark: dict[str, int]) -> None:
        for name, column in vars(self).items():
            del column[mark[name] :]


class Tally:
    """Counts statements of one course; :meth:`result` folds them into insights.

    Feed it files (:meth:`add_file`) or any iterable of statement dicts
    (:meth:`add_statements`, e.g. pages fetched from an LRS).

    Args:
        course: the course whose lessons and questions count.
        now: the time (epoch seconds) after which timestamps are in the future.
    """

    def __init__(self, course: CourseMap, *, now: float | None = None) -> None:
        self.course = course
        self.reports: list[FileReport] = []
        self._lessons = course.lesson_activities()
        self._questions = course.question_activities()
        self._prefix = course.prefix
        self._learners: dict[str, int] = {}
        self._sessions: dict[str, int] = {"": 0}
        self._responses: dict[str, int] = {}
        self._cols = _Columns()
        self._seen: dict[str, str] = {}  # files read: "path|size|mtime" -> name
        # Lessons of unknown length (0 in the course) take the statements' ``length``.
        self._lengths = {i: 0.0 for i, item in enumerate(course.lessons) if item.duration <= 0}
        latest = (time.time() if now is None else now) + FUTURE_SLACK_S
        self._latest = latest
        # ISO-8601 stamps compare as text first: a local time more than 14 hours (the
        # largest UTC offset) before the limit cannot be after it; later ones are parsed.
        self._latest_text = datetime.fromtimestamp(latest - 14 * 3600, timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%S"
        )

    @property
    def statements(self) -> int:
        """Statements counted so far, duplicates included."""
        return len(self._cols.ids)

    def add_file(self, path: str | Path, state: ProgressState | None = None) -> FileReport:
        """Count the statements of one progress file; a refused file adds nothing.

        Raises:
            Cancelled: ``state`` asked to stop (what this file added is undone).
        """
        path = Path(path)
        try:
            info = path.stat()
        except OSError:
            identity, size = "", 1
        else:
            identity = f"{path.resolve()}|{info.st_size}|{info.st_mtime_ns}"
            size = max(1, info.st_size)
        if identity and identity in self._seen:
            report = FileReport(path.name, again=True)
            self.reports.append(report)
            return report

        def read(done: int) -> None:
            if state is not None:
                state.set_progress(done / size)
                check_cancelled(state, "Importing progress")

        report = self.add_statements(read_statements(path, read), path.name, state)
        if identity and not report.refused:
            self._seen[identity] = path.name
        return report

    def add_statements(
        self,
        statements: Iterable[dict[str, Any]],
        name: str,
        state: ProgressState | None = None,
    ) -> FileReport:
        """Count statements from any source (a file, an LRS); all or nothing.

        Returns:
            The report; ``refused`` holds the sentence when the source was refused (a
            :class:`ProgressFileError`, or no statement about this course).
        """
        report = FileReport(name)
        mark = self._cols.mark()
        try:
            self._count(statements, report, state)
        except ProgressFileError as error:
            self._cols.rollback(mark)
            report.refused, report.statements = str(error), 0
        except BaseException:
            self._cols.rollback(mark)
            raise
        else:
            if not report.statements:
                report.refused = self._nothing_here(name, report)
        self.reports.append(report)
        return report

    def _nothing_here(self, name: str, report: FileReport) -> str:
        if report.future:
            return f"{name} was not imported: all its statements are dated in the future."
        if report.other:
            return (
                f"{name} was not imported: none of its statements is about a lesson of the "
                f"course '{self.course.title}' (it is progress of another course)."
            )
        return f"{name} was not imported: it holds no statements."

    def _count(
        self, statements: Iterable[dict[str, Any]], report: FileReport, state: ProgressState | None
    ) -> None:
        cols, lessons, questions = self._cols, self._lessons, self._questions
        learners, sessions = self._learners, self._sessions
        ids, latest_text = cols.ids, self._latest_text
        for number, statement in enumerate(statements):
            if number & 0x3FFF == 0:
                check_cancelled(state, "Importing progress")
            try:
                activity = statement["object"]["id"]
                verb = statement["verb"]["id"]
            except (KeyError, TypeError):
                raise ProgressFileError(
                    report.name, "a statement has no verb or object id"
                ) from None
            if not isinstance(activity, str) or not isinstance(verb, str):
                raise ProgressFileError(report.name, "a statement's verb or object id is not text")
            lesson = lessons.get(activity)
            question = None if lesson is not None else questions.get(activity)
            if lesson is None and question is None:
                report.other += 1
                continue
            stamp = statement.get("timestamp")
            if isinstance(stamp, str) and stamp[:19] > latest_text and self._future(stamp):
                report.future += 1
                continue
            who = _learner_key(statement.get("actor"))
            if who is None:
                raise ProgressFileError(
                    report.name, "a statement has no actor that names a learner"
                )
            learner = learners.setdefault(who, len(learners))
            stmt = len(ids)
            sid = statement.get("id")
            ids.append(_id_key(sid) if isinstance(sid, str) and sid else _content_hash(statement))
            report.statements += 1
            result = statement.get("result")
            result = result if isinstance(result, dict) else {}
            if question is not None:
                self._answer(stmt, question, learner, result, stamp, verb)
                continue
            if lesson in self._lengths:
                self._length(lesson, statement.get("context"))
            ext = result.get("extensions")
            if isinstance(ext, dict) and ext:
                if verb == _PLAYED and _FROM in ext and _TO in ext:
                    self._watched(stmt, lesson, learner, ext[_FROM], ext[_TO])
                segments = ext.get(_SEGMENTS)
                if isinstance(segments, str) and segments:
                    context = statement.get("context")
                    reg = context.get("registration") if isinstance(context, dict) else None
                    session = sessions.setdefault(str(reg or ""), len(sessions))
                    self._segments(stmt, lesson, learner, session, segments)
                progress = ext.get(_PROGRESS)
            else:
                progress = None
            if (
                verb == _COMPLETED
                or result.get("completion") is True
                or (isinstance(progress, int | float) and progress >= 1)
            ):
                cols.c_stmt.append(stmt)
                cols.c_lesson.append(lesson)
                cols.c_learner.append(learner)

    def _future(self, stamp: str) -> bool:
        try:
            when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            return False
        if when.tzinfo is None:
            return False
        return when.timestamp() > self._latest

    def _watched(self, stmt: int, lesson: int, learner: int, start: Any, end: Any) -> None:
        try:
            start, end = float(start), float(end)
        except (TypeError, ValueError):
            return  # a stretch that is not two numbers says nothing; the rest still counts
        if not (end > start >= 0) or end == float("inf"):
            return
        cols = self._cols
        cols.w_stmt.append(stmt)
        cols.w_lesson.append(lesson)
        cols.w_learner.append(learner)
        cols.w_session.append(0)
        cols.w_kind.append(STRETCH)
        cols.w_start.append(start)
        cols.w_end.append(end)

    def _length(self, lesson: int, context: Any) -> None:
        """The profile's ``length`` for a lesson whose length the course does not know."""
        ext = context.get("extensions") if isinstance(context, dict) else None
        length = ext.get(_LENGTH) if isinstance(ext, dict) else None
        if isinstance(length, int | float) and 0 < length < 1e6:
            self._lengths[lesson] = max(self._lengths[lesson], float(length))

    def _segments(self, stmt: int, lesson: int, learner: int, session: int, text: str) -> None:
        """One ``played-segments`` list (``start[.]end[,]...``), appended in bulk."""
        try:
            numbers = [float(x) for x in _SEGMENT_SPLIT.split(text)]
        except ValueError:
            return  # not numbers: the list says nothing; the rest still counts
        pairs = [
            (start, end)
            for start, end in zip(numbers[::2], numbers[1::2], strict=False)
            if end > start >= 0 and end != _INF
        ]
        if not pairs:
            return
        cols, count = self._cols, len(pairs)
        cols.w_stmt.extend([stmt] * count)
        cols.w_lesson.extend([lesson] * count)
        cols.w_learner.extend([learner] * count)
        cols.w_session.extend([session] * count)
        cols.w_kind.extend([SESSION] * count)
        cols.w_start.extend([start for start, _ in pairs])
        cols.w_end.extend([end for _, end in pairs])

    def _answer(
        self,
        stmt: int,
        question: tuple[int, int],
        learner: int,
        result: dict[str, Any],
        stamp: Any,
        verb: str,
    ) -> None:
        if verb != _ANSWERED or "response" not in result:
            return
        response = str(result["response"])
        try:
            when = datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).timestamp()
        except ValueError:
            when = 0.0
        cols = self._cols
        cols.a_stmt.append(stmt)
        cols.a_lesson.append(question[0])
        cols.a_question.append(question[1])
        cols.a_learner.append(learner)
        cols.a_time.append(when)
        cols.a_response.append(self._responses.setdefault(response, len(self._responses)))
        cols.a_success.append(1 if result.get("success") is True else 0)

    def result(self, state: ProgressState | None = None) -> CourseInsights:
        """Fold everything counted into the course's insights (duplicates counted once)."""
        ids = (
            np.frombuffer(self._cols.ids, dtype=np.int64)
            if len(self._cols.ids)
            else np.zeros(0, np.int64)
        )
        _unique, first = np.unique(ids, return_index=True)
        keep = np.zeros(len(ids), dtype=bool)
        keep[first] = True
        responses = [""] * len(self._responses)
        for text, code in self._responses.items():
            responses[code] = text
        course = self.course
        if any(self._lengths.values()):
            lessons = list(course.lessons)
            for index, length in self._lengths.items():
                if length:
                    lessons[index] = dataclasses.replace(lessons[index], duration=length)
            course = dataclasses.replace(course, lessons=tuple(lessons))
        return fold(
            course,
            self._cols,
            keep,
            responses,
            reports=list(self.reports),
            duplicates=int(len(ids) - len(first)),
        )


def _learner_key(agent: Any) -> str | None:
    """A learner's identity as xAPI gives it (account, mbox, its hash or OpenID)."""
    if not isinstance(agent, dict):
        return None
    account = agent.get("account")
    if isinstance(account, dict) and account.get("name"):
        return f"{account.get('homePage', '')}|{account['name']}"
    for key in ("mbox", "mbox_sha1sum", "openid"):
        if agent.get(key):
            return f"{key}|{agent[key]}"
    return None


def _id_key(statement_id: str) -> int:
    """64 bits of a statement id, the same in every process (ids are UUIDs in xAPI: the
    two halves folded together; any other text is hashed)."""
    hexa = statement_id.replace("-", "")
    if len(hexa) == 32:
        try:
            value = int(hexa, 16)
        except ValueError:
            pass
        else:
            return _signed((value ^ (value >> 64)) & _MASK)
    return _signed(int.from_bytes(hashlib.blake2b(statement_id.encode(), digest_size=8).digest()))


def _content_hash(statement: dict[str, Any]) -> int:
    """A statement without an id is the same statement when everything it says is."""
    text = json.dumps(statement, sort_keys=True).encode()
    return _signed(int.from_bytes(hashlib.blake2b(text, digest_size=8).digest()))


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value
