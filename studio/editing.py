"""Review and edit: the teacher's corrections, chapter edits and trims of a lesson.

Edits are non-destructive. The files the build made (``video.mp4``,
``transcript.json``, ``chapters.json``, ...) stay as built; what the teacher changed
lives in ``edits.json`` next to them, and :func:`render_lesson` writes the edited
lesson into ``rendered/``, itself a complete lesson workspace that packaging reads.

The model is an immutable :class:`EditState` (the corrected transcript and the
chapters on the *original* timeline, plus the in point, out point and cut-out
ranges). Every change is a small frozen command (:class:`CorrectSegment`,
:class:`ReplaceText`, :class:`AddChapter`, :class:`Cut`, ...) whose ``apply``
returns a new state; :class:`EditSession` keeps the undo and redo stacks and saves
``edits.json`` atomically after every change. Times given to commands are seconds
on the original timeline; :class:`Timeline` maps them to and from the edited one.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import ffmpeg

from shared import captions, media
from shared.chapters import Chapter, ChapterFileError, retime_slides, title_from_segments
from shared.checkpoints import Checkpoint, save_checkpoints
from shared.errors import DiskFullError, LecternError
from shared.files import atomic_dir, link_or_copy, write_json_atomic
from shared.jobs import JobState, ProgressState, check_cancelled, stages
from shared.package import LessonSource
from shared.speech_models import DEFAULT_UNSURE, unsure_threshold
from shared.timecode import clock, round_to_ms
from shared.transcription import Segment, Transcript, TranscriptFileError, Word
from shared.workspace import (
    CHECKPOINTS_NAME,
    LESSON_FILE,
    PRESENTER_NAME,
    VIDEO_NAME,
    Lesson,
    LessonWorkspace,
)

__all__ = [
    "EDITS_FILE",
    "RENDER_DIR",
    "MIN_CHAPTER",
    "EditError",
    "Timeline",
    "EditState",
    "Edit",
    "CorrectSegment",
    "ReplaceText",
    "AddChapter",
    "RenameChapter",
    "DeleteChapter",
    "MoveBoundary",
    "SetInPoint",
    "SetOutPoint",
    "Cut",
    "Uncut",
    "ClearTrim",
    "RevertAll",
    "AddCheckpoints",
    "RemoveCheckpoint",
    "ChangeCheckpoint",
    "ReplaceCheckpoint",
    "EditSession",
    "WordRef",
    "correct_segment",
    "replace_text",
    "count_matches",
    "low_confidence_words",
    "edited_transcript",
    "edited_chapters",
    "original_state",
    "load_edits",
    "edited_duration",
    "has_edits",
    "workspace_stamp",
    "rename_lesson",
    "render_lesson",
    "rendered_folder",
    "package_source",
]

EDITS_FILE = "edits.json"
RENDER_DIR = "rendered"
RENDER_STAMP = "render.json"
#: The shortest chapter an edit may leave, in seconds.
MIN_CHAPTER = 1.0
#: The least an edit may leave of the video, in seconds.
MIN_KEPT = 1.0
#: The unsure-word threshold of models that were not calibrated.
LOW_CONFIDENCE = DEFAULT_UNSURE

_FORMAT = "lectern-edits"
_VERSION = 1
# Bumped when render_lesson's output changes, so older renders are redone.
_RENDER_VERSION = 1
_EPS = 1e-6

Where = str | Path | LessonWorkspace
"""A lesson workspace, given as its folder or as a :class:`LessonWorkspace` already open."""


class EditError(LecternError):
    """An edit cannot be made, or the saved edits cannot be read."""


def _damaged(path: Path, reason: str) -> EditError:
    return EditError(
        f"The edits file {path} is damaged ({reason}); fix it, or delete it to start again "
        "from the lesson as built (the built files are untouched)."
    )


# --------------------------------------------------------------------------- timeline


@dataclass(frozen=True)
class Timeline:
    """The kept ranges of the original video, in order; the edited video plays them back to back.

    Attributes:
        ranges: ``(start, end)`` pairs in original seconds, sorted and not overlapping.
    """

    ranges: tuple[tuple[float, float], ...]

    @property
    def duration(self) -> float:
        """Length of the edited video in seconds."""
        return sum(end - start for start, end in self.ranges)

    def to_edited(self, time: float) -> float | None:
        """The edited time of original ``time``, or ``None`` when it was cut out or trimmed off.

        Both ends of a kept range count as kept.
        """
        offset = 0.0
        for start, end in self.ranges:
            if start - _EPS <= time <= end + _EPS:
                return offset + min(max(time, start), end) - start
            offset += end - start
        return None

    def to_original(self, time: float) -> float:
        """The original time shown at edited ``time`` (clamped to the edited length).

        At a join the time after the cut is returned: that is the picture shown there.
        """
        offset = 0.0
        for index, (start, end) in enumerate(self.ranges):
            length = end - start
            if time < offset + length or index == len(self.ranges) - 1:
                return start + min(max(time - offset, 0.0), length)
            offset += length
        return 0.0

    def clip(self, start: float, end: float) -> tuple[float, float] | None:
        """The edited span of what is kept of original ``[start, end]``, or ``None``.

        A zero-length span (a point) is kept when the point is kept.
        """
        if end - start <= _EPS:
            at = self.to_edited(start)
            return None if at is None else (at, at)
        offset = 0.0
        pieces = []
        for a, b in self.ranges:
            low, high = max(start, a), min(end, b)
            if high - low > _EPS:
                pieces.append((offset + low - a, offset + high - a))
            offset += b - a
        return (pieces[0][0], pieces[-1][1]) if pieces else None


# ------------------------------------------------------------------------------ state


@dataclass(frozen=True)
class EditState:
    """The lesson as the teacher has edited it, on the original timeline.

    Attributes:
        transcript: the corrected transcript (original times).
        chapters: the chapters, contiguous from 0 to ``duration`` (original times).
        duration: the length of the original video in seconds.
        in_point: where the edited video starts.
        out_point: where it ends, or ``None`` for the end of the video.
        cuts: ranges cut out of the middle, sorted, merged and within ``0..duration``.
        checkpoints: the questions asked during the lesson (original times). They are
            not made from the video, so they are saved to the lesson's
            ``checkpoints.json`` as they change rather than as edits of what was built;
            they are here so that they are undone like every other edit.
    """

    transcript: Transcript
    chapters: tuple[Chapter, ...]
    duration: float
    in_point: float = 0.0
    out_point: float | None = None
    cuts: tuple[tuple[float, float], ...] = ()
    checkpoints: tuple[Checkpoint, ...] = ()

    def without_checkpoints(self) -> EditState:
        """The state of what was built: the transcript, chapters and trim."""
        return dataclasses.replace(self, checkpoints=())

    @property
    def end(self) -> float:
        """The out point, or the end of the video."""
        return self.duration if self.out_point is None else self.out_point

    @property
    def trimmed(self) -> bool:
        """Whether anything of the video is left out."""
        return self.in_point > 0 or self.out_point is not None or bool(self.cuts)

    @property
    def timeline(self) -> Timeline:
        """The kept ranges."""
        ranges, at = [], self.in_point
        for start, end in self.cuts:
            if end <= at:
                continue
            if start >= self.end:
                break
            if start > at:
                ranges.append((at, start))
            at = max(at, end)
        if self.end > at:
            ranges.append((at, self.end))
        return Timeline(tuple(ranges))


class Edit(Protocol):
    """One undoable change: a frozen value whose ``apply`` returns the new state."""

    @property
    def label(self) -> str: ...

    def apply(self, state: EditState) -> EditState: ...


# ------------------------------------------------------------------------- transcript


def _lead(word: Word) -> str:
    return word.text[: len(word.text) - len(word.text.lstrip())]


def _spread(start: float, end: float, pieces: Sequence[str], old: Sequence[Word]) -> list[Word]:
    """Words for ``pieces`` sharing ``[start, end]`` in proportion to their length."""
    weights = [max(1, len(piece)) for piece in pieces]
    total = float(sum(weights))
    lead = _lead(old[0]) if old else " "
    kept = {word.text.strip(): word.probability for word in old}
    words, at = [], start
    for index, (piece, weight) in enumerate(zip(pieces, weights, strict=True)):
        until = end if index == len(pieces) - 1 else at + (end - start) * weight / total
        words.append(Word(round_to_ms(at), round_to_ms(until), lead + piece, kept.get(piece, 1.0)))
        at = until
    return words


def _blocks(old: Sequence[Word], pieces: Sequence[str]) -> list[list[Any]]:
    """``[i1, i2, j1, j2, same]`` blocks aligning old words with new pieces.

    Unchanged words are blocks of one; an insertion borrows the word before it (or
    after it, at the start) so the inserted words get time to be spoken in.
    """
    matcher = difflib.SequenceMatcher(None, [w.text.strip() for w in old], pieces, autojunk=False)
    blocks: list[list[Any]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            blocks += [
                [i, i + 1, j, j + 1, True]
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
        else:
            blocks.append([i1, i2, j1, j2, False])
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if block[0] == block[1] and block[2] < block[3]:  # a pure insertion
            if index > 0 and blocks[index - 1][4]:
                neighbour = blocks.pop(index - 1)
                index -= 1
                block[0], block[2] = neighbour[0], neighbour[2]
            elif index + 1 < len(blocks) and blocks[index + 1][4]:
                neighbour = blocks.pop(index + 1)
                block[1], block[3] = neighbour[1], neighbour[3]
        index += 1
    return blocks


def correct_segment(segment: Segment, text: str) -> Segment:
    """The segment with its text replaced and its word timings kept as far as they can be.

    With as many words as before, words map one to one: each keeps its time, and a
    changed word gets probability 1.0 (the teacher has confirmed it). Otherwise words
    the teacher left alone keep their timing and confidence, and each changed run of
    words shares the time of the words it replaces in proportion to word length.

    Args:
        segment: the segment as it is.
        text: the new text; runs of whitespace become single spaces.

    Returns:
        The corrected segment (the same object when nothing changed).
    """
    text = " ".join(text.split())
    if text == " ".join(segment.text.split()):
        return segment
    pieces = text.split()
    old = segment.words
    if not old or not pieces:
        return dataclasses.replace(segment, text=text, words=())
    if len(pieces) == len(old):
        words = [
            word
            if word.text.strip() == piece
            else Word(word.start, word.end, _lead(word) + piece, 1.0)
            for word, piece in zip(old, pieces, strict=True)
        ]
    else:
        words = []
        for i1, i2, j1, j2, same in _blocks(old, pieces):
            if same:
                words.append(old[i1])
            elif j2 > j1 and i2 > i1:
                words += _spread(old[i1].start, old[i2 - 1].end, pieces[j1:j2], old[i1:i2])
            elif j2 > j1:  # only possible when every word changed: use the whole segment
                words += _spread(segment.start, segment.end, pieces[j1:j2], old)
    return dataclasses.replace(segment, text=text, words=tuple(words))


def _pattern(find: str, match_case: bool) -> re.Pattern[str]:
    words = find.split()
    if not words:
        raise EditError("Type the word or phrase to find; an empty search changes nothing.")
    body = r"\s+".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w){body}(?!\w)", 0 if match_case else re.IGNORECASE)


def count_matches(transcript: Transcript, find: str, *, match_case: bool = False) -> int:
    """How many times the whole word or phrase ``find`` occurs in the transcript."""
    pattern = _pattern(find, match_case)
    return sum(len(pattern.findall(segment.text)) for segment in transcript.segments)


def replace_text(
    transcript: Transcript, find: str, replacement: str, *, match_case: bool = False
) -> tuple[Transcript, int]:
    """Replace a whole word or phrase everywhere in the transcript.

    A phrase matches across the words of one segment, whatever the spacing between
    them; matches never span two segments. Changed segments go through
    :func:`correct_segment`, so word timings are kept.

    Args:
        transcript: the transcript.
        find: the word or phrase; it matches whole words only.
        replacement: the text to put in its place (taken literally).
        match_case: match upper and lower case exactly.

    Returns:
        The new transcript and the number of replacements.

    Raises:
        EditError: ``find`` is empty.
    """
    pattern = _pattern(find, match_case)
    count, segments = 0, []
    for segment in transcript.segments:
        text, found = pattern.subn(lambda _match: replacement, segment.text)
        count += found
        segments.append(correct_segment(segment, text) if found else segment)
    return dataclasses.replace(transcript, segments=tuple(segments)), count


@dataclass(frozen=True)
class WordRef:
    """A word and where it is: ``transcript.segments[segment].words[index]``."""

    segment: int
    index: int
    word: Word


def low_confidence_words(transcript: Transcript, threshold: float | None = None) -> list[WordRef]:
    """The words the engine was unsure of (probability below ``threshold``), in order.

    Without a ``threshold``, the one calibrated for the transcript's model and engine
    (:func:`shared.speech_models.unsure_threshold`) is used, so that a marked word is
    usually a wrong one.
    """
    if threshold is None:
        threshold = unsure_threshold(transcript.model, transcript.engine or "faster-whisper")
    return [
        WordRef(s, w, word)
        for s, segment in enumerate(transcript.segments)
        for w, word in enumerate(segment.words)
        if word.probability < threshold
    ]


def _set_segment(state: EditState, index: int, segment: Segment) -> EditState:
    segments = list(state.transcript.segments)
    segments[index] = segment
    return dataclasses.replace(
        state, transcript=dataclasses.replace(state.transcript, segments=tuple(segments))
    )


@dataclass(frozen=True)
class CorrectSegment:
    """Replace the text of transcript segment ``index``."""

    index: int
    text: str

    @property
    def label(self) -> str:
        return "Correct the transcript"

    def apply(self, state: EditState) -> EditState:
        if not 0 <= self.index < len(state.transcript.segments):
            raise EditError(
                f"There is no transcript segment {self.index + 1}; the transcript has "
                f"{len(state.transcript.segments)}."
            )
        segment = state.transcript.segments[self.index]
        return _set_segment(state, self.index, correct_segment(segment, self.text))


@dataclass(frozen=True)
class ReplaceText:
    """Find a whole word or phrase and replace it everywhere (see :func:`replace_text`)."""

    find: str
    replacement: str
    match_case: bool = False

    @property
    def label(self) -> str:
        return f"Replace '{self.find}'"

    def apply(self, state: EditState) -> EditState:
        transcript, _count = replace_text(
            state.transcript, self.find, self.replacement, match_case=self.match_case
        )
        return dataclasses.replace(state, transcript=transcript)


# --------------------------------------------------------------------------- chapters


def _chapter_index(state: EditState, index: int) -> Chapter:
    if not 0 <= index < len(state.chapters):
        raise EditError(
            f"There is no chapter {index + 1}; the lesson has {len(state.chapters)} chapters."
        )
    return state.chapters[index]


@dataclass(frozen=True)
class AddChapter:
    """Start a new chapter at ``at``, splitting the chapter it falls in.

    Without a title, the title is taken from what is said after ``at``.
    """

    at: float
    title: str | None = None

    @property
    def label(self) -> str:
        return "Add a chapter"

    def apply(self, state: EditState) -> EditState:
        chapters = list(state.chapters) or [
            Chapter(0.0, state.duration, "Beginning", None, "manual")
        ]
        index = next(
            (i for i, c in enumerate(chapters) if c.start <= self.at < c.end), len(chapters) - 1
        )
        around = chapters[index]
        if self.at - around.start < MIN_CHAPTER or around.end - self.at < MIN_CHAPTER:
            raise EditError(
                f"A chapter at {clock(self.at)} would be shorter than {MIN_CHAPTER:g} s; "
                f"choose a time between {clock(around.start + MIN_CHAPTER)} and "
                f"{clock(around.end - MIN_CHAPTER)}."
            )
        title = (self.title or "").strip() or title_from_segments(
            state.transcript.segments, self.at, around.end
        )
        new = Chapter(self.at, around.end, title or f"Chapter {index + 2}", None, "manual")
        chapters[index : index + 1] = [dataclasses.replace(around, end=self.at), new]
        return dataclasses.replace(state, chapters=tuple(chapters))


@dataclass(frozen=True)
class RenameChapter:
    index: int
    title: str

    @property
    def label(self) -> str:
        return "Rename a chapter"

    def apply(self, state: EditState) -> EditState:
        chapter = _chapter_index(state, self.index)
        title = " ".join(self.title.split())
        if not title:
            raise EditError("A chapter needs a title; type one, or delete the chapter instead.")
        chapters = list(state.chapters)
        chapters[self.index] = dataclasses.replace(chapter, title=title)
        return dataclasses.replace(state, chapters=tuple(chapters))


@dataclass(frozen=True)
class DeleteChapter:
    """Delete a chapter; its time joins the chapter before it (the first joins the next)."""

    index: int

    @property
    def label(self) -> str:
        return "Delete a chapter"

    def apply(self, state: EditState) -> EditState:
        chapter = _chapter_index(state, self.index)
        if len(state.chapters) == 1:
            raise EditError("The lesson's only chapter cannot be deleted; rename it instead.")
        chapters = list(state.chapters)
        del chapters[self.index]
        if self.index == 0:
            chapters[0] = dataclasses.replace(chapters[0], start=chapter.start)
        else:
            before = chapters[self.index - 1]
            chapters[self.index - 1] = dataclasses.replace(before, end=chapter.end)
        return dataclasses.replace(state, chapters=tuple(chapters))


@dataclass(frozen=True)
class MoveBoundary:
    """Move the start of chapter ``index`` (and the end of the one before) to ``time``.

    The time is clamped so that both chapters stay at least :data:`MIN_CHAPTER` long.
    """

    index: int
    time: float

    @property
    def label(self) -> str:
        return "Move a chapter start"

    def apply(self, state: EditState) -> EditState:
        chapter = _chapter_index(state, self.index)
        if self.index == 0:
            raise EditError("The first chapter always starts at the beginning of the lesson.")
        before = state.chapters[self.index - 1]
        low, high = before.start + MIN_CHAPTER, chapter.end - MIN_CHAPTER
        if low > high:
            return state  # both chapters are already as short as they may be
        time = min(max(float(self.time), low), high)
        chapters = list(state.chapters)
        chapters[self.index - 1] = dataclasses.replace(before, end=time)
        chapters[self.index] = dataclasses.replace(chapter, start=time)
        return dataclasses.replace(state, chapters=tuple(chapters))


# ------------------------------------------------------------------------------- trim


def _merged(
    cuts: Sequence[tuple[float, float]], duration: float
) -> tuple[tuple[float, float], ...]:
    out: list[tuple[float, float]] = []
    for start, end in sorted((max(0.0, float(a)), min(duration, float(b))) for a, b in cuts):
        if end - start <= _EPS:
            continue
        if out and start <= out[-1][1] + _EPS:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return tuple(out)


def _checked(state: EditState) -> EditState:
    """``state`` if it still leaves something to watch, else an error."""
    if state.timeline.duration < MIN_KEPT:
        raise EditError(
            f"That would leave less than {MIN_KEPT:g} s of the lesson; keep more of the video."
        )
    return state


@dataclass(frozen=True)
class SetInPoint:
    """Start the edited video at ``time`` (0 for the beginning)."""

    time: float

    @property
    def label(self) -> str:
        return "Set the in point"

    def apply(self, state: EditState) -> EditState:
        time = min(max(float(self.time), 0.0), state.duration)
        return _checked(dataclasses.replace(state, in_point=0.0 if time <= _EPS else time))


@dataclass(frozen=True)
class SetOutPoint:
    """End the edited video at ``time`` (``None`` for the end of the video)."""

    time: float | None

    @property
    def label(self) -> str:
        return "Set the out point"

    def apply(self, state: EditState) -> EditState:
        time = None if self.time is None else max(float(self.time), 0.0)
        if time is not None and time >= state.duration - _EPS:
            time = None
        return _checked(dataclasses.replace(state, out_point=time))


@dataclass(frozen=True)
class Cut:
    """Cut ``[start, end]`` out of the video."""

    start: float
    end: float

    @property
    def label(self) -> str:
        return "Cut"

    def apply(self, state: EditState) -> EditState:
        if self.end - self.start <= _EPS:
            raise EditError("Choose a range to cut: its end must come after its start.")
        cuts = _merged([*state.cuts, (self.start, self.end)], state.duration)
        return _checked(dataclasses.replace(state, cuts=cuts))


@dataclass(frozen=True)
class Uncut:
    """Put ``[start, end]`` back: no part of it stays cut out."""

    start: float
    end: float

    @property
    def label(self) -> str:
        return "Restore a cut"

    def apply(self, state: EditState) -> EditState:
        kept: list[tuple[float, float]] = []
        for a, b in state.cuts:
            kept += [(a, min(b, self.start)), (max(a, self.end), b)]
        return dataclasses.replace(state, cuts=_merged(kept, state.duration))


@dataclass(frozen=True)
class ClearTrim:
    """Keep the whole video again: no in point, out point or cuts."""

    @property
    def label(self) -> str:
        return "Clear the trim"

    def apply(self, state: EditState) -> EditState:
        return dataclasses.replace(state, in_point=0.0, out_point=None, cuts=())


@dataclass(frozen=True)
class RevertAll:
    """Go back to ``original``, the lesson as built (undoable like any edit)."""

    original: EditState

    @property
    def label(self) -> str:
        return "Revert all edits"

    def apply(self, state: EditState) -> EditState:
        return dataclasses.replace(self.original, checkpoints=state.checkpoints)


# ----------------------------------------------------------------------- checkpoints


@dataclass(frozen=True)
class AddCheckpoints:
    """Add questions (imported from a bank, or written) to the lesson."""

    items: tuple[Checkpoint, ...]

    @property
    def label(self) -> str:
        count = len(self.items)
        return "Add a question" if count == 1 else f"Add {count} questions"

    def apply(self, state: EditState) -> EditState:
        known = {item.id for item in state.checkpoints}
        fresh = tuple(item for item in self.items if item.id not in known)
        return dataclasses.replace(state, checkpoints=state.checkpoints + fresh)


@dataclass(frozen=True)
class RemoveCheckpoint:
    """Delete the question ``id``."""

    id: str

    @property
    def label(self) -> str:
        return "Delete a question"

    def apply(self, state: EditState) -> EditState:
        kept = tuple(item for item in state.checkpoints if item.id != self.id)
        return dataclasses.replace(state, checkpoints=kept)


@dataclass(frozen=True)
class ChangeCheckpoint:
    """Change where the question ``id`` is asked or how: give only what changes.

    ``at`` moves it to a time; ``after_chapter`` to the end of a chapter.
    """

    id: str
    at: float | None = None
    after_chapter: int | None = None
    required: bool | None = None
    rewatch_on_wrong: bool | None = None

    @property
    def label(self) -> str:
        if self.at is not None or self.after_chapter is not None:
            return "Move a question"
        return "Change a question"

    def apply(self, state: EditState) -> EditState:
        if self.at is not None and not 0 <= self.at <= state.duration:
            raise EditError(f"{clock(self.at)} is outside the lesson; choose a time within it.")
        changed = []
        for item in state.checkpoints:
            if item.id == self.id:
                if self.at is not None or self.after_chapter is not None:
                    at = None if self.at is None else round_to_ms(self.at)
                    item = item.placed(at=at, after_chapter=self.after_chapter)
                flags = {
                    name: value
                    for name, value in (
                        ("required", self.required),
                        ("rewatch_on_wrong", self.rewatch_on_wrong),
                    )
                    if value is not None
                }
                item = dataclasses.replace(item, **flags)
            changed.append(item)
        return dataclasses.replace(state, checkpoints=tuple(changed))


@dataclass(frozen=True)
class ReplaceCheckpoint:
    """Put ``item`` in place of the question with the same id (a question rewritten).

    The id stays, so the answers learners already gave still refer to it.
    """

    item: Checkpoint

    @property
    def label(self) -> str:
        return "Edit a question"

    def apply(self, state: EditState) -> EditState:
        if all(item.id != self.item.id for item in state.checkpoints):
            raise EditError("That question is no longer in the lesson; nothing was changed.")
        changed = tuple(
            self.item if item.id == self.item.id else item for item in state.checkpoints
        )
        return dataclasses.replace(state, checkpoints=changed)


# ----------------------------------------------------------------------- edited views


def edited_transcript(state: EditState) -> Transcript:
    """The corrected transcript on the edited timeline.

    Words and segments wholly inside a cut (or outside the in and out points) are
    dropped; ones that overlap a cut are clipped to what is kept. A segment that lost
    words gets its text from the words left. Times are rounded to milliseconds.
    """
    timeline = state.timeline
    segments = []
    for segment in state.transcript.segments:
        span = timeline.clip(segment.start, segment.end)
        if span is None or not segment.text.strip():
            continue
        words = []
        for word in segment.words:
            clipped = timeline.clip(word.start, word.end)
            if clipped is not None:
                words.append(
                    dataclasses.replace(
                        word, start=round_to_ms(clipped[0]), end=round_to_ms(clipped[1])
                    )
                )
        if segment.words and not words:
            continue
        text = segment.text
        if len(words) < len(segment.words):
            text = "".join(word.text for word in words).strip()
        segments.append(
            dataclasses.replace(
                segment,
                start=round_to_ms(span[0]),
                end=round_to_ms(span[1]),
                text=text,
                words=tuple(words),
            )
        )
    return dataclasses.replace(
        state.transcript, segments=tuple(segments), duration=round_to_ms(timeline.duration)
    )


def edited_chapters(state: EditState) -> list[Chapter]:
    """The chapters on the edited timeline, contiguous from 0 to the edited length.

    A chapter with less than half of :data:`MIN_CHAPTER` left is dropped (its time
    joins the chapter before it), unless it is the only one left.
    """
    timeline = state.timeline
    kept: list[tuple[float, Chapter]] = []
    for chapter in state.chapters:
        span = timeline.clip(chapter.start, chapter.end)
        if span is not None and span[1] - span[0] >= MIN_CHAPTER / 2:
            kept.append((span[0], chapter))
    if not kept and state.chapters:
        best = max(state.chapters, key=lambda c: (timeline.clip(c.start, c.end) or (0, 0))[1])
        kept = [(0.0, best)]
    total = round_to_ms(timeline.duration)
    out = []
    for index, (_start, chapter) in enumerate(kept):
        start = 0.0 if index == 0 else round_to_ms(kept[index][0])
        end = total if index == len(kept) - 1 else round_to_ms(kept[index + 1][0])
        out.append(dataclasses.replace(chapter, start=start, end=max(start, end)))
    return out


# -------------------------------------------------------------------------- edits.json


def original_state(folder: Where, lesson: Lesson | None = None) -> EditState:
    """The lesson as built: its transcript and chapters, nothing trimmed.

    Raises:
        WorkspaceError: the folder is not a usable lesson workspace.
        TranscriptFileError, ChapterFileError: a built file cannot be read.
    """
    workspace = LessonWorkspace.open(folder, lesson)
    return EditState(
        transcript=workspace.transcript(),
        chapters=workspace.chapters(),
        duration=float(workspace.lesson.duration),
        checkpoints=workspace.checkpoints(),
    )


def _edits_dict(original: EditState, state: EditState) -> dict[str, Any]:
    corrections = [
        {
            "segment": index,
            "start": before.start,
            "end": before.end,
            "text": after.text,
            "words": [dataclasses.asdict(word) for word in after.words],
        }
        for index, (before, after) in enumerate(
            zip(original.transcript.segments, state.transcript.segments, strict=True)
        )
        if before != after
    ]
    same_chapters = state.chapters == original.chapters
    return {
        "format": _FORMAT,
        "version": _VERSION,
        "corrections": corrections,
        "chapters": None if same_chapters else [c.to_dict() for c in state.chapters],
        "trim": {
            "in": state.in_point,
            "out": state.out_point,
            "cuts": [[start, end] for start, end in state.cuts],
        },
    }


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{what} must be a number, not {value!r}")
    return float(value)


def _apply_dict(original: EditState, data: Any) -> EditState:
    """``original`` with the edits of a parsed ``edits.json``; ValueError/KeyError/TypeError if bad."""
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        raise ValueError("it is not a Lectern edits file")
    if int(data.get("version", 0)) > _VERSION:
        raise ValueError(f"it was made by a newer Lectern (version {data['version']})")
    segments = list(original.transcript.segments)
    for item in data.get("corrections") or ():
        index = int(item["segment"])
        if (
            not 0 <= index < len(segments)
            or abs(_number(item["start"], "start") - segments[index].start) > 1e-3
        ):
            raise ValueError(f"correction of segment {index + 1} does not match transcript.json")
        words = tuple(
            Word(
                _number(w["start"], "start"),
                _number(w["end"], "end"),
                str(w["text"]),
                _number(w["probability"], "probability"),
            )
            for w in item["words"]
        )
        segments[index] = dataclasses.replace(segments[index], text=str(item["text"]), words=words)
    state = dataclasses.replace(
        original, transcript=dataclasses.replace(original.transcript, segments=tuple(segments))
    )
    if data.get("chapters") is not None:
        found = tuple(Chapter.from_dict(item) for item in data["chapters"])
        if any(c.end > original.duration + 1e-3 for c in found):
            raise ValueError("a chapter ends after the video")
        state = dataclasses.replace(state, chapters=found)
    trim = data.get("trim") or {}
    in_point = _number(trim.get("in", 0.0), "the in point")
    out_point = None if trim.get("out") is None else _number(trim["out"], "the out point")
    cuts = [(_number(a, "a cut"), _number(b, "a cut")) for a, b in trim.get("cuts") or ()]
    state = dataclasses.replace(
        state, in_point=in_point, out_point=out_point, cuts=_merged(cuts, original.duration)
    )
    if (
        not 0 <= in_point < state.end <= original.duration + 1e-3
        or state.timeline.duration < MIN_KEPT
    ):
        raise ValueError("the in and out points leave nothing of the video")
    return state


def _read_edits(folder: Path, original: EditState) -> EditState:
    path = folder / EDITS_FILE
    if not path.exists():
        return original
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _apply_dict(original, data)
    except json.JSONDecodeError as error:
        raise _damaged(path, f"invalid JSON at line {error.lineno}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise _damaged(path, str(error)) from error
    except (ValueError, KeyError, TypeError) as error:
        reason = f"the field {error} is missing" if isinstance(error, KeyError) else str(error)
        raise _damaged(path, reason) from error


def load_edits(folder: Where) -> EditState:
    """The lesson in ``folder`` with the edits saved in its ``edits.json`` (if any).

    Raises:
        EditError: ``edits.json`` is damaged or no longer matches the built files.
        WorkspaceError: the folder is not a usable lesson workspace.
    """
    workspace = LessonWorkspace.open(folder)
    return _read_edits(workspace.folder, original_state(workspace))


def edited_duration(folder: Where) -> float:
    """How long the lesson in ``folder`` is once its trim and cuts are applied.

    Raises:
        EditError: ``edits.json`` is damaged or no longer matches the built files.
        WorkspaceError: the folder is not a usable lesson workspace.
    """
    return load_edits(folder).timeline.duration


def has_edits(folder: Where) -> bool:
    """Whether the lesson in ``folder`` differs from the lesson as built."""
    workspace = LessonWorkspace.open(folder)
    original = original_state(workspace)
    return _read_edits(workspace.folder, original) != original


# ---------------------------------------------------------------------------- session


class EditSession:
    """The edits of one lesson workspace, with undo and redo, saved after every change.

    Open it with :meth:`open`; the GUI calls :meth:`apply` for each change the
    teacher makes and :meth:`undo` / :meth:`redo` for Ctrl+Z / Ctrl+Shift+Z. The undo
    history lives only as long as the session; the edits themselves are in
    ``edits.json`` and come back when the workspace is opened again.
    """

    def __init__(self, workspace: LessonWorkspace, original: EditState, state: EditState):
        self.workspace = workspace
        self.original = original
        self._state = state
        self._undo: list[tuple[Edit, EditState]] = []
        self._redo: list[tuple[Edit, EditState]] = []
        self._stamp = workspace_stamp(workspace.folder)

    @classmethod
    def open(cls, folder: Where) -> EditSession:
        """Open the workspace in ``folder`` with its saved edits.

        Raises:
            EditError: ``edits.json`` is damaged.
            WorkspaceError: the folder is not a usable lesson workspace.
        """
        workspace = LessonWorkspace.open(folder)
        try:
            original = original_state(workspace)
        except (TranscriptFileError, ChapterFileError) as error:
            raise EditError(f"{error} The lesson cannot be edited until it is rebuilt.") from error
        return cls(workspace, original, _read_edits(workspace.folder, original))

    @property
    def folder(self) -> Path:
        """The lesson workspace's folder."""
        return self.workspace.folder

    @property
    def lesson(self) -> Lesson:
        """The lesson as its ``lesson.json`` says (the title follows :meth:`rename_lesson`)."""
        return self.workspace.lesson

    @property
    def state(self) -> EditState:
        return self._state

    def unchanged_on_disk(self) -> bool:
        """Whether the lesson and its edits on disk are still what this session wrote.

        A window keeps a session (and so its undo history) while this holds; when
        something else changed the folder (a rebuild, another program) it opens anew.
        """
        return workspace_stamp(self.folder) == self._stamp

    @property
    def edited(self) -> bool:
        """Whether anything differs from the lesson as built (questions are not built)."""
        return self._state.without_checkpoints() != self.original.without_checkpoints()

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_label(self) -> str:
        """What :meth:`undo` would undo (``"Rename a chapter"``), or ``""``."""
        return self._undo[-1][0].label if self._undo else ""

    @property
    def redo_label(self) -> str:
        return self._redo[-1][0].label if self._redo else ""

    def apply(self, edit: Edit) -> EditState:
        """Make ``edit`` and save; an edit that changes nothing is not recorded.

        Raises:
            EditError: the edit cannot be made (the state is unchanged).
        """
        new = edit.apply(self._state)
        if new != self._state:
            self._save(new)
            self._undo.append((edit, self._state))
            self._redo.clear()
            self._state = new
        return self._state

    def replace_all(self, find: str, replacement: str, *, match_case: bool = False) -> int:
        """Replace a whole word or phrase everywhere; returns how many were replaced."""
        count = count_matches(self._state.transcript, find, match_case=match_case)
        if count:
            self.apply(ReplaceText(find, replacement, match_case))
        return count

    def revert(self) -> EditState:
        """Go back to the lesson as built (undoable)."""
        return self.apply(RevertAll(self.original))

    def undo(self) -> EditState:
        """Undo the last edit (nothing happens when there is none)."""
        if self._undo:
            edit, before = self._undo[-1]
            self._save(before)
            self._undo.pop()
            self._redo.append((edit, self._state))
            self._state = before
        return self._state

    def redo(self) -> EditState:
        """Redo the last undone edit (nothing happens when there is none)."""
        if self._redo:
            edit, after = self._redo[-1]
            self._save(after)
            self._redo.pop()
            self._undo.append((edit, self._state))
            self._state = after
        return self._state

    def rename_lesson(self, title: str) -> Lesson:
        """Give the lesson a new title (saved at once; see :func:`rename_lesson`)."""
        renamed = rename_lesson(self.workspace, title)
        self._stamp = workspace_stamp(self.folder)
        return renamed

    def _save(self, state: EditState) -> None:
        try:
            write_json_atomic(self.folder / EDITS_FILE, _edits_dict(self.original, state))
        except DiskFullError:
            raise DiskFullError(self.folder / EDITS_FILE) from None
        if state.checkpoints != self._state.checkpoints:
            self.workspace.save_checkpoints(state.checkpoints)
        self._stamp = workspace_stamp(self.folder)


def workspace_stamp(folder: Path) -> tuple[tuple[int, int, int] | None, ...]:
    """What ``lesson.json`` and ``edits.json`` in ``folder`` are now, to tell a change.

    Inode, size and modification time of each (``None`` when absent): equal stamps
    mean the lesson and its edits on disk are unchanged. Both files are replaced by a rename when written, so a new inode tells a change
    even on a filesystem with coarse modification times.
    """
    stamps = []
    for name in (LESSON_FILE, EDITS_FILE):
        try:
            info = (folder / name).stat()
        except OSError:
            stamps.append(None)
        else:
            stamps.append((info.st_ino, info.st_size, info.st_mtime_ns))
    return tuple(stamps)


def rename_lesson(folder: Where, title: str) -> Lesson:
    """Retitle the lesson in ``folder``; the next package carries the new title.

    Raises:
        EditError: the title is empty.
        WorkspaceError: the folder is not a lesson workspace.
        DiskFullError: ``lesson.json`` could not be written (the old one is kept).
    """
    title = " ".join(title.split())
    if not title:
        raise EditError("A lesson needs a title; type one.")
    workspace = LessonWorkspace.open(folder)
    lesson = workspace.lesson
    if title == lesson.title:
        return lesson
    return workspace.save(dataclasses.replace(lesson, title=title))


# ----------------------------------------------------------------------------- render


def _fingerprint(workspace: LessonWorkspace, original: EditState, state: EditState) -> str:
    digest = hashlib.sha256(f"render {_RENDER_VERSION}\n".encode())
    digest.update(workspace.lesson_bytes)
    digest.update(json.dumps(_edits_dict(original, state), sort_keys=True).encode())
    return digest.hexdigest()


def rendered_folder(folder: Where) -> Path | None:
    """``folder/rendered`` if it holds a render of the edits as they are now, else ``None``."""
    workspace = LessonWorkspace.open(folder)
    original = original_state(workspace)
    edits = _read_edits(workspace.folder, original)
    fresh = _fresh(workspace.folder, _fingerprint(workspace, original, edits))
    return None if fresh is None else fresh.folder


def _fresh(folder: Path, fingerprint: str) -> LessonWorkspace | None:
    """The render in ``folder/rendered`` if it was made from ``fingerprint``, opened."""
    out = folder / RENDER_DIR
    try:
        stamp = json.loads((out / RENDER_STAMP).read_text(encoding="utf-8"))
        if not isinstance(stamp, dict) or stamp.get("fingerprint") != fingerprint:
            return None
        return LessonWorkspace.open(out)
    except (OSError, ValueError, LecternError):
        return None


def _cut_video(
    src: Path, dst: Path, ranges: Sequence[tuple[float, float]], state: ProgressState, what: str
) -> None:
    """Cut ``ranges`` out of ``src`` and join them into ``dst`` (H.264 + AAC), frame-accurately."""
    has_audio = media.probe(src).has_audio
    source = ffmpeg.input(str(src))
    pieces = []
    for start, end in ranges:
        span = {"start": f"{start:.6f}", "end": f"{end:.6f}"}
        pieces.append(source["v:0"].filter("trim", **span).filter("setpts", "PTS-STARTPTS"))
        if has_audio:
            pieces.append(source["a:0"].filter("atrim", **span).filter("asetpts", "PTS-STARTPTS"))
    joined = ffmpeg.concat(*pieces, v=1, a=int(has_audio)).node
    options: dict[str, Any] = {
        "c:v": media.h264_encoder(),
        "preset": media.X264_PRESET,
        "crf": media.X264_CRF,
        "pix_fmt": "yuv420p",
        "movflags": "+faststart",
        "f": "mp4",
    }
    if has_audio:
        options.update({"c:a": "aac", "b:a": media.AUDIO_BITRATE, "ar": media.AUDIO_RATE})
    streams = [joined[0], joined[1]] if has_audio else [joined[0]]
    args = media.graph_command(ffmpeg.output(*streams, str(dst), **options))
    duration = sum(end - start for start, end in ranges)
    state.set_status(what)
    media.run_ffmpeg(args, src=src, dst=dst, duration=duration, state=state, what=what)


def _render_video(src: Path, dst: Path, edits: EditState, state: ProgressState, what: str) -> bool:
    """Write the edited ``src`` to ``dst``; False when nothing of it is kept."""
    check_cancelled(state, what)
    if not edits.trimmed:
        link_or_copy(src, dst)
        state.set_progress(1.0)
        return True
    length = media.probe(src).duration
    ranges = [(a, min(b, length)) for a, b in edits.timeline.ranges if min(b, length) - a > 0.01]
    if not ranges:
        return False
    _cut_video(src, dst, ranges, state, what)
    return True


def _retimed_captions(path: Path, timeline: Timeline) -> list[captions.Cue]:
    cues = []
    for cue in captions.read_vtt(path):
        span = timeline.clip(cue.start, cue.end)
        if span is not None and span[1] > span[0]:
            cues.append(captions.Cue(round_to_ms(span[0]), round_to_ms(span[1]), cue.text))
    return cues


def _kept_pictures(
    workspace: LessonWorkspace, original: EditState, edits: EditState, found: list[Chapter]
) -> dict[int, Path]:
    """The built chapter pictures that still show chapter ``index`` of ``found`` as it is."""
    if edits.trimmed:
        return {}
    built = {c.thumbnail: c for c in original.chapters if c.thumbnail}
    kept = {}
    for index, chapter in enumerate(found):
        old = built.get(chapter.thumbnail)
        if (
            old is not None
            and abs(old.start - chapter.start) < 1e-3
            and abs(min(1.0, old.duration / 2) - min(1.0, chapter.duration / 2)) < 1e-3
            and workspace.path(old.thumbnail).is_file()
        ):
            kept[index] = workspace.path(old.thumbnail)
    return kept


def render_lesson(
    folder: Where,
    edits: EditState | None = None,
    state: ProgressState | None = None,
) -> Path:
    """Write the edited lesson into ``folder/rendered`` and return that folder.

    ``rendered/`` is a complete lesson workspace (its own ``lesson.json``, video,
    transcript, captions, chapters and thumbnails) that :class:`~shared.workspace.LessonWorkspace`
    reads like any other. Without a trim the video is not
    re-encoded: the built file is hard-linked or copied. With one, the kept ranges are
    cut and joined frame-accurately (H.264 + AAC), the presenter video alike.
    Captions are made again from the corrected transcript; captions in other
    languages are re-timed. A render that is already up to date is not redone.
    The folder is written next to its final place and renamed in, so a failed or
    cancelled render leaves the previous one (or none) as it was.

    Args:
        folder: the lesson workspace.
        edits: the edits to render; by default those saved in ``edits.json``.
        state: progress, status and cancellation (see ``shared.jobs``).

    Returns:
        ``folder/rendered``.

    Raises:
        EditError: ``edits.json`` is damaged.
        WorkspaceError: the folder is not a usable lesson workspace.
        MediaError: ffmpeg could not cut the video.
        DiskFullError: the disk filled up.
        Cancelled: ``state`` asked to stop; nothing new was kept.
    """
    workspace = LessonWorkspace.open(folder)
    original = original_state(workspace)
    edits = edits if edits is not None else _read_edits(workspace.folder, original)
    return _render(workspace, original, edits, state or JobState()).folder


def _render(
    workspace: LessonWorkspace, original: EditState, edits: EditState, state: ProgressState
) -> LessonWorkspace:
    """:func:`render_lesson` on an open workspace; returns the render, open."""
    folder, lesson = workspace.folder, workspace.lesson
    fingerprint = _fingerprint(workspace, original, edits)
    fresh = _fresh(folder, fingerprint)
    if fresh is not None:
        state.set_progress(1.0)
        return fresh
    heavy = 10.0 if edits.trimmed else 0.2
    s_video, s_presenter, s_thumbs = stages(
        state, [heavy, heavy if lesson.presenter_video else 0.0, 1.0]
    )
    try:
        with atomic_dir(folder / RENDER_DIR) as work:
            rendered = _render_into(
                workspace, LessonWorkspace(work), original, edits, (s_video, s_presenter, s_thumbs)
            )
            write_json_atomic(work / RENDER_STAMP, {"fingerprint": fingerprint})
    except DiskFullError:
        raise DiskFullError(folder / RENDER_DIR) from None
    state.set_progress(1.0)
    state.set_status("Done")
    return LessonWorkspace(folder / RENDER_DIR, rendered)


def _render_into(
    workspace: LessonWorkspace,
    out: LessonWorkspace,
    original: EditState,
    edits: EditState,
    parts: tuple[ProgressState, ProgressState, ProgressState],
) -> Lesson:
    """Write the edited lesson into the new workspace ``out``; returns its saved lesson."""
    s_video, s_presenter, s_thumbs = parts
    lesson = workspace.lesson
    _render_video(workspace.video, out.path(VIDEO_NAME), edits, s_video, "Cutting the video")
    presenter = None
    if lesson.presenter_video and _render_video(
        workspace.path(lesson.presenter_video),
        out.path(PRESENTER_NAME),
        edits,
        s_presenter,
        "Cutting the presenter video",
    ):
        presenter = PRESENTER_NAME
    check_cancelled(s_thumbs, "Rendering the lesson")
    duration = media.probe(out.path(VIDEO_NAME)).duration if edits.trimmed else lesson.duration

    s_thumbs.set_status("Writing the transcript and captions")
    transcript = dataclasses.replace(edited_transcript(edits), duration=duration)
    language = transcript.language or lesson.language or "en"
    remade = language if lesson.transcript and transcript.segments else None
    other_captions = {
        other: (Path(name).name, _retimed_captions(workspace.path(name), edits.timeline))
        for other, name in lesson.captions.items()
        if other != remade
    }
    found: list[Chapter] | None = None
    kept: dict[int, Path] = {}
    if lesson.chapters:
        s_thumbs.set_status("Making chapter thumbnails")
        found = edited_chapters(edits)
        if found:
            last = found[-1]
            found[-1] = dataclasses.replace(last, end=max(last.start, round_to_ms(duration)))
        kept = _kept_pictures(workspace, original, edits, found)
    # The slide text follows the cuts; a slide cut out entirely goes with them.
    slides = retime_slides(workspace.slides(), edits.timeline.clip) if lesson.slides else None
    derived = out.write_derived(
        transcript if lesson.transcript else None,
        found,
        language=language,
        other_captions=other_captions,
        kept_pictures=kept,
        slides=slides,
        state=s_thumbs,
    )
    poster = derived.poster
    if lesson.poster and lesson.poster not in lesson.thumbnails:
        poster = Path(lesson.poster).name  # a poster the teacher chose stays
        link_or_copy(workspace.path(lesson.poster), out.path(poster))
    rendered = dataclasses.replace(
        lesson,
        duration=duration,
        video=VIDEO_NAME,
        presenter_video=presenter,
        # The checkpoints are not rendered: package_source adds them, retimed.
        **(derived.lesson_fields() | {"poster": poster, "checkpoints": None}),
    )
    return out.save(rendered)


def package_source(
    folder: Where, lesson: Lesson | None = None, state: ProgressState | None = None
) -> LessonSource:
    """What ``lectern-studio package`` should take into the course for this lesson.

    A lesson without edits is packaged from its built files exactly as before;
    an edited one from its render, rendering first when the render is missing or
    older than the edits.
    """
    workspace = LessonWorkspace.open(folder, lesson)
    original = original_state(workspace)
    edits = _read_edits(workspace.folder, original)
    if edits == original:
        return workspace.source()
    rendered = _render(workspace, original, edits, state or JobState())
    return dataclasses.replace(
        rendered.source(), checkpoints=_retimed_checkpoints(workspace, rendered, edits)
    )


def _retimed_checkpoints(
    workspace: LessonWorkspace, rendered: LessonWorkspace, edits: EditState
) -> Path | None:
    """The lesson's checkpoints for its edited video: a question asked at a time that was
    cut out is asked where the video goes on; "after chapter N" follows the chapters."""
    checkpoints = workspace.checkpoints()
    if not checkpoints:
        return None
    if not edits.trimmed:
        return workspace.path(CHECKPOINTS_NAME)
    timeline, length = edits.timeline, workspace.lesson.duration
    moved = []
    for item in checkpoints:
        if item.at is not None:
            at = timeline.to_edited(item.at)
            if at is None:
                span = timeline.clip(item.at, length)
                at = span[0] if span is not None else timeline.duration
            item = item.placed(at=round_to_ms(min(at, timeline.duration)))
        moved.append(item)
    return save_checkpoints(rendered.path(CHECKPOINTS_NAME), moved)
