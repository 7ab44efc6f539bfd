"""The long-job protocol and atomic writes."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zlib
from pathlib import Path

import pytest

from shared.errors import DiskFullError, OutputNotWritableError
from shared.files import Crc32, atomic_dir, atomic_path, copy_range, write_json_atomic
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


@pytest.mark.parametrize("where", ["same file system", "tmpfs to disk"])
def test_copy_range_copies_and_hashes_the_same_bytes(tmp_path, where):
    """A byte range copied by the kernel (or, across file systems where it cannot, from
    memory), with SHA-256 and CRC-32 of exactly those bytes, after what was there."""
    data = os.urandom(3 * (32 << 20) + 12345)  # more than one copy step, an odd tail
    folder = Path(tempfile.mkdtemp(dir="/dev/shm")) if where == "tmpfs to disk" else tmp_path
    try:
        source = folder / "source.bin"
        source.write_bytes(b"head" * 1000 + data + b"tail")
        sha, crc, seen = hashlib.sha256(), Crc32(), []
        with open(source, "rb") as src, open(tmp_path / "out.bin", "w+b") as out:
            out.write(b"before")
            copy_range(src, 4000, len(data), out, [sha, crc], seen.append)
            assert out.tell() == 6 + len(data)
            out.write(b"after")
        assert (tmp_path / "out.bin").read_bytes() == b"before" + data + b"after"
        assert sha.hexdigest() == hashlib.sha256(data).hexdigest()
        assert crc.value == zlib.crc32(data)
        assert seen[-1] == len(data) and seen == sorted(seen)
    finally:
        if folder != tmp_path:
            for name in folder.iterdir():
                name.unlink()
            folder.rmdir()


def test_copy_range_stops_when_cancelled(tmp_path):
    source = tmp_path / "source.bin"
    source.write_bytes(os.urandom(100 << 20))
    state = JobState()

    def progress(done: int) -> None:
        state.cancel()
        check_cancelled(state, "The copy")

    with (
        open(source, "rb") as src,
        open(tmp_path / "out.bin", "wb") as out,
        pytest.raises(Cancelled),
    ):
        copy_range(src, 0, 100 << 20, out, [Crc32()], progress)
    assert (tmp_path / "out.bin").stat().st_size < 100 << 20
