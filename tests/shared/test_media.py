"""shared.media on real files made by the real ffmpeg: probing, normalizing, extracting."""

from __future__ import annotations

import hashlib
import math
import os
import re
import statistics
import struct
import subprocess
import sys
from pathlib import Path

import av
import ffmpeg
import pytest

from shared.errors import LecternError, OutputNotWritableError
from shared.jobs import Cancelled, JobState
from shared.media import (
    EmptyMediaError,
    MediaInfo,
    MediaNotFoundError,
    NoAudioError,
    NotMediaError,
    NoVideoError,
    extract_audio,
    extract_frame,
    ffmpeg_exe,
    measure_loudness,
    normalize,
    probe,
)

REPO = Path(__file__).resolve().parents[2]
SIZE = "320x240"
FPS = 30


def run_ffmpeg(*args: str) -> None:
    # SVT-AV1 and x265 print banners on stderr unless told not to.
    env = {**os.environ, "SVT_LOG": "1"}
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        env=env,
    )


def video_src(seconds: float = 2, size: str = SIZE, rate: int = FPS) -> list[str]:
    width, height = size.split("x")
    # testsrc2 rounds yuv420p sizes down to even numbers; scaling afterwards does not.
    return [
        *["-f", "lavfi", "-i"],
        f"testsrc2=s={int(width) // 2 * 2}x{int(height) // 2 * 2}:r={rate}:d={seconds},"
        f"scale={width}:{height}",
    ]


def sine_src(seconds: float = 2) -> list[str]:
    return ["-f", "lavfi", "-i", f"sine=f=440:d={seconds}:sample_rate=48000"]


X264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
CODECS = {
    "h264": X264,
    "hevc": ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error"],
    "vp9": ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k"],
    "av1": ["-c:v", "libsvtav1", "-preset", "12"],
    "aac": ["-c:a", "aac"],
    "opus": ["-c:a", "libopus"],
    "mp3": ["-c:a", "libmp3lame"],
}
# (file name, video codec, audio codec, container reported by probe)
MATRIX = [
    ("h264_aac.mp4", "h264", "aac", "mp4"),
    ("h264_opus.mkv", "h264", "opus", "matroska"),
    ("hevc_aac.mov", "hevc", "aac", "mov"),
    ("vp9_opus.webm", "vp9", "opus", "webm"),
    ("av1_mp3.mkv", "av1", "mp3", "matroska"),
]


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Path:
    """A folder of short clips in every container and codec the matrix names."""
    folder = tmp_path_factory.mktemp("media")
    for name, vcodec, acodec, _ in MATRIX:
        run_ffmpeg(*video_src(), *sine_src(), *CODECS[vcodec], *CODECS[acodec], str(folder / name))
    return folder


def assert_human(error: pytest.ExceptionInfo, path: Path) -> None:
    """One sentence a person can act on, naming the file."""
    message = str(error.value)
    assert path.name in message
    assert "\n" not in message and "Traceback" not in message
    assert message[0].isupper() or message.startswith("/")
    assert message.endswith(".")


def top_level_boxes(path: Path) -> list[str]:
    """The top-level ISO BMFF box types of an MP4, in file order."""
    boxes, data, offset = [], path.read_bytes(), 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        elif size == 0:
            size = len(data) - offset
        boxes.append(kind.decode("latin-1"))
        offset += size
    return boxes


def packet_hashes(path: Path, kind: str) -> list[str]:
    with av.open(str(path)) as container:
        stream = getattr(container.streams, kind)[0]
        return [
            hashlib.sha256(bytes(packet)).hexdigest()
            for packet in container.demux(stream)
            if packet.size
        ]


def frame_intervals(path: Path) -> list[float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        pts = sorted(p.pts for p in container.demux(stream) if p.pts is not None)
        return [float((b - a) * stream.time_base) for a, b in zip(pts, pts[1:], strict=False)]


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP), measured by ffmpeg's ebur128."""
    result = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path)]
        + ["-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = result.stderr.rsplit("Summary:", 1)[1]
    integrated = float(re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return integrated, peak


def assert_lesson_mp4(info: MediaInfo, path: Path) -> None:
    assert info.container == "mp4"
    assert info.video is not None and info.video.codec == "h264"
    assert info.video.pix_fmt == "yuv420p"
    assert info.video.width % 2 == 0 and info.video.height % 2 == 0
    assert not info.video.variable_frame_rate
    if info.audio is not None:
        assert info.audio.codec == "aac"
    boxes = top_level_boxes(path)
    assert boxes.index("moov") < boxes.index("mdat"), boxes


# --- ffmpeg and probe ------------------------------------------------------------------


def test_ffmpeg_exe_is_found_and_cached():
    exe = ffmpeg_exe()
    assert Path(exe).is_file() and os.access(exe, os.X_OK)
    assert ffmpeg_exe() is exe


def test_ffmpeg_exe_falls_back_to_the_bundled_binary(tmp_path):
    """With no ffmpeg on PATH (the pip-only install), the imageio-ffmpeg binary is used."""
    import imageio_ffmpeg

    code = "from shared.media import ffmpeg_exe; print(ffmpeg_exe())"
    env = {**os.environ, "PATH": str(tmp_path), "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == imageio_ffmpeg.get_ffmpeg_exe()


@pytest.mark.parametrize(("name", "vcodec", "acodec", "container"), MATRIX)
def test_probe_reads_containers_and_codecs(media, name, vcodec, acodec, container):
    info = probe(media / name)

    assert info.path == media / name
    assert info.container == container
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert info.has_video and info.has_audio
    assert info.video.codec == vcodec
    assert (info.video.width, info.video.height) == (320, 240)
    assert info.video.fps == pytest.approx(FPS, rel=0.01)
    assert info.video.pix_fmt == "yuv420p"
    assert not info.video.variable_frame_rate
    assert info.audio.codec == acodec
    assert info.audio.sample_rate == 48000
    assert info.audio.channels == 1


def test_probe_audio_only_file(tmp_path):
    path = tmp_path / "talk.m4a"
    run_ffmpeg(*sine_src(1), "-c:a", "aac", str(path))
    info = probe(path)
    assert info.has_audio and not info.has_video
    assert info.duration == pytest.approx(1.0, abs=0.1)


def test_probe_missing_file(tmp_path):
    path = tmp_path / "nowhere.mp4"
    with pytest.raises(MediaNotFoundError) as error:
        probe(path)
    assert_human(error, path)


def test_probe_random_bytes(tmp_path):
    path = tmp_path / "noise.mp4"
    path.write_bytes(os.urandom(64 * 1024))
    with pytest.raises(NotMediaError) as error:
        probe(path)
    assert_human(error, path)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("notes.txt", "These are my lecture notes, not a video.\n" * 20),
        ("captions.srt", "1\n00:00:00,000 --> 00:00:01,000\nHello\n"),
    ],
)
def test_probe_text_file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(NotMediaError) as error:
        probe(path)
    assert_human(error, path)


def test_probe_truncated_mp4(tmp_path):
    whole = tmp_path / "whole.mp4"
    run_ffmpeg(*video_src(), *sine_src(), *X264, "-c:a", "aac", str(whole))
    assert top_level_boxes(whole)[-1] == "moov"  # without faststart the index comes last
    cut = tmp_path / "cut.mp4"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(NotMediaError) as error:
        probe(cut)
    assert_human(error, cut)


def test_probe_zero_byte_file(tmp_path):
    path = tmp_path / "empty.mp4"
    path.touch()
    with pytest.raises((EmptyMediaError, NotMediaError)) as error:
        probe(path)
    assert_human(error, path)


@pytest.mark.parametrize("name", ["nothing.wav", "nothing.mp4"])
def test_probe_recording_without_samples(tmp_path, name):
    path = tmp_path / name
    run_ffmpeg(*video_src(1), *sine_src(1), "-t", "0", str(path))
    assert path.stat().st_size > 0
    with pytest.raises(EmptyMediaError) as error:
        probe(path)
    assert_human(error, path)


def test_probe_folder(tmp_path):
    path = tmp_path / "lecture.mp4"
    path.mkdir()
    with pytest.raises(NotMediaError) as error:
        probe(path)
    assert_human(error, path)


# --- normalize -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "vcodec", "acodec", "container"), MATRIX)
def test_normalize_makes_faststart_h264_aac_mp4(media, tmp_path, name, vcodec, acodec, container):
    source = probe(media / name)
    result = normalize(media / name, tmp_path / "lesson.mp4")

    assert result.path == tmp_path / "lesson.mp4"
    assert result.info == probe(result.path)
    assert_lesson_mp4(result.info, result.path)
    assert result.info.has_audio
    assert (result.info.video.width, result.info.video.height) == (320, 240)
    assert result.info.duration == pytest.approx(source.duration, abs=2 / FPS)
    assert result.video_copied == (vcodec == "h264")
    assert result.measured_lufs is not None and math.isfinite(result.measured_lufs)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lesson.mp4"]


def test_normalize_copies_compatible_streams_byte_for_byte(media, tmp_path):
    src = media / "h264_aac.mp4"
    state = JobState()
    result = normalize(src, tmp_path / "lesson.mp4", loudness=False, state=state)

    assert result.video_copied and result.audio_copied
    assert result.measured_lufs is None
    assert packet_hashes(result.path, "video") == packet_hashes(src, "video")
    assert packet_hashes(result.path, "audio") == packet_hashes(src, "audio")
    assert_lesson_mp4(result.info, result.path)
    assert state.progress == 1.0


def test_normalize_copies_h264_out_of_matroska(media, tmp_path):
    src = media / "h264_opus.mkv"
    result = normalize(src, tmp_path / "lesson.mp4", loudness=False)

    assert result.video_copied and not result.audio_copied
    assert packet_hashes(result.path, "video") == packet_hashes(src, "video")


def test_normalize_makes_odd_sizes_even(tmp_path):
    src = tmp_path / "odd.webm"
    run_ffmpeg(*video_src(1, "321x241"), *sine_src(1), *CODECS["vp9"], *CODECS["opus"], str(src))
    assert (probe(src).video.width, probe(src).video.height) == (321, 241)

    result = normalize(src, tmp_path / "lesson.mp4")

    assert not result.video_copied
    assert (result.info.video.width, result.info.video.height) == (320, 240)
    assert_lesson_mp4(result.info, result.path)


def test_normalize_reencodes_odd_sized_h264(tmp_path):
    src = tmp_path / "odd444.mp4"
    # 4:4:4 is the H.264 flavour that allows odd sizes; it must not be copied either.
    run_ffmpeg(
        *video_src(1, "321x241"),
        *["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p", str(src)],
    )
    assert probe(src).video.pix_fmt == "yuv444p"

    result = normalize(src, tmp_path / "lesson.mp4")

    assert not result.video_copied and not result.info.has_audio
    assert (result.info.video.width, result.info.video.height) == (320, 240)
    assert_lesson_mp4(result.info, result.path)


def test_variable_frame_rate_is_detected_and_made_constant(tmp_path):
    src = tmp_path / "vfr.mp4"
    # One second at 30 fps, then one second at 10 fps, timestamps kept as they are.
    run_ffmpeg(
        *video_src(1, rate=30),
        *video_src(1, rate=10),
        *["-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]"],
        *X264,
        *["-fps_mode", "vfr", str(src)],
    )
    intervals = frame_intervals(src)
    assert max(intervals) > 2.5 * min(intervals)  # the fixture really is variable-rate
    source = probe(src)
    assert source.video.variable_frame_rate

    result = normalize(src, tmp_path / "lesson.mp4")

    assert not result.video_copied
    assert not result.info.video.variable_frame_rate
    assert result.info.video.fps == pytest.approx(30, rel=0.01)
    out = frame_intervals(result.path)
    assert max(out) - min(out) < 0.002
    assert statistics.mean(out) == pytest.approx(1 / 30, rel=0.01)
    assert result.info.duration == pytest.approx(source.duration, abs=2 / 10)
    assert_lesson_mp4(result.info, result.path)


def test_quiet_audio_is_brought_to_the_target_loudness(tmp_path):
    src = tmp_path / "quiet.mp4"
    run_ffmpeg(
        *video_src(3),
        *["-f", "lavfi", "-i", "anoisesrc=c=pink:a=0.1:d=3:seed=7"],
        *X264,
        *CODECS["aac"],
        str(src),
    )
    assert ebur128(src)[0] == pytest.approx(-35, abs=1.5)

    result = normalize(src, tmp_path / "lesson.mp4")

    assert result.measured_lufs == pytest.approx(-35, abs=1.5)
    assert result.video_copied and not result.audio_copied
    assert result.info.audio.sample_rate == 48000
    loudness, peak = ebur128(result.path)
    assert loudness == pytest.approx(-16, abs=1.5)
    assert peak <= -1.0
    assert measure_loudness(result.path) == pytest.approx(-16, abs=1.5)

    again = normalize(result.path, tmp_path / "again.mp4")
    assert again.video_copied and again.audio_copied  # already at the target: left alone


def test_peaky_speech_goes_through_dynamic_loudnorm(tmp_path, speech_wav):
    wav, _ = speech_wav
    src = tmp_path / "speech.mp4"
    # Quieter speech with its peaks near full scale: a plain gain would clip.
    run_ffmpeg(
        *video_src(9, "64x48", 10),
        *["-i", str(wav), "-af", "volume=-6dB"],
        *X264,
        *CODECS["aac"],
        *["-shortest", str(src)],
    )

    result = normalize(src, tmp_path / "lesson.mp4", target_lufs=-14.0)

    assert result.measured_lufs < -20
    loudness, peak = ebur128(result.path)
    assert loudness == pytest.approx(-14, abs=1.5)
    assert peak <= -1.0


def test_silent_audio_does_not_blow_up(tmp_path):
    src = tmp_path / "silent.mkv"
    run_ffmpeg(
        *video_src(2),
        *["-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo"],
        *X264,
        *CODECS["opus"],
        *["-t", "2", str(src)],
    )

    result = normalize(src, tmp_path / "lesson.mp4")

    assert result.measured_lufs == -math.inf
    assert result.info.has_audio and result.info.audio.channels == 2
    assert result.info.duration == pytest.approx(2.0, abs=2 / FPS)
    assert_lesson_mp4(result.info, result.path)


def test_video_without_audio_normalizes(tmp_path):
    src = tmp_path / "mute.webm"
    run_ffmpeg(*video_src(1), *CODECS["vp9"], str(src))

    result = normalize(src, tmp_path / "lesson.mp4")

    assert not result.info.has_audio
    assert not result.audio_copied and result.measured_lufs is None
    assert_lesson_mp4(result.info, result.path)


def test_audio_only_is_not_a_lesson(tmp_path):
    src = tmp_path / "podcast.mp3"
    run_ffmpeg(*sine_src(1), *CODECS["mp3"], str(src))
    dst = tmp_path / "lesson.mp4"

    with pytest.raises(NoVideoError) as error:
        normalize(src, dst)
    assert_human(error, src)
    assert "video" in str(error.value)
    assert not dst.exists()


@pytest.mark.parametrize("content", [b"", os.urandom(32 * 1024)], ids=["zero-bytes", "random"])
def test_normalize_rejects_non_media(tmp_path, content):
    src = tmp_path / "broken.mov"
    src.write_bytes(content)
    dst = tmp_path / "out" / "lesson.mp4"

    with pytest.raises((NotMediaError, EmptyMediaError)) as error:
        normalize(src, dst)
    assert_human(error, src)
    assert not dst.exists()


def test_cancel_kills_ffmpeg_and_leaves_nothing(tmp_path):
    src = tmp_path / "src" / "long.avi"
    src.parent.mkdir()
    run_ffmpeg(*video_src(20, "640x360"), *sine_src(20), "-c:v", "mpeg4", "-q:v", "5", str(src))
    out = tmp_path / "out"
    out.mkdir()

    class CancelAfterFirstProgress(JobState):
        def cancelled(self) -> bool:
            return any(fraction > 0 for fraction, _ in self.history)

    state = CancelAfterFirstProgress()
    with pytest.raises(Cancelled) as error:
        normalize(src, out / "lesson.mp4", loudness=False, state=state)

    assert "long.avi" in str(error.value)
    assert list(out.iterdir()) == []
    assert 0 < state.progress < 1.0  # ffmpeg had started and reported before it was stopped


def test_unwritable_output_is_a_lectern_error(media, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file where a folder should be")
    dst = blocker / "lesson.mp4"

    with pytest.raises(LecternError) as error:
        normalize(media / "h264_aac.mp4", dst, loudness=False)
    assert isinstance(error.value, OutputNotWritableError)
    assert_human(error, dst)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


# --- frames and audio ------------------------------------------------------------------


def test_extract_frame_writes_a_thumbnail_keeping_the_aspect(media, tmp_path):
    dst = extract_frame(media / "vp9_opus.webm", 1.0, tmp_path / "thumbs" / "t.jpg", width=160)

    assert dst == tmp_path / "thumbs" / "t.jpg"
    assert dst.read_bytes()[:3] == b"\xff\xd8\xff"
    info = probe(dst)
    assert (info.video.width, info.video.height) == (160, 120)
    assert [p.name for p in dst.parent.iterdir()] == ["t.jpg"]


def test_extract_frame_past_the_end_gives_the_last_picture(media, tmp_path):
    dst = extract_frame(media / "h264_aac.mp4", 99.0, tmp_path / "t.jpg")
    assert probe(dst).video.width == 320


def test_extract_frame_needs_video(tmp_path):
    src = tmp_path / "talk.wav"
    run_ffmpeg(*sine_src(1), str(src))
    with pytest.raises(NoVideoError) as error:
        extract_frame(src, 0.0, tmp_path / "t.jpg")
    assert_human(error, src)


def test_extract_audio_writes_mono_16k_wav(media, tmp_path):
    state = JobState()
    dst = extract_audio(media / "av1_mp3.mkv", tmp_path / "a.wav", state=state)

    info = probe(dst)
    assert info.container == "wav" and not info.has_video
    assert info.audio.codec == "pcm_s16le"
    assert (info.audio.sample_rate, info.audio.channels) == (16000, 1)
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert state.progress == 1.0


def test_extract_audio_needs_audio(tmp_path):
    src = tmp_path / "mute.mp4"
    run_ffmpeg(*video_src(1), *X264, str(src))
    dst = tmp_path / "a.wav"
    with pytest.raises(NoAudioError) as error:
        extract_audio(src, dst)
    assert_human(error, src)
    assert not dst.exists()


def test_ffmpeg_failure_reports_its_last_error_line(media, tmp_path):
    """What ffmpeg says last becomes the message; as one sentence naming the file."""
    from shared.media import MediaError, graph_command, run_ffmpeg

    src, dst = media / "h264_aac.mp4", tmp_path / "lesson.mp4"
    args = graph_command(ffmpeg.input(str(src)).output(str(dst), **{"c:v": "no_such_encoder"}))

    with pytest.raises(MediaError) as error:
        run_ffmpeg(args, src=src, dst=dst, duration=2.0, state=None, what="Converting")
    assert_human(error, src)
    assert "encoder" in str(error.value).lower()


def test_target_loudness_out_of_range_is_a_programming_error(media, tmp_path):
    with pytest.raises(ValueError):
        normalize(media / "h264_aac.mp4", tmp_path / "lesson.mp4", target_lufs=3.0)
    assert list(tmp_path.iterdir()) == []
