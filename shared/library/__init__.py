"""The learner's library: installed courses, search, progress, notes and settings.

:class:`Library` is the only door to it. A library is a folder::

    library.db              SQLite (WAL), reached through sqlite-utils
    courses/<course-id>/    the extracted package (and its signature) of each course;
                            ``<course-id>-2`` for a course installed beside another

:class:`Library` opens and closes the database, runs transactions (:meth:`Library.atomic`)
and looks courses and lessons up; the rest is done by managers reached as attributes:

* ``library.importer`` (:mod:`~shared.library.importer`): install, update, remove courses;
  which installed course a package updates (same id and signing key), what goes beside,
  and which lessons become orphans is decided in :mod:`~shared.library.updates`;
* ``library.search`` (:mod:`~shared.library.search`): full-text search, best first;
* ``library.progress`` (:mod:`~shared.library.progress`): positions, watched parts;
* ``library.notes`` (:mod:`~shared.library.notes`): notes and bookmarks, Markdown export;
* ``library.checkpoints`` (:mod:`~shared.library.checkpoints`): questions asked during
  lessons, the learner's answers, and the review of those answered wrong;
* ``library.outbox`` (:mod:`~shared.library.outbox`): the learner's xAPI statements
  waiting for their LRS;
* ``library.settings`` (:mod:`~shared.library.settings`): the library's settings;
* ``library.backups`` (:mod:`~shared.library.health`): ``VACUUM INTO`` backups.

A damaged library heals itself at open (the newest sound backup, then the course
folders); a read-only one opens read-only; :attr:`Library.notice` says so in one
sentence (:mod:`~shared.library.health`).

The schema is built by named migrations (:mod:`~shared.library.schema`), applied in
order when the library is opened. Values returned are the frozen dataclasses of
:mod:`~shared.library.values`; errors are the classes of :mod:`~shared.library.errors`.

Times are integer milliseconds in the database and float seconds in this API.

Thread safety: one connection (``check_same_thread=False``) guarded by one re-entrant
lock, so a GUI thread and a worker thread may share a :class:`Library`. Reads wait
while a write transaction runs; transactions are kept short (an import extracts and
parses files before it starts one).
"""

from shared.library.core import Library, default_library_root
from shared.library.errors import (
    CourseContentError,
    InvalidSettingError,
    LibraryDamagedError,
    LibraryError,
    LibraryLockedError,
    NewerLibraryError,
    NotInLibraryError,
    OlderVersionError,
    ReadOnlyLibraryError,
    UnknownSettingError,
)
from shared.library.health import HealReport
from shared.library.outbox import QueueCounts
from shared.library.schema import COURSES_DIR, DB_NAME, MIGRATIONS
from shared.library.search import KIND_WEIGHTS, SEGMENT_CANDIDATES
from shared.library.settings import SETTINGS
from shared.library.text import MARK_END, MARK_START, search_tokens
from shared.library.values import (
    NOTE_KINDS,
    Attempt,
    CheckpointAnswer,
    ContinueItem,
    CourseProgress,
    ImportPlan,
    ImportResult,
    InstalledCourse,
    LessonInfo,
    LessonTexts,
    Note,
    ReviewItem,
    SearchHit,
)

__all__ = [
    "DB_NAME",
    "COURSES_DIR",
    "MARK_START",
    "MARK_END",
    "KIND_WEIGHTS",
    "SEGMENT_CANDIDATES",
    "MIGRATIONS",
    "SETTINGS",
    "NOTE_KINDS",
    "Library",
    "LessonTexts",
    "ImportResult",
    "ImportPlan",
    "InstalledCourse",
    "LessonInfo",
    "SearchHit",
    "CourseProgress",
    "ContinueItem",
    "Note",
    "Attempt",
    "CheckpointAnswer",
    "ReviewItem",
    "LibraryError",
    "NotInLibraryError",
    "OlderVersionError",
    "NewerLibraryError",
    "CourseContentError",
    "UnknownSettingError",
    "InvalidSettingError",
    "ReadOnlyLibraryError",
    "LibraryLockedError",
    "LibraryDamagedError",
    "HealReport",
    "QueueCounts",
    "default_library_root",
    "search_tokens",
]
