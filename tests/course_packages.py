"""Real lesson folders and course packages, made by the real ``lectern-studio`` CLI.

Each lesson is built from a short generated video with no sound (ffmpeg's
``testsrc2``), so a build takes a few seconds and needs no speech model; packages
are written by ``lectern-studio package`` in a separate process, exactly as a
teacher would run it. Every call names the Studio config folder, which holds the
signing keys (``LECTERN_STUDIO_CONFIG``), so a test decides whose key signs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

__all__ = ["studio", "silent_video", "build_lesson", "package", "lesson_json"]


def studio(
    *args: str | Path, config: Path, check: bool = True, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``lectern-studio ARGS`` with ``config`` as the Studio's config folder (and
    ``input`` on its standard input)."""
    env = {**os.environ, "LECTERN_STUDIO_CONFIG": str(config)}
    cmd = [sys.executable, "-m", "studio.cli", *map(str, args)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, input=input)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def silent_video(ffmpeg: str, out: Path, seconds: float = 3.0) -> Path:
    """A small test-pattern video without sound."""
    subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size=320x240:rate=15:duration={seconds}",
            "-pix_fmt",
            "yuv420p",
            str(out),
        ],
        check=True,
    )
    return out


def build_lesson(video: Path, out: Path, title: str, *, config: Path, force: bool = False) -> Path:
    """``lectern-studio build VIDEO -o OUT --title TITLE`` (``--force`` to rebuild)."""
    studio(
        "build", video, "-o", out, "--title", title, *(["--force"] if force else []), config=config
    )
    return out


def package(
    lessons: list[Path],
    out: Path,
    *,
    config: Path,
    title: str = "Biology",
    author: str = "Ann Lee",
    course_id: str = "bio",
    version: int = 1,
    extra: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """``lectern-studio package LESSONS -o OUT`` with the course details given."""
    return studio(
        "package",
        *lessons,
        "-o",
        out,
        "--title",
        title,
        "--author",
        author,
        "--id",
        course_id,
        "--version",
        str(version),
        *extra,
        config=config,
    )


def lesson_json(folder: Path) -> dict:
    """The ``lesson.json`` of a lesson folder."""
    return json.loads((folder / "lesson.json").read_text(encoding="utf-8"))
