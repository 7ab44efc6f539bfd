"""Screenshots of the Studio's recording UI for the docs, taken from a real X server.

Run under Xvfb (with a PulseAudio whose default source hears ``lecture_sink``, the
meter moves; see /work/shared/TESTING.md)::

    .venv/bin/python -m tests.xserver --screen 1600x900x24 -- \
        .venv/bin/python tests/studio/make_recording_screenshots.py

A frame of the sample lecture fills the screen as the "slides"; the source picker is
opened over it (the sample plays the part of the camera), then the recording bar.
Writes ``docs/screenshots/studio-record-picker.png``, ``studio-recording-bar.png``,
``studio-record-countdown.png`` (with the desktop-wide keys), ``studio-recording-tray.png``
(the tray icon's menu, used when the whole screen is recorded), ``studio-lesson-title.png``
(the question after Stop), ``studio-settings-recording.png`` (the shortcuts), and on
Wayland ``studio-record-picker-wayland.png`` (the desktop's picker chooses) and
``studio-record-share-prompt.png`` (shown while that picker is open).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from shared.ui import theme  # noqa: E402
from studio.capture import LiveStats, MicLevel, RecordingSettings, VideoStats  # noqa: E402
from studio.capture.devices import list_windows  # noqa: E402
from studio.settings import Settings  # noqa: E402
from studio.ui.countdown import Countdown  # noqa: E402
from studio.ui.lesson_title_dialog import LessonTitleDialog  # noqa: E402
from studio.ui.recording import RecordingTray  # noqa: E402
from studio.ui.recording_bar import RecordingBar  # noqa: E402
from studio.ui.settings_dialog import SettingsDialog  # noqa: E402
from studio.ui.share_prompt import SharePrompt  # noqa: E402
from studio.ui.source_picker import SourcePickerDialog  # noqa: E402
from tests.screenshot_tools import shoot, wait, wait_until  # noqa: E402

SAMPLE = ROOT / "resources" / "sample" / "lecture.mp4"


@contextlib.contextmanager
def wayland_session():
    """What the Studio sees of a Wayland session while the block runs."""
    before = {key: os.environ.get(key) for key in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    os.environ.update(WAYLAND_DISPLAY="wayland-0", XDG_SESSION_TYPE="wayland")
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def slide_frame(seconds: float = 20.0) -> QImage:
    """A frame of the sample lecture, as the slides the teacher shows."""
    with av.open(str(SAMPLE)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            if frame.time is not None and frame.time >= seconds:
                rgb = frame.to_ndarray(format="rgb24")
                height, width = rgb.shape[:2]
                return QImage(
                    rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888
                ).copy()
    raise RuntimeError(f"{SAMPLE} is shorter than {seconds} s")


SLIDES_PROGRAM = """
import sys
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv[:1])
slides = QLabel()
slides.setWindowTitle("Photosynthesis - slides")
screen = app.primaryScreen().geometry()
slides.setPixmap(QPixmap(sys.argv[1]).scaled(screen.size(), Qt.AspectRatioMode.IgnoreAspectRatio,
                 Qt.TransformationMode.SmoothTransformation))
slides.setGeometry(screen)
slides.show()
app.exec()
"""


def show_slides(folder: Path) -> subprocess.Popen:
    """A frame of the sample lecture full screen, in its own program (a window to list)."""
    picture = folder / "slide.png"
    slide_frame().save(str(picture))
    process = subprocess.Popen([sys.executable, "-c", SLIDES_PROGRAM, str(picture)])
    wait_until(lambda: any(w.name.endswith("slides") for w in list_windows()))
    wait(500)
    return process


def play_tone(folder: Path) -> subprocess.Popen | None:
    """Play a quiet tone into PulseAudio's lecture_sink, if there is one."""
    if shutil.which("paplay") is None:
        return None
    rate = 48000
    t = np.arange(20 * rate) / rate
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 1.3 * t)  # a voice-like rise and fall
    samples = (0.25 * 32767 * envelope * np.sin(2 * np.pi * 220 * t)).astype("<i2")
    path = folder / "voice.wav"
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(samples.tobytes())
    return subprocess.Popen(
        ["paplay", "--device=lecture_sink", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def bar_stats() -> LiveStats:
    """A recording seven minutes in, a voice on the microphone."""
    level = -16.0 + 3.0 * np.sin(time.monotonic() * 3.0)
    return LiveStats(
        elapsed=462.0,
        paused=False,
        mic=MicLevel(float(level), float(level + 8), False, False),
        video={"screen": VideoStats(13860, 0, 2)},
        disk_free=40_000_000_000,
        disk_seconds_left=float("inf"),
        warnings=(),
        stop_requested=None,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    app = QApplication(sys.argv[:1])
    if app.platformName() != "xcb":
        parser.error("run under X11 (python -m tests.xserver -- ...): screenshots are grabs")
    theme.apply(app)
    screen = app.primaryScreen().geometry()

    with tempfile.TemporaryDirectory(prefix="lectern-shots-") as temp:
        slides = show_slides(Path(temp))
        player = play_tone(Path(temp))
        try:
            dialog = SourcePickerDialog(
                RecordingSettings(screen="0", camera=str(SAMPLE), mic="default", fps=30),
                countdown=True,
            )
            dialog.resize(980, 620)
            dialog.move(
                screen.center().x() - dialog.width() // 2,
                screen.center().y() - dialog.height() // 2,
            )
            dialog.show()
            wait_until(lambda: dialog.thumbnail("0") is not None)
            wait_until(lambda: not dialog.camera_frame().isNull())
            wait(1800)  # a second round of thumbnails, which now show the dialog itself
            shoot(dialog, args.out / "studio-record-picker.png")
            dialog.reject()
        finally:
            if player is not None:
                player.terminate()
                player.wait()

        # On Wayland: the desktop's own picker chooses; then a prompt waits for it.
        with wayland_session():
            wayland_picker = SourcePickerDialog(
                RecordingSettings(screen="0", camera="none", mic="none", fps=30), countdown=True
            )
        wayland_picker.resize(980, 620)
        wayland_picker.move(screen.center() - wayland_picker.rect().center())
        wayland_picker.show()
        wait(800)
        shoot(wayland_picker, args.out / "studio-record-picker-wayland.png")
        wayland_picker.reject()
        prompt = SharePrompt()
        prompt.show()
        prompt.move(screen.center() - prompt.rect().center())
        wait(500)
        shoot(prompt, args.out / "studio-record-share-prompt.png")
        prompt.reject()

        bar = RecordingBar(bar_stats)
        bar.place_on(screen)
        bar.show()
        bar.start_polling()
        wait(1200)
        around = bar.frameGeometry().adjusted(-60, -12, 60, 60).intersected(screen)
        shoot(bar, args.out / "studio-recording-bar.png", around)
        bar.close()

        countdown = Countdown(3, app.primaryScreen())
        countdown.start()
        wait(400)
        around = countdown.frameGeometry().adjusted(-40, -40, 40, 40)
        shoot(countdown, args.out / "studio-record-countdown.png", around)
        countdown.cancel()

        # The tray's menu as it opens from the icon (Xvfb has no tray to click).
        tray = RecordingTray("Ctrl+Shift+P", "Ctrl+Shift+S")
        tray.show_stats(bar_stats())
        tray.menu.popup(screen.topRight() + QPoint(-tray.menu.sizeHint().width() - 8, 8))
        wait(500)
        around = tray.menu.frameGeometry().adjusted(-160, -8, 8, 60).intersected(screen)
        shoot(tray.menu, args.out / "studio-recording-tray.png", around)
        tray.menu.hide()

        question = LessonTitleDialog("Photosynthesis")
        question.show()
        question.move(screen.center() - question.rect().center())
        wait(500)
        shoot(question, args.out / "studio-lesson-title.png")
        question.reject()

        settings = Settings.in_file(Path(temp) / "studio.ini")
        options = SettingsDialog(settings)
        options.tabs.setCurrentIndex(1)
        options.show()
        options.move(screen.center() - options.rect().center())
        wait(500)
        shoot(options, args.out / "studio-settings-recording.png")
        options.reject()
        slides.terminate()
        slides.wait()

    # Widgets go before the QApplication does (Python would free them in any order).
    for widget in (dialog, wayland_picker, prompt, bar, countdown, tray.menu, question, options):
        widget.close()
        widget.deleteLater()
    wait(200)
    return 0


if __name__ == "__main__":
    sys.exit(main())
