"""The base of every error Lectern reports to a person.

Each subclass carries a message that says what is wrong, with which file, and what
to do about it. The CLIs print ``str(error)`` on one line and exit non-zero; the GUIs
show the same words. Modules define their own subclasses next to the code that
raises them (``shared.media.MediaError``, ``shared.package.PackageError``, ...).
"""

from __future__ import annotations

__all__ = [
    "EXIT_ERROR",
    "EXIT_USAGE",
    "EXIT_INTERNAL",
    "LecternError",
    "UsageError",
    "DiskFullError",
    "OutputNotWritableError",
]

#: Exit status of a command that stopped on an error a person can act on.
EXIT_ERROR = 1
#: Exit status of a command line that cannot be carried out as written (argparse's too).
EXIT_USAGE = 2
#: Exit status of an unexpected internal error (sysexits.h EX_SOFTWARE); the message
#: names the log file that holds the traceback.
EXIT_INTERNAL = 70


class LecternError(Exception):
    """An error with a message a person can act on."""

    exit_status = EXIT_ERROR


class UsageError(LecternError):
    """A command line that cannot be carried out as written (exits with :data:`EXIT_USAGE`)."""

    exit_status = EXIT_USAGE


class DiskFullError(LecternError):
    """The disk filled up while writing; nothing half-written was left behind."""

    def __init__(self, path: object) -> None:
        super().__init__(
            f"The disk is full while writing {path}; free some space and try again "
            "(nothing half-written was kept)."
        )


class OutputNotWritableError(LecternError):
    """The output location cannot be written."""

    def __init__(self, path: object, reason: str = "") -> None:
        detail = f" ({reason})" if reason else ""
        super().__init__(
            f"Cannot write {path}{detail}; choose a folder you are allowed to write to."
        )
