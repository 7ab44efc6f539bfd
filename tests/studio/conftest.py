"""Real X and sound servers for the recording tests: Xvfb and a PulseAudio null sink.

The fixtures start their own servers (a display Xvfb picks itself, a private
``XDG_RUNTIME_DIR``) and skip only when the programs are not installed. What the
virtual microphone hears is whatever ``paplay --device=lecture_sink`` plays, at real
time (see docs in /work/shared/TESTING.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.lrs import lrs  # noqa: F401 - a real LRS (Ralph) on loopback, for the cmi5 test
from tests.xserver import xvfb as x_server

SINK = "lecture_sink"


def stop_process(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """End a helper program: SIGTERM, then SIGKILL if it has not gone within ``timeout``.

    A loaded machine can leave a program (ffplay under SDL, say) deaf to SIGTERM for a
    while; a test's clean-up must not fail on that.
    """
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def xvfb() -> str:
    """A running private Xvfb (1280x720) display, e.g. ``":91"`` (tests.xserver)."""
    if shutil.which("Xvfb") is None or shutil.which("xdpyinfo") is None:
        pytest.skip("Xvfb / xdpyinfo are not installed (apt-get install xvfb x11-utils)")
    with x_server(["1280x720x24"]) as display:
        yield display


@pytest.fixture(scope="session")
def pulse() -> dict[str, str]:
    """A private PulseAudio with a null sink whose monitor is the default source."""
    for tool in ("pulseaudio", "pactl", "paplay"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (apt-get install pulseaudio pulseaudio-utils)")
    runtime = tempfile.mkdtemp(prefix="lectern-pulse-")
    env = {**os.environ, "XDG_RUNTIME_DIR": runtime}
    process = subprocess.Popen(
        [
            "pulseaudio",
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--load=module-native-protocol-unix",
            f"--load=module-null-sink sink_name={SINK}",
            "--load=module-always-sink",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0:
            break
        time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("PulseAudio did not start")
    subprocess.run(["pactl", "set-default-source", f"{SINK}.monitor"], env=env, check=True)
    yield {"XDG_RUNTIME_DIR": runtime}
    stop_process(process)
    shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture(scope="module")
def capture_env(xvfb, pulse):
    """This process and its children see the Xvfb display and the private PulseAudio."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DISPLAY", xvfb)
        patch.setenv("XDG_RUNTIME_DIR", pulse["XDG_RUNTIME_DIR"])
        patch.delenv("WAYLAND_DISPLAY", raising=False)
        if "sounddevice" in sys.modules:  # PortAudio lists devices when it starts
            sounddevice = sys.modules["sounddevice"]
            sounddevice._terminate()
            sounddevice._initialize()
        yield dict(os.environ)


@pytest.fixture
def play(capture_env):
    """Play a sound file into the virtual microphone (returns the paplay process)."""
    started = []

    def run(path: Path) -> subprocess.Popen:
        process = subprocess.Popen(
            ["paplay", f"--device={SINK}", str(path)],
            env=capture_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        return process

    yield run
    for process in started:
        stop_process(process)


@pytest.fixture(scope="module")
def tone(tmp_path_factory) -> Path:
    """30 s of a 440 Hz tone at -6 dBFS for the virtual microphone."""
    rate = 48000
    t = np.arange(30 * rate) / rate
    samples = (0.5 * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2")
    out = tmp_path_factory.mktemp("tone") / "tone.wav"
    with wave.open(str(out), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(samples.tobytes())
    return out
