"""Chapter thumbnails: a JPEG picture of each chapter from the video (PyAV, OpenCV)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import av
import cv2

from shared.chapters.values import Chapter
from shared.chapters.video import _Video
from shared.files import atomic_path
from shared.jobs import Cancelled, ProgressState, check_cancelled

__all__ = ["make_thumbnails"]


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
