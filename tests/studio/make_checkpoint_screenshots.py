"""Screenshot of the Studio's Checkpoints tab for the docs, from a real X server.

Run under Xvfb (video surfaces only show in a screen grab)::

    .venv/bin/python -m tests.xserver --screen 1600x1000x24 -- .venv/bin/python tests/studio/make_checkpoint_screenshots.py

Imports the sample lecture into a new course through the window, imports the Moodle
GIFT sample bank at 0:40 in the Checkpoints tab, makes two questions required and one
offer a re-watch, and writes ``docs/screenshots/studio-checkpoints.png``; then opens
the form on a question (Enter in the list) and writes
``docs/screenshots/studio-question-form.png``, and a new short-answer question refused
for its tolerance as ``studio-question-form-short.png``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from shared.ui import theme  # noqa: E402
from studio.course import Course  # noqa: E402
from studio.editing import ChangeCheckpoint  # noqa: E402
from studio.settings import Settings  # noqa: E402
from studio.ui.main_window import MainWindow  # noqa: E402
from tests.screenshot_tools import shoot, wait_until  # noqa: E402
from tests.studio.make_review_screenshots import SAMPLE, seek, shoot_window  # noqa: E402

BANK = ROOT / "tests" / "shared" / "banks" / "moodle-sample.gift"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    app = QApplication(sys.argv[:1])
    theme.apply(app)
    with tempfile.TemporaryDirectory(prefix="lectern-shots-") as temp:
        course = Course.open(Path(temp) / "Earth Science")
        course.title = "Introduction to Earth Science"
        window = MainWindow(course, Settings.in_file(Path(temp) / "studio.ini"))
        window.resize(1440, 900)
        window.move(40, 30)
        window.show()
        wait_until(window.isVisible)
        window.import_videos([SAMPLE])
        wait_until(lambda: not window.busy() and not window._queue, timeout=300)
        window.lesson_list.setCurrentRow(0)
        review = window.review
        wait_until(review.video.is_loaded, timeout=30)
        seek(window, 40.0)
        review.tabs.setCurrentWidget(review.checkpoints)
        review.checkpoints.import_file(BANK)
        questions = review.session.state.checkpoints
        review.apply(ChangeCheckpoint(questions[0].id, required=True, rewatch_on_wrong=True))
        review.apply(ChangeCheckpoint(questions[1].id, at=75.0, required=True))
        review.checkpoints.table.selectRow(1)
        shoot_window(window, args.out / "studio-checkpoints.png")
        review.checkpoints.table.selectRow(0)
        dialog = review.checkpoints.edit_selected()
        wait_until(dialog.isVisible)
        shoot(dialog, args.out / "studio-question-form.png")
        dialog.reject()
        dialog = review.checkpoints.new_question()  # a short answer, refused once
        wait_until(dialog.isVisible)
        dialog.set_kind("short")
        dialog.prompt_box.setPlainText("How many degrees does water boil at, at sea level?")
        dialog.answer_lines[0].answer.setText("100")
        dialog.answer_lines[0].tolerance.setText("about 1")
        dialog.answer_lines[0].feedback.setText("Yes: 100 °C at 1 atmosphere.")
        dialog.answer_lines[1].answer.setText("one hundred")
        dialog.wrong_box.setText("Watch the part on boiling again.")
        dialog.save_button.click()
        shoot(dialog, args.out / "studio-question-form-short.png")
        dialog.reject()
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
