"""Screenshot of Settings > Transcription with the model list open (docs/screenshots).

Run on a private X server::

    .venv/bin/python -m tests.xserver -- .venv/bin/python tests/studio/make_settings_screenshot.py

It shows the models of this computer (install ``base`` first for the full list) with
the speed measured here.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from studio.settings import Settings  # noqa: E402
from studio.ui.settings_dialog import SettingsDialog  # noqa: E402


def main() -> None:
    app = QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        dialog = SettingsDialog(Settings.in_file(Path(tmp) / "settings.ini"))
        dialog.move(20, 20)
        dialog.show()
        dialog.resize(800, 300)
        for _ in range(30):
            app.processEvents()
        dialog.model_box.showPopup()
        for _ in range(30):
            app.processEvents()
        out = ROOT / "docs" / "screenshots" / "studio-settings-models.png"
        app.primaryScreen().grabWindow(0, 0, 0, 960, 340).save(str(out))
        print(out)


if __name__ == "__main__":
    main()
