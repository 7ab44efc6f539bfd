"""Careless commands, run as a person runs them: nothing overwritten, nothing lost.

Every case is the real command line in a subprocess on real files: a folder of videos
given to ``build --force``, ``-o .``, an ``-o`` that exists, is a device or a symlink,
a text file as the cover, a recording whose tracks were deleted, a video cut short,
and out-of-range search limits.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.media import ffmpeg_exe
from tests.shared import bad_packages


def run(module: str, *args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )


def refused(result: subprocess.CompletedProcess, *words: str) -> str:
    """One sentence on stderr, exit 1, no traceback; returns it."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "unexpected" not in lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_build_force_never_replaces_a_folder_that_is_not_a_lesson(tmp_path, sample_dir):
    videos = tmp_path / "videos"
    videos.mkdir()
    source = videos / "lecture.mp4"
    source.write_bytes((sample_dir / "lecture.mp4").read_bytes())
    (videos / "notes.txt").write_text("mine")
    line = refused(
        run("studio.cli", "build", source, "-o", videos, "--force"), "not a Lectern lesson"
    )
    assert "--force" in line  # says that not even --force replaces it
    assert sorted(p.name for p in videos.iterdir()) == ["lecture.mp4", "notes.txt"]
    assert source.stat().st_size == (sample_dir / "lecture.mp4").stat().st_size
    afile = tmp_path / "afile"
    afile.write_text("x")
    refused(run("studio.cli", "build", source, "-o", afile, "--force"), "is a file")
    assert afile.read_text() == "x"


@pytest.mark.parametrize("out", [".", ".."])
def test_build_into_the_folder_it_runs_in_is_one_sentence(tmp_path, sample_dir, out):
    here = tmp_path / "here"
    here.mkdir()
    refused(run("studio.cli", "build", sample_dir / "lecture.mp4", "-o", out, cwd=here), out)
    refused(
        run("studio.cli", "build", sample_dir / "lecture.mp4", "-o", out, "--force", cwd=here),
        "folder this command runs in",
    )
    assert list(here.iterdir()) == []


def test_package_output_is_never_overwritten_without_force(tmp_path):
    existing = tmp_path / "video.mp4"
    existing.write_bytes(b"the only copy")
    line = refused(
        run("studio.cli", "package", tmp_path, "-o", existing, "--title", "T"), "--force"
    )
    assert "already exists" in line
    assert existing.read_bytes() == b"the only copy"
    refused(
        run("studio.cli", "package", tmp_path, "-o", "/dev/null", "--title", "T", "--force"),
        "device or special file",
    )
    assert Path("/dev/null").is_char_device()
    for out in ("t.json", "t.vtt"):
        (tmp_path / out).write_text("keep")
        refused(run("studio.cli", "chapters", existing, "-o", tmp_path / out), "--force")
        refused(run("studio.cli", "transcribe", existing, "-o", tmp_path / out), "--force")
        assert (tmp_path / out).read_text() == "keep"
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "chapter-001.jpg").write_bytes(b"a holiday picture")
    refused(
        run("studio.cli", "chapters", existing, "-o", tmp_path / "c.json", "--thumbnails", photos),
        "--force",
    )
    assert (photos / "chapter-001.jpg").read_bytes() == b"a holiday picture"


def test_a_text_file_is_no_cover(tmp_path):
    cover = tmp_path / "cover.png"
    cover.write_text("not a picture at all\n")
    out = tmp_path / "c.lectern"
    result = run("studio.cli", "package", tmp_path, "-o", out, "--title", "T", "--cover", cover)
    refused(result, "not a PNG or JPEG")
    assert not (tmp_path / "c.lectern").exists()


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    from shared.library import Library

    folder = tmp_path_factory.mktemp("library")
    package = bad_packages.make_good_package(folder / "course")
    with Library.open(folder / "lib") as lib:
        lib.import_course(package)
        lib.add_note("bio-101", "intro", 45.0, "Remember the mitochondria")
    return folder / "lib"


def test_export_notes_keeps_an_existing_file_and_follows_a_symlink(library, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("last term's notes")
    player = ("player.cli", "--library", library, "export-notes", "biology", "-o")
    refused(run(*player, notes), "already exists", "--force")
    assert notes.read_text() == "last term's notes"
    refused(run(*player, "/dev/null", "--force"), "device or special file")
    link = tmp_path / "latest.md"
    link.symlink_to(notes)
    result = run(*player, link, "--force")
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and "Remember the mitochondria" in notes.read_text()


@pytest.mark.parametrize("limit", ["1e20", "100000000000000000000", "-1", "0", "ten"])
def test_a_search_limit_out_of_range_is_refused(library, limit):
    result = run("player.cli", "--library", library, "search", "cell", "--limit", limit)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--limit" in result.stderr and "from 1 to" in result.stderr
    assert run("player.cli", "--library", library, "search", "cell", "--limit", "3").returncode == 0


def test_recover_refuses_a_recording_whose_tracks_were_deleted(tmp_path):
    camera = tmp_path / "camera.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=3"]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(camera)],
        check=True,
    )
    folder = tmp_path / "rec"
    sources = ("--screen", "none", "--mic", "none", "--camera", camera)
    recorded = run("studio.cli", "record", folder, *sources, "--duration", "2", "--quiet")
    assert recorded.returncode == 0, recorded.stderr
    for track in folder.glob("*.mkv"):
        track.unlink()
    line = refused(run("studio.cli", "recover", folder), "nothing to recover")
    assert "Recovered" not in line
    assert not (folder / "main.mkv").exists()


def test_a_fast_start_mp4_cut_short_builds_with_a_warning(tmp_path):
    whole = tmp_path / "whole.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=15:d=20"]
        + ["-f", "lavfi", "-i", "sine=frequency=440:duration=20"]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"]
        + ["-movflags", "+faststart", "-shortest", str(whole)],
        check=True,
    )
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    result = run("studio.cli", "build", cut, "-o", tmp_path / "lesson", "--quiet")
    assert result.returncode == 0, result.stderr
    warning = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert any("cut short" in line and "0:20" in line for line in warning), result.stderr
