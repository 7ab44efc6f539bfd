"""Outputs never destroy what Lectern did not make (shared.files), on a real file system.

Symlinks are followed, devices and pipes are never written, an existing file is kept
unless replacing is asked for, a folder is replaced only when it is ours, and what a
crashed job left behind is told apart from a running job's work by a real lock held
by a real process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.files import (
    NotReplaceableError,
    OutputExistsError,
    atomic_dir,
    atomic_path,
    check_output,
    check_output_dir,
    remove_stale_parts,
    write_text_atomic,
)
from shared.workspace import is_lesson_folder


def test_an_existing_file_is_kept_unless_replacing_is_asked(tmp_path):
    target = tmp_path / "notes.md"
    target.write_text("mine")
    with pytest.raises(OutputExistsError, match="notes.md.*--force"):
        check_output(target)
    with pytest.raises(OutputExistsError):
        write_text_atomic(target, "theirs", replace=False)
    assert target.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.md"]
    assert check_output(target, force=True) == target
    write_text_atomic(target, "theirs", replace=True)
    assert target.read_text() == "theirs"


def test_a_file_that_appears_while_the_job_writes_is_not_clobbered(tmp_path):
    target = tmp_path / "course.lectern"
    with pytest.raises(OutputExistsError), atomic_path(target, replace=False) as tmp:
        tmp.write_text("new package")
        target.write_text("made meanwhile by someone else")
    assert target.read_text() == "made meanwhile by someone else"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course.lectern"]


def test_a_symlink_is_followed_and_stays_a_link(tmp_path):
    real = tmp_path / "real" / "notes.md"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "notes.md"
    link.symlink_to(real)
    with pytest.raises(OutputExistsError):
        check_output(link)
    assert check_output(link, force=True) == real
    write_text_atomic(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"
    dangling = tmp_path / "later.md"
    dangling.symlink_to(tmp_path / "real" / "later-target.md")
    write_text_atomic(dangling, "made", replace=False)
    assert dangling.is_symlink() and (tmp_path / "real" / "later-target.md").read_text() == "made"


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    target = tmp_path / "shared.vtt"
    target.write_text("WEBVTT\n")
    target.chmod(0o640)
    write_text_atomic(target, "WEBVTT\n\n1\n")
    assert target.stat().st_mode & 0o777 == 0o640


def test_devices_and_pipes_are_never_written_even_with_force(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for special in (Path("/dev/null"), fifo):
        with pytest.raises(NotReplaceableError, match="device or special file"):
            check_output(special, force=True)
        with pytest.raises(NotReplaceableError):
            write_text_atomic(special, "x", replace=True)
    assert Path("/dev/null").is_char_device()
    assert fifo.is_fifo()
    link = tmp_path / "to-null"
    link.symlink_to("/dev/null")
    with pytest.raises(NotReplaceableError):
        write_text_atomic(link, "x")
    assert Path("/dev/null").is_char_device()


def test_only_our_folders_are_replaced(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    videos = tmp_path / "videos"
    videos.mkdir()
    (videos / "lecture.mp4").write_bytes(b"precious")
    with pytest.raises(NotReplaceableError, match="not a Lectern lesson folder"):
        check_output_dir(videos, force=True, ours=is_lesson_folder, what="Lectern lesson")
    lesson = tmp_path / "lesson"
    lesson.mkdir()
    (lesson / "lesson.json").write_text('{"format": "lectern-lesson", "version": 1}')
    with pytest.raises(NotReplaceableError, match="--force"):
        check_output_dir(lesson, ours=is_lesson_folder)
    assert check_output_dir(lesson, force=True, ours=is_lesson_folder) == lesson
    (tmp_path / "empty").mkdir()
    assert check_output_dir("empty", ours=is_lesson_folder) == tmp_path / "empty"
    assert check_output_dir("new", ours=is_lesson_folder) == tmp_path / "new"
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(NotReplaceableError, match="is a file"):
        check_output_dir(afile, force=True, ours=is_lesson_folder)
    for here in (".", "..", "/"):
        with pytest.raises(NotReplaceableError):
            check_output_dir(here, force=True, ours=lambda _: True)
    assert (videos / "lecture.mp4").read_bytes() == b"precious"


_HOLDER = """
import sys, time
from shared.files import atomic_dir
with atomic_dir(sys.argv[1]) as work:
    (work / "half.bin").write_bytes(b"x" * 1000)
    print(work, flush=True)
    time.sleep(600)
"""


def _holder(target: Path) -> tuple[subprocess.Popen, Path]:
    process = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(target)], stdout=subprocess.PIPE, text=True
    )
    return process, Path(process.stdout.readline().strip())


def test_a_running_jobs_part_is_kept_and_a_crashed_jobs_part_is_removed(tmp_path):
    target = tmp_path / "lesson"
    running, running_part = _holder(target)
    crashed, crashed_part = _holder(target)
    try:
        crashed.kill()  # like a power cut: no clean-up ran
        crashed.wait()
        assert crashed_part.is_dir() and running_part.is_dir()
        assert running_part.name.endswith(".part") and running_part.name.startswith(".lesson.")
        assert remove_stale_parts(target) == [crashed_part]
        assert running_part.is_dir() and not crashed_part.exists()
        # The next write to the same place removes leftovers by itself.
        running.kill()
        running.wait()
        with atomic_dir(target) as work:
            (work / "lesson.json").write_text("{}")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["lesson"]
    finally:
        for process in (running, crashed):
            if process.poll() is None:
                process.kill()
                process.wait()


def test_leftover_files_of_a_killed_writer_go_at_the_next_write(tmp_path):
    target = tmp_path / "course.lectern"
    code = (
        "import sys, time\nfrom shared.files import atomic_path\n"
        "with atomic_path(sys.argv[1]) as tmp:\n"
        "    tmp.write_bytes(b'half'); print(tmp, flush=True); time.sleep(600)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(target)], stdout=subprocess.PIPE, text=True
    )
    part = Path(process.stdout.readline().strip())
    assert part.is_file()
    write_text_atomic(tmp_path / "other.txt", "unrelated")
    assert part.is_file()  # still running: its part is locked and kept
    process.kill()
    process.wait()
    write_text_atomic(target, "complete")
    assert target.read_text() == "complete"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course.lectern", "other.txt"]
