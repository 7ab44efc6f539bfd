"""`lectern-player`: the learner's app and its command line.

``lectern-player [--library PATH] [FILE.lectern]`` opens the window (importing FILE
first). The subcommands work on the same library without a window: ``import``,
``list``, ``search``, ``progress``, ``export-notes``, ``export-progress`` (xAPI
statements of a course's progress), ``lrs`` (where the learner's activity is sent),
``sync`` (send the queued statements to that LRS), ``remove``, ``info`` (verify a
package and print a one-screen summary without importing it) and ``repair`` (check the
whole library; restore it from its backups and course folders if it is damaged).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from shared import __version__, contents, package, xapi
from shared.chapters import Slide
from shared.errors import EXIT_ERROR, LecternError
from shared.files import check_output, write_json_atomic, write_text_atomic
from shared.library import MARK_END, MARK_START, Library, LibraryDamagedError, default_library_root
from shared.library.health import is_damage
from shared.terminal import TerminalProgress, print_json, printable, run_main
from shared.timecode import clock

PROG = "lectern-player"
#: The most search results one command prints.
MAX_LIMIT = 10000
COMMANDS = (
    "import",
    "list",
    "search",
    "progress",
    "export-notes",
    "export-progress",
    "lrs",
    "sync",
    "remove",
    "info",
    "repair",
)


class CourseNotFoundError(LecternError):
    """The course named on the command line is not in the library."""


class NotConfirmedError(LecternError):
    """A destructive command was run where nobody can be asked first."""


def _result_count(text: str) -> int:
    """``--limit``: a whole number of results, small enough for the library to answer."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"use a whole number from 1 to {MAX_LIMIT}, not {text!r}")
    return value


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--library",
        type=Path,
        default=argparse.SUPPRESS,
        help="library folder (default: $LECTERN_HOME or your user data folder)",
    )
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log in detail, also on the terminal, and show tracebacks of unexpected errors",
    )
    return common


def _command_parser() -> argparse.ArgumentParser:
    common = _common()
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser = argparse.ArgumentParser(prog=PROG, parents=[common])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    p = sub.add_parser(
        "import",
        parents=[common, as_json],
        help="add a course package, or a folder of videos (with captions) as a course",
    )
    p.add_argument("files", type=Path, nargs="+", metavar="FILE.lectern|VIDEO_FOLDER")
    sub.add_parser("list", parents=[common, as_json], help="list the courses in the library")
    p = sub.add_parser("search", parents=[common, as_json], help="search everything ever said")
    p.add_argument("query", nargs="+")
    p.add_argument("--limit", type=_result_count, default=20, help=f"1 to {MAX_LIMIT} results")
    sub.add_parser("progress", parents=[common, as_json], help="show progress per course")
    p = sub.add_parser("export-notes", parents=[common], help="a course's notes as Markdown")
    p.add_argument("course", help="course id or title")
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--force", action="store_true", help="replace a file that exists already")
    p = sub.add_parser(
        "export-progress",
        parents=[common],
        help="a course's progress as xAPI statements (JSON) to hand in",
        description="Write what you watched, completed and answered in a course as xAPI "
        "Video Profile statements. You are known by a random id unless you give a name or "
        "an e-mail address.",
    )
    p.add_argument("course", help="course id or title")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.json")
    p.add_argument("--name", default="", help="your name, sent only if you give it")
    p.add_argument("--email", default="", help="your e-mail address, sent only if you give it")
    p.add_argument("--force", action="store_true", help="replace a file that exists already")
    p = sub.add_parser(
        "lrs",
        parents=[common, as_json],
        help="show or set the LRS your activity is sent to",
        description="Show or set the Learning Record Store (xAPI) that `sync` sends your "
        "activity to. Nothing is sent while no address is set. You are known by a random "
        "id unless you give a name or an e-mail address.",
    )
    p.add_argument("--address", help="the LRS's xAPI address, e.g. https://lrs.example.org/xAPI/")
    p.add_argument("--user", help="the user name (or key) the LRS gave you")
    p.add_argument(
        "--key", help="the password (or secret) the LRS gave you; '-' reads it from standard input"
    )
    p.add_argument("--name", help="your name, sent only if you give it ('' to stop)")
    p.add_argument("--email", help="your e-mail address, sent only if you give it ('' to stop)")
    p.add_argument("--clear", action="store_true", help="forget the LRS and your name and e-mail")
    p = sub.add_parser(
        "sync",
        parents=[common, as_json],
        help="send your queued activity to the LRS",
        description="Send the xAPI statements of what you watched and answered to the LRS "
        "set with `lrs`. What is not acknowledged stays queued for next time.",
    )
    p = sub.add_parser("remove", parents=[common], help="remove a course and its progress")
    p.add_argument("course", help="course id or title")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask first")
    p = sub.add_parser("info", parents=[common, as_json], help="verify and summarize a package")
    p.add_argument("package", type=Path)
    p.add_argument("--lines", type=int, default=4, help="transcript lines to show per lesson")
    sub.add_parser("repair", parents=[common], help="check the library and heal it if damaged")
    return parser


def _window_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        parents=[_common()],
        description="Lectern Player: study packaged lectures offline. "
        f"Commands: {', '.join(COMMANDS)} (see `{PROG} COMMAND --help`).",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("file", type=Path, nargs="?", help="a course package to import and open")
    return parser


def _is_command(argv: list[str]) -> bool:
    args = iter(argv)
    for arg in args:
        if arg == "--library":
            next(args, None)
        elif not arg.startswith("-"):
            return arg in COMMANDS
    return False


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if _is_command(argv):
        args = _command_parser().parse_args(argv)
        handler = {
            "import": _import,
            "list": _list,
            "search": _search,
            "progress": _progress,
            "export-notes": _export_notes,
            "export-progress": _export_progress,
            "lrs": _lrs,
            "sync": _sync,
            "remove": _remove,
            "info": _info,
            "repair": _repair,
        }[args.command]
    else:
        args = _window_parser().parse_args(argv)
        handler = _window
    return run_main(
        lambda: _guarded(handler, args),
        debug=getattr(args, "debug", False),
        prog=PROG,
        stop_signals=handler is not _window,  # a window keeps the default signals
    )


def _guarded(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command; damage SQLite finds while it runs becomes one sentence about repair."""
    try:
        return handler(args)
    except sqlite3.DatabaseError as error:
        if not is_damage(error):
            raise
        raise LibraryDamagedError(_root(args), str(error)) from None


def _root(args: argparse.Namespace) -> Path:
    library = getattr(args, "library", None)
    return Path(library) if library else default_library_root()


def _open(args: argparse.Namespace, *, repair: bool = False) -> Library:
    """The library, after saying on stderr what opening it found (damage healed, read-only)."""
    library = Library.open(_root(args), repair=repair)
    if library.notice and not repair:
        print(f"{PROG}: {printable(library.notice)}", file=sys.stderr)
    return library


def _repair(args: argparse.Namespace) -> int:
    with _open(args, repair=True) as library:
        notice, count = library.notice, len(library.courses())
    courses = f"{count} course" + ("" if count == 1 else "s")
    print(
        printable(notice) if notice else f"The library is sound ({courses}); nothing needed repair."
    )
    return 0


def _window(args: argparse.Namespace) -> int:
    from player.app import run_window  # Qt is loaded only when a window is wanted

    return run_window(_root(args), open_file=args.file)


def _import(args: argparse.Namespace) -> int:
    results = []
    with _open(args) as library:
        for file in args.files:
            progress = TerminalProgress(quiet=args.json)
            progress.set_status(f"Importing {file.name}")
            try:
                if file.is_dir():  # a plain folder of videos: a course of its own
                    result = library.import_video_folder(
                        file, state=progress, warn=(lambda text: None) if args.json else _warn
                    )
                else:
                    result = library.import_course(file, state=progress)
            finally:
                progress.close()
            results.append(result)
            if not args.json:
                print(
                    f"{result.action.capitalize()}: '{printable(result.title)}' ({result.course_id}), "
                    f"{printable(result.signed_by)}"
                )
                for notice in result.notices:
                    print(f"  {printable(notice)}")
    if args.json:
        print_json(
            [
                {
                    "course_id": r.course_id,
                    "title": r.title,
                    "action": r.action,
                    "signed_by": r.signed_by,
                    "beside": r.beside,
                    "orphaned": list(r.orphaned),
                }
                for r in results
            ]
        )
    return 0


def _warn(text: str) -> None:
    print(f"warning: {printable(text)}", file=sys.stderr)


def _list(args: argparse.Namespace) -> int:
    with _open(args) as library:
        courses = library.courses()
    if args.json:
        print_json(
            [
                {
                    "id": c.id,
                    "version": c.version,
                    "title": c.title,
                    "author": c.author,
                    "signed_by": c.signed_by,
                    "lessons": c.lesson_count,
                    "duration": c.duration,
                    "completed_lessons": c.completed_lessons,
                    "coverage": c.coverage,
                }
                for c in courses
            ]
        )
        return 0
    if not courses:
        print(f"The library is empty; add a course with `{PROG} import FILE.lectern`.")
    for c in courses:
        by = f" by {printable(c.author)}" if c.author else ""
        title = printable(c.title)
        print(f"{c.id}  {title}{by}  ({c.lesson_count} lessons, {clock(c.duration)})")
    return 0


def _search(args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    with _open(args) as library:
        hits = library.search(query, limit=args.limit)
    if args.json:
        print_json(
            [
                {
                    "kind": h.kind,
                    "course_id": h.course_id,
                    "course": h.course_title,
                    "lesson_id": h.lesson_id,
                    "lesson": h.lesson_title,
                    "time": h.time,
                    "snippet": h.snippet.replace(MARK_START, "").replace(MARK_END, ""),
                    "approximate": h.approximate,
                }
                for h in hits
            ]
        )
        return 0
    if not hits:
        print(f"Nothing found for '{printable(query)}'.")
    bold, plain = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("*", "*")
    for h in hits:
        where = printable(h.lesson_title or h.course_title)
        at = f" @ {clock(h.time)}" if h.time is not None else ""
        # The marks are control characters too: split on them before escaping the rest.
        pieces = h.snippet.replace(MARK_END, MARK_START).split(MARK_START)
        snippet = "".join(
            printable(piece) if index % 2 == 0 else f"{bold}{printable(piece)}{plain}"
            for index, piece in enumerate(pieces)
        )
        close = "  ≈ approximate" if h.approximate else ""
        print(f"{where}{at}  [{h.kind}]{close}\n    {snippet}")
    return 0


def _progress(args: argparse.Namespace) -> int:
    with _open(args) as library:
        rows = []
        for course in library.courses():
            lessons = library.lessons(course.id)
            rows.append((course, lessons))
    if args.json:
        print_json(
            [
                {
                    "course_id": c.id,
                    "title": c.title,
                    "completed_lessons": c.completed_lessons,
                    "lessons": c.lesson_count,
                    "coverage": c.coverage,
                    "lesson_progress": [
                        {
                            "lesson_id": lesson.id,
                            "title": lesson.title,
                            "position": lesson.resume_position,
                            "coverage": lesson.coverage,
                            "completed": lesson.completed,
                        }
                        for lesson in lessons
                    ],
                }
                for c, lessons in rows
            ]
        )
        return 0
    for course, lessons in rows:
        print(
            f"{printable(course.title)}: {course.completed_lessons}/{course.lesson_count} "
            "lessons complete, "
            f"{course.coverage * 100:.0f}% watched"
        )
        for lesson in lessons:
            mark = "x" if lesson.completed else " "
            print(
                f"  [{mark}] {printable(lesson.title)}  {lesson.coverage * 100:3.0f}%"
                f"  resume at {clock(lesson.resume_position)}"
            )
    return 0


def _find_course(library: Library, text: str) -> str:
    courses = library.courses()
    for course in courses:
        if course.id == text:
            return course.id
    wanted = text.casefold()
    exact = [c for c in courses if c.title.casefold() == wanted]
    partial = exact or [c for c in courses if wanted in c.title.casefold()]
    if len(partial) == 1:
        return partial[0].id
    if not partial:
        raise CourseNotFoundError(
            f"No course '{text}' in the library; `{PROG} list` shows the courses you have."
        )
    names = ", ".join(f"{c.title} ({c.id})" for c in partial)
    raise CourseNotFoundError(f"'{text}' matches several courses ({names}); use the course id.")


def _export_notes(args: argparse.Namespace) -> int:
    check_output(args.output, force=args.force)
    with _open(args) as library:
        course_id = _find_course(library, args.course)
        text = library.export_notes_markdown(course_id)
        count = len(library.notes(course_id))
    write_text_atomic(args.output, text, replace=args.force)
    print(f"Wrote {count} note(s) and bookmark(s) to {printable(args.output)}")
    return 0


def _export_progress(args: argparse.Namespace) -> int:
    check_output(args.output, force=args.force)
    with _open(args) as library:
        course_id = _find_course(library, args.course)
        statements = library.activity.statements(course_id, name=args.name, email=args.email)
        # The player's own events (initialized, paused, seeked, ...), as they were recorded.
        who = xapi.actor(library.activity.learner_id(), name=args.name, email=args.email)
        known = {statement["id"] for statement in statements}
        statements += [s for s in library.outbox.of_course(course_id, who) if s["id"] not in known]
        statements.sort(key=lambda statement: statement["timestamp"])
    write_json_atomic(args.output, statements, replace=args.force)
    print(f"Wrote {len(statements)} xAPI statement(s) to {printable(args.output)}")
    return 0


_LRS_SETTINGS = {
    "address": "lrs_address",
    "user": "lrs_user",
    "key": "lrs_key",
    "name": "learner_name",
    "email": "learner_email",
}


def _lrs(args: argparse.Namespace) -> int:
    if args.key == "-":  # kept out of the shell's history and the process list
        args.key = sys.stdin.readline().rstrip("\r\n")
    with _open(args) as library:
        with library.atomic():  # all or nothing: one bad value changes none
            for option, setting in _LRS_SETTINGS.items():
                value = "" if args.clear else getattr(args, option)
                if value is not None:
                    library.set_setting(setting, value.strip())
        values = {option: library.setting(setting) for option, setting in _LRS_SETTINGS.items()}
        counts = library.outbox.counts()
    values["key"] = "*" * 8 if values["key"] else ""  # never printed back
    if args.json:
        print_json({**values, "waiting": counts.waiting, "sent": counts.sent})
        return 0
    if not values["address"]:
        print(f"No LRS is set: nothing is sent ({counts.waiting} statement(s) queued).")
        return 0
    who = values["email"] or values["name"] or "a random id (no name or e-mail)"
    print(f"LRS: {printable(values['address'])} as user {printable(values['user'] or '-')}")
    print(f"You are sent as {printable(who)}; {counts.waiting} statement(s) queued.")
    return 0


def _sync(args: argparse.Namespace) -> int:
    from shared.sync import sync

    with _open(args) as library:
        progress = TerminalProgress(quiet=args.json)
        try:
            result = sync(library, progress)
        finally:
            progress.close()
    if args.json:
        print_json(
            {
                "address": result.address,
                "sent": result.sent,
                "waiting": result.waiting,
                "error": result.error,
            }
        )
    elif not result.error:
        print(f"Sent {result.sent} statement(s) to {printable(result.address)}; none waiting.")
    if result.error:
        if not args.json:
            print(f"Sent {result.sent} statement(s); {result.waiting} stay queued.")
        print(f"{PROG}: error: {printable(result.error)}", file=sys.stderr)
        return EXIT_ERROR
    return 0


def _remove(args: argparse.Namespace) -> int:
    with _open(args) as library:
        course_id = _find_course(library, args.course)
        title = library.course(course_id).title
        if not args.yes:
            if not sys.stdin.isatty():
                raise NotConfirmedError(
                    f"Not removing '{title}' without asking; pass --yes to remove it."
                )
            answer = input(f"Remove '{printable(title)}' with its progress and notes? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                print("Kept.")
                return 0
        library.remove_course(course_id)
    print(f"Removed '{printable(title)}'.")
    return 0


def _info(args: argparse.Namespace) -> int:
    progress = TerminalProgress(quiet=args.json)
    progress.set_status("Verifying the course package")
    try:
        manifest = package.verify_package(args.package, state=progress)
    finally:
        progress.close()
    summary = package.package_summary(manifest, package.read_signature(args.package))
    lessons = []
    for lesson in manifest.lessons:
        # verify_package checked these members' content; parse them the same strict way.
        chapters = []
        if lesson.chapters:
            data = package.read_member(args.package, lesson.chapters)
            chapters = [(c.start, c.title) for c in contents.parse_chapters(data, lesson)]
        lines = []
        if lesson.transcript:
            data = package.read_member(args.package, lesson.transcript)
            segments = contents.parse_transcript(data, lesson).segments
            lines = [(s.start, s.text.strip()) for s in segments][: max(args.lines, 0)]
        slides: tuple[Slide, ...] = ()
        if lesson.slides:
            data = package.read_member(args.package, lesson.slides)
            slides = contents.parse_slides(data, lesson)
        lessons.append({"lesson": lesson, "chapters": chapters, "lines": lines, "slides": slides})

    if args.json:
        print_json(
            {
                **summary,
                "chapters": {e["lesson"].id: e["chapters"] for e in lessons},
                "first_lines": {e["lesson"].id: e["lines"] for e in lessons},
                "slides": {e["lesson"].id: [s.to_dict() for s in e["slides"]] for e in lessons},
            }
        )
        return 0
    course = manifest.course
    total = sum(lesson.duration_ms for lesson in manifest.lessons) / 1000
    print(printable(course.title) + (f"  by {printable(course.author)}" if course.author else ""))
    print(f"{printable(args.package.resolve())}  (verified: {len(manifest.files)} files)")
    signed_by = summary["signed_by"]
    print(printable(signed_by[:1].upper() + signed_by[1:]))
    print(f"{len(manifest.lessons)} lesson(s), {clock(total)} in all")
    for number, entry in enumerate(lessons, 1):
        lesson = entry["lesson"]
        print(f"\n{number}. {printable(lesson.title)}  [{clock(lesson.duration_ms / 1000)}]")
        for start, title in entry["chapters"]:
            print(f"   {clock(start):>7}  {printable(title)}")
        if entry["lines"]:
            print("   Transcript:")
            for start, text in entry["lines"]:
                print(f"   {clock(start):>7}  {printable(text)}")
        if entry["slides"]:
            print("   On the slides:")
            for slide in entry["slides"]:
                print(f"   {clock(slide.start):>7}  {printable(_slide_summary(slide))}")
    return 0


def _slide_summary(slide: Slide, width: int = 100) -> str:
    """A slide's text on one line: its title, then its other lines, cut at ``width``."""
    lines = [line.text for line in slide.lines if line.text != slide.title]
    text = " · ".join([slide.title, *lines] if slide.title else lines) or "(no text read)"
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


if __name__ == "__main__":
    sys.exit(main())
