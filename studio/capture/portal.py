"""Screen capture on Wayland: the xdg-desktop-portal ScreenCast interface and PipeWire.

On a Wayland session no program may read the screen by itself; it asks the desktop's
screen-cast portal (``org.freedesktop.portal.ScreenCast`` on the D-Bus session bus),
the desktop shows its own picker, and the chosen screen or window arrives as a
PipeWire video stream. The handshake (CreateSession, SelectSources, Start,
OpenPipeWireRemote) runs here over D-Bus (jeepney, pure Python). Each segment is then
GStreamer's ``pipewiresrc`` reading that stream as raw frames into the same ffmpeg
encoder the X11 backend uses (fps filter, H.264, live Matroska), so the recording
clock, the sync, the crash safety and the track layout do not change: ffmpeg stamps
each frame with the wall clock as it arrives, as x11grab does.

A compositor sends a frame only when the picture changes; ``pipewiresrc`` repeats the
last one meanwhile (``keepalive-time``), so a still slide still fills every slot.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import secrets
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.jobs import Cancelled
from studio.capture.clock import Clock
from studio.capture.errors import (
    CaptureError,
    DeviceNotFoundError,
    ScreenCastUnavailableError,
    ScreenShareRefusedError,
)
from studio.capture.process import popen_child, stop_child
from studio.capture.screen import (
    MAX_SIZE,
    SCREEN_CRF,
    STARTUP_TIMEOUT,
    ScreenTarget,
    X11ScreenSegment,
    encode_command,
)
from studio.capture.tracks import SegmentResult

__all__ = [
    "WaylandScreenBackend",
    "WaylandScreenSegment",
    "parse_wayland_screen",
    "PortalScreenCast",
    "PortalStream",
    "check_pipewire",
    "check_available",
    "gstreamer_command",
    "SOURCE_MONITOR",
    "SOURCE_WINDOW",
    "PICKER_TIMEOUT",
    "PICKER_WINDOW",
    "GstProcess",
]

PORTAL_BUS = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
SCREENCAST = "org.freedesktop.portal.ScreenCast"
#: ``types`` of SelectSources.
SOURCE_MONITOR, SOURCE_WINDOW = 1, 2
#: ``cursor_mode`` of SelectSources: drawn into the picture, like x11grab's pointer.
CURSOR_HIDDEN, CURSOR_EMBEDDED = 1, 2
#: Seconds a person may take in the desktop's picker.
PICKER_TIMEOUT = 300.0
CALL_TIMEOUT = 10.0
#: The ``--screen`` of a window chosen in the desktop's picker (a Wayland window has
#: no name Lectern could look up).
PICKER_WINDOW = "window:*"
#: Seconds to wait for a first frame before taking the screen for a still one: the
#: compositor sends a frame only when the picture changes (see WaylandScreenSegment).
FIRST_FRAME_WAIT = 2.0
#: Seconds to wait for PipeWire to connect a segment's stream (``streaming``). Quick on a
#: quiet machine (0.03 s measured); a busy one can take many seconds, and a recording
#: that gave up too early would be lost for nothing.
STREAM_TIMEOUT = 30.0
#: How often (seconds) a request waiting for the picker looks whether it was cancelled.
CANCEL_POLL = 0.1


def check_pipewire() -> None:
    """Refuse, before anything starts, when the PipeWire side of the capture is missing.

    Raises:
        ScreenCastUnavailableError: GStreamer's tools or its PipeWire plugin are not
            installed, or no PipeWire server runs in this session.
    """
    if shutil.which("gst-launch-1.0") is None:
        raise ScreenCastUnavailableError(
            "GStreamer's gst-launch-1.0 is not installed",
            "install it (Debian/Ubuntu: apt-get install gstreamer1.0-tools "
            "gstreamer1.0-pipewire; Fedora: dnf install gstreamer1 pipewire-gstreamer)",
        )
    if not _has_pipewiresrc():
        raise ScreenCastUnavailableError(
            "GStreamer's PipeWire plugin (pipewiresrc) is not installed",
            "install it (Debian/Ubuntu: apt-get install gstreamer1.0-pipewire; "
            "Fedora: dnf install pipewire-gstreamer)",
        )
    socket = _pipewire_socket()
    if socket is None or not socket.exists():
        raise ScreenCastUnavailableError(
            "no PipeWire server runs in this session",
            "install and start it (Debian/Ubuntu: apt-get install pipewire wireplumber, "
            "then log in again; Fedora: dnf install pipewire wireplumber)",
        )


def check_available() -> str | None:
    """Why the portal path cannot record here (one sentence), or ``None`` when it can.

    Asks what :class:`WaylandScreenBackend` asks before a recording starts, without
    starting a screen-cast session (no picker shows).
    """
    try:
        check_pipewire()
        PortalScreenCast().close()
    except ScreenCastUnavailableError as error:
        return str(error)
    return None


def _has_pipewiresrc() -> bool:
    inspect = shutil.which("gst-inspect-1.0")
    if inspect is None:
        # Without the inspector, look for the plugin file where distributions put it.
        return (
            any(Path("/usr/lib").glob("*/gstreamer-1.0/libgstpipewire.so"))
            or Path("/usr/lib64/gstreamer-1.0/libgstpipewire.so").exists()
        )
    try:
        result = subprocess.run(
            [inspect, "pipewiresrc"], capture_output=True, timeout=30, check=False
        )
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0


def _pipewire_socket() -> Path | None:
    remote = os.environ.get("PIPEWIRE_REMOTE", "pipewire-0")
    if remote.startswith("/"):
        return Path(remote)
    folder = os.environ.get("PIPEWIRE_RUNTIME_DIR") or os.environ.get("XDG_RUNTIME_DIR")
    return Path(folder) / remote if folder else None


@dataclass(frozen=True)
class PortalStream:
    """The stream the portal gave: a PipeWire node and the picture's size.

    Attributes:
        node: The PipeWire node id to read.
        width, height: Size of the shared screen or window in pixels, if the portal said.
        source_type: :data:`SOURCE_MONITOR` or :data:`SOURCE_WINDOW`, if the portal said.
    """

    node: int
    width: int
    height: int
    source_type: int = 0


class PortalScreenCast:
    """One screen-cast session with the desktop's portal, held open while recording.

    The D-Bus connection is the session's lifeline: the portal ends the session when it
    closes, so keep this object until the recording stops, then :meth:`close` it.

    Raises:
        ScreenCastUnavailableError: No D-Bus session bus, or no screen-cast portal on it.
    """

    def __init__(self) -> None:
        from jeepney import DBusAddress
        from jeepney.io.blocking import open_dbus_connection

        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS") and not _default_bus().exists():
            raise ScreenCastUnavailableError(
                "there is no D-Bus session bus ($DBUS_SESSION_BUS_ADDRESS is not set)",
                "start Lectern from your desktop session rather than from a bare terminal",
            )
        try:
            self._conn = open_dbus_connection(bus="SESSION", enable_fds=True)
        except (OSError, ValueError, KeyError) as error:
            raise ScreenCastUnavailableError(
                f"the D-Bus session bus cannot be reached ({error})",
                "start Lectern from your desktop session rather than from a bare terminal",
            ) from error
        self._addr = DBusAddress(PORTAL_PATH, bus_name=PORTAL_BUS, interface=SCREENCAST)
        self.session: str | None = None
        self._cancel = threading.Event()
        self.source_types = self._property("AvailableSourceTypes")
        self.cursor_modes = self._property("AvailableCursorModes", 0)
        self.version = self._property("version", 1)

    def _property(self, name: str, default: int | None = None) -> int:
        from jeepney import Properties
        from jeepney.wrappers import DBusErrorResponse

        try:
            reply = self._call(Properties(self._addr).get(name))
        except DBusErrorResponse as error:
            if default is not None:
                return default
            raise ScreenCastUnavailableError(
                f"the desktop has no screen-cast portal ({error.name})",
                "install xdg-desktop-portal with the backend of your desktop "
                "(xdg-desktop-portal-gnome, -kde or -wlr) and log in again, or use an X11 session",
            ) from error
        return int(reply.body[0][1])

    def _call(self, message: Any, timeout: float = CALL_TIMEOUT) -> Any:
        from jeepney.wrappers import unwrap_msg

        reply = self._conn.send_and_get_reply(message, timeout=timeout)
        unwrap_msg(reply)  # raises DBusErrorResponse for an error reply
        return reply

    def _request(self, method: str, signature: str, *args: Any, timeout: float) -> dict:
        """Call a portal method that answers later through a Request's Response signal."""
        from jeepney import MatchRule, message_bus, new_method_call

        token = "lectern_" + secrets.token_hex(6)
        sender = self._conn.unique_name.lstrip(":").replace(".", "_")
        path = f"{PORTAL_PATH}/request/{sender}/{token}"
        rule = MatchRule(
            type="signal", interface="org.freedesktop.portal.Request", member="Response", path=path
        )
        self._call(message_bus.AddMatch(rule))
        options = dict(args[-1])
        options["handle_token"] = ("s", token)
        call = new_method_call(self._addr, method, signature, (*args[:-1], options))
        with self._conn.filter(rule) as queue:
            self._call(call)
            signal = self._wait_for_answer(queue, path, timeout)
        with contextlib.suppress(Exception):
            self._call(message_bus.RemoveMatch(rule))
        code, results = signal.body
        if code == 1:
            raise ScreenShareRefusedError("screen sharing was cancelled in the desktop's picker")
        if code != 0:
            raise ScreenShareRefusedError(
                f"the desktop's screen-cast portal could not share the screen ({method} failed; "
                "is PipeWire running?)"
            )
        return {key: value for key, (_sig, value) in results.items()}

    def _wait_for_answer(self, queue: Any, path: str, timeout: float) -> Any:
        """The Response signal of the Request at ``path``, looking for :meth:`cancel`
        in between (the picker may stay open for minutes)."""
        deadline = time.monotonic() + timeout
        while True:
            if self._cancel.is_set():
                self._withdraw(path)
                raise Cancelled("Choosing what to share")
            left = deadline - time.monotonic()
            if left <= 0:
                raise ScreenShareRefusedError(
                    f"nobody answered the screen-sharing picker within {timeout:.0f} s"
                )
            try:
                return self._conn.recv_until_filtered(queue, timeout=min(CANCEL_POLL, left))
            except TimeoutError:
                continue

    def _withdraw(self, path: str) -> None:
        """Close the pending request and the session without waiting for answers: the
        portal may be busy with its picker, which it then closes."""
        from jeepney import DBusAddress, new_method_call

        for object_path, interface in ((path, "Request"), (self.session, "Session")):
            if object_path is None:
                continue
            addr = DBusAddress(
                object_path, bus_name=PORTAL_BUS, interface=f"org.freedesktop.portal.{interface}"
            )
            with contextlib.suppress(Exception):
                self._conn.send(new_method_call(addr, "Close"))
        self.session = None

    def cancel(self) -> None:
        """Give up waiting for the picker; :meth:`start` then raises ``Cancelled``.

        The one method that may be called from another thread than :meth:`start`'s.
        """
        self._cancel.set()

    def start(
        self, source_type: int = SOURCE_MONITOR, timeout: float = PICKER_TIMEOUT
    ) -> PortalStream:
        """Ask the desktop what to share (its picker) and start the stream.

        Raises:
            ScreenCastUnavailableError: The portal cannot share this kind of source.
            ScreenShareRefusedError: The person cancelled the picker, or the portal failed.
            Cancelled: :meth:`cancel` was called while the picker was open.
        """
        self._cancel.clear()
        if not self.source_types & source_type:
            what = "single windows" if source_type == SOURCE_WINDOW else "screens"
            raise ScreenCastUnavailableError(
                f"this desktop's screen-cast portal cannot share {what}",
                "record a whole screen (--screen 0) or a region of it instead"
                if source_type == SOURCE_WINDOW
                else "install the portal backend of your desktop",
            )
        self.close_session()
        created = self._request(
            "CreateSession",
            "a{sv}",
            {"session_handle_token": ("s", "lectern_" + secrets.token_hex(6))},
            timeout=CALL_TIMEOUT,
        )
        self.session = str(created["session_handle"])
        options: dict[str, tuple[str, Any]] = {
            "types": ("u", source_type),
            "multiple": ("b", False),
        }
        if self.cursor_modes & CURSOR_EMBEDDED:
            options["cursor_mode"] = ("u", CURSOR_EMBEDDED)
        self._request("SelectSources", "oa{sv}", self.session, options, timeout=CALL_TIMEOUT)
        started = self._request("Start", "osa{sv}", self.session, "", {}, timeout=timeout)
        streams = started.get("streams") or []
        if not streams:
            raise ScreenShareRefusedError("the desktop's picker shared nothing")
        node, props = streams[0]
        props = {key: value for key, (_sig, value) in props.items()}
        width, height = props.get("size", (0, 0))
        return PortalStream(int(node), int(width), int(height), int(props.get("source_type", 0)))

    def open_remote(self) -> int:
        """A new file descriptor onto the PipeWire server for this session's stream."""
        from jeepney import new_method_call

        if self.session is None:
            raise CaptureError("The screen-cast session has not started; start it first.")
        call = new_method_call(self._addr, "OpenPipeWireRemote", "oa{sv}", (self.session, {}))
        reply = self._call(call)
        return reply.body[0].to_raw_fd()

    def close_session(self) -> None:
        """End the current screen-cast session (the desktop stops its sharing indicator)."""
        from jeepney import DBusAddress, new_method_call

        if self.session is None:
            return
        addr = DBusAddress(
            self.session, bus_name=PORTAL_BUS, interface="org.freedesktop.portal.Session"
        )
        with contextlib.suppress(Exception):
            self._call(new_method_call(addr, "Close"))
        self.session = None

    def close(self) -> None:
        """End the session and the D-Bus connection."""
        self.close_session()
        with contextlib.suppress(Exception):
            self._conn.close()


def _default_bus() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    return Path(runtime) / "bus" if runtime else Path("/nonexistent")


def gstreamer_command(fd: int, node: int, width: int, height: int, fps: float) -> list[str]:
    """``gst-launch-1.0`` reading PipeWire node ``node`` as BGRx frames of ``width`` x
    ``height`` to stdout, repeating the last frame while the compositor sends none."""
    keepalive = max(1, int(1000 / fps))
    return [
        "gst-launch-1.0",
        "-q",
        "pipewiresrc",
        f"fd={fd}",
        f"path={node}",
        "do-timestamp=true",
        f"keepalive-time={keepalive}",
        "!",
        "videoconvert",
        "!",
        "videoscale",
        "!",
        f"video/x-raw,format=BGRx,width={width},height={height}",
        "!",
        "fdsink",
        "fd=1",
        "sync=false",
    ]


_GST_ERROR = re.compile(r"^ERROR: (?:from element [^:]+: )?(.*)")
#: pipewiresrc's debug line for each state of its stream.
_GST_STATE = re.compile(r"pipewiresrc .*got stream state (\w+)")


class GstProcess:
    """A running ``gst-launch-1.0``: its stdout feeds ffmpeg, its errors are kept.

    pipewiresrc does not end when the stream does (the shared window closed, the
    desktop stopped sharing): it only says so in its debug log, where its stream
    goes from ``streaming`` to ``unconnected``; :attr:`ended` is then set.
    """

    def __init__(self, command: list[str], fd: int) -> None:
        self.errors: list[str] = []
        self.ended: str | None = None
        #: The PipeWire stream runs (frames come whenever the picture changes).
        self.streaming = False
        env = dict(os.environ, GST_DEBUG="pipewiresrc:5", GST_DEBUG_NO_COLOR="1")
        try:
            self.process = popen_child(
                command,
                pass_fds=(fd,),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        finally:
            os.close(fd)
        self._thread = threading.Thread(target=self._read_stderr, daemon=True)
        self._thread.start()

    def _read_stderr(self) -> None:
        for raw in self.process.stderr:
            line = raw.decode("utf-8", "replace").strip()
            state = _GST_STATE.search(line)
            if state:
                if state.group(1) == "streaming":
                    self.streaming = True
                elif state.group(1) in ("unconnected", "error") and self.streaming:
                    self.ended = (
                        "the shared screen or window went away (it was closed, or the "
                        "desktop stopped sharing it)"
                    )
                continue
            match = _GST_ERROR.match(line)
            if match:
                self.errors = (self.errors + [match.group(1).rstrip(".")])[-5:]

    def error_text(self) -> str | None:
        """Why the stream ended, or GStreamer's last error (waits a moment after it exits)."""
        if self.process.poll() is not None:
            self._thread.join(timeout=2)
        if self.ended:
            return self.ended
        return self.errors[-1] if self.errors else None

    def stop(self) -> None:
        stop_child(self.process, timeout=5)
        self._thread.join(timeout=5)


def parse_wayland_screen(spec: str, max_size: tuple[int, int] = MAX_SIZE) -> ScreenTarget:
    """What ``--screen`` asks of the portal: ``N`` (a screen), ``window:NAME`` or a region.

    On Wayland the desktop's picker chooses the screen or window, so ``N`` and ``NAME``
    only say which kind to ask for; a region ``region:X,Y,W,H`` is cut out of the
    screen chosen there. Until the picker answers, the size is a guess (``max_size``).

    Raises:
        DeviceNotFoundError: ``spec`` is none of these.
    """
    spec = spec.strip()
    display = os.environ.get("WAYLAND_DISPLAY", "wayland-0")
    kind, _, rest = spec.partition(":")
    width, height = max_size
    if kind == "window" and rest.strip():
        return ScreenTarget("window", spec, display, 0, 0, width, height, 0, max_size)
    if kind == "region":
        try:
            x, y, w, h = (int(v) for v in rest.split(","))
        except ValueError:
            raise DeviceNotFoundError("screen", spec, ["region:X,Y,W,H"]) from None
        if x < 0 or y < 0 or w < 2 or h < 2:
            raise DeviceNotFoundError("screen", spec, ["region:X,Y,W,H"])
        return ScreenTarget("region", spec, display, x, y, w, h, 0, max_size)
    if spec.isdigit():
        return ScreenTarget("screen", spec, display, 0, 0, width, height, 0, max_size)
    raise DeviceNotFoundError(
        "screen", spec, ["0 (the desktop's picker asks which)", "window:NAME", "region:X,Y,W,H"]
    )


class WaylandScreenBackend:
    """The screen-cast portal and PipeWire, encoded like x11grab's picture.

    Made before the recording starts: it checks there that the portal and PipeWire are
    there (and refuses otherwise). :meth:`prepare` then asks the desktop's picker what
    to share; every segment reads that stream. After a lost stream (the shared window
    closed) the next segment asks the picker again.

    Args:
        spec: ``N``, ``window:NAME`` or ``region:X,Y,W,H`` (see :func:`parse_wayland_screen`).
        fps: Frames per second.
        clock: The recording clock.
        preset: libx264 preset.
        crf: libx264 quality.
        max_size: The largest picture recorded.

    Raises:
        DeviceNotFoundError: ``spec`` means nothing here.
        ScreenCastUnavailableError: No D-Bus session, no screen-cast portal, no PipeWire,
            or the portal cannot share this kind of source.
    """

    asks_desktop = True

    def __init__(
        self,
        spec: str,
        fps: float,
        clock: Clock,
        preset: str = "ultrafast",
        crf: int = SCREEN_CRF,
        max_size: tuple[int, int] = MAX_SIZE,
    ) -> None:
        self.target = parse_wayland_screen(spec, max_size)
        self.fps, self.clock, self.preset, self.crf = fps, clock, preset, crf
        check_pipewire()
        self.portal = PortalScreenCast()
        self.source_type = SOURCE_WINDOW if self.target.kind == "window" else SOURCE_MONITOR
        if not self.portal.source_types & self.source_type:
            self.portal.close()
            what = "single windows" if self.source_type == SOURCE_WINDOW else "screens"
            raise ScreenCastUnavailableError(
                f"this desktop's screen-cast portal cannot share {what}",
                "record a whole screen (--screen 0) or a region of it"
                if self.source_type == SOURCE_WINDOW
                else "install the portal backend of your desktop (xdg-desktop-portal-gnome, "
                "-kde or -wlr)",
            )
        self.stream: PortalStream | None = None
        #: The size of the frames ffmpeg reads (the whole shared screen for a region).
        self.frame_size: tuple[int, int] | None = None

    def prepare(self) -> None:
        """Ask the desktop's picker what to share, unless a stream is already running.

        The first answer fixes the recorded size; a later stream of another size is
        scaled to it (with borders), so every segment joins.

        Raises:
            ScreenShareRefusedError: The picker was cancelled, or the portal failed.
            Cancelled: :meth:`cancel_prepare` was called meanwhile.
            CaptureError: The region does not fit on the shared screen.
        """
        if self.stream is not None:
            return
        stream = self.portal.start(self.source_type)
        width = stream.width or self.target.width
        height = stream.height or self.target.height
        if self.frame_size is None:
            t = self.target
            if t.kind == "region":
                if t.x + t.width > width or t.y + t.height > height:
                    self.portal.close_session()
                    raise DeviceNotFoundError("screen", t.spec, [f"region inside {width}x{height}"])
                self.frame_size = (width, height)
            else:
                self.target = dataclasses.replace(t, width=width, height=height)
                self.frame_size = (width, height)
        self.stream = stream

    def cancel_prepare(self) -> None:
        """Stop waiting for the picker (from any thread): :meth:`prepare` raises ``Cancelled``."""
        self.portal.cancel()

    def command(self, path: Path) -> list[str]:
        """The ffmpeg of one segment: raw frames on stdin, stamped as they arrive."""
        width, height = self.frame_size or (self.target.width, self.target.height)
        grab = ["-f", "rawvideo", "-pix_fmt", "bgr0", "-video_size", f"{width}x{height}"]
        grab += ["-framerate", f"{self.fps:g}", "-use_wallclock_as_timestamps", "1"]
        grab += ["-thread_queue_size", "64", "-i", "pipe:0"]
        t = self.target
        crop = (t.x, t.y, t.width, t.height) if t.kind == "region" else None
        return encode_command(grab, path, self.fps, self.preset, self.crf, t, crop)

    def start_segment(self, path: Path) -> WaylandScreenSegment:
        self.prepare()
        return WaylandScreenSegment(self, path)

    def stream_lost(self) -> None:
        """The stream ended by itself: the next segment asks the picker again."""
        self.stream = None
        self.portal.close_session()

    def close(self) -> None:
        """End the screen-cast session (the desktop's sharing indicator goes away)."""
        self.stream = None
        self.portal.close()


class WaylandScreenSegment(X11ScreenSegment):
    """``gst-launch-1.0`` (pipewiresrc) piping raw frames into the segment's ffmpeg.

    A compositor sends a frame only when the picture changes: on a screen that stays
    perfectly still the stream runs but no first frame comes. The segment then starts
    anyway, when it was launched, and the first picture that comes is held back to
    that time (:attr:`SegmentResult.lead`), so the clock and the other tracks go on
    in step; a segment that got no picture at all is one still picture long.
    """

    backend: WaylandScreenBackend
    #: Set when the segment started without a first frame: when it was launched.
    _still_since: float | None = None

    def _spawn(self, path: Path) -> subprocess.Popen:
        self._launched = self.backend.clock.now()
        backend = self.backend
        stream = backend.stream
        width, height = backend.frame_size or (backend.target.width, backend.target.height)
        fd = backend.portal.open_remote()
        self.gst = GstProcess(gstreamer_command(fd, stream.node, width, height, backend.fps), fd)
        try:
            return popen_child(
                backend.command(path),
                stdin=self.gst.process.stdout,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except BaseException:
            self.gst.stop()
            raise
        finally:
            self.gst.process.stdout.close()  # ffmpeg holds it now

    def advice(self) -> str:
        return "check that the shared screen or window is still there, and that PipeWire runs"

    def wait_started(self, timeout: float = STARTUP_TIMEOUT) -> float:
        """The first frame's time; the launch time for a still screen (see the class).

        Raises:
            CaptureError: PipeWire did not connect the stream within
                :data:`STREAM_TIMEOUT`, or GStreamer or ffmpeg stopped.
        """
        came = self._started.wait(min(FIRST_FRAME_WAIT, timeout))
        deadline = time.monotonic() + STREAM_TIMEOUT
        while not came and not self.gst.streaming and self.alive():
            if time.monotonic() > deadline:
                break
            came = self._started.wait(0.05)
        gst_stopped = self.gst.process.poll() is not None
        if self._start is None and not self.gst.streaming and (gst_stopped or not came):
            # No picture, and PipeWire never connected the stream: GStreamer gave up (and
            # ffmpeg with it, its input ended), or the time ran out.
            gst = self.gst.error_text()
            self._stop_processes(timeout=2)
            why = f"(GStreamer: {gst})" if gst else f"within {STREAM_TIMEOUT:.0f} s"
            raise CaptureError(
                f"Screen capture of '{self.backend.target.spec}' did not start: the "
                f"desktop's screen-cast stream was not connected {why}; check that "
                "PipeWire and its session manager (WirePlumber) run."
            )
        if not came and self.gst.streaming and self.alive():
            self._still_since = self._launched
            return self._launched
        return super().wait_started(timeout)

    def stop(self) -> SegmentResult:
        asked = self.backend.clock.now()
        result = super().stop()
        if result.lost:
            self.backend.stream_lost()
        if self._still_since is None:
            return result
        if self._start is None:  # not one picture: the screen never changed
            lead = max(0.0, asked - self._still_since)
        else:
            lead = max(0.0, self._start - self._still_since)
        return dataclasses.replace(result, start=self._still_since, lead=round(lead, 6))

    def alive(self) -> bool:
        """Whether pictures still come: a stream that went away ends GStreamer here."""
        if self.gst.ended and self.gst.process.poll() is None:
            self.gst.stop()  # ffmpeg then reads the end of its input and finishes the file
        return super().alive() and not self.gst.ended

    def error_text(self) -> str:
        if self.gst.ended:
            return self.gst.ended
        gst = self.gst.error_text()
        return f"GStreamer: {gst}" if gst else super().error_text()

    def _stop_processes(self, timeout: float = 10.0) -> None:
        # GStreamer first: ffmpeg then reads the rest of its input (what it had not caught
        # up with yet, on a busy machine), finishes the file and exits by itself.
        self.gst.stop()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop_child(self.process, timeout=timeout)
