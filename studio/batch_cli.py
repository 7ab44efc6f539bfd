"""`lectern-studio batch`: many videos into lesson folders on a Dask cluster.

``studio.cli`` adds the sub-command with :func:`add_parser` and dispatches to
:data:`HANDLERS`; the work itself is ``studio.batch.run_batch``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shared import transcription
from shared.terminal import print_json, printable
from studio.batch import BUILT, FAILED, NOT_VIDEO, SKIPPED, BatchOptions, BatchProgress, run_batch

__all__ = ["add_parser", "batch", "HANDLERS"]


def add_parser(
    subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]
) -> None:
    """Add ``batch`` to a ``lectern-studio`` parser."""
    p = subparsers.add_parser(
        "batch",
        parents=parents,
        help="many videos -> lesson folders, in parallel on a local or existing Dask cluster",
        description="Build one lesson folder in OUT_DIR per source, as `build` does. A rerun "
        "skips lessons whose source and settings are unchanged. Ctrl+C stops the batch and "
        "keeps the finished lessons.",
    )
    p.add_argument(
        "sources",
        type=Path,
        nargs="+",
        metavar="SOURCE",
        help="a lecture video, a recording folder, or a folder of them",
    )
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT_DIR")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="an existing Dask scheduler, e.g. tcp://host:8786 (default: a local cluster)",
    )
    p.add_argument(
        "--workers", type=int, metavar="N", help="local worker processes (default: one per core)"
    )
    p.add_argument("--engine", default="faster-whisper", choices=transcription.ENGINES)
    p.add_argument("--model", help="model name or folder (default: the bundled tiny.en)")
    p.add_argument("--language", help="spoken language, e.g. en (default: detect)")
    p.add_argument("--min-chapter", type=float, default=10.0, help="shortest chapter, seconds")
    p.add_argument("--no-loudness", action="store_true", help="keep the original loudness")
    p.add_argument(
        "--package",
        metavar="COURSE_TITLE",
        help="at the end, package the lessons into OUT_DIR/<title>.lectern",
    )


class _Lines:
    """Live progress on stderr: one line each time the counts change."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.dashboard_shown = False

    def __call__(self, progress: BatchProgress) -> None:
        if self.quiet:
            return
        if progress.dashboard and not self.dashboard_shown:
            self.dashboard_shown = True
            print(f"Dask dashboard: {progress.dashboard}", file=sys.stderr, flush=True)
        print(progress.line(), file=sys.stderr, flush=True)


def batch(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        from studio.batch import BatchError

        raise BatchError("--workers must be 1 or more.")
    options = BatchOptions(
        engine=args.engine,
        model=args.model,
        language=args.language,
        loudness=not args.no_loudness,
        min_chapter=args.min_chapter,
        scheduler=args.scheduler,
        workers=args.workers,
        package_title=args.package,
    )
    result = run_batch(
        args.sources, args.output, options, on_progress=_Lines(args.quiet or args.json)
    )
    failed = result.with_status(FAILED)
    if args.json:
        print_json(
            {
                "output": str(args.output),
                "package": str(result.package) if result.package else None,
                "dashboard": result.dashboard,
                "workers": result.workers,
                "seconds": round(result.elapsed, 2),
                "lessons": [
                    {
                        "source": str(o.source),
                        "folder": str(o.folder),
                        "status": o.status,
                        "error": o.error,
                        "audio_seconds": o.audio_seconds,
                        "worker": o.worker,
                    }
                    for o in result.outcomes
                ],
            }
        )
        return 1 if failed else 0
    for outcome in result.with_status(FAILED, NOT_VIDEO):
        label = "skipped" if outcome.status == NOT_VIDEO else "failed"
        print(printable(f"{label}: {outcome.error}"), file=sys.stderr)
    built, skipped = result.with_status(BUILT), result.with_status(SKIPPED)
    rate = result.audio_seconds / result.elapsed if result.elapsed else 0.0
    print(
        f"Built {len(built)} lesson(s) in {args.output} ({len(skipped)} already done, "
        f"{len(failed)} failed, {len(result.with_status(NOT_VIDEO))} not a video) on "
        f"{result.workers} worker(s): {rate:.1f} h of audio per hour."
    )
    if result.package:
        print(f"Packaged the course in {result.package}")
    return 1 if failed else 0


HANDLERS = {"batch": batch}
