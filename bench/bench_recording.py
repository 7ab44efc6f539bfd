"""Can the recorder keep up? 1080p30 screen + 720p30 camera + 48 kHz mic on this machine.

Starts its own Xvfb (1920x1080) and PulseAudio null sink (see ``bench_av_sync``),
keeps the screen busy the way a lecture does (the pointer moves all the time, the
"slide" changes every five seconds) and plays a tone into the virtual microphone;
the camera is a generated 1280x720 30 fps video file read at its own rate.

Two runs of ``--minutes`` each, back to back:

* **Lectern**: :class:`studio.capture.Recorder` with all three sources;
* **reference**: ffmpeg alone grabbing the same screen with the same encoder settings.

For each: frames written against the frames the time asks for, frames dropped and
duplicated per source, CPU used (this process and its ffmpeg children, from
``os.times``, as a share of all cores) and this process's memory at start and end.

    .venv/bin/python bench/bench_recording.py --minutes 2
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_av_sync import SINK, RootWindow, servers  # noqa: E402

from shared.media import ffmpeg_exe  # noqa: E402
from studio.capture import Recorder, RecordingSettings  # noqa: E402

FPS = 30
CORES = os.cpu_count() or 1


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have finished."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class Lecture:
    """Keeps the screen changing: pointer always moving, a new 'slide' every 5 s."""

    def __init__(self, display: str) -> None:
        self.root = RootWindow(display)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        x = self.root.x
        x.XWarpPointer.argtypes = [x.XOpenDisplay.restype] + [__import__("ctypes").c_ulong] * 2
        x.XWarpPointer.argtypes += [__import__("ctypes").c_int] * 6
        step = 0
        while not self.stop.wait(0.05):
            step += 1
            if step % 100 == 0:
                self.root.paint((step // 100 * 53) % 256)
            px, py = (step * 7) % 1900, (step * 5) % 1060
            x.XWarpPointer(self.root.dpy, 0, self.root.root, 0, 0, 0, 0, px, py)
            x.XSync(self.root.dpy, 0)


def make_camera(path: Path, seconds: float) -> None:
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", f"testsrc2=s=1280x720:r=30:d={seconds}"]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-pix_fmt", "yuv420p", "-y"]
        + [str(path)],
        check=True,
    )


def lectern_run(folder: Path, camera: Path, seconds: float, env: dict[str, str]) -> dict:
    tone = subprocess.Popen(
        [
            "sh",
            "-c",
            f"sox -n -r 48000 -c 1 -b 16 -t wav - synth {seconds + 30} sine 440 "
            f"vol 0.3 2>/dev/null | paplay --device={SINK}",
        ],
        env=env,
    )
    recorder = Recorder(folder, RecordingSettings(screen="0", camera=str(camera), mic="default"))
    rss = [rss_mb()]
    cpu0, wall0 = cpu_seconds(), time.monotonic()
    recorder.start()
    while recorder.stats().elapsed < seconds:
        time.sleep(1.0)
        rss.append(rss_mb())
    recorder.stop(finish=False)
    cpu, wall = cpu_seconds() - cpu0, time.monotonic() - wall0
    tone.terminate()
    tone.wait()
    from studio.capture.recording import finalize

    started = time.monotonic()
    finalize(folder)
    finalize_s = time.monotonic() - started
    data = json.loads((folder / "recording.json").read_text())
    stats = data["statistics"]
    return {
        "wall": wall,
        "cpu": cpu,
        "elapsed": stats["elapsed"],
        "screen": stats["screen"],
        "camera": stats["camera"],
        "mic": stats["mic"],
        "rss_start": rss[1] if len(rss) > 1 else rss[0],
        "rss_peak": max(rss),
        "rss_end": rss[-1],
        "finalize": finalize_s,
        "alignment": data.get("alignment", {}),
        "bytes": sum(p.stat().st_size for p in folder.iterdir()),
    }


def reference_run(out: Path, seconds: float, display: str) -> dict:
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-f", "x11grab"]
    command += ["-draw_mouse", "1", "-framerate", str(FPS), "-video_size", "1920x1080"]
    command += ["-i", f"{display}.0+0,0", "-t", str(seconds), "-c:v", "libx264"]
    command += ["-preset", "ultrafast", "-crf", "26", "-pix_fmt", "yuv420p", "-g", str(FPS)]
    command += ["-fps_mode", "cfr", "-r", str(FPS), "-f", "matroska", str(out)]
    cpu0, wall0 = cpu_seconds(), time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, errors="replace")
    cpu, wall = cpu_seconds() - cpu0, time.monotonic() - wall0
    last = result.stderr.replace("\r", "\n").strip().splitlines()
    stats = [line for line in last if line.startswith("frame=")]
    found = re.search(r"frame=\s*(\d+).*?(?:dup=(\d+))?\s*(?:drop=(\d+))?\s*speed", stats[-1])
    dup = re.search(r"dup=(\d+)", stats[-1])
    drop = re.search(r"drop=(\d+)", stats[-1])
    return {
        "wall": wall,
        "cpu": cpu,
        "frames": int(found.group(1)) if found else 0,
        "dup": int(dup.group(1)) if dup else 0,
        "drop": int(drop.group(1)) if drop else 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=2.0)
    args = parser.parse_args()
    seconds = args.minutes * 60
    with tempfile.TemporaryDirectory(prefix="bench-rec-") as tmp, servers("1920x1080") as env:
        tmp_path = Path(tmp)
        camera = tmp_path / "camera.mp4"
        make_camera(camera, seconds + 20)
        lecture = Lecture(env["DISPLAY"])
        lecture.thread.start()
        ours = lectern_run(tmp_path / "rec", camera, seconds, env)
        ref = reference_run(tmp_path / "ref.mkv", seconds, env["DISPLAY"])
        lecture.stop.set()
    want = round(ours["elapsed"] * FPS)
    print(f"## Recording load: {args.minutes:g} min, 1080p30 screen + 720p30 camera + 48 kHz mic")
    print(f"\n{CORES} cores; CPU share = CPU seconds / (wall seconds x {CORES} cores).\n")
    print("| run | source | frames (expected) | dropped | duplicated | CPU share |")
    print("|---|---|---|---|---|---|")
    share = ours["cpu"] / (ours["wall"] * CORES) * 100
    s, c, m = ours["screen"], ours["camera"], ours["mic"]
    print(
        f"| Lectern | screen 1920x1080 | {s['frames']} ({want}) | {s['dropped']} | "
        f"{s['duplicated']} | {share:.0f} % (all three sources) |"
    )
    print(
        f"| Lectern | camera 1280x720 | {c['frames']} ({want}) | {c['dropped']} | "
        f"{c['duplicated']} | |"
    )
    samples = round(ours["elapsed"] * 48000)
    print(
        f"| Lectern | mic 48 kHz | {m['samples']} samples kept (~{samples} + margins) | "
        f"{m['overflows']} overflows | | |"
    )
    ref_share = ref["cpu"] / (ref["wall"] * CORES) * 100
    print(
        f"| ffmpeg alone | screen 1920x1080 | {ref['frames']} ({round(seconds * FPS)}) | "
        f"{ref['drop']} | {ref['dup']} | {ref_share:.0f} % |"
    )
    print("\n| Lectern run | value |")
    print("|---|---|")
    print(
        f"| memory (RSS) after 1 s / peak / at the end | {ours['rss_start']:.0f} / "
        f"{ours['rss_peak']:.0f} / {ours['rss_end']:.0f} MB |"
    )
    print(f"| CPU ratio Lectern (3 sources) / ffmpeg alone (screen) | {share / ref_share:.2f} |")
    print(f"| finalize (align + join, no re-encode) | {ours['finalize']:.1f} s |")
    print(f"| recording folder size | {ours['bytes'] / 1e6:.0f} MB |")
    align = ours["alignment"]
    print(
        f"| microphone clock | {align.get('mic_rate_hz')} Hz ({align.get('mic_drift_ppm')} ppm) |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
