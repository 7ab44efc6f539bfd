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

No Lectern window is ever in the recorded picture. The bar goes where it is not
recorded (beside the recorded region or window, or on another monitor) and cannot
be dragged into the recorded area. When there is no such place (one screen,
recorded whole) the bar hides before the first frame, the controls are a tray icon
(where the desktop has a tray) and the desktop-wide shortcuts, and the bar shows only
while the recording is paused: a pause ends the segment before the bar shows, and a
resume hides the bar and lets the X server unmap it before the next segment starts.

Nothing the recorder does runs on the GUI thread: starting a segment can wait up to
30 s for the desktop's stream on Wayland, and ending one waits for ffmpeg's trailer.
Every call to the recorder (start, pause, resume, stop) runs on the session's own
thread (:class:`RecorderCalls`), one after another in the order asked, kept for the
whole session because the recorder's ffmpeg children are tied to the thread that
starts them (``PR_SET_PDEATHSIG``). The worker finishes the folder and, on Wayland,
asks the desktop's screen-cast portal what to share (its picker may stay open for
minutes; a :class:`SharePrompt` with Cancel shows meanwhile). The bar says
"Starting…" until the first frame; Stop is taken at any time and runs after what is
under way.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from shared.errors import LecternError
from shared.logs import unexpected_error_message
from shared.timecode import clock
from shared.ui.worker import Worker
from studio.capture import LiveStats, Recorder, RecordingSettings, finalize
from studio.capture.devices import list_windows
from studio.hotkeys import PAUSE_SHORTCUT, STOP_SHORTCUT
from studio.ui.countdown import Countdown
from studio.ui.recorder_calls import RecorderCalls
from studio.ui.recording_bar import RecordingBar
from studio.ui.share_prompt import SharePrompt
from studio.ui.source_picker import RegionChooser, SourcePickerDialog

__all__ = [
    "RecordingSession",
    "SourcePickerDialog",
    "RecordingBar",
    "Countdown",
    "RegionChooser",
    "place_outside",
]

log = logging.getLogger(__name__)

#: How long to wait after hiding the countdown before the first frame is grabbed,
#: so the X server has unmapped it (and a compositor has faded it out).
SETTLE_MS = 300
#: Room left between the recorded area and the bar.
MARGIN = 8


def place_outside(area: QRect, screens: list[QRect], size: QSize) -> QPoint | None:
    """Where a window of ``size`` shows in full on a screen without touching ``area``.

    Tried in order: below the area, above it, right and left of it (on the screen the
    area is on), then the top centre of each other screen. ``None`` when there is no
    such place (one screen, recorded whole).

    Args:
        area: the recorded rectangle (global coordinates).
        screens: the usable rectangle of each screen (``QScreen.availableGeometry()``).
        size: the window's size.
    """
    keep_out = area.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
    home = [s for s in screens if s.intersects(area)]
    centre_x = area.center().x() - size.width() // 2
    centre_y = area.center().y() - size.height() // 2
    tries: list[tuple[QRect, QPoint]] = []
    for screen in home:
        tries += [
            (screen, QPoint(centre_x, area.bottom() + 1 + MARGIN)),
            (screen, QPoint(centre_x, area.top() - MARGIN - size.height())),
            (screen, QPoint(area.right() + 1 + MARGIN, centre_y)),
            (screen, QPoint(area.left() - MARGIN - size.width(), centre_y)),
        ]
    for screen in screens:
        if screen not in home:
            tries.append(
                (screen, QPoint(screen.center().x() - size.width() // 2, screen.top() + 12))
            )
    for screen, point in tries:
        # Slide along the screen's edge rather than give up on a place near a corner.
        x = max(screen.left(), min(point.x(), screen.right() + 1 - size.width()))
        y = max(screen.top(), min(point.y(), screen.bottom() + 1 - size.height()))
        rect = QRect(QPoint(x, y), size)
        if screen.contains(rect) and not rect.intersects(keep_out):
            return rect.topLeft()
    return None


def _tray_icon(recording: bool) -> QIcon:
    """A red dot while recording, a grey one while paused."""
    pixmap = QPixmap(32, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor("#11151c"))
    painter.setBrush(QColor("#e0423a" if recording else "#8a94a6"))
    painter.drawEllipse(3, 3, 26, 26)
    painter.end()
    return QIcon(pixmap)


class RecordingTray(QObject):
    """The recording's controls in the desktop's tray, while the bar would be recorded.

    Its menu pauses, resumes and stops; its tooltip says how long it has recorded.
    Only made where the desktop has a tray (``QSystemTrayIcon.isSystemTrayAvailable``).
    """

    pause_requested = Signal()
    resume_requested = Signal()
    stop_requested = Signal(str)

    def __init__(self, pause_key: str, stop_key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.paused = False
        self.icon = QSystemTrayIcon(_tray_icon(True), self)
        self.menu = QMenu()
        self.menu.setAccessibleName("Recording controls")
        self.state_action = self.menu.addAction("Recording")
        self.state_action.setEnabled(False)
        self.menu.addSeparator()
        self.pause_action = QAction(f"Pause\t{pause_key}", self.menu)
        self.pause_action.triggered.connect(self.toggle_pause)
        self.menu.addAction(self.pause_action)
        self.stop_action = QAction(f"Stop and keep the recording\t{stop_key}", self.menu)
        self.stop_action.triggered.connect(lambda: self.stop_requested.emit(""))
        self.menu.addAction(self.stop_action)
        self.pause_key = pause_key
        self.icon.setContextMenu(self.menu)
        self.icon.setToolTip("Lectern is recording")
        self.icon.activated.connect(self._activated)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.toggle_pause()

    def toggle_pause(self) -> None:
        (self.resume_requested if self.paused else self.pause_requested).emit()

    def show_stats(self, stats: LiveStats) -> None:
        if stats.paused != self.paused or not self.state_action.text().endswith(
            clock(stats.elapsed)
        ):
            self.paused = stats.paused
            state = "Paused" if stats.paused else "Recording"
            self.state_action.setText(f"{state} · {clock(stats.elapsed)}")
            self.icon.setIcon(_tray_icon(not stats.paused))
            self.icon.setToolTip(f"Lectern: {state.lower()} · {clock(stats.elapsed)}")
            word = "Resume" if stats.paused else "Pause"
            self.pause_action.setText(f"{word}\t{self.pause_key}")

    def show(self) -> None:
        self.icon.show()

    def close(self) -> None:
        self.icon.hide()
        self.menu.deleteLater()
        self.deleteLater()


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
        cancelled(): the desktop's picker or the countdown was cancelled; nothing
            was recorded.
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
        pause_key: str = PAUSE_SHORTCUT,
        stop_key: str = STOP_SHORTCUT,
    ) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self.settings = settings
        self.countdown_on = countdown
        self.countdown_seconds = countdown_seconds
        self.pause_key, self.stop_key = pause_key, stop_key
        self.state = "idle"  # countdown, recording, finishing, done
        self.recorder: Recorder | None = None
        self.countdown: Countdown | None = None
        self.bar: RecordingBar | None = None
        self.tray: RecordingTray | None = None
        #: The recorded area in Qt's global coordinates (``None`` without a screen).
        self.recorded_area: QRect | None = None
        #: Whether the bar would be recorded, so it shows only while paused.
        self.bar_hidden = False
        #: The title of the window being recorded, or of the one most in the picture
        #: when the recording started ("" when none): a hint for the lesson's title.
        self.window_title = ""
        #: The recorder call under way that the bar must not interrupt (``"starting"``,
        #: ``"pausing"``, ``"resuming"``), or ``None``.
        self.busy: str | None = None
        self.stop_reason: str | None = None
        self.error: str | None = None
        self._worker = Worker(self, max_threads=1)
        #: Every call to the recorder, in order, on one kept thread (see RecorderCalls).
        self._calls = RecorderCalls(self)
        #: Open while the desktop's picker asks what to share (Wayland).
        self.share_prompt: SharePrompt | None = None
        self._choosing = None
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
        screen = self.recorder.screen
        if screen is not None and screen.asks_desktop:
            self._ask_desktop(screen)
            return
        self._count_down()

    def _ask_desktop(self, screen) -> None:
        """The desktop's picker, off the GUI thread; a prompt with Cancel meanwhile."""
        self.state = "choosing"
        self.share_prompt = SharePrompt()
        self.share_prompt.rejected.connect(self.cancel)
        self.share_prompt.show()
        self._choosing = job = self._worker.submit(
            "asking the desktop what to share", lambda _inputs, _state: screen.prepare()
        )
        job.succeeded.connect(self._shared)
        job.failed.connect(self._abort)
        job.cancelled.connect(self._not_shared)
        job.done.connect(self._drop_share_prompt)

    def _shared(self, _result: object) -> None:
        if self.state == "choosing":
            self._count_down()

    def _not_shared(self) -> None:
        self._close_recorder()
        self._end()
        self.cancelled.emit()

    def _drop_share_prompt(self) -> None:
        self._choosing = None
        if self.share_prompt is not None:
            self.share_prompt.hide()
            self.share_prompt.deleteLater()
            self.share_prompt = None

    def _count_down(self) -> None:
        self.recorded_area = self._recorded_area()
        self.window_title = self._window_in_picture()
        self.starting.emit()
        if self.countdown_on:
            self.state = "countdown"
            self.countdown = Countdown(
                self.countdown_seconds,
                self._qt_screen(),
                keys=(self.pause_key, self.stop_key),
            )
            self.countdown.finished.connect(self._after_countdown)
            self.countdown.cancelled.connect(self.cancel)
            self.countdown.start()
        else:
            self._after_countdown()

    def _after_countdown(self) -> None:
        self.state = "recording"
        self._drop_countdown()
        self.bar = RecordingBar(
            self.recorder.stats,
            global_hotkey=True,
            pause_key=self.pause_key,
            stop_key=self.stop_key,
        )
        self.bar.pause_requested.connect(self.pause)
        self.bar.resume_requested.connect(self.resume)
        self.bar.stop_requested.connect(self.stop)
        self.bar.updated.connect(self._show_stats)
        self._place_bar()
        if self.bar_hidden:
            if QSystemTrayIcon.isSystemTrayAvailable():
                self.tray = RecordingTray(self.pause_key, self.stop_key, self)
                self.tray.pause_requested.connect(self.pause)
                self.tray.resume_requested.connect(self.resume)
                self.tray.stop_requested.connect(self.stop)
                self.tray.show()
        else:
            self.bar.show()
        QTimer.singleShot(SETTLE_MS, self._start_recorder)

    def _start_recorder(self) -> None:
        if self.state != "recording" or self.recorder is None:
            return
        self.busy = "starting"
        self.bar.show_message("Starting…")
        self._call("starting the recording", self.recorder.start, self._recorder_started)

    def _recorder_started(self) -> None:
        self.busy = None
        if self.state != "recording":  # stopped meanwhile: the stop follows on its own
            return
        self.bar.start_polling()
        self.started.emit()

    def _call(self, name: str, action, then, failed=None) -> None:
        """Run one recorder call on the session's thread; ``then()`` on the GUI thread after.

        A call that fails calls ``failed(message)``; by default that ends the recording
        with its one sentence (:meth:`_abort`).
        """
        self._calls.submit(name, action, lambda _result: then(), failed or self._abort)

    def _show_stats(self, stats: LiveStats) -> None:
        if self.tray is not None:
            self.tray.show_stats(stats)

    def pause(self) -> None:
        """Pause the recording (nothing is kept until :meth:`resume`).

        A bar that would be recorded shows only once the segment has ended.
        """
        if self.state == "recording" and self.recorder is not None and self.busy is None:
            self.busy = "pausing"
            if self.bar is not None:
                self.bar.notice = ""
            self._call("pausing the recording", self.recorder.pause, self._recorder_paused)

    def _recorder_paused(self) -> None:
        self.busy = None
        if self.bar is not None and self.state == "recording":
            self.bar.poll()
            if self.bar_hidden:
                self.bar.show()

    def resume(self) -> None:
        """Resume; a bar that would be recorded hides first, and the X server unmaps it."""
        if self.state != "recording" or self.recorder is None or self.busy is not None:
            return
        self.busy = "resuming"
        if self.bar is not None:
            self.bar.notice = ""
        if self.bar_hidden and self.bar is not None and self.bar.isVisible():
            self.bar.hide()
            QTimer.singleShot(SETTLE_MS, self._resume_now)
            return
        self._resume_now()

    def _resume_now(self) -> None:
        if self.state == "recording" and self.recorder is not None:
            self._call(
                "resuming the recording",
                self.recorder.resume,
                self._recorder_resumed,
                self._resume_failed,
            )
        else:
            self.busy = None

    def _resume_failed(self, message: str) -> None:
        """A resume that failed leaves the recording paused and whole (the recorder says
        so): the bar shows why, and the teacher can try again or stop and keep it."""
        self.busy = None
        if self.state != "recording" or self.recorder is None:
            return
        if not self.recorder.stats().paused:  # not the recorder's clean refusal: end here
            self._abort(message)
            return
        if self.bar is not None:
            self.bar.notice = message
            self.bar.poll()
            self.bar.show()  # paused: nothing is recorded, so the bar may show

    def _recorder_resumed(self) -> None:
        self.busy = None
        if self.bar is not None and self.state == "recording":
            self.bar.poll()

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
        self._close_tray()
        recorder = self.recorder
        self._call(
            "stopping the recording", lambda: recorder.stop(finish=False), self._recorder_stopped
        )

    def _recorder_stopped(self) -> None:
        if self.state != "finishing":
            return
        reason = self.stop_reason or ""
        if not self.recorder.data.get("segments"):
            self._close_bar()
            self._end()
            self.cancelled.emit()
            return
        if self.bar is not None:  # stays up, saying why, until the folder is finished
            self.bar.release_hotkey()
            self.bar.show()  # nothing is recorded any more
        self.stopping.emit(reason)
        folder = self.folder
        job = self._worker.submit(
            "finishing the recording", lambda _inputs, _state: finalize(folder)
        )
        job.succeeded.connect(self._finished)
        job.failed.connect(self._fail)

    def cancel(self) -> None:
        """Give up before recording: the devices are closed and nothing is kept."""
        if self.state == "choosing":  # the job ends at once and says so (_not_shared)
            if self.recorder is not None and self.recorder.screen is not None:
                self.recorder.screen.cancel_prepare()
            return
        if self.state not in ("idle", "countdown", "recording"):
            return
        if self.state == "recording":  # stop keeps what was recorded, if anything was
            self.stop()
            return
        self._drop_countdown()
        self._close_recorder()
        self._close_bar()
        self._end()
        self.cancelled.emit()

    def shutdown(self) -> None:
        """Stop at once without finishing (the app is quitting); ``recover`` finishes it."""
        if self.state in ("idle", "done"):
            return
        if self.state == "choosing" and self.recorder.screen is not None:
            self.recorder.screen.cancel_prepare()
        self._drop_countdown()
        self._close_recorder()
        self._close_bar()
        self._calls.wait(60)  # what is under way, then the stop
        self._worker.wait(60_000)
        self._end()

    def wait(self, msecs: int = -1) -> bool:
        """Block until finishing in the background is done (for shutdown and tests)."""
        done = self._calls.wait(None if msecs < 0 else msecs / 1000)
        return self._worker.wait(msecs) and done

    # ------------------------------------------------------------ helpers

    def _finished(self, _result: object) -> None:
        self._close_bar()
        self._end()
        self.finished.emit(self.folder)

    def _fail(self, message: str) -> None:
        self._close_bar()
        self._end()
        self.error = message
        self.failed.emit(message)

    def _end(self) -> None:
        """The session is over: its recorder calls' thread ends after the last one."""
        self.state = "done"
        self._calls.close()

    def _abort(self, message: str) -> None:
        """End on a failure: the recorder is closed, then ``failed`` says why."""
        if self.state in ("failing", "done"):
            return
        self.state = "failing"
        self.busy = None
        self._drop_countdown()
        self._close_bar()
        self._close_recorder(lambda: self._fail(message))

    def _close_recorder(self, then=None) -> None:
        """Stop the recorder without finishing, after any call under way; then ``then()``."""
        recorder = self.recorder
        if recorder is None:
            if then is not None:
                then()
            return

        def close() -> None:
            try:
                recorder.stop(finish=False)
            except Exception:  # closing on a failure path: the first error is the one to show
                log.exception("closing the recorder")

        self._calls.submit(
            "closing the recorder", close, (lambda _result: then()) if then is not None else None
        )

    def _close_tray(self) -> None:
        if self.tray is not None:
            self.tray.close()
            self.tray = None

    def _close_bar(self) -> None:
        self._close_tray()
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

    def _recorded_area(self) -> QRect | None:
        """The rectangle the recorder grabs, in Qt's global coordinates."""
        backend = self.recorder.screen if self.recorder is not None else None
        if backend is None:
            return None
        target = backend.target
        ratio = self._qt_screen().devicePixelRatio() or 1.0
        return QRect(
            round(target.x / ratio),
            round(target.y / ratio),
            round(target.width / ratio),
            round(target.height / ratio),
        )

    def _window_in_picture(self) -> str:
        """The recorded window's title, or that of the largest window in the picture."""
        backend = self.recorder.screen if self.recorder is not None else None
        if backend is None or backend.asks_desktop:  # Wayland windows are not listed
            return ""
        if backend.target.kind == "window":
            return backend.target.spec.removeprefix("window:")
        target = backend.target
        area = QRect(target.x, target.y, target.width, target.height)
        own = {int(w.winId()) for w in QApplication.topLevelWidgets() if w.isVisible()}
        try:
            windows = list_windows()
        except Exception:  # only a hint: a missing X tool must not stop the recording
            log.exception("listing the windows for a title hint")
            return ""
        best, shown = "", 0
        for window in windows:
            part = area.intersected(QRect(window.x, window.y, window.width, window.height))
            size = part.width() * part.height() if not part.isEmpty() else 0
            if window.id not in own and size > shown:
                best, shown = window.name, size
        return best

    def _place_bar(self) -> None:
        """Outside the recorded area; where there is no room, hidden while it records."""
        screens = [screen.availableGeometry() for screen in QGuiApplication.screens()]
        self.bar.adjustSize()
        area = self.recorded_area
        if area is None:
            self.bar.place_on(self._qt_screen().availableGeometry())
            return
        spot = place_outside(area, screens, self.bar.size())
        if spot is None:
            self.bar_hidden = True
            self.bar.place_on(self._qt_screen().availableGeometry())
        else:
            self.bar.move(spot)
        self.bar.keep_out = area

    def _qt_screen(self):
        """The Qt screen the recording is on (the first one for X11 screen 0)."""
        screens = QGuiApplication.screens()
        return screens[0] if screens else QGuiApplication.primaryScreen()
