"""``library.updates``: how an imported package relates to the installed courses, and
what an update keeps.

Used by the importer (and the index rebuild) inside their transactions.

**Which course a package goes to.** A package names its course id, but anyone can
write any id into a manifest. So a package is an *update* of an installed course
only when both carry the same course id *and* were signed by the same key
(:mod:`shared.signing`). A package with a known course id that is unsigned, or
signed by another key, is installed *beside* it under a new library id
(``bio``, then ``bio-2``, ...), so it can never overwrite the learner's course. A
package whose manifest and signer equal an installed one's is *unchanged*. Each installed
course keeps the id its package gave (``package_id``) and its signer's public key
(``signer_key``, hex; ``NULL`` for unsigned).

**Which lesson is which.** A lesson of the new version is the installed lesson
with the same ``uid`` (format 1.1, made once by the Studio and kept through
renames); lessons of older packages, without a ``uid``, are matched by their
``id`` (the old title-derived slug).

**Orphans.** An installed lesson that the new version no longer has is not
deleted if the learner left anything on it: it becomes an orphan (``orphaned_ms``
set), keeping its notes, bookmarks, progress and watched parts, which the learner
can still read and export. Its
media went with the old version. If a later version brings the lesson back (same
``uid``), it is a lesson again with everything it had.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from shared.manifest import MANIFEST_NAME, SIGNATURE_NAME, LessonEntry, Manifest, ManifestError
from shared.signing import Signature, SignatureFormatError

__all__ = [
    "MIGRATION",
    "LIVE",
    "IMPORT",
    "UPDATE",
    "BESIDE",
    "UNCHANGED",
    "Placement",
    "place",
    "match_lessons",
    "orphan_lessons",
    "has_learner_work",
    "free_lesson_ids",
    "signer_hex",
    "folder_belongs",
    "folder_signature",
    "at_folder",
]

IMPORT, UPDATE, BESIDE, UNCHANGED = "import", "update", "beside", "unchanged"
#: A condition to append to a ``WHERE`` on ``lessons``: the lessons the installed version has.
LIVE = " AND lessons.orphaned_ms IS NULL"
_ORPHAN_TAG = "~"  # never in a manifest slug, so a renamed orphan id never clashes


def _migrate(db: sqlite_utils.Database) -> None:
    for statement in (
        "ALTER TABLE courses ADD COLUMN package_id TEXT",
        "UPDATE courses SET package_id = id",
        "ALTER TABLE courses ADD COLUMN signer_key TEXT",
        "CREATE INDEX courses_package ON courses(package_id)",
        "ALTER TABLE lessons ADD COLUMN uid TEXT",
        "ALTER TABLE lessons ADD COLUMN orphaned_ms INTEGER",
    ):
        db.execute(statement)


#: The library migration that adds signers, lesson uids and orphans.
MIGRATION = ("0002_signers_uids_orphans", _migrate)


def signer_hex(signature: Signature | None) -> str | None:
    """How a signer's key is stored: the raw public key in hex, ``None`` if unsigned."""
    return None if signature is None else signature.public_key.hex()


@dataclass(frozen=True)
class Placement:
    """Where a package goes in the library.

    Attributes:
        action: :data:`IMPORT` (a new course), :data:`UPDATE` (a newer version from
            the same signer), :data:`BESIDE` (a known course id from another or no
            signer) or :data:`UNCHANGED` (this very manifest is installed).
        course_id: the library id the course has or will have.
        installed: for :data:`UPDATE` and :data:`UNCHANGED` the course row it is; for
            :data:`BESIDE` the installed course of the same package id it goes beside.
    """

    action: str
    course_id: str
    installed: dict[str, Any] | None = None


def _installed_manifest(courses_dir: Path, course_id: str) -> Manifest | None:
    path = courses_dir / course_id / MANIFEST_NAME
    try:
        return Manifest.from_json(path.read_bytes(), source=path)
    except (OSError, ManifestError):
        return None


def _free_course_id(db: sqlite_utils.Database, courses_dir: Path, wanted: str) -> str:
    """``wanted``, or ``wanted-2``, ``-3``, ... : the first id no course and no folder has."""
    taken = {row[0] for row in db.execute("SELECT id FROM courses")}
    candidate, number = wanted, 2
    while candidate in taken or (courses_dir / candidate).exists():
        candidate, number = f"{wanted}-{number}", number + 1
    return candidate


def place(
    db: sqlite_utils.Database,
    courses_dir: Path,
    manifest: Manifest,
    signature: Signature | None,
) -> Placement:
    """Decide where a package goes (see the module doc); reads only.

    Raises:
        nothing itself; the caller refuses an older version of an :data:`UPDATE`.
    """
    package_id = manifest.course.id
    rows = list(
        db.query(
            "SELECT key, id, version, title, signer_key FROM courses "
            "WHERE package_id = ? ORDER BY key",
            (package_id,),
        )
    )
    if not rows:
        return Placement(IMPORT, _free_course_id(db, courses_dir, package_id))
    key = signer_hex(signature)
    same = next((row for row in rows if key is not None and row["signer_key"] == key), None)
    if same is not None:
        unchanged = same["version"] == manifest.course.version
        return Placement(UNCHANGED if unchanged else UPDATE, same["id"], same)
    for row in rows:  # the same package again (an unsigned one has no other way to tell)
        if row["signer_key"] == key and _installed_manifest(courses_dir, row["id"]) == manifest:
            return Placement(UNCHANGED, row["id"], row)
    return Placement(BESIDE, _free_course_id(db, courses_dir, package_id), rows[0])


def match_lessons(
    old: Sequence[dict[str, Any]], lessons: Sequence[LessonEntry]
) -> list[int | None]:
    """For each new lesson, the key of the installed lesson it is (or ``None``).

    ``old`` rows have ``key``, ``id`` and ``uid``. A lesson with a ``uid`` is the
    row with that ``uid``; failing that, the row with its ``id`` when one of the two
    has no ``uid`` (a package or an installed course from before lesson uids).
    Each row is matched at most once.
    """
    by_uid = {row["uid"]: row for row in old if row["uid"]}
    by_id = {row["id"]: row for row in old}
    used: set[int] = set()
    found: list[int | None] = []
    for lesson in lessons:
        row = by_uid.get(lesson.uid) if lesson.uid else None
        if row is None:
            candidate = by_id.get(lesson.id)
            if candidate is not None and (not lesson.uid or not candidate["uid"]):
                row = candidate
        if row is not None and row["key"] in used:
            row = None
        if row is not None:
            used.add(row["key"])
        found.append(None if row is None else row["key"])
    return found


def has_learner_work(db: sqlite_utils.Database, lesson_key: int) -> bool:
    """Whether the learner left anything on a lesson: notes, bookmarks, progress, watched parts."""
    return any(
        db.execute(f"SELECT 1 FROM {table} WHERE lesson_key = ? LIMIT 1", (lesson_key,)).fetchone()
        for table in ("notes", "progress", "watched")
    )


def orphan_lessons(
    db: sqlite_utils.Database, course_key: int, keep: Iterable[int], now: int
) -> list[str]:
    """Make every lesson of a course not in ``keep`` an orphan; call inside a transaction.

    Their notes, progress and watched parts stay; their transcript text (whose
    media is gone) leaves the search index. A dropped lesson the learner left
    nothing on is simply deleted: there is nothing to keep.

    Returns:
        The titles of the lessons that became orphans just now, in course order.
    """
    keep = set(keep)
    rows = list(
        db.query(
            "SELECT key, title, orphaned_ms FROM lessons WHERE course_key = ? ORDER BY position",
            (course_key,),
        )
    )
    gone = [row for row in rows if row["key"] not in keep]
    empty = [row["key"] for row in gone if not has_learner_work(db, row["key"])]
    db.conn.executemany("DELETE FROM lessons WHERE key = ?", [(key,) for key in empty])
    gone = [row for row in gone if row["key"] not in empty]
    db.conn.executemany(
        "UPDATE lessons SET orphaned_ms = COALESCE(orphaned_ms, ?) WHERE key = ?",
        [(now, row["key"]) for row in gone],
    )
    for table in ("segments", "slide_text"):
        db.conn.executemany(
            f"DELETE FROM {table} WHERE lesson_key = ?", [(r["key"],) for r in gone]
        )
    return [row["title"] for row in gone if row["orphaned_ms"] is None]


def free_lesson_ids(db: sqlite_utils.Database, course_key: int, new_ids: Iterable[str]) -> None:
    """Before lessons are written, after :func:`orphan_lessons`: give every lesson row of
    the course a temporary id, then orphans their old id back unless the new version
    uses it (then ``id~key``).

    So lessons may trade ids between versions, and an orphan never blocks a new
    lesson's id (``lessons`` has ``UNIQUE (course_key, id)``).
    """
    new_ids = set(new_ids)
    rows = list(
        db.query("SELECT key, id, orphaned_ms FROM lessons WHERE course_key = ?", (course_key,))
    )
    db.execute(
        f"UPDATE lessons SET id = '{_ORPHAN_TAG}' || key || '{_ORPHAN_TAG}' || id "
        "WHERE course_key = ?",
        (course_key,),
    )
    for row in rows:
        if row["orphaned_ms"] is None:
            continue  # a lesson of the new version gets its id when it is written
        final = row["id"] if row["id"] not in new_ids else f"{row['id']}{_ORPHAN_TAG}{row['key']}"
        db.execute("UPDATE lessons SET id = ? WHERE key = ?", (final, row["key"]))


# ----------------------------------------------------------------------------- rebuilding


def folder_belongs(folder_name: str, package_id: str) -> bool:
    """Whether ``courses/<folder_name>`` may hold a course whose package id is
    ``package_id``: its own id, or the id with ``-N`` of a course installed beside."""
    if folder_name == package_id:
        return True
    head, _, number = folder_name.rpartition("-")
    return head == package_id and number.isdigit() and int(number) >= 2


def folder_signature(folder: Path, manifest: bytes) -> Signature | None:
    """The signature in an installed course folder, if it signs ``manifest``; else ``None``
    (a folder whose signature is gone or does not match counts as unsigned)."""
    try:
        signature = Signature.from_bytes((folder / SIGNATURE_NAME).read_bytes())
    except (OSError, SignatureFormatError):
        return None
    return signature if signature.verify(manifest) else None


def at_folder(db: sqlite_utils.Database, course_id: str) -> Placement:
    """The placement that writes a course folder's rows under its own library id."""
    row = next(
        iter(
            db.query(
                "SELECT key, id, version, title, signer_key FROM courses WHERE id = ?",
                (course_id,),
            )
        ),
        None,
    )
    return Placement(IMPORT, course_id) if row is None else Placement(UPDATE, course_id, row)
