"""The video surface: a lesson video, captions drawn over it and an optional presenter video.

The videos are :class:`QGraphicsVideoItem` in a scene, so captions can be painted on
top of the picture (a native video widget would hide them). A second player for the
presenter (webcam) recording follows the main one: play, pause, seek and speed are
mirrored and drift is corrected every second. It has no audio; the lecture's own
track is the one heard. The presenter shows as picture-in-picture or side by side,
and the two pictures can be swapped. A loaded video shows its first picture (or the
one it was asked to seek to) at once, paused, rather than a black frame until played.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QMetaObject, QRectF, QSizeF, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QMouseEvent,
    QPainter,
    QResizeEvent,
)
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer, QVideoFrame
from PySide6.QtMultimediaWidgets import QGraphicsVideoItem
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsObject,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QVBoxLayout,
    QWidget,
)

from shared.captions import Cue

__all__ = ["VideoView", "LAYOUTS"]

LAYOUTS = ("pip", "side")
DRIFT_LIMIT = 0.25
"""Seconds the presenter video may drift from the lecture before it is re-synced."""


class _CaptionItem(QGraphicsObject):
    """A caption: centred lines on a rounded translucent box, sized to the video."""

    def __init__(self) -> None:
        super().__init__()
        self._text = ""
        self._area = QRectF()
        self._box = QRectF()
        self._font = QFont()
        self.setZValue(10)

    def text(self) -> str:
        return self._text

    def set_area(self, area: QRectF) -> None:
        """The video rectangle the caption sits at the bottom of."""
        self.prepareGeometryChange()
        self._area = QRectF(area)
        self._font.setPixelSize(max(12, round(area.height() / 20)))
        self._font.setWeight(QFont.Weight.DemiBold)
        self._layout()

    def set_text(self, text: str) -> None:
        if text != self._text:
            self.prepareGeometryChange()
            self._text = text
            self._layout()

    def _layout(self) -> None:
        if not self._text or self._area.isEmpty():
            self._box = QRectF()
            self.update()
            return
        metrics = QFontMetricsF(self._font)
        width = self._area.width() * 0.86
        flags = int(Qt.AlignmentFlag.AlignHCenter) | int(Qt.TextFlag.TextWordWrap)
        text = metrics.boundingRect(QRectF(0, 0, width, 10_000), flags, self._text)
        pad_x, pad_y = metrics.height() * 0.5, metrics.height() * 0.2
        box = QRectF(0, 0, text.width() + 2 * pad_x, text.height() + 2 * pad_y)
        box.moveCenter(self._area.center())
        box.moveBottom(self._area.bottom() - self._area.height() * 0.06)
        self._box = box
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(self._box)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self._box.isEmpty():
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(0, 0, 0, 185)))
        radius = self._box.height() * 0.12
        painter.drawRoundedRect(self._box, radius, radius)
        painter.setPen(QColor("#ffffff"))
        painter.setFont(self._font)
        flags = (
            int(Qt.AlignmentFlag.AlignHCenter)
            | int(Qt.AlignmentFlag.AlignVCenter)
            | int(Qt.TextFlag.TextWordWrap)
        )
        painter.drawText(self._box, flags, self._text)


class _Stage(QGraphicsView):
    """The graphics view: black, frameless, no scroll bars; forwards clicks."""

    def __init__(self, scene: QGraphicsScene, owner: VideoView) -> None:
        super().__init__(scene)
        self._owner = owner
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setBackgroundBrush(QColor("#000000"))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._owner._relayout()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._owner.clicked.emit()
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self._owner.doubleClicked.emit()
        event.accept()


class VideoView(QWidget):
    """Plays a lesson video with captions and an optional presenter video in sync.

    Signals:
        positionChanged(float): the lecture position, seconds.
        durationChanged(float): seconds.
        playingChanged(bool): playing or not.
        ended(): the lecture reached its end.
        frameShown(float): a lecture picture arrived, with its time in seconds (finer than
            ``positionChanged``: one per frame).
        errorOccurred(str): the video cannot be played; a message for a person.
        clicked(), doubleClicked(): on the picture.
    """

    positionChanged = Signal(float)
    durationChanged = Signal(float)
    playingChanged = Signal(bool)
    ended = Signal()
    frameShown = Signal(float)
    errorOccurred = Signal(str)
    clicked = Signal()
    doubleClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Video")
        self.setMinimumSize(320, 180)
        self._scene = QGraphicsScene(self)
        self._stage = _Stage(self._scene, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stage)

        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.main_item = QGraphicsVideoItem()
        self.player.setVideoOutput(self.main_item)

        self.presenter = QMediaPlayer(self)
        self.presenter_item = QGraphicsVideoItem()
        self.presenter.setVideoOutput(self.presenter_item)
        self.presenter_item.setVisible(False)

        self.caption = _CaptionItem()
        for item in (self.main_item, self.presenter_item, self.caption):
            self._scene.addItem(item)
            if isinstance(item, QGraphicsVideoItem):
                item.setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
                item.nativeSizeChanged.connect(self._relayout)

        self._cues: list[Cue] = []
        self._cue_starts: list[float] = []
        self._captions_on = True
        self._layout = "pip"
        self._swapped = False
        self._has_presenter = False
        self._rate = 1.0
        self._pending: float | None = None

        self.player.positionChanged.connect(self._on_position)
        self.main_item.videoSink().videoFrameChanged.connect(self._on_frame)
        self.player.durationChanged.connect(lambda ms: self.durationChanged.emit(ms / 1000))
        self.player.playbackStateChanged.connect(self._on_state)
        self.player.mediaStatusChanged.connect(self._on_status)
        self.player.errorOccurred.connect(self._on_error)
        self.presenter.mediaStatusChanged.connect(self._on_presenter_status)
        self._sync = QTimer(self)
        self._sync.setInterval(1000)
        self._sync.timeout.connect(self._resync)
        self._relayout()

    # ------------------------------------------------------------------ media

    def load(self, video: str | Path, presenter: str | Path | None = None) -> None:
        """Open a lecture video and, optionally, its presenter video (paused at 0)."""
        _stop(self.player)
        _stop(self.presenter)
        # Sound goes out only where there is a device; the output is set only when that
        # changes, as setting it tears down the audio renderer (see _stop).
        output = self.audio if QMediaDevices.audioOutputs() else None
        if self.player.audioOutput() is not output:
            self.player.setAudioOutput(output)
        self.player.setSource(QUrl.fromLocalFile(str(video)))
        self._has_presenter = presenter is not None
        self.presenter.setSource(QUrl.fromLocalFile(str(presenter)) if presenter else QUrl())
        self.presenter_item.setVisible(self._has_presenter)
        self._pending = None
        self._set_caption_at(0.0)
        self._relayout()

    def is_loaded(self) -> bool:
        """Whether the lecture video is ready (its duration is known)."""
        return self.player.mediaStatus() in (
            QMediaPlayer.MediaStatus.LoadedMedia,
            QMediaPlayer.MediaStatus.BufferingMedia,
            QMediaPlayer.MediaStatus.BufferedMedia,
            QMediaPlayer.MediaStatus.StalledMedia,
            QMediaPlayer.MediaStatus.EndOfMedia,
        )

    def unload(self) -> None:
        _stop(self.player)
        _stop(self.presenter)
        self.player.setSource(QUrl())
        self.presenter.setSource(QUrl())
        self._has_presenter = False
        self.presenter_item.setVisible(False)

    def has_presenter(self) -> bool:
        return self._has_presenter

    def play(self) -> None:
        self.player.play()

    def pause(self) -> None:
        self.player.pause()

    def toggle(self) -> None:
        self.pause() if self.is_playing() else self.play()

    def is_playing(self) -> bool:
        return self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def position(self) -> float:
        if self._pending is not None:
            return self._pending
        return self.player.position() / 1000

    def duration(self) -> float:
        return self.player.duration() / 1000

    def seek(self, seconds: float) -> None:
        """Go to ``seconds`` (clamped to the video) in both videos.

        Before the video is loaded the seek is kept and done once it is.
        """
        limit = self.duration()
        seconds = max(0.0, min(seconds, limit) if limit > 0 else seconds)
        if not self.is_loaded():
            self._pending = seconds
            self._set_caption_at(seconds)
            self.positionChanged.emit(seconds)
            return
        self._pending = None
        self.player.setPosition(int(seconds * 1000))
        if self._has_presenter:
            self.presenter.setPosition(int(seconds * 1000))
        self._set_caption_at(seconds)

    def rate(self) -> float:
        return self._rate

    def set_rate(self, rate: float) -> None:
        """Playback speed; the pitch is kept natural where Qt can do that."""
        self._rate = float(rate)
        for player in (self.player, self.presenter):
            if hasattr(player, "setPitchCompensation"):
                player.setPitchCompensation(True)
            player.setPlaybackRate(self._rate)

    def volume(self) -> float:
        return self.audio.volume()

    def set_volume(self, volume: float) -> None:
        self.audio.setVolume(min(1.0, max(0.0, volume)))

    def is_muted(self) -> bool:
        return self.audio.isMuted()

    def set_muted(self, muted: bool) -> None:
        self.audio.setMuted(muted)

    # --------------------------------------------------------------- captions

    def set_cues(self, cues: Sequence[Cue]) -> None:
        self._cues = sorted(cues, key=lambda cue: cue.start)
        self._cue_starts = [cue.start for cue in self._cues]
        self._set_caption_at(self.position())

    def captions_visible(self) -> bool:
        return self._captions_on

    def set_captions_visible(self, visible: bool) -> None:
        self._captions_on = visible
        self.caption.setVisible(visible)

    def caption_text(self) -> str:
        """The caption showing now ("" when none), whether or not captions are on."""
        return self.caption.text()

    def _set_caption_at(self, seconds: float) -> None:
        index = bisect.bisect_right(self._cue_starts, seconds) - 1
        text = ""
        if 0 <= index < len(self._cues) and seconds < self._cues[index].end:
            text = self._cues[index].text
        self.caption.set_text(text)

    # ----------------------------------------------------------------- layout

    def presenter_layout(self) -> str:
        return self._layout

    def set_presenter_layout(self, layout: str) -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"presenter layout must be one of {LAYOUTS}, got {layout!r}")
        self._layout = layout
        self._relayout()

    def is_swapped(self) -> bool:
        return self._swapped

    def swap(self) -> None:
        """Swap which video is the large one."""
        self._swapped = not self._swapped
        self._relayout()

    def _relayout(self) -> None:
        size = self._stage.viewport().size()
        width, height = max(1, size.width()), max(1, size.height())
        self._scene.setSceneRect(0, 0, width, height)
        full = QRectF(0, 0, width, height)
        big, small = self.main_item, self.presenter_item
        if self._has_presenter and self._swapped:
            big, small = small, big
        if not self._has_presenter:
            self._place(self.main_item, full)
            area = self._picture(self.main_item)
        elif self._layout == "side":
            split = width * 0.64
            self._place(big, QRectF(0, 0, split - 2, height))
            self._place(small, QRectF(split + 2, 0, width - split - 2, height))
            big.setZValue(0)
            small.setZValue(1)
            area = self._picture(self.main_item)
        else:
            self._place(big, full)
            margin = min(width, height) * 0.03
            pip = QRectF(0, 0, width * 0.26, height * 0.26)
            pip.moveBottomRight(full.bottomRight() - QRectF(0, 0, margin, margin).bottomRight())
            self._place(small, pip)
            big.setZValue(0)
            small.setZValue(1)
            area = self._picture(big)
        self.caption.set_area(area)

    @staticmethod
    def _place(item: QGraphicsVideoItem, rect: QRectF) -> None:
        item.setPos(rect.topLeft())
        item.setSize(QSizeF(rect.width(), rect.height()))

    @staticmethod
    def _picture(item: QGraphicsVideoItem) -> QRectF:
        """Where the picture of ``item`` really is (its letterbox bars left out)."""
        native = item.nativeSize()
        if native.isEmpty():
            return QRectF(item.pos(), item.size())
        scaled = native.scaled(item.size(), Qt.AspectRatioMode.KeepAspectRatio)
        picture = QRectF(0, 0, scaled.width(), scaled.height())
        picture.moveCenter(QRectF(item.pos(), item.size()).center())
        return picture

    # ---------------------------------------------------------------- signals

    def _on_position(self, ms: int) -> None:
        self._set_caption_at(ms / 1000)
        self.positionChanged.emit(ms / 1000)

    def _on_frame(self, frame: QVideoFrame) -> None:
        if frame.isValid() and frame.startTime() >= 0:
            self.frameShown.emit(frame.startTime() / 1_000_000)

    def _on_state(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState
        if self._has_presenter:
            if playing:
                self.presenter.setPosition(self.player.position())
                self.presenter.play()
            else:
                self.presenter.pause()
        if playing:
            self._sync.start()
        else:
            self._sync.stop()
        self.playingChanged.emit(playing)

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.EndOfMedia:
            self.ended.emit()
        elif status == QMediaPlayer.MediaStatus.LoadedMedia:
            self._relayout()
            self._show_still(self.player)
            if self._pending is not None:
                self.seek(self._pending)

    def _on_presenter_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.LoadedMedia and not self.is_playing():
            self._show_still(self.presenter)
            self.presenter.setPosition(self.player.position())

    @staticmethod
    def _show_still(player: QMediaPlayer) -> None:
        # A stopped player renders nothing; paused, it decodes and shows one picture.
        # After another video was open, pausing alone shows nothing: a seek to where
        # it stands makes it decode that picture.
        if player.playbackState() == QMediaPlayer.PlaybackState.StoppedState:
            player.pause()
            player.setPosition(player.position())

    def frame(self) -> QImage:
        """The lecture picture shown now (a null image before the first one arrives)."""
        frame = self.main_item.videoSink().videoFrame()
        return frame.toImage() if frame.isValid() else QImage()

    def _on_error(self, error: QMediaPlayer.Error, text: str) -> None:
        if error != QMediaPlayer.Error.NoError:
            source = self.player.source().toLocalFile()
            self.errorOccurred.emit(
                f"The video {source} cannot be played ({text or error.name}); "
                "import the course again to restore it."
            )

    def _resync(self) -> None:
        if not self._has_presenter:
            return
        drift = abs(self.presenter.position() - self.player.position()) / 1000
        within = (
            self.presenter.duration() <= 0 or self.player.position() < self.presenter.duration()
        )
        if drift > DRIFT_LIMIT and within:
            self.presenter.setPosition(self.player.position())

    def drift(self) -> float:
        """Seconds between the presenter and the lecture video (0 without presenter)."""
        if not self._has_presenter:
            return 0.0
        return abs(self.presenter.position() - self.player.position()) / 1000

    def stage(self) -> QGraphicsView:
        return self._stage


def _stop(player: QMediaPlayer) -> None:
    """``player.stop()`` with the GIL released.

    PySide6 6.12 keeps the GIL during ``QMediaPlayer.stop()``. Stopping tears down the
    FFmpeg backend's audio renderer in its own thread, and that thread, when it
    disconnects from our Python-made ``QAudioOutput``, asks the wrapper for a Python
    override and so needs the GIL, while ``stop()`` waits on a lock it holds: a
    deadlock (caught with py-spy on a machine with a sound server). ``invokeMethod``
    is one of the calls PySide runs without the GIL, so the renderer can finish.
    """
    QMetaObject.invokeMethod(player, "stop", Qt.ConnectionType.DirectConnection)
