"""Synthetic lecture screen recordings with known slide-change times.

The videos look like what a teacher records: slides from one template (title bar and
bullets in DejaVu Sans), a mouse pointer that keeps moving, a small webcam inset in a
corner whose picture changes every frame, optional cross-fades, and real H.264
compression by ffmpeg. Everything random comes from ``seed``, so a test and a bench
that use different seeds see different decks, colours, timings and pointer paths.

Used by ``tests/shared/test_chapters.py`` and ``bench/bench_chapters.py``.
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from shared.media import ffmpeg_exe

__all__ = ["Slide", "make_scroll_video", "make_slide_video", "random_slides"]

Slide = tuple[float, str, list[str]]
"""One slide: (seconds on screen, title, bullet lines)."""

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

_WORD_TEXT = """
energy cell membrane protein light reaction model data graph function limit series
matrix vector proof theorem example market price demand supply history empire trade
river climate carbon oxygen plant leaf root water signal network layer gradient loss
sample error variance mean test method result theory law force mass motion wave
field charge current circuit memory process thread lock queue stack compiler syntax
grammar verb poem novel author period revolution state policy voter court rights
atom bond molecule acid base enzyme gene species habitat evolution fossil rock
"""
_GLUE_TEXT = "the of and in for with to on a how why what is are from by"
_WORDS = _WORD_TEXT.split()
_GLUE = _GLUE_TEXT.split()

# (background, title bar, title text, body text, bullet mark) per template.
_THEMES = (
    ((250, 250, 250), (31, 78, 121), (255, 255, 255), (30, 30, 30), (31, 78, 121)),
    ((255, 253, 240), (150, 40, 40), (255, 250, 240), (40, 30, 30), (150, 40, 40)),
    ((238, 242, 245), (40, 110, 70), (255, 255, 255), (20, 40, 30), (40, 110, 70)),
    ((30, 34, 42), (70, 130, 200), (255, 255, 255), (225, 230, 235), (240, 180, 60)),
    ((255, 255, 255), (230, 230, 230), (20, 20, 20), (50, 50, 50), (200, 80, 20)),
    ((20, 40, 60), (250, 200, 60), (20, 30, 40), (240, 240, 240), (250, 200, 60)),
)


def _phrase(rng: random.Random, low: int, high: int) -> str:
    words = []
    for index in range(rng.randint(low, high)):
        pool = _GLUE if index % 3 == 1 and rng.random() < 0.6 else _WORDS
        words.append(rng.choice(pool))
    if words[-1] in _GLUE:
        words[-1] = rng.choice(_WORDS)
    return " ".join(words)


def random_slides(
    seed: int,
    count: int,
    *,
    min_seconds: float = 6.0,
    max_seconds: float = 14.0,
    similar: float = 0.3,
) -> list[Slide]:
    """A random deck: titles, bullets and durations drawn from ``seed``.

    Args:
        seed: the random seed; different seeds give different decks.
        count: number of slides.
        min_seconds: shortest time a slide stays on screen.
        max_seconds: longest time a slide stays on screen.
        similar: chance that a slide continues the previous one: the same title plus
            "(cont.)" and as many bullets, so the two differ only in their text.
    """
    rng = random.Random(seed)
    slides: list[Slide] = []
    for _ in range(count):
        seconds = round(rng.uniform(min_seconds, max_seconds), 2)
        if slides and rng.random() < similar:
            title = slides[-1][1].removesuffix(" (cont.)") + " (cont.)"
            bullets = [_phrase(rng, 3, 7) for _ in slides[-1][2]]
        else:
            title = _phrase(rng, 2, 5).capitalize()
            bullets = [_phrase(rng, 3, 8) for _ in range(rng.randint(2, 5))]
        slides.append((seconds, title, bullets))
    return slides


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / name), size)


def _render_slide(
    size: tuple[int, int], title: str, bullets: Sequence[str], theme: tuple
) -> np.ndarray:
    width, height = size
    background, bar, title_colour, body_colour, mark = theme
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    bar_height = int(height * 0.16)
    draw.rectangle((0, 0, width, bar_height), fill=bar)
    title_font = _font("DejaVuSans-Bold.ttf", max(10, int(height * 0.06)))
    body_font = _font("DejaVuSans.ttf", max(8, int(height * 0.04)))
    margin = int(width * 0.05)
    draw.text((margin, bar_height // 2), title, font=title_font, fill=title_colour, anchor="lm")
    line = int(height * 0.085)
    top = bar_height + int(height * 0.08)
    for index, bullet in enumerate(bullets):
        y = top + index * line
        radius = max(2, int(height * 0.008))
        draw.ellipse(
            (margin, y - radius, margin + 2 * radius, y + radius),
            fill=mark,
        )
        draw.text((margin + 5 * radius, y), bullet, font=body_font, fill=body_colour, anchor="lm")
    # A small static logo in the bottom-left corner, as many templates have.
    logo = int(height * 0.05)
    draw.rectangle((margin, height - 2 * logo, margin + logo, height - logo), fill=mark)
    return np.asarray(image, dtype=np.uint8).copy()


def save_slide_picture(
    path: str | os.PathLike[str],
    title: str,
    bullets: Sequence[str],
    *,
    size: tuple[int, int] = (1280, 720),
) -> None:
    """Write one slide, drawn as :func:`make_slide_video` draws them, as a PNG at ``path``."""
    Image.fromarray(_render_slide(size, title, bullets, _THEMES[0])).save(path)


def _pointer_shape(height: int) -> np.ndarray:
    """An arrow pointer outline, its tip at (0, 0), about 1/30 of the frame high."""
    scale = max(8, height // 30)
    arrow = np.array(
        [(0, 0), (0, 1.0), (0.28, 0.75), (0.45, 1.1), (0.58, 1.04), (0.42, 0.7), (0.75, 0.7)]
    )
    return (arrow * scale).astype(np.int32)


class _Pointer:
    """A mouse pointer gliding between random targets, pausing now and then."""

    def __init__(self, rng: random.Random, size: tuple[int, int], fps: float) -> None:
        self.rng, self.size, self.fps = rng, size, fps
        self.position = np.array([size[0] * 0.5, size[1] * 0.5])
        self.target = self.position.copy()
        self.pause = 0
        self.speed = 1.0

    def step(self) -> tuple[int, int]:
        width, height = self.size
        if self.pause > 0:
            self.pause -= 1
        else:
            offset = self.target - self.position
            distance = float(np.hypot(*offset))
            step = self.speed * width / self.fps
            if distance <= step:
                self.position = self.target.copy()
                self.target = np.array(
                    [self.rng.uniform(0.05, 0.8) * width, self.rng.uniform(0.2, 0.9) * height]
                )
                self.speed = self.rng.uniform(0.05, 0.6)
                if self.rng.random() < 0.5:
                    self.pause = int(self.rng.uniform(0.2, 3.0) * self.fps)
            else:
                self.position += offset / distance * step
        return int(self.position[0]), int(self.position[1])


def _draw_pointer(frame: np.ndarray, at: tuple[int, int], arrow: np.ndarray) -> None:
    points = arrow + np.array(at, np.int32)
    cv2.fillPoly(frame, [points], (0, 0, 0), lineType=cv2.LINE_AA)
    cv2.polylines(frame, [points], True, (255, 255, 255), 1, lineType=cv2.LINE_AA)


def _draw_clip(frame: np.ndarray, t: float) -> None:
    """A clip playing in the right half: drifting colour bands and a bouncing ball."""
    height, width = frame.shape[:2]
    top, bottom = int(height * 0.35), int(height * 0.8)
    left, right = int(width * 0.55), int(width * 0.92)
    h, w = bottom - top, right - left
    ys, xs = np.mgrid[0:h, 0:w]
    phase = (xs * 3 + ys * 2) / max(w, 1) * 6.28 + 5 * t
    clip = np.stack([127 + 120 * np.sin(phase + k * 2.1) for k in range(3)], axis=-1).astype(
        np.uint8
    )
    cx = int(w * (0.5 + 0.4 * math.sin(2.3 * t)))
    cy = int(h * (0.5 + 0.4 * math.cos(1.7 * t)))
    cv2.circle(clip, (cx, cy), max(3, h // 6), (255, 255, 255), -1)
    frame[top:bottom, left:right] = clip


class _Webcam:
    """A talking-head inset: a face-like blob that sways, blinks and talks, plus sensor noise."""

    def __init__(self, rng: random.Random, size: tuple[int, int]) -> None:
        width, height = size
        self.width = max(32, width // 5) // 2 * 2
        self.height = int(self.width * 0.75) // 2 * 2
        self.x = width - self.width - width // 60
        self.y = height - self.height - height // 40
        self.np_rng = np.random.default_rng(rng.randrange(2**32))
        self.wall = tuple(int(v) for v in self.np_rng.integers(60, 200, 3))
        self.skin = tuple(int(v) for v in self.np_rng.integers(120, 230, 3))
        self.phase = rng.uniform(0, 6.28)

    def draw(self, frame: np.ndarray, t: float) -> None:
        w, h = self.width, self.height
        inset = np.empty((h, w, 3), np.uint8)
        inset[:] = self.wall
        cx = int(w * (0.5 + 0.12 * math.sin(0.7 * t + self.phase)))
        cy = int(h * (0.55 + 0.05 * math.sin(1.3 * t)))
        cv2.rectangle(inset, (cx - w // 4, cy + h // 5), (cx + w // 4, h), (40, 40, 90), -1)
        cv2.ellipse(inset, (cx, cy), (w // 8, h // 4), 0, 0, 360, self.skin, -1)
        eye = max(1, h // 40) if math.sin(2.1 * t) < 0.95 else 0
        for dx in (-w // 20, w // 20):
            cv2.circle(inset, (cx + dx, cy - h // 20), eye, (20, 20, 20), -1)
        mouth = max(1, int(h // 30 * (1 + math.sin(9 * t))))
        cv2.ellipse(inset, (cx, cy + h // 10), (w // 30, mouth), 0, 0, 360, (90, 30, 30), -1)
        noise = self.np_rng.integers(-12, 13, inset.shape, dtype=np.int16)
        inset = np.clip(inset.astype(np.int16) + noise, 0, 255).astype(np.uint8)
        frame[self.y : self.y + h, self.x : self.x + w] = inset
        cv2.rectangle(frame, (self.x, self.y), (self.x + w - 1, self.y + h - 1), (0, 0, 0), 1)


@contextlib.contextmanager
def _h264(
    path: str | os.PathLike[str],
    size: tuple[int, int],
    fps: int,
    crf: int,
    preset: str = "veryfast",
) -> Iterator[IO[bytes]]:
    """ffmpeg encoding the RGB frames written to it into an H.264 MP4 at ``path``."""
    width, height = size
    command = [
        ffmpeg_exe(),
        *("-hide_banner", "-loglevel", "error", "-y"),
        *("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", str(fps)),
        *("-i", "-", "-c:v", "libx264", "-preset", preset, "-crf", str(crf)),
        *("-pix_fmt", "yuv420p", "-movflags", "+faststart", str(path)),
    ]
    process = subprocess.Popen(command, stdin=subprocess.PIPE)
    assert process.stdin is not None
    try:
        yield process.stdin
        process.stdin.close()
    except BaseException:
        process.kill()
        process.wait()
        raise
    if process.wait() != 0:
        raise RuntimeError(f"ffmpeg failed to encode {path}")


def make_slide_video(
    path: str | os.PathLike[str],
    slides: list[Slide],
    *,
    size: tuple[int, int] = (1280, 720),
    fps: int = 30,
    pointer: bool = True,
    inset: bool = True,
    fade: float = 0.0,
    push: float = 0.0,
    crf: int = 28,
    seed: int = 0,
    preset: str = "veryfast",
    clip_slides: Sequence[int] = (),
) -> list[float]:
    """Render ``slides`` into an H.264 MP4 at ``path`` and return the true change times.

    Args:
        path: the MP4 to write.
        slides: (seconds on screen, title, bullets) per slide, in order.
        size: frame size in pixels (even numbers).
        fps: frames per second.
        pointer: draw a moving mouse pointer.
        inset: draw a webcam inset in the bottom-right corner.
        fade: length in seconds of a cross-fade between slides, centred on the change.
        push: length in seconds of a push transition, centred on the change: the next
            slide comes in from below and pushes the last one out at the top, eased in
            and out (reveal.js's vertical slides, PowerPoint's and Keynote's Push).
        crf: x264 quality (higher means more compression noise).
        seed: the random seed for colours, pointer path and webcam.
        preset: x264 preset (``ultrafast`` has no B-frames, ``veryfast`` has).
        clip_slides: indices of slides with a clip playing inside them (a moving,
            colourful picture in the right half, as when a teacher plays a video).

    Returns:
        The times in seconds where one slide changes to the next (the middle of a fade).
    """
    rng = random.Random(seed)
    theme = rng.choice(_THEMES)
    width, height = size
    images = [_render_slide(size, title, bullets, theme) for _, title, bullets in slides]
    starts = np.cumsum([0.0] + [float(seconds) for seconds, _, _ in slides])
    changes = [round(float(t), 3) for t in starts[1:-1]]
    total_frames = int(round(starts[-1] * fps))
    mover = _Pointer(rng, size, fps) if pointer else None
    arrow = _pointer_shape(height)
    webcam = _Webcam(rng, size) if inset else None
    with _h264(path, size, fps, crf, preset) as encoder:
        for index in range(total_frames):
            t = index / fps
            slide = min(int(np.searchsorted(starts, t, side="right")) - 1, len(images) - 1)
            frame = images[slide].copy()
            if fade > 0:
                # Blend with a neighbour when t is within fade/2 of a change.
                for neighbour, change in (
                    (slide - 1, starts[slide]),
                    (slide + 1, starts[slide + 1]),
                ):
                    if 0 <= neighbour < len(images) and abs(t - change) < fade / 2:
                        weight = 0.5 - abs(t - change) / fade
                        frame = cv2.addWeighted(frame, 1 - weight, images[neighbour], weight, 0)
            if push > 0:
                # Within push/2 of a change (its middle), the later slide pushes the
                # earlier one out at the top.
                if slide > 0 and t < starts[slide] + push / 2:
                    old, new, change = images[slide - 1], frame, starts[slide]
                elif slide + 1 < len(images) and t >= starts[slide + 1] - push / 2:
                    old, new, change = frame, images[slide + 1], starts[slide + 1]
                else:
                    old = new = None
                if old is not None and new is not None:
                    share = min(1.0, (t - change + push / 2) / push)
                    moved = round(height * share * share * (3 - 2 * share))
                    frame = np.vstack([old[moved:], new[:moved]])
            if slide in clip_slides:
                _draw_clip(frame, t)
            if webcam is not None:
                webcam.draw(frame, t)
            if mover is not None:
                _draw_pointer(frame, mover.step(), arrow)
            encoder.write(frame.tobytes())
    return changes


def _document(text: str, width: int, colours: tuple) -> np.ndarray:
    """``text`` drawn as a long page in a monospaced font, as an editor or a browser shows it."""
    background, ink = colours
    font = _font("DejaVuSansMono.ttf", 15)
    lines = text.splitlines()
    line = 20
    image = Image.new("RGB", (width, 40 + line * len(lines)), background)
    draw = ImageDraw.Draw(image)
    for number, words in enumerate(lines):
        draw.text((24, 20 + number * line), words, font=font, fill=ink)
    return np.asarray(image, dtype=np.uint8).copy()


def make_scroll_video(
    path: str | os.PathLike[str],
    documents: Sequence[str],
    *,
    seconds_each: float = 14.0,
    size: tuple[int, int] = (640, 360),
    fps: int = 15,
    crf: int = 26,
    seed: int = 0,
) -> list[float]:
    """A screen recording of reading: each of ``documents`` shown in turn in a window
    with a fixed tool bar, scrolled with the mouse wheel every 0.7 to 2 s (a few
    notches, each drawn over a few frames as smooth scrolling does), with a cut to the
    next document. Returns the times of the cuts, the only changes in it."""
    rng = random.Random(seed)
    width, height = size
    bar = 36
    pages = [_document(text, width, ((255, 255, 255), (20, 20, 20))) for text in documents]
    frames_each = int(seconds_each * fps)
    with _h264(path, size, fps, crf) as encoder:
        for page in pages:
            offset, target, wait = 0.0, 0.0, fps
            for _ in range(frames_each):
                wait -= 1
                if wait <= 0:
                    notches = rng.randint(1, 4) * (1 if rng.random() < 0.85 else -1)
                    room = page.shape[0] - (height - bar)
                    target = float(min(max(0, target + 40 * notches), room))
                    wait = rng.randint(int(0.7 * fps), int(2.0 * fps))
                offset += (target - offset) * 0.5  # smooth scrolling
                frame = np.empty((height, width, 3), np.uint8)
                frame[:bar] = (225, 228, 232)
                frame[bar - 1] = (160, 160, 160)
                top = int(round(offset))
                frame[bar:] = page[top : top + height - bar]
                encoder.write(frame.tobytes())
    return [round(i * seconds_each, 3) for i in range(1, len(pages))]
