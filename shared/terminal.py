"""What both command-line tools share: a progress bar and one-line error reporting."""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

from shared.errors import LecternError
from shared.jobs import Cancelled

__all__ = ["TerminalProgress", "clock", "printable", "run_main", "print_json"]

# What a terminal would act on instead of showing: C0 and C1 controls (ESC starts colour,
# clear-screen, window-title and OSC-8 link sequences; 0x9b is a one-byte CSI), DEL, line
# and paragraph separators, the bidirectional overrides and isolates that reorder what
# is shown, and lone surrogates, which cannot even be encoded for output.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def printable(text: object) -> str:
    """``text`` made safe to print: every control character shown as ``\\uXXXX``.

    Every print of text that comes from a package, a library or a user goes through
    this one function, so a course title cannot clear the screen, set the window
    title, hide text, plant a link or reorder a line. The escapes are also valid JSON
    escapes, so :func:`print_json` can use it on its output.
    """
    return _UNSAFE.sub(_escape, str(text))


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
                print(f"{printable(self.status)} ...", file=self.stream, flush=True)
                self._printed_status = self.status
            return
        if now - self._last_draw < 0.1 and self.fraction < 1.0:
            return
        self._last_draw = now
        width = 30
        filled = int(round(self.fraction * width))
        bar = "#" * filled + "-" * (width - filled)
        line = f"\r[{bar}] {self.fraction * 100:5.1f}%  {printable(self.status)[:60]:<60}"
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
    """Machine-readable output for ``--json`` (control characters escaped, still valid JSON)."""
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    # json.dumps escapes C0 controls inside strings; the newlines left are its own.
    print("\n".join(printable(line) for line in text.split("\n")))


def run_main(body: Callable[[], int], *, debug: bool = False, prog: str = "lectern") -> int:
    """Run a CLI body: a human sentence and a non-zero exit for every failure.

    ``LecternError`` -> its message, exit 1; Ctrl+C -> exit 130 (the jobs have already
    removed anything half-written); anything unexpected -> one line asking for a
    report (the traceback only with ``--debug``).
    """
    try:
        return body()
    except (KeyboardInterrupt, Cancelled):
        print(f"\n{prog}: cancelled; nothing half-written was kept.", file=sys.stderr)
        return 130
    except LecternError as error:
        print(f"{prog}: error: {printable(error)}", file=sys.stderr)
        return 1
    except MemoryError:
        print(f"{prog}: error: out of memory; close other programs and try again.", file=sys.stderr)
        return 1
    except Exception as error:
        if debug:
            raise
        print(
            f"{prog}: unexpected error ({type(error).__name__}: {printable(error)}); "
            "run again with --debug and report the output.",
            file=sys.stderr,
        )
        return 2


def clock(seconds: float) -> str:
    """``83.4`` -> ``"1:23"``, ``3723`` -> ``"1:02:03"``."""
    total = int(round(max(0.0, seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:d}:{secs:02d}"
