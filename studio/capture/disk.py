"""Free-space checks: refuse to start when the disk is short, stop before it is full."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from studio.capture.errors import NotEnoughSpaceError

__all__ = [
    "free_bytes",
    "estimated_rate",
    "check_space",
    "RESERVE_BYTES",
    "START_SECONDS",
    "LOW_SECONDS",
]

#: Kept free at all times: finalizing needs room, and a full disk breaks more than us.
RESERVE_BYTES = 8_000_000
#: Recording must be able to run this long at the estimated rate to start, when how
#: long it will run is not known.
START_SECONDS = 60.0
#: Warn when the disk lasts less than this at the current rate (before it must stop).
LOW_SECONDS = 5 * 60.0
#: Rough upper bounds of what each track writes per second (H.264 ultrafast, PCM).
SCREEN_BYTES_PER_PIXEL_SECOND = 0.15 / 30
CAMERA_BYTES_PER_PIXEL_SECOND = 0.25 / 30
MIC_BYTES_PER_SECOND = 48000 * 2


def free_bytes(folder: str | os.PathLike[str]) -> int:
    """Free bytes on the disk that holds ``folder`` (or its nearest existing parent)."""
    path = Path(folder).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def estimated_rate(
    screen_pixels: int = 0, camera_pixels: int = 0, fps: float = 30.0, mic: bool = False
) -> float:
    """Bytes per second a recording writes while recording, plus as much to finalize it."""
    rate = screen_pixels * fps * SCREEN_BYTES_PER_PIXEL_SECOND
    rate += camera_pixels * fps * CAMERA_BYTES_PER_PIXEL_SECOND
    rate += MIC_BYTES_PER_SECOND if mic else 0
    return 2.0 * rate


def check_space(folder: str | os.PathLike[str], rate: float, seconds: float | None = None) -> int:
    """Raise :class:`NotEnoughSpaceError` unless the recording fits; return free bytes.

    Args:
        folder: The recording folder (or where it will be made).
        rate: Bytes per second (see :func:`estimated_rate`).
        seconds: How long the recording is expected to run; ``None`` when that is not
            known, and then :data:`START_SECONDS`.
    """
    free = free_bytes(folder)
    needed = int(RESERVE_BYTES + rate * (START_SECONDS if seconds is None else seconds))
    if free < needed:
        raise NotEnoughSpaceError(folder, free, needed, seconds)
    return free
