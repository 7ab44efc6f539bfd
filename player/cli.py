"""`lectern-player`: the learner's command line.

Until the player window lands, ``lectern-player COURSE.lectern`` verifies a course
package and prints a one-screen summary of it: lessons, durations, chapters and the
first lines of what is said.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from shared import package
from shared.terminal import TerminalProgress, clock, print_json, run_main

PROG = "lectern-player"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Lectern Player: study packaged lectures offline."
    )
    parser.add_argument("package", type=Path, help="a course package (.lectern)")
    parser.add_argument("--lines", type=int, default=4, help="transcript lines to show per lesson")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return run_main(lambda: _summary(args), debug=args.debug, prog=PROG)


def _summary(args: argparse.Namespace) -> int:
    progress = TerminalProgress(quiet=args.json)
    progress.set_status("Verifying the course package")
    try:
        manifest = package.verify_package(args.package, state=progress)
    finally:
        progress.close()
    lessons = []
    for lesson in manifest.lessons:
        chapters = []
        if lesson.chapters:
            data = json.loads(package.read_member_text(args.package, lesson.chapters))
            chapters = [(c["start"], c["title"]) for c in data.get("chapters", [])]
        lines = []
        if lesson.transcript:
            data = json.loads(package.read_member_text(args.package, lesson.transcript))
            lines = [(s["start"], s["text"].strip()) for s in data.get("segments", [])][
                : args.lines
            ]
        lessons.append({"lesson": lesson, "chapters": chapters, "lines": lines})

    if args.json:
        print_json(
            {
                **package.package_summary(manifest),
                "chapters": {e["lesson"].id: e["chapters"] for e in lessons},
                "first_lines": {e["lesson"].id: e["lines"] for e in lessons},
            }
        )
        return 0
    course = manifest.course
    total = sum(lesson.duration_ms for lesson in manifest.lessons) / 1000
    print(f"{course.title}" + (f"  by {course.author}" if course.author else ""))
    print(f"{args.package.resolve()}  (verified: {len(manifest.files)} files)")
    print(f"{len(manifest.lessons)} lesson(s), {clock(total)} in all")
    for number, entry in enumerate(lessons, 1):
        lesson = entry["lesson"]
        print(f"\n{number}. {lesson.title}  [{clock(lesson.duration_ms / 1000)}]")
        for start, title in entry["chapters"]:
            print(f"   {clock(start):>7}  {title}")
        if entry["lines"]:
            print("   Transcript:")
            for start, text in entry["lines"]:
                print(f"   {clock(start):>7}  {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
