"""How fast hostile packages are refused, and what checking a lesson's text costs.

In the same run, with a warm page cache:

* ``verify_package`` of the small sound package of ``tests/shared/bad_packages.py``
  (the reference) against ``verify_package`` of hostile variants of it: a million
  chapters (about 50 MB of JSON), 5,000 chapters in a one-minute lesson, 100,000
  levels of nesting, and a transcript of 20,000 segments;
* for a one-hour transcript with word timings (1,000 segments, 12,000 words):
  ``json.loads`` alone (the reference) against :func:`shared.contents.check_member`
  (strict JSON, schema, counts, times), which every verify and import now runs.

Each timing is the best of ``--repeat``. Prints a Markdown table.

    .venv/bin/python bench/bench_hostile.py
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared import contents  # noqa: E402
from shared import package as pkg  # noqa: E402
from shared.manifest import LessonEntry  # noqa: E402
from tests.shared import bad_packages  # noqa: E402


def best(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def refuse(path: Path) -> Callable[[], None]:
    def run() -> None:
        try:
            pkg.verify_package(path)
        except pkg.InvalidContentError:
            return
        raise AssertionError(f"{path.name} was not refused")

    return run


def hour_transcript() -> bytes:
    segments = []
    for index in range(1000):
        start = index * 3.6
        words = [
            {
                "start": start + j * 0.3,
                "end": start + j * 0.3 + 0.25,
                "text": " word",
                "probability": 0.9,
            }
            for j in range(12)
        ]
        segments.append(
            {
                "start": start,
                "end": start + 3.6,
                "text": "word " * 12,
                "avg_logprob": -0.2,
                "no_speech_prob": 0.01,
                "words": words,
            }
        )
    data = {"format": 1, "language": "en", "duration": 3600.0, "segments": segments}
    return json.dumps(data).encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="lectern-bench-") as tmp:
        folder = Path(tmp)
        good = bad_packages.make_good_package(folder / "good")
        reference = best(lambda: pkg.verify_package(good), args.repeat)
        rows.append(("verify the sound package (reference)", reference, 1.0))
        cases = {case.name: case for case in bad_packages.CASES}
        for name in (
            "chapters-million",
            "chapters-too-many",
            "chapters-deep-nesting",
            "transcript-too-many-segments",
        ):
            path = cases[name].build(good, folder / f"{name}.lectern")
            size = path.stat().st_size / 1e6
            seconds = best(refuse(path), args.repeat)
            rows.append((f"refuse {name} ({size:.1f} MB package)", seconds, seconds / reference))
        data = hour_transcript()
        lesson = LessonEntry(
            id="l", title="L", duration_ms=3_600_000, video="v.mp4", transcript="t.json"
        )
        parse = best(lambda: json.loads(data), args.repeat)
        rows.append((f"json.loads of a 1-hour transcript ({len(data) / 1e6:.1f} MB)", parse, 1.0))
        check = best(
            lambda: contents.check_member(contents.TRANSCRIPT, "t.json", data, lesson),
            args.repeat,
        )
        rows.append(("check_member of the same transcript", check, check / parse))
    print(f"Python {platform.python_version()} on {platform.machine()}, best of {args.repeat}\n")
    print("| what | seconds | x reference |")
    print("|---|---:|---:|")
    for what, seconds, ratio in rows:
        print(f"| {what} | {seconds:.3f} | {ratio:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
