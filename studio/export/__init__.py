"""Export a course for the web and for learning platforms (``lectern-studio export``).

One self-contained web player (``resources/webplayer/``, see :mod:`studio.export.web`)
plays the course in four wrappings:

``html5``
    the player and the media, as a zip or a plain folder: opens from ``file://``
    (a USB stick) or any web folder; progress stays in the browser.
``scorm12`` / ``scorm2004``
    a SCORM 1.2 or 2004 4th edition package, one SCO per lesson
    (:mod:`studio.export.lms` says why); completion, resume and scores go to the LMS.
``cmi5``
    a cmi5 package (``cmi5.xml``), one AU per lesson, talking xAPI to the LRS.

The input is a Studio course folder or a ``.lectern`` package; either way only ready
lessons go out, and a course with none is refused in one sentence.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from shared.errors import UsageError
from shared.files import atomic_dir, atomic_path, check_output, check_output_dir, link_or_copy
from shared.jobs import ProgressState, check_cancelled, stages
from studio.export.lms import CMI5, SCORM12, SCORM2004, cmi5_structure, scorm_manifest
from studio.export.sources import (
    ExportCourse,
    NoReadyLessonError,
    NotACourseError,
    open_course,
)
from studio.export.web import MediaFile, course_script, lesson_media, player_files

__all__ = [
    "FORMATS",
    "HTML5",
    "SCORM12",
    "SCORM2004",
    "CMI5",
    "ExportResult",
    "ExportFormatError",
    "NoReadyLessonError",
    "NotACourseError",
    "export_course",
]

HTML5 = "html5"
FORMATS = (HTML5, SCORM12, SCORM2004, CMI5)
_ZIP64_FROM = 1 << 30
# A fixed date for every member: the same course gives the same bytes.
_STAMP = (2024, 1, 1, 0, 0, 0)


class ExportFormatError(UsageError):
    """The export cannot be written as asked."""


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote.

    Attributes:
        output: the zip file or folder.
        format: one of :data:`FORMATS`.
        title: the course title.
        lessons: the ids of the lessons exported, in order.
        bytes: the size of the media copied.
    """

    output: Path
    format: str
    title: str
    lessons: tuple[str, ...]
    bytes: int


def _members(course: ExportCourse, fmt: str) -> tuple[dict[str, bytes], list[MediaFile]]:
    texts = player_files(fmt)
    texts["course.js"] = course_script(course, fmt, course.lessons)
    media = [item for lesson in course.lessons for item in lesson_media(lesson)]
    names = sorted(texts) + [item.member for item in media]
    if fmt in (SCORM12, SCORM2004):
        texts["imsmanifest.xml"] = scorm_manifest(fmt, course, names)
    elif fmt == CMI5:
        texts["cmi5.xml"] = cmi5_structure(course)
    return texts, media


def _zip_info(name: str, size: int, stored: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_STAMP)
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.file_size = size
    return info


def _add_stored(archive: zipfile.ZipFile, info: zipfile.ZipInfo, fill) -> None:
    """Append a stored member whose ``info.file_size`` bytes ``fill(file)`` writes.

    ``fill`` writes straight into the archive's file (a kernel copy, see
    ``shared.files.copy_range``) and returns the bytes' CRC-32, which goes into the
    local header afterwards, as zipfile itself does for a member written through
    ``ZipFile.open``; zipfile then writes the central directory from ``info``.
    """
    fp = archive.fp
    zip64 = info.file_size >= _ZIP64_FROM
    fp.seek(archive.start_dir)
    info.header_offset = fp.tell()
    info.compress_size = info.file_size
    info.CRC = 0
    fp.write(info.FileHeader(zip64))
    info.CRC = fill(fp)
    end = fp.tell()
    fp.seek(info.header_offset)
    fp.write(info.FileHeader(zip64))
    fp.seek(end)
    archive.start_dir = end
    archive.filelist.append(info)
    archive.NameToInfo[info.filename] = info
    archive._didModify = True


def _write_zip(
    target: Path, texts: dict[str, bytes], media: list[MediaFile], state: ProgressState
) -> None:
    parts = stages(state, [max(item.source.size, 1) for item in media])
    with zipfile.ZipFile(target, "w") as archive:
        # The descriptor first: some platforms look for it at the start of the zip.
        for name in sorted(texts, key=lambda n: (not n.endswith(".xml"), n)):
            archive.writestr(_zip_info(name, len(texts[name]), stored=False), texts[name])
        for part, item in zip(parts, media, strict=True):
            info = _zip_info(item.member, item.source.size, stored=True)  # media is compressed
            _add_stored(
                archive, info, lambda fp, item=item, part=part: item.source.copy_to(fp, part)
            )


def _write_folder(
    target: Path, texts: dict[str, bytes], media: list[MediaFile], state: ProgressState
) -> None:
    for name, data in texts.items():
        (target / name).write_bytes(data)
    parts = stages(state, [max(item.source.size, 1) for item in media])
    for part, item in zip(parts, media, strict=True):
        path = target.joinpath(*item.member.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        if item.source.member is None:  # a file on disk: a hard link where possible
            link_or_copy(item.source.path, path)
            check_cancelled(part, "The export")
        else:
            with open(path, "xb") as out:
                item.source.copy_to(out, part)


def _is_export(folder: Path) -> bool:
    return (folder / "course.js").is_file() and (folder / "player.js").is_file()


def export_course(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    fmt: str,
    *,
    state: ProgressState,
    force: bool = False,
) -> ExportResult:
    """Export a course folder or package as ``fmt`` into ``output`` (a long job).

    ``output`` is a zip file; for :data:`HTML5` a name without ``.zip`` is a plain
    folder instead. It is written atomically and replaces an existing one only with
    ``force`` (a folder only if it is an earlier export).

    Raises:
        ExportFormatError: an unknown format, or a folder asked for a platform package.
        NotACourseError: ``source`` is neither a course folder nor a package.
        NoReadyLessonError: the course has no ready lesson.
        PackageError: the package is damaged or unsafe.
        Cancelled: ``state`` asked to stop.
    """
    if fmt not in FORMATS:
        raise ExportFormatError(f"There is no export format '{fmt}'; use {', '.join(FORMATS)}.")
    output = Path(output)
    as_folder = output.suffix.lower() != ".zip"
    if as_folder and fmt != HTML5:
        raise ExportFormatError(
            f"A {fmt} package is a zip file; name the output {output.name}.zip."
        )
    if as_folder:
        target = check_output_dir(output, force=force, ours=_is_export, what="Lectern web export")
    else:
        target = check_output(output, force=force)
    read, write = stages(state, [1.0, 4.0])
    course = open_course(Path(source), read)
    texts, media = _members(course, fmt)
    write.set_status(f"Writing {output.name}")
    if as_folder:
        with atomic_dir(target) as tmp:
            _write_folder(tmp, texts, media, write)
    else:
        with atomic_path(target, replace=force) as tmp:
            _write_zip(tmp, texts, media, write)
    return ExportResult(
        output=output,
        format=fmt,
        title=course.info.title,
        lessons=tuple(lesson.id for lesson in course.lessons),
        bytes=sum(item.source.size for item in media),
    )
