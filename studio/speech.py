"""Where speech is on a lesson's timeline: the words a cut would remove, and the pauses
between words that cut points snap to.

Plain functions over a :class:`~shared.transcription.Transcript` (word timings in
seconds), so the review panel, the command line and tests share them; and the
waveform drawn along the review seek bar.
"""

from __future__ import annotations

import tempfile
import wave
from pathlib import Path

import numpy as np

from shared import media
from shared.jobs import ProgressState
from shared.transcription import Transcript, Word

__all__ = ["SNAP_REACH", "snap_to_pause", "waveform", "words", "words_removed"]

SNAP_REACH = 0.75
"""A cut point moves at most this far (seconds) to reach a pause between words."""

LONG_PAUSE = 0.6
"""In a pause at least this long a cut point stays where it was put (it cuts no word)."""

_EDGE = 0.05  # seconds kept between a cut point and the word next to it


def words(transcript: Transcript) -> list[Word]:
    """Every timed word of the transcript, in time order."""
    return sorted(
        (word for segment in transcript.segments for word in segment.words),
        key=lambda word: word.start,
    )


def words_removed(transcript: Transcript, start: float, end: float) -> list[Word]:
    """The words that lose more than half their sound to leaving out ``[start, end]``."""
    removed = []
    for word in words(transcript):
        length = max(word.end - word.start, 1e-3)
        overlap = min(end, word.end) - max(start, word.start)
        if overlap > length / 2:
            removed.append(word)
    return removed


def snap_to_pause(transcript: Transcript, at: float, reach: float = SNAP_REACH) -> float:
    """``at`` moved into the nearest pause between words, when one is within ``reach``.

    A point inside a word, or in a short gap between two words, goes to the middle
    of the nearest short gap (or just inside a long pause); a point in a long pause,
    or away from any speech, stays where it is.
    """
    timed = words(transcript)
    if not timed or at <= timed[0].start - _EDGE or at >= timed[-1].end + _EDGE:
        return at
    candidates = [max(0.0, timed[0].start - _EDGE), timed[-1].end + _EDGE]
    for before, after in zip(timed, timed[1:], strict=False):
        gap = after.start - before.end
        if gap >= LONG_PAUSE:
            if before.end <= at <= after.start:
                return at
            candidates += [before.end + _EDGE, after.start - _EDGE]
        elif gap >= 0:
            candidates.append((before.end + after.start) / 2)
    best = min(candidates, key=lambda candidate: abs(candidate - at))
    return round(best, 3) if abs(best - at) <= reach else at


def waveform(video: Path, buckets: int = 1200, state: ProgressState | None = None) -> list[float]:
    """The loudness along ``video``: ``buckets`` peaks from 0 to 1 (an empty list if silent).

    The sound is decoded at a low rate into a temporary WAV with ffmpeg; drawing
    needs no more detail than a pixel column.

    Raises:
        MediaError: the video cannot be read (a video without sound gives ``[]``).
    """
    with tempfile.TemporaryDirectory(prefix="lectern-wave-") as folder:
        wav = Path(folder) / "sound.wav"
        try:
            media.extract_audio(video, wav, sample_rate=4000, state=state)
        except media.NoAudioError:
            return []
        with wave.open(str(wav), "rb") as sound:
            samples = np.frombuffer(sound.readframes(sound.getnframes()), dtype="<i2")
    if samples.size == 0:
        return []
    chunks = np.array_split(np.abs(samples.astype(np.float32)), min(buckets, samples.size))
    peaks = np.array([chunk.max() for chunk in chunks])
    top = float(peaks.max())
    return [] if top <= 0 else [round(float(p), 4) for p in peaks / top]
