"""Crash loss: how much of a recording survives ``kill -9`` of the recorder.

Starts its own Xvfb (1280x720) and PulseAudio null sink (see ``bench_av_sync``),
plays a tone into the virtual microphone, and ``--trials`` times runs
``lectern-studio record`` (screen + microphone), kills it with SIGKILL at a random
moment, runs ``lectern-studio recover`` and measures the playable main video against
the time recorded up to the kill (both on the system monotonic clock, which the
recording names in ``recording.json``).

Reference in the same run: ffmpeg grabbing the same screen into a plain MP4 and
killed the same way (what a recorder without a crash-safe container leaves).

Prints Markdown tables; no assertions. Target: at most 2 s lost.

    .venv/bin/python bench/bench_crash.py --trials 6
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_av_sync import SINK, servers  # noqa: E402

from shared.media import ffmpeg_exe  # noqa: E402

STUDIO = [sys.executable, "-m", "studio.cli"]


def playable_seconds(path: Path) -> float:
    """Seconds of video that decode, from the first frame to the last."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            last = None
            for frame in container.decode(stream):
                last = frame.time
            return float(last or 0.0)
    except (av.error.FFmpegError, IndexError, OSError):
        return 0.0


def wait_for_first_frame(folder: Path, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            data = json.loads((folder / "recording.json").read_text(encoding="utf-8"))
            if data.get("segments") and data["segments"][0].get("screen"):
                return data
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{folder}: the recording did not start")


def lectern_trial(folder: Path, after: float, env: dict[str, str]) -> tuple[float, float]:
    """(seconds recorded when killed, seconds playable after recover)."""
    process = subprocess.Popen(
        [*STUDIO, "record", str(folder), "--screen", "0", "--mic", "default", "--camera", "none"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    data = wait_for_first_frame(folder)
    first = data["clock_origin"] + data["segments"][0]["screen"]["start"]
    time.sleep(max(0.0, first + after - time.monotonic()))
    os.kill(process.pid, signal.SIGKILL)
    killed = time.monotonic()
    process.wait()
    time.sleep(1.0)  # its ffmpeg children notice the parent is gone and stop
    subprocess.run(
        [*STUDIO, "recover", str(folder)], env=env, check=True, capture_output=True, timeout=300
    )
    return killed - first, playable_seconds(folder / "main.mkv")


def plain_mp4_trial(path: Path, after: float, env: dict[str, str]) -> tuple[float, float]:
    command = [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-f", "x11grab"]
    command += ["-framerate", "30", "-video_size", "1280x720", "-i", env["DISPLAY"]]
    command += ["-c:v", "libx264", "-preset", "ultrafast", "-y", str(path)]
    started = time.monotonic()
    process = subprocess.Popen(command, env=env)
    time.sleep(after)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    return time.monotonic() - started, playable_seconds(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-crash-") as tmp, servers() as env:
        tone = Path(tmp) / "tone.wav"
        subprocess.run(
            [ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i", "sine=440:d=3600"]
            + ["-ar", "48000", "-ac", "1", str(tone)],
            check=True,
        )
        player = subprocess.Popen(["paplay", f"--device={SINK}", str(tone)], env=env)
        try:
            for trial in range(args.trials):
                after = rng.uniform(3.0, 20.0)
                recorded, kept = lectern_trial(Path(tmp) / f"rec-{trial}", after, env)
                rows.append(("Lectern (Matroska, recover)", recorded, kept))
            after = rng.uniform(3.0, 20.0)
            rows.append(
                ("ffmpeg to a plain MP4", *plain_mp4_trial(Path(tmp) / "p.mp4", after, env))
            )
        finally:
            player.terminate()
            player.wait()
    print(f"## Crash loss: kill -9 at random moments ({args.trials} trials, seed {args.seed})\n")
    print("| recorder | recorded when killed (s) | playable after (s) | lost (s) |")
    print("|---|---:|---:|---:|")
    for name, recorded, kept in rows:
        print(f"| {name} | {recorded:.2f} | {kept:.2f} | {recorded - kept:.2f} |")
    lost = [recorded - kept for name, recorded, kept in rows if name.startswith("Lectern")]
    print(
        f"\nLectern: lost {statistics.mean(lost):.2f} s on average, at most {max(lost):.2f} s "
        "(target: at most 2 s)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
