"""Nudges for the teacher: where a lesson is long, and where a question would help.

Engagement drops sharply after about 6 minutes of video (Guo, Kim and Rubin 2014, 6.9
million edX sessions), and short questions during a lecture halve mind-wandering
(Szpunar, Khan and Schacter 2013). So the Studio flags lessons and chapters longer than
:data:`LONG_SECONDS`, and suggests a question about every :data:`QUESTION_EVERY`
seconds where there is none.
"""

from __future__ import annotations

import dataclasses
import math
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shared.chapters import Chapter
from shared.errors import LecternError
from shared.workspace import LESSON_FILE, LessonWorkspace, slugify

if TYPE_CHECKING:
    from studio.course import Course

__all__ = [
    "LONG_SECONDS",
    "QUESTION_EVERY",
    "LongPart",
    "SplitError",
    "long_parts",
    "checkpoint_suggestions",
    "split_lesson",
]

LONG_SECONDS = 6 * 60.0
QUESTION_EVERY = 5 * 60.0


@dataclass(frozen=True)
class LongPart:
    """A lesson or chapter longer than :data:`LONG_SECONDS`.

    Attributes:
        what: ``"lesson"`` or ``"chapter"``.
        index: the chapter's number (1 = the first), 0 for the lesson.
        title: the chapter's title ("" for the lesson).
        start, end: where it is, in seconds.
    """

    what: str
    index: int
    title: str
    start: float
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start


def long_parts(
    duration: float, chapters: Sequence[Chapter], limit: float = LONG_SECONDS
) -> list[LongPart]:
    """The lesson (if it is long) and each long chapter, in time order."""
    found = [LongPart("lesson", 0, "", 0.0, duration)] if duration > limit else []
    found += [
        LongPart("chapter", number, chapter.title, chapter.start, chapter.end)
        for number, chapter in enumerate(chapters, 1)
        if chapter.end - chapter.start > limit
    ]
    return found


def checkpoint_suggestions(
    duration: float, times: Sequence[float], every: float = QUESTION_EVERY
) -> list[float]:
    """Times where a question would keep learners about ``every`` seconds apart.

    Each stretch without a question that is longer than ``every`` (from the start, or
    from the last question) gets evenly spaced suggestions; none is made within
    ``every / 2`` of the end, where the lesson stops anyway.
    """
    if duration <= 0 or every <= 0:
        return []
    marks = sorted({0.0, *(t for t in times if 0 <= t <= duration), duration})
    found: list[float] = []
    for start, end in zip(marks, marks[1:], strict=False):
        gap = end - start
        if gap <= every * 1.2:
            continue
        pieces = math.ceil(gap / every)
        step = gap / pieces
        found += [round(start + step * n) for n in range(1, pieces)]
    return found


class SplitError(LecternError):
    """A lesson that cannot be split where asked."""


def split_lesson(course: Course, folder: Path, chapter: int) -> Path:
    """Split a lesson in two at the start of chapter ``chapter`` (2 = the second), in one step.

    The lesson keeps what comes before that chapter (its out point moves there) and the
    questions asked before it; a copy of the lesson folder, put right after it in the
    course, starts there (its in point) with the rest of the questions, and becomes a
    lesson of its own (a new ``uid``, the title followed by "(part 2)"). Both are edits
    of the same built files, so nothing is re-encoded until the course is exported, and
    each can be changed or undone in the review panel like any edit.

    Returns:
        The new lesson's folder.

    Raises:
        SplitError: there is no such chapter, or it is the first one.
        EditError, WorkspaceError: the lesson cannot be edited.
    """
    from studio.editing import RENDER_DIR, EditSession, SetInPoint, SetOutPoint  # noqa: PLC0415

    session = EditSession.open(folder)
    state = session.state
    chapters = state.chapters
    if not 2 <= chapter <= len(chapters):
        raise SplitError(
            f"A lesson is split at the start of one of its chapters 2 to {len(chapters)}; "
            f"there is no chapter {chapter} to split at."
            if len(chapters) > 1
            else "This lesson has only one chapter; add a chapter where it should be split."
        )
    at = chapters[chapter - 1].start
    if not state.in_point < at < state.end:
        raise SplitError("The lesson cannot be split there: that part of it is trimmed off.")
    lesson = session.lesson
    title = f"{lesson.title} (part 2)"
    target = course.folder / _free_name(course, slugify(title))
    shutil.copytree(folder, target, ignore=shutil.ignore_patterns(RENDER_DIR, ".*"))
    try:
        second = LessonWorkspace.open(target)
        second.save(dataclasses.replace(second.lesson, title=title, uid=""))
        second.ensure_uid(taken={lesson.uid})
        later = EditSession.open(target)
        later.apply(SetInPoint(at))
        ends = [c.end for c in chapters]
        keep = tuple(q for q in state.checkpoints if q.time_in(ends, state.duration) >= at)
        later.workspace.save_checkpoints(keep)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    session.apply(SetOutPoint(at))
    earlier = tuple(q for q in state.checkpoints if q.time_in(ends, state.duration) < at)
    session.workspace.save_checkpoints(earlier)
    order = [p.name for p in course.lesson_folders()]
    order.insert(order.index(folder.name) + 1, target.name)
    course.lessons = order
    course.save()
    return target


def _free_name(course: Course, name: str) -> str:
    taken = {p.name for p in course.folder.iterdir()} if course.folder.is_dir() else set()
    candidate, number = name, 2
    while candidate in taken or (course.folder / candidate / LESSON_FILE).exists():
        candidate, number = f"{name}-{number}", number + 1
    return candidate
