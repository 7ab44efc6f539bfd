"""Screenshots of the LRS settings dialog and the sync status in the Player's status bar.

    .venv/bin/python -m tests.xserver --screen 1600x1000x24 -- \\
        .venv/bin/python tests/player/make_lrs_screenshot.py

A real Ralph LRS is started on loopback (``tests/lrs.py``); the sample course is built
and imported; a lesson is opened and left, so its events wait in the queue. The dialog
(File > LRS and sync…) is filled in and shot; after Save the window's background sync
sends the queue and the status bar says "LRS: all sent at HH:MM". Writes
``docs/screenshots/player-lrs-settings.png`` and ``player-lrs-synced.png``.
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
from tests.lrs import Ralph  # noqa: E402
from tests.screenshot_tools import shoot, wait, wait_until  # noqa: E402

SAMPLE = ROOT / "resources" / "sample" / "lecture.mp4"


def build_package(folder: Path) -> Path:
    lesson, package = folder / "water-cycle", folder / "course.lectern"
    studio = [sys.executable, "-m", "studio.cli"]
    subprocess.run([*studio, "build", str(SAMPLE), "-o", str(lesson)], check=True)
    subprocess.run(
        [*studio, "package", str(lesson), "-o", str(package)]
        + ["--title", "Introduction to Earth Science", "--id", "earth-science"],
        check=True,
    )
    return package


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    app = QApplication(sys.argv[:1])
    theme.apply(app)
    with tempfile.TemporaryDirectory(prefix="lectern-shots-") as temp:
        folder = Path(temp)
        package = build_package(folder)
        with Ralph(folder / "ralph") as server:
            library = Library.open(folder / "library")
            course = library.import_course(package).course_id
            window = MainWindow(library, Settings.in_file(str(folder / "player.ini")))
            window.resize(1280, 800)
            window.move(40, 30)
            window.show()
            wait_until(lambda: window.isVisible())
            window.open_lesson(course, library.lessons(course)[0].id, 0.0)
            wait(1500)
            window.show_library()
            window.lrs_action.trigger()
            dialog = window.lrs_dialog
            wait_until(dialog.isVisible)
            dialog.fields["lrs_address"].setText(server.url)
            dialog.fields["lrs_user"].setText(server.user)
            dialog.fields["lrs_key"].setText(server.key)
            wait(500)
            shoot(dialog, args.out / "player-lrs-settings.png")
            dialog.save()
            wait_until(lambda: window.sync.label.text().startswith("LRS: all sent"), 120)
            wait(500)
            shoot(window, args.out / "player-lrs-synced.png")
            window.close()
            library.close()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
