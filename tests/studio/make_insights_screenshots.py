"""Screenshots of the Studio's Learner insights window for the docs.

Run under Xvfb (or offscreen: the charts are ordinary widgets)::

    .venv/bin/python -m tests.xserver --screen 1600x1000x24 -- .venv/bin/python tests/studio/make_insights_screenshots.py

Makes the two-lesson course of ``tests.studio.insights_course`` with 40 learners'
progress files and two bad files, imports the folder through the window and writes
``docs/screenshots/studio-insights-watching.png``, ``-chapters.png`` and ``-questions.png``,
and ``-lrs.png`` (the dialog of "Read from LRS…").
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
from studio.ui.insights_window import InsightsWindow  # noqa: E402
from studio.ui.lrs_dialog import LrsDialog  # noqa: E402
from tests.screenshot_tools import wait, wait_until  # noqa: E402
from tests.studio.insights_course import add_bad_files, make_course, make_progress  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    app = QApplication(sys.argv[:1])
    theme.apply(app)
    with tempfile.TemporaryDirectory(prefix="lectern-shots-") as temp:
        course = make_course(Path(temp) / "course")
        progress = make_progress(Path(temp) / "progress", course.id)
        add_bad_files(progress, course.id)
        window = InsightsWindow(course.folder)
        window.resize(1100, 820)
        window.show()
        wait_until(window.isVisible)
        window.import_progress([progress])
        wait_until(lambda: window.job is None, timeout=60)
        for index, name in enumerate(("watching", "chapters", "questions")):
            window.tabs.setCurrentIndex(index)
            wait(300)
            out = args.out / f"studio-insights-{name}.png"
            window.grab().save(str(out))
            print(out)
        dialog = LrsDialog("https://lrs.example.org/xAPI/", "biology-teacher", window)
        dialog.key_box.setText("secret")
        dialog.show()
        wait(300)
        out = args.out / "studio-insights-lrs.png"
        dialog.grab().save(str(out))
        print(out)
        dialog.close()
        window.close()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
