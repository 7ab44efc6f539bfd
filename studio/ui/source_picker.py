"""Choosing what to record: screen, window or region, camera, microphone, frame rate.

Thumbnails come from the X11 display the recorder grabs (``$DISPLAY``, read with
Xlib's ``XGetImage``), not from Qt's screens, so they show exactly what will be
recorded whatever platform plugin Qt runs on.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import dataclasses
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from PySide6.QtCore import QObject, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QScreen,
)
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shared.ui.plain import plain, plain_tip
from studio.capture import RecordingSettings
from studio.capture import devices as device_list
from studio.capture.microphone import SAMPLE_RATE, resolve_microphone
from studio.capture.portal import PICKER_WINDOW
from studio.settings import QUALITY_PRESETS
from studio.ui.level_meter import FLOOR_DBFS, LevelMeter

__all__ = ["SourcePickerDialog", "RegionChooser", "grab_x11_screen", "FPS_CHOICES"]

THUMB = QSize(224, 126)
PREVIEW = QSize(256, 144)
FPS_CHOICES = (15.0, 24.0, 30.0, 60.0)
#: Why a Wayland desktop's screens and windows are not listed (one line under them).
WAYLAND_NOTE = (
    "This is a Wayland desktop: Lectern cannot see its screens and windows by itself "
    "(they would record black), so your desktop asks what to share when you click Record."
)
_SPEC_ROLE = Qt.ItemDataRole.UserRole
_RECT_ROLE = Qt.ItemDataRole.UserRole + 1
_VIDEO_FILTER = "Videos (*.mp4 *.mkv *.mov *.webm *.avi *.m4v);;All files (*)"
_FILE_ITEM = "file…"


# --- grabbing the X11 screen --------------------------------------------------------------


class _XImage(ctypes.Structure):
    # The leading fields of Xlib's XImage (Xlib.h); only these are read.
    _fields_ = [
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("xoffset", ctypes.c_int),
        ("format", ctypes.c_int),
        ("data", ctypes.c_void_p),
        ("byte_order", ctypes.c_int),
        ("bitmap_unit", ctypes.c_int),
        ("bitmap_bit_order", ctypes.c_int),
        ("bitmap_pad", ctypes.c_int),
        ("depth", ctypes.c_int),
        ("bytes_per_line", ctypes.c_int),
        ("bits_per_pixel", ctypes.c_int),
    ]


_xlib: ctypes.CDLL | None = None
_xlib_lock = threading.Lock()
_Z_PIXMAP = 2
_ALL_PLANES = 0xFFFFFFFFFFFFFFFF


def _load_xlib() -> ctypes.CDLL | None:
    global _xlib
    with _xlib_lock:
        if _xlib is not None:
            return _xlib
        name = ctypes.util.find_library("X11") or "libX11.so.6"
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            return None
        lib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        lib.XOpenDisplay.restype = ctypes.c_void_p
        lib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        lib.XDefaultScreen.argtypes = [ctypes.c_void_p]
        lib.XDefaultScreen.restype = ctypes.c_int
        lib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        lib.XDefaultRootWindow.restype = ctypes.c_ulong
        lib.XDisplayWidth.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.XGetImage.argtypes = [
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_ulong,
            ctypes.c_int,
        ]
        lib.XGetImage.restype = ctypes.POINTER(_XImage)
        lib.XDestroyImage.argtypes = [ctypes.POINTER(_XImage)]
        _xlib = lib
        return lib


def grab_x11_screen(display: str | None = None) -> QImage | None:
    """The whole X11 screen ``display`` (default ``$DISPLAY``) as the recorder sees it.

    Returns ``None`` without X11, libX11 or a 24/32-bit screen. Safe off the GUI thread.
    """
    display = display or device_list.x_display()
    lib = _load_xlib() if display else None
    if lib is None:
        return None
    connection = lib.XOpenDisplay(display.encode())
    if not connection:
        return None
    try:
        screen = lib.XDefaultScreen(connection)
        width, height = (
            lib.XDisplayWidth(connection, screen),
            lib.XDisplayHeight(connection, screen),
        )
        root = lib.XDefaultRootWindow(connection)
        pointer = lib.XGetImage(connection, root, 0, 0, width, height, _ALL_PLANES, _Z_PIXMAP)
        if not pointer:
            return None
        try:
            image = pointer.contents
            if image.bits_per_pixel != 32 or not image.data:
                return None
            data = ctypes.string_at(image.data, image.bytes_per_line * image.height)
            return QImage(
                data, image.width, image.height, image.bytes_per_line, QImage.Format.Format_RGB32
            ).copy()
        finally:
            lib.XDestroyImage(pointer)
    finally:
        lib.XCloseDisplay(connection)


@dataclass(frozen=True)
class _Shot:
    """One thumbnail to take: which X screen, and which part of it (``None``: all)."""

    key: str
    display: str
    rect: tuple[int, int, int, int] | None
    #: For a window: its X11 id, width and height (its own picture is read).
    window: tuple[int, int, int] | None = None


class _XcbGetImageReply(ctypes.Structure):
    _fields_ = [
        ("response_type", ctypes.c_uint8),
        ("depth", ctypes.c_uint8),
        ("sequence", ctypes.c_uint16),
        ("length", ctypes.c_uint32),
        ("visual", ctypes.c_uint32),
        ("pad", ctypes.c_uint8 * 20),
    ]


class _XcbCookie(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint)]


def _xcb_composite() -> tuple[ctypes.CDLL, ctypes.CDLL, ctypes.CDLL] | None:
    try:
        xcb = ctypes.CDLL(ctypes.util.find_library("xcb") or "libxcb.so.1")
        composite = ctypes.CDLL(
            ctypes.util.find_library("xcb-composite") or "libxcb-composite.so.0"
        )
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    xcb.xcb_request_check.argtypes = [ctypes.c_void_p, _XcbCookie]
    xcb.xcb_request_check.restype = ctypes.c_void_p
    xcb.xcb_get_image.argtypes = [ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint32]
    xcb.xcb_get_image.argtypes += [ctypes.c_int16] * 2 + [ctypes.c_uint16] * 2
    xcb.xcb_get_image.argtypes += [ctypes.c_uint32]
    xcb.xcb_get_image.restype = _XcbCookie
    xcb.xcb_get_image_reply.argtypes = [ctypes.c_void_p, _XcbCookie, ctypes.c_void_p]
    xcb.xcb_get_image_reply.restype = ctypes.POINTER(_XcbGetImageReply)
    xcb.xcb_get_image_data.argtypes = [ctypes.c_void_p]
    xcb.xcb_get_image_data.restype = ctypes.c_void_p
    xcb.xcb_get_image_data_length.argtypes = [ctypes.c_void_p]
    composite.xcb_composite_query_version.argtypes = [ctypes.c_void_p] + [ctypes.c_uint32] * 2
    composite.xcb_composite_query_version.restype = _XcbCookie
    composite.xcb_composite_query_version_reply.argtypes = [
        ctypes.c_void_p,
        _XcbCookie,
        ctypes.c_void_p,
    ]
    composite.xcb_composite_query_version_reply.restype = ctypes.c_void_p
    composite.xcb_composite_redirect_window_checked.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_uint8,
    ]
    composite.xcb_composite_redirect_window_checked.restype = _XcbCookie
    libc.free.argtypes = [ctypes.c_void_p]
    return xcb, composite, libc


class WindowPictures:
    """Windows' own pictures, also where other windows cover them (X11 Composite).

    Each window asked for is redirected (automatic redirection: it still shows as
    before) so the X server keeps its whole picture off screen, and that picture is
    read. Closing the connection (:meth:`close`) ends the redirection. Where there
    is no Composite extension, :meth:`grab` returns ``None``.
    """

    def __init__(self, display: str) -> None:
        self._libraries = _xcb_composite()
        self._connection = None
        self._redirected: set[int] = set()
        if self._libraries is None:
            return
        xcb, composite, libc = self._libraries
        connection = xcb.xcb_connect(display.encode(), None)
        if not connection or xcb.xcb_connection_has_error(connection):
            if connection:
                xcb.xcb_disconnect(connection)
            return
        # The protocol asks for the version first; no reply: no Composite here.
        reply = composite.xcb_composite_query_version_reply(
            connection, composite.xcb_composite_query_version(connection, 0, 4), None
        )
        if not reply:
            xcb.xcb_disconnect(connection)
            return
        libc.free(reply)
        self._connection = connection

    def grab(self, window: int, width: int, height: int) -> QImage | None:
        """The picture of ``window`` (``width`` x ``height``), or ``None``."""
        if self._connection is None:
            return None
        xcb, composite, libc = self._libraries
        if window not in self._redirected:
            error = xcb.xcb_request_check(
                self._connection,
                composite.xcb_composite_redirect_window_checked(self._connection, window, 0),
            )
            if error:
                libc.free(error)
                return None
            self._redirected.add(window)
        cookie = xcb.xcb_get_image(
            self._connection, _Z_PIXMAP, window, 0, 0, width, height, 0xFFFFFFFF
        )
        reply = xcb.xcb_get_image_reply(self._connection, cookie, None)
        if not reply:  # not viewable (minimized), or gone
            return None
        try:
            if reply.contents.depth not in (24, 32):
                return None
            size = xcb.xcb_get_image_data_length(reply)
            if size < width * height * 4:
                return None
            data = ctypes.string_at(xcb.xcb_get_image_data(reply), size)
            return QImage(data, width, height, width * 4, QImage.Format.Format_RGB32).copy()
        finally:
            libc.free(reply)

    def close(self) -> None:
        if self._connection is not None:
            self._libraries[0].xcb_disconnect(self._connection)
            self._connection = None


class _Thumbnails(QObject):
    """Grabs each X screen about once a second in a thread and cuts the thumbnails.

    A window's thumbnail is its own picture (:class:`WindowPictures`), so a window
    covered by another (the picker itself, say) still shows itself.
    """

    ready = Signal(object)  # {key: QImage}

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._shots: list[_Shot] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def set_shots(self, shots: list[_Shot]) -> None:
        with self._lock:
            self._shots = list(shots)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="thumbnails", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
            self._thread = None

    def _loop(self) -> None:
        windows: dict[str, WindowPictures] = {}
        try:
            self._run(windows)
        finally:
            for pictures in windows.values():
                pictures.close()

    def _run(self, windows: dict[str, WindowPictures]) -> None:
        while not self._stop.is_set():
            with self._lock:
                shots = list(self._shots)
            images: dict[str, QImage] = {}
            for display in sorted({s.display for s in shots}):
                screen = grab_x11_screen(display)
                if screen is None:
                    continue
                for shot in (s for s in shots if s.display == display):
                    part = None
                    if shot.window is not None:
                        if display not in windows:
                            windows[display] = WindowPictures(display)
                        part = windows[display].grab(*shot.window)
                    if part is None:
                        part = screen if shot.rect is None else screen.copy(QRect(*shot.rect))
                    if not part.isNull():
                        images[shot.key] = part.scaled(
                            THUMB,
                            Qt.AspectRatioMode.KeepAspectRatio,
                            Qt.TransformationMode.SmoothTransformation,
                        )
            if images and not self._stop.is_set():
                try:
                    self.ready.emit(images)
                except RuntimeError:  # the dialog went away without closing
                    return
            self._stop.wait(1.0)


# --- camera and microphone previews -------------------------------------------------------


class _CameraPreview(QObject):
    """Reads a camera (or a video file, looped) with OpenCV in a thread, ~15 frames/s."""

    frame = Signal(QImage)
    failed = Signal(str)

    def __init__(self, spec: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="camera-preview", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        with contextlib.suppress(RuntimeError):  # the dialog went away without closing
            self._read()

    def _read(self) -> None:
        source: int | str = int(self.spec) if self.spec.isdigit() else self.spec
        capture = cv2.VideoCapture(source)
        try:
            if not capture.isOpened():
                self.failed.emit(f"The camera '{self.spec}' could not be opened.")
                return
            is_file = not self.spec.isdigit()
            rate = capture.get(cv2.CAP_PROP_FPS) if is_file else 0.0
            pace = 1.0 / rate if rate and 1 <= rate <= 240 else 0.0
            shown = 0.0
            while not self._stop.is_set():
                ok, picture = capture.read()
                if not ok or picture is None:
                    if is_file and capture.set(cv2.CAP_PROP_POS_FRAMES, 0):
                        continue
                    self.failed.emit(f"The camera '{self.spec}' gives no picture.")
                    return
                if pace:
                    self._stop.wait(pace)
                now = time.monotonic()
                if now - shown < 1 / 15:
                    continue
                shown = now
                self.frame.emit(_bgr_image(picture, PREVIEW))
        finally:
            capture.release()

    def stop(self) -> None:
        """Stop reading and release the camera (so the recorder can open it)."""
        self._stop.set()
        self._thread.join(timeout=3)


def _bgr_image(picture: np.ndarray, size: QSize) -> QImage:
    height, width = picture.shape[:2]
    scale = min(size.width() / width, size.height() / height)
    small = cv2.resize(picture, (max(1, int(width * scale)), max(1, int(height * scale))))
    small = np.ascontiguousarray(small)
    h, w = small.shape[:2]
    return QImage(small.data, w, h, 3 * w, QImage.Format.Format_BGR888).copy()


class _MicMonitor:
    """A sounddevice input stream open while the dialog is; keeps the latest level."""

    def __init__(self, device: int | str) -> None:
        import sounddevice

        self.rms = self.peak = FLOOR_DBFS
        self.blocks = 0
        self.stream = sounddevice.InputStream(
            device=device,
            samplerate=SAMPLE_RATE,
            channels=1,
            dtype="int16",
            blocksize=SAMPLE_RATE // 20,
            callback=self._callback,
        )
        self.stream.start()

    def _callback(self, indata, frames, time_info, status) -> None:  # PortAudio thread
        samples = indata.astype(np.float64).ravel()
        if samples.size:
            rms = math.sqrt(float(np.mean(samples * samples)))
            peak = float(np.abs(samples).max())
            self.rms, self.peak = _dbfs(rms), _dbfs(peak)
        self.blocks += 1

    def close(self) -> None:
        try:
            self.stream.stop()
            self.stream.close()
        except Exception:  # a vanished device may fail to stop; nothing to keep
            pass


def _dbfs(value: float) -> float:
    return 20 * math.log10(value / 32768) if value > 0 else -120.0


# --- the region chooser -------------------------------------------------------------------


class RegionChooser(QWidget):
    """A full-screen overlay on which the teacher drags the rectangle to record.

    Shows a dimmed picture of the screen (so it works without a compositor); Esc
    cancels. ``chosen`` carries the rectangle in X11 screen pixels.
    """

    chosen = Signal(QRect)
    cancelled = Signal()
    MIN_SIZE = 16

    def __init__(
        self,
        screen: QScreen | None = None,
        backdrop: QImage | None = None,
        parent: QWidget | None = None,
    ) -> None:
        # A parent window keeps the overlay usable while that window is modal.
        super().__init__(
            parent,
            Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.Tool,
        )
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setAccessibleName("Choose the region to record")
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._screen = screen or QGuiApplication.primaryScreen()
        self.setGeometry(self._screen.geometry())
        self._backdrop = backdrop
        self._start: QPoint | None = None
        self._end: QPoint | None = None
        self._done = False

    def open(self) -> None:
        """Show the overlay over its whole screen and take the keyboard."""
        self.showFullScreen()
        self.raise_()
        self.activateWindow()
        self.setFocus()

    def selection(self) -> QRect:
        """The dragged rectangle in widget coordinates (empty before a drag)."""
        if self._start is None or self._end is None:
            return QRect()
        left, right = sorted((self._start.x(), self._end.x()))
        top, bottom = sorted((self._start.y(), self._end.y()))
        return QRect(left, top, right - left, bottom - top)

    def to_screen(self, rect: QRect) -> QRect:
        """``rect`` on this overlay in X11 screen pixels (device pixels)."""
        ratio = self.devicePixelRatioF()
        origin = self.geometry().topLeft()
        return QRect(
            round((origin.x() + rect.x()) * ratio),
            round((origin.y() + rect.y()) * ratio),
            round(rect.width() * ratio),
            round(rect.height() * ratio),
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._start = self._end = event.position().toPoint()
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._start is not None:
            self._end = event.position().toPoint()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._start is None:
            return
        self._end = event.position().toPoint()
        rect = self.selection()
        if rect.width() < self.MIN_SIZE or rect.height() < self.MIN_SIZE:
            self._start = self._end = None  # a click, not a drag: keep choosing
            self.update()
            return
        self._finish(self.to_screen(rect))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._finish(None)
        else:
            super().keyPressEvent(event)

    def _finish(self, rect: QRect | None) -> None:
        if self._done:
            return
        self._done = True
        self.hide()
        if rect is None:
            self.cancelled.emit()
        else:
            self.chosen.emit(rect)
        self.close()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        whole = self.rect()
        if self._backdrop is not None and not self._backdrop.isNull():
            painter.drawImage(whole, self._backdrop)
        else:
            painter.fillRect(whole, QColor("#1d2330"))
        rect = self.selection()
        shade = QColor(0, 0, 0, 140)
        if rect.isEmpty():
            painter.fillRect(whole, shade)
        else:
            for part in (
                QRect(0, 0, whole.width(), rect.top()),
                QRect(0, rect.bottom() + 1, whole.width(), whole.height() - rect.bottom() - 1),
                QRect(0, rect.top(), rect.left(), rect.height()),
                QRect(
                    rect.right() + 1, rect.top(), whole.width() - rect.right() - 1, rect.height()
                ),
            ):
                painter.fillRect(part, shade)
            painter.setPen(QPen(QColor("#5b9bff"), 2))
            painter.drawRect(rect)
            size = self.to_screen(rect)
            painter.setPen(QColor("white"))
            painter.drawText(
                rect.adjusted(6, 4, 0, 0),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                f"{size.width()} × {size.height()}",
            )
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(
            whole.adjusted(0, 24, 0, 0),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            "Drag to choose the region to record  ·  Esc cancels",
        )
        painter.end()


# --- the dialog ---------------------------------------------------------------------------


class SourcePickerDialog(QDialog):
    """Choose screen (or a window or region), camera, microphone, frame rate and quality.

    Previews run only while the dialog is open: screen thumbnails about once a
    second, the camera picture and a live microphone meter. They are stopped and
    the devices released when it closes, before the recorder opens them.
    """

    def __init__(
        self,
        settings: RecordingSettings | None = None,
        countdown: bool = True,
        parent: QWidget | None = None,
        quality: str | None = None,
    ) -> None:
        """``quality`` names the quality preset to start on (the one chosen in the
        Settings); without it, the preset matching ``settings`` is chosen."""
        super().__init__(parent)
        self.setWindowTitle("Record a lesson")
        self.setAccessibleName("Record a lesson")
        settings = settings or RecordingSettings()
        self._initial = settings
        self._camera: _CameraPreview | None = None
        self._mic: _MicMonitor | None = None
        self._region_chooser: RegionChooser | None = None
        self._camera_index = 0
        self._closed = False
        self._images: dict[str, QImage] = {}
        self._thumbnails = _Thumbnails(self)
        self._thumbnails.ready.connect(self._show_thumbnails)

        self._build(settings, countdown, quality)
        self._list_screens(settings.screen)
        self._list_cameras(settings.camera)
        self._list_microphones(settings.mic)

        self._meter_timer = QTimer(self)
        self._meter_timer.setInterval(50)
        self._meter_timer.timeout.connect(self._update_meter)
        self._meter_timer.start()
        self._thumbnails.start()
        self._camera_changed()
        self._mic_changed()
        self.screen_list.setFocus()

    # ------------------------------------------------------------ building

    def _build(self, settings: RecordingSettings, countdown: bool, quality: str | None) -> None:
        self.screen_list = QListWidget()
        self.screen_list.setAccessibleName("Screen to record")
        self.screen_list.setViewMode(QListView.ViewMode.IconMode)
        self.screen_list.setIconSize(THUMB)
        self.screen_list.setGridSize(QSize(THUMB.width() + 24, THUMB.height() + 52))
        self.screen_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.screen_list.setMovement(QListView.Movement.Static)
        self.screen_list.setWordWrap(True)
        self.screen_list.setMinimumSize(2 * THUMB.width() + 70, 2 * THUMB.height() + 130)
        self.region_button = QPushButton("Choose region…")
        self.region_button.setAccessibleName("Choose a region of the screen")
        self.region_button.clicked.connect(self.choose_region)
        self.screen_note = _Note()
        screen_box = QGroupBox("Screen")
        box = QVBoxLayout(screen_box)
        box.addWidget(self.screen_list, 1)
        row = QHBoxLayout()
        row.addWidget(self.screen_note, 1)
        row.addWidget(self.region_button)
        box.addLayout(row)

        self.camera_box = QComboBox()
        self.camera_box.setAccessibleName("Camera")
        self.camera_preview = QLabel("No camera")
        self.camera_preview.setAccessibleName("Camera preview")
        self.camera_preview.setFixedSize(PREVIEW)
        self.camera_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.camera_preview.setStyleSheet(
            "background: #11151c; color: #8a94a6; border-radius: 6px;"
        )
        self.camera_note = _Note()
        camera_group = QGroupBox("Camera")
        box = QVBoxLayout(camera_group)
        box.addWidget(self.camera_box)
        box.addWidget(self.camera_preview, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addWidget(self.camera_note)

        self.mic_box = QComboBox()
        self.mic_box.setAccessibleName("Microphone")
        self.meter = LevelMeter()
        self.mic_note = _Note()
        mic_group = QGroupBox("Microphone")
        box = QVBoxLayout(mic_group)
        box.addWidget(self.mic_box)
        box.addWidget(self.meter)
        box.addWidget(self.mic_note)

        self.fps_box = QComboBox()
        self.fps_box.setAccessibleName("Frames per second")
        for fps in sorted(set(FPS_CHOICES) | {float(settings.fps)}):
            self.fps_box.addItem(f"{fps:g} frames per second", fps)
        self.fps_box.setCurrentIndex(self.fps_box.findData(float(settings.fps)))
        self.quality_box = QComboBox()
        self.quality_box.setAccessibleName("Quality")
        for preset in QUALITY_PRESETS.values():
            self.quality_box.addItem(preset.name, preset.name)
            self.quality_box.setItemData(
                self.quality_box.count() - 1, preset.description, Qt.ItemDataRole.ToolTipRole
            )
        if quality not in QUALITY_PRESETS:
            quality = next(
                (
                    p.name
                    for p in QUALITY_PRESETS.values()
                    if (p.preset, p.max_size) == (settings.preset, tuple(settings.max_size))
                ),
                None,
            )
        self.quality_box.setCurrentIndex(max(0, self.quality_box.findData(quality)))
        # A preset brings its frame rate; a lower one can still be chosen after.
        self.quality_box.currentIndexChanged.connect(self._quality_changed)
        self.countdown_box = QCheckBox("Count down 3-2-1 before recording")
        self.countdown_box.setAccessibleName("Count down before recording")
        self.countdown_box.setChecked(countdown)
        options = QGroupBox("Video")
        form = QFormLayout(options)
        form.addRow("Frame rate", self.fps_box)
        form.addRow("Quality", self.quality_box)
        form.addRow(self.countdown_box)

        right = QVBoxLayout()
        right.addWidget(camera_group)
        right.addWidget(mic_group)
        right.addWidget(options)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addWidget(screen_box, 1)
        columns.addLayout(right)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setIcon(QIcon())
        # Enter records wherever the focus is: no other button takes the default.
        for button in (cancel, self.region_button):
            button.setAutoDefault(False)
        self.record_button = self.buttons.addButton(
            "Record", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.record_button.setObjectName("primary")
        self.record_button.setAccessibleName("Start recording")
        self.record_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.buttons)

        self.camera_box.currentIndexChanged.connect(self._camera_changed)
        self.mic_box.currentIndexChanged.connect(self._mic_changed)

    def _list_screens(self, chosen: str) -> None:
        if device_list.session_type() == "wayland":
            self._list_portal_choices(chosen)
            return
        shots: list[_Shot] = []
        notes = []
        try:
            screens = device_list.list_screens()
        except Exception as error:  # a broken X tool must not stop the dialog
            screens, notes = [], [f"Screens could not be listed ({error})."]
        try:
            windows = device_list.list_windows() if screens else []
        except Exception as error:
            windows = []
            notes.append(f"Windows could not be listed ({error}).")
        if not screens and not notes:
            notes.append("No X11 display: the screen cannot be recorded here.")
        own = self._own_window_ids()
        for screen in screens:
            key = str(screen.index)
            name = f" · {screen.name}" if screen.name else ""
            primary = " (primary)" if screen.primary and len(screens) > 1 else ""
            self._add_screen_item(
                f"Screen {screen.index}{name}{primary}\n{screen.width}×{screen.height}", key
            )
            part = (screen.x, screen.y, screen.width, screen.height)
            shots.append(_Shot(key, screen.display, None if len(screens) == 1 else part))
        first = screens[0] if screens else None
        desktop = _desktop([s for s in screens if first and s.display == first.display])
        for window in windows:
            if window.id in own or first is None:
                continue
            rect = _clip((window.x, window.y, window.width, window.height), desktop)
            if rect is None:
                continue
            key = f"window:{window.name}"
            self._add_screen_item(f"Window\n{window.name}", key)
            whole = (window.id, window.width, window.height)
            shots.append(_Shot(key, first.display, rect, whole))
        self._shots = shots
        self._screen_display = first.display if first else None
        if chosen.startswith("region:") and first is not None:
            self._set_region_spec(chosen)
        self._add_screen_item("No screen", "none")
        self.region_button.setEnabled(first is not None)
        self.screen_note.setText(" ".join(notes))
        self._select(self.screen_list, chosen, fallback=0)
        self._thumbnails.set_shots(shots)

    def _list_portal_choices(self, chosen: str) -> None:
        """On Wayland the desktop's own picker chooses (XWayland's screens record black)."""
        self._shots, self._screen_display = [], None
        asks = "your desktop asks which"
        self._add_screen_item("A screen\nchosen in your desktop's picker", "0", asks)
        self._add_screen_item("A window\nchosen in your desktop's picker", PICKER_WINDOW, asks)
        self._add_screen_item("No screen", "none")
        self.region_button.setEnabled(False)
        self.region_button.setToolTip("On Wayland your desktop's picker chooses what to record")
        self.screen_note.setText(WAYLAND_NOTE)
        if chosen.startswith("window:"):
            chosen = PICKER_WINDOW
        elif chosen != "none":
            chosen = "0"
        self._select(self.screen_list, chosen, fallback=0)
        self._thumbnails.set_shots([])

    def _own_window_ids(self) -> set[int]:
        if QGuiApplication.platformName() != "xcb":
            return set()
        return {int(w.winId()) for w in QApplication.topLevelWidgets() if w.isVisible()}

    def _add_screen_item(self, text: str, spec: str, card: str = "") -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setData(_SPEC_ROLE, spec)
        item.setToolTip(plain_tip(spec))  # a window's name is another program's text
        item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
        item.setIcon(QIcon(_placeholder("camera or sound only" if spec == "none" else card)))
        self.screen_list.addItem(item)
        return item

    def _list_cameras(self, chosen: str) -> None:
        self.camera_box.addItem("No camera", "none")
        try:
            cameras = device_list.list_cameras()
            note = "" if cameras else "No camera found."
        except Exception as error:
            cameras, note = [], f"Cameras could not be listed ({error})."
        for camera in cameras:
            self.camera_box.addItem(f"{camera.name} ({camera.path})", str(camera.index))
        spec = chosen.strip()
        if spec.lower() != "none" and self.camera_box.findData(spec) < 0 and not spec.isdigit():
            self.camera_box.addItem(f"File: {Path(spec).name}", spec)
        self.camera_box.addItem("A video file…", _FILE_ITEM)
        self.camera_note.setText(note)
        self._select(self.camera_box, spec, fallback=0)
        self._camera_index = self.camera_box.currentIndex()

    def _list_microphones(self, chosen: str) -> None:
        self.mic_box.addItem("System default", "default")
        try:
            mics = device_list.microphone_choices()
            note = "" if mics else "No microphone found."
        except Exception as error:
            mics, note = [], f"Microphones could not be listed ({error})."
        for label, spec in mics:
            self.mic_box.addItem(label, spec)
            self.mic_box.setItemData(self.mic_box.count() - 1, spec, Qt.ItemDataRole.ToolTipRole)
        self.mic_box.addItem("No microphone", "none")
        if self.mic_box.findData(chosen) < 0:
            self.mic_box.insertItem(self.mic_box.count() - 1, chosen, chosen)
        self._mic_list_note = note
        self.mic_note.setText(note)
        self._select(self.mic_box, chosen, fallback=0)

    @staticmethod
    def _select(widget: QListWidget | QComboBox, spec: str, fallback: int) -> None:
        if isinstance(widget, QComboBox):
            index = widget.findData(spec)
            widget.setCurrentIndex(index if index >= 0 else fallback)
            return
        for row in range(widget.count()):
            if widget.item(row).data(_SPEC_ROLE) == spec:
                widget.setCurrentRow(row)
                return
        widget.setCurrentRow(fallback)

    # ------------------------------------------------------------ choices

    def settings(self) -> RecordingSettings:
        """The sources and options chosen."""
        item = self.screen_list.currentItem()
        camera = self.camera_box.currentData()
        # replace() keeps any setting the dialog does not show (as it was given).
        return dataclasses.replace(
            self._initial,
            screen=item.data(_SPEC_ROLE) if item is not None else "none",
            camera="none" if camera in (None, _FILE_ITEM) else camera,
            mic=self.mic_box.currentData() or "none",
            fps=float(self.fps_box.currentData()),
            preset=QUALITY_PRESETS[self.quality()].preset,
            max_size=QUALITY_PRESETS[self.quality()].max_size,
        )

    def quality(self) -> str:
        """The name of the quality preset chosen (see :data:`studio.settings.QUALITY_PRESETS`)."""
        return str(self.quality_box.currentData())

    def _quality_changed(self) -> None:
        fps = QUALITY_PRESETS[self.quality()].fps
        index = self.fps_box.findData(fps)
        if index >= 0:
            self.fps_box.setCurrentIndex(index)

    def countdown(self) -> bool:
        """Whether to count down 3-2-1 before recording."""
        return self.countdown_box.isChecked()

    def screen_specs(self) -> list[str]:
        """The screen choices listed, as recorder specs (``"0"``, ``"window:NAME"``, ...)."""
        return [self.screen_list.item(i).data(_SPEC_ROLE) for i in range(self.screen_list.count())]

    def thumbnail(self, spec: str) -> QImage | None:
        """The latest live thumbnail of a screen choice (``None`` before the first)."""
        return self._images.get(spec)

    def use_camera_file(self, path: str | Path) -> None:
        """Preview and record a video file as the camera (for trying things out)."""
        spec = str(path)
        index = self.camera_box.findData(spec)
        if index < 0:
            index = self.camera_box.count() - 1
            self.camera_box.insertItem(index, f"File: {Path(spec).name}", spec)
        self.camera_box.setCurrentIndex(index)

    def choose_region(self) -> RegionChooser:
        """Open the overlay on which a region is dragged; the choice lands in the list."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        backdrop = grab_x11_screen(self._screen_display)
        if backdrop is not None and QGuiApplication.platformName() == "xcb":
            backdrop = backdrop.copy(self.to_device(screen.geometry(), screen))
        else:
            backdrop = None
        chooser = RegionChooser(screen, backdrop, self)
        chooser.chosen.connect(self._region_chosen)
        chooser.destroyed.connect(lambda: setattr(self, "_region_chooser", None))
        self._region_chooser = chooser
        chooser.open()
        return chooser

    @staticmethod
    def to_device(rect: QRect, screen: QScreen) -> QRect:
        ratio = screen.devicePixelRatio()
        return QRect(
            round(rect.x() * ratio),
            round(rect.y() * ratio),
            round(rect.width() * ratio),
            round(rect.height() * ratio),
        )

    def _region_chosen(self, rect: QRect) -> None:
        self._set_region_spec(f"region:{rect.x()},{rect.y()},{rect.width()},{rect.height()}")
        self.raise_()
        self.activateWindow()

    def _set_region_spec(self, spec: str) -> None:
        try:
            x, y, w, h = (int(v) for v in spec.removeprefix("region:").split(","))
        except ValueError:
            return
        for row in range(self.screen_list.count()):
            if str(self.screen_list.item(row).data(_SPEC_ROLE)).startswith("region:"):
                self.screen_list.takeItem(row)
                break
        self._shots = [s for s in self._shots if not s.key.startswith("region:")]
        if self._screen_display:
            self._shots.append(_Shot(spec, self._screen_display, (x, y, w, h)))
        self._thumbnails.set_shots(self._shots)
        item = QListWidgetItem(f"Region\n{w}×{h} at {x},{y}")
        item.setData(_SPEC_ROLE, spec)
        item.setToolTip(spec)
        item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
        item.setIcon(self._icon_for(spec) or QIcon(_placeholder("")))
        none_row = next(
            (
                r
                for r in range(self.screen_list.count())
                if self.screen_list.item(r).data(_SPEC_ROLE) == "none"
            ),
            self.screen_list.count(),
        )
        self.screen_list.insertItem(none_row, item)
        self.screen_list.setCurrentItem(item)

    def _icon_for(self, spec: str) -> QIcon | None:
        image = self.thumbnail(spec)
        return QIcon(QPixmap.fromImage(image)) if image is not None else None

    # ------------------------------------------------------------ previews

    def _show_thumbnails(self, images: dict) -> None:
        if self._closed:
            return
        self._images = images
        for row in range(self.screen_list.count()):
            item = self.screen_list.item(row)
            image = images.get(item.data(_SPEC_ROLE))
            if image is not None:
                item.setIcon(QIcon(QPixmap.fromImage(_framed(image))))

    def _camera_changed(self) -> None:
        spec = self.camera_box.currentData()
        if spec == _FILE_ITEM:
            path, _ = QFileDialog.getOpenFileName(
                self, "A video file as the camera", "", _VIDEO_FILTER
            )
            if path:
                self.use_camera_file(path)
            else:
                self.camera_box.setCurrentIndex(self._camera_index)
            return
        self._camera_index = self.camera_box.currentIndex()
        self._stop_camera()
        self.camera_note.setText("")
        self.camera_preview.setPixmap(QPixmap())
        if spec in (None, "none"):
            self.camera_preview.setText("No camera")
            return
        self.camera_preview.setText("Opening the camera…")
        self._camera = _CameraPreview(spec, self)
        self._camera.frame.connect(self._show_camera_frame)
        self._camera.failed.connect(self._camera_failed)

    def _show_camera_frame(self, image: QImage) -> None:
        if self._camera is not None and self.sender() is self._camera:
            self.camera_preview.setPixmap(QPixmap.fromImage(image))

    def _camera_failed(self, text: str) -> None:
        if self.sender() is self._camera:
            self.camera_preview.setText("No picture")
            self.camera_note.setText(text)

    def camera_frame(self) -> QPixmap:
        """The camera preview picture shown now (null before the first frame)."""
        return self.camera_preview.pixmap()

    def _stop_camera(self) -> None:
        if self._camera is not None:
            self._camera.stop()
            self._camera.deleteLater()
            self._camera = None

    def _mic_changed(self) -> None:
        self._stop_mic()
        self.meter.set_level(None)
        spec = self.mic_box.currentData() or "none"
        if spec == "none":
            self.mic_note.setText(self._mic_list_note)
            self.meter.setEnabled(False)
            return
        self.meter.setEnabled(True)
        try:
            device = resolve_microphone(spec)
            if device is not None:
                self._mic = _MicMonitor(device)
            self.mic_note.setText(self._mic_list_note)
        except Exception as error:  # shown, not raised: the recorder reports it again
            self.mic_note.setText(_one_line(str(error)))

    def _update_meter(self) -> None:
        if self._mic is not None and self._mic.blocks:
            self.meter.set_level(self._mic.rms, self._mic.peak)

    def _stop_mic(self) -> None:
        if self._mic is not None:
            self._mic.close()
            self._mic = None

    def stop_previews(self) -> None:
        """Stop the thumbnails, the camera and the microphone and release the devices."""
        self._closed = True
        self._meter_timer.stop()
        self._thumbnails.stop()
        self._stop_camera()
        self._stop_mic()
        if self._region_chooser is not None:
            self._region_chooser.close()

    def done(self, result: int) -> None:
        self.stop_previews()
        super().done(result)


class _Note(QLabel):
    """A muted one-line note that takes no room while it is empty."""

    def __init__(self) -> None:
        super().__init__()
        plain(self)  # notes quote device and window names
        self.setProperty("muted", True)
        self.setWordWrap(True)
        self.hide()

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))


def _one_line(text: str) -> str:
    return text.split("; run 'lectern-studio devices'")[0].rstrip(".") + "."


def _desktop(screens: list[device_list.Screen]) -> tuple[int, int]:
    """Width and height of the X screen the monitors of ``screens`` are parts of."""
    if not screens:
        return 0, 0
    return max(s.x + s.width for s in screens), max(s.y + s.height for s in screens)


def _clip(
    rect: tuple[int, int, int, int], desktop: tuple[int, int]
) -> tuple[int, int, int, int] | None:
    """The part of a window's ``rect`` on the desktop; ``None`` if too little shows."""
    x, y, w, h = rect
    left, top = max(0, x), max(0, y)
    right, bottom = min(desktop[0], x + w), min(desktop[1], y + h)
    if right - left < 16 or bottom - top < 16:
        return None
    return left, top, right - left, bottom - top


def _placeholder(text: str) -> QPixmap:
    """A card for a choice without a picture (yet): dashed outline, muted words."""
    card = QPixmap(THUMB)
    card.fill(QColor("#f7f9fc"))
    painter = QPainter(card)
    painter.setPen(QPen(QColor("#b5bfcf"), 1, Qt.PenStyle.DashLine))
    painter.drawRect(card.rect().adjusted(0, 0, -1, -1))
    painter.setPen(QColor("#667085"))
    painter.drawText(card.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return card


def _framed(image: QImage) -> QImage:
    """The thumbnail centred on a fixed-size card, so all items line up."""
    card = QImage(THUMB, QImage.Format.Format_RGB32)
    card.fill(QColor("#11151c"))
    painter = QPainter(card)
    painter.drawImage(
        (THUMB.width() - image.width()) // 2, (THUMB.height() - image.height()) // 2, image
    )
    painter.end()
    return card
