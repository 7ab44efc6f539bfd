"""The lesson pipeline: a lecture video in, a lesson workspace out.

``build_lesson`` normalizes the media, transcribes it, finds the slides and reads
their text (one chapter per slide, titled by the slide's own title, reveals as steps
inside it), makes thumbnails and captions, and writes the workspace. It is a long job
in the sense of ``shared.jobs``: the CLI, the studio window and the tests all call
it with their own progress state. The workspace is assembled in a temporary folder
and renamed into place, so a cancelled or failed build leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from shared import captions, chapters, media, transcription
from shared.caption_import import ENGINE as CAPTIONS_ENGINE
from shared.caption_import import ImportedCaptions, import_captions
from shared.caption_retime import retime_captions
from shared.errors import DiskFullError
from shared.files import atomic_dir, check_output_dir, link_or_copy
from shared.jobs import JobState, ProgressState, check_cancelled, stages
from shared.manifest import is_lesson_uid, new_lesson_uid
from shared.workspace import (
    CHECKPOINTS_NAME,
    LESSON_FILE,
    PRESENTER_NAME,
    VIDEO_NAME,
    Lesson,
    LessonWorkspace,
    is_lesson_folder,
    slugify,
    utc_now,
)
from studio.capture.recording import build_inputs

__all__ = [
    "BuildOptions",
    "BuildResult",
    "MediaReady",
    "build_lesson",
    "find_chapters",
    "first_slide_title",
    "load_manual_chapters",
]

log = logging.getLogger(__name__)

MediaReady = Callable[[Path, Path | None], None]
"""``media_ready(video, presenter_or_none)``: the lesson's media can be played."""


@dataclass(frozen=True)
class BuildOptions:
    """Everything about a build that is not the input video itself."""

    title: str | None = None
    #: ``title`` is only a suggestion (the teacher did not type it): the lesson takes
    #: its first slide's title instead when OCR reads one.
    title_from_slides: bool = False
    camera: Path | None = None
    engine: str = "faster-whisper"
    model: str | None = None
    language: str | None = None
    allow_download: bool = False
    loudness: bool = True
    manual_chapters: tuple[chapters.Chapter, ...] = ()
    chapters_mode: str = "extend"
    min_chapter: float = 10.0
    replace: bool = False
    #: The teacher's own captions (.vtt or .srt), kept as the transcript instead of
    #: transcribing (see ``shared.caption_import``).
    captions: Path | None = None
    #: Re-time ``captions`` to the speech (``shared.caption_retime``): their words are
    #: kept, their times come from the speech engine's word timestamps.
    retime: bool = False


@dataclass(frozen=True)
class BuildResult:
    folder: Path
    lesson: Lesson
    transcript: transcription.Transcript
    chapters: tuple[chapters.Chapter, ...]
    video_copied: bool
    audio_copied: bool

    @property
    def workspace(self) -> LessonWorkspace:
        """The built workspace, with its lesson already known (nothing is read again)."""
        return LessonWorkspace(self.folder, self.lesson)


def load_manual_chapters(path: str | Path) -> list[chapters.Chapter]:
    """Read hand-made chapters from a chapters JSON or a WebVTT file."""
    path = Path(path)
    if path.suffix.lower() == ".vtt":
        cues = captions.read_vtt(path)
        return [
            chapters.Chapter(c.start, c.end, c.text.replace("\n", " "), source="manual")
            for c in cues
        ]
    return [dataclasses.replace(c, source="manual") for c in chapters.load_chapters(path)]


def build_lesson(
    video: str | Path,
    folder: str | Path,
    options: BuildOptions = BuildOptions(),
    state: ProgressState | None = None,
    *,
    media_ready: MediaReady | None = None,
    engine: transcription.Engine | None = None,
) -> BuildResult:
    """Turn a lecture video into a lesson workspace in ``folder``.

    Args:
        video: any common video file (mp4/mkv/webm/mov, ...), or a recording folder
            made by ``lectern-studio record`` or the Studio window: it is finished first
            if it was not, then its screen (with the microphone) is the video and its
            camera the presenter video, and the folder names the lesson unless a title
            is given.
        folder: the workspace folder to create: absent or empty, or, with
            ``options.replace``, a lesson folder (replaced once the new one is complete;
            any other folder is refused, see ``shared.files.check_output_dir``).
        options: title, presenter camera video, engine/model, loudness, chapters.
        state: progress/cancel state (see ``shared.jobs``).
        media_ready: called once, from the job's thread, with the normalized video
            and presenter video (``None`` without a camera) as soon as they are
            written, before the transcription starts, so a window can play them while
            the rest is built. They live in the build's temporary folder: they move to
            ``folder`` when the build succeeds and are deleted if it fails.
        engine: a speech engine to use instead of a new one made from ``options``
            (the batch runner keeps one per worker so the model loads once).

    Returns:
        What was built. A video without audio still becomes a lesson, with an empty
        transcript and a warning in ``lesson.warnings``.

    Raises:
        LecternError: a subclass naming the problem (bad media, missing model, ...).
        shared.jobs.Cancelled: when ``state`` asked to stop; nothing is left behind.
    """
    video, folder = Path(video), Path(folder)
    if video.is_dir():
        recording = video
        if state is not None:
            state.set_status("Finishing the recording")
        video, camera = build_inputs(recording)
        title = options.title or recording.resolve().name.replace("_", " ").replace("-", " ")
        options = dataclasses.replace(
            options, camera=options.camera or camera, title=title.strip() or None
        )
    log.info("building a lesson from %s into %s", video, folder)
    info = media.probe(video)
    camera_info = media.probe(options.camera) if options.camera else None
    # Only a lesson folder is ever replaced, and only when asked (never a folder of videos).
    folder = check_output_dir(
        folder, force=options.replace, ours=is_lesson_folder, what="Lectern lesson"
    )
    teacher = None
    if options.captions is not None:  # read before any work: a bad file is refused at once
        teacher = import_captions(
            options.captions, info.duration, language=options.language or "en"
        )
    if (teacher is None or options.retime) and engine is None:
        engine = transcription.get_engine(
            options.engine, model=options.model, allow_download=options.allow_download
        )
    state = state or JobState()
    try:
        return _build(
            video, folder, info, camera_info, engine, options, state, media_ready, teacher
        )
    except DiskFullError:
        raise DiskFullError(folder) from None  # name the lesson, not its temporary folder


def _build(
    video: Path,
    folder: Path,
    info: media.MediaInfo,
    camera_info: media.MediaInfo | None,
    engine: transcription.Engine | None,
    options: BuildOptions,
    state: ProgressState,
    media_ready: MediaReady | None,
    teacher: ImportedCaptions | None = None,
) -> BuildResult:
    retiming = teacher is not None and options.retime and info.has_audio
    transcribe = info.has_audio and (teacher is None or retiming)
    s_norm, s_cam, s_asr, s_chap, s_thumb = stages(
        state, [2.0, 1.5 if camera_info else 0.0, 6.0 if transcribe else 0.0, 2.0, 0.5]
    )
    title = options.title or _title_from(video, info)
    warnings: list[str] = list(teacher.warnings) if teacher else []
    engine_name = CAPTIONS_ENGINE if teacher else engine.name
    model_name = teacher.transcript.model if teacher else engine.model_name
    if teacher is not None and options.retime and not info.has_audio:
        warnings.append(f"{video.name} has no audio track, so the captions keep their times.")

    with atomic_dir(folder) as work:
        state.set_status("Preparing the video")
        normalized = media.normalize(
            video, work / VIDEO_NAME, loudness=options.loudness, state=s_norm
        )
        if shortfall := media.shortfall_warning(info, normalized.info):
            warnings.append(shortfall)
        if camera_info is not None:
            state.set_status("Preparing the presenter video")
            media.normalize(options.camera, work / PRESENTER_NAME, loudness=False, state=s_cam)
        check_cancelled(state, "The build")
        if media_ready is not None:
            media_ready(work / VIDEO_NAME, work / PRESENTER_NAME if camera_info else None)

        if retiming:  # the teacher's words, at the times the engine heard them
            state.set_status(f"Re-timing the captions with {engine.name} ({engine.model_name})")
            heard = engine.transcribe(work / VIDEO_NAME, language=options.language, state=s_asr)
            teacher_transcript = dataclasses.replace(
                teacher.transcript, duration=normalized.info.duration
            )
            retimed = retime_captions(teacher_transcript, heard)
            transcript = retimed.transcript
            warnings += retimed.warnings
            log.info("captions re-timed: %.0f %% of their words heard", retimed.matched * 100)
        elif teacher is not None:  # the teacher's own words and times, kept as they are
            transcript = dataclasses.replace(teacher.transcript, duration=normalized.info.duration)
        elif normalized.info.has_audio:
            state.set_status(f"Transcribing with {engine.name} ({engine.model_name})")
            transcript = engine.transcribe(
                work / VIDEO_NAME, language=options.language, state=s_asr
            )
        else:
            warnings.append(f"{video.name} has no audio track, so the lesson has no transcript.")
            transcript = transcription.Transcript.empty(
                normalized.info.duration, model=model_name, engine=engine_name
            )
        state.set_status("Finding chapters from slide changes")
        duration = normalized.info.duration
        slides, found, missing = find_chapters(
            work / VIDEO_NAME,
            duration,
            segments=transcript.segments,
            min_chapter=options.min_chapter,
            state=s_chap,
        )
        warnings += [missing] if missing else []
        if options.title_from_slides:
            title = first_slide_title(slides) or title
        if options.manual_chapters:
            found = chapters.merge_chapters(
                found, list(options.manual_chapters), mode=options.chapters_mode
            )

        state.set_status("Making chapter thumbnails")
        workspace = LessonWorkspace(work)
        derived = workspace.write_derived(
            transcript,
            found,
            language=transcript.language or "en",
            slides=slides,
            state=s_thumb,
        )

        lesson = Lesson(
            id=slugify(title),
            title=title,
            duration=duration,
            video=VIDEO_NAME,
            language=transcript.language or options.language or "en",
            presenter_video=PRESENTER_NAME if camera_info else None,
            **derived.lesson_fields(),
            source=str(video.resolve()),
            engine=engine_name,
            model=model_name,
            warnings=tuple(warnings),
            created=utc_now(),
            uid=_kept_uid(folder),
            checkpoints=_kept_checkpoints(folder, work),
        )
        lesson = workspace.save(lesson)
        state.set_progress(1.0)
        state.set_status("Done")

    result = BuildResult(
        folder=folder,
        lesson=lesson,
        transcript=transcript,
        chapters=derived.found,
        video_copied=normalized.video_copied,
        audio_copied=normalized.audio_copied,
    )
    log.info(
        "built %s: %.1f s, %d segments, %d chapters, %d warnings",
        folder,
        lesson.duration,
        len(transcript.segments),
        len(found),
        len(lesson.warnings),
    )
    return result


def find_chapters(
    video: str | Path,
    duration: float,
    *,
    segments: Sequence[chapters.TimedText] = (),
    min_chapter: float = 10.0,
    state: ProgressState | None = None,
) -> tuple[list[chapters.Slide] | None, list[chapters.Chapter], str]:
    """The slides of a lecture video with their text, and one chapter per slide.

    Every slide change is a chapter and reveals are steps inside it (see
    :func:`shared.chapters.detect_slides`); a chapter is titled by its slide's own
    title, by what is said (``segments``) where OCR read none. Picture changes with no
    text on either side (a talking head) make chapters only ``min_chapter`` apart; a
    video with no words on screen at all also gets chapters at the longest pauses in
    the speech, a few minutes apart at most (:func:`shared.chapters.pause_changes`).

    Returns:
        ``(slides, chapters, warning)``. Without the OCR engine the picture changes
        alone make the chapters (titled from the speech, ``min_chapter`` apart),
        ``slides`` is ``None`` and ``warning`` names the missing engine in one
        sentence; otherwise ``warning`` is empty.

    Raises:
        ChapterDetectionError: the video cannot be read.
        Cancelled: ``state`` asked to stop.
    """
    from shared.chapters.slides import OcrModelMissingError

    try:
        changes = chapters.detect_slides(video, min_gap=min_chapter, state=state)
    except OcrModelMissingError as error:
        log.warning("no OCR: %s", error)
        times = chapters.detect_slide_changes(video, min_gap=min_chapter, state=state)
        found = chapters.chapters_from_changes(
            times, duration, segments=segments, min_length=min_chapter
        )
        return None, found, str(error)
    slides = chapters.slides_from_changes(changes, duration)
    if any(slide.lines for slide in slides):
        return slides, chapters.chapters_from_slides(slides, duration, segments=segments), ""
    # No words on screen (a talking head): the picture changes left (at least
    # ``min_chapter`` apart) and the longest pauses in the speech make the chapters.
    times = [slide.start for slide in slides[1:]] + chapters.pause_changes(segments, duration)
    found = chapters.chapters_from_changes(
        times, duration, segments=segments, min_length=min_chapter
    )
    return slides, found, ""


def first_slide_title(slides: Sequence[chapters.Slide] | None) -> str:
    """The title of the first slide that has one (as OCR read it), else ``""``."""
    return next((" ".join(s.title.split()) for s in slides or () if s.title.strip()), "")


def _title_from(video: Path, info: media.MediaInfo) -> str:
    """A readable default title: the container's title tag, else the file name."""
    return info.title or title_from_file_name(video.stem)


def title_from_file_name(stem: str) -> str:
    """A title as a person would write it from a file name (without its extension).

    "Lecture 2 - Resonance and Doppler" stays as it is; "lecture_02_intro" and
    "lecture-02-intro" become "Lecture 02 intro". Words keep their own case.
    """
    text = stem.replace("_", " ")
    if " " not in text.strip():  # dashes and dots stand for spaces only in a spaceless name
        text = re.sub(r"(?<=\w)[-.](?=\w)", " ", text)
    text = re.sub(r"\s+", " ", text).strip(" -.")
    if text and text == text.lower():
        text = text[0].upper() + text[1:]
    return text or "Lesson"


def _kept_checkpoints(folder: Path, work: Path) -> str | None:
    """The checkpoints of the lesson a rebuild replaces, copied into ``work``: questions
    the teacher wrote or imported are not made from the video, so a rebuild keeps them."""
    try:
        name = json.loads((folder / LESSON_FILE).read_text(encoding="utf-8")).get("checkpoints")
    except (OSError, ValueError, AttributeError):
        return None
    if name != CHECKPOINTS_NAME or not (folder / name).is_file():
        return None
    link_or_copy(folder / name, work / name)
    return name


def _kept_uid(folder: Path) -> str:
    """The identity of the lesson a rebuild replaces (so learners keep their notes on
    it), or a new one. Only the ``uid`` is taken from the old ``lesson.json``."""
    try:
        uid = json.loads((folder / LESSON_FILE).read_text(encoding="utf-8")).get("uid")
    except (OSError, ValueError, AttributeError):
        uid = None
    return uid if is_lesson_uid(uid) else new_lesson_uid()
