"""The small bar on top of everything while recording: time, level, pause, stop, warnings."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import select
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QRegion,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStyle, QToolButton, QVBoxLayout, QWidget

from shared.timecode import clock
from shared.ui.plain import plain
from shared.ui.theme import tinted_icon
from studio.capture import LiveStats
from studio.hotkeys import ALL_MODIFIERS, PAUSE_SHORTCUT, STOP_SHORTCUT, x11_key
from studio.ui.level_meter import LevelMeter

__all__ = [
    "RecordingBar",
    "GlobalHotkey",
    "PAUSE_SHORTCUT",
    "STOP_SHORTCUT",
    "warnings_of",
]

POLL_MS = 100
#: Warn about dropped frames above this share of the frames (a few are normal).
DROPPED_SHARE = 0.01

_STYLE = """
QFrame#recordingBar { background: #11151c; border: 1px solid #3a4454; border-radius: 8px; }
QFrame#recordingBar QLabel { color: #e8ecf3; }
QLabel#elapsed { font-family: monospace; font-size: 13pt; font-weight: 600; }
QFrame#recordingBar QLabel#barWarnings { color: #f5b94a; font-size: 9.5pt; }
QFrame#recordingBar QToolButton { background: transparent; border: 2px solid transparent;
    border-radius: 6px; padding: 3px; }
QFrame#recordingBar QToolButton:hover { background: #263041; }
QFrame#recordingBar QToolButton:focus { border: 2px solid #7fa8ff; }
"""


def warnings_of(stats: LiveStats) -> list[str]:
    """What the teacher should know now: the recorder's warnings, dropped frames, disk."""
    found = list(stats.warnings)
    for name, video in stats.video.items():
        if video.dropped > max(5, DROPPED_SHARE * video.frames):
            found.append(f"{name}: {video.dropped} frames dropped (the computer is busy)")
    if stats.disk_warning:
        found.append(stats.disk_warning)
    return found


class _XcbCookie(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint)]


class _XcbScreenIterator(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("rem", ctypes.c_int), ("index", ctypes.c_int)]


_LOCK, _NUM_LOCK = 2, 16
_KEY_PRESS = 2
_KEY_RELEASE = 3


def _xcb_libraries() -> tuple[ctypes.CDLL, ctypes.CDLL, ctypes.CDLL] | None:
    try:
        xcb = ctypes.CDLL(ctypes.util.find_library("xcb") or "libxcb.so.1")
        keysyms = ctypes.CDLL(ctypes.util.find_library("xcb-keysyms") or "libxcb-keysyms.so.1")
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_get_setup.argtypes = [ctypes.c_void_p]
    xcb.xcb_get_setup.restype = ctypes.c_void_p
    xcb.xcb_setup_roots_iterator.argtypes = [ctypes.c_void_p]
    xcb.xcb_setup_roots_iterator.restype = _XcbScreenIterator
    xcb.xcb_screen_next.argtypes = [ctypes.POINTER(_XcbScreenIterator)]
    xcb.xcb_grab_key_checked.argtypes = [ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint32]
    xcb.xcb_grab_key_checked.argtypes += [ctypes.c_uint16, ctypes.c_uint8, ctypes.c_uint8]
    xcb.xcb_grab_key_checked.argtypes += [ctypes.c_uint8]
    xcb.xcb_grab_key_checked.restype = _XcbCookie
    xcb.xcb_request_check.argtypes = [ctypes.c_void_p, _XcbCookie]
    xcb.xcb_request_check.restype = ctypes.c_void_p
    xcb.xcb_get_file_descriptor.argtypes = [ctypes.c_void_p]
    xcb.xcb_poll_for_event.argtypes = [ctypes.c_void_p]
    xcb.xcb_poll_for_event.restype = ctypes.c_void_p
    xcb.xcb_flush.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    keysyms.xcb_key_symbols_alloc.argtypes = [ctypes.c_void_p]
    keysyms.xcb_key_symbols_alloc.restype = ctypes.c_void_p
    keysyms.xcb_key_symbols_get_keycode.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    keysyms.xcb_key_symbols_get_keycode.restype = ctypes.POINTER(ctypes.c_uint8)
    keysyms.xcb_key_symbols_free.argtypes = [ctypes.c_void_p]
    libc.free.argtypes = [ctypes.c_void_p]
    return xcb, keysyms, libc


class GlobalHotkey(QObject):
    """A shortcut for the whole X11 desktop, so it works while the slides have the focus.

    Grabs the key (default :data:`PAUSE_SHORTCUT`) on every root window of ``$DISPLAY``
    through its own xcb connection (errors come back per request, so a key another
    program holds is just not ours). ``active`` says whether the grab succeeded; where
    it did not (no X11, Wayland, the key taken, a key X11 cannot grab), the bar's
    application shortcut is the fallback.
    """

    activated = Signal()

    def __init__(self, parent: QObject | None = None, shortcut: str = PAUSE_SHORTCUT) -> None:
        super().__init__(parent)
        self.active = False
        self.shortcut = shortcut
        self._key = x11_key(shortcut)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        if os.environ.get("DISPLAY") and self._key is not None:
            self._thread = threading.Thread(target=self._run, name="hotkey", daemon=True)
            self._thread.start()
            self._ready.wait(3)

    def _run(self) -> None:
        libraries = _xcb_libraries()
        if libraries is None:
            self._ready.set()
            return
        xcb, keysyms, libc = libraries
        connection = xcb.xcb_connect(None, None)
        try:
            if not connection or xcb.xcb_connection_has_error(connection):
                return
            keycodes = self._grab(xcb, keysyms, libc, connection)
            self._ready.set()
            if keycodes:
                self._listen(xcb, libc, connection, keycodes)
        finally:
            self._ready.set()
            if connection:
                xcb.xcb_disconnect(connection)  # also releases the grabs

    def _grab(self, xcb, keysyms, libc, connection) -> set[int]:
        modifiers, keysym = self._key
        symbols = keysyms.xcb_key_symbols_alloc(connection)
        keycodes: set[int] = set()
        if symbols:
            found = keysyms.xcb_key_symbols_get_keycode(symbols, keysym)
            if found:
                index = 0
                while found[index]:
                    keycodes.add(found[index])
                    index += 1
                libc.free(found)
            keysyms.xcb_key_symbols_free(symbols)
        roots = []
        iterator = xcb.xcb_setup_roots_iterator(xcb.xcb_get_setup(connection))
        while iterator.rem > 0:
            roots.append(ctypes.c_uint32.from_address(iterator.data).value)
            xcb.xcb_screen_next(ctypes.byref(iterator))
        grabbed = set()
        for root in roots:
            for keycode in keycodes:
                failed = False
                # Also with Caps Lock and Num Lock on, which X counts as modifiers.
                for extra in (0, _LOCK, _NUM_LOCK, _LOCK | _NUM_LOCK):
                    cookie = xcb.xcb_grab_key_checked(
                        connection, 1, root, modifiers | extra, keycode, 1, 1
                    )
                    error = xcb.xcb_request_check(connection, cookie)
                    if error:
                        libc.free(error)
                        failed = True
                if not failed:
                    grabbed.add(keycode)
        self.active = bool(grabbed)
        return grabbed

    def _listen(self, xcb, libc, connection, keycodes: set[int]) -> None:
        descriptor = xcb.xcb_get_file_descriptor(connection)
        modifiers = self._key[0]
        released: dict[int, int] = {}  # keycode -> X time of its last release
        while not self._stop.is_set():
            select.select([descriptor], [], [], 0.2)
            while True:
                event = xcb.xcb_poll_for_event(connection)
                if not event:
                    break
                kind = ctypes.c_uint8.from_address(event).value & 0x7F
                detail = ctypes.c_uint8.from_address(event + 1).value
                stamp = ctypes.c_uint32.from_address(event + 4).value
                state = ctypes.c_uint16.from_address(event + 28).value
                libc.free(event)
                if detail not in keycodes:
                    continue
                if kind == _KEY_RELEASE:
                    released[detail] = stamp
                    continue
                # A held key repeats as release + press with one X time: one toggle.
                wanted = state & ALL_MODIFIERS == modifiers
                if kind == _KEY_PRESS and wanted and released.get(detail) != stamp:
                    self.activated.emit()
            if xcb.xcb_connection_has_error(connection):
                self.active = False
                return

    def close(self) -> None:
        """Release the key."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
            self._thread = None
        self.active = False


class _Dot(QWidget):
    """Red while recording, grey while paused."""

    def __init__(self) -> None:
        super().__init__()
        self.recording = True
        self.setFixedSize(14, 14)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#e0423a" if self.recording else "#8a94a6"))
        painter.drawEllipse(self.rect().adjusted(1, 1, -1, -1))
        painter.end()


class RecordingBar(QWidget):
    """A frameless, always-on-top bar: elapsed time, mic meter, pause/resume, stop.

    Polls ``stats()`` (a :meth:`Recorder.stats`) ten times a second once
    :meth:`start_polling` is called. Drag it anywhere. When the recorder asks to
    stop (disk nearly full) the bar says why and emits ``stop_requested`` with the
    reason; the stop button emits it with an empty reason.

    The pause and stop shortcuts (``pause_key``, ``stop_key``; by default
    :data:`PAUSE_SHORTCUT` and :data:`STOP_SHORTCUT`) are Qt application shortcuts,
    which work only while a Lectern window has the keyboard focus; with
    ``global_hotkey=True`` the bar also grabs them on the X11 desktop
    (:class:`GlobalHotkey`) so they work while the slides have the focus.

    ``keep_out`` (a QRect, global coordinates) is the recorded area: dragging the bar
    into it puts the bar back where it was, so it never shows in the recording.
    """

    pause_requested = Signal()
    resume_requested = Signal()
    stop_requested = Signal(str)
    #: Each :class:`LiveStats` shown (for the tray, which shows them too).
    updated = Signal(object)

    def __init__(
        self,
        stats: Callable[[], LiveStats] | None = None,
        parent: QWidget | None = None,
        *,
        global_hotkey: bool = False,
        pause_key: str = PAUSE_SHORTCUT,
        stop_key: str = STOP_SHORTCUT,
    ) -> None:
        super().__init__(
            parent,
            Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.Tool,
        )
        self.setWindowTitle("Lectern recording")
        self.setAccessibleName("Recording controls")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self._stats = stats
        self.last_stats: LiveStats | None = None
        self.paused = False
        self.stopping = False
        #: Shown with the live warnings until the next pause or resume (a resume that
        #: failed says why here).
        self.notice = ""
        self._drag_from: QPoint | None = None
        self.keep_out: QRect | None = None
        self.pause_key, self.stop_key = pause_key, stop_key
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        self._build()
        self.pause_shortcut = self._shortcut(pause_key, self.toggle_pause)
        self.stop_shortcut = self._shortcut(stop_key, lambda: self._request_stop(""))
        self.hotkey: GlobalHotkey | None = None
        self.stop_hotkey: GlobalHotkey | None = None
        if global_hotkey:
            self.hotkey = GlobalHotkey(self, pause_key)
            self.hotkey.activated.connect(self.toggle_pause)
            self.stop_hotkey = GlobalHotkey(self, stop_key)
            self.stop_hotkey.activated.connect(lambda: self._request_stop(""))

    def _shortcut(self, keys: str, slot) -> QShortcut:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        shortcut.activated.connect(slot)
        return shortcut

    def release_hotkey(self) -> None:
        """Give the desktop-wide shortcuts back (when the recording ends)."""
        for hotkey in (self.hotkey, self.stop_hotkey):
            if hotkey is not None:
                hotkey.close()

    def closeEvent(self, event) -> None:
        self.release_hotkey()
        super().closeEvent(event)

    def _build(self) -> None:
        self.setStyleSheet(_STYLE)
        frame = QFrame()
        frame.setObjectName("recordingBar")
        self.dot = _Dot()
        self.elapsed_label = QLabel("00:00")
        self.elapsed_label.setObjectName("elapsed")
        self.elapsed_label.setAccessibleName("Time recorded")
        self.state_label = QLabel("Starting…")
        self.state_label.setAccessibleName("Recording state")
        self.state_label.setMinimumWidth(64)
        self.meter = LevelMeter(dark=True)
        self.meter.setFixedWidth(150)
        style = self.style()
        self._pause_icon = tinted_icon(style, QStyle.StandardPixmap.SP_MediaPause)
        self._resume_icon = tinted_icon(style, QStyle.StandardPixmap.SP_MediaPlay)
        self.pause_button = QToolButton()
        self.pause_button.setIcon(self._pause_icon)
        self.pause_button.setIconSize(QSize(20, 20))
        self.pause_button.setAccessibleName("Pause recording")
        self.pause_button.setToolTip(f"Pause ({self.pause_key})")
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button = QToolButton()
        self.stop_button.setIcon(tinted_icon(style, QStyle.StandardPixmap.SP_MediaStop, "#ff6b61"))
        self.stop_button.setIconSize(QSize(20, 20))
        self.stop_button.setAccessibleName("Stop recording")
        self.stop_button.setToolTip(f"Stop and keep the recording ({self.stop_key})")
        self.stop_button.clicked.connect(lambda: self._request_stop(""))
        self.warning_label = plain(QLabel())  # warnings name devices
        self.warning_label.setObjectName("barWarnings")
        self.warning_label.setAccessibleName("Recording warnings")
        self.warning_label.setWordWrap(True)
        self.warning_label.hide()

        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.dot)
        row.addWidget(self.elapsed_label)
        row.addWidget(self.state_label)
        row.addWidget(self.meter)
        row.addWidget(self.pause_button)
        row.addWidget(self.stop_button)
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(12, 6, 8, 6)
        inner.setSpacing(2)
        inner.addLayout(row)
        inner.addWidget(self.warning_label)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        self.setFixedWidth(self.sizeHint().width() + 40)

    # ------------------------------------------------------------ state

    def start_polling(self) -> None:
        """Poll the stats ten times a second."""
        self.poll()
        self._timer.start()

    def stop_polling(self) -> None:
        self._timer.stop()

    def poll(self) -> None:
        if self._stats is not None and not self.stopping:
            self.show_stats(self._stats())

    def show_stats(self, stats: LiveStats) -> None:
        """Show one :class:`LiveStats`; acts on ``stop_requested``."""
        self.last_stats = stats
        self.paused = stats.paused
        self.elapsed_label.setText(clock(stats.elapsed))
        self.dot.recording = not stats.paused
        self.dot.update()
        self.state_label.setText("Paused" if stats.paused else "Recording")
        self.pause_button.setIcon(self._resume_icon if stats.paused else self._pause_icon)
        self.pause_button.setAccessibleName(
            "Resume recording" if stats.paused else "Pause recording"
        )
        self.pause_button.setToolTip(f"{'Resume' if stats.paused else 'Pause'} ({self.pause_key})")
        if stats.mic is None:
            self.meter.set_level(None)
            self.meter.setToolTip("No microphone")
        else:
            self.meter.set_level(stats.mic.rms_dbfs, stats.mic.peak_dbfs)
            self.meter.setToolTip(f"Microphone {stats.mic.rms_dbfs:.0f} dBFS")
        self.show_warnings([*warnings_of(stats), *([self.notice] if self.notice else [])])
        self.updated.emit(stats)
        if stats.stop_requested:
            self._request_stop(stats.stop_requested)

    def show_warnings(self, warnings: list[str]) -> None:
        text = "\n".join(f"⚠ {w[:1].upper()}{w[1:]}" for w in warnings)
        if text != self.warning_label.text():
            self.warning_label.setText(text)
            self.warning_label.setVisible(bool(text))
            self.adjustSize()

    def show_message(self, text: str) -> None:
        """Say what is happening instead of the live state (e.g. while stopping)."""
        self.state_label.setText(text)

    def toggle_pause(self) -> None:
        if self.stopping:
            return
        self.notice = ""
        if self.paused:
            self.resume_requested.emit()
        else:
            self.pause_requested.emit()

    def _request_stop(self, reason: str) -> None:
        if self.stopping:
            return
        self.stopping = True
        self._timer.stop()
        self.pause_button.setEnabled(False)
        self.stop_button.setEnabled(False)
        self.state_label.setText("Stopping…")
        if reason:
            self.show_warnings([f"stopping: {reason}"])
        self.stop_requested.emit(reason)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Rounded corners as a window mask: no compositor needed.
        path = QPainterPath()
        path.addRoundedRect(QRectF(self.rect()), 8, 8)
        self.setMask(QRegion(path.toFillPolygon().toPolygon()))
        super().resizeEvent(event)

    # ------------------------------------------------------------ dragging

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.globalPosition().toPoint() - self.frameGeometry().topLeft()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None and event.buttons() & Qt.MouseButton.LeftButton:
            to = event.globalPosition().toPoint() - self._drag_from
            if self.keep_out is None or not self.keep_out.intersects(QRect(to, self.size())):
                self.move(to)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag_from = None

    def place_on(self, screen_rect) -> None:
        """Put the bar at the top centre of ``screen_rect`` (a QRect)."""
        self.adjustSize()
        self.move(screen_rect.center().x() - self.width() // 2, screen_rect.top() + 12)
