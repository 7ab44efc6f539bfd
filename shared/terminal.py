"""What both command-line tools share: a progress bar, one-line errors, and stop signals.

Ctrl+C (SIGINT), SIGTERM and SIGHUP (the terminal closed) all mean "stop": while a
job runs with a :class:`TerminalProgress` the signal only marks the job cancelled, so
it stops at its next safe point and removes what it half-wrote, as a cancel in the
window does. Nothing is raised inside whatever the job was doing at that instant (a
``Popen.wait``, a lock held, a write to the terminal), so nothing is left locked or
running. A second signal, or one while no job runs, stops the command at once.
:func:`launch` sets this up before the command's modules load, so even an early
Ctrl+C prints one line instead of a traceback.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from shared.errors import EXIT_INTERNAL, LecternError
from shared.jobs import Cancelled
from shared.logs import setup_logging, unexpected_error_message

__all__ = [
    "Interrupted",
    "TerminalProgress",
    "launch",
    "printable",
    "run_main",
    "print_json",
    "stop_polled",
    "stop_requested",
]

log = logging.getLogger(__name__)

#: The signals that ask a command to stop (SIGHUP: its terminal went away).
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Interrupted(KeyboardInterrupt):
    """A stop signal ended the command at once (``signum`` says which)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _Stop:
    """What the signal handler shares with the rest: plain attributes, never a lock."""

    signum: int | None = None  # the first stop signal received
    polling = 0  # TerminalProgress states alive, whose jobs poll cancelled()
    finishing = False  # the command is reporting its end: further signals are ignored
    depth = 0  # nested _stop_signals blocks (launch, then run_main)


_stop = _Stop()


def _on_signal(signum: int, frame: object) -> None:
    # Runs between two bytecodes of whatever the main thread was doing: no I/O, no
    # locks (the interrupted code may hold them), only plain assignments.
    if _stop.finishing:
        return
    first = _stop.signum is None
    if first:
        _stop.signum = signum
    if first and _stop.polling:
        return  # the job sees it at its next safe point and cleans up
    raise Interrupted(signum)


def stop_requested() -> bool:
    """Whether a stop signal arrived (Ctrl+C, SIGTERM, SIGHUP)."""
    return _stop.signum is not None


@contextlib.contextmanager
def stop_polled() -> Iterator[None]:
    """While inside, the first stop signal only sets :func:`stop_requested`.

    For a loop that polls it often (as a job polls ``cancelled()``) and must not be
    interrupted halfway, say while it holds a lock its clean-up needs.
    """
    _stop.polling += 1
    try:
        yield
    finally:
        _stop.polling -= 1


@contextlib.contextmanager
def _stop_signals(enabled: bool) -> Iterator[None]:
    """Stop signals handled as this module says (``enabled``), or left to the defaults."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    default = {sig: signal.SIG_DFL for sig in STOP_SIGNALS}
    default[signal.SIGINT] = signal.default_int_handler
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    if not _stop.depth:  # a signal seen by an outer block (launch) still counts
        _stop.signum, _stop.finishing = None, False
    _stop.depth += 1
    try:
        for sig in STOP_SIGNALS:
            if previous[sig] is signal.SIG_IGN:  # nohup, or a shell's background job
                continue
            signal.signal(sig, _on_signal if enabled else default[sig])
        yield
    finally:
        _stop.depth -= 1
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else default[sig])


def _stop_message(prog: str) -> int:
    """Say that the command stopped (if anyone can still read it); the exit status."""
    _stop.finishing = True
    signum = _stop.signum or signal.SIGINT
    how = "cancelled" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}"
    with contextlib.suppress(OSError, ValueError):  # SIGHUP: the terminal may be gone
        print(f"\n{prog}: {how}; nothing half-written was kept.", file=sys.stderr, flush=True)
    return 128 + signum


def launch(prog: str, load: Callable[[], Callable[[], int]]) -> int:
    """Start a command-line tool: stop signals are quiet before its modules load.

    Args:
        prog: the command's name for messages.
        load: imports the tool and returns its ``main`` (heavy imports happen here).
    """
    with _stop_signals(True):
        try:
            main = load()
        except BaseException:
            # A signal raised inside an extension module's import can come out as
            # another error (an ImportError, say), or be swallowed by a bare except.
            if stop_requested():
                return _stop_message(prog)
            raise
        if stop_requested():
            return _stop_message(prog)
        try:
            return main()
        except KeyboardInterrupt:  # arrived before the command's own handling began
            return _stop_message(prog)


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
        self._polled = True
        _stop.polling += 1

    def set_progress(self, fraction: float) -> None:
        self.fraction = min(1.0, max(0.0, fraction))
        self._draw()

    def set_status(self, text: str) -> None:
        self.status = text
        self._draw()

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set() or _stop.signum is not None

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
        if self._polled:
            self._polled = False
            _stop.polling -= 1
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def print_json(data: Any) -> None:
    """Machine-readable output for ``--json`` (control characters escaped, still valid JSON)."""
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    # json.dumps escapes C0 controls inside strings; the newlines left are its own.
    print("\n".join(printable(line) for line in text.split("\n")))


def run_main(
    body: Callable[[], int],
    *,
    debug: bool = False,
    prog: str = "lectern",
    stop_signals: bool = True,
) -> int:
    """Run a CLI body: a human sentence and a non-zero exit for every failure.

    Starts the app's log first (:func:`shared.logs.setup_logging`). ``LecternError`` ->
    its message, exit 1 (2 for a ``UsageError``, as argparse's own); Ctrl+C, SIGTERM or SIGHUP -> exit 128 + the signal's number
    (the jobs have already removed anything half-written); anything unexpected -> one
    sentence saying where the log with the traceback is, exit 70 (``EXIT_INTERNAL``; with ``--debug`` the
    traceback is also raised to the terminal). ``stop_signals=False`` leaves the
    signals to their defaults (a window's event loop, which Python code does not run
    all the time).
    """
    setup_logging(prog, debug=debug)
    try:
        with _stop_signals(stop_signals):
            if stop_signals and stop_requested():  # arrived while the command started
                log.info("stopped before it started")
                return _stop_message(prog)
            try:
                status = body()
            except (KeyboardInterrupt, Cancelled):
                log.info("cancelled")
                return _stop_message(prog)
            except Exception:
                if stop_requested():  # a failure the stop caused (a killed ffmpeg, ...)
                    log.info("cancelled")
                    return _stop_message(prog)
                raise
    except KeyboardInterrupt:  # a second signal while the first was reported
        return 128 + (_stop.signum or signal.SIGINT)
    except LecternError as error:
        # The class only: the message may name a course or a note, which stays out of the log.
        log.info("stopped with %s", type(error).__name__)
        print(f"{prog}: error: {printable(error)}", file=sys.stderr)
        return error.exit_status
    except MemoryError:
        log.error("out of memory")
        print(f"{prog}: error: out of memory; close other programs and try again.", file=sys.stderr)
        return 1
    except Exception as error:
        log.exception("unexpected error")
        if debug:
            raise
        print(f"{prog}: {unexpected_error_message(error)}", file=sys.stderr)
        return EXIT_INTERNAL
    log.info("finished with exit status %s", status)
    return status
