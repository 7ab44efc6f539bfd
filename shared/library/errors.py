"""The library's errors: each a class whose message says what is wrong and what to do."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from shared.errors import LecternError

__all__ = [
    "LibraryError",
    "NotInLibraryError",
    "OlderVersionError",
    "NewerLibraryError",
    "CourseContentError",
    "CheckpointsUnreadableError",
    "UnknownSettingError",
    "InvalidSettingError",
    "ReadOnlyLibraryError",
    "LibraryLockedError",
    "LibraryDamagedError",
]


class LibraryError(LecternError):
    """A problem with the learner's library."""


class NotInLibraryError(LibraryError):
    """A course, lesson or note id that the library does not hold."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} is not in your library; it may have been removed, so refresh the list."
        )


class OlderVersionError(LibraryError):
    """The package holds an older version of a course than the one installed."""

    def __init__(self, package: object, title: str, version: int, installed: int) -> None:
        self.version, self.installed = version, installed
        super().__init__(
            f"Cannot import {package}: it holds version {version} of {title!r}, older than "
            f"version {installed} in your library; remove the course first to go back."
        )


class NewerLibraryError(LibraryError):
    """The database was changed by a newer Lectern."""

    def __init__(self, path: object, names: Sequence[str]) -> None:
        self.names = tuple(names)
        super().__init__(
            f"The library {path} was updated by a newer Lectern (changes {', '.join(names)}); "
            "update Lectern to open it."
        )


class CourseContentError(LibraryError):
    """A verified package whose transcript or chapters file cannot be read."""

    def __init__(self, package: object, lesson_id: str, reason: str) -> None:
        super().__init__(
            f"Cannot import {package}: the text of lesson {lesson_id!r} cannot be read "
            f"({reason}); ask the course's author for a new copy."
        )


class CheckpointsUnreadableError(LibraryError):
    """An installed lesson's questions file is missing or damaged (it was checked on import)."""

    def __init__(self, path: object, lesson_id: str, reason: str) -> None:
        super().__init__(
            f"The questions of lesson {lesson_id!r} cannot be read from {path} ({reason}); "
            "import the course again to restore them."
        )


class UnknownSettingError(LibraryError):
    """A setting name that is not declared in :data:`SETTINGS`."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        super().__init__(f"There is no setting {name!r}; choose one of {', '.join(sorted(known))}.")


class InvalidSettingError(LibraryError):
    """A value a setting cannot take."""

    def __init__(self, name: str, value: object, expected: str) -> None:
        super().__init__(f"The setting {name!r} cannot be {value!r}; it must be {expected}.")


class ReadOnlyLibraryError(LibraryError):
    """A change asked of a library that was opened read-only."""

    def __init__(self, root: object) -> None:
        super().__init__(
            f"Nothing can be saved: the library {root} is read-only; make the folder "
            "writable and open Lectern again to save progress, notes and imports."
        )


class LibraryLockedError(LibraryError):
    """Another program kept the library's write lock for longer than Lectern waits."""

    def __init__(self, root: object, seconds: float) -> None:
        super().__init__(
            f"The library {root} is busy: another program (perhaps a second Lectern) has "
            f"held it for over {seconds:g} s; close that program and try again."
        )


class LibraryDamagedError(LibraryError):
    """The library database is damaged and cannot be repaired now."""

    def __init__(self, root: object, reason: str) -> None:
        super().__init__(
            f"The library {root} is damaged ({reason}); run 'lectern-player repair' to "
            "restore it from its backups and course folders."
        )
