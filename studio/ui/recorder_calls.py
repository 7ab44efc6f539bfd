"""A recorder's calls, one after another, on one Python thread kept for the recording.

Two things decide the thread:

* It lives as long as the recording: each ffmpeg child gets ``SIGTERM`` when the
  thread that started it ends (``PR_SET_PDEATHSIG``, studio.capture.process).
* Python started it. A child is started with a ``preexec_fn``, so between fork and exec
  it runs Python's after-fork code. Forked from a thread of Qt's pool, which Python
  3.11 knows only as a "dummy" thread, that code hung the child in CI, and ``Popen``
  waited for it forever. A ``concurrent.futures`` thread is Python's own.

Outcomes come back to the GUI thread through a queued signal, so callbacks may touch
widgets. :meth:`RecorderCalls.close` ends the thread once the recording is over, after
the calls already asked (a session that ended keeps no idle thread behind).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from PySide6.QtCore import QObject, Signal

from shared.errors import LecternError
from shared.logs import unexpected_error_message

__all__ = ["RecorderCalls"]

log = logging.getLogger(__name__)


class RecorderCalls(QObject):
    """Runs calls in the order submitted on one kept thread; answers on the GUI thread."""

    # Emitted from the calls' thread; reaches _deliver through the event loop.
    _outcome = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lectern-recorder")
        self._outcome.connect(self._deliver)
        self._last: Future | None = None
        self._thread: threading.Thread | None = None
        self._closed = False

    def submit(
        self,
        name: str,
        action: Callable[[], Any],
        then: Callable[[Any], None] | None = None,
        failed: Callable[[str], None] | None = None,
    ) -> Future | None:
        """Run ``action()`` after the calls before it; then ``then(result)`` or
        ``failed(message)`` on the GUI thread (one sentence a person can act on).
        After :meth:`close` nothing runs (logged; ``None``)."""
        if self._closed:
            log.warning("%s: asked after the recording's calls were closed", name)
            return None

        def run() -> None:
            self._thread = threading.current_thread()
            try:
                value = action()
            except LecternError as error:
                log.info("%s: stopped with %s", name, type(error).__name__)
                if failed is not None:
                    self._outcome.emit(failed, str(error))
            except Exception as error:  # a GUI shows every failure, never crashes
                log.exception("%s: unexpected error", name)
                if failed is not None:
                    self._outcome.emit(failed, unexpected_error_message(error, name))
            else:
                if then is not None:
                    self._outcome.emit(then, value)

        self._last = self._pool.submit(run)
        return self._last

    def wait(self, seconds: float | None = None) -> bool:
        """Block until every call submitted so far has run; ``False`` on timeout."""
        if self._last is None:
            return True
        try:
            self._last.result(timeout=seconds)
        except FutureTimeout:
            return False
        return True

    def close(self) -> None:
        """No more calls: the thread ends once the calls already asked have run."""
        self._closed = True
        self._pool.shutdown(wait=False)

    @property
    def thread_alive(self) -> bool:
        """Whether the calls' thread is still there (it starts with the first call)."""
        return self._thread is not None and self._thread.is_alive()

    def _deliver(self, callback: Callable[[Any], None], value: Any) -> None:
        callback(value)
