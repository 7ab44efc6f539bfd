"""The recording engine on real parts: Xvfb, a PulseAudio virtual microphone, real ffmpeg.

Nothing on the capture path is mocked: the screen is grabbed from a real X server,
the microphone is a PulseAudio null-sink monitor fed at real time with ``paplay``,
and the camera is a video file read by OpenCV at its own rate.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest

from shared.media import probe
from shared.timecode import clock
from studio.capture import (
    CaptureError,
    DeviceNotFoundError,
    NotARecordingError,
    Recorder,
    RecordingSettings,
    build_inputs,
    recover,
)
from studio.capture.recording import SAMPLE_RATE, AudioClock, render_audio
from tests.studio.x11 import XWindow

pytestmark = pytest.mark.slow

FPS = 30


def cli(*args: str | Path, env: dict[str, str], timeout: float = 120):
    command = [sys.executable, "-m", "studio.cli", *map(str, args)]
    return subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=timeout, stdin=subprocess.DEVNULL
    )


def frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for p in container.demux(container.streams.video[0]) if p.size)


def audio_samples(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        chunks = [
            frame.to_ndarray().reshape(-1) for frame in container.decode(container.streams.audio[0])
        ]
    return np.concatenate(chunks).astype(np.float64)


@pytest.fixture(scope="module")
def camera_file(tmp_path_factory, ffmpeg_bin) -> Path:
    """A 30 s, 640x360, 30 fps video that plays the part of a webcam."""
    out = tmp_path_factory.mktemp("camera") / "camera.mp4"
    subprocess.run(
        [ffmpeg_bin, "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=640x360:r=30:d=30"]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(out)],
        check=True,
    )
    return out


# --- devices and refusals ---------------------------------------------------------------


def test_devices_lists_the_xvfb_screen_and_the_virtual_microphone(capture_env):
    result = cli("devices", "--json", env=capture_env)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert [(s["index"], s["width"], s["height"]) for s in found["screens"]] == [(0, 1280, 720)]
    names = [m["name"] for m in found["microphones"]]
    assert "pulse" in names or "default" in names


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--camera", "7", ["camera '7'", "--camera none"]),
        ("--mic", "nope", ["microphone 'nope'", "--mic none"]),
        ("--screen", "5", ["screen '5'", "available: 0"]),
        ("--screen", "window:no-such-window", ["window 'no-such-window'"]),
    ],
)
def test_a_missing_device_is_named_in_one_clear_line(capture_env, tmp_path, option, value, words):
    result = cli("record", tmp_path / "rec", option, value, "--duration", "1", env=capture_env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in lines[0]
    assert not (tmp_path / "rec").exists()


def test_missing_devices_raise_typed_errors(capture_env, tmp_path):
    with pytest.raises(DeviceNotFoundError) as caught:
        Recorder(tmp_path / "r", RecordingSettings(screen="none", camera="7", mic="none"))
    assert caught.value.kind == "camera" and caught.value.name == "7"
    with pytest.raises(CaptureError, match="Nothing to record"):
        Recorder(tmp_path / "r", RecordingSettings(screen="none", camera="none", mic="none"))


def test_recording_refuses_to_start_on_a_nearly_full_disk(capture_env, tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        result = cli("record", mount / "rec", "--duration", "1", env=capture_env)
        assert result.returncode == 1
        assert "Not enough free space" in result.stderr and str(mount) in result.stderr
        assert os.listdir(mount) == []
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_recover_names_a_folder_that_is_not_a_recording(tmp_path):
    with pytest.raises(NotARecordingError, match="recording.json"):
        recover(tmp_path)


# --- recording ---------------------------------------------------------------------------


def test_screen_camera_and_mic_with_pause_give_aligned_tracks(
    capture_env, tmp_path, play, tone, camera_file
):
    folder = tmp_path / "rec"
    recorder = Recorder(
        folder, RecordingSettings(screen="0", camera=str(camera_file), mic="default", fps=FPS)
    )
    play(tone)
    recorder.start()
    time.sleep(2.5)
    live = recorder.stats()
    assert live.mic is not None and live.mic.rms_dbfs > -20 and not live.mic.no_signal
    assert live.video["screen"].preview.ndim == 3 and live.video["camera"].preview.ndim == 3
    assert live.video["screen"].frames > 0 and live.elapsed > 2
    recorder.pause()
    paused_at = recorder.stats().elapsed
    time.sleep(1.5)
    assert abs(recorder.stats().elapsed - paused_at) < 0.01  # paused time does not count
    recorder.resume()
    time.sleep(2.0)
    finished = recorder.stop()

    data = json.loads((folder / "recording.json").read_text())
    assert data["state"] == "finished" and not data["recovered"]
    assert len(data["segments"]) == 2 and len(data["pauses"]) == 1
    pause_start, pause_end = data["pauses"][0]
    assert 1.4 < pause_end - pause_start < 3.0
    spans = [s["screen"]["frames"] / FPS for s in data["segments"]]
    assert abs(spans[0] - 2.5) < 0.3 and abs(spans[1] - 2.0) < 0.3
    for segment in data["segments"]:  # each segment's file holds what the json says
        assert abs(frames(folder / segment["screen"]["file"]) - segment["screen"]["frames"]) <= 1
        assert segment["camera"]["start"] == segment["screen"]["start"]

    main, presenter = build_inputs(folder)
    assert main == finished.main and presenter == finished.presenter
    info = probe(main)
    expected = sum(spans)
    assert abs(info.duration - expected) < 0.3  # the pause is cut out
    assert info.video.width == 1280 and info.video.height == 720
    assert info.audio.sample_rate == SAMPLE_RATE
    assert abs(frames(main) - expected * FPS) <= max(3, 0.03 * expected * FPS)
    samples = audio_samples(main)
    assert abs(len(samples) / SAMPLE_RATE - expected) < 0.05  # sound as long as the picture
    rms = 20 * np.log10(np.sqrt(np.mean(samples**2)) / 32768)
    assert rms > -20  # the tone that was played is in the recording
    cam = probe(presenter)
    assert cam.video.width == 640 and abs(cam.duration - expected) < 0.3
    assert abs(frames(presenter) - frames(main)) <= 3


def test_cli_records_for_a_duration_and_the_folder_builds(capture_env, tmp_path, play, tone):
    folder = tmp_path / "rec"
    play(tone)
    result = cli(
        "record", folder, "--screen", "region:100,100,640,360", "--duration", "3", env=capture_env
    )
    assert result.returncode == 0, result.stderr
    # The clock drops the fraction of a second (shared.timecode), so 2.97 s reads 0:02.
    duration = json.loads((folder / "recording.json").read_text(encoding="utf-8"))["duration"]
    assert 2.5 < duration < 3.5 and f"Recorded {clock(duration)} into" in result.stdout
    main, presenter = build_inputs(folder)
    assert presenter is None
    info = probe(main)
    assert (info.video.width, info.video.height) == (640, 360)
    assert abs(info.duration - 3.0) < 0.3
    assert abs(frames(main) - 3 * FPS) <= 3
    assert info.has_audio


def test_sound_only_recording_gives_a_video_with_the_sound(capture_env, tmp_path, play, tone):
    folder = tmp_path / "rec"
    play(tone)
    result = cli(
        "record", folder, "--screen", "none", "--camera", "none", "--duration", "2", env=capture_env
    )
    assert result.returncode == 0, result.stderr
    main, presenter = build_inputs(folder)
    info = probe(main)
    assert info.has_video and info.has_audio and presenter is None
    assert abs(info.duration - 2.0) < 0.3


def test_a_camera_that_goes_away_is_reported_and_the_rest_keeps_recording(
    capture_env, tmp_path, play, tone, ffmpeg_bin
):
    short = tmp_path / "short.mp4"  # the "camera" delivers 1.5 s, then is gone
    subprocess.run(
        [ffmpeg_bin, "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=1.5"]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(short)],
        check=True,
    )
    folder = tmp_path / "rec"
    play(tone)
    result = cli("record", folder, "--camera", short, "--duration", "4", "--json", env=capture_env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)["recording"]
    assert any("camera" in event["text"] for event in data["events"])
    main, presenter = build_inputs(folder)
    assert abs(probe(main).duration - 4.0) < 0.3 and probe(main).has_audio
    assert 1.0 < probe(presenter).duration < 3.5


def test_kill_9_mid_recording_then_recover_keeps_all_but_the_last_seconds(
    capture_env, tmp_path, play, tone, camera_file
):
    folder = tmp_path / "rec"
    play(tone)
    command = [sys.executable, "-m", "studio.cli", "record", folder, "-q"]
    command += ["--camera", str(camera_file)]
    process = subprocess.Popen(
        [str(c) for c in command],
        env=capture_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # wait for the first segment to be under way
            try:
                data = json.loads((folder / "recording.json").read_text())
                if data["segments"] and data["segments"][0].get("screen", {}).get("start"):
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.05)
        else:
            pytest.fail(f"the recorder did not start: {process.stderr.read()}")
        recorded = 5.0
        time.sleep(recorded)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        process.stderr.close()
    time.sleep(0.5)  # the ffmpeg children finish their files when their parent dies

    result = cli("recover", folder, env=capture_env)
    assert result.returncode == 0, result.stderr
    assert "Recovered" in result.stdout
    main, presenter = build_inputs(folder)
    info = probe(main)
    assert info.has_audio and info.has_video
    assert info.duration >= recorded - 2.0
    assert probe(presenter).duration >= recorded - 2.0
    data = json.loads((folder / "recording.json").read_text())
    assert data["recovered"] and data["state"] == "finished"
    assert not _ffmpeg_children_writing(folder)


def _ffmpeg_children_writing(folder: Path) -> list[int]:
    """ffmpeg processes still writing into ``folder`` (there must be none)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"ffmpeg" in cmdline and str(folder).encode() in cmdline:
            found.append(int(entry.name))
    return found


# --- the microphone on the clock (synthetic log, real fitting and rendering code) ------


def test_audio_clock_measures_drift_and_offset_through_jitter(tmp_path):
    rng = np.random.default_rng(1)
    true_rate, true_start, block = 48100.0, 0.75, 480
    blocks = 3000  # 30 s
    lines = []
    for i in range(blocks):
        first = i * block
        heard = true_start + (first + block) / true_rate
        arrival = heard + rng.exponential(0.01) + (0.04 if i % 50 == 0 else 0.0)
        lines.append(f"{first} {block} {first} {arrival:.6f}")
    (tmp_path / "mic.log").write_text("\n".join(lines) + "\n123 48")  # a line cut by a crash
    clock = AudioClock(tmp_path / "mic.log")
    assert abs(clock.rate - true_rate) < 1.0
    assert abs(clock.start - true_start) < 0.002

    # A click at sample 24,050 of the card lands at its true time on the clock.
    pcm = np.zeros(blocks * block, dtype="<i2")
    pcm[24050:24060] = 20000
    (tmp_path / "mic.pcm").write_bytes(pcm.tobytes())
    out = tmp_path / "audio.mkv"
    render_audio(tmp_path, [(1.0, 2.0)], out, latency=0.0)
    samples = audio_samples(out)
    assert len(samples) == SAMPLE_RATE
    onset = int(np.argmax(np.abs(samples) > 5000)) / SAMPLE_RATE + 1.0
    assert abs(onset - (true_start + 24050 / true_rate)) < 0.002


# --- a window, and the keys on a terminal -------------------------------------------------


def test_a_window_is_recorded_by_its_name(capture_env, tmp_path):
    if shutil.which("xwininfo") is None:
        pytest.skip("xwininfo is not installed (apt-get install x11-utils)")
    window = XWindow(capture_env["DISPLAY"], "Lectern Test Slides", 40, 60, 320, 240)
    try:
        listed = json.loads(cli("devices", "--json", env=capture_env).stdout)["windows"]
        assert any(w["name"] == "Lectern Test Slides" for w in listed)
        folder = tmp_path / "rec"
        result = cli(
            "record",
            folder,
            "--screen",
            "window:Test Slides",
            "--mic",
            "none",
            "--duration",
            "2",
            env=capture_env,
        )
        assert result.returncode == 0, result.stderr
    finally:
        window.close()
    info = probe(build_inputs(folder)[0])
    assert (info.video.width, info.video.height) == (320, 240)
    assert abs(info.duration - 2.0) < 0.3 and not info.has_audio


def test_p_pauses_and_enter_stops_on_a_terminal(capture_env, tmp_path):
    import pty

    folder = tmp_path / "rec"
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "studio.cli", "record", str(folder)]
    command += ["--mic", "none"]
    process = subprocess.Popen(
        command, stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=capture_env
    )
    os.close(follower)
    try:
        deadline = time.monotonic() + 30
        while not (folder / "screen-000.mkv").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.5)
        os.write(leader, b"p")  # pause
        time.sleep(1.5)
        os.write(leader, b"p")  # resume
        while not (folder / "screen-001.mkv").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.5)
        os.write(leader, b"\n")  # stop
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    assert process.returncode == 0, stderr
    data = json.loads((folder / "recording.json").read_text())
    assert len(data["segments"]) == 2 and len(data["pauses"]) == 1
    assert 1.2 < data["pauses"][0][1] - data["pauses"][0][0] < 3.5
    assert abs(probe(folder / "main.mkv").duration - data["duration"]) < 0.1
