"""Time from launch to an interactive Player library window with 200 courses.

Builds a library of 200 courses (10 lessons each, full transcripts indexed through
the same code path import uses), then starts a fresh Python process that opens the
Player window on it and stops the clock when the library view shows every course
card and the event loop is idle. Reference, measured in the same run: a fresh
process that opens a bare Qt main window. Qt runs offscreen. Target: under 1.5 s.

    .venv/bin/python bench/bench_startup.py [--courses 200] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_search import Corpus  # noqa: E402

from shared.library import Library  # noqa: E402

PLAYER = """
import time, sys
t0 = float(sys.argv[2])
from PySide6.QtWidgets import QApplication
from shared.library import Library
from shared.ui import theme
from player.app import make_window
from player.settings import Settings
app = QApplication([])
theme.apply(app)
library = Library.open(sys.argv[1])
window = make_window(library, Settings.in_file(sys.argv[1] + "/bench.ini"))
window.show()
while len(window.library_view.course_cards()) < int(sys.argv[3]):
    app.processEvents()
app.processEvents()
print(time.time() - t0)
library.close()
"""

BARE = """
import time, sys
t0 = float(sys.argv[2])
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication([])
window = QMainWindow()
window.setCentralWidget(QLabel("hello"))
window.show()
app.processEvents()
print(time.time() - t0)
"""


def _launch(code: str, root: Path, courses: int) -> float:
    import time

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    start = time.time()
    result = subprocess.run(
        [sys.executable, "-c", code, str(root), repr(start), str(courses)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--courses", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    corpus = Corpus()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "library"
        with Library.open(root) as library:
            for number in range(args.courses):
                manifest, texts = corpus.course(number)
                with library.atomic():
                    library._store_course(manifest, texts)  # the indexing code path of import
        rows = {"bare Qt main window (reference)": [], "Lectern Player library": []}
        for _ in range(args.runs):  # alternate, so machine noise hits both alike
            rows["bare Qt main window (reference)"].append(_launch(BARE, root, args.courses))
            rows["Lectern Player library"].append(_launch(PLAYER, root, args.courses))
    print(f"Launch to interactive window, {args.courses} courses, {args.runs} runs, offscreen Qt")
    print()
    print("| launch | median s | max s | target |")
    print("|---|---:|---:|---|")
    for name, times in rows.items():
        target = "< 1.5 s" if "Player" in name else ""
        met = " (met)" if target and statistics.median(times) < 1.5 else ""
        print(f"| {name} | {statistics.median(times):.2f} | {max(times):.2f} | {target}{met} |")


if __name__ == "__main__":
    main()
