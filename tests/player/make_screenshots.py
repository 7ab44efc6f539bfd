"""Screenshots of the Player window for the docs, taken from a real X server.

Run under Xvfb (video surfaces only show in a screen grab, not in ``widget.grab()``)::

    .venv/bin/python -m tests.xserver --screen 1600x1000x24 -- .venv/bin/python tests/player/make_screenshots.py

Builds a small library from the sample lecture with the real CLI, then writes
``docs/screenshots/player-library.png``, ``player-lesson.png``, ``player-search.png``,
``player-find-on-slide.png`` (Ctrl+F hits said and on slide, the Slides tab) and
``player-search-on-slide.png`` (a word said and shown on slides, found across the library).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from player.settings import Settings  # noqa: E402
from player.ui.main_window import MainWindow  # noqa: E402
from shared.library import Library  # noqa: E402
from shared.ui import theme  # noqa: E402
from tests.screenshot_tools import shoot, wait, wait_until  # noqa: E402

SAMPLE = ROOT / "resources" / "sample" / "lecture.mp4"
COURSES = (
    ("earth-science", "Introduction to Earth Science"),
    ("weather-basics", "Weather and Climate Basics"),
    ("field-methods", "Field Methods in Hydrology"),
)


def _studio(*args: object) -> None:
    subprocess.run([sys.executable, "-m", "studio.cli", *map(str, args)], check=True, cwd=ROOT)


def build_packages(folder: Path) -> list[Path]:
    lesson = folder / "lesson"
    _studio("build", SAMPLE, "-o", lesson)
    packages = []
    for course_id, title in COURSES:
        package = folder / f"{course_id}.lectern"
        _studio("package", lesson, "-o", package, "--title", title, "--id", course_id)
        packages.append(package)
    return packages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    app = QApplication(sys.argv[:1])
    theme.apply(app)
    with tempfile.TemporaryDirectory(prefix="lectern-shots-") as temp:
        folder = Path(temp)
        packages = build_packages(folder)
        library = Library.open(folder / "library")
        for package in packages:
            library.import_course(package)
        window = MainWindow(library, Settings.in_file(str(folder / "player.ini")))
        window.resize(1440, 900)
        window.move(40, 30)
        window.show()
        wait_until(lambda: window.isVisible())

        # Some history: the first course watched for a while, with notes.
        lesson_id = library.lessons("earth-science")[0].id
        library.add_watched("earth-science", lesson_id, 0, 48)
        library.save_position("earth-science", lesson_id, 48)
        library.record_opened("earth-science", lesson_id)
        library.add_note("earth-science", lesson_id, 25, "Ocean holds ~97% of Earth's water")
        library.add_note("earth-science", lesson_id, 44, "", kind="bookmark")
        library.add_note("earth-science", lesson_id, 70, "Condensation: vapour cools into droplets")
        window.library_view.refresh()
        wait(600)
        shoot(window, args.out / "player-library.png")

        window.open_lesson("earth-science", lesson_id, 50.0)
        view = window.lesson_view
        wait_until(view.video.is_loaded)
        view.video.play()
        wait_until(lambda: view.video.position() > 51.5)
        view.video.pause()
        view.tabs.setCurrentWidget(view.transcript)
        wait_until(lambda: view.video.caption_text() != "")
        wait(600)
        shoot(window, args.out / "player-lesson.png")

        window.search_box.setFocus()
        window.search_box.setText("water vapor")
        window.search_panel.run()
        wait(600)
        shoot(window, args.out / "player-search.png")

        # Words on slides: found in the lesson (said / on slide) and across the library.
        window.open_lesson("earth-science", lesson_id, 0.0)
        wait_until(view.video.is_loaded)
        view.find_in_lesson()
        view.find_box.setText("evaporation")
        view.find_next()  # the first place: the slide that shows it
        wait_until(lambda: view.video.position() > view.found()[0].time)
        view.video.pause()
        view.tabs.setCurrentWidget(view.slide_panel)
        wait_until(lambda: view.slide_panel.current_slide() is not None)
        wait(800)
        shoot(window, args.out / "player-find-on-slide.png")
        window.search_box.setFocus()
        window.search_box.setText("lakes")
        window.search_panel.run()
        wait(600)
        shoot(window, args.out / "player-search-on-slide.png")
        window.close()
        library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
