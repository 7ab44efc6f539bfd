"""The learner's library: installed courses, search, progress, notes and settings.

One class, :class:`Library`, is the only door to it. A library is a folder::

    library.db              SQLite (WAL), reached through sqlite-utils
    courses/<course-id>/    the extracted package of each installed course

The schema is built by named migrations (:data:`MIGRATIONS`), applied in order when
the library is opened and recorded in the ``migrations`` table, so each runs once. A
database that records a migration this Lectern does not know was written by a newer
Lectern and is refused with :class:`NewerLibraryError`.

Times are integer milliseconds in the database and float seconds in this API.

Importing a course verifies the whole package while extracting it into a temporary
folder inside the library (same filesystem), indexes its text in one transaction and
renames the folder into ``courses/<course-id>`` just before committing: a refused,
failed or cancelled import leaves the database and the folders as they were.

Search uses two FTS5 indexes (tokenizer ``unicode61 remove_diacritics 2``, prefix
indexes for 2-4 letters), both external-content tables so no text is stored twice:

* ``labels_fts`` over ``labels``: course, lesson and chapter titles and the learner's
  notes (small, always ranked in full);
* ``segments_fts`` over ``segments``: every transcript segment (large; for queries
  that match more than :data:`SEGMENT_CANDIDATES` segments, the best are chosen among
  the first that many matches, which keeps common words and short prefixes fast).

What the person types is never passed to FTS5: :func:`search_tokens` splits it into
words the way the tokenizer does, each word becomes a quoted phrase, the last one a
prefix (search as you type), and all are ANDed. Hits of both indexes are merged by
bm25 multiplied by a weight per kind (:data:`KIND_WEIGHTS`: titles above notes above
segments). Matched words in :attr:`SearchHit.snippet` are wrapped in
:data:`MARK_START` and :data:`MARK_END` (``"\\x02"`` and ``"\\x03"``), which never
occur in text, for the UI to turn into bold.

Thread safety: one connection (``check_same_thread=False``) guarded by one re-entrant
lock, so a GUI thread and a worker thread may share a :class:`Library`. Reads wait
while a write transaction runs; transactions are kept short (an import extracts and
parses files before it starts one).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import platformdirs
import sqlite_utils

from shared.chapters import Chapter, ChapterFileError, load_chapters
from shared.errors import LecternError
from shared.files import write_text_atomic
from shared.jobs import ProgressState, check_cancelled, stages
from shared.manifest import MANIFEST_NAME, LessonEntry, Manifest
from shared.package import extract_package, read_manifest
from shared.transcription import Segment, Transcript, TranscriptFileError

__all__ = [
    "DB_NAME",
    "COURSES_DIR",
    "MARK_START",
    "MARK_END",
    "KIND_WEIGHTS",
    "SEGMENT_CANDIDATES",
    "MIGRATIONS",
    "SETTINGS",
    "Setting",
    "Library",
    "LessonTexts",
    "ImportResult",
    "CourseSummary",
    "LessonInfo",
    "SearchHit",
    "CourseProgress",
    "ContinueItem",
    "Note",
    "LibraryError",
    "NotInLibraryError",
    "OlderVersionError",
    "NewerLibraryError",
    "CourseContentError",
    "UnknownSettingError",
    "InvalidSettingError",
    "default_library_root",
    "search_tokens",
    "format_timestamp",
]

DB_NAME = "library.db"
COURSES_DIR = "courses"
MARK_START = "\x02"
MARK_END = "\x03"
#: bm25 multipliers when hits of different kinds are merged (bm25 is negative: lower is better).
KIND_WEIGHTS: Mapping[str, float] = {
    "course": 10.0,
    "lesson": 8.0,
    "chapter": 6.0,
    "note": 3.0,
    "segment": 1.0,
}
#: At most this many matching segments are scored per query (see the module doc).
SEGMENT_CANDIDATES = 2000
_MAX_TOKENS = 32
_MIN_PREFIX = 2  # a one-letter prefix would match half the vocabulary
_SNIPPET_CHARS = 160
_WORD_RE = re.compile(r"[^\W_]+")
_BUSY_TIMEOUT_MS = 5000
_STALE_IMPORT_SECONDS = 24 * 3600
_IMPORT_PREFIX = ".import-"


# ----------------------------------------------------------------------------- errors


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


class UnknownSettingError(LibraryError):
    """A setting name that is not declared in :data:`SETTINGS`."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"There is no setting {name!r}; choose one of {', '.join(sorted(SETTINGS))}."
        )


class InvalidSettingError(LibraryError):
    """A value a setting cannot take."""

    def __init__(self, name: str, value: object, expected: str) -> None:
        super().__init__(f"The setting {name!r} cannot be {value!r}; it must be {expected}.")


# ----------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Setting:
    """A declared library setting.

    Attributes:
        name: the key.
        default: the value when none was set.
        expected: what a valid value is, in words.
        check: returns the value to store, or ``None`` if it is invalid.
    """

    name: str
    default: Any
    expected: str
    check: Callable[[Any], Any]


def _fraction(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if 0.0 < value <= 1.0 else None


SETTINGS: Mapping[str, Setting] = {
    setting.name: setting
    for setting in (
        Setting(
            "completion_threshold",
            0.9,
            "a number above 0 and at most 1 (the share of a lesson watched to complete it)",
            _fraction,
        ),
    )
}


def default_library_root() -> Path:
    """The library folder: ``$LECTERN_HOME`` if set, else the per-user data folder."""
    home = os.environ.get("LECTERN_HOME")
    if home:
        return Path(home)
    return Path(platformdirs.user_data_dir("Lectern", "Lectern"))


# ----------------------------------------------------------------------------- values


@dataclass(frozen=True)
class LessonTexts:
    """The searchable text of one lesson, as read from its transcript and chapters."""

    segments: tuple[Segment, ...] = ()
    chapters: tuple[Chapter, ...] = ()


@dataclass(frozen=True)
class ImportResult:
    """What :meth:`Library.import_course` did.

    Attributes:
        course_id: the course's id.
        title: the course's title.
        action: ``"imported"``, ``"unchanged"`` or ``"updated"``.
    """

    course_id: str
    title: str
    action: str


@dataclass(frozen=True)
class CourseSummary:
    """An installed course, for the library view.

    Attributes:
        id, version, title, author, description, language: from the manifest.
        lesson_count: number of lessons.
        duration: all lessons together, in seconds.
        cover: absolute path of the cover (else the first lesson's poster or
            thumbnail), or ``None``.
        completed_lessons: lessons completed.
        coverage: share of the whole course watched, 0..1.
        last_opened: when a lesson was last opened, or ``None``.
    """

    id: str
    version: int
    title: str
    author: str
    description: str
    language: str
    lesson_count: int
    duration: float
    cover: Path | None
    completed_lessons: int
    coverage: float
    last_opened: datetime | None


@dataclass(frozen=True)
class LessonInfo:
    """An installed lesson with its files (absolute paths) and the learner's progress.

    Attributes:
        course_id: the course.
        id: the lesson id.
        position: 0-based place in the course.
        title: the title.
        duration: length in seconds.
        video: the main video.
        presenter_video: the camera video, if any.
        captions: caption files by language.
        poster: the poster image, if any.
        resume_position: where playback stopped, in seconds.
        coverage: share watched, 0..1.
        completed: whether the lesson counts as completed.
    """

    course_id: str
    id: str
    position: int
    title: str
    duration: float
    video: Path
    presenter_video: Path | None
    captions: Mapping[str, Path]
    poster: Path | None
    resume_position: float
    coverage: float
    completed: bool


@dataclass(frozen=True)
class SearchHit:
    """One search result.

    Attributes:
        kind: ``"segment"``, ``"chapter"``, ``"lesson"``, ``"course"`` or ``"note"``.
        course_id: the course.
        course_title: its title.
        lesson_id: the lesson, or ``None`` for a course hit.
        lesson_title: its title, or ``None``.
        time: where in the lesson, in seconds, or ``None`` for course and lesson hits.
        snippet: the text with matched words between :data:`MARK_START` and :data:`MARK_END`.
        rank: weighted bm25; lower is better and hits come sorted by it.
        note_id: the note, for a note hit.
    """

    kind: str
    course_id: str
    course_title: str
    lesson_id: str | None
    lesson_title: str | None
    time: float | None
    snippet: str
    rank: float
    note_id: int | None = None


@dataclass(frozen=True)
class CourseProgress:
    """How far the learner is in one course."""

    completed_lessons: int
    total_lessons: int
    coverage: float


@dataclass(frozen=True)
class ContinueItem:
    """A lesson to resume."""

    course_id: str
    course_title: str
    lesson_id: str
    lesson_title: str
    position: float
    duration: float
    coverage: float
    last_played: datetime


@dataclass(frozen=True)
class Note:
    """A note or bookmark at a time in a lesson.

    Attributes:
        id: the note's id.
        course_id, lesson_id: where it belongs.
        time: seconds into the lesson.
        text: the learner's text (may be empty for a bookmark).
        kind: ``"note"`` or ``"bookmark"``.
        created, updated: when it was written and last changed.
    """

    id: int
    course_id: str
    lesson_id: str
    time: float
    text: str
    kind: str
    created: datetime
    updated: datetime


NOTE_KINDS = ("note", "bookmark")


# ----------------------------------------------------------------------------- schema

_SEGMENTS_SCHEMA = (
    """CREATE TABLE courses (
        key INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        version INTEGER NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL DEFAULT '',
        cover TEXT,
        imported_ms INTEGER NOT NULL,
        opened_ms INTEGER
    )""",
    """CREATE TABLE lessons (
        key INTEGER PRIMARY KEY,
        course_key INTEGER NOT NULL REFERENCES courses(key) ON DELETE CASCADE,
        id TEXT NOT NULL,
        position INTEGER NOT NULL,
        title TEXT NOT NULL,
        duration_ms INTEGER NOT NULL,
        video TEXT NOT NULL,
        presenter_video TEXT,
        poster TEXT,
        transcript TEXT,
        chapters TEXT,
        captions TEXT NOT NULL DEFAULT '{}',
        thumbnails TEXT NOT NULL DEFAULT '[]',
        UNIQUE (course_key, id)
    )""",
    """CREATE TABLE segments (
        id INTEGER PRIMARY KEY,
        lesson_key INTEGER NOT NULL REFERENCES lessons(key) ON DELETE CASCADE,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        text TEXT NOT NULL
    )""",
    "CREATE INDEX segments_lesson ON segments(lesson_key, start_ms)",
    """CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        lesson_key INTEGER NOT NULL REFERENCES lessons(key) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('note', 'bookmark')),
        time_ms INTEGER NOT NULL,
        text TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
    )""",
    "CREATE INDEX notes_lesson ON notes(lesson_key, time_ms)",
    """CREATE TABLE labels (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        course_key INTEGER NOT NULL REFERENCES courses(key) ON DELETE CASCADE,
        lesson_key INTEGER REFERENCES lessons(key) ON DELETE CASCADE,
        time_ms INTEGER,
        text TEXT NOT NULL,
        note_id INTEGER REFERENCES notes(id) ON DELETE CASCADE
    )""",
    "CREATE INDEX labels_course ON labels(course_key)",
    "CREATE INDEX labels_lesson ON labels(lesson_key)",
    "CREATE INDEX labels_note ON labels(note_id)",
    """CREATE TABLE progress (
        lesson_key INTEGER PRIMARY KEY REFERENCES lessons(key) ON DELETE CASCADE,
        position_ms INTEGER NOT NULL DEFAULT 0,
        marked INTEGER,
        played_ms INTEGER
    )""",
    "CREATE INDEX progress_played ON progress(played_ms)",
    """CREATE TABLE watched (
        lesson_key INTEGER NOT NULL REFERENCES lessons(key) ON DELETE CASCADE,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        PRIMARY KEY (lesson_key, start_ms)
    ) WITHOUT ROWID""",
    "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


def _fts_statements(table: str) -> tuple[str, ...]:
    """An external-content FTS5 index over ``table(text)`` kept in sync by triggers."""
    fts = f"{table}_fts"
    return (
        f"CREATE VIRTUAL TABLE {fts} USING fts5(text, content='{table}', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')",
        f"CREATE TRIGGER {table}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, text) VALUES (new.id, new.text); END",
        f"CREATE TRIGGER {table}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, text) VALUES ('delete', old.id, old.text); END",
        f"CREATE TRIGGER {table}_au AFTER UPDATE OF text ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, text) VALUES ('delete', old.id, old.text); "
        f"INSERT INTO {fts}(rowid, text) VALUES (new.id, new.text); END",
    )


def _initial(db: sqlite_utils.Database) -> None:
    for statement in (*_SEGMENTS_SCHEMA, *_fts_statements("segments"), *_fts_statements("labels")):
        db.execute(statement)


#: ``(name, function)`` in the order they are applied; append, never rename or reorder.
MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = [
    ("0001_initial", _initial),
]


# ----------------------------------------------------------------------------- helpers


def _ms(seconds: float) -> int:
    """Seconds to whole milliseconds; ``ValueError`` for NaN or infinity."""
    value = float(seconds)
    if not math.isfinite(value):
        raise ValueError(f"a time must be a finite number of seconds, got {seconds!r}")
    return round(value * 1000)


def _when(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, timezone.utc)


def _fold(word: str) -> str:
    """What ``unicode61 remove_diacritics 2`` makes of a word: no accents, case folded."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_tokens(text: str) -> list[str]:
    """The words of a search string, split like the FTS tokenizer splits text.

    Quotes, operators, punctuation, emoji and control characters are separators, so
    whatever is typed yields plain words (at most 32), possibly none.
    """
    if not isinstance(text, str):
        return []
    return _WORD_RE.findall(unicodedata.normalize("NFC", text))[:_MAX_TOKENS]


def _match_expression(tokens: Sequence[str]) -> str:
    """An FTS5 query: each token a quoted phrase, the last a prefix, all ANDed."""
    quoted = [f'"{token}"' for token in tokens]  # tokens never contain '"'
    if len(tokens[-1]) >= _MIN_PREFIX:
        quoted[-1] += "*"
    return " ".join(quoted)


def _highlight(text: str, tokens: Sequence[str]) -> str:
    """``text`` shortened around the first match, matched words between the markers."""
    whole = {_fold(token) for token in tokens}
    last = _fold(tokens[-1]) if tokens and len(tokens[-1]) >= _MIN_PREFIX else None
    spans = [
        match.span()
        for match in _WORD_RE.finditer(text)
        if (word := _fold(match.group())) in whole or (last and word.startswith(last))
    ]
    start, end = 0, len(text)
    if len(text) > _SNIPPET_CHARS:
        first = spans[0][0] if spans else 0
        start = max(0, first - _SNIPPET_CHARS // 3)
        start = text.rfind(" ", 0, start) + 1 if start else 0
        end = min(len(text), start + _SNIPPET_CHARS)
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else end
    out = ["…" if start else ""]
    cursor = start
    for left, right in spans:
        if left < start or right > end:
            continue
        out += [text[cursor:left], MARK_START, text[left:right], MARK_END]
        cursor = right
    out += [text[cursor:end], "…" if end < len(text) else ""]
    return "".join(out)


def format_timestamp(seconds: float) -> str:
    """``m:ss`` under an hour, ``h:mm:ss`` from an hour on (whole seconds, rounded down)."""
    total = max(0, int(seconds))
    hours, minutes, secs = total // 3600, total // 60 % 60, total % 60
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping intervals; touching ones are joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _transcript_segments(path: Path) -> tuple[Segment, ...]:
    """The segments of a transcript JSON file, without word timings (not indexed).

    Reading only what is indexed makes imports about twice as fast as
    :meth:`Transcript.load_json`, which builds an object for every word.

    Raises:
        TranscriptFileError: the file is not a Lectern transcript.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format", 1) != 1:
            raise ValueError("it is not a Lectern transcript")
        if "language" not in data or "duration" not in data:
            raise ValueError("the language or duration is missing")
        segments = []
        for item in data["segments"]:
            start, end, text = float(item["start"]), float(item["end"]), item["text"]
            if not isinstance(text, str) or not (math.isfinite(start) and math.isfinite(end)):
                raise ValueError("a segment has no text or no finite times")
            segments.append(Segment(start, end, text))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise TranscriptFileError(path, str(error)) from None
    return tuple(segments)


def _read_texts(folder: Path, manifest: Manifest, package: Path) -> dict[str, LessonTexts]:
    """Parse each lesson's transcript and chapters from an extracted package."""
    texts = {}
    for lesson in manifest.lessons:
        try:
            segments: tuple[Segment, ...] = ()
            chapters: tuple[Chapter, ...] = ()
            if lesson.transcript:
                segments = _transcript_segments(folder / lesson.transcript)
            if lesson.chapters:
                chapters = tuple(load_chapters(folder / lesson.chapters))
        except (TranscriptFileError, ChapterFileError) as error:
            reason = str(error).split(" (", 1)[-1].rsplit(");", 1)[0]
            raise CourseContentError(package, lesson.id, reason) from None
        texts[lesson.id] = LessonTexts(segments, chapters)
    return texts


# ----------------------------------------------------------------------------- library


class Library:
    """The learner's library: the only code that touches ``library.db``.

    Open it with :meth:`open`; use it as a context manager or call :meth:`close`.
    """

    def __init__(self, root: Path, db: sqlite_utils.Database) -> None:
        """Use :meth:`open`."""
        self.root = root
        self.db = db
        self._lock = threading.RLock()
        self._depth = 0
        self._last_stamp = 0
        self._closed = False

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, root: str | os.PathLike[str] | None = None) -> Library:
        """Open (creating if needed) the library in ``root`` and bring its schema up to date.

        Args:
            root: the library folder; :func:`default_library_root` when ``None``.

        Raises:
            NewerLibraryError: the database was written by a newer Lectern.
            OutputNotWritableError: the folder cannot be created.
        """
        root = Path(root) if root is not None else default_library_root()
        (root / COURSES_DIR).mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(root / DB_NAME, check_same_thread=False, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            library = cls(root, sqlite_utils.Database(conn))
            library._migrate()
        except BaseException:
            conn.close()
            raise
        library._remove_stale_imports()
        return library

    def close(self) -> None:
        """Close the database; the object cannot be used afterwards."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self.db.conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_ms INTEGER)"
        )
        applied = {row[0] for row in self.db.execute("SELECT name FROM migrations")}
        known = [name for name, _ in MIGRATIONS]
        unknown = sorted(applied - set(known))
        if unknown:
            raise NewerLibraryError(self.root / DB_NAME, unknown)
        for name, migrate in MIGRATIONS:
            if name in applied:
                continue
            with self.atomic():
                migrate(self.db)
                self.db.execute(
                    "INSERT INTO migrations (name, applied_ms) VALUES (?, ?)", (name, self._now())
                )

    def _remove_stale_imports(self) -> None:
        """Remove temporary folders that imports interrupted by a crash left behind."""
        for folder in self.root.glob(_IMPORT_PREFIX + "*"):
            with contextlib.suppress(OSError):
                if time.time() - folder.stat().st_mtime > _STALE_IMPORT_SECONDS:
                    shutil.rmtree(folder, ignore_errors=True)

    @contextlib.contextmanager
    def atomic(self) -> Iterator[sqlite_utils.Database]:
        """A transaction (a savepoint when nested); commits on success, rolls back on error.

        Holding it also holds the library's lock, so writes from several threads are
        serialized.
        """
        with self._lock:
            outer = self._depth == 0
            self.db.execute("BEGIN IMMEDIATE" if outer else "SAVEPOINT inner")
            self._depth += 1
            try:
                yield self.db
            except BaseException:
                self._depth -= 1
                if outer:
                    self.db.execute("ROLLBACK")
                else:
                    self.db.execute("ROLLBACK TO inner")
                    self.db.execute("RELEASE inner")
                raise
            self._depth -= 1
            if outer:
                try:
                    self.db.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        self.db.execute("ROLLBACK")
                    raise
            else:
                self.db.execute("RELEASE inner")

    def _now(self) -> int:
        """Milliseconds since the epoch, strictly increasing within this object."""
        self._last_stamp = max(time.time_ns() // 1_000_000, self._last_stamp + 1)
        return self._last_stamp

    def _rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[dict]:
        with self._lock:
            return list(self.db.query(sql, params))

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._lock:
            row = self.db.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # ------------------------------------------------------------------ lookups

    @property
    def courses_dir(self) -> Path:
        """The folder holding one extracted package per course."""
        return self.root / COURSES_DIR

    def _course_key(self, course_id: str) -> int:
        key = self._one("SELECT key FROM courses WHERE id = ?", (course_id,))
        if key is None:
            raise NotInLibraryError(f"The course {course_id!r}")
        return key

    def _lesson_key(self, course_id: str, lesson_id: str) -> int:
        key = self._one(
            "SELECT lessons.key FROM lessons JOIN courses ON courses.key = lessons.course_key "
            "WHERE courses.id = ? AND lessons.id = ?",
            (course_id, lesson_id),
        )
        if key is None:
            self._course_key(course_id)
            raise NotInLibraryError(f"The lesson {lesson_id!r} of course {course_id!r}")
        return key

    # ------------------------------------------------------------------ import

    def import_course(
        self, package_path: str | os.PathLike[str], *, state: ProgressState | None = None
    ) -> ImportResult:
        """Install a course package, or update an installed course to a newer version.

        The package is verified completely (schema, checksums, safe paths) while it is
        extracted into a temporary folder inside the library; its text is indexed in
        one transaction and the folder moved into place just before the commit.
        Anything that goes wrong, including cancellation, leaves the library as it was.

        A newer version replaces the content and keeps the learner's progress, watched
        intervals, notes and bookmarks for the lessons (by id) that still exist.

        Args:
            package_path: the ``.lectern`` file.
            state: progress (by bytes extracted, then indexing) and cancellation.

        Returns:
            What was done: ``"imported"``, ``"unchanged"`` (same id and version already
            installed; nothing is touched) or ``"updated"``.

        Raises:
            PackageError: the package is missing, damaged or unsafe (a subclass says which).
            OlderVersionError: a newer version of the course is installed.
            CourseContentError: a transcript or chapters file cannot be read.
            DiskFullError: not enough space to extract it.
            Cancelled: ``state`` asked to stop.
        """
        package = Path(package_path)
        course = read_manifest(package).course
        installed = self._one("SELECT version FROM courses WHERE id = ?", (course.id,))
        if installed is not None and installed == course.version:
            return ImportResult(course.id, course.title, "unchanged")
        if installed is not None and installed > course.version:
            raise OlderVersionError(package, course.title, course.version, installed)
        check_cancelled(state, f"Importing {package.name}")
        extracting, indexing = stages(state, [9, 1]) if state is not None else (None, None)
        work = Path(tempfile.mkdtemp(prefix=_IMPORT_PREFIX, dir=self.root))
        try:
            folder = work / "course"
            manifest = extract_package(package, folder, state=extracting)
            if state is not None:
                state.set_status(f"Indexing {manifest.course.title}")
            texts = _read_texts(folder, manifest, package)
            action = self._install(package, manifest, texts, folder, work, indexing)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if state is not None:
            state.set_progress(1.0)
        return ImportResult(manifest.course.id, manifest.course.title, action)

    def _install(
        self,
        package: Path,
        manifest: Manifest,
        texts: Mapping[str, LessonTexts],
        folder: Path,
        work: Path,
        state: ProgressState | None,
    ) -> str:
        """Index and move the extracted folder into place, all or nothing."""
        course = manifest.course
        target = self.courses_dir / course.id
        old = work / "old"
        swapped = False
        try:
            with self.atomic():
                installed = self._one("SELECT version FROM courses WHERE id = ?", (course.id,))
                if installed is not None and installed >= course.version:
                    # Another import of this course finished while this one was extracting.
                    if installed == course.version:
                        return "unchanged"
                    raise OlderVersionError(package, course.title, course.version, installed)
                action = self._store_course(manifest, texts, state=state)
                check_cancelled(state, f"Importing {package.name}")
                if target.exists():
                    os.replace(target, old)
                try:
                    os.replace(folder, target)
                except BaseException:
                    if old.exists():
                        os.replace(old, target)
                    raise
                swapped = True
        except BaseException:
            if swapped:  # only the commit can have failed: put the old folder back
                shutil.rmtree(target, ignore_errors=True)
                if old.exists():
                    os.replace(old, target)
            raise
        return action

    def _store_course(
        self,
        manifest: Manifest,
        texts: Mapping[str, LessonTexts],
        *,
        state: ProgressState | None = None,
    ) -> str:
        """Write a course's rows and index its text; call inside :meth:`atomic`.

        Lessons that survive an update keep their key, so their progress and notes
        stay; lessons that are gone are deleted with everything that hangs off them.

        Returns:
            ``"imported"`` or ``"updated"``.
        """
        course = manifest.course
        db = self.db
        now = self._now()
        key = self._one("SELECT key FROM courses WHERE id = ?", (course.id,))
        values = (
            course.version,
            course.title,
            course.description,
            course.author,
            course.language,
            course.created,
            course.cover,
        )
        if key is None:
            action = "imported"
            key = db.execute(
                "INSERT INTO courses (version, title, description, author, language, created, "
                "cover, id, imported_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, course.id, now),
            ).lastrowid
        else:
            action = "updated"
            db.execute(
                "UPDATE courses SET version = ?, title = ?, description = ?, author = ?, "
                "language = ?, created = ?, cover = ?, imported_ms = ? WHERE key = ?",
                (*values, now, key),
            )
        old = dict(db.execute("SELECT id, key FROM lessons WHERE course_key = ?", (key,)))
        keep = {lesson.id for lesson in manifest.lessons}
        gone = [lesson_key for lesson_id, lesson_key in old.items() if lesson_id not in keep]
        survivors = [lesson_key for lesson_id, lesson_key in old.items() if lesson_id in keep]
        db.conn.executemany("DELETE FROM lessons WHERE key = ?", [(k,) for k in gone])
        db.conn.executemany("DELETE FROM segments WHERE lesson_key = ?", [(k,) for k in survivors])
        db.execute("DELETE FROM labels WHERE course_key = ? AND note_id IS NULL", (key,))
        db.execute(
            "INSERT INTO labels (kind, course_key, text) VALUES ('course', ?, ?)",
            (key, course.title),
        )
        for position, lesson in enumerate(manifest.lessons):
            check_cancelled(state, f"Importing {course.title}")
            lesson_key = self._store_lesson(key, position, lesson, old.get(lesson.id))
            lesson_texts = texts.get(lesson.id, LessonTexts())
            db.conn.executemany(
                "INSERT INTO segments (lesson_key, start_ms, end_ms, text) VALUES (?, ?, ?, ?)",
                (
                    (lesson_key, _ms(s.start), _ms(s.end), s.text)
                    for s in lesson_texts.segments
                    if s.text.strip()
                ),
            )
            labels = [("lesson", lesson_key, None, lesson.title)] + [
                ("chapter", lesson_key, _ms(c.start), c.title)
                for c in lesson_texts.chapters
                if c.title.strip()
            ]
            db.conn.executemany(
                "INSERT INTO labels (kind, course_key, lesson_key, time_ms, text) "
                "VALUES (?, ?, ?, ?, ?)",
                [(kind, key, lk, at, text) for kind, lk, at, text in labels],
            )
            if state is not None:
                state.set_progress((position + 1) / len(manifest.lessons))
        return action

    def _store_lesson(
        self, course_key: int, position: int, lesson: LessonEntry, lesson_key: int | None
    ) -> int:
        values = (
            position,
            lesson.title,
            lesson.duration_ms,
            lesson.video,
            lesson.presenter_video,
            lesson.poster,
            lesson.transcript,
            lesson.chapters,
            json.dumps({track.language: track.path for track in lesson.captions}),
            json.dumps(list(lesson.thumbnails)),
        )
        columns = (
            "position, title, duration_ms, video, presenter_video, poster, transcript, "
            "chapters, captions, thumbnails"
        )
        if lesson_key is None:
            return self.db.execute(
                f"INSERT INTO lessons (course_key, id, {columns}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (course_key, lesson.id, *values),
            ).lastrowid
        assignments = ", ".join(f"{name.strip()} = ?" for name in columns.split(","))
        self.db.execute(f"UPDATE lessons SET {assignments} WHERE key = ?", (*values, lesson_key))
        return lesson_key

    def remove_course(self, course_id: str) -> None:
        """Delete a course: its rows, progress, notes and its folder.

        Raises:
            NotInLibraryError: the course is not installed.
        """
        with self.atomic():
            key = self._course_key(course_id)
            self.db.execute("DELETE FROM courses WHERE key = ?", (key,))
        folder = self.courses_dir / course_id
        if folder.exists():
            # Rename first so a half-deleted folder never looks like an installed course.
            trash = Path(tempfile.mkdtemp(prefix=_IMPORT_PREFIX, dir=self.root)) / "old"
            os.replace(folder, trash)
            shutil.rmtree(trash.parent, ignore_errors=True)

    def optimize(self) -> None:
        """Merge the search indexes' b-trees into one each (after many imports)."""
        with self.atomic():
            for fts in ("segments_fts", "labels_fts"):
                self.db.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")

    # ------------------------------------------------------------------ reading

    def _threshold(self) -> float:
        return float(self.setting("completion_threshold"))

    def _lesson_rows(self, where: str, params: Sequence[Any]) -> list[dict]:
        return self._rows(
            "SELECT lessons.*, courses.id AS course_id, courses.title AS course_title, "
            "progress.position_ms, progress.marked, progress.played_ms, "
            "(SELECT COALESCE(SUM(MIN(end_ms, lessons.duration_ms) "
            "   - MIN(start_ms, lessons.duration_ms)), 0) "
            " FROM watched WHERE watched.lesson_key = lessons.key) AS watched_ms "
            "FROM lessons JOIN courses ON courses.key = lessons.course_key "
            "LEFT JOIN progress ON progress.lesson_key = lessons.key "
            f"WHERE {where} ORDER BY lessons.course_key, lessons.position",
            params,
        )

    @staticmethod
    def _coverage(row: Mapping[str, Any]) -> float:
        duration = row["duration_ms"]
        return min(1.0, row["watched_ms"] / duration) if duration > 0 else 0.0

    def _completed(self, row: Mapping[str, Any], threshold: float) -> bool:
        if row["marked"] is not None:
            return bool(row["marked"])
        return row["duration_ms"] > 0 and self._coverage(row) >= threshold

    def _lesson_info(self, row: Mapping[str, Any], threshold: float) -> LessonInfo:
        base = self.courses_dir / row["course_id"]

        def path(member: str | None) -> Path | None:
            return None if member is None else base / member

        return LessonInfo(
            course_id=row["course_id"],
            id=row["id"],
            position=row["position"],
            title=row["title"],
            duration=row["duration_ms"] / 1000,
            video=base / row["video"],
            presenter_video=path(row["presenter_video"]),
            captions={lang: base / p for lang, p in json.loads(row["captions"]).items()},
            poster=path(row["poster"]),
            resume_position=(row["position_ms"] or 0) / 1000,
            coverage=self._coverage(row),
            completed=self._completed(row, threshold),
        )

    def courses(self) -> list[CourseSummary]:
        """Every installed course, sorted by title."""
        rows = self._rows("SELECT * FROM courses ORDER BY title COLLATE NOCASE, id")
        lessons: dict[int, list[dict]] = {}
        for row in self._lesson_rows("1", ()):
            lessons.setdefault(row["course_key"], []).append(row)
        threshold = self._threshold()
        return [self._summary(row, lessons.get(row["key"], []), threshold) for row in rows]

    def course(self, course_id: str) -> CourseSummary:
        """One installed course.

        Raises:
            NotInLibraryError: the course is not installed.
        """
        key = self._course_key(course_id)
        row = self._rows("SELECT * FROM courses WHERE key = ?", (key,))[0]
        lessons = self._lesson_rows("lessons.course_key = ?", (key,))
        return self._summary(row, lessons, self._threshold())

    def _summary(
        self, row: Mapping[str, Any], lessons: list[dict], threshold: float
    ) -> CourseSummary:
        base = self.courses_dir / row["id"]
        cover = row["cover"]
        if cover is None and lessons:
            first = lessons[0]
            cover = first["poster"] or next(iter(json.loads(first["thumbnails"])), None)
        total = sum(lesson["duration_ms"] for lesson in lessons)
        watched = sum(min(lesson["watched_ms"], lesson["duration_ms"]) for lesson in lessons)
        return CourseSummary(
            id=row["id"],
            version=row["version"],
            title=row["title"],
            author=row["author"],
            description=row["description"],
            language=row["language"],
            lesson_count=len(lessons),
            duration=total / 1000,
            cover=base / cover if cover else None,
            completed_lessons=sum(self._completed(lesson, threshold) for lesson in lessons),
            coverage=watched / total if total else 0.0,
            last_opened=_when(row["opened_ms"]),
        )

    def lessons(self, course_id: str) -> list[LessonInfo]:
        """The lessons of a course in order, with the learner's progress.

        Raises:
            NotInLibraryError: the course is not installed.
        """
        key = self._course_key(course_id)
        threshold = self._threshold()
        rows = self._lesson_rows("lessons.course_key = ?", (key,))
        return [self._lesson_info(row, threshold) for row in rows]

    def lesson(self, course_id: str, lesson_id: str) -> LessonInfo:
        """One lesson with its files and progress.

        Raises:
            NotInLibraryError: the course or lesson is not installed.
        """
        key = self._lesson_key(course_id, lesson_id)
        return self._lesson_info(self._lesson_rows("lessons.key = ?", (key,))[0], self._threshold())

    def _lesson_row(self, course_id: str, lesson_id: str) -> dict:
        key = self._lesson_key(course_id, lesson_id)
        return self._rows("SELECT * FROM lessons WHERE key = ?", (key,))[0]

    def chapters(self, course_id: str, lesson_id: str) -> list[Chapter]:
        """The chapters of a lesson, with thumbnails as absolute paths.

        Raises:
            NotInLibraryError: the course or lesson is not installed.
            ChapterFileError: the installed chapters file is missing or damaged.
        """
        row = self._lesson_row(course_id, lesson_id)
        if row["chapters"] is None:
            return []
        base = self.courses_dir / course_id
        path = base / row["chapters"]
        thumbnails = json.loads(row["thumbnails"])
        found = []
        for index, chapter in enumerate(load_chapters(path)):
            thumbnail = None
            if index < len(thumbnails):  # the package stores one thumbnail per chapter, in order
                thumbnail = str(base / thumbnails[index])
            elif chapter.thumbnail:
                candidate = (path.parent / chapter.thumbnail).resolve()
                if base.resolve() in candidate.parents and candidate.is_file():
                    thumbnail = str(candidate)
            found.append(
                Chapter(chapter.start, chapter.end, chapter.title, thumbnail, chapter.source)
            )
        return found

    def transcript(self, course_id: str, lesson_id: str) -> Transcript:
        """The transcript of a lesson (empty if the course has none for it).

        Raises:
            NotInLibraryError: the course or lesson is not installed.
            TranscriptFileError: the installed transcript is missing or damaged.
        """
        row = self._lesson_row(course_id, lesson_id)
        if row["transcript"] is None:
            return Transcript.empty(row["duration_ms"] / 1000)
        return Transcript.load_json(self.courses_dir / course_id / row["transcript"])

    def manifest(self, course_id: str) -> Manifest:
        """The installed course's manifest.

        Raises:
            NotInLibraryError: the course is not installed.
        """
        self._course_key(course_id)
        path = self.courses_dir / course_id / MANIFEST_NAME
        return Manifest.from_json(path.read_bytes(), source=path)

    # ------------------------------------------------------------------ search

    def search(
        self, text: str, *, limit: int = 50, course_id: str | None = None
    ) -> list[SearchHit]:
        """Find words in transcripts, titles and notes, best first.

        Whatever ``text`` is, this returns hits or an empty list and never raises for
        it: see :func:`search_tokens` and the module doc for how the query is built.

        Args:
            text: what the person typed.
            limit: the most hits to return.
            course_id: search only this course.

        Raises:
            NotInLibraryError: ``course_id`` is not installed.
        """
        tokens = search_tokens(text)
        if not tokens or limit <= 0:
            return []
        query = _match_expression(tokens)
        with self._lock:
            key = None if course_id is None else self._course_key(course_id)
            scope = "" if key is None else "AND labels.course_key = :key"
            labels = self._rows(
                "SELECT labels.kind, labels.lesson_key, labels.time_ms, labels.text, "
                "labels.note_id, labels.course_key, bm25(labels_fts) AS score "
                "FROM labels_fts JOIN labels ON labels.id = labels_fts.rowid "
                f"WHERE labels_fts MATCH :query {scope} ORDER BY score LIMIT :limit",
                {"query": query, "key": key, "limit": limit},
            )
            scope = "" if key is None else "AND lessons.course_key = :key"
            join = "" if key is None else "JOIN lessons ON lessons.key = segments.lesson_key"
            candidates = self._rows(
                "SELECT id, score FROM ("
                "  SELECT segments.id, bm25(segments_fts) AS score FROM segments_fts "
                f"  JOIN segments ON segments.id = segments_fts.rowid {join} "
                f"  WHERE segments_fts MATCH :query {scope} LIMIT :cap"
                ") ORDER BY score LIMIT :limit",
                {"query": query, "key": key, "cap": SEGMENT_CANDIDATES, "limit": limit},
            )
            scored = [(row["score"] * KIND_WEIGHTS[row["kind"]], "label", row) for row in labels]
            scored += [
                (row["score"] * KIND_WEIGHTS["segment"], "segment", row) for row in candidates
            ]
            scored.sort(key=lambda item: item[0])
            scored = scored[:limit]
            segment_ids = [row["id"] for _, source, row in scored if source == "segment"]
            segments = {
                row["id"]: row
                for row in self._rows(
                    "SELECT segments.id, segments.lesson_key, segments.start_ms AS time_ms, "
                    "segments.text FROM segments WHERE segments.id IN "
                    f"({', '.join('?' * len(segment_ids))})",
                    segment_ids,
                )
            }
            names = self._names(
                {row["lesson_key"] for _, _, row in scored if row.get("lesson_key")}
                | {row["lesson_key"] for row in segments.values()},
                {row["course_key"] for _, source, row in scored if source == "label"},
            )
        hits = []
        for score, source, row in scored:
            data = segments[row["id"]] if source == "segment" else row
            kind = "segment" if source == "segment" else data["kind"]
            lesson_id = lesson_title = None
            if data["lesson_key"] is not None:
                course_id_, course_title, lesson_id, lesson_title = names["lesson"][
                    data["lesson_key"]
                ]
            else:
                course_id_, course_title = names["course"][data["course_key"]]
            time_ms = data["time_ms"]
            hits.append(
                SearchHit(
                    kind=kind,
                    course_id=course_id_,
                    course_title=course_title,
                    lesson_id=lesson_id,
                    lesson_title=lesson_title,
                    time=None if time_ms is None else time_ms / 1000,
                    snippet=_highlight(data["text"], tokens),
                    rank=score,
                    note_id=data.get("note_id"),
                )
            )
        return hits

    def _names(self, lesson_keys: set[int], course_keys: set[int]) -> dict[str, dict]:
        lessons = {
            row[0]: row[1:]
            for row in self.db.execute(
                "SELECT lessons.key, courses.id, courses.title, lessons.id, lessons.title "
                "FROM lessons JOIN courses ON courses.key = lessons.course_key "
                f"WHERE lessons.key IN ({', '.join('?' * len(lesson_keys))})",
                list(lesson_keys),
            )
        }
        courses = {
            row[0]: row[1:]
            for row in self.db.execute(
                "SELECT key, id, title FROM courses "
                f"WHERE key IN ({', '.join('?' * len(course_keys))})",
                list(course_keys),
            )
        }
        return {"lesson": lessons, "course": courses}

    # ------------------------------------------------------------------ progress

    def _touch(self, lesson_key: int, **values: int | None) -> None:
        """Upsert the progress row of a lesson with ``values`` and a new played time."""
        values["played_ms"] = self._now()
        columns = ", ".join(values)
        updates = ", ".join(f"{name} = excluded.{name}" for name in values)
        self.db.execute(
            f"INSERT INTO progress (lesson_key, {columns}) "
            f"VALUES (?, {', '.join('?' * len(values))}) "
            f"ON CONFLICT (lesson_key) DO UPDATE SET {updates}",
            (lesson_key, *values.values()),
        )

    def _duration_ms(self, lesson_key: int) -> int:
        return self._one("SELECT duration_ms FROM lessons WHERE key = ?", (lesson_key,))

    def save_position(self, course_id: str, lesson_id: str, seconds: float) -> None:
        """Remember where playback of a lesson is (clamped to the lesson).

        Raises:
            NotInLibraryError: the course or lesson is not installed.
            ValueError: ``seconds`` is not a finite number.
        """
        with self.atomic():
            key = self._lesson_key(course_id, lesson_id)
            position = min(max(_ms(seconds), 0), self._duration_ms(key))
            self._touch(key, position_ms=position)

    def position(self, course_id: str, lesson_id: str) -> float:
        """Where playback of a lesson stopped, in seconds (0 if never played)."""
        key = self._lesson_key(course_id, lesson_id)
        value = self._one("SELECT position_ms FROM progress WHERE lesson_key = ?", (key,))
        return (value or 0) / 1000

    def add_watched(self, course_id: str, lesson_id: str, start: float, end: float) -> float:
        """Record that ``start..end`` (seconds) of a lesson was played without a jump.

        The span is clamped to the lesson and merged into the stored, merged
        intervals, so watching a part again never counts twice. Callers report only
        contiguous played spans, so parts skipped by seeking are never added; the
        playback speed does not matter.

        Returns:
            The lesson's coverage afterwards.

        Raises:
            NotInLibraryError: the course or lesson is not installed.
            ValueError: a time is not a finite number.
        """
        start_ms, end_ms = _ms(start), _ms(end)
        with self.atomic():
            key = self._lesson_key(course_id, lesson_id)
            duration = self._duration_ms(key)
            start_ms, end_ms = max(start_ms, 0), min(end_ms, duration)
            if end_ms > start_ms:
                intervals = [
                    tuple(row)
                    for row in self.db.execute(
                        "SELECT start_ms, end_ms FROM watched WHERE lesson_key = ?", (key,)
                    )
                ]
                merged = _merge([*intervals, (start_ms, end_ms)])
                self.db.execute("DELETE FROM watched WHERE lesson_key = ?", (key,))
                self.db.conn.executemany(
                    "INSERT INTO watched (lesson_key, start_ms, end_ms) VALUES (?, ?, ?)",
                    [(key, s, e) for s, e in merged],
                )
                self._touch(key)
            return self.coverage(course_id, lesson_id)

    def watched(self, course_id: str, lesson_id: str) -> list[tuple[float, float]]:
        """The merged watched intervals of a lesson, in seconds."""
        key = self._lesson_key(course_id, lesson_id)
        rows = self._rows(
            "SELECT start_ms, end_ms FROM watched WHERE lesson_key = ? ORDER BY start_ms", (key,)
        )
        return [(row["start_ms"] / 1000, row["end_ms"] / 1000) for row in rows]

    def coverage(self, course_id: str, lesson_id: str) -> float:
        """The share of a lesson watched, 0..1."""
        key = self._lesson_key(course_id, lesson_id)
        return self._coverage(self._lesson_rows("lessons.key = ?", (key,))[0])

    def mark_complete(self, course_id: str, lesson_id: str, done: bool = True) -> None:
        """Mark a lesson complete (or not complete) whatever its coverage says."""
        with self.atomic():
            key = self._lesson_key(course_id, lesson_id)
            self.db.execute(
                "INSERT INTO progress (lesson_key, marked) VALUES (?, ?) "
                "ON CONFLICT (lesson_key) DO UPDATE SET marked = excluded.marked",
                (key, int(done)),
            )

    def course_progress(self, course_id: str) -> CourseProgress:
        """Completed lessons and coverage of one course."""
        summary = self.course(course_id)
        return CourseProgress(summary.completed_lessons, summary.lesson_count, summary.coverage)

    def record_opened(self, course_id: str, lesson_id: str) -> None:
        """Remember that a lesson was just opened (for "continue watching" and sorting)."""
        with self.atomic():
            key = self._lesson_key(course_id, lesson_id)
            self._touch(key)
            self.db.execute(
                "UPDATE courses SET opened_ms = ? WHERE id = ?", (self._last_stamp, course_id)
            )

    def continue_watching(self, limit: int = 5) -> list[ContinueItem]:
        """The most recently played lessons that are not completed, newest first."""
        threshold = self._threshold()
        rows = self._lesson_rows("progress.played_ms IS NOT NULL", ())
        rows.sort(key=lambda row: row["played_ms"], reverse=True)
        items = []
        for row in rows:
            if len(items) >= limit:
                break
            if self._completed(row, threshold):
                continue
            items.append(
                ContinueItem(
                    course_id=row["course_id"],
                    course_title=row["course_title"],
                    lesson_id=row["id"],
                    lesson_title=row["title"],
                    position=(row["position_ms"] or 0) / 1000,
                    duration=row["duration_ms"] / 1000,
                    coverage=self._coverage(row),
                    last_played=_when(row["played_ms"]),
                )
            )
        return items

    # ------------------------------------------------------------------ notes

    def add_note(
        self, course_id: str, lesson_id: str, seconds: float, text: str, *, kind: str = "note"
    ) -> Note:
        """Add a note or bookmark at a time in a lesson; it becomes searchable at once.

        Raises:
            NotInLibraryError: the course or lesson is not installed.
            ValueError: ``kind`` is not ``"note"`` or ``"bookmark"``, or the time is not finite.
        """
        if kind not in NOTE_KINDS:
            raise ValueError(f"kind must be one of {NOTE_KINDS}, got {kind!r}")
        with self.atomic():
            key = self._lesson_key(course_id, lesson_id)
            time_ms = min(max(_ms(seconds), 0), self._duration_ms(key))
            now = self._now()
            note_id = self.db.execute(
                "INSERT INTO notes (lesson_key, kind, time_ms, text, created_ms, updated_ms) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (key, kind, time_ms, text, now, now),
            ).lastrowid
            self.db.execute(
                "INSERT INTO labels (kind, course_key, lesson_key, time_ms, text, note_id) "
                "SELECT 'note', course_key, key, ?, ?, ? FROM lessons WHERE key = ?",
                (time_ms, text, note_id, key),
            )
            return self.note(note_id)

    def update_note(self, note_id: int, text: str) -> Note:
        """Change a note's text.

        Raises:
            NotInLibraryError: there is no such note.
        """
        with self.atomic():
            self.note(note_id)
            self.db.execute(
                "UPDATE notes SET text = ?, updated_ms = ? WHERE id = ?",
                (text, self._now(), note_id),
            )
            self.db.execute("UPDATE labels SET text = ? WHERE note_id = ?", (text, note_id))
            return self.note(note_id)

    def delete_note(self, note_id: int) -> None:
        """Delete a note (and its search entry).

        Raises:
            NotInLibraryError: there is no such note.
        """
        with self.atomic():
            self.note(note_id)
            self.db.execute("DELETE FROM notes WHERE id = ?", (note_id,))

    _NOTE_SELECT = (
        "SELECT notes.*, lessons.id AS lesson_id, courses.id AS course_id FROM notes "
        "JOIN lessons ON lessons.key = notes.lesson_key "
        "JOIN courses ON courses.key = lessons.course_key "
    )

    @staticmethod
    def _note(row: Mapping[str, Any]) -> Note:
        return Note(
            id=row["id"],
            course_id=row["course_id"],
            lesson_id=row["lesson_id"],
            time=row["time_ms"] / 1000,
            text=row["text"],
            kind=row["kind"],
            created=_when(row["created_ms"]),
            updated=_when(row["updated_ms"]),
        )

    def note(self, note_id: int) -> Note:
        """One note by id.

        Raises:
            NotInLibraryError: there is no such note.
        """
        rows = self._rows(self._NOTE_SELECT + "WHERE notes.id = ?", (note_id,))
        if not rows:
            raise NotInLibraryError(f"The note {note_id}")
        return self._note(rows[0])

    def notes(self, course_id: str, lesson_id: str | None = None) -> list[Note]:
        """Notes and bookmarks of a course (or one lesson), by lesson order then time."""
        if lesson_id is None:
            where, params = "lessons.course_key = ?", (self._course_key(course_id),)
        else:
            where, params = "notes.lesson_key = ?", (self._lesson_key(course_id, lesson_id),)
        rows = self._rows(
            self._NOTE_SELECT + f"WHERE {where} ORDER BY lessons.position, notes.time_ms, notes.id",
            params,
        )
        return [self._note(row) for row in rows]

    def export_notes_markdown(self, course_id: str) -> str:
        """The course's notes as Markdown: a heading per lesson, one line per note.

        Each line reads on its own outside Lectern: ``- **Lesson title, m:ss**
        (Chapter title): text``; bookmarks say ``bookmark`` and further lines of a
        note are indented under it.
        """
        course = self.course(course_id)
        lessons = {lesson.id: lesson for lesson in self.lessons(course_id)}
        lines = [f"# {course.title}", ""]
        current, chapters = None, []
        notes = self.notes(course_id)
        for note in notes:
            lesson = lessons[note.lesson_id]
            if note.lesson_id != current:
                current = note.lesson_id
                lines += [f"## {lesson.position + 1}. {lesson.title}", ""]
                try:
                    chapters = self.chapters(course_id, note.lesson_id)
                except LecternError:
                    chapters = []  # the notes matter more than the chapter names
            chapter = next((c.title for c in reversed(chapters) if c.start <= note.time), "")
            where = f"**{lesson.title}, {format_timestamp(note.time)}**"
            where += f" ({chapter})" if chapter else ""
            where += ", bookmark" if note.kind == "bookmark" else ""
            text = note.text.strip().replace("\r\n", "\n").replace("\n", "\n  ")
            lines.append(f"- {where}: {text}" if text else f"- {where}")
            if note is notes[-1] or notes[notes.index(note) + 1].lesson_id != current:
                lines.append("")
        if not notes:
            lines += ["No notes yet.", ""]
        return "\n".join(lines)

    def export_notes(self, course_id: str, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`export_notes_markdown` to ``path`` atomically and return it."""
        return write_text_atomic(path, self.export_notes_markdown(course_id))

    # ------------------------------------------------------------------ settings

    def setting(self, name: str) -> Any:
        """A setting's value, or its declared default.

        Raises:
            UnknownSettingError: the name is not declared in :data:`SETTINGS`.
        """
        if name not in SETTINGS:
            raise UnknownSettingError(name)
        raw = self._one("SELECT value FROM settings WHERE name = ?", (name,))
        return SETTINGS[name].default if raw is None else json.loads(raw)

    def set_setting(self, name: str, value: Any) -> None:
        """Store a setting.

        Raises:
            UnknownSettingError: the name is not declared.
            InvalidSettingError: the value is not allowed.
        """
        if name not in SETTINGS:
            raise UnknownSettingError(name)
        spec = SETTINGS[name]
        checked = spec.check(value)
        if checked is None:
            raise InvalidSettingError(name, value, spec.expected)
        with self.atomic():
            self.db.execute(
                "INSERT INTO settings (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, json.dumps(checked)),
            )
