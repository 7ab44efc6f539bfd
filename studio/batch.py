"""The batch runner: many lecture videos into lesson folders on a Dask cluster.

``run_batch`` is a long job in the sense of ``shared.jobs``: the CLI (``lectern-studio
batch``), the tests and the bench call it with their own progress state. One lesson is
one Dask task that runs the ordinary build (``studio.pipeline.build_lesson``) on a
worker; without a scheduler address a ``LocalCluster`` of worker processes sized to
this computer is started, with an address the work goes to an existing cluster whose
workers see the same paths (a shared file system).

What a department re-processing an archive needs from it:

* each lesson folder appears whole or not at all (built in a temporary folder next to
  it, then renamed, by the ordinary build; the next build there removes what a killed
  worker left);
* ``batch.json`` in each lesson folder holds the source's SHA-256 and the settings, so
  a rerun skips lessons that are finished and rebuilds those whose source or settings
  changed; a lesson folder of another source, or one the batch did not make, is never
  replaced (that lesson fails with a sentence saying so);
* a lesson that fails is reported with its one-sentence error and the others go on; a
  source that is not a video is reported and skipped;
* a worker killed mid-lesson gets its task retried by the scheduler on another worker;
* the speech model is loaded once per worker process, not once per lesson, with as many
  CPU threads as leaves the machine's cores not oversubscribed;
* cancelling (Ctrl+C) stops the running lessons at their next safe point, removes their
  temporary folders and keeps every finished lesson.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import hashlib
import json
import logging
import os
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared import media, transcription
from shared.errors import DiskFullError, LecternError
from shared.files import write_json_atomic
from shared.jobs import Cancelled, JobState, ProgressState, check_cancelled
from shared.manifest import CourseInfo, new_course_id
from shared.timecode import utc_now
from shared.workspace import LESSON_FILE, Lesson, LessonWorkspace, slugify
from studio.capture.recording import JSON_NAME as RECORDING_FILE
from studio.course import Course, package_lessons
from studio.pipeline import BuildOptions, build_lesson

__all__ = [
    "BATCH_FILE",
    "BatchError",
    "BatchOptions",
    "BatchProgress",
    "BatchResult",
    "LessonJob",
    "LessonOutcome",
    "NoSourcesError",
    "NoWorkersError",
    "OtherLessonError",
    "PathsNotSharedError",
    "SchedulerUnreachableError",
    "adopt_staged_lessons",
    "build_one",
    "local_cluster_size",
    "plan_lessons",
    "run_batch",
    "source_hash",
    "staging_folder",
    "staging_folders",
]

BATCH_FILE = "batch.json"
"""In each lesson folder the batch made: the source's hash and the build settings."""

BUILT, SKIPPED, FAILED, NOT_VIDEO, CANCELLED = (
    "built",
    "skipped",
    "failed",
    "not-video",
    "cancelled",
)

# A worker process that runs the build needs about this much memory with the small
# bundled model (measured in bench/bench_batch.py); larger models need more.
WORKER_MEMORY = 1_000_000_000


class BatchError(LecternError):
    """A batch cannot be run as asked."""


class SchedulerUnreachableError(BatchError):
    """No Dask scheduler answers at the address."""

    def __init__(self, address: str, seconds: float) -> None:
        super().__init__(
            f"No Dask scheduler answered at {address} within {seconds:g} s; check the address "
            "and that `dask-scheduler` is running there."
        )


class NoWorkersError(BatchError):
    """The scheduler answers but has no worker to run the lessons."""

    def __init__(self, address: str, seconds: float) -> None:
        super().__init__(
            f"The Dask scheduler at {address} has had no worker for {seconds:g} s; start "
            "`dask-worker` processes that connect to it and try again."
        )


class PathsNotSharedError(BatchError):
    """A worker cannot see the sources or the output folder at the same path."""

    def __init__(self, worker: str, path: object) -> None:
        super().__init__(
            f"The Dask worker {worker} cannot see {path} at the same path as this computer; "
            "the batch needs the sources and the output folder on a file system every "
            "worker mounts at the same place."
        )


class NoSourcesError(BatchError):
    """Nothing to build."""

    def __init__(self, sources: Sequence[Path]) -> None:
        names = ", ".join(str(s) for s in sources[:3]) or "(none)"
        super().__init__(
            f"There is no video to build in {names}; give lecture videos, recording "
            "folders or a folder of them."
        )


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch and how to build each lesson.

    Attributes:
        engine, model, language, loudness, min_chapter: as for ``lectern-studio build``.
        scheduler: ``tcp://host:8786`` of an existing cluster; ``None`` starts a local one.
        workers: worker processes of the local cluster (default: sized to the machine).
        package_title: when given, the finished lessons are packaged into one course,
            ``OUT_DIR/<title>.lectern``, at the end.
        connect_timeout: seconds to wait for a scheduler, and then for a worker.
    """

    engine: str = "faster-whisper"
    model: str | None = None
    language: str | None = None
    loudness: bool = True
    min_chapter: float = 10.0
    scheduler: str | None = None
    workers: int | None = None
    package_title: str | None = None
    connect_timeout: float = 5.0

    def settings(self) -> dict[str, Any]:
        """What a finished lesson was built with; a change rebuilds it."""
        return {
            "engine": self.engine,
            "model": self.model or "",
            "language": self.language or "",
            "loudness": self.loudness,
            "min_chapter": self.min_chapter,
        }


@dataclass(frozen=True)
class LessonJob:
    """One source and the lesson folder it becomes."""

    source: Path
    folder: Path


@dataclass(frozen=True)
class LessonOutcome:
    """What became of one source.

    Attributes:
        status: ``built``, ``skipped`` (finished before, same source and settings),
            ``failed``, ``not-video`` or ``cancelled``.
        error: the one-sentence reason for ``failed`` and ``not-video``.
        audio_seconds: the length of a lesson built now (0 otherwise).
        seconds: the task's own time on its worker.
        worker: the Dask worker that ran it.
        model_loaded: the worker loaded the speech model for this lesson (its first).
        disk_full: the failure was a full disk.
        worker_peak_memory: the worker process's peak resident memory so far, bytes
            (0 where the system does not tell).
    """

    source: Path
    folder: Path
    status: str
    error: str = ""
    audio_seconds: float = 0.0
    seconds: float = 0.0
    worker: str = ""
    model_loaded: bool = False
    disk_full: bool = False
    worker_peak_memory: int = 0


@dataclass(frozen=True)
class BatchProgress:
    """A snapshot of a running batch, for a progress line or a window."""

    total: int
    built: int = 0
    skipped: int = 0
    failed: int = 0
    not_video: int = 0
    running: int = 0
    audio_seconds: float = 0.0
    elapsed: float = 0.0
    workers: int = 0
    dashboard: str | None = None

    @property
    def finished(self) -> int:
        return self.built + self.skipped + self.failed + self.not_video

    @property
    def hours_per_hour(self) -> float:
        """Hours of audio built per hour of wall time so far."""
        return self.audio_seconds / self.elapsed if self.elapsed > 0 else 0.0

    def line(self) -> str:
        """``"3/10 done (1 skipped), 0 failed, 2 running, 41.2 h of audio per hour"``."""
        skipped = f" ({self.skipped} skipped)" if self.skipped else ""
        not_video = f", {self.not_video} not a video" if self.not_video else ""
        return (
            f"{self.built + self.skipped}/{self.total} done{skipped}, {self.failed} failed"
            f"{not_video}, {self.running} running, "
            f"{self.hours_per_hour:.1f} h of audio per hour"
        )


@dataclass(frozen=True)
class BatchResult:
    outcomes: tuple[LessonOutcome, ...]
    package: Path | None
    dashboard: str | None
    workers: int
    elapsed: float

    def with_status(self, *statuses: str) -> list[LessonOutcome]:
        return [o for o in self.outcomes if o.status in statuses]

    @property
    def audio_seconds(self) -> float:
        return sum(o.audio_seconds for o in self.outcomes)


# ------------------------------------------------------------------ planning


STAGING_PREFIX = ".batch-"
"""A course's hidden folder where the Studio window's parallel import builds lessons."""


def staging_folder(course_folder: Path) -> Path:
    """A new hidden folder in the course for one parallel import (not created)."""
    return Path(course_folder) / f"{STAGING_PREFIX}{uuid.uuid4().hex[:12]}"


def staging_folders(course_folder: Path) -> list[Path]:
    """Staging folders a parallel import left behind (the Studio was closed or killed)."""
    try:
        return sorted(
            p
            for p in Path(course_folder).iterdir()
            if p.name.startswith(STAGING_PREFIX) and p.is_dir()
        )
    except OSError:
        return []


def adopt_staged_lessons(course: Course, staging: Path, order: Sequence[Path] = ()) -> Path | None:
    """Move the lessons a batch finished in ``staging`` into ``course``, then drop ``staging``.

    ``order`` lists the planned lesson folders in the order the teacher chose; finished
    lessons not in it follow by name. Unfinished ones (failed, cancelled, killed) go away
    with the staging folder: their source videos are untouched. Returns the last lesson
    added, if any.

    Raises:
        OSError: a finished lesson could not be moved (the staging folder is kept then,
            so the next opening of the course tries again).
    """
    planned = [Path(folder) for folder in order]
    try:
        found = sorted(p for p in staging.iterdir() if p.is_dir() and p not in planned)
    except FileNotFoundError:
        return None
    added = None
    for folder in planned + found:
        if not (folder / LESSON_FILE).is_file():
            continue
        target = course.new_lesson_folder(folder)
        # The batch's record is for reruns of `lectern-studio batch`, not a course.
        (folder / BATCH_FILE).unlink(missing_ok=True)
        folder.rename(target)
        course.add_lesson(target)
        added = target
    shutil.rmtree(staging, ignore_errors=True)
    return added


def plan_lessons(sources: Iterable[str | os.PathLike[str]], out_dir: Path) -> list[LessonJob]:
    """One job per source, each with its own lesson folder in ``out_dir``.

    A source is a video file, a recording folder (it holds ``recording.json``) or a
    folder of those (not searched deeper; hidden files and other folders are left out). The folder name
    comes from the file or folder name; a repeated name gets ``-2``, ``-3`` in source
    order, so the same sources give the same folders on a rerun.
    """
    expanded: list[Path] = []
    for source in sources:
        path = Path(source).absolute()
        if path.is_dir() and not (path / RECORDING_FILE).is_file():
            # A folder of sources: its videos (and other files, reported as not videos)
            # and its recording folders; other folders (the output, say) are not sources.
            expanded += sorted(
                p
                for p in path.iterdir()
                if not p.name.startswith(".") and (p.is_file() or (p / RECORDING_FILE).is_file())
            )
        else:
            expanded.append(path)
    jobs, used = [], set()
    for path in expanded:
        base = slugify(path.stem if path.is_file() else path.name)
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}-{n}"
        used.add(name)
        jobs.append(LessonJob(path, Path(out_dir).absolute() / name))
    return jobs


def source_hash(video: Path, camera: Path | None = None) -> str:
    """SHA-256 of a lesson's input media (the video, then the camera video if any)."""
    digest = hashlib.sha256()
    for path in (video, camera):
        if path is None:
            continue
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()


def local_cluster_size(lessons: int, workers: int | None = None) -> tuple[int, int]:
    """``(worker processes, Whisper threads per worker)`` for a cluster on this machine.

    One process per physical core (fewer if memory or the number of lessons is
    smaller); the cores are then shared out so workers x threads never exceeds them.
    """
    import psutil

    cores = transcription.physical_cores()
    by_memory = max(1, int(psutil.virtual_memory().available // WORKER_MEMORY))
    count = workers or min(cores, by_memory)
    count = max(1, min(count, max(1, lessons)))
    return count, max(1, cores // count)


# ------------------------------------------------------------------ on a worker

_engines: dict[tuple[Any, ...], transcription.Engine] = {}
_engines_lock = threading.Lock()


def _worker_engine(settings: dict[str, Any], threads: int) -> transcription.Engine:
    """The engine of this worker process for these settings: made, and loaded, once."""
    key = (settings["engine"], settings["model"], threads)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            kwargs: dict[str, Any] = {"model": settings["model"] or None}
            if settings["engine"] == "faster-whisper":
                kwargs["threads"] = threads
            engine = _engines[key] = transcription.get_engine(settings["engine"], **kwargs)
        return engine


class _TaskState:
    """A build's state on a worker: cancelled when the batch's Dask event is set."""

    def __init__(self, event_name: str | None) -> None:
        self._event: Any = None
        if event_name:
            from distributed import Event

            self._event = Event(event_name)
        self._checked = 0.0
        self._cancelled = False

    def set_progress(self, fraction: float) -> None:
        pass

    def set_status(self, text: str) -> None:
        pass

    def cancelled(self) -> bool:
        # One round trip to the scheduler a second at most: the build asks often.
        now = time.monotonic()
        if self._event is not None and not self._cancelled and now - self._checked > 1.0:
            self._checked = now
            try:
                self._cancelled = self._event.is_set()
            except Exception:  # the scheduler went away: the batch is over
                self._cancelled = True
        return self._cancelled


def _inputs(source: Path) -> tuple[Path, Path | None]:
    if source.is_dir():
        from studio.capture.recording import build_inputs

        return build_inputs(source)
    return source, None


class OtherLessonError(BatchError):
    """The lesson folder holds a lesson the batch did not make from this source."""

    def __init__(self, folder: Path, made_from: str) -> None:
        where = f"made from {made_from}" if made_from else "not made by `batch`"
        super().__init__(
            f"{folder} already holds a lesson {where}; the batch replaces only lessons it "
            "made from the same source, so choose another output folder or move that one."
        )


def _finished(job: LessonJob, digest: str, settings: dict[str, Any]) -> bool:
    """Whether ``job.folder`` holds this source's lesson built with these settings.

    Raises:
        OtherLessonError: the folder holds a lesson of another source (a different
            file at another path), or one the batch did not make: it is not replaced.
    """
    if not job.folder.exists():
        return False
    try:
        record = json.loads((job.folder / BATCH_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = None
    if not isinstance(record, dict):
        if (job.folder / LESSON_FILE).is_file():
            raise OtherLessonError(job.folder, "")
        return False  # not a lesson: the build decides (an empty folder is fine)
    same_source = record.get("source_sha256") == digest
    if not same_source and record.get("source") != str(job.source):
        raise OtherLessonError(job.folder, str(record.get("source") or ""))
    try:
        LessonWorkspace.open(job.folder)
    except LecternError:
        return False
    return same_source and record.get("settings") == settings


def _no_room(job: LessonJob) -> bool:
    """Whether the output's disk has less room than the source (a failed build's cause).

    Some tools end "successfully" on a full disk and leave a truncated file, so the
    error that surfaces names that file, not the disk.
    """
    try:
        need = job.source.stat().st_size if job.source.is_file() else 0
        return shutil.disk_usage(job.folder.parent).free < need
    except OSError:
        return False


def build_one(
    job: LessonJob,
    settings: dict[str, Any],
    threads: dict[str, int],
    event_name: str | None = None,
) -> LessonOutcome:
    """Build one lesson folder (the Dask task; runs on a worker, callable anywhere).

    Args:
        job: the source and the lesson folder.
        settings: :meth:`BatchOptions.settings`.
        threads: Whisper threads by worker address; an address not in it (a worker
            that joined later) takes the smallest.
        event_name: the Dask event that cancels the batch (``None`` outside Dask).

    Returns:
        What became of the source; never raises for a problem with the lesson.
    """
    started = time.monotonic()
    worker = _worker_address()
    outcome = functools.partial(LessonOutcome, job.source, job.folder, worker=worker)
    state = _TaskState(event_name)
    try:
        check_cancelled(state, "The batch")
        if not job.source.exists():
            raise media.MediaNotFoundError(job.source)
        if job.source.is_file():
            try:
                info = media.probe(job.source)
            except (media.NotMediaError, media.EmptyMediaError) as error:
                return outcome(NOT_VIDEO, error=str(error), seconds=time.monotonic() - started)
            if not info.has_video:
                error = media.NoVideoError(job.source)
                return outcome(NOT_VIDEO, error=str(error), seconds=time.monotonic() - started)
        video, camera = _inputs(job.source)
        digest = source_hash(video, camera)
        if _finished(job, digest, settings):
            return outcome(SKIPPED, seconds=time.monotonic() - started)
        engine = _worker_engine(settings, threads.get(worker) or min(threads.values(), default=1))
        unloaded = getattr(engine, "_model", True) is None
        options = BuildOptions(
            engine=settings["engine"],
            model=settings["model"] or None,
            language=settings["language"] or None,
            loudness=settings["loudness"],
            min_chapter=settings["min_chapter"],
            replace=True,
        )
        # The build assembles the folder beside it and renames it into place (removing
        # what a killed build left there); the record follows, so a lesson without one
        # is built again on the next run.
        result = build_lesson(job.source, job.folder, options, state, engine=engine)
        write_json_atomic(
            job.folder / BATCH_FILE,
            {
                "format": "lectern-batch",
                "source": str(job.source),
                "source_sha256": digest,
                "settings": settings,
                "built": utc_now(),
            },
        )
        loaded = unloaded and getattr(engine, "_model", None) is not None
        return outcome(
            BUILT,
            audio_seconds=result.lesson.duration,
            seconds=time.monotonic() - started,
            model_loaded=loaded,
            worker_peak_memory=_peak_memory(),
        )
    except Cancelled:
        return outcome(CANCELLED, seconds=time.monotonic() - started)
    except LecternError as error:
        if isinstance(error, DiskFullError) or _no_room(job):
            return outcome(FAILED, error=str(DiskFullError(job.folder)), disk_full=True)
        return outcome(FAILED, error=str(error), seconds=time.monotonic() - started)
    except MemoryError:
        return outcome(FAILED, error=f"{job.source}: the worker ran out of memory.")
    except Exception as error:  # one lesson's bug must not stop the others
        return outcome(
            FAILED,
            error=f"{job.source}: unexpected error ({type(error).__name__}: {error}).",
        )


def dask_setup(worker: Any) -> None:
    """Worker preload (``dask worker --preload studio.batch``): leave Ctrl+C to the client.

    On a terminal Ctrl+C reaches every process of the foreground group, local workers
    too; a worker that dies of it loses its lesson's clean-up. The client cancels the
    batch instead, and each running lesson stops at its next safe point.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _peak_memory() -> int:
    try:
        import resource
    except ImportError:  # Windows
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return ""


# ------------------------------------------------------------------ the client


def run_batch(
    sources: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    options: BatchOptions = BatchOptions(),
    state: ProgressState | None = None,
    *,
    on_progress: Callable[[BatchProgress], None] | None = None,
) -> BatchResult:
    """Build a lesson folder in ``out_dir`` for each source, on a Dask cluster.

    Args:
        sources: videos, recording folders, or folders of them.
        out_dir: where the lesson folders (and the package) go.
        options: see :class:`BatchOptions`.
        state: progress (lessons finished / all) and cancellation.
        on_progress: called on the calling thread with a :class:`BatchProgress`
            whenever the counts change, and at least every few seconds.

    Returns:
        One outcome per source, in source order, and the package if one was asked.

    Raises:
        SchedulerUnreachableError, NoWorkersError, PathsNotSharedError, NoSourcesError.
        DiskFullError: ``out_dir`` filled up; the batch stopped, finished lessons kept.
        Cancelled, KeyboardInterrupt: the batch stopped; finished lessons are kept and
            nothing half-written is left.
    """
    from distributed import Client

    out_dir = Path(out_dir).absolute()
    state = state or JobState()
    jobs = plan_lessons(sources, out_dir)
    if not jobs:
        raise NoSourcesError([Path(s) for s in sources])
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BatchError(
            f"Cannot create {out_dir} ({error.strerror}); choose another folder."
        ) from error
    started = time.monotonic()
    cluster = None
    state.set_status("Starting the cluster")
    if options.scheduler is None:
        cluster = _local_cluster(len(jobs), options.workers)
        client = Client(cluster)
        address = cluster.scheduler_address
    else:
        address = options.scheduler
        client = _connect(address, options.connect_timeout)
    try:
        _wait_for_workers(client, address, options.connect_timeout)
        _check_shared(client, jobs, out_dir)
        threads = _whisper_threads(client)
        dashboard = _dashboard(client)
        outcomes = _run(client, jobs, options, threads, dashboard, started, state, on_progress)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    ordered = tuple(outcomes)
    if any(o.disk_full for o in ordered):
        raise DiskFullError(out_dir)
    package = None
    if options.package_title:
        package = _package(ordered, out_dir, options.package_title, state)
    return BatchResult(
        outcomes=ordered,
        package=package,
        dashboard=dashboard,
        workers=len(threads),
        elapsed=time.monotonic() - started,
    )


def _local_cluster(lessons: int, workers: int | None) -> Any:
    from distributed import LocalCluster

    count, _ = local_cluster_size(lessons, workers)
    return LocalCluster(
        n_workers=count,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # any free port: other programs may hold 8787
        silence_logs=logging.CRITICAL,
        memory_limit=0,  # a lesson's memory is bounded by its model; no pausing
        preload=["studio.batch"],  # dask_setup: Ctrl+C is the client's to handle
    )


def _connect(address: str, timeout: float) -> Any:
    from distributed import Client

    logging.getLogger("distributed").setLevel(logging.CRITICAL)
    _probe(address, timeout)
    try:
        return Client(address, timeout=f"{timeout}s", set_as_default=False)
    except Exception as error:  # MemoryError too: msgpack decoding what is not Dask
        raise SchedulerUnreachableError(address, timeout) from error


def _probe(address: str, timeout: float) -> None:
    """Fail at once when nothing listens at a ``tcp://host:port`` address.

    Dask's own connect retries a refused connection until its timeout; a plain socket
    says "refused" in milliseconds.
    """
    import socket
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(address if "://" in address else f"tcp://{address}")
        if parts.scheme not in ("tcp", "tls") or not parts.hostname:
            return  # another transport (inproc, ucx): let Dask try it
        port = parts.port or 8786
    except ValueError as error:
        raise SchedulerUnreachableError(address, timeout) from error
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except OSError as error:
        raise SchedulerUnreachableError(address, timeout) from error
    try:  # something listens: is it a Dask scheduler? (a half-made Client hangs on close)
        identity = asyncio.run(_identity(address, timeout))
    except Exception as error:
        raise SchedulerUnreachableError(address, timeout) from error
    if not isinstance(identity, dict) or identity.get("type") != "Scheduler":
        raise SchedulerUnreachableError(address, timeout)


async def _identity(address: str, timeout: float) -> Any:
    from distributed.core import rpc

    async with rpc(address, timeout=timeout) as scheduler:
        return await asyncio.wait_for(scheduler.identity(), timeout)


def _wait_for_workers(client: Any, address: str, timeout: float) -> None:
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError) as error:
        raise NoWorkersError(address, timeout) from error


def _sees(marker: str, token: str, paths: list[str]) -> str:
    """On a worker: the first of the batch's paths it cannot see, or ``""``."""
    try:
        with open(marker, encoding="utf-8") as handle:
            if handle.read() != token:
                return str(Path(marker).parent)
    except OSError:
        return str(Path(marker).parent)
    if not os.access(Path(marker).parent, os.W_OK):
        return str(Path(marker).parent)
    return next((p for p in paths if not os.path.exists(p)), "")


def _check_shared(client: Any, jobs: Sequence[LessonJob], out_dir: Path) -> None:
    """Refuse when a worker does not see the output folder and sources as we do."""
    token = uuid.uuid4().hex
    marker = out_dir / f".lectern-batch-{token}"
    try:
        marker.write_text(token, encoding="utf-8")
    except OSError as error:
        marker.unlink(missing_ok=True)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFullError(out_dir) from error
        raise BatchError(
            f"Cannot write in {out_dir} ({error.strerror}); choose a folder you may write to."
        ) from error
    try:
        sources = [str(job.source) for job in jobs if job.source.exists()]
        seen = client.run(_sees, str(marker), token, sources)
    finally:
        marker.unlink(missing_ok=True)
    for worker, missing in sorted(seen.items()):
        if missing:
            raise PathsNotSharedError(worker, missing)


def _cores() -> int:
    return transcription.physical_cores()


def _whisper_threads(client: Any) -> dict[str, int]:
    """Whisper threads per worker: a host's cores shared among its task slots."""
    cores = client.run(_cores)
    workers = client.scheduler_info(n_workers=-1)["workers"]
    slots: dict[str, int] = {}
    for info in workers.values():
        slots[info["host"]] = slots.get(info["host"], 0) + int(info.get("nthreads", 1))
    return {
        address: max(1, cores.get(address, 1) // max(1, slots[info["host"]]))
        for address, info in workers.items()
    }


def _has_bokeh() -> bool:
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def _dashboard(client: Any) -> str | None:
    """The dashboard's address, when the scheduler serves one (it needs bokeh there)."""
    try:
        port = client.scheduler_info()["services"].get("dashboard")
        served = port and client.run_on_scheduler(_has_bokeh)
    except (KeyError, OSError):
        return None
    return client.dashboard_link if served else None


def _run(
    client: Any,
    jobs: Sequence[LessonJob],
    options: BatchOptions,
    threads: dict[str, int],
    dashboard: str | None,
    started: float,
    state: ProgressState,
    on_progress: Callable[[BatchProgress], None] | None,
) -> list[LessonOutcome]:
    from distributed import Event, as_completed

    event_name = f"lectern-batch-{uuid.uuid4().hex}"
    event = Event(event_name, client=client)
    settings = options.settings()
    futures = [
        client.submit(
            build_one, job, settings, threads, event_name, key=f"lesson-{i}-{uuid.uuid4().hex}"
        )
        for i, job in enumerate(jobs)
    ]
    index = {future.key: i for i, future in enumerate(futures)}
    slots = sum(client.nthreads().values()) or 1
    outcomes: list[LessonOutcome | None] = [None] * len(jobs)
    pending = as_completed(futures, loop=client.loop)
    last: tuple[int, ...] = ()
    last_report = 0.0
    try:
        while not pending.is_empty():
            for future in pending.next_batch(block=False):
                i = index[future.key]
                outcomes[i] = _outcome(future, jobs[i])
                if outcomes[i].disk_full:  # the disk will not make room by itself: stop
                    event.set()
            check_cancelled(state, "The batch")
            progress = _snapshot(client, outcomes, len(threads), slots, dashboard, started)
            counts = (progress.built, progress.skipped, progress.failed, progress.running)
            now = time.monotonic()
            if counts != last or now - last_report > 5.0:
                last, last_report = counts, now
                state.set_progress(progress.finished / progress.total)
                state.set_status(progress.line())
                if on_progress is not None:
                    on_progress(progress)
            time.sleep(0.2)
    except BaseException:
        _stop(client, event, futures)
        raise
    state.set_progress(1.0)
    return [
        o if o is not None else LessonOutcome(j.source, j.folder, CANCELLED)
        for o, j in zip(outcomes, jobs, strict=True)
    ]


def _outcome(future: Any, job: LessonJob) -> LessonOutcome:
    if future.status == "finished":
        return future.result()
    if future.status == "cancelled":
        return LessonOutcome(job.source, job.folder, CANCELLED)
    error = future.exception()
    if type(error).__name__ == "KilledWorker":
        message = (
            f"{job.source}: the workers building it died several times (out of memory?); "
            "build it alone with `lectern-studio build` to see why."
        )
    else:
        message = f"{job.source}: {type(error).__name__}: {error}."
    return LessonOutcome(job.source, job.folder, FAILED, error=message)


def _snapshot(
    client: Any,
    outcomes: Sequence[LessonOutcome | None],
    workers: int,
    slots: int,
    dashboard: str | None,
    started: float,
) -> BatchProgress:
    done = [o for o in outcomes if o is not None]
    try:
        running = sum(len(keys) for keys in client.processing().values())
    except Exception:  # a worker or the scheduler is restarting: shown next time
        running = 0
    return BatchProgress(
        total=len(outcomes),
        built=sum(o.status == BUILT for o in done),
        skipped=sum(o.status == SKIPPED for o in done),
        failed=sum(o.status in (FAILED, CANCELLED) for o in done),
        not_video=sum(o.status == NOT_VIDEO for o in done),
        running=min(running, slots, len(outcomes) - len(done)),
        audio_seconds=sum(o.audio_seconds for o in done),
        elapsed=time.monotonic() - started,
        workers=workers,
        dashboard=dashboard,
    )


def _stop(client: Any, event: Any, futures: Sequence[Any], wait: float = 30.0) -> None:
    """Cancel the batch: running lessons stop at a safe point and clean up after themselves."""
    try:
        event.set()
        queued = [f for f in futures if not f.done()]
        processing = {key for keys in client.processing().values() for key in keys}
        client.cancel([f for f in queued if f.key not in processing])
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and any(
            not f.done() for f in queued if f.key in processing
        ):
            time.sleep(0.2)
        client.cancel(futures)
    except Exception:  # the cluster is going away anyway; temp folders are cleaned on rerun
        pass


def _package(
    outcomes: Sequence[LessonOutcome], out_dir: Path, title: str, state: ProgressState
) -> Path:
    folders = [o.folder for o in outcomes if o.status in (BUILT, SKIPPED)]
    if not folders:
        raise BatchError(f"No lesson was built, so there is no course '{title}' to package.")
    output = out_dir / f"{slugify(title, fallback='course')}.lectern"

    def describe(loaded: list[tuple[Path, Lesson]]) -> CourseInfo:
        return CourseInfo(
            id=new_course_id(),
            version=1,
            title=title,
            description="",
            author="",
            language=loaded[0][1].language or "en",
            created=max((lesson.updated for _, lesson in loaded), default="") or utc_now(),
        )

    state.set_status(f"Packaging {len(folders)} lessons into {output.name}")
    package_lessons(folders, output, describe, state=state)
    return output
