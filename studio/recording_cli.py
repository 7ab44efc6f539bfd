"""`lectern-studio record`, `devices` and `recover`: the recording engine on the command line.

``studio.cli`` adds these with :func:`add_parsers` and dispatches to :data:`HANDLERS`;
``python -m studio.recording_cli`` runs them on their own.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from shared.terminal import clock, print_json
from studio.capture import devices as device_list
from studio.capture.errors import CaptureError
from studio.capture.recorder import LiveStats, Recorder, RecordingSettings
from studio.capture.recording import finalize, load_recording
from studio.capture.recording import recover as recover_recording

__all__ = ["add_parsers", "record", "devices", "recover", "HANDLERS"]

PROG = "lectern-studio"
METER_WIDTH = 24
METER_FLOOR_DB = -60.0


def add_parsers(
    subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]
) -> None:
    """Add ``record``, ``devices`` and ``recover`` to a ``lectern-studio`` parser."""
    p = subparsers.add_parser(
        "record",
        parents=parents,
        help="record screen, camera and microphone into a recording folder",
        description="Record into OUT_DIR. Enter or Ctrl+C stops; p pauses and resumes "
        "(on a terminal). The folder goes straight into 'lectern-studio build'.",
    )
    p.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    p.add_argument("--screen", default="0", help="N, region:X,Y,W,H, window:NAME or none")
    p.add_argument("--camera", default="none", help="device INDEX, a video file PATH, or none")
    p.add_argument("--mic", default="default", help="NAME (or part of it), INDEX, default or none")
    p.add_argument("--fps", type=float, default=30.0, help="video frames per second (default 30)")
    p.add_argument("--duration", type=float, help="stop after this many seconds of recording")
    p.add_argument("--countdown", type=float, default=0.0, help="seconds to count down first")
    p.add_argument(
        "--preset",
        default="ultrafast",
        choices=("ultrafast", "superfast", "veryfast", "faster", "fast"),
        help="libx264 preset of the screen (ultrafast keeps up on two cores)",
    )
    subparsers.add_parser(
        "devices", parents=parents, help="list screens, windows, cameras and microphones"
    )
    p = subparsers.add_parser(
        "recover", parents=parents, help="finish a recording that was interrupted"
    )
    p.add_argument("folder", type=Path, metavar="DIR")


# --- record ------------------------------------------------------------------------------


def record(args: argparse.Namespace) -> int:
    """Record until Enter, Ctrl+C, ``--duration`` or a nearly full disk."""
    if args.fps <= 0 or args.fps > 60:
        raise CaptureError(f"--fps must be between 1 and 60, not {args.fps:g}; try --fps 30.")
    settings = RecordingSettings(
        screen=args.screen, camera=args.camera, mic=args.mic, fps=args.fps, preset=args.preset
    )
    quiet = args.quiet or args.json
    recorder = Recorder(args.out_dir, settings)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        _countdown(args.countdown, quiet, stop)
        if not stop.is_set():
            recorder.start()
        with _keys(stop) as keys:
            while not stop.is_set():
                stats = recorder.stats()
                if keys.pause_toggled():
                    (recorder.resume if stats.paused else recorder.pause)()
                    continue
                if not quiet:
                    _draw(stats)
                if stats.stop_requested:
                    print(f"\n{PROG}: {stats.stop_requested}; stopping.", file=sys.stderr)
                    break
                if args.duration is not None and stats.elapsed >= args.duration:
                    break
                stop.wait(0.1)
    except KeyboardInterrupt:
        pass  # Ctrl+C stops cleanly, like Enter
    finally:
        signal.signal(signal.SIGTERM, previous)
        if not quiet:
            print(file=sys.stderr)
        recorder.stop(finish=False)
    if not recorder.data.get("segments"):
        print(f"{PROG}: nothing was recorded.", file=sys.stderr)
        return 130
    if not quiet:
        print("Finishing the recording (aligning and joining the tracks) ...", file=sys.stderr)
    result = finalize(args.out_dir)
    data = load_recording(args.out_dir)
    if args.json:
        print_json({"folder": str(result.folder), "recording": data})
        return 0
    for event in data.get("events", []):
        print(f"warning: {event['text']}", file=sys.stderr)
    outputs = [result.main.name] + ([result.presenter.name] if result.presenter else [])
    print(f"Recorded {clock(result.duration)} into {result.folder} ({', '.join(outputs)})")
    for name, stat in data.get("statistics", {}).items():
        if isinstance(stat, dict) and "frames" in stat:
            print(
                f"  {name}: {stat['frames']} frames, {stat['dropped']} dropped, "
                f"{stat['duplicated']} duplicated"
            )
    print(f"Build a lesson from it: {PROG} build {result.folder} -o LESSON_DIR")
    return 0


def _countdown(seconds: float, quiet: bool, stop: threading.Event) -> None:
    end = time.monotonic() + max(0.0, seconds)
    while not stop.is_set() and time.monotonic() < end:
        left = end - time.monotonic()
        if not quiet:
            print(f"\rRecording starts in {left:4.1f} s ", end="", file=sys.stderr, flush=True)
        stop.wait(min(0.1, left))
    if seconds > 0 and not quiet:
        print(file=sys.stderr)


def meter(dbfs: float, width: int = METER_WIDTH) -> str:
    """``-20`` -> ``[################--------]`` on a -60..0 dBFS scale."""
    fill = int(round(width * min(1.0, max(0.0, 1 - dbfs / METER_FLOOR_DB))))
    return "[" + "#" * fill + "-" * (width - fill) + "]"


def status_line(stats: LiveStats) -> str:
    """The one-line live view of a recording."""
    parts = [("PAUSED " if stats.paused else "REC ") + clock(stats.elapsed)]
    if stats.mic is not None:
        flags = " CLIP" if stats.mic.clipping else " NO SIGNAL" if stats.mic.no_signal else ""
        parts.append(f"mic {meter(stats.mic.rms_dbfs)} {stats.mic.rms_dbfs:6.1f} dBFS{flags}")
    for name, video in stats.video.items():
        parts.append(f"{name} {video.frames} fr ({video.dropped} drop, {video.duplicated} dup)")
    if stats.disk_seconds_left != float("inf"):
        parts.append(f"disk {clock(stats.disk_seconds_left)} left")
    return " | ".join(parts)


def _draw(stats: LiveStats) -> None:
    line = status_line(stats)
    if sys.stderr.isatty():
        print(f"\r{line}\x1b[K", end="", file=sys.stderr, flush=True)
        for warning in stats.warnings:
            print(f"\r\x1b[K  ! {warning}", end="", file=sys.stderr, flush=True)
    elif int(stats.elapsed * 10) % 10 == 0:
        print(line, file=sys.stderr, flush=True)


class _Keys:
    """Enter stops; ``p`` toggles pause (only on a terminal, read key by key)."""

    def __init__(self, stop: threading.Event, tty: bool) -> None:
        self.stop, self.tty = stop, tty
        self._toggles = 0

    def pause_toggled(self) -> bool:
        if self.tty:
            self._poll_tty()
        if self._toggles:
            self._toggles -= 1
            return True
        return False

    def _poll_tty(self) -> None:
        while select.select([sys.stdin], [], [], 0)[0]:
            char = os.read(sys.stdin.fileno(), 1)
            if char in (b"\n", b"\r", b"q"):
                self.stop.set()
            elif char in (b"p", b"P", b" "):
                self._toggles += 1
            elif not char:
                return

    def read_lines(self) -> None:
        """A pipe or file on stdin: a line (Enter) stops; end of input does not."""
        for _line in sys.stdin:
            self.stop.set()
            return


@contextlib.contextmanager
def _keys(stop: threading.Event) -> Iterator[_Keys]:
    stdin = sys.stdin
    tty = bool(stdin and stdin.isatty())
    keys = _Keys(stop, tty)
    if not tty:
        if stdin is not None and not stdin.closed:
            threading.Thread(target=keys.read_lines, daemon=True).start()
        yield keys
        return
    import termios
    import tty as tty_module

    saved = termios.tcgetattr(stdin.fileno())
    try:
        tty_module.setcbreak(stdin.fileno())
        yield keys
    finally:
        termios.tcsetattr(stdin.fileno(), termios.TCSADRAIN, saved)


# --- devices / recover --------------------------------------------------------------------


def devices(args: argparse.Namespace) -> int:
    """List what can be recorded, with the names ``record`` accepts."""
    screens = device_list.list_screens()
    windows = device_list.list_windows()
    cameras = device_list.list_cameras()
    mics = device_list.list_microphones()
    if args.json:
        print_json(
            {
                "screens": [dataclasses.asdict(s) for s in screens],
                "windows": [dataclasses.asdict(w) for w in windows],
                "cameras": [dataclasses.asdict(c) for c in cameras],
                "microphones": [dataclasses.asdict(m) for m in mics],
            }
        )
        return 0
    print("Screens (--screen N, or region:X,Y,W,H):")
    for s in screens:
        print(f"  {s.index}  {s.width}x{s.height} on {s.display}")
    if not screens:
        print("  none (no X11 display: $DISPLAY is not set)")
    print("Windows (--screen window:NAME):")
    for w in windows:
        print(f"  window:{w.name}  {w.width}x{w.height}+{w.x}+{w.y}")
    if not windows:
        print("  none")
    print("Cameras (--camera INDEX, or a video file path):")
    for c in cameras:
        print(f"  {c.index}  {c.name} ({c.path})")
    if not cameras:
        print("  none")
    print("Microphones (--mic NAME or INDEX, or default):")
    for m in mics:
        mark = "  (default)" if m.default else ""
        print(f"  {m.index}  {m.name}{mark}")
    if not mics:
        print("  none")
    return 0


def recover(args: argparse.Namespace) -> int:
    """Finish an interrupted recording so it plays and builds."""
    result = recover_recording(args.folder)
    if args.json:
        print_json({"folder": str(result.folder), **dataclasses.asdict(result)})
        return 0
    print(
        f"Recovered {clock(result.duration)} in {result.folder}: {result.main.name}"
        + (f", {result.presenter.name}" if result.presenter else "")
    )
    return 0


HANDLERS = {"record": record, "devices": devices, "recover": recover}
