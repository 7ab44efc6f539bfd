"""Slide-change detection: where a lecture recording's slide changes (OpenCV, PyAV, NumPy).

Detection looks at the video at a low sample rate (two frames a second by default) in
a small grayscale copy, so an hour of 1080p video takes a minute or two; see
:func:`detect_slide_changes` for how it tells a new slide from a moving mouse pointer,
a webcam inset, compression noise and fades.

Importing this module loads OpenCV, PyAV and NumPy; :mod:`shared.chapters` imports it
only when detection is first used.
"""

from __future__ import annotations

import bisect
import math
import os
import warnings
from collections import deque
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from shared.chapters.values import ChapterDetectionError
from shared.chapters.video import _small_luma, _Video
from shared.jobs import ProgressState, check_cancelled

__all__ = ["detect_slide_changes"]

# Detection tuning. Sizes are in analysis pixels or grid blocks, levels in 8-bit luma.
ANALYSIS_WIDTH = 160
DETAIL_WIDTH = 640
"""Width of the grey picture a scroll is confirmed on (letters legible)."""
GRID_COLUMNS = 32
NOISE_FLOOR = 4.0
"""Smallest mean block difference that can count as a change, whatever the noise."""
NOISE_SIGMAS = 6.0
"""A change is this many MADs over the median block difference (the noise level)."""
ALWAYS_ACTIVE = 0.4
"""A block that differs between this share of consecutive samples is a live region..."""
LIVE_SECONDS = 4.0
"""...within this many seconds either side of a moment, or all through the video."""
SEED_RATIO = 2.0
"""A changed area needs one block changed this many times over the threshold..."""
GROW_RATIO = 0.5
"""...and takes in the neighbouring blocks changed by this share of it."""
POINT_BLOCKS = 3
"""A change that fits in a square this many blocks wide is local (the mouse pointer)."""
MIN_CHANGE_SHARE = 0.01
"""A new slide changes at least this share of the picture (one line of text does)."""
SETTLE_SECONDS = 2.0
PERSIST_SHARE = 0.5
"""A change is lasting when this share of its blocks still differs SETTLE_SECONDS later."""
SCROLL_SHARE = 0.1
"""A step that changes this share of the blocks is checked for a scroll..."""
SCROLL_WIDTH = 0.6
"""...when the change spans this share of the width (a page, not a clip inside one)..."""
SCROLL_RESIDUAL = 0.4
"""...which it is when shifting the picture up or down leaves this share of the difference..."""
SCROLL_OVERLAP = 0.25
"""...over a shared part at least this tall (a share of the changed rows)..."""
SCROLL_DETAIL = 0.5
"""...that holds at least this share of the detail (letters, edges) of the whole..."""
SCROLL_EDGES = 0.8
"""...and, on the larger picture, differ by at most this share of their own edges
(compression and the shrinking leave about half; text lined up with blank background,
one and a half)."""
SCROLLED_THROUGH = 0.8
"""A video with a scroll around this share of its moments is scrolled all through: its
noise is measured on the steps with the scrolls taken out."""
PUSH_SECONDS = 2.5
"""A movement of the picture between two still samples at most this far apart (a
transition of up to 1.5 s, sampled about twice a second) that leaves nothing in common
with the picture before it is a page turned, not a scroll: the next slide pushing the
last one out (a push transition, a presentation's vertical slides; each of its steps
alone looks like a scroll) or a page scrolled by most of its height."""
CUT_SHARE = 0.25
"""A step that changes this share of the still picture at once (not by scrolling) is a
cut; a long stretch of changes (reading, typing) is split at its cuts."""


def _shifted(picture: np.ndarray, rows: float) -> np.ndarray:
    """``picture`` with its content moved up by ``rows`` (down when negative; fractions
    interpolated), NaN where nothing moved in."""
    height = picture.shape[0]
    whole = math.floor(rows)
    part = rows - whole
    out = np.full(picture.shape, np.nan, np.float32)
    # out[y] = (1 - part) * picture[y + whole] + part * picture[y + whole + 1]
    low, high = max(0, -whole), min(height, height - whole - (1 if part else 0))
    if high > low:
        out[low:high] = (1 - part) * picture[low + whole : high + whole]
        if part:
            out[low:high] += part * picture[low + whole + 1 : high + whole + 1]
    return out


def _shift_errors(before: np.ndarray, after: np.ndarray, moved: float) -> tuple[float, float]:
    """Mean difference of ``after`` and ``before`` shifted by ``moved`` rows, and of the
    two unshifted, both over the rows the shift keeps in common."""
    shifted = _shifted(before, moved)
    rows = ~np.isnan(shifted[:, 0])
    if not rows.any():
        return math.inf, 0.0
    common = after[rows]
    return (
        float(np.mean(np.abs(common - shifted[rows]))),
        float(np.mean(np.abs(common - before[rows]))),
    )


def _best_shift(
    before: np.ndarray, after: np.ndarray, shifts: Iterable[float], *, check: bool = True
) -> float:
    """Of ``shifts`` (rows), the one that lines the two pictures up best, if it leaves at
    most ``SCROLL_RESIDUAL`` of the difference the same rows have unshifted and the rows
    it lines up hold ``SCROLL_DETAIL`` of the detail (letters, edges) of the whole
    (not the empty background of two slides); else 0. Unchecked, the best one."""
    height = after.shape[0]
    best, best_error, best_unshifted = 0.0, math.inf, 0.0
    for moved in shifts:
        if moved == 0 or abs(moved) > height * (1 - SCROLL_OVERLAP):
            continue
        error, unshifted = _shift_errors(before, after, moved)
        if error < best_error:
            best, best_error, best_unshifted = moved, error, unshifted
    if not check:
        return best
    if best == 0 or best_error > SCROLL_RESIDUAL * best_unshifted:
        return 0.0
    shared = after[: height - math.ceil(best)] if best > 0 else after[math.ceil(-best) :]
    detail = float(np.mean(np.abs(np.diff(after, axis=1))))
    if float(np.mean(np.abs(np.diff(shared, axis=1)))) < SCROLL_DETAIL * detail:
        return 0.0
    return best


def _vertical_shift(before: np.ndarray, after: np.ndarray) -> float:
    """How far the content moved up (positive) or down between two pictures, in rows
    (to a quarter of a row); 0 when no shift explains the difference (not a scroll).

    Every whole shift that leaves ``SCROLL_OVERLAP`` of the rows in common is tried on
    every other column, then the best is refined by quarter rows (:func:`_best_shift`).
    """
    a, b = before[:, ::2], after[:, ::2]
    limit = int(a.shape[0] * (1 - SCROLL_OVERLAP))
    shifts = [m for shift in range(1, limit + 1) for m in (shift, -shift)]
    whole = _best_shift(a, b, shifts, check=False)
    return _best_shift(a, b, [whole + quarter / 4 for quarter in range(-4, 5)])


def _confirmed_shift(before: np.ndarray, after: np.ndarray, near: float, reach: int) -> float:
    """The shift (rows, as :func:`_vertical_shift`) within ``reach`` rows of ``near``
    that explains the difference of two detailed pictures, or 0 if none does.

    At the analysis size, text is a grey band, and two slides of one template with
    their lines at other heights look like one page scrolled; in a picture where the
    letters show, only the same text moved lines up letter for letter.
    """
    # Compared by their edges across (letters have them, bands of colour do not), so a
    # title bar lined up with another one far from it does not pass for a scroll; and
    # the letters it lines up must match, not only sit where blank background was.
    a = np.abs(np.diff(before.astype(np.float32), axis=1))
    b = np.abs(np.diff(after.astype(np.float32), axis=1))
    moved = _best_shift(a, b, range(round(near) - reach, round(near) + reach + 1))
    if moved == 0:
        return 0.0
    error, _ = _shift_errors(a, b, moved)
    shared = b[: b.shape[0] - int(moved)] if moved > 0 else b[int(-moved) :]
    return moved if error <= SCROLL_EDGES * float(np.mean(shared)) else 0.0


def _median(frames: Sequence[np.ndarray]) -> np.ndarray:
    if len(frames) == 3:
        a, b, c = frames
        return np.maximum(np.minimum(a, b), np.minimum(np.maximum(a, b), c))
    return np.median(np.stack(frames), axis=0)


class _Features:
    """Per-block differences of the sampled frames, gathered in one streaming pass.

    For sample position ``i`` (the boundary between samples ``i-1`` and ``i``) it
    keeps three block-grid arrays:

    * ``step[i]``: mean absolute difference of samples ``i-1`` and ``i``;
    * ``jump[i]``: the same between the per-pixel median of the ``window`` samples
      before ``i`` and the median of the ``window`` samples from ``i`` on. The median
      removes anything that is at a pixel only briefly (a moving pointer);
    * ``kept[i]``: between the median before ``i`` and the median ``settle`` samples
      later, to tell a lasting change from a transient one;
    * ``scrolled[i]``, only where the picture scrolled between samples ``i-1`` and
      ``i`` (a page, a terminal, an editor; see :func:`_vertical_shift`): the blocks
      where new content came in at the edge; the rest of the step is the scroll.
      ``turned`` holds the samples of each quick movement after which nothing of the
      picture before it is left (:data:`PUSH_SECONDS`).

    Only a few frames are held at once, so memory does not grow with the video.
    """

    def __init__(self, shape: tuple[int, int], block: int, window: int, settle: int) -> None:
        self.shape = shape
        self.rows, self.cols = shape[0] // block, shape[1] // block
        self.block, self.window, self.settle = block, window, settle
        self.times: list[float] = []
        self.step: list[np.ndarray] = []
        self.jump: dict[int, np.ndarray] = {}
        self.kept: dict[int, np.ndarray] = {}
        self.scrolled: dict[int, np.ndarray] = {}
        self.turned: set[int] = set()
        self._frames: deque[np.ndarray] = deque(maxlen=window)
        self._medians: dict[int, np.ndarray] = {}
        self._detail: np.ndarray | None = None
        #: The movement going on: its first sample, and the picture before it (small, detail).
        self._moving: tuple[int, np.ndarray, np.ndarray | None] | None = None
        #: How far each scroll moved, as a share of the height that moved (up positive).
        self._shifts: dict[int, float] = {}

    def _blocks(self, difference: np.ndarray) -> np.ndarray:
        rows, cols, block = self.rows, self.cols, self.block
        cropped = difference[: rows * block, : cols * block]
        blocks = cropped.reshape(rows, block, cols, block).mean(axis=(1, 3), dtype=np.float32)
        return blocks.astype(np.float16)  # half the memory; a long lecture has many samples

    def _scroll(
        self,
        over: np.ndarray,
        previous: np.ndarray,
        image: np.ndarray,
        details: tuple[np.ndarray, np.ndarray] | None,
    ) -> tuple[float, tuple[int, int, int, int]] | None:
        """How far the blocks ``over`` (those that changed) moved up or down from
        ``previous`` to ``image`` (found on the small pictures, confirmed on the
        ``details``, the same two samples larger), and their box ``(top, bottom, left,
        right)``; None when no scroll explains the change."""
        rows, cols = np.flatnonzero(over.any(axis=1)), np.flatnonzero(over.any(axis=0))
        if not len(cols) or cols[-1] + 1 - cols[0] < SCROLL_WIDTH * self.cols:
            return None  # a clip or an animation inside the picture, not a page scrolling
        top, bottom = rows[0] * self.block, (rows[-1] + 1) * self.block
        left, right = cols[0] * self.block, (cols[-1] + 1) * self.block
        moved = _vertical_shift(previous[top:bottom, left:right], image[top:bottom, left:right])
        if moved == 0 or details is None:
            return None
        before, after = details
        scale = after.shape[1] / image.shape[1]
        box = slice(round(top * scale), round(bottom * scale))
        across = slice(round(left * scale), round(right * scale))
        reach = math.ceil(scale)
        moved = _confirmed_shift(before[box, across], after[box, across], moved * scale, reach)
        if moved == 0:
            return None
        return moved / scale, (top, bottom, left, right)

    def _note_scroll(
        self,
        index: int,
        previous: np.ndarray,
        image: np.ndarray,
        details: tuple[np.ndarray, np.ndarray] | None,
    ) -> None:
        """Note ``scrolled[index]`` when the rows that changed moved up or down."""
        found = self._scroll(self.step[-1] > 2 * NOISE_FLOOR, previous, image, details)
        if found is None:
            return
        moved, (top, bottom, left, right) = found
        came_in = np.zeros(image.shape, np.float32)
        came_in[top:bottom, left:right] = np.isnan(
            _shifted(previous[top:bottom, left:right], moved)
        )
        self.scrolled[index] = self._blocks(came_in) > 0
        self._shifts[index] = moved / (bottom - top)

    def _note_turn(self, index: int, after: np.ndarray) -> None:
        """A movement ended before sample ``index`` (``after`` is the picture it ended
        on). Note its samples in ``turned`` when it was quick, scrolled, and left nothing
        of the picture before it: a step in it that no scroll explains (the middle of a
        slide pushed out by the next), its scrolls adding up to nearly the whole height,
        or no scroll lining up the pictures before and after it."""
        assert self._moving is not None
        first, before, before_detail = self._moving
        self._moving = None
        steps = range(first, index)
        if self.times[index - 1] - self.times[first - 1] > PUSH_SECONDS:
            return  # reading, typing, a clip: not one movement
        if not any(i in self.scrolled for i in steps):
            return  # a cut or a fade, found as it is
        over = self._blocks(cv2.absdiff(after, before)) > NOISE_FLOOR
        if np.mean(over) < MIN_CHANGE_SHARE:
            return  # back where it started
        up = sum(max(0.0, self._shifts.get(i, 0.0)) for i in steps)
        down = sum(max(0.0, -self._shifts.get(i, 0.0)) for i in steps)
        # Every step of a movement changed SCROLL_SHARE of the picture (that is what
        # keeps it going), so one that is not a scroll is one no scroll explains.
        unexplained = any(i not in self.scrolled for i in steps)
        if unexplained or max(up, down) >= 1 - SCROLL_OVERLAP:
            self.turned.update(steps)
            return
        details = None
        if before_detail is not None and self._detail is not None:
            details = (before_detail, self._detail)
        if self._scroll(over, before, after, details) is None:
            self.turned.update(steps)

    def add(self, seconds: float, image: np.ndarray, detail: np.ndarray | None = None) -> None:
        """The next sample: ``image`` at the analysis size, and ``detail``, the same
        larger (letters legible), to confirm scrolls."""
        index = len(self.times)
        self.times.append(seconds)
        previous = self._frames[-1] if self._frames else image
        self.step.append(self._blocks(cv2.absdiff(image, previous)))
        moving = np.mean(self.step[-1] > 2 * NOISE_FLOOR) >= SCROLL_SHARE
        if moving:
            details = None
            if detail is not None and self._detail is not None:
                details = (self._detail, detail)
            self._note_scroll(index, previous, image, details)
            if self._moving is None:
                self._moving = (index, previous, self._detail)
        elif self._moving is not None:
            self._note_turn(index, previous)
        self._detail = detail
        self._frames.append(image)
        if len(self._frames) < self.window:
            return
        # The median of samples first..index, and the positions it completes.
        first = index - self.window + 1
        median = _median(list(self._frames))
        self._medians[first] = median
        before = self._medians.get(first - self.window)
        if before is not None:
            self.jump[first] = self._blocks(cv2.absdiff(median, before))
        earlier = first - self.settle
        before = self._medians.get(earlier - self.window)
        if before is not None:
            self.kept[earlier] = self._blocks(cv2.absdiff(median, before))
        self._medians.pop(earlier - self.window, None)


def _sample(
    video: _Video, sample_fps: float, state: ProgressState | None, keep: _Keeper | None
) -> Iterator[tuple[float, np.ndarray, np.ndarray]]:
    """Yield ``(seconds, small blurred grayscale image, detail)`` about ``sample_fps``
    times a second; ``detail`` is the grey picture ``DETAIL_WIDTH`` wide (or the
    keeper's width) that the small one is shrunk from.

    With ``keep``, each sample is handed to it as the small image and a way to have the
    frame in colour at the keeper's width (made only for a picture it keeps, to read the
    slide afterwards).
    """
    size: tuple[int, int] | None = None
    large: tuple[int, int] | None = None
    target = 0.0
    reported = -1.0
    for seconds, frame in video.frames():
        if seconds + 1e-3 < target:
            continue
        check_cancelled(state, "Finding slide changes")
        target = (math.floor(seconds * sample_fps + 1e-6) + 1) / sample_fps
        if size is None or large is None:
            height = max(2 * POINT_BLOCKS, round(frame.height * ANALYSIS_WIDTH / frame.width))
            size = (ANALYSIS_WIDTH, height)
            width = min(frame.width, keep.width if keep is not None else DETAIL_WIDTH)
            large = (width, max(1, round(frame.height * width / frame.width)))
        picture = _small_luma(frame, large)
        small = cv2.resize(picture, size, interpolation=cv2.INTER_AREA)
        if keep is not None:
            keep.add(seconds, small, lambda frame=frame, large=large: _colour(frame, large))
        yield seconds, cv2.GaussianBlur(small.astype(np.float32), (3, 3), 0), picture
        if state is not None and video.duration > 0:
            fraction = min(0.95, 0.95 * seconds / video.duration)
            if fraction - reported >= 0.01:
                reported = fraction
                state.set_progress(fraction)


def _colour(frame, size: tuple[int, int]) -> np.ndarray:
    """The frame in colour (BGR) at ``size``."""
    small = frame.reformat(width=size[0], height=size[1], format="bgr24", interpolation="AREA")
    return small.to_ndarray()


class _Keeper:
    """Colour copies of the sampled frames, ``width`` wide, kept to be read later.

    In colour and stored losslessly (PNG): RapidOCR's recogniser, given a grey copy or a
    JPEG (even at quality 98) of a slide, ran the words of a line together
    ("WhereIstheWateronEarth?") where the colour PNG read "Where Is the Water on
    Earth?". The grey small picture is what decides when to keep one.

    A copy is stored (as PNG) only when the small picture changed since the last
    stored one (a few pixels over compression noise are enough: a changed word), not
    counting pixels that keep changing (a webcam inset, a clip): an hour of slides
    takes a few megabytes, an hour with a clip all through tens.
    """

    CHANGED_LEVEL = 24
    """Brightness difference of a small-picture pixel that counts as changed..."""
    CHANGED_PIXELS = 3
    """...and how many such pixels make a new picture."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.times: list[float] = []
        self.which: list[int] = []
        self.stored: list[bytes] = []
        self._last: np.ndarray | None = None
        self._previous: np.ndarray | None = None
        self._activity: np.ndarray | None = None

    def add(self, seconds: float, small: np.ndarray, picture: Callable[[], np.ndarray]) -> None:
        """A sample: ``small`` (grey) decides whether it changed; ``picture()`` is kept."""
        if self._previous is not None and self._previous.shape == small.shape:
            moved = cv2.absdiff(small, self._previous) > self.CHANGED_LEVEL
            self._activity = 0.7 * self._activity + 0.3 * moved
        else:
            self._activity = np.zeros(small.shape, np.float32)
        self._previous = small
        last = self._last
        if last is None or (
            np.count_nonzero(
                (cv2.absdiff(small, last) > self.CHANGED_LEVEL) & (self._activity < 0.5)
            )
            >= self.CHANGED_PIXELS
        ):
            ok, encoded = cv2.imencode(".png", picture(), [cv2.IMWRITE_PNG_COMPRESSION, 1])
            if ok:
                self.stored.append(encoded.tobytes())
                self._last = small
        self.times.append(seconds)
        self.which.append(len(self.stored) - 1)

    def index_at(self, seconds: float) -> int:
        """Which stored picture the last sample at or before ``seconds`` shows (-1: none)."""
        if not self.times:
            return -1
        return self.which[max(0, bisect.bisect_right(self.times, seconds + 1e-6) - 1)]

    def at(self, seconds: float) -> np.ndarray | None:
        """The kept picture of the last sample at or before ``seconds`` (the first if none)."""
        which = self.index_at(seconds)
        if which < 0:
            return None
        return cv2.imdecode(np.frombuffer(self.stored[which], np.uint8), cv2.IMREAD_COLOR)


def _noise_threshold(jump: np.ndarray, live: np.ndarray) -> float:
    """One change threshold from the video's own noise: median plus MADs, with a floor."""
    values = jump[~live]
    if values.size == 0:
        return math.inf
    level = float(np.median(values))
    spread = 1.4826 * float(np.median(np.abs(values - level)))
    return max(NOISE_FLOOR, level + NOISE_SIGMAS * spread)


def _block_thresholds(jump: np.ndarray, live: np.ndarray, overall: float) -> np.ndarray:
    """Per-block thresholds: busy texture (text edges) flickers more under compression.

    Only the samples where a block is not live count, so a clip that played there for
    a while does not make the block deaf to the slide changes around it.
    """
    quiet = np.where(live, np.nan, jump.astype(np.float32))
    with warnings.catch_warnings():  # a block live all through has no quiet samples
        warnings.simplefilter("ignore", RuntimeWarning)
        level = np.nanmedian(quiet, axis=0)
        spread = 1.4826 * np.nanmedian(np.abs(quiet - level), axis=0)
    wanted = np.nan_to_num(level + NOISE_SIGMAS * spread, nan=overall)
    return np.maximum(overall, wanted).astype(np.float32)


def _live_regions(step: np.ndarray, threshold: float, reach: int) -> np.ndarray:
    """Blocks that keep changing by themselves, per sample: ``(samples, rows, cols)`` bool.

    A block is live at a sample when it changes between most consecutive samples within
    ``reach`` samples either side (a clip playing inside one slide, an animation, a
    webcam inset, a pointer being waved), or all through the video (a clock). A cut
    changes a block once, so it never makes a block live. Each group of live blocks is
    widened to its bounding box plus one block, because the edges of a moving picture
    change less often than its middle.
    """
    samples, rows, cols = step.shape
    active = step > threshold
    active[0] = False
    if samples < 2:
        return np.zeros((samples, rows, cols), bool)
    counts = np.concatenate([np.zeros((1, rows, cols), np.int32), np.cumsum(active, axis=0)])
    index = np.arange(samples)
    low, high = np.maximum(index - reach, 1), np.minimum(index + reach + 1, samples)
    share = (counts[high] - counts[low]) / np.maximum(high - low, 1)[:, None, None]
    local = share >= ALWAYS_ACTIVE
    local |= active[1:].mean(axis=0) >= ALWAYS_ACTIVE  # live all through
    live = np.zeros_like(local)
    boxed: dict[bytes, np.ndarray] = {}
    for position in np.flatnonzero(local.any(axis=(1, 2))):
        key = local[position].tobytes()
        if key not in boxed:
            boxed[key] = _boxed(local[position])
        live[position] = boxed[key]
    return live


def _boxed(active: np.ndarray) -> np.ndarray:
    rows, cols = active.shape
    live = np.zeros((rows, cols), np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(active.astype(np.uint8), 8)
    for label in range(1, count):
        x, y, width, height = stats[label, :4]
        if width * height <= rows * cols // 4:
            live[y : y + height, x : x + width] = 1
        else:
            live[labels == label] = 1
    return cv2.dilate(live, np.ones((3, 3), np.uint8)).astype(bool)


def _extended_changes(difference: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """The blocks of changed areas too big to be the mouse pointer.

    A block changed by ``SEED_RATIO`` times its threshold seeds an area that grows
    through neighbours changed by ``GROW_RATIO`` times it (hysteresis): the patchy
    difference of faded, compressed text still forms one wide area, while the faint
    overall shift when a key frame refreshes the compression seeds nothing. Areas
    that fit in a small square are dropped.
    """
    weak = (difference > GROW_RATIO * threshold).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(weak, 8)
    seeded = np.zeros(count, bool)
    seeded[np.unique(labels[difference > SEED_RATIO * threshold])] = True
    wide = (stats[:, cv2.CC_STAT_WIDTH] > POINT_BLOCKS) | (
        stats[:, cv2.CC_STAT_HEIGHT] > POINT_BLOCKS
    )
    keep = seeded & wide
    keep[0] = False
    return keep[labels]


@dataclass(frozen=True)
class _Change:
    time: float
    significance: float


@dataclass(frozen=True)
class _Analysis:
    """What the picture detector found: the changes and where the picture moves by itself."""

    changes: list[_Change]
    times: list[float]
    live: np.ndarray
    """``(samples, rows, cols)``: blocks changing by themselves around each sample."""
    block: int
    """Side of a block in analysis pixels (the grid starts at the top left)."""
    shape: tuple[int, int]
    """Height and width of the analysis picture."""
    moving: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    """Per sample: most of the picture changed since the sample before (``CUT_SHARE``:
    a slide pushing in, a fade, a page scrolling), so it may show no settled slide."""


def _find_changes(features: _Features) -> _Analysis:
    positions = sorted(features.jump)
    times = features.times
    step = np.stack(features.step)
    if not positions:
        return _Analysis([], times, np.zeros(step.shape, bool), features.block, features.shape)
    moving_whole = np.mean(step > 2 * NOISE_FLOOR, axis=(1, 2)) >= CUT_SHARE
    jump = np.stack([features.jump[i] for i in positions])
    # The noise of the whole picture finds the live regions; the rest sets the thresholds.
    # A scroll moves the picture, it does not make it live: only what the scroll does
    # not explain (and what came in at the edge) counts. Nor is it noise: moments with
    # a scroll around them are left out of the noise level.
    moving = step.copy()
    for index, came_in in features.scrolled.items():
        moving[index] = np.where(came_in, step[index], 0)
    near = features.window
    scrolling = np.array(
        [any(i in features.scrolled for i in range(p - near + 1, p + near)) for p in positions]
    )
    unscrolled = np.broadcast_to(scrolling[:, None, None], jump.shape)
    reach = max(features.window, round(LIVE_SECONDS * len(times) / max(times[-1], 1e-6)))
    if scrolling.mean() <= SCROLLED_THROUGH:
        noise = _noise_threshold(jump, unscrolled)
    else:  # scrolled nearly all through: the steps with the scrolls taken out are the noise
        noise = _noise_threshold(moving, np.zeros(moving.shape, bool))
    live_all = _live_regions(moving, noise, reach)
    live = live_all[positions]
    if scrolling.mean() <= SCROLLED_THROUGH:
        noise = _noise_threshold(jump, live | unscrolled)
    threshold = _block_thresholds(jump, live | unscrolled, noise)

    score_at: dict[int, float] = {}
    changed_at: dict[int, np.ndarray] = {}
    for row, position in enumerate(positions):
        usable = max(1, int((~live[row]).sum()))
        smallest = max(POINT_BLOCKS + 1, MIN_CHANGE_SHARE * usable)
        changed = _extended_changes(np.where(live[row], 0, jump[row]), threshold)
        if changed.sum() >= smallest:
            changed_at[position] = changed
            score_at[position] = float(jump[row][changed].sum(dtype=np.float64)) / (
                255 * live.shape[1] * live.shape[2]
            )

    changes = []
    transient: tuple[int, np.ndarray] | None = None
    runs = []
    for run in _runs(sorted(changed_at)):
        changed = changed_at[max(run, key=score_at.__getitem__)]
        runs += _split_at_cuts(
            run,
            features.window,
            lambda index, c=changed: _is_cut(features, moving, live_all, threshold, index, c),
        )
    for run in runs:
        peak = max(run, key=score_at.__getitem__)
        changed = changed_at[peak]
        # The same area changing back soon after a pop-up is the pop-up going away.
        if (
            transient is not None
            and run[0] - transient[0] <= features.settle
            and (changed & transient[1]).sum() >= PERSIST_SHARE * changed.sum()
        ):
            continue
        if _is_scroll(features, step, run, changed, threshold):
            continue
        kept = features.kept.get(peak)
        still = kept[changed] > GROW_RATIO * threshold[changed] if kept is not None else None
        if (
            still is not None
            and still.mean() < PERSIST_SHARE
            and not _lasting(features, live_all[run[0]], threshold, run[0])
        ):
            transient = (run[-1], changed)  # it went away again: a pop-up, not a new slide
            continue
        when = _change_time(run, changed, step, times, features.scrolled)
        changes.append(_Change(when, score_at[peak]))
    return _Analysis(changes, times, live_all, features.block, features.shape, moving_whole)


def _lasting(features: _Features, live: np.ndarray, threshold: np.ndarray, start: int) -> bool:
    """Whether the picture some seconds after ``start`` still differs from the one before
    it, by as much as a new slide must (``MIN_CHANGE_SHARE``) outside the ``live`` blocks.

    A change that moves the picture for a second (the next slide pushing the last one
    out) mixes, in the medians around its middle, pictures that do not last; so what
    changed at its peak seems to go away again, as a pop-up does. Compared with the
    still picture before it, what it left does not go away.
    """
    kept = features.kept.get(start)
    if kept is None:
        return False
    usable = int((~live).sum())
    over = (kept > GROW_RATIO * threshold) & ~live
    return bool(usable and over.sum() >= max(POINT_BLOCKS + 1, MIN_CHANGE_SHARE * usable))


def _is_cut(
    features: _Features,
    moving: np.ndarray,
    live: np.ndarray,
    threshold: np.ndarray,
    index: int,
    changed: np.ndarray,
) -> bool:
    """Whether the sample-to-sample step ``index`` is a cut to another slide, page or
    program: no scroll explains it, and it changed ``CUT_SHARE`` of the still picture,
    or most of the blocks the change around it ``changed``, at once."""
    if index in features.scrolled:
        return False
    over = (moving[index] > threshold) & ~live[index]
    still = int((~live[index]).sum())
    inside = int((changed & ~live[index]).sum())
    return bool(
        (still and over.sum() >= CUT_SHARE * still)
        or (inside and over[changed].sum() >= PERSIST_SHARE * inside)
    )


def _split_at_cuts(run: list[int], window: int, is_cut: Callable[[int], bool]) -> list[list[int]]:
    """A long run of moments of change (reading, typing, scrolling, with a cut or two in
    it) split into one run around each cut; a short run (one cut, one fade), or a long
    one with no cut in it, stays whole."""
    if len(run) <= 2 * window:
        return [run]
    parts: list[list[int]] = []
    for cut in range(run[0], run[-1] + 1):
        if not is_cut(cut):
            continue
        low, high = cut - window // 2, cut + window // 2
        if parts and low <= parts[-1][-1] + 1:
            parts[-1][-1] = high
        else:
            parts.append([low, high])
    inside = set(run)
    split = [[p for p in range(low, high + 1) if p in inside] for low, high in parts]
    return [part for part in split if part] or [run]


def _is_scroll(
    features: _Features,
    step: np.ndarray,
    run: list[int],
    changed: np.ndarray,
    threshold: np.ndarray,
) -> bool:
    """Whether the change found over ``run`` is the picture scrolling (a step, not a new
    slide): some sample-to-sample step around it scrolled, none scrolled most of the
    changed blocks out of view, and no other step around it changed most of them (a
    cut to another page or program does, also in the middle of scrolling), and no
    quick movement around it left nothing of the picture before (a slide pushed out by
    the next one, each of whose steps looks like a scroll)."""
    around = range(max(1, run[0] - features.window + 1), min(len(step), run[-1] + features.window))
    if not any(index in features.scrolled for index in around):
        return False
    if any(index in features.turned for index in around):
        return False
    for index in around:
        came_in = features.scrolled.get(index)
        if came_in is not None:
            if (~came_in & changed).sum() < SCROLL_OVERLAP * changed.sum():
                return False  # scrolled by most of the picture: as good as a new one
        elif np.mean(step[index][changed] > threshold[changed]) >= PERSIST_SHARE:
            return False
    return True


def _runs(positions: list[int], gap: int = 1) -> list[list[int]]:
    """Group sorted positions into runs whose members are at most ``gap`` apart."""
    runs: list[list[int]] = []
    for position in positions:
        if runs and position - runs[-1][-1] <= gap:
            runs[-1].append(position)
        else:
            runs.append([position])
    return runs


def _change_time(
    run: list[int],
    changed: np.ndarray,
    step: np.ndarray,
    times: list[float],
    scrolled: Container[int],
) -> float:
    """When the change happened: the centre of the sample-to-sample change in its blocks.

    A cut shows in one step, a fade in several; the median over the changed blocks
    ignores the pointer crossing a few of them. Steps that only scrolled (a page
    scrolled just before another program comes to the front) are not the change when
    a step that no scroll explains is there.
    """
    first, last = max(1, run[0] - 1), min(len(times) - 1, run[-1] + 1)
    indices = range(first, last + 1)
    weights = np.array([float(np.median(step[i][changed])) for i in indices])
    middles = np.array([(times[i - 1] + times[i]) / 2 for i in indices])
    if weights.sum() <= 0:
        return float(middles[len(middles) // 2])
    weights = np.maximum(weights - 0.25 * weights.max(), 0)
    unexplained = np.array([i not in scrolled for i in indices])
    if (weights * unexplained).sum() > 0:
        weights = weights * unexplained
    return float((weights * middles).sum() / weights.sum())


def _enforce_gap(changes: list[_Change], min_gap: float, duration: float) -> list[float]:
    """Keep the most significant changes that leave every chapter ``min_gap`` long.

    Candidates are taken in order of significance (the share of the picture that
    changed, weighted by how much): a new slide outranks a bullet appearing on it,
    so in a build-up the slide change itself becomes the chapter start. The start and
    the end of the video count as fixed boundaries.
    """
    kept: list[float] = []
    for change in sorted(changes, key=lambda c: (-c.significance, c.time)):
        boundaries = [0.0, *kept] + ([duration] if duration > 0 else [])
        if all(abs(change.time - b) >= min_gap for b in boundaries):
            kept.append(change.time)
    return sorted(kept)


KEY_FRAME_SPACING = 1.05
"""Key frames at most this far apart (seconds) are enough samples on their own."""


def _measure(
    video_path: str | os.PathLike[str],
    sample_fps: float,
    state: ProgressState | None,
    *,
    fast: bool,
    keep: _Keeper | None = None,
) -> tuple[_Features, float, bool]:
    """Sample the video into :class:`_Features` (and ``keep``, when given).

    With ``fast``, a video whose key frames come at least once a second (the Studio's
    own recordings) is sampled at its key frames only, decoding nothing else;
    any other video is decoded skipping what ``_Video(fast=True)`` skips.

    Returns:
        The features, the duration in seconds, and whether far fewer samples came out
        than the frame rate promises (then ``fast`` skipped too much).
    """
    features: _Features | None = None
    last = 0.0
    rate = sample_fps
    keys_only = False
    if fast:
        with _Video(video_path, "find slide changes") as video:
            spacing = video.key_frame_spacing()
        keys_only = spacing <= KEY_FRAME_SPACING
        if keys_only:
            rate = min(sample_fps, 1.0 / spacing)
    window = max(3, int(1.5 * rate) | 1)
    settle = max(window, round(SETTLE_SECONDS * rate))
    with _Video(video_path, "find slide changes", fast=fast, keys_only=keys_only) as video:
        for seconds, image, detail in _sample(video, sample_fps, state, keep):
            if features is None:
                block = max(1, image.shape[1] // GRID_COLUMNS)
                features = _Features(image.shape, block, window, settle)
            features.add(seconds, image, detail)
            last = seconds
        duration = max(video.duration, last)
        expected = duration * min(rate, video.rate)
    if features is None:
        raise ChapterDetectionError(video_path, "no picture could be decoded")
    return features, duration, len(features.times) < 0.5 * expected


def detect_slide_changes(
    video_path: str | os.PathLike[str],
    *,
    sample_fps: float = 2.0,
    min_gap: float = 5.0,
    state: ProgressState | None = None,
) -> list[float]:
    """Find the times where the slide changes in a lecture recording.

    The video is sampled ``sample_fps`` times a second (at its key frames alone when
    they come at least once a second, as in the Studio's recordings) into a small (160 px wide),
    lightly blurred grayscale picture cut into a grid of 32 blocks across. At each
    moment, the per-pixel median of the samples after it is compared with the median
    of the samples before it, block by block; the median drops what is at a pixel
    only briefly, such as a moving mouse pointer. A block has changed when the
    difference is over the video's own noise level: the median plus six MADs of all
    block differences (per block too, since text edges flicker under compression),
    never under a fixed floor. Then:

    * blocks that change between most consecutive samples within 4 s of a moment (a
      clip playing inside one slide, an animation) or all through the video (a webcam
      inset, a clock) are left out at that moment, widened to their bounding box;
    * a scroll (a page, a terminal or an editor moving up or down, confirmed letter by
      letter on a 640 px copy) is not a change, nor does it make the page live or count
      as noise; a cut to another page or program in the middle of scrolling or typing
      is still one;
    * a changed area must hold a block changed by twice the threshold, grows through
      neighbours changed by half of it, and must be too big to be the pointer;
      together the areas must cover 1% of the picture (one new line of text does);
    * the change must still be there two seconds later, so a pop-up or a slide
      flashed for a second is not a chapter (nor is it going away again);
    * consecutive moments of change (a fade) count as one change, timed at the
      centre of the sample-to-sample change in the changed blocks.

    Two slides with the same template that differ only in their text are told apart
    because text changes a wide band of blocks.

    Args:
        video_path: the recording (any format FFmpeg reads).
        sample_fps: samples per second to look at.
        min_gap: shortest chapter in seconds. When changes are closer, the more
            significant one is kept (a new slide rather than a bullet appearing on
            it); changes closer than this to the start or end are dropped too.
        state: optional job state for progress and cancellation.

    Returns:
        The change times in seconds, ascending.

    Raises:
        ChapterDetectionError: the video cannot be opened or decoded.
        Cancelled: ``state`` asked to stop.
    """
    if sample_fps <= 0:
        raise ValueError(f"sample_fps must be positive, got {sample_fps}")
    if state is not None:
        state.set_status("Finding slide changes")
    features, duration, starved = _measure(video_path, sample_fps, state, fast=True)
    if starved:
        # Some streams mark most frames as unreferenced; look at every frame instead.
        features, duration, _ = _measure(video_path, sample_fps, state, fast=False)
    check_cancelled(state, "Finding slide changes")
    changes = _enforce_gap(_find_changes(features).changes, min_gap, duration)
    if state is not None:
        state.set_progress(1.0)
    return changes
