"""Broken and malicious course packages, each made from a good one, for the refusal tests.

:func:`make_good_package` writes a small but complete package from tiny fake files
(a few KB of random "video" bytes are enough for the format layer). Every builder
in :data:`CASES` takes that package and writes one broken variant with exactly one
defect, so the test proves the refusal it names and not an earlier one.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import stat
import struct
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared import package as pkg
from shared.chapters import Chapter, Slide, SlideLine
from shared.manifest import CourseInfo
from shared.transcription import Segment, Transcript, Word

__all__ = [
    "CREATED",
    "VIDEO",
    "TRANSCRIPT",
    "CHAPTERS",
    "SLIDES",
    "BadCase",
    "CASES",
    "make_sources",
    "make_good_package",
    "repack",
    "HOSTILE_TEXTS",
    "hostile_text",
    "make_hostile_text_package",
]

CREATED = "2024-09-02T14:30:00Z"
VIDEO = "lessons/intro/video.mp4"
TRANSCRIPT = "lessons/intro/transcript.json"
CHAPTERS = "lessons/intro/chapters.json"
SLIDES = "lessons/intro/slides.json"
MANIFEST = "manifest.json"
GiB = 1 << 30
MiB = 1 << 20


# ----------------------------------------------------------------------------- good


def make_sources(folder: Path, seed: int = 7) -> tuple[CourseInfo, list[pkg.LessonSource], Path]:
    """Tiny fake inputs for two lessons: ``(course, lessons, cover)``."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)

    def media(name: str, size: int) -> Path:
        path = folder / name
        path.write_bytes(rng.randbytes(size))
        return path

    def text(name: str, content: str) -> Path:
        path = folder / name
        path.write_text(content, encoding="utf-8")
        return path

    vtt = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello and welcome.\n"
    # Real transcript and chapters formats, so a library can index these packages.
    transcript = Transcript(
        tuple(Segment(float(i), i + 1.0, f"Sentence {i}.") for i in range(40)),
        "en",
        61.25,
        "tiny.en",
        "faster-whisper",
    )
    chapter_list = [Chapter(0.0, 30.0, "Opening words"), Chapter(30.0, 61.25, "Cell membranes")]
    slides = [
        Slide(0.0, 30.0, "Agenda", (SlideLine("Agenda", 0.0),)),
        Slide(
            30.0,
            61.25,
            "Lipid bilayer",
            (SlideLine("Lipid bilayer", 30.0), SlideLine("Osmosis across it", 41.5)),
        ),
    ]
    lessons = []
    for number, lesson_id in enumerate(("intro", "week-2"), 1):
        stem = f"l{number}-"
        lessons.append(
            pkg.LessonSource(
                id=lesson_id,
                title=f"Lesson {number}",
                duration=61.25 * number,
                video=media(stem + "screen.MP4", 6000 + number),
                presenter_video=media(stem + "camera.mp4", 3000) if number == 1 else None,
                captions=(
                    ("en", text(stem + "en.vtt", vtt)),
                    ("de", text(stem + "de.vtt", vtt.replace("Hello", "Hallo"))),
                ),
                transcript=text(stem + "transcript.json", json.dumps(transcript.to_dict())),
                chapters=text(
                    stem + "chapters.json",
                    json.dumps({"chapters": [c.to_dict() for c in chapter_list]}),
                ),
                chapters_vtt=text(stem + "chapters.vtt", vtt),
                thumbnails=tuple(media(f"{stem}thumb{i}.jpg", 500 + i) for i in range(3)),
                poster=media(stem + "poster.png", 800),
                slides=text(
                    stem + "slides.json", json.dumps({"slides": [s.to_dict() for s in slides]})
                ),
            )
        )
    course = CourseInfo(
        id="bio-101",
        version=2,
        title="Biology 101",
        description="Cells, plants and photosynthesis.",
        author="Dr. Green",
        language="en",
        created=CREATED,
    )
    return course, lessons, media("cover.jpg", 900)


def make_good_package(folder: Path) -> Path:
    """A sound package at ``folder / "good.lectern"`` built from :func:`make_sources`."""
    course, lessons, cover = make_sources(folder / "sources")
    out = folder / "good.lectern"
    pkg.write_package(course, lessons, out, cover=cover)
    return out


# ----------------------------------------------------------------------------- hostile text
# Sound packages (every check passes) whose text is made to attack what shows it: HTML
# for Qt's rich-text guess, escape sequences for terminals. They must be imported and
# shown literally, never refused and never rendered.

_TABLES = "<table>" * 33
HOSTILE_TEXTS: dict[str, str] = {
    # 33 nested tables hung the Player at start-up; an image tag loads a local file.
    "html": _TABLES + '<b>BOLD</b><img src="/etc/hostname"><a href="https://x">link</a>',
    # Nested tables with cells, as many as a title may hold: 100% CPU at every start.
    "tables": "<table><tr><td>" * 33,
    "html-banner": '<h1 style="background:red">FAKE BANNER</h1><p>Click <a href="x">here</a>',
    "terminal": (
        "\x1b[2J\x1b[H"  # clear the screen
        "\x1b]0;pwned\x07"  # set the window title
        "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\"  # OSC 8 hyperlink
        "\x1b[8mhidden\x1b[0m"  # invisible text
        "\x9b31m"  # C1 CSI: red on terminals that take 8-bit controls
        "ok\rOVERWRITTEN\x08\x08\x07"
    ),
    "bidi": "invoice\u202egpj.exe\u202c \u2066isolated\u2069 \u200fmark",
    "lines": "first line\nsecond line\r\nthird\u2028fourth\u2029fifth\ttab\x00nul",
    "unicode": "Z\u0351\u0352\u0353a\u0300\u0301\u0302lgo \U0001f469\u200d\U0001f52c "
    "\u05e9\u05dc\u05d5\u05dd \ufeff\u00ad",
}


def hostile_text(kind: str, field: str) -> str:
    """``kind``'s attack with ``field``'s name after it, so each view can be told apart."""
    return f"{HOSTILE_TEXTS[kind]} [{field}]"


def make_hostile_text_package(
    folder: Path, kind: str, *, video: Path | None = None, duration: float = 61.25
) -> Path:
    """A sound package whose every text field holds ``kind``'s attack.

    Course title, author and description; lesson titles; chapter titles; transcript
    segments and words; caption cues; slide titles and lines. ``video`` is a real video for the window tests
    (``duration`` must then be its length); by default a few random bytes.
    """
    rng = random.Random(kind)
    folder.mkdir(parents=True, exist_ok=True)

    def text(field: str) -> str:
        return hostile_text(kind, field)[:500]  # the longest title the formats allow

    def write(name: str, content: str) -> Path:
        path = folder / name
        path.write_text(content, encoding="utf-8")
        return path

    if video is None:
        video = folder / "video.mp4"
        video.write_bytes(rng.randbytes(5000))
    words_text = text("segment 1")
    segments = [
        Segment(
            1.0,
            5.0,
            words_text,
            words=(Word(1.0, 3.0, " " + words_text[:40], 0.9), Word(3.0, 5.0, " end", 0.8)),
        ),
        Segment(6.0, 9.0, text("segment 2")),
    ]
    transcript = Transcript(tuple(segments), "en", duration, "tiny.en", "faster-whisper")
    half = round(duration / 2, 3)
    chapter_list = [
        Chapter(0.0, half, text("chapter 1")),
        Chapter(half, duration, text("chapter 2")),
    ]
    slides = [
        Slide(0.0, half, text("slide 1"), (SlideLine(text("slide line 1"), 0.0),)),
        Slide(half, duration, text("slide 2"), (SlideLine(text("slide line 2"), half + 1.0),)),
    ]
    cue = text("caption").replace("\n", " ").replace("-->", "->")
    vtt = f"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n{cue}\n"
    lesson = pkg.LessonSource(
        id="lesson-1",
        title=text("lesson title"),
        duration=duration,
        video=video,
        captions=(("en", write("en.vtt", vtt)),),
        transcript=write("transcript.json", json.dumps(transcript.to_dict())),
        chapters=write(
            "chapters.json", json.dumps({"chapters": [c.to_dict() for c in chapter_list]})
        ),
        slides=write("slides.json", json.dumps({"slides": [s.to_dict() for s in slides]})),
    )
    description = text("description")
    if kind == "html":
        description = "<table>" * 6600 + description  # crashed the Player before
    course = CourseInfo(
        id=f"hostile-{kind}",
        version=1,
        title=text("course title"),
        description=description,
        author=text("author"),
        language="en",
        created=CREATED,
    )
    out = folder / f"hostile-{kind}.lectern"
    pkg.write_package(course, [lesson], out)
    return out


# ----------------------------------------------------------------------------- tools


def _info(name: str, compress: int = zipfile.ZIP_STORED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2024, 9, 2, 14, 30, 0))
    info.compress_type = compress
    info.create_system = 3
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def _compress_for(name: str) -> int:
    return zipfile.ZIP_DEFLATED if name.endswith((".json", ".vtt")) else zipfile.ZIP_STORED


def read_members(good: Path) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """The manifest data and every other member of a (trusted) package, in order."""
    with zipfile.ZipFile(good) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        members = [(i.filename, zf.read(i)) for i in zf.infolist() if i.filename != MANIFEST]
    return manifest, members


def _manifest_bytes(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _refresh_table(data: dict[str, Any], members: list[tuple[str, bytes]]) -> None:
    data["files"] = sorted(
        (
            {"path": name, "size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
            for name, body in members
        ),
        key=lambda entry: entry["path"],
    )


def write_zip(out: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    """Write ``entries`` as given (duplicates and odd names included)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        with zipfile.ZipFile(out, "w") as zf:
            for info, body in entries:
                if isinstance(info, str):
                    info = _info(info, _compress_for(info))
                zf.writestr(info, body)
    return out


def repack(
    good: Path,
    out: Path,
    *,
    manifest: Callable[[dict[str, Any]], Any] | None = None,
    members: Callable[[list[tuple[str, bytes]]], Any] | None = None,
    refresh: bool = False,
    manifest_bytes: bytes | None = None,
) -> Path:
    """Rewrite ``good`` into ``out``, changing the manifest data and/or the members.

    Args:
        manifest: edits the manifest data in place.
        members: edits the ``(name, bytes)`` list in place.
        refresh: recompute the file table from the edited members, so that the only
            defect left is the one the edit made on purpose.
        manifest_bytes: use these bytes as ``manifest.json`` as they are.
    """
    data, items = read_members(good)
    if members is not None:
        members(items)
    if refresh:
        _refresh_table(data, items)
    if manifest is not None:
        manifest(data)
    head = manifest_bytes if manifest_bytes is not None else _manifest_bytes(data)
    return write_zip(out, [(_info(MANIFEST), head), *items])


def _replace(items: list[tuple[str, bytes]], name: str, body: bytes) -> None:
    items[:] = [(n, body if n == name else b) for n, b in items]


def _local_header(path: Path, name: str) -> tuple[int, int]:
    """``(header_offset, data_offset)`` of member ``name``."""
    with zipfile.ZipFile(path) as zf:
        offset = zf.getinfo(name).header_offset
    with open(path, "rb") as handle:
        handle.seek(offset)
        name_length, extra_length = struct.unpack("<26xHH", handle.read(30))
    return offset, offset + 30 + name_length + extra_length


def _patch(path: Path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(data)


# ----------------------------------------------------------------------------- cases


def tampered_member(good: Path, out: Path) -> Path:
    """One byte of the video changed, same size, CRC made consistent: only SHA-256 tells."""
    _, items = read_members(good)
    body = bytearray(dict(items)[VIDEO])
    body[len(body) // 2] ^= 0xFF
    return repack(good, out, members=lambda m: _replace(m, VIDEO, bytes(body)))


def flipped_byte_on_disk(good: Path, out: Path) -> Path:
    """One byte of the stored video flipped in the archive file itself (bit rot)."""
    out.write_bytes(good.read_bytes())
    _, data_offset = _local_header(out, VIDEO)
    with open(out, "r+b") as handle:
        handle.seek(data_offset + 100)
        byte = handle.read(1)
        handle.seek(data_offset + 100)
        handle.write(bytes([byte[0] ^ 0x01]))
    return out


def truncated_member(good: Path, out: Path) -> Path:
    """The video cut short; the file table still has the full size."""
    _, items = read_members(good)
    return repack(good, out, members=lambda m: _replace(m, VIDEO, dict(items)[VIDEO][:-100]))


def truncated_archive(good: Path, out: Path) -> Path:
    """The archive file cut off before its end (an interrupted download)."""
    out.write_bytes(good.read_bytes()[:-300])
    return out


def extra_member(good: Path, out: Path) -> Path:
    """A member the file table does not list."""
    return repack(good, out, members=lambda m: m.append(("lessons/intro/extra.bin", b"x" * 10)))


def missing_member(good: Path, out: Path) -> Path:
    """A member of the file table left out of the archive."""
    return repack(good, out, members=lambda m: m.remove((TRANSCRIPT, dict(m)[TRANSCRIPT])))


def _named(name: str) -> Callable[[Path, Path], Path]:
    def build(good: Path, out: Path) -> Path:
        return repack(good, out, members=lambda m: m.append((name, b"evil")))

    build.__doc__ = f"An extra member named {name!r}."
    return build


parent_traversal = _named("../evil.txt")
nested_traversal = _named("lessons/../../evil.txt")
absolute_path = _named("/tmp/evil.txt")
drive_letter = _named("C:\\evil.txt")
drive_letter_slash = _named("C:/evil.txt")
backslash_traversal = _named("a\\..\\..\\evil.txt")
control_character = _named("lessons/intro/evil\n.txt")
windows_device = _named("lessons/intro/con.txt")
trailing_dot = _named("lessons/intro/evil.")
directory_entry = _named("lessons/")


def symlink_member(good: Path, out: Path) -> Path:
    """The video replaced by a symbolic link to /etc/passwd (table kept consistent)."""
    data, items = read_members(good)
    _replace(items, VIDEO, b"/etc/passwd")
    _refresh_table(data, items)
    entries: list[tuple[zipfile.ZipInfo | str, bytes]] = [(_info(MANIFEST), _manifest_bytes(data))]
    for name, body in items:
        info = _info(name, _compress_for(name))
        if name == VIDEO:
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
        entries.append((info, body))
    return write_zip(out, entries)


def duplicate_member(good: Path, out: Path) -> Path:
    """The video twice under the same name (which copy would a reader use?)."""
    return repack(good, out, members=lambda m: m.append((VIDEO, b"other content")))


def case_duplicate(good: Path, out: Path) -> Path:
    """Two names that differ only in case (one file on Windows and macOS)."""
    return repack(good, out, members=lambda m: m.append(("lessons/intro/VIDEO.mp4", b"x")))


def path_conflict(good: Path, out: Path) -> Path:
    """A file member whose name another member uses as a folder."""
    return repack(good, out, members=lambda m: m.append(("lessons/intro/thumbs", b"x")))


def missing_manifest(good: Path, out: Path) -> Path:
    """No manifest.json at all."""
    _, items = read_members(good)
    return write_zip(out, list(items))


def manifest_too_large(good: Path, out: Path) -> Path:
    """A valid manifest padded with 5 MiB of spaces (deflated, so the file stays small)."""
    data, _ = read_members(good)
    head = _manifest_bytes(data) + b" " * (5 * MiB)
    _, items = read_members(good)
    return write_zip(out, [(_info(MANIFEST, zipfile.ZIP_DEFLATED), head), *items])


def invalid_json(good: Path, out: Path) -> Path:
    """manifest.json cut off in the middle."""
    data, _ = read_members(good)
    return repack(good, out, manifest_bytes=_manifest_bytes(data)[:200])


def duplicate_json_key(good: Path, out: Path) -> Path:
    """A manifest with a key twice, which two JSON parsers may read differently."""
    data, _ = read_members(good)
    text = _manifest_bytes(data).replace(b'"title": "Biology 101"', b'"title": "A", "title": "B"')
    return repack(good, out, manifest_bytes=text)


def missing_title(good: Path, out: Path) -> Path:
    """The first lesson has no title."""
    return repack(good, out, manifest=lambda d: d["lessons"][0].pop("title"))


def bad_duration_type(good: Path, out: Path) -> Path:
    """The first lesson's duration is a string."""
    return repack(good, out, manifest=lambda d: d["lessons"][0].update(duration_ms="61250"))


def not_lectern(good: Path, out: Path) -> Path:
    """A manifest of some other format."""
    return repack(good, out, manifest=lambda d: d.update(format="epub"))


def unlisted_reference(good: Path, out: Path) -> Path:
    """A lesson refers to a member that the file table does not list."""
    return repack(
        good, out, manifest=lambda d: d["lessons"][0].update(poster="lessons/intro/nope.png")
    )


def newer_major(good: Path, out: Path) -> Path:
    """A package from a future Lectern with format 2.0."""
    return repack(good, out, manifest=lambda d: d.update(format_version="2.0"))


def table_size_lie(good: Path, out: Path) -> Path:
    """The file table claims a different size for the video than the archive has."""

    def lie(data: dict[str, Any]) -> None:
        entry = next(e for e in data["files"] if e["path"] == VIDEO)
        entry["size"] += 1

    return repack(good, out, manifest=lie)


def zip_bomb_streamed(good: Path, out: Path, size: int = 200 * MiB) -> Path:
    """The transcript replaced by ``size`` bytes of zeros, deflated (about 1000:1).

    Written in 1 MiB pieces so building it never holds the whole member in memory;
    the file table is consistent, so only the ratio gives it away.
    """
    data, items = read_members(good)
    chunk = bytes(MiB)
    digest = hashlib.sha256()
    for _ in range(size // MiB):
        digest.update(chunk)
    for entry in data["files"]:
        if entry["path"] == TRANSCRIPT:
            entry.update(size=size, sha256=digest.hexdigest())
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(_info(MANIFEST), _manifest_bytes(data))
        for name, body in items:
            if name != TRANSCRIPT:
                zf.writestr(_info(name, _compress_for(name)), body)
                continue
            info = _info(name, zipfile.ZIP_DEFLATED)
            info.file_size = size
            with zf.open(info, "w") as dst:
                for _ in range(size // MiB):
                    dst.write(chunk)
    return out


def zip_bomb_declared(good: Path, out: Path) -> Path:
    """A tiny member whose central-directory entry claims 50 GiB."""
    data, items = read_members(good)
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(_info(MANIFEST), _manifest_bytes(data))
        for name, body in items:
            zf.writestr(_info(name, _compress_for(name)), body)
        zf.getinfo(TRANSCRIPT).file_size = 50 * GiB  # written into the central directory
    return out


def overlapping_members(good: Path, out: Path) -> Path:
    """A second central-directory entry pointing at the video's data (the overlap trick)."""
    data, items = read_members(good)
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(_info(MANIFEST), _manifest_bytes(data))
        for name, body in items:
            zf.writestr(_info(name, _compress_for(name)), body)
        twin = copy.copy(zf.getinfo(VIDEO))
        twin.filename = twin.orig_filename = "lessons/intro/video2.mp4"
        zf.filelist.append(twin)
    return out


def not_a_zip(good: Path, out: Path) -> Path:
    """A text file with the package's name."""
    out.write_text("This is not a course package.\n")
    return out


def empty_file(good: Path, out: Path) -> Path:
    """A file of zero bytes."""
    out.write_bytes(b"")
    return out


def prepended_data(good: Path, out: Path) -> Path:
    """Other data before the archive (how polyglot files hide a zip)."""
    out.write_bytes(b"MZ" + bytes(1000) + good.read_bytes())
    return out


def encrypted_member(good: Path, out: Path) -> Path:
    """The video flagged as encrypted (in the central directory and the local header)."""
    data, items = read_members(good)
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(_info(MANIFEST), _manifest_bytes(data))
        for name, body in items:
            zf.writestr(_info(name, _compress_for(name)), body)
        zf.getinfo(VIDEO).flag_bits |= 0x1
    offset, _ = _local_header(out, VIDEO)
    _patch(out, offset + 6, struct.pack("<H", 0x1))
    return out


def unsupported_compression(good: Path, out: Path) -> Path:
    """The transcript compressed with bzip2, which Lectern does not write."""
    data, items = read_members(good)
    entries: list[tuple[zipfile.ZipInfo | str, bytes]] = [(_info(MANIFEST), _manifest_bytes(data))]
    for name, body in items:
        compress = zipfile.ZIP_BZIP2 if name == TRANSCRIPT else _compress_for(name)
        entries.append((_info(name, compress), body))
    return write_zip(out, entries)


def header_name_mismatch(good: Path, out: Path) -> Path:
    """The video's local header names another file than its central-directory entry."""
    out.write_bytes(good.read_bytes())
    offset, _ = _local_header(out, VIDEO)
    _patch(out, offset + 30, b"lessons/intro/vid.o.mp4")
    return out


def appended_junk(good: Path, out: Path) -> Path:
    """Other data after the archive's end record (a second payload riding along)."""
    out.write_bytes(good.read_bytes() + b"#!/bin/sh\necho payload\n")
    return out


def zip_comment(good: Path, out: Path) -> Path:
    """A zip comment, which Lectern never writes: data after the archive in disguise."""
    data, items = read_members(good)
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(_info(MANIFEST), _manifest_bytes(data))
        for name, body in items:
            zf.writestr(_info(name, _compress_for(name)), body)
        zf.comment = b"hidden payload"
    return out


def manifest_lone_surrogate(good: Path, out: Path) -> Path:
    """A course title holding a lone surrogate escape, which no database or screen takes."""
    data, _ = read_members(good)
    text = _manifest_bytes(data).replace(b'"Biology 101"', b'"Biology \\ud800"')
    return repack(good, out, manifest_bytes=text)


# ------------------------------------------------------------------- content cases
# Each keeps the package sound (sizes and SHA-256 match) with one defect in what a
# transcript or chapters file says; only reading the member reveals it.

_SEGMENT = {"start": 1.0, "end": 2.0, "text": "Hello.", "words": []}
_CHAPTER = {"start": 0.0, "end": 30.0, "title": "Opening words"}


def _member_text(name: str, body: bytes, doc: str) -> Callable[[Path, Path], Path]:
    def build(good: Path, out: Path) -> Path:
        return repack(good, out, members=lambda m: _replace(m, name, body), refresh=True)

    build.__doc__ = doc
    return build


def _chapters(*chapters: Any, doc: str) -> Callable[[Path, Path], Path]:
    body = json.dumps({"chapters": list(chapters)}).encode()
    return _member_text(CHAPTERS, body, doc)


def _transcript(*segments: Any, doc: str, **fields: Any) -> Callable[[Path, Path], Path]:
    data = {"format": 1, "language": "en", "duration": 61.25, "segments": list(segments)}
    data.update(fields)
    return _member_text(TRANSCRIPT, json.dumps(data).encode(), doc)


_SLIDE = {"start": 0.0, "end": 30.0, "title": "Opening words", "lines": [{"text": "Hi"}]}


def _slides(*slides: Any, doc: str) -> Callable[[Path, Path], Path]:
    return _member_text(SLIDES, json.dumps({"slides": list(slides)}).encode(), doc)


def _slide(**fields: Any) -> dict[str, Any]:
    return {**_SLIDE, **fields}


def _chapter(**fields: Any) -> dict[str, Any]:
    return {**_CHAPTER, **fields}


def _segment(**fields: Any) -> dict[str, Any]:
    return {**_SEGMENT, **fields}


def _raw(name: str, text: str, doc: str) -> Callable[[Path, Path], Path]:
    return _member_text(name, text.encode("utf-8"), doc)


def million_chapters(good: Path, out: Path) -> Path:
    """A million chapters (about 50 MB of JSON, deflated to a few MB)."""
    # Distinct chapters, so the member compresses like text and not like a zip bomb.
    items = (f'{{"start":{n / 1e5},"end":{n / 1e5},"title":"{n:x}"}}' for n in range(1_000_000))
    body = ('{"chapters":[' + ",".join(items) + "]}").encode()
    return _member_text(CHAPTERS, body, "")(good, out)


CONTENT_BUILDERS: dict[str, tuple[str, Callable[[Path, Path], Path], str]] = {
    # name: (member, builder, text the message must contain)
    "chapters-not-json": (CHAPTERS, _raw(CHAPTERS, '{"chapters": [', "Cut short."), "not JSON"),
    "chapters-not-utf8": (
        CHAPTERS,
        _member_text(CHAPTERS, b'{"chapters": [{"start": 0, "end": 1, "title": "\xff\xfe"}]}', ""),
        "UTF-8",
    ),
    "chapters-top-array": (CHAPTERS, _raw(CHAPTERS, "[]", "A list."), "top level"),
    "chapters-start-text": (
        CHAPTERS,
        _chapters(_chapter(start="zero"), doc="A start time that is text."),
        "chapters[0].start",
    ),
    "chapters-start-bool": (
        CHAPTERS,
        _chapters(_chapter(start=True), doc="A start time that is true."),
        "chapters[0].start",
    ),
    "chapters-title-number": (
        CHAPTERS,
        _chapters(_chapter(title=42), doc="A title that is a number."),
        "chapters[0].title",
    ),
    "chapters-title-object": (
        CHAPTERS,
        _chapters(_chapter(title={"html": "<b>x</b>"}), doc="A title that is an object."),
        "chapters[0].title",
    ),
    "chapters-deep-nesting": (
        CHAPTERS,
        _raw(CHAPTERS, '{"chapters": ' + "[" * 100_000 + "]" * 100_000 + "}", "Deep nesting."),
        "nested",
    ),
    "chapters-nan": (
        CHAPTERS,
        _raw(CHAPTERS, '{"chapters": [{"start": NaN, "end": 1, "title": "x"}]}', "NaN."),
        "NaN",
    ),
    "chapters-infinity": (
        CHAPTERS,
        _raw(CHAPTERS, '{"chapters": [{"start": 0, "end": Infinity, "title": "x"}]}', "Inf."),
        "Infinity",
    ),
    "chapters-1e300": (
        CHAPTERS,
        _chapters(_chapter(start=1e300, end=1e300), doc="Times of 1e300 seconds."),
        "chapters[0]",
    ),
    "chapters-huge-int": (
        CHAPTERS,
        _raw(CHAPTERS, '{"chapters": [{"start": 0, "end": 1' + "0" * 400 + ', "title": "x"}]}', ""),
        "chapters[0].end",
    ),
    "chapters-negative": (
        CHAPTERS,
        _chapters(_chapter(start=-5.0), doc="A negative start."),
        "less than 0",
    ),
    "chapters-end-before-start": (
        CHAPTERS,
        _chapters(_chapter(start=30.0, end=10.0), doc="A chapter that ends before it starts."),
        "before it starts",
    ),
    "chapters-past-end": (
        CHAPTERS,
        _chapters(_chapter(start=10.0, end=500.0), doc="A chapter past the lesson's end."),
        "after the lesson ends",
    ),
    "chapters-too-many": (
        CHAPTERS,
        _chapters(*[_chapter(start=0.0, end=0.0)] * 5000, doc="5,000 chapters in one minute."),
        "5,000 chapters",
    ),
    "chapters-million": (CHAPTERS, million_chapters, "bytes, more than any chapters file"),
    "chapters-unknown-field": (
        CHAPTERS,
        _chapters(_chapter(onclick="alert(1)"), doc="A field no format has."),
        "unknown field 'onclick'",
    ),
    "chapters-duplicate-key": (
        CHAPTERS,
        _raw(CHAPTERS, '{"chapters": [], "chapters": [{"start": 0}]}', "A key twice."),
        "twice",
    ),
    "chapters-lone-surrogate": (
        CHAPTERS,
        _raw(CHAPTERS, '{"chapters": [{"start": 0, "end": 1, "title": "\\udc80"}]}', ""),
        "Unicode",
    ),
    "chapters-thumbnail-path": (
        CHAPTERS,
        _chapters(_chapter(thumbnail="../../../etc/passwd"), doc="A thumbnail outside."),
        "chapters[0].thumbnail",
    ),
    "chapters-bad-source": (
        CHAPTERS,
        _chapters(_chapter(source="evil"), doc="An unknown chapter source."),
        "chapters[0].source",
    ),
    "transcript-not-json": (TRANSCRIPT, _raw(TRANSCRIPT, "{", "Cut short."), "not JSON"),
    "transcript-not-utf8": (
        TRANSCRIPT,
        _member_text(
            TRANSCRIPT,
            '{"language": "de", "duration": 1, "segments": [{"start": 0, "end": 1, '
            '"text": "Grüße"}]}'.encode("latin-1"),
            "",
        ),
        "UTF-8",
    ),
    "transcript-segments-text": (
        TRANSCRIPT,
        _transcript(doc="Segments that are a string.", segments="abc"),
        "segments is not of type array",
    ),
    "transcript-text-number": (
        TRANSCRIPT,
        _transcript(_segment(text=42), doc="A segment whose text is a number."),
        "segments[0].text",
    ),
    "transcript-missing-language": (
        TRANSCRIPT,
        _member_text(TRANSCRIPT, b'{"duration": 1, "segments": []}', ""),
        "'language'",
    ),
    "transcript-deep-words": (
        TRANSCRIPT,
        _raw(
            TRANSCRIPT,
            '{"language": "en", "duration": 1, "segments": [{"start": 0, "end": 1, "text": "x", '
            '"words": ' + "[" * 50_000 + "]" * 50_000 + "}]}",
            "",
        ),
        "nested",
    ),
    "transcript-nan": (
        TRANSCRIPT,
        _raw(
            TRANSCRIPT,
            '{"language": "en", "duration": 1, "segments": [{"start": NaN, "end": 1, "text": "x"}]}',
            "",
        ),
        "NaN",
    ),
    "transcript-1e300": (
        TRANSCRIPT,
        _transcript(_segment(start=1e300, end=1e300), doc="Times of 1e300 seconds."),
        "segments[0]",
    ),
    "transcript-negative": (
        TRANSCRIPT,
        _transcript(_segment(start=-1.0), doc="A negative start."),
        "less than 0",
    ),
    "transcript-past-end": (
        TRANSCRIPT,
        _transcript(_segment(start=100.0, end=200.0), doc="A segment past the lesson's end."),
        "after the lesson ends",
    ),
    "transcript-word-past-end": (
        TRANSCRIPT,
        _transcript(
            _segment(words=[{"start": 1.0, "end": 900.0, "text": " x", "probability": 0.9}]),
            doc="A word past the lesson's end.",
        ),
        "segments[0].words[0]",
    ),
    "transcript-too-many-segments": (
        TRANSCRIPT,
        _transcript(*[_segment()] * 20_000, doc="20,000 segments in one minute."),
        "20,000 segments",
    ),
    "transcript-too-much-text": (
        TRANSCRIPT,
        _transcript(*[_segment(text="x" * 4000)] * 100, doc="400,000 characters in a minute."),
        "characters",
    ),
    "transcript-long-segment": (
        TRANSCRIPT,
        _transcript(_segment(text="x" * 6000), doc="One segment of 6,000 characters."),
        "segments[0].text is longer",
    ),
    "transcript-probability": (
        TRANSCRIPT,
        _transcript(
            _segment(words=[{"start": 1.0, "end": 1.5, "text": " x", "probability": 5}]),
            doc="A word probability of 5.",
        ),
        "probability",
    ),
    "slides-not-json": (SLIDES, _raw(SLIDES, '{"slides": [', "Cut short."), "not JSON"),
    "slides-title-number": (
        SLIDES,
        _slides(_slide(title=7), doc="A slide title that is a number."),
        "slides[0].title",
    ),
    "slides-line-html-object": (
        SLIDES,
        _slides(_slide(lines=[{"text": {"html": "<b>x</b>"}}]), doc="A line that is an object."),
        "slides[0].lines[0].text",
    ),
    "slides-unknown-field": (
        SLIDES,
        _slides(_slide(onclick="alert(1)"), doc="A field no format has."),
        "unknown field 'onclick'",
    ),
    "slides-past-end": (
        SLIDES,
        _slides(_slide(start=10.0, end=900.0), doc="A slide past the lesson's end."),
        "after the lesson ends",
    ),
    "slides-line-before-slide": (
        SLIDES,
        _slides(
            _slide(start=20.0, lines=[{"text": "x", "start": 5.0}]),
            doc="A line shown before its slide.",
        ),
        "before its slide",
    ),
    "slides-too-many": (
        SLIDES,
        _slides(*[_slide(start=0.0, end=0.0)] * 5000, doc="5,000 slides in one minute."),
        "5,000 slides",
    ),
    "slides-too-much-text": (
        SLIDES,
        _slides(
            *[_slide(lines=[{"text": "x" * 1000}] * 20)] * 10, doc="200,000 characters in a minute."
        ),
        "characters",
    ),
    "slides-long-line": (
        SLIDES,
        _slides(_slide(lines=[{"text": "x" * 3000}]), doc="One line of 3,000 characters."),
        "slides[0].lines[0].text is longer",
    ),
    "transcript-format-2": (
        TRANSCRIPT,
        _transcript(_segment(), doc="A transcript format from the future.", format=2),
        "format",
    ),
}


@dataclass(frozen=True)
class BadCase:
    """One broken package and how Lectern must refuse it.

    Attributes:
        name: short id, used as the pytest id.
        build: ``build(good, out) -> out``.
        error: the exception class verify/extract must raise.
        member: the member the error names (``error.member``, quoted in the message),
            or ``None`` for problems with the whole file.
        needle: other text the message must contain, such as a manifest field.
        content: ``True`` if only reading member data reveals it (so
            :func:`read_manifest` accepts the package).
    """

    name: str
    build: Callable[[Path, Path], Path]
    error: type[Exception]
    member: str | None = None
    needle: str | None = None
    content: bool = False


CASES: list[BadCase] = [
    BadCase("tampered-member", tampered_member, pkg.ChecksumError, VIDEO, content=True),
    BadCase("flipped-byte", flipped_byte_on_disk, pkg.ChecksumError, VIDEO, content=True),
    BadCase("truncated-member", truncated_member, pkg.SizeMismatchError, VIDEO),
    BadCase("truncated-archive", truncated_archive, pkg.NotAPackageError),
    BadCase("extra-member", extra_member, pkg.UnexpectedMemberError, "lessons/intro/extra.bin"),
    BadCase("missing-member", missing_member, pkg.MissingMemberError, TRANSCRIPT),
    BadCase("parent-traversal", parent_traversal, pkg.UnsafePathError, "../evil.txt"),
    BadCase("nested-traversal", nested_traversal, pkg.UnsafePathError, "lessons/../../evil.txt"),
    BadCase("absolute-path", absolute_path, pkg.UnsafePathError, "/tmp/evil.txt"),
    BadCase("drive-letter", drive_letter, pkg.UnsafePathError, "C:\\evil.txt"),
    BadCase("drive-letter-slash", drive_letter_slash, pkg.UnsafePathError, "C:/evil.txt"),
    BadCase("backslash", backslash_traversal, pkg.UnsafePathError, "a\\..\\..\\evil.txt"),
    BadCase("control-char", control_character, pkg.UnsafePathError, "lessons/intro/evil\n.txt"),
    BadCase("windows-device", windows_device, pkg.UnsafePathError, "lessons/intro/con.txt"),
    BadCase("trailing-dot", trailing_dot, pkg.UnsafePathError, "lessons/intro/evil."),
    BadCase("directory-entry", directory_entry, pkg.UnsafePathError, "lessons/"),
    BadCase("symlink", symlink_member, pkg.SymlinkError, VIDEO),
    BadCase("duplicate", duplicate_member, pkg.DuplicateMemberError, VIDEO),
    BadCase("case-duplicate", case_duplicate, pkg.DuplicateMemberError, "lessons/intro/VIDEO.mp4"),
    BadCase("path-conflict", path_conflict, pkg.PathConflictError, "lessons/intro/thumbs"),
    BadCase("missing-manifest", missing_manifest, pkg.MissingManifestError, None, MANIFEST),
    BadCase("manifest-too-large", manifest_too_large, pkg.ManifestTooLargeError, MANIFEST),
    BadCase("invalid-json", invalid_json, pkg.InvalidManifestError, MANIFEST, "not JSON"),
    BadCase("duplicate-json-key", duplicate_json_key, pkg.InvalidManifestError, MANIFEST, "twice"),
    BadCase("missing-title", missing_title, pkg.InvalidManifestError, MANIFEST, "lessons[0].title"),
    BadCase(
        "bad-duration",
        bad_duration_type,
        pkg.InvalidManifestError,
        MANIFEST,
        "lessons[0].duration_ms",
    ),
    BadCase("not-lectern", not_lectern, pkg.InvalidManifestError, MANIFEST, "format"),
    BadCase(
        "unlisted-ref",
        unlisted_reference,
        pkg.InvalidManifestError,
        MANIFEST,
        "lessons[0].poster",
    ),
    BadCase("newer-major", newer_major, pkg.NewerPackageError, None, "format 2.0"),
    BadCase("table-size-lie", table_size_lie, pkg.SizeMismatchError, VIDEO),
    BadCase("zip-bomb-streamed", zip_bomb_streamed, pkg.ZipBombError, TRANSCRIPT),
    BadCase("zip-bomb-declared", zip_bomb_declared, pkg.ZipBombError, TRANSCRIPT),
    BadCase("overlapping", overlapping_members, pkg.ZipBombError, VIDEO, "overlaps"),
    BadCase("not-a-zip", not_a_zip, pkg.NotAPackageError, None, "not a zip"),
    BadCase("empty-file", empty_file, pkg.NotAPackageError, None, "empty"),
    BadCase("prepended-data", prepended_data, pkg.NotAPackageError, None, "before the archive"),
    BadCase("encrypted", encrypted_member, pkg.EncryptedMemberError, VIDEO),
    BadCase("bzip2", unsupported_compression, pkg.UnsupportedCompressionError, TRANSCRIPT),
    BadCase("header-name", header_name_mismatch, pkg.DamagedMemberError, VIDEO, content=True),
    BadCase("appended-junk", appended_junk, pkg.NotAPackageError, None, "after the archive"),
    BadCase("zip-comment", zip_comment, pkg.NotAPackageError, None, "after the archive"),
    BadCase(
        "manifest-surrogate",
        manifest_lone_surrogate,
        pkg.InvalidManifestError,
        MANIFEST,
        "not valid Unicode",
    ),
    *(
        BadCase(name, build, pkg.InvalidContentError, member, needle, content=True)
        for name, (member, build, needle) in CONTENT_BUILDERS.items()
    ),
]
