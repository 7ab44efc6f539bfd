"""The microphone: sounddevice at 48 kHz, a level meter, and a drift-proof track.

The PortAudio callback only copies each block and notes the recording-clock time it
arrived; a writer thread appends the samples to ``mic.pcm`` (16-bit little-endian,
written through every half second, so a crash loses almost nothing, and synced to
the disk every second, so a power cut loses little more) and one
line per block to ``mic.log``: the block's first sample number in the stream, its
length, where it went in the file (-1 while paused) and the arrival time, followed
by the word ``overflow`` when PortAudio reported input lost just before it. The sound
card's clock drifts against the system clock (the PulseAudio virtual source runs
0.2 % fast); :mod:`studio.capture.recording` fits the log to place every sample on
the recording clock when the recording is finalized.
"""

from __future__ import annotations

import contextlib
import math
import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.capture import devices
from studio.capture.clock import Clock
from studio.capture.errors import CaptureError, DeviceNotFoundError

__all__ = ["MicLevel", "MicrophoneSource", "resolve_microphone", "SAMPLE_RATE"]

SAMPLE_RATE = 48000
BLOCK = 480
CLIP_LEVEL = 32767 * 0.99
NO_SIGNAL_DBFS = -60.0
NO_SIGNAL_SECONDS = 3.0
SILENCE_DBFS = -120.0
FLUSH_SECONDS = 0.5
#: Seconds between two syncs of ``mic.pcm`` and ``mic.log`` to the disk (power cuts).
SYNC_SECONDS = 1.0
LOST_AFTER_SECONDS = 2.0
SPAN_MARGIN = 0.3


@dataclass(frozen=True)
class MicLevel:
    """The microphone level over the last tenth of a second.

    Attributes:
        rms_dbfs: Average level in dBFS (-120 for digital silence).
        peak_dbfs: Highest sample in dBFS.
        clipping: A sample reached full scale in the last second.
        no_signal: Nothing above -60 dBFS for three seconds (muted or unplugged?).
    """

    rms_dbfs: float
    peak_dbfs: float
    clipping: bool
    no_signal: bool


def _dbfs(value: float) -> float:
    return 20 * math.log10(value / 32768) if value > 0 else SILENCE_DBFS


def resolve_microphone(spec: str) -> int | str | None:
    """The sounddevice device for ``default``, an index or (part of) a name; ``None`` for none.

    Raises:
        AudioUnavailableError: PortAudio is not installed.
        DeviceNotFoundError: No such input device.
    """
    spec = spec.strip()
    if spec.lower() == "none":
        return None
    devices.sound_library()  # a missing PortAudio is named, not taken for "no microphones"
    mics = devices.list_microphones()
    names = [m.name for m in mics]
    # ALSA's pulse plugin opens the source $PULSE_SOURCE names when a stream starts.
    os.environ.pop("PULSE_SOURCE", None)
    if spec.startswith(devices.PULSE_PREFIX):
        source = spec.removeprefix(devices.PULSE_PREFIX)
        known = [s.name for s in devices.list_sound_sources()]
        pulse = [m for m in mics if m.name == "pulse"]
        if source not in known or not pulse:
            raise DeviceNotFoundError("microphone", spec, [devices.PULSE_PREFIX + n for n in known])
        os.environ["PULSE_SOURCE"] = source
        return pulse[0].index
    if spec.lower() == "default":
        default = [m for m in mics if m.default]
        if default:
            return default[0].index
        if mics:
            return mics[0].index
        raise DeviceNotFoundError("microphone", spec, ["no microphones found"])
    if spec.isdigit():
        found = [m for m in mics if m.index == int(spec)]
    else:
        found = [m for m in mics if m.name == spec] or [
            m for m in mics if spec.lower() in m.name.lower()
        ]
    if not found:
        raise DeviceNotFoundError("microphone", spec, names or ["no microphones found"])
    return found[0].index


class MicrophoneSource:
    """Records one microphone into ``mic.pcm`` + ``mic.log`` in ``folder``.

    Args:
        device: A sounddevice device (see :func:`resolve_microphone`).
        folder: The recording folder.
        clock: The recording clock.
    """

    def __init__(self, device: int | str, folder: Path, clock: Clock) -> None:
        sounddevice = devices.sound_library()
        self.device, self.folder, self.clock = device, folder, clock
        self.name = str(device)
        self.channels = 1
        #: Recording-clock spans to keep, ``[start, end]`` (``end`` None while running).
        self.spans: list[list[float | None]] = []
        self.lost: str | None = None
        self.overflows = 0
        self.samples_written = 0
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._stream_index = 0
        self._write_failed = False
        self._last_arrival = -1.0
        self._window: list[tuple[float, float, int]] = []
        self._clip_until = -1.0
        self._loud_at = -1.0
        self._started_at = 0.0
        self._level = MicLevel(SILENCE_DBFS, SILENCE_DBFS, False, False)
        try:
            info = sounddevice.query_devices(device)
            self.name = info["name"]
            self.stream = sounddevice.InputStream(
                device=device,
                samplerate=SAMPLE_RATE,
                channels=self.channels,
                dtype="int16",
                blocksize=BLOCK,
                callback=self._callback,
            )
        except Exception as error:
            raise CaptureError(
                f"The microphone '{self.name}' could not be opened at {SAMPLE_RATE} Hz "
                f"({error}); choose another with --mic, or --mic none."
            ) from error
        self.latency = float(self.stream.latency)
        self._pcm = open(folder / "mic.pcm", "ab")  # noqa: SIM115 - closed by close()
        self._log = open(folder / "mic.log", "a", encoding="ascii")  # noqa: SIM115
        self._writer = threading.Thread(target=self._write_loop, name="mic-writer", daemon=True)

    def _callback(self, indata, frames, time_info, status) -> None:  # PortAudio thread
        arrival = self.clock.now()
        overflow = bool(status.input_overflow)
        if overflow:
            self.overflows += 1
        self._queue.put((self._stream_index, arrival, indata.copy(), overflow))
        self._stream_index += frames
        self._last_arrival = arrival  # here, not in the writer: a slow disk is not a lost mic

    def start(self) -> None:
        self._started_at = self.clock.now()
        self._writer.start()
        self.stream.start()

    def wait_for_sound(self, timeout: float) -> bool:
        """Wait until the first block arrives (PulseAudio takes a second or two to start)."""
        deadline = time.monotonic() + timeout
        while self._last_arrival < 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        return self._last_arrival >= 0

    def _write_loop(self) -> None:
        # Runs off the PortAudio thread, so a slow disk delays the file, not the sound.
        last_flush = last_sync = time.monotonic()
        while True:
            item = self._queue.get()
            if item is None:
                break
            first, arrival, block, overflow = item
            self._measure(arrival, block)
            if self._write_failed:
                continue  # the level meter goes on; nothing more can be kept
            try:
                self._write(first, arrival, block, overflow)
                now = time.monotonic()
                if now - last_flush >= FLUSH_SECONDS:
                    self._pcm.flush()
                    self._log.flush()
                    last_flush = now
                    if now - last_sync >= SYNC_SECONDS:
                        os.fsync(self._pcm.fileno())
                        os.fsync(self._log.fileno())
                        last_sync = now
            except OSError as error:
                self._write_failed = True
                self.lost = (
                    f"the microphone could not be written to {self.folder} "
                    f"({error.strerror or error})"
                )
        for handle in (self._pcm, self._log):
            with contextlib.suppress(OSError):
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(OSError):
                handle.close()

    def _write(self, first: int, arrival: float, block: np.ndarray, overflow: bool) -> None:
        if not self._keep(arrival):
            offset = -1
        else:
            offset = self.samples_written
            self._pcm.write(block.astype("<i2", copy=False).tobytes())
            self.samples_written += len(block)
        flag = " overflow" if overflow else ""
        self._log.write(f"{first} {len(block)} {offset} {arrival:.6f}{flag}\n")

    def _keep(self, arrival: float) -> bool:
        # A block arrives a little after it was heard; finalizing trims to the exact span.
        for start, end in list(self.spans):
            if start - SPAN_MARGIN <= arrival and (end is None or arrival <= end + SPAN_MARGIN):
                return True
        return False

    def resume(self, t: float) -> None:
        """Keep the sound heard from ``t`` on the recording clock."""
        self.spans.append([t, None])

    def drop_span(self) -> None:
        """Forget the span begun last by :meth:`resume` (its segment did not start)."""
        if self.spans and self.spans[-1][1] is None:
            self.spans.pop()

    def pause(self, t: float) -> None:
        """Stop keeping sound heard after ``t``."""
        if self.spans and self.spans[-1][1] is None:
            self.spans[-1][1] = t

    def _measure(self, arrival: float, block: np.ndarray) -> None:
        samples = block.astype(np.float64).ravel()
        peak = float(np.abs(samples).max()) if samples.size else 0.0
        square = float(np.mean(samples * samples)) if samples.size else 0.0
        self._window = [w for w in self._window if w[0] > arrival - 0.1]
        self._window.append((arrival, square, int(peak)))
        if peak >= CLIP_LEVEL:
            self._clip_until = arrival + 1.0
        rms = _dbfs(math.sqrt(sum(w[1] for w in self._window) / len(self._window)))
        if rms > NO_SIGNAL_DBFS:
            self._loud_at = arrival
        since = max(self._loud_at, self._started_at)
        self._level = MicLevel(
            rms_dbfs=rms,
            peak_dbfs=_dbfs(max(w[2] for w in self._window)),
            clipping=arrival < self._clip_until,
            no_signal=arrival - since > NO_SIGNAL_SECONDS,
        )

    def level(self) -> MicLevel:
        """The level meter; also notices a microphone that stopped delivering."""
        now = self.clock.now()
        quiet_since = self._last_arrival if self._last_arrival >= 0 else self._started_at + 3.0
        if self.lost is None and now - quiet_since > LOST_AFTER_SECONDS:
            self.lost = f"the microphone '{self.name}' stopped delivering sound"
        if self.lost is not None:
            return MicLevel(SILENCE_DBFS, SILENCE_DBFS, False, True)
        return self._level

    def close(self) -> None:
        try:
            self.stream.stop()
            self.stream.close()
        except Exception:  # a vanished device may fail to stop; its samples are kept
            pass
        self._queue.put(None)
        if self._writer.is_alive():
            self._writer.join(timeout=10)
