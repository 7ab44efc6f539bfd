"""The one clock every source of a recording stamps its data against.

It is the system monotonic clock (``CLOCK_MONOTONIC``), counted in seconds from the
moment the recording was created. Sources that stamp with the wall clock (ffmpeg's
x11grab does) are converted with :meth:`Clock.from_wall` right after they start.
"""

from __future__ import annotations

import time

__all__ = ["Clock"]


class Clock:
    """Seconds since ``origin`` on the monotonic clock.

    Args:
        origin: A ``time.monotonic()`` value; now if not given.
    """

    def __init__(self, origin: float | None = None) -> None:
        self.origin = time.monotonic() if origin is None else origin

    def now(self) -> float:
        """Seconds since the origin."""
        return time.monotonic() - self.origin

    def at(self, monotonic: float) -> float:
        """A ``time.monotonic()`` value on this clock."""
        return monotonic - self.origin

    def from_wall(self, wall: float) -> float:
        """A ``time.time()`` value on this clock (the two are compared at the call)."""
        return wall - (time.time() - time.monotonic()) - self.origin

    def sleep_until(self, t: float) -> None:
        """Sleep until this clock reads ``t`` (returns at once if it is past)."""
        delay = t - self.now()
        if delay > 0:
            time.sleep(delay)
