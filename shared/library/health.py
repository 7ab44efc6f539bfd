"""A library that heals: backups, damage checks, restore and rebuild from the course folders.

* **Backups.** ``VACUUM INTO`` writes a compact copy of ``library.db`` into
  ``backups/`` after an import and at a clean close when something changed; the
  newest :data:`KEEP_BACKUPS` are kept.
* **Clean close.** While a library is open for writing, the marker file
  ``library.db.open`` exists; a clean close removes it. A marker found at open means
  the last session ended without closing (a crash, a power cut), so the database gets
  a full ``PRAGMA integrity_check``.
* **Damage** (a zero-byte, cut-short or overwritten file, a file that is not a
  library at all, a failed integrity check): the damaged files are moved aside into
  ``backups/damaged-*``, the newest backup that passes the integrity check is put in
  place, and every ``courses/<id>/manifest.json`` that the database does not list (at
  its version) is indexed again from its folder. :class:`HealReport` says in one
  sentence what happened and what, if anything, was lost.

A zero-byte database next to course folders or backups is damage, never a new
library: it would otherwise orphan every course.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from shared.library.errors import CourseContentError
from shared.library.schema import COURSES_DIR, DB_NAME, expected_tables
from shared.library.updates import at_folder, folder_belongs, folder_signature
from shared.manifest import MANIFEST_NAME, Manifest, ManifestError

if TYPE_CHECKING:
    from shared.library.core import Library

__all__ = [
    "BACKUPS_DIR",
    "KEEP_BACKUPS",
    "MARKER_NAME",
    "HealReport",
    "Backups",
    "diagnose",
    "set_aside",
    "restore_newest_backup",
    "rebuild_index",
]

BACKUPS_DIR = "backups"
KEEP_BACKUPS = 3
MARKER_NAME = DB_NAME + ".open"
_BACKUP_PREFIX = "library-"
_DAMAGED_PREFIX = "damaged-"
_HEADER = b"SQLite format 3\x00"


@dataclass
class HealReport:
    """What opening (or repairing) a library found and did.

    Attributes:
        damage: why the database was judged damaged, or ``None``.
        restored_from: the backup put in place, or ``None``.
        rebuilt: courses indexed again from their folders.
        missing_files: courses whose folder or media files are gone.
        unreadable: course folders that could not be indexed (by id).
        complete: the backup restored holds every change (the last session closed
            cleanly, which takes a backup when anything changed, and it was the newest).
    """

    damage: str | None = None
    restored_from: Path | None = None
    rebuilt: list[str] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    complete: bool = False

    def sentence(self) -> str | None:
        """One sentence for the learner, or ``None`` when there is nothing to say."""
        parts = []
        if self.damage:
            if self.restored_from is not None:
                when = _backup_time(self.restored_from)
                lost = (
                    "nothing was lost"
                    if self.complete
                    else "notes and progress since then may be lost"
                )
                parts.append(
                    f"Your library was damaged ({self.damage}), so it was restored from the "
                    f"backup of {when:%Y-%m-%d %H:%M}: {lost}"
                )
            else:
                parts.append(
                    f"Your library was damaged ({self.damage}) and had no usable backup, so "
                    "notes and progress are lost"
                )
            courses = len(self.rebuilt)
            if courses:
                parts.append(
                    f"{_plural(courses, 'course')} {_were(courses)} indexed again from "
                    "their folders"
                )
        elif self.rebuilt:
            count = len(self.rebuilt)
            parts.append(
                f"{_plural(count, 'course')} missing from the library index {_were(count)} "
                f"indexed again from {'its folder' if count == 1 else 'their folders'}, and "
                "nothing was lost"
            )
        if self.missing_files:
            parts.append(
                f"files of {', '.join(sorted(self.missing_files))} are missing: import the "
                "course package again to repair it"
            )
        if self.unreadable:
            parts.append(
                f"the course folders {', '.join(sorted(self.unreadable))} could not be read"
            )
        if not parts:
            return None
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _were(count: int) -> str:
    return "was" if count == 1 else "were"


def _backup_time(path: Path) -> datetime:
    stamp = path.stem.removeprefix(_BACKUP_PREFIX)
    try:
        return datetime.strptime(stamp[:15], "%Y%m%d-%H%M%S")
    except ValueError:
        return datetime.fromtimestamp(path.stat().st_mtime)


# ----------------------------------------------------------------------------- backups


class Backups:
    """``library.backups``: compact copies of ``library.db`` in ``backups/``."""

    def __init__(self, library: Library) -> None:
        self._lib = library

    @property
    def folder(self) -> Path:
        """Where the backups are."""
        return self._lib.root / BACKUPS_DIR

    def list(self) -> list[Path]:
        """The backups, newest first."""
        return backups(self._lib.root)

    def take(self) -> Path:
        """Write a new backup with ``VACUUM INTO`` (write, then rename) and prune old ones.

        Returns:
            The new backup file.
        """
        self.folder.mkdir(exist_ok=True)
        now = time.time()
        stamp = (
            time.strftime("%Y%m%d-%H%M%S", time.localtime(now)) + f"-{int(now * 1000) % 1000:03d}"
        )
        target = self.folder / f"{_BACKUP_PREFIX}{stamp}.db"
        part = target.with_name("." + target.name + ".part")
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
        with self._lib._lock:
            self._lib.db.execute("VACUUM INTO ?", (str(part),))
            self._lib._changes_saved = self._lib.db.conn.total_changes
        os.replace(part, target)
        for old in self.list()[KEEP_BACKUPS:]:
            with contextlib.suppress(OSError):
                old.unlink()
        return target


def backups(root: Path) -> list[Path]:
    """The backups of the library in ``root``, newest first."""
    folder = root / BACKUPS_DIR
    if not folder.is_dir():
        return []
    return sorted(folder.glob(_BACKUP_PREFIX + "*.db"), key=lambda p: p.name, reverse=True)


# ----------------------------------------------------------------------------- damage


def has_content(root: Path) -> bool:
    """Whether ``root`` holds course folders or backups (so an empty database is damage)."""
    courses = root / COURSES_DIR
    with contextlib.suppress(OSError):
        if any((folder / MANIFEST_NAME).is_file() for folder in courses.iterdir()):
            return True
    return bool(backups(root))


def check_file(path: Path) -> str | None:
    """Why the database file at ``path`` is damaged, from its size and header; else ``None``.

    Cheap (reads 100 bytes): run at every open.
    """
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            header = handle.read(100)
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"it cannot be read: {error.strerror or error}"
    if size == 0:
        return "the database file is empty"
    if len(header) < 100 or not header.startswith(_HEADER):
        return "the database file is not a SQLite database"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid_for = int.from_bytes(header[92:96], "big")
    changes = int.from_bytes(header[24:28], "big")
    if valid_for == changes and pages and size < pages * page_size:
        return "the database file was cut short"
    return None


def check_database(conn: sqlite3.Connection, *, full: bool) -> str | None:
    """Why an open database is damaged (schema, and integrity when ``full``); else ``None``."""
    try:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if "migrations" in names:
            applied = {row[0] for row in conn.execute("SELECT name FROM migrations")}
            missing = [name for name in expected_tables(applied) if name not in names]
            if missing:
                return f"missing tables: {', '.join(missing)}"
        elif names:
            return "the database file is not a Lectern library"
        if full:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                return "the integrity check failed"
    except sqlite3.DatabaseError as error:
        if not is_damage(error):
            raise
        return f"SQLite says: {error}"
    return None


def is_damage(error: sqlite3.Error) -> bool:
    """Whether a SQLite error means a damaged file (not a full disk, a lock or an I/O fault)."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    return "malformed" in str(error) or "not a database" in str(error)


def diagnose(path: Path, *, full: bool) -> str | None:
    """Why the library database at ``path`` is damaged, or ``None`` when it is sound.

    Args:
        path: ``library.db``.
        full: run ``PRAGMA integrity_check`` too (after a session that did not close).
    """
    reason = check_file(path)
    if reason or not path.exists():
        return reason
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return check_database(conn, full=full)
    finally:
        conn.close()


def set_aside(root: Path) -> Path | None:
    """Move a damaged ``library.db`` (and its WAL files) into ``backups/damaged-*``."""
    db = root / DB_NAME
    folder = root / BACKUPS_DIR
    folder.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kept = None
    for suffix in ("", "-wal", "-shm"):
        source = root / (DB_NAME + suffix)
        if source.exists():
            target = folder / f"{_DAMAGED_PREFIX}{stamp}-{DB_NAME}{suffix}"
            os.replace(source, target)
            kept = kept or target
    for old in sorted(folder.glob(_DAMAGED_PREFIX + "*"))[: -3 * KEEP_BACKUPS]:
        with contextlib.suppress(OSError):
            old.unlink()
    return kept if db != kept else None


def restore_newest_backup(root: Path) -> Path | None:
    """Put the newest sound backup in place of ``library.db``; return it (``None``: none)."""
    for backup in backups(root):
        if diagnose(backup, full=True) is not None:
            continue
        part = root / (DB_NAME + ".restore")
        shutil.copyfile(backup, part)
        os.replace(part, root / DB_NAME)
        return backup
    return None


def rebuild_index(library: Library, report: HealReport) -> None:
    """Index every course folder the database does not list at its version; note missing media."""
    from shared.library.importer import read_texts  # the importer imports this module

    installed = dict(library.db.execute("SELECT id, version FROM courses").fetchall())
    folders = {}
    with contextlib.suppress(OSError):
        for folder in sorted(library.courses_dir.iterdir()):
            if (folder / MANIFEST_NAME).is_file():
                folders[folder.name] = folder
    for course_id, folder in folders.items():
        path = folder / MANIFEST_NAME
        try:
            raw = path.read_bytes()
            manifest = Manifest.from_json(raw, source=path)
            if not folder_belongs(course_id, manifest.course.id):
                raise ManifestError("its course id is not its folder's name", source=path)
            if installed.get(course_id) == manifest.course.version:
                continue
            texts = read_texts(folder, manifest, folder)
            with library.atomic():
                library.importer._store_course(
                    manifest,
                    texts,
                    placement=at_folder(library.db, course_id),
                    signature=folder_signature(folder, raw),
                )
        except (OSError, ManifestError, CourseContentError, ValueError):
            report.unreadable.append(course_id)
            continue
        report.rebuilt.append(course_id)
    report.missing_files = library.importer.incomplete_courses()
