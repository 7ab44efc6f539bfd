"""The learner's review of questions answered wrong: a Leitner box of 1, 3 and 7 days.

A question answered wrong goes into box 1 and comes back a day later. Answered right
in a review, it moves up a box and comes back after that box's days (3, then 7);
answered right from box 3 it leaves the review. Answered wrong at any time, it starts
again in box 1. A question answered right the first time never enters the review.
"""

from __future__ import annotations

__all__ = ["REVIEW_DAYS", "DAY_MS", "next_review"]

REVIEW_DAYS = (1, 3, 7)
DAY_MS = 86_400_000


def next_review(
    box: int | None, correct: bool, now_ms: int, *, reviewing: bool
) -> tuple[int | None, int | None]:
    """The question's box and when it is due next, ``(None, None)`` when it is not.

    Args:
        box: its box now (1..3), or ``None`` when it is not in the review.
        correct: whether this answer was right.
        now_ms: the time of the answer, in milliseconds since the epoch.
        reviewing: the answer was given in the review (not while watching the lesson).
    """
    if not correct:
        return 1, now_ms + REVIEW_DAYS[0] * DAY_MS
    if box is None:
        return None, None
    if not reviewing:  # right on a second try in the lesson: the review still comes
        return box, now_ms + REVIEW_DAYS[box - 1] * DAY_MS
    if box >= len(REVIEW_DAYS):
        return None, None
    return box + 1, now_ms + REVIEW_DAYS[box] * DAY_MS
