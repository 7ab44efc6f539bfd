"""A teacher's own caption file (WebVTT or SRT) brought in as a lesson's transcript.

Real caption files come from many tools and are rarely tidy, so they are read with
``pysubs2`` (a maintained subtitle library) rather than :mod:`shared.captions`' strict
reader of Lectern's own files, and then cleaned:

- **encoding**: UTF-8 (with or without a byte-order mark), UTF-16 with a mark; anything
  else is read as Windows-1252 (the usual legacy encoding of Western subtitles) with a
  warning to check accented letters;
- **styling**: tags (``<b>``, ``<i>``, ``<font>``, ``<c.yellow>``, ``<v Speaker>``,
  ``{\\an8}``) are dropped and HTML entities decoded; line breaks become spaces;
- **sloppy timings** (``0:0:3,5``) are read as meant; a cue that ends before it starts
  gets a short length;
- **overlapping cues** are trimmed so each ends where the next starts (warned);
- **cues past the video's end** are cut at the end or dropped (warned);
- a file with no cue holding text, or with every cue after the video's end, is
  refused in one sentence.

The result keeps the teacher's words and times exactly otherwise (no re-timing).
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

from shared.captions import CaptionFileError
from shared.timecode import clock
from shared.transcription import Segment, Transcript

__all__ = ["ImportedCaptions", "MAX_CAPTION_FILE_BYTES", "CAPTION_SUFFIXES", "import_captions"]

#: A caption file larger than this is refused (a long lecture's file is well under 1 MB).
MAX_CAPTION_FILE_BYTES = 20 * 1024 * 1024
#: The file endings :func:`import_captions` reads.
CAPTION_SUFFIXES = (".vtt", ".srt")
#: The engine name a transcript made from captions carries.
ENGINE = "captions"
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_SPACE = re.compile(r"\s+")
_SHORT = 2.0  # seconds given to a cue whose end is before its start


@dataclass(frozen=True)
class ImportedCaptions:
    """A caption file read as a transcript.

    Attributes:
        transcript: the cues as segments, in time order, within the video.
        warnings: one sentence per thing that was repaired.
    """

    transcript: Transcript
    warnings: tuple[str, ...]


def _decode(path: Path, data: bytes, warnings: list[str]) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    warnings.append(
        f"{path.name} is not UTF-8; it was read as Windows-1252 (Western European), so "
        "check its accented letters."
    )
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _clean(text: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", text.replace("\\N", " ")))).strip()


def import_captions(
    path: str | os.PathLike[str], duration: float, *, language: str = "en"
) -> ImportedCaptions:
    """Read a WebVTT or SRT file as the transcript of a video ``duration`` seconds long.

    Args:
        path: the caption file (``.vtt`` or ``.srt``).
        duration: the video's length in seconds; cues are kept within it.
        language: the captions' language (BCP 47), recorded in the transcript.

    Returns:
        The transcript and the warnings about what was repaired.

    Raises:
        CaptionFileError: the file cannot be read, is not WebVTT or SRT, holds no
            caption with text, or none of its captions falls within the video.
    """
    import pysubs2  # only a build with --captions needs it

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CAPTION_SUFFIXES:
        raise CaptionFileError(path, "its name does not end in .vtt or .srt")
    try:
        size = path.stat().st_size
        if size > MAX_CAPTION_FILE_BYTES:
            raise CaptionFileError(path, f"it has {size:,} bytes, far more than captions have")
        data = path.read_bytes()
    except FileNotFoundError:
        raise CaptionFileError(path, "the file does not exist") from None
    except OSError as error:
        raise CaptionFileError(path, error.strerror or str(error)) from None
    warnings: list[str] = []
    text = _decode(path, data, warnings)
    try:
        events = pysubs2.SSAFile.from_string(text, format_=suffix[1:]).events
    except Exception as error:  # pysubs2 raises its own errors and ValueError alike
        raise CaptionFileError(path, f"it is not a {suffix[1:].upper()} file: {error}") from None

    cues: list[list] = []
    backwards = 0
    for event in events:
        if event.is_comment:
            continue
        words = _clean(event.plaintext)
        if not words:
            continue
        start, end = max(event.start, 0) / 1000, max(event.end, 0) / 1000
        if end <= start:
            backwards += 1
            end = start + _SHORT
        cues.append([start, end, words])
    if not cues:
        raise CaptionFileError(path, "it holds no caption with text")
    if backwards:
        warnings.append(
            f"{backwards} caption(s) in {path.name} ended before they started; each now "
            f"lasts {_SHORT:g} seconds."
        )
    cues.sort(key=lambda cue: (cue[0], cue[1]))

    overlaps = 0
    merged: list[list] = []
    for cue in cues:
        if merged and cue[0] < merged[-1][1]:
            overlaps += 1
            if cue[0] <= merged[-1][0]:  # both start together: one cue with both texts
                merged[-1][1] = max(merged[-1][1], cue[1])
                merged[-1][2] += " " + cue[2]
                continue
            merged[-1][1] = cue[0]
        merged.append(cue)
    cues = merged
    if overlaps:
        warnings.append(
            f"{overlaps} caption(s) in {path.name} overlapped the next one; each now ends "
            "where the next begins."
        )

    inside = [cue for cue in cues if cue[0] < duration]
    if not inside:
        raise CaptionFileError(
            path,
            f"all its captions start after the video's end at {clock(duration)}; is it the "
            "caption file of another video?",
        )
    past = len(cues) - len(inside) + sum(1 for cue in inside if cue[1] > duration)
    if past:
        warnings.append(
            f"{past} caption(s) in {path.name} ran past the video's end at "
            f"{clock(duration)}; they were cut there."
        )
    segments = tuple(
        Segment(round(start, 3), round(min(end, duration), 3), words)
        for start, end, words in inside
    )
    transcript = Transcript(segments, language, duration, path.name, ENGINE)
    return ImportedCaptions(transcript, tuple(warnings))
