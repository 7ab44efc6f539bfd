"""Fixtures shared by every test layer: real tools, real media, no mocks.

Every test also stays away from the real user's settings and library: Qt's
QSettings and platformdirs follow the XDG variables on Linux, so they point at a
temporary folder before anything is imported.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import lectern_resources

_HOME = tempfile.mkdtemp(prefix="lectern-tests-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")
os.environ["XDG_CACHE_HOME"] = os.path.join(_HOME, "cache")
os.environ["XDG_STATE_HOME"] = os.path.join(_HOME, "state")  # the apps' log files
atexit.register(shutil.rmtree, _HOME, ignore_errors=True)

# After the XDG folders are set: what it imports reads them.
from tests.speech_packs import base_pack  # noqa: E402, F401 - a fixture for every module

SAMPLE_DIR = lectern_resources.path("sample")


@pytest.fixture(scope="session")
def ffmpeg_bin() -> str:
    """The ffmpeg the app itself would use (system first, then the imageio-ffmpeg wheel)."""
    from shared.media import ffmpeg_exe

    return ffmpeg_exe()


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory) -> tuple[Path, str]:
    """A real spoken sentence (espeak-ng) and its text."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (make setup installs it)")
    text = (
        "Today we will learn how plants turn sunlight into energy. "
        "This process is called photosynthesis, and it happens in the leaves."
    )
    out = tmp_path_factory.mktemp("speech") / "speech.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(out), text], check=True)
    return out, text


@pytest.fixture
def tmpfs(tmp_path):
    """Mount real small filesystems: ``tmpfs("40m")`` gives a folder on one (needs root)."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        mount_point = tmp_path / f"disk-{len(mounted)}"
        mount_point.mkdir()
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
            capture_output=True,
        )
        if result.returncode != 0:
            pytest.skip("cannot mount a small tmpfs here (needs root)")
        mounted.append(mount_point)
        return mount_point

    yield mount
    for mount_point in mounted:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.fixture
def small_disk(tmpfs):
    """A real 1 MB filesystem (tmpfs) that fills up: the disk-full path, for real."""
    return tmpfs("1m")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test that ran on the headless Wayland desktop (tests/wayland.py) shows
    the desktop's own logs (compositor, portal, PipeWire) beside its failure."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.when == "call":
        from tests.wayland import WaylandSession

        for name, value in getattr(item, "funcargs", {}).items():
            if isinstance(value, WaylandSession):
                report.sections.append((f"Wayland desktop logs ({name})", value.logs()))
