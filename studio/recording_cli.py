"""`lectern-studio record`, `devices` and `recover`: the recording engine on the command line.

``studio.cli`` adds these with :func:`add_parsers` and dispatches to :data:`HANDLERS`;
``python -m studio.recording_cli`` runs them on their own.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import math
import os
import select
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from shared.terminal import print_json, printable, stop_polled, stop_requested
from shared.timecode import clock
from studio.capture import devices as device_list
from studio.capture import portal
from studio.capture.errors import AudioUnavailableError, ResumeError, SettingsError
from studio.capture.recorder import LiveStats, Recorder, RecordingSettings, parse_size
from studio.capture.recording import finalize, load_recording
from studio.capture.recording import recover as recover_recording

__all__ = ["add_parsers", "record", "devices", "recover", "HANDLERS", "StatusPrinter"]

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
    p.add_argument(
        "--fps", type=float, default=30.0, help="video frames per second, 1 to 60 (default 30)"
    )
    p.add_argument(
        "--camera-size",
        default="1280x720",
        metavar="WxH",
        help="camera picture size; a larger picture is scaled down to fit (default 1280x720)",
    )
    p.add_argument(
        "--duration",
        type=float,
        help="stop after this many seconds of recording (the disk is checked for it first)",
    )
    p.add_argument(
        "--countdown",
        type=float,
        default=0.0,
        help="seconds to count down first (Enter or Ctrl+C cancels)",
    )
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
    if not math.isfinite(args.countdown) or args.countdown < 0:
        raise SettingsError(
            f"The countdown must be zero or more seconds, not {args.countdown}; try --countdown 3."
        )
    settings = RecordingSettings(
        screen=args.screen,
        camera=args.camera,
        mic=args.mic,
        fps=args.fps,
        preset=args.preset,
        camera_size=parse_size(args.camera_size),
        expected_duration=args.duration,
    )
    quiet = args.quiet or args.json
    recorder = Recorder(args.out_dir, settings)
    stop = threading.Event()
    status = StatusPrinter(sys.stderr, quiet=quiet)
    started = False
    try:
        # Ctrl+C, SIGTERM and SIGHUP stop the recording as Enter does: the loop polls
        # for them (a signal handler that set the event could wait on its own lock).
        with stop_polled(), _keys(stop) as keys:
            _countdown(args.countdown, quiet, stop, keys)
            if not _stopping(stop):
                recorder.start()
                started = True
            while started and not _stopping(stop):
                stats = recorder.stats()
                if keys.pause_toggled():
                    _toggle_pause(recorder, stats, status)
                    continue
                status.show(stats)
                if stats.stop_requested:
                    status.message(f"{PROG}: {stats.stop_requested}; stopping.", force=True)
                    break
                if args.duration is not None and stats.elapsed >= args.duration:
                    break
                stop.wait(0.1)
    except KeyboardInterrupt:
        pass  # a second Ctrl+C (or one outside `lectern-studio`) stops cleanly too
    finally:
        status.close()
        recorder.stop(finish=False)
    if not started:
        print(
            f"{PROG}: cancelled before the recording started; nothing was recorded.",
            file=sys.stderr,
        )
        return 130
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


def _toggle_pause(recorder: Recorder, stats: LiveStats, status: StatusPrinter) -> None:
    if not stats.paused:
        recorder.pause()
        return
    try:
        recorder.resume()
    except ResumeError as error:  # still paused, nothing lost: say so and go on
        status.message(f"{PROG}: {error} (p resumes, Enter stops)", force=True)


def _stopping(stop: threading.Event) -> bool:
    """Enter, the duration's end, or a stop signal (Ctrl+C, SIGTERM, SIGHUP)."""
    return stop.is_set() or stop_requested()


def _countdown(seconds: float, quiet: bool, stop: threading.Event, keys: _Keys) -> None:
    """Count down; Enter (or a line on a pipe) cancels, as Ctrl+C does."""
    tty = sys.stderr.isatty()
    end = time.monotonic() + seconds
    shown = None
    while not _stopping(stop) and time.monotonic() < end:
        keys.poll()
        left = end - time.monotonic()
        if not quiet and tty:
            print(f"\rRecording starts in {left:4.1f} s ", end="", file=sys.stderr, flush=True)
        elif not quiet and shown != math.ceil(left):
            shown = math.ceil(left)
            print(f"Recording starts in {shown} s", file=sys.stderr, flush=True)
        stop.wait(max(0.0, min(0.1, left)))
    keys.poll()
    keys.forget_pauses()  # a p typed during the countdown does not pause the start
    if seconds > 0 and not quiet and tty:
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


class StatusPrinter:
    """The live view of a recording on a stream (stderr).

    On a terminal the status line is redrawn in place and each new warning is printed
    once on its own line above it. Elsewhere (a pipe, a log file) a status line is
    printed at most once a second, and once per pause while paused.

    Args:
        stream: Where to print.
        quiet: Print only what :meth:`message` is forced to.
    """

    def __init__(self, stream: TextIO, *, quiet: bool = False) -> None:
        self.stream, self.quiet = stream, quiet
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._warned: set[str] = set()
        self._disk_warned = False
        self._line_on_screen = False
        self._last_line = -math.inf
        self._paused_shown = False

    def show(self, stats: LiveStats) -> None:
        """New warnings, then the status line (when it is due)."""
        if self.quiet:
            return
        for text in stats.warnings:
            if text not in self._warned:
                self._warned.add(text)
                self.message(f"warning: {text}")
        if stats.disk_warning and not self._disk_warned:
            self._disk_warned = True
            self.message(f"warning: {stats.disk_warning}")
        line = status_line(stats)
        if self.tty:
            self.stream.write(f"\r{line}\x1b[K")
            self.stream.flush()
            self._line_on_screen = True
            return
        now = time.monotonic()
        if now - self._last_line < 1.0 or (stats.paused and self._paused_shown):
            return
        self._paused_shown = stats.paused
        self._last_line = now
        print(line, file=self.stream, flush=True)

    def message(self, text: str, *, force: bool = False) -> None:
        """``text`` on a line of its own (the status line is redrawn below it)."""
        if self.quiet and not force:
            return
        if self._line_on_screen:
            self.stream.write("\r\x1b[K")
            self._line_on_screen = False
        print(text, file=self.stream, flush=True)

    def close(self) -> None:
        """End the status line so later output starts on a fresh one."""
        if self._line_on_screen:
            print(file=self.stream, flush=True)
            self._line_on_screen = False


class _Keys:
    """Enter stops; ``p`` toggles pause (only on a terminal, read key by key)."""

    def __init__(self, stop: threading.Event, tty: bool) -> None:
        self.stop, self.tty = stop, tty
        self._toggles = 0

    def poll(self) -> None:
        """Read the keys typed so far (on a terminal)."""
        if self.tty:
            self._poll_tty()

    def forget_pauses(self) -> None:
        self._toggles = 0

    def pause_toggled(self) -> bool:
        self.poll()
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


#: How ``devices`` names each session type.
SESSION_NAMES = {"wayland": "Wayland", "x11": "X11", "none": "none (no desktop)"}


def devices(args: argparse.Namespace) -> int:
    """List what can be recorded, with the names ``record`` accepts."""
    session = device_list.session_type()
    capture = device_list.capture_path()
    wayland = session == "wayland"
    problem = portal.check_available() if wayland else None
    # On Wayland, X11 tools see only XWayland: its screens and windows are not what
    # the portal records, so they are not listed.
    screens = [] if wayland else device_list.list_screens()
    windows = [] if wayland else device_list.list_windows()
    cameras = device_list.list_cameras()
    mics = device_list.list_microphones()
    if args.json:
        print_json(
            {
                "session": session,
                "screen_capture": capture,
                "screen_capture_problem": problem,
                "screens": [dataclasses.asdict(s) for s in screens],
                "windows": [dataclasses.asdict(w) for w in windows],
                "cameras": [dataclasses.asdict(c) for c in cameras],
                "microphones": [dataclasses.asdict(m) for m in mics],
            }
        )
        return 0
    print(f"Session: {SESSION_NAMES[session]}; screen capture: {capture}")
    if problem:
        print(f"  not available: {problem}")
    if wayland:
        print("Screens and windows: the desktop's own picker asks which when recording starts")
        print("  --screen 0 (a screen), window:NAME (a window), region:X,Y,W,H (of the screen)")
    else:
        print("Screens (--screen N, or region:X,Y,W,H):")
        for s in screens:
            print(f"  {s.index}  {s.width}x{s.height} on {s.display}")
        if not screens:
            print("  none (no X11 display: $DISPLAY is not set)")
        print("Windows (--screen window:NAME):")
        for w in windows:
            print(f"  window:{printable(w.name)}  {w.width}x{w.height}+{w.x}+{w.y}")
        if not windows:
            print("  none")
    print("Cameras (--camera INDEX, or a video file path):")
    for c in cameras:
        print(f"  {c.index}  {printable(c.name)} ({printable(c.path)})")
    if not cameras:
        print("  none")
    print("Microphones (--mic NAME or INDEX, or default):")
    for m in mics:
        mark = "  (default)" if m.default else ""
        print(f"  {m.index}  {printable(m.name)}{mark}")
    if not mics:
        try:
            device_list.sound_library()
            print("  none")
        except AudioUnavailableError as error:
            print(f"  none: {error}")
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
