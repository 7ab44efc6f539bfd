"""Slide-aware detection: read the text of each stretch between picture changes.

The picture detector (:mod:`shared.chapters.detection`) finds every moment the
picture changes lastingly, with a short minimum gap so slides shown for 3-10 s are
kept. It masks, moment by moment, the regions that keep changing by themselves (a clip
playing inside one slide, an animation, a webcam inset, a waved pointer), so they
neither hide a change nor make one. In the same decoding pass it keeps a 640 px
grayscale copy of the picture whenever its still part changed. This module then reads
the slide shown at the end of each stretch with OCR (RapidOCR's ONNX models, shipped
inside the ``rapidocr-onnxruntime`` wheel: nothing is downloaded), with the moving
regions painted over, and decides what each change was:

* a new title, or the text shown before replaced by other text, is a new slide;
* text added to what was shown (a bullet revealed, a line typed) is a step inside it;
* the same text (a clip or animation playing inside the slide) is no change at all;
* when neither side has readable text (a talking head, a screen with no words), the
  picture change stands only if it leaves a stretch of at least ``min_gap`` seconds,
  so such videos never get a chapter every few seconds.

Importing this module loads OpenCV, PyAV and NumPy; the OCR engine loads on first use.
"""

from __future__ import annotations

import bisect
import difflib
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from shared.chapters.detection import _Analysis, _enforce_gap, _find_changes, _Keeper, _measure
from shared.errors import LecternError
from shared.jobs import ProgressState, check_cancelled

__all__ = ["OcrModelMissingError", "SlideChange", "SlideText", "detect_slides", "read_slide"]

CANDIDATE_GAP = 2.5
"""Shortest stretch between picture changes that OCR looks at (slides of 3 s are kept)."""
OCR_WIDTH = 640
"""Frames are kept and read at most this wide (grayscale): slide text stays legible, and
OCR takes a third of the time it takes at 960."""
TITLE_ZONE = 0.35
"""The title is the tallest line whose top is in this upper share of the picture..."""
TITLE_SIZE_SLACK = 0.85
"""...or the top one of the lines at least this share of the tallest's height."""
SAME_TEXT = 0.95
"""A slide whose text keeps this share of the text before is the same slide, a step."""
SAME_READING = 0.99
"""Two readings of one slide keep this share of each other's text (OCR varies a little)."""
PAGE_LINES = 20
"""A picture with at least this many lines of text on both sides of a change is a page
of text on screen (a terminal, an editor, a document), not a slide..."""
SAME_PAGE = 0.5
"""...and it is the same page, scrolled or written on, while it keeps this share of the
text before (scrolling moves lines out of view, and OCR misreads a few of so many)..."""
WINDOW_BAR = 0.02
"""...or while the bar across the top of the picture, at least this share of its height
and with something drawn on it (a window's title bar, a browser's tabs and address),
stays the same: a terminal whose command printed a screenful is the same window."""
BAR_CHANGED_LEVEL = 24
"""A pixel of the bar differs by this many levels when something else is drawn there
(compression alone moves a few levels)..."""
BAR_CHANGED_SHARE = 0.01
"""...and a row of it is another row when this share of its pixels does."""
BAR_DRAWN = 0.01
"""A bar has something drawn on it when this share of its pixels is an edge (differs
from the pixel beside it by ``BAR_CHANGED_LEVEL``)."""
MIN_CONFIDENCE = 0.6
OCR_THREADS = 2
"""Slides read at once: one per core of a two-core laptop."""


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
            # "max": never enlarge the picture (the default scales the short side up to
            # 736). One thread: two spent more than twice the processor time on a
            # busy machine, waiting on each other. Lines are recognised one at a time:
            # in a batch every line is padded to the longest one's width, which cost a
            # quarter more processor time on slides (and read spaces worse).
            _ENGINE = RapidOCR(
                use_cls=False,
                det_limit_type="max",
                rec_batch_num=1,
                intra_op_num_threads=1,
                inter_op_num_threads=1,
            )
        except Exception as error:  # a missing or damaged model file
            raise OcrModelMissingError(str(error).splitlines()[0] if str(error) else "") from error
    return _ENGINE


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


@dataclass(frozen=True)
class _Lines:
    """The text lines found on one picture (before they are read): where, and their pixels."""

    height: int
    width: int
    boxes: tuple[np.ndarray, ...]
    """Each line's corners, ``(4, 2)`` in picture pixels."""
    crops: tuple[np.ndarray, ...]
    """Each line cut out and straightened, as the recogniser takes it."""


def _find_lines(image: np.ndarray) -> _Lines:
    """Find the text lines of a picture (OCR's detection step), at most OCR_WIDTH wide."""
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    height, width = image.shape[:2]
    if width > OCR_WIDTH:
        image = cv2.resize(
            image, (OCR_WIDTH, round(height * OCR_WIDTH / width)), interpolation=cv2.INTER_AREA
        )
        height, width = image.shape[:2]
    engine = _engine()
    try:
        # RapidOCR's own steps, as its __call__ runs them, so that each line can be
        # recognised apart (and a line already read on an earlier picture is not read again).
        picture, ratio_h, ratio_w = engine.preprocess(image)
        record = {"preprocess": {"ratio_h": ratio_h, "ratio_w": ratio_w}}
        picture, record = engine.maybe_add_letterbox(picture, record)
        boxes, _ = engine.auto_text_det(picture)
        if boxes is None:
            return _Lines(height, width, (), ())
        crops = engine.get_crop_img_list(picture, boxes)
        corners = engine._get_origin_points(boxes, record, height, width)
    except Exception:  # an unreadable picture reads as no text
        return _Lines(height, width, (), ())
    return _Lines(height, width, tuple(corners), tuple(crops))


def _recognise(crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
    """Read text lines cut out by :func:`_find_lines` (OCR's recognition step)."""
    if not crops:
        return []
    try:
        found, _ = _engine().text_rec(list(crops))
    except Exception:  # an unreadable line reads as nothing
        return [("", 0.0)] * len(crops)
    return [(str(text), float(score)) for text, score, *_ in found]


def _slide_text(lines: _Lines, read: Sequence[tuple[str, float]]) -> SlideText:
    boxes: list[_Box] = []
    for box, (text, confidence) in zip(lines.boxes, read, strict=True):
        if confidence < MIN_CONFIDENCE or not _key(text):
            continue
        ys = [point[1] for point in box]
        xs = [point[0] for point in box]
        boxes.append((min(ys), max(ys) - min(ys), min(xs), text.strip(), max(xs)))
    boxes.sort()
    return SlideText(_title(boxes, lines.height, lines.width), tuple(b[3] for b in boxes))


def read_slide(image: np.ndarray) -> SlideText:
    """Read a slide picture (BGR or grayscale, any size) with OCR.

    Returns:
        The title (the tallest line starting in the top third; empty when there is
        none) and all lines read with reasonable confidence, top to bottom. A picture
        with no text gives an empty :class:`SlideText`; any script is read as it comes.

    Raises:
        OcrModelMissingError: the OCR engine or its models are not installed.
    """
    lines = _find_lines(image)
    return _slide_text(lines, _recognise(lines.crops))


_BULLET = re.compile(r"\s*[•·●○▪■◦‣∙*–—-]")
"""A line that starts with a bullet is a point under the title, not part of it."""


_Box = tuple[float, float, float, str, float]
"""A line read: top, height, left, text, right (picture pixels)."""


DESCENDERS = frozenset("gjpqy")
DESCENDER_GROWTH = 1.25
"""A line with letters that reach under the baseline may be boxed this much taller (the
text detector's boxes vary: sometimes it is, sometimes not)."""


def _letters_height(box: _Box) -> float:
    """A line's box height, less what its letters below the baseline add: "Lookup up"
    and "the codec for" in one size are boxed 41 and 28 pixels high."""
    return box[1] / DESCENDER_GROWTH if DESCENDERS.intersection(box[3]) else box[1]


def _title(boxes: list[_Box], height: int, width: int) -> str:
    """The tallest line starting in the title zone (of lines nearly as tall, the top
    one), with the lines of its size that continue it: beside it in the same row (OCR
    cut it in pieces), or right above or under it and aligned with it (a title that
    wraps), never a bulleted line.

    A title set larger than the rest of the text takes in wrapped lines aligned on its
    left edge, its right edge or its centre; a title the size of the text (a window's
    title bar, a template with little difference in size) only wrapped lines centred
    under it, as body text is not centred on the title's middle.
    """
    if not boxes:
        return ""
    top = [b for b in boxes if b[0] < TITLE_ZONE * height]
    if not top:
        # Nothing up there: a deck that centres its text vertically (Marp, Impress)
        # puts a short slide's title lower; the zone starts at the first line read.
        top = [b for b in boxes if b[0] < boxes[0][0] + TITLE_ZONE * height]
    if not top:
        return ""
    # The tallest; of lines nearly as tall (a title set in the body's size, which OCR
    # boxes a few pixels shorter or taller by its letters), the top one.
    high = max(b[1] for b in top)
    near = [b for b in top if b[1] >= TITLE_SIZE_SLACK * high]
    tallest = min(near, key=lambda b: b[0])
    size = tallest[1]
    others = [b[1] for b in boxes if b not in near]
    own_size = bool(others) and high >= 1.15 * float(np.median(others))
    middle = (tallest[2] + tallest[4]) / 2

    def continues(box: _Box) -> bool:
        if _BULLET.match(box[3]) or not 0.6 * size <= box[1] <= 1.33 * size:
            return False
        if abs(box[0] - tallest[0]) < 0.5 * size:  # the same row
            return own_size and box[1] >= 0.75 * size
        centred = abs((box[2] + box[4]) / 2 - middle) <= 0.02 * width
        same_left = abs(box[2] - tallest[2]) <= 0.01 * width
        same_right = abs(box[4] - tallest[4]) <= 0.01 * width
        if own_size:  # a line under a title set large is as large, its letters aside
            as_large = box[1] >= 0.75 * size or (
                _letters_height(box) >= 0.75 * _letters_height(tallest)
            )
            return centred or ((same_left or same_right) and as_large)
        return centred and not same_left

    parts = [tallest]
    span = [tallest[0], tallest[0] + size]
    alike = [b for b in boxes if b is not tallest and continues(b)]
    grown = True
    while grown:  # take in the lines that touch the title, above or below
        grown = False
        for box in alike:
            near = span[0] - 0.6 * size <= box[0] + box[1] and box[0] <= span[1] + 0.6 * size
            if box not in parts and near:
                parts.append(box)
                span = [min(span[0], box[0]), max(span[1], box[0] + box[1])]
                grown = True
    lines: list[list[_Box]] = []
    for box in sorted(parts):
        if lines and abs(box[0] - lines[-1][0][0]) < 0.5 * size:
            lines[-1].append(box)  # the same row
        else:
            lines.append([box])
    return " ".join(b[3] for line in lines for b in sorted(line, key=lambda b: b[2]))


def _kept_share(before: str, after: str) -> float:
    """How much of the text ``before`` is still in ``after`` (0..1), ignoring case,
    punctuation and spaces (OCR reads spaces unevenly)."""
    old, new = _key(before).replace(" ", ""), _key(after).replace(" ", "")
    if not old:
        return 1.0
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(old)


def _same_bar(before: np.ndarray | None, after: np.ndarray | None) -> bool:
    """Whether two pictures share the bar across their top (``WINDOW_BAR``): the same
    window, or the same browser tab and address, with other text under it."""
    if before is None or after is None or before.shape != after.shape:
        return False
    one = cv2.cvtColor(before, cv2.COLOR_BGR2GRAY) if before.ndim == 3 else before
    two = cv2.cvtColor(after, cv2.COLOR_BGR2GRAY) if after.ndim == 3 else after
    changed = (cv2.absdiff(one, two) > BAR_CHANGED_LEVEL).mean(axis=1) >= BAR_CHANGED_SHARE
    rows = int(np.argmax(changed)) if changed.any() else len(changed)
    if rows < max(2, WINDOW_BAR * len(changed)):
        return False
    bar = one[:rows].astype(np.int16)
    edges = np.abs(np.diff(bar, axis=1)) > BAR_CHANGED_LEVEL
    return float(edges.mean()) >= BAR_DRAWN


def _is_new_slide(
    before: SlideText, after: SlideText, same_window: Callable[[], bool] | None = None
) -> bool | None:
    """True for a new slide, False for a step or no change, None when no text decides.

    ``same_window`` tells, when asked, whether both pictures show one window (the bar
    across their top unchanged). It decides only between pages of text whose text was
    replaced, and where all the text is still there under another first line."""
    if before.empty and after.empty:
        return None
    if before.empty or after.empty:
        return True
    # A step when the text shown before is still there (a bullet revealed, a line
    # typed, a clip playing), a new slide when it was replaced. A title read differently
    # is a new slide unless everything shown before, title included, is still there.
    kept = _kept_share(" ".join(before.lines), " ".join(after.lines))
    if min(len(before.lines), len(after.lines)) >= PAGE_LINES:  # its top line is no title
        return kept < SAME_PAGE and not (same_window is not None and same_window())
    if kept < SAME_TEXT:
        return True
    same_title = _key(before.title).replace(" ", "") == _key(after.title).replace(" ", "")
    if same_title or kept >= SAME_READING:
        return False
    # Everything else is still there under another first line: a new slide, unless
    # it is one window (a terminal whose output moved its top line).
    return not (same_window is not None and same_window())


TEXT_IN_LIVE = 3
"""A region moving by itself that holds this many lines of text is the page changing
(text typed into an editor, a page scrolled), which is what there is to read; with
fewer, it is a clip, an animation or a webcam inset."""


def _live_mask(analysis: _Analysis, seconds: float, size: tuple[int, int]) -> np.ndarray | None:
    """Where the picture moves by itself around ``seconds``, as a mask of ``size``
    (height, width); None where nothing does."""
    if not analysis.times:
        return None
    index = max(0, bisect.bisect_right(analysis.times, seconds + 1e-6) - 1)
    live = analysis.live[index]
    if not live.any():
        return None
    block = analysis.block
    mask = np.zeros(analysis.shape, np.uint8)
    grid = np.repeat(np.repeat(live.astype(np.uint8), block, axis=0), block, axis=1)
    mask[: grid.shape[0], : grid.shape[1]] = grid
    return cv2.resize(mask, (size[1], size[0]), interpolation=cv2.INTER_NEAREST) > 0


def _still_lines(keeper: _Keeper, analysis: _Analysis, seconds: float) -> _Lines:
    """The text lines of the kept picture at ``seconds``, leaving out what moves by itself.

    A clip, an animation or a webcam inset is painted over in the picture's median
    colour before the lines are found, so OCR reads only the slide itself (and spends
    no time on the clip). Where the moving region holds ``TEXT_IN_LIVE`` lines or more,
    it is the text itself changing (typed, scrolled), and all of it is read.
    """
    picture = keeper.at(seconds)
    if picture is None:
        return _Lines(0, 0, (), ())
    lines = _find_lines(picture)
    mask = _live_mask(analysis, seconds, picture.shape[:2])
    if mask is None:
        return lines
    scale = picture.shape[1] / max(1, lines.width)
    inside = 0
    for box in lines.boxes:
        x, y = (np.mean(box, axis=0) * scale).astype(int)
        inside += bool(mask[min(y, mask.shape[0] - 1), min(x, mask.shape[1] - 1)])
    if inside >= TEXT_IN_LIVE:
        return lines
    picture = picture.copy()  # colour, as the keeper keeps it
    picture[mask] = np.median(picture.reshape(-1, picture.shape[2]), axis=0)
    return _find_lines(picture)


SAME_LINE_PIXELS = 3.0
"""A line found again within this many pixels (each corner) may be the same line..."""
SAME_LINE_LEVEL = 6.0
"""...and it is when its pixels differ by at most this mean level (8-bit): read once."""
LOOK_BACK = 3
"""Lines are looked for again on this many pictures before (reveals, a clip playing)."""


def _same_line(lines: _Lines, number: int, other: _Lines, other_number: int) -> bool:
    box, crop = lines.boxes[number], lines.crops[number]
    other_box, other_crop = other.boxes[other_number], other.crops[other_number]
    if np.abs(box - other_box).max() > SAME_LINE_PIXELS:
        return False
    if abs(crop.shape[0] - other_crop.shape[0]) > 2 or abs(crop.shape[1] - other_crop.shape[1]) > 2:
        return False
    if crop.shape != other_crop.shape:
        crop = cv2.resize(crop, (other_crop.shape[1], other_crop.shape[0]), cv2.INTER_AREA)
    return float(cv2.absdiff(crop, other_crop).mean()) <= SAME_LINE_LEVEL


def _line_ids(found: list[_Lines]) -> tuple[list[list[int]], list[tuple[int, int]]]:
    """Give every line of every picture an id, the same for a line seen again unchanged.

    Returns:
        The ids per picture, and for each id the (picture, line) to read it from.
    """
    ids: list[list[int]] = []
    first: list[tuple[int, int]] = []
    for index, lines in enumerate(found):
        mine = []
        for number in range(len(lines.boxes)):
            same = next(
                (
                    ids[earlier][other]
                    for earlier in range(index - 1, max(-1, index - 1 - LOOK_BACK), -1)
                    for other in range(len(found[earlier].boxes))
                    if _same_line(lines, number, found[earlier], other)
                ),
                None,
            )
            if same is None:
                same = len(first)
                first.append((index, number))
            mine.append(same)
        ids.append(mine)
    return ids, first


def _read_stretches(
    keeper: _Keeper, analysis: _Analysis, times: list[float], state: ProgressState | None
) -> list[SlideText]:
    """Read the slide at each of ``times``, on two threads (ONNX Runtime frees the GIL).

    OCR has two steps: finding the text lines (about a fifth of the time) and reading
    each line (the rest). The lines of every picture are found first; a line found
    again, unchanged, on one of the few pictures before (the lines a reveal keeps, a
    slide read again while a clip plays in it) is read only once. A stretch showing
    the very picture the one before it ended on is not looked at again.
    """
    _engine()  # a missing model is reported here, once

    def find(seconds: float) -> _Lines:
        return _still_lines(keeper, analysis, seconds)

    def progress(share: float) -> None:
        if state is not None:
            state.set_progress(0.95 + 0.05 * share)

    pictures: dict[int, float] = {}
    for seconds in times:
        pictures.setdefault(keeper.index_at(seconds), seconds)
    order = sorted(pictures)
    pool = ThreadPoolExecutor(max_workers=OCR_THREADS, thread_name_prefix="lectern-ocr")
    try:
        pending = [pool.submit(find, pictures[which]) for which in order]
        found = []
        for future in pending:
            check_cancelled(state, "Reading the slides")
            found.append(future.result())
            progress(0.2 * len(found) / len(pending))
        ids, first = _line_ids(found)
        chunks = [first[start : start + 8] for start in range(0, len(first), 8)]
        reading = [
            pool.submit(_recognise, [found[index].crops[number] for index, number in chunk])
            for chunk in chunks
        ]
        read: list[tuple[str, float]] = []
        for future in reading:
            check_cancelled(state, "Reading the slides")
            read.extend(future.result())
            progress(0.2 + 0.8 * len(read) / max(1, len(first)))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    texts = {
        which: _slide_text(lines, [read[i] for i in mine])
        for which, lines, mine in zip(order, found, ids, strict=True)
    }
    return [texts[keeper.index_at(seconds)] for seconds in times]


SETTLED_BEFORE = 0.8
"""A stretch is read this long before the next change, when all its reveals show, unless
the picture is already moving then (:func:`_settled`)."""


def _settled(analysis: _Analysis, start: float, end: float) -> float:
    """When to read the stretch from ``start`` to ``end``: ``SETTLED_BEFORE`` before its
    end, or, if most of the picture is changing there (the next slide already pushing
    in, a fade begun), the last sample before that."""
    at = max(start, end - SETTLED_BEFORE)
    index = bisect.bisect_right(analysis.times, at + 1e-6) - 1
    if index < 0 or index >= len(analysis.moving) or not analysis.moving[index]:
        return at
    while analysis.moving[index]:
        if index == 0 or analysis.times[index - 1] <= start:
            return at
        index -= 1
    return analysis.times[index]


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
    keeper = _Keeper(OCR_WIDTH)
    features, duration, starved = _measure(video_path, sample_fps, state, fast=True, keep=keeper)
    if starved:
        keeper = _Keeper(OCR_WIDTH)
        features, duration, _ = _measure(video_path, sample_fps, state, fast=False, keep=keeper)
    analysis = _find_changes(features)
    candidates = _enforce_gap(analysis.changes, CANDIDATE_GAP, duration)
    bounds = [0.0, *candidates, duration]
    # The settled end of each stretch: its last state (all reveals shown).
    times = [_settled(analysis, start, end) for start, end in zip(bounds, bounds[1:], strict=False)]
    if state is not None:
        state.set_status("Reading the slides")
    texts = _read_stretches(keeper, analysis, times, state)
    slides = [SlideChange(0.0, texts[0])]
    shown_at = times[0]  # when the text of slides[-1] was read
    for change, text, read_at in zip(candidates, texts[1:], times[1:], strict=True):
        new = _is_new_slide(
            slides[-1].text,
            text,
            lambda before=shown_at, after=read_at: _same_bar(keeper.at(before), keeper.at(after)),
        )
        if new is None:  # no text either side: only changes far enough apart count
            new = change - slides[-1].time >= min_gap and duration - change >= min_gap
        if new:
            slides.append(SlideChange(change, text))
            shown_at = read_at
        elif not text.empty:
            # A reveal: keep the fuller text (and title) of the slide's last state,
            # and each step with the time it appeared.
            shown = slides[-1]
            slides[-1] = SlideChange(shown.time, text, (*shown.states, (change, text)))
            shown_at = read_at
    if state is not None:
        state.set_progress(1.0)
    return slides
