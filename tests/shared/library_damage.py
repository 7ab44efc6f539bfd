"""A library damaged in ten ways, each on real files: what Lectern does and what survives.

Each scenario builds a library with two imported courses and a note, damages it the
way a disk, a crash or a person would, opens it again and returns a :class:`Outcome`.
``tests/shared/test_library_heal.py`` asserts on them; ``bench/bench_reliability.py``
prints them as the table in ``docs/reliability.md``.

Two scenarios need a filesystem of their own (read-only, full): they mount a small
tmpfs, which needs root; :func:`can_mount` says whether that works here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from shared import package as pkg
from shared.errors import DiskFullError, LecternError
from shared.library import (
    DB_NAME,
    Library,
    LibraryLockedError,
    NewerLibraryError,
    ReadOnlyLibraryError,
)
from tests.shared import bad_packages
from tests.shared.test_library import make_package

BIO, CHEM = "bio-101", "chem-1"


@dataclass(frozen=True)
class Outcome:
    """What became of a damaged library.

    Attributes:
        damage: the damage done, in words.
        said: what Lectern told the learner (one sentence).
        courses: courses listed after opening it again.
        notes: the learner's notes still there.
        restorable: whether every course that a backup or the course folders can
            restore is listed (or is repaired by importing its package again).
    """

    damage: str
    said: str
    courses: tuple[str, ...]
    notes: int
    restorable: bool


def can_mount() -> bool:
    """Whether this process may mount a tmpfs (root in a privileged enough container)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", folder], capture_output=True
        )
        if done.returncode:
            return False
        subprocess.run(["umount", folder], check=True)
    return True


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder`` for the duration."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def packages(folder: Path) -> dict[str, Path]:
    """The two course packages every scenario imports."""
    return {
        BIO: make_package(folder, course_id=BIO),
        CHEM: make_package(folder, course_id=CHEM, title="Organic Chemistry"),
    }


def build(root: Path, pkgs: dict[str, Path]) -> None:
    """Two imported courses and one note, closed cleanly (so a backup holds them all)."""
    with Library.open(root) as library:
        for package in pkgs.values():
            library.import_course(package)
        library.add_note(BIO, "intro", 12.0, "membranes matter")


def _outcome(damage: str, library: Library, expected: tuple[str, ...] = (BIO, CHEM)) -> Outcome:
    courses = tuple(sorted(course.id for course in library.courses()))
    notes = sum(len(library.notes(course_id)) for course_id in courses)
    return Outcome(damage, library.notice or "(nothing)", courses, notes, courses == expected)


def _reopen(damage: str, root: Path) -> Outcome:
    with Library.open(root) as library:
        return _outcome(damage, library)


# ----------------------------------------------------------------------------- scenarios


def truncated(root: Path, pkgs: dict[str, Path]) -> Outcome:
    build(root, pkgs)
    db = root / DB_NAME
    with open(db, "r+b") as handle:
        handle.truncate(db.stat().st_size // 2)
    return _reopen("library.db cut to half its size", root)


def garbage(root: Path, pkgs: dict[str, Path]) -> Outcome:
    build(root, pkgs)
    with open(root / DB_NAME, "r+b") as handle:
        handle.write(os.urandom(8192))
    return _reopen("first 8 KiB of library.db overwritten with random bytes", root)


def zero_bytes(root: Path, pkgs: dict[str, Path]) -> Outcome:
    build(root, pkgs)
    (root / DB_NAME).write_bytes(b"")
    return _reopen("library.db emptied to zero bytes", root)


_CRASH = """
import os, sys
from shared.library import Library
library = Library.open(sys.argv[1])
library.db.execute("PRAGMA wal_autocheckpoint = 0")
library.import_course(sys.argv[2])
os._exit(0)  # no close: the marker stays, the last import is only in the WAL
"""


def missing_wal(root: Path, pkgs: dict[str, Path]) -> Outcome:
    with Library.open(root) as library:
        library.import_course(pkgs[BIO])
        library.add_note(BIO, "intro", 12.0, "membranes matter")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    subprocess.run([sys.executable, "-c", _CRASH, str(root), str(pkgs[CHEM])], check=True, env=env)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            (root / (DB_NAME + suffix)).unlink()
    return _reopen("crash after an import, then library.db-wal deleted", root)


def read_only(root: Path, pkgs: dict[str, Path]) -> Outcome:
    with tmpfs(root, "64m"):
        build(root, pkgs)
        subprocess.run(["mount", "-o", "remount,ro", str(root)], check=True)
        with Library.open(root) as library:
            assert library.read_only
            library.save_position(BIO, "intro", 5.0)  # playing works, nothing is saved
            try:
                library.add_note(BIO, "intro", 1.0, "x")
            except ReadOnlyLibraryError:
                pass
            else:
                raise AssertionError("a note was saved into a read-only library")
            return _outcome("library folder on a filesystem mounted read-only", library)


def locked(root: Path, pkgs: dict[str, Path]) -> Outcome:
    build(root, pkgs)
    holder = sqlite3.connect(root / DB_NAME, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    with Library.open(root) as library:
        library.lock_timeout = 0.5
        said = ""
        try:
            library.add_note(BIO, "intro", 1.0, "while locked")
        except LibraryLockedError as error:
            said = str(error)
        timer = threading.Timer(0.3, holder.rollback)
        timer.start()
        library.add_note(BIO, "intro", 2.0, "after the lock is released")  # retried, then saved
        timer.join()
        holder.close()
        outcome = _outcome("another program holds the write lock", library)
    return Outcome(outcome.damage, said, outcome.courses, outcome.notes, outcome.restorable)


def deleted_media(root: Path, pkgs: dict[str, Path]) -> Outcome:
    build(root, pkgs)
    video = next((root / "courses" / BIO).rglob("video.mp4"))
    video.unlink()
    with Library.open(root) as library:
        said = library.notice or ""
        result = library.import_course(pkgs[BIO])
        assert result.action == "repaired", result
        assert video.is_file()
        outcome = _outcome("a lesson's video.mp4 deleted from the course folder", library)
    return Outcome(outcome.damage, said, outcome.courses, outcome.notes, outcome.restorable)


def deleted_course(root: Path, pkgs: dict[str, Path]) -> Outcome:
    build(root, pkgs)
    shutil.rmtree(root / "courses" / BIO)
    with Library.open(root) as library:
        said = library.notice or ""
        result = library.import_course(pkgs[BIO])
        assert result.action == "repaired", result
        outcome = _outcome("a whole course folder deleted", library)
    return Outcome(outcome.damage, said, outcome.courses, outcome.notes, outcome.restorable)


def wrong_schema(root: Path, pkgs: dict[str, Path]) -> Outcome:
    build(root, pkgs)
    with sqlite3.connect(root / DB_NAME) as conn:
        conn.execute("DROP TABLE labels")
    return _reopen("a table of the schema dropped (schema not the recorded version)", root)


def newer_schema(root: Path, pkgs: dict[str, Path]) -> Outcome:
    build(root, pkgs)
    with sqlite3.connect(root / DB_NAME) as conn:
        conn.execute("INSERT INTO migrations (name, applied_ms) VALUES ('9999_future', 1)")
    try:
        Library.open(root).close()
    except NewerLibraryError as error:
        said = str(error)
    with sqlite3.connect(root / DB_NAME) as conn:  # what a newer Lectern would still find
        courses = tuple(sorted(row[0] for row in conn.execute("SELECT id FROM courses")))
        notes = conn.execute("SELECT count(*) FROM notes").fetchone()[0]
    return Outcome(
        "schema version from a newer Lectern", said, courses, notes, courses == (BIO, CHEM)
    )


def big_package(folder: Path) -> Path:
    """A course package with a 1.5 MB video (random bytes, as in the other test packages)."""
    course, lessons, cover = bad_packages.make_sources(folder / "src")
    lessons[0].video.write_bytes(os.urandom(1_500_000))
    course = dataclasses.replace(course, id="big-1", title="Big course")
    out = folder / "big.lectern"
    pkg.write_package(course, lessons, out, cover=cover)
    return out


def disk_full(root: Path, pkgs: dict[str, Path]) -> Outcome:
    big = big_package(root.parent / "big")
    with tmpfs(root, "3m"):
        with Library.open(root) as library:
            library.import_course(pkgs[BIO])
            library.add_note(BIO, "intro", 12.0, "membranes matter")
            library.import_course(pkgs[CHEM])
        filler = root / "filler"
        free = shutil.disk_usage(root).free
        filler.write_bytes(b"\0" * max(0, free - 600_000))  # room for the WAL, not the video
        said = ""
        with Library.open(root) as library:
            try:
                library.import_course(big)
            except (DiskFullError, LecternError) as error:
                said = str(error)
            else:
                raise AssertionError("the big course fitted")
        filler.unlink()
        outcome = _reopen("disk full during an import (3 MB tmpfs)", root)
        leftovers = [p.name for p in root.iterdir() if p.name.startswith(".import-")]
        assert not leftovers, leftovers
    return Outcome(outcome.damage, said, outcome.courses, outcome.notes, outcome.restorable)


SCENARIOS: dict[str, Callable[[Path, dict[str, Path]], Outcome]] = {
    "truncated": truncated,
    "garbage": garbage,
    "zero_bytes": zero_bytes,
    "missing_wal": missing_wal,
    "read_only": read_only,
    "locked": locked,
    "deleted_media": deleted_media,
    "deleted_course": deleted_course,
    "wrong_schema": wrong_schema,
    "newer_schema": newer_schema,
    "disk_full": disk_full,
}
NEEDS_MOUNT = {"read_only", "disk_full"}
