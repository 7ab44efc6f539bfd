"""A course folder with two lessons and a class's progress files, for the insights tests.

The course folder is what the Studio keeps (``course.json``, lesson folders with
``lesson.json``, chapters and checkpoints), written with the domain's own writers.
The progress files are what learners hand in: half of them as ``lectern-player
export-progress`` writes them (``shared.xapi``), half as another Video Profile player
writes them (growing ``played-segments`` lists on ``paused``/``terminated``, a
registration per session, e-mail actors) and one as an LRS page. Learners drop off as
the lesson goes on and many re-watch the minute after the first slide change; so the
plots have a shape. Bad files sit beside the good ones.
"""

from __future__ import annotations

import json
import random
import shutil
import uuid
from pathlib import Path

from shared import xapi
from shared.chapters import Chapter, save_chapters
from shared.checkpoints import SHORT, SINGLE, Accepted, Checkpoint, Choice, save_checkpoints
from shared.files import write_json_atomic
from shared.workspace import Lesson
from studio.course import Course

LESSONS = (
    # folder, uid, title, seconds, chapters
    ("photosynthesis", "5f1c1d1e-0000-4000-8000-0000000000a1", "Photosynthesis", 180.0,
     ((0.0, 60.0, "Light reactions"), (60.0, 120.0, "The Calvin cycle"),
      (120.0, 180.0, "Summary"))),
    ("respiration", "5f1c1d1e-0000-4000-8000-0000000000a2", "Respiration", 120.0,
     ((0.0, 70.0, "Glycolysis"), (70.0, 120.0, "Krebs cycle"))),
)  # fmt: skip
QUESTIONS = (
    Checkpoint(
        "where",
        SINGLE,
        "Where do the light reactions happen?",
        choices=(Choice("Thylakoids", True), Choice("Stroma"), Choice("Nucleus")),
        after_chapter=1,
    ),
    Checkpoint("atp", SHORT, "How many ATP per glucose, roughly?", accepted=(Accepted(number=30, tolerance=2),), at=150.0),
)  # fmt: skip
NOW_MS = 1_780_000_000_000


def make_course(folder: Path, video: Path | None = None) -> Course:
    """The course folder (``video``: a real video copied into each lesson, else a stub)."""
    course = Course.open(folder)
    course.title = "Biology 101"
    course.save()
    for name, uid, title, seconds, chapters in LESSONS:
        lesson_dir = folder / name
        lesson_dir.mkdir()
        if video is not None:
            shutil.copy(video, lesson_dir / "video.mp4")
        else:
            (lesson_dir / "video.mp4").write_bytes(b"")
        save_chapters([Chapter(s, e, t, source="manual") for s, e, t in chapters],
                      lesson_dir / "chapters.json")  # fmt: skip
        checkpoints = None
        if name == "photosynthesis":
            save_checkpoints(lesson_dir / "checkpoints.json", QUESTIONS)
            checkpoints = "checkpoints.json"
        lesson = Lesson(
            id=name,
            title=title,
            duration=seconds,
            video="video.mp4",
            chapters="chapters.json",
            uid=uid,
            checkpoints=checkpoints,
        )
        write_json_atomic(lesson_dir / "lesson.json", lesson.to_dict())
        course.add_lesson(lesson_dir)
    return course


def _lectern_learner(course_id: str, n: int, rng: random.Random) -> list[dict]:
    who = xapi.actor(str(uuid.UUID(int=n + 1)))
    out: list[dict] = []
    at = NOW_MS - 86_400_000 * (n % 9 + 1)
    for name, uid, title, seconds, _chapters in LESSONS:
        activity = xapi.lesson_activity(course_id, uid)
        stop = seconds if rng.random() < 0.55 else rng.uniform(15, seconds)
        stretches = [(0.0, stop)]
        if stop > 100 and rng.random() < 0.3:  # skips the dull part: a seek ahead
            stretches = [(0.0, 20.0), (45.0, stop)]
        if stop > 75 and rng.random() < 0.6:
            stretches.append((60.0, rng.uniform(68, 78)))  # back to the slide change
        for start, end in stretches:
            out.append(xapi.played(who, activity, title, start, end, at_ms=at))
            at += 60_000
        if stop >= 0.9 * seconds:
            out.append(xapi.completed(who, activity, title, length=seconds,
                                      segments=stretches, progress=stop / seconds, at_ms=at))  # fmt: skip
        if name == "photosynthesis" and stop > 60:
            first = 0 if rng.random() < 0.6 else rng.choice([1, 2])
            for response in [first] if first == 0 else [first, 0]:
                out.append(
                    xapi.answered(
                        who,
                        xapi.checkpoint_activity(course_id, uid, "where"),
                        prompt=QUESTIONS[0].prompt,
                        interaction="choice",
                        response=str(response),
                        success=response == 0,
                        attempts=1,
                        at_ms=at,
                    )
                )
                at += 5_000
        if name == "photosynthesis" and stop > 150:
            typed = rng.choice(["30", "32", "36", "38", "2"])
            out.append(
                xapi.answered(
                    who,
                    xapi.checkpoint_activity(course_id, uid, "atp"),
                    prompt=QUESTIONS[1].prompt,
                    interaction="numeric",
                    response=typed,
                    success=abs(float(typed) - 30) <= 2,
                    attempts=1,
                    at_ms=at,
                )
            )
    return out


def _other_player_learner(course_id: str, n: int, rng: random.Random) -> list[dict]:
    """Another Video Profile player: growing played-segments lists per session."""
    who = {"objectType": "Agent", "mbox": f"mailto:learner{n}@example.org"}
    out: list[dict] = []
    for _name, uid, _title, seconds, _chapters in LESSONS:
        registration = str(uuid.UUID(int=(n << 8) + len(out) + 1))
        stop = seconds if rng.random() < 0.5 else rng.uniform(15, seconds)
        segments = [(0.0, min(stop, 60.0))]
        if stop > 100 and rng.random() < 0.3:
            segments = [(0.0, 20.0), (45.0, 60.0)]
        if stop > 60:
            segments.append((60.0, stop))
        if stop > 75 and rng.random() < 0.6:
            segments.append((60.0, 72.0))
        for count in range(1, len(segments) + 1):
            played = "[,]".join(f"{s:.3f}[.]{e:.3f}" for s, e in segments[:count])
            out.append(
                {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{n}|{uid}|{count}")),
                    "actor": who,
                    "verb": {"id": "https://w3id.org/xapi/video/verbs/paused"},
                    "object": {
                        "objectType": "Activity",
                        "id": xapi.lesson_activity(course_id, uid),
                    },  # fmt: skip
                    "timestamp": f"2026-05-0{1 + n % 8}T10:{count:02d}:00.000Z",
                    "result": {
                        "extensions": {
                            xapi.EXT["played-segments"]: played,
                            xapi.EXT["progress"]: round(stop / seconds, 3),
                            xapi.EXT["time"]: segments[count - 1][1],
                        }
                    },
                    "context": {
                        "registration": registration,
                        "extensions": {xapi.EXT["length"]: seconds},
                    },
                }
            )
    return out


def make_progress(folder: Path, course_id: str, learners: int = 40, seed: int = 14) -> Path:
    """One progress file per learner in ``folder`` (some JSON lines, one an LRS page)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(learners):
        if n % 2 == 0:
            statements = _lectern_learner(course_id, n, rng)
            (folder / f"learner-{n:02d}.json").write_text(json.dumps(statements, indent=1))
        else:
            statements = _other_player_learner(course_id, n, rng)
            if n == 1:
                page = {"statements": statements, "more": ""}
                (folder / f"lrs-page-{n:02d}.json").write_text(json.dumps(page))
            else:
                lines = "\n".join(json.dumps(s) for s in statements) + "\n"
                (folder / f"learner-{n:02d}.jsonl").write_text(lines)
    return folder


def add_bad_files(folder: Path, course_id: str) -> dict[str, str]:
    """Hostile files beside the good ones; returns name -> the start of its sentence."""
    (folder / "broken.json").write_text('[{"verb": {"id": "x"}, "object": ', encoding="utf-8")
    other = xapi.played(xapi.actor("x"), xapi.lesson_activity("some-other-course", "l"), "L",
                        0, 10, at_ms=NOW_MS)  # fmt: skip
    (folder / "other-course.json").write_text(json.dumps([other]))
    shutil.copy(folder / "learner-00.json", folder / "learner-00-again.json")
    return {
        "broken.json": "broken.json was not imported: it ends in the middle",
        "other-course.json": "other-course.json was not imported: none of its statements",
    }
