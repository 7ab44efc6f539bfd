"""Short generated lectures: espeak-ng speech over an ffmpeg test picture.

Used by the batch tests and by ``bench/bench_batch.py``, so both build the same kind of
lecture in the same way.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

__all__ = ["espeak_available", "spoken_lecture", "human_speech", "TWO_CITIES", "BECKETT"]

#: What ``two_cities.wav`` says: the opening paragraph of *A Tale of Two Cities*.
TWO_CITIES = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was "
    "the age of foolishness, it was the epoch of belief, it was the epoch of incredulity, it "
    "was the season of Light, it was the season of Darkness, it was the spring of hope, it was "
    "the winter of despair, we had everything before us, we had nothing before us, we were all "
    "going direct to Heaven, we were all going direct the other way - in short, the period was "
    "so far like the present period, that some of its noisiest authorities insisted on its "
    "being received, for good or for evil, in the superlative degree of comparison only."
)
#: What ``beckett.wav`` says.
BECKETT = "Ever tried. Ever failed. No matter. Try again. Fail again. Fail better."
_HUMAN = Path.home() / ".cache" / "lectern-bench" / "moonshine"


def human_speech() -> list[tuple[Path, str]]:
    """(wav, text) pairs of real human speech with a known text.

    ``two_cities.wav`` (44 s) and ``beckett.wav`` (10 s) from the ``moonshine-voice``
    wheel's assets (public domain texts), fetched once with ``pip download --no-deps``
    and kept in ``~/.cache/lectern-bench/moonshine``.
    """
    wanted = {"two_cities.wav": TWO_CITIES, "beckett.wav": BECKETT}
    if not all((_HUMAN / name).is_file() for name in wanted):
        _HUMAN.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp]
                + ["moonshine-voice==0.1.5"],
                check=True,
            )
            wheel = next(Path(tmp).glob("moonshine_voice-*.whl"))
            with zipfile.ZipFile(wheel) as archive:
                for name in wanted:
                    (_HUMAN / name).write_bytes(archive.read(f"moonshine_voice/assets/{name}"))
    return [(_HUMAN / name, text) for name, text in wanted.items()]


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
