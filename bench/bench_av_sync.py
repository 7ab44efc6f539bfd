"""Audio/video sync of a finished recording: screen flashes against clicks.

Starts its own Xvfb (1280x720) and PulseAudio null sink, records the screen and the
virtual microphone with :class:`studio.capture.Recorder` in this process, and, from
this same process on the same clock, flashes the X root window white (libX11 through
ctypes: set the background, clear, XSync) while ``paplay`` plays a click into the
sink, every two seconds. Half way through it pauses for three seconds and resumes;
``--pauses N`` pauses and resumes N times instead, evenly over the run, and reports
the offset after each resume.

Each flash is scheduled half a frame after a screen frame is grabbed (the segment's
first-frame time is known), so it shows in the next frame, 0.5 / fps later; that
half frame is taken off. ``paplay`` needs tens of milliseconds to start; that latency
is measured first against ``parec`` reading the sink monitor in 5 ms chunks, and the
click is launched that much early. What is left in the table is the recorder's
error (plus the spread of paplay's start-up, which is reported).

Prints Markdown tables; no assertions. Target: |A/V| <= 20 ms at start, at the end
and after every pause/resume.

    .venv/bin/python bench/bench_av_sync.py --minutes 2
    .venv/bin/python bench/bench_av_sync.py --minutes 2 --pauses 5
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio.capture import Recorder, RecordingSettings  # noqa: E402
from tests.xserver import start_xvfb, stop_xvfb  # noqa: E402

SINK = "lecture_sink"
RATE = 48000
PERIOD = 2.0
FLASH_SECONDS = 0.2
PAUSE_SECONDS = 3.0


# --- servers (also used by bench_recording.py) -------------------------------------------


#: The Xvfb process of each display servers() started (its argv names no display).
XVFB_PIDS: dict[str, int] = {}


@contextlib.contextmanager
def servers(size: str = "1280x720") -> Iterator[dict[str, str]]:
    """A private Xvfb and PulseAudio; yields the environment that reaches them."""
    xvfb, display = start_xvfb([f"{size}x24"])  # Xvfb picks a free display itself
    XVFB_PIDS[display] = xvfb.pid
    runtime = tempfile.mkdtemp(prefix="bench-pulse-")
    env = {**os.environ, "DISPLAY": display, "XDG_RUNTIME_DIR": runtime}
    pulse = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1"]
        + ["--load=module-native-protocol-unix", f"--load=module-null-sink sink_name={SINK}"]
        + ["--load=module-always-sink"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        subprocess.run(["pactl", "set-default-source", f"{SINK}.monitor"], env=env, check=True)
        os.environ.update(DISPLAY=display, XDG_RUNTIME_DIR=runtime)
        yield env
    finally:
        pulse.send_signal(signal.SIGTERM)
        pulse.wait(timeout=10)
        stop_xvfb(xvfb)
        shutil.rmtree(runtime, ignore_errors=True)


class RootWindow:
    """Paints the X root window a solid grey level, synchronously (libX11 via ctypes)."""

    def __init__(self, display: str) -> None:
        self.x = ctypes.CDLL("libX11.so.6")
        self.x.XOpenDisplay.restype = ctypes.c_void_p
        self.x.XDefaultRootWindow.restype = ctypes.c_ulong
        self.x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        self.x.XSetWindowBackground.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
        self.x.XClearWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        self.x.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
        self.dpy = self.x.XOpenDisplay(display.encode())
        if not self.dpy:
            raise RuntimeError(f"cannot open X display {display}")
        self.root = self.x.XDefaultRootWindow(self.dpy)

    def paint(self, level: int) -> None:
        pixel = (level << 16) | (level << 8) | level
        self.x.XSetWindowBackground(self.dpy, self.root, pixel)
        self.x.XClearWindow(self.dpy, self.root)
        self.x.XSync(self.dpy, 0)


def write_click(path: Path) -> None:
    """10 ms of a loud 2 kHz burst after 5 ms of silence."""
    t = np.arange(int(0.010 * RATE)) / RATE
    burst = (0.8 * 32767 * np.sin(2 * np.pi * 2000 * t)).astype("<i2")
    data = np.concatenate([np.zeros(int(0.005 * RATE), "<i2"), burst])
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(data.tobytes())


def measure_paplay_latency(click: Path, env: dict[str, str], repeats: int = 10) -> list[float]:
    """Seconds from spawning ``paplay`` to its click reaching the sink monitor."""
    chunk = 240  # 5 ms
    reader = subprocess.Popen(
        ["parec", f"--device={SINK}.monitor", "--raw", "--format=s16le", f"--rate={RATE}"]
        + ["--channels=1", "--latency-msec=5"],
        env=env,
        stdout=subprocess.PIPE,
    )
    loud: list[float] = []

    def read() -> None:
        while True:
            data = reader.stdout.read(chunk * 2)
            if not data:
                return
            now = time.monotonic()
            block = np.frombuffer(data, "<i2")
            if np.abs(block).max() > 8000:
                # The chunk arrives when full: the click began up to a chunk earlier.
                loud.append(now - (len(block) - np.argmax(np.abs(block) > 8000)) / RATE)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    time.sleep(1.0)
    latencies = []
    for attempt in range(repeats + 1):
        loud.clear()
        spawned = time.monotonic()
        subprocess.Popen(["paplay", f"--device={SINK}", str(click)], env=env).wait()
        time.sleep(0.3)
        if loud and attempt:  # the first click only wakes parec up
            latencies.append(loud[0] - spawned - 0.005)  # minus the click's leading silence
    reader.terminate()
    reader.wait()
    return latencies


# --- the run ------------------------------------------------------------------------------


def run(minutes: float, folder: Path, env: dict[str, str], pauses: int = 1) -> dict:
    click = folder.parent / "click.wav"
    write_click(click)
    latencies = measure_paplay_latency(click, env)
    paplay_latency = statistics.median(latencies) if latencies else 0.0
    root = RootWindow(env["DISPLAY"])
    root.paint(0)
    recorder = Recorder(folder, RecordingSettings(screen="0", camera="none", mic="default"))
    recorder.start()
    clock = recorder.clock
    fps = recorder.settings.fps
    total = minutes * 60
    pause_at = [total * k / (pauses + 1) for k in range(1, pauses + 1)]
    # (phase, planned flash time on the clock); phase is "before" or "after K" (K-th resume)
    scheduled: list[tuple[str, float]] = []
    resumed = 0
    late: list[float] = []
    next_t = clock.now() + 1.0
    while True:
        elapsed = recorder.stats().elapsed
        if elapsed >= total:
            break
        if resumed < pauses and elapsed >= pause_at[resumed]:
            recorder.pause()
            time.sleep(PAUSE_SECONDS)
            recorder.resume()
            resumed += 1
            next_t = clock.now() + 1.0
            continue
        origin = recorder.data["segments"][-1]["screen"]["start"]
        # Half a frame after a grab, so the flash shows in the next frame.
        frame = np.ceil((next_t - origin) * fps)
        flash = origin + (frame + 0.5) / fps
        # The click is launched from its own thread so spawning paplay never delays the flash.
        threading.Thread(
            target=launch_click, args=(clock, flash - paplay_latency, click, env), daemon=True
        ).start()
        clock.sleep_until(flash)
        root.paint(255)
        late.append(clock.now() - flash)
        scheduled.append((f"after {resumed}" if resumed else "before", flash))
        clock.sleep_until(flash + FLASH_SECONDS)
        root.paint(0)
        next_t = flash + PERIOD
    recorder.stop()
    return {
        "latencies": latencies,
        "paplay_latency": paplay_latency,
        "scheduled": scheduled,
        "pauses": pauses,
        "fps": fps,
        "flash_late": late,
    }


def launch_click(clock, at: float, click: Path, env: dict[str, str]) -> None:
    clock.sleep_until(at)
    subprocess.Popen(
        ["paplay", f"--device={SINK}", str(click)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ).wait()


def flash_times(path: Path) -> tuple[list[float], float]:
    """Times of the first bright frame of each flash, and the frame rate."""
    times, previous = [], 0.0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate)
        for index, frame in enumerate(container.decode(stream)):
            level = float(frame.to_ndarray(format="gray", width=64, height=36).mean())
            if level > 128 >= previous:
                times.append(index / fps)
            previous = level
    return times, fps


def click_times(path: Path) -> list[float]:
    """Onsets of the clicks: the first loud sample after 0.5 s of quiet."""
    with av.open(str(path)) as container:
        samples = np.concatenate(
            [f.to_ndarray().reshape(-1) for f in container.decode(container.streams.audio[0])]
        )
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 8000)
    onsets = [loud[0]] if loud.size else []
    onsets += [b for a, b in zip(loud[:-1], loud[1:], strict=False) if b - a > RATE // 2]
    return [i / RATE for i in onsets]


def analyse(folder: Path, info: dict) -> list[tuple[str, float, float]]:
    """(phase, time in the recording, A/V offset in ms; positive = sound late)."""
    flashes, fps = flash_times(folder / "main.mkv")
    clicks = click_times(folder / "main.mkv")
    phases = [p for p, _ in info["scheduled"]]
    rows = []
    for index, flash in enumerate(flashes):
        near = min(clicks, key=lambda c: abs(c - flash), default=None)
        if near is None or abs(near - flash) > 0.5:
            continue
        # The flash came half a frame before the frame that shows it.
        offset = (near - (flash - 0.5 / fps)) * 1000
        phase = phases[index] if index < len(phases) else "?"
        rows.append((phase, flash, offset))
    return rows


def summary(rows: list[tuple[str, float, float]]) -> list[tuple[str, str]]:
    # Runs kept before --pauses existed name their one resume "after".
    rows = [("after 1" if r[0] == "after" else r[0], *r[1:]) for r in rows]
    before = [r for r in rows if r[0] == "before"]
    resumes = sorted({int(r[0].split()[1]) for r in rows if r[0].startswith("after ")})

    def stat(selection: list[tuple[str, float, float]]) -> str:
        if not selection:
            return "n/a"
        values = [r[2] for r in selection]
        return f"{statistics.mean(values):+.1f} ms (n={len(values)}, max |{max(map(abs, values)):.1f}|)"

    values = np.array([r[2] for r in rows]) if rows else np.zeros(1)
    spread = (
        f"p50 {np.percentile(values, 50):+.1f}, p95 {np.percentile(values, 95):+.1f}, "
        f"p99 {np.percentile(values, 99):+.1f} ms; {int((np.abs(values) > 20).sum())} of "
        f"{len(rows)} beyond 20 ms"
    )
    many = len(resumes) > 1

    def stretch(selection: list[tuple[str, float, float]]) -> str:
        # With many pauses, the mean of the whole stretch between two pauses as well,
        # to tell a step at a resume from the noise of single flashes.
        if not many or not selection:
            return ""
        return f"; stretch mean {statistics.mean(r[2] for r in selection):+.1f} ms (n={len(selection)})"

    after = []
    for k in resumes or [1]:
        selection = [r for r in rows if r[0] == f"after {k}"]
        label = f"after pause {k} (first 3)" if many else "after pause/resume (first 3)"
        after.append((label, stat(selection[:3]) + stretch(selection)))
    return [
        ("start (first 3 flashes)", stat(before[:3])),
        (
            f"before the {'first ' if many else ''}pause (last 3)",
            stat(before[-3:]) + stretch(before),
        ),
        *after,
        ("end of the run (last 3)", stat(rows[-3:])),
        ("all flashes", stat(rows)),
        ("spread of all flashes", spread),
    ]


def reanalyse(folder: Path) -> int:
    """Finalize a kept recording with today's code and print its offsets."""
    from studio.capture import finalize

    info = json.loads((folder / "bench-info.json").read_text(encoding="utf-8"))
    finalize(folder)
    rows = analyse(folder, info)
    align = json.loads((folder / "recording.json").read_text())["alignment"]
    print(f"## A/V sync, kept run {folder} finalized again\n")
    print(f"microphone clock: {align.get('mic_rate_hz')} Hz ({align.get('mic_drift_ppm')} ppm), ")
    print(
        f"{align.get('mic_runs')} run(s); flashes matched {len(rows)} of {len(info['scheduled'])}\n"
    )
    print("| where | A/V offset (sound minus picture; target within ±20 ms) |")
    print("|---|---|")
    for where, value in summary(rows):
        print(f"| {where} | {value} |")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument(
        "--pauses",
        type=int,
        default=1,
        help="pause (for 3 s) and resume this many times, evenly over the run (default 1)",
    )
    parser.add_argument("--keep", type=Path, help="keep the recording in this folder")
    parser.add_argument(
        "--analyse",
        type=Path,
        metavar="FOLDER",
        help="finalize a run kept with --keep again (with the code as it is now) and measure it",
    )
    args = parser.parse_args()
    if args.analyse:
        return reanalyse(args.analyse)
    for tool in ("Xvfb", "pulseaudio", "paplay", "parec", "xdpyinfo"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed; cannot run this benchmark.")
            return 1
    with tempfile.TemporaryDirectory(prefix="bench-av-") as tmp, servers() as env:
        folder = args.keep or Path(tmp) / "rec"
        started = time.monotonic()
        info = run(args.minutes, folder, env, args.pauses)
        if args.keep:
            (folder / "bench-info.json").write_text(json.dumps(info))
        rows = analyse(folder, info)
        data = json.loads((folder / "recording.json").read_text())
        wall = time.monotonic() - started
    lat = info["latencies"]
    print(
        f"## A/V sync, {args.minutes:g} min recording at 1280x720, {info['fps']:g} fps, "
        f"{args.pauses} pause(s) of {PAUSE_SECONDS:g} s\n"
    )
    print("| stimulus | value |")
    print("|---|---|")
    print(
        f"| paplay start-up latency (subtracted) | median {info['paplay_latency'] * 1000:.1f} ms, "
        f"spread {(max(lat) - min(lat)) * 1000 if lat else 0:.1f} ms over {len(lat)} |"
    )
    late = [x * 1000 for x in info["flash_late"]]
    print(
        "| flash | XSync'd root repaint half a frame before a grab (subtracted); "
        f"done {statistics.median(late):.1f} ms after plan (max {max(late):.1f}) |"
    )
    align = data.get("alignment", {})
    print(
        f"| microphone clock | {align.get('mic_rate_hz')} Hz ({align.get('mic_drift_ppm')} ppm) |"
    )
    print(f"| flashes matched to clicks | {len(rows)} of {len(info['scheduled'])} |")
    print(f"| wall time | {wall:.0f} s |\n")
    print("| where | A/V offset (sound minus picture; target within ±20 ms) |")
    print("|---|---|")
    for where, value in summary(rows):
        print(f"| {where} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
