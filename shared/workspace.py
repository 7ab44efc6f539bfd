"""The lesson workspace: the studio's editable folder for one lesson.

A workspace is a folder with ``lesson.json`` plus the lesson's media and derived
files (normalized video, transcript, captions, chapters, thumbnails). The build
pipeline creates it; recording and editing write into it; packaging reads it.
Every path inside ``lesson.json`` is relative to the folder, so a workspace can be
moved or copied as a whole.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from shared.errors import LecternError
from shared.files import write_json_atomic
from shared.package import LessonSource

__all__ = [
    "LESSON_FILE",
    "WORKSPACE_VERSION",
    "Lesson",
    "WorkspaceError",
    "NotAWorkspaceError",
    "is_lesson_folder",
    "load_lesson",
    "save_lesson",
    "lesson_source",
    "slugify",
    "utc_now",
]

LESSON_FILE = "lesson.json"
WORKSPACE_VERSION = 1


class WorkspaceError(LecternError):
    """A lesson workspace cannot be used."""


class NotAWorkspaceError(WorkspaceError):
    """The folder is not a lesson workspace."""

    def __init__(self, folder: Path) -> None:
        super().__init__(
            f"{folder} is not a Lectern lesson folder (no {LESSON_FILE}); "
            "create one with `lectern-studio build VIDEO -o FOLDER`."
        )


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string with seconds."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def slugify(text: str, *, fallback: str = "lesson") -> str:
    """A short lowercase ASCII id made from ``text`` (``"Intro: Part 1"`` -> ``"intro-part-1"``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:48].strip("-")
    if slug in _RESERVED_NAMES:  # Windows device names are not valid file names
        slug = f"{slug}-{fallback}"
    return slug or fallback


_RESERVED_NAMES = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


@dataclass(frozen=True)
class Lesson:
    """What ``lesson.json`` holds. Paths are relative to the workspace folder."""

    id: str
    title: str
    duration: float
    video: str
    language: str = "en"
    presenter_video: str | None = None
    transcript: str | None = None
    captions: dict[str, str] = field(default_factory=dict)
    chapters: str | None = None
    chapters_vtt: str | None = None
    thumbnails: tuple[str, ...] = ()
    poster: str | None = None
    source: str = ""
    engine: str = ""
    model: str = ""
    warnings: tuple[str, ...] = ()
    created: str = ""
    updated: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["thumbnails"] = list(self.thumbnails)
        data["warnings"] = list(self.warnings)
        return {"format": "lectern-lesson", "version": WORKSPACE_VERSION, **data}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Lesson:
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        values["thumbnails"] = tuple(values.get("thumbnails") or ())
        values["warnings"] = tuple(values.get("warnings") or ())
        values["captions"] = dict(values.get("captions") or {})
        return cls(**values)


def load_lesson(folder: str | Path) -> Lesson:
    """Read ``lesson.json`` of a workspace and check that the files it names exist.

    Raises:
        NotAWorkspaceError: the folder has no ``lesson.json``.
        WorkspaceError: ``lesson.json`` is unreadable, from a newer Lectern, or names
            a file that is missing.
    """
    folder = Path(folder)
    path = folder / LESSON_FILE
    if not path.is_file():
        raise NotAWorkspaceError(folder)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != "lectern-lesson":
            raise ValueError("not a lesson file")
        if int(data.get("version", 0)) > WORKSPACE_VERSION:
            raise WorkspaceError(
                f"{path} was made by a newer Lectern (lesson version {data['version']}); "
                "update Lectern to open it."
            )
        lesson = Lesson.from_dict(data)
    except WorkspaceError:
        raise
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise WorkspaceError(
            f"{path} is damaged ({error}); rebuild the lesson with `lectern-studio build`."
        ) from error
    for name in _referenced_files(lesson):
        if not (folder / name).is_file():
            raise WorkspaceError(
                f"The lesson in {folder} is missing its file {name}; "
                "rebuild it with `lectern-studio build`."
            )
    return lesson


def is_lesson_folder(folder: str | Path) -> bool:
    """Whether ``folder`` is a lesson workspace Lectern made (its ``lesson.json`` says so)."""
    try:
        data = json.loads((Path(folder) / LESSON_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("format") == "lectern-lesson"


def save_lesson(folder: str | Path, lesson: Lesson) -> Path:
    """Write ``lesson.json`` atomically, stamping ``updated``."""
    lesson = dataclasses.replace(lesson, updated=utc_now(), created=lesson.created or utc_now())
    return write_json_atomic(Path(folder) / LESSON_FILE, lesson.to_dict())


def lesson_source(folder: str | Path, lesson: Lesson | None = None) -> LessonSource:
    """What the package writer needs to take this lesson into a course package."""
    folder = Path(folder).resolve()
    lesson = lesson or load_lesson(folder)

    def opt(name: str | None) -> Path | None:
        return folder / name if name else None

    return LessonSource(
        id=lesson.id,
        title=lesson.title,
        duration=lesson.duration,
        video=folder / lesson.video,
        presenter_video=opt(lesson.presenter_video),
        captions=tuple((lang, folder / name) for lang, name in sorted(lesson.captions.items())),
        transcript=opt(lesson.transcript),
        chapters=opt(lesson.chapters),
        chapters_vtt=opt(lesson.chapters_vtt),
        thumbnails=tuple(folder / name for name in lesson.thumbnails),
        poster=opt(lesson.poster),
    )


def _referenced_files(lesson: Lesson) -> list[str]:
    names = [lesson.video, lesson.presenter_video, lesson.transcript, lesson.chapters]
    names += [lesson.chapters_vtt, lesson.poster, *lesson.captions.values(), *lesson.thumbnails]
    return [name for name in names if name]
