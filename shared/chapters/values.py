"""Chapter values: the :class:`Chapter` type, merging, WebVTT cues and chapters files.

Plain data with no video code, so reading a lesson's chapters (the Player does) loads
neither OpenCV nor PyAV. Times are seconds (float) from the first frame of the video.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from shared.errors import LecternError
from shared.files import write_json_atomic

__all__ = [
    "Chapter",
    "ChapterDetectionError",
    "ChapterFileError",
    "TimedText",
    "merge_chapters",
    "chapter_cues",
    "save_chapters",
    "load_chapters",
]

SOURCES = ("detected", "manual")
MERGE_MODES = ("extend", "replace")
MERGE_TOLERANCE = 2.0
"""A detected chapter this close (seconds) to a manual one is the same chapter."""


class ChapterDetectionError(LecternError):
    """The video cannot be read for slide-change detection."""

    def __init__(self, path: object, reason: str = "", doing: str = "find slide changes") -> None:
        detail = f" ({reason})" if reason else ""
        super().__init__(
            f"Cannot read the video {path} to {doing}{detail}; check that the file is a "
            "complete, playable video and try again."
        )


class ChapterFileError(LecternError):
    """A chapters file is missing or is not a valid chapters file."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(
            f"Cannot load chapters from {path} ({reason}); choose a chapters file saved by "
            "Lectern or detect the chapters again."
        )


@dataclass(frozen=True)
class Chapter:
    """One chapter of a lecture video.

    Attributes:
        start: start time in seconds from the beginning of the video.
        end: end time in seconds (not before ``start``).
        title: the chapter title shown to learners.
        thumbnail: file name of the chapter's picture, relative to the chapters file,
            or ``None``.
        source: ``"detected"`` (found from slide changes) or ``"manual"`` (set by a teacher).
    """

    start: float
    end: float
    title: str
    thumbnail: str | None = None
    source: str = "detected"

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", float(self.start))
        object.__setattr__(self, "end", float(self.end))
        if not (math.isfinite(self.start) and math.isfinite(self.end)):
            raise ValueError(f"chapter times must be finite, got {self.start}..{self.end}")
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"chapter must have 0 <= start <= end, got {self.start}..{self.end}")
        if self.source not in SOURCES:
            raise ValueError(f"chapter source must be one of {SOURCES}, got {self.source!r}")

    @property
    def duration(self) -> float:
        """Length of the chapter in seconds."""
        return self.end - self.start

    def to_dict(self) -> dict[str, Any]:
        """The chapter as a JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chapter:
        """Build a chapter from :meth:`to_dict` output.

        Raises:
            ValueError: a field is missing or has the wrong type or value.
        """
        if not isinstance(data, dict):
            raise ValueError(f"a chapter must be an object, got {type(data).__name__}")
        try:
            start, end, title = data["start"], data["end"], data["title"]
        except KeyError as error:
            raise ValueError(f"a chapter is missing {error.args[0]!r}") from None
        thumbnail = data.get("thumbnail")
        source = data.get("source", "detected")
        for name, value in (("start", start), ("end", end)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"chapter {name} must be a number, got {value!r}")
        if not isinstance(title, str):
            raise ValueError(f"chapter title must be text, got {title!r}")
        if thumbnail is not None and not isinstance(thumbnail, str):
            raise ValueError(f"chapter thumbnail must be a file name, got {thumbnail!r}")
        if not isinstance(source, str):
            raise ValueError(f"chapter source must be text, got {source!r}")
        return cls(float(start), float(end), title, thumbnail, source)


class TimedText(Protocol):
    """Anything with a time span and text, such as a transcript segment."""

    @property
    def start(self) -> float: ...

    @property
    def end(self) -> float: ...

    @property
    def text(self) -> str: ...


def _contiguous(chapters: list[Chapter], total: float) -> list[Chapter]:
    """Sort, drop same-start duplicates (first wins) and make each end the next start."""
    ordered: list[Chapter] = []
    for chapter in sorted(chapters, key=lambda c: c.start):
        if not ordered or chapter.start > ordered[-1].start:
            ordered.append(chapter)
    if not ordered:
        return []
    ends = [c.start for c in ordered[1:]] + [max(total, ordered[-1].start)]
    return [replace(c, end=end) for c, end in zip(ordered, ends, strict=True)]


def merge_chapters(
    detected: Sequence[Chapter], manual: Sequence[Chapter], *, mode: str = "extend"
) -> list[Chapter]:
    """Combine detected chapters with chapters a teacher set by hand.

    Args:
        detected: chapters from slide-change detection.
        manual: chapters the teacher set; these always survive.
        mode: ``"replace"`` keeps only the manual chapters; ``"extend"`` keeps the
            manual ones plus every detected one that starts more than 2 s from any
            manual start.

    Returns:
        Chapters sorted by start and contiguous: each ends where the next starts, the
        last at the latest end among all the given chapters. Starts are kept as given.

    Raises:
        ValueError: ``mode`` is neither ``"extend"`` nor ``"replace"``.
    """
    if mode not in MERGE_MODES:
        raise ValueError(f"merge mode must be one of {MERGE_MODES}, got {mode!r}")
    total = max((c.end for c in [*detected, *manual]), default=0.0)
    chosen = list(manual)
    if mode == "extend":
        chosen += [
            d for d in detected if all(abs(d.start - m.start) > MERGE_TOLERANCE for m in manual)
        ]
    return _contiguous(chosen, total)


def chapter_cues(chapters: Sequence[Chapter]) -> list[tuple[float, float, str]]:
    """``(start, end, title)`` for each chapter with a length, for a WebVTT chapters track."""
    return [(c.start, c.end, c.title) for c in chapters if c.end > c.start]


def save_chapters(
    chapters: Sequence[Chapter], path: str | os.PathLike[str], *, replace: bool = True
) -> Path:
    """Write ``{"chapters": [...]}`` JSON to ``path`` atomically and return the path.

    ``replace=False`` refuses an existing file (``shared.files.OutputExistsError``).
    """
    return write_json_atomic(path, {"chapters": [c.to_dict() for c in chapters]}, replace=replace)


def load_chapters(path: str | os.PathLike[str]) -> list[Chapter]:
    """Read a chapters file written by :func:`save_chapters`.

    Raises:
        ChapterFileError: the file is missing, unreadable or not a chapters file.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ChapterFileError(path, "the file does not exist") from None
    except OSError as error:
        raise ChapterFileError(path, error.strerror or "it cannot be read") from error
    except ValueError:
        raise ChapterFileError(path, "it is not valid JSON") from None
    items = data.get("chapters") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ChapterFileError(path, 'it has no "chapters" list')
    chapters = []
    for number, item in enumerate(items, start=1):
        try:
            chapters.append(Chapter.from_dict(item))
        except ValueError as error:
            raise ChapterFileError(path, f"chapter {number}: {error}") from None
    return chapters
