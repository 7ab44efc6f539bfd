"""Webcam capture through OpenCV: a device index or a video file read at its own pace.

A reader thread takes frames as the camera delivers them and stamps each with the
recording clock. A writer per segment turns them into a constant-rate track: slot
``k`` of a segment shows the newest frame captured by ``origin + k / fps`` (a frame
used twice counts as duplicated, one never used as dropped). The writer runs half a
second behind real time, so a segment can start at the screen's first frame (known
only once ffmpeg has started) and end exactly where the screen segment ends.
"""

from __future__ import annotations

import collections
import contextlib
import subprocess
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from shared.media import ffmpeg_command
from studio.capture import devices
from studio.capture.clock import Clock
from studio.capture.errors import DeviceNotFoundError
from studio.capture.process import popen_child
from studio.capture.tracks import SegmentResult, h264_args, matroska_live_args

__all__ = ["CameraSource", "CameraSegment", "CAMERA_SIZE"]

# OpenCV warns on stderr when a camera index is missing; we report that ourselves.
with contextlib.suppress(AttributeError):
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)

#: The camera picture by default (720p); a device is asked for the chosen size.
CAMERA_SIZE = (1280, 720)
#: libx264 preset and quality of the camera track.
CAMERA_PRESET = "ultrafast"
CAMERA_CRF = 24
#: How far behind real time the writer runs.
HOLD = 0.5
#: Frames kept for the writer at most (bounds memory when encoding falls behind).
MAX_BUFFERED = 45
LOST_AFTER_FAILED_READS = 30


class CameraSource:
    """A camera (``"0"``) or a video file played as if it were one.

    Args:
        spec: A device index or the path of a video file.
        clock: The recording clock.
        fps: Frames per second asked of a device (files keep their own rate).
        size: The picture size (width, height) asked of a device; frames that come
            larger (a device that cannot, a video file) are scaled down to fit it,
            keeping their shape.

    Raises:
        DeviceNotFoundError: The camera cannot be opened or gives no picture.
    """

    def __init__(
        self,
        spec: str,
        clock: Clock,
        fps: float = 30.0,
        size: tuple[int, int] = CAMERA_SIZE,
    ) -> None:
        self.spec = spec
        self.clock = clock
        self.is_file = not spec.isdigit()
        source: int | str = int(spec) if spec.isdigit() else str(Path(spec))
        capture = cv2.VideoCapture(source)
        if not self.is_file and capture.isOpened():
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])
            capture.set(cv2.CAP_PROP_FPS, fps)
        ok, frame = capture.read() if capture.isOpened() else (False, None)
        if not ok or frame is None:
            capture.release()
            names = [str(c.index) for c in devices.list_cameras()]
            raise DeviceNotFoundError("camera", spec, names or ["no cameras found"])
        self.capture = capture
        rate = capture.get(cv2.CAP_PROP_FPS)
        self.fps = float(rate) if self.is_file and rate and 1 <= rate <= 240 else fps
        height, width = frame.shape[:2]
        scale = min(1.0, size[0] / width, size[1] / height)
        self.size = (max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2))
        self.native_size = (width, height)
        self._frames: collections.deque[tuple[float, int, np.ndarray]] = collections.deque(
            maxlen=MAX_BUFFERED
        )
        self._lock = threading.Lock()
        self._first = self._fit(frame)
        self._count = 0
        self._stop = threading.Event()
        self.lost: str | None = None
        self.keep_from = 0.0
        self._thread = threading.Thread(target=self._read_loop, name="camera", daemon=True)

    def _fit(self, frame: np.ndarray) -> np.ndarray:
        if (frame.shape[1], frame.shape[0]) != self.size:
            frame = cv2.resize(frame, self.size, interpolation=cv2.INTER_AREA)
        return frame

    def start(self) -> None:
        self._thread.start()

    def _read_loop(self) -> None:
        pending: np.ndarray | None = self._first
        started = self.clock.now()
        index = 0
        failures = 0
        while not self._stop.is_set():
            if self.is_file:
                # A file delivers frames at its own rate, as a camera would.
                self.clock.sleep_until(started + index / self.fps)
            if pending is None:
                ok, frame = self.capture.read()
                if not ok or frame is None:
                    failures += 1
                    if self.is_file or failures >= LOST_AFTER_FAILED_READS:
                        self.lost = f"the camera '{self.spec}' " + (
                            "reached the end of its file" if self.is_file else "stopped"
                        )
                        return
                    time.sleep(0.01)
                    continue
                failures = 0
                pending = self._fit(frame)
            stamp = self.clock.now()
            with self._lock:
                self._count += 1
                self._frames.append((stamp, self._count, pending))
                while len(self._frames) > 1 and self._frames[1][0] <= self.keep_from:
                    self._frames.popleft()
                while len(self._frames) > 1 and self._frames[0][0] < stamp - 1.0 - HOLD:
                    self._frames.popleft()
            pending = None
            index += 1

    def frame_at(self, t: float) -> tuple[int, np.ndarray] | None:
        """The newest frame captured by ``t`` (or the oldest kept), with its number."""
        with self._lock:
            chosen = None
            for stamp, number, frame in self._frames:
                if chosen is None or stamp <= t:
                    chosen = (number, frame)
                else:
                    break
            return chosen

    def last_stamp(self) -> float:
        with self._lock:
            return self._frames[-1][0] if self._frames else -1.0

    def preview(self) -> np.ndarray | None:
        with self._lock:
            return self._frames[-1][2] if self._frames else None

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.capture.release()


class CameraSegment:
    """Writes one segment of the camera track at a constant rate (see module doc).

    Args:
        source: The running camera.
        path: The Matroska file to write.
        origin: Recording-clock time of the segment's first frame.
        fps: Frames per second of the track.
    """

    def __init__(self, source: CameraSource, path: Path, origin: float, fps: float) -> None:
        self.source, self.path, self.origin, self.fps = source, path, origin, fps
        self.frames = self.duplicated = self.dropped = 0
        self._end: float | None = None
        self._wake = threading.Event()
        width, height = source.size
        command = ffmpeg_command(
            *("-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{width}x{height}"),
            *("-framerate", f"{fps:g}", "-i", "pipe:0"),
            *h264_args(CAMERA_PRESET, CAMERA_CRF, fps),
            *matroska_live_args(),
            str(path),
        )
        self.process = popen_child(
            command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        self._thread = threading.Thread(target=self._write_loop, name="camera-writer", daemon=True)
        self._thread.start()

    def _write_loop(self) -> None:
        clock = self.source.clock
        last_number = 0
        try:
            while True:
                slot = self.origin + self.frames / self.fps
                end = self._end
                if end is not None and slot >= end:
                    return
                lag = 0.0 if end is not None else HOLD
                if clock.now() < slot + lag:
                    self._wake.wait(min(0.05, slot + lag - clock.now()))
                    continue
                self.source.keep_from = slot
                if self.source.lost and slot > self.source.last_stamp() + 1.0:
                    return
                chosen = self.source.frame_at(slot)
                if chosen is None:
                    time.sleep(0.01)
                    continue
                number, frame = chosen
                if number == last_number:
                    self.duplicated += 1
                elif last_number and number > last_number + 1:
                    self.dropped += number - last_number - 1
                last_number = max(last_number, number)
                self.process.stdin.write(frame.tobytes())
                self.frames += 1
        except (BrokenPipeError, OSError):
            return
        finally:
            with contextlib.suppress(OSError):
                self.process.stdin.close()

    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self, end: float | None = None) -> SegmentResult:
        """Write the frames up to ``end`` on the recording clock (now if not given)."""
        self._end = self.source.clock.now() if end is None else end
        self._wake.set()
        self._thread.join()
        self.process.wait()
        lost = self.source.lost is not None and self.origin + self.frames / self.fps < self._end
        return SegmentResult(
            self.path.name, self.origin, self.frames, self.fps, self.dropped, self.duplicated, lost
        )
