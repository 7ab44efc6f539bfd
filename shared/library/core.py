"""The :class:`Library` facade: open and close, transactions, and lookups.

Everything else is a manager reached as an attribute, in the way Anki's
``Collection`` hands out ``col.decks``: :attr:`Library.importer`,
:attr:`Library.search`, :attr:`Library.progress`, :attr:`Library.notes` and
:attr:`Library.settings`. The short forms kept on :class:`Library`
(``import_course``, ``add_note``, ``save_position``, ...) each call one of them.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import platformdirs
import sqlite_utils

from shared.chapters import Chapter, Slide, load_chapters, load_slides
from shared.errors import DiskFullError
from shared.jobs import JobState, ProgressState, stages
from shared.library import health, schema
from shared.library.activity import Activity
from shared.library.checkpoints import OPEN_REQUIRED, Checkpoints
from shared.library.errors import (
    LibraryDamagedError,
    LibraryError,
    LibraryLockedError,
    NewerLibraryError,
    NotInLibraryError,
    ReadOnlyLibraryError,
)
from shared.library.health import MARKER_NAME, Backups, HealReport
from shared.library.importer import Importer
from shared.library.notes import Notes
from shared.library.outbox import Outbox
from shared.library.progress import Progress
from shared.library.schema import COURSES_DIR, DB_NAME
from shared.library.search import Search
from shared.library.settings import LibrarySettings
from shared.library.text import _when
from shared.library.updates import LIVE
from shared.library.values import (
    ContinueItem,
    CourseProgress,
    ImportPlan,
    ImportResult,
    InstalledCourse,
    LessonInfo,
    Note,
)
from shared.manifest import MANIFEST_NAME, Manifest
from shared.transcription import Transcript

__all__ = ["Library", "default_library_root"]

_BUSY_TIMEOUT_MS = 5000
#: How long a write waits, retrying, for another program's write lock (seconds).
LOCK_TIMEOUT = 15.0


def _read_only_reason(root: Path, path: Path) -> str | None:
    """Why the library cannot be written (in words), or ``None`` when it can."""
    for target in (root, path, root / (DB_NAME + "-wal"), root / (DB_NAME + "-shm")):
        if target.exists() and not os.access(target, os.W_OK):
            try:
                if os.statvfs(target).f_flag & os.ST_RDONLY:
                    return "on a read-only disk"
            except OSError:
                pass
            return f"read-only ({target.name} cannot be written)"
    return None


def _open_error(root: Path, error: sqlite3.OperationalError) -> Exception:
    """The library error for a SQLite failure while opening (a full disk, a lock, ...)."""
    code = (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF
    if code == sqlite3.SQLITE_FULL:
        return DiskFullError(root / DB_NAME)
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return LibraryLockedError(root, _BUSY_TIMEOUT_MS / 1000)
    return LibraryError(f"The library {root} cannot be opened ({error}); check the disk.")


def default_library_root() -> Path:
    """The library folder: ``$LECTERN_HOME`` if set, else the per-user data folder."""
    home = os.environ.get("LECTERN_HOME")
    if home:
        return Path(home)
    return Path(platformdirs.user_data_dir("Lectern", "Lectern"))


class Library:
    """The learner's library: the only code that touches ``library.db``.

    Open it with :meth:`open`; use it as a context manager or call :meth:`close`.
    """

    def __init__(
        self, root: Path, db: sqlite_utils.Database, *, read_only: str | None = None
    ) -> None:
        """Use :meth:`open`."""
        self.root = root
        self.db = db
        #: why nothing can be saved (the library is read-only), or ``None``.
        self.read_only = read_only
        #: what opening found and did (damage healed, courses rebuilt, missing files).
        self.report = HealReport()
        self._lock_timeout = LOCK_TIMEOUT
        self._changes_saved = db.conn.total_changes
        self._lock = threading.RLock()
        self._depth = 0
        self._last_stamp = 0
        self._closed = False
        #: install, update and remove courses.
        self.importer = Importer(self)
        #: find words in transcripts, titles and notes: ``library.search("cell")``.
        self.search = Search(self)
        #: playback positions, watched intervals and completion.
        self.progress = Progress(self)
        #: the learner's notes and bookmarks: ``library.notes(course_id)`` lists them.
        self.notes = Notes(self)
        #: questions asked during lessons, the learner's answers and their review.
        self.checkpoints = Checkpoints(self)
        #: the learner's progress as xAPI statements (pseudonymous), for export.
        self.activity = Activity(self)
        #: the learner's xAPI statements waiting for their LRS (``lectern-player sync``).
        self.outbox = Outbox(self)
        #: the settings declared in :data:`shared.library.settings.SETTINGS`.
        self.settings = LibrarySettings(self)
        #: compact copies of ``library.db`` taken after imports and at a clean close.
        self.backups = Backups(self)

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, root: str | os.PathLike[str] | None = None, *, repair: bool = False) -> Library:
        """Open (creating if needed) the library in ``root``, healing it if it is damaged.

        A damaged database is set aside and replaced by the newest sound backup, and
        course folders it does not list are indexed again (see :mod:`shared.library.health`);
        :attr:`notice` then says what happened in one sentence. A library that cannot be
        written opens read-only: browsing and playing work, nothing is saved.

        Args:
            root: the library folder; :func:`default_library_root` when ``None``.
            repair: check the whole database (``PRAGMA integrity_check``) even after a
                clean close, as ``lectern-player repair`` does.

        Raises:
            NewerLibraryError: the database was written by a newer Lectern.
            LibraryDamagedError: it is damaged and read-only, so it cannot be healed.
            OutputNotWritableError: the folder cannot be created.
        """
        root = Path(root) if root is not None else default_library_root()
        try:
            return cls._open(root, repair)
        except sqlite3.OperationalError as error:
            raise _open_error(root, error) from None

    @classmethod
    def _open(cls, root: Path, repair: bool) -> Library:
        path = root / DB_NAME
        try:
            (root / COURSES_DIR).mkdir(parents=True, exist_ok=True)
        except OSError:
            if not root.is_dir():
                raise
        reason = _read_only_reason(root, path)
        if reason is not None:
            return cls._open_read_only(root, reason)
        report = HealReport()
        unclean = (root / MARKER_NAME).exists()
        damage = health.check_file(path)
        if damage is not None and path.exists() and path.stat().st_size == 0:
            if not health.has_content(root):
                path.unlink()  # an empty file in an empty library: simply a new library
                damage = None
        elif damage is None and not path.exists() and health.has_content(root):
            damage = "the database file is missing"
        if damage is None and path.exists():
            damage = health.diagnose(path, full=unclean or repair)
        if damage is not None:
            report.damage = damage
            health.set_aside(root)
            newest = next(iter(health.backups(root)), None)
            report.restored_from = health.restore_newest_backup(root)
            report.complete = not unclean and report.restored_from == newest
        library = cls._connect(root)
        library.report = report
        try:
            (root / MARKER_NAME).touch()
            health.rebuild_index(library, report)
        except BaseException:
            library.close()
            raise
        library.importer.remove_stale()
        return library

    @classmethod
    def _connect(cls, root: Path) -> Library:
        conn = sqlite3.connect(root / DB_NAME, check_same_thread=False, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            library = cls(root, sqlite_utils.Database(conn))
            applied = schema.migrate(library.db, root / DB_NAME, library.atomic, library._now)
            if "0004_slide_text" in applied:
                # Courses installed before the library kept slide text have its files.
                library.importer.backfill_slide_text()
        except BaseException:
            conn.close()
            raise
        library._changes_saved = conn.total_changes
        return library

    @classmethod
    def _open_read_only(cls, root: Path, reason: str) -> Library:
        path = root / DB_NAME
        damage = health.check_file(path) if path.exists() else "the database file is missing"
        if damage is not None:
            raise LibraryDamagedError(root, f"{damage}, and it is {reason}")
        uri = path.resolve().as_uri()
        conn = None
        for options in ("?mode=ro", "?mode=ro&immutable=1"):  # immutable: no -shm can be made
            try:
                conn = sqlite3.connect(uri + options, uri=True, check_same_thread=False)
                damage = health.check_database(conn, full=False)
                break
            except sqlite3.OperationalError:
                if conn is not None:
                    conn.close()
                conn = None
        if conn is None or damage is not None:
            if conn is not None:
                conn.close()
            raise LibraryDamagedError(root, f"{damage or 'it cannot be read'}, and it is {reason}")
        library = cls(root, sqlite_utils.Database(conn), read_only=reason)
        names = {row[0] for row in conn.execute("SELECT name FROM migrations")}
        unknown = sorted(names - {name for name, _ in schema.MIGRATIONS})
        if unknown:
            conn.close()
            raise NewerLibraryError(path, unknown)
        return library

    @property
    def notice(self) -> str | None:
        """One sentence for the learner about how the library was opened, or ``None``."""
        if self.read_only:
            return (
                f"Your library is {self.read_only}, so you can browse and play but nothing "
                "you do (progress, notes, imports) is saved."
            )
        return self.report.sentence()

    @property
    def lock_timeout(self) -> float:
        """How long a write waits for another program's lock before giving up (seconds)."""
        return self._lock_timeout

    @lock_timeout.setter
    def lock_timeout(self, seconds: float) -> None:
        self._lock_timeout = seconds
        wait = min(_BUSY_TIMEOUT_MS, max(1, int(seconds * 1000 / 4)))
        self.db.execute(f"PRAGMA busy_timeout = {wait}")

    def changed(self) -> bool:
        """Whether anything was written since the library was opened or last backed up."""
        return self.db.conn.total_changes != self._changes_saved

    def close(self) -> None:
        """Close the database (after a backup if anything changed); the object is then unusable.

        A clean close removes the marker that makes the next open check the whole database.
        """
        with self._lock:
            if self._closed:
                return
            if not self.read_only and self.changed():
                with contextlib.suppress(OSError, sqlite3.Error):
                    self.backups.take()
            self._closed = True
            self.db.conn.close()
            if not self.read_only:
                with contextlib.suppress(OSError):
                    (self.root / MARKER_NAME).unlink()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def atomic(self) -> Iterator[sqlite_utils.Database]:
        """A transaction (a savepoint when nested); commits on success, rolls back on error.

        Holding it also holds the library's lock, so writes from several threads are
        serialized.
        """
        if self.read_only:
            raise ReadOnlyLibraryError(self.root)
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._begin()
            else:
                self.db.execute("SAVEPOINT inner")
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

    def _begin(self) -> None:
        """``BEGIN IMMEDIATE``, retried while another program holds the write lock."""
        deadline = time.monotonic() + self._lock_timeout
        while True:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
                if time.monotonic() >= deadline:
                    raise LibraryLockedError(self.root, self._lock_timeout) from None
                time.sleep(0.05)

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

    # ------------------------------------------------------------------ reading

    def _threshold(self) -> float:
        return float(self.settings.get("completion_threshold"))

    def _lesson_rows(self, where: str, params: Sequence[Any]) -> list[dict]:
        return self._rows(
            "SELECT lessons.*, courses.id AS course_id, courses.title AS course_title, "
            "progress.position_ms, progress.marked, progress.played_ms, "
            "(SELECT COALESCE(SUM(MIN(end_ms, lessons.duration_ms) "
            "   - MIN(start_ms, lessons.duration_ms)), 0) "
            " FROM watched WHERE watched.lesson_key = lessons.key) AS watched_ms, "
            f"({OPEN_REQUIRED}) AS open_required "
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
        """Marked by the learner, or watched to the threshold with every required
        checkpoint answered."""
        if row["marked"] is not None:
            return bool(row["marked"])
        watched = row["duration_ms"] > 0 and self._coverage(row) >= threshold
        return watched and not row["open_required"]

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

    def courses(self) -> list[InstalledCourse]:
        """Every installed course, sorted by title."""
        rows = self._rows("SELECT * FROM courses ORDER BY title COLLATE NOCASE, id")
        lessons: dict[int, list[dict]] = {}
        for row in self._lesson_rows("lessons.orphaned_ms IS NULL", ()):
            lessons.setdefault(row["course_key"], []).append(row)
        threshold = self._threshold()
        return [self._summary(row, lessons.get(row["key"], []), threshold) for row in rows]

    def course(self, course_id: str) -> InstalledCourse:
        """One installed course.

        Raises:
            NotInLibraryError: the course is not installed.
        """
        key = self._course_key(course_id)
        row = self._rows("SELECT * FROM courses WHERE key = ?", (key,))[0]
        lessons = self._lesson_rows(f"lessons.course_key = ?{LIVE}", (key,))
        return self._summary(row, lessons, self._threshold())

    def _summary(
        self, row: Mapping[str, Any], lessons: list[dict], threshold: float
    ) -> InstalledCourse:
        base = self.courses_dir / row["id"]
        cover = row["cover"]
        if cover is None and lessons:
            first = lessons[0]
            cover = first["poster"] or next(iter(json.loads(first["thumbnails"])), None)
        total = sum(lesson["duration_ms"] for lesson in lessons)
        watched = sum(min(lesson["watched_ms"], lesson["duration_ms"]) for lesson in lessons)
        return InstalledCourse(
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
            package_id=row["package_id"] or row["id"],
            signer_key=bytes.fromhex(row["signer_key"]) if row["signer_key"] else None,
        )

    def lessons(self, course_id: str) -> list[LessonInfo]:
        """The lessons of a course in order, with the learner's progress.

        Raises:
            NotInLibraryError: the course is not installed.
        """
        key = self._course_key(course_id)
        threshold = self._threshold()
        rows = self._lesson_rows(f"lessons.course_key = ?{LIVE}", (key,))
        return [self._lesson_info(row, threshold) for row in rows]

    def orphans(self, course_id: str) -> list[LessonInfo]:
        """Lessons an update of the course no longer has, kept for their notes and progress.

        Their media went with the old version, so they cannot be played; their notes
        can be read (``library.notes``) and are exported with the others.

        Raises:
            NotInLibraryError: the course is not installed.
        """
        key = self._course_key(course_id)
        threshold = self._threshold()
        rows = self._lesson_rows(
            "lessons.course_key = ? AND lessons.orphaned_ms IS NOT NULL", (key,)
        )
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

    def slides(self, course_id: str, lesson_id: str) -> list[Slide]:
        """The text shown on each slide of a lesson (none for packages before format 1.2).

        Raises:
            NotInLibraryError: the course or lesson is not installed.
            SlideFileError: the installed slide text file is missing or damaged.
        """
        row = self._lesson_row(course_id, lesson_id)
        if not row.get("slides"):
            return []
        return load_slides(self.courses_dir / course_id / row["slides"])

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

    def _duration_ms(self, lesson_key: int) -> int:
        return self._one("SELECT duration_ms FROM lessons WHERE key = ?", (lesson_key,))

    # ------------------------------------------------------------------ short forms

    def import_course(
        self, package_path: str | os.PathLike[str], *, state: ProgressState | None = None
    ) -> ImportResult:
        """:meth:`Importer.import_course`."""
        return self.importer.import_course(package_path, state=state)

    def import_video_folder(
        self,
        folder: str | os.PathLike[str],
        *,
        state: ProgressState | None = None,
        warn: Callable[[str], None] = lambda text: None,
    ) -> ImportResult:
        """A plain folder of videos and their caption files, imported as a course of its
        own: written as an unsigned package (:mod:`shared.video_folder`), then imported
        like any package. ``warn`` gets each repair made to a caption file.

        Raises:
            NoPlayableVideoError: the folder holds no playable video.
            CaptionFileError: a caption file beside a video cannot be used.
            LecternError: as :meth:`import_course`.
        """
        from shared.video_folder import write_folder_package  # probing loads PyAV

        write, install = stages(state or JobState(), [1.0, 1.0])
        with tempfile.TemporaryDirectory(prefix="lectern-folder-", dir=self.root) as tmp:
            package_file = Path(tmp) / "folder.lectern"
            write_folder_package(folder, package_file, state=write, warn=warn)
            return self.import_course(package_file, state=install)

    def plan_import(self, package_path: str | os.PathLike[str]) -> ImportPlan:
        """:meth:`Importer.plan_import`."""
        return self.importer.plan_import(package_path)

    def remove_course(self, course_id: str) -> None:
        """:meth:`Importer.remove_course`."""
        self.importer.remove_course(course_id)

    def _store_course(self, manifest: Manifest, texts: Mapping[str, Any], **kwargs: Any) -> str:
        """:meth:`Importer._store_course` (the benches index through it)."""
        return self.importer._store_course(manifest, texts, **kwargs)

    def optimize(self) -> None:
        """:meth:`Search.optimize`."""
        self.search.optimize()

    def save_position(self, course_id: str, lesson_id: str, seconds: float) -> None:
        """:meth:`Progress.save_position`."""
        self.progress.save_position(course_id, lesson_id, seconds)

    def position(self, course_id: str, lesson_id: str) -> float:
        """:meth:`Progress.position`."""
        return self.progress.position(course_id, lesson_id)

    def add_watched(self, course_id: str, lesson_id: str, start: float, end: float) -> float:
        """:meth:`Progress.add_watched`."""
        return self.progress.add_watched(course_id, lesson_id, start, end)

    def watched(self, course_id: str, lesson_id: str) -> list[tuple[float, float]]:
        """:meth:`Progress.watched`."""
        return self.progress.watched(course_id, lesson_id)

    def coverage(self, course_id: str, lesson_id: str) -> float:
        """:meth:`Progress.coverage`."""
        return self.progress.coverage(course_id, lesson_id)

    def mark_complete(self, course_id: str, lesson_id: str, done: bool = True) -> None:
        """:meth:`Progress.mark_complete`."""
        self.progress.mark_complete(course_id, lesson_id, done)

    def course_progress(self, course_id: str) -> CourseProgress:
        """:meth:`Progress.course_progress`."""
        return self.progress.course_progress(course_id)

    def record_opened(self, course_id: str, lesson_id: str) -> None:
        """:meth:`Progress.record_opened`."""
        self.progress.record_opened(course_id, lesson_id)

    def continue_watching(self, limit: int = 5) -> list[ContinueItem]:
        """:meth:`Progress.continue_watching`."""
        return self.progress.continue_watching(limit)

    def add_note(
        self, course_id: str, lesson_id: str, seconds: float, text: str, *, kind: str = "note"
    ) -> Note:
        """:meth:`Notes.add`."""
        return self.notes.add(course_id, lesson_id, seconds, text, kind=kind)

    def update_note(self, note_id: int, text: str) -> Note:
        """:meth:`Notes.update`."""
        return self.notes.update(note_id, text)

    def delete_note(self, note_id: int) -> None:
        """:meth:`Notes.delete`."""
        self.notes.delete(note_id)

    def note(self, note_id: int) -> Note:
        """:meth:`Notes.note`."""
        return self.notes.note(note_id)

    def export_notes_markdown(self, course_id: str) -> str:
        """:meth:`Notes.export_markdown`."""
        return self.notes.export_markdown(course_id)

    def export_notes(self, course_id: str, path: str | os.PathLike[str]) -> Path:
        """:meth:`Notes.export`."""
        return self.notes.export(course_id, path)

    def setting(self, name: str) -> Any:
        """:meth:`LibrarySettings.get`."""
        return self.settings.get(name)

    def set_setting(self, name: str, value: Any) -> None:
        """:meth:`LibrarySettings.set`."""
        self.settings.set(name, value)
