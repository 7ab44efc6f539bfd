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

Finalizing never changes the tracks, so it can run again; :func:`recover` finalizes a
recording whose recorder was killed, from whatever reached the disk.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np

from shared.files import atomic_path, write_json_atomic
from shared.jobs import ProgressState
from shared.media import ffmpeg_exe
from studio.capture.errors import CaptureError, NotARecordingError

__all__ = [
    "JSON_NAME",
    "FinishedRecording",
    "AudioClock",
    "new_recording",
    "load_recording",
    "save_recording",
    "finalize",
    "recover",
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
    (scheduling, bursts). A straight line fitted through arrival time against sample
    number gives the card's true rate; shifting it down to the earliest arrivals
    gives its offset. ``time(n) = offset + n / rate``.

    Args:
        log: The ``mic.log`` file.
        latency: Seconds to subtract for buffering before the callback (measured).
    """

    def __init__(self, log: Path, latency: float = 0.0) -> None:
        rows = []
        with open(log, encoding="ascii", errors="replace") as handle:
            for line in handle:
                parts = line.split()
                if len(parts) == 4:
                    try:
                        rows.append((int(parts[0]), int(parts[1]), int(parts[2]), float(parts[3])))
                    except ValueError:
                        continue  # a line cut short by a crash
        if not rows:
            raise CaptureError(f"{log} holds no sound; the microphone delivered nothing.")
        table = np.array(rows, dtype=np.float64)
        self.first = table[:, 0].astype(np.int64)
        self.count = table[:, 1].astype(np.int64)
        self.offset_in_file = table[:, 2].astype(np.int64)
        arrival = table[:, 3]
        ends = (self.first + self.count).astype(np.float64)
        settled = arrival >= arrival[0] + SETTLE_SECONDS
        use = settled if settled.sum() >= 50 else np.ones_like(settled)
        if use.sum() >= 2 and np.ptp(ends[use]) > 0:
            slope, intercept = np.polyfit(ends[use], arrival[use], 1)
        else:
            slope, intercept = 1.0 / SAMPLE_RATE, arrival[0] - ends[0] / SAMPLE_RATE
        residual = arrival[use] - (intercept + slope * ends[use])
        self.seconds_per_sample = float(slope)
        self.start = float(intercept + np.percentile(residual, 1.0)) - latency
        self.jitter = float(np.percentile(residual, 99) - np.percentile(residual, 1))
        written = self.offset_in_file >= 0
        self.w_first = self.first[written]
        self.w_count = self.count[written]
        self.w_offset = self.offset_in_file[written]
        self.last_arrival = float(arrival[-1])

    @property
    def rate(self) -> float:
        """Samples per second of the card, measured on the system clock."""
        return 1.0 / self.seconds_per_sample

    def samples_at(self, times: np.ndarray) -> np.ndarray:
        """Fractional positions in ``mic.pcm`` of ``times``; NaN where nothing was kept."""
        n = (times - self.start) / self.seconds_per_sample
        whole = np.floor(n).astype(np.int64)
        index = np.searchsorted(self.w_first, whole, side="right") - 1
        ok = index >= 0
        index = np.clip(index, 0, max(0, len(self.w_first) - 1))
        if len(self.w_first) == 0:
            return np.full(times.shape, np.nan)
        ok &= whole < self.w_first[index] + self.w_count[index]
        position = self.w_offset[index] + (n - self.w_first[index])
        return np.where(ok, position, np.nan)


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
    pcm_path = folder / "mic.pcm"
    size = pcm_path.stat().st_size // (2 * channels) if pcm_path.exists() else 0
    pcm = (
        np.memmap(pcm_path, dtype="<i2", mode="r", shape=(size, channels))
        if size
        else np.zeros((1, channels), dtype="<i2")
    )
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    command += ["-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", str(channels), "-i", "pipe:0"]
    command += ["-c:a", "flac", "-f", "matroska"]
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
                    process.stdin.write(_interpolate(pcm, position).tobytes())
            process.stdin.close()
        except BrokenPipeError:
            pass
        stderr = process.stderr.read().decode("utf-8", "replace")
        if process.wait() != 0:
            raise CaptureError(f"Could not write {out}: {stderr.strip()[-200:]}")
    return {
        "mic_rate_hz": round(clock.rate, 3),
        "mic_drift_ppm": round((clock.rate / SAMPLE_RATE - 1) * 1e6, 1),
        "mic_start": round(clock.start, 6),
        "mic_arrival_jitter_ms": round(clock.jitter * 1000, 2),
    }


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


def _count_frames(path: Path) -> int:
    """Video packets in a (possibly cut-short) Matroska file."""
    count = 0
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            for packet in container.demux(stream):
                if packet.size:
                    count += 1
    except (av.FFmpegError, IndexError, OSError):
        pass  # a file cut short by a crash: keep what was read
    return count


def _master_segments(folder: Path, data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """The usable segments of a video track, with ``frames`` filled in for cut-short ones."""
    fps = float(data["sources"][kind]["fps"])
    found = []
    for segment in data["segments"]:
        track = segment.get(kind)
        if not track or track.get("start") is None:
            continue
        path = folder / track["file"]
        if not path.exists() or path.stat().st_size == 0:
            continue
        frames = track.get("frames")
        if frames is None:
            frames = _count_frames(path)
        if frames <= 0:
            continue
        found.append({**track, "frames": int(frames), "fps": fps})
    return found


def _concat_list(folder: Path, tracks: list[dict[str, Any]], name: str) -> Path:
    listing = folder / name
    lines = [f"file '{(folder / t['file']).name}'" for t in tracks]
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return listing


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, errors="replace")
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["ffmpeg failed"])[-1]
        raise CaptureError(f"Could not write {what}: {last}")


def _join_video(folder: Path, tracks: list[dict[str, Any]], audio: Path | None, out: Path) -> None:
    """Join segments (stream copy) and add the aligned audio."""
    listing = _concat_list(folder, tracks, f".{out.stem}-segments.txt")
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    command += ["-f", "concat", "-safe", "0", "-i", str(listing)]
    if audio is not None:
        command += ["-i", str(audio), "-map", "0:v:0", "-map", "1:a:0"]
    command += ["-c", "copy", "-f", "matroska"]
    try:
        with atomic_path(out) as tmp:
            _run([*command, str(tmp)], str(out))
    finally:
        listing.unlink(missing_ok=True)


def _black_video(audio: Path, duration: float, out: Path) -> None:
    """A still black picture for a sound-only recording (a lesson needs a video)."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    command += ["-f", "lavfi", "-i", f"color=c=black:s=640x360:r=5:d={duration:.3f}"]
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
        CaptureError: Nothing usable was recorded, or ffmpeg failed.
    """
    folder = Path(folder)
    data = load_recording(folder)
    recovered = data.get("state") == "recording"
    sources = data["sources"]
    master = "screen" if sources.get("screen") else "camera" if sources.get("camera") else None
    if state is not None:
        state.set_status(f"Finishing the recording in {folder.name}")
    tracks = _master_segments(folder, data, master) if master else []
    if master:
        spans = [(t["start"], t["start"] + t["frames"] / t["fps"]) for t in tracks]
    else:
        spans = _sound_only_spans(folder, data)
    if not spans or sum(b - a for a, b in spans) <= 0:
        raise CaptureError(
            f"{folder} holds nothing that can be played (the recording stopped before any "
            "picture or sound reached the disk)."
        )
    duration = sum(b - a for a, b in spans)
    audio: Path | None = None
    alignment: dict[str, float] = {}
    if sources.get("mic") and (folder / "mic.log").exists():
        audio = folder / AUDIO_NAME
        alignment = render_audio(
            folder, spans, audio, float(sources["mic"].get("latency_correction", 0.0))
        )
    if state is not None:
        state.set_progress(0.5)
    main = folder / MAIN_NAME
    if master:
        _join_video(folder, tracks, audio, main)
    elif audio is not None:
        _black_video(audio, duration, main)
    presenter = None
    if master == "screen" and sources.get("camera"):
        cam_tracks = _master_segments(folder, data, "camera")
        if cam_tracks:
            presenter = folder / PRESENTER_NAME
            _join_video(folder, cam_tracks, None, presenter)
            alignment["camera_offsets_ms"] = [
                round((c["start"] - s["start"]) * 1000, 1)
                for c, s in zip(cam_tracks, tracks, strict=False)
            ]
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
        data["events"].append({"t": None, "text": "recovered after the recorder was interrupted"})
        data["finalized_segments"] = [{"start": a, "end": b} for a, b in spans]
    save_recording(folder, data)
    if state is not None:
        state.set_progress(1.0)
    return _finished(folder, data)


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
    if data.get("state") == "recording" and pid and pid != os.getpid() and _alive(pid):
        raise CaptureError(
            f"{folder} is still being recorded by process {pid}; stop that recording first."
        )
    return finalize(folder, state=state)


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
