"""`lectern-studio batch` on 2 local workers against `build` run one lecture at a time.

Usage::

    nice .venv/bin/python bench/bench_batch.py [--lectures 10] [--seconds 20]

Generates short lectures (espeak-ng speech over an ffmpeg test picture, 320x240 at
10 fps) into a temporary folder, then in the same run:

* reference: ``lectern-studio build`` called once per lecture, one after another (a
  new process each time, as a script looping over an archive would);
* batch: ``run_batch`` with a 2-process ``LocalCluster`` (cluster start included).

It prints a Markdown table: wall and CPU seconds, the speed-up, the CPU-bound limit
(the cores divided by the parallelism the sequential run already had: a build uses
more than one core for part of its time, so 2 workers on 2 cores cannot reach 2x),
the scheduling overhead per lesson (the batch's wall time after the cluster is up,
less the busiest worker's time inside lessons, per lesson), the workers' peak memory,
and how long an unreachable scheduler takes to be reported. Prints only; never
asserts (the machines are shared and noisy: read the ratios).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.media import ffmpeg_exe  # noqa: E402
from shared.transcription import physical_cores  # noqa: E402
from studio.batch import BUILT, BatchOptions, BatchProgress, run_batch  # noqa: E402
from tests.spoken_lectures import espeak_available, spoken_lecture  # noqa: E402

TOPICS = (
    "the water cycle",
    "volcanoes and plate tectonics",
    "the solar system",
    "photosynthesis in plants",
    "the human heart",
    "weather and climate",
    "rocks and minerals",
    "ocean currents",
    "earthquakes",
    "the carbon cycle",
    "glaciers",
    "soil and erosion",
)


def make_lectures(folder: Path, count: int, seconds: float) -> list[Path]:
    if not espeak_available():
        sys.exit("espeak-ng is needed (make setup installs it)")
    videos = []
    for number in range(count):
        topic = TOPICS[number % len(TOPICS)]
        text = (
            f"Welcome to lesson {number + 1}. Today we study {topic}. "
            f"First we look at what {topic} means, then at an example from the field, "
            "and at the end we summarise the three ideas you should remember. "
        ) * 3
        video = folder / f"lecture-{number + 1:02d}.mp4"
        videos.append(spoken_lecture(video, text, ffmpeg=ffmpeg_exe(), seconds=seconds))
    return videos


def cpu_children() -> float:
    times = os.times()
    return times.children_user + times.children_system


def sequential(videos: list[Path], out: Path) -> tuple[float, float]:
    cpu0, t0 = cpu_children(), time.monotonic()
    for video in videos:
        subprocess.run(
            [sys.executable, "-m", "studio.cli", "build", str(video), "-o", str(out / video.stem)],
            check=True,
            capture_output=True,
        )
    return time.monotonic() - t0, cpu_children() - cpu0


def batch(videos: list[Path], out: Path, workers: int):
    first: list[float] = []

    def seen(progress: BatchProgress) -> None:
        if not first:
            first.append(time.monotonic())

    cpu0, t0 = cpu_children(), time.monotonic()
    self0 = time.process_time()
    result = run_batch(videos, out, BatchOptions(workers=workers), on_progress=seen)
    wall = time.monotonic() - t0
    cpu = cpu_children() - cpu0 + time.process_time() - self0
    return result, wall, cpu, (first[0] - t0) if first else 0.0


def unreachable_seconds(video: Path) -> float:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "studio.cli", "batch", str(video), "-o", f"{tmp}/out"]
            + ["--scheduler", f"tcp://127.0.0.1:{port}"],
            capture_output=True,
        )
    return time.monotonic() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lectures", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        folder = Path(tmp)
        videos = make_lectures(folder, args.lectures, args.seconds)
        seq_wall, seq_cpu = sequential(videos, folder / "sequential")
        result, wall, cpu, startup = batch(videos, folder / "batch", args.workers)
        unreachable = unreachable_seconds(videos[0])
    built = result.with_status(BUILT)
    audio = sum(o.audio_seconds for o in built)
    per_worker: dict[str, float] = {}
    memory: dict[str, int] = {}
    for outcome in built:
        per_worker[outcome.worker] = per_worker.get(outcome.worker, 0.0) + outcome.seconds
        memory[outcome.worker] = max(memory.get(outcome.worker, 0), outcome.worker_peak_memory)
    overhead = (wall - startup - max(per_worker.values(), default=0.0)) / max(1, len(built))
    cores = physical_cores()
    parallelism = seq_cpu / seq_wall if seq_wall else 1.0
    limit = min(args.workers, cores / parallelism) if parallelism else float(args.workers)
    load = os.getloadavg()[0]
    print(
        f"{len(videos)} lectures, {audio:.0f} s of audio in all, {cores} physical cores, "
        f"load average {load:.1f} at the end\n"
    )
    print("| run | wall s | CPU s | audio h per h | speed-up | CPU-bound limit |")
    print("|---|---:|---:|---:|---:|---:|")
    print(
        f"| `build` x{len(videos)}, one after another | {seq_wall:.1f} | {seq_cpu:.1f} | "
        f"{audio / seq_wall:.1f} | 1.00 | |"
    )
    print(
        f"| `batch`, {result.workers} workers | {wall:.1f} | {cpu:.1f} | {audio / wall:.1f} | "
        f"{seq_wall / wall:.2f} | {limit:.2f} |"
    )
    print()
    print(f"- built: {len(built)}/{len(videos)}; cluster start {startup:.1f} s")
    print(f"- scheduling overhead per lesson: {overhead:.2f} s (target <= 1 s)")
    print(
        "- worker peak memory: " + ", ".join(f"{m / 1e6:.0f} MB" for m in sorted(memory.values()))
    )
    print(f"- CPU per audio second: {cpu / audio:.3f} s (batch), {seq_cpu / audio:.3f} s (build)")
    print(f"- unreachable scheduler reported after {unreachable:.1f} s (target <= 10 s)")


if __name__ == "__main__":
    main()
