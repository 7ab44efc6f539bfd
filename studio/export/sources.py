"""What an export takes in: the ready lessons of a Studio course folder or of a package.

Both give one :class:`ExportCourse`: the course details and, per lesson, the files on
disk and the checked chapters and transcript. A package comes from elsewhere, so it is
verified and extracted (``shared.package.extract_package``: every checksum, every
transcript and chapters file checked) into a temporary folder beside the output; a
course folder's edited lessons are rendered first (``studio.editing.package_source``),
as ``lectern-studio package`` does.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shared.chapters import Chapter, load_chapters
from shared.contents import parse_chapters, parse_transcript
from shared.errors import LecternError
from shared.jobs import ProgressState, stages
from shared.manifest import CourseInfo, LessonEntry, Manifest
from shared.package import SUFFIX, LessonSource, extract_package
from shared.transcription import Segment, Transcript
from shared.workspace import LessonWorkspace
from studio.course import COURSE_FILE, Course
from studio.editing import package_source

__all__ = ["ExportLesson", "ExportCourse", "NoReadyLessonError", "NotACourseError", "open_course"]


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


@dataclass(frozen=True)
class ExportLesson:
    """One lesson as the web player needs it.

    Attributes:
        id: unique slug within the course (the SCO's and the media folder's name).
        title: what learners see.
        duration: seconds.
        video: the main video file.
        poster: the picture shown before playing, if any.
        captions: ``(language, WebVTT file)`` pairs.
        chapters: the chapters, checked.
        segments: the transcript, checked.
    """

    id: str
    title: str
    duration: float
    video: Path
    poster: Path | None
    captions: tuple[tuple[str, Path], ...]
    chapters: tuple[Chapter, ...]
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class ExportCourse:
    """A course ready to export: its details and its ready lessons, in order."""

    info: CourseInfo
    lessons: tuple[ExportLesson, ...]


def _from_source(source: LessonSource) -> ExportLesson:
    chapters = tuple(load_chapters(source.chapters)) if source.chapters else ()
    segments = Transcript.load_json(source.transcript).segments if source.transcript else ()
    return ExportLesson(
        id=source.id,
        title=source.title,
        duration=source.duration,
        video=source.video,
        poster=source.poster,
        captions=tuple(source.captions),
        chapters=chapters,
        segments=segments,
    )


def _from_entry(root: Path, entry: LessonEntry) -> ExportLesson:
    def path(member: str) -> Path:
        return root.joinpath(*member.split("/"))

    chapters: tuple[Chapter, ...] = ()
    segments: tuple[Segment, ...] = ()
    if entry.chapters:
        chapters = parse_chapters(path(entry.chapters).read_bytes(), entry)
    if entry.transcript:
        segments = parse_transcript(path(entry.transcript).read_bytes(), entry).segments
    return ExportLesson(
        id=entry.id,
        title=entry.title,
        duration=entry.duration,
        video=path(entry.video),
        poster=path(entry.poster) if entry.poster else None,
        captions=tuple((track.language, path(track.path)) for track in entry.captions),
        chapters=chapters,
        segments=segments,
    )


def _package_course(package: Path, work: Path, state: ProgressState) -> ExportCourse:
    manifest: Manifest = extract_package(package, work / "package", state=state)
    lessons = tuple(_from_entry(work / "package", entry) for entry in manifest.lessons)
    if not lessons:
        raise NoReadyLessonError(package)
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


@contextlib.contextmanager
def open_course(source: Path, near: Path, state: ProgressState) -> Iterator[ExportCourse]:
    """The ready lessons of ``source`` (a course folder or a package) for one export.

    A package is extracted into a temporary folder beside ``near`` (the output), which
    is removed when the ``with`` block ends.

    Raises:
        NotACourseError: ``source`` is neither.
        NoReadyLessonError: it has no ready lesson.
        PackageError: the package is damaged or unsafe (a subclass saying how).
    """
    source = Path(source)
    if source.is_dir():
        if not (source / COURSE_FILE).is_file():
            raise NotACourseError(source)
        yield _folder_course(source, state)
        return
    if not source.is_file():
        raise NotACourseError(source)
    parent = Path(near).absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".lectern-export-", dir=parent))
    try:
        yield _package_course(source, work, state)
    finally:
        shutil.rmtree(work, ignore_errors=True)
