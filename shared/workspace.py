"""The lesson workspace: the studio's editable folder for one lesson.

A workspace is a folder with ``lesson.json`` plus the lesson's media and derived
files (normalized video, transcript, captions, chapters, thumbnails). The build
pipeline creates it; recording and editing write into it; packaging reads it.
Every path inside ``lesson.json`` is relative to the folder, so a workspace can be
moved or copied as a whole.

:class:`LessonWorkspace` is the one owner of such a folder: it knows the file
names, reads ``lesson.json`` (and the transcript and chapters) once and keeps them,
writes the derived files with :meth:`LessonWorkspace.write_derived`, and turns the
lesson into what the package writer takes (:meth:`LessonWorkspace.source`). The
pipeline, the editor, the packager and the Studio window pass it around instead of
a folder each re-reads. The lesson has one shape here, :class:`Lesson`; the package
writer's :class:`~shared.package.LessonSource` is made from it only in
:meth:`LessonWorkspace.source`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared import captions
from shared.chapters import (
    SLIDES_NAME,
    Chapter,
    Slide,
    chapter_cues,
    load_chapters,
    load_slides,
    save_chapters,
    save_slides,
)
from shared.chapters.thumbnails import make_thumbnails
from shared.checkpoints import Checkpoint, save_checkpoints
from shared.contents import ContentError, read_checkpoints
from shared.errors import LecternError
from shared.files import link_or_copy, write_json_atomic
from shared.jobs import ProgressState
from shared.manifest import is_lesson_uid, new_lesson_uid
from shared.package import LessonSource
from shared.timecode import utc_now
from shared.transcription import Transcript

__all__ = [
    "LESSON_FILE",
    "WORKSPACE_VERSION",
    "VIDEO_NAME",
    "PRESENTER_NAME",
    "TRANSCRIPT_NAME",
    "TRANSCRIPT_TEXT_NAME",
    "CHAPTERS_NAME",
    "CHAPTERS_VTT_NAME",
    "SLIDES_NAME",
    "CHECKPOINTS_NAME",
    "THUMBS_DIR",
    "captions_name",
    "thumbnail_name",
    "Lesson",
    "LessonWorkspace",
    "DerivedFiles",
    "WorkspaceError",
    "NotAWorkspaceError",
    "is_lesson_folder",
    "load_lesson",
    "save_lesson",
    "lesson_source",
    "slugify",
]

LESSON_FILE = "lesson.json"
WORKSPACE_VERSION = 1
VIDEO_NAME = "video.mp4"
PRESENTER_NAME = "presenter.mp4"
TRANSCRIPT_NAME = "transcript.json"
TRANSCRIPT_TEXT_NAME = "transcript.txt"
CHAPTERS_NAME = "chapters.json"
CHAPTERS_VTT_NAME = "chapters.vtt"
CHECKPOINTS_NAME = "checkpoints.json"
THUMBS_DIR = "thumbs"


def captions_name(language: str) -> str:
    """The caption file of ``language`` in a workspace (``captions.en.vtt``)."""
    return f"captions.{language}.vtt"


def thumbnail_name(number: int) -> str:
    """The picture of chapter ``number`` (counted from 1) in a workspace."""
    return f"{THUMBS_DIR}/chapter-{number:03d}.jpg"


class WorkspaceError(LecternError):
    """A lesson workspace cannot be used."""


class NotAWorkspaceError(WorkspaceError):
    """The folder is not a lesson workspace."""

    def __init__(self, folder: Path) -> None:
        super().__init__(
            f"{folder} is not a Lectern lesson folder (no {LESSON_FILE}); "
            "create one with `lectern-studio build VIDEO -o FOLDER`."
        )


def slugify(text: str, *, fallback: str = "lesson") -> str:
    """A short lowercase ASCII id made from ``text`` (``"Intro: Part 1"`` -> ``"intro-part-1"``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:48].strip("-")
    if slug in _RESERVED_NAMES:  # Windows device names are not valid file names
        slug = f"{slug}-{fallback}"
    return slug or fallback


_RESERVED_NAMES = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


@dataclass(frozen=True)
class Lesson:
    """What ``lesson.json`` holds. Paths are relative to the workspace folder.

    ``uid`` is the lesson's lasting identity in course packages (a UUID made once,
    kept through renames and rebuilds into the same folder; see
    :attr:`shared.manifest.LessonEntry.uid`). Lessons built before it existed have
    ``""`` until :meth:`LessonWorkspace.ensure_uid` gives them one. ``id`` is a
    readable slug of the first title and names the lesson's folder inside a package.
    """

    id: str
    title: str
    duration: float
    video: str
    language: str = "en"
    presenter_video: str | None = None
    transcript: str | None = None
    captions: dict[str, str] = field(default_factory=dict)
    chapters: str | None = None
    chapters_vtt: str | None = None
    thumbnails: tuple[str, ...] = ()
    poster: str | None = None
    slides: str | None = None
    source: str = ""
    engine: str = ""
    model: str = ""
    warnings: tuple[str, ...] = ()
    created: str = ""
    updated: str = ""
    uid: str = ""
    checkpoints: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["thumbnails"] = list(self.thumbnails)
        data["warnings"] = list(self.warnings)
        return {"format": "lectern-lesson", "version": WORKSPACE_VERSION, **data}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Lesson:
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        values["thumbnails"] = tuple(values.get("thumbnails") or ())
        values["warnings"] = tuple(values.get("warnings") or ())
        values["captions"] = dict(values.get("captions") or {})
        return cls(**values)


def load_lesson(folder: str | Path) -> Lesson:
    """Read ``lesson.json`` of a workspace and check that the files it names exist.

    Raises:
        NotAWorkspaceError: the folder has no ``lesson.json``.
        WorkspaceError: ``lesson.json`` is unreadable, from a newer Lectern, or names
            a file that is missing.
    """
    return LessonWorkspace.open(folder).lesson


def is_lesson_folder(folder: str | Path) -> bool:
    """Whether ``folder`` is a lesson workspace Lectern made (its ``lesson.json`` says so)."""
    try:
        data = json.loads((Path(folder) / LESSON_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("format") == "lectern-lesson"


def save_lesson(folder: str | Path, lesson: Lesson) -> Path:
    """Write ``lesson.json`` atomically, stamping ``updated``."""
    workspace = LessonWorkspace(folder)
    workspace.save(lesson)
    return workspace.path(LESSON_FILE)


def lesson_source(folder: str | Path, lesson: Lesson | None = None) -> LessonSource:
    """What the package writer needs to take this lesson into a course package."""
    return LessonWorkspace.open(folder, lesson).source()


@dataclass(frozen=True)
class DerivedFiles:
    """What :meth:`LessonWorkspace.write_derived` wrote, as the fields of a :class:`Lesson`.

    Attributes:
        transcript: the transcript JSON, or ``None`` when none was written.
        captions: caption file by language.
        chapters: the chapters JSON, or ``None``.
        chapters_vtt: the chapters as a WebVTT chapter track, or ``None``.
        thumbnails: one picture per chapter, in chapter order.
        found: the chapters as written, each pointing at its picture.
        slides: the slide text file, or ``None`` when none was written.
    """

    transcript: str | None
    captions: dict[str, str]
    chapters: str | None
    chapters_vtt: str | None
    thumbnails: tuple[str, ...]
    found: tuple[Chapter, ...]
    slides: str | None = None

    @property
    def poster(self) -> str | None:
        """The first chapter picture, the poster unless the teacher chose one."""
        return self.thumbnails[0] if self.thumbnails else None

    def lesson_fields(self) -> dict[str, Any]:
        """The :class:`Lesson` fields these files fill in (poster included)."""
        return {
            "transcript": self.transcript,
            "captions": dict(self.captions),
            "chapters": self.chapters,
            "chapters_vtt": self.chapters_vtt,
            "thumbnails": self.thumbnails,
            "poster": self.poster,
            "slides": self.slides,
        }


class LessonWorkspace:
    """One lesson folder: its file names, its ``lesson.json`` and the files derived from it.

    Open an existing workspace with :meth:`open`; a workspace being built (no
    ``lesson.json`` yet) is ``LessonWorkspace(folder)``, filled with
    :meth:`write_derived` and finished with :meth:`save`. What has been read is kept:
    ``lesson``, :meth:`transcript` and :meth:`chapters` read their file once. A
    workspace reflects the folder when it was read; open a new one to see changes
    made by someone else.
    """

    def __init__(self, folder: str | Path, lesson: Lesson | None = None) -> None:
        self.folder = Path(folder)
        self._lesson = lesson
        self._lesson_bytes: bytes | None = None
        self._transcript: Transcript | None = None
        self._chapters: tuple[Chapter, ...] | None = None
        self._slides: tuple[Slide, ...] | None = None

    @classmethod
    def open(
        cls, folder: str | Path | LessonWorkspace, lesson: Lesson | None = None
    ) -> LessonWorkspace:
        """The workspace in ``folder`` with its ``lesson.json`` read (or ``lesson`` when given).

        A :class:`LessonWorkspace` given as ``folder`` is returned as it is.

        Raises:
            NotAWorkspaceError: the folder has no ``lesson.json``.
            WorkspaceError: ``lesson.json`` is unreadable, from a newer Lectern, or names
                a file that is missing.
        """
        if isinstance(folder, LessonWorkspace):
            return folder
        workspace = cls(folder, lesson)
        workspace.lesson  # noqa: B018 - read now, so a bad folder fails here
        return workspace

    def __repr__(self) -> str:
        return f"LessonWorkspace({str(self.folder)!r})"

    def path(self, name: str) -> Path:
        """The file ``name`` (relative, as ``lesson.json`` stores it) inside the folder."""
        return self.folder / name

    @property
    def lesson(self) -> Lesson:
        """What ``lesson.json`` holds (read once).

        Raises:
            NotAWorkspaceError, WorkspaceError: see :meth:`open`.
        """
        if self._lesson is None:
            self._lesson = self._read()
        return self._lesson

    @property
    def lesson_bytes(self) -> bytes:
        """The bytes of ``lesson.json`` as read (read now if the lesson came from elsewhere)."""
        if self._lesson_bytes is None:
            self._lesson_bytes = self.path(LESSON_FILE).read_bytes()
        return self._lesson_bytes

    @property
    def video(self) -> Path:
        """The lesson's main video."""
        return self.path(self.lesson.video)

    def transcript(self) -> Transcript:
        """The transcript as built (read once); an empty one when the lesson has none.

        Raises:
            TranscriptFileError: the transcript file cannot be read.
        """
        if self._transcript is None:
            lesson = self.lesson
            self._transcript = (
                Transcript.load_json(self.path(lesson.transcript))
                if lesson.transcript
                else Transcript.empty(lesson.duration)
            )
        return self._transcript

    def chapters(self) -> tuple[Chapter, ...]:
        """The chapters as built (read once); none when the lesson has no chapters file.

        Raises:
            ChapterFileError: the chapters file cannot be read.
        """
        if self._chapters is None:
            name = self.lesson.chapters
            self._chapters = tuple(load_chapters(self.path(name))) if name else ()
        return self._chapters

    def slides(self) -> tuple[Slide, ...]:
        """The slide text as built (read once); none when the lesson has no slide text.

        Raises:
            SlideFileError: the slide text file cannot be read.
        """
        if self._slides is None:
            name = self.lesson.slides
            self._slides = tuple(load_slides(self.path(name))) if name else ()
        return self._slides

    def checkpoints(self) -> tuple[Checkpoint, ...]:
        """The questions asked during the lesson (none when it has no checkpoints file).

        Raises:
            WorkspaceError: the checkpoints file cannot be read or must not be used.
        """
        name = self.lesson.checkpoints
        if not name:
            return ()
        path = self.path(name)
        try:
            return read_checkpoints(path.read_bytes(), self.lesson.duration, name)
        except OSError as error:
            raise WorkspaceError(f"{path} cannot be read ({error.strerror}).") from None
        except ContentError as error:
            raise WorkspaceError(
                f"The checkpoints of the lesson in {self.folder} are damaged ({error.problem}); "
                "import them again."
            ) from None

    def save_checkpoints(self, checkpoints: Sequence[Checkpoint]) -> Lesson:
        """Write the lesson's checkpoints (``checkpoints.json``) and ``lesson.json``.

        With no checkpoints the lesson refers to no file; the old file is left for undo.

        Raises:
            DiskFullError, OutputNotWritableError: a file cannot be written.
        """
        if checkpoints:
            save_checkpoints(self.path(CHECKPOINTS_NAME), checkpoints)
        name = CHECKPOINTS_NAME if checkpoints else None
        return self.save(dataclasses.replace(self.lesson, checkpoints=name))

    def save(self, lesson: Lesson) -> Lesson:
        """Write ``lesson.json`` atomically, stamping ``updated``; returns what was written."""
        now = utc_now()
        lesson = dataclasses.replace(lesson, updated=now, created=lesson.created or now)
        write_json_atomic(self.path(LESSON_FILE), lesson.to_dict())
        self._lesson, self._lesson_bytes = lesson, None
        return lesson

    def ensure_uid(self, taken: Collection[str] = frozenset()) -> Lesson:
        """The lesson with a ``uid``, made and written to ``lesson.json`` once if it has
        none (or an unusable one, or one of ``taken``: a lesson folder copied by hand is
        another lesson). ``updated`` is left as it was: an identity is not an edit.

        Raises:
            DiskFullError, OutputNotWritableError: ``lesson.json`` cannot be written.
        """
        lesson = self.lesson
        if is_lesson_uid(lesson.uid) and lesson.uid not in taken:
            return lesson
        lesson = dataclasses.replace(lesson, uid=new_lesson_uid())
        write_json_atomic(self.path(LESSON_FILE), lesson.to_dict())
        self._lesson, self._lesson_bytes = lesson, None
        return lesson

    def source(self) -> LessonSource:
        """What the package writer needs to take this lesson into a course package."""
        folder = self.folder.resolve()
        lesson = self.lesson

        def opt(name: str | None) -> Path | None:
            return folder / name if name else None

        return LessonSource(
            id=lesson.id,
            title=lesson.title,
            duration=lesson.duration,
            video=folder / lesson.video,
            presenter_video=opt(lesson.presenter_video),
            captions=tuple((lang, folder / name) for lang, name in sorted(lesson.captions.items())),
            transcript=opt(lesson.transcript),
            chapters=opt(lesson.chapters),
            chapters_vtt=opt(lesson.chapters_vtt),
            thumbnails=tuple(folder / name for name in lesson.thumbnails),
            poster=opt(lesson.poster),
            uid=lesson.uid or None,
            slides=opt(lesson.slides),
            checkpoints=opt(lesson.checkpoints),
        )

    def write_derived(
        self,
        transcript: Transcript | None,
        found: Sequence[Chapter] | None,
        *,
        language: str,
        other_captions: Mapping[str, tuple[str, Sequence[captions.Cue]]] | None = None,
        kept_pictures: Mapping[int, Path] | None = None,
        slides: Sequence[Slide] | None = None,
        state: ProgressState | None = None,
    ) -> DerivedFiles:
        """Write the files made from the transcript and the chapters into the folder.

        The transcript goes to ``transcript.json`` and, when it says anything, to
        ``captions.<language>.vtt`` and ``transcript.txt``. The chapters go to
        ``chapters.json`` and ``chapters.vtt``, each with a picture from the folder's
        video in ``thumbs/chapter-NNN.jpg``. The video (:data:`VIDEO_NAME`) must be in
        the folder already when there are chapters. The text read on the slides goes
        to ``slides.json``.

        Args:
            transcript: the transcript, or ``None`` to write none.
            found: the chapters, or ``None`` to write no chapter files.
            language: the language of the captions made from the transcript.
            other_captions: more caption tracks, ``{language: (file name, cues)}``;
                one made from the transcript wins over one here.
            kept_pictures: pictures that are still right, by chapter index (from 0);
                they are hard-linked or copied instead of made again.
            slides: the text of each slide with its span, or ``None`` to write none.
            state: progress and cancellation of the chapter pictures.

        Returns:
            What was written.

        Raises:
            ChapterDetectionError: the video cannot be read for the pictures.
            Cancelled: ``state`` asked to stop.
        """
        caption_files: dict[str, str] = {}
        if transcript is not None:
            transcript.save_json(self.path(TRANSCRIPT_NAME))
            if transcript.segments:
                caption_files[language] = captions_name(language)
                captions.write_vtt(
                    captions.cues_from_transcript(transcript), self.path(caption_files[language])
                )
                self.path(TRANSCRIPT_TEXT_NAME).write_text(transcript.text + "\n", encoding="utf-8")
        for other, (name, cues) in (other_captions or {}).items():
            if other not in caption_files:
                caption_files[other] = name
                captions.write_vtt(cues, self.path(name))
        pictured: list[Chapter] = []
        if found is not None:
            pictured = self._pictures(list(found), kept_pictures or {}, state)
            save_chapters(pictured, self.path(CHAPTERS_NAME))
            captions.write_vtt(
                [captions.Cue(s, e, t) for s, e, t in chapter_cues(pictured)],
                self.path(CHAPTERS_VTT_NAME),
            )
        if slides is not None:
            save_slides(slides, self.path(SLIDES_NAME))
        self._transcript = self._chapters = self._slides = None  # read back when asked
        return DerivedFiles(
            transcript=TRANSCRIPT_NAME if transcript is not None else None,
            captions=caption_files,
            chapters=CHAPTERS_NAME if found is not None else None,
            chapters_vtt=CHAPTERS_VTT_NAME if found is not None else None,
            thumbnails=tuple(c.thumbnail for c in pictured if c.thumbnail),
            found=tuple(pictured),
            slides=SLIDES_NAME if slides is not None else None,
        )

    def _pictures(
        self, found: list[Chapter], kept: Mapping[int, Path], state: ProgressState | None
    ) -> list[Chapter]:
        """The chapters pointing at ``thumbs/chapter-NNN.jpg``; kept pictures are reused."""
        self.path(THUMBS_DIR).mkdir(exist_ok=True)
        out, missing = [], []
        for index, chapter in enumerate(found):
            name = thumbnail_name(index + 1)
            if index in kept:
                link_or_copy(kept[index], self.path(name))
            else:
                missing.append(index)
            out.append(dataclasses.replace(chapter, thumbnail=name))
        if missing:
            scratch = self.path(".thumbs-new")
            made = make_thumbnails(
                self.path(VIDEO_NAME), [found[i] for i in missing], scratch, state=state
            )
            for index, chapter in zip(missing, made, strict=True):
                os.replace(scratch / chapter.thumbnail, self.path(out[index].thumbnail))
            shutil.rmtree(scratch, ignore_errors=True)
        if state is not None:
            state.set_progress(1.0)
        return out

    def _read(self) -> Lesson:
        folder = self.folder
        path = folder / LESSON_FILE
        if not path.is_file():
            raise NotAWorkspaceError(folder)
        try:
            raw = path.read_bytes()
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or data.get("format") != "lectern-lesson":
                raise ValueError("not a lesson file")
            if int(data.get("version", 0)) > WORKSPACE_VERSION:
                raise WorkspaceError(
                    f"{path} was made by a newer Lectern (lesson version {data['version']}); "
                    "update Lectern to open it."
                )
            lesson = Lesson.from_dict(data)
        except WorkspaceError:
            raise
        except (OSError, ValueError, TypeError, KeyError) as error:
            raise WorkspaceError(
                f"{path} is damaged ({error}); rebuild the lesson with `lectern-studio build`."
            ) from error
        for name in _referenced_files(lesson):
            if not (folder / name).is_file():
                raise WorkspaceError(
                    f"The lesson in {folder} is missing its file {name}; "
                    "rebuild it with `lectern-studio build`."
                )
        self._lesson_bytes = raw
        return lesson


def _referenced_files(lesson: Lesson) -> list[str]:
    names = [lesson.video, lesson.presenter_video, lesson.transcript, lesson.chapters]
    names += [lesson.chapters_vtt, lesson.poster, lesson.slides, lesson.checkpoints]
    names += [*lesson.captions.values(), *lesson.thumbnails]
    return [name for name in names if name]
