"""The Recorder: screen, camera and microphone on one clock, with pause and live stats.

Typical use (the CLI and the studio window do the same)::

    recorder = Recorder(folder, RecordingSettings(screen="0", camera="0", mic="default"))
    recorder.start()            # opens devices, warms up the microphone, starts segment 0
    recorder.stats()            # LiveStats: levels, elapsed, frame counts, previews, disk
    recorder.pause(); recorder.resume()
    finished = recorder.stop()  # ends the segment, closes devices, finalizes the folder

Call ``start``, ``pause``, ``resume`` and ``stop`` from one long-lived thread (the GUI
or main thread): ffmpeg children are tied to the thread that starts them. A monitor
thread watches the disk and the devices; it never stops the recording itself but sets
``LiveStats.stop_requested`` (disk nearly full), which the owner acts on. It asks while
the disk still holds what finalizing will write, a fixed reserve and a few more
seconds of recording, so the stopped recording can always be finished where it is.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from shared.errors import LecternError
from studio.capture import disk
from studio.capture.camera import (
    CAMERA_CRF,
    CAMERA_PRESET,
    CAMERA_SIZE,
    CameraSegment,
    CameraSource,
)
from studio.capture.clock import Clock
from studio.capture.errors import (
    CaptureError,
    FolderNotWritableError,
    ResumeError,
    SettingsError,
)
from studio.capture.microphone import SAMPLE_RATE, MicLevel, MicrophoneSource, resolve_microphone
from studio.capture.recording import (
    JSON_NAME,
    FinishedRecording,
    finalize,
    new_recording,
    save_recording,
)
from studio.capture.screen import MAX_SIZE, ScreenSegment, screen_backend
from studio.capture.tracks import SYNC_SECONDS, SegmentResult, TrackSync

__all__ = [
    "RecordingSettings",
    "VideoStats",
    "LiveStats",
    "Recorder",
    "MIC_LATENCY",
    "parse_size",
    "FPS_RANGE",
    "CAMERA_SIZE_RANGE",
]

#: Seconds between a sound reaching PulseAudio and our callback, measured with
#: bench/bench_av_sync.py; subtracted when placing the microphone on the clock.
MIC_LATENCY = 0.0
MIC_WARMUP_TIMEOUT = 6.0
SAVE_EVERY = 2.0
#: Seconds of recording the disk must still hold (besides finalizing and the reserve)
#: when the recorder asks to stop: the owner acts and the devices close meanwhile.
STOP_SECONDS = 5.0
#: Frame rates the screen and camera can be recorded at.
FPS_RANGE = (1.0, 60.0)
#: Smallest and largest camera width or height.
CAMERA_SIZE_RANGE = (16, 4096)


@dataclass(frozen=True)
class RecordingSettings:
    """What to record and how.

    Attributes:
        screen: ``"N"``, ``"region:X,Y,W,H"``, ``"window:NAME"`` or ``"none"``.
        camera: A device index, a video file path, or ``"none"``.
        mic: ``"default"``, a device name (or part of it), an index, or ``"none"``.
        fps: Frames per second of the screen and camera tracks.
        preset: libx264 preset of the screen (``ultrafast`` keeps up on two cores).
        max_size: The largest screen picture (width, height); a larger screen is scaled down.
        camera_size: The camera picture (width, height) asked of a device; a larger
            picture (a device that cannot, a video file) is scaled down to fit it.
        expected_duration: Seconds the recording is expected to last, if known: the
            disk must hold that much before it starts (else at least a minute).
    """

    screen: str = "0"
    camera: str = "none"
    mic: str = "default"
    fps: float = 30.0
    preset: str = "ultrafast"
    max_size: tuple[int, int] = MAX_SIZE
    camera_size: tuple[int, int] = CAMERA_SIZE
    expected_duration: float | None = None

    def sources_on(self) -> list[str]:
        on = [("screen", self.screen), ("camera", self.camera), ("mic", self.mic)]
        return [name for name, spec in on if spec.strip().lower() != "none"]

    def check(self) -> None:
        """Raise :class:`SettingsError` for a value out of range."""
        low, high = FPS_RANGE
        if not _number(self.fps) or not low <= self.fps <= high:
            raise SettingsError(
                f"The frame rate must be from {low:g} to {high:g} frames per second, "
                f"not {_value_text(self.fps)}; try --fps 30."
            )
        size = tuple(self.camera_size) if isinstance(self.camera_size, (tuple, list)) else ()
        low_px, high_px = CAMERA_SIZE_RANGE
        if len(size) != 2 or not all(isinstance(v, int) and low_px <= v <= high_px for v in size):
            raise SettingsError(
                f"The camera size must be a width and a height from {low_px} to {high_px} "
                f"pixels, not {_size_text(size)}; try --camera-size 1280x720."
            )
        expected = self.expected_duration
        if expected is not None and (not _number(expected) or expected <= 0):
            raise SettingsError(
                "The recording length must be a positive number of seconds, not "
                f"{_value_text(expected)}; try --duration 3600 for an hour."
            )


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _value_text(value: object) -> str:
    return format(value, "g") if _number(value) or isinstance(value, float) else repr(value)


def _size_text(size: tuple[object, ...]) -> str:
    return "x".join(str(v) for v in size) or "nothing"


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` -> ``(1280, 720)``.

    Raises:
        SettingsError: ``text`` is not WIDTHxHEIGHT within :data:`CAMERA_SIZE_RANGE`.
    """
    match = re.fullmatch(r"\s*(\d{1,6})\s*[xX]\s*(\d{1,6})\s*", text)
    if match is None:
        raise SettingsError(
            f"The camera size must be WIDTHxHEIGHT in pixels, like 1280x720, not '{text}'."
        )
    size = (int(match.group(1)), int(match.group(2)))
    RecordingSettings(camera_size=size).check()
    return size


@dataclass(frozen=True)
class VideoStats:
    """A video source while recording.

    Attributes:
        frames: Frames written so far (all segments).
        dropped: Captured frames not written (the encoder or grabber fell behind).
        duplicated: Frames written twice to keep the rate constant.
        preview: The latest frame as a BGR ``numpy`` array (small for the screen).
        lost: Why the source stopped, if it did.
    """

    frames: int
    dropped: int
    duplicated: int
    preview: np.ndarray | None = field(default=None, compare=False, repr=False)
    lost: str | None = None


@dataclass(frozen=True)
class LiveStats:
    """Everything a recording window shows, polled at 10 Hz or more.

    Attributes:
        elapsed: Seconds recorded (paused time left out).
        paused: Whether the recording is paused.
        mic: The microphone level, or ``None`` without a microphone.
        video: ``{"screen": VideoStats, "camera": VideoStats}`` for the sources that are on.
        disk_free: Free bytes on the recording's disk.
        disk_seconds_left: How much longer the disk lasts at the current rate, keeping
            room to finalize the recording.
        warnings: Things a person should know (clipping, no signal, a lost device).
        stop_requested: Why the recording should stop now (disk nearly full), else ``None``.
    """

    elapsed: float
    paused: bool
    mic: MicLevel | None
    video: dict[str, VideoStats]
    disk_free: int
    disk_seconds_left: float
    warnings: tuple[str, ...]
    stop_requested: str | None

    @property
    def disk_low(self) -> bool:
        """The disk lasts less than :data:`disk.LOW_SECONDS` more: time to warn.

        The recorder asks to stop (:attr:`stop_requested`) only much later, when the
        disk holds just what finishing the recording needs.
        """
        left = self.disk_seconds_left
        return math.isfinite(left) and left < disk.LOW_SECONDS

    @property
    def disk_warning(self) -> str | None:
        """What to tell the teacher while the disk is low and no stop is asked yet."""
        if not self.disk_low or self.stop_requested:
            return None
        minutes = max(0, int(self.disk_seconds_left // 60))
        return f"the disk is getting full: about {minutes} min left"


class Recorder:
    """Records the sources of ``settings`` into ``folder`` (see module doc).

    Devices are checked when the recorder is made, so a missing camera or microphone
    is reported before anything starts.

    Raises:
        SettingsError: A setting is out of range.
        CaptureError: All sources are off, or ``folder`` already holds something.
        FolderNotWritableError: ``folder`` cannot be made or written.
        DeviceNotFoundError: A device that was asked for is not there.
        AudioUnavailableError: A microphone was asked for but PortAudio is missing.
        BackendUnavailableError: Screen capture is not possible on this desktop.
        NotEnoughSpaceError: The disk is too full to start.
    """

    def __init__(self, folder: str | os.PathLike[str], settings: RecordingSettings) -> None:
        self.folder = Path(folder)
        self.settings = settings
        settings.check()
        if not settings.sources_on():
            raise CaptureError(
                "Nothing to record: screen, camera and microphone are all off; "
                "turn at least one on."
            )
        _check_folder(self.folder)
        self.clock = Clock()
        self.screen = screen_backend(
            settings.screen, settings.fps, self.clock, settings.preset, tuple(settings.max_size)
        )
        self.mic_device = resolve_microphone(settings.mic)
        self.camera: CameraSource | None = None
        if settings.camera.strip().lower() != "none":
            self.camera = CameraSource(
                settings.camera.strip(), self.clock, settings.fps, tuple(settings.camera_size)
            )
        screen_pixels = 0
        if self.screen is not None:
            width, height = self.screen.target.output_size()
            screen_pixels = width * height
        camera_pixels = self.camera.size[0] * self.camera.size[1] if self.camera else 0
        self.rate_estimate = disk.estimated_rate(
            screen_pixels, camera_pixels, settings.fps, self.mic_device is not None
        )
        try:
            disk.check_space(self.folder, self.rate_estimate, settings.expected_duration)
        except CaptureError:
            self._close_devices()
            raise
        self.mic: MicrophoneSource | None = None
        self._screen_seg: ScreenSegment | None = None
        self._camera_seg: CameraSegment | None = None
        self._done = {"screen": [0, 0, 0], "camera": [0, 0, 0]}
        self._warnings: list[str] = []
        self._stop_requested: str | None = None
        self._paused = False
        self._started = False
        self._stopped = False
        self._disk_free = disk.free_bytes(self.folder)
        self._disk_left = float("inf")
        self._monitor_stop = threading.Event()
        self._monitor = threading.Thread(target=self._monitor_loop, name="recorder", daemon=True)
        self._track_sync = TrackSync(self.folder)
        self._made_folder = False
        self._lock = threading.RLock()
        self.data: dict[str, Any] = {}

    # --- life cycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Open the devices, warm up the microphone and start recording.

        When starting fails the devices are closed again and what the recorder had
        written is removed; the recorder is then stopped.

        Raises:
            FolderNotWritableError: The folder cannot be made.
            CaptureError: The screen grab did not start, or the folder cannot be written.
        """
        if self._started:
            return
        self._started = True
        try:
            self._start()
        except BaseException:
            self._stopped = True
            self._close_devices()
            self._discard()
            raise

    def _start(self) -> None:
        self._made_folder = not self.folder.exists()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise FolderNotWritableError(self.folder, error.strerror or str(error)) from error
        self.data = new_recording(self.folder, self._settings_dict(), {})
        # Every time in recording.json counts from here (CLOCK_MONOTONIC, system-wide), so
        # another process on this machine can place its own events on the same clock.
        self.data["clock_origin"] = self.clock.origin
        save_recording(self.folder, self.data)
        if self.screen is not None:
            # On Wayland the desktop's picker asks what to share, before anything records.
            self.screen.prepare()
        if self.mic_device is not None:
            self.mic = MicrophoneSource(self.mic_device, self.folder, self.clock)
            self.mic.start()
            if not self.mic.wait_for_sound(MIC_WARMUP_TIMEOUT):
                self._warn(f"the microphone '{self.mic.name}' has not delivered sound yet")
        if self.camera is not None:
            self.camera.start()
        self.data["sources"] = self._sources_dict()
        self._start_segment()
        self._monitor.start()

    def pause(self) -> None:
        """Pause: the current segment ends; nothing is kept until :meth:`resume`."""
        with self._lock:
            if self._paused or self._stopped or not self._started:
                return
            end = self._end_segment()
            self._paused = True
            self.data["pauses"].append([round(end, 6), None])
            self._save()

    def resume(self) -> None:
        """Resume after :meth:`pause` with a new segment.

        Raises:
            ResumeError: The new segment could not start (the window that was recorded
                is gone, say). The recording is then exactly as it was: still paused,
                every segment so far intact; it can be resumed again or stopped.
        """
        with self._lock:
            if not self._paused or self._stopped:
                return
            try:
                start = self._start_segment()
            except (LecternError, OSError) as error:
                failure = ResumeError(error)
                self.data["events"].append({"t": round(self.clock.now(), 3), "text": str(failure)})
                with contextlib.suppress(LecternError, OSError):
                    self._save()
                raise failure from error
            self._paused = False
            self.data["pauses"][-1][1] = round(start, 6)
            self._save()

    def stop(self, *, finish: bool = True) -> FinishedRecording | None:
        """End the recording, close the devices and (by default) finalize the folder."""
        with self._lock:
            if self._stopped:
                return None
            self._stopped = True
            if self._started and not self._paused and self.data.get("segments"):
                self._end_segment()
            self._monitor_stop.set()
            if self._monitor.is_alive():
                self._monitor.join(timeout=5)
            self._close_devices()
            if not self._started or not self.data.get("segments"):
                self._discard()
                return None
            self._track_sync.sync()
            self.data["state"] = "stopped"
            self.data["stopped_because"] = self._stop_requested or "stopped"
            self.data["statistics"] = self._statistics()
            self._save()
        return finalize(self.folder) if finish else None

    def _close_devices(self) -> None:
        if self.screen is not None:
            self.screen.close()
        if self.camera is not None:
            self.camera.close()
        if getattr(self, "mic", None) is not None:
            self.mic.close()

    def _discard(self) -> None:
        """Remove what a recording that never got going wrote (it holds nothing)."""
        if not self._started or self.data.get("segments") or not self.folder.is_dir():
            return
        for name in (JSON_NAME, "mic.pcm", "mic.log"):
            with contextlib.suppress(OSError):
                (self.folder / name).unlink(missing_ok=True)
        if self._made_folder:
            with contextlib.suppress(OSError):
                self.folder.rmdir()  # only when nothing else is in it

    # --- segments --------------------------------------------------------------------------

    def _start_segment(self) -> float:
        """Start the next segment of every source; all of them, or none (then it raises)."""
        index = len(self.data["segments"])
        start = self.clock.now()
        segment: dict[str, Any] = {"start": round(start, 6), "end": None}
        if self.mic is not None:
            self.mic.resume(start)
        try:
            origin = start
            if self.screen is not None:
                path = self.folder / f"screen-{index:03d}.mkv"
                self._screen_seg = self.screen.start_segment(path)
                origin = self._screen_seg.wait_started()
                segment["screen"] = {"file": path.name, "start": round(origin, 6)}
            if self.camera is not None:
                path = self.folder / f"camera-{index:03d}.mkv"
                self._camera_seg = CameraSegment(self.camera, path, origin, self.settings.fps)
                segment["camera"] = {"file": path.name, "start": round(origin, 6)}
        except BaseException:
            self._abandon_segment(index, start)
            raise
        self.data["segments"].append(segment)
        self._save()
        return start

    def _abandon_segment(self, index: int, start: float) -> None:
        """Undo a segment that did not start: no process, no file, no sound kept for it."""
        if self._screen_seg is not None:
            with contextlib.suppress(Exception):
                self._screen_seg.stop()
            self._screen_seg = None
        if self._camera_seg is not None:
            with contextlib.suppress(Exception):
                self._camera_seg.stop(start)
            self._camera_seg = None
        if self.mic is not None:
            self.mic.drop_span()
        for kind in ("screen", "camera"):
            with contextlib.suppress(OSError):
                (self.folder / f"{kind}-{index:03d}.mkv").unlink(missing_ok=True)

    def _end_segment(self) -> float:
        # The segment ends where its main video does, unless that source was lost:
        # then it ends now, so the other sources keep everything (finalize fills the
        # missing picture).
        segment = self.data["segments"][-1]
        now = end = self.clock.now()
        if self._screen_seg is not None:
            result = self._screen_seg.stop()
            end = now if result.lost else result.end
            segment["screen"].update(
                frames=result.frames, dropped=result.dropped, duplicated=result.duplicated
            )
            if result.lead:  # a still screen: its first picture came this late
                segment["screen"].update(start=round(result.start, 6), lead=result.lead)
            self._add_done("screen", result)
            self._screen_seg = None
        if self._camera_seg is not None:
            result = self._camera_seg.stop(end if self.screen is not None else None)
            if self.screen is None:
                end = max(now, result.end) if result.lost else result.end
            segment["camera"].update(
                frames=result.frames, dropped=result.dropped, duplicated=result.duplicated
            )
            self._add_done("camera", result)
            self._camera_seg = None
        if self.mic is not None:
            self.mic.pause(end)
        segment["end"] = round(end, 6)
        return end

    def _add_done(self, kind: str, result: SegmentResult) -> None:
        done = self._done[kind]
        done[0] += result.frames
        done[1] += result.dropped
        done[2] += result.duplicated

    # --- live information ------------------------------------------------------------------

    def elapsed(self) -> float:
        """Seconds recorded: the segments from their first video frame, pauses left out."""
        total = 0.0
        for segment in self.data.get("segments", []):
            video = segment.get("screen") or segment.get("camera") or {}
            start = video.get("start", segment["start"])
            end = segment["end"] if segment["end"] is not None else self.clock.now()
            total += max(0.0, end - start)
        return total

    def stats(self) -> LiveStats:
        """The live state of the recording (cheap; call it at 10 Hz or more)."""
        video = {}
        if self.screen is not None:
            frames, dropped, dup = self._done["screen"]
            seg = self._screen_seg
            if seg is not None:
                f, d, x = seg.stats()
                frames, dup, dropped = frames + f, dup + d, dropped + x
            preview = seg.preview() if seg is not None else None
            video["screen"] = VideoStats(frames, dropped, dup, preview)
        if self.camera is not None:
            frames, dropped, dup = self._done["camera"]
            cam = self._camera_seg
            if cam is not None:
                frames, dropped, dup = (
                    frames + cam.frames,
                    dropped + cam.dropped,
                    dup + cam.duplicated,
                )
            video["camera"] = VideoStats(
                frames, dropped, dup, self.camera.preview(), self.camera.lost
            )
        level = self.mic.level() if self.mic is not None else None
        warnings = list(self._warnings)
        if level is not None and level.clipping:
            warnings.append("the microphone is clipping: turn its input level down")
        if level is not None and level.no_signal and not (self.mic and self.mic.lost):
            warnings.append("no sound from the microphone: is it muted or unplugged?")
        return LiveStats(
            elapsed=self.elapsed(),
            paused=self._paused,
            mic=level,
            video=video,
            disk_free=self._disk_free,
            disk_seconds_left=self._disk_left,
            warnings=tuple(warnings),
            stop_requested=self._stop_requested,
        )

    def _warn(self, text: str) -> None:
        if text not in self._warnings:
            self._warnings.append(text)
            self.data.setdefault("events", []).append(
                {"t": round(self.clock.now(), 3), "text": text}
            )

    def _monitor_loop(self) -> None:
        last_save = last_sync = time.monotonic()
        last_headroom, last_time = None, time.monotonic()
        # Bytes per second the headroom shrinks by: what the tracks write plus what
        # finalizing them will write; the start estimate until it is measured.
        use = float(self.rate_estimate)
        while not self._monitor_stop.wait(0.5):
            free = disk.free_bytes(self.folder)
            headroom = free - disk.RESERVE_BYTES - _finalize_bytes(self.folder)
            now = time.monotonic()
            if last_headroom is not None and now > last_time and not self._paused:
                shrink = max(0.0, (last_headroom - headroom) / (now - last_time))
                use = 0.8 * use + 0.2 * shrink
            last_headroom, last_time = headroom, now
            self._disk_free = free
            left = headroom / use - STOP_SECONDS if use > 0 else float("inf")
            self._disk_left = max(0.0, left)
            if headroom < STOP_SECONDS * use and not self._stop_requested:
                self._stop_requested = "the disk is nearly full"
                self._warn(f"stopping: the disk holding {self.folder} is nearly full")
            self._check_devices()
            if now - last_sync >= SYNC_SECONDS:
                # ffmpeg never syncs its files; a power cut would lose what the kernel
                # still holds (up to half a minute), not the last second or two.
                self._track_sync.sync()
                last_sync = time.monotonic()
            if now - last_save >= SAVE_EVERY:
                with self._lock:
                    if not self._stopped:
                        self.data["statistics"] = self._statistics()
                        with contextlib.suppress(LecternError, OSError):
                            self._save()  # a full disk keeps the last good one
                last_save = now

    def _check_devices(self) -> None:
        seg = self._screen_seg
        if seg is not None and not seg.alive() and not self._paused and not self._stopped:
            self._warn(f"screen capture stopped ({seg.error_text()}); the others keep recording")
        if self.camera is not None and self.camera.lost:
            self._warn(f"{self.camera.lost}; the others keep recording")
        if self.mic is not None:
            self.mic.level()
            if self.mic.lost:
                self._warn(f"{self.mic.lost}; the others keep recording")

    def _statistics(self) -> dict[str, Any]:
        stats = self.stats()
        out: dict[str, Any] = {"elapsed": round(stats.elapsed, 3)}
        for name, v in stats.video.items():
            out[name] = {"frames": v.frames, "dropped": v.dropped, "duplicated": v.duplicated}
        if self.mic is not None:
            out["mic"] = {
                "samples": self.mic.samples_written,
                "overflows": self.mic.overflows,
            }
        return out

    def _save(self) -> None:
        save_recording(self.folder, self.data)

    def _settings_dict(self) -> dict[str, Any]:
        s = self.settings
        return {
            "screen": s.screen,
            "camera": s.camera,
            "mic": s.mic,
            "fps": s.fps,
            "preset": s.preset,
            "max_size": list(s.max_size),
            "camera_size": list(s.camera_size),
            "expected_duration": s.expected_duration,
        }

    def _sources_dict(self) -> dict[str, Any]:
        sources: dict[str, Any] = {"screen": None, "camera": None, "mic": None}
        if self.screen is not None:
            t = self.screen.target
            width, height = t.output_size()
            sources["screen"] = {
                "spec": t.spec,
                "kind": t.kind,
                "display": t.display,
                "region": [t.x, t.y, t.width, t.height],
                "width": width,
                "height": height,
                "fps": self.settings.fps,
                "codec": "h264",
                "preset": self.screen.preset,
                "crf": self.screen.crf,
            }
        if self.camera is not None:
            sources["camera"] = {
                "spec": self.camera.spec,
                "native_size": list(self.camera.native_size),
                "width": self.camera.size[0],
                "height": self.camera.size[1],
                "device_fps": self.camera.fps,
                "fps": self.settings.fps,
                "codec": "h264",
                "preset": CAMERA_PRESET,
                "crf": CAMERA_CRF,
            }
        if self.mic is not None:
            sources["mic"] = {
                "name": self.mic.name,
                "sample_rate": SAMPLE_RATE,
                "channels": self.mic.channels,
                "format": "s16le",
                "portaudio_latency": self.mic.latency,
                "latency_correction": MIC_LATENCY,
            }
        return sources


def _check_folder(folder: Path) -> None:
    """Refuse a folder that holds something or cannot be written, before devices open."""
    if folder.exists() and not folder.is_dir():
        raise CaptureError(
            f"{folder} is a file, not a folder; give the name of a new folder to record into."
        )
    base = folder.absolute()
    while not base.exists() and base != base.parent:
        base = base.parent
    if not base.is_dir():
        raise FolderNotWritableError(folder, f"{base} is a file, not a folder")
    try:
        holds_something = base == folder.absolute() and any(folder.iterdir())
    except OSError as error:
        raise FolderNotWritableError(folder, error.strerror or str(error)) from error
    if holds_something:
        raise CaptureError(
            f"{folder} is not empty; record into a new folder so nothing is overwritten."
        )
    if not os.access(base, os.W_OK | os.X_OK):
        try:
            read_only = bool(os.statvfs(base).f_flag & os.ST_RDONLY)
        except OSError:
            read_only = False
        reason = "its disk is read-only" if read_only else f"no permission to write in {base}"
        raise FolderNotWritableError(folder, reason)


def _finalize_bytes(folder: Path) -> int:
    """What finalizing will write: the video tracks once more, the sound twice.

    The sound goes to ``audio.mkv`` and into ``main.mkv`` as FLAC, which is hardly ever
    larger than the raw samples.
    """
    total = 0
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if not entry.is_file(follow_symlinks=False):
                    continue
                if entry.name == "mic.pcm":
                    total += 2 * entry.stat().st_size
                elif entry.name.endswith(".mkv") and entry.name.startswith(("screen-", "camera-")):
                    total += entry.stat().st_size
    except OSError:
        pass
    return total
