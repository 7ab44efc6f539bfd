"""A course folder: ``course.json`` plus one lesson workspace per lesson (no Qt here).

``course.json`` holds the course details (id, title, author, description,
language) and the order of the lesson folders. Lesson folders found beside it but
not listed are shown after the listed ones, so a folder copied in by hand appears.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.errors import LecternError
from shared.files import write_json_atomic
from shared.jobs import ProgressState, stages
from shared.manifest import CourseInfo, Manifest, new_course_id
from shared.package import write_package
from shared.workspace import LESSON_FILE, Lesson, load_lesson, slugify, utc_now
from studio.editing import package_source

__all__ = ["COURSE_FILE", "Course", "CourseFileError", "ExportRequest", "export_course"]

COURSE_FILE = "course.json"
_FORMAT = "lectern-course"


class CourseFileError(LecternError):
    """``course.json`` cannot be read or written."""


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
        )

    def save(self) -> None:
        data = {
            "format": _FORMAT,
            "id": self.id,
            "title": self.title,
            "author": self.author,
            "description": self.description,
            "language": self.language,
            "lessons": self.lessons,
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
        listed = [self.folder / name for name in self.lessons]
        found = sorted(
            p for p in self.folder.iterdir() if (p / LESSON_FILE).is_file() and p not in listed
        )
        return [p for p in listed if (p / LESSON_FILE).is_file()] + found

    def new_lesson_folder(self, video: Path) -> Path:
        """A free folder name for a lesson made from ``video`` (not created)."""
        base = slugify(video.stem)
        folder, number = self.folder / base, 2
        while folder.exists() or folder.name in self.lessons:
            folder, number = self.folder / f"{base}-{number}", number + 1
        return folder

    def add_lesson(self, folder: Path) -> None:
        if folder.name not in self.lessons:
            self.lessons.append(folder.name)
            self.save()

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
    state: ProgressState,
) -> Manifest:
    """Write lesson folders into a course package (a long job).

    Edited lessons go in as rendered (``studio.editing.package_source``); two lessons
    with the same id get numbered ids. ``describe`` makes the course details from the
    loaded lessons. Used by the window's export and by ``lectern-studio package``.
    """
    loaded = [(folder, load_lesson(folder)) for folder in folders]
    if not loaded:
        raise CourseFileError("The course has no lessons yet; import a video first.")
    parts = stages(state, [1.0] * len(loaded) + [1.0])
    ids = [lesson.id for _, lesson in loaded]
    sources = []
    for index, (folder, lesson) in enumerate(loaded):
        parts[index].set_status(f"Rendering the edits of '{lesson.title}'")
        source = package_source(folder, lesson, state=parts[index])
        if ids.count(lesson.id) > 1:  # two lessons with the same title: keep ids unique
            source = dataclasses.replace(source, id=f"{lesson.id}-{index + 1}")
        sources.append(source)
    parts[-1].set_status("Writing the course package")
    return write_package(describe(loaded), sources, output, cover=cover, state=parts[-1])


def export_course(request: ExportRequest, state: ProgressState) -> Manifest:
    """Render each edited lesson and write the course package (a long job)."""
    return package_lessons(
        request.course.lesson_folders(), request.output, request.course.info, state=state
    )
