"""Stop signals and faults during `lectern-studio build`, sent for real to a real process.

SIGTERM and SIGHUP (the terminal closed) clean up exactly as Ctrl+C does; a crashed
build's hidden ``.part`` folder goes at the next build into the same place; a
Ctrl+C while the command is still loading is one quiet line; an interrupt that lands
inside ``Popen.wait`` never leaves ffmpeg a zombie; a full disk is named as such.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from shared import media
from shared.jobs import JobState

pytestmark = pytest.mark.slow

STUDIO = Path(sys.executable).with_name("lectern-studio")


def _start(video: Path, out: Path, *extra: str) -> subprocess.Popen:
    if not STUDIO.exists():
        pytest.skip("lectern-studio is not installed in this environment (make setup)")
    return subprocess.Popen(
        [str(STUDIO), "build", str(video), "-o", str(out), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a signal for it alone, as `kill PID` sends
    )


def _parts(folder: Path, name: str = "lesson") -> list[Path]:
    return sorted(folder.glob(f".{name}.*.part"))


def _wait_for(condition, process: subprocess.Popen, timeout: float = 240.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the build ended early: {process.communicate()}")
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _children(pid: int) -> list[tuple[int, str]]:
    """The processes whose parent is ``pid`` (zombies included): (pid, state)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid:
            found.append((int(entry.name), state))
    return found


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_stop_signal_during_build_leaves_nothing(tmp_path, sample_dir, signum):
    process = _start(sample_dir / "lecture.mp4", tmp_path / "lesson")
    _wait_for(lambda: _parts(tmp_path), process)
    time.sleep(1.0)  # well inside the work: converting or transcribing
    process.send_signal(signum)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 128 + signum, err
    name = "cancelled" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}"
    assert name in err and "nothing half-written" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_force_replaces_a_lesson_only_when_the_new_one_is_complete(tmp_path, sample_dir):
    lesson = tmp_path / "lesson"
    lesson.mkdir()
    (lesson / "lesson.json").write_text('{"format": "lectern-lesson", "version": 1}')
    (lesson / "my-notes.txt").write_text("kept until the new lesson is complete")
    process = _start(sample_dir / "lecture.mp4", lesson, "--force")
    _wait_for(lambda: _parts(tmp_path), process)
    time.sleep(1.0)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 128 + signal.SIGTERM, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lesson"]
    assert sorted(p.name for p in lesson.iterdir()) == ["lesson.json", "my-notes.txt"]


def test_a_crashed_builds_part_folder_goes_at_the_next_build(tmp_path, sample_dir):
    first = _start(sample_dir / "lecture.mp4", tmp_path / "lesson")
    _wait_for(lambda: _parts(tmp_path), first)
    (stale,) = _parts(tmp_path)
    _wait_for(lambda: (stale / "video.mp4").exists() or len(list(stale.iterdir())) > 0, first)
    os.killpg(first.pid, signal.SIGKILL)  # a crash: no clean-up runs, ffmpeg dies too
    first.communicate(timeout=60)
    assert stale.is_dir()

    second = _start(sample_dir / "lecture.mp4", tmp_path / "lesson")
    _wait_for(lambda: _parts(tmp_path) and _parts(tmp_path) != [stale], second)
    assert not stale.exists()
    second.send_signal(signal.SIGTERM)
    second.communicate(timeout=120)
    assert list(tmp_path.iterdir()) == []


def _catches(pid: int, signum: int) -> bool:
    status = Path(f"/proc/{pid}/status").read_text()
    caught = int(
        next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1], 16
    )
    return bool(caught & (1 << (signum - 1)))


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.1, 0.2, 0.35, 0.5])
def test_ctrl_c_while_loading_is_one_quiet_line(tmp_path, sample_dir, delay):
    """From the launcher's first line on (Python itself catches no SIGHUP; it does)."""
    process = _start(sample_dir / "lecture.mp4", tmp_path / "lesson")
    _wait_for(lambda: _catches(process.pid, signal.SIGHUP), process, timeout=60)
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert len([line for line in err.splitlines() if line.strip()]) <= 1, err
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_during_the_video_copy_says_so(tmpfs, sample_dir):
    disk = tmpfs("2m")  # the sample's video (3 MB) is copied, and ffmpeg exits 0 on it
    process = _start(sample_dir / "lecture.mp4", disk / "lesson")
    _, err = process.communicate(timeout=300)
    assert process.returncode == 1, err
    assert "disk is full" in err and "not a video" not in err, err
    assert "Traceback" not in err
    assert list(disk.iterdir()) == []


def _long_encode(ffmpeg_bin: str, out: Path) -> list[str]:
    return [ffmpeg_bin, "-hide_banner", "-nostdin", "-loglevel", "error", "-progress", "pipe:1"] + [
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=640x360:rate=30:duration=120",
        "-y",
        str(out),
    ]


def test_an_interrupt_inside_popen_wait_leaves_no_zombie(tmp_path, ffmpeg_bin):
    """KeyboardInterrupt raised by a real SIGINT wherever run_ffmpeg happens to be."""
    # Servers the suite started earlier (Xvfb, PulseAudio) are children too: only new ones count.
    before = {pid for pid, _ in _children(os.getpid())}
    for delay in (0.3, 0.7, 1.1):
        out = tmp_path / "out.mkv"
        timer = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            media.run_ffmpeg(
                _long_encode(ffmpeg_bin, out),
                src=out,
                dst=out,
                duration=120.0,
                state=JobState(),
                what="A long encode",
            )
        timer.join()
        left = [child for child in _children(os.getpid()) if child[0] not in before]
        assert left == []  # ended and reaped: no zombie


def test_ending_ffmpeg_does_not_wait_on_a_lock_an_interrupt_left_taken(tmp_path, ffmpeg_bin):
    process = subprocess.Popen(
        _long_encode(ffmpeg_bin, tmp_path / "out.mkv"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    process._waitpid_lock.acquire()  # what a KeyboardInterrupt inside Popen.wait can leave
    ender = threading.Thread(target=media._end, args=(process,), daemon=True)
    ender.start()
    ender.join(timeout=30)
    assert not ender.is_alive(), "ending ffmpeg hung on Popen's lock"
    assert process.returncode == -signal.SIGKILL
    assert (process.pid, "Z") not in _children(os.getpid())
    assert not Path(f"/proc/{process.pid}").exists()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_stop_signal_during_record_stops_and_keeps_the_recording(tmp_path, ffmpeg_bin, signum):
    """As Enter does: the loop polls for it, nothing is raised inside the recorder."""
    camera = tmp_path / "camera.mp4"
    subprocess.run(
        [ffmpeg_bin, "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=20"]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(camera)],
        check=True,
    )
    folder = tmp_path / "rec"
    process = subprocess.Popen(
        [sys.executable, "-m", "studio.cli", "record", str(folder), "--screen", "none"]
        + ["--mic", "none", "--camera", str(camera), "--duration", "15"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(lambda: any(folder.glob("camera-*.mkv")), process, timeout=60)
    time.sleep(2.0)
    process.send_signal(signum)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "Recorded 0:0" in out and "Traceback" not in err
    assert (folder / "main.mkv").stat().st_size > 0
