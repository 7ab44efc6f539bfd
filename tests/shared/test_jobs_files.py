"""The long-job protocol and atomic writes."""

from __future__ import annotations

import os

import pytest

from shared.errors import DiskFullError, OutputNotWritableError
from shared.files import atomic_dir, atomic_path, write_json_atomic
from shared.jobs import Cancelled, JobState, check_cancelled, stages


def test_stages_map_onto_parent_range():
    state = JobState()
    first, second = stages(state, [1, 3])
    first.set_progress(1.0)
    assert state.progress == pytest.approx(0.25)
    second.set_progress(0.5)
    assert state.progress == pytest.approx(0.25 + 0.75 * 0.5)
    second.set_progress(2.0)  # clamped
    assert state.progress == pytest.approx(1.0)


def test_cancel_reaches_sub_states():
    state = JobState()
    (sub,) = stages(state, [1])
    check_cancelled(sub)
    state.cancel()
    with pytest.raises(Cancelled, match="cancelled"):
        check_cancelled(sub, "The build")


def test_atomic_path_keeps_old_file_on_failure(tmp_path):
    target = tmp_path / "out.json"
    write_json_atomic(target, {"a": 1})
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8").strip() == '{\n  "a": 1\n}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_atomic_dir_replaces_only_when_complete(tmp_path):
    target = tmp_path / "lesson"
    with atomic_dir(target) as work:
        (work / "a.txt").write_text("one")
    with pytest.raises(KeyboardInterrupt), atomic_dir(target) as work:
        (work / "b.txt").write_text("two")
        raise KeyboardInterrupt
    assert sorted(p.name for p in target.iterdir()) == ["a.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lesson"]


def test_unwritable_target_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(OutputNotWritableError, match="file.txt"):
        write_json_atomic(blocker / "out.json", {})


def test_full_disk_becomes_disk_full_error_and_leaves_nothing(small_disk):
    target = small_disk / "big.bin"
    with pytest.raises(DiskFullError, match="big.bin"), atomic_path(target) as tmp:
        tmp.write_bytes(b"x" * (4 * 1024 * 1024))  # 4 MB onto a real 1 MB filesystem
    assert list(small_disk.iterdir()) == []


def test_atomic_files_follow_the_umask_not_mkstemp(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    path = write_json_atomic(tmp_path / "a.json", {})
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
