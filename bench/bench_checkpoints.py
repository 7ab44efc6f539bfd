"""How close to its time a checkpoint stops the video, in frames.

A 30 fps lesson (ffmpeg ``testsrc2``) is built, given questions at awkward times,
packaged and imported, then played at 1x in the Player's lesson page (Qt offscreen,
real QMediaPlayer and video sink). For each question the bench records the time of
the picture (or position report) that stopped playback, and how far past the
question's time it is, in frames (negative: before it). The page then moves to
exactly the question's time (checked too).

Reference, measured in the same run: the same lesson with the gate fed only by
``positionChanged`` (what a player without the per-frame watch would do). Target:
the frame watch stops within one frame.

    .venv/bin/python bench/bench_checkpoints.py [--fps 30] [--runs 2]
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
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.checkpoints import SINGLE, Checkpoint, Choice  # noqa: E402
from shared.library import Library  # noqa: E402
from shared.workspace import LessonWorkspace  # noqa: E402
from studio.pipeline import BuildOptions, build_lesson  # noqa: E402

TIMES = (2.0, 4.37, 7.5, 10.01, 13.3, 16.66)


def make_library(folder: Path, fps: int) -> tuple[Path, str]:
    video = folder / "talk.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size=640x360:rate={fps}:duration=20",
            "-pix_fmt",
            "yuv420p",
            str(video),
        ],
        check=True,
    )
    lesson = folder / "lesson"
    build_lesson(video, lesson, BuildOptions(title="Gates"))
    questions = [
        Checkpoint(
            f"q{n}", SINGLE, f"Question {n}?", choices=(Choice("a", True), Choice("b")), at=at
        )
        for n, at in enumerate(TIMES)
    ]
    LessonWorkspace.open(lesson).save_checkpoints(questions)
    out = folder / "course.lectern"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "studio.cli",
            "package",
            str(lesson),
            "-o",
            str(out),
            "--title",
            "Bench",
            "--id",
            "bench",
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "LECTERN_STUDIO_CONFIG": str(folder)},
    )
    root = folder / "library"
    with Library.open(root) as library:
        lesson_id = library.import_course(out) and library.lessons("bench")[0].id
    return root, lesson_id


def measure(root: Path, lesson_id: str, per_frame: bool, fps: int) -> list[dict]:
    from PySide6.QtWidgets import QApplication

    from player.settings import Settings
    from player.ui.lesson_view import LessonView

    app = QApplication.instance() or QApplication([])
    library = Library.open(root)
    view = LessonView(library, Settings.in_file(str(root / "bench.ini")))
    view.resize(1200, 800)
    view.show()
    if not per_frame:
        view.video.frameShown.disconnect(view.gate.check)
    rows = []
    try:
        view.open_lesson("bench", lesson_id, 0.0)
        deadline = time.monotonic() + 30
        while not view.video.is_loaded() and time.monotonic() < deadline:
            app.processEvents()
        view.video.play()
        for at in TIMES:
            deadline = time.monotonic() + 40
            while not view.gate.is_asking() and time.monotonic() < deadline:
                app.processEvents()
                time.sleep(0.001)
            gate, seen = view.gate.stops[-1]
            for _ in range(20):
                app.processEvents()
            rows.append(
                {
                    "at": at,
                    "gate": gate,
                    "picture_frames": (seen - at) * fps,
                    "moved_to": view.video.position(),
                }
            )
            view.gate.card.skip_button.click()  # not required: skipped, asked again next run
            app.processEvents()
    finally:
        view.close_lesson()
        view.close()
        library.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lectern-bench-checkpoints-"))
    try:
        root, lesson_id = make_library(folder, args.fps)
        results: dict[str, list[dict]] = {"frame watch (Lectern)": [], "positionChanged only": []}
        for _ in range(args.runs):
            results["frame watch (Lectern)"] += measure(root, lesson_id, True, args.fps)
            results["positionChanged only"] += measure(root, lesson_id, False, args.fps)
        print(f"{len(TIMES)} questions x {args.runs} runs, {args.fps} fps, 1x speed, offscreen\n")
        print(
            "| gate fed by | stops | stopped past the time, frames: median | min | max "
            "| within 1 frame | moved to exact time |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, rows in results.items():
            pictures = [row["picture_frames"] for row in rows]
            within = sum(-1 <= p <= 1 for p in pictures)
            exact = sum(abs(row["moved_to"] - row["at"]) < 1e-3 for row in rows)
            print(
                f"| {name} | {len(rows)} | {statistics.median(pictures):.2f} | "
                f"{min(pictures):.2f} | {max(pictures):.2f} "
                f"| {within}/{len(rows)} | {exact}/{len(rows)} |"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
