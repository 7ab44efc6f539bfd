"""What is inside a sound package: each lesson's transcript, chapters, slide text and
checkpoints, checked strictly.

A package whose every checksum matches can still have been made by a faulty or hostile
tool. Before a transcript or chapters file is shown, indexed or stored, it must:

- be UTF-8 text holding strict JSON (no duplicate keys, no ``NaN`` or ``Infinity``,
  no lone surrogates) no deeper than a real file ever is;
- follow its JSON Schema (``resources/schema/transcript-1.schema.json``,
  ``chapters-1.schema.json``, ``slides-1.schema.json`` and
  ``checkpoints-1.schema.json``): types, required fields,
  no unknown fields, lengths;
- keep every time finite, not negative, ``start <= end`` and within the lesson;
- stay within counts a real lesson of that length never exceeds (chapters, segments,
  words, slides, slide lines and characters per hour), checked before anything is
  built per item, so a file of a million chapters is refused in a fraction of a second.

Slide text is what OCR read on the teacher's screen, so it is as untrusted as the rest:
the Player shows it as plain text only (:mod:`shared.ui.plain`, :func:`shared.terminal.printable`).

:mod:`shared.package` calls :func:`check_member` on these members while verifying and
extracting, so ``verify``, ``info`` and ``import`` refuse the same packages with the
same sentence. :func:`parse_chapters`, :func:`parse_transcript`, :func:`parse_slides` and
:func:`parse_checkpoints` return the checked content as Lectern's own dataclasses.
"""

from __future__ import annotations

import copy
import functools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema

import lectern_resources
from shared.chapters import Chapter, Slide, slides_from_data
from shared.checkpoints.model import Checkpoint
from shared.errors import LecternError
from shared.manifest import LessonEntry, Manifest
from shared.strict_json import strict_json as _strict_json
from shared.transcription import Segment, Transcript, Word

__all__ = [
    "CHAPTERS",
    "SLIDES",
    "TRANSCRIPT",
    "CHECKPOINTS",
    "ContentLimits",
    "DEFAULT_CONTENT_LIMITS",
    "ContentError",
    "content_members",
    "max_member_bytes",
    "check_member",
    "parse_chapters",
    "parse_transcript",
    "parse_slides",
    "parse_checkpoints",
    "read_checkpoints",
    "strict_json",
]

CHAPTERS = "chapters"
TRANSCRIPT = "transcript"
SLIDES = "slides"
CHECKPOINTS = "checkpoints"
_SCHEMAS = {
    CHAPTERS: "chapters-1.schema.json",
    TRANSCRIPT: "transcript-1.schema.json",
    SLIDES: "slides-1.schema.json",
    CHECKPOINTS: "checkpoints-1.schema.json",
}
MiB = 1 << 20
_HOUR = 3600.0


@dataclass(frozen=True)
class ContentLimits:
    """How much text a lesson may hold, as a base plus an allowance per hour of video.

    The allowances are far above what recording and transcription produce (chapters
    are at least 5 s apart when detected; speech is about 3 words and 15 characters
    a second; slides are at least 2.5 s apart and an hour of them holds some 100,000
    characters), so only a broken or hostile file reaches them.

    Attributes:
        max_depth: the deepest nesting of objects and arrays (a real file has 5).
        chapters: chapters any lesson may have; ``chapters_per_hour`` more per hour.
        segments, segments_per_hour: the same for transcript segments.
        words, words_per_hour: the same for timed words.
        characters, characters_per_hour: the same for the text of all segments.
        slides, slides_per_hour: the same for slides.
        slide_lines, slide_lines_per_hour: the same for the lines of all slides.
        slide_characters, slide_characters_per_hour: the same for the slides' text.
        checkpoints, checkpoints_per_hour: the same for checkpoints (questions).
        chapters_bytes: the largest chapters file.
        checkpoints_bytes: the largest checkpoints file.
        transcript_bytes: the largest transcript file.
        slides_bytes: the largest slide text file.
        slack: seconds a time may lie past the lesson's end (rounding, audio padding).
    """

    max_depth: int = 8
    chapters: int = 50
    chapters_per_hour: int = 1800
    segments: int = 500
    segments_per_hour: int = 14_400
    words: int = 5_000
    words_per_hour: int = 72_000
    characters: int = 50_000
    characters_per_hour: int = 720_000
    slides: int = 50
    slides_per_hour: int = 1800
    slide_lines: int = 2_000
    slide_lines_per_hour: int = 72_000
    slide_characters: int = 100_000
    slide_characters_per_hour: int = 2_000_000
    checkpoints: int = 200
    checkpoints_per_hour: int = 3600
    chapters_bytes: int = 16 * MiB
    checkpoints_bytes: int = 16 * MiB
    transcript_bytes: int = 64 * MiB
    slides_bytes: int = 16 * MiB
    slack: float = 2.0

    def allowed(self, what: str, duration: float) -> int:
        """How many of ``what`` (``"chapters"``, ``"segments"``, ...) a lesson may hold."""
        base, per_hour = getattr(self, what), getattr(self, f"{what}_per_hour")
        return base + math.ceil(per_hour * max(duration, 0.0) / _HOUR)


DEFAULT_CONTENT_LIMITS = ContentLimits()


class ContentError(LecternError):
    """A transcript, chapters or checkpoints file that must not be used.

    Attributes:
        member: the member path in the package.
        problem: what is wrong, in words (no advice: the caller adds it).
    """

    def __init__(self, member: str, problem: str) -> None:
        self.member, self.problem = member, problem
        super().__init__(f"member {member!r} is invalid: {problem}")


def content_members(manifest: Manifest) -> dict[str, tuple[str, LessonEntry]]:
    """Each checked member of a manifest: ``{path: (kind, lesson)}``."""
    found: dict[str, tuple[str, LessonEntry]] = {}
    for lesson in manifest.lessons:
        if lesson.transcript is not None:
            found[lesson.transcript] = (TRANSCRIPT, lesson)
        if lesson.chapters is not None:
            found[lesson.chapters] = (CHAPTERS, lesson)
        if lesson.slides is not None:
            found[lesson.slides] = (SLIDES, lesson)
        if lesson.checkpoints is not None:
            found[lesson.checkpoints] = (CHECKPOINTS, lesson)
    return found


def max_member_bytes(kind: str, limits: ContentLimits = DEFAULT_CONTENT_LIMITS) -> int:
    """The largest file of ``kind`` that is read at all."""
    return {
        CHAPTERS: limits.chapters_bytes,
        SLIDES: limits.slides_bytes,
        CHECKPOINTS: limits.checkpoints_bytes,
    }.get(kind, limits.transcript_bytes)


# ----------------------------------------------------------------------------- JSON


def strict_json(data: bytes, *, max_depth: int = DEFAULT_CONTENT_LIMITS.max_depth) -> Any:
    """Decode a content file's UTF-8 JSON strictly (see ``shared.strict_json``).

    Raises:
        ValueError: with a short reason, such as ``"it is not UTF-8 text"``.
    """
    return _strict_json(data, max_depth=max_depth)


# ----------------------------------------------------------------------------- schema


@functools.cache
def _schema(kind: str) -> dict[str, Any]:
    return json.loads(lectern_resources.path("schema", _SCHEMAS[kind]).read_text("utf-8"))


@functools.cache
def _validator(kind: str) -> jsonschema.protocols.Validator:
    schema = copy.deepcopy(_schema(kind))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    if kind == TRANSCRIPT:
        # An hour of speech is some 1,000 segments and 10,000 timed words; jsonschema
        # takes seconds for them, so _check_flat applies the schema's own "segment" and
        # "word" rules to those in milliseconds.
        schema["properties"]["segments"]["items"] = True
    return cls(schema)


@functools.cache
def _flat_rules(kind: str, name: str) -> tuple[tuple[str, ...], dict[str, dict[str, Any]]]:
    """A definition's required fields and per-field rules, references resolved."""
    defs = _schema(kind)["$defs"]
    definition = defs[name]
    fields = {}
    for field, rule in definition["properties"].items():
        while "$ref" in rule:
            rule = defs[rule["$ref"].rsplit("/", 1)[-1]]
        kinds = rule.get("type")
        kinds = tuple(kinds) if isinstance(kinds, list) else (kinds,)
        if not set(kinds) <= {"number", "string", "null", "array"}:
            raise AssertionError(f"{name}.{field} needs a rule _check_flat does not know")
        fields[field] = {**rule, "type": kinds}
    return tuple(definition["required"]), fields


def _check_flat(kind: str, name: str, items: Any, where: str) -> None:
    """Apply the flat definition ``name`` of ``kind``'s schema to each of ``items``.

    Knows what those definitions use: ``required``, no other fields, and per field
    ``type`` (number, string, null, array), ``minimum``, ``maximum`` and ``maxLength``.
    """
    required, fields = _flat_rules(kind, name)
    if not isinstance(items, list):
        raise ValueError(f"{where} is not of type array")
    for index, item in enumerate(items):
        at = f"{where}[{index}]"
        if not isinstance(item, dict):
            raise ValueError(f"{at} is not of type object")
        for field in required:
            if field not in item:
                raise ValueError(f"{at} lacks {field!r}")
        for field, value in item.items():
            rule = fields.get(field)
            if rule is None:
                raise ValueError(f"{at} has the unknown field {field[:40]!r}")
            _check_value(f"{at}.{field}", value, rule)


def _check_value(at: str, value: Any, rule: dict[str, Any]) -> None:
    kinds = rule["type"]
    if value is None:
        if "null" not in kinds:
            raise ValueError(f"{at} is not of type {' or '.join(kinds)}")
    elif isinstance(value, str):
        if "string" not in kinds:
            raise ValueError(f"{at} is not of type {' or '.join(kinds)}")
        if len(value) > rule.get("maxLength", len(value)):
            raise ValueError(f"{at} is longer than {rule['maxLength']:,} characters")
    elif isinstance(value, list):
        if "array" not in kinds:
            raise ValueError(f"{at} is not of type {' or '.join(kinds)}")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if "number" not in kinds:
            raise ValueError(f"{at} is not of type {' or '.join(kinds)}")
        if value < rule.get("minimum", value):
            raise ValueError(f"{at} is less than {rule['minimum']:g}")
        if value > rule.get("maximum", value):
            raise ValueError(f"{at} is more than {rule['maximum']:g}")
    else:
        raise ValueError(f"{at} is not of type {' or '.join(kinds)}")


def _where(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _explain(error: jsonschema.ValidationError) -> str:
    """One short phrase for a schema error, never quoting a (possibly huge) value."""
    where = _where(error.absolute_path) or "the top level"
    validator, expected = error.validator, error.validator_value
    if validator == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        return f"{where} is not of type {' or '.join(kinds)}"
    if validator == "required":
        missing = next((name for name in expected if name not in error.instance), "?")
        return f"{where} lacks {missing!r}"
    if validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        name = extra[0] if extra else "?"
        return f"{where} has the unknown field {name[:40]!r}"
    if validator in ("minimum", "maximum"):
        side = "less" if validator == "minimum" else "more"
        return f"{where} is {side} than {expected:g}"
    if validator == "maxLength":
        return f"{where} is longer than {expected:,} characters"
    if validator in ("const", "enum"):
        return f"{where} is not one of the allowed values"
    if validator == "pattern":
        return f"{where} is not an allowed {'id' if where.endswith('.id') else 'file name'}"
    if validator == "not":  # the checkpoint schema's one "not": two placements
        return f"{where} has both 'at' and 'after_chapter'"
    if validator == "oneOf":  # the checkpoint schema's one "oneOf": an accepted answer
        return f"{where} needs exactly one of 'text' and 'number'"
    return f"{where} does not follow the format ({validator})"


def _check_schema(kind: str, data: Any) -> None:
    error = next(iter(_validator(kind).iter_errors(data)), None)
    if error is not None:
        raise ValueError(_explain(error))


# ----------------------------------------------------------------------------- checks


def _check_span(where: str, start: float, end: float, duration: float) -> None:
    if end < start:
        raise ValueError(f"{where} ends at {end:g} s, before it starts at {start:g} s")
    if end > duration:
        raise ValueError(f"{where} ends at {end:g} s, after the lesson ends")


def _count(what: str, items: Any, lesson: LessonEntry, limits: ContentLimits) -> None:
    if isinstance(items, list):
        allowed = limits.allowed(what, lesson.duration)
        if len(items) > allowed:
            raise ValueError(
                f"it has {len(items):,} {what}, more than the {allowed:,} "
                f"a lesson of {lesson.duration:g} s may have"
            )


def _check_chapters(data: Any, lesson: LessonEntry, limits: ContentLimits) -> None:
    if isinstance(data, dict):
        _count(CHAPTERS, data.get("chapters"), lesson, limits)
    _check_schema(CHAPTERS, data)
    end_of_lesson = lesson.duration + limits.slack
    for index, chapter in enumerate(data["chapters"]):
        _check_span(f"chapters[{index}]", chapter["start"], chapter["end"], end_of_lesson)


def _check_transcript(data: Any, lesson: LessonEntry, limits: ContentLimits) -> None:
    segments = data.get("segments") if isinstance(data, dict) else None
    _count("segments", segments, lesson, limits)
    if isinstance(segments, list):
        words = sum(
            len(item["words"])
            for item in segments
            if isinstance(item, dict) and isinstance(item.get("words"), list)
        )
        allowed = limits.allowed("words", lesson.duration)
        if words > allowed:
            raise ValueError(f"it has {words:,} timed words, more than the {allowed:,} allowed")
        characters = sum(
            len(item["text"])
            for item in segments
            if isinstance(item, dict) and isinstance(item.get("text"), str)
        )
        allowed = limits.allowed("characters", lesson.duration)
        if characters > allowed:
            raise ValueError(
                f"its text has {characters:,} characters, more than the {allowed:,} allowed"
            )
    _check_schema(TRANSCRIPT, data)
    _check_flat(TRANSCRIPT, "segment", data["segments"], "segments")
    end_of_lesson = lesson.duration + limits.slack
    for index, segment in enumerate(data["segments"]):
        where = f"segments[{index}]"
        _check_flat(TRANSCRIPT, "word", segment.get("words", []), f"{where}.words")
        _check_span(where, segment["start"], segment["end"], end_of_lesson)
        for number, word in enumerate(segment.get("words", ())):
            _check_span(f"{where}.words[{number}]", word["start"], word["end"], end_of_lesson)


def _check_slides(data: Any, lesson: LessonEntry, limits: ContentLimits) -> None:
    slides = data.get("slides") if isinstance(data, dict) else None
    _count(SLIDES, slides, lesson, limits)
    if isinstance(slides, list):
        lines = [
            line
            for slide in slides
            if isinstance(slide, dict) and isinstance(slide.get("lines"), list)
            for line in slide["lines"]
        ]
        allowed = limits.allowed("slide_lines", lesson.duration)
        if len(lines) > allowed:
            raise ValueError(
                f"it has {len(lines):,} slide lines, more than the {allowed:,} allowed"
            )
        characters = sum(
            len(line["text"])
            for line in lines
            if isinstance(line, dict) and isinstance(line.get("text"), str)
        )
        allowed = limits.allowed("slide_characters", lesson.duration)
        if characters > allowed:
            raise ValueError(
                f"its slide text has {characters:,} characters, more than the {allowed:,} allowed"
            )
    _check_schema(SLIDES, data)
    end_of_lesson = lesson.duration + limits.slack
    for index, slide in enumerate(data["slides"]):
        where = f"slides[{index}]"
        _check_span(where, slide["start"], slide["end"], end_of_lesson)
        for number, line in enumerate(slide["lines"]):
            if "start" in line:
                _check_span(f"{where}.lines[{number}]", line["start"], slide["end"], end_of_lesson)
                if line["start"] < slide["start"]:
                    raise ValueError(f"{where}.lines[{number}] starts before its slide")


def _check_checkpoints(data: Any, duration: float, limits: ContentLimits) -> None:
    if isinstance(data, dict) and isinstance(data.get(CHECKPOINTS), list):
        allowed = limits.allowed(CHECKPOINTS, duration)
        if len(data[CHECKPOINTS]) > allowed:
            raise ValueError(
                f"it has {len(data[CHECKPOINTS]):,} checkpoints, more than the {allowed:,} "
                f"a lesson of {duration:g} s may have"
            )
    _check_schema(CHECKPOINTS, data)
    seen: set[str] = set()
    for index, item in enumerate(data[CHECKPOINTS]):
        where = f"checkpoints[{index}]"
        if item["id"] in seen:
            raise ValueError(f"{where} has the id {item['id']!r} of an earlier checkpoint")
        seen.add(item["id"])
        if item.get("at", 0) > duration + limits.slack:
            raise ValueError(f"{where} is asked at {item['at']:g} s, after the lesson ends")
        problem = Checkpoint.from_dict(item).problem()
        if problem is not None:
            raise ValueError(f"{where} cannot be asked: {problem}")


_CHECKS = {
    CHAPTERS: _check_chapters,
    TRANSCRIPT: _check_transcript,
    SLIDES: _check_slides,
    CHECKPOINTS: lambda data, lesson, limits: _check_checkpoints(data, lesson.duration, limits),
}


def _load(kind: str, member: str, data: bytes, lesson: LessonEntry, limits: ContentLimits) -> Any:
    return _load_for(kind, member, data, lambda value: _CHECKS[kind](value, lesson, limits), limits)


def _load_for(kind: str, member: str, data: bytes, check: Any, limits: ContentLimits) -> Any:
    if len(data) > max_member_bytes(kind, limits):
        raise ContentError(
            member, f"it has {len(data):,} bytes, more than any {kind} file may have"
        )
    try:
        value = strict_json(data, max_depth=limits.max_depth)
        check(value)
    except (ValueError, RecursionError) as error:
        problem = str(error) if isinstance(error, ValueError) else "it is nested too deeply"
        raise ContentError(member, problem) from None
    return value


def check_member(
    kind: str,
    member: str,
    data: bytes,
    lesson: LessonEntry,
    limits: ContentLimits = DEFAULT_CONTENT_LIMITS,
) -> None:
    """Check one transcript, chapters, slide text or checkpoints file of ``lesson`` completely.

    Args:
        kind: :data:`TRANSCRIPT`, :data:`CHAPTERS`, :data:`SLIDES` or :data:`CHECKPOINTS`.
        member: its path in the package, named in the error.
        data: its bytes.
        lesson: the lesson it belongs to (its length bounds every time).
        limits: counts and sizes beyond which it is refused.

    Raises:
        ContentError: the first problem found, in words.
    """
    _load(kind, member, data, lesson, limits)


def parse_chapters(
    data: bytes, lesson: LessonEntry, limits: ContentLimits = DEFAULT_CONTENT_LIMITS
) -> tuple[Chapter, ...]:
    """A lesson's chapters file, checked (see :func:`check_member`) and built.

    Raises:
        ContentError: the file must not be used.
    """
    member = lesson.chapters or "chapters.json"
    value = _load(CHAPTERS, member, data, lesson, limits)
    try:
        return tuple(Chapter.from_dict(item) for item in value["chapters"])
    except ValueError as error:
        raise ContentError(member, str(error)) from None


def _words(items: Any) -> tuple[Word, ...]:
    return tuple(Word(w["start"], w["end"], w["text"], w["probability"]) for w in items)


def _segment(item: Mapping[str, Any]) -> Segment:
    return Segment(
        float(item["start"]),
        float(item["end"]),
        item["text"],
        _words(item.get("words", ())),
        item.get("avg_logprob"),
        item.get("no_speech_prob"),
    )


def parse_transcript(
    data: bytes, lesson: LessonEntry, limits: ContentLimits = DEFAULT_CONTENT_LIMITS
) -> Transcript:
    """A lesson's transcript file, checked (see :func:`check_member`) and built.

    Raises:
        ContentError: the file must not be used.
    """
    value = _load(TRANSCRIPT, lesson.transcript or "transcript.json", data, lesson, limits)
    return Transcript(
        tuple(_segment(item) for item in value["segments"]),
        value["language"],
        float(value["duration"]),
        value.get("model", ""),
        value.get("engine", ""),
    )


def parse_slides(
    data: bytes, lesson: LessonEntry, limits: ContentLimits = DEFAULT_CONTENT_LIMITS
) -> tuple[Slide, ...]:
    """A lesson's slide text file, checked (see :func:`check_member`) and built.

    Raises:
        ContentError: the file must not be used.
    """
    member = lesson.slides or "slides.json"
    value = _load(SLIDES, member, data, lesson, limits)
    try:
        return tuple(slides_from_data(value))
    except ValueError as error:
        raise ContentError(member, str(error)) from None


def read_checkpoints(
    data: bytes,
    duration: float,
    member: str = "checkpoints.json",
    limits: ContentLimits = DEFAULT_CONTENT_LIMITS,
) -> tuple[Checkpoint, ...]:
    """A checkpoints file for a lesson of ``duration`` seconds, checked and built.

    Args:
        data: the file's bytes.
        duration: the lesson's length, which bounds every time and the count.
        member: the file's name, named in the error.
        limits: counts and sizes beyond which it is refused.

    Raises:
        ContentError: the file must not be used.
    """
    value = _load_for(
        CHECKPOINTS, member, data, lambda v: _check_checkpoints(v, duration, limits), limits
    )
    return tuple(Checkpoint.from_dict(item) for item in value[CHECKPOINTS])


def parse_checkpoints(
    data: bytes, lesson: LessonEntry, limits: ContentLimits = DEFAULT_CONTENT_LIMITS
) -> tuple[Checkpoint, ...]:
    """A lesson's checkpoints file, checked (see :func:`check_member`) and built.

    Raises:
        ContentError: the file must not be used.
    """
    return read_checkpoints(data, lesson.duration, lesson.checkpoints or "checkpoints.json", limits)
