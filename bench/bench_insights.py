"""Insights for 2,000 learners x 20 lessons: load time and peak memory (issue 14).

Target: several million statements load in <= 5 s at <= 500 MB peak memory.

The class: 2,000 learners, each handing in one progress file (the teacher's folder),
20 lessons of 10 minutes with 4 chapters and 3 questions each. Every learner-lesson is
the stream of events a Video Profile player queues: ``initialized``; two sessions
each with a ``played``, and eight times a ``paused`` (with the session's growing
``played-segments`` and ``progress``), a ``seeked`` and a ``played``; then ``completed``
and ``terminated`` with all the segments, and 3 to 4 ``answered``. About 2.2 million
statements, 1.3 GB of JSON; generated once and kept in ~/.cache/lectern-bench-insights.

Each measurement runs in a fresh process (its peak resident memory is its own):

* Lectern: ``studio.insights.add_progress`` + ``Tally.result`` over the folder;
* Lectern, opened again: ``load_tally`` of what the first import kept + ``result``
  (what the Studio's Insights window does when it opens after an import);
* reference: plain ``json.load`` of each file in turn, keeping nothing (the least any
  reader that parses the JSON with the standard library must do); and the same with
  ``orjson.loads``, the decoder Lectern's reader uses for files up to 16 MB.

Run: ``nice -n 10 .venv/bin/python bench/bench_insights.py [--learners 2000]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from shared import xapi  # noqa: E402
from shared.insights import CourseMap, LessonInfo, QuestionInfo  # noqa: E402

COURSE = "b0b0b0b0-0000-4000-8000-000000000014"
LESSONS = 20
SECONDS = 600.0
CACHE = Path.home() / ".cache" / "lectern-bench-insights"
_VIDEO = "https://w3id.org/xapi/video/verbs/"


def course_map() -> CourseMap:
    lessons = []
    for n in range(LESSONS):
        chapters = tuple((i * 150.0, (i + 1) * 150.0, f"Part {i + 1}") for i in range(4))
        questions = tuple(
            QuestionInfo(f"q{i}", f"Question {i}", "single", ("A", "B", "C", "D"), (0,), 150.0 * (i + 1))
            for i in range(3)
        )  # fmt: skip
        lessons.append(
            LessonInfo((f"lesson-{n:02d}",), f"Lesson {n + 1}", SECONDS, chapters, questions)
        )
    return CourseMap(COURSE, "Bench course", tuple(lessons))  # fmt: skip


def _statement(who: dict, verb: str, activity: str, when: int, result=None, context=None, key=""):
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(when)) + ".000Z"
    statement = {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{who['account']['name']}|{verb}|{activity}|{key}")),
        "actor": who,
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": {"objectType": "Activity", "id": activity,
                   "definition": {"type": "https://w3id.org/xapi/video/activity-type/video"}},
        "timestamp": stamp,
        "context": {"contextActivities": {"category": [{"id": "https://w3id.org/xapi/video"}]},
                    "extensions": context or {}},
    }  # fmt: skip
    if result:
        statement["result"] = result
    return statement


def learner_statements(n: int) -> list[dict]:
    rng = random.Random(n)
    who = xapi.actor(str(uuid.UUID(int=n + 1)))
    out: list[dict] = []
    when = 1_760_000_000 + n * 3600
    for lesson in range(LESSONS):
        activity = xapi.lesson_activity(COURSE, f"lesson-{lesson:02d}")
        length = {xapi.EXT["length"]: SECONDS}
        out.append(_statement(who, xapi.VERBS["initialized"], activity, when, context=length))
        everything: list[tuple[float, float]] = []
        for session in range(2):
            reg = {
                **length,
                "registration": str(uuid.UUID(int=(n << 16) + (lesson << 4) + session)),
            }
            segments: list[tuple[float, float]] = []
            position = rng.uniform(0, 30) if session else 0.0
            out.append(_statement(who, _VIDEO + "played", activity, when, {"extensions": {xapi.EXT["time"]: position}}, reg, f"{lesson}p{session}"))  # fmt: skip
            for step in range(8):
                end = min(SECONDS, position + rng.uniform(20, 70))
                segments.append((position, end))
                when += int(end - position) + 5
                played = xapi.played_segments(segments)
                out.append(_statement(who, _VIDEO + "paused", activity, when, {"extensions": {xapi.EXT["time"]: round(end, 3), xapi.EXT["played-segments"]: played, xapi.EXT["progress"]: round(end / SECONDS, 3)}}, reg, f"{lesson}|{session}|{step}"))  # fmt: skip
                target = (
                    max(0.0, end - rng.uniform(5, 40))
                    if rng.random() < 0.3
                    else end + rng.uniform(0, 20)
                )
                out.append(_statement(who, _VIDEO + "seeked", activity, when, {"extensions": {xapi.EXT["time-from"]: round(end, 3), xapi.EXT["time-to"]: round(min(target, SECONDS), 3)}}, reg, f"{lesson}|{session}|{step}s"))  # fmt: skip
                out.append(_statement(who, _VIDEO + "played", activity, when, {"extensions": {xapi.EXT["time"]: round(min(target, SECONDS), 3)}}, reg, f"{lesson}|{session}|{step}p"))  # fmt: skip
                position = min(target, SECONDS - 1)
            everything += segments
        all_played = xapi.played_segments(everything)
        for verb in ("completed", "terminated"):
            out.append(_statement(who, xapi.VERBS[verb], activity, when, {"completion": verb == "completed", "extensions": {xapi.EXT["played-segments"]: all_played, xapi.EXT["progress"]: 1.0}}, length, f"{lesson}{verb}"))  # fmt: skip
        for q in range(3 + (lesson % 2)):
            question = xapi.checkpoint_activity(COURSE, f"lesson-{lesson:02d}", f"q{q % 3}")
            choice = rng.choice("0001123")
            out.append(xapi.answered(who, question, prompt="?", interaction="choice", response=choice, success=choice == "0", attempts=q // 3 + 1, at_ms=(when + q) * 1000))  # fmt: skip
        when += 86_400
    return out


def make_class(learners: int) -> Path:
    folder = CACHE / f"class-{learners}x{LESSONS}-v1"
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for n in range(learners):
        path = folder / f"learner-{n:04d}.json"
        path.write_text(json.dumps(learner_statements(n)), encoding="utf-8")
        if n % 200 == 199:
            print(f"  generated {n + 1} of {learners} files ({time.perf_counter() - started:.0f} s)", file=sys.stderr)  # fmt: skip
    done.write_text("ok")
    return folder


def _ours(folder: str) -> dict:
    from shared.insights import Tally, save_tally
    from studio.insights import add_progress

    started = time.perf_counter()
    tally = Tally(course_map())
    add_progress(tally, [Path(folder)])
    insights = tally.result()
    took = time.perf_counter() - started
    refused = [r.refused for r in insights.reports if r.refused]
    saving = time.perf_counter()
    store = save_tally(tally, Path(folder).parent / f"{Path(folder).name}.npz")
    saved = time.perf_counter() - saving
    return {"seconds": took, "statements": tally.statements, "kept": insights.statements,
            "learners": insights.learners, "refused": len(refused), "save_seconds": saved,
            "store_mb": store.stat().st_size / 1e6}  # fmt: skip


def _saved(folder: str) -> dict:
    """Open the insights again: what ``_ours`` kept, loaded and folded."""
    from shared.insights import load_tally

    started = time.perf_counter()
    tally = load_tally(Path(folder).parent / f"{Path(folder).name}.npz", course_map())
    insights = tally.result()
    return {"seconds": time.perf_counter() - started, "statements": insights.statements}


def _reference(folder: str) -> dict:
    started = time.perf_counter()
    count = 0
    for path in sorted(Path(folder).glob("*.json")):
        with open(path, encoding="utf-8") as handle:
            count += len(json.load(handle))
    return {"seconds": time.perf_counter() - started, "statements": count}


def _reference_orjson(folder: str) -> dict:
    import orjson

    started = time.perf_counter()
    count = 0
    for path in sorted(Path(folder).glob("*.json")):
        count += len(orjson.loads(path.read_bytes()))
    return {"seconds": time.perf_counter() - started, "statements": count}


def _child(kind: str, folder: Path) -> dict:
    code = (
        "import json, resource, sys; sys.path.insert(0, sys.argv[3]);"
        "from bench.bench_insights import _ours, _reference, _reference_orjson, _saved;"
        "out = {'ours': _ours, 'reference': _reference, 'orjson': _reference_orjson,"
        " 'saved': _saved}[sys.argv[1]](sys.argv[2]);"
        "usage = resource.getrusage(resource.RUSAGE_SELF);"
        "out['peak_mb'] = usage.ru_maxrss / 1024;"
        "out['cpu'] = usage.ru_utime + usage.ru_stime;"
        "print(json.dumps(out))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, kind, str(folder), str(ROOT)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


def _baseline_mb() -> float:
    code = (
        "import resource, sys; sys.path.insert(0, sys.argv[1]);"
        "import numpy, shared.insights, studio.insights;"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, check=True)  # fmt: skip
    return float(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    args = parser.parse_args()
    folder = make_class(args.learners)
    size = sum(p.stat().st_size for p in folder.glob("*.json"))
    ours = _child("ours", folder)
    reference = _child("reference", folder)
    fast = _child("orjson", folder)
    saved = _child("saved", folder)
    base = _baseline_mb()
    n = ours["statements"]
    print(f"\n{args.learners:,} learners x {LESSONS} lessons: {n:,} statements, "
          f"{size / 1e9:.2f} GB of JSON in {args.learners:,} files "
          f"({ours['learners']:,} learners found, {ours['refused']} files refused)\n")  # fmt: skip
    print(
        "| reader | wall time (s) | processor time (s) | statements/s (wall) | peak memory (MB) | target |"
    )
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    print(f"| Lectern insights (stream + tally + fold) | {ours['seconds']:.1f} | {ours['cpu']:.1f} | {n / ours['seconds']:,.0f} | {ours['peak_mb']:.0f} | <= 5 s, <= 500 MB |")  # fmt: skip
    print(f"| Lectern, opened again: kept tally loaded + fold ({ours['store_mb']:.0f} MB file, saved in {ours['save_seconds']:.1f} s) | {saved['seconds']:.1f} | {saved['cpu']:.1f} | | {saved['peak_mb']:.0f} | <= 5 s, <= 500 MB |")  # fmt: skip
    print(f"| reference: json.load per file, nothing kept | {reference['seconds']:.1f} | {reference['cpu']:.1f} | {reference['statements'] / reference['seconds']:,.0f} | {reference['peak_mb']:.0f} | |")  # fmt: skip
    print(f"| reference: orjson.loads per file, nothing kept | {fast['seconds']:.1f} | {fast['cpu']:.1f} | {fast['statements'] / fast['seconds']:,.0f} | {fast['peak_mb']:.0f} | |")  # fmt: skip
    print(f"| Python with studio.insights imported, nothing read | | | | {base:.0f} | |")
    print(f"\nLectern / reference: wall {ours['seconds'] / reference['seconds']:.2f}x, "
          f"processor {ours['cpu'] / reference['cpu']:.2f}x (against orjson: "
          f"{ours['cpu'] / fast['cpu']:.2f}x); load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
