"""A course's statements read from a Learning Record Store, for a :class:`Tally`.

The Player sends each learner's statements to an LRS (``lectern-player sync``); a
teacher's insights read them back from there. Every statement that counts names one of
the course's activities (:meth:`CourseMap.lesson_activities` and
:meth:`CourseMap.question_activities`), so the LRS is asked for each of those
activities in turn (the xAPI ``activity`` filter, which every LRS has), never for the
whole store: an LRS of a department holds many courses.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from typing import Any

from shared.insights.course import CourseMap
from shared.jobs import ProgressState, check_cancelled
from shared.lrs import Endpoint, fetch_statements

__all__ = ["course_activities", "lrs_name", "lrs_statements"]

#: Statements per page asked of the LRS.
PAGE = 1000


def course_activities(course: CourseMap) -> list[str]:
    """Every activity id a statement about ``course`` can name (lessons, then questions)."""
    return list(dict.fromkeys([*course.lesson_activities(), *course.question_activities()]))


def lrs_name(endpoint: Endpoint) -> str:
    """How reports name the LRS: ``the LRS at HOST``."""
    return f"the LRS at {urllib.parse.urlsplit(endpoint.address).netloc}"


def lrs_statements(
    endpoint: Endpoint,
    course: CourseMap,
    state: ProgressState | None = None,
    *,
    page: int = PAGE,
) -> Iterator[dict[str, Any]]:
    """The statements ``endpoint`` holds about ``course``'s lessons and questions.

    Progress goes by activities asked; cancel is looked at between pages.

    Raises:
        LrsError: the LRS cannot be reached, refuses the credentials or answers badly.
        Cancelled: ``state`` asked to stop.
    """
    activities = course_activities(course)
    for number, activity in enumerate(activities):
        check_cancelled(state, "Reading the LRS")
        if state is not None:
            state.set_progress(number / len(activities))
        for count, statement in enumerate(
            fetch_statements(endpoint, activity=activity, limit=page)
        ):
            if count % page == page - 1:
                check_cancelled(state, "Reading the LRS")
            yield statement
    if state is not None:
        state.set_progress(1.0)
