"""Captions: cutting a transcript into readable cues, and WebVTT / SRT files.

:func:`cues_from_transcript` follows common subtitle conventions (BBC, Netflix style
guides): at most two lines of 42 characters, at most 7 seconds on screen, at least
about one second, no two cues on screen at once, and breaks placed at sentence or
clause ends and pauses rather than mid-phrase. Files are written atomically as UTF-8.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from shared.errors import LecternError
from shared.files import write_text_atomic
from shared.timecode import round_to_ms
from shared.transcription import Segment, Transcript

__all__ = [
    "TRANSCRIPT_SUFFIXES",
    "CaptionFileError",
    "Cue",
    "UnsupportedFormatError",
    "cues_from_transcript",
    "format_timestamp",
    "parse_timestamp",
    "read_srt",
    "read_vtt",
    "write_srt",
    "write_transcript_file",
    "write_vtt",
    "vtt_text",
]

#: The file endings :func:`write_transcript_file` understands.
TRANSCRIPT_SUFFIXES = (".json", ".vtt", ".srt", ".txt")

# A pause this long always ends a cue, so no caption stays up over silence.
_MAX_GAP = 1.5
# A pause this long is a good place to end a cue.
_PAUSE = 0.5
_SENTENCE_END = re.compile(r"[.!?\u2026\u3002\uff01\uff1f][\"'\u201d\u2019)\]]*$")
_CLAUSE_END = re.compile(r"[,;:\u2014\u2013\uff0c\u3001][\"'\u201d\u2019)\]]*$|\s[-\u2013\u2014]$")


class CaptionFileError(LecternError):
    """A caption file is missing or not valid WebVTT / SRT."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(
            f"The caption file {path} cannot be read ({reason}); export it again or choose "
            "a valid WebVTT (.vtt) or SubRip (.srt) file."
        )


class UnsupportedFormatError(LecternError):
    """A transcript was to be saved with a file ending Lectern does not write."""

    def __init__(self, path: object) -> None:
        super().__init__(
            f"Cannot save the transcript as {path}: the file name must end in "
            f"{', '.join(TRANSCRIPT_SUFFIXES[:-1])} or {TRANSCRIPT_SUFFIXES[-1]}; "
            "choose one of those endings."
        )


@dataclass(frozen=True)
class Cue:
    """One caption on screen.

    Attributes:
        start: When it appears, in seconds.
        end: When it disappears, in seconds.
        text: The caption; lines are separated by ``"\\n"``.
    """

    start: float
    end: float
    text: str


# ------------------------------------------------------------------- cue building


@dataclass(frozen=True)
class _Token:
    start: float
    end: float
    text: str
    glue: bool = False  # no space before it (word pieces; languages without spaces)
    segment_end: bool = False


def _join(tokens: Sequence[_Token]) -> str:
    parts: list[str] = []
    for index, token in enumerate(tokens):
        if index and not token.glue:
            parts.append(" ")
        parts.append(token.text)
    return "".join(parts)


def _spread(start: float, end: float, pieces: Sequence[str], glue_first: bool) -> list[_Token]:
    """Tokens for ``pieces`` with ``[start, end]`` shared in proportion to their length."""
    weights = [len(piece) + 1 for piece in pieces]
    total = float(sum(weights)) or 1.0
    span = max(0.0, end - start)
    tokens, at = [], start
    for index, (piece, weight) in enumerate(zip(pieces, weights, strict=True)):
        until = end if index == len(pieces) - 1 else at + span * weight / total
        tokens.append(_Token(at, until, piece, glue=glue_first if index == 0 else False))
        at = until
    return tokens


def _hard_wrap(token: _Token, width: int) -> list[_Token]:
    if len(token.text) <= width:
        return [token]
    chunks = [token.text[at : at + width] for at in range(0, len(token.text), width)]
    pieces = _spread(token.start, token.end, chunks, token.glue)
    return [pieces[0]] + [_Token(p.start, p.end, p.text, glue=True) for p in pieces[1:]]


def _segment_tokens(segment: Segment, width: int) -> list[_Token]:
    tokens: list[_Token] = []
    if segment.words:
        for word in segment.words:
            text = word.text.strip()
            if not text:
                continue
            glue = bool(tokens) and not word.text[:1].isspace()
            tokens.append(_Token(word.start, word.end, text, glue=glue))
    if not tokens:
        pieces = segment.text.split()
        if pieces:
            tokens = _spread(segment.start, segment.end, pieces, glue_first=False)
    wrapped = [piece for token in tokens for piece in _hard_wrap(token, width)]
    if wrapped:
        last = wrapped[-1]
        wrapped[-1] = _Token(last.start, last.end, last.text, last.glue, segment_end=True)
    return wrapped


def _fits(tokens: Sequence[_Token], width: int, lines: int) -> bool:
    """Whether ``tokens`` fill at most ``lines`` lines of ``width`` (greedy fill)."""
    used, length = 1, 0
    for token in tokens:
        extra = len(token.text) + (0 if length == 0 or token.glue else 1)
        if length + extra <= width:
            length += extra
        else:
            used, length = used + 1, len(token.text)
            if used > lines:
                return False
    return True


def _break_bonus(token: _Token) -> float:
    if _SENTENCE_END.search(token.text):
        return 6.0
    if _CLAUSE_END.search(token.text):
        return 4.0
    return 0.0


def _layout(tokens: Sequence[_Token], width: int, max_lines: int) -> str:
    """The cue text: as few lines as possible, balanced, broken after punctuation."""
    single = _join(tokens)
    if len(single) <= width or max_lines <= 1:
        return single
    best: tuple[float, list[str]] | None = None
    for count in range(2, max_lines + 1):
        for cuts in itertools.combinations(range(1, len(tokens)), count - 1):
            bounds = (0, *cuts, len(tokens))
            lines = [_join(tokens[a:b]) for a, b in itertools.pairwise(bounds)]
            if any(len(line) > width for line in lines):
                continue
            lengths = [len(line) for line in lines]
            score = max(lengths) - min(lengths) - sum(_break_bonus(tokens[c - 1]) for c in cuts)
            if best is None or score < best[0]:
                best = (score, lines)
        if best is not None:
            return "\n".join(best[1])
    return single  # unreachable when _fits() said yes


def _break_quality(tokens: Sequence[_Token], end: int) -> float:
    """How good a place the end of ``tokens[end - 1]`` is to end a cue."""
    last = tokens[end - 1]
    if end == len(tokens) or _SENTENCE_END.search(last.text):
        return 3.0
    if tokens[end].start - last.end >= _PAUSE:
        return 2.0
    if tokens[end].glue:
        return -2.0  # inside a hard-wrapped word or a word of a language without spaces
    if _CLAUSE_END.search(last.text):
        return 1.5
    # Whisper also ends segments at its 30 s windows, mid-phrase: a weak hint only.
    return 0.5 if last.segment_end else 0.0


def _group(tokens: Sequence[_Token], width: int, lines: int, max_duration: float) -> list[int]:
    """The indices where each cue ends (exclusive), in order."""
    ends: list[int] = []
    begin = 0
    while begin < len(tokens):
        stop = begin + 1
        while stop < len(tokens):
            nxt = tokens[stop]
            if nxt.start - tokens[stop - 1].end > _MAX_GAP:
                break
            if nxt.end - tokens[begin].start > max_duration:
                break
            if not _fits(tokens[begin : stop + 1], width, lines):
                break
            stop += 1
        full = len(_join(tokens[begin:stop])) or 1
        best_end, best_score = stop, -math.inf
        for end in range(begin + 1, stop + 1):
            fill = len(_join(tokens[begin:end])) / full
            score = _break_quality(tokens, end) + 2.0 * fill
            if score >= best_score:
                best_end, best_score = end, score
        ends.append(best_end)
        begin = best_end
    return ends


def cues_from_transcript(
    transcript: Transcript,
    *,
    max_chars_per_line: int = 42,
    max_lines: int = 2,
    max_duration: float = 7.0,
    min_duration: float = 1.0,
) -> list[Cue]:
    """Cut a transcript into caption cues.

    Uses word timestamps where the transcript has them; a segment without words has
    its text spread over its time in proportion to word length. A single word longer
    than a line is hard-wrapped.

    Args:
        transcript: The transcript.
        max_chars_per_line: The longest line, in characters.
        max_lines: The most lines in one cue.
        max_duration: The longest time a cue stays on screen, in seconds.
        min_duration: Short cues are stretched to this, unless the next cue comes first.

    Returns:
        Cues in time order, none overlapping, times rounded to milliseconds.
    """
    if max_chars_per_line < 1 or max_lines < 1 or max_duration <= 0:
        raise ValueError("max_chars_per_line, max_lines and max_duration must be positive")
    tokens = [
        token
        for segment in transcript.segments
        for token in _segment_tokens(segment, max_chars_per_line)
    ]
    drafts: list[tuple[float, float, str]] = []
    begin = 0
    for end in _group(tokens, max_chars_per_line, max_lines, max_duration):
        chunk = tokens[begin:end]
        text = _layout(chunk, max_chars_per_line, max_lines)
        drafts.append((chunk[0].start, chunk[-1].end, text))
        begin = end
    return _time_cues(drafts, min_duration=min_duration, max_duration=max_duration)


def _time_cues(
    drafts: Sequence[tuple[float, float, str]], *, min_duration: float, max_duration: float
) -> list[Cue]:
    """Cues with no overlap, stretched towards ``min_duration``, cut at ``max_duration``."""
    cues: list[Cue] = []
    previous_end = 0.0
    for index, (raw_start, raw_end, text) in enumerate(drafts):
        start = round_to_ms(max(raw_start, previous_end))
        end = max(raw_end, start + min_duration)
        if index + 1 < len(drafts):
            # Stretch towards min_duration only up to where the next cue begins.
            end = min(end, max(raw_end, drafts[index + 1][0]))
        end = round_to_ms(min(end, start + max_duration))
        if end <= start:
            end = round_to_ms(start + 0.001)
        cues.append(Cue(start, end, text))
        previous_end = end
    return cues


# ------------------------------------------------------------------- timestamps


def format_timestamp(seconds: float, *, srt: bool = False) -> str:
    """``HH:MM:SS.mmm`` (WebVTT) or ``HH:MM:SS,mmm`` (SRT), rounded to milliseconds.

    Args:
        seconds: A time of zero or more seconds.
        srt: Use a comma before the milliseconds, as SubRip does.

    Raises:
        ValueError: ``seconds`` is negative or not finite.
    """
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"a caption time must be a finite, non-negative number, not {seconds}")
    total_ms = math.floor(seconds * 1000 + 0.5)
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    separator = "," if srt else "."
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


_TIMESTAMP = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]\d)[.,](\d{3})$")


def parse_timestamp(text: str) -> float:
    """Seconds from ``[HH:]MM:SS.mmm`` (WebVTT) or ``HH:MM:SS,mmm`` (SRT).

    Raises:
        ValueError: ``text`` is not a timestamp.
    """
    match = _TIMESTAMP.match(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is not a timestamp like 00:01:02.345")
    hours, minutes, secs, millis = match.groups()
    total_ms = ((int(hours or 0) * 60 + int(minutes)) * 60 + int(secs)) * 1000 + int(millis)
    return total_ms / 1000


# ------------------------------------------------------------------------ writing


def _clean(text: str) -> str:
    # A blank line would end the cue early, so blank lines inside a caption are dropped.
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _vtt_unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", "\u00a0")).replace(
        "&amp;", "&"
    )


def write_vtt(
    cues: Iterable[Cue],
    path: str | os.PathLike[str],
    *,
    kind: str | None = None,
    replace: bool = True,
) -> Path:
    """Write cues as a WebVTT file (UTF-8, atomically) and return the path.

    Args:
        cues: The cues, in time order.
        path: The file to write.
        kind: An optional word for the header line (``"WEBVTT - chapters"``); players
            ignore it, the ``<track kind>`` decides how the file is used.
        replace: Whether an existing file may be replaced (see ``shared.files``).
    """
    return write_text_atomic(path, vtt_text(cues, kind=kind), replace=replace)


def vtt_text(cues: Iterable[Cue], *, kind: str | None = None) -> str:
    """The WebVTT text :func:`write_vtt` writes: cue text escaped, blank lines dropped."""
    header = "WEBVTT" if not kind else f"WEBVTT - {kind.strip()}"
    blocks = [header]
    for number, cue in enumerate(cues, start=1):
        timing = f"{format_timestamp(cue.start)} --> {format_timestamp(cue.end)}"
        blocks.append(f"{number}\n{timing}\n{_vtt_escape(_clean(cue.text))}".rstrip("\n"))
    return "\n\n".join(blocks) + "\n"


def write_srt(cues: Iterable[Cue], path: str | os.PathLike[str], *, replace: bool = True) -> Path:
    """Write cues as a SubRip (.srt) file (UTF-8, atomically) and return the path."""
    blocks = []
    for number, cue in enumerate(cues, start=1):
        timing = (
            f"{format_timestamp(cue.start, srt=True)} --> {format_timestamp(cue.end, srt=True)}"
        )
        blocks.append(f"{number}\n{timing}\n{_clean(cue.text)}".rstrip("\n"))
    return write_text_atomic(path, "\n\n".join(blocks) + ("\n" if blocks else ""), replace=replace)


def write_transcript_file(
    transcript: Transcript, path: str | os.PathLike[str], *, replace: bool = True
) -> Path:
    """Save a transcript in the format its file ending names.

    ``.json`` is the full transcript (:meth:`Transcript.save_json`), ``.vtt`` and
    ``.srt`` are captions from :func:`cues_from_transcript`, ``.txt`` is the plain text.
    ``replace=False`` refuses an existing file (``shared.files.OutputExistsError``).

    Raises:
        UnsupportedFormatError: any other file ending.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return transcript.save_json(path, replace=replace)
    if suffix == ".vtt":
        return write_vtt(cues_from_transcript(transcript), path, replace=replace)
    if suffix == ".srt":
        return write_srt(cues_from_transcript(transcript), path, replace=replace)
    if suffix == ".txt":
        text = transcript.text
        return write_text_atomic(path, text + "\n" if text else "", replace=replace)
    raise UnsupportedFormatError(path)


# ------------------------------------------------------------------------ reading


def _read_text(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise CaptionFileError(path, "the file does not exist") from error
    except UnicodeDecodeError as error:
        raise CaptionFileError(path, "it is not UTF-8 text") from error
    except OSError as error:
        raise CaptionFileError(path, error.strerror or str(error)) from error
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks, each with the 1-based number of its first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                first = number
            current.append(line.rstrip())
        elif current:
            blocks.append((first, current))
            current = []
    if current:
        blocks.append((first, current))
    return blocks


_TIMING = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)(?:\s+.*)?$")


def _timing(path: Path, line: str, number: int) -> tuple[float, float]:
    match = _TIMING.match(line)
    if match is None:
        raise CaptionFileError(path, f"line {number} is not a cue timing like '00:00:01.000 --> …'")
    try:
        start, end = parse_timestamp(match.group(1)), parse_timestamp(match.group(2))
    except ValueError as error:
        raise CaptionFileError(path, f"line {number}: {error}") from error
    if end < start:
        raise CaptionFileError(path, f"the cue on line {number} ends before it starts")
    return start, end


def read_vtt(path: str | os.PathLike[str]) -> list[Cue]:
    """Read the cues of a WebVTT file (NOTE, STYLE and REGION blocks are skipped).

    Raises:
        CaptionFileError: the file is missing or not valid WebVTT.
    """
    path = Path(path)
    text = _read_text(path)
    if not re.match(r"WEBVTT(?:[ \t].*)?$", text.split("\n", 1)[0]):
        raise CaptionFileError(path, "it does not start with the line WEBVTT")
    cues = []
    for first, lines in _blocks(text)[1:]:
        if re.match(r"(NOTE|STYLE|REGION)(\s|$)", lines[0]):
            continue
        at = 0 if "-->" in lines[0] else 1
        if at >= len(lines) or "-->" not in lines[at]:
            raise CaptionFileError(path, f"the block on line {first} has no cue timing")
        start, end = _timing(path, lines[at], first + at)
        cues.append(Cue(start, end, _vtt_unescape("\n".join(lines[at + 1 :]))))
    return cues


def read_srt(path: str | os.PathLike[str]) -> list[Cue]:
    """Read the cues of a SubRip (.srt) file.

    Raises:
        CaptionFileError: the file is missing or not valid SubRip.
    """
    path = Path(path)
    cues = []
    for first, lines in _blocks(_read_text(path)):
        at = 1 if lines[0].strip().isdigit() else 0
        if at >= len(lines) or "-->" not in lines[at]:
            raise CaptionFileError(path, f"the block on line {first} has no cue timing")
        start, end = _timing(path, lines[at], first + at)
        cues.append(Cue(start, end, "\n".join(lines[at + 1 :])))
    return cues
