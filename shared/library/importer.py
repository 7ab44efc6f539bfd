"""``library.importer``: install, update and remove courses.

Importing a course verifies the whole package while extracting it into a temporary
folder inside the library (same filesystem), indexes its text in one transaction and
renames the folder into ``courses/<course-id>`` just before committing: a refused,
failed or cancelled import leaves the database and the folders as they were.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.chapters import (
    Chapter,
    ChapterFileError,
    Slide,
    SlideFileError,
    load_chapters,
    load_slides,
)
from shared.checkpoints import Checkpoint
from shared.contents import ContentError, parse_checkpoints
from shared.errors import LecternError
from shared.jobs import ProgressState, check_cancelled, stages
from shared.library.errors import CourseContentError, OlderVersionError
from shared.library.updates import (
    BESIDE,
    IMPORT,
    UNCHANGED,
    Placement,
    free_lesson_ids,
    has_learner_work,
    match_lessons,
    orphan_lessons,
    place,
    signer_hex,
)
from shared.library.values import ImportPlan, ImportResult, LessonTexts
from shared.manifest import SIGNATURE_NAME, LessonEntry, Manifest
from shared.package import check_same_content, extract_package, read_signed_manifest
from shared.signing import Signature, SignatureFormatError, describe_signer
from shared.timecode import whole_ms
from shared.transcription import Segment, TranscriptFileError

if TYPE_CHECKING:
    from shared.library.core import Library

__all__ = ["Importer", "IMPORT_PREFIX", "read_texts"]

log = logging.getLogger(__name__)

IMPORT_PREFIX = ".import-"
_STALE_IMPORT_SECONDS = 24 * 3600


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


def read_texts(folder: Path, manifest: Manifest, package: Path) -> dict[str, LessonTexts]:
    """Parse each lesson's transcript, chapters and slide text from an extracted package."""
    texts = {}
    for lesson in manifest.lessons:
        try:
            segments: tuple[Segment, ...] = ()
            chapters: tuple[Chapter, ...] = ()
            slides: tuple[Slide, ...] = ()
            if lesson.transcript:
                segments = _transcript_segments(folder / lesson.transcript)
            if lesson.chapters:
                chapters = tuple(load_chapters(folder / lesson.chapters))
            if lesson.slides:
                slides = tuple(load_slides(folder / lesson.slides))
        except (TranscriptFileError, ChapterFileError, SlideFileError) as error:
            reason = str(error).split(" (", 1)[-1].rsplit(");", 1)[0]
            raise CourseContentError(package, lesson.id, reason) from None
        checkpoints: tuple[Checkpoint, ...] = ()
        if lesson.checkpoints:
            try:
                checkpoints = parse_checkpoints((folder / lesson.checkpoints).read_bytes(), lesson)
            except ContentError as error:
                raise CourseContentError(package, lesson.id, error.problem) from None
            except OSError as error:
                raise CourseContentError(package, lesson.id, str(error.strerror)) from None
        texts[lesson.id] = LessonTexts(segments, chapters, checkpoints, slides)
    return texts


def _store_slide_text(db: Any, lesson_key: int, slides: Sequence[Slide]) -> None:
    """One searchable row per step of each slide, timed when its lines appear."""
    db.conn.executemany(
        "INSERT INTO slide_text (lesson_key, start_ms, text) VALUES (?, ?, ?)",
        (
            (lesson_key, whole_ms(start), text)
            for slide in slides
            for start, text in slide.steps()
            if text.strip()
        ),
    )


def _store_checkpoints(db: Any, lesson_key: int, lesson: LessonEntry, texts: LessonTexts) -> None:
    """The lesson's questions as installed: when each is asked and whether it is required.

    Answers are not touched: they are kept by question id, so a question that comes
    back in a new version of the course finds its answer again.
    """
    ends = [chapter.end for chapter in texts.chapters]
    db.execute("DELETE FROM checkpoints WHERE lesson_key = ?", (lesson_key,))
    db.conn.executemany(
        "INSERT INTO checkpoints (lesson_key, id, position, time_ms, required) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (
                lesson_key,
                item.id,
                position,
                whole_ms(item.time_in(ends, lesson.duration)),
                int(item.required),
            )
            for position, item in enumerate(texts.checkpoints)
        ],
    )


def _extracted_signature(folder: Path) -> Signature | None:
    """The signature :func:`extract_package` verified and wrote beside the manifest."""
    path = folder / SIGNATURE_NAME
    if not path.exists():
        return None
    try:
        return Signature.from_bytes(path.read_bytes())
    except (OSError, SignatureFormatError):
        return None  # cannot happen after extraction checked it; unsigned is the safe side


class Importer:
    """``library.importer``: the only code that adds or removes courses."""

    def __init__(self, library: Library) -> None:
        self._lib = library

    def remove_stale(self) -> None:
        """Remove temporary folders that imports interrupted by a crash left behind."""
        for folder in self._lib.root.glob(IMPORT_PREFIX + "*"):
            with contextlib.suppress(OSError):
                if time.time() - folder.stat().st_mtime > _STALE_IMPORT_SECONDS:
                    shutil.rmtree(folder, ignore_errors=True)

    def import_course(
        self, package_path: str | os.PathLike[str], *, state: ProgressState | None = None
    ) -> ImportResult:
        """Install a course package, or update an installed course to a newer version.

        The package is verified completely (schema, checksums, safe paths) while it is
        extracted into a temporary folder inside the library; its text is indexed in
        one transaction and the folder moved into place just before the commit.
        Anything that goes wrong, including cancellation, leaves the library as it was.

        Which course a package goes to, and which lesson is which, is decided by
        :mod:`shared.library.updates`: a newer version signed by the same key replaces
        the content and keeps the learner's progress, watched intervals, notes and
        bookmarks, on the lessons it still has and, as orphans, on those it dropped;
        a package of a known course id that is unsigned or signed by another key is
        installed beside the installed course under a new id, never over it.

        Args:
            package_path: the ``.lectern`` file.
            state: progress (by bytes extracted, then indexing) and cancellation.

        Returns:
            What was done: ``action`` ``"imported"`` (also beside another course: see
            ``beside``), ``"unchanged"`` (this version from this signer is installed;
            nothing is touched), ``"updated"`` (see ``orphaned``) or ``"repaired"``
            (the same version again, put back because files were missing).

        Raises:
            PackageError: the package is missing, damaged or unsafe (a subclass says which).
            OlderVersionError: a newer version of the course is installed.
            VersionConflictError: the installed course has this id and version but
                other content.
            CourseContentError: a transcript or chapters file cannot be read.
            DiskFullError: not enough space to extract it.
            Cancelled: ``state`` asked to stop.
        """
        package = Path(package_path)
        manifest, signature = read_signed_manifest(package)
        signed_by = describe_signer(manifest.course.author, signature and signature.public_key)
        placement = self._placement(package, manifest, signature)
        # The same course again, with files gone from its folder: extract it again.
        repair = placement.action == UNCHANGED and bool(self.missing_files(placement.course_id))
        if placement.action == UNCHANGED and not repair:
            try:
                current = self._lib.manifest(placement.course_id)
            except (OSError, LecternError):  # the installed copy is damaged: repair it
                repair = True
            else:
                # The same signer's same version must also be the same content.
                check_same_content(package, manifest, current)
                return ImportResult(
                    placement.course_id, manifest.course.title, "unchanged", signed_by
                )
        check_cancelled(state, f"Importing {package.name}")
        extracting, indexing = stages(state, [9, 1]) if state is not None else (None, None)
        work = Path(tempfile.mkdtemp(prefix=IMPORT_PREFIX, dir=self._lib.root))
        try:
            folder = work / "course"
            manifest = extract_package(package, folder, state=extracting)
            # What was extracted (and verified) is the truth, not what was read before.
            signature = _extracted_signature(folder)
            if state is not None:
                state.set_status(f"Indexing {manifest.course.title}")
            texts = read_texts(folder, manifest, package)
            result = self._install(
                package, manifest, signature, texts, folder, work, indexing, repair
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if result.action != "unchanged":
            with contextlib.suppress(OSError, sqlite3.Error):  # the import itself succeeded
                self._lib.backups.take()
        if state is not None:
            state.set_progress(1.0)
        return result

    def backfill_slide_text(self) -> int:
        """Make the slide text of courses installed before the library kept it searchable.

        A course installed before migration ``0004_slide_text`` has its package's slide
        text files on disk (package format 1.2) but no ``lessons.slides`` and no
        ``slide_text`` rows. Each such lesson whose installed manifest names a slide
        text file gets them, read as an import reads it; a lesson whose file is missing
        or damaged is left without (it plays as before) and logged.

        Returns:
            How many lessons got their slide text.
        """
        db = self._lib.db
        waiting: dict[str, dict[str, int]] = {}
        for row in db.query(
            "SELECT lessons.key, lessons.id, courses.id AS course_id FROM lessons "
            "JOIN courses ON courses.key = lessons.course_key WHERE lessons.slides IS NULL"
        ):
            waiting.setdefault(row["course_id"], {})[row["id"]] = row["key"]
        filled = 0
        for course_id, lessons in waiting.items():
            base = self._lib.courses_dir / course_id
            try:
                manifest = self._lib.manifest(course_id)
            except (LecternError, OSError, ValueError) as error:
                log.warning("no slide text backfill for %s: %s", course_id, error)
                continue
            for lesson in manifest.lessons:
                key = lessons.get(lesson.id)
                if key is None or not lesson.slides:
                    continue
                try:
                    slides = load_slides(base / lesson.slides)
                except SlideFileError as error:
                    log.warning("no slide text backfill for %s/%s: %s", course_id, lesson.id, error)
                    continue
                with self._lib.atomic():
                    db.execute("UPDATE lessons SET slides = ? WHERE key = ?", (lesson.slides, key))
                    db.execute("DELETE FROM slide_text WHERE lesson_key = ?", (key,))
                    _store_slide_text(db, key, slides)
                filled += 1
        return filled

    def plan_import(self, package_path: str | os.PathLike[str]) -> ImportPlan:
        """What :meth:`import_course` would do with a package, cheaply (nothing is changed).

        Reads the package's listing, manifest and signature only, so a window can
        ask the learner first when an update would leave lessons as orphans.

        Raises:
            PackageError: the package is missing, damaged or unsafe.
            OlderVersionError: a newer version of the course is installed.
        """
        package = Path(package_path)
        manifest, signature = read_signed_manifest(package)
        with self._lib._lock:
            placement = self._placement(package, manifest, signature)
            orphaned: tuple[str, ...] = ()
            if placement.action == "update":
                old = self._lib._rows(
                    "SELECT key, id, uid, title, orphaned_ms FROM lessons "
                    "WHERE course_key = ? ORDER BY position",
                    (placement.installed["key"],),
                )
                keep = set(match_lessons(old, manifest.lessons))
                orphaned = tuple(
                    row["title"]
                    for row in old
                    if row["key"] not in keep
                    and row["orphaned_ms"] is None
                    and has_learner_work(self._lib.db, row["key"])
                )
        return ImportPlan(
            placement.course_id,
            manifest.course.title,
            placement.action,
            describe_signer(manifest.course.author, signature and signature.public_key),
            orphaned,
        )

    def _placement(
        self, package: Path, manifest: Manifest, signature: Signature | None
    ) -> Placement:
        """Where the package goes (see :mod:`shared.library_updates`); refuses an older
        version of a course from the same signer."""
        with self._lib._lock:
            placement = place(self._lib.db, self._lib.courses_dir, manifest, signature)
        course = manifest.course
        if placement.action == "update" and placement.installed["version"] > course.version:
            raise OlderVersionError(
                package, course.title, course.version, placement.installed["version"]
            )
        return placement

    def _install(
        self,
        package: Path,
        manifest: Manifest,
        signature: Signature | None,
        texts: Mapping[str, LessonTexts],
        folder: Path,
        work: Path,
        state: ProgressState | None,
        repair: bool = False,
    ) -> ImportResult:
        """Index and move the extracted folder into place, all or nothing."""
        course = manifest.course
        signed_by = describe_signer(course.author, signature and signature.public_key)
        old = work / "old"
        swapped = False
        target = None
        try:
            with self._lib.atomic():
                # Decided again inside the transaction: another import may have finished.
                placement = self._placement(package, manifest, signature)
                if placement.action == UNCHANGED and not repair:
                    return ImportResult(placement.course_id, course.title, "unchanged", signed_by)
                target = self._lib.courses_dir / placement.course_id
                action, orphaned = self._store(
                    manifest, texts, state=state, placement=placement, signature=signature
                )
                action = "repaired" if repair and placement.action == UNCHANGED else action
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
            if swapped and target is not None:  # only the commit can have failed
                shutil.rmtree(target, ignore_errors=True)
                if old.exists():
                    os.replace(old, target)
            raise
        beside = placement.installed if placement.action == BESIDE else None
        return ImportResult(
            placement.course_id,
            course.title,
            action,
            signed_by,
            beside=beside["id"] if beside else None,
            beside_title=beside["title"] if beside else "",
            orphaned=tuple(orphaned),
        )

    def _store_course(
        self,
        manifest: Manifest,
        texts: Mapping[str, LessonTexts],
        *,
        state: ProgressState | None = None,
        placement: Placement | None = None,
        signature: Signature | None = None,
    ) -> str:
        """Write a course's rows and index its text (see :meth:`_store`); call inside
        :meth:`Library.atomic`. Returns ``"imported"`` or ``"updated"``."""
        return self._store(manifest, texts, state=state, placement=placement, signature=signature)[
            0
        ]

    def _store(
        self,
        manifest: Manifest,
        texts: Mapping[str, LessonTexts],
        *,
        state: ProgressState | None = None,
        placement: Placement | None = None,
        signature: Signature | None = None,
    ) -> tuple[str, list[str]]:
        """Write a course's rows and index its text; call inside :meth:`atomic`.

        Lessons that survive an update (same ``uid``, or same ``id`` for packages
        without uids) keep their key, so their progress and notes stay; lessons that
        are gone become orphans that keep them too (see :mod:`shared.library_updates`).

        Returns:
            ``"imported"`` or ``"updated"``, and the titles of the new orphans.
        """
        course = manifest.course
        db = self._lib.db
        now = self._lib._now()
        if placement is None:
            placement = place(db, self._lib.courses_dir, manifest, signature)
        values = (
            course.version,
            course.title,
            course.description,
            course.author,
            course.language,
            course.created,
            course.cover,
            course.id,
            signer_hex(signature),
        )
        if placement.action in (IMPORT, BESIDE):
            action = "imported"
            key = db.execute(
                "INSERT INTO courses (version, title, description, author, language, created, "
                "cover, package_id, signer_key, id, imported_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, placement.course_id, now),
            ).lastrowid
        else:
            action = "updated"
            key = placement.installed["key"]
            db.execute(
                "UPDATE courses SET version = ?, title = ?, description = ?, author = ?, "
                "language = ?, created = ?, cover = ?, package_id = ?, signer_key = ?, "
                "imported_ms = ? WHERE key = ?",
                (*values, now, key),
            )
        old = list(db.query("SELECT key, id, uid FROM lessons WHERE course_key = ?", (key,)))
        matched = match_lessons(old, manifest.lessons)
        orphaned = orphan_lessons(db, key, [k for k in matched if k is not None], now)
        free_lesson_ids(db, key, [lesson.id for lesson in manifest.lessons])
        for table in ("segments", "slide_text"):
            db.conn.executemany(
                f"DELETE FROM {table} WHERE lesson_key = ?",
                [(k,) for k in matched if k is not None],
            )
        db.execute("DELETE FROM labels WHERE course_key = ? AND note_id IS NULL", (key,))
        db.execute(
            "INSERT INTO labels (kind, course_key, text) VALUES ('course', ?, ?)",
            (key, course.title),
        )
        for position, (lesson, lesson_key) in enumerate(
            zip(manifest.lessons, matched, strict=True)
        ):
            check_cancelled(state, f"Importing {course.title}")
            lesson_key = self._store_lesson(key, position, lesson, lesson_key)
            lesson_texts = texts.get(lesson.id, LessonTexts())
            db.conn.executemany(
                "INSERT INTO segments (lesson_key, start_ms, end_ms, text) VALUES (?, ?, ?, ?)",
                (
                    (lesson_key, whole_ms(s.start), whole_ms(s.end), s.text)
                    for s in lesson_texts.segments
                    if s.text.strip()
                ),
            )
            _store_slide_text(db, lesson_key, lesson_texts.slides)
            labels = [("lesson", lesson_key, None, lesson.title)] + [
                ("chapter", lesson_key, whole_ms(c.start), c.title)
                for c in lesson_texts.chapters
                if c.title.strip()
            ]
            db.conn.executemany(
                "INSERT INTO labels (kind, course_key, lesson_key, time_ms, text) "
                "VALUES (?, ?, ?, ?, ?)",
                [(kind, key, lk, at, text) for kind, lk, at, text in labels],
            )
            _store_checkpoints(db, lesson_key, lesson, lesson_texts)
            if state is not None:
                state.set_progress((position + 1) / len(manifest.lessons))
        return action, orphaned

    def _store_lesson(
        self, course_key: int, position: int, lesson: LessonEntry, lesson_key: int | None
    ) -> int:
        values = (
            lesson.id,
            lesson.uid,
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
            lesson.slides,
            lesson.checkpoints,
        )
        columns = (
            "id, uid, position, title, duration_ms, video, presenter_video, poster, transcript, "
            "chapters, captions, thumbnails, slides, checkpoints"
        )
        if lesson_key is None:
            return self._lib.db.execute(
                f"INSERT INTO lessons (course_key, {columns}) "
                f"VALUES (?, {', '.join('?' * len(values))})",
                (course_key, *values),
            ).lastrowid
        # A lesson that comes back in this version is not an orphan any more.
        assignments = ", ".join(f"{name.strip()} = ?" for name in columns.split(","))
        self._lib.db.execute(
            f"UPDATE lessons SET {assignments}, orphaned_ms = NULL WHERE key = ?",
            (*values, lesson_key),
        )
        return lesson_key

    def remove_course(self, course_id: str) -> None:
        """Delete a course: its rows, progress, notes and its folder.

        Raises:
            NotInLibraryError: the course is not installed.
        """
        with self._lib.atomic():
            key = self._lib._course_key(course_id)
            self._lib.db.execute("DELETE FROM courses WHERE key = ?", (key,))
        folder = self._lib.courses_dir / course_id
        if folder.exists():
            # Rename first so a half-deleted folder never looks like an installed course.
            trash = Path(tempfile.mkdtemp(prefix=IMPORT_PREFIX, dir=self._lib.root)) / "old"
            os.replace(folder, trash)
            shutil.rmtree(trash.parent, ignore_errors=True)

    def missing_files(self, course_id: str) -> list[Path]:
        """The files of an installed course that are gone from its folder (empty: complete)."""
        base = self._lib.courses_dir / course_id
        if not base.is_dir():
            return [base]
        missing = []
        for row in self._lib._rows(
            "SELECT lessons.video, lessons.presenter_video, lessons.poster, lessons.transcript, "
            "lessons.chapters, lessons.captions FROM lessons "
            "JOIN courses ON courses.key = lessons.course_key "
            # An orphan's media went with the version that had it: it is not missing.
            "WHERE courses.id = ? AND lessons.orphaned_ms IS NULL",
            (course_id,),
        ):
            members = [row["video"], row["presenter_video"], row["poster"], row["transcript"]]
            members += [row["chapters"], *json.loads(row["captions"]).values()]
            missing += [base / m for m in members if m and not (base / m).is_file()]
        return missing

    def incomplete_courses(self) -> list[str]:
        """The installed courses whose folder or media files are missing."""
        ids = [row["id"] for row in self._lib._rows("SELECT id FROM courses ORDER BY id")]
        return [course_id for course_id in ids if self.missing_files(course_id)]
