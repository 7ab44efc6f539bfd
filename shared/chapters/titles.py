"""Chapters from slide-change times, titled from what the teacher says just after.

Pure text work on transcript pieces; no video code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from shared.chapters.slide_text import Slide
from shared.chapters.values import Chapter, TimedText

__all__ = [
    "TITLE_LENGTH",
    "chapters_from_changes",
    "chapters_from_slides",
    "pause_changes",
    "title_from_segments",
]

TITLE_LENGTH = 60
SLIDE_MIN_LENGTH = 1.0
"""Shortest chapter made from a slide: every slide change detection reports is kept."""
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


def chapters_from_changes(
    changes: Sequence[float],
    duration: float,
    *,
    segments: Sequence[TimedText] = (),
    min_length: float = 5.0,
    slide_titles: Mapping[float, str] | None = None,
) -> list[Chapter]:
    """Turn slide-change times into contiguous chapters covering ``0..duration``.

    A change that would leave a chapter shorter than ``min_length`` (including the
    first and the last) is dropped, the earlier of two close changes winning.
    A chapter's title is the title read on its slide (``slide_titles``), else the
    first thing said (:func:`title_from_segments`), else "Chapter N".

    Args:
        changes: slide-change times in seconds, in any order.
        duration: length of the video in seconds.
        segments: transcript pieces (objects with ``start``, ``end``, ``text``).
        min_length: shortest chapter in seconds.
        slide_titles: the slide title shown from each start time (``0.0`` for the
            first slide), as read by OCR; empty titles fall back to the speech.

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
        on_slide = " ".join((slide_titles or {}).get(start, "").split())
        title = (
            _shorten(on_slide, TITLE_LENGTH)
            or title_from_segments(segments, start, end)
            or f"Chapter {number}"
        )
        chapters.append(Chapter(start, end, title))
    return chapters


def chapters_from_slides(
    slides: Sequence[Slide], duration: float, *, segments: Sequence[TimedText] = ()
) -> list[Chapter]:
    """One chapter per slide, titled by the slide's own title.

    Reveals are steps inside a slide already (see
    :func:`~shared.chapters.slide_text.slides_from_changes`), so every slide is a
    chapter; only a slide shorter than a second (a flash at the very end) is not. A
    slide on which OCR read no title is titled from the speech, else "Chapter N".

    Args:
        slides: the lesson's slides in time order, the first at 0 s.
        duration: length of the video in seconds.
        segments: transcript pieces for the fallback titles.

    Returns:
        Chapters in order covering ``0..duration`` (see :func:`chapters_from_changes`).
    """
    return chapters_from_changes(
        [slide.start for slide in slides[1:]],
        duration,
        segments=segments,
        min_length=SLIDE_MIN_LENGTH,
        slide_titles={slide.start: slide.title for slide in slides},
    )


PAUSE_CHAPTER = 120.0
"""Chapters from speech pauses are at least this long (two minutes)."""
PAUSE_SECONDS = 1.5
"""A silence this long between two pieces of speech can start a chapter."""


def pause_changes(
    segments: Sequence[TimedText],
    duration: float,
    *,
    min_length: float = PAUSE_CHAPTER,
    min_pause: float = PAUSE_SECONDS,
) -> list[float]:
    """Chapter starts at the longest pauses in the speech, for a video without slides.

    A talking head or a screen without words gives the picture no changes to go by;
    the longest silences between sentences are where a speaker moves on. They are
    taken longest first while every chapter stays ``min_length`` long (the start and
    end of the video count), so a lecture gets a chapter every few minutes at most,
    never one every few seconds; a lecture without such pauses gets none.

    Args:
        segments: transcript pieces (objects with ``start``, ``end``, ``text``).
        duration: length of the video in seconds.
        min_length: shortest chapter in seconds.
        min_pause: shortest silence that counts, in seconds.

    Returns:
        The times speech resumes after the chosen pauses, ascending.
    """
    spoken = sorted((s for s in segments if s.text.strip()), key=lambda s: s.start)
    pauses = [
        (after.start - before.end, after.start)
        for before, after in zip(spoken, spoken[1:], strict=False)
        if after.start - before.end >= min_pause
    ]
    kept: list[float] = []
    for _length, start in sorted(pauses, key=lambda p: (-p[0], p[1])):
        if all(abs(start - b) >= min_length for b in (0.0, duration, *kept)):
            kept.append(start)
    return sorted(kept)
