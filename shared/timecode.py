"""Times as people read them: one clock format and one rounding rule for both apps.

Every place that shows a time to a person (the command lines, the windows, package
summaries, exported notes) formats it with :func:`clock`, so a search hit at 83.6 s
reads ``1:23`` everywhere. The rule: round the time to the millisecond (times are kept
to the millisecond in the database and in packages), then drop the fraction of the
second. A clock shows the second that has begun, as a media player's position does, so
the Player never shows a time that playback has not reached yet.

The same module names the two millisecond conversions the domain uses:
:func:`whole_ms` (seconds to an integer count of milliseconds, for storage) and
:func:`round_to_ms` (seconds kept as seconds, rounded to the millisecond, for files
such as captions and edit lists), and :func:`utc_now`, the one way a moment is stamped
into lesson folders and packages.

No Qt here: this is the domain layer.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

__all__ = ["clock", "clock_ms", "round_to_ms", "utc_now", "whole_ms"]


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string with seconds (``2026-12-07T05:08:35Z``)."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def whole_ms(seconds: float) -> int:
    """Seconds as a whole number of milliseconds, rounded half up (``1.0005`` -> ``1001``).

    Raises:
        ValueError: ``seconds`` is NaN or infinite.
    """
    value = float(seconds)
    if not math.isfinite(value):
        raise ValueError(f"a time must be a finite number of seconds, got {seconds!r}")
    return math.floor(value * 1000 + 0.5)


def round_to_ms(seconds: float) -> float:
    """Seconds rounded half up to the millisecond, still in seconds (``1.23456`` -> ``1.235``)."""
    return whole_ms(seconds) / 1000


def clock_ms(milliseconds: int, *, hours: bool = False) -> str:
    """A time in whole milliseconds as ``m:ss``, or ``h:mm:ss`` from an hour on.

    Args:
        milliseconds: the time; negative counts as zero.
        hours: always show the hours (``0:01:23``), for fixed-shape fields.

    Returns:
        ``83_600`` -> ``"1:23"``, ``3_723_000`` -> ``"1:02:03"``.
    """
    total = max(0, int(milliseconds)) // 1000
    hour, rest = divmod(total, 3600)
    minute, second = divmod(rest, 60)
    if hour or hours:
        return f"{hour}:{minute:02d}:{second:02d}"
    return f"{minute}:{second:02d}"


def clock(seconds: float, *, hours: bool = False) -> str:
    """A time in seconds as ``m:ss``, or ``h:mm:ss`` from an hour on.

    The time is rounded to the millisecond and then the fraction of the second is
    dropped: ``83.6`` -> ``"1:23"``, ``59.9996`` -> ``"1:00"``, ``3723`` -> ``"1:02:03"``.
    Negative times, NaN and infinity (an unknown duration) show as ``0:00``.

    Args:
        seconds: the time in seconds.
        hours: always show the hours (``0:01:23``), for fixed-shape fields.
    """
    value = float(seconds)
    if not math.isfinite(value):
        value = 0.0
    return clock_ms(whole_ms(value), hours=hours)
