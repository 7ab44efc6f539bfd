"""Slide-aware detection: read the text of each stretch between picture changes.

The picture detector (:mod:`shared.chapters.detection`) finds every moment the
picture changes lastingly, with a short minimum gap so slides shown for 3-10 s are
kept. This module then reads the slide shown at the end of each stretch between those
moments with OCR (RapidOCR's ONNX models, shipped inside the ``rapidocr-onnxruntime``
wheel: nothing is downloaded) and decides what each change was:

* a new title, or a new block of text under no title, is a new slide;
* the same title with more text under it is a reveal: a step inside the slide;
* the same text (a clip or animation playing inside the slide) is no change at all;
* when neither side has readable text (a talking head, a screen with no words), the
  picture change stands only if it leaves a stretch of at least ``min_gap`` seconds,
  so such videos never get a chapter every few seconds.

Importing this module loads OpenCV, PyAV and NumPy; the OCR engine loads on first use.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass

import numpy as np

from shared.chapters.detection import _enforce_gap, _find_changes, _measure
from shared.chapters.values import ChapterDetectionError
from shared.chapters.video import _Video
from shared.errors import LecternError
from shared.jobs import ProgressState, check_cancelled

__all__ = ["OcrModelMissingError", "SlideChange", "SlideText", "detect_slides", "read_slide"]

CANDIDATE_GAP = 2.5
"""Shortest stretch between picture changes that OCR looks at (slides of 3 s are kept)."""
OCR_WIDTH = 960
"""Frames are read at this width: slide text stays legible and OCR is twice as fast."""
TITLE_ZONE = 0.35
"""The title is the tallest line whose top is in this upper share of the picture."""
SAME_TITLE = 0.8
"""Titles this similar (0..1, case and punctuation ignored) are the same title."""
SAME_TEXT = 0.85
"""Bodies this similar are the same slide (only a clip or animation changed)."""
MIN_CONFIDENCE = 0.6


class OcrModelMissingError(LecternError):
    """The OCR engine or its models are not installed."""

    def __init__(self, reason: str = "") -> None:
        detail = f" ({reason})" if reason else ""
        super().__init__(
            "Cannot read slide text: the OCR model (rapidocr-onnxruntime) is not installed"
            f"{detail}; reinstall Lectern with its dependencies."
        )


@dataclass(frozen=True)
class SlideText:
    """What OCR read on one frame: the title line and every line, top to bottom."""

    title: str
    lines: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.lines


@dataclass(frozen=True)
class SlideChange:
    """A new slide: when it appears and what it says.

    ``text`` is what its fullest (last) step shows. ``steps`` holds every step as
    ``(time, text)`` when the slide has reveals (the first at ``time``); empty when
    the slide was read once.
    """

    time: float
    text: SlideText
    steps: tuple[tuple[float, SlideText], ...] = ()

    @property
    def states(self) -> tuple[tuple[float, SlideText], ...]:
        """Every step of the slide as ``(time, text)``, the first at :attr:`time`."""
        return self.steps or ((self.time, self.text),)


_ENGINE = None


def _engine():
    global _ENGINE
    if _ENGINE is None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as error:
            raise OcrModelMissingError(str(error)) from error
        try:
            _ENGINE = RapidOCR(use_cls=False, intra_op_num_threads=2, inter_op_num_threads=1)
        except Exception as error:  # a missing or damaged model file
            raise OcrModelMissingError(str(error).splitlines()[0] if str(error) else "") from error
    return _ENGINE


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def read_slide(image: np.ndarray) -> SlideText:
    """Read a slide picture (BGR, any size) with OCR.

    Returns:
        The title (the tallest line starting in the top third; empty when there is
        none) and all lines read with reasonable confidence, top to bottom. A picture
        with no text gives an empty :class:`SlideText`; any script is read as it comes.

    Raises:
        OcrModelMissingError: the OCR engine or its models are not installed.
    """
    import cv2

    height, width = image.shape[:2]
    if width > OCR_WIDTH:
        image = cv2.resize(image, (OCR_WIDTH, round(height * OCR_WIDTH / width)), cv2.INTER_AREA)
        height, width = image.shape[:2]
    try:
        found, _ = _engine()(image, use_cls=False)
    except OcrModelMissingError:
        raise
    except Exception:  # an unreadable picture reads as no text
        found = None
    boxes = []
    for box, text, confidence in found or []:
        if float(confidence) < MIN_CONFIDENCE or not _key(text):
            continue
        ys = [point[1] for point in box]
        boxes.append((min(ys), max(ys) - min(ys), min(point[0] for point in box), text.strip()))
    boxes.sort()
    title = ""
    top = [b for b in boxes if b[0] < TITLE_ZONE * height]
    if top:
        title = max(top, key=lambda b: b[1])[3]
    return SlideText(title, tuple(b[3] for b in boxes))


def _similar(a: str, b: str) -> float:
    a, b = _key(a), _key(b)
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def _is_new_slide(before: SlideText, after: SlideText) -> bool | None:
    """True for a new slide, False for a step or no change, None when no text decides."""
    if before.empty and after.empty:
        return None
    if before.empty or after.empty:
        return True
    if before.title or after.title:
        return _similar(before.title, after.title) < SAME_TITLE
    return _similar(" ".join(before.lines), " ".join(after.lines)) < SAME_TEXT


def _frames_at(video_path: str | os.PathLike[str], times: list[float]) -> list[np.ndarray]:
    """BGR frames at ``times`` (seconds, ascending), one seek each."""
    pictures = []
    with _Video(video_path, "read the slides") as video:
        for wanted in times:
            video.seek(max(0.0, wanted - 0.01))
            picture = None
            for seconds, frame in video.frames():
                picture = frame
                if seconds >= wanted - 1e-3:
                    break
            if picture is None:
                raise ChapterDetectionError(
                    video_path, "no picture at the slide", "read the slides"
                )
            pictures.append(picture.to_ndarray(format="bgr24"))
    return pictures


def detect_slides(
    video_path: str | os.PathLike[str],
    *,
    sample_fps: float = 2.0,
    min_gap: float = 10.0,
    state: ProgressState | None = None,
) -> list[SlideChange]:
    """Find the slides of a lecture recording and read what they say.

    Args:
        video_path: the recording (any format FFmpeg reads).
        sample_fps: samples per second for the picture detector.
        min_gap: shortest chapter when no text can be read on either side of a change
            (talking heads, screens without words).
        state: optional job state for progress and cancellation.

    Returns:
        One :class:`SlideChange` per slide, the first at 0 s, ascending; reveals on a
        slide and clips playing inside it are not changes.

    Raises:
        ChapterDetectionError: the video cannot be opened or decoded.
        OcrModelMissingError: the OCR engine is not installed.
        Cancelled: ``state`` asked to stop.
    """
    if state is not None:
        state.set_status("Finding slide changes")
    features, duration, starved = _measure(video_path, sample_fps, state, fast=True)
    if starved:
        features, duration, _ = _measure(video_path, sample_fps, state, fast=False)
    candidates = _enforce_gap(_find_changes(features), CANDIDATE_GAP, duration)
    bounds = [0.0, *candidates, duration]
    # The settled end of each stretch: its last state (all reveals shown).
    times = [max(start, end - 0.8) for start, end in zip(bounds, bounds[1:], strict=False)]
    if state is not None:
        state.set_status("Reading the slides")
    pictures = _frames_at(video_path, times)
    texts = []
    for number, picture in enumerate(pictures):
        check_cancelled(state, "Reading the slides")
        texts.append(read_slide(picture))
        if state is not None:
            state.set_progress(0.95 + 0.05 * (number + 1) / len(pictures))
    slides = [SlideChange(0.0, texts[0])]
    for change, text in zip(candidates, texts[1:], strict=True):
        new = _is_new_slide(slides[-1].text, text)
        if new is None:  # no text either side: only changes far enough apart count
            new = change - slides[-1].time >= min_gap and duration - change >= min_gap
        if new:
            slides.append(SlideChange(change, text))
        elif not text.empty:
            # A reveal: keep the fuller text (and title) of the slide's last state,
            # and each step with the time it appeared.
            shown = slides[-1]
            slides[-1] = SlideChange(shown.time, text, (*shown.states, (change, text)))
    if state is not None:
        state.set_progress(1.0)
    return slides
