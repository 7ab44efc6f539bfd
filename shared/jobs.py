"""The long-job protocol: progress, status and cancellation.

A long job is a plain function ``run(inputs, state) -> Result``. ``state`` is anything
with ``set_progress(fraction)``, ``set_status(text)`` and ``cancelled()``; the CLI
passes one that draws a terminal progress bar, the GUI one that emits queued signals,
tests a :class:`JobState`. Jobs call :func:`check_cancelled` at safe points and
raise :class:`Cancelled`, after removing anything half-written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from shared.errors import LecternError

__all__ = ["Cancelled", "ProgressState", "JobState", "SubState", "check_cancelled", "stages"]


class Cancelled(LecternError):
    """The job was cancelled by the person who started it."""

    def __init__(self, what: str = "The job") -> None:
        super().__init__(f"{what} was cancelled; nothing half-written was kept.")


class ProgressState(Protocol):
    """What a long job may report to and ask of whoever runs it."""

    def set_progress(self, fraction: float) -> None: ...

    def set_status(self, text: str) -> None: ...

    def cancelled(self) -> bool: ...


class JobState:
    """A thread-safe state for jobs run from tests, the CLI or a worker thread.

    Args:
        on_change: called as ``on_change(fraction, status)`` after every update.
    """

    def __init__(self, on_change: Callable[[float, str], None] | None = None) -> None:
        self.progress = 0.0
        self.status = ""
        self.history: list[tuple[float, str]] = []
        self._cancel = threading.Event()
        self._on_change = on_change

    def set_progress(self, fraction: float) -> None:
        self.progress = min(1.0, max(0.0, float(fraction)))
        self._changed()

    def set_status(self, text: str) -> None:
        self.status = text
        self._changed()

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _changed(self) -> None:
        self.history.append((self.progress, self.status))
        if self._on_change is not None:
            self._on_change(self.progress, self.status)


class SubState:
    """Maps a stage's own 0..1 progress onto ``[start, end]`` of a parent state."""

    def __init__(self, parent: ProgressState, start: float, end: float) -> None:
        self.parent, self.start, self.end = parent, start, end

    def set_progress(self, fraction: float) -> None:
        fraction = min(1.0, max(0.0, float(fraction)))
        self.parent.set_progress(self.start + (self.end - self.start) * fraction)

    def set_status(self, text: str) -> None:
        self.parent.set_status(text)

    def cancelled(self) -> bool:
        return self.parent.cancelled()


def stages(state: ProgressState, weights: Sequence[float]) -> list[SubState]:
    """Split ``state`` into consecutive sub-states sized by ``weights``."""
    total = float(sum(weights)) or 1.0
    out, start = [], 0.0
    for weight in weights:
        end = start + weight / total
        out.append(SubState(state, start, min(1.0, end)))
        start = end
    return out


def check_cancelled(state: ProgressState | None, what: str = "The job") -> None:
    """Raise :class:`Cancelled` if ``state`` asks the job to stop."""
    if state is not None and state.cancelled():
        raise Cancelled(what)
