"""Re-time a teacher's captions to the speech: their words kept, the times from Whisper.

Captions made by hand, or for another cut of the video, are often early or late. The
speech engine hears when each word is said (word timestamps) but not always what
the teacher wrote (names, terms). So the two are aligned: both word lists are
normalized (lower case, no punctuation) and matched by sequence alignment
(:class:`difflib.SequenceMatcher`); each teacher word the engine heard takes the
heard word's times; the words between two heard ones share the time between them
by their length. A cue then runs from its first word to its last. The text is never
changed.

When too few of the teacher's words are heard (another language, another lecture),
the captions keep their own times and the result says so.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from shared.transcription import Segment, Transcript, Word

__all__ = ["Retimed", "retime_captions", "MIN_MATCHED"]

#: Below this share of the teacher's words heard in the speech, times are kept.
MIN_MATCHED = 0.5
_SHORTEST = 0.3  # seconds: the least a cue lasts
_PER_CHARACTER = 0.07  # seconds: words beyond the first or last heard word, by length
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


@dataclass(frozen=True)
class Retimed:
    """The captions re-timed.

    Attributes:
        transcript: the teacher's cues with new times and word timings (or their own
            times when ``kept`` is true).
        matched: the share of the teacher's words found in the speech, 0..1.
        kept: whether the captions' own times were kept (too few words matched).
        warnings: one sentence per thing the teacher should know.
    """

    transcript: Transcript
    matched: float
    kept: bool
    warnings: tuple[str, ...]


def _norm(word: str) -> str:
    return "".join(_TOKEN.findall(word.lower()))


def _heard(recognized: Transcript) -> list[tuple[str, float, float]]:
    """Every word the engine heard with its times; a segment without word times is
    spread evenly."""
    words: list[tuple[str, float, float]] = []
    for segment in recognized.segments:
        if segment.words:
            words += [(_norm(w.text), w.start, w.end) for w in segment.words]
            continue
        parts = segment.text.split()
        step = (segment.end - segment.start) / max(len(parts), 1)
        for k, part in enumerate(parts):
            start = segment.start + k * step
            words.append((_norm(part), start, start + step))
    return [w for w in words if w[0]]


def _fill(
    times: list[tuple[float, float] | None], lengths: list[int], duration: float
) -> list[tuple[float, float]]:
    """Times for the words not heard: between heard ones by length, beyond them by pace."""
    anchors = [i for i, t in enumerate(times) if t is not None]
    out: list[tuple[float, float]] = [t if t is not None else (0.0, 0.0) for t in times]
    first, last = anchors[0], anchors[-1]
    at = out[first][0]
    for i in range(first - 1, -1, -1):  # before the first heard word
        length = lengths[i] * _PER_CHARACTER
        out[i] = (max(0.0, at - length), max(0.0, at))
        at = out[i][0]
    at = out[last][1]
    for i in range(last + 1, len(times)):  # after the last heard word
        length = lengths[i] * _PER_CHARACTER
        out[i] = (min(duration, at), min(duration, at + length))
        at = out[i][1]
    for left, right in zip(anchors, anchors[1:], strict=False):
        if right - left < 2:
            continue
        gap_start, gap_end = out[left][1], max(out[left][1], out[right][0])
        inside = range(left + 1, right)
        total = sum(lengths[i] for i in inside) or 1
        at = gap_start
        for i in inside:
            span = (gap_end - gap_start) * lengths[i] / total
            out[i] = (at, at + span)
            at += span
    return out


def retime_captions(teacher: Transcript, recognized: Transcript) -> Retimed:
    """Give ``teacher``'s cues the times at which ``recognized`` heard their words.

    Args:
        teacher: the captions as a transcript (``shared.caption_import``).
        recognized: the speech engine's transcript of the same video, with word times.

    Returns:
        The re-timed captions; their text is ``teacher``'s, cue for cue.
    """
    cue_words = [segment.text.split() for segment in teacher.segments]
    flat = [(c, word) for c, words in enumerate(cue_words) for word in words]
    mine = [_norm(word) for _c, word in flat]
    heard = _heard(recognized)
    matcher = SequenceMatcher(None, mine, [w[0] for w in heard], autojunk=False)
    times: list[tuple[float, float] | None] = [None] * len(flat)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            _text, start, end = heard[block.b + k]
            times[block.a + k] = (start, end)
    found = sum(1 for i, t in enumerate(times) if t is not None and mine[i])
    countable = sum(1 for token in mine if token) or 1
    matched = found / countable
    if matched < MIN_MATCHED or found == 0:
        warning = (
            f"Only {matched:.0%} of the captions' words were heard in the speech, so the "
            "captions keep their own times; check that they belong to this video."
        )
        return Retimed(teacher, matched, True, (warning,))
    duration = teacher.duration or recognized.duration
    filled = _fill(times, [max(len(word), 1) for _c, word in flat], duration)
    segments: list[Segment] = []
    k = 0
    previous_end = 0.0
    for segment, words in zip(teacher.segments, cue_words, strict=True):
        spans = filled[k : k + len(words)]
        k += len(words)
        if not spans:
            continue
        start = max(spans[0][0], previous_end)
        end = min(max(spans[-1][1], start + _SHORTEST), duration) if duration else spans[-1][1]
        start = min(start, end)
        timed = tuple(
            Word(
                min(max(a, start), end),
                min(max(b, start), end),
                " " + word,
                1.0,
            )
            for word, (a, b) in zip(words, spans, strict=True)
        )
        segments.append(dataclasses.replace(segment, start=start, end=end, words=timed))
        previous_end = end
    transcript = dataclasses.replace(teacher, segments=tuple(segments))
    return Retimed(transcript, matched, False, ())
