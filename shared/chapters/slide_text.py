"""Slide text: what each slide of a lesson says, and from when, as plain values.

Slide-aware detection (:func:`shared.chapters.slides.detect_slides`) reports each
slide with the text OCR read on it and each reveal (a step: more text under the same
title). This module turns that into what a lesson keeps and a package carries,
``slides.json``::

    {"slides": [{"start": 0.0, "end": 12.5, "title": "Where Is the Water?",
                 "lines": [{"text": "Where Is the Water?"},
                           {"text": "Oceans hold most of it"},
                           {"text": "Ice caps hold more", "start": 6.0}]}]}

Each slide has its time span, its title (``""`` when OCR found none) and every line
shown on it once, top to bottom as on its fullest step; a line revealed later than
the slide appeared carries its own ``start``. Text repeated on every step of a slide
is stored once, so an hour of lecture stays far below 2 MB of slide text.

Plain data with no video code: the Player reads these values without OpenCV or PyAV.
Times are seconds from the first frame of the video.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from shared.errors import LecternError
from shared.files import write_json_atomic
from shared.timecode import round_to_ms

__all__ = [
    "SLIDES_NAME",
    "Slide",
    "SlideLine",
    "SlideFileError",
    "slides_from_changes",
    "retime_slides",
    "save_slides",
    "load_slides",
    "slides_from_data",
    "slide_at",
]

SLIDES_NAME = "slides.json"
SAME_LINE = 0.8
"""Lines this similar (0..1, case and punctuation ignored) are one line read twice."""


class SlideFileError(LecternError):
    """A slide text file is missing or is not a valid slide text file."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(
            f"Cannot load the slide text from {path} ({reason}); rebuild the lesson "
            "to read its slides again."
        )


@dataclass(frozen=True)
class SlideLine:
    """One line of text on a slide and when it is first shown (seconds)."""

    text: str
    start: float


@dataclass(frozen=True)
class Slide:
    """One slide: its time span, its title as read (``""`` if none) and its lines."""

    start: float
    end: float
    title: str
    lines: tuple[SlideLine, ...] = ()

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start) and math.isfinite(self.end)):
            raise ValueError(f"slide times must be finite, got {self.start}..{self.end}")
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"slide must have 0 <= start <= end, got {self.start}..{self.end}")

    @property
    def text(self) -> str:
        """Every line, one per line of text."""
        return "\n".join(line.text for line in self.lines)

    def steps(self) -> list[tuple[float, str]]:
        """``(start, text)`` of each step: the lines that appear together, in order."""
        steps: dict[float, list[str]] = {}
        for line in self.lines:
            steps.setdefault(line.start, []).append(line.text)
        return [(start, "\n".join(lines)) for start, lines in sorted(steps.items())]

    def to_dict(self) -> dict[str, Any]:
        """The slide as JSON-ready data: a line's ``start`` only when after the slide's."""
        lines = []
        for line in self.lines:
            item: dict[str, Any] = {"text": line.text}
            if line.start > self.start:
                item["start"] = round(line.start, 3)
            lines.append(item)
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "title": self.title,
            "lines": lines,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Slide:
        """Build a slide from :meth:`to_dict` output.

        Raises:
            ValueError: a field is missing or has the wrong type or value.
        """
        if not isinstance(data, dict):
            raise ValueError("a slide must be an object")
        start, end, title = data.get("start"), data.get("end"), data.get("title", "")
        for name, value in (("start", start), ("end", end)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"slide {name} must be a number")
        if not isinstance(title, str):
            raise ValueError("slide title must be text")
        lines = []
        for item in data.get("lines", ()):
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError("a slide line must be an object with text")
            at = item.get("start", start)
            if isinstance(at, bool) or not isinstance(at, (int, float)) or not math.isfinite(at):
                raise ValueError("a slide line's start must be a number")
            lines.append(SlideLine(item["text"], float(min(max(at, start), end))))
        return cls(float(start), float(end), title, tuple(lines))


class _Text(Protocol):
    @property
    def title(self) -> str: ...

    @property
    def lines(self) -> tuple[str, ...]: ...


class _Change(Protocol):
    """A slide as :func:`~shared.chapters.slides.detect_slides` reports it."""

    @property
    def time(self) -> float: ...

    @property
    def text(self) -> _Text: ...

    @property
    def states(self) -> Sequence[tuple[float, _Text]]: ...


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _seen(line: str, earlier: Sequence[str]) -> bool:
    key = _key(line)
    return any(
        key == other or difflib.SequenceMatcher(None, key, other).ratio() >= SAME_LINE
        for other in earlier
    )


def slides_from_changes(changes: Sequence[_Change], duration: float) -> list[Slide]:
    """The slides of a lesson from what slide-aware detection reported.

    Each slide lasts until the next one starts (the last until ``duration``). Its
    lines are those of its fullest (last) step; a line first read on a later step
    starts at that step. Lines read on no step are left out, lines read on several
    are kept once.

    Args:
        changes: the slides as detected, in time order (``time``, ``text``, ``states``).
        duration: the length of the video in seconds.
    """
    slides = []
    starts = [round_to_ms(change.time) for change in changes]
    ends = [*starts[1:], max(round_to_ms(duration), starts[-1] if starts else 0.0)]
    for change, start, end in zip(changes, starts, ends, strict=True):
        earlier: list[tuple[float, list[str]]] = []
        for at, text in change.states:
            at = min(max(round_to_ms(at), start), end)
            earlier.append((at, [_key(line) for line in text.lines]))
        lines = []
        for line in change.text.lines:
            text = " ".join(line.split())
            if not text:
                continue
            first = next((at for at, keys in earlier if _seen(text, keys)), start)
            lines.append(SlideLine(text, first))
        slides.append(Slide(start, end, " ".join(change.text.title.split()), tuple(lines)))
    return slides


def retime_slides(
    slides: Sequence[Slide], clip: Callable[[float, float], tuple[float, float] | None]
) -> list[Slide]:
    """The slides on an edited timeline: ``clip(start, end)`` gives the kept span or ``None``.

    Slides cut out entirely are dropped; a line shown only in a cut-out part starts
    with what is kept of its slide.
    """
    out = []
    for slide in slides:
        span = clip(slide.start, slide.end)
        if span is None:
            continue
        lines = []
        for line in slide.lines:
            shown = clip(line.start, slide.end)
            at = span[0] if shown is None else shown[0]
            lines.append(SlideLine(line.text, min(max(at, span[0]), span[1])))
        out.append(Slide(span[0], span[1], slide.title, tuple(lines)))
    return out


def save_slides(
    slides: Sequence[Slide], path: str | os.PathLike[str], *, replace: bool = True
) -> Path:
    """Write ``{"slides": [...]}`` JSON to ``path`` atomically and return the path."""
    return write_json_atomic(path, {"slides": [s.to_dict() for s in slides]}, replace=replace)


def slides_from_data(data: Any) -> list[Slide]:
    """The slides of decoded ``slides.json`` data.

    Raises:
        ValueError: the data is not a slide text file.
    """
    items = data.get("slides") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ValueError('it has no "slides" list')
    slides = []
    for number, item in enumerate(items, start=1):
        try:
            slides.append(Slide.from_dict(item))
        except ValueError as error:
            raise ValueError(f"slide {number}: {error}") from None
    return slides


def load_slides(path: str | os.PathLike[str]) -> list[Slide]:
    """Read a slide text file written by :func:`save_slides`.

    Raises:
        SlideFileError: the file is missing, unreadable or not a slide text file.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SlideFileError(path, "the file does not exist") from None
    except OSError as error:
        raise SlideFileError(path, error.strerror or "it cannot be read") from error
    except ValueError:
        raise SlideFileError(path, "it is not valid JSON") from None
    try:
        return slides_from_data(data)
    except ValueError as error:
        raise SlideFileError(path, str(error)) from None


def slide_at(slides: Sequence[Slide], seconds: float) -> Slide | None:
    """The slide shown at ``seconds``, or ``None`` before the first or with none."""
    shown = None
    for slide in slides:
        if slide.start <= seconds + 1e-6:
            shown = slide
        else:
            break
    return shown
