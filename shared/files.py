"""Writing files so that nothing is ever half-written, and nothing is overwritten by accident.

Every write goes to a temporary file (or folder) beside its target, is synced, and
is renamed into place only when complete: temp file, fsync, rename. On top of that
this module is the one place that decides what an output may replace:

* a symlink is followed deliberately: the file it points to is written, the link
  stays a link;
* a device, pipe or socket is never written, even when replacing is allowed;
* a command's ``-o`` replaces an existing file only with ``--force``
  (:func:`check_output`, then ``replace=False``, which cannot clobber a file that
  appeared meanwhile);
* a folder is replaced only when it is one Lectern made (:func:`check_output_dir`),
  and only after the new one is complete.

The temporary files and folders are named ``.NAME.XXXXXXXX.part``. While a job
writes one it holds a lock on it (``flock``, released by the kernel however the
process ends), so the next write to the same target can tell a crashed job's
leftover from a job still running, and removes the leftovers.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from shared.errors import DiskFullError, LecternError, OutputNotWritableError

try:  # POSIX; elsewhere leftovers are recognised by age alone
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

# The process umask, read once at import (os.umask can only be read by setting it).
_UMASK = os.umask(0o022)
os.umask(_UMASK)

#: Without file locks a leftover counts as stale only once it is this old (seconds).
_UNLOCKED_STALE_AGE = 24 * 3600

__all__ = [
    "copy_range",
    "Crc32",
    "OutputExistsError",
    "NotReplaceableError",
    "atomic_path",
    "atomic_dir",
    "check_output",
    "check_output_dir",
    "output_target",
    "remove_stale_parts",
    "write_text_atomic",
    "write_json_atomic",
    "link_or_copy",
]


class OutputExistsError(LecternError):
    """The output file exists and replacing it was not asked for."""

    def __init__(self, path: object) -> None:
        super().__init__(
            f"{path} already exists; choose another name, or pass --force to replace it."
        )


class NotReplaceableError(LecternError):
    """The output names something Lectern never replaces (a device, a foreign folder...)."""


def _translate(error: OSError, path: Path) -> Exception:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(path)
    if error.errno in (
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
        errno.ENOENT,
        errno.ENOTDIR,
        errno.EEXIST,
        errno.EISDIR,
    ):
        return OutputNotWritableError(path, error.strerror or "")
    return error


def output_target(path: str | os.PathLike[str]) -> Path:
    """Where writing ``path`` really goes: through any symlinks, as an absolute path.

    ``.`` and ``..`` are resolved too, so the target always has a name and a parent.
    """
    path = Path(os.path.abspath(path))
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    return path


def _special(info: os.stat_result) -> bool:
    return not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode))


def _check_file_target(target: Path, shown: object, *, replace: bool) -> os.stat_result | None:
    """Refuse a target that is a folder, a device or special file, or (unless
    ``replace``) an existing file; return the existing file's status, if any."""
    try:
        info = target.stat()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _translate(error, target) from error
    if stat.S_ISDIR(info.st_mode):
        raise OutputNotWritableError(shown, "a folder has that name")
    if _special(info):
        raise NotReplaceableError(
            f"{shown} is a device or special file, not a regular file; Lectern never "
            "writes there, so choose a file name."
        )
    if not replace:
        raise OutputExistsError(shown)
    return info


def check_output(path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Check a command's output file before any work is done; return the real target.

    Args:
        path: what the person asked for (``-o``); a symlink is followed.
        force: whether an existing regular file may be replaced.

    Raises:
        OutputExistsError: the file exists and ``force`` is false.
        NotReplaceableError: it is a device, pipe or socket (whatever ``force`` says).
        OutputNotWritableError: it is a folder, or lies under something that is not one.
    """
    target = output_target(path)
    _check_file_target(target, path, replace=force)
    parent = target.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OutputNotWritableError(path, f"{parent} is not a folder")
    return target


def check_output_dir(
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    ours: Callable[[Path], bool],
    what: str = "Lectern",
) -> Path:
    """Check an output folder before any work is done; return the real target.

    An absent or empty folder may always be written. An existing one is replaced
    only with ``force`` and only when ``ours(folder)`` says Lectern made it; the
    folder that holds the current working directory is never replaced.

    Args:
        path: the folder asked for; a symlink is followed.
        force: whether an existing folder of ours may be replaced.
        ours: tells whether a folder is one Lectern made (``lesson.json`` inside, ...).
        what: what such a folder is called in messages (``"Lectern lesson"``).

    Raises:
        NotReplaceableError: it is a file or device, a folder Lectern did not make,
            or the folder the command runs in; or an existing folder of ours
            without ``force``.
    """
    target = output_target(path)
    if target.parent == target:
        raise NotReplaceableError(f"{path} is the top of the file system; choose a new folder.")
    cwd = Path(os.path.abspath(os.getcwd()))
    if target == cwd or target in cwd.parents:
        raise NotReplaceableError(
            f"{path} holds the folder this command runs in; choose a new folder inside it, "
            "such as ./lesson."
        )
    try:
        info = target.stat()
    except FileNotFoundError:
        return target
    except OSError as error:
        raise _translate(error, target) from error
    if not stat.S_ISDIR(info.st_mode):
        raise NotReplaceableError(
            f"{path} is a file, not a folder; Lectern will not replace it, so choose a new folder."
        )
    try:
        empty = not any(target.iterdir())
    except OSError as error:
        raise _translate(error, target) from error
    if empty:
        return target
    if not ours(target):
        raise NotReplaceableError(
            f"{path} already holds files and is not a {what} folder, so Lectern will not "
            "replace it (not even with --force); choose a new or empty folder."
        )
    if not force:
        raise NotReplaceableError(
            f"{path} already exists and is not empty; choose another folder or pass "
            "--force to replace it."
        )
    return target


# --- temporary names and their locks -------------------------------------------------


def _lock(fd: int) -> bool:
    """Try to take the leftover lock on ``fd``; ``True`` when it is ours now."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _open_lock(path: Path) -> int:
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if path.is_dir() else os.O_RDONLY
    return os.open(path, flags | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0))


def _make_temp(target: Path, *, folder: bool) -> tuple[Path, int]:
    """A new ``.NAME.XXXXXXXX.part`` beside ``target``, already locked; (path, lock fd).

    It is made under another name, locked, then renamed to ``.part``, so that a
    ``.part`` without a lock is always a leftover, never one about to be locked.
    """
    parent, name = target.parent, target.name
    if folder:
        made = tempfile.mkdtemp(prefix=f".{name}.", suffix=".new", dir=parent)
        os.chmod(made, 0o777 & ~_UMASK)
    else:
        fd, made = tempfile.mkstemp(prefix=f".{name}.", suffix=".new", dir=parent)
        os.close(fd)
        os.chmod(made, 0o666 & ~_UMASK)  # mkstemp makes 0600; a normal file follows the umask
    lock = -1
    if fcntl is not None:  # elsewhere a directory cannot even be opened like this
        lock = _open_lock(Path(made))
        _lock(lock)
    part = Path(made[: -len(".new")] + ".part")
    os.rename(made, part)
    return part, lock


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def remove_stale_parts(target: str | os.PathLike[str]) -> list[Path]:
    """Remove what crashed jobs left beside ``target``; return what was removed.

    A leftover is a ``.NAME.*.part`` file or folder nobody holds a lock on (its
    job ended without tidying: a power cut, ``kill -9``), or a ``.NAME.old`` folder
    from a replace cut short. Parts of jobs still running are locked and kept.
    """
    target = Path(target)
    removed: list[Path] = []
    try:
        candidates = list(target.parent.glob(f".{glob_escape(target.name)}.*.part"))
    except OSError:
        return removed
    for part in candidates:
        if fcntl is None:
            try:
                stale = time.time() - part.lstat().st_mtime > _UNLOCKED_STALE_AGE
            except OSError:
                continue
            if stale:
                _remove(part)
                removed.append(part)
            continue
        try:
            fd = _open_lock(part)
        except OSError:
            continue
        try:
            if _lock(fd):
                _remove(part)
                removed.append(part)
        finally:
            os.close(fd)
    old = target.with_name(f".{target.name}.old")
    if old.is_dir() and not old.is_symlink() and target.exists():
        shutil.rmtree(old, ignore_errors=True)
        removed.append(old)
    return removed


def glob_escape(name: str) -> str:
    """``name`` with glob's special characters taken literally."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


# --- the writers ---------------------------------------------------------------------


def _publish_file(tmp: Path, target: Path, shown: object, *, replace: bool) -> None:
    """Move a complete temp file to ``target``: replacing, or only if nothing is there."""
    if replace:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # fails with EEXIST whatever appeared meanwhile
    except FileExistsError:
        raise OutputExistsError(shown) from None
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK):
            raise
        # No hard links here (FAT, some network shares): check, then rename.
        if target.exists() or target.is_symlink():
            raise OutputExistsError(shown) from None
        os.replace(tmp, target)
        return
    tmp.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, replace: bool = True) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it into place on success.

    On any exception (including ``KeyboardInterrupt`` and cancellation) the temp file
    is removed and ``path`` is left exactly as it was. ``OSError`` for a full disk or
    an unwritable folder becomes :class:`DiskFullError` / :class:`OutputNotWritableError`.

    A symlink at ``path`` is followed: its target is written and the link kept. A
    device, pipe or socket at ``path`` is refused (:class:`NotReplaceableError`).
    With ``replace=False`` an existing file is refused (:class:`OutputExistsError`),
    also one that appears while the caller writes.
    """
    shown = path
    target = output_target(path)
    existing = _check_file_target(target, shown, replace=replace)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_parts(target)
        tmp, lock = _make_temp(target, folder=False)
        if existing is not None:  # a replaced file keeps its permissions
            os.chmod(tmp, stat.S_IMODE(existing.st_mode))
    except OSError as error:
        raise _translate(error, Path(shown)) from error
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        _publish_file(tmp, target, shown, replace=replace)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise _translate(error, Path(shown)) from error
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if lock >= 0:
            os.close(lock)


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary folder next to ``path``; it replaces ``path`` on success.

    An existing ``path`` is swapped out only after the new folder is complete. A
    symlink at ``path`` is followed (the folder it points to is replaced). Leftovers
    of crashed jobs beside ``path`` are removed first (:func:`remove_stale_parts`).
    Whether an existing folder *may* be replaced is the caller's decision: see
    :func:`check_output_dir`.
    """
    shown = path
    path = output_target(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_parts(path)
        tmp, lock = _make_temp(path, folder=True)
    except OSError as error:
        raise _translate(error, Path(shown)) from error
    try:
        yield tmp
        if path.exists():
            old = path.with_name(f".{path.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except OSError as error:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _translate(error, Path(shown)) from error
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if lock >= 0:
            os.close(lock)


def write_text_atomic(path: str | os.PathLike[str], text: str, *, replace: bool = True) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically and return the path.

    ``replace=False`` refuses an existing file (see :func:`atomic_path`).
    """
    with atomic_path(path, replace=replace) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_json_atomic(path: str | os.PathLike[str], data: Any, *, replace: bool = True) -> Path:
    """Write ``data`` as pretty, key-sorted UTF-8 JSON to ``path`` atomically."""
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return write_text_atomic(path, text, replace=replace)


def link_or_copy(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
    """A hard link when the file system allows (instant, no space), else a copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


# --- copying big files ---------------------------------------------------------------

_COPY_STEP = 32 << 20  # bytes per copy_file_range call: progress and cancel between them
_HASH_STEP = 8 << 20
# copy_file_range cannot copy between these two files: write the bytes from memory.
_NO_KERNEL_COPY = {errno.ENOSYS, errno.EXDEV, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF}


class Crc32:
    """zlib's CRC-32 behind ``update()``, like a hashlib object."""

    def __init__(self) -> None:
        self.value = 0

    def update(self, data: bytes | memoryview) -> None:
        self.value = zlib.crc32(data, self.value)


def _hash_all(view: memoryview, digest: Any) -> None:
    for at in range(0, len(view), _HASH_STEP):
        digest.update(view[at : at + _HASH_STEP])


def _copy_steps(
    source: Any,
    offset: int,
    size: int,
    target: Any,
    start: int,
    view: memoryview,
    progress: Callable[[int], None],
) -> None:
    done, kernel = 0, True
    while done < size:
        step = min(_COPY_STEP, size - done)
        if kernel:
            try:
                copied = os.copy_file_range(
                    source.fileno(), target.fileno(), step, offset + done, start + done
                )
            except OSError as error:
                if error.errno not in _NO_KERNEL_COPY or done:
                    raise
                kernel = False
                continue
            if copied == 0:
                raise OSError(errno.EIO, "the file ended before the bytes to copy")
        else:
            target.seek(start + done)
            copied = target.write(view[done : done + step])
            target.flush()
        done += copied
        progress(done)


def copy_range(
    source: Any,
    offset: int,
    size: int,
    target: Any,
    digests: Sequence[Any],
    progress: Callable[[int], None],
) -> None:
    """Copy ``size`` bytes of the open file ``source`` from ``offset`` to ``target`` at
    its current position, feeding the same bytes to each of ``digests`` on the way.

    The bytes are copied by the kernel (``copy_file_range``: no trip through Python,
    a reflink on file systems that share blocks), or written from a memory map where it
    cannot; each digest (``hashlib`` object, :class:`Crc32`) reads the memory map on a
    thread of its own. All of these release the GIL, so on two cores the checks cost
    little more than the copy.

    Args:
        source: a file opened for reading (binary).
        offset: where the bytes begin in ``source``.
        size: how many bytes to copy; ``source`` must hold them.
        target: a file opened for writing (binary); left positioned after the bytes.
        digests: objects with ``update(bytes)``, fed the bytes in order.
        progress: called with the bytes copied so far, between big steps; raising
            from it (a cancellation) stops the copy.

    Raises:
        OSError: reading or writing failed (a full disk, a file shorter than ``size``).
    """
    import mmap  # only the big copies need it

    target.flush()
    start = target.tell()
    if size == 0:
        for digest in digests:
            digest.update(b"")
        return
    page = offset - offset % mmap.ALLOCATIONGRANULARITY
    mapped = mmap.mmap(source.fileno(), size + offset - page, access=mmap.ACCESS_READ, offset=page)
    try:
        view = memoryview(mapped)[offset - page :]
        try:
            with ThreadPoolExecutor(max_workers=len(digests) or 1) as pool:
                hashing = [pool.submit(_hash_all, view, digest) for digest in digests]
                _copy_steps(source, offset, size, target, start, view, progress)
                for future in hashing:
                    future.result()
        finally:
            view.release()
    finally:
        mapped.close()
    target.seek(start + size)
