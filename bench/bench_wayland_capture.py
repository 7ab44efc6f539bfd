"""Wayland screen capture (portal + PipeWire) against x11grab on X11, same picture, same run.

Issue 12's targets: 1080p30 captured on Wayland with 0 dropped frames, A/V within
+-20 ms, and CPU within 1.5x of x11grab's on X11 for the same picture.

The picture: a 1920x1080 30 fps test video (``testsrc2``, moving) that flashes white
for 0.2 s every 2 s, with a 10 ms 2 kHz click at each flash, played full screen by
``ffplay`` (SDL) into a PulseAudio null sink whose monitor is the microphone. Made
once and kept in ``~/.cache/lectern-bench/``.

* **X11**: a private Xvfb 1920x1080 and PulseAudio (``bench_av_sync.servers``),
  ``ffplay`` as an X11 client, ``lectern-studio record --screen 0`` (x11grab).
* **Wayland**: the headless sway desktop of the tests (tests/wayland.py: sway,
  PipeWire, WirePlumber, xdg-desktop-portal-wlr) at 1920x1080, ``ffplay`` as a native
  Wayland client, ``lectern-studio record --screen 0`` as the desktop's user (portal
  handshake, pipewiresrc into the same ffmpeg encoder).

Both records run the whole CLI (start, record ``--seconds``, finalize). Reported per
run: frames written, dropped and repeated (the recorder's own counts); the A/V offset
of every flash/click pair in ``main.mkv`` (positive = sound late; it includes
``ffplay``'s own A/V error, the same in both runs, so the difference between the runs
is the capture path's); CPU of the recorder's process tree (Python, ffmpeg, and on
Wayland gst-launch), from ``getrusage`` of the finished child; and the desktop side
above its idle rate (Xvfb; or sway, xdg-desktop-portal-wlr, PipeWire and WirePlumber).

Prints Markdown tables; no assertions.

    .venv/bin/python bench/bench_wayland_capture.py --seconds 60
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from bench_av_sync import XVFB_PIDS, click_times, servers  # noqa: E402
from bench_screen_backends import proc_cpu  # noqa: E402

from shared.media import ffmpeg_exe  # noqa: E402
from tests.wayland import wayland_session  # noqa: E402

SIZE = "1920x1080"
FPS = 30
CORES = os.cpu_count() or 1
CACHE = Path.home() / ".cache" / "lectern-bench"
IDLE_SECONDS = 5.0


def stimulus(seconds: float) -> Path:
    """The flashing, clicking test video (cached)."""
    length = int(seconds + 30)
    out = CACHE / f"wayland-stimulus-{length}s.mkv"
    if out.exists():
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    flash = "gte(t,1)*lt(mod(t-1,2),0.2)"
    click = "0.8*sin(2*PI*2000*t)*gte(t,1)*lt(mod(t-1,2),0.01)"
    tmp = out.with_suffix(".part.mkv")
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y"]
        + ["-f", "lavfi", "-i", f"testsrc2=s={SIZE}:r={FPS}:d={length}"]
        + ["-f", "lavfi", "-i", f"aevalsrc='{click}':s=48000:d={length}"]
        + ["-vf", f"drawbox=c=white:t=fill:enable='{flash}'"]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "23", "-pix_fmt", "yuv420p"]
        + ["-c:a", "pcm_s16le", str(tmp)],
        check=True,
    )
    tmp.rename(out)
    out.chmod(0o644)
    return out


def flash_times(path: Path) -> list[float]:
    """Times of the first white frame of each flash (the test picture's mean is ~127)."""
    times, previous = [], 0.0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate)
        for index, frame in enumerate(container.decode(stream)):
            level = float(frame.to_ndarray(format="gray", width=64, height=36).mean())
            if level > 200 >= previous:
                times.append(index / fps)
            previous = level
    return times


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def desktop_cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += proc_cpu(pid)
    return total


def measure(record: list[str], env: dict | None, folder: Path, desktop: list[int]) -> dict:
    """Run one recording; its CPU, the desktop's extra CPU, and what it recorded."""
    idle0 = desktop_cpu(desktop)
    time.sleep(IDLE_SECONDS)
    idle_rate = (desktop_cpu(desktop) - idle0) / IDLE_SECONDS
    cpu0, desk0, wall0 = children_cpu(), desktop_cpu(desktop), time.monotonic()
    done = subprocess.run(record, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    wall = time.monotonic() - wall0
    cpu, desk = children_cpu() - cpu0, desktop_cpu(desktop) - desk0
    if done.returncode != 0:
        raise SystemExit(f"recording failed: {done.stderr.strip()}")
    data = json.loads((folder / "recording.json").read_text())
    stats = data["statistics"]["screen"]
    flashes = flash_times(folder / "main.mkv")
    clicks = click_times(folder / "main.mkv")
    offsets = []
    for flash in flashes:
        near = min(clicks, key=lambda c: abs(c - flash), default=None)
        if near is not None and abs(near - flash) < 0.5:
            offsets.append((near - flash) * 1000)
    return {
        "seconds": data["statistics"]["elapsed"],
        "frames": stats["frames"],
        "dropped": stats["dropped"],
        "duplicated": stats["duplicated"],
        "cpu": cpu,
        "wall": wall,
        "desktop": max(0.0, desk - idle_rate * wall),
        "offsets": offsets,
    }


def run_x11(seconds: float, video: Path, root: Path) -> dict:
    with servers(SIZE) as env:
        player = subprocess.Popen(
            ["ffplay", "-v", "error", "-fs", "-autoexit", "-nostats", str(video)],
            env={**env, "SDL_VIDEODRIVER": "x11", "SDL_AUDIODRIVER": "pulseaudio"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(2.0)
            folder = root / "x11"
            record = [sys.executable, "-m", "studio", "record", "--countdown", "0", "-q"]
            record += ["--screen", "0", "--mic", "default", "--duration", f"{seconds:g}"]
            record += [str(folder)]
            xvfb = XVFB_PIDS[env["DISPLAY"]]
            return measure(record, env, folder, [xvfb])
        finally:
            player.terminate()
            player.wait()


def run_wayland(seconds: float, video: Path) -> dict:
    with wayland_session(size=SIZE, background="#000000") as session:
        # The desktop's user cannot read root's cache.
        video = Path(shutil.copy(video, session.user_folder("video")))
        video.chmod(0o644)
        player = subprocess.Popen(
            session.command(
                ["env", "SDL_VIDEODRIVER=wayland", "SDL_AUDIODRIVER=pulseaudio"]
                + ["ffplay", "-v", "error", "-fs", "-autoexit", "-nostats", str(video)]
            ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(2.0)
            folder = session.user_folder("bench") / "rec"
            record = session.lectern_command(
                "studio", "record", "--countdown", "0", "-q", "--screen", "0"
            )
            record += ["--mic", "default", "--duration", f"{seconds:g}", str(folder)]
            desktop = []
            for name in ("sway", "xdg-desktop-portal-wlr", "pipewire", "wireplumber"):
                desktop += session.pids(name)
            return measure(record, None, folder, desktop)
        finally:
            player.terminate()
            player.wait()


def row(name: str, r: dict, reference: dict) -> str:
    offsets = r["offsets"] or [float("nan")]
    spread = max(offsets) - min(offsets) if r["offsets"] else float("nan")
    share = r["cpu"] / r["wall"] / CORES * 100
    return (
        f"| {name} | {r['seconds']:.1f} | {r['frames']} | {r['dropped']} | {r['duplicated']} | "
        f"{statistics.mean(offsets):+.1f} ms (n={len(r['offsets'])}, spread {spread:.1f}) | "
        f"{r['cpu']:.1f} s ({share:.0f}% of {CORES} cores) | {r['cpu'] / reference['cpu']:.2f}x | "
        f"{r['desktop']:.1f} s | {(r['cpu'] + r['desktop']) / (reference['cpu'] + reference['desktop']):.2f}x |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: the Wayland desktop is made as its own user")
    video = stimulus(args.seconds)
    with tempfile.TemporaryDirectory(prefix="bench-wayland-") as tmp:
        x11 = run_x11(args.seconds, video, Path(tmp))
        wayland = run_wayland(args.seconds, video)
    print(f"### {SIZE} at {FPS} fps, {args.seconds:g} s, ffplay full screen, {CORES} cores\n")
    print(
        "| capture path | recorded s | frames | dropped | repeated | A/V offset (mean) | "
        "recorder CPU | vs x11grab | desktop side CPU | total vs x11grab |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(row("x11grab on X11 (Xvfb)", x11, x11))
    print(row("portal + PipeWire on Wayland (sway)", wayland, x11))
    print()
    print(
        "A/V difference (Wayland - X11): "
        f"{statistics.mean(wayland['offsets'] or [0]) - statistics.mean(x11['offsets'] or [0]):+.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
