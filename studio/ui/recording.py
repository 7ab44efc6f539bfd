"""Recording from the Studio window: pick sources, count down, record, finish in the background.

The main window asks :class:`SourcePickerDialog` for the sources, then runs one
:class:`RecordingSession`::

    session = RecordingSession(folder, dialog.settings(), dialog.countdown(), self)
    session.starting.connect(self.hide)            # out of the picture before anything
    session.stopping.connect(self.show_saving)     # recording over, finishing the folder
    session.finished.connect(self.recording_done)  # Path of the finished folder
    session.failed.connect(self.show_error)        # one sentence; show the window again
    session.cancelled.connect(self.show)
    session.start()

The devices are checked before the countdown (a missing one fails at once), and
the countdown is hidden before the first frame is grabbed.

The recorder is started, paused, resumed and stopped on the GUI thread (its ffmpeg
children are tied to the thread that starts them); only finalizing the folder, which
takes a few seconds, runs on the worker.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QRect, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from shared.errors import LecternError
from shared.logs import unexpected_error_message
from shared.ui.worker import Worker
from studio.capture import Recorder, RecordingSettings, finalize
from studio.ui.countdown import Countdown
from studio.ui.recording_bar import RecordingBar
from studio.ui.source_picker import RegionChooser, SourcePickerDialog

__all__ = ["RecordingSession", "SourcePickerDialog", "RecordingBar", "Countdown", "RegionChooser"]

log = logging.getLogger(__name__)

#: How long to wait after hiding the countdown before the first frame is grabbed,
#: so the X server has unmapped it (and a compositor has faded it out).
SETTLE_MS = 300


class RecordingSession(QObject):
    """One recording from the countdown to the finished folder.

    Signals:
        starting(): about to count down or record; hide the main window now.
        started(): the recorder runs and the bar is shown.
        stopping(str): recording ended, the folder is being finished (the bar says
            "Saving…" until then); the reason is empty when the teacher stopped it,
            else what made it stop (the disk is nearly full).
        finished(object): the finished recording folder (a :class:`Path`).
        failed(str): one sentence a person can act on; nothing is left running.
        cancelled(): the countdown was cancelled; nothing was recorded.
    """

    starting = Signal()
    started = Signal()
    stopping = Signal(str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        folder: Path,
        settings: RecordingSettings,
        countdown: bool,
        parent: QObject | None = None,
        *,
        countdown_seconds: int = 3,
    ) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self.settings = settings
        self.countdown_on = countdown
        self.countdown_seconds = countdown_seconds
        self.state = "idle"  # countdown, recording, finishing, done
        self.recorder: Recorder | None = None
        self.countdown: Countdown | None = None
        self.bar: RecordingBar | None = None
        self.stop_reason: str | None = None
        self.error: str | None = None
        self._worker = Worker(self, max_threads=1)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # ------------------------------------------------------------ life cycle

    def start(self) -> None:
        """Check the devices, count down, then record; the outcome comes as a signal."""
        if self.state != "idle":
            return
        try:
            self.recorder = Recorder(self.folder, self.settings)
        except LecternError as error:
            self._fail(str(error))
            return
        except Exception as error:  # a GUI shows every failure, never crashes
            log.exception("the recorder could not be made")
            self._fail(unexpected_error_message(error, "starting the recording"))
            return
        self.starting.emit()
        if self.countdown_on:
            self.state = "countdown"
            self.countdown = Countdown(self.countdown_seconds, self._qt_screen())
            self.countdown.finished.connect(self._after_countdown)
            self.countdown.cancelled.connect(self.cancel)
            self.countdown.start()
        else:
            self._after_countdown()

    def _after_countdown(self) -> None:
        self.state = "recording"
        self._drop_countdown()
        self.bar = RecordingBar(self.recorder.stats, global_hotkey=True)
        self.bar.pause_requested.connect(self.pause)
        self.bar.resume_requested.connect(self.resume)
        self.bar.stop_requested.connect(self.stop)
        self._place_bar()
        self.bar.show()
        QTimer.singleShot(SETTLE_MS, self._start_recorder)

    def _start_recorder(self) -> None:
        if self.state != "recording" or self.recorder is None:
            return
        try:
            self.recorder.start()
        except LecternError as error:
            self._abort(str(error))
            return
        except Exception as error:
            log.exception("the recording could not start")
            self._abort(unexpected_error_message(error, "starting the recording"))
            return
        self.bar.start_polling()
        self.started.emit()

    def pause(self) -> None:
        """Pause the recording (nothing is kept until :meth:`resume`)."""
        if self.state == "recording" and self.recorder is not None:
            self._guarded(self.recorder.pause)

    def resume(self) -> None:
        if self.state == "recording" and self.recorder is not None:
            self._guarded(self.recorder.resume)

    def toggle_pause(self) -> None:
        if self.bar is not None:
            self.bar.toggle_pause()

    def stop(self, reason: str = "") -> None:
        """End the recording and finish the folder in the background."""
        if self.state == "countdown":
            self.cancel()
            return
        if self.state != "recording" or self.recorder is None:
            return
        self.state = "finishing"
        self.stop_reason = reason or None
        if self.bar is not None:
            self.bar.stop_polling()
            self.bar.show_message("Saving…")
        try:
            self.recorder.stop(finish=False)
        except LecternError as error:
            self._abort(str(error))
            return
        except Exception as error:
            log.exception("the recording could not be stopped")
            self._abort(unexpected_error_message(error, "stopping the recording"))
            return
        if not self.recorder.data.get("segments"):
            self._close_bar()
            self.state = "done"
            self.cancelled.emit()
            return
        if self.bar is not None:  # stays up, saying why, until the folder is finished
            self.bar.release_hotkey()
        self.stopping.emit(reason)
        folder = self.folder
        job = self._worker.submit(
            "finishing the recording", lambda _inputs, _state: finalize(folder)
        )
        job.succeeded.connect(self._finished)
        job.failed.connect(self._fail)

    def cancel(self) -> None:
        """Give up before recording: the devices are closed and nothing is kept."""
        if self.state not in ("idle", "countdown", "recording"):
            return
        if self.state == "recording" and self.recorder is not None and self.recorder.data:
            self.stop()
            return
        self._drop_countdown()
        self._close_recorder()
        self._close_bar()
        self.state = "done"
        self.cancelled.emit()

    def shutdown(self) -> None:
        """Stop at once without finishing (the app is quitting); ``recover`` finishes it."""
        if self.state in ("idle", "done"):
            return
        self._drop_countdown()
        self._close_recorder()
        self._close_bar()
        self._worker.wait(30_000)
        self.state = "done"

    def wait(self, msecs: int = -1) -> bool:
        """Block until finishing in the background is done (for shutdown and tests)."""
        return self._worker.wait(msecs)

    # ------------------------------------------------------------ helpers

    def _finished(self, _result: object) -> None:
        self._close_bar()
        self.state = "done"
        self.finished.emit(self.folder)

    def _fail(self, message: str) -> None:
        self._close_bar()
        self.state = "done"
        self.error = message
        self.failed.emit(message)

    def _abort(self, message: str) -> None:
        self._drop_countdown()
        self._close_recorder()
        self._close_bar()
        self._fail(message)

    def _guarded(self, action) -> None:
        try:
            action()
        except LecternError as error:
            self._abort(str(error))
        except Exception as error:
            log.exception("the recording stopped")
            self._abort(unexpected_error_message(error, "recording"))

    def _close_recorder(self) -> None:
        if self.recorder is None:
            return
        try:
            self.recorder.stop(finish=False)
        except Exception:  # closing on a failure path: the first error is the one to show
            log.exception("closing the recorder after a failure")

    def _close_bar(self) -> None:
        if self.bar is not None:
            self.bar.stop_polling()
            self.bar.release_hotkey()
            self.bar.hide()
            self.bar.deleteLater()
            self.bar = None

    def _drop_countdown(self) -> None:
        if self.countdown is not None:
            self.countdown.hide()
            self.countdown.deleteLater()
            self.countdown = None

    def _place_bar(self) -> None:
        """Top centre of the screen; for a region, just outside it when there is room."""
        screen = self._qt_screen()
        area = screen.availableGeometry()
        self.bar.place_on(area)
        spec = self.settings.screen
        if not spec.startswith("region:"):
            return
        try:
            x, y, w, h = (int(v) for v in spec.removeprefix("region:").split(","))
        except ValueError:
            return
        ratio = screen.devicePixelRatio() or 1.0
        region = QRect(round(x / ratio), round(y / ratio), round(w / ratio), round(h / ratio))
        left = region.center().x() - self.bar.width() // 2
        left = max(area.left(), min(left, area.right() - self.bar.width()))
        if region.bottom() + 8 + self.bar.height() <= area.bottom():
            self.bar.move(left, region.bottom() + 8)
        elif region.top() - 8 - self.bar.height() >= area.top():
            self.bar.move(left, region.top() - 8 - self.bar.height())

    def _qt_screen(self):
        """The Qt screen the recording is on (the first one for X11 screen 0)."""
        screens = QGuiApplication.screens()
        return screens[0] if screens else QGuiApplication.primaryScreen()
