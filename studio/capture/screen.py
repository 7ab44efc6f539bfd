"""Screen capture behind one interface; the X11 backend runs ffmpeg's x11grab.

On a Wayland session :func:`screen_backend` gives the portal backend instead
(:mod:`studio.capture.portal`), which feeds the same encoder (:func:`encode_command`).

A recording is made of segments (a pause ends one, resuming starts the next). Each
segment is one ffmpeg process that grabs the screen (pointer drawn) at a constant
frame rate, encodes H.264 and writes Matroska with a cluster at least every second;
a cluster reaches the file when it closes, so a crash loses the open one (about the
last second; the issue allows two), and the recorder syncs the file to the disk every
second (:mod:`studio.capture.tracks`). x11grab stamps frames with the wall clock;
ffmpeg prints the first frame's stamp (``start:``), which puts the segment on the recording clock without guessing the start-up latency.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from shared.media import ffmpeg_command
from studio.capture import devices
from studio.capture.clock import Clock
from studio.capture.errors import BackendUnavailableError, CaptureError, DeviceNotFoundError
from studio.capture.process import popen_child, stop_child
from studio.capture.tracks import SegmentResult, count_frames, h264_args, matroska_live_args

__all__ = [
    "ScreenTarget",
    "ScreenSegment",
    "ScreenBackend",
    "X11ScreenBackend",
    "X11ScreenSegment",
    "encode_command",
    "parse_screen",
    "screen_backend",
    "MAX_SIZE",
    "SCREEN_CRF",
    "FpsCounts",
]

#: Screens larger than this are scaled down to fit (the lesson format tops out at 1080p).
MAX_SIZE = (1920, 1080)
PREVIEW_WIDTH = 480
PREVIEW_FPS = 2
#: libx264 quality of the screen track.
SCREEN_CRF = 26
STARTUP_TIMEOUT = 10.0
FPS_FILTER = "lectern"
#: A line of our fps filter (ffmpeg runs with ``-loglevel level+debug``): its message.
_FPS_LINE = re.compile(rf"\[fps@{FPS_FILTER} @ [^\]]*\] (?:\[\w+\] )?(.*)")
_FPS_SUMMARY = re.compile(
    r"(\d+) frames in, (\d+) frames out; (\d+) frames dropped, (\d+) frames duplicated"
)
_FPS_WRITE = re.compile(r"Writing frame with pts (-?\d+) to pts")
_FPS_DROP = re.compile(r"Dropping frame with pts (-?\d+)")
#: Levels of the lines kept to explain why ffmpeg stopped.
_PROBLEM_LEVELS = ("[warning]", "[error]", "[fatal]", "[panic]")


@dataclass(frozen=True)
class ScreenTarget:
    """What to grab: a monitor, a region of the screen, or a window.

    Attributes:
        kind: ``"screen"`` (a monitor), ``"region"`` or ``"window"``.
        spec: The text it was parsed from (``"0"``, ``"region:0,0,640,360"``, ...).
        display: X11 display and screen (``":0.0"``).
        x, y, width, height: The grabbed rectangle in X11 screen pixels (for a window,
            where it was when the recording started).
        window_id: The X11 window for ``"window"`` (the application's own window, not
            a window manager's frame), else 0.
        max_size: The largest picture recorded; a larger one is scaled down to fit.
    """

    kind: str
    spec: str
    display: str
    x: int
    y: int
    width: int
    height: int
    window_id: int = 0
    max_size: tuple[int, int] = MAX_SIZE

    def output_size(self) -> tuple[int, int]:
        """Even width and height, scaled down to fit :attr:`max_size`."""
        limit_w, limit_h = self.max_size
        scale = min(1.0, limit_w / self.width, limit_h / self.height)
        width = int(self.width * scale) // 2 * 2
        height = int(self.height * scale) // 2 * 2
        return max(2, width), max(2, height)


def parse_screen(spec: str) -> ScreenTarget | None:
    """Resolve ``N``, ``region:X,Y,W,H``, ``window:NAME`` or ``none`` on this desktop.

    ``N`` is a monitor (see :func:`devices.list_screens`): its rectangle of the X11 screen
    is grabbed. A region is in X11 screen pixels, so it may lie on any monitor.

    Raises:
        BackendUnavailableError: There is no X11 display (Wayland-only, macOS, Windows).
        ToolMissingError: The programs that list screens or windows are not installed.
        DeviceNotFoundError: The screen or window does not exist, or the region is off-screen.
    """
    spec = spec.strip()
    if spec.lower() == "none":
        return None
    _require_x11()
    screens = devices.list_screens()
    names = [str(s.index) for s in screens]
    kind, _, rest = spec.partition(":")
    if kind == "window":
        return _window_target(spec, rest, screens)
    if kind == "region":
        try:
            x, y, w, h = (int(v) for v in rest.split(","))
        except ValueError:
            raise DeviceNotFoundError("screen", spec, ["region:X,Y,W,H"]) from None
        if not screens or x < 0 or y < 0 or w < 2 or h < 2:
            raise DeviceNotFoundError("screen", spec, names)
        width, height = _desktop_size(screens)
        if x + w > width or y + h > height:
            raise DeviceNotFoundError("screen", spec, [f"region inside {width}x{height}"])
        return ScreenTarget("region", spec, screens[0].display, x, y, w, h)
    if not spec.isdigit():
        raise DeviceNotFoundError("screen", spec, names + ["region:X,Y,W,H", "window:NAME"])
    match = [s for s in screens if s.index == int(spec)]
    if not match:
        raise DeviceNotFoundError("screen", spec, names)
    screen = match[0]
    return ScreenTarget(
        "screen", spec, screen.display, screen.x, screen.y, screen.width, screen.height
    )


def _desktop_size(screens: list[devices.Screen]) -> tuple[int, int]:
    """The size of the X11 screen the first monitor is on: all its monitors together."""
    same = [s for s in screens if s.display == screens[0].display]
    return max(s.x + s.width for s in same), max(s.y + s.height for s in same)


def _window_target(spec: str, name: str, screens: list[devices.Screen]) -> ScreenTarget:
    # The window is looked up now, so its size and place are where it is at the start.
    windows = devices.list_windows()
    found = [w for w in windows if w.name == name] or [
        w for w in windows if name.lower() in w.name.lower()
    ]
    if not found or not screens:
        raise DeviceNotFoundError("window", name, [f"window:{w.name}" for w in windows][:10])
    win = found[0]
    return ScreenTarget(
        "window", spec, screens[0].display, win.x, win.y, win.width, win.height, win.id
    )


def _require_x11() -> None:
    if not sys.platform.startswith("linux"):
        raise BackendUnavailableError(f"{sys.platform} is not supported yet")
    if devices.x_display() is None:
        if os.environ.get("WAYLAND_DISPLAY"):
            raise BackendUnavailableError("this is a Wayland session without X11 ($DISPLAY)")
        raise BackendUnavailableError("no X11 display ($DISPLAY is not set)")


class ScreenSegment(Protocol):
    """One running screen grab."""

    def wait_started(self, timeout: float = STARTUP_TIMEOUT) -> float: ...

    def stats(self) -> tuple[int, int, int]: ...

    def preview(self) -> np.ndarray | None: ...

    def alive(self) -> bool: ...

    def stop(self) -> SegmentResult: ...


class ScreenBackend(Protocol):
    """Starts screen segments; one implementation per windowing system."""

    target: ScreenTarget
    fps: float
    #: :meth:`prepare` asks the desktop (its picker) and may wait for the person: a
    #: window runs it off its GUI thread and may :meth:`cancel_prepare` it.
    asks_desktop: bool

    def start_segment(self, path: Path) -> ScreenSegment: ...

    def prepare(self) -> None: ...

    def cancel_prepare(self) -> None: ...

    def close(self) -> None: ...


class X11ScreenBackend:
    """x11grab through ffmpeg.

    Args:
        target: What to grab (see :func:`parse_screen`).
        fps: Frames per second.
        clock: The recording clock.
        preset: libx264 preset; ``ultrafast`` keeps up with 1080p30 on two cores.
        crf: libx264 quality.
    """

    asks_desktop = False

    def __init__(
        self,
        target: ScreenTarget,
        fps: float,
        clock: Clock,
        preset: str = "ultrafast",
        crf: int = SCREEN_CRF,
    ) -> None:
        self.target, self.fps, self.clock, self.preset, self.crf = target, fps, clock, preset, crf

    def command(self, path: Path) -> list[str]:
        """The ffmpeg command of one segment (video to ``path``, preview to stdout)."""
        t = self.target
        grab = ["-f", "x11grab", "-thread_queue_size", "64", "-draw_mouse", "1"]
        grab += ["-framerate", f"{self.fps:g}", "-video_size", f"{t.width}x{t.height}"]
        if t.window_id:
            grab += ["-window_id", str(t.window_id), "-i", t.display]
        else:
            grab += ["-i", f"{t.display}+{t.x},{t.y}"]
        return encode_command(grab, path, self.fps, self.preset, self.crf, t)

    def prepare(self) -> None:
        """Nothing to ask before the first segment: the target was found already."""

    def cancel_prepare(self) -> None:
        """Nothing is ever waited for (see :meth:`prepare`)."""

    def close(self) -> None:
        """Nothing to let go of: each segment is its own ffmpeg."""

    def start_segment(self, path: Path) -> X11ScreenSegment:
        return X11ScreenSegment(self, path)


def encode_command(
    grab: list[str],
    path: Path,
    fps: float,
    preset: str,
    crf: int,
    target: ScreenTarget,
    crop: tuple[int, int, int, int] | None = None,
) -> list[str]:
    """ffmpeg reading the input options ``grab``: video to ``path``, preview to stdout.

    Every screen backend encodes alike, so tracks of either join and finalize the same.
    ``crop`` (x, y, width, height) cuts the target out of a larger input picture.
    """
    width, height = target.output_size()
    rate = f"{fps:g}"
    # The fps filter fills each slot with the newest frame grabbed by then; ffmpeg's
    # own -fps_mode cfr can shift the whole segment by a frame when one comes late.
    chain = f"fps@{FPS_FILTER}={rate}"
    if crop is not None:
        x, y, w, h = crop
        chain += f",crop={w}:{h}:{x}:{y}"
    if (width, height) != (target.width, target.height):
        chain += f",scale={width}:{height}"
    video = ["-map", "0:v", "-vf", chain, *h264_args(preset, crf, fps)]
    video += ["-fps_mode", "passthrough", *matroska_live_args(), str(path)]
    preview_h = max(2, int(PREVIEW_WIDTH * height / width) // 2 * 2)
    preview = ["-map", "0:v", "-vf", f"fps={PREVIEW_FPS},scale={PREVIEW_WIDTH}:{preview_h}"]
    if crop is not None:
        preview[3] = f"crop={crop[2]}:{crop[3]}:{crop[0]}:{crop[1]}," + preview[3]
    preview += ["-pix_fmt", "bgr24", "-f", "rawvideo", "pipe:1"]
    # Debug level: the fps filter says, frame by frame, what it drops and repeats.
    return ffmpeg_command(
        *grab,
        *video,
        *preview,
        loglevel="repeat+level+debug",
        nostats=True,
        progress="pipe:2",
        stats_period=0.5,
    )


class FpsCounts:
    """What the fps filter drops and repeats, from its debug lines, as they come.

    ``feed`` takes each message of the filter (``Writing frame with pts 5 to pts 5``,
    ``Dropping frame with pts 7``, and the summary at the end, which has the last word).
    """

    def __init__(self) -> None:
        self.dropped = 0
        self.duplicated = 0
        self._written: int | None = None  # the slot written last
        self._drop_slot: int | None = None  # the slot of the frame dropped last

    def feed(self, message: str) -> None:
        summary = _FPS_SUMMARY.match(message)
        if summary:
            # At the end the filter drops the frame grabbed after the last slot (the
            # stop came between two slots); that is not a frame the recording lacks.
            past_end = self._drop_slot is not None and self._drop_slot > (self._written or 0)
            self.dropped = int(summary.group(3)) - past_end
            self.duplicated = int(summary.group(4))
            return
        write = _FPS_WRITE.match(message)
        if write:
            slot = int(write.group(1))
            if slot == self._written:
                self.duplicated += 1
            self._written = slot
            return
        drop = _FPS_DROP.match(message)
        if drop:
            self.dropped += 1
            self._drop_slot = int(drop.group(1))


class X11ScreenSegment:
    """A running x11grab ffmpeg: start time, frame counts, preview frames."""

    def __init__(self, backend: X11ScreenBackend, path: Path) -> None:
        self.backend = backend
        self.path = path
        width, height = backend.target.output_size()
        self.preview_size = (PREVIEW_WIDTH, max(2, int(PREVIEW_WIDTH * height / width) // 2 * 2))
        self._start: float | None = None
        self._started = threading.Event()
        self._counts = {"frame": 0, "dup_frames": 0, "drop_frames": 0}
        self.fps_counts = FpsCounts()
        self._preview: np.ndarray | None = None
        self._log: list[str] = []
        self.process = self._spawn(path)
        self._threads = [
            threading.Thread(target=self._read_stderr, daemon=True),
            threading.Thread(target=self._read_preview, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _spawn(self, path: Path) -> subprocess.Popen:
        """Start the ffmpeg of this segment."""
        return popen_child(
            self.backend.command(path),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def _read_stderr(self) -> None:
        for raw in self.process.stderr:
            line = raw.decode("utf-8", "replace").strip()
            key, sep, value = line.partition("=")
            if sep and key == "frame" and value.isdigit():  # from -progress
                self._counts[key] = int(value)
                continue
            fps = _FPS_LINE.match(line)
            if fps:
                self.fps_counts.feed(fps.group(1))
                self._counts["dup_frames"] = self.fps_counts.duplicated
                self._counts["drop_frames"] = self.fps_counts.dropped
                continue
            if self._start is None:
                match = re.search(r"start: (\d+\.\d+)", line)
                if match:
                    self._start = self.backend.clock.from_wall(float(match.group(1)))
                    self._started.set()
            if any(level in line for level in _PROBLEM_LEVELS):
                self._log = (self._log + [re.sub(r"^(\[[^\]]*\] )+", "", line)])[-20:]
        self._started.set()

    def _read_preview(self) -> None:
        width, height = self.preview_size
        size = width * height * 3
        while True:
            data = self.process.stdout.read(size)
            if len(data) < size:
                return
            self._preview = np.frombuffer(data, np.uint8).reshape(height, width, 3)

    def wait_started(self, timeout: float = STARTUP_TIMEOUT) -> float:
        """The recording-clock time of the first grabbed frame (waits for ffmpeg)."""
        self._started.wait(timeout)
        if self._start is None:
            reason = self.error_text()
            self._stop_processes(timeout=2)
            raise CaptureError(
                f"Screen capture of '{self.backend.target.spec}' did not start: {reason}; "
                f"{self.advice()}."
            )
        return self._start

    def advice(self) -> str:
        """What to check when the grab does not start."""
        if self.backend.target.kind == "window":
            return "check that the window is still open"
        return "check that the X11 display is reachable"

    def error_text(self) -> str:
        code = self.process.poll()
        if code is not None and code < 0:
            return f"ffmpeg was stopped by signal {-code}"
        return (self._log[-1] if self._log else "ffmpeg stopped").rstrip(".")

    def _stop_processes(self, timeout: float = 10.0) -> None:
        stop_child(self.process, timeout=timeout)

    def stats(self) -> tuple[int, int, int]:
        """Frames written, duplicated and dropped so far (exact once the segment ends)."""
        c = self._counts
        return c["frame"], c["dup_frames"], c["drop_frames"]

    def preview(self) -> np.ndarray | None:
        """The latest small BGR frame."""
        return self._preview

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> SegmentResult:
        """Finish the segment and return what it holds.

        When ffmpeg had already stopped by itself (killed, or the X server went away),
        the file is counted, since ffmpeg's last report may be older than its last frame.
        """
        lost = not self.alive()
        self._stop_processes()
        for thread in self._threads:
            thread.join(timeout=5)
        frames, dup, drop = self.stats()
        if lost:
            frames = count_frames(self.path)
        start = self._start if self._start is not None else 0.0
        return SegmentResult(self.path.name, start, frames, self.backend.fps, drop, dup, lost)


def screen_backend(
    spec: str,
    fps: float,
    clock: Clock,
    preset: str = "ultrafast",
    max_size: tuple[int, int] = MAX_SIZE,
) -> ScreenBackend | None:
    """The backend recording ``spec`` (``None`` for ``"none"``), at most ``max_size``.

    On a Wayland session that is the screen-cast portal with PipeWire
    (:mod:`studio.capture.portal`), elsewhere x11grab. Both refuse here, before
    anything starts, when they cannot record.

    Raises:
        BackendUnavailableError: No supported windowing system.
        ScreenCastUnavailableError: A Wayland session without a working portal or PipeWire.
        DeviceNotFoundError: The screen, region or window is not there.
    """
    if spec.strip().lower() == "none":
        return None
    if devices.session_type() == "wayland":
        from studio.capture.portal import WaylandScreenBackend

        return WaylandScreenBackend(spec, fps, clock, preset, max_size=max_size)
    target = parse_screen(spec)
    if target is None:
        return None
    return X11ScreenBackend(dataclasses.replace(target, max_size=max_size), fps, clock, preset)
