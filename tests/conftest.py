"""Fixtures shared by every test layer: real tools, real media, no mocks."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import lectern_resources

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
