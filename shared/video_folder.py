"""A plain folder of lecture videos, with matching caption files, as a course of its own.

A learner who has a folder of MP4s and subtitle files (``week1.mp4`` with ``week1.srt``
or ``week1.en.vtt``) gets it into the Player as one course: :func:`write_folder_package`
turns the folder into an ordinary, unsigned ``.lectern`` package, which the library
then imports like any other (so it is verified, indexed and searchable the same way).

- Each file the media probe finds a video stream in is a lesson, in natural name order
  (``week2`` before ``week10``), titled by its file name; the video is taken as it is
  (no re-encoding).
- A caption file with the video's name (``NAME.vtt``, ``NAME.srt``, or
  ``NAME.LANG.vtt``/``.srt``) is read with :mod:`shared.caption_import` (encodings,
  styling, sloppy timings) and becomes the lesson's captions and searchable transcript.
- The course says where it came from: its author is "Lectern Player" and its
  description names the folder and says it is not a teacher's package.
- A folder with no playable video is refused in one sentence.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from shared.caption_import import CAPTION_SUFFIXES, import_captions
from shared.captions import Cue, write_vtt
from shared.errors import LecternError
from shared.jobs import ProgressState, stages
from shared.manifest import CourseInfo, Manifest
from shared.media import MediaError, probe
from shared.package import LessonSource, write_package

__all__ = [
    "VIDEO_SUFFIXES",
    "FOLDER_AUTHOR",
    "NoPlayableVideoError",
    "FolderLesson",
    "find_lessons",
    "write_folder_package",
]

#: The file endings looked at as videos.
VIDEO_SUFFIXES = (".mp4", ".m4v", ".mkv", ".webm", ".mov", ".avi", ".ogv")
#: The author of a course made from a folder: what the library shows for it.
FOLDER_AUTHOR = "Lectern Player"
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})?$")


class NoPlayableVideoError(LecternError):
    """The folder holds no video that can be played."""

    def __init__(self, folder: Path, skipped: int) -> None:
        found = f"; {skipped} file(s) with a video ending could not be read" if skipped else ""
        super().__init__(
            f"The folder {folder} holds no video Lectern can play (looked for "
            f"{', '.join(VIDEO_SUFFIXES)}{found}); choose the folder with the lecture videos."
        )


@dataclass(frozen=True)
class FolderLesson:
    """One video of the folder, with its caption file if it has one."""

    video: Path
    title: str
    duration: float
    captions: Path | None
    language: str


def _natural(name: str) -> list[object]:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def _captions_for(video: Path, names: dict[str, Path]) -> tuple[Path | None, str]:
    stem = video.stem.lower()
    for suffix in CAPTION_SUFFIXES:
        if (found := names.get(stem + suffix)) is not None:
            return found, "en"
    for name, path in sorted(names.items()):
        head, _, rest = name.partition(stem + ".")
        if head or not rest:
            continue
        language, suffix = os.path.splitext(rest)
        if suffix in CAPTION_SUFFIXES and _LANGUAGE.match(language):
            return path, language
    return None, "en"


def find_lessons(folder: str | os.PathLike[str]) -> list[FolderLesson]:
    """The playable videos of ``folder`` (not its subfolders) and their caption files.

    Raises:
        NoPlayableVideoError: there is none.
    """
    folder = Path(folder)
    try:
        files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    except OSError as error:
        raise LecternError(
            f"The folder {folder} cannot be read ({error.strerror}); check it exists."
        ) from None
    names = {p.name.lower(): p for p in files}
    lessons, skipped = [], 0
    for path in sorted(files, key=lambda p: _natural(p.name)):
        if path.suffix.lower() not in VIDEO_SUFFIXES:
            continue
        try:
            info = probe(path)
        except MediaError:
            skipped += 1
            continue
        if not info.has_video or info.duration <= 0:
            skipped += 1
            continue
        captions, language = _captions_for(path, names)
        # The file name, as the learner named and ordered the files (two downloads of
        # one series often share their container title).
        title = path.stem.replace("_", " ").strip() or path.stem
        lessons.append(FolderLesson(path, title[:500], info.duration, captions, language))
    if not lessons:
        raise NoPlayableVideoError(folder, skipped)
    return lessons


def _source(
    index: int, lesson: FolderLesson, work: Path, warn: Callable[[str], None]
) -> LessonSource:
    lesson_id = f"video-{index + 1:03d}"
    transcript = captions = None
    if lesson.captions is not None:
        imported = import_captions(lesson.captions, lesson.duration, language=lesson.language)
        for warning in imported.warnings:
            warn(warning)
        transcript = work / f"{lesson_id}.json"
        transcript.write_text(json.dumps(imported.transcript.to_dict()), encoding="utf-8")
        captions = work / f"{lesson_id}.vtt"
        write_vtt([Cue(s.start, s.end, s.text) for s in imported.transcript.segments], captions)
    return LessonSource(
        id=lesson_id,
        title=lesson.title,
        duration=lesson.duration,
        video=lesson.video,
        captions=((lesson.language, captions),) if captions is not None else (),
        transcript=transcript,
    )


def write_folder_package(
    folder: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    state: ProgressState | None = None,
    warn: Callable[[str], None] = lambda text: None,
) -> Manifest:
    """Write the videos of ``folder`` as one unsigned course package at ``out``.

    The course id comes from the folder's full path, so the same folder is the same
    course; its version from the newest video's time, so a folder with new videos is
    a newer version of it.

    Raises:
        NoPlayableVideoError: the folder holds no playable video.
        CaptionFileError: a caption file beside a video cannot be used.
        PackageError, DiskFullError: the package cannot be written.
    """
    folder = Path(folder).resolve()
    lessons = find_lessons(folder)
    newest = max(lesson.video.stat().st_mtime for lesson in lessons)
    digest = hashlib.sha256(str(folder).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    info = CourseInfo(
        id=f"folder-{digest}",
        version=max(1, int(newest)),
        title=(folder.name or str(folder))[:500],
        description=(
            f"Made by Lectern Player from the videos in the folder {folder}; "
            "not a course package from a teacher."
        )[:5000],
        author=FOLDER_AUTHOR,
        language=lessons[0].language,
        created=datetime.fromtimestamp(newest, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    with tempfile.TemporaryDirectory(prefix="lectern-folder-") as tmp:
        sources = [_source(i, lesson, Path(tmp), warn) for i, lesson in enumerate(lessons)]
        parts = stages(state, [1.0]) if state is not None else [None]
        return write_package(info, sources, out, state=parts[0])
