"""The recording folder: ``recording.json``, its tracks, finalizing and recovery.

A folder as the recorder leaves it::

    recording.json          sources, settings, segments (start offsets), pauses, statistics
    screen-000.mkv ...      one H.264 Matroska file per segment (a pause ends a segment)
    camera-000.mkv ...      the camera, same segments, slot-aligned to the screen
    mic.pcm, mic.log        raw 48 kHz 16-bit samples and the per-block arrival log

Every time in ``recording.json`` is in seconds on the recording clock
(:class:`~studio.capture.clock.Clock`). Finalizing turns the folder into::

    audio.mkv               the microphone, drift-corrected and cut to the video (FLAC)
    main.mkv                the screen (or camera) segments joined, with that audio
    presenter.mkv           the camera segments joined, when there is also a screen

A segment whose screen (or camera) was lost while the others went on keeps its whole
span: its video holds the last picture to the segment's end, so no sound is cut.

Finalizing never changes the tracks, so it can run again (a failure leaves nothing
half-written); :func:`recover` finalizes a recording whose recorder was killed, from
whatever reached the disk.
"""

from __future__ import annotations

import array
import datetime
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np

from shared.errors import LecternError
from shared.files import atomic_path, write_json_atomic
from shared.jobs import ProgressState
from shared.media import ffmpeg_command
from studio.capture.errors import CaptureError, NotARecordingError, NotFinishedError
from studio.capture.screen import SCREEN_CRF
from studio.capture.tracks import count_frames, h264_args

__all__ = [
    "JSON_NAME",
    "FinishedRecording",
    "AudioClock",
    "new_recording",
    "load_recording",
    "save_recording",
    "finalize",
    "recover",
    "recording_in_progress",
    "build_inputs",
]

JSON_NAME = "recording.json"
FORMAT = "lectern-recording"
MAIN_NAME = "main.mkv"
PRESENTER_NAME = "presenter.mkv"
AUDIO_NAME = "audio.mkv"
SAMPLE_RATE = 48000
#: Output chunk when rendering the aligned audio (10 s keeps memory flat).
CHUNK = SAMPLE_RATE * 10
#: Blocks that arrive in the first second are start-up bursts, not paced sound.
SETTLE_SECONDS = 1.0
#: A block this many block lengths late may follow lost sound (see :class:`AudioClock`).
GAP_BLOCKS = 3
#: Seconds of arrivals before and after a late block compared to tell loss from a stall.
GAP_WINDOW = 1.0
#: Seconds of sound whose earliest arrival is one point of the microphone's rate fit.
FIT_WINDOW = 1.0
#: Such a point this far above the fitted line (seconds) is a stall, left out.
FIT_OUTLIER = 0.002


@dataclass(frozen=True)
class FinishedRecording:
    """A finalized recording folder.

    Attributes:
        folder: The recording folder.
        main: The main video (screen, or camera when there is no screen) with the audio.
        presenter: The camera video when there is also a screen, else ``None``.
        duration: Length of ``main`` in seconds (paused time left out).
        segments: How many segments (one more than the pauses that were resumed).
        recovered: The recorder was interrupted and this was put together afterwards.
    """

    folder: Path
    main: Path
    presenter: Path | None
    duration: float
    segments: int
    recovered: bool


def _now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def new_recording(
    folder: Path, settings: dict[str, Any], sources: dict[str, Any]
) -> dict[str, Any]:
    """A fresh ``recording.json`` document (not yet saved)."""
    return {
        "format": FORMAT,
        "version": 1,
        "state": "recording",
        "created": _now_iso(),
        "pid": os.getpid(),
        "settings": settings,
        "sources": sources,
        "segments": [],
        "pauses": [],
        "statistics": {},
        "events": [],
        "stopped_because": None,
    }


def load_recording(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """Read ``recording.json``.

    Raises:
        NotARecordingError: The folder or its ``recording.json`` is missing or unreadable.
    """
    folder = Path(folder)
    path = folder / JSON_NAME
    if not folder.is_dir():
        raise NotARecordingError(folder, "no such folder")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotARecordingError(folder, f"it has no {JSON_NAME}") from None
    except (OSError, ValueError) as error:
        raise NotARecordingError(folder, f"{JSON_NAME} cannot be read: {error}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise NotARecordingError(folder, f"{JSON_NAME} is not a Lectern recording")
    return data


def save_recording(folder: Path, data: dict[str, Any]) -> None:
    """Write ``recording.json`` atomically (a crash leaves the previous one)."""
    write_json_atomic(Path(folder) / JSON_NAME, data)


# --- the microphone on the recording clock ---------------------------------------------


class AudioClock:
    """Where each microphone sample lies on the recording clock, from ``mic.log``.

    Blocks arrive no earlier than their last sample was heard, and sometimes later
    (scheduling, bursts). Against sample number, arrival time follows a straight line
    whose slope is the card's true rate, until the stream loses sound (an input
    overflow, a stall in which PortAudio drops blocks): the sample count then stops
    while time goes on, and the line jumps up by the length of what was lost.

    The log is therefore cut into runs wherever the earliest arrivals jump up by
    more than a block (a block that came :data:`GAP_BLOCKS` block lengths late, or
    one flagged ``overflow``, is checked). One rate is fitted through all runs, and
    each run's offset is anchored to its earliest arrivals:
    ``time(n) = offset[run] + n / rate``. Lost sound becomes silence, and what
    follows it stays in place.

    Args:
        log: The ``mic.log`` file.
        latency: Seconds to subtract for buffering before the callback (measured).

    Raises:
        CaptureError: The log holds no blocks.
    """

    def __init__(self, log: Path, latency: float = 0.0) -> None:
        table, overflow = _read_mic_log(log)
        self.first = table[:, 0].astype(np.int64)
        self.count = table[:, 1].astype(np.int64)
        self.offset_in_file = table[:, 2].astype(np.int64)
        arrival = table[:, 3]
        ends = (self.first + self.count).astype(np.float64)
        settled = arrival >= arrival[0] + SETTLE_SECONDS
        use = settled if settled.sum() >= 50 else np.ones_like(settled)
        seconds_per_sample = 1.0 / SAMPLE_RATE
        for _ in range(2):  # the second pass looks for jumps along the measured rate
            starts = _run_starts(arrival, ends, self.count, overflow, seconds_per_sample)
            run = np.cumsum(np.isin(np.arange(len(arrival)), starts)) - 1
            seconds_per_sample = _shared_slope(ends, arrival, run, use, seconds_per_sample)
        base = arrival - ends * seconds_per_sample
        offsets = np.empty(len(starts))
        for k, (lo, hi) in enumerate(zip(starts, [*starts[1:], len(base)], strict=True)):
            settled_part = base[lo:hi][use[lo:hi]]
            offsets[k] = np.percentile(settled_part if settled_part.size else base[lo:hi], 1.0)
        residual = (base - offsets[run])[use]
        self.seconds_per_sample = float(seconds_per_sample)
        self.jitter = float(np.percentile(residual, 99) - np.percentile(residual, 1))
        #: Per run: offset on the clock, first and one-past-last sample number, start time.
        self.run_offset = offsets - latency
        self.run_first = self.first[starts]
        self.run_end = np.append(self.first[starts[1:]], self.first[-1] + self.count[-1])
        self.run_time = self.run_offset + self.run_first * self.seconds_per_sample
        self.start = float(self.run_offset[0])
        #: Seconds of sound the stream lost between runs.
        self.lost = float(np.sum(np.maximum(0.0, np.diff(offsets))))
        written = self.offset_in_file >= 0
        self.w_first = self.first[written]
        self.w_count = self.count[written]
        self.w_offset = self.offset_in_file[written]
        self.last_arrival = float(arrival[-1])

    @property
    def rate(self) -> float:
        """Samples per second of the card, measured on the system clock."""
        return 1.0 / self.seconds_per_sample

    @property
    def runs(self) -> int:
        """Stretches of unbroken sound (one more than the times sound was lost)."""
        return len(self.run_offset)

    def samples_at(self, times: np.ndarray) -> np.ndarray:
        """Fractional positions in ``mic.pcm`` of ``times``; NaN where nothing was kept."""
        if len(self.w_first) == 0:
            return np.full(times.shape, np.nan)
        if self.runs == 1:
            run: np.ndarray | int = 0
        else:
            run = np.maximum(np.searchsorted(self.run_time, times, side="right") - 1, 0)
        n = (times - self.run_offset[run]) / self.seconds_per_sample
        ok = (n >= self.run_first[run]) & (n < self.run_end[run])
        whole = np.floor(n).astype(np.int64)
        index = np.searchsorted(self.w_first, whole, side="right") - 1
        ok &= index >= 0
        index = np.maximum(index, 0)  # at most len - 1 already
        ok &= whole < self.w_first[index] + self.w_count[index]
        position = self.w_offset[index] + (n - self.w_first[index])
        return np.where(ok, position, np.nan)


def _read_mic_log(log: Path) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``mic.log`` as a float table, and which rows were flagged ``overflow``.

    A line is ``first count offset_in_file arrival``, with `` overflow`` appended when
    PortAudio reported lost input before that block. A last line without its newline
    was cut short by a crash and is left out.
    """
    values = array.array("d")  # compact: an hour of blocks is a few megabytes
    flags = bytearray()
    with open(log, encoding="ascii", errors="replace") as handle:
        for line in handle:
            if not line.endswith("\n"):
                break
            parts = line.split()
            if len(parts) not in (4, 5):
                continue
            try:
                row = (int(parts[0]), int(parts[1]), int(parts[2]), float(parts[3]))
            except ValueError:
                continue
            values.extend(row)
            flags.append(len(parts) == 5 and parts[4] == "overflow")
    if not flags:
        raise CaptureError(f"{log} holds no sound; the microphone delivered nothing.")
    table = np.frombuffer(values, dtype=np.float64).reshape(-1, 4)
    return table, np.frombuffer(bytes(flags), dtype=bool)


def _run_starts(
    arrival: np.ndarray,
    ends: np.ndarray,
    count: np.ndarray,
    overflow: np.ndarray,
    seconds_per_sample: float,
) -> np.ndarray:
    """Indices of the blocks that start a run (always 0), i.e. follow lost sound.

    A block is suspect when it came more than :data:`GAP_BLOCKS` block lengths after
    the one before, or PortAudio flagged an overflow. It starts a new run when the
    earliest arrivals of the :data:`GAP_WINDOW` seconds of sound after it sit higher
    than those of the sound before it by over half a block and over half the delay: a
    stall caught up with a burst leaves them where they were, lost sound lifts them by
    its length. A flagged block shortly after a late one marks the loss more exactly
    (the late block may be buffered sound from before it).
    """
    base = arrival - ends * seconds_per_sample
    block = count * seconds_per_sample
    late = np.zeros(len(arrival), dtype=bool)
    late[1:] = np.diff(arrival) - block[1:] > GAP_BLOCKS * block[1:]
    window = GAP_WINDOW / seconds_per_sample
    flagged = np.flatnonzero(overflow)
    starts = [0]
    for i in np.flatnonzero(late | overflow):
        if i == 0:
            continue
        lo = max(starts[-1], int(np.searchsorted(ends, ends[i - 1] - window)))
        hi = max(i + 1, int(np.searchsorted(ends, ends[i] + window, side="right")))
        if not overflow[i] and np.any((flagged > i) & (flagged < hi)):
            continue
        jump = base[i:hi].min() - base[lo:i].min()
        delay = arrival[i] - arrival[i - 1] - block[i]
        if jump > max(0.5 * block[i], 0.5 * delay):
            starts.append(int(i))
    return np.array(starts, dtype=np.int64)


def _shared_slope(
    ends: np.ndarray, arrival: np.ndarray, run: np.ndarray, use: np.ndarray, fallback: float
) -> float:
    """Seconds per sample: one slope through all runs, each with its own offset.

    The line goes through the earliest arrival of every :data:`FIT_WINDOW` seconds of
    sound, not through all of them: late blocks (a busy machine, the burst after a
    stall) would tilt it. A window whose earliest arrival is still far above the line
    (a stall longer than the window) is left out of a second fit.
    """
    x, y, group = ends[use], arrival[use], run[use]
    if len(x) < 2:
        return fallback
    window = np.floor(x * fallback / FIT_WINDOW).astype(np.int64)
    key = group * (int(window.max()) + 1) + window  # non-decreasing along the log
    order = np.lexsort((y - x * fallback, key))
    first = order[np.concatenate(([True], np.diff(key[order]) != 0))]
    x, y, group = x[first], y[first], group[first]
    slope = _least_squares_slope(x, y, group, fallback)
    residual = y - x * slope
    for k in np.unique(group):
        residual[group == k] -= np.median(residual[group == k])
    spread = np.median(np.abs(residual))
    keep = residual <= max(FIT_OUTLIER, 5 * spread)
    return _least_squares_slope(x[keep], y[keep], group[keep], slope)


def _least_squares_slope(x: np.ndarray, y: np.ndarray, group: np.ndarray, fallback: float) -> float:
    size = np.bincount(group)
    present = size > 0
    mean_x = np.zeros(len(size))
    mean_y = np.zeros(len(size))
    mean_x[present] = np.bincount(group, x)[present] / size[present]
    mean_y[present] = np.bincount(group, y)[present] / size[present]
    dx, dy = x - mean_x[group], y - mean_y[group]
    spread = float(np.dot(dx, dx))
    return float(np.dot(dx, dy)) / spread if spread > 0 else fallback


def render_audio(
    folder: Path,
    spans: list[tuple[float, float]],
    out: Path,
    latency: float,
    channels: int = 1,
) -> dict[str, float]:
    """Write the microphone for ``spans`` (recording-clock seconds) to ``out`` as FLAC.

    Each output sample is read at its place on the recording clock (linear
    interpolation), which both aligns the sound to the video and removes the drift of
    the sound card's clock; anything not recorded is silence.
    """
    clock = AudioClock(folder / "mic.log", latency)
    pcm = _Samples(folder / "mic.pcm", channels)
    command = ffmpeg_command(
        *("-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", str(channels), "-i", "pipe:0"),
        *("-c:a", "flac", "-f", "matroska"),
    )
    with atomic_path(out) as tmp:
        process = subprocess.Popen(
            [*command, str(tmp)], stdin=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            for start, end in spans:
                total = int(round((end - start) * SAMPLE_RATE))
                for k0 in range(0, total, CHUNK):
                    k = np.arange(k0, min(total, k0 + CHUNK), dtype=np.float64)
                    position = clock.samples_at(start + k / SAMPLE_RATE)
                    process.stdin.write(pcm.at(position).tobytes())
            process.stdin.close()
        except BrokenPipeError:
            pass
        finally:
            pcm.close()
        stderr = process.stderr.read().decode("utf-8", "replace")
        if process.wait() != 0:
            raise CaptureError(f"Could not write {out}: {stderr.strip()[-200:]}")
    return {
        "mic_rate_hz": round(clock.rate, 3),
        "mic_drift_ppm": round((clock.rate / SAMPLE_RATE - 1) * 1e6, 1),
        "mic_start": round(clock.start, 6),
        "mic_arrival_jitter_ms": round(clock.jitter * 1000, 2),
        "mic_runs": clock.runs,
        "mic_lost_ms": round(clock.lost * 1000, 1),
    }


class _Samples:
    """``mic.pcm`` read a stretch at a time (memory stays flat however long it is)."""

    def __init__(self, path: Path, channels: int) -> None:
        self.channels = channels
        self.frame_bytes = 2 * channels
        self.size = path.stat().st_size // self.frame_bytes if path.exists() else 0
        self.handle = open(path, "rb") if self.size else None  # noqa: SIM115 - see close()

    def at(self, position: np.ndarray) -> np.ndarray:
        """Samples at fractional ``position`` (linear interpolation); silence at NaN."""
        valid = position[~np.isnan(position)]
        if self.handle is None or valid.size == 0:
            return np.zeros((len(position), self.channels), dtype="<i2")
        lo = int(np.clip(np.floor(valid.min()), 0, self.size - 1))
        hi = int(np.clip(np.floor(valid.max()) + 2, lo + 1, self.size))
        self.handle.seek(lo * self.frame_bytes)
        data = self.handle.read((hi - lo) * self.frame_bytes)
        stretch = np.frombuffer(data, dtype="<i2").reshape(-1, self.channels)
        return _interpolate(stretch, position - lo)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def _interpolate(pcm: np.ndarray, position: np.ndarray) -> np.ndarray:
    last = len(pcm) - 1
    valid = ~np.isnan(position)
    position = np.where(valid, np.clip(position, 0, last), 0.0)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, last)
    frac = (position - low)[:, None]
    mixed = pcm[low].astype(np.float32) * (1 - frac) + pcm[high].astype(np.float32) * frac
    mixed[~valid] = 0
    return np.clip(np.round(mixed), -32768, 32767).astype("<i2")


# --- video segments ----------------------------------------------------------------------


def _master_segments(
    folder: Path, data: dict[str, Any], kind: str, fill: bool = True
) -> list[dict[str, Any]]:
    """The usable segments of a video track, with ``frames`` filled in for cut-short ones.

    With ``fill``, ``pad`` is how many frames the file lacks to reach the end of its
    segment (the source was lost while the others went on recording, perhaps before
    its first frame reached the disk); ``end`` includes them. ``lead`` is how many
    frames of its first picture go before the file (a still screen whose compositor
    sent its first frame late, see ``SegmentResult.lead``).
    """
    fps = float(data["sources"][kind]["fps"])
    found = []
    for segment in data["segments"]:
        track = segment.get(kind)
        if not track or track.get("start") is None:
            continue
        path = folder / track["file"]
        frames = 0
        if path.exists() and path.stat().st_size > 0:
            frames = track.get("frames")
            frames = count_frames(path) if frames is None else int(frames)
        start = float(track["start"])
        # A still screen's first picture came ``lead`` seconds late: it was there before.
        lead = int(round(float(track.get("lead") or 0.0) * fps))
        pad = 0
        if fill and segment.get("end") is not None:
            pad = max(0, int(round((float(segment["end"]) - start) * fps)) - lead - frames)
        if lead + frames + pad <= 0:
            continue
        end = start + (lead + frames + pad) / fps
        found.append({**track, "frames": frames, "fps": fps, "lead": lead, "pad": pad, "end": end})
    return found


def _run(command: list[str], what: str, stdin: bytes | None = None) -> None:
    result = subprocess.run(command, input=stdin, capture_output=True)
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CaptureError(f"Could not write {what}: {(lines or ['ffmpeg failed'])[-1]}")


def _join_video(
    folder: Path,
    tracks: list[dict[str, Any]],
    audio: Path | None,
    out: Path,
    source: dict[str, Any],
) -> None:
    """Join segments (stream copy), fill what lost ones lack, and add the aligned audio."""
    listing = folder / f".{out.stem}-segments.txt"
    pads: list[Path] = []
    lines = []
    try:
        for track in tracks:
            if track.get("lead"):
                lead = folder / f".{Path(track['file']).stem}-lead.mkv"
                picture = _first_picture(folder / track["file"]) if track["frames"] else None
                _hold_picture(picture, track["lead"], source, lead)
                pads.append(lead)
                lines.append(f"file '{lead.name}'")
            if track["frames"]:
                lines.append(f"file '{track['file']}'")
            if track["pad"]:
                pad = folder / f".{Path(track['file']).stem}-pad.mkv"
                _hold_last_frame(folder / track["file"], track["pad"], source, pad)
                pads.append(pad)
                if track["frames"]:  # the file may end without saying how long it is
                    lines.append(f"duration {track['frames'] / track['fps']:.6f}")
                lines.append(f"file '{pad.name}'")
        listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
        command = ffmpeg_command("-f", "concat", "-safe", "0", "-i", str(listing))
        if audio is not None:
            command += ["-i", str(audio), "-map", "0:v:0", "-map", "1:a:0"]
        command += ["-c", "copy", "-f", "matroska"]
        with atomic_path(out) as tmp:
            _run([*command, str(tmp)], str(out))
    finally:
        listing.unlink(missing_ok=True)
        for pad in pads:
            pad.unlink(missing_ok=True)


def _hold_last_frame(video: Path, frames: int, source: dict[str, Any], out: Path) -> None:
    """``frames`` frames of the last picture of ``video`` (black if none can be read)."""
    _hold_picture(_last_picture(video), frames, source, out)


def _hold_picture(
    picture: np.ndarray | None, frames: int, source: dict[str, Any], out: Path
) -> None:
    """``frames`` frames of ``picture`` (planar YUV 4:2:0; black if ``None``).

    Encoded with the track's own options so the clip joins it without re-encoding.
    """
    fps = float(source["fps"])
    command = ffmpeg_command()
    if picture is None:
        size = f"{source['width']}x{source['height']}"
        command += ["-f", "lavfi", "-i", f"color=c=black:s={size}:r={fps:g}"]
    else:
        height, width = picture.shape[0] * 2 // 3, picture.shape[1]
        command += ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{width}x{height}"]
        command += ["-framerate", f"{fps:g}", "-i", "pipe:0", "-vf", "loop=loop=-1:size=1"]
    preset, crf = source.get("preset", "ultrafast"), int(source.get("crf", SCREEN_CRF))
    command += ["-frames:v", str(frames), *h264_args(preset, crf, fps), "-f", "matroska"]
    _run([*command, str(out)], str(out), None if picture is None else picture.tobytes())


def _first_picture(video: Path) -> np.ndarray | None:
    """The first frame of ``video`` as planar YUV 4:2:0, or None."""
    try:
        with av.open(str(video)) as container:
            frame = next(container.decode(video=0), None)
    except (av.FFmpegError, OSError):
        return None
    return frame.to_ndarray(format="yuv420p") if frame is not None else None


def _last_picture(video: Path) -> np.ndarray | None:
    """The last frame of a (possibly cut-short) video as planar YUV 4:2:0, or None.

    Only the packets since the last keyframe are kept and decoded.
    """
    frame = None
    try:
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            group: list[av.Packet] = []
            for packet in container.demux(stream):
                if packet.size:
                    group = [packet] if packet.is_keyframe else [*group, packet]
            codec = av.CodecContext.create(stream.codec_context.name, "r")
            codec.extradata = stream.codec_context.extradata
            for packet in [*group, None]:
                for decoded in codec.decode(packet):
                    frame = decoded
    except (av.FFmpegError, IndexError, OSError):
        pass  # nothing readable: the caller fills with black
    return frame.to_ndarray(format="yuv420p") if frame is not None else None


def _black_video(audio: Path, duration: float, out: Path) -> None:
    """A still black picture for a sound-only recording (a lesson needs a video)."""
    command = ffmpeg_command("-f", "lavfi", "-i", f"color=c=black:s=640x360:r=5:d={duration:.3f}")
    command += ["-i", str(audio), "-map", "0:v", "-map", "1:a", "-c:v", "libx264"]
    command += ["-preset", "ultrafast", "-tune", "stillimage", "-pix_fmt", "yuv420p"]
    command += ["-c:a", "copy", "-shortest", "-f", "matroska"]
    with atomic_path(out) as tmp:
        _run([*command, str(tmp)], str(out))


# --- finalize / recover / build_inputs ----------------------------------------------------


def finalize(
    folder: str | os.PathLike[str], *, state: ProgressState | None = None
) -> FinishedRecording:
    """Align and join the tracks of a stopped (or interrupted) recording.

    The main video is the screen segments joined without re-encoding (the camera's
    when there is no screen); the audio is cut to exactly those segments' spans on
    the recording clock, so paused time is left out of every track and sound and
    picture start, pause and end together.

    Args:
        folder: The recording folder.
        state: Optional progress and status.

    Returns:
        The finished recording.

    Raises:
        NotARecordingError: ``folder`` is not a recording.
        NotFinishedError: Writing the outputs failed (a full disk, ffmpeg); nothing
            half-written is left, the tracks are kept, and finalizing can run again.
        CaptureError: Nothing usable was recorded.
    """
    folder = Path(folder)
    data = load_recording(folder)
    recovered = data.get("state") == "recording"
    sources = data["sources"]
    master = "screen" if sources.get("screen") else "camera" if sources.get("camera") else None
    if state is not None:
        state.set_status(f"Finishing the recording in {folder.name}")
    tracks = _master_segments(folder, data, master) if master else []
    spans = [(t["start"], t["end"]) for t in tracks]
    if not master:
        spans = _sound_only_spans(folder, data)
    if not _anything_recorded(folder, data, tracks):
        # Held pictures and silence would make a video of nothing; say so instead.
        raise CaptureError(
            f"{folder} no longer holds any of its recorded tracks (the screen, camera and "
            "microphone files are missing or empty), so there is nothing to recover."
        )
    if not spans or sum(b - a for a, b in spans) <= 0:
        raise CaptureError(
            f"{folder} holds nothing that can be played (the recording stopped before any "
            "picture or sound reached the disk)."
        )
    duration = sum(b - a for a, b in spans)
    outputs = [folder / name for name in (AUDIO_NAME, MAIN_NAME, PRESENTER_NAME)]
    existed = {path for path in outputs if path.exists()}
    try:
        main, presenter, audio, alignment = _write_outputs(
            folder, data, master, tracks, spans, state
        )
        data.update(
            state="finished",
            recovered=bool(data.get("recovered") or recovered),
            finalized=_now_iso(),
            duration=round(duration, 3),
            alignment=alignment,
            outputs={
                "main": main.name,
                "presenter": presenter.name if presenter else None,
                "audio": audio.name if audio else None,
            },
        )
        if recovered:
            data["events"].append(
                {"t": None, "text": "recovered after the recorder was interrupted"}
            )
            data["finalized_segments"] = [{"start": a, "end": b} for a, b in spans]
        save_recording(folder, data)
    except (LecternError, OSError) as error:
        for path in outputs:  # a full disk needs the room back; the tracks stay
            if path not in existed:
                path.unlink(missing_ok=True)
        raise NotFinishedError(folder, error) from error
    if state is not None:
        state.set_progress(1.0)
    return _finished(folder, data)


def _write_outputs(
    folder: Path,
    data: dict[str, Any],
    master: str | None,
    tracks: list[dict[str, Any]],
    spans: list[tuple[float, float]],
    state: ProgressState | None,
) -> tuple[Path, Path | None, Path | None, dict[str, Any]]:
    """Write audio.mkv, main.mkv and presenter.mkv; return them and the alignment stats."""
    sources = data["sources"]
    audio: Path | None = None
    alignment: dict[str, Any] = {}
    if sources.get("mic") and (folder / "mic.log").exists():
        audio = folder / AUDIO_NAME
        alignment = render_audio(
            folder, spans, audio, float(sources["mic"].get("latency_correction", 0.0))
        )
    if state is not None:
        state.set_progress(0.5)
    main = folder / MAIN_NAME
    if master:
        _join_video(folder, tracks, audio, main, sources[master])
        filled = sum(t["pad"] / t["fps"] for t in tracks)
        if filled:  # seconds the main video holds a picture because its source was lost
            alignment["video_filled_seconds"] = round(filled, 3)
        held = sum(t["lead"] / t["fps"] for t in tracks)
        if held:  # seconds a still screen's first picture stands for (it came late)
            alignment["video_held_first_seconds"] = round(held, 3)
    elif audio is not None:
        _black_video(audio, sum(b - a for a, b in spans), main)
    presenter = None
    if master == "screen" and sources.get("camera"):
        cam_tracks = _master_segments(folder, data, "camera", fill=False)
        if cam_tracks:
            presenter = folder / PRESENTER_NAME
            _join_video(folder, cam_tracks, None, presenter, sources["camera"])
            alignment["camera_offsets_ms"] = [
                round((c["start"] - s["start"]) * 1000, 1)
                for c, s in zip(cam_tracks, tracks, strict=False)
            ]
    return main, presenter, audio, alignment


def _anything_recorded(folder: Path, data: dict[str, Any], tracks: list[dict[str, Any]]) -> bool:
    """Whether a picture or a sound that was recorded is still on the disk."""
    if any(track["frames"] > 0 for track in tracks):
        return True
    if data["sources"].get("mic"):
        pcm, log = folder / "mic.pcm", folder / "mic.log"
        if pcm.is_file() and pcm.stat().st_size > 0 and log.is_file():
            return True
    return False


def _sound_only_spans(folder: Path, data: dict[str, Any]) -> list[tuple[float, float]]:
    last = None
    if (folder / "mic.log").exists():
        try:
            last = AudioClock(folder / "mic.log").last_arrival
        except CaptureError:
            last = None
    spans = []
    for segment in data["segments"]:
        start, end = segment.get("start"), segment.get("end")
        end = end if end is not None else last
        if start is not None and end is not None and end > start:
            spans.append((float(start), float(end)))
    return spans


def _finished(folder: Path, data: dict[str, Any]) -> FinishedRecording:
    outputs = data.get("outputs") or {}
    presenter = outputs.get("presenter")
    return FinishedRecording(
        folder=folder,
        main=folder / outputs.get("main", MAIN_NAME),
        presenter=folder / presenter if presenter else None,
        duration=float(data.get("duration", 0.0)),
        segments=len(data.get("segments", [])),
        recovered=bool(data.get("recovered")),
    )


def recover(
    folder: str | os.PathLike[str], *, state: ProgressState | None = None
) -> FinishedRecording:
    """Finalize a recording whose recorder was interrupted (crash, power cut, ``kill -9``).

    Everything that reached the disk is kept: Matroska clusters are flushed at least
    every second and the microphone every half second. A recording that is already
    finished is returned as it is.

    Raises:
        NotARecordingError: ``folder`` is not a recording.
        CaptureError: The recorder is still running, or nothing usable was recorded.
    """
    folder = Path(folder)
    data = load_recording(folder)
    if data.get("state") == "finished" and (folder / data["outputs"]["main"]).exists():
        return _finished(folder, data)
    pid = data.get("pid")
    if pid != os.getpid() and recording_in_progress(data):
        raise CaptureError(
            f"{folder} is still being recorded by process {pid}; stop that recording first."
        )
    return finalize(folder, state=state)


def recording_in_progress(data: dict[str, Any]) -> bool:
    """Whether the recorder that wrote ``data`` (a ``recording.json``) is still running."""
    pid = data.get("pid")
    return data.get("state") == "recording" and bool(pid) and _alive(int(pid))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True
    return b"python" in cmdline or b"lectern" in cmdline


def build_inputs(folder: str | os.PathLike[str]) -> tuple[Path, Path | None]:
    """The videos ``lectern-studio build`` takes from a recording folder.

    Finalizes (or recovers) the recording first if that was not done yet.

    Returns:
        ``(main video with the microphone muxed in and aligned, presenter video or None)``.
    """
    folder = Path(folder)
    data = load_recording(folder)
    outputs = data.get("outputs") or {}
    if data.get("state") == "finished" and (folder / outputs.get("main", "")).is_file():
        finished = _finished(folder, data)
    else:
        finished = recover(folder)
    return finished.main, finished.presenter
