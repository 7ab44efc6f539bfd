"""`lectern-studio checkpoints`: import question banks into a lesson, and list its questions.

``studio.cli`` adds the sub-command with :func:`add_parser` and dispatches to
:data:`HANDLERS`; the work itself is :mod:`studio.lesson_checkpoints`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from shared.terminal import print_json, printable
from shared.workspace import LessonWorkspace
from studio.lesson_checkpoints import describe, import_checkpoints

__all__ = ["add_parser", "HANDLERS"]


def add_parser(
    subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]
) -> None:
    """Add ``checkpoints`` to a ``lectern-studio`` parser."""
    p = subparsers.add_parser(
        "checkpoints",
        parents=parents,
        help="questions asked during a lesson: import a bank, list them",
        description="Import Moodle GIFT (.gift or .txt), Aiken (.txt) or Lectern JSON "
        "question banks into a lesson folder, or list its questions. Questions that cannot "
        "be used (matching, essay) are named and the rest are imported.",
    )
    p.add_argument("lesson", type=Path, metavar="LESSON_DIR")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    bank = actions.add_parser("import", parents=parents, help="add the questions of a bank")
    bank.add_argument("bank", type=Path, metavar="FILE", help="FILE.gift, FILE.txt or FILE.json")
    where = bank.add_mutually_exclusive_group()
    where.add_argument("--at", type=float, metavar="SECONDS", help="ask them at this time")
    where.add_argument(
        "--after-chapter", type=int, metavar="N", help="ask them at the end of chapter N"
    )
    bank.add_argument("--required", action="store_true", help="learners must answer them to go on")
    bank.add_argument(
        "--rewatch",
        action="store_true",
        help="after a wrong answer, offer to re-watch the chapter from its start",
    )
    actions.add_parser("list", parents=parents, help="list the lesson's questions")


def checkpoints(args: argparse.Namespace) -> int:
    if args.action == "import":
        outcome = import_checkpoints(
            args.lesson,
            args.bank,
            at=args.at,
            after_chapter=args.after_chapter,
            required=args.required or None,
            rewatch_on_wrong=args.rewatch or None,
        )
        if args.json:
            print_json(
                {
                    "added": describe(outcome.added),
                    "skipped": [{"name": s.name, "reason": s.reason} for s in outcome.skipped],
                    "total": len(outcome.checkpoints),
                }
            )
        else:
            for item in outcome.added:
                print(printable(f"added {item.id}  {item.kind_name:15}  {item.name}"))
            for skipped in outcome.skipped:
                print(printable(f"skipped: {skipped}"))
            print(
                f"{len(outcome.added)} question(s) added, {len(outcome.skipped)} skipped; "
                f"the lesson has {len(outcome.checkpoints)}."
            )
        return 0
    items = LessonWorkspace.open(args.lesson).checkpoints()
    if args.json:
        print_json(describe(items))
    elif not items:
        print("This lesson has no checkpoints.")
    else:
        for item in items:
            flags = " required" * item.required + " rewatch" * item.rewatch_on_wrong
            print(
                printable(
                    f"{item.id}  {item.placement():18}  {item.kind_name:15}  {item.name}{flags}"
                )
            )
    return 0


HANDLERS = {"checkpoints": checkpoints}
