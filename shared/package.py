"""The ``.lectern`` course package: write, read, verify and extract.

A package is a zip. Its first member is ``manifest.json`` (see :mod:`shared.manifest`);
every other member is listed in the manifest's file table with its size and SHA-256::

    manifest.json
    cover.jpg
    lessons/<lesson-id>/video.mp4
    lessons/<lesson-id>/presenter.mp4
    lessons/<lesson-id>/captions.<language>.vtt
    lessons/<lesson-id>/transcript.json
    lessons/<lesson-id>/chapters.json
    lessons/<lesson-id>/chapters.vtt
    lessons/<lesson-id>/slides.json        the text on each slide (format 1.2)
    lessons/<lesson-id>/checkpoints.json
    lessons/<lesson-id>/poster.jpg
    lessons/<lesson-id>/thumbs/chapter-001.jpg
    manifest.sig            the optional signature of manifest.json (last member)

Writing is deterministic (same inputs, same bytes) and atomic. Media is stored as is
(it is compressed already), text is deflated, and every file is read exactly once:
it is hashed while it is copied. So that the manifest can still be the first member,
it is written stored with placeholder hashes and patched in place at the end; a
SHA-256 in hex always has 64 characters, so the patched manifest has the same length.

A package from elsewhere is untrusted. Reading checks the whole archive listing
before any member data is read (names, links, duplicates, encryption, compression
method, sizes and zip-bomb ratios), then the manifest (size, JSON, version, schema),
then that the archive holds exactly the files of the file table (and at most the
signature besides), then the signature if there is one. Verifying and extracting
then stream every member through SHA-256.

Signing (:mod:`shared.signing`): ``write_package`` given a key adds ``manifest.sig``
last, an Ed25519 signature of the manifest's final bytes. Since the manifest holds
every other member's SHA-256, the signature covers the whole package. A signature
that does not match its manifest is refused like a tampered member
(:class:`SignatureError`); a package without one is simply unsigned. Each refusal is its own
subclass of :class:`PackageError` whose message names the package and the member.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import math
import os
import re
import shutil
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from shared.contents import ContentError, check_member, content_members, max_member_bytes
from shared.errors import DiskFullError, LecternError
from shared.files import Crc32, atomic_dir, atomic_path, copy_range
from shared.jobs import ProgressState, check_cancelled
from shared.manifest import (
    FORMAT_VERSION,
    MANIFEST_NAME,
    SIGNATURE_NAME,
    CaptionTrack,
    CourseInfo,
    FileEntry,
    LessonEntry,
    Manifest,
    ManifestError,
    NewerFormatError,
    validate_manifest_dict,
)
from shared.signing import (
    MAX_SIGNATURE_BYTES,
    Signature,
    SignatureFormatError,
    SigningKey,
    describe_signer,
)
from shared.timecode import clock_ms, utc_now

__all__ = [
    "CHUNK_SIZE",
    "SUFFIX",
    "Limits",
    "DEFAULT_LIMITS",
    "LessonSource",
    "write_package",
    "read_manifest",
    "read_signature",
    "read_signed_manifest",
    "verify_package",
    "extract_package",
    "read_member",
    "read_member_text",
    "stream_member",
    "copy_member",
    "package_summary",
    "PackageError",
    "PackageInputError",
    "DestinationExistsError",
    "PackageNotFoundError",
    "PackageUnreadableError",
    "NotAPackageError",
    "MissingManifestError",
    "ManifestTooLargeError",
    "InvalidManifestError",
    "NewerPackageError",
    "UnsafePathError",
    "SymlinkError",
    "DuplicateMemberError",
    "PathConflictError",
    "EncryptedMemberError",
    "UnsupportedCompressionError",
    "ZipBombError",
    "UnexpectedMemberError",
    "MissingMemberError",
    "SizeMismatchError",
    "ChecksumError",
    "DamagedMemberError",
    "MemberTooLargeError",
    "InvalidContentError",
    "VersionConflictError",
    "check_same_content",
    "SignatureError",
]

log = logging.getLogger(__name__)

SUFFIX = ".lectern"
MiB = 1 << 20
GiB = 1 << 30
# Big reads keep Python's per-call overhead negligible; hashlib and zlib release the
# GIL on buffers this size, so a GUI thread stays responsive while we hash.
CHUNK_SIZE = 1 * MiB
# Members at least this large get ZIP64 extra fields. Decided from the size alone,
# so it is deterministic; well below the 2 GiB at which zipfile would insist.
_ZIP64_FROM = 1 * GiB
_TEXT_SUFFIXES = frozenset({".json", ".vtt", ".srt", ".txt", ".md", ".csv", ".html", ".xml"})
_FILE_ATTR = (stat.S_IFREG | 0o644) << 16
_UNIX = 3
_PLACEHOLDER_SHA = "0" * 64
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature ... name length, extra length
_LOCAL_MAGIC = b"PK\x03\x04"
_END_MAGIC = b"PK\x05\x06"
_END_RECORD_SIZE = 22
_END_SEARCH = (1 << 16) + _END_RECORD_SIZE  # the longest comment plus the record
_SUFFIX_RE = re.compile(r"^\.[a-z0-9]{1,10}$")
_WINDOWS_DEVICE = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9]|conin\$|conout\$)(\..*)?$", re.I)
_FLAG_ENCRYPTED = 0x1
_FLAG_STRONG_ENCRYPTION = 0x40
_MSDOS_DIRECTORY = 0x10
_Stamp = tuple[int, int, int, int, int, int]  # a zip member's date and time


@dataclass(frozen=True)
class Limits:
    """What a package may claim before it is refused as a zip bomb or a trick.

    Attributes:
        max_manifest_bytes: the largest ``manifest.json``.
        max_members: the most members in one archive.
        max_member_bytes: the largest uncompressed member.
        max_total_bytes: the largest uncompressed total.
        max_ratio: the highest uncompressed/compressed ratio of a member larger
            than ``ratio_from_bytes``. Real text compresses 3-10:1, media 1:1.
        ratio_from_bytes: members up to this size may compress as well as they like.
    """

    max_manifest_bytes: int = 4 * MiB
    max_members: int = 100_000
    max_member_bytes: int = 64 * GiB
    max_total_bytes: int = 256 * GiB
    max_ratio: int = 100
    ratio_from_bytes: int = 4 * MiB


DEFAULT_LIMITS = Limits()


# ----------------------------------------------------------------------------- errors

_DAMAGED = "the file is damaged or was changed, so copy or download it again"
_TAMPERED = "it may have been tampered with, so do not open it and ask its author for a new copy"


class PackageError(LecternError):
    """A course package that cannot be written or opened.

    Attributes:
        package: the package file, as given.
        member: the member the problem is with, if any.
        problem: what is wrong, in words.
    """

    verb = "Cannot open"
    advice = _DAMAGED

    def __init__(
        self, package: str | os.PathLike[str], problem: str, *, member: str | None = None
    ) -> None:
        self.package, self.member, self.problem = str(package), member, problem
        # LecternError directly, not super(): some subclasses also derive from ManifestError.
        LecternError.__init__(self, f"{self.verb} {self.package}: {problem}; {self.advice}.")


class PackageInputError(PackageError):
    """A file or detail given to :func:`write_package` cannot be used."""

    verb = "Cannot write"
    advice = "fix that and package the course again"


class DestinationExistsError(LecternError):
    """:func:`extract_package` was asked to extract into a folder that already exists."""

    def __init__(self, package: str | os.PathLike[str], dest: str | os.PathLike[str]) -> None:
        self.package, self.dest = str(package), str(dest)
        super().__init__(
            f"Cannot extract {package} into {dest}: that folder already exists; "
            "choose a new folder or remove the old one first."
        )


class PackageNotFoundError(PackageError):
    """The package file does not exist."""

    advice = "check the name and the folder"


class PackageUnreadableError(PackageError):
    """The package file cannot be read (permissions, a folder, an I/O error)."""

    advice = "check that it is a file you are allowed to read"


class NotAPackageError(PackageError):
    """The file is not a zip archive, so not a course package."""

    advice = "choose a Lectern course package (.lectern), and if it is one, copy it again"


class MissingManifestError(PackageError):
    """The archive has no ``manifest.json``."""

    advice = "choose a Lectern course package (.lectern), and if it is one, copy it again"


class ManifestTooLargeError(PackageError):
    """``manifest.json`` is larger than any real manifest."""

    advice = _TAMPERED


class InvalidManifestError(PackageError, ManifestError):
    """``manifest.json`` is not valid JSON or does not follow the format."""

    advice = "the package is damaged or was made by a faulty tool, so ask its author for a new copy"

    def __init__(self, package: str | os.PathLike[str], error: ManifestError) -> None:
        self.field = error.field
        self.source = str(package)
        at = f" at {error.field}" if error.field else ""
        super().__init__(
            package, f"{MANIFEST_NAME} is invalid{at}: {error.problem}", member=MANIFEST_NAME
        )


class NewerPackageError(PackageError, NewerFormatError):
    """The package was made by a newer Lectern with an incompatible format."""

    def __init__(self, package: str | os.PathLike[str], version: str) -> None:
        self.package, self.member, self.source = str(package), None, str(package)
        self.version, self.field = version, "format_version"
        self.problem = f"format {version} is newer than this Lectern"
        LecternError.__init__(
            self,
            f"{package} was made by a newer Lectern (format {version}); update Lectern to open it.",
        )


class UnsafePathError(PackageError):
    """A member name could write outside the destination or clash on some system."""

    advice = _TAMPERED


class SymlinkError(UnsafePathError):
    """A member is a symbolic link or another non-regular file."""


class DuplicateMemberError(PackageError):
    """Two members have the same name (or names that differ only in case)."""

    advice = _TAMPERED


class PathConflictError(PackageError):
    """A member name is also used as a folder by another member."""

    advice = _TAMPERED


class EncryptedMemberError(PackageError):
    """A member is encrypted; Lectern packages never are."""

    advice = (
        "Lectern never encrypts packages, so it was altered and needs a new copy from its author"
    )


class UnsupportedCompressionError(PackageError):
    """A member uses a compression method other than stored or deflated."""

    advice = "it was repacked by another tool, so ask its author for the original package"


class ZipBombError(PackageError):
    """Declared sizes, ratios or overlapping members point to a zip bomb."""

    advice = _TAMPERED


class UnexpectedMemberError(PackageError):
    """The archive holds a member the file table does not list."""

    advice = _TAMPERED


class MissingMemberError(PackageError):
    """A member of the file table is not in the archive."""


class SizeMismatchError(PackageError):
    """A member's size differs from the file table."""


class ChecksumError(PackageError):
    """A member's content differs from its SHA-256 in the file table (or its CRC)."""


class DamagedMemberError(PackageError):
    """A member's data cannot be decoded, or its headers contradict each other."""


class InvalidContentError(PackageError):
    """A transcript or chapters file is sound bytes but not content Lectern may use.

    Wrong types, times that are not finite or lie outside the lesson, nesting or counts
    beyond what a real lesson has, text that is not UTF-8 (see :mod:`shared.contents`).
    """

    advice = "the package is damaged or was made by a faulty tool, so ask its author for a new copy"


class VersionConflictError(PackageError):
    """A package has the id and version of an installed course but other content."""

    verb = "Cannot import"
    advice = "a changed course needs a higher version number, so ask its author for a new package"


def check_same_content(
    path: str | os.PathLike[str], incoming: Manifest, installed: Manifest
) -> None:
    """Refuse a package that claims an installed course's version with other content.

    Args:
        path: the package, named in the error.
        incoming: its manifest.
        installed: the manifest of the installed course with the same id and version.

    Raises:
        VersionConflictError: the two differ in any detail or any member's bytes.
    """
    if incoming.digest != installed.digest:
        course = incoming.course
        raise VersionConflictError(
            path,
            f"it is version {course.version} of the installed course {course.id!r}, "
            "but its content differs",
        )


class MemberTooLargeError(PackageError):
    """A member is too large for :func:`read_member` to load into memory."""

    advice = "extract the package instead"


class SignatureError(PackageError):
    """``manifest.sig`` is unreadable or does not match the manifest."""

    advice = _TAMPERED


# ----------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class LessonSource:
    """One lesson's files on disk, as :func:`write_package` takes them.

    The Studio makes it from a lesson workspace, in one place only:
    :meth:`shared.workspace.LessonWorkspace.source`.

    Attributes:
        id: unique slug within the course; also the lesson's folder in the package.
        title: what learners see.
        duration: length in seconds (stored as whole milliseconds).
        video: the main video.
        presenter_video: the optional camera video of the presenter.
        captions: ``(language, path)`` pairs, one per language.
        transcript: the transcript JSON.
        chapters: the chapters JSON.
        chapters_vtt: the chapters as a WebVTT chapter track.
        thumbnails: one image per chapter, in chapter order.
        poster: the image shown before the video plays.
        uid: the lesson's lasting identity (see :attr:`LessonEntry.uid`), if it has one.
        slides: the text read on each slide with its span (format 1.2).
        checkpoints: the checkpoints JSON (questions asked during the lesson), if any.
    """

    id: str
    title: str
    duration: float
    video: Path
    presenter_video: Path | None = None
    captions: tuple[tuple[str, Path], ...] = ()
    transcript: Path | None = None
    chapters: Path | None = None
    chapters_vtt: Path | None = None
    thumbnails: tuple[Path, ...] = ()
    poster: Path | None = None
    uid: str | None = None
    slides: Path | None = None
    checkpoints: Path | None = None


@dataclass(frozen=True)
class _Input:
    member: str
    source: Path
    what: str
    size: int = 0


class _Progress:
    """Byte-based progress with a cancellation check at every chunk."""

    def __init__(self, state: ProgressState | None, total: int, what: str) -> None:
        self.state, self.total, self.what = state, max(total, 1), what
        self.done = self.reported = 0
        self.step = max(self.total // 1000, 1)

    def advance(self, count: int) -> None:
        self.done += count
        check_cancelled(self.state, self.what)
        if self.state is not None and self.done - self.reported >= self.step:
            self.reported = self.done
            self.state.set_progress(self.done / self.total)

    def finish(self) -> None:
        if self.state is not None:
            self.state.set_progress(1.0)


def _suffix(path: Path) -> str:
    suffix = Path(path).suffix.lower()
    return suffix if _SUFFIX_RE.match(suffix) else ""


def _zip_time(created: str) -> _Stamp:
    """The members' timestamp: the course's creation time, within what zip can store."""
    try:
        when = datetime.strptime(created[:19], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return (1980, 1, 1, 0, 0, 0)
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    return min(max(stamp, (1980, 1, 1, 0, 0, 0)), (2107, 12, 31, 23, 59, 58))


def _zip_info(name: str, stamp: _Stamp, size: int, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = compress
    info.create_system = _UNIX  # ZipInfo defaults to the running OS; fix it for determinism
    info.external_attr = _FILE_ATTR
    info.file_size = size
    return info


class _Layout:
    """Where each input file goes in the package; collects the files to copy."""

    def __init__(self) -> None:
        self.inputs: list[_Input] = []

    def add(self, member: str, source: Path, what: str) -> str:
        self.inputs.append(_Input(member, Path(source), what))
        return member

    def optional(self, member: str, source: Path | None, what: str) -> str | None:
        return None if source is None else self.add(member + _suffix(source), source, what)

    def lesson(self, lesson: LessonSource, out: Path) -> LessonEntry:
        base, of = f"lessons/{lesson.id}/", f"of lesson {lesson.id!r}"
        if not math.isfinite(lesson.duration):
            raise PackageInputError(out, f"the duration {of} is {lesson.duration}")
        captions = tuple(
            CaptionTrack(
                language,
                self.add(
                    f"{base}captions.{language}{_suffix(path)}",
                    path,
                    f"the {language} captions {of}",
                ),
            )
            for language, path in lesson.captions
        )
        thumbnails = tuple(
            self.add(f"{base}thumbs/chapter-{n:03d}{_suffix(path)}", path, f"thumbnail {n} {of}")
            for n, path in enumerate(lesson.thumbnails, 1)
        )
        return LessonEntry(
            id=lesson.id,
            title=lesson.title,
            duration_ms=round(lesson.duration * 1000),
            video=self.add(base + "video" + _suffix(lesson.video), lesson.video, f"the video {of}"),
            presenter_video=self.optional(
                base + "presenter", lesson.presenter_video, f"the presenter video {of}"
            ),
            captions=captions,
            transcript=self.optional(
                base + "transcript", lesson.transcript, f"the transcript {of}"
            ),
            chapters=self.optional(base + "chapters", lesson.chapters, f"the chapters {of}"),
            chapters_vtt=self.optional(
                base + "chapters", lesson.chapters_vtt, f"the chapter track {of}"
            ),
            thumbnails=thumbnails,
            poster=self.optional(base + "poster", lesson.poster, f"the poster {of}"),
            uid=lesson.uid,
            slides=self.optional(base + "slides", lesson.slides, f"the slide text {of}"),
            checkpoints=self.optional(
                base + "checkpoints", lesson.checkpoints, f"the checkpoints {of}"
            ),
        )


def _sized(inputs: list[_Input], out: Path) -> list[_Input]:
    """The inputs with their sizes, sorted by member; each must be an existing file."""
    sized = []
    for item in inputs:
        try:
            info = item.source.stat()
        except OSError:
            raise PackageInputError(out, f"{item.what} ({item.source}) does not exist") from None
        if not stat.S_ISREG(info.st_mode):
            raise PackageInputError(out, f"{item.what} ({item.source}) is not a file")
        sized.append(dataclasses.replace(item, size=info.st_size))
    sized.sort(key=lambda item: item.member)
    for before, after in zip(sized, sized[1:], strict=False):
        if before.member == after.member:  # e.g. chapters and chapters_vtt both .json
            raise PackageInputError(
                out, f"{before.what} and {after.what} would both be stored as {after.member!r}"
            )
    return sized


def _plan(
    course: CourseInfo, lessons: Sequence[LessonSource], cover: Path | None, out: Path
) -> tuple[Manifest, list[_Input]]:
    """The manifest (with placeholder hashes) and the files to copy, in member order."""
    layout = _Layout()
    cover_member = layout.optional("cover", cover, "the cover image")
    course = dataclasses.replace(course, cover=cover_member, created=course.created or utc_now())
    entries = tuple(layout.lesson(lesson, out) for lesson in lessons)
    # Each path once here: two inputs for one path get their own message in _sized.
    members = sorted({item.member for item in layout.inputs})
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        course=course,
        lessons=entries,
        files=tuple(FileEntry(member, 0, _PLACEHOLDER_SHA) for member in members),
    )
    try:
        validate_manifest_dict(manifest.to_dict())
    except ManifestError as error:
        raise PackageInputError(out, f"{error.field}: {error.problem}") from None
    sized = _sized(layout.inputs, out)
    files = tuple(FileEntry(item.member, item.size, _PLACEHOLDER_SHA) for item in sized)
    return dataclasses.replace(manifest, files=files), sized


def _nearest_folder(path: Path) -> Path:
    path = path.absolute()
    while not path.is_dir() and path != path.parent:
        path = path.parent
    return path


def _check_space(target: Path, needed: int) -> None:
    try:
        free = shutil.disk_usage(_nearest_folder(target.parent)).free
    except OSError:
        return
    if needed > free:
        raise DiskFullError(target)


def _copy_in(
    zf: zipfile.ZipFile,
    item: _Input,
    stamp: _Stamp,
    progress: _Progress,
    out: Path,
) -> str:
    """Copy one input into the archive, hashing it on the way; return its SHA-256."""
    compress = (
        zipfile.ZIP_DEFLATED if _suffix(item.source) in _TEXT_SUFFIXES else zipfile.ZIP_STORED
    )
    info = _zip_info(item.member, stamp, item.size, compress)
    digest = hashlib.sha256()

    def changed() -> PackageInputError:
        return PackageInputError(out, f"{item.what} ({item.source}) changed while it was packaged")

    try:
        src = open(item.source, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as error:
        raise PackageInputError(
            out, f"{item.what} ({item.source}) cannot be read ({error.strerror})"
        ) from None
    with src, zf.open(info, "w", force_zip64=item.size >= _ZIP64_FROM) as dst:
        left = item.size
        while left:
            try:
                chunk = src.read(min(CHUNK_SIZE, left))
            except OSError as error:
                raise PackageInputError(
                    out, f"{item.what} ({item.source}) cannot be read ({error.strerror})"
                ) from None
            if not chunk:
                raise changed()
            digest.update(chunk)
            dst.write(chunk)
            left -= len(chunk)
            progress.advance(len(chunk))
        if src.read(1):
            raise changed()
    return digest.hexdigest()


def _patch_manifest(raw: Any, info: zipfile.ZipInfo, data: bytes) -> None:
    """Overwrite the stored manifest's bytes and CRC in place; ``data`` has the same length."""
    end = raw.tell()
    raw.seek(info.header_offset)
    magic, name_length, extra_length = _LOCAL_HEADER.unpack(raw.read(_LOCAL_HEADER.size))
    if (
        magic != _LOCAL_MAGIC
        or name_length != len(info.filename.encode("utf-8"))
        or len(data) != info.file_size
    ):
        raise RuntimeError("internal error: the manifest placeholder does not match")
    crc = zlib.crc32(data)
    raw.seek(info.header_offset + 14)  # CRC-32 field of the local file header
    raw.write(struct.pack("<I", crc))
    raw.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    raw.write(data)
    info.CRC = crc  # the central directory is written from this at close
    raw.seek(end)


def write_package(
    course: CourseInfo,
    lessons: Sequence[LessonSource],
    out_path: str | os.PathLike[str],
    *,
    cover: Path | None = None,
    signing_key: SigningKey | None = None,
    state: ProgressState | None = None,
    replace: bool = True,
) -> Manifest:
    """Write a course package; the same inputs always give the same bytes.

    The package appears at ``out_path`` only when it is complete; on any failure,
    cancellation or Ctrl+C an existing file there is left untouched and no temporary
    file is left behind. For byte-identical packages give ``course.created``; when it
    is empty the current time is used.

    Args:
        course: the course; ``cover`` is filled in from the ``cover`` argument.
        lessons: the lessons in order.
        out_path: the package to write, normally ending in ``.lectern``.
        cover: an optional cover image.
        signing_key: sign the manifest with this key (``manifest.sig``, the last
            member); ``None`` writes an unsigned package. Ed25519 signatures are
            deterministic, so signed packages are reproducible too.
        state: progress (by bytes copied) and cancellation.
        replace: whether an existing file at ``out_path`` may be replaced (a device
            or special file never is; a symlink is followed, see ``shared.files``).

    Returns:
        The manifest written into the package.

    Raises:
        PackageInputError: an input file is missing or unreadable, changed while being
            read, or a course or lesson detail does not follow the format.
        DiskFullError: not enough free space (checked before writing, and while writing).
        OutputNotWritableError: the output folder cannot be written.
        Cancelled: ``state`` asked to stop.
    """
    out = Path(out_path)
    manifest, inputs = _plan(course, lessons, Path(cover) if cover else None, out)
    placeholder = manifest.to_json().encode("utf-8")
    stamp = _zip_time(manifest.course.created)
    _check_space(out, manifest.total_size + len(placeholder))
    progress = _Progress(state, manifest.total_size, f"Packaging {out.name}")
    hashes: dict[str, str] = {}
    with (
        atomic_path(out, replace=replace) as tmp,
        open(tmp, "w+b") as raw,
        zipfile.ZipFile(raw, "w", allowZip64=True) as zf,
    ):
        head = _zip_info(MANIFEST_NAME, stamp, len(placeholder), zipfile.ZIP_STORED)
        with zf.open(head, "w") as dst:
            dst.write(placeholder)
        for item in inputs:
            if state is not None:
                state.set_status(f"Packaging {item.member}")
            hashes[item.member] = _copy_in(zf, item, stamp, progress, out)
        files = tuple(dataclasses.replace(e, sha256=hashes[e.path]) for e in manifest.files)
        manifest = dataclasses.replace(manifest, files=files)
        final = manifest.to_json().encode("utf-8")
        _patch_manifest(raw, head, final)
        if signing_key is not None:
            signature = signing_key.sign(final).to_bytes()
            info = _zip_info(SIGNATURE_NAME, stamp, len(signature), zipfile.ZIP_STORED)
            zf.writestr(info, signature)
    progress.finish()
    log.info("packaged %s: %d files, %d bytes", out, len(manifest.files), manifest.total_size)
    return manifest


# ----------------------------------------------------------------------------- reading


def _open_zip(package: Path) -> zipfile.ZipFile:
    try:
        info = package.stat()
    except FileNotFoundError:
        raise PackageNotFoundError(package, "there is no such file") from None
    except OSError as error:
        raise PackageUnreadableError(package, error.strerror or str(error)) from None
    if stat.S_ISDIR(info.st_mode):
        raise PackageUnreadableError(package, "it is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise NotAPackageError(package, "it is not a regular file")
    if info.st_size == 0:
        raise NotAPackageError(package, "the file is empty")
    try:
        return zipfile.ZipFile(package)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        ValueError,
        NotImplementedError,
    ) as error:
        raise NotAPackageError(package, f"it is not a zip archive ({error})") from None
    except OSError as error:
        raise PackageUnreadableError(package, error.strerror or str(error)) from None


def _unsafe_reason(name: str) -> str | None:
    """Why a member name must not be used as a path anywhere, or ``None``."""
    if not name:
        return "has an empty name"
    if len(name) > 1024:
        return "has a name over 1024 characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "has control characters in its name"
    if "\\" in name:
        return "uses a backslash, which Windows reads as a folder separator"
    if name.startswith("/"):
        return "is an absolute path"
    if ":" in name:
        return "names a drive or a stream (it contains ':')"
    parts = name.split("/")
    if "" in parts:
        return "has an empty folder name (a '//' or a trailing '/')"
    if ".." in parts:
        return "climbs out of the destination with '..'"
    if "." in parts:
        return "has a '.' folder in its path"
    for part in parts:
        if _WINDOWS_DEVICE.match(part):
            return f"uses {part!r}, a name Windows reserves for devices"
        if part.endswith((".", " ")):
            return f"has {part!r}, which ends in a dot or space that Windows drops"
    return None


def _name_bytes(info: zipfile.ZipInfo) -> int:
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    try:
        return len(info.orig_filename.encode(encoding))
    except UnicodeEncodeError:
        return len(info.orig_filename.encode("utf-8"))


def _check_member(package: Path, info: zipfile.ZipInfo, limits: Limits) -> None:
    """Everything about one member that the central directory alone tells."""
    if info.filename == MANIFEST_NAME and info.file_size > limits.max_manifest_bytes:
        raise ManifestTooLargeError(
            package,
            f"{MANIFEST_NAME} claims {info.file_size:,} bytes, more than the "
            f"{limits.max_manifest_bytes:,} a manifest may have",
            member=MANIFEST_NAME,
        )
    name = info.orig_filename
    for candidate in dict.fromkeys((info.orig_filename, info.filename)):
        reason = _unsafe_reason(candidate)
        if reason:
            raise UnsafePathError(package, f"member {candidate!r} {reason}", member=candidate)
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        raise SymlinkError(package, f"member {name!r} is a symbolic link", member=name)
    if (kind and kind != stat.S_IFREG) or info.external_attr & _MSDOS_DIRECTORY:
        raise SymlinkError(
            package, f"member {name!r} is a folder or special file, not a file", member=name
        )
    if info.flag_bits & (_FLAG_ENCRYPTED | _FLAG_STRONG_ENCRYPTION):
        raise EncryptedMemberError(package, f"member {name!r} is encrypted", member=name)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise UnsupportedCompressionError(
            package,
            f"member {name!r} uses compression method {info.compress_type}",
            member=name,
        )
    if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
        raise SizeMismatchError(
            package,
            f"member {name!r} is stored uncompressed but claims {info.file_size} bytes "
            f"in {info.compress_size}",
            member=name,
        )
    if info.file_size > limits.max_member_bytes:
        raise ZipBombError(
            package,
            f"member {name!r} claims {info.file_size:,} bytes, more than the "
            f"{limits.max_member_bytes:,} a package member may have",
            member=name,
        )
    if info.file_size > limits.ratio_from_bytes and info.file_size > limits.max_ratio * max(
        info.compress_size, 1
    ):
        raise ZipBombError(
            package,
            f"member {name!r} would expand {info.compress_size:,} bytes to "
            f"{info.file_size:,}, more than {limits.max_ratio}:1",
            member=name,
        )


def _check_listing(
    package: Path, zf: zipfile.ZipFile, limits: Limits
) -> dict[str, zipfile.ZipInfo]:
    """Vet the whole archive listing before any member data is read."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise ZipBombError(
            package, f"it has {len(infos):,} members, more than {limits.max_members:,}"
        )
    by_name: dict[str, zipfile.ZipInfo] = {}
    by_folded: dict[str, str] = {}
    total = 0
    for info in infos:
        _check_member(package, info, limits)
        name = info.filename
        if name in by_name:
            raise DuplicateMemberError(
                package, f"member {name!r} appears more than once", member=name
            )
        other = by_folded.get(name.casefold())
        if other is not None:
            raise DuplicateMemberError(
                package,
                f"members {other!r} and {name!r} differ only in case, so one would "
                "overwrite the other on Windows and macOS",
                member=name,
            )
        by_name[name], by_folded[name.casefold()] = info, name
        total += info.file_size
    if total > limits.max_total_bytes:
        raise ZipBombError(
            package,
            f"its members claim {total:,} bytes in all, more than {limits.max_total_bytes:,}",
        )
    for name in by_name:
        parts = name.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in by_name:
                raise PathConflictError(
                    package,
                    f"member {folder!r} is a file but member {name!r} uses it as a folder",
                    member=folder,
                )
    _check_layout(package, infos)
    return by_name


def _check_layout(package: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Members must lie one after another without overlapping, from the first byte on.

    Overlapping members are how the most compact zip bombs reuse one compressed
    stream many times; data before the first member is how polyglot files hide.
    """
    try:
        size = package.stat().st_size
    except OSError as error:
        raise PackageUnreadableError(package, error.strerror or str(error)) from None
    ordered = sorted(infos, key=lambda info: info.header_offset)
    if ordered and ordered[0].header_offset != 0:
        raise NotAPackageError(
            package, f"it has {ordered[0].header_offset:,} bytes of other data before the archive"
        )
    _check_end(package, size)
    for info, following in zip(ordered, [*ordered[1:], None], strict=True):
        # The local header is at least 30 bytes plus the name; its extra field may add more.
        end = info.header_offset + 30 + _name_bytes(info) + info.compress_size
        limit = following.header_offset if following is not None else size
        if end > limit:
            other = f"member {following.filename!r}" if following else "the end of the file"
            raise ZipBombError(
                package,
                f"member {info.filename!r} overlaps {other}",
                member=info.filename,
            )


def _check_end(package: Path, size: int) -> None:
    """The archive must end with its end record: no comment, nothing appended.

    zipfile finds the end record anywhere in the last 64 KiB and ignores what follows
    it, so appended data (or a comment, which Lectern never writes) would otherwise
    ride along in a package that verifies as sound.
    """
    try:
        with open(package, "rb") as handle:
            handle.seek(max(size - _END_RECORD_SIZE, 0))
            tail = handle.read(_END_RECORD_SIZE)
            if tail[:4] == _END_MAGIC and tail[20:22] == b"\0\0":
                return
            handle.seek(max(size - _END_SEARCH, 0))
            window = handle.read(_END_SEARCH)
    except OSError as error:
        raise PackageUnreadableError(package, error.strerror or str(error)) from None
    found = window.rfind(_END_MAGIC)
    after = len(window) - found - _END_RECORD_SIZE if found >= 0 else size
    raise NotAPackageError(
        package, f"it has {max(after, 1):,} bytes of other data after the archive"
    )


def _member_error(package: Path, name: str, error: BaseException) -> PackageError:
    """Translate what zipfile and zlib raise while reading a member."""
    text = str(error)
    if "CRC" in text:
        return ChecksumError(package, f"member {name!r} fails its CRC check", member=name)
    if isinstance(error, OSError) and not isinstance(error, zipfile.BadZipFile):
        return PackageUnreadableError(
            package, f"reading member {name!r} failed ({error.strerror or error})", member=name
        )
    return DamagedMemberError(
        package, f"member {name!r} cannot be read ({text or type(error).__name__})", member=name
    )


_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError)


def _stream(
    package: Path,
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    entry: FileEntry,
    progress: _Progress | None,
    sink: Callable[[bytes], Any] | None = None,
) -> None:
    """Read one member in big chunks, hash it, and check its size and SHA-256."""
    digest = hashlib.sha256()
    count = 0
    try:
        src = zf.open(info)
    except _READ_ERRORS as error:
        raise _member_error(package, entry.path, error) from None
    with src:
        while True:
            # Only reading is translated: an OSError from the sink (a full disk while
            # extracting) must stay an OSError for atomic_dir to report.
            try:
                chunk = src.read(CHUNK_SIZE)
            except _READ_ERRORS as error:
                raise _member_error(package, entry.path, error) from None
            if not chunk:
                break
            digest.update(chunk)
            count += len(chunk)
            if sink is not None:
                sink(chunk)
            if progress is not None:
                progress.advance(len(chunk))
    if count != entry.size:
        raise SizeMismatchError(
            package,
            f"member {entry.path!r} has {count:,} bytes, not the {entry.size:,} of the file table",
            member=entry.path,
        )
    if digest.hexdigest() != entry.sha256:
        raise ChecksumError(
            package,
            f"member {entry.path!r} does not match its SHA-256 in the file table",
            member=entry.path,
        )


def _stream_checked(
    package: Path,
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    entry: FileEntry,
    progress: _Progress | None,
    checked: Mapping[str, tuple[str, LessonEntry]],
    sink: Callable[[bytes], Any] | None = None,
) -> None:
    """:func:`_stream`, then check a transcript's or chapters file's content."""
    if entry.path not in checked:
        _stream(package, zf, info, entry, progress, sink)
        return
    kind, lesson = checked[entry.path]
    if entry.size > max_member_bytes(kind):
        raise InvalidContentError(
            package,
            f"member {entry.path!r} has {entry.size:,} bytes, more than any {kind} file may have",
            member=entry.path,
        )
    parts: list[bytes] = []

    def keep(chunk: bytes) -> None:
        parts.append(chunk)
        if sink is not None:
            sink(chunk)

    _stream(package, zf, info, entry, progress, keep)
    try:
        check_member(kind, entry.path, b"".join(parts), lesson)
    except ContentError as error:
        raise InvalidContentError(package, str(error), member=entry.path) from None


def _load_manifest(
    package: Path, zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], limits: Limits
) -> tuple[Manifest, bytes]:
    info = infos.get(MANIFEST_NAME)
    if info is None:
        raise MissingManifestError(package, f"there is no {MANIFEST_NAME} in it")
    try:
        with zf.open(info) as src:
            raw = src.read(limits.max_manifest_bytes + 1)
    except _READ_ERRORS as error:
        raise _member_error(package, MANIFEST_NAME, error) from None
    if len(raw) > limits.max_manifest_bytes:
        raise ManifestTooLargeError(package, f"{MANIFEST_NAME} is too large", member=MANIFEST_NAME)
    try:
        manifest = Manifest.from_json(raw)
    except NewerFormatError as error:
        raise NewerPackageError(package, error.version) from None
    except ManifestError as error:
        raise InvalidManifestError(package, error) from None
    return manifest, raw


def _check_table(package: Path, manifest: Manifest, infos: dict[str, zipfile.ZipInfo]) -> None:
    """The archive must hold exactly the files of the file table, at their sizes."""
    for name in infos:
        if name not in (MANIFEST_NAME, SIGNATURE_NAME) and manifest.file(name) is None:
            raise UnexpectedMemberError(
                package, f"member {name!r} is not in the file table", member=name
            )
    for entry in manifest.files:
        info = infos.get(entry.path)
        if info is None:
            raise MissingMemberError(
                package,
                f"member {entry.path!r} of the file table is missing from the archive",
                member=entry.path,
            )
        if info.file_size != entry.size:
            raise SizeMismatchError(
                package,
                f"member {entry.path!r} has {info.file_size:,} bytes, "
                f"not the {entry.size:,} of the file table",
                member=entry.path,
            )


def _load_signature(
    package: Path, zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], raw: bytes
) -> Signature | None:
    """The package's signature, checked against the manifest bytes; ``None`` if unsigned."""
    info = infos.get(SIGNATURE_NAME)
    if info is None:
        return None
    if info.file_size > MAX_SIGNATURE_BYTES:
        raise SignatureError(
            package,
            f"its signature claims {info.file_size:,} bytes, far more than a signature has",
            member=SIGNATURE_NAME,
        )
    try:
        with zf.open(info) as src:
            data = src.read(MAX_SIGNATURE_BYTES + 1)
    except _READ_ERRORS as error:
        raise _member_error(package, SIGNATURE_NAME, error) from None
    try:
        signature = Signature.from_bytes(data)
    except SignatureFormatError as error:
        raise SignatureError(
            package, f"its signature is unreadable ({error.problem})", member=SIGNATURE_NAME
        ) from None
    if not signature.verify(raw):
        raise SignatureError(
            package, "its signature does not match its manifest", member=SIGNATURE_NAME
        )
    return signature


@contextlib.contextmanager
def _opened(
    path: str | os.PathLike[str], limits: Limits
) -> Iterator[tuple[Path, zipfile.ZipFile, Manifest, dict[str, zipfile.ZipInfo], bytes]]:
    """Open a package and run every check that needs no member data but the manifest
    and the signature."""
    package = Path(path)
    zf = _open_zip(package)
    with zf:
        infos = _check_listing(package, zf, limits)
        manifest, raw = _load_manifest(package, zf, infos, limits)
        _check_table(package, manifest, infos)
        _load_signature(package, zf, infos, raw)
        yield package, zf, manifest, infos, raw


def read_manifest(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> Manifest:
    """Read a package's manifest cheaply, after checking the archive listing.

    Every member name, type, flag and declared size is vetted, the manifest is
    validated, and the archive must hold exactly the files of the file table. Member
    data other than the manifest is not read, so contents are not verified: use
    :func:`verify_package` for that.

    Args:
        path: the package.
        limits: sizes and ratios beyond which a package is refused.

    Returns:
        The manifest.

    Raises:
        PackageError: a subclass naming the first problem found (see the module doc).
    """
    with _opened(path, limits) as (_, _, manifest, _, _):
        return manifest


def read_signature(
    path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS
) -> Signature | None:
    """The package's signature, checked against its manifest; ``None`` if it is unsigned.

    Everything :func:`read_manifest` checks is checked first. Who signed is
    :func:`shared.signing.describe_signer` of the manifest's author and this key.

    Raises:
        SignatureError: the signature is unreadable or does not match the manifest.
        PackageError: another problem with the package.
    """
    return read_signed_manifest(path, limits=limits)[1]


def read_signed_manifest(
    path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS
) -> tuple[Manifest, Signature | None]:
    """:func:`read_manifest` and :func:`read_signature` in one opening of the package.

    Raises:
        SignatureError: the signature is unreadable or does not match the manifest.
        PackageError: another problem with the package.
    """
    with _opened(path, limits) as (package, zf, manifest, infos, raw):
        return manifest, _load_signature(package, zf, infos, raw)


def verify_package(
    path: str | os.PathLike[str],
    *,
    state: ProgressState | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Manifest:
    """Check a package completely: everything :func:`read_manifest` checks, then
    the size and SHA-256 of every member, streamed in big chunks.

    Args:
        path: the package.
        state: progress (by bytes read) and cancellation.
        limits: sizes and ratios beyond which a package is refused.

    Returns:
        The manifest of the sound package.

    Raises:
        PackageError: a subclass naming the first problem found.
        Cancelled: ``state`` asked to stop.
    """
    with _opened(path, limits) as (package, zf, manifest, infos, _):
        progress = _Progress(state, manifest.total_size, f"Verifying {package.name}")
        checked = content_members(manifest)
        for entry in manifest.files:
            if state is not None:
                state.set_status(f"Verifying {entry.path}")
            _stream_checked(package, zf, infos[entry.path], entry, progress, checked)
        progress.finish()
        log.info("verified %s: %d files", package, len(manifest.files))
        return manifest


def extract_package(
    path: str | os.PathLike[str],
    dest_dir: str | os.PathLike[str],
    *,
    replace: bool = False,
    state: ProgressState | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Manifest:
    """Verify and extract a package in one pass into a new folder.

    Members are written under their vetted file-table paths into a temporary folder
    next to ``dest_dir``, each checked against its SHA-256; the folder becomes
    ``dest_dir`` only when every member is sound. On any failure nothing is left.
    ``manifest.json`` is extracted too, so the folder describes itself, and so is
    ``manifest.sig`` when the package is signed.

    Args:
        path: the package.
        dest_dir: the folder to create.
        replace: replace an existing ``dest_dir`` (only once the new one is complete).
        state: progress (by bytes) and cancellation.
        limits: sizes and ratios beyond which a package is refused.

    Returns:
        The manifest of the extracted package.

    Raises:
        DestinationExistsError: ``dest_dir`` exists and ``replace`` is false.
        PackageError: a subclass naming the first problem found.
        DiskFullError: not enough free space.
        Cancelled: ``state`` asked to stop.
    """
    dest = Path(dest_dir)
    if not replace and (dest.exists() or dest.is_symlink()):
        raise DestinationExistsError(path, dest)
    with _opened(path, limits) as (package, zf, manifest, infos, raw):
        _check_space(dest, manifest.total_size + len(raw))
        progress = _Progress(state, manifest.total_size, f"Extracting {package.name}")
        checked = content_members(manifest)
        with atomic_dir(dest) as tmp:
            root = tmp.resolve()
            (root / MANIFEST_NAME).write_bytes(raw)
            signature = _load_signature(package, zf, infos, raw)
            if signature is not None:
                (root / SIGNATURE_NAME).write_bytes(signature.to_bytes())
            for entry in manifest.files:
                if state is not None:
                    state.set_status(f"Extracting {entry.path}")
                target = root.joinpath(*entry.path.split("/"))
                if root not in target.parents:  # cannot happen after the checks; be sure
                    raise UnsafePathError(
                        package, f"member {entry.path!r} leaves the folder", member=entry.path
                    )
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(target, "xb") as out:
                    _stream_checked(
                        package, zf, infos[entry.path], entry, progress, checked, out.write
                    )
                    # The folder is renamed into place next; make its files durable first.
                    os.fsync(out.fileno())
        progress.finish()
        return manifest


def read_member(
    path: str | os.PathLike[str],
    member: str,
    *,
    max_bytes: int = 64 * MiB,
    limits: Limits = DEFAULT_LIMITS,
) -> bytes:
    """Read one small member (a transcript, chapters, captions) into memory, verified.

    Args:
        path: the package.
        member: a path from the file table, such as ``lesson.transcript``.
        max_bytes: refuse members larger than this.
        limits: sizes and ratios beyond which a package is refused.

    Returns:
        The member's bytes, checked against its SHA-256.

    Raises:
        MissingMemberError: ``member`` is not in the file table.
        MemberTooLargeError: the member is larger than ``max_bytes``.
        PackageError: another problem with the package.
    """
    with _opened(path, limits) as (package, zf, manifest, infos, _):
        entry = manifest.file(member)
        if entry is None:
            raise MissingMemberError(
                package, f"member {member!r} is not in the file table", member=member
            )
        if entry.size > max_bytes:
            raise MemberTooLargeError(
                package,
                f"member {member!r} has {entry.size:,} bytes, more than the {max_bytes:,} "
                "that can be read into memory",
                member=member,
            )
        parts: list[bytes] = []
        _stream(package, zf, infos[member], entry, None, parts.append)
        return b"".join(parts)


def stream_member(
    path: str | os.PathLike[str],
    member: str,
    sink: Callable[[bytes], Any],
    *,
    state: ProgressState | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> FileEntry:
    """Stream one member of any size through ``sink`` in big chunks, checked as it goes.

    Everything :func:`read_manifest` checks comes first; then the member's size and
    SHA-256 (and, for a transcript or chapters file, its content) are checked while it
    streams. A mismatch is only known at the end, after ``sink`` has seen the bytes, so
    write them somewhere that is thrown away on error (``shared.files.atomic_path``).

    Args:
        path: the package.
        member: a path from the file table, such as ``lesson.video``.
        sink: called with each chunk.
        state: progress (by bytes) and cancellation.
        limits: sizes and ratios beyond which a package is refused.

    Returns:
        The member's file-table entry.

    Raises:
        MissingMemberError: ``member`` is not in the file table.
        PackageError: another problem with the package or the member.
        Cancelled: ``state`` asked to stop.
    """
    with _opened(path, limits) as (package, zf, manifest, infos, _):
        entry = manifest.file(member)
        if entry is None:
            raise MissingMemberError(
                package, f"member {member!r} is not in the file table", member=member
            )
        progress = _Progress(state, entry.size, f"Reading {member}")
        _stream_checked(
            package, zf, infos[member], entry, progress, content_members(manifest), sink
        )
        progress.finish()
        return entry


def _stored_data_offset(package: Path, stream: Any, info: zipfile.ZipInfo) -> int:
    """Where a stored member's bytes begin, after checking its local header.

    The same checks as zipfile's own ``open`` (signature, the name matching the
    central directory's), so a package whose local and central names differ is
    refused here as it is everywhere else.
    """
    stream.seek(info.header_offset)
    header = stream.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != _LOCAL_MAGIC:
        raise DamagedMemberError(
            package, f"member {info.filename!r} has no valid local header", member=info.filename
        )
    _magic, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    name = stream.read(name_length)
    expected = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
    if name != expected:
        raise DamagedMemberError(
            package,
            f"member {info.filename!r} has another name in its local header",
            member=info.filename,
        )
    return info.header_offset + _LOCAL_HEADER.size + name_length + extra_length


def copy_member(
    path: str | os.PathLike[str],
    member: str,
    target: Any,
    *,
    state: ProgressState | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> int:
    """Copy one member (a video) into the open file ``target`` in one verifying pass.

    Everything :func:`read_manifest` checks comes first. A stored member's bytes are
    then copied by the kernel straight from the package (``shared.files.copy_range``)
    while its SHA-256 and CRC-32 are computed on two threads from the same memory;
    a compressed member streams through :func:`stream_member`. A mismatch is raised
    after the bytes were written, so write into something thrown away on error
    (``shared.files.atomic_path``).

    Args:
        path: the package.
        member: a path from the file table, such as ``lesson.video``.
        target: a binary file open for writing, at the position to write to.
        state: progress (by bytes) and cancellation.
        limits: sizes and ratios beyond which a package is refused.

    Returns:
        The CRC-32 of the bytes copied (what a zip writer puts in its headers).

    Raises:
        MissingMemberError: ``member`` is not in the file table.
        PackageError: another problem with the package or the member.
        Cancelled: ``state`` asked to stop.
    """
    with _opened(path, limits) as (package, _zf, manifest, infos, _):
        entry = manifest.file(member)
        if entry is None:
            raise MissingMemberError(
                package, f"member {member!r} is not in the file table", member=member
            )
        info = infos[member]
        crc = Crc32()
        if info.compress_type != zipfile.ZIP_STORED or member in content_members(manifest):

            def sink(chunk: bytes) -> None:
                crc.update(chunk)
                target.write(chunk)

            stream_member(package, member, sink, state=state, limits=limits)
            return crc.value
        progress = _Progress(state, entry.size, f"Reading {member}")
        digest = hashlib.sha256()
        with contextlib.ExitStack() as stack:
            try:
                stream = stack.enter_context(open(package, "rb"))
                offset = _stored_data_offset(package, stream, info)
                whole = os.fstat(stream.fileno()).st_size
            except OSError as error:
                raise _member_error(package, member, error) from None
            if offset + entry.size > whole:
                raise SizeMismatchError(package, f"member {member!r} is cut short", member=member)

            def advance(done: int) -> None:
                progress.advance(done - progress.done)

            copy_range(stream, offset, entry.size, target, [digest, crc], advance)
        if digest.hexdigest() != entry.sha256:
            raise ChecksumError(
                package,
                f"member {member!r} does not match its SHA-256 in the file table",
                member=member,
            )
        if crc.value != info.CRC:
            raise ChecksumError(package, f"member {member!r} fails its CRC check", member=member)
        progress.finish()
        return crc.value


def read_member_text(
    path: str | os.PathLike[str], member: str, *, max_bytes: int = 64 * MiB
) -> str:
    """Read one small text member as UTF-8, verified (see :func:`read_member`)."""
    data = read_member(path, member, max_bytes=max_bytes)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DamagedMemberError(
            path, f"member {member!r} is not UTF-8 text", member=member
        ) from None


def package_summary(manifest: Manifest, signature: Signature | None = None) -> dict[str, Any]:
    """A JSON-ready overview of a package for the command lines and the library.

    Args:
        manifest: the package's manifest.
        signature: its signature (:func:`read_signature`), ``None`` when unsigned.

    Returns:
        ``title``, ``course_id``, ``version``, ``author``, ``language``, ``created``,
        ``format_version``, ``signed`` (a bool), ``signed_by`` (``"signed by"`` author
        and key fingerprint, or ``"unsigned"``), ``key_fingerprint`` (or ``None``), ``lessons`` (each with
        ``id``, ``uid`` (or ``None``), ``title``, ``duration_ms``, ``duration`` as
        ``h:mm:ss``, caption ``languages`` and ``has_presenter_video``,
        ``has_transcript``, ``has_chapters``), ``lesson_count``, ``total_duration_ms``,
        ``total_duration``, ``file_count`` and ``total_bytes``.
    """
    course = manifest.course
    public_key = signature.public_key if signature is not None else None
    return {
        "title": course.title,
        "course_id": course.id,
        "version": course.version,
        "author": course.author,
        "language": course.language,
        "created": course.created,
        "format_version": manifest.format_version,
        "signed": signature is not None,
        "signed_by": describe_signer(course.author, public_key),
        "key_fingerprint": signature.fingerprint if signature is not None else None,
        "lessons": [
            {
                "id": lesson.id,
                "uid": lesson.uid,
                "title": lesson.title,
                "duration_ms": lesson.duration_ms,
                "duration": clock_ms(lesson.duration_ms, hours=True),
                "languages": [track.language for track in lesson.captions],
                "has_presenter_video": lesson.presenter_video is not None,
                "has_transcript": lesson.transcript is not None,
                "has_chapters": lesson.chapters is not None,
            }
            for lesson in manifest.lessons
        ],
        "lesson_count": len(manifest.lessons),
        "total_duration_ms": manifest.total_duration_ms,
        "total_duration": clock_ms(manifest.total_duration_ms, hours=True),
        "file_count": len(manifest.files),
        "total_bytes": manifest.total_size,
    }
