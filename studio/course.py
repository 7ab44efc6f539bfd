"""A course folder: ``course.json`` plus one lesson workspace per lesson (no Qt here).

``course.json`` holds the course details (id, title, author, description,
language, cover) and the order of the lesson folders. Lesson folders found beside it
but not listed are shown after the listed ones, so a folder copied in by hand
appears. A course folder looks like::

    course.json
    cover.png               the cover image, copied in by :meth:`Course.set_cover`
    intro/                  a lesson workspace (``lesson.json``, see shared.workspace)
    recordings/2024-09-02/  a recording (``recording.json``, see studio.capture.recording;
                            ``title.txt``: the lesson title the teacher gave it at Stop)
    .trash/intro/           a removed lesson, kept so the removal can be undone
    .trash/recordings/...   a removed recording, likewise

Courses live side by side under one output folder; :func:`list_courses` summarizes
them and :func:`new_course` starts another.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from shared.errors import LecternError
from shared.files import atomic_path, write_json_atomic, write_text_atomic
from shared.jobs import ProgressState, stages
from shared.manifest import CourseInfo, Manifest, new_course_id
from shared.media import extract_frame
from shared.package import write_package
from shared.signing import SigningKey
from shared.workspace import (
    LESSON_FILE,
    Lesson,
    LessonWorkspace,
    NotAWorkspaceError,
    load_lesson,
    slugify,
    utc_now,
)
from studio.capture.recording import JSON_NAME as RECORDING_FILE
from studio.capture.recording import load_recording, recording_in_progress
from studio.editing import has_edits, package_source
from studio.keys import author_key
from studio.pipeline import title_from_file_name

__all__ = [
    "COURSE_FILE",
    "RECORDINGS_DIR",
    "TRASH_DIR",
    "MAX_COVER_BYTES",
    "RECORDED",
    "PROCESSING",
    "READY",
    "EDITED",
    "Course",
    "CourseFileError",
    "CoverImageError",
    "LessonNotFoundError",
    "CourseSummary",
    "ExportRequest",
    "export_course",
    "list_courses",
    "new_course",
    "lesson_state",
    "first_chapter_picture",
    "lesson_thumbnail",
    "unbuilt_recordings",
    "RECORDING_TITLE_FILE",
    "recorded_screen",
    "recording_title",
    "recording_title_typed",
    "set_recording_title",
    "next_lesson_title",
    "title_from_window",
    "LANGUAGES",
    "is_language_tag",
]

COURSE_FILE = "course.json"
#: Where a course keeps its recordings, one folder each, beside its lesson folders.
RECORDINGS_DIR = "recordings"
#: The lesson title a recording was given when it stopped (plain UTF-8, one line).
RECORDING_TITLE_FILE = "title.txt"
#: Removed lessons are moved here (inside the course folder) instead of being deleted.
TRASH_DIR = ".trash"
#: A cover larger than this is refused: it is shown small and travels in every package.
MAX_COVER_BYTES = 20 * 1024 * 1024
_FORMAT = "lectern-course"
_COVER_STEM = "cover"
# The picture lesson_thumbnail() takes from a lesson's video when it has no chapter
# pictures; hidden, so nothing else mistakes it for part of the lesson.
_FRAME_FILE = ".thumbnail.jpg"
_IMAGE_TYPES = (  # magic bytes, suffix
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"\xff\xd8\xff", ".jpg"),
)

#: Common course and transcription languages: (BCP 47 tag, English name), by name.
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("ar", "Arabic"),
    ("zh", "Chinese"),
    ("cs", "Czech"),
    ("da", "Danish"),
    ("nl", "Dutch"),
    ("en", "English"),
    ("fi", "Finnish"),
    ("fr", "French"),
    ("de", "German"),
    ("el", "Greek"),
    ("he", "Hebrew"),
    ("hi", "Hindi"),
    ("hu", "Hungarian"),
    ("id", "Indonesian"),
    ("it", "Italian"),
    ("ja", "Japanese"),
    ("ko", "Korean"),
    ("no", "Norwegian"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("ro", "Romanian"),
    ("ru", "Russian"),
    ("es", "Spanish"),
    ("sv", "Swedish"),
    ("th", "Thai"),
    ("tr", "Turkish"),
    ("uk", "Ukrainian"),
    ("vi", "Vietnamese"),
)
# The package format's language pattern (resources/schema/manifest-1.schema.json).
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$")

#: A recording folder that has not been built into a lesson yet.
RECORDED = "recorded"
#: Being built or rendered (only the caller knows; :func:`lesson_state` never says so).
PROCESSING = "processing"
#: A built lesson without edits.
READY = "ready"
#: A built lesson the teacher has edited.
EDITED = "edited"


class CourseFileError(LecternError):
    """``course.json`` cannot be read or written, or a course folder cannot be changed."""


class CoverImageError(LecternError):
    """The chosen cover image cannot be used."""


class LessonNotFoundError(CourseFileError):
    """A lesson named in a request is not in the course."""

    def __init__(self, folder: Path, name: str) -> None:
        super().__init__(
            f"There is no lesson '{name}' in the course {folder}; refresh the lesson list "
            "and try again."
        )


@dataclass
class Course:
    """The course in ``folder``; change the details, then :meth:`save`."""

    folder: Path
    id: str
    title: str = "Untitled course"
    author: str = ""
    description: str = ""
    language: str = "en"
    lessons: list[str] = dataclasses.field(default_factory=list)
    cover: str | None = None

    @classmethod
    def open(cls, folder: str | Path) -> Course:
        """Open the course in ``folder``, creating the folder and ``course.json`` if needed."""
        folder = Path(folder)
        path = folder / COURSE_FILE
        if not path.exists():
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise CourseFileError(
                    f"The course folder {folder} cannot be created ({error.strerror}); "
                    "choose another folder."
                ) from error
            course = cls(folder, new_course_id(), title=folder.name or "Untitled course")
            course.save()
            return course
        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CourseFileError(
                f"{path} cannot be read ({error}); fix or delete it and open the folder again."
            ) from error
        if not isinstance(data, dict) or data.get("format", _FORMAT) != _FORMAT:
            raise CourseFileError(f"{path} is not a Lectern course file; choose another folder.")
        return cls(
            folder,
            str(data.get("id") or new_course_id()),
            title=str(data.get("title") or folder.name),
            author=str(data.get("author") or ""),
            description=str(data.get("description") or ""),
            language=str(data.get("language") or "en"),
            lessons=[str(name) for name in data.get("lessons") or []],
            cover=_cover_name(data.get("cover")),
        )

    def save(self) -> None:
        """Write ``course.json`` atomically.

        Raises:
            CourseFileError: the folder cannot be written.
        """
        data = {
            "format": _FORMAT,
            "id": self.id,
            "title": self.title,
            "author": self.author,
            "description": self.description,
            "language": self.language,
            "lessons": self.lessons,
            "cover": self.cover,
        }
        try:
            write_json_atomic(self.folder / COURSE_FILE, data)
        except OSError as error:
            raise CourseFileError(
                f"{self.folder / COURSE_FILE} cannot be written ({error}); "
                "check the folder is writable."
            ) from error

    def lesson_folders(self) -> list[Path]:
        """The lesson workspaces in course order."""

        def usable(path: Path) -> bool:
            return (path / LESSON_FILE).is_file()

        listed = [self.folder / name for name in dict.fromkeys(self.lessons)]
        try:
            entries = list(self.folder.iterdir())
        except OSError:
            entries = []
        # Hidden folders are the trash and half-written builds (shared.files.atomic_dir).
        found = sorted(
            p for p in entries if not p.name.startswith(".") and p not in listed and usable(p)
        )
        return [p for p in listed if usable(p)] + found

    def new_lesson_folder(self, video: Path) -> Path:
        """A free folder name for a lesson made from ``video`` (not created)."""
        return _free_folder(self.folder, slugify(video.stem), taken=self.lessons)

    def add_lesson(self, folder: Path) -> None:
        """Put the lesson folder ``folder`` last in the course order."""
        if folder.name not in self.lessons:
            self.lessons.append(folder.name)
            self.save()

    def move_lesson(self, lesson: str | Path, index: int) -> None:
        """Move a lesson to position ``index`` of the course order and save it.

        The saved order then names every lesson folder of the course, including ones
        found on disk but not listed before. ``index`` is clamped to
        the list, so a large number moves the lesson last.

        Args:
            lesson: the lesson folder, or its name.
            index: the new position, counted from 0 in the order after the move.

        Raises:
            LessonNotFoundError: the course has no such lesson.
            CourseFileError: ``course.json`` cannot be written.
        """
        name = Path(lesson).name
        order = [path.name for path in self.lesson_folders()]
        if name not in order:
            raise LessonNotFoundError(self.folder, name)
        order.remove(name)
        order.insert(max(0, min(index, len(order))), name)
        self.lessons = order
        self.save()

    def remove_lesson(self, folder: str | Path) -> Path:
        """Move a lesson (or recording) folder into the course's trash folder.

        A lesson also leaves the course order. Nothing is deleted: :meth:`restore_lesson`
        puts it back. The trash mirrors the course: ``.trash/intro``,
        ``.trash/recordings/2024-09-02``.

        Args:
            folder: a lesson folder of the course (or its name), or a recording folder
                in its ``recordings`` folder.

        Returns:
            Where the folder now is (numbered when the trash already holds that name).

        Raises:
            LessonNotFoundError: the course has no such lesson or recording.
            CourseFileError: the folder cannot be moved or ``course.json`` written.
        """
        source = Path(folder)
        if source.parent == Path("."):  # a bare name
            source = self.folder / source
        recording = source.parent == self.folder / RECORDINGS_DIR and source.is_dir()
        if not recording and source not in self.lesson_folders():
            raise LessonNotFoundError(self.folder, source.name)
        trash = self.folder / TRASH_DIR
        target = _free_folder(trash / source.parent.relative_to(self.folder), source.name)
        self._move(source, target)
        if source.name in self.lessons and not recording:
            self.lessons.remove(source.name)
            self.save()
        return target

    def restore_lesson(self, trashed: Path, index: int | None = None) -> Path:
        """Bring a folder back from the trash (the undo of :meth:`remove_lesson`).

        Args:
            trashed: the path :meth:`remove_lesson` returned.
            index: where a lesson goes in the course order; last when ``None``.

        Returns:
            The restored folder (numbered when its old name is taken meanwhile).

        Raises:
            LessonNotFoundError: ``trashed`` is not in this course's trash.
            CourseFileError: the folder cannot be moved or ``course.json`` written.
        """
        trashed = Path(trashed)
        trash = self.folder / TRASH_DIR
        if not trashed.is_dir() or trash not in trashed.parents:
            raise LessonNotFoundError(self.folder, trashed.name)
        parent = self.folder / trashed.parent.relative_to(trash)
        lesson = parent == self.folder
        target = _free_folder(parent, trashed.name, taken=self.lessons if lesson else ())
        self._move(trashed, target)
        if lesson:
            order = [path.name for path in self.lesson_folders() if path != target]
            order.insert(len(order) if index is None else max(0, index), target.name)
            self.lessons = order
            self.save()
        return target

    def _move(self, source: Path, target: Path) -> None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
        except OSError as error:
            raise CourseFileError(
                f"The folder {source} cannot be moved to {target.parent} "
                f"({error.strerror or error}); close programs using it and try again."
            ) from error

    # ------------------------------------------------------------------ cover

    @property
    def cover_path(self) -> Path | None:
        """The cover image file, or ``None`` when there is none (or it went missing)."""
        if not self.cover:
            return None
        path = self.folder / self.cover
        return path if path.is_file() else None

    @property
    def default_cover(self) -> Path | None:
        """The picture shown for a course with no cover of its own.

        The first slide's chapter picture: the first chapter picture of the first
        lesson (in course order) that has one, never a raw frame of the recording.
        ``None`` when no lesson has chapter pictures yet.
        """
        for folder in self.lesson_folders():
            picture = first_chapter_picture(folder)
            if picture is not None:
                return picture
        return None

    @property
    def shown_cover(self) -> Path | None:
        """The cover the course list and the package use: its own, else :attr:`default_cover`."""
        return self.cover_path or self.default_cover

    def set_cover(self, image: str | Path) -> Path:
        """Copy a PNG or JPEG image into the course folder as its cover, and save.

        The copy is named ``cover.png`` or ``cover.jpg`` after what the file really
        is (its first bytes), whatever its name says, and is written atomically.

        Returns:
            The cover file inside the course folder.

        Raises:
            CoverImageError: the file cannot be read, is not a PNG or JPEG image, or
                is larger than :data:`MAX_COVER_BYTES`.
            OutputNotWritableError, DiskFullError: the cover cannot be written.
            CourseFileError: ``course.json`` cannot be written.
        """
        image = Path(image)
        data = _read_image(image)
        suffix = next(suffix for magic, suffix in _IMAGE_TYPES if data.startswith(magic))
        name = _COVER_STEM + suffix
        with atomic_path(self.folder / name) as tmp:
            tmp.write_bytes(data)
        old = self.cover
        self.cover = name
        self.save()
        if old and old != name:
            with contextlib.suppress(OSError):
                (self.folder / old).unlink(missing_ok=True)
        return self.folder / name

    def clear_cover(self) -> None:
        """Remove the cover: delete its file in the course folder and save."""
        old, self.cover = self.cover, None
        self.save()
        if old:
            # course.json no longer names it, so a file that cannot be deleted does no harm.
            with contextlib.suppress(OSError):
                (self.folder / old).unlink(missing_ok=True)

    def info(self, lessons: list[tuple[Path, Lesson]]) -> CourseInfo:
        """The course as the package records it, dated by its newest lesson edit."""
        return CourseInfo(
            id=self.id,
            version=1,
            title=self.title.strip() or "Untitled course",
            description=self.description,
            author=self.author,
            language=self.language or "en",
            created=max((lesson.updated for _, lesson in lessons), default="") or utc_now(),
        )


@dataclass(frozen=True)
class ExportRequest:
    course: Course
    output: Path


def package_lessons(
    folders: Sequence[Path],
    output: Path,
    describe: Callable[[list[tuple[Path, Lesson]]], CourseInfo],
    *,
    cover: Path | None = None,
    signing_key: SigningKey | None = None,
    state: ProgressState,
    replace: bool = True,
) -> Manifest:
    """Write lesson folders into a course package (a long job).

    Edited lessons go in as rendered (``studio.editing.package_source``); two lessons
    with the same id get numbered ids. Each lesson goes in with its lasting ``uid``,
    made and kept in its ``lesson.json`` the first time if it has none (a copied
    lesson folder gets its own). ``describe`` makes the course details from the
    loaded lessons; ``signing_key`` signs the package. Used by the window's export
    and by ``lectern-studio package``. ``replace=False`` refuses an existing package
    file (``shared.files``). The cover must be a PNG or JPEG image
    (:class:`CoverImageError`).
    """
    if cover is not None:
        _read_image(Path(cover))  # a text file is no cover: refuse it before any work
    workspaces = [LessonWorkspace.open(folder) for folder in folders]
    uids: set[str] = set()
    for workspace in workspaces:
        uids.add(workspace.ensure_uid(taken=uids).uid)
    if not workspaces:
        raise CourseFileError("The course has no lessons yet; import a video first.")
    parts = stages(state, [1.0] * len(workspaces) + [1.0])
    ids = [workspace.lesson.id for workspace in workspaces]
    sources = []
    for index, workspace in enumerate(workspaces):
        lesson = workspace.lesson
        parts[index].set_status(f"Rendering the edits of '{lesson.title}'")
        # A render is a lesson folder of its own: the package names the lesson's identity.
        source = dataclasses.replace(package_source(workspace, state=parts[index]), uid=lesson.uid)
        if ids.count(lesson.id) > 1:  # two lessons with the same title: keep ids unique
            source = dataclasses.replace(source, id=f"{lesson.id}-{index + 1}")
        sources.append(source)
    parts[-1].set_status("Writing the course package")
    loaded = [(workspace.folder, workspace.lesson) for workspace in workspaces]
    return write_package(
        describe(loaded),
        sources,
        output,
        cover=cover,
        signing_key=signing_key,
        state=parts[-1],
        replace=replace,
    )


def export_course(request: ExportRequest, state: ProgressState) -> Manifest:
    """Render each edited lesson and write the course package, signed with the key of
    the course's author (made on first use; see :mod:`studio.keys`) (a long job)."""
    course = request.course
    key, _ = author_key(course.author)
    return package_lessons(
        course.lesson_folders(),
        request.output,
        course.info,
        cover=course.shown_cover,
        signing_key=key,
        state=state,
    )


# ------------------------------------------------------------------ courses


@dataclass(frozen=True)
class CourseSummary:
    """One course folder as the course list shows it.

    Attributes:
        folder: the course folder.
        title: the course title (the folder name when ``course.json`` is unreadable).
        lessons: how many lessons it holds.
        duration: the built lessons' total length in seconds (as built, before trims).
        updated: when ``course.json`` or a lesson in it last changed (UTC).
        cover: the cover image, if any.
        error: why the course cannot be opened, or ``None`` when it can.
    """

    folder: Path
    title: str
    lessons: int
    duration: float
    updated: datetime
    cover: Path | None = None
    error: str | None = None


def list_courses(root: str | Path) -> list[CourseSummary]:
    """The courses in the output folder ``root``, most recently changed first.

    A course is a folder directly under ``root`` that holds ``course.json``. A course
    whose ``course.json`` is damaged is still listed, with ``error`` saying why.
    A missing ``root`` has no courses.
    """
    root = Path(root)
    try:
        folders = [
            p for p in root.iterdir() if not p.name.startswith(".") and (p / COURSE_FILE).is_file()
        ]
    except OSError:
        return []
    summaries = [_summary(folder) for folder in folders]
    return sorted(summaries, key=lambda summary: (-summary.updated.timestamp(), summary.title))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _summary(folder: Path) -> CourseSummary:
    updated = _mtime(folder / COURSE_FILE)
    try:
        course = Course.open(folder)
    except CourseFileError as error:
        when = datetime.fromtimestamp(updated, timezone.utc)
        return CourseSummary(folder, folder.name, 0, 0.0, when, error=str(error))
    lessons = course.lesson_folders()
    duration = 0.0
    for lesson in lessons:
        updated = max(updated, _mtime(lesson / LESSON_FILE))
        try:
            duration += load_lesson(lesson).duration
        except LecternError:
            continue  # a damaged lesson has no known length
    return CourseSummary(
        folder,
        course.title,
        len(lessons),
        duration,
        datetime.fromtimestamp(updated, timezone.utc),
        cover=course.shown_cover,
    )


def new_course(root: str | Path, title: str) -> Course:
    """Start a course called ``title`` in a new folder under ``root``.

    The folder is named after the title (``"Earth Science"`` -> ``earth-science``),
    numbered when that name is taken.

    Raises:
        CourseFileError: the folder or its ``course.json`` cannot be created.
    """
    root = Path(root)
    title = title.strip() or "Untitled course"
    folder = _free_folder(root, slugify(title, fallback="course"))
    course = Course.open(folder)
    course.title = title
    course.save()
    return course


def _free_folder(parent: Path, name: str, taken: Sequence[str] = ()) -> Path:
    """``parent/name``, or ``parent/name-2``, ``-3``, ... when that exists or is taken."""
    folder, number = parent / name, 2
    while folder.exists() or folder.name in taken:
        folder, number = parent / f"{name}-{number}", number + 1
    return folder


# ------------------------------------------------------------------ lessons


def lesson_state(folder: str | Path | LessonWorkspace) -> str:
    """Where a lesson folder is: :data:`RECORDED`, :data:`READY` or :data:`EDITED`.

    A folder with ``lesson.json`` is a lesson (ready or edited); one with only
    ``recording.json`` is :data:`RECORDED`. Whether a lesson was already built from a
    recording is not this function's question (the lesson names its source).
    :data:`PROCESSING` is never returned: only the caller knows what it is building.

    Raises:
        NotAWorkspaceError: the folder is neither a lesson nor a recording.
        LecternError: the lesson or its edits cannot be read (a subclass saying why).
    """
    if isinstance(folder, LessonWorkspace):
        return EDITED if has_edits(folder) else READY
    folder = Path(folder)
    if (folder / LESSON_FILE).is_file():
        return EDITED if has_edits(folder) else READY
    if (folder / RECORDING_FILE).is_file():
        return RECORDED
    raise NotAWorkspaceError(folder)


def first_chapter_picture(folder: str | Path) -> Path | None:
    """The first slide's chapter picture of a lesson folder (the build's ``thumbs/``).

    ``None`` when the folder is no readable lesson or has no chapter picture on disk.
    """
    folder = Path(folder)
    try:
        lesson = load_lesson(folder)
    except LecternError:
        return None
    for name in lesson.thumbnails:
        if name and (folder / name).is_file():
            return folder / name
    return None


def lesson_thumbnail(folder: str | Path) -> Path | None:
    """A picture for a lesson or recording folder in the lesson list.

    A poster the teacher chose, else the first slide's chapter picture
    (:func:`first_chapter_picture`), else the lesson's poster; only a folder with none
    of these (a recording not built yet) gets a frame from its video, saved once as a
    small hidden JPEG in the folder (this runs ffmpeg, so it can take a moment the
    first time). ``None`` when there is no picture to be had (no video yet, or one
    that cannot be read).
    """
    folder = Path(folder)
    try:
        lesson = load_lesson(folder)
    except NotAWorkspaceError:
        videos = [folder / name for name in ("main.mkv", "screen-000.mkv", "camera-000.mkv")]
    except LecternError:
        return None
    else:
        chosen = lesson.poster if lesson.poster not in lesson.thumbnails else None
        for name in (chosen, *lesson.thumbnails, lesson.poster):
            if name and (folder / name).is_file():
                return folder / name
        videos = [folder / lesson.video]
    video = next((path for path in videos if path.is_file()), None)
    if video is None:
        return None
    frame = folder / _FRAME_FILE
    if frame.is_file() and _mtime(frame) >= _mtime(video):
        return frame
    try:
        return extract_frame(video, 1.0, frame)
    except LecternError:
        return None


def is_language_tag(text: str) -> bool:
    """Whether ``text`` is a language tag a course package accepts (``en``, ``pt-BR``)."""
    return bool(_LANGUAGE_TAG.match(text))


def _cover_name(value: Any) -> str | None:
    """The cover file named in ``course.json``, if it is a plain file name we wrote."""
    if not isinstance(value, str):
        return None
    return value if value in {_COVER_STEM + suffix for _, suffix in _IMAGE_TYPES} else None


def _read_image(image: Path) -> bytes:
    try:
        size = image.stat().st_size
        if size > MAX_COVER_BYTES:
            raise CoverImageError(
                f"{image} is {size / 1e6:.0f} MB; choose a cover image smaller than "
                f"{MAX_COVER_BYTES // (1024 * 1024)} MB."
            )
        data = image.read_bytes()
    except CoverImageError:
        raise
    except IsADirectoryError:
        raise CoverImageError(f"{image} is a folder; choose a PNG or JPEG image.") from None
    except OSError as error:
        raise CoverImageError(
            f"The image {image} cannot be read ({error.strerror or error}); "
            "choose another PNG or JPEG file."
        ) from None
    if not any(data.startswith(magic) for magic, _ in _IMAGE_TYPES):
        raise CoverImageError(
            f"{image} is not a PNG or JPEG image; choose a .png or .jpg file for the cover."
        )
    return data


def unbuilt_recordings(course: Course) -> list[tuple[Path, bool]]:
    """The course's recordings no lesson was built from, oldest first.

    Returns:
        ``(recording folder, interrupted)`` pairs; ``interrupted`` is true when the
        recorder stopped without finishing (a crash or a killed process) and no other
        process is recording it now.
    """
    root = course.folder / RECORDINGS_DIR
    if not root.is_dir():
        return []
    built = set()
    for folder in course.lesson_folders():
        try:
            built.add(Path(load_lesson(folder).source).parent)
        except LecternError:
            continue
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if folder.resolve() in built:
            continue
        try:
            data = load_recording(folder)
        except LecternError:
            continue
        if data.get("state") == "finished":
            found.append((folder, False))
        elif data.get("state") in ("recording", "stopped") and not recording_in_progress(data):
            found.append((folder, True))
    return found


def recording_title(folder: str | Path) -> str | None:
    """The title the teacher gave the recording in ``folder`` at Stop, or ``None``."""
    lines = _recording_title_lines(folder)
    return lines[0] if lines else None


def recording_title_typed(folder: str | Path) -> bool:
    """Whether the teacher typed the title of the recording in ``folder``.

    ``False`` when there is no title or it is the Studio's own suggestion, kept as it
    was: the build may then name the lesson better (after its first slide). A title
    kept before suggestions were marked counts as typed, so it is never replaced.
    """
    lines = _recording_title_lines(folder)
    return bool(lines) and _SUGGESTED not in lines[1:]


def set_recording_title(folder: str | Path, title: str, *, typed: bool = True) -> None:
    """Keep ``title`` for the lesson built from the recording in ``folder``.

    ``typed=False`` marks it as a suggestion the teacher did not type (see
    :func:`recording_title_typed`). Blank titles are not kept (the lesson then gets
    the course's next name).
    """
    title = " ".join(title.split())
    if title:
        mark = "" if typed else _SUGGESTED + "\n"
        write_text_atomic(Path(folder) / RECORDING_TITLE_FILE, title + "\n" + mark)


_SUGGESTED = "(suggested)"


def recorded_screen(folder: str | Path) -> bool:
    """Whether the recording in ``folder`` has a screen picture (slides to name it by)."""
    try:
        return bool(load_recording(folder).get("sources", {}).get("screen"))
    except LecternError:
        return False


def _recording_title_lines(folder: str | Path) -> list[str]:
    try:
        text = (Path(folder) / RECORDING_TITLE_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return []
    return [line.strip() for line in text.splitlines()] if text else []


_NUMBERED = re.compile(r"^(?P<word>[^\W\d_]+(?: [^\W\d_]+)?) (?P<number>\d+)\b")


def next_lesson_title(titles: Sequence[str]) -> str:
    """The name the next lesson of a course whose lessons are ``titles`` would have.

    A course numbering its lessons ("Week 1: Waves", "Week 2: Sound") goes on with
    the same word and the next number ("Week 3"); otherwise it is "Lesson N", N one
    more than the lessons there are.
    """
    numbered = [m for m in (_NUMBERED.match(t.strip()) for t in titles) if m]
    if numbered:
        word = numbered[-1]["word"]
        last = max(int(m["number"]) for m in numbered if m["word"] == word)
        return f"{word} {last + 1}"
    return f"Lesson {len(titles) + 1}"


_APP_SUFFIX = re.compile(r"\s+[-\u2013\u2014|]\s+[^-\u2013\u2014|]+$")
_FILE_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9]{1,4}$")


def title_from_window(name: str, *, documents_only: bool = False) -> str:
    """A lesson title from the title of the window recorded, or ``""``.

    Programs name their windows "document - program" ("Photosynthesis.odp -
    LibreOffice Impress"): the program's name, the file's extension and an unsaved
    mark go ("Photosynthesis"). With ``documents_only`` a title without a program's
    name after the document's ("Mozilla Firefox") gives ``""``: for a window that was
    only in the picture, not chosen, its name alone says nothing about the lesson.
    """
    text = name.strip().lstrip("*").strip()
    if _APP_SUFFIX.search(text) and _APP_SUFFIX.sub("", text).strip():
        text = _APP_SUFFIX.sub("", text).strip()
    elif documents_only:
        return ""
    text = _FILE_EXTENSION.sub("", text)
    if not text:
        return ""
    return title_from_file_name(text) if "_" in text or " " not in text else text
