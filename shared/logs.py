"""The apps' log: a rotating file in the platform's log folder, for a maintainer to read.

Each app calls :func:`setup_logging` once at start (the command lines do it in
:func:`shared.terminal.run_main`, which also runs the windows). Modules log through
``logging.getLogger(__name__)`` as usual; the file gets what Lectern's own packages
log at INFO and up (DEBUG with ``--debug``) and what other libraries log as warnings.

What goes into the log: file and folder paths, counts, sizes, durations, the names
of steps and errors, and the traceback of an unexpected error. What does not: course
and lesson titles, transcript text, search queries and notes. Code that logs must
keep to that; an exception's own message is logged with its traceback and in
Lectern names only paths.

Where the log is: ``platformdirs.user_log_dir("Lectern")``, e.g.
``~/.local/state/Lectern/log/lectern-player.log`` on Linux. The file rotates at
1 MB and keeps three old ones.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import platform
import sys
from pathlib import Path

import platformdirs

import shared

__all__ = [
    "APP_LOGGERS",
    "log_dir",
    "log_file",
    "setup_logging",
    "stop_logging",
    "unexpected_error_message",
]

APP_LOGGERS = ("shared", "studio", "player")
"""The top-level loggers of Lectern's own packages."""

MAX_BYTES = 1_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s]: %(message)s"

_handlers: list[logging.Handler] = []
_file: Path | None = None


def log_dir() -> Path:
    """The platform's log folder for Lectern (not created here)."""
    return Path(platformdirs.user_log_dir("Lectern", appauthor=False))


def log_file() -> Path | None:
    """The file this process logs to, or ``None`` before :func:`setup_logging` or without one."""
    return _file


def setup_logging(app: str, *, debug: bool = False, stream: bool | None = None) -> Path | None:
    """Send the log to ``<log dir>/<app>.log`` (rotating) and, with ``debug``, to stderr.

    Calling it again replaces the handlers it added before, so it is safe in tests
    and when one process runs several commands.

    Args:
        app: the program name, such as ``"lectern-player"``; names the file.
        debug: log Lectern's DEBUG messages too, and mirror the log on stderr.
        stream: mirror the log on stderr (default: when ``debug``).

    Returns:
        The log file, or ``None`` when it cannot be opened (a read-only home folder):
        the app then runs without a log file rather than failing.
    """
    global _file
    stop_logging()
    root = logging.getLogger()
    formatter = logging.Formatter(FORMAT)
    path = log_dir() / f"{app}.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError:
        pass
    else:
        _file = path
        handler.setFormatter(formatter)
        _handlers.append(handler)
    if debug if stream is None else stream:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(formatter)
        _handlers.append(handler)
    for handler in _handlers:
        root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.WARNING:
        root.setLevel(logging.WARNING)
    for name in APP_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.INFO)
    logging.getLogger("shared.logs").info(
        "%s %s starting (Python %s, %s, pid %d)",
        app,
        shared.__version__,
        platform.python_version(),
        platform.platform(terse=True),
        os.getpid(),
    )
    return _file


def stop_logging() -> None:
    """Close the log file and remove the handlers :func:`setup_logging` added."""
    global _file
    root = logging.getLogger()
    for handler in _handlers:
        root.removeHandler(handler)
        handler.close()
    _handlers.clear()
    _file = None


def unexpected_error_message(error: BaseException, doing: str = "") -> str:
    """One sentence for an error Lectern did not expect, saying where the details are.

    Args:
        error: the exception (only its class name is shown; the log has the rest).
        doing: what was going on, as in "while importing a course" (optional).
    """
    what = f" while {doing}" if doing else ""
    where = log_file()
    if where is not None:
        return (
            f"Something unexpected went wrong{what} ({type(error).__name__}); the details "
            f"are in the log file {where}; please send it with a description of what you did."
        )
    return (
        f"Something unexpected went wrong{what} ({type(error).__name__}); run again with "
        "--debug to see the details and report them."
    )
