"""`lectern-studio batch` on real Dask clusters, real ffmpeg and the real bundled model.

Small generated lectures (espeak-ng speech over an ffmpeg test picture) keep each
lesson to a few seconds of work; the clusters are real: a ``LocalCluster`` of worker
processes, and a separate ``dask scheduler`` with two ``dask worker`` processes on
loopback, one of which is killed with SIGKILL in the middle of a lesson.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shared.workspace import LessonWorkspace
from studio.batch import BATCH_FILE, BatchOptions, LessonJob, build_one, run_batch
from tests.spoken_lectures import espeak_available, spoken_lecture
from tests.studio.conftest import stop_process

pytestmark = pytest.mark.slow

SENTENCES = (
    "Rivers carry water from the mountains down to the sea.",
    "Volcanoes form where melted rock rises through the crust.",
    "Clouds are made of tiny drops of water in the cold air.",
)
KEYWORDS = ("rivers", "rock", "cloud")  # one word of each sentence that tiny.en gets right


@pytest.fixture(scope="module")
def lectures(tmp_path_factory, ffmpeg_bin: str) -> list[Path]:
    """Three short lectures: a moving test picture and a spoken sentence each."""
    if not espeak_available():
        pytest.skip("espeak-ng is not installed (make setup installs it)")
    folder = tmp_path_factory.mktemp("lectures")
    return [
        spoken_lecture(
            folder / f"lecture-{number}.mp4",
            text,
            ffmpeg=ffmpeg_bin,
            size="160x120",
            rate=5,
            seconds=6,
            words_per_minute=170,
        )
        for number, text in enumerate(SENTENCES, start=1)
    ]


def _studio(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "studio.cli", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def _no_leftovers(out: Path) -> None:
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def _said(folder: Path) -> str:
    return LessonWorkspace.open(folder).transcript().text.lower()


def test_local_cluster_builds_reports_and_reruns(lectures: list[Path], tmp_path: Path):
    sources = tmp_path / "sources"
    sources.mkdir()
    for lecture in lectures:
        shutil.copyfile(lecture, sources / lecture.name)
    (sources / "notes.txt").write_text("not a lecture", encoding="utf-8")
    out = tmp_path / "out"
    seen = []
    result = run_batch([sources], out, BatchOptions(workers=2), on_progress=seen.append)
    statuses = {o.source.name: o.status for o in result.outcomes}
    assert statuses == {
        "lecture-1.mp4": "built",
        "lecture-2.mp4": "built",
        "lecture-3.mp4": "built",
        "notes.txt": "not-video",
    }
    assert "notes.txt" in result.outcomes[-1].error and result.outcomes[-1].error.endswith(".")
    assert result.workers == 2
    # bokeh is installed here (the `dashboard` extra): the scheduler serves its dashboard.
    assert result.dashboard and result.dashboard.startswith("http://127.0.0.1:")
    built = result.outcomes[:3]
    for outcome, word in zip(built, KEYWORDS, strict=True):
        assert outcome.folder == out / outcome.source.stem
        assert word in _said(outcome.folder)
        record = json.loads((outcome.folder / BATCH_FILE).read_text(encoding="utf-8"))
        assert record["source"] == str(outcome.source)
    # The model is loaded once per worker process, not once per lesson.
    assert sum(o.model_loaded for o in built) == len({o.worker for o in built}) <= 2
    assert seen and seen[-1].finished == 4 and seen[-1].not_video == 1
    assert not (out / "notes").exists()
    _no_leftovers(out)

    # A rerun skips what is finished and rebuilds the lesson whose source changed.
    stamps = {o.folder: (o.folder / "lesson.json").stat().st_mtime_ns for o in built}
    shutil.copyfile(lectures[1], sources / "lecture-3.mp4")
    again = run_batch([sources], out, BatchOptions(workers=1, package_title="Earth science"))
    assert [o.status for o in again.outcomes] == ["skipped", "skipped", "built", "not-video"]
    for outcome in again.outcomes[:2]:
        assert (outcome.folder / "lesson.json").stat().st_mtime_ns == stamps[outcome.folder]
    assert KEYWORDS[1] in _said(out / "lecture-3")
    assert again.package == out / "earth-science.lectern" and again.package.is_file()
    _no_leftovers(out)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _dask(*args: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dask", *args],
        stdout=subprocess.DEVNULL,
        stderr=open(log, "w"),  # noqa: SIM115 - closed with the process
    )


@pytest.fixture
def dask_cluster(tmp_path: Path):
    """A `dask scheduler` and two `dask worker` processes (no nanny) on loopback."""
    from distributed import Client

    address = f"tcp://127.0.0.1:{_free_port()}"
    port = address.rsplit(":", 1)[1]
    processes = [
        _dask(
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            port,
            "--no-dashboard",
            log=tmp_path / "scheduler.log",
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", int(port)), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the Dask scheduler did not start"
                time.sleep(0.2)
        for number in (1, 2):
            processes.append(
                _dask(
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                    log=tmp_path / f"worker-{number}.log",
                )
            )
        with Client(address, timeout="30s", set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)
        yield address, processes[1:]
    finally:
        for process in reversed(processes):
            stop_process(process)


def test_existing_cluster_survives_a_killed_worker(
    lectures: list[Path], tmp_path: Path, dask_cluster
):
    address, workers = dask_cluster
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "studio.cli", "batch", *map(str, lectures[:2])]
    batch = subprocess.Popen(
        [*cmd, "-o", str(out), "--scheduler", address, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    # Kill a worker with SIGKILL once both workers are in the middle of a lesson.
    def building() -> set[str]:
        return {p.name.split(".")[1] for p in out.glob(".*.part")} if out.is_dir() else set()

    deadline = time.monotonic() + 300
    while len(building()) < 2:
        assert time.monotonic() < deadline and batch.poll() is None, batch.stderr.read()
        time.sleep(0.05)
    os.kill(workers[0].pid, signal.SIGKILL)
    stdout, stderr = batch.communicate(timeout=600)
    assert batch.returncode == 0, stderr
    report = json.loads(stdout)
    assert [lesson["status"] for lesson in report["lessons"]] == ["built", "built"]
    # Both lessons came back from the surviving worker: the killed one's was retried.
    assert len({lesson["worker"] for lesson in report["lessons"]}) == 1
    assert sorted(p.name for p in out.iterdir()) == ["lecture-1", "lecture-2"]
    for lesson, word in zip(report["lessons"], KEYWORDS, strict=False):
        assert word in _said(Path(lesson["folder"]))
    _no_leftovers(out)


def test_unreachable_scheduler_is_one_sentence(lectures: list[Path], tmp_path: Path):
    address = f"tcp://127.0.0.1:{_free_port()}"
    result = _studio("batch", lectures[0], "-o", tmp_path / "out", "--scheduler", address)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and address in lines[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_ctrl_c_keeps_finished_lessons(lectures: list[Path], tmp_path: Path):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "studio.cli", "batch", *map(str, lectures[:2])]
    batch = subprocess.Popen(
        [*cmd, "-o", str(out), "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while not (out / "lecture-1").is_dir() or not list(out.glob(".lecture-2.*.part")):
        assert time.monotonic() < deadline and batch.poll() is None, batch.stderr.read()
        time.sleep(0.05)
    # Ctrl+C on a terminal reaches the whole foreground group: the CLI and its workers.
    os.killpg(batch.pid, signal.SIGINT)
    _, stderr = batch.communicate(timeout=300)
    assert batch.returncode == 130, stderr
    assert "cancelled" in stderr.strip().splitlines()[-1] and "Traceback" not in stderr
    assert sorted(p.name for p in out.iterdir()) == ["lecture-1"]
    assert KEYWORDS[0] in _said(out / "lecture-1")


def test_full_disk_stops_the_batch_cleanly(lectures: list[Path], tmpfs):
    small_disk = tmpfs("64k")  # room for the batch's marker file, not for a lesson
    result = _studio("batch", *lectures[:2], "-o", small_disk, "--workers", "1")
    assert result.returncode == 1, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "disk is full" in last and "Traceback" not in result.stderr
    assert list(small_disk.iterdir()) == []


def test_a_lesson_of_another_source_is_never_replaced(lectures: list[Path], tmp_path: Path):
    settings = BatchOptions().settings()
    made_by_build = tmp_path / "lecture-1"
    made_by_build.mkdir()
    (made_by_build / "lesson.json").write_text("{}", encoding="utf-8")
    outcome = build_one(LessonJob(lectures[0], made_by_build), settings, {})
    assert outcome.status == "failed" and "not made by `batch`" in outcome.error
    other = tmp_path / "other"
    other.mkdir()
    record = {"source": "/elsewhere/lecture-1.mp4", "source_sha256": "0" * 64}
    (other / BATCH_FILE).write_text(json.dumps(record), encoding="utf-8")
    outcome = build_one(LessonJob(lectures[0], other), settings, {})
    assert outcome.status == "failed" and "/elsewhere/lecture-1.mp4" in outcome.error
    assert (made_by_build / "lesson.json").read_text(encoding="utf-8") == "{}"
    assert (other / BATCH_FILE).is_file() and len(list(other.iterdir())) == 1
