"""Finding ffmpeg, probing media, and turning any recording into a lesson video.

Probing uses PyAV (``av``) in-process, because the pip-only install ships an ffmpeg
binary but no ffprobe. Converting runs the ffmpeg binary: commands are built with
ffmpeg-python and run here with :mod:`subprocess`, so that ``-progress`` can be read
for progress and the process killed on cancellation. Every output is written to a
temporary file and renamed into place, so a failed or cancelled job leaves nothing.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import threading
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import ffmpeg

from shared.errors import DiskFullError, LecternError, OutputNotWritableError
from shared.files import atomic_path
from shared.jobs import Cancelled, ProgressState, check_cancelled, stages

__all__ = [
    "MediaError",
    "FFmpegNotFoundError",
    "MediaNotFoundError",
    "NotMediaError",
    "EmptyMediaError",
    "NoVideoError",
    "NoAudioError",
    "VideoStreamInfo",
    "AudioStreamInfo",
    "MediaInfo",
    "NormalizeResult",
    "ffmpeg_exe",
    "ffmpeg_command",
    "graph_command",
    "probe",
    "measure_loudness",
    "normalize",
    "extract_frame",
    "extract_audio",
    "h264_encoder",
    "run_ffmpeg",
    "shortfall_warning",
]

#: Integrated loudness closer than this to the target is left alone (EBU R128 LU).
LOUDNESS_TOLERANCE_LU = 1.0
#: Below the EBU R128 absolute gate there is nothing but silence to amplify.
SILENCE_LUFS = -70.0
TRUE_PEAK_DBTP = -1.5
AUDIO_RATE = 48000
AUDIO_BITRATE = "128k"
X264_PRESET = "veryfast"
X264_CRF = 23
#: How much of the start of a video the frame-rate check reads.
VFR_SCAN_SECONDS = 5.0
VFR_SCAN_PACKETS = 600
#: Share of frame intervals that may stray before a video counts as variable-rate.
VFR_IRREGULAR_SHARE = 0.05
COMMON_FRAME_RATES = (24.0, 25.0, 30.0, 48.0, 50.0, 60.0)
#: Pixel formats an H.264 stream may have and still be copied (full-range is fine).
COPYABLE_PIX_FMTS = frozenset({"yuv420p", "yuvj420p"})
#: Format names FFmpeg guesses for plain text; a text file is not a recording.
TEXT_FORMATS = frozenset({"tty", "srt", "webvtt", "ass", "ansi"})


class MediaError(LecternError):
    """A media file could not be read or converted."""


class FFmpegNotFoundError(MediaError):
    """Neither a system ffmpeg nor the bundled one is available."""

    def __init__(self) -> None:
        super().__init__(
            "Lectern could not find ffmpeg; install ffmpeg (or reinstall Lectern, "
            "whose imageio-ffmpeg package ships one) and try again."
        )


class MediaNotFoundError(MediaError):
    """The media file does not exist."""

    def __init__(self, path: object) -> None:
        self.path = path
        super().__init__(f"{path} does not exist; check the name or choose another file.")


class NotMediaError(MediaError):
    """The file is not audio or video that FFmpeg can read (or it is damaged)."""

    def __init__(self, path: object, reason: str = "") -> None:
        self.path = path
        detail = f" ({reason})" if reason else ""
        super().__init__(
            f"{path} is not a video or audio file Lectern can read{detail}; "
            "check that it plays, or export it again."
        )


class EmptyMediaError(MediaError):
    """The file is empty or holds no audio and no video."""

    def __init__(self, path: object) -> None:
        self.path = path
        super().__init__(
            f"{path} is empty (it holds no sound or picture); choose another recording."
        )


class NoVideoError(MediaError):
    """The file has no video track where one is needed."""

    def __init__(self, path: object) -> None:
        self.path = path
        super().__init__(
            f"{path} has no video track; Lectern lessons need a video, so choose a "
            "recording with a picture (or add slides or a screen recording to it)."
        )


class NoAudioError(MediaError):
    """The file has no audio track where one is needed."""

    def __init__(self, path: object) -> None:
        self.path = path
        super().__init__(
            f"{path} has no audio track, so there is nothing to transcribe; "
            "choose a recording with sound."
        )


@dataclass(frozen=True)
class VideoStreamInfo:
    """The main video stream of a file.

    Attributes:
        codec: FFmpeg's codec name (``h264``, ``hevc``, ``vp9``, ``av1``, ...).
        width: Coded picture width in pixels.
        height: Coded picture height in pixels.
        fps: Average frame rate in frames per second (0.0 if unknown).
        pix_fmt: FFmpeg pixel format (``yuv420p``, ...), ``""`` if unknown.
        variable_frame_rate: Whether frames are spaced unevenly.
    """

    codec: str
    width: int
    height: int
    fps: float
    pix_fmt: str
    variable_frame_rate: bool


@dataclass(frozen=True)
class AudioStreamInfo:
    """The main audio stream of a file.

    Attributes:
        codec: FFmpeg's codec name (``aac``, ``opus``, ``mp3``, ...).
        sample_rate: Samples per second.
        channels: Number of channels.
    """

    codec: str
    sample_rate: int
    channels: int


@dataclass(frozen=True)
class MediaInfo:
    """What :func:`probe` found in a media file.

    Attributes:
        path: The file.
        container: Container format (``mp4``, ``matroska``, ``webm``, ``mov``, ...).
        duration: Length in seconds.
        video: The main video stream, or ``None`` (cover art does not count).
        audio: The main audio stream, or ``None``.
        title: The container's title tag, or ``""``.
    """

    path: Path
    container: str
    duration: float
    video: VideoStreamInfo | None
    audio: AudioStreamInfo | None
    title: str = ""

    @property
    def has_audio(self) -> bool:
        """Whether the file has an audio stream."""
        return self.audio is not None

    @property
    def has_video(self) -> bool:
        """Whether the file has a video stream."""
        return self.video is not None


@dataclass(frozen=True)
class NormalizeResult:
    """What :func:`normalize` wrote.

    Attributes:
        path: The H.264/AAC MP4 written.
        info: :func:`probe` of that file.
        video_copied: The video was copied without re-encoding.
        audio_copied: The audio was copied without re-encoding (``False`` if none).
        measured_lufs: Integrated loudness of the input's audio in LUFS, ``-inf`` for
            silence, ``None`` if it was not measured (loudness off, or no audio).
    """

    path: Path
    info: MediaInfo
    video_copied: bool
    audio_copied: bool
    measured_lufs: float | None


@dataclass(frozen=True)
class _Scan:
    """A probe plus the stream indices that the ffmpeg commands map."""

    info: MediaInfo
    video_index: int | None
    audio_index: int | None
    #: Frame rate of the most common frame interval at the start (0.0 if unknown).
    typical_fps: float = 0.0


# --- finding ffmpeg -------------------------------------------------------------------


@functools.cache
def ffmpeg_exe() -> str:
    """Return the ffmpeg executable Lectern uses.

    The system ``ffmpeg`` on ``PATH`` comes first, then the binary bundled with the
    ``imageio-ffmpeg`` package. The answer is cached for the life of the process.

    Returns:
        The path of the ffmpeg executable.

    Raises:
        FFmpegNotFoundError: Neither is available.
    """
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as error:
        raise FFmpegNotFoundError() from error


@functools.cache
def h264_encoder() -> str:
    """The H.264 encoder this ffmpeg has (libx264, else libopenh264)."""
    result = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-encoders"],
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
    )
    names = {line.split()[1] for line in result.stdout.splitlines() if len(line.split()) > 1}
    for name in ("libx264", "libopenh264"):
        if name in names:
            return name
    raise MediaError(
        f"The ffmpeg at {ffmpeg_exe()} cannot encode H.264; install an ffmpeg built "
        "with libx264 (the imageio-ffmpeg one is)."
    )


# --- probing --------------------------------------------------------------------------


def probe(path: str | os.PathLike[str]) -> MediaInfo:
    """Describe a media file: container, duration and its main audio and video streams.

    Args:
        path: The file to read.

    Returns:
        What the file holds.

    Raises:
        MediaNotFoundError: The file does not exist.
        NotMediaError: It is not a media file, is damaged or cannot be read.
        EmptyMediaError: It is zero bytes long or has neither audio nor video.
    """
    return _scan(path).info


def _scan(path: str | os.PathLike[str]) -> _Scan:
    path = Path(path)
    if not path.exists():
        raise MediaNotFoundError(path)
    if path.is_dir():
        raise NotMediaError(path, "it is a folder")
    if path.stat().st_size == 0:
        raise EmptyMediaError(path)
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.FFmpegError as error:
        raise NotMediaError(path, _av_reason(error)) from error
    except OSError as error:
        raise NotMediaError(path, error.strerror or str(error)) from error
    try:
        return _scan_container(path, container)
    except av.FFmpegError as error:
        raise NotMediaError(path, _av_reason(error)) from error
    finally:
        container.close()


def _scan_container(path: Path, container: Any) -> _Scan:
    if container.format.name in TEXT_FORMATS:
        raise NotMediaError(path, "it is a text file")
    video_stream = next(
        (
            s
            for s in container.streams.video
            if not s.disposition & av.stream.Disposition.attached_pic
        ),
        None,
    )
    audio_stream = container.streams.audio[0] if container.streams.audio else None
    if video_stream is None and audio_stream is None:
        raise EmptyMediaError(path)

    duration = _known_duration(container, (video_stream, audio_stream))
    video = None
    typical_fps = 0.0
    if video_stream is not None:
        pts, end = _video_timestamps(container, video_stream)
        deltas = _frame_intervals(pts)
        if deltas and video_stream.time_base:
            typical_fps = 1.0 / float(statistics.median(deltas) * video_stream.time_base)
        video = _video_info(video_stream, deltas, typical_fps)
        if duration is None and audio_stream is None:
            duration = end
    if duration is None:
        container.seek(0)
        duration = _scanned_duration(container, (video_stream, audio_stream))
    if not duration or duration <= 0:
        raise EmptyMediaError(path)

    audio = None
    if audio_stream is not None:
        codec = audio_stream.codec_context
        channels = codec.layout.nb_channels if codec.layout else 0
        audio = AudioStreamInfo(
            codec=codec.codec.canonical_name,
            sample_rate=int(codec.sample_rate or 0),
            channels=int(channels or getattr(codec, "channels", 0) or 0),
        )
    info = MediaInfo(
        path=path,
        container=_container_name(path, container.format.name),
        duration=float(duration),
        video=video,
        audio=audio,
        title=str((container.metadata or {}).get("title", "")).strip(),
    )
    return _Scan(
        info=info,
        video_index=video_stream.index if video_stream is not None else None,
        audio_index=audio_stream.index if audio_stream is not None else None,
        typical_fps=typical_fps,
    )


def _av_reason(error: Exception) -> str:
    return str(getattr(error, "strerror", None) or error).rstrip(".").lower()


def _container_name(path: Path, format_name: str) -> str:
    """FFmpeg names demuxers by family (``mov,mp4,m4a,...``); pick the one that fits."""
    names = format_name.split(",")
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in names else names[0]


def _known_duration(container: Any, streams: tuple[Any, ...]) -> float | None:
    if container.duration:
        return container.duration / av.time_base
    lengths = [float(s.duration * s.time_base) for s in streams if s is not None and s.duration]
    return max(lengths) if lengths else None


def _scanned_duration(container: Any, streams: tuple[Any, ...]) -> float | None:
    """Read every packet (no decoding) and return where the last one ends."""
    chosen = [s for s in streams if s is not None]
    start: float | None = None
    end: float | None = None
    for packet in container.demux(chosen):
        if packet.pts is None:
            continue
        begin = float(packet.pts * packet.time_base)
        finish = float((packet.pts + (packet.duration or 0)) * packet.time_base)
        start = begin if start is None else min(start, begin)
        end = finish if end is None else max(end, finish)
    if start is None or end is None:
        return None
    return end - start


def _video_timestamps(container: Any, stream: Any) -> tuple[list[int], float | None]:
    """Presentation timestamps of the first few seconds; the end time if all was read."""
    pts: list[int] = []
    first: float | None = None
    end: float | None = None
    exhausted = True
    for packet in container.demux(stream):
        if packet.pts is None:
            continue
        pts.append(packet.pts)
        seconds = float(packet.pts * packet.time_base)
        first = seconds if first is None else min(first, seconds)
        finish = float((packet.pts + (packet.duration or 0)) * packet.time_base)
        end = finish if end is None else max(end, finish)
        if seconds - first > VFR_SCAN_SECONDS or len(pts) >= VFR_SCAN_PACKETS:
            exhausted = False
            break
    if not exhausted or first is None or end is None:
        return pts, None
    return pts, end - first


def _video_info(stream: Any, deltas: list[int], typical_fps: float) -> VideoStreamInfo:
    codec = stream.codec_context
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    fps = float(rate) if rate else typical_fps
    pix_fmt = codec.pix_fmt or (codec.format.name if codec.format else "")
    return VideoStreamInfo(
        codec=codec.codec.canonical_name,
        width=int(codec.width or 0),
        height=int(codec.height or 0),
        fps=fps,
        pix_fmt=pix_fmt or "",
        variable_frame_rate=_is_variable_rate(stream, deltas),
    )


def _frame_intervals(pts: list[int]) -> list[int]:
    ordered = sorted(set(pts))
    return [b - a for a, b in zip(ordered, ordered[1:], strict=False)]


def _is_variable_rate(stream: Any, deltas: list[int]) -> bool:
    """Uneven frame intervals at the start, or an average far from the nominal rate.

    Timestamps in a 1/1000 time base (Matroska, WebM) jitter by one tick, so a
    frame counts as irregular only when its interval strays from the median by
    more than 10 % and more than one tick.
    """
    if len(deltas) >= 4:
        median = statistics.median(deltas)
        tolerance = max(0.1 * median, 1.0)
        irregular = sum(1 for d in deltas if abs(d - median) > tolerance)
        if irregular / len(deltas) > VFR_IRREGULAR_SHARE:
            return True
    average, nominal = stream.average_rate, stream.base_rate
    if average and nominal:
        return abs(float(average) / float(nominal) - 1.0) > 0.1
    return False


# --- running ffmpeg -------------------------------------------------------------------


def ffmpeg_command(
    *args: str,
    loglevel: str = "error",
    nostats: bool = False,
    progress: str | None = None,
    stats_period: float | None = None,
) -> list[str]:
    """An ffmpeg command line: the executable, the options every Lectern run has, then ``args``.

    Every ffmpeg Lectern starts goes through here: filter graphs are built with
    ffmpeg-python and compiled into ``args`` by :func:`graph_command`; simple runs,
    such as the capture encoders reading a pipe, pass their arguments as they are.
    The command never reads the terminal (``-nostdin``) and overwrites its output
    (``-y``), which is always a temporary file or one the caller means to replace.

    Args:
        args: inputs, filters and outputs.
        loglevel: ffmpeg's ``-loglevel``.
        nostats: leave out the encoding statistics line.
        progress: where ``-progress`` key=value lines go (``pipe:1``), if anywhere.
        stats_period: seconds between progress reports, if not ffmpeg's default.

    Returns:
        The command, ready for :func:`subprocess.Popen`.

    Raises:
        FFmpegNotFoundError: there is no ffmpeg.
    """
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", loglevel]
    if nostats:
        command.append("-nostats")
    if progress is not None:
        command += ["-progress", progress]
    if stats_period is not None:
        command += ["-stats_period", f"{stats_period:g}"]
    return [*command, "-y", *args]


def graph_command(stream: Any, *, loglevel: str = "error") -> list[str]:
    """The command of an ffmpeg-python graph, reporting progress on stdout for :func:`run_ffmpeg`."""
    return ffmpeg_command(
        *ffmpeg.get_args(stream), loglevel=loglevel, nostats=True, progress="pipe:1"
    )


def run_ffmpeg(
    args: list[str],
    *,
    src: Path,
    dst: Path | None,
    duration: float,
    state: ProgressState | None,
    what: str,
) -> str:
    """Run ffmpeg, report ``out_time`` as progress, kill it on cancel; return stderr."""
    check_cancelled(state, what)
    try:
        process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except FileNotFoundError as error:
        raise FFmpegNotFoundError() from error
    seconds = [0.0]
    stderr_chunks: list[bytes] = []

    def read_progress() -> None:
        for raw in process.stdout:
            key, _, value = raw.decode("ascii", "replace").strip().partition("=")
            if key == "out_time_us" and value.lstrip("-").isdigit():
                seconds[0] = max(seconds[0], int(value) / 1e6)

    readers = [
        threading.Thread(target=read_progress, daemon=True),
        threading.Thread(target=lambda: stderr_chunks.append(process.stderr.read()), daemon=True),
    ]
    for reader in readers:
        reader.start()
    reported = -1.0
    try:
        while True:
            try:
                process.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                pass
            if state is None:
                continue
            if state.cancelled():
                raise Cancelled(what)
            if duration > 0 and seconds[0] != reported:
                reported = seconds[0]
                state.set_progress(min(1.0, reported / duration))
    finally:
        _end(process)
        for reader in readers:
            reader.join()
        process.stdout.close()
        process.stderr.close()
    # A stop signal reaches ffmpeg too (same process group): it then ends, maybe
    # with an error, but the person cancelled, and that is what to report.
    check_cancelled(state, what)
    stderr = b"".join(stderr_chunks).decode("utf-8", "replace")
    # ffmpeg can exit 0 after "No space left on device" (a failed trailer write).
    if process.returncode != 0 or (dst is not None and _NO_SPACE in stderr):
        raise _ffmpeg_failure(stderr, src, dst)
    if state is not None:
        state.set_progress(1.0)
    return stderr


def _end(process: subprocess.Popen) -> None:
    """Kill ``process`` if it still runs and reap it, without ``Popen.wait``.

    An exception raised inside an earlier ``Popen.wait`` (a KeyboardInterrupt, say) can
    leave Popen's internal lock taken; a second ``wait`` would then block forever and
    leave the child a zombie. ``os.waitpid`` takes no such lock.
    """
    if process.returncode is not None:
        return
    if os.name == "nt":  # no waitpid locks to fear there
        process.kill()
        process.wait()
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(process.pid, signal.SIGKILL)
    while True:
        try:
            _, status = os.waitpid(process.pid, 0)
        except ChildProcessError:  # reaped already (by a poll that raced with us)
            if process.returncode is None:
                process.returncode = -signal.SIGKILL
            return
        except InterruptedError:
            continue
        process.returncode = os.waitstatus_to_exitcode(status)
        return


_NO_SPACE = "No space left on device"

_GENERIC_LINES = re.compile(r"^(Conversion failed!|Exiting normally.*|\[out#.*)$")


def _ffmpeg_failure(stderr: str, src: Path, dst: Path | None) -> LecternError:
    if dst is not None and _NO_SPACE in stderr:
        return DiskFullError(dst)
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    meaningful = [line for line in lines if not _GENERIC_LINES.match(line)]
    last = (meaningful or lines or ["ffmpeg stopped without saying why"])[-1]
    return MediaError(
        f"FFmpeg could not process {src}: {last.rstrip('.')}; check that the file "
        "plays, or export it again."
    )


def _prepare_output(dst: Path) -> None:
    """Fail before any work if ``dst`` cannot be created where it is asked for."""
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputNotWritableError(dst, error.strerror or "") from error
    if dst.is_dir():
        raise OutputNotWritableError(dst, "a folder has that name")


# --- loudness -------------------------------------------------------------------------


def measure_loudness(
    path: str | os.PathLike[str],
    *,
    state: ProgressState | None = None,
) -> float:
    """Measure the integrated loudness (EBU R128) of a file's main audio stream.

    Args:
        path: The media file.
        state: Optional progress, status and cancellation.

    Returns:
        Integrated loudness in LUFS; ``-inf`` for digital silence.

    Raises:
        NoAudioError: The file has no audio.
        MediaError: The file could not be read (see :func:`probe` for subclasses).
        Cancelled: ``state`` asked to stop.
    """
    scan = _scan(path)
    if scan.audio_index is None:
        raise NoAudioError(scan.info.path)
    return _loudness_stats(scan, -16.0, state)["input_i"]


def _loudness_stats(scan: _Scan, target_lufs: float, state: ProgressState | None) -> dict:
    """Pass 1 of ``loudnorm``: the measurements pass 2 needs, as floats."""
    src = scan.info.path
    if state is not None:
        state.set_status(f"Measuring the loudness of {src.name}")
    audio = ffmpeg.input(str(src))[str(scan.audio_index)].filter(
        "loudnorm", I=target_lufs, TP=TRUE_PEAK_DBTP, LRA=11, print_format="json"
    )
    args = graph_command(ffmpeg.output(audio, "-", f="null"), loglevel="info")
    stderr = run_ffmpeg(
        args,
        src=src,
        dst=None,
        duration=scan.info.duration,
        state=state,
        what=f"Measuring the loudness of {src.name}",
    )
    start = stderr.rfind("{")
    end = stderr.rfind("}")
    try:
        raw = json.loads(stderr[start : end + 1])
        return {key: float(value) for key, value in raw.items() if key != "normalization_type"}
    except (ValueError, TypeError) as error:
        raise MediaError(
            f"FFmpeg did not report the loudness of {src}; check that its sound plays, "
            "or turn loudness normalization off."
        ) from error


def _loudness_filter(stats: dict, target_lufs: float) -> tuple[str, dict[str, Any]]:
    """Pass 2: the audio filter that brings the measured audio to ``target_lufs``.

    When the true peak still fits under the ceiling after the gain, a constant gain
    (``volume``) does it: that is ``loudnorm``'s linear mode, which ``loudnorm``
    itself refuses for steady sound whose measured loudness range is 0. Otherwise
    two-pass ``loudnorm`` in dynamic mode lifts the level and limits the peaks.
    """
    gain = target_lufs - stats["input_i"]
    if stats["input_tp"] + gain <= TRUE_PEAK_DBTP:
        return "volume", {"volume": f"{gain:.2f}dB"}
    return "loudnorm", {
        "I": target_lufs,
        "TP": TRUE_PEAK_DBTP,
        "LRA": min(50.0, max(11.0, math.ceil(stats["input_lra"]))),
        "measured_I": stats["input_i"],
        "measured_TP": stats["input_tp"],
        "measured_LRA": stats["input_lra"],
        "measured_thresh": stats["input_thresh"],
        "offset": stats["target_offset"],
        "linear": "true",
        "print_format": "none",
    }


# --- normalize ------------------------------------------------------------------------


def normalize(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    loudness: bool = True,
    target_lufs: float = -16.0,
    state: ProgressState | None = None,
) -> NormalizeResult:
    """Turn a recording into the lesson format: H.264 + AAC in a fast-start MP4.

    Each stream is copied untouched when it already fits: H.264 ``yuv420p`` at a
    constant frame rate, AAC audio whose loudness needs no change. Otherwise video
    is re-encoded with libx264 (even width and height, ``yuv420p``, constant frame
    rate) and audio with AAC at 48 kHz. With ``loudness`` on, the integrated
    loudness is measured first (``loudnorm`` pass 1); if it is more than about 1 LU
    from ``target_lufs``, pass 2 brings it there: a constant gain when the peaks
    allow, else dynamic ``loudnorm`` with a -1.5 dBTP ceiling. Silence is left silent.

    Args:
        src: The recording (any container and codecs FFmpeg reads).
        dst: The MP4 to write; replaced atomically, never left half-written.
        loudness: Whether to normalize the loudness of the audio.
        target_lufs: The integrated loudness to aim for, in LUFS (-70 to -5).
        state: Optional progress, status and cancellation.

    Returns:
        What was written and how.

    Raises:
        NoVideoError: ``src`` has no video (a lesson needs one).
        MediaError: ``src`` could not be read or converted (see :func:`probe`).
        OutputNotWritableError: ``dst`` cannot be written.
        DiskFullError: The disk filled up.
        Cancelled: ``state`` asked to stop; ``dst`` is untouched.
    """
    if not -70.0 <= target_lufs <= -5.0:
        raise ValueError(f"target_lufs must be between -70 and -5 LUFS, not {target_lufs}")
    src, dst = Path(src), Path(dst)
    scan = _scan(src)
    info = scan.info
    if info.video is None:
        raise NoVideoError(src)
    _prepare_output(dst)
    what = f"Converting {src.name}"
    measure = loudness and info.audio is not None
    measure_state, encode_state = (
        stages(state, [1, 4]) if state is not None and measure else (None, state)
    )

    measured: float | None = None
    gain_filter: tuple[str, dict[str, Any]] | None = None
    if measure:
        stats = _loudness_stats(scan, target_lufs, measure_state)
        measured = stats["input_i"]
        audible = math.isfinite(measured) and measured > SILENCE_LUFS
        if audible and abs(measured - target_lufs) > LOUDNESS_TOLERANCE_LU:
            gain_filter = _loudness_filter(stats, target_lufs)

    video_copied = _video_fits(info.video)
    audio_copied = info.audio is not None and info.audio.codec == "aac" and gain_filter is None
    if state is not None:
        state.set_status(what)
    with atomic_path(dst) as tmp:
        args = _lesson_command(
            scan, tmp, copy_video=video_copied, copy_audio=audio_copied, gain_filter=gain_filter
        )
        run_ffmpeg(args, src=src, dst=dst, duration=info.duration, state=encode_state, what=what)
    return NormalizeResult(
        path=dst,
        info=probe(dst),
        video_copied=video_copied,
        audio_copied=audio_copied,
        measured_lufs=measured,
    )


def shortfall_warning(source: MediaInfo, written: MediaInfo) -> str | None:
    """A warning when less could be read from ``source`` than its container declares.

    A file cut short (a copy that stopped, a fast-start MP4 whose data ends early)
    still says how long it was meant to be; what decodes is shorter. A difference of
    more than a second and 2 % is worth telling the person; ``None`` otherwise.
    """
    missing = source.duration - written.duration
    if missing <= max(1.0, 0.02 * source.duration):
        return None
    return (
        f"{source.path.name} says it is {_clock(source.duration)} long but only "
        f"{_clock(written.duration)} of it could be read (the file may be cut short); "
        f"the lesson is {_clock(written.duration)} long."
    )


def _clock(seconds: float) -> str:
    total = int(round(max(0.0, seconds)))
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _lesson_command(
    scan: _Scan,
    out: Path,
    *,
    copy_video: bool,
    copy_audio: bool,
    gain_filter: tuple[str, dict[str, Any]] | None,
) -> list[str]:
    """The ffmpeg command that writes the lesson MP4 for :func:`normalize`."""
    info = scan.info
    source = ffmpeg.input(str(info.path))
    video = source[str(scan.video_index)]
    options: dict[str, Any] = {"f": "mp4", "movflags": "+faststart", "max_muxing_queue_size": 4096}
    if copy_video:
        options["c:v"] = "copy"
    else:
        if info.video.variable_frame_rate:
            video = video.filter("fps", _constant_rate(info.video.fps, scan.typical_fps))
        video = video.filter("scale", "trunc(iw/2)*2", "trunc(ih/2)*2").filter("format", "yuv420p")
        options.update({"c:v": h264_encoder(), "preset": X264_PRESET, "crf": X264_CRF})
    streams = [video]
    if info.audio is not None:
        audio = source[str(scan.audio_index)]
        if copy_audio:
            options["c:a"] = "copy"
        else:
            if gain_filter is not None:
                audio = audio.filter(gain_filter[0], **gain_filter[1])
            options.update({"c:a": "aac", "b:a": AUDIO_BITRATE, "ar": AUDIO_RATE})
            if info.audio.channels > 2:
                options["ac"] = 2
        streams.append(audio)
    return graph_command(ffmpeg.output(*streams, str(out), **options))


def _video_fits(video: VideoStreamInfo) -> bool:
    return (
        video.codec == "h264"
        and video.pix_fmt in COPYABLE_PIX_FMTS
        and not video.variable_frame_rate
        and video.width % 2 == 0
        and video.height % 2 == 0
    )


def _constant_rate(average_fps: float, typical_fps: float) -> str:
    """The constant rate for a variable-rate video, as an ffmpeg rate string.

    The faster of the average rate and the rate of the most common frame interval,
    so the smooth parts keep every frame; snapped to a common rate when close, and
    capped at 60 fps (a screen recorder's burst of tiny intervals is not motion).
    """
    rates = [r for r in (average_fps, typical_fps) if 0 < r < 1000]
    fps = min(60.0, max(rates)) if rates else 30.0
    for common in COMMON_FRAME_RATES:
        if abs(fps / common - 1.0) <= 0.05:
            return str(int(common))
    return str(Fraction(max(1.0, fps)).limit_denominator(1001))


# --- frames and audio -----------------------------------------------------------------


def extract_frame(
    src: str | os.PathLike[str],
    time: float,
    dst: str | os.PathLike[str],
    *,
    width: int = 320,
) -> Path:
    """Save the picture at ``time`` as a JPEG thumbnail, keeping the aspect ratio.

    Seeks to the nearest keyframe before ``time`` and decodes forward, so it is quick
    even deep into a long recording. Times past the end give the last picture.

    Args:
        src: The video.
        time: Seconds from the start.
        dst: The JPEG to write (atomically).
        width: Thumbnail width in pixels; the height follows the aspect ratio.

    Returns:
        ``dst`` as a :class:`~pathlib.Path`.

    Raises:
        NoVideoError: ``src`` has no video.
        MediaError: ``src`` could not be read (see :func:`probe`).
        OutputNotWritableError: ``dst`` cannot be written.
    """
    if width < 2:
        raise ValueError(f"width must be at least 2 pixels, not {width}")
    src, dst = Path(src), Path(dst)
    scan = _scan(src)
    video = scan.info.video
    if video is None:
        raise NoVideoError(src)
    _prepare_output(dst)
    frame = 1.0 / video.fps if video.fps > 0 else 0.1
    time = max(0.0, min(float(time), scan.info.duration - 2 * frame))
    with atomic_path(dst) as tmp:
        picture = (
            ffmpeg.input(str(src), ss=f"{time:.6f}")[str(scan.video_index)]
            .filter("scale", width, -2)
            .output(str(tmp), vframes=1, f="image2", update=1, **{"c:v": "mjpeg", "q:v": 3})
        )
        run_ffmpeg(
            graph_command(picture), src=src, dst=dst, duration=0.0, state=None, what="The thumbnail"
        )
        if tmp.stat().st_size == 0:
            raise MediaError(
                f"FFmpeg found no picture at {time:.2f} s in {src}; choose an earlier time, "
                "or check that the video plays."
            )
    return dst


def extract_audio(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    sample_rate: int = 16000,
    state: ProgressState | None = None,
) -> Path:
    """Write the main audio stream as a mono 16-bit PCM WAV (what speech engines want).

    Args:
        src: The recording.
        dst: The WAV to write (atomically).
        sample_rate: Samples per second of the WAV.
        state: Optional progress, status and cancellation.

    Returns:
        ``dst`` as a :class:`~pathlib.Path`.

    Raises:
        NoAudioError: ``src`` has no audio.
        MediaError: ``src`` could not be read or converted (see :func:`probe`).
        OutputNotWritableError: ``dst`` cannot be written.
        Cancelled: ``state`` asked to stop; ``dst`` is untouched.
    """
    src, dst = Path(src), Path(dst)
    scan = _scan(src)
    if scan.audio_index is None:
        raise NoAudioError(src)
    _prepare_output(dst)
    what = f"Extracting the sound of {src.name}"
    if state is not None:
        state.set_status(what)
    with atomic_path(dst) as tmp:
        sound = ffmpeg.input(str(src))[str(scan.audio_index)].output(
            str(tmp), f="wav", ac=1, ar=sample_rate, **{"c:a": "pcm_s16le"}
        )
        run_ffmpeg(
            graph_command(sound),
            src=src,
            dst=dst,
            duration=scan.info.duration,
            state=state,
            what=what,
        )
    return dst
