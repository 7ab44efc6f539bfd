"""`lectern-studio`: the teacher's command line (build, transcribe, chapters, package, verify,
checkpoints, insights)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shared import __version__, captions, chapters, media, package, transcription
from shared.errors import LecternError, UsageError
from shared.files import check_output
from shared.jobs import stages
from shared.manifest import CourseInfo, new_course_id
from shared.signing import SigningKey
from shared.terminal import TerminalProgress, print_json, printable, run_main
from shared.timecode import clock, utc_now
from shared.workspace import Lesson
from studio import (
    batch_cli,
    checkpoints_cli,
    export,
    insights_cli,
    models_cli,
    recording_cli,
    second_opinion_cli,
)
from studio.course import package_lessons
from studio.keys import author_key
from studio.pipeline import BuildOptions, build_lesson, find_chapters, load_manual_chapters

PROG = "lectern-studio"


class InputRefusedError(LecternError):
    """A well-formed command whose input or output cannot be used (exit 1, not 2)."""


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print machine-readable JSON")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    common.add_argument(
        "--debug",
        action="store_true",
        help="log in detail, also on the terminal, and show tracebacks of unexpected errors",
    )

    overwrite = argparse.ArgumentParser(add_help=False)
    overwrite.add_argument(
        "--force", action="store_true", help="replace an output file that exists already"
    )

    asr = argparse.ArgumentParser(add_help=False)
    asr.add_argument("--engine", default="faster-whisper", choices=transcription.ENGINES)
    asr.add_argument("--model", help="model name or folder (default: the bundled tiny.en)")
    asr.add_argument(
        "--language",
        help="spoken language, e.g. fr, or 'detect' (the default) to let a multilingual "
        "model find it; an English-only model transcribes English",
    )
    asr.add_argument(
        "--download-model",
        action="store_true",
        help="allow downloading a named model that is not on this computer yet",
    )

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Lectern Studio: turn lecture videos into verified course packages, offline.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--course",
        type=Path,
        metavar="COURSE_DIR",
        help="with no command: the course folder to open in the window (made if new)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "build",
        parents=[common, asr],
        help="video -> lesson folder (normalize, transcribe, chapters)",
    )
    p.add_argument("video", type=Path, help="a lecture video, or a folder made by `record`")
    p.add_argument("-o", "--output", type=Path, required=True, help="lesson folder to create")
    p.add_argument("--title")
    p.add_argument("--camera", type=Path, help="a presenter/camera video recorded alongside")
    p.add_argument(
        "--captions",
        type=Path,
        metavar="FILE.vtt|.srt",
        help="keep these captions as the transcript instead of transcribing",
    )
    p.add_argument(
        "--retime",
        action="store_true",
        help="with --captions: keep their words but re-time them to the speech",
    )
    p.add_argument("--chapters", type=Path, help="hand-made chapters (.json or .vtt)")
    p.add_argument("--chapters-mode", choices=("extend", "replace"), default="extend")
    p.add_argument("--min-chapter", type=float, default=10.0, help="shortest chapter, seconds")
    p.add_argument("--no-loudness", action="store_true", help="keep the original loudness")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing lesson folder (never a folder that is not a lesson)",
    )

    p = sub.add_parser(
        "transcribe", parents=[common, asr, overwrite], help="media -> transcript files"
    )
    p.add_argument("media", type=Path)
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        action="append",
        required=True,
        help="OUT.json, .vtt, .srt or .txt (repeat for several)",
    )

    p = sub.add_parser(
        "chapters", parents=[common, overwrite], help="video -> chapters from slide changes"
    )
    p.add_argument("video", type=Path)
    p.add_argument(
        "-o", "--output", type=Path, action="append", required=True, help="OUT.json or .vtt"
    )
    p.add_argument("--transcript", type=Path, help="transcript JSON to take chapter titles from")
    p.add_argument("--thumbnails", type=Path, help="folder to write one thumbnail per chapter")
    p.add_argument("--min-chapter", type=float, default=10.0, help="shortest chapter, seconds")
    p.add_argument(
        "--slides",
        type=Path,
        help="OUT.json to write the text read on each slide (a lesson folder's slides.json)",
    )

    p = sub.add_parser(
        "package", parents=[common, overwrite], help="lesson folders -> COURSE.lectern"
    )
    p.add_argument("lessons", type=Path, nargs="+", metavar="LESSON_DIR")
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--title", required=True)
    p.add_argument("--author", default="")
    p.add_argument("--description", default="")
    p.add_argument("--language", help="course language (default: the first lesson's)")
    p.add_argument("--id", dest="course_id", help="stable course id (default: a new one)")
    p.add_argument("--version", dest="course_version", type=int, default=1)
    p.add_argument("--cover", type=Path, help="cover image (JPEG or PNG)")
    signing = p.add_mutually_exclusive_group()
    signing.add_argument(
        "--key",
        type=Path,
        metavar="KEY_FILE",
        help="sign with this key file (default: the author's own key, made on first use)",
    )
    signing.add_argument(
        "--unsigned",
        action="store_true",
        help="do not sign (learners then cannot take it as an update of a signed course)",
    )

    p = sub.add_parser(
        "export",
        parents=[common, overwrite],
        help="course folder or package -> web player (HTML5), SCORM 1.2/2004 or cmi5 zip",
    )
    p.add_argument("source", type=Path, metavar="COURSE_DIR|COURSE.lectern")
    p.add_argument("--format", dest="export_format", required=True, choices=export.FORMATS)
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="OUT.zip (html5 also: a folder, any name without .zip)",
    )

    p = sub.add_parser("verify", parents=[common], help="check a course package completely")
    p.add_argument("package", type=Path)
    recording_cli.add_parsers(sub, [common])
    batch_cli.add_parser(sub, [common])
    models_cli.add_parser(sub, [common])
    checkpoints_cli.add_parser(sub, [common])
    insights_cli.add_parser(sub, [common])
    second_opinion_cli.add_parser(sub, [common])
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.command:
        from studio.app import run_window  # Qt is loaded only when the window is wanted

        return run_main(
            lambda: run_window(args.course), debug=args.debug, prog=PROG, stop_signals=False
        )
    handler = {
        "build": _build,
        "transcribe": _transcribe,
        "chapters": _chapters,
        "package": _package,
        "verify": _verify,
        "export": _export,
        **recording_cli.HANDLERS,
        **batch_cli.HANDLERS,
        **models_cli.HANDLERS,
        **checkpoints_cli.HANDLERS,
        **insights_cli.HANDLERS,
        **second_opinion_cli.HANDLERS,
    }[args.command]
    return run_main(lambda: handler(args), debug=args.debug, prog=PROG)


def _progress(args: argparse.Namespace) -> TerminalProgress:
    return TerminalProgress(quiet=args.quiet or args.json)


def _build(args: argparse.Namespace) -> int:
    if args.retime and args.captions is None:
        raise UsageError("--retime re-times a caption file; give it with --captions FILE.")
    transcription.check_language(args.language, args.model)  # before minutes of work
    manual = tuple(load_manual_chapters(args.chapters)) if args.chapters else ()
    options = BuildOptions(
        title=args.title,
        camera=args.camera,
        engine=args.engine,
        model=args.model,
        language=args.language,
        allow_download=args.download_model,
        loudness=not args.no_loudness,
        manual_chapters=manual,
        chapters_mode=args.chapters_mode,
        min_chapter=args.min_chapter,
        replace=args.force,
        captions=args.captions,
        retime=args.retime,
    )
    progress = _progress(args)
    try:
        result = build_lesson(args.video, args.output, options, progress)
    finally:
        progress.close()
    lesson = result.lesson
    if args.json:
        print_json({"folder": str(result.folder), "lesson": lesson.to_dict()})
        return 0
    for warning in lesson.warnings:
        print(f"warning: {printable(warning)}", file=sys.stderr)
    print(f"Built lesson '{printable(lesson.title)}' in {printable(result.folder)}")
    print(
        f"  {clock(lesson.duration)} long, {len(result.transcript.segments)} transcript segments, "
        f"{len(result.chapters)} chapters"
    )
    for chapter in result.chapters:
        print(f"  {clock(chapter.start)}  {printable(chapter.title)}")
    return 0


def _transcribe(args: argparse.Namespace) -> int:
    suffixes = {".json", ".vtt", ".srt", ".txt"}
    for out in args.output:
        if out.suffix.lower() not in suffixes:
            raise UsageError(f"Cannot write {out}: use a .json, .vtt, .srt or .txt file name.")
        check_output(out, force=args.force)  # before minutes of work, not after
    transcription.check_language(args.language, args.model)
    info = media.probe(args.media)
    if not info.has_audio:
        raise InputRefusedError(
            f"{args.media} has no audio track, so there is nothing to transcribe."
        )
    engine = transcription.get_engine(
        args.engine, model=args.model, allow_download=args.download_model
    )
    progress = _progress(args)
    progress.set_status(f"Transcribing with {engine.name} ({engine.model_name})")
    try:
        transcript = engine.transcribe(args.media, language=args.language, state=progress)
    finally:
        progress.close()
    for out in args.output:
        captions.write_transcript_file(transcript, out, replace=args.force)
    if args.json:
        print_json({"outputs": [str(o) for o in args.output], **transcript.to_dict()})
    else:
        print(
            f"Transcribed {clock(transcript.duration)} into {len(transcript.segments)} segments: "
            + ", ".join(str(o) for o in args.output)
        )
    return 0


def _chapters(args: argparse.Namespace) -> int:
    for out in args.output:
        if out.suffix.lower() not in {".json", ".vtt"}:
            raise UsageError(f"Cannot write {out}: use a .json or .vtt file name.")
        check_output(out, force=args.force)
    if args.slides:
        if args.slides.suffix.lower() != ".json":
            raise UsageError(f"Cannot write {args.slides}: slide text goes in a .json file.")
        check_output(args.slides, force=args.force)
    if args.thumbnails and not args.force and _holds_files(args.thumbnails):
        raise InputRefusedError(
            f"{args.thumbnails} already holds files; choose a new or empty folder for the "
            "thumbnails, or pass --force to write them among those files."
        )
    info = media.probe(args.video)
    segments = (
        transcription.Transcript.load_json(args.transcript).segments if args.transcript else ()
    )
    progress = _progress(args)
    detect, thumbs = stages(progress, [4.0, 1.0 if args.thumbnails else 0.0])
    progress.set_status("Finding slide changes")
    try:
        slides, found, missing = find_chapters(
            args.video, info.duration, segments=segments, min_chapter=args.min_chapter, state=detect
        )
        if missing:
            unwritten = f"; {args.slides} not written" if args.slides else ""
            print(f"Warning: {missing}{unwritten}", file=sys.stderr)
        if args.thumbnails:
            progress.set_status("Making thumbnails")
            found = chapters.make_thumbnails(args.video, found, args.thumbnails, state=thumbs)
    finally:
        progress.close()
    for out in args.output:
        if out.suffix.lower() == ".vtt":
            cues = [captions.Cue(*c) for c in chapters.chapter_cues(found)]
            captions.write_vtt(cues, out, replace=args.force)
        else:
            chapters.save_chapters(found, out, replace=args.force)
    if args.slides and slides is not None:
        chapters.save_slides(slides, args.slides, replace=args.force)
    if args.json:
        report: dict[str, object] = {"chapters": [c.to_dict() for c in found]}
        if slides is not None:
            report["slides"] = [s.to_dict() for s in slides]
        print_json(report)
    else:
        for chapter in found:
            print(f"{clock(chapter.start)}  {printable(chapter.title)}")
    return 0


def _holds_files(folder: Path) -> bool:
    try:
        return any(folder.iterdir())
    except NotADirectoryError:
        raise UsageError(f"{folder} is a file; --thumbnails takes a folder.") from None
    except OSError:
        return False


def _package(args: argparse.Namespace) -> int:
    def describe(loaded: list[tuple[Path, Lesson]]) -> CourseInfo:
        return CourseInfo(
            id=args.course_id or new_course_id(),
            version=args.course_version,
            title=args.title,
            description=args.description,
            author=args.author,
            language=args.language or loaded[0][1].language or "en",
            # The newest lesson edit dates the course, so the same lessons give the same bytes.
            created=max((lesson.updated for _, lesson in loaded), default="") or utc_now(),
        )

    check_output(args.output, force=args.force)
    key, created = None, False
    if args.key is not None:
        key = SigningKey.load(args.key)
    elif not args.unsigned:
        key, created = author_key(args.author)
    progress = _progress(args)
    try:
        manifest = package_lessons(
            args.lessons,
            args.output,
            describe,
            cover=args.cover,
            signing_key=key,
            state=progress,
            replace=args.force,
        )
    finally:
        progress.close()
    course = manifest.course
    signature = package.read_signature(args.output)
    summary = package.package_summary(manifest, signature)
    if args.json:
        print_json({"package": str(args.output), "new_key": created, **summary})
        return 0
    if created:
        print(
            f"Made a signing key for {printable(course.author or 'this computer')} in {key.path}; "
            "keep it and back it up, since updates of your courses must be signed with it."
        )
    print(
        f"Wrote {args.output} ({args.output.stat().st_size / 1e6:.1f} MB): "
        f"'{printable(course.title)}', {len(manifest.lessons)} lesson(s), "
        f"{printable(summary['signed_by'])}"
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    progress = _progress(args)
    try:
        result = export.export_course(
            args.source, args.output, args.export_format, state=progress, force=args.force
        )
    finally:
        progress.close()
    if args.json:
        print_json(
            {
                "output": str(result.output),
                "format": result.format,
                "title": result.title,
                "lessons": list(result.lessons),
                "media_bytes": result.bytes,
            }
        )
    else:
        print(
            f"Exported '{printable(result.title)}' ({len(result.lessons)} lesson(s)) as "
            f"{result.format} to {printable(result.output)}"
        )
    return 0


def _verify(args: argparse.Namespace) -> int:
    progress = _progress(args)
    progress.set_status("Verifying")
    try:
        manifest = package.verify_package(args.package, state=progress)
    finally:
        progress.close()
    summary = package.package_summary(manifest, package.read_signature(args.package))
    if args.json:
        print_json({"package": str(args.package), "ok": True, **summary})
    else:
        print(
            f"{printable(args.package)} is sound: '{printable(manifest.course.title)}' "
            f"version {manifest.course.version}, "
            f"{len(manifest.lessons)} lesson(s), {len(manifest.files)} files verified; "
            f"{printable(summary['signed_by'])}."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
