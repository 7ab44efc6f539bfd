"""Screenshot of a folder of videos imported as a course of its own (the Player's course page).

    .venv/bin/python -m tests.xserver --screen 1600x1000x24 -- \\
        .venv/bin/python tests/player/make_folder_screenshot.py

A folder with the sample lecture twice (``01 Water cycle.mp4``, ``02 Water cycle
again.mp4``) and an SRT file for the first, made from the sample's own narration, is
imported through the library (as File > Import a folder of videos… does); the
course page then says where the course came from. Writes
``docs/screenshots/player-video-folder.png``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from player.settings import Settings  # noqa: E402
from player.ui.main_window import MainWindow  # noqa: E402
from shared.captions import format_timestamp  # noqa: E402
from shared.library import Library  # noqa: E402
from shared.ui import theme  # noqa: E402
from tests.screenshot_tools import shoot, wait, wait_until  # noqa: E402

SAMPLE = ROOT / "resources" / "sample"


def make_folder(folder: Path) -> Path:
    videos = folder / "Earth science videos"
    videos.mkdir()
    shutil.copy(SAMPLE / "lecture.mp4", videos / "01 Water cycle.mp4")
    shutil.copy(SAMPLE / "lecture.mp4", videos / "02 Water cycle again.mp4")
    slides = json.loads((SAMPLE / "lecture.json").read_text(encoding="utf-8"))["slides"]
    blocks = [
        f"{n}\n{format_timestamp(s['start'], srt=True)} --> "
        f"{format_timestamp(s['end'], srt=True)}\n{s['narration']}\n"
        for n, s in enumerate(slides, 1)
    ]
    (videos / "01 Water cycle.srt").write_text("\n".join(blocks), encoding="utf-8")
    return videos


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    app = QApplication(sys.argv[:1])
    theme.apply(app)
    with tempfile.TemporaryDirectory(prefix="lectern-shots-") as temp:
        folder = Path(temp)
        library = Library.open(folder / "library")
        result = library.import_video_folder(make_folder(folder))
        window = MainWindow(library, Settings.in_file(str(folder / "player.ini")))
        window.resize(1280, 800)
        window.move(40, 30)
        window.show()
        wait_until(lambda: window.isVisible())
        window.library_view.refresh()
        window.library_view.show_course(result.course_id)
        wait(800)
        shoot(window, args.out / "player-video-folder.png")
        window.close()
        library.close()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
