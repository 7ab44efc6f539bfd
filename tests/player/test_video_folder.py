"""A plain folder of lecture videos and caption files, imported as a course of its own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.course_packages import silent_video


def player(library: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "player.cli", "--library", str(library), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def videos(tmp_path_factory, ffmpeg_bin) -> Path:
    folder = tmp_path_factory.mktemp("videos") / "Physics term 1"
    folder.mkdir()
    silent_video(ffmpeg_bin, folder / "week10.mp4", seconds=3.0)
    silent_video(ffmpeg_bin, folder / "week2.mp4", seconds=4.0)
    (folder / "week2.de.srt").write_bytes(
        "1\n00:00:01,000 --> 00:00:02,500\n<i>Schwingungen</i> und Wellen \u00fcberall\n".encode(
            "cp1252"
        )
    )
    (folder / "week10.vtt").write_text(
        "WEBVTT\n\n00:00:00.500 --> 00:00:09.000\nResonance explained\n", encoding="utf-8"
    )
    (folder / "broken.mp4").write_bytes(b"not a video at all")
    (folder / "notes.txt").write_text("my notes")
    return folder


def test_a_folder_of_videos_becomes_a_course_that_says_where_it_came_from(videos, tmp_path):
    library = tmp_path / "library"
    result = player(library, "import", videos)
    assert result.returncode == 0, result.stderr
    assert "Imported: 'Physics term 1'" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert any("Windows-1252" in w for w in warnings)  # the legacy caption file
    assert any("past the video's end" in w for w in warnings)
    [course] = json.loads(player(library, "list", "--json").stdout)
    assert course["author"] == "Lectern Player"
    [progress] = json.loads(player(library, "progress", "--json").stdout)
    titles = [lesson["title"] for lesson in progress["lesson_progress"]]
    assert titles == ["week2", "week10"]  # natural order; the broken file is left out
    hits = json.loads(player(library, "search", "Schwingungen", "--json").stdout)
    assert hits and hits[0]["lesson"] == "week2"
    assert json.loads(player(library, "search", "resonance", "--json").stdout)


def test_a_folder_without_a_playable_video_is_refused_in_one_sentence(tmp_path):
    folder = tmp_path / "holiday"
    folder.mkdir()
    (folder / "clip.mp4").write_bytes(b"\x00" * 100)
    (folder / "readme.txt").write_text("hello")
    result = player(tmp_path / "library", "import", folder)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "holds no video Lectern can play" in lines[0] and "1 file(s)" in lines[0]
