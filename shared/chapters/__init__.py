"""Chapters: the chapter model, titles and files, and slide-change detection.

A lecture recording is cut into chapters where the slide changes. The package keeps
the values apart from the video work:

* :mod:`~shared.chapters.values`: :class:`Chapter`, merging, WebVTT cues, chapters files;
* :mod:`~shared.chapters.slide_text`: :class:`Slide`, the text of each slide and its span;
* :mod:`~shared.chapters.titles`: chapters from change times or slides, titled from the
  slide, else from the speech;
* :mod:`~shared.chapters.detection`: :func:`detect_slide_changes` (OpenCV, PyAV, NumPy);
* :mod:`~shared.chapters.slides`: :func:`detect_slides`, the picture changes read with
  OCR (OpenCV, PyAV, NumPy, RapidOCR);
* :mod:`~shared.chapters.thumbnails`: :func:`make_thumbnails` (OpenCV, PyAV).

Importing ``shared.chapters`` loads only the values and titles, so the Player reads
chapters and slide text without loading OpenCV or PyAV. ``detect_slide_changes``,
``detect_slides`` and ``make_thumbnails`` are still reachable here: the first use
imports their module.

Times are seconds (float) from the first frame of the video.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from shared.chapters.slide_text import (
    SLIDES_NAME,
    Slide,
    SlideFileError,
    SlideLine,
    load_slides,
    retime_slides,
    save_slides,
    slide_at,
    slides_from_changes,
    slides_from_data,
)
from shared.chapters.titles import (
    chapters_from_changes,
    chapters_from_slides,
    pause_changes,
    title_from_segments,
)
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
    from shared.chapters.slides import detect_slides
    from shared.chapters.thumbnails import make_thumbnails

__all__ = [
    "Chapter",
    "ChapterDetectionError",
    "ChapterFileError",
    "detect_slide_changes",
    "detect_slides",
    "chapters_from_changes",
    "chapters_from_slides",
    "SLIDES_NAME",
    "Slide",
    "SlideLine",
    "SlideFileError",
    "slides_from_changes",
    "slides_from_data",
    "retime_slides",
    "save_slides",
    "load_slides",
    "pause_changes",
    "slide_at",
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
    "detect_slides": "shared.chapters.slides",
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
