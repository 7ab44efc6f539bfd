"""What a lesson-list refresh in the Studio window costs with hundreds of courses.

The Studio refreshes its lesson list at every step of a build (a lesson appears, a
status changes). Its course switcher names every course in the output folder with its
lesson count. This bench fills an output folder with N courses of 10 lessons (each a
copy of the ``lesson.json`` of a real build of the sample lecture), opens the Studio
window on one of them (Qt offscreen), and times ``refresh_lessons()`` and
``refresh_courses()``. Reference, measured in the same run: the same window with an
output folder holding only the open course.

    .venv/bin/python bench/bench_course_switcher.py [--courses 200] [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from studio.course import Course  # noqa: E402
from studio.settings import Settings  # noqa: E402
from studio.ui.main_window import MainWindow  # noqa: E402

LESSONS = 10


def built_lesson(folder: Path) -> Path:
    """A real build of the bundled sample lecture (its lesson.json is what is copied)."""
    lesson = folder / "sample"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("lectern-studio")),
            "build",
            str(ROOT / "resources" / "sample" / "lecture.mp4"),
            "-o",
            str(lesson),
        ],
        check=True,
        capture_output=True,
    )
    return lesson / "lesson.json"


def fill(root: Path, courses: int, lesson_json: Path) -> Path:
    for number in range(courses):
        course = Course.open(root / f"course-{number:03d}")
        course.title = f"Course {number + 1}"
        for index in range(LESSONS):
            folder = course.folder / f"lesson-{index}"
            folder.mkdir()
            shutil.copyfile(lesson_json, folder / "lesson.json")
            course.lessons.append(folder.name)
        course.save()
    return root / "course-000"


def timed(call, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=200)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    app = QApplication([])
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        lesson_json = built_lesson(scratch)
        for label, courses in (
            ("1 course (reference)", 1),
            (f"{args.courses} courses", args.courses),
        ):
            root = scratch / f"out-{courses}"
            opened = fill(root, courses, lesson_json)
            settings = Settings.in_file(scratch / f"studio-{courses}.ini")
            settings.set_preference("output_folder", str(root))
            window = MainWindow(Course.open(opened), settings)
            window.show()
            app.processEvents()
            lessons = timed(window.refresh_lessons, args.runs)
            switcher = timed(window.refresh_courses, args.runs)
            rows.append((label, window.course_box.count(), lessons, switcher))
            window.close()
            app.processEvents()
    load = os.getloadavg()[0]
    print(f"{LESSONS} lessons per course, median of {args.runs} runs, load average {load:.1f}\n")
    print("| output folder | courses listed | refresh_lessons ms | refresh_courses ms |")
    print("|---|---:|---:|---:|")
    for label, listed, lessons, switcher in rows:
        print(f"| {label} | {listed} | {lessons:.1f} | {switcher:.1f} |")
    print(
        f"\nrefresh_lessons with {args.courses} courses / reference: {rows[1][2] / rows[0][2]:.2f}x"
    )


if __name__ == "__main__":
    main()
