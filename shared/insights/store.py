"""What a tally counted, kept between sessions: open the insights again without re-reading.

Reading a class's progress files is the slow part (JSON parsing, about 30,000 statements
a second on a busy 2-core machine); the counted columns are small (23 bytes a row). The
Studio keeps them in the course folder (``.insights/progress.npz``, numpy's ``.npz``
with the columns and one JSON member of names), so the next time the teacher opens
Learner insights they load in a second or two and only new files are read.

Lessons and questions are stored by activity id, so lessons added, removed or moved in
the course since keep their numbers; rows of a lesson no longer in the course are left out.
"""

from __future__ import annotations

import json
import zipfile
from array import array
from pathlib import Path

import numpy as np

from shared import xapi
from shared.errors import LecternError
from shared.files import atomic_path
from shared.insights.course import CourseMap
from shared.insights.tally import FileReport, Tally, _Columns

__all__ = ["STORE_NAME", "InsightsStoreError", "save_tally", "load_tally"]

#: The store's place inside a course folder (hidden: not a lesson, not packaged).
STORE_NAME = ".insights/progress.npz"
_VERSION = 1


class InsightsStoreError(LecternError):
    """The saved insights cannot be read (they are then read again from the files)."""


def save_tally(tally: Tally, path: str | Path) -> Path:
    """Write what ``tally`` counted to ``path`` atomically.

    Raises:
        OutputNotWritableError, DiskFullError: the file cannot be written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    course = tally.course
    meta = {
        "version": _VERSION,
        "course": course.id,
        "lessons": [
            [xapi.lesson_activity(course.id, key) for key in lesson.keys]
            for lesson in course.lessons
        ],
        "questions": [
            [xapi.checkpoint_activity(course.id, lesson.keys[0], q.id) for q in lesson.questions]
            for lesson in course.lessons
        ],
        "learners": list(tally._learners),
        "sessions": list(tally._sessions),
        "responses": list(tally._responses),
        "reports": [vars(report) for report in tally.reports],
        "seen": tally._seen,
        "lengths": {
            xapi.lesson_activity(course.id, course.lessons[i].keys[0]): length
            for i, length in tally._lengths.items()
            if length
        },
    }
    columns = {
        name: np.frombuffer(column, dtype=column.typecode) if len(column) else np.zeros(0)
        for name, column in vars(tally._cols).items()
    }
    with atomic_path(path) as temp, open(temp, "wb") as out:
        np.savez(out, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **columns)
    return path


def load_tally(path: str | Path, course: CourseMap, *, now: float | None = None) -> Tally:
    """A tally for ``course`` holding what was saved in ``path``.

    Raises:
        InsightsStoreError: the file is missing, damaged, of another course or format.
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(data["meta"].tobytes())
            if meta.get("version") != _VERSION or meta.get("course") != course.id:
                raise InsightsStoreError(
                    f"The saved insights in {path} are of another course or Lectern version; "
                    "import the progress files again."
                )
            stored = {name: data[name] for name in data.files if name != "meta"}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise InsightsStoreError(
            f"The saved insights in {path} cannot be read ({error}); import the progress "
            "files again."
        ) from error
    tally = Tally(course, now=now)
    lessons, questions = tally._lessons, tally._questions
    lesson_map = np.array(
        [next((lessons[a] for a in ids if a in lessons), -1) for ids in meta["lessons"]] + [-1],
        dtype=np.int64,
    )
    question_map: dict[tuple[int, int], tuple[int, int]] = {}
    for old_lesson, ids in enumerate(meta["questions"]):
        for old_q, activity in enumerate(ids):
            found = questions.get(activity)
            if found is not None:
                question_map[(old_lesson, old_q)] = found
    cols = _Columns()
    for prefix in ("w_", "c_"):
        lesson = stored[prefix + "lesson"].astype(np.int64)
        new = lesson_map[np.where(lesson >= 0, lesson, len(lesson_map) - 1)]
        keep = new >= 0
        for name in vars(cols):
            if name.startswith(prefix):
                values = new[keep] if name == prefix + "lesson" else stored[name][keep]
                _fill(getattr(cols, name), values)
    a_lesson, a_question = stored["a_lesson"], stored["a_question"]
    pairs = [question_map.get((int(x), int(y)), (-1, -1)) for x, y in zip(a_lesson, a_question, strict=True)]  # fmt: skip
    keep = np.array([p[0] >= 0 for p in pairs], dtype=bool)
    for name in vars(cols):
        if name.startswith("a_"):
            if name == "a_lesson":
                values = np.array([p[0] for p in pairs], dtype=np.int64)[keep]
            elif name == "a_question":
                values = np.array([p[1] for p in pairs], dtype=np.int64)[keep]
            else:
                values = stored[name][keep]
            _fill(getattr(cols, name), values)
    _fill(cols.ids, stored["ids"])
    tally._cols = cols
    tally._learners = {key: n for n, key in enumerate(meta["learners"])}
    tally._sessions = {key: n for n, key in enumerate(meta["sessions"])}
    tally._responses = {key: n for n, key in enumerate(meta["responses"])}
    tally.reports = [FileReport(**report) for report in meta["reports"]]
    tally._seen = dict(meta["seen"])
    for activity, length in meta.get("lengths", {}).items():
        index = lessons.get(activity)
        if index is not None and index in tally._lengths:
            tally._lengths[index] = max(tally._lengths[index], float(length))
    return tally


def _fill(column: array, values: np.ndarray) -> None:
    column.frombytes(memoryview(np.ascontiguousarray(values, dtype=column.typecode)).cast("B"))
