"""The self-contained web player and the course data it plays.

The player is four static files (``resources/webplayer/``): ``index.html``,
``player.css``, ``player.js`` and ``lms.js``. The export adds ``course.js``, which sets
``window.LECTERN_COURSE`` to the course as JSON, and each lesson's media under
``media/<lesson-id>/``. The data is a script rather than a JSON file because a page
opened from ``file://`` may not fetch files beside it, while it may load scripts; for
the same reason the captions and chapters travel inside it and become ``<track>``
elements with ``data:`` URLs.

The JSON is written with every non-ASCII character and ``<``, ``>``, ``&`` escaped,
so no course text can end the script or be read as markup, whatever it holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lectern_resources
from shared.captions import Cue, vtt_text
from shared.chapters import chapter_cues
from shared.library.settings import SETTINGS as LIBRARY_SETTINGS
from studio.course import LANGUAGES
from studio.export.sources import ExportCourse, ExportLesson, Media

__all__ = ["PLAYER_FILES", "COMPLETION_THRESHOLD", "MediaFile", "player_files", "course_script"]

#: The static files of the player, copied into every export.
PLAYER_FILES = ("index.html", "player.css", "player.js", "lms.js")
#: The share watched that completes a lesson: the Player's own default.
COMPLETION_THRESHOLD: float = LIBRARY_SETTINGS["completion_threshold"].default
_LANGUAGE_NAMES = dict(LANGUAGES)


@dataclass(frozen=True)
class MediaFile:
    """A media file of the export: ``member`` is its path inside the export."""

    member: str
    source: Media


def _player_dir() -> Path:
    return Path(lectern_resources.__file__).parent / "webplayer"


def player_files(mode: str) -> dict[str, bytes]:
    """The static player files for ``mode``, by name.

    ``index.html`` allows no network connection at all (``connect-src 'none'``) except
    for cmi5, whose lessons talk to the LRS their launch URL names.
    """
    folder = _player_dir()
    files = {name: (folder / name).read_bytes() for name in PLAYER_FILES}
    connect = "*" if mode == "cmi5" else "'none'"
    files["index.html"] = files["index.html"].replace(b"{{CONNECT_SRC}}", connect.encode())
    return files


def _suffix(media: Media, default: str) -> str:
    suffix = media.suffix.lower()
    return suffix if suffix.isascii() and suffix[1:].isalnum() and len(suffix) <= 6 else default


def lesson_media(lesson: ExportLesson) -> list[MediaFile]:
    """The files of one lesson the export copies: the video and its poster."""
    base = f"media/{lesson.id}"
    files = [MediaFile(f"{base}/video{_suffix(lesson.video, '.mp4')}", lesson.video)]
    if lesson.poster is not None:
        files.append(MediaFile(f"{base}/poster{_suffix(lesson.poster, '.jpg')}", lesson.poster))
    return files


def _caption_text(data: bytes) -> str | None:
    """A caption file's WebVTT text, or ``None`` when it is not a WebVTT file.

    The text goes to the browser's own WebVTT parser, which renders cue text as text
    (its few tags are styling, never HTML).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return text if text.startswith("WEBVTT") else None


def _lesson_data(lesson: ExportLesson) -> dict[str, Any]:
    media = lesson_media(lesson)
    captions = []
    for language, data in lesson.captions:
        text = _caption_text(data)
        if text is not None:
            label = _LANGUAGE_NAMES.get(language.split("-")[0], language)
            captions.append({"language": language, "label": label, "vtt": text})
    chapter_track = [Cue(start, end, title) for start, end, title in chapter_cues(lesson.chapters)]
    return {
        "id": lesson.id,
        "title": lesson.title,
        "duration": lesson.duration,
        "video": media[0].member,
        "poster": media[1].member if len(media) > 1 else None,
        "captions": captions,
        "chapters": [{"start": c.start, "end": c.end, "title": c.title} for c in lesson.chapters],
        "chapters_vtt": vtt_text(chapter_track, kind="chapters") if chapter_track else None,
        "transcript": [
            {"start": s.start, "end": s.end, "text": s.text.strip()} for s in lesson.segments
        ],
    }


def script_json(data: Any) -> str:
    """``data`` as JSON that is safe inside a script: ASCII only, no ``<``, ``>`` or ``&``."""
    text = json.dumps(data, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def course_script(course: ExportCourse, mode: str, lessons: tuple[ExportLesson, ...]) -> bytes:
    """``course.js``: the course and its lessons for the player, as one script."""
    info = course.info
    data = {
        "format": 1,
        "mode": mode,
        "completion_threshold": COMPLETION_THRESHOLD,
        "course": {
            "id": info.id,
            "title": info.title,
            "author": info.author,
            "description": info.description,
            "language": info.language,
        },
        "lessons": [_lesson_data(lesson) for lesson in lessons],
    }
    return f"window.LECTERN_COURSE = {script_json(data)};\n".encode("ascii")
