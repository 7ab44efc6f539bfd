"""How fast a large course package is imported into the library, against a plain copy.

Builds one course package of ``--lessons`` lessons (default 20) whose random "videos"
add up to ``--size-mb`` (default 800 MB, so 40 MB a lesson) plus a real-format
transcript (a 30-minute lesson's worth of segments with word timings) and chapters
per lesson, then times, in the same run and with a warm page cache:

* ``shutil.copyfile`` of the package into a folder next to the library (the reference);
* ``Library.import_course`` of the same package into a new, empty library: full
  verification (SHA-256 of every member) while extracting, fsync of every file,
  indexing of all text in one transaction and the final rename;
* the backup an import takes when it has succeeded (``VACUUM INTO``, timed on its own
  and already part of the import time above): the target is < 5% of the import.

Both runs are repeated ``--repeat`` times and the best is kept. Prints a Markdown
table; the target is import <= 1.5 x copy. Free disk space is checked first (the
package, one copy and one extracted library at a time).

    .venv/bin/python bench/bench_import.py --size-mb 800
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared import package as pkg  # noqa: E402
from shared.chapters import Chapter, save_chapters  # noqa: E402
from shared.library import Library  # noqa: E402
from shared.manifest import CourseInfo  # noqa: E402
from shared.transcription import Segment, Transcript, Word  # noqa: E402

MB = 1_000_000
MiB = 1 << 20
WORDS = [
    "the",
    "cell",
    "membrane",
    "energy",
    "plants",
    "light",
    "sugar",
    "water",
    "protein",
    "enzyme",
    "structure",
]


def _video(path: Path, size: int) -> Path:
    with open(path, "wb") as out:
        left = size
        while left:
            piece = min(left, 16 * MiB)
            out.write(os.urandom(piece))
            left -= piece
    return path


def _transcript(path: Path, rng: random.Random, minutes: int = 30) -> Path:
    segments = []
    for number in range(minutes * 12):
        start = 5.0 * number
        words = tuple(
            Word(start + 0.4 * i, start + 0.4 * i + 0.3, " " + rng.choice(WORDS), 0.9)
            for i in range(12)
        )
        text = "".join(word.text for word in words).strip()
        segments.append(Segment(start, start + 5.0, text, words, -0.2, 0.01))
    Transcript(tuple(segments), "en", minutes * 60.0, "tiny.en", "faster-whisper").save_json(path)
    return path


def _make_package(folder: Path, lessons: int, size: int) -> Path:
    rng = random.Random(5)
    sources = []
    for number in range(lessons):
        lesson_dir = folder / f"l{number}"
        lesson_dir.mkdir()
        chapters = lesson_dir / "chapters.json"
        save_chapters(
            [
                Chapter(180.0 * i, 180.0 * (i + 1), f"Part {i} of lesson {number}")
                for i in range(10)
            ],
            chapters,
        )
        sources.append(
            pkg.LessonSource(
                id=f"lesson-{number + 1:02d}",
                title=f"Lesson {number + 1}",
                duration=1800.0,
                video=_video(lesson_dir / "video.mp4", size // lessons),
                transcript=_transcript(lesson_dir / "transcript.json", rng),
                chapters=chapters,
            )
        )
    course = CourseInfo("bench-course", 1, "Benchmark course", created="2024-01-01T00:00:00Z")
    out = folder / "course.lectern"
    pkg.write_package(course, sources, out)
    return out


def _best(times: list[float]) -> float:
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=int, default=800, help="total video size (800)")
    parser.add_argument("--lessons", type=int, default=20, help="lessons in the course (20)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, best kept (3)")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (a temp folder)")
    args = parser.parse_args()
    size = args.size_mb * MB

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        work = Path(tmp)
        free = shutil.disk_usage(work).free
        if free < 3.2 * size + 200 * MB:
            sys.exit(f"Need about {3.2 * size / MB:,.0f} MB free in {work}, have {free / MB:,.0f}.")
        sources = work / "sources"
        sources.mkdir()
        start = time.perf_counter()
        package = _make_package(sources, args.lessons, size)
        made = time.perf_counter() - start
        package_bytes = package.stat().st_size

        copies, imports, backups = [], [], []
        for _ in range(args.repeat):
            target = work / "copy.lectern"
            start = time.perf_counter()
            shutil.copyfile(package, target)
            copies.append(time.perf_counter() - start)
            target.unlink()

            root = work / "library"
            with Library.open(root) as library:
                start = time.perf_counter()
                result = library.import_course(package)
                imports.append(time.perf_counter() - start)
                assert result.action == "imported"
                segments = library.db["segments"].count
                start = time.perf_counter()
                backup = library.backups.take()
                backups.append(time.perf_counter() - start)
                backup_bytes = backup.stat().st_size
            shutil.rmtree(root)

    copy, imported, backed = _best(copies), _best(imports), _best(backups)
    ratio = imported / copy
    print(f"# Course import benchmark ({platform.machine()}, Python {platform.python_version()})\n")
    print(f"Package: {args.lessons} lessons, {package_bytes / MB:,.0f} MB, {segments:,} segments; ")
    print(f"built in {made:.1f} s. Best of {args.repeat} runs, warm page cache.\n")
    print("| step | seconds | MB/s | ratio to copy |")
    print("|---|---|---|---|")
    print(f"| shutil.copyfile (reference) | {copy:.2f} | {package_bytes / MB / copy:,.0f} | 1.00 |")
    verdict = "ok" if ratio <= 1.5 else "MISSED"
    print(
        f"| Library.import_course | {imported:.2f} | {package_bytes / MB / imported:,.0f} | "
        f"{ratio:.2f} (target <= 1.5: {verdict}) |"
    )
    share = backed / imported
    verdict = "ok" if share < 0.05 else "MISSED"
    print(
        f"| backup after the import (VACUUM INTO, {backup_bytes / MB:,.1f} MB) | {backed:.3f} | "
        f"{backup_bytes / MB / backed:,.0f} | {share:.1%} of the import (target < 5%: {verdict}) |"
    )


if __name__ == "__main__":
    main()
