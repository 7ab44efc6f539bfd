"""A Wayland socket proxy for xdg-desktop-portal-wlr on a machine with no GPU (stdlib only).

Why: with no GPU (no /dev/dri) wlroots renders with pixman and its screencopy frames
offer shared-memory buffers only, but xdg-desktop-portal-wlr 0.7 refuses to start a
cast unless a frame also announces a DMA-BUF format (upstream issue
xdg-desktop-portal-wlr#289, "pixman: not supported as a renderer"). The proxy adds
that announcement (``linux_dmabuf`` with the shared-memory format and size) to each
screencopy frame that lacks it. The portal has no GPU to allocate DMA-BUFs on, so
PipeWire negotiates shared memory, and the frames are the compositor's real pixels.

Everything else passes through unchanged (bytes and file descriptors, in order), so
the portal still talks to the real sway.

While a file ``hold-frames`` exists beside the listening socket, the proxy holds back
each screencopy frame's ``ready`` event, and passes them on once the file is gone:
the portal then gets no picture at all meanwhile, as from a compositor that sends a
frame only when the picture changes and a screen that stays perfectly still. Run as a program by tests/wayland.py::

    python3 wayland_proxy.py LISTEN_SOCKET COMPOSITOR_SOCKET
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import sys
import threading

INTERFACE = b"zwlr_screencopy_manager_v1"
MAX_FDS = 28
# zwlr_screencopy_frame_v1 events.
BUFFER, READY, FAILED, LINUX_DMABUF, BUFFER_DONE = 0, 2, 3, 5, 6
#: How often (seconds) held frames look whether they may go.
HOLD_POLL = 0.05
#: DRM fourcc of the two wl_shm formats that are not fourcc codes themselves.
SHM_TO_DRM = {0: 0x34325241, 1: 0x34325258}  # ARGB8888 'AR24', XRGB8888 'XR24'


class Connection:
    """What both directions of one client connection know: its objects of interest."""

    def __init__(self) -> None:
        self.registries: set[int] = set()
        self.managers: set[int] = set()
        self.frames: dict[int, tuple[int, int, int] | None] = {}
        #: Screencopy frames not yet ready (or failed).
        self.pending: set[int] = set()


class Direction:
    """One direction of one connection: splits the stream into whole messages."""

    def __init__(
        self, source: socket.socket, sink: socket.socket, conn: Connection, hold: str = ""
    ) -> None:
        self.source, self.sink, self.conn = source, sink, conn
        self.buffer = b""
        self.fds: list[int] = []
        self.hold = hold
        self.held = bytearray()
        self.lock = threading.Lock()
        if hold:
            threading.Thread(target=self._release_held, daemon=True).start()

    def _release_held(self) -> None:
        while True:
            threading.Event().wait(HOLD_POLL)
            with self.lock:
                if self.held and not os.path.exists(self.hold):
                    out, self.held = self.held, bytearray()
                    with contextlib.suppress(OSError):
                        self._send(out)

    def pump(self, from_client: bool) -> None:
        try:
            while True:
                data, fds, _flags, _addr = socket.recv_fds(self.source, 65536, MAX_FDS)
                if not data and not fds:
                    break
                self.buffer += data
                self.fds += fds
                self._forward(from_client)
        except OSError:
            pass
        finally:
            for sock in (self.source, self.sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _forward(self, from_client: bool) -> None:
        out = bytearray()
        while len(self.buffer) >= 8:
            obj, word = struct.unpack_from("=II", self.buffer)
            size, opcode = word >> 16, word & 0xFFFF
            if size < 8 or len(self.buffer) < size:
                break
            message = bytes(self.buffer[:size])
            self.buffer = self.buffer[size:]
            if from_client:
                self._request(obj, opcode, message)
            else:
                out += self._event(obj, opcode, message)
                if self._holding(obj, opcode):
                    with self.lock:
                        self._send(out)
                        self.held += message
                    out = bytearray()
                    continue
            out += message
        with self.lock:
            self._send(out)

    def _holding(self, obj: int, opcode: int) -> bool:
        """Whether the event goes to the held ones (see the module's doc)."""
        if obj not in self.conn.pending or opcode not in (READY, FAILED):
            return False
        self.conn.pending.discard(obj)
        return opcode == READY and bool(self.hold) and os.path.exists(self.hold)

    def _send(self, out: bytearray) -> None:
        if self.held:  # after what is held, never before it (file descriptors too)
            self.held += out
            return
        if out or self.fds:
            if self.fds:
                socket.send_fds(self.sink, [bytes(out)], self.fds)
            else:
                self.sink.sendall(out)
            for fd in self.fds:
                os.close(fd)
            self.fds = []

    def _request(self, obj: int, opcode: int, message: bytes) -> None:
        conn = self.conn
        if obj == 1 and opcode == 1:  # wl_display.get_registry(new_id)
            conn.registries.add(struct.unpack_from("=I", message, 8)[0])
        elif obj in conn.registries and opcode == 0:  # wl_registry.bind(name, new_id)
            length = struct.unpack_from("=I", message, 12)[0]
            if bytes(message[16 : 16 + length - 1]) == INTERFACE:
                end = 16 + (length + 3) // 4 * 4
                conn.managers.add(struct.unpack_from("=I", message, end + 4)[0])
        elif obj in conn.managers and opcode in (0, 1):  # capture_output(_region)(new_id, ...)
            frame = struct.unpack_from("=I", message, 8)[0]
            conn.frames[frame] = None
            conn.pending.add(frame)

    def _event(self, obj: int, opcode: int, message: bytes) -> bytes:
        """Bytes to send before the event ``message``: a made-up linux_dmabuf, if due."""
        frames = self.conn.frames
        if obj not in frames:
            return b""
        if opcode == BUFFER:
            shm_format, width, height = struct.unpack_from("=III", message, 8)
            frames[obj] = (SHM_TO_DRM.get(shm_format, shm_format), width, height)
        elif opcode == LINUX_DMABUF:
            frames[obj] = None  # the compositor offers DMA-BUF itself
            frames.pop(obj)
        elif opcode == BUFFER_DONE:
            info = frames.pop(obj)
            if info is not None:
                return struct.pack("=IIIII", obj, (20 << 16) | LINUX_DMABUF, *info)
        return b""


def serve(listen_path: str, compositor_path: str) -> None:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(listen_path):
        os.unlink(listen_path)
    server.bind(listen_path)
    server.listen(16)
    while True:
        client, _ = server.accept()
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.connect(compositor_path)
        except OSError:
            client.close()
            continue
        conn = Connection()
        up = Direction(client, upstream, conn)
        down = Direction(
            upstream, client, conn, os.path.join(os.path.dirname(listen_path), "hold-frames")
        )
        threading.Thread(target=up.pump, args=(True,), daemon=True).start()
        threading.Thread(target=down.pump, args=(False,), daemon=True).start()


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2])
