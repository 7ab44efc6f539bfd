"""Chapters: the chapter model, slide-change detection, titles, thumbnails and files.

A lecture recording is cut into chapters where the slide changes. Detection looks at
the video at a low sample rate (two frames a second by default) in a small grayscale
copy, so an hour of 1080p video takes a minute or two; see
:func:`detect_slide_changes` for how it tells a new slide from a moving mouse
pointer, a webcam inset, compression noise and fades. Chapters get their titles from
what the teacher says just after the change and a thumbnail taken just after it.

Times are seconds (float) from the first frame of the video.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import av
import cv2
import numpy as np

from shared.errors import LecternError
from shared.files import atomic_path, write_json_atomic
from shared.jobs import Cancelled, ProgressState, check_cancelled

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

SOURCES = ("detected", "manual")
MERGE_MODES = ("extend", "replace")
MERGE_TOLERANCE = 2.0
"""A detected chapter this close (seconds) to a manual one is the same chapter."""

# Detection tuning. Sizes are in analysis pixels or grid blocks, levels in 8-bit luma.
ANALYSIS_WIDTH = 160
GRID_COLUMNS = 32
NOISE_FLOOR = 4.0
"""Smallest mean block difference that can count as a change, whatever the noise."""
NOISE_SIGMAS = 6.0
"""A change is this many MADs over the median block difference (the noise level)."""
ALWAYS_ACTIVE = 0.4
"""A block that differs between this share of consecutive samples is a live region."""
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


# --------------------------------------------------------------------------- video


class _Video:
    """An open video stream with error translation and times from the first frame.

    Args:
        path: the video file.
        doing: what the caller wants the video for, for error messages.
        fast: skip the deblocking filter and frames nothing else refers to (B-frames):
            a slightly blockier picture at about twice the speed, which is plenty for
            comparing slides.
    """

    def __init__(self, path: str | os.PathLike[str], doing: str, *, fast: bool = False) -> None:
        self.path, self.doing = Path(path), doing
        try:
            self.container = av.open(str(self.path))
        except (av.FFmpegError, OSError) as error:
            raise self.error(_reason(error)) from error
        if not self.container.streams.video:
            self.container.close()
            raise self.error("it has no video track")
        stream = self.stream = self.container.streams.video[0]
        stream.thread_type = "AUTO"
        if fast:
            stream.codec_context.options = {"skip_loop_filter": "all"}
            stream.codec_context.skip_frame = "NONREF"
        self.base = stream.time_base
        start = stream.start_time
        self.origin = float(start * self.base) if start is not None and self.base else 0.0
        self.rate = float(stream.average_rate) if stream.average_rate else 30.0
        if stream.duration is not None and self.base:
            self.duration = float(stream.duration * self.base)
        elif self.container.duration is not None:
            self.duration = self.container.duration / av.time_base
        else:
            self.duration = 0.0

    def error(self, reason: str = "") -> ChapterDetectionError:
        return ChapterDetectionError(self.path, reason, doing=self.doing)

    def close(self) -> None:
        self.container.close()

    def __enter__(self) -> _Video:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def seek(self, seconds: float) -> None:
        """Move to the key frame at or before ``seconds``."""
        if self.base:
            self.container.seek(int((self.origin + seconds) / self.base), stream=self.stream)
        else:
            self.container.seek(int((self.origin + seconds) * av.time_base))

    def frames(self) -> Iterator[tuple[float, av.VideoFrame]]:
        """Decode frames in order as ``(seconds from first frame, frame)``.

        Undecodable packets (a damaged stretch of the file) are skipped.
        """
        count = 0
        try:
            for packet in self.container.demux(self.stream):
                try:
                    decoded = packet.decode()
                except av.InvalidDataError:
                    continue
                for frame in decoded:
                    time = frame.time
                    seconds = float(time) - self.origin if time is not None else count / self.rate
                    count += 1
                    yield seconds, frame
        except (av.FFmpegError, OSError) as error:
            if count == 0:
                raise self.error(_reason(error)) from error


def _reason(error: BaseException) -> str:
    text = getattr(error, "strerror", None) or str(error)
    return text.split(":")[0].strip() if text else type(error).__name__


_LUMA_FIRST = ("yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "nv12")


def _small_luma(frame: av.VideoFrame, size: tuple[int, int]) -> np.ndarray:
    """The frame's brightness shrunk to ``size`` as uint8, reading the Y plane if it can."""
    if frame.format.name in _LUMA_FIRST:
        plane = frame.planes[0]
        rows = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
        return cv2.resize(rows[:, : frame.width], size, interpolation=cv2.INTER_AREA)
    small = frame.reformat(width=size[0], height=size[1], format="gray", interpolation="AREA")
    return small.to_ndarray()


# --------------------------------------------------------------------- detection


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
      later, to tell a lasting change from a transient one.

    Only a few frames are held at once, so memory does not grow with the video.
    """

    def __init__(self, shape: tuple[int, int], block: int, window: int, settle: int) -> None:
        self.rows, self.cols = shape[0] // block, shape[1] // block
        self.block, self.window, self.settle = block, window, settle
        self.times: list[float] = []
        self.step: list[np.ndarray] = []
        self.jump: dict[int, np.ndarray] = {}
        self.kept: dict[int, np.ndarray] = {}
        self._frames: deque[np.ndarray] = deque(maxlen=window)
        self._medians: dict[int, np.ndarray] = {}

    def _blocks(self, difference: np.ndarray) -> np.ndarray:
        rows, cols, block = self.rows, self.cols, self.block
        cropped = difference[: rows * block, : cols * block]
        blocks = cropped.reshape(rows, block, cols, block).mean(axis=(1, 3), dtype=np.float32)
        return blocks.astype(np.float16)  # half the memory; a long lecture has many samples

    def add(self, seconds: float, image: np.ndarray) -> None:
        index = len(self.times)
        self.times.append(seconds)
        previous = self._frames[-1] if self._frames else image
        self.step.append(self._blocks(cv2.absdiff(image, previous)))
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
    video: _Video, sample_fps: float, state: ProgressState | None
) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(seconds, small blurred grayscale image)`` about ``sample_fps`` times a second."""
    size: tuple[int, int] | None = None
    target = 0.0
    reported = -1.0
    for seconds, frame in video.frames():
        if seconds + 1e-3 < target:
            continue
        check_cancelled(state, "Finding slide changes")
        target = (math.floor(seconds * sample_fps + 1e-6) + 1) / sample_fps
        if size is None:
            height = max(2 * POINT_BLOCKS, round(frame.height * ANALYSIS_WIDTH / frame.width))
            size = (ANALYSIS_WIDTH, height)
        small = _small_luma(frame, size)
        yield seconds, cv2.GaussianBlur(small.astype(np.float32), (3, 3), 0)
        if state is not None and video.duration > 0:
            fraction = min(0.95, 0.95 * seconds / video.duration)
            if fraction - reported >= 0.01:
                reported = fraction
                state.set_progress(fraction)


def _noise_threshold(jump: np.ndarray, live: np.ndarray) -> float:
    """One change threshold from the video's own noise: median plus MADs, with a floor."""
    values = jump[:, ~live]
    if values.size == 0:
        return math.inf
    level = float(np.median(values))
    spread = 1.4826 * float(np.median(np.abs(values - level)))
    return max(NOISE_FLOOR, level + NOISE_SIGMAS * spread)


def _block_thresholds(jump: np.ndarray, overall: float) -> np.ndarray:
    """Per-block thresholds: busy texture (text edges) flickers more under compression."""
    level = np.median(jump, axis=0)
    spread = 1.4826 * np.median(np.abs(jump - level), axis=0)
    return np.maximum(overall, level + NOISE_SIGMAS * spread).astype(np.float32)


def _live_regions(step: np.ndarray, threshold: float) -> np.ndarray:
    """Blocks that keep changing all through the video (a webcam inset, a clock).

    A block is live when it changes between many consecutive samples. Each group of
    live blocks is widened to its bounding box plus one block, because the edges of
    a webcam picture move less often than its middle.
    """
    rows, cols = step.shape[1:]
    if len(step) < 2:
        return np.zeros((rows, cols), bool)
    active = ((step[1:] > threshold).mean(axis=0) >= ALWAYS_ACTIVE).astype(np.uint8)
    live = np.zeros((rows, cols), np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(active, 8)
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


def _find_changes(features: _Features) -> list[_Change]:
    positions = sorted(features.jump)
    if not positions:
        return []
    times = features.times
    step = np.stack(features.step)
    jump = np.stack([features.jump[i] for i in positions])
    # The noise of the whole picture finds the live regions; the rest sets the thresholds.
    live = _live_regions(step, _noise_threshold(jump, np.zeros(jump.shape[1:], bool)))
    threshold = _block_thresholds(jump, _noise_threshold(jump, live))
    usable = max(1, int((~live).sum()))
    smallest = max(POINT_BLOCKS + 1, MIN_CHANGE_SHARE * usable)

    score_at: dict[int, float] = {}
    changed_at: dict[int, np.ndarray] = {}
    for row, position in enumerate(positions):
        changed = _extended_changes(np.where(live, 0, jump[row]), threshold)
        if changed.sum() >= smallest:
            changed_at[position] = changed
            score_at[position] = float(jump[row][changed].sum(dtype=np.float64)) / (255 * usable)

    changes = []
    transient: tuple[int, np.ndarray] | None = None
    for run in _runs(sorted(changed_at)):
        peak = max(run, key=score_at.__getitem__)
        changed = changed_at[peak]
        # The same area changing back soon after a pop-up is the pop-up going away.
        if (
            transient is not None
            and run[0] - transient[0] <= features.settle
            and (changed & transient[1]).sum() >= PERSIST_SHARE * changed.sum()
        ):
            continue
        kept = features.kept.get(peak)
        still = kept[changed] > GROW_RATIO * threshold[changed] if kept is not None else None
        if still is not None and still.mean() < PERSIST_SHARE:
            transient = (run[-1], changed)  # it went away again: a pop-up, not a new slide
            continue
        changes.append(_Change(_change_time(run, changed, step, times), score_at[peak]))
    return changes


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
    run: list[int], changed: np.ndarray, step: np.ndarray, times: list[float]
) -> float:
    """When the change happened: the centre of the sample-to-sample change in its blocks.

    A cut shows in one step, a fade in several; the median over the changed blocks
    ignores the pointer crossing a few of them.
    """
    first, last = max(1, run[0] - 1), min(len(times) - 1, run[-1] + 1)
    weights = np.array([float(np.median(step[i][changed])) for i in range(first, last + 1)])
    middles = np.array([(times[i - 1] + times[i]) / 2 for i in range(first, last + 1)])
    if weights.sum() <= 0:
        return float(middles[len(middles) // 2])
    weights = np.maximum(weights - 0.25 * weights.max(), 0)
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


def _measure(
    video_path: str | os.PathLike[str],
    sample_fps: float,
    state: ProgressState | None,
    *,
    fast: bool,
) -> tuple[_Features, float, bool]:
    """Sample the video into :class:`_Features`.

    Returns:
        The features, the duration in seconds, and whether far fewer samples came out
        than the frame rate promises (then ``fast`` skipped too much).
    """
    window = max(3, int(1.5 * sample_fps) | 1)
    settle = max(window, round(SETTLE_SECONDS * sample_fps))
    features: _Features | None = None
    last = 0.0
    with _Video(video_path, "find slide changes", fast=fast) as video:
        for seconds, image in _sample(video, sample_fps, state):
            if features is None:
                block = max(1, image.shape[1] // GRID_COLUMNS)
                features = _Features(image.shape, block, window, settle)
            features.add(seconds, image)
            last = seconds
        duration = max(video.duration, last)
        expected = duration * min(sample_fps, video.rate)
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

    The video is sampled ``sample_fps`` times a second into a small (160 px wide),
    lightly blurred grayscale picture cut into a grid of 32 blocks across. At each
    moment, the per-pixel median of the samples after it is compared with the median
    of the samples before it, block by block; the median drops what is at a pixel
    only briefly, such as a moving mouse pointer. A block has changed when the
    difference is over the video's own noise level: the median plus six MADs of all
    block differences (per block too, since text edges flicker under compression),
    never under a fixed floor. Then:

    * blocks that change between most consecutive samples all through the video (a
      webcam inset, a clock) are left out, widened to their bounding box;
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
    changes = _enforce_gap(_find_changes(features), min_gap, duration)
    if state is not None:
        state.set_progress(1.0)
    return changes


# ------------------------------------------------------------------------ titles

TITLE_LENGTH = 60
SPEECH_LEAD = 1.0
"""Speech this long before a slide change may already be about the new slide."""

# Always filler at the start of a title; the weak ones only when a comma follows.
_FILLERS = (
    "all right", "alright", "and now", "so now", "and so", "and then", "okay", "ok",
    "so", "um", "umm", "uh", "uhm", "er", "erm", "ah", "hmm", "mm",
)  # fmt: skip
_WEAK_FILLERS = ("right", "well", "now", "and", "good", "great", "yes", "yeah", "then", "next")
_FILLER_START = re.compile(
    r"^(?:(?:" + "|".join(re.escape(f) for f in _FILLERS) + r")\b[\s,.;:!?-]*"
    r"|(?:" + "|".join(_WEAK_FILLERS) + r")\s*[,;:!.-]+\s*)",
    re.IGNORECASE,
)
_HESITATION = re.compile(r"\b(?:um+|uh+|uhm|erm)\b[,.]?\s*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CLAUSE_END = re.compile(r"\s*[,;:\u2013\u2014]\s+|\s+-\s+")


def _strip_fillers(text: str) -> str:
    text = _HESITATION.sub("", text).strip(" \t\n,;:-")
    while True:
        shorter = _FILLER_START.sub("", text, count=1).strip(" \t\n,;:-")
        if shorter == text:
            break
        text = shorter
    # A sentence that is only a weak filler ("Right.", "Good.") says nothing.
    return "" if text.lower().strip(" .!?") in _WEAK_FILLERS else text


def _speech_after(segments: Sequence[TimedText], start: float, end: float) -> str:
    """What is said from ``start`` (or just before it) until ``end``."""
    parts = []
    for segment in sorted(segments, key=lambda s: s.start):
        if segment.end <= start or segment.start >= end:
            continue
        text = " ".join(segment.text.split())
        if segment.start < start - SPEECH_LEAD and segment.end > segment.start:
            # The segment began on the previous slide: guess, at an even pace, where
            # the speaker was at ``start`` and begin at the next sentence from there.
            at = len(text) * (start - segment.start) / (segment.end - segment.start)
            begins = [m.end() for m in _SENTENCE_END.finditer(text) if m.end() >= at - 10]
            if not begins:
                continue
            text = text[begins[0] :]
        if parts and text and not _SENTENCE_END.search(parts[-1][-1:] + " "):
            text = _continue_sentence(text)
        parts.append(text)
        if sum(len(p) for p in parts) > 4 * TITLE_LENGTH:
            break
    return " ".join(parts)


# Words Whisper capitalises at the start of a segment that merely continues a sentence.
_CONTINUATION_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "how",
        "if",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "so",
        "than",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "you",
    ]
)


def _continue_sentence(text: str) -> str:
    """Lower-case the first word of a segment that continues the previous one's sentence.

    Only common function words are lowered, so names ("Earth", "Paris") keep their capital.
    """
    first, _, rest = text.partition(" ")
    if first.lower() in _CONTINUATION_WORDS and first[:1].isupper() and first[1:].islower():
        return f"{first.lower()} {rest}".rstrip()
    return text


def _shorten(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters: at a clause end if one is near, else a word."""
    if len(text) <= limit:
        return text
    for match in _CLAUSE_END.finditer(text):
        if limit // 3 <= match.start() <= limit:
            return text[: match.start()]
        if match.start() > limit:
            break
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-") + "\u2026"


def title_from_segments(segments: Sequence[TimedText], start: float, end: float) -> str:
    """A chapter title from the first thing said after ``start`` and before ``end``.

    Takes the first sentence spoken (speech that starts up to a second before
    ``start`` counts), drops filler such as "so", "okay", "um" and "and now", skips
    sentences that were only filler ("Right.", "Good."), capitalises it, and shortens
    it to about 60 characters: at the end of the first clause when that is long
    enough, else at a word boundary with an ellipsis. A segment that began well
    before ``start`` contributes from its first sentence after ``start``, guessed
    from an even speaking pace.

    Args:
        segments: transcript pieces, any objects with ``start``, ``end`` and ``text``.
        start: chapter start in seconds.
        end: chapter end in seconds.

    Returns:
        The title, or ``""`` when nothing is said in the chapter.
    """
    speech = _speech_after(segments, start, end)
    candidates = [_strip_fillers(s) for s in _SENTENCE_END.split(speech)]
    candidates = [c for c in candidates if any(ch.isalnum() for ch in c)]
    if not candidates:
        return ""
    title = _shorten(candidates[0], TITLE_LENGTH).rstrip(" .,;:!")
    return title[:1].upper() + title[1:]


# ---------------------------------------------------------------------- chapters


def chapters_from_changes(
    changes: Sequence[float],
    duration: float,
    *,
    segments: Sequence[TimedText] = (),
    min_length: float = 5.0,
) -> list[Chapter]:
    """Turn slide-change times into contiguous chapters covering ``0..duration``.

    A change that would leave a chapter shorter than ``min_length`` (including the
    first and the last) is dropped, the earlier of two close changes winning.
    Titles come from :func:`title_from_segments`, else "Chapter N".

    Args:
        changes: slide-change times in seconds, in any order.
        duration: length of the video in seconds.
        segments: transcript pieces (objects with ``start``, ``end``, ``text``).
        min_length: shortest chapter in seconds.

    Returns:
        Chapters in order, the first starting at 0 and the last ending at ``duration``;
        empty if ``duration`` is not positive.
    """
    if duration <= 0:
        return []
    starts = [0.0]
    for change in sorted(set(changes)):
        if change - starts[-1] >= min_length and duration - change >= min_length:
            starts.append(float(change))
    ends = [*starts[1:], float(duration)]
    chapters = []
    for number, (start, end) in enumerate(zip(starts, ends, strict=True), start=1):
        title = title_from_segments(segments, start, end) or f"Chapter {number}"
        chapters.append(Chapter(start, end, title))
    return chapters


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


# -------------------------------------------------------------------- thumbnails


def _frame_at(video: _Video, seconds: float) -> av.VideoFrame | None:
    """The first frame shown at or after ``seconds`` (else the last one before it)."""
    video.seek(seconds)
    last = None
    for time, frame in video.frames():
        last = frame
        if time >= seconds - 0.5 / video.rate:
            break
    return last


def make_thumbnails(
    video_path: str | os.PathLike[str],
    chapters: Sequence[Chapter],
    out_dir: str | os.PathLike[str],
    *,
    width: int = 320,
    offset: float = 1.0,
    state: ProgressState | None = None,
) -> list[Chapter]:
    """Save a JPEG picture of each chapter and return the chapters pointing at them.

    The picture is the frame ``offset`` seconds after the chapter start, so a fade
    into the slide is over, but never past the middle of a short chapter. Files are
    named ``chapter-001.jpg``, ``chapter-002.jpg``, ... in chapter order and are
    written atomically.

    Args:
        video_path: the lecture video.
        chapters: the chapters, in order.
        out_dir: folder for the pictures (created if needed).
        width: picture width in pixels; the height keeps the video's shape.
        offset: seconds after the chapter start to take the picture.
        state: optional job state for progress and cancellation.

    Returns:
        The chapters with ``thumbnail`` set to the picture's file name (relative).

    Raises:
        ChapterDetectionError: the video cannot be read.
        Cancelled: ``state`` asked to stop; pictures made by this call are removed.
    """
    out = Path(out_dir)
    if state is not None:
        state.set_status("Making chapter pictures")
    written: list[Path] = []
    result = []
    try:
        with _Video(video_path, "make chapter pictures") as video:
            for number, chapter in enumerate(chapters, start=1):
                check_cancelled(state, "Making chapter pictures")
                at = chapter.start + max(0.0, min(offset, chapter.duration / 2))
                frame = _frame_at(video, at)
                if frame is None:
                    raise video.error(f"no picture at {at:.1f} s")
                picture = frame.to_ndarray(format="bgr24")
                height = max(1, round(picture.shape[0] * width / picture.shape[1]))
                picture = cv2.resize(picture, (width, height), interpolation=cv2.INTER_AREA)
                ok, data = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, 85])
                if not ok:
                    raise video.error("the picture could not be encoded")
                name = f"chapter-{number:03d}.jpg"
                with atomic_path(out / name) as tmp:
                    tmp.write_bytes(data.tobytes())
                written.append(out / name)
                result.append(replace(chapter, thumbnail=name))
                if state is not None:
                    state.set_progress(number / len(chapters))
    except Cancelled:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return result


# ------------------------------------------------------------------------- files


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
