"""Per-lesson insights: the values behind the plots, the JSON and the CSV.

Seconds are whole: second ``t`` is ``[t, t + 1)`` of the video, and a stretch watched
from 12.4 to 15.1 counts seconds 12, 13, 14 and 15.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from shared.files import write_text_atomic
from shared.insights.course import CourseMap, LessonInfo, QuestionInfo

if TYPE_CHECKING:
    from shared.insights.tally import FileReport, _Columns

__all__ = [
    "Peak",
    "ChapterStat",
    "OptionStat",
    "QuestionStat",
    "LessonInsights",
    "CourseInsights",
    "CSV_COLUMNS",
    "STRETCH",
    "SESSION",
    "fold",
]

#: Kinds of watched rows: a stretch (``time-from``..``time-to``), or one segment of a
#: ``played-segments`` list.
STRETCH, SESSION = 0, 1
CSV_COLUMNS = ("lesson", "measure", "at_seconds", "item", "value")
_PEAKS = 5
_PEAK_SPACING = 10  # seconds between two peaks shown


@dataclass(frozen=True)
class Peak:
    """A moment many learners watched again: ``rewatches`` extra plays at ``second``."""

    second: int
    rewatches: int


@dataclass(frozen=True)
class ChapterStat:
    """How many learners reached a chapter and how many watched (nearly) all of it."""

    title: str
    start: float
    end: float
    reached: int
    completed: int


@dataclass(frozen=True)
class OptionStat:
    """An answer given, how often (all attempts), and whether it is right (``None``: unknown)."""

    label: str
    count: int
    correct: bool | None


@dataclass(frozen=True)
class QuestionStat:
    """How a checkpoint question was answered."""

    id: str
    prompt: str
    at: float
    learners: int
    answers: int
    first_correct: int
    eventually_correct: int
    options: tuple[OptionStat, ...]

    @property
    def attempts_per_learner(self) -> float:
        return self.answers / self.learners if self.learners else 0.0

    @property
    def first_correct_share(self) -> float:
        return self.first_correct / self.learners if self.learners else 0.0


@dataclass(frozen=True)
class LessonInsights:
    """One lesson's insights; the arrays hold one value per second of the video.

    Attributes:
        viewers: learners who watched each second (the heatmap).
        plays: plays of each second, re-watching included.
        still_watching: learners whose furthest point is at or after each second (the
            drop-off curve).
        learners: learners with any statement about the lesson.
        completed: learners who completed it (said so, or watched the threshold).
    """

    title: str
    duration: float
    learners: int
    completed: int
    viewers: np.ndarray
    plays: np.ndarray
    still_watching: np.ndarray
    peaks: tuple[Peak, ...]
    chapters: tuple[ChapterStat, ...]
    questions: tuple[QuestionStat, ...]

    @property
    def rewatches(self) -> np.ndarray:
        """Plays beyond the first of each learner, per second."""
        return np.maximum(self.plays - self.viewers, 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "duration": self.duration,
            "learners": self.learners,
            "completed": self.completed,
            "viewers": self.viewers.tolist(),
            "plays": self.plays.tolist(),
            "still_watching": self.still_watching.tolist(),
            "peaks": [{"second": p.second, "rewatches": p.rewatches} for p in self.peaks],
            "chapters": [vars(c) for c in self.chapters],
            "questions": [
                {
                    "id": q.id,
                    "prompt": q.prompt,
                    "at": q.at,
                    "learners": q.learners,
                    "answers": q.answers,
                    "attempts_per_learner": round(q.attempts_per_learner, 3),
                    "first_correct": q.first_correct,
                    "eventually_correct": q.eventually_correct,
                    "options": [vars(o) for o in q.options],
                }
                for q in self.questions
            ],
        }


@dataclass(frozen=True)
class CourseInsights:
    """Insights for every lesson of a course, and what the import read."""

    course_id: str
    title: str
    lessons: tuple[LessonInsights, ...]
    learners: int
    statements: int
    duplicates: int
    reports: tuple[FileReport, ...] = field(default=())

    @property
    def refused(self) -> list[str]:
        """One sentence per refused source."""
        return [r.refused for r in self.reports if r.refused]

    @property
    def warnings(self) -> list[str]:
        return [w for r in self.reports if not r.refused for w in r.warnings]

    def to_dict(self) -> dict[str, Any]:
        return {
            "course": {"id": self.course_id, "title": self.title},
            "learners": self.learners,
            "statements": self.statements,
            "duplicates": self.duplicates,
            "files": [
                {
                    "name": r.name,
                    "statements": r.statements,
                    "refused": r.refused or None,
                    "future": r.future,
                    "other": r.other,
                }
                for r in self.reports
            ],
            "lessons": [lesson.to_dict() for lesson in self.lessons],
        }

    def csv_rows(self) -> list[tuple[Any, ...]]:
        """The insights as tidy rows (:data:`CSV_COLUMNS`), ready for a spreadsheet."""
        rows: list[tuple[Any, ...]] = []
        for lesson in self.lessons:
            name = lesson.title
            rows.append((name, "learners", "", "", lesson.learners))
            rows.append((name, "completed", "", "", lesson.completed))
            for second, (v, p, s) in enumerate(
                zip(lesson.viewers, lesson.plays, lesson.still_watching, strict=True)
            ):
                rows.append((name, "viewers", second, "", int(v)))
                rows.append((name, "plays", second, "", int(p)))
                rows.append((name, "still_watching", second, "", int(s)))
            for peak in lesson.peaks:
                rows.append((name, "rewatch_peak", peak.second, "", peak.rewatches))
            for chapter in lesson.chapters:
                at = round(chapter.start, 3)
                rows.append((name, "chapter_reached", at, chapter.title, chapter.reached))
                rows.append((name, "chapter_completed", at, chapter.title, chapter.completed))
            for q in lesson.questions:
                at = round(q.at, 3)
                rows.append((name, "question_learners", at, q.prompt, q.learners))
                rows.append((name, "question_first_try_correct", at, q.prompt, q.first_correct))
                rows.append(
                    (name, "question_eventually_correct", at, q.prompt, q.eventually_correct)
                )
                rows.append(
                    (name, "question_attempts_per_learner", at, q.prompt,
                     round(q.attempts_per_learner, 3))
                )  # fmt: skip
                for option in q.options:
                    rows.append((name, "answer_count", at, f"{q.prompt} | {option.label}",
                                 option.count))  # fmt: skip
        return rows

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(self.csv_rows())
        return out.getvalue()

    def write_csv(self, path: str | Path) -> None:
        """Write :meth:`to_csv` to ``path`` atomically (UTF-8 with a BOM for spreadsheets)."""
        write_text_atomic(Path(path), "\ufeff" + self.to_csv())


# ---------------------------------------------------------------------- folding


def fold(
    course: CourseMap,
    cols: _Columns,
    keep: np.ndarray,
    responses: Sequence[str],
    *,
    reports: list[FileReport],
    duplicates: int,
) -> CourseInsights:
    """Fold the tally's columns (rows of kept statements only) into insights."""
    w = {name: _np(getattr(cols, name)) for name in vars(cols) if name.startswith("w_")}
    a = {name: _np(getattr(cols, name)) for name in vars(cols) if name.startswith("a_")}
    c = {name: _np(getattr(cols, name)) for name in vars(cols) if name.startswith("c_")}
    w_keep = keep[w["w_stmt"]] if len(w["w_stmt"]) else np.zeros(0, bool)
    a_keep = keep[a["a_stmt"]] if len(a["a_stmt"]) else np.zeros(0, bool)
    c_keep = keep[c["c_stmt"]] if len(c["c_stmt"]) else np.zeros(0, bool)
    lessons = []
    everyone: set[int] = set()
    for index, info in enumerate(course.lessons):
        rows = w_keep & (w["w_lesson"] == index)
        answers = a_keep & (a["a_lesson"] == index)
        done = c_keep & (c["c_lesson"] == index)
        lesson, learners = _lesson(
            info,
            course.threshold,
            {k: v[rows] for k, v in w.items()},
            {k: v[answers] for k, v in a.items()},
            c["c_learner"][done],
            responses,
        )
        everyone |= learners
        lessons.append(lesson)
    return CourseInsights(
        course.id,
        course.title,
        tuple(lessons),
        learners=len(everyone),
        statements=int(keep.sum()),
        duplicates=duplicates,
        reports=tuple(reports),
    )


_DTYPES = {"d": np.float64, "f": np.float32, "b": np.int8, "h": np.int16, "i": np.int32}


def _np(column: Any) -> np.ndarray:
    """A column as numpy, without a copy (only while folding: the tally appends later)."""
    kind = _DTYPES.get(column.typecode, np.int64)
    if not len(column):
        return np.zeros(0, dtype=kind)
    return np.frombuffer(column, dtype=kind)


def _lesson(
    info: LessonInfo,
    threshold: float,
    w: dict[str, np.ndarray],
    a: dict[str, np.ndarray],
    completed_learners: np.ndarray,
    responses: Sequence[str],
) -> tuple[LessonInsights, set[int]]:
    seen_end = float(w["w_end"].max()) if len(w["w_end"]) else 0.0
    n = max(1, math.ceil(info.duration if info.duration > 0 else seen_end))
    start = np.clip(np.floor(w["w_start"]), 0, n).astype(np.int64)
    end = np.clip(np.ceil(w["w_end"]), 0, n).astype(np.int64)
    valid = end > start
    learner, start, end = w["w_learner"][valid].astype(np.int64), start[valid], end[valid]
    kind, stmt = w["w_kind"][valid], w["w_stmt"][valid]
    session = w["w_session"][valid].astype(np.int64)

    m_learner, m_start, m_end = _union(learner, start, end, n)
    viewers = _coverage(m_start, m_end, n)
    # Furthest point of each learner: the drop-off curve counts who got to each second.
    ids, local = np.unique(m_learner, return_inverse=True)
    furthest = np.zeros(len(ids), np.int64)
    np.maximum.at(furthest, local, m_end)
    reached = np.bincount(furthest, minlength=n + 1)
    still = np.cumsum(reached[::-1])[::-1][1:]  # learners whose furthest is after t

    plays_rows = _play_rows(learner, kind, stmt, session)
    plays = _coverage(start[plays_rows], end[plays_rows], n)

    watched = np.bincount(local, weights=m_end - m_start, minlength=len(ids))
    covered = set(ids[watched >= threshold * n].tolist())
    done = covered | set(completed_learners.tolist())
    chapters = []
    for c_start, c_end, title in info.chapters:
        lo, hi = math.floor(c_start), max(math.floor(c_start) + 1, math.ceil(c_end))
        overlap = np.clip(np.minimum(m_end, hi) - np.maximum(m_start, lo), 0, None)
        per_learner = np.bincount(local, weights=overlap, minlength=len(ids))
        chapters.append(
            ChapterStat(
                title,
                c_start,
                c_end,
                reached=int((per_learner > 0).sum()),
                completed=int((per_learner >= threshold * (hi - lo)).sum()),
            )
        )
    questions = tuple(
        _question(
            q,
            {k: v[a["a_question"] == number] for k, v in a.items()},
            responses,
        )
        for number, q in enumerate(info.questions)
    )
    learners = set(ids.tolist()) | set(a["a_learner"].tolist()) | set(completed_learners.tolist())
    rewatch = np.maximum(plays - viewers, 0)
    lesson = LessonInsights(
        title=info.title,
        duration=info.duration if info.duration > 0 else float(n),
        learners=len(learners),
        completed=len(done),
        viewers=viewers,
        plays=plays,
        still_watching=still,
        peaks=_peaks(rewatch),
        chapters=tuple(chapters),
        questions=questions,
    )
    return lesson, learners


def _union(
    learner: np.ndarray, start: np.ndarray, end: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each learner's stretches merged where they overlap: (learner, start, end) rows."""
    if not len(learner):
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    order = np.lexsort((start, learner))
    who, s, e = learner[order], start[order], end[order]
    big = np.int64(n + 1)
    # Offsetting by learner keeps a running maximum from reaching into the next learner.
    running = np.maximum.accumulate(who * big + e)
    before = np.empty_like(running)
    before[0] = -1
    before[1:] = running[:-1]
    new = who * big + s >= before
    first = np.flatnonzero(new)
    last = np.r_[first[1:] - 1, len(who) - 1]
    return who[first], s[first], running[last] - who[first] * big


def _coverage(start: np.ndarray, end: np.ndarray, n: int) -> np.ndarray:
    """How many of the stretches cover each second."""
    diff = np.bincount(start, minlength=n + 1) - np.bincount(end, minlength=n + 1)
    return np.cumsum(diff)[:n].astype(np.int64)


def _play_rows(
    learner: np.ndarray, kind: np.ndarray, stmt: np.ndarray, session: np.ndarray
) -> np.ndarray:
    """Which rows count as plays: every watched stretch; for a learner with none, the
    longest ``played-segments`` list of each session (the lists grow as a session goes on,
    so only the last says it all)."""
    stretch = kind == STRETCH
    lists = ~stretch & ~np.isin(learner, np.unique(learner[stretch]))
    if not lists.any():
        return stretch
    rows = np.flatnonzero(lists)
    statements, first, counts = np.unique(stmt[rows], return_index=True, return_counts=True)
    group = learner[rows][first] * (int(session.max()) + 1) + session[rows][first]
    order = np.lexsort((counts, group))
    last_of_group = np.r_[group[order][1:] != group[order][:-1], True]
    best = statements[order][last_of_group]
    chosen = np.zeros(len(kind), dtype=bool)
    chosen[rows[np.isin(stmt[rows], best)]] = True
    return stretch | chosen


def _peaks(rewatch: np.ndarray) -> tuple[Peak, ...]:
    """The highest moments of re-watching, at least 10 s apart."""
    if not len(rewatch) or rewatch.max() <= 0:
        return ()
    width = min(5, len(rewatch))
    smooth = np.convolve(rewatch, np.ones(width) / width, mode="same")
    floor = max(1.0, 0.2 * float(smooth.max()))
    found: list[Peak] = []
    for second in np.argsort(-smooth, kind="stable"):
        if smooth[second] < floor or len(found) == _PEAKS:
            break
        if all(abs(int(second) - p.second) >= _PEAK_SPACING for p in found):
            found.append(Peak(int(second), int(rewatch[second])))
    return tuple(sorted(found, key=lambda p: p.second))


def _question(
    info: QuestionInfo, a: dict[str, np.ndarray], responses: Sequence[str]
) -> QuestionStat:
    learner = a["a_learner"]
    if not len(learner):
        return QuestionStat(info.id, info.prompt, info.at, 0, 0, 0, 0, _options(info, {}, {}))
    order = np.lexsort((a["a_time"], learner))
    who, success = learner[order], a["a_success"][order]
    first = np.r_[True, who[1:] != who[:-1]]
    ids, local = np.unique(who, return_inverse=True)
    ever = np.zeros(len(ids), np.int64)
    np.maximum.at(ever, local, success.astype(np.int64))
    counts: dict[str, int] = {}
    right: dict[str, int] = {}
    codes, inverse, times = np.unique(a["a_response"], return_inverse=True, return_counts=True)
    successes = np.bincount(inverse, weights=a["a_success"], minlength=len(codes))
    for code, count, good in zip(codes.tolist(), times.tolist(), successes.tolist(), strict=True):
        for label in _labels(info, responses[code]):
            counts[label] = counts.get(label, 0) + count
            right[label] = right.get(label, 0) + int(good)
    return QuestionStat(
        info.id,
        info.prompt,
        info.at,
        learners=len(ids),
        answers=len(who),
        first_correct=int(success[first].sum()),
        eventually_correct=int(ever.sum()),
        options=_options(info, counts, right),
    )


def _labels(info: QuestionInfo, response: str) -> list[str]:
    """The options one response names (a multiple choice names several)."""
    if info.kind == "truefalse" or response in ("true", "false"):
        return [response.capitalize()]
    if info.options:
        parts = response.split("[,]")
        if all(p.isdigit() and int(p) < len(info.options) for p in parts):
            return [info.options[int(p)] for p in parts]
    if info.kind == "short" or not info.options:
        return [" ".join(response.split()).casefold() or "(empty)"]
    return response.split("[,]")


def _options(
    info: QuestionInfo, counts: dict[str, int], right: dict[str, int]
) -> tuple[OptionStat, ...]:
    """The question's own options first (in order, even unchosen), then other answers,
    most given first; an answer the statements always (never) graded right is right
    (wrong), one graded both ways is ``None``."""
    out = [
        OptionStat(text, counts.pop(text, 0), index in info.correct)
        for index, text in enumerate(info.options)
    ]
    for label, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        good = right.get(label, 0)
        out.append(OptionStat(label, count, True if good == count else False if not good else None))
    return tuple(out)
