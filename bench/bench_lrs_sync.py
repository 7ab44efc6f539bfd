"""Sync of 100,000 queued statements to a real LRS on loopback: statements/s and memory.

A fresh library gets N player events queued in its outbox (``seeked`` statements of
one long session, as the Player records them); ``shared.sync.sync`` then sends them to
Ralph (``ralph-malph``, file-system backend, basic auth) on 127.0.0.1 in batches of 500,
marking each batch sent as the LRS acknowledges it.

Reference, measured in the same run against a fresh Ralph of its own: the same
statements POSTed in the same batches with bare ``urllib`` from a list in memory (no
library, no queue, no marking): what the LRS itself costs. Each side runs in its own
child process, so its peak resident memory (``ru_maxrss``) is its own; the library is
filled by a third one, so the sync's peak is the sync's alone (the reference's includes
the statements it holds in memory).

    .venv/bin/python bench/bench_lrs_sync.py [--count 100000] [--batch 500]
"""

from __future__ import annotations

import argparse
import base64
import json
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared import xapi  # noqa: E402
from shared.library import Library  # noqa: E402
from shared.lrs import XAPI_VERSION  # noqa: E402
from shared.sync import sync  # noqa: E402
from tests.lrs import Ralph  # noqa: E402

COURSE = "bench-course"


def statements(learner: str, count: int) -> list[dict]:
    """``count`` player events of one session, all different, as the Player makes them."""
    who = xapi.actor(learner)
    activity = xapi.lesson_activity(COURSE, "lesson-1")
    session = str(uuid.uuid5(uuid.NAMESPACE_URL, "bench-session"))
    return [
        xapi.event(
            who,
            activity,
            "Lesson 1",
            "seeked",
            session=session,
            length=3600.0,
            at_ms=1_700_000_000_000 + n * 1000,
            time_from=(n * 7) % 3600,
            time_to=(n * 13) % 3600,
        )
        for n in range(count)
    ]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """Processor time of this process alone (the LRS runs in another one)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_queue(folder: Path, count: int) -> dict:
    """Queue ``count`` statements in a new library (its own process: its memory is apart)."""
    with Library.open(folder / "library") as library:
        made = statements(library.activity.learner_id(), count)
        start = time.perf_counter()
        library.outbox.add(COURSE, made)
        return {"queue_seconds": time.perf_counter() - start}


def run_lectern(folder: Path, count: int, batch: int) -> dict:
    """Sync the queued library to a fresh Ralph: only the sync is in this process."""
    with Ralph(folder / "ralph") as server, Library.open(folder / "library") as library:
        library.set_setting("lrs_address", server.url)
        library.set_setting("lrs_user", server.user)
        library.set_setting("lrs_key", server.key)
        start, cpu = time.perf_counter(), cpu_seconds()
        result = sync(library, batch_size=batch)
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        start = time.perf_counter()
        again = sync(library, batch_size=batch)
        idle = time.perf_counter() - start
        stored = len(server.stored_ids())
        library.set_setting("lrs_key", "")  # no key of a throwaway library stays in the store
    assert result.error == "" and result.sent == count and again.sent == 0, result
    return {
        "seconds": seconds,
        "cpu": cpu,
        "stored": stored,
        "idle_seconds": idle,
        "peak_mb": peak_mb(),
    }


def run_reference(folder: Path, count: int, batch: int) -> dict:
    """The same statements POSTed from a list in memory with bare urllib, to a fresh Ralph."""
    with Ralph(folder / "ralph") as server:
        made = statements(str(uuid.uuid4()), count)
        token = base64.b64encode(f"{server.user}:{server.key}".encode()).decode()
        headers = {
            "Authorization": f"Basic {token}",
            "X-Experience-API-Version": XAPI_VERSION,
            "Content-Type": "application/json",
        }
        start, cpu = time.perf_counter(), cpu_seconds()
        for first in range(0, count, batch):
            body = json.dumps(made[first : first + batch]).encode()
            request = urllib.request.Request(
                server.url + "statements", data=body, headers=headers, method="POST"
            )
            with urllib.request.urlopen(request, timeout=600) as answer:
                answer.read()
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        stored = len(server.stored_ids())
    return {"seconds": seconds, "cpu": cpu, "stored": stored, "peak_mb": peak_mb()}


def child(mode: str, count: int, batch: int, folder: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--mode", mode, "--count", str(count), "--batch", str(batch)]
        + ["--folder", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--mode", choices=("queue", "lectern", "reference"))
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()
    if args.mode:
        if args.mode == "queue":
            print(json.dumps(run_queue(args.folder, args.count)))
        elif args.mode == "lectern":
            print(json.dumps(run_lectern(args.folder, args.count, args.batch)))
        else:
            print(json.dumps(run_reference(args.folder, args.count, args.batch)))
        return
    with tempfile.TemporaryDirectory(prefix="lectern-bench-lrs-") as tmp:
        reference = child("reference", args.count, args.batch, Path(tmp) / "reference")
        queued = child("queue", args.count, args.batch, Path(tmp) / "lectern")
        lectern = {**child("lectern", args.count, args.batch, Path(tmp) / "lectern"), **queued}
    print(
        f"{args.count:,} statements, batches of {args.batch}, Ralph 5.1.0 (fs backend) on 127.0.0.1"
    )
    print()
    print(
        "| sender | seconds | statements/s | sender's own CPU (s) | stored by the LRS "
        "| sender's peak memory (MB) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, row in (
        ("lectern-player sync (library queue)", lectern),
        ("bare urllib POST (reference)", reference),
    ):
        print(
            f"| {name} | {row['seconds']:.1f} | {args.count / row['seconds']:,.0f} | "
            f"{row['cpu']:.1f} | {row['stored']:,} | {row['peak_mb']:.0f} |"
        )
    print()
    print(f"sync / reference time: {lectern['seconds'] / reference['seconds']:.2f}x")
    print(f"sync / reference sender CPU: {lectern['cpu'] / reference['cpu']:.2f}x")
    print(f"queueing {args.count:,} statements in the library: {lectern['queue_seconds']:.1f} s")
    print(f"a second sync with nothing waiting: {lectern['idle_seconds']:.2f} s")


if __name__ == "__main__":
    main()
