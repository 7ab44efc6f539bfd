"""The manifest of a ``.lectern`` course package: dataclasses and JSON Schema validation.

The manifest is ``manifest.json`` at the root of the package. Its shape is defined
once, by the JSON Schema ``resources/schema/manifest-1.schema.json`` (draft 2020-12);
this module turns a validated dictionary into frozen dataclasses and back. A few
rules a schema cannot express (unique lesson ids, a sorted file table, every path a
lesson refers to being in that table) are checked here after the schema.

Versioning: ``format_version`` is ``"major.minor"``. Format 1.1 added the lessons'
stable ``uid`` and the detached signature ``manifest.sig`` (see :mod:`shared.signing`).
Format 1.2 added the lessons' optional ``slides``: the text read on each slide with its
time span (``resources/schema/slides-1.schema.json``); format 1.3 added the lessons'
optional ``checkpoints`` file (questions asked during the lesson, see
:mod:`shared.checkpoints`). A reader of format 1 accepts
any 1.x manifest; fields a newer minor version adds are optional by definition, so
for a newer minor the schema is applied without its "no unknown fields" rules and
unknown fields are ignored. A newer major version is refused with
:class:`NewerFormatError`.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

import lectern_resources
from shared.errors import LecternError
from shared.strict_json import strict_json

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST_NAME",
    "SIGNATURE_NAME",
    "SCHEMA_PATH",
    "CaptionTrack",
    "LessonEntry",
    "CourseInfo",
    "FileEntry",
    "Manifest",
    "ManifestError",
    "NewerFormatError",
    "parse_manifest_json",
    "validate_manifest_dict",
    "new_course_id",
    "new_lesson_uid",
    "is_lesson_uid",
]

FORMAT = "lectern"
FORMAT_VERSION = "1.3"
MANIFEST_NAME = "manifest.json"
#: The detached signature of the manifest (format 1.1, see :mod:`shared.signing`).
SIGNATURE_NAME = "manifest.sig"
SCHEMA_PATH = lectern_resources.path("schema", "manifest-1.schema.json")

_MAJOR, _MINOR = (int(part) for part in FORMAT_VERSION.split("."))
_VERSION_RE = re.compile(r"^([0-9]{1,6})\.([0-9]{1,6})$")
_READING_ADVICE = (
    "the package is damaged or was made by a faulty tool, so ask its author for a new copy"
)


class ManifestError(LecternError):
    """A manifest that does not follow the format.

    Attributes:
        field: where the problem is, such as ``"lessons[0].title"`` (empty for the whole
            manifest).
        problem: what is wrong there, in words.
        source: the package or file the manifest came from, if known.
    """

    def __init__(
        self,
        problem: str,
        *,
        field: str = "",
        source: str | os.PathLike[str] | None = None,
        advice: str = _READING_ADVICE,
    ) -> None:
        self.field, self.problem = field, problem
        self.source = str(source) if source is not None else None
        where = f"the manifest of {self.source}" if self.source else "The manifest"
        at = f"{field}: " if field else ""
        message = f"{where} is invalid: {at}{problem}; {advice}."
        # Called directly (not super()) so subclasses may also derive from PackageError.
        LecternError.__init__(self, message[0].upper() + message[1:])


class NewerFormatError(ManifestError):
    """The manifest was written by a newer Lectern with an incompatible format."""

    def __init__(self, version: str, *, source: str | os.PathLike[str] | None = None) -> None:
        self.field, self.problem = "format_version", f"format {version} is newer than this Lectern"
        self.version = version
        self.source = str(source) if source is not None else None
        what = self.source or "This course manifest"
        LecternError.__init__(
            self,
            f"{what} was made by a newer Lectern (format {version}); update Lectern to open it.",
        )


# ----------------------------------------------------------------------------- model

_OPTIONAL_MEMBERS = (
    "presenter_video",
    "transcript",
    "chapters",
    "chapters_vtt",
    "poster",
    "slides",
    "checkpoints",
)


@dataclass(frozen=True)
class CaptionTrack:
    """One caption file of a lesson.

    Attributes:
        language: BCP 47 tag such as ``"en"``.
        path: member path inside the package.
    """

    language: str
    path: str


@dataclass(frozen=True)
class LessonEntry:
    """One lesson as the manifest describes it; every path is a package member.

    Attributes:
        id: unique slug within the course, also the lesson's folder in the package.
        title: what learners see.
        uid: the lesson's identity across versions of the course (format 1.1), made once
            by the Studio and kept through renames and rebuilds; ``None`` in older
            packages, whose lessons are known by ``id`` alone.
        duration_ms: length in whole milliseconds.
        video: the main (slides or screen) video.
        presenter_video: the optional camera video of the presenter.
        captions: caption tracks, one per language.
        transcript: the transcript JSON.
        chapters: the chapters JSON.
        chapters_vtt: the chapters as a WebVTT chapter track.
        thumbnails: one image per chapter, in chapter order.
        poster: the image shown before the video plays.
        slides: the text read on each slide with its time span (format 1.2); ``None``
            in older packages and for lessons without slide text.
        checkpoints: the checkpoints JSON (format 1.3), or ``None``.
    """

    id: str
    title: str
    duration_ms: int
    video: str
    presenter_video: str | None = None
    captions: tuple[CaptionTrack, ...] = ()
    transcript: str | None = None
    chapters: str | None = None
    chapters_vtt: str | None = None
    thumbnails: tuple[str, ...] = ()
    poster: str | None = None
    uid: str | None = None
    slides: str | None = None
    checkpoints: str | None = None

    @property
    def duration(self) -> float:
        """The length in seconds."""
        return self.duration_ms / 1000

    def referenced_paths(self) -> Iterator[tuple[str, str]]:
        """Yield ``(field, path)`` for every member this lesson refers to."""
        yield "video", self.video
        for name in _OPTIONAL_MEMBERS:
            value = getattr(self, name)
            if value is not None:
                yield name, value
        for index, track in enumerate(self.captions):
            yield f"captions[{index}].path", track.path
        for index, path in enumerate(self.thumbnails):
            yield f"thumbnails[{index}]", path

    def to_dict(self) -> dict[str, Any]:
        """The lesson as manifest JSON data; absent optional members are left out."""
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "duration_ms": self.duration_ms,
            "video": self.video,
            "captions": [{"language": t.language, "path": t.path} for t in self.captions],
            "thumbnails": list(self.thumbnails),
        }
        if self.uid is not None:
            data["uid"] = self.uid
        for name in _OPTIONAL_MEMBERS:
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LessonEntry:
        """Build from validated manifest data, ignoring unknown fields."""
        return cls(
            id=data["id"],
            title=data["title"],
            duration_ms=data["duration_ms"],
            video=data["video"],
            presenter_video=data.get("presenter_video"),
            captions=tuple(
                CaptionTrack(language=t["language"], path=t["path"])
                for t in data.get("captions", ())
            ),
            transcript=data.get("transcript"),
            chapters=data.get("chapters"),
            chapters_vtt=data.get("chapters_vtt"),
            thumbnails=tuple(data.get("thumbnails", ())),
            poster=data.get("poster"),
            uid=data.get("uid"),
            slides=data.get("slides"),
            checkpoints=data.get("checkpoints"),
        )


@dataclass(frozen=True)
class CourseInfo:
    """What a course is, apart from its lessons.

    Attributes:
        id: stable id of the course across versions (see :func:`new_course_id`).
        version: edition of the course, 1 for the first; bump it for each new package.
        title: what learners see.
        description: free text.
        author: who made the course.
        language: BCP 47 tag of the spoken language.
        created: ISO 8601 UTC time such as ``"2024-09-02T14:30:00Z"``.
        cover: member path of the cover image, if any.
    """

    id: str
    version: int
    title: str
    description: str = ""
    author: str = ""
    language: str = "en"
    created: str = ""
    cover: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The course as manifest JSON data."""
        data: dict[str, Any] = {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "description": self.description,
            "author": self.author,
            "language": self.language,
            "created": self.created,
        }
        if self.cover is not None:
            data["cover"] = self.cover
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CourseInfo:
        """Build from validated manifest data, ignoring unknown fields."""
        return cls(
            id=data["id"],
            version=data["version"],
            title=data["title"],
            description=data["description"],
            author=data["author"],
            language=data["language"],
            created=data["created"],
            cover=data.get("cover"),
        )


@dataclass(frozen=True)
class FileEntry:
    """One member of the package other than the manifest.

    Attributes:
        path: member path.
        size: uncompressed size in bytes.
        sha256: SHA-256 of the uncompressed bytes, lowercase hex.
    """

    path: str
    size: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        """The entry as manifest JSON data."""
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


@dataclass(frozen=True)
class Manifest:
    """The whole manifest of a course package.

    Attributes:
        format_version: ``"major.minor"`` the manifest was written in.
        course: the course.
        lessons: the lessons in order.
        files: every other member of the package, sorted by path.
    """

    format_version: str
    course: CourseInfo
    lessons: tuple[LessonEntry, ...]
    files: tuple[FileEntry, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "lessons", tuple(self.lessons))
        object.__setattr__(self, "files", tuple(self.files))

    @functools.cached_property
    def _by_path(self) -> dict[str, FileEntry]:
        return {entry.path: entry for entry in self.files}

    @functools.cached_property
    def digest(self) -> str:
        """The SHA-256 of the canonical manifest JSON, in hex: the package's content.

        The file table holds every member's SHA-256, so two packages with the same
        digest have the same course details, lessons and bytes; any change to any
        member changes it.
        """
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()

    @property
    def total_duration_ms(self) -> int:
        """The length of all lessons together in milliseconds."""
        return sum(lesson.duration_ms for lesson in self.lessons)

    @property
    def total_size(self) -> int:
        """The uncompressed size of every member but the manifest, in bytes."""
        return sum(entry.size for entry in self.files)

    def file(self, path: str) -> FileEntry | None:
        """The file-table entry for ``path``, or ``None``."""
        return self._by_path.get(path)

    def lesson(self, lesson_id: str) -> LessonEntry | None:
        """The lesson with id ``lesson_id``, or ``None``."""
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def referenced_paths(self) -> Iterator[tuple[str, str]]:
        """Yield ``(field, path)`` for every member the course and its lessons refer to."""
        if self.course.cover is not None:
            yield "course.cover", self.course.cover
        for index, lesson in enumerate(self.lessons):
            for name, path in lesson.referenced_paths():
                yield f"lessons[{index}].{name}", path

    def to_dict(self) -> dict[str, Any]:
        """The manifest as JSON data (not validated; see :func:`validate_manifest_dict`)."""
        return {
            "format": FORMAT,
            "format_version": self.format_version,
            "course": self.course.to_dict(),
            "lessons": [lesson.to_dict() for lesson in self.lessons],
            "files": [entry.to_dict() for entry in self.files],
        }

    def to_json(self) -> str:
        """The manifest as deterministic JSON text: sorted keys, two-space indent, final newline."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: Any, *, source: str | os.PathLike[str] | None = None) -> Manifest:
        """Validate manifest JSON data and build a :class:`Manifest` from it.

        Args:
            data: the decoded JSON.
            source: the file it came from, named in error messages.

        Raises:
            NewerFormatError: the manifest needs a newer Lectern.
            ManifestError: the manifest does not follow the format.
        """
        validate_manifest_dict(data, source=source)
        return cls(
            format_version=data["format_version"],
            course=CourseInfo.from_dict(data["course"]),
            lessons=tuple(LessonEntry.from_dict(item) for item in data["lessons"]),
            files=tuple(
                FileEntry(path=f["path"], size=f["size"], sha256=f["sha256"]) for f in data["files"]
            ),
        )

    @classmethod
    def from_json(
        cls, text: str | bytes, *, source: str | os.PathLike[str] | None = None
    ) -> Manifest:
        """Parse and validate manifest JSON text (UTF-8 if bytes).

        Duplicate keys and the non-standard ``NaN``/``Infinity`` are refused, so two
        readers can never disagree about what a manifest says.

        Raises:
            NewerFormatError: the manifest needs a newer Lectern.
            ManifestError: the text is not JSON or does not follow the format.
        """
        return cls.from_dict(parse_manifest_json(text, source=source), source=source)


# ----------------------------------------------------------------------------- parsing


# A manifest nests root > lessons > lesson > captions: 8 levels leave room, 64 is hostile.
_MAX_DEPTH = 16


def parse_manifest_json(text: str | bytes, *, source: str | os.PathLike[str] | None = None) -> Any:
    """Decode manifest JSON strictly (see ``shared.strict_json``); no schema check.

    Raises:
        ManifestError: the text is not strict JSON.
    """
    try:
        return strict_json(text, max_depth=_MAX_DEPTH)
    except ValueError as error:
        raise ManifestError(str(error), source=source) from None


# ----------------------------------------------------------------------------- validation


@functools.lru_cache(maxsize=2)
def _validator(strict: bool) -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    if not strict:
        schema = _without_closed_objects(copy.deepcopy(schema))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _without_closed_objects(node: Any) -> Any:
    """The schema with every ``additionalProperties: false`` removed (for newer minors)."""
    if isinstance(node, dict):
        if node.get("additionalProperties") is False:
            del node["additionalProperties"]
        for value in node.values():
            _without_closed_objects(value)
    elif isinstance(node, list):
        for value in node:
            _without_closed_objects(value)
    return node


def _field_name(parts: Any) -> str:
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def _error_rank(error: ValidationError) -> tuple[bool, bool, tuple[tuple[bool, Any], ...]]:
    """Report one error, chosen predictably: member paths are built from lesson ids
    and caption languages, so a bad id is reported rather than the paths made from
    it, and the file table (built from all of them) comes last.
    """
    path = tuple(error.absolute_path)
    is_member_path = error.schema == _validator(True).schema["$defs"]["memberPath"]
    order = tuple((isinstance(part, str), part) for part in path)
    return path[:1] == ("files",), is_member_path, order


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + "...'" * isinstance(value, str)


def _explain(error: ValidationError) -> tuple[str, str]:
    """``(field, problem)`` in words a course author understands."""
    field_name = _field_name(error.absolute_path)
    instance = _short(error.instance)
    described = error.schema.get("description") if isinstance(error.schema, dict) else None
    if error.validator == "required":
        missing = re.search(r"'([^']+)' is a required property", error.message)
        if missing:
            name = missing.group(1)
            return (f"{field_name}.{name}" if field_name else name), "required but missing"
    if error.validator == "additionalProperties":
        return field_name, error.message.replace("Additional properties", "unknown fields")
    if error.validator == "not" and isinstance(error.validator_value, dict):
        reserved = error.validator_value.get("description", "a name that is not allowed")
        return field_name, f"{instance} is one of the {reserved}"
    if error.validator == "pattern" and described:
        return field_name, f"{instance} is not {described}"
    message = error.message
    if message.startswith(repr(error.instance)):  # keep a huge value out of the message
        message = instance + message[len(repr(error.instance)) :]
    return field_name, message


def validate_manifest_dict(data: Any, *, source: str | os.PathLike[str] | None = None) -> None:
    """Check decoded manifest JSON against the format; return quietly if it follows it.

    The order matters: a manifest that is not a Lectern manifest, or that needs a
    newer Lectern, is reported as such rather than as a pile of schema errors.

    Args:
        data: the decoded JSON.
        source: the file it came from, named in error messages.

    Raises:
        NewerFormatError: ``format_version`` has a newer major version.
        ManifestError: anything else; its message names the field, e.g.
            ``lessons[0].title``.
    """
    if not isinstance(data, dict):
        raise ManifestError("it is not a JSON object", source=source)
    if data.get("format") != FORMAT:
        raise ManifestError(
            f"{data.get('format')!r} is not 'lectern', so this is not a Lectern course",
            field="format",
            source=source,
        )
    version = data.get("format_version")
    match = _VERSION_RE.match(version) if isinstance(version, str) else None
    if match is None:
        raise ManifestError(
            f"{version!r} is not a 'major.minor' version", field="format_version", source=source
        )
    major, minor = int(match.group(1)), int(match.group(2))
    if major > _MAJOR:
        raise NewerFormatError(version, source=source)
    if major < _MAJOR:
        raise ManifestError(
            f"format {version} is older than any Lectern release",
            field="format_version",
            source=source,
        )
    validator = _validator(strict=minor <= _MINOR)
    error = min(validator.iter_errors(data), key=_error_rank, default=None)
    if error is not None:
        field_name, problem = _explain(error)
        raise ManifestError(problem, field=field_name, source=source)
    _check_consistency(data, source)


def _check_consistency(data: dict[str, Any], source: str | os.PathLike[str] | None) -> None:
    """The rules the schema cannot state: unique ids, a sorted table, known paths."""
    seen: dict[str, int] = {}
    seen_uids: dict[str, int] = {}
    for index, lesson in enumerate(data["lessons"]):
        if lesson["id"] in seen:
            raise ManifestError(
                f"the id {lesson['id']!r} is also used by lessons[{seen[lesson['id']]}]",
                field=f"lessons[{index}].id",
                source=source,
            )
        seen[lesson["id"]] = index
        uid = lesson.get("uid")
        if isinstance(uid, str) and uid in seen_uids:
            raise ManifestError(
                f"the uid {uid!r} is also used by lessons[{seen_uids[uid]}]",
                field=f"lessons[{index}].uid",
                source=source,
            )
        if isinstance(uid, str):
            seen_uids[uid] = index
        languages = [track["language"] for track in lesson.get("captions", ())]
        for position, language in enumerate(languages):
            if language in languages[:position]:
                raise ManifestError(
                    f"there are two caption tracks for {language!r}",
                    field=f"lessons[{index}].captions[{position}].language",
                    source=source,
                )
    paths = [entry["path"] for entry in data["files"]]
    for index, path in enumerate(paths):
        if path == MANIFEST_NAME:
            raise ManifestError(
                f"{MANIFEST_NAME} must not list itself", field=f"files[{index}].path", source=source
            )
        if path == SIGNATURE_NAME:
            raise ManifestError(
                f"{SIGNATURE_NAME} is the package's signature, which no manifest can list",
                field=f"files[{index}].path",
                source=source,
            )
        if index and path <= paths[index - 1]:
            problem = "appears twice" if path == paths[index - 1] else "is out of order"
            raise ManifestError(
                f"{path!r} {problem} (the table is sorted by path, each path once)",
                field=f"files[{index}].path",
                source=source,
            )
    known = set(paths)
    manifest = Manifest(
        format_version=data["format_version"],
        course=CourseInfo.from_dict(data["course"]),
        lessons=tuple(LessonEntry.from_dict(item) for item in data["lessons"]),
        files=(),
    )
    for field_name, path in manifest.referenced_paths():
        if path not in known:
            raise ManifestError(
                f"{path!r} is not in the files table", field=field_name, source=source
            )


def new_course_id() -> str:
    """A fresh, stable course id (a random UUID), to be kept for every version of a course."""
    return str(uuid.uuid4())


_UID_RE = re.compile(r"^[a-z0-9]([a-z0-9_-]{0,126}[a-z0-9])?$")


def is_lesson_uid(value: object) -> bool:
    """Whether ``value`` can be a lesson's ``uid`` in a manifest (lowercase id, 1-128 chars)."""
    return isinstance(value, str) and bool(_UID_RE.match(value))


def new_lesson_uid() -> str:
    """A fresh lesson identity (a random UUID), made once per lesson and never changed."""
    return str(uuid.uuid4())
