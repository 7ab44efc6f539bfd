"""Screenshots of the Studio's review and edit panel for the docs, from a real X server.

Run under Xvfb (video surfaces only show in a screen grab, not in ``widget.grab()``)::

    .venv/bin/python -m tests.xserver --screen 1600x1000x24 -- .venv/bin/python tests/studio/make_review_screenshots.py

Imports the sample lecture into a new course through the window, then writes
``docs/screenshots/studio-course.png`` (the course with its details, cover and three
lessons), ``studio-transcript.png`` (a correction, low-confidence words, the find
bar), ``studio-chapters.png`` (chapter pictures, a chapter added by hand, a cut on
the seek bar) and ``studio-processing.png`` (a lesson watched while it is still
being built).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtGui import QCursor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from shared.ui import theme  # noqa: E402
from studio.course import Course  # noqa: E402
from studio.editing import Cut, rename_lesson  # noqa: E402
from studio.settings import Settings  # noqa: E402
from studio.ui.main_window import MainWindow  # noqa: E402
from studio.ui.review import PICTURE_ROLE  # noqa: E402
from tests.screenshot_tools import shoot, wait, wait_until  # noqa: E402

SAMPLE = ROOT / "resources" / "sample" / "lecture.mp4"


def shoot_window(window: MainWindow, path: Path) -> None:
    QCursor.setPos(window.screen().geometry().bottomRight())  # no pointer in the picture
    wait(800)
    shoot(window, path)


def seek(window: MainWindow, seconds: float) -> None:
    review = window.review
    review.video.seek(seconds)
    wait_until(lambda: abs(review.playhead() - seconds) < 0.1, timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    app = QApplication(sys.argv[:1])
    theme.apply(app)
    with tempfile.TemporaryDirectory(prefix="lectern-shots-") as temp:
        course = Course.open(Path(temp) / "Earth Science")
        course.title = "Introduction to Earth Science"
        course.author = "A. Teacher"
        course.description = (
            "How water, rock and air move around our planet: a first course for "
            "secondary schools, with one short lecture a week."
        )
        window = MainWindow(course, Settings.in_file(Path(temp) / "studio.ini"))
        window.resize(1440, 900)
        window.move(40, 30)
        window.show()
        wait_until(window.isVisible)
        window.import_videos([SAMPLE, SAMPLE, SAMPLE])
        wait_until(lambda: not window.busy() and not window._queue, timeout=300)
        titles = ("How the Water Cycle Works", "Clouds and rain", "Rivers and groundwater")
        for folder, title in zip(course.lesson_folders(), titles, strict=True):
            rename_lesson(folder, title)
        cover = course.lesson_folders()[0] / "thumbs"
        window.details.choose_cover(sorted(cover.glob("*.jpg"))[1])
        window.details.set_course(course)
        window.refresh_lessons()
        window.lesson_list.setCurrentRow(0)
        review = window.review
        wait_until(review.video.is_loaded, timeout=30)
        window.title_box.setCursorPosition(0)
        seek(window, 24.0)
        shoot_window(window, args.out / "studio-course.png")

        # The transcript editor: a correction, the find bar, low-confidence words.
        segments = review.session.state.transcript.segments
        row = next(
            i for i, s in enumerate(segments) if s.start > 6 and re.search(r"\bsky\b", s.text)
        )
        review.correct_segment(row, segments[row].text.replace("sky", "clouds"))
        review.show_find()
        review.find_box.setText("water")
        review.find_next()
        review.find_next()
        review.transcript.scrollToTop()
        shoot_window(window, args.out / "studio-transcript.png")

        # The chapter editor: pictures, a chapter added by hand, a cut on the seek bar.
        review.find_box.clear()
        chapters = review.session.state.chapters
        review.apply(Cut(chapters[3].start + 6.0, chapters[3].start + 12.0))
        seek(window, chapters[1].start + 11.0)
        review.add_chapter()
        review.tabs.setCurrentIndex(1)
        review.chapters.clearSelection()
        review.chapters.scrollToTop()
        wait_until(
            lambda: all(
                review.chapters.item(r, 0).data(PICTURE_ROLE)
                for r in range(review.chapters.rowCount())
            ),
            timeout=30,
        )
        review.seek_bar.set_selection(chapters[4].start + 4.0, chapters[4].start + 9.0)
        shoot_window(window, args.out / "studio-chapters.png")

        # A new lesson can be watched while its transcript and chapters are made.
        window.import_videos([SAMPLE])
        wait_until(lambda: window.building_media is not None, timeout=120)
        window.lesson_list.setCurrentRow(window.lesson_list.count() - 1)  # "watch it now"
        wait_until(lambda: review.previewing is not None, timeout=30)
        seek(window, 40.0)
        wait_until(lambda: window.progress_bar.value() > 350, timeout=120)
        shoot_window(window, args.out / "studio-processing.png")
        window.cancel_job()
        wait_until(lambda: not window.busy(), timeout=60)
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
