"""What both command-line tools share: a progress bar and one-line error reporting."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

from shared.errors import LecternError
from shared.jobs import Cancelled
from shared.logs import setup_logging, unexpected_error_message

__all__ = ["TerminalProgress", "run_main", "print_json"]

log = logging.getLogger(__name__)


class TerminalProgress:
    """A job state that draws a progress bar on stderr.

    Nothing is drawn during the first second, so quick steps stay quiet. On a
    terminal the bar redraws in place; otherwise each new status is printed once.
    """

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False, delay: float = 1.0):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self.delay = delay
        self.fraction = 0.0
        self.status = ""
        self._printed_status = ""
        self._drawn = False
        self._last_draw = 0.0
        self._cancel = threading.Event()

    def set_progress(self, fraction: float) -> None:
        self.fraction = min(1.0, max(0.0, fraction))
        self._draw()

    def set_status(self, text: str) -> None:
        self.status = text
        self._draw()

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _draw(self) -> None:
        now = time.monotonic()
        if self.quiet or now - self.started < self.delay:
            return
        if not self.tty:
            if self.status and self.status != self._printed_status:
                print(f"{self.status} ...", file=self.stream, flush=True)
                self._printed_status = self.status
            return
        if now - self._last_draw < 0.1 and self.fraction < 1.0:
            return
        self._last_draw = now
        width = 30
        filled = int(round(self.fraction * width))
        bar = "#" * filled + "-" * (width - filled)
        line = f"\r[{bar}] {self.fraction * 100:5.1f}%  {self.status[:60]:<60}"
        self.stream.write(line)
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """End the bar's line so later output starts on a fresh one."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def print_json(data: Any) -> None:
    """Machine-readable output for ``--json``."""
    print(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str))


def run_main(body: Callable[[], int], *, debug: bool = False, prog: str = "lectern") -> int:
    """Run a CLI body: a human sentence and a non-zero exit for every failure.

    Starts the app's log first (:func:`shared.logs.setup_logging`). ``LecternError`` ->
    its message, exit 1; Ctrl+C -> exit 130 (the jobs have already removed anything
    half-written); anything unexpected -> one sentence saying where the log with the
    traceback is, exit 2 (with ``--debug`` the traceback is also raised to the terminal).
    """
    setup_logging(prog, debug=debug)
    try:
        status = body()
    except (KeyboardInterrupt, Cancelled):
        log.info("cancelled")
        print(f"\n{prog}: cancelled; nothing half-written was kept.", file=sys.stderr)
        return 130
    except LecternError as error:
        # The class only: the message may name a course or a note, which stays out of the log.
        log.info("stopped with %s", type(error).__name__)
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 1
    except MemoryError:
        log.error("out of memory")
        print(f"{prog}: error: out of memory; close other programs and try again.", file=sys.stderr)
        return 1
    except Exception as error:
        log.exception("unexpected error")
        if debug:
            raise
        print(f"{prog}: {unexpected_error_message(error)}", file=sys.stderr)
        return 2
    log.info("finished with exit status %s", status)
    return status
