"""What can be recorded on this computer: screens, windows, cameras and microphones.

The names printed by ``lectern-studio devices`` are the ones the recorder accepts:
``--screen 0``, ``--screen window:NAME``, ``--camera 0`` and ``--mic NAME``.
X11 is asked through ``xdpyinfo`` and ``xwininfo``; microphones through sounddevice.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from types import ModuleType

from studio.capture.errors import AudioUnavailableError

__all__ = [
    "Screen",
    "Window",
    "Camera",
    "Microphone",
    "x_display",
    "list_screens",
    "list_windows",
    "list_cameras",
    "list_microphones",
    "sound_library",
]


@dataclass(frozen=True)
class Screen:
    """An X11 screen: ``--screen INDEX``."""

    index: int
    width: int
    height: int
    display: str


@dataclass(frozen=True)
class Window:
    """A named top-level X11 window: ``--screen window:NAME``."""

    id: int
    name: str
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class Camera:
    """A video capture device: ``--camera INDEX``."""

    index: int
    path: str
    name: str


@dataclass(frozen=True)
class Microphone:
    """A sound input: ``--mic NAME`` (or its index)."""

    index: int
    name: str
    channels: int
    default: bool


def x_display() -> str | None:
    """The X11 display to record (``$DISPLAY`` without a screen number), or ``None``."""
    display = os.environ.get("DISPLAY", "")
    if not display:
        return None
    host, _, rest = display.rpartition(":")
    return f"{host}:{rest.split('.')[0]}"


def _x_tool(*args: str) -> str:
    if shutil.which(args[0]) is None:
        return ""
    result = subprocess.run(
        args, capture_output=True, text=True, errors="replace", timeout=10, check=False
    )
    return result.stdout if result.returncode == 0 else ""


def list_screens() -> list[Screen]:
    """The screens of the X11 display (empty when there is none)."""
    display = x_display()
    if display is None:
        return []
    text = _x_tool("xdpyinfo", "-display", display)
    found = re.findall(r"screen #(\d+):\s*\n\s*dimensions:\s*(\d+)x(\d+) pixels", text)
    return [Screen(int(i), int(w), int(h), f"{display}.{i}") for i, w, h in found]


_WINDOW_LINE = re.compile(
    r'^\s*(0x[0-9a-f]+) "(?P<name>.*)":.*?\s(?P<w>\d+)x(?P<h>\d+)[+-]-?\d+[+-]-?\d+'
    r"\s+\+(?P<x>-?\d+)\+(?P<y>-?\d+)\s*$"
)


def list_windows() -> list[Window]:
    """Named, visible-sized top-level windows of the X11 display."""
    display = x_display()
    if display is None:
        return []
    text = _x_tool("xwininfo", "-display", display, "-root", "-children")
    windows = []
    for line in text.splitlines():
        match = _WINDOW_LINE.match(line)
        if not match or not match["name"]:
            continue
        width, height = int(match["w"]), int(match["h"])
        if width < 16 or height < 16:
            continue
        windows.append(
            Window(
                int(match.group(1), 16),
                match["name"],
                int(match["x"]),
                int(match["y"]),
                width,
                height,
            )
        )
    return windows


def list_cameras() -> list[Camera]:
    """Video capture devices (``/dev/video*`` on Linux)."""
    cameras = []
    for path in sorted(glob.glob("/dev/video*")):
        suffix = path.removeprefix("/dev/video")
        if not suffix.isdigit():
            continue
        name_file = f"/sys/class/video4linux/video{suffix}/name"
        try:
            with open(name_file, encoding="utf-8") as handle:
                name = handle.read().strip()
        except OSError:
            name = path
        cameras.append(Camera(int(suffix), path, name))
    return cameras


def sound_library() -> ModuleType:
    """``sounddevice``, which loads the PortAudio library when first imported.

    Raises:
        AudioUnavailableError: PortAudio is not installed (or cannot be loaded).
    """
    try:
        import sounddevice
    except OSError as error:  # sounddevice raises OSError when libportaudio is missing
        raise AudioUnavailableError(error) from None
    return sounddevice


def list_microphones() -> list[Microphone]:
    """Sound inputs that PortAudio (sounddevice) can open (none without PortAudio)."""
    try:
        sounddevice = sound_library()
    except AudioUnavailableError:
        return []
    try:
        default_in = sounddevice.default.device[0]
        devices = sounddevice.query_devices()
    except Exception:  # PortAudio missing or broken: no microphones, not a crash
        return []
    return [
        Microphone(i, d["name"], int(d["max_input_channels"]), i == default_in)
        for i, d in enumerate(devices)
        if d["max_input_channels"] > 0
    ]
