"""What an export takes in: the ready lessons of a Studio course folder or of a package.

Both give one :class:`ExportCourse`: the course details and, per lesson, its media
and the checked chapters and transcript. A package comes from elsewhere, so it is
checked as it is read: its listing, manifest and signature first
(``shared.package.read_manifest``), the small text members in full
(``read_member``, with the strict transcript and chapters checks), and each media
member while it is copied into the export (``stream_member``), so a package is read
once and a damaged member fails the export, which then leaves nothing. A course
folder's edited lessons are rendered first (``studio.editing.package_source``), as
``lectern-studio package`` does.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.chapters import Chapter, load_chapters
from shared.contents import parse_chapters, parse_transcript
from shared.errors import LecternError
from shared.files import Crc32, copy_range
from shared.jobs import ProgressState, check_cancelled, stages
from shared.manifest import CourseInfo, LessonEntry
from shared.package import (
    SUFFIX,
    LessonSource,
    copy_member,
    read_member,
    read_signed_manifest,
)
from shared.transcription import Segment, Transcript
from shared.workspace import LessonWorkspace
from studio.course import COURSE_FILE, Course
from studio.editing import package_source

__all__ = [
    "Media",
    "ExportLesson",
    "ExportCourse",
    "NoReadyLessonError",
    "NotACourseError",
    "open_course",
]


class NoReadyLessonError(LecternError):
    """The course has nothing a learner could watch."""

    def __init__(self, source: Path) -> None:
        super().__init__(f"{source} has no ready lesson to export; build or import a lesson first.")


class NotACourseError(LecternError):
    """The export's input is neither a course folder nor a package."""

    def __init__(self, source: Path) -> None:
        super().__init__(
            f"{source} is neither a Studio course folder (with {COURSE_FILE}) nor a "
            f"{SUFFIX} package; give one of those."
        )


class MediaChangedError(LecternError):
    """A lesson's video changed on disk while the course was being exported."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} changed while it was exported; export the course again.")


@dataclass(frozen=True)
class Media:
    """A media file to copy into the export: a file on disk, or a package member.

    Attributes:
        path: the file, or the package that holds ``member``.
        size: its size in bytes.
        member: the member's path inside the package; ``None`` for a file on disk.
    """

    path: Path
    size: int
    member: str | None = None

    @property
    def suffix(self) -> str:
        """The file name's ending, such as ``".mp4"``."""
        return Path(self.member or self.path.name).suffix

    def copy_to(self, target: Any, state: ProgressState) -> int:
        """Copy every byte into the open file ``target``; a package member is checked.

        Returns:
            The CRC-32 of the bytes (see ``shared.package.copy_member``).
        """
        if self.member is not None:
            return copy_member(self.path, self.member, target, state=state)
        crc = Crc32()

        def advance(done: int) -> None:
            state.set_progress(done / max(self.size, 1))
            check_cancelled(state, "The export")

        with open(self.path, "rb") as stream:
            if os.fstat(stream.fileno()).st_size != self.size:
                raise MediaChangedError(self.path)
            copy_range(stream, 0, self.size, target, [crc], advance)
        return crc.value

    @classmethod
    def file(cls, path: Path) -> Media:
        """A file on disk."""
        return cls(Path(path), os.stat(path).st_size)


@dataclass(frozen=True)
class ExportLesson:
    """One lesson as the web player needs it.

    Attributes:
        id: unique slug within the course (the SCO's and the media folder's name).
        title: what learners see.
        duration: seconds.
        video: the main video file.
        poster: the picture shown before playing, if any.
        captions: ``(language, WebVTT file's bytes)`` pairs.
        chapters: the chapters, checked.
        segments: the transcript, checked.
    """

    id: str
    title: str
    duration: float
    video: Media
    poster: Media | None
    captions: tuple[tuple[str, bytes], ...]
    chapters: tuple[Chapter, ...]
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class ExportCourse:
    """A course ready to export: its details and its ready lessons, in order."""

    info: CourseInfo
    lessons: tuple[ExportLesson, ...]


# A caption file larger than this is left out of the web player (a real one is < 1 MB).
_MAX_CAPTION_BYTES = 16 * 1024 * 1024


def _from_source(source: LessonSource) -> ExportLesson:
    chapters = tuple(load_chapters(source.chapters)) if source.chapters else ()
    segments = Transcript.load_json(source.transcript).segments if source.transcript else ()
    captions = tuple(
        (language, path.read_bytes())
        for language, path in source.captions
        if path.stat().st_size <= _MAX_CAPTION_BYTES
    )
    return ExportLesson(
        id=source.id,
        title=source.title,
        duration=source.duration,
        video=Media.file(source.video),
        poster=Media.file(source.poster) if source.poster else None,
        captions=captions,
        chapters=chapters,
        segments=segments,
    )


def _from_entry(package: Path, entry: LessonEntry, sizes: dict[str, int]) -> ExportLesson:
    def text(member: str) -> bytes:
        return read_member(package, member, max_bytes=_MAX_CAPTION_BYTES)

    def media(member: str) -> Media:
        return Media(package, sizes[member], member)

    chapters: tuple[Chapter, ...] = ()
    segments: tuple[Segment, ...] = ()
    if entry.chapters:
        chapters = parse_chapters(text(entry.chapters), entry)
    if entry.transcript:
        segments = parse_transcript(text(entry.transcript), entry).segments
    return ExportLesson(
        id=entry.id,
        title=entry.title,
        duration=entry.duration,
        video=media(entry.video),
        poster=media(entry.poster) if entry.poster else None,
        captions=tuple(
            (track.language, text(track.path))
            for track in entry.captions
            if sizes[track.path] <= _MAX_CAPTION_BYTES
        ),
        chapters=chapters,
        segments=segments,
    )


def _package_course(package: Path, state: ProgressState) -> ExportCourse:
    state.set_status(f"Checking {package.name}")
    manifest, _ = read_signed_manifest(package)  # a wrong signature is refused here
    sizes = {entry.path: entry.size for entry in manifest.files}
    lessons = tuple(_from_entry(package, entry, sizes) for entry in manifest.lessons)
    if not lessons:
        raise NoReadyLessonError(package)
    state.set_progress(1.0)
    return ExportCourse(manifest.course, lessons)


def _folder_course(folder: Path, state: ProgressState) -> ExportCourse:
    course = Course.open(folder)
    folders = course.lesson_folders()
    if not folders:
        raise NoReadyLessonError(folder)
    parts = stages(state, [1.0] * len(folders))
    loaded, lessons, ids = [], [], set()
    for part, lesson_folder in zip(parts, folders, strict=True):
        workspace = LessonWorkspace.open(lesson_folder)
        part.set_status(f"Reading '{workspace.lesson.title}'")
        source = package_source(workspace, state=part)
        lesson = _from_source(source)
        if lesson.id in ids:  # two lessons with one title: keep ids unique, as packages do
            lesson = dataclasses.replace(lesson, id=f"{lesson.id}-{len(lessons) + 1}")
        ids.add(lesson.id)
        lessons.append(lesson)
        loaded.append((workspace.folder, workspace.lesson))
    return ExportCourse(course.info(loaded), tuple(lessons))


def open_course(source: Path, state: ProgressState) -> ExportCourse:
    """The ready lessons of ``source`` (a course folder or a package) for one export.

    Raises:
        NotACourseError: ``source`` is neither.
        NoReadyLessonError: it has no ready lesson.
        PackageError: the package is damaged or unsafe (a subclass saying how); a
            damaged media member is only found while it is copied (:meth:`Media.copy_to`).
    """
    source = Path(source)
    try:
        is_folder, is_file = source.is_dir(), source.is_file()
    except OSError:  # a name too long for the file system, ...
        is_folder = is_file = False
    if is_folder:
        if not (source / COURSE_FILE).is_file():
            raise NotACourseError(source)
        return _folder_course(source, state)
    if not is_file:
        raise NotACourseError(source)
    return _package_course(source, state)
