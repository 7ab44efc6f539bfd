"""Short generated lectures: espeak-ng speech over an ffmpeg test picture.

Used by the batch tests and by ``bench/bench_batch.py``, so both build the same kind of
lecture in the same way.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

__all__ = ["espeak_available", "spoken_lecture"]


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def spoken_lecture(
    video: Path,
    text: str,
    *,
    ffmpeg: str,
    size: str = "320x240",
    rate: int = 10,
    seconds: float = 20,
    words_per_minute: int = 165,
) -> Path:
    """Write ``video``: a moving test picture of ``seconds`` with ``text`` spoken over it.

    The video ends with the shorter of the picture and the speech.
    """
    speech = video.with_suffix(".speech.wav")
    subprocess.run(["espeak-ng", "-s", str(words_per_minute), "-w", str(speech), text], check=True)
    try:
        subprocess.run(
            [
                ffmpeg,
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"testsrc2=size={size}:rate={rate}:duration={seconds}",
                "-i",
                str(speech),
                "-shortest",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                str(video),
            ],
            check=True,
        )
    finally:
        speech.unlink(missing_ok=True)
    return video
