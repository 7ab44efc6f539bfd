"""Which screen capture backend on Linux/X11: ffmpeg's x11grab or Qt's QScreenCapture?

Starts its own Xvfb (1920x1080x24, see ``bench_av_sync.servers``) and a stimulus
process that repaints a 960x540 area 60 times a second (a test picture panning
sideways, like a scrolled page) with a 20-bit frame counter plus a parity bit drawn
as black and white cells above it, each update one ``XCopyArea`` so a grab never
sees half of one. The pointer rests over black at (1600, 900). Then each backend
captures the whole screen at 30 fps for ``--seconds``, in its own process:

* **x11grab**: :class:`studio.capture.screen.X11ScreenBackend` exactly as the
  recorder runs it (H.264 ultrafast to Matroska, the preview pipe, the fps filter's
  debug log), its command built by ``X11ScreenBackend.command``;
* **Qt recorder**: ``QScreenCapture`` + ``QMediaCaptureSession`` + ``QMediaRecorder``
  (Qt's FFmpeg backend) asked for H.264 in Matroska at 30 fps, 1920x1080;
* **Qt sink**: ``QScreenCapture`` into a ``QVideoSink`` only (no encoding; each frame's
  counter is read from the mapped frame), the lower bound of what Qt costs.

The order alternates over two rounds (a b c, then c b a). For each run: frames in the
file (or delivered) against ``seconds x 30``; from the counters, frames that repeat
the previous one and capture slots lost (the counter advanced by two frame times or
more); x11grab's own fps-filter count; CPU of the capture process and its children
(``getrusage``) from start to the file being closed, and as a share of all cores;
what the X server spent above the stimulus-only baseline; time to finish after
stop; peak memory; file size; whether the pointer is in the picture.

Prints Markdown tables; no assertions.

    .venv/bin/python bench/bench_screen_backends.py --seconds 60
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_av_sync import XVFB_PIDS, servers  # noqa: E402

from shared.media import ffmpeg_exe  # noqa: E402

FPS = 30
STIMULUS_FPS = 60
CORES = os.cpu_count() or 1
BITS = 20  # counter bits; one more cell holds their parity
CELL = 32
AREA = (200, 150, 960, 540)  # x, y, width, height of the stimulus on the screen
POINTER = (1600, 900)
BACKENDS = ("x11grab", "qt-recorder", "qt-sink")
LABELS = {
    "x11grab": "ffmpeg x11grab (Lectern's `X11ScreenBackend`)",
    "qt-recorder": "Qt QScreenCapture + QMediaRecorder",
    "qt-sink": "Qt QScreenCapture -> QVideoSink (no encoding)",
}


def cpu_now() -> tuple[float, float]:
    """CPU seconds of this process and of its children that have been waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + kids) / 1024


def proc_cpu(pid: int) -> float:
    """CPU seconds a running process has used so far (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the stimulus -------------------------------------------------------------------------


def counter_cells(value: int) -> list[int]:
    """The cells drawn for ``value``: its low BITS bits, then their parity."""
    bits = [(value >> k) & 1 for k in range(BITS)]
    return bits + [sum(bits) & 1]


#: The screen row through the middle of the counter's cells.
COUNTER_ROW = AREA[1] + CELL // 2


def read_counter(row: np.ndarray) -> int | None:
    """The counter in a row of grey levels (:data:`COUNTER_ROW`), None if its parity is wrong."""
    cells = [int(row[AREA[0] + CELL * k + CELL // 2] > 128) for k in range(BITS + 1)]
    if sum(cells[:BITS]) & 1 != cells[BITS]:
        return None
    return sum(bit << k for k, bit in enumerate(cells[:BITS]))


def stimulus() -> int:
    """Repaint the stimulus area 60 times a second until SIGTERM (libX11 via ctypes).

    On SIGUSR1, prints a JSON line with the ticks drawn late (skipped) since last asked.
    """
    x = ctypes.CDLL("libX11.so.6")
    vp, ul = ctypes.c_void_p, ctypes.c_ulong
    x.XOpenDisplay.restype = vp
    x.XDefaultRootWindow.restype, x.XDefaultRootWindow.argtypes = ul, [vp]
    x.XDefaultVisual.restype, x.XDefaultVisual.argtypes = vp, [vp, ctypes.c_int]
    x.XCreatePixmap.restype = ul
    x.XCreatePixmap.argtypes = [vp, ul, ctypes.c_uint, ctypes.c_uint, ctypes.c_uint]
    x.XCreateGC.restype, x.XCreateGC.argtypes = vp, [vp, ul, ul, vp]
    x.XCreateImage.restype = vp
    x.XCreateImage.argtypes = [vp, vp, ctypes.c_uint, ctypes.c_int, ctypes.c_int, vp]
    x.XCreateImage.argtypes += [ctypes.c_uint, ctypes.c_uint, ctypes.c_int, ctypes.c_int]
    x.XPutImage.argtypes = [vp, ul, vp, vp] + [ctypes.c_int] * 4 + [ctypes.c_uint] * 2
    x.XCopyArea.argtypes = [vp, ul, ul, vp] + [ctypes.c_int] * 2 + [ctypes.c_uint] * 2
    x.XCopyArea.argtypes += [ctypes.c_int] * 2
    x.XSetForeground.argtypes = [vp, vp, ul]
    x.XFillRectangle.argtypes = [vp, ul, vp] + [ctypes.c_int] * 2 + [ctypes.c_uint] * 2
    x.XSetWindowBackground.argtypes = [vp, ul, ul]
    x.XClearWindow.argtypes = [vp, ul]
    x.XWarpPointer.argtypes = [vp, ul, ul] + [ctypes.c_int] * 2 + [ctypes.c_uint] * 2
    x.XWarpPointer.argtypes += [ctypes.c_int] * 2
    x.XSync.argtypes = [vp, ctypes.c_int]
    dpy = x.XOpenDisplay(os.environ["DISPLAY"].encode())
    if not dpy:
        raise SystemExit("cannot open the X display")
    root = x.XDefaultRootWindow(dpy)
    _, _, width, height = AREA
    # A test picture twice side by side, so panning by up to one width never runs out.
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}"]
        + ["-frames:v", "1", "-pix_fmt", "bgr0", "-f", "rawvideo", "-"],
        capture_output=True,
        check=True,
    ).stdout
    picture = np.frombuffer(raw, np.uint8).reshape(height, width, 4)
    tiled = np.ascontiguousarray(np.hstack([picture, picture]))
    image = x.XCreateImage(
        dpy, x.XDefaultVisual(dpy, 0), 24, 2, 0, tiled.ctypes.data, 2 * width, height, 32, 0
    )
    source = x.XCreatePixmap(dpy, root, 2 * width, height, 24)
    frame = x.XCreatePixmap(dpy, root, width, height, 24)
    gc = x.XCreateGC(dpy, root, 0, None)
    x.XPutImage(dpy, source, gc, image, 0, 0, 0, 0, 2 * width, height)
    x.XSetWindowBackground(dpy, root, 0)
    x.XClearWindow(dpy, root)
    x.XWarpPointer(dpy, 0, root, 0, 0, 0, 0, *POINTER)
    x.XSync(dpy, 0)

    flags = {"stop": False, "report": False}
    signal.signal(signal.SIGTERM, lambda *_: flags.update(stop=True))
    signal.signal(signal.SIGUSR1, lambda *_: flags.update(report=True))
    origin, tick, skipped = time.monotonic(), 0, 0
    while not flags["stop"]:
        if flags["report"]:
            flags["report"] = False
            print(json.dumps({"skipped": skipped}), flush=True)
            skipped = 0
        # Offscreen first, then one copy to the screen: a grab sees all of a tick or none.
        x.XCopyArea(dpy, source, frame, gc, (tick * 4) % width, 0, width, height, 0, 0)
        for k, bit in enumerate(counter_cells(tick)):
            x.XSetForeground(dpy, gc, 0xFFFFFF if bit else 0)
            x.XFillRectangle(dpy, frame, gc, CELL * k, 0, CELL, CELL)
        x.XCopyArea(dpy, frame, root, gc, 0, 0, width, height, AREA[0], AREA[1])
        x.XSync(dpy, 0)
        # The counter is the tick of the stimulus clock; a late tick is skipped, not slid.
        now_tick = int((time.monotonic() - origin) * STIMULUS_FPS)
        skipped += max(0, now_tick - tick)
        tick = max(tick, now_tick) + 1
        delay = origin + tick / STIMULUS_FPS - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    return 0


# --- the workers: one capture each, in a process of its own -------------------------------


def x11grab_worker(out: Path, seconds: float) -> dict:
    from studio.capture.clock import Clock
    from studio.capture.screen import screen_backend

    clock = Clock()
    backend = screen_backend("0", FPS, clock)  # before measuring: it runs xdpyinfo
    own0, kids0 = cpu_now()
    started = time.monotonic()
    segment = backend.start_segment(out)
    first = segment.wait_started()
    clock.sleep_until(first + seconds)
    stop_asked = time.monotonic()
    result = segment.stop()
    ended = time.monotonic()
    own1, kids1 = cpu_now()
    return {
        "captured_s": clock.at(stop_asked) - first,
        "wall": ended - started,
        "finish_s": ended - stop_asked,
        "cpu": own1 - own0 + kids1 - kids0,
        "cpu_detail": f"ffmpeg {kids1 - kids0:.1f} + Python {own1 - own0:.1f}",
        "own_count": f"{result.duplicated} / {result.dropped}",
        "rss_mb": peak_rss_mb(),
        "errors": [] if result.frames else [segment.error_text()],
    }


def qt_worker(mode: str, out: Path, seconds: float) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    from PySide6.QtCore import QTimer, QUrl
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtMultimedia import (
        QMediaCaptureSession,
        QMediaFormat,
        QMediaRecorder,
        QScreenCapture,
        QVideoFrame,
        QVideoSink,
    )

    app = QGuiApplication([])
    capture = QScreenCapture()
    capture.setScreen(app.primaryScreen())
    capture.setMaximumFrameRate(FPS)
    session = QMediaCaptureSession()
    session.setScreenCapture(capture)
    info: dict = {"errors": [], "counters": []}
    capture.errorOccurred.connect(lambda _e, text: info["errors"].append(f"QScreenCapture: {text}"))
    times: dict[str, float] = {}
    cpu0 = sum(cpu_now())

    def finish() -> None:
        times["ended"] = time.monotonic()
        info["cpu"] = sum(cpu_now()) - cpu0
        app.quit()

    if mode == "qt-recorder":
        recorder = QMediaRecorder()
        session.setRecorder(recorder)
        media = QMediaFormat(QMediaFormat.FileFormat.Matroska)
        media.setVideoCodec(QMediaFormat.VideoCodec.H264)
        recorder.setMediaFormat(media)
        recorder.setVideoFrameRate(FPS)
        recorder.setVideoResolution(1920, 1080)
        recorder.setQuality(QMediaRecorder.Quality.NormalQuality)
        recorder.setOutputLocation(QUrl.fromLocalFile(str(out)))
        recorder.errorOccurred.connect(
            lambda _e, text: info["errors"].append(f"QMediaRecorder: {text}")
        )

        def stop() -> None:
            times["stop"] = time.monotonic()
            recorder.stop()

        def state(value: QMediaRecorder.RecorderState) -> None:
            if value == QMediaRecorder.RecorderState.RecordingState:
                times["first"] = time.monotonic()
                QTimer.singleShot(int(seconds * 1000), stop)
            elif value == QMediaRecorder.RecorderState.StoppedState:
                finish()

        recorder.recorderStateChanged.connect(state)
        times["started"] = time.monotonic()
        capture.start()
        recorder.record()
    else:
        sink = QVideoSink()
        session.setVideoSink(sink)

        def stop() -> None:
            times["stop"] = time.monotonic()
            capture.stop()
            finish()

        def frame_arrived(frame: QVideoFrame) -> None:
            if "first" not in times:
                times["first"] = time.monotonic()
                QTimer.singleShot(int(seconds * 1000), stop)
            if "stop" in times or not frame.map(QVideoFrame.MapMode.ReadOnly):
                return
            try:
                line = np.frombuffer(frame.bits(0), np.uint8)
                stride = frame.bytesPerLine(0)
                row = line[COUNTER_ROW * stride : (COUNTER_ROW + 1) * stride]
                info["counters"].append(read_counter(row.reshape(-1, 4)[:, :3].mean(axis=1)))
            finally:
                frame.unmap()
            info["format"] = frame.pixelFormat().name

        sink.videoFrameChanged.connect(frame_arrived)
        times["started"] = time.monotonic()
        capture.start()

    QTimer.singleShot(int((seconds + 60) * 1000), app.quit)  # never hang the benchmark
    app.exec()
    if "ended" not in times:
        info["errors"].append(f"did not finish within {seconds + 60:g} s")
        times.setdefault("ended", time.monotonic())
        info.setdefault("cpu", sum(cpu_now()) - cpu0)
    first, stop_at = times.get("first", times["ended"]), times.get("stop", times["ended"])
    info.update(
        captured_s=stop_at - first,
        wall=times["ended"] - times["started"],
        finish_s=times["ended"] - stop_at,
        own_count="n/a",
        rss_mb=peak_rss_mb(),
    )
    return info


# --- analysis ----------------------------------------------------------------------------


def sequence(counters: list[int | None]) -> dict:
    """Repeated frames, lost capture slots and unreadable frames in a counter sequence."""
    step = STIMULUS_FPS // FPS
    valid = [c for c in counters if c is not None]
    advances = np.diff(np.array(valid, dtype=np.int64))
    return {
        "unreadable": len(counters) - len(valid),
        "repeated": int((advances == 0).sum()),
        "lost": int(np.maximum(advances // step - 1, 0).sum()),
        "backwards": int((advances < 0).sum()),
        "stimulus_s": (valid[-1] - valid[0]) / STIMULUS_FPS if len(valid) > 1 else 0.0,
    }


def read_file(path: Path) -> dict:
    """Frames, codec, counters and the pointer in a recorded file."""
    if not path.exists() or path.stat().st_size == 0:
        return {"frames": 0, "codec": "no file", "counters": [], "pointer": "n/a", "bytes": 0}
    counters: list[int | None] = []
    pointer = []
    px, py = POINTER
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        codec = f"{stream.codec_context.name} {stream.codec_context.width}x{stream.codec_context.height}"
        for index, frame in enumerate(container.decode(stream)):
            gray = frame.to_ndarray(format="gray")
            counters.append(read_counter(gray[COUNTER_ROW]))
            if index % FPS == 0:
                pointer.append(int(gray[py : py + 24, px : px + 24].max()) > 128)
    return {
        "frames": len(counters),
        "codec": codec,
        "counters": counters,
        "pointer": "yes" if pointer and all(pointer) else "no",
        "bytes": path.stat().st_size,
    }


# --- the run -----------------------------------------------------------------------------


def x_server_pid(display: str) -> int:
    if display not in XVFB_PIDS:
        raise RuntimeError(f"no Xvfb for {display}")
    return XVFB_PIDS[display]


def ask_skipped(stim: subprocess.Popen) -> int:
    stim.send_signal(signal.SIGUSR1)
    return json.loads(stim.stdout.readline())["skipped"]


def run_backend(backend: str, out: Path, seconds: float, xvfb: int, idle_rate: float) -> dict:
    x0, t0 = proc_cpu(xvfb), time.monotonic()
    done = subprocess.run(
        [sys.executable, __file__, "--worker", backend, "--out", str(out)]
        + ["--seconds", str(seconds)],
        capture_output=True,
        text=True,
        errors="replace",
    )
    x1, t1 = proc_cpu(xvfb), time.monotonic()
    lines = done.stdout.strip().splitlines()
    try:
        info = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        info = {"errors": [f"worker failed ({done.returncode}): {done.stderr.strip()[-300:]}"]}
    info["xvfb_cpu"] = (x1 - x0) - idle_rate * (t1 - t0)
    info["log"] = [
        line for line in done.stderr.splitlines() if "Recording new media" in line or "rror" in line
    ]
    if backend == "qt-sink":
        counters = info.get("counters", [])
        info.update(frames=len(counters), codec=f"none ({info.get('format', '?')} frames)")
        info.update(pointer="n/a", bytes=0)
    else:
        info.update(read_file(out))
    info.update(sequence(info.pop("counters", [])))
    return info


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--worker", choices=BACKENDS + ("stimulus",), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "stimulus":
        return stimulus()
    if args.worker == "x11grab":
        print(json.dumps(x11grab_worker(args.out, args.seconds)))
        return 0
    if args.worker:
        print(json.dumps(qt_worker(args.worker, args.out, args.seconds)))
        return 0
    for tool in ("Xvfb", "pulseaudio", "xdpyinfo"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed; cannot run this benchmark.")
            return 1

    load_before = os.getloadavg()
    runs: list[tuple[int, str, dict]] = []
    with tempfile.TemporaryDirectory(prefix="bench-screen-") as tmp, servers("1920x1080") as env:
        xvfb = x_server_pid(env["DISPLAY"])
        stim = subprocess.Popen(
            [sys.executable, __file__, "--worker", "stimulus"], stdout=subprocess.PIPE, text=True
        )
        try:
            time.sleep(2.0)
            ask_skipped(stim)
            # Baseline: what the X server spends drawing the stimulus with nobody grabbing.
            idle = min(args.seconds, 20.0)
            x0, s0 = proc_cpu(xvfb), proc_cpu(stim.pid)
            time.sleep(idle)
            idle_rate = (proc_cpu(xvfb) - x0) / idle
            stimulus_rate = (proc_cpu(stim.pid) - s0) / idle
            idle_skipped = ask_skipped(stim)
            for number in range(1, args.rounds + 1):
                order = BACKENDS if number % 2 else BACKENDS[::-1]
                for backend in order:
                    out = Path(tmp) / f"{backend}-{number}.mkv"
                    info = run_backend(backend, out, args.seconds, xvfb, idle_rate)
                    info["stimulus_skipped"] = ask_skipped(stim)
                    runs.append((number, backend, info))
                    out.unlink(missing_ok=True)
        finally:
            stim.terminate()
            stim.wait(timeout=10)
    load_after = os.getloadavg()

    print(f"## Screen capture backends: 1920x1080 at {FPS} fps, {args.seconds:g} s per run\n")
    print(
        f"{CORES} cores; load average (1/5/15 min) before {load_before[0]:.2f} / "
        f"{load_before[1]:.2f} / {load_before[2]:.2f}, after {load_after[0]:.2f} / "
        f"{load_after[1]:.2f} / {load_after[2]:.2f}. Stimulus alone: Xvfb "
        f"{idle_rate * 100:.1f} % of a core, the stimulus process {stimulus_rate * 100:.1f} %, "
        f"{idle_skipped} of {idle * STIMULUS_FPS:.0f} ticks late.\n"
    )
    print(
        "| round | backend | written | frames (expected) | repeated | lost | unreadable "
        "| own count dup / drop | CPU s | CPU share | vs x11grab | Xvfb extra CPU s "
        "| finish after stop s | peak RSS MB | MB | pointer |"
    )
    print("|" + "---|" * 16)
    reference = {n: i.get("cpu") for n, b, i in runs if b == "x11grab"}
    for number, backend, info in runs:
        cpu = info.get("cpu")
        expected = round(info.get("captured_s", args.seconds) * FPS)
        share = f"{cpu / (info['wall'] * CORES) * 100:.0f} %" if cpu is not None else "n/a"
        ratio = f"{cpu / reference[number]:.2f}" if cpu and reference.get(number) else ""
        print(
            f"| {number} | {LABELS[backend]} | {info['codec']} | {info['frames']} ({expected}) "
            f"| {info['repeated']} | {info['lost']} | {info['unreadable']} "
            f"| {info.get('own_count', 'n/a')} | {cpu if cpu is None else f'{cpu:.1f}'} "
            f"| {share} | {ratio} | {info['xvfb_cpu']:.1f} | {info.get('finish_s', 0):.1f} "
            f"| {info.get('rss_mb', 0):.0f} | {info['bytes'] / 1e6:.1f} | {info['pointer']} |"
        )
    print("\n| round | backend | notes |")
    print("|---|---|---|")
    for number, backend, info in runs:
        notes = [f"stimulus ticks late {info['stimulus_skipped']}"]
        notes.append(f"counter span {info['stimulus_s']:.1f} s")
        if info.get("backwards"):
            notes.append(f"{info['backwards']} frames out of order")
        if info.get("cpu_detail"):
            notes.append(info["cpu_detail"])
        notes += info.get("errors", []) + [line.strip() for line in info.get("log", [])]
        print(f"| {number} | {backend} | {'; '.join(notes).replace('|', '/')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
