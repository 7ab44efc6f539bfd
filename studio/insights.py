"""Insights for a course folder: the course's map, and progress files counted against it.

:func:`course_map` reads what insights need from a Studio course folder (lesson keys,
lengths, chapters, questions); :func:`load_insights` is the long job the command line
and the window run: it reads progress files and folders of them, refusing a bad file
with one sentence while the rest import. :func:`add_lrs` reads the course's statements
from a Learning Record Store into the same :class:`shared.insights.Tally`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shared.errors import LecternError
from shared.insights import (
    CourseInsights,
    CourseMap,
    FileReport,
    LessonInfo,
    QuestionInfo,
    Tally,
)
from shared.insights.lrs_source import lrs_name, lrs_statements
from shared.jobs import ProgressState, SubState, check_cancelled, stages
from shared.lrs import Endpoint, LrsError
from shared.workspace import LessonWorkspace
from studio.course import COURSE_FILE, Course

__all__ = [
    "PROGRESS_SUFFIXES",
    "InsightsInputError",
    "InsightsRequest",
    "course_map",
    "progress_files",
    "add_progress",
    "add_lrs",
    "load_insights",
]

#: Files taken from a folder of progress files (a file named directly is always read).
PROGRESS_SUFFIXES = (".json", ".jsonl", ".ndjson", ".xapi")


class InsightsInputError(LecternError):
    """The course folder or the progress paths cannot be used."""


@dataclass(frozen=True)
class InsightsRequest:
    """A course folder, the progress files or folders to read, and an LRS to read."""

    course: Path
    sources: tuple[Path, ...] = ()
    now: float | None = None
    lrs: Endpoint | None = None


def course_map(folder: str | Path) -> CourseMap:
    """What insights need to know of the course in ``folder``.

    Raises:
        InsightsInputError: ``folder`` is not a course folder.
    """
    folder = Path(folder)
    if not (folder / COURSE_FILE).is_file():
        raise InsightsInputError(
            f"{folder} is not a Lectern course folder (it has no {COURSE_FILE}); "
            "choose the folder the Studio made for the course."
        )
    course = Course.open(folder)
    lessons = []
    for path in course.lesson_folders():
        try:
            workspace = LessonWorkspace.open(path)
            lesson = workspace.lesson
            chapters = workspace.chapters()
            questions = workspace.checkpoints()
        except LecternError:
            continue  # a damaged lesson shows no insights; the Studio reports it elsewhere
        ends = [c.end for c in chapters]
        lessons.append(
            LessonInfo(
                keys=tuple(dict.fromkeys(k for k in (lesson.uid, lesson.id, path.name) if k)),
                title=lesson.title,
                duration=lesson.duration,
                chapters=tuple((c.start, c.end, c.title) for c in chapters),
                questions=tuple(
                    QuestionInfo(
                        q.id,
                        q.prompt,
                        q.kind,
                        tuple(choice.text for choice in q.choices),
                        tuple(i for i, choice in enumerate(q.choices) if choice.correct),
                        q.time_in(ends, lesson.duration),
                    )
                    for q in questions
                ),
            )
        )
    return CourseMap(course.id, course.title, tuple(lessons))


def progress_files(sources: Sequence[Path]) -> list[Path]:
    """The files to read: files as named, and the progress files inside folders (sorted).

    Raises:
        InsightsInputError: a path does not exist.
    """
    found: list[Path] = []
    for source in sources:
        source = Path(source)
        if source.is_dir():
            found.extend(
                sorted(
                    p
                    for p in source.rglob("*")
                    if p.is_file()
                    and p.suffix.lower() in PROGRESS_SUFFIXES
                    and not any(part.startswith(".") for part in p.relative_to(source).parts)
                )
            )
        elif source.exists():
            found.append(source)
        else:
            raise InsightsInputError(f"{source} does not exist; name progress files or folders.")
    return list(dict.fromkeys(found))


def add_progress(
    tally: Tally, sources: Sequence[Path], state: ProgressState | None = None
) -> list[FileReport]:
    """Count the progress files of ``sources`` (files, folders) into ``tally``.

    Progress is by bytes read. Every file is all or nothing: a refused file says why in
    its report's one sentence while the others count; on cancel the file being read
    adds nothing and the files before it stay counted.

    Raises:
        InsightsInputError: a source path does not exist.
        Cancelled: ``state`` asked to stop.
    """
    files = progress_files(sources)
    sizes = []
    for path in files:
        try:
            sizes.append(max(1, path.stat().st_size))
        except OSError:
            sizes.append(1)
    total = float(sum(sizes)) or 1.0
    reports, done = [], 0.0
    for number, (path, size) in enumerate(zip(files, sizes, strict=True)):
        check_cancelled(state, "Importing progress")
        if state is not None:
            state.set_status(f"Reading {path.name} ({number + 1} of {len(files)})")
        part = SubState(state, done / total, (done + size) / total) if state else None
        reports.append(tally.add_file(path, part))
        done += size
    return reports


def add_lrs(tally: Tally, endpoint: Endpoint, state: ProgressState | None = None) -> FileReport:
    """Count what ``endpoint`` holds about the tally's course, as one source.

    All or nothing, like a file: an LRS that cannot be reached, refuses the credentials
    or stops answering halfway adds nothing, and its report says why in one sentence
    (what other sources added stays).

    Raises:
        Cancelled: ``state`` asked to stop (what the LRS added is undone).
    """
    name = lrs_name(endpoint)
    if state is not None:
        state.set_status(f"Reading {name}")
    try:
        report = tally.add_statements(lrs_statements(endpoint, tally.course, state), name, state)
        if report.refused and not report.future:  # nothing at all about the course
            report.refused = (
                f"{name} holds no statements about the course '{tally.course.title}' yet "
                "(learners' players send theirs with lectern-player sync)."
            )
    except LrsError as error:
        report = FileReport(name, refused=f"{name} was not read: {error}")
        tally.reports.append(report)
    report.lrs = True
    return report


def load_insights(request: InsightsRequest, state: ProgressState | None = None) -> CourseInsights:
    """Read the progress files and the LRS of ``request`` and fold them into the course's
    insights.

    Raises:
        InsightsInputError: the course folder or a source path cannot be used.
        Cancelled: ``state`` asked to stop.
    """
    tally = Tally(course_map(request.course), now=request.now)
    files, remote = (
        stages(state, (1.0, 1.0)) if state is not None and request.lrs else (state, state)
    )
    add_progress(tally, request.sources, files)
    if request.lrs is not None:
        add_lrs(tally, request.lrs, remote)
    if state is not None:
        state.set_status("Counting")
    insights = tally.result()
    if state is not None:
        state.set_progress(1.0)
    return insights
