"""`lectern-studio record` as a person uses it: bad input, the countdown, the live view.

Every test runs the real command line in a subprocess; those that record use the real
parts of ``test_capture.py`` (Xvfb, a PulseAudio virtual microphone, a video file as
the camera).
"""

from __future__ import annotations

import ctypes.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from shared.media import ffmpeg_exe, probe
from studio.capture import Recorder, RecordingSettings


def cli(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 120):
    command = [sys.executable, "-m", "studio.cli", *map(str, args)]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=env or dict(os.environ),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def one_error_line(result: subprocess.CompletedProcess) -> str:
    """The single line a refused command prints (checked: non-zero exit, no traceback)."""
    assert result.returncode == 1, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "unexpected" not in lines[0] and "Traceback" not in result.stderr
    assert lines[0].startswith("lectern-studio: error: ")
    return lines[0]


def video_file(path: Path, seconds: float, size: str = "640x360") -> Path:
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", f"testsrc2=s={size}:r=30:d={seconds}"]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
        check=True,
    )
    return path


# --- bad input: one sentence, a non-zero exit, nothing made -------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--fps", "nan"], ["from 1 to 60", "not nan", "--fps 30"]),
        (["--fps", "inf"], ["from 1 to 60", "not inf"]),
        (["--fps", "0.5"], ["from 1 to 60", "not 0.5"]),
        (["--fps", "61"], ["from 1 to 60", "not 61"]),
        (["--camera-size", "10x10"], ["camera size", "10x10", "--camera-size 1280x720"]),
        (["--camera-size", "wide"], ["WIDTHxHEIGHT", "'wide'"]),
        (["--duration", "-5"], ["positive number of seconds"]),
        (["--countdown", "nan"], ["countdown"]),
    ],
)
def test_out_of_range_settings_are_refused_in_one_line(tmp_path, args, words):
    line = one_error_line(cli("record", tmp_path / "rec", *args))
    for word in words:
        assert word in line
    assert not (tmp_path / "rec").exists()


def test_an_out_dir_that_is_a_file_is_refused(tmp_path):
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me")
    line = one_error_line(cli("record", existing))
    assert str(existing) in line and "is a file" in line
    line = one_error_line(cli("record", existing / "rec"))
    assert "Cannot record into" in line and "is a file" in line
    assert existing.read_text() == "keep me"


def test_an_out_dir_on_a_read_only_disk_is_refused(tmpfs):
    disk = tmpfs("1m")
    remounted = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True)
    if remounted.returncode != 0:
        pytest.skip("cannot remount the tmpfs read-only here")
    line = one_error_line(cli("record", disk / "lectures" / "rec"))
    assert "Cannot record into" in line and "read-only" in line


def test_a_missing_portaudio_names_what_to_install(tmp_path):
    """PortAudio made unloadable for one process (a private mount namespace)."""
    library = ctypes.util.find_library("portaudio")
    listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    found = re.search(rf"{re.escape(library or '-')} \(.*\) => (\S+)", listing)
    if shutil.which("unshare") is None or found is None:
        pytest.skip("needs unshare and an installed libportaudio2")
    hide = f"mount --bind /dev/null {os.path.realpath(found.group(1))}"
    command = f"{hide} && exec {sys.executable} -m studio.cli"
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}

    def run(args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["unshare", "-m", "sh", "-c", f"{command} {args}"],
            capture_output=True,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )

    probe_run = run("devices")
    if "Permission denied" in probe_run.stderr or "Operation not permitted" in probe_run.stderr:
        pytest.skip("cannot make a private mount namespace here (needs root)")
    assert probe_run.returncode == 0, probe_run.stderr
    assert "libportaudio2" in probe_run.stdout  # devices says why there are no microphones
    line = one_error_line(run(f"record {tmp_path / 'rec'} --screen none --mic default"))
    assert "PortAudio" in line and "apt-get install libportaudio2" in line
    assert "--mic none" in line
    assert not (tmp_path / "rec").exists()


# --- the disk check before starting -------------------------------------------------------


@pytest.mark.slow
def test_the_disk_is_checked_for_the_whole_duration_asked_for(capture_env, tmpfs):
    disk = tmpfs("40m")  # a minute of sound fits; ten do not
    Recorder(disk / "ok", RecordingSettings(screen="none", mic="default")).stop()
    result = cli("record", disk / "rec", "--screen", "none", "--duration", "600", env=capture_env)
    line = one_error_line(result)
    assert "Not enough free space" in line and "10 min of recording" in line
    assert os.listdir(disk) == []


# --- the camera at a chosen size ----------------------------------------------------------


@pytest.mark.slow
def test_the_camera_is_recorded_at_the_size_asked_for(capture_env, tmp_path):
    camera = video_file(tmp_path / "camera.mp4", 10)
    folder = tmp_path / "rec"
    result = cli(
        "record",
        folder,
        "--screen",
        "none",
        "--mic",
        "none",
        "--camera",
        camera,
        "--camera-size",
        "320x180",
        "--duration",
        "2",
        env=capture_env,
    )
    assert result.returncode == 0, result.stderr
    info = probe(folder / "main.mkv")
    assert (info.video.width, info.video.height) == (320, 180)
    data = json.loads((folder / "recording.json").read_text())
    assert data["settings"]["camera_size"] == [320, 180]
    assert (data["sources"]["camera"]["width"], data["sources"]["camera"]["height"]) == (320, 180)


# --- the countdown can be cancelled -------------------------------------------------------


def _record_with_keys_on_a_terminal(
    args: list[str], env: dict[str, str]
) -> tuple[subprocess.Popen, int]:
    """``lectern-studio record ARGS`` reading keys from a terminal (write them to the
    returned pty end); its output goes into pipes."""
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "studio.cli", "record", *args],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    os.close(follower)
    return process, leader


@pytest.mark.slow
@pytest.mark.parametrize("how", ["enter", "ctrl-c"])
def test_the_countdown_is_cancelled_by_enter_or_ctrl_c(capture_env, tmp_path, how):
    folder = tmp_path / "rec"
    process, leader = _record_with_keys_on_a_terminal(
        [str(folder), "--countdown", "30", "--screen", "region:0,0,320,180", "--mic", "none"],
        capture_env,
    )
    try:
        first = process.stderr.readline()
        assert "Recording starts in" in first, first
        if how == "enter":
            os.write(leader, b"\n")
        else:
            process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    assert process.returncode == 130, stderr
    assert "cancelled before the recording started; nothing was recorded" in stderr
    assert "Traceback" not in stderr and "Recorded" not in stdout
    assert not folder.exists()


# --- the live view -------------------------------------------------------------------------


def _live_part(stderr: str) -> str:
    """What was printed while recording (before finishing, which lists the events again)."""
    return stderr.split("Finishing the recording")[0]


@pytest.mark.slow
def test_on_a_pipe_status_lines_come_once_a_second_and_once_per_pause(capture_env, tmp_path):
    camera = video_file(tmp_path / "short.mp4", 1.5, "320x240")  # gone after 1.5 s
    folder = tmp_path / "rec"
    started = time.monotonic()
    process, leader = _record_with_keys_on_a_terminal(
        [str(folder), "--mic", "none", "--screen", "region:0,0,320,180", "--camera", str(camera)],
        capture_env,
    )
    try:
        deadline = time.monotonic() + 30
        while not (folder / "screen-000.mkv").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(2.5)
        os.write(leader, b"p")  # pause for a while
        time.sleep(2.5)
        os.write(leader, b"p")
        while not (folder / "screen-001.mkv").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
        os.write(leader, b"\n")
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    wall = time.monotonic() - started
    assert process.returncode == 0, stderr
    live = _live_part(stderr).splitlines()
    status = [line for line in live if line.startswith(("REC ", "PAUSED "))]
    assert sum(line.startswith("PAUSED ") for line in status) == 1
    assert 2 <= len(status) <= wall + 1
    lost = [line for line in live if "reached the end of its file" in line]
    assert len(lost) == 1 and lost[0].startswith("warning: ")
    assert "\r" not in stderr and "\x1b" not in stderr


@pytest.mark.slow
def test_on_a_terminal_a_warning_gets_its_own_line_and_the_status_line_stays(capture_env, tmp_path):
    import pty

    camera = video_file(tmp_path / "short.mp4", 1.0, "320x240")
    folder = tmp_path / "rec"
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "studio.cli", "record", str(folder), "--screen", "none"]
        + ["--mic", "none", "--camera", str(camera), "--duration", "3.5"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=capture_env,
    )
    os.close(follower)
    chunks: list[bytes] = []

    def drain() -> None:  # a terminal that is not read from stops the program
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        reader.join(timeout=5)
        os.close(leader)
    output = b"".join(chunks).decode("utf-8", "replace")
    assert process.returncode == 0, output
    live = _live_part(output)
    warning = "reached the end of its file; the others keep recording"
    assert live.count(warning) == 1
    before, after = live.split(warning)
    assert before.rsplit("\r", 1)[-1].startswith("\x1b[Kwarning: the camera")
    assert after.startswith(("\n", "\r\n"))  # the warning ends its own line ...
    assert re.search(r"\rREC 0:0[1-3]", after)  # ... and the status line goes on below it
