"""`lectern-studio second-opinion`: ask another installed model where the transcript of a
lesson may be wrong.

``studio.cli`` adds the sub-command with :func:`add_parser` and dispatches to
:data:`HANDLERS`; the work itself is :mod:`studio.second_opinion`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from shared.terminal import TerminalProgress, print_json, printable
from shared.timecode import clock
from shared.workspace import LessonWorkspace
from studio.second_opinion import save_opinion, second_opinion

__all__ = ["add_parser", "HANDLERS"]


def add_parser(
    subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]
) -> None:
    """Add ``second-opinion`` to a ``lectern-studio`` parser."""
    p = subparsers.add_parser(
        "second-opinion",
        parents=parents,
        help="ask a second model where the transcript may be wrong",
        description="Transcribe the lesson again with another installed model and list "
        "the words it heard differently: those are usually the wrong ones. They are kept "
        "in the lesson folder, and the Studio marks them (with what the other model "
        "heard) instead of the words the first model was unsure of.",
    )
    p.add_argument("lesson", type=Path, metavar="LESSON_DIR")
    p.add_argument(
        "--model",
        help="the model to ask (default: the biggest installed one other than the "
        "transcript's, that knows its language)",
    )


def run(args: argparse.Namespace) -> int:
    workspace = LessonWorkspace.open(args.lesson)
    transcript = workspace.transcript()
    progress = TerminalProgress(quiet=args.quiet or args.json)
    try:
        opinion = second_opinion(transcript, workspace.video, args.model, progress)
    finally:
        progress.close()
    save_opinion(workspace.folder, opinion)
    if args.json:
        print_json({"transcript_model": transcript.model, **opinion.to_dict()})
        return 0
    if not opinion.disagreements:
        print(printable(f"{opinion.model} heard every word as {transcript.model} wrote it."))
        return 0
    print(
        printable(
            f"{opinion.model} heard {len(opinion.disagreements)} place(s) differently from "
            f"{transcript.model}; the Studio marks them:"
        )
    )
    for d in opinion.disagreements:
        start = transcript.segments[d.segment].words[d.words[0]].start
        heard = f"'{d.heard}'" if d.heard else "nothing"
        print(printable(f"  {clock(start)}  '{d.said}': {opinion.model} heard {heard}"))
    return 0


HANDLERS = {"second-opinion": run}
