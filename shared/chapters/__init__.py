"""Chapters: the chapter model, titles and files, and slide-change detection.

A lecture recording is cut into chapters where the slide changes. The package keeps
the values apart from the video work:

* :mod:`~shared.chapters.values`: :class:`Chapter`, merging, WebVTT cues, chapters files;
* :mod:`~shared.chapters.titles`: chapters from change times, titled from the speech;
* :mod:`~shared.chapters.detection`: :func:`detect_slide_changes` (OpenCV, PyAV, NumPy);
* :mod:`~shared.chapters.thumbnails`: :func:`make_thumbnails` (OpenCV, PyAV).

Importing ``shared.chapters`` loads only the values and titles, so the Player reads
chapters without loading OpenCV or PyAV. ``detect_slide_changes`` and
``make_thumbnails`` are still reachable here: the first use imports their module.

Times are seconds (float) from the first frame of the video.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from shared.chapters.titles import chapters_from_changes, title_from_segments
from shared.chapters.values import (
    Chapter,
    ChapterDetectionError,
    ChapterFileError,
    TimedText,
    chapter_cues,
    load_chapters,
    merge_chapters,
    save_chapters,
)

if TYPE_CHECKING:
    from shared.chapters.detection import detect_slide_changes
    from shared.chapters.thumbnails import make_thumbnails

__all__ = [
    "Chapter",
    "ChapterDetectionError",
    "ChapterFileError",
    "detect_slide_changes",
    "chapters_from_changes",
    "title_from_segments",
    "merge_chapters",
    "make_thumbnails",
    "save_chapters",
    "load_chapters",
    "chapter_cues",
    "TimedText",
]

# Names whose modules load OpenCV and PyAV: imported on first use, not with the package.
_LAZY = {
    "detect_slide_changes": "shared.chapters.detection",
    "make_thumbnails": "shared.chapters.thumbnails",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
