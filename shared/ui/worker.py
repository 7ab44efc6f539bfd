"""The one Qt helper that runs long jobs off the GUI thread.

A job is a plain function ``run(inputs, state)`` (see :mod:`shared.jobs`). The
worker runs it in a :class:`QThreadPool` and hands the GUI its progress, status,
result and error as queued signals, so the job never touches a widget and the
window never freezes. ``Job.cancel()`` asks the job to stop at its next safe point.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from shared.errors import LecternError
from shared.jobs import Cancelled
from shared.logs import unexpected_error_message

__all__ = ["Job", "Worker"]

log = logging.getLogger(__name__)


class Job(QObject):
    """One running job, seen from the GUI thread.

    Signals:
        progress(float): 0..1.
        status(str): what the job is doing now.
        succeeded(object): the job's return value.
        failed(str): a message a person can act on (the error's own words for a
            :class:`LecternError`).
        cancelled(): the job stopped because it was asked to.
        done(): after any of the three outcomes.
    """

    progress = Signal(float)
    status = Signal(str)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    done = Signal()

    # Emitted from the pool thread. They reach this object's slots through the event
    # loop (queued: the job lives in the GUI thread), which re-emit the public
    # signals, so whatever is connected to those always runs in the GUI thread.
    _progress = Signal(float)
    _status = Signal(str)
    _outcome = Signal(str, object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.result: Any = None
        self.error: str | None = None
        self.finished = False
        self._cancel = threading.Event()
        self._progress.connect(self._on_progress)
        self._status.connect(self._on_status)
        self._outcome.connect(self._on_outcome)

    def cancel(self) -> None:
        """Ask the job to stop at its next safe point."""
        self._cancel.set()

    def _on_progress(self, fraction: float) -> None:
        self.progress.emit(fraction)

    def _on_status(self, text: str) -> None:
        self.status.emit(text)

    def _on_outcome(self, kind: str, value: object) -> None:
        self.finished = True
        if kind == "result":
            self.result = value
            self.succeeded.emit(value)
        elif kind == "error":
            self.error = str(value)
            self.failed.emit(self.error)
        else:
            self.cancelled.emit()
        self.done.emit()


class _State:
    """The :class:`shared.jobs.ProgressState` a job sees; emits from the pool thread."""

    def __init__(self, job: Job) -> None:
        self._job = job

    def set_progress(self, fraction: float) -> None:
        self._job._progress.emit(min(1.0, max(0.0, float(fraction))))

    def set_status(self, text: str) -> None:
        self._job._status.emit(str(text))

    def cancelled(self) -> bool:
        return self._job._cancel.is_set()


class _Runnable(QRunnable):
    def __init__(self, job: Job, run: Callable[[Any, Any], Any], inputs: Any) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._job, self._run, self._inputs = job, run, inputs

    def run(self) -> None:
        job = self._job
        try:
            result = self._run(self._inputs, _State(job))
        except Cancelled:
            log.info("%s: cancelled", job.name)
            job._outcome.emit("cancelled", None)
        except LecternError as error:
            log.info("%s: stopped with %s", job.name, type(error).__name__)
            job._outcome.emit("error", str(error))
        except Exception as error:  # a GUI shows every failure, never crashes
            log.exception("%s: unexpected error", job.name)
            job._outcome.emit("error", unexpected_error_message(error, job.name))
        else:
            job._outcome.emit("result", result)


class Worker(QObject):
    """Runs jobs in a thread pool; keeps every running :class:`Job` alive until done."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._jobs: set[Job] = set()

    def submit(self, name: str, run: Callable[[Any, Any], Any], inputs: Any = None) -> Job:
        """Start ``run(inputs, state)`` in the pool; connect to the returned job's signals."""
        job = Job(name, self)
        self._jobs.add(job)
        job.done.connect(lambda: self._jobs.discard(job))
        self._pool.start(_Runnable(job, run, inputs))
        return job

    def running(self) -> list[Job]:
        """The jobs that have not finished yet."""
        return [job for job in self._jobs if not job.finished]

    def wait(self, msecs: int = -1) -> bool:
        """Block until every job is done (for shutdown); ``True`` if they all finished."""
        return self._pool.waitForDone(msecs)
