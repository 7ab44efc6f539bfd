"""What can be recorded on this computer: monitors, windows, cameras and microphones.

The names printed by ``lectern-studio devices`` are the ones the recorder accepts:
``--screen 0``, ``--screen window:NAME``, ``--camera 0`` and ``--mic NAME``.
X11 is asked through ``xrandr`` (monitors), ``xdpyinfo`` (X11 screens, where RandR is not
there), ``xwininfo`` and ``xprop`` (windows); microphones through sounddevice.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType

from studio.capture.errors import AudioUnavailableError, ToolMissingError

__all__ = [
    "Screen",
    "Window",
    "Camera",
    "Microphone",
    "x_display",
    "session_type",
    "capture_path",
    "list_screens",
    "list_windows",
    "list_cameras",
    "list_microphones",
    "sound_library",
    "SoundSource",
    "list_sound_sources",
    "microphone_choices",
    "PULSE_PREFIX",
]

#: Windows smaller than this (either side) are helpers, not something to record.
MIN_WINDOW = 16


@dataclass(frozen=True)
class Screen:
    """A monitor, recorded as its rectangle of the X11 screen: ``--screen INDEX``.

    Where RandR is not there, each X11 screen counts as one monitor at 0,0.

    Attributes:
        index: What ``--screen`` takes; RandR lists the primary monitor first.
        width, height: Size in pixels.
        display: The X11 display and screen the monitor is part of (``":0.0"``).
        x, y: The monitor's top-left corner on that X11 screen.
        name: RandR's name for it (``"DP-1"``); empty for a whole X11 screen.
        primary: Whether it is the primary monitor.
    """

    index: int
    width: int
    height: int
    display: str
    x: int = 0
    y: int = 0
    name: str = ""
    primary: bool = False


@dataclass(frozen=True)
class Window:
    """A named, viewable application window: ``--screen window:NAME``.

    ``x`` and ``y`` are absolute (on the X11 screen), also when a window manager has put
    the window inside a frame of its own.
    """

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


def session_type(environ: Mapping[str, str] | None = None) -> str:
    """``"wayland"``, ``"x11"`` or ``"none"``: the kind of desktop this program runs on.

    A Wayland session usually sets ``$DISPLAY`` too (XWayland), but XWayland shows only
    X11 programs (every native window records black there), so Wayland wins.
    """
    env = os.environ if environ is None else environ
    if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE", "").lower() == "wayland":
        return "wayland"
    if env.get("DISPLAY"):
        return "x11"
    return "none"


#: The screen-capture path of each session type, as ``lectern-studio devices`` names it.
CAPTURE_PATHS = {"wayland": "portal+PipeWire", "x11": "x11grab", "none": "none"}


def capture_path(environ: Mapping[str, str] | None = None) -> str:
    """How the screen is recorded here: ``"portal+PipeWire"``, ``"x11grab"`` or ``"none"``."""
    return CAPTURE_PATHS[session_type(environ)]


def x_display() -> str | None:
    """The X11 display to record (``$DISPLAY`` without a screen number), or ``None``."""
    display = os.environ.get("DISPLAY", "")
    if not display:
        return None
    host, _, rest = display.rpartition(":")
    return f"{host}:{rest.split('.')[0]}"


def _x_tool(*args: str) -> str:
    """What an X11 program prints, or ``""`` when it is missing, fails or hangs."""
    if shutil.which(args[0]) is None:
        return ""
    try:
        result = subprocess.run(
            args, capture_output=True, text=True, errors="replace", timeout=10, check=False
        )
    except subprocess.TimeoutExpired:
        return ""
    return result.stdout if result.returncode == 0 else ""


def list_screens() -> list[Screen]:
    """The monitors of the X11 display, primary first (empty when there is no display).

    One X11 screen usually spans all monitors, so RandR's monitors are listed
    (``xrandr --listactivemonitors``); without RandR (or ``xrandr``) each X11 screen is
    one entry, as ``xdpyinfo`` reports it.

    Raises:
        ToolMissingError: Neither ``xrandr`` nor ``xdpyinfo`` is installed.
    """
    display = x_display()
    if display is None:
        return []
    if shutil.which("xrandr") is None and shutil.which("xdpyinfo") is None:
        raise ToolMissingError(
            "The screens",
            "neither xrandr nor xdpyinfo is installed",
            "x11-xserver-utils",
            "xrandr",
            "record with --screen none",
        )
    return _randr_monitors(display) or _x_screens(display)


_MONITOR_LINE = re.compile(
    r"^\s*(?P<index>\d+):\s+\+?(?P<primary>\*?)(?P<name>.+?)\s+"
    r"(?P<w>\d+)/\d+x(?P<h>\d+)/\d+(?P<x>[+-]\d+)(?P<y>[+-]\d+)(?:\s|$)"
)


def _randr_monitors(display: str) -> list[Screen]:
    # ``xrandr`` asks the display's default screen (0): x11grab records the same one.
    text = _x_tool("xrandr", "--display", display, "--listactivemonitors")
    monitors = []
    for line in text.splitlines():
        match = _MONITOR_LINE.match(line)
        if not match or int(match["w"]) < 2 or int(match["h"]) < 2:
            continue
        monitors.append(
            Screen(
                int(match["index"]),
                int(match["w"]),
                int(match["h"]),
                f"{display}.0",
                int(match["x"]),
                int(match["y"]),
                match["name"],
                bool(match["primary"]),
            )
        )
    return monitors


def _x_screens(display: str) -> list[Screen]:
    text = _x_tool("xdpyinfo", "-display", display)
    found = re.findall(r"screen #(\d+):\s*\n\s*dimensions:\s*(\d+)x(\d+) pixels", text)
    return [Screen(int(i), int(w), int(h), f"{display}.{i}") for i, w, h in found]


# A line of ``xwininfo -tree``: id, name, then size+relative and absolute position.
_TREE_LINE = re.compile(
    r'^(?P<indent>\s*)(?P<id>0x[0-9a-f]+) (?:"(?P<name>.*)"|\(has no name\)):.*?'
    r"\s(?P<w>\d+)x(?P<h>\d+)[+-]-?\d+[+-]-?\d+\s+(?P<x>[+-]-?\d+)(?P<y>[+-]-?\d+)\s*$"
)


def _coordinate(text: str) -> int:
    return int(text.lstrip("+"))  # xwininfo writes -5 as "+-5"


def list_windows() -> list[Window]:
    """Named, viewable application windows of the X11 display, topmost first.

    Under a window manager the children of the root window are its frames, mostly
    unnamed, with the application's window inside; so the whole tree is read
    (``xwininfo -root -tree``). The applications are the manager's ``_NET_CLIENT_LIST``
    where it keeps one (``xprop``), else the first named window down each branch.
    Each is then asked (``xwininfo -id``) whether it is on screen and where it is now.

    Raises:
        ToolMissingError: ``xwininfo`` is not installed.
    """
    display = x_display()
    if display is None:
        return []
    if shutil.which("xwininfo") is None:
        raise ToolMissingError(
            "The windows",
            "xwininfo is not installed",
            "x11-utils",
            "xwininfo",
            "record a whole screen or a region instead",
        )
    tree = _window_tree(display)
    clients = _client_list(display, tree)
    if clients is None:
        candidates = _first_named(tree)
    else:
        candidates = [w for w, _ in tree if w.id in clients and w.name]
    windows = []
    for window in candidates:
        if window.width < MIN_WINDOW or window.height < MIN_WINDOW:
            continue
        now = _viewable(display, window)
        if now is not None and now.width >= MIN_WINDOW and now.height >= MIN_WINDOW:
            windows.append(now)
    return windows


def _window_tree(display: str) -> list[tuple[Window, int]]:
    """Every window below the root in ``xwininfo`` order (topmost first), with its depth."""
    text = _x_tool("xwininfo", "-display", display, "-root", "-tree")
    nodes = []
    for line in text.splitlines():
        match = _TREE_LINE.match(line)
        if match is None:
            continue
        window = Window(
            int(match["id"], 16),
            match["name"] or "",
            _coordinate(match["x"]),
            _coordinate(match["y"]),
            int(match["w"]),
            int(match["h"]),
        )
        nodes.append((window, len(match["indent"])))
    return nodes


def _first_named(tree: list[tuple[Window, int]]) -> list[Window]:
    """The first named window down each branch: the application, not its frame or parts."""
    found: list[Window] = []
    inside: int | None = None  # the depth of the window last taken
    for window, depth in tree:
        if inside is not None and depth > inside:
            continue
        inside = None
        if window.name:
            found.append(window)
            inside = depth
    return found


def _client_list(display: str, tree: list[tuple[Window, int]]) -> set[int] | None:
    """The running window manager's application windows, or ``None`` without one.

    EWMH managers list them in ``_NET_CLIENT_LIST``; a manager that has quit can leave
    that list behind, so it counts only while the manager's check window
    (``_NET_SUPPORTING_WM_CHECK``) still exists.
    """
    properties = ("_NET_CLIENT_LIST", "_NET_SUPPORTING_WM_CHECK")
    args = ["xprop", "-display", display, "-root", "-notype"]
    for name in properties:
        args += ["-f", name, "32x", ": $0+\n"]
    found = {}
    for line in _x_tool(*args, *properties).splitlines():
        name, _, values = line.partition(":")
        found[name.strip()] = {int(v, 16) for v in re.findall(r"0x[0-9a-fA-F]+", values)}
    check = found.get("_NET_SUPPORTING_WM_CHECK", set())
    if not check or not check & {window.id for window, _ in tree}:
        return None
    return found.get("_NET_CLIENT_LIST") or None


def _viewable(display: str, window: Window) -> Window | None:
    """``window`` where it is now, or ``None`` when it is not on screen (or gone)."""
    text = _x_tool("xwininfo", "-display", display, "-id", hex(window.id))
    fields = dict(re.findall(r"^\s*([A-Za-z -]+):\s+(\S+)", text, re.MULTILINE))
    if fields.get("Map State") != "IsViewable":
        return None
    try:
        return Window(
            window.id,
            window.name,
            int(fields["Absolute upper-left X"]),
            int(fields["Absolute upper-left Y"]),
            int(fields["Width"]),
            int(fields["Height"]),
        )
    except (KeyError, ValueError):
        return None


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


#: A microphone spec naming a PulseAudio (or PipeWire-Pulse) source: ``pulse:NAME``.
PULSE_PREFIX = "pulse:"
#: PortAudio's ALSA plugin devices: plumbing, not microphones a person would name.
_ALSA_PLUMBING = re.compile(
    r"^(pulse|pipewire|default|sysdefault|dmix|dsnoop|jack|oss|lavrate|samplerate|speexrate"
    r"|upmix|vdownmix|front|rear|center_lfe|side|surround\d*|iec958|spdif|hdmi|modem|phoneline"
    r"|null|plug|hw|plughw)(:.*)?$"
)


@dataclass(frozen=True)
class SoundSource:
    """A PulseAudio source: ``name`` for the recorder, ``description`` for people.

    ``monitor`` is true for a speaker's monitor (what the computer plays), which records
    the computer's sound rather than a voice.
    """

    name: str
    description: str
    monitor: bool


def list_sound_sources() -> list[SoundSource]:
    """The sound server's sources (``pactl``), microphones before monitors.

    Empty without a PulseAudio-compatible server or ``pactl``.
    """
    if shutil.which("pactl") is None:
        return []
    try:
        result = subprocess.run(
            ["pactl", "-f", "json", "list", "sources"],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=5,
            check=False,
        )
        found = json.loads(result.stdout) if result.returncode == 0 else []
    except (subprocess.TimeoutExpired, ValueError):
        return []
    sources = [
        SoundSource(
            str(item["name"]),
            str(item.get("description") or item["name"]),
            bool(item.get("monitor_source")),
        )
        for item in found
        if isinstance(item, dict) and item.get("name")
    ]
    return sorted(sources, key=lambda source: source.monitor)


def microphone_choices() -> list[tuple[str, str]]:
    """The microphones to offer a person: ``(what they are called, recorder spec)``.

    With a sound server these are its sources by their descriptions ("Built-in
    Audio Analog Stereo", "Monitor of ..."), as ``pulse:NAME``; PortAudio's hardware
    inputs are named without their ALSA address, and its plumbing devices ("pulse",
    "sysdefault", "dmix", ...) are left out. The system default is not in the list.
    """
    choices = [(source.description, PULSE_PREFIX + source.name) for source in list_sound_sources()]
    if choices:
        return choices  # the server holds the hardware: its devices are the ones to use
    for mic in list_microphones():
        if _ALSA_PLUMBING.match(mic.name):
            continue
        label = re.sub(r"\s*\((?:plug)?hw:[^)]*\)$", "", mic.name).strip() or mic.name
        choices.append((label, mic.name))
    return choices
