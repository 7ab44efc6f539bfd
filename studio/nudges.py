"""Nudges for the teacher: where a lesson is long, and where a question would help.

Engagement drops sharply after about 6 minutes of video (Guo, Kim and Rubin 2014, 6.9
million edX sessions), and short questions during a lecture halve mind-wandering
(Szpunar, Khan and Schacter 2013). So the Studio flags lessons and chapters longer than
:data:`LONG_SECONDS`, and suggests a question about every :data:`QUESTION_EVERY`
seconds where there is none.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from shared.chapters import Chapter

__all__ = ["LONG_SECONDS", "QUESTION_EVERY", "LongPart", "long_parts", "checkpoint_suggestions"]

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
