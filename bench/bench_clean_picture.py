"""Is any Lectern window in a recording? Counted frame by frame (issue #12).

Starts its own Xvfb (1280x720) with openbox, and records three ways from the
Studio window as a teacher does (``tests/desktop/drive.py studio record``: Ctrl+R,
Enter, countdown, the desktop-wide pause and stop keys, the title question): the
whole screen, the top of it (a region) and a slides window. Every frame is searched
for each Lectern window that showed (main window, source picker, countdown, bar,
title question; template matching on their own pictures, see
``tests/desktop/pictures.py``).

Reference, in the same run: the recording bar where it used to be, at the top of the
screen it records, while :class:`studio.capture.Recorder` records that screen.

    .venv/bin/python bench/bench_clean_picture.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.desktop.pictures import best_match, distinct_frames, load  # noqa: E402
from tests.xserver import start_openbox, start_xvfb, stop_xvfb  # noqa: E402

FOUND = 0.8  # as tests/desktop/test_recording_picture.py

REFERENCE = """
import sys, time
from PySide6.QtWidgets import QApplication
from shared.ui import theme
from studio.capture import Recorder, RecordingSettings
from studio.ui.recording_bar import RecordingBar
app = QApplication([])
theme.apply(app)
folder, out = sys.argv[1], sys.argv[2]
recorder = Recorder(folder, RecordingSettings(screen="0", camera="none", mic="none"))
bar = RecordingBar(recorder.stats)
bar.place_on(app.primaryScreen().availableGeometry())  # where it was before issue 12
bar.show()
end = time.monotonic() + 1.0
while time.monotonic() < end:  # paced: each processEvents() call here costs None a reference
    app.processEvents()
    time.sleep(0.01)
recorder.start()
bar.start_polling()
end = time.monotonic() + 3.0
while time.monotonic() < end:
    app.processEvents()
    time.sleep(0.01)
bar.grab().save(out)
bar.stop_polling()
recorder.stop()
"""


def count(folder: Path, templates: dict[str, str]) -> tuple[int, int, float]:
    """Frames, frames holding any of the windows, and the best match in any frame."""
    pictures = [load(name, path) for name, path in templates.items()]
    frames = with_window = 0
    best = -1.0
    for frame, times in distinct_frames(folder / "main.mkv"):
        frames += times
        scores = [best_match(picture, frame) for picture in pictures]
        best = max(best, *scores)
        with_window += times * any(score >= FOUND for score in scores)
    return frames, with_window, best


def main() -> int:
    server, display = start_xvfb(["1280x720x24"])
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    env.pop("WAYLAND_DISPLAY", None)
    manager = start_openbox(display)
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="lectern-clean-") as temp:
            work = Path(temp)
            folder = work / "reference"
            picture = work / "reference-bar.png"
            started = time.monotonic()
            subprocess.run(
                [sys.executable, "-c", REFERENCE, str(folder), str(picture)],
                env=env,
                cwd=ROOT,
                check=True,
                timeout=300,
            )
            frames, found, best = count(folder, {"bar": str(picture)})
            rows.append(
                ("reference: bar at the top of the recorded screen", 1, frames, found, best)
            )
            for what in ("screen", "region", "window"):
                from studio.course import new_course

                home = work / what
                course = new_course(home / "courses", "Biology")
                out = home / "seen.json"
                subprocess.run(
                    [sys.executable, "-m", "tests.desktop.drive", "studio", "record"]
                    + [str(course.folder), str(out)],
                    env={**env, "LECTERN_TEST_HOME": str(home), "LECTERN_RECORD": what},
                    cwd=ROOT,
                    check=True,
                    timeout=400,
                )
                seen = json.loads(out.read_text())
                frames, found, best = count(Path(seen["folder"]), seen["templates"])
                label = {
                    "screen": "Studio: whole screen (bar hidden, shown while paused)",
                    "region": "Studio: region (bar beside it)",
                    "window": "Studio: slides window (bar beside it)",
                }[what]
                rows.append((label, len(seen["templates"]), frames, found, best))
            took = time.monotonic() - started
    finally:
        manager.terminate()
        manager.wait()
        stop_xvfb(server)
    print(
        "| recording | Lectern windows looked for | frames | frames with a Lectern window "
        "| best match in any frame |"
    )
    print("|---|---:|---:|---:|---:|")
    for label, windows, frames, found, best in rows:
        print(f"| {label} | {windows} | {frames} | {found} | {best:.2f} |")
    print(f"\nA window counts as found at a match of {FOUND} or more; {took:.0f} s in all.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
