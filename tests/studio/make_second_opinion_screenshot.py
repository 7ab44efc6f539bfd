"""A screenshot of the Studio's review panel after "Check words…" for the docs.

Run under Xvfb (a screen grab shows the video)::

    .venv/bin/python -m tests.xserver --screen 1600x1000x24 -- .venv/bin/python tests/studio/make_second_opinion_screenshot.py

Builds a lesson from real human speech (the opening of *A Tale of Two Cities*) with the
bundled ``tiny.en``, asks the real ``base`` pack (fetched once, as the tests do) for its
second opinion through the panel, and writes ``docs/screenshots/studio-second-opinion.png``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtGui import QCursor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from shared import speech_models  # noqa: E402
from shared.media import ffmpeg_exe  # noqa: E402
from shared.ui import theme  # noqa: E402
from studio.pipeline import BuildOptions, build_lesson  # noqa: E402
from studio.ui.review import ReviewPanel  # noqa: E402
from tests.screenshot_tools import shoot, wait, wait_until  # noqa: E402
from tests.spoken_lectures import human_speech  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    os.environ["LECTERN_MODELS_DIR"] = str(Path.home() / ".cache" / "lectern-test-models")
    if speech_models.installed_model("base") is None:
        speech_models.install_model("base")
    wav = dict((p.name, p) for p, _ in human_speech())["two_cities.wav"]
    app = QApplication(sys.argv[:1])
    theme.apply(app)
    with tempfile.TemporaryDirectory(prefix="lectern-shots-") as temp:
        video = Path(temp) / "two-cities.mp4"
        subprocess.run(
            [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "color=c=0x2b3a55:s=640x360:r=10",
             "-i", str(wav), "-shortest", "-c:v", "libx264", "-c:a", "aac", str(video)],
            check=True,
        )  # fmt: skip
        folder = Path(temp) / "lesson"
        build_lesson(video, folder, BuildOptions())
        panel = ReviewPanel()
        panel.resize(1100, 760)
        panel.move(40, 30)
        panel.show()
        wait_until(panel.isVisible)
        panel.open_lesson(folder)
        wait_until(panel.video.is_loaded)
        panel.check_words()
        wait_until(lambda: panel.check_job is None, timeout=600)
        row = next(
            r for r in range(panel.transcript.rowCount()) if panel.transcript.item(r, 1).toolTip()
        )
        panel.transcript.selectRow(row)
        QCursor.setPos(panel.screen().geometry().bottomRight())
        wait(800)
        out = args.out / "studio-second-opinion.png"
        shoot(panel, out)
        print(out)
        panel.close_lesson()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
