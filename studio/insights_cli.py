"""`lectern-studio insights`: how a course's lessons were watched, from progress files
and from a Learning Record Store.

``studio.cli`` adds the sub-command with :func:`add_parser` and dispatches to
:data:`HANDLERS`; the work itself is :func:`studio.insights.load_insights`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shared.errors import LecternError, UsageError
from shared.files import check_output, write_json_atomic
from shared.insights import CourseInsights
from shared.lrs import Endpoint, valid_address
from shared.terminal import TerminalProgress, print_json, printable
from shared.timecode import clock
from studio.insights import InsightsRequest, load_insights

__all__ = ["add_parser", "HANDLERS", "NothingImportedError"]


class NothingImportedError(LecternError):
    """Every progress file given was refused."""


def add_parser(
    subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]
) -> None:
    """Add ``insights`` to a ``lectern-studio`` parser."""
    p = subparsers.add_parser(
        "insights",
        parents=parents,
        help="how the lessons were watched and questions answered, from progress files",
        description="Read learners' progress files (lectern-player export-progress, or xAPI "
        "statements exported from an LRS: a JSON array, an LRS page or JSON lines), or the "
        "statements an LRS holds about the course (--lrs), and show, per lesson: learners "
        "per second, re-watch peaks, the drop-off, completion per chapter and how each "
        "question was answered. A bad file is refused with one sentence and the others "
        "still count.",
    )
    p.add_argument("course", type=Path, metavar="COURSE_DIR")
    p.add_argument(
        "progress", type=Path, nargs="*", metavar="PROGRESS", help="progress files or folders"
    )
    p.add_argument(
        "--lrs",
        metavar="ADDRESS",
        help="also read the course's statements from this LRS (its xAPI address, e.g. "
        "https://lrs.example.org/xAPI/)",
    )
    p.add_argument("--lrs-user", default="", help="the user name (or key) for the LRS")
    p.add_argument(
        "--lrs-key",
        default="",
        help="the password (or secret) for the LRS; '-' reads it from standard input",
    )
    p.add_argument("--csv", action="store_true", help="print the numbers as CSV")
    p.add_argument(
        "-o", "--output", type=Path, help="write the CSV (OUT.csv) or JSON (OUT.json) to a file"
    )
    p.add_argument("--force", action="store_true", help="replace an output file that exists")


def _endpoint(args: argparse.Namespace) -> Endpoint | None:
    if args.lrs is None:
        if not args.progress:
            raise UsageError("Name progress files or folders, or an LRS to read with --lrs.")
        return None
    if not valid_address(args.lrs):
        raise UsageError(
            f"{args.lrs} is not an LRS address; give its xAPI address, such as "
            "https://lrs.example.org/xAPI/."
        )
    key = args.lrs_key
    if key == "-":  # kept out of the shell's history and the process list
        key = sys.stdin.readline().rstrip("\r\n")
    return Endpoint(args.lrs, args.lrs_user, key)


def insights(args: argparse.Namespace) -> int:
    endpoint = _endpoint(args)
    if args.output is not None:
        check_output(args.output, force=args.force)
    progress = TerminalProgress(quiet=args.quiet or args.json or args.csv)
    try:
        request = InsightsRequest(args.course, tuple(args.progress), lrs=endpoint)
        found = load_insights(request, progress)
    finally:
        progress.close()
    for sentence in found.refused + found.warnings:
        print(printable(sentence), file=sys.stderr)
    if not any(not r.refused for r in found.reports):
        raise NothingImportedError(_nothing_imported(bool(found.reports), endpoint is not None))
    if args.output is not None:
        if args.output.suffix.lower() == ".json":
            write_json_atomic(args.output, found.to_dict())
        else:
            found.write_csv(args.output)
    if args.json:
        print_json(found.to_dict())
    elif args.csv:
        sys.stdout.write(found.to_csv())
    elif args.output is None:
        _print(found)
    return 0


def _nothing_imported(any_source: bool, lrs: bool) -> str:
    if lrs:
        return (
            "No progress was imported: nothing was read (see above); check the LRS's "
            "address and credentials, and that learners' players send to it."
        )
    if any_source:
        return (
            "No progress was imported: every file was refused (see above); "
            "export the progress again with lectern-player export-progress."
        )
    return "No progress files were found there; name .json or .jsonl files or folders."


def _print(found: CourseInsights) -> None:
    print(
        printable(
            f"{found.title}: {found.learners:,} learner(s), {found.statements:,} statement(s)"
            + (f" ({found.duplicates:,} duplicate(s) counted once)" if found.duplicates else "")
        )
    )
    for lesson in found.lessons:
        share = f"{lesson.completed / lesson.learners:.0%}" if lesson.learners else "-"
        print()
        print(
            printable(
                f"{lesson.title} ({clock(lesson.duration)}): {lesson.learners:,} learner(s), "
                f"{lesson.completed:,} completed ({share})"
            )
        )
        if lesson.learners:
            half = next(
                (t for t, n in enumerate(lesson.still_watching) if n < lesson.learners / 2), None
            )
            print(
                "  half of the learners left by "
                + (clock(half) if half is not None else "the end: most watched it all")
            )
        for peak in lesson.peaks:
            print(f"  re-watched around {clock(peak.second)}: {peak.rewatches:,} extra play(s)")
        for chapter in lesson.chapters:
            print(
                printable(
                    f"  chapter {clock(chapter.start)} {chapter.title}: "
                    f"{chapter.reached:,} reached, {chapter.completed:,} watched it all"
                )
            )
        for q in lesson.questions:
            right = f"{q.first_correct_share:.0%}" if q.learners else "-"
            print(
                printable(
                    f"  question at {clock(q.at)} '{q.prompt}': {q.learners:,} answered, "
                    f"{right} right first time, {q.attempts_per_learner:.1f} attempt(s) each"
                )
            )
            for option in q.options:
                mark = {True: " (right)", False: "", None: ""}[option.correct]
                print(printable(f"    {option.count:6,}  {option.label}{mark}"))


HANDLERS = {"insights": insights}
