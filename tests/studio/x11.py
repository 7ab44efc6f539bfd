"""Plain X11 windows for the capture tests: libX11 through ctypes, no toolkit."""

from __future__ import annotations

import ctypes

__all__ = ["XClient", "XWindow"]


class XClient:
    """One connection to the X server (libX11 through ctypes) that makes plain windows.

    While it is open the server keeps its state: Xvfb resets (forgetting monitors and
    root properties) when its last client goes.
    """

    def __init__(self, display: str) -> None:
        lib = ctypes.CDLL("libX11.so.6")
        lib.XOpenDisplay.restype = ctypes.c_void_p
        lib.XDefaultRootWindow.restype = ctypes.c_ulong
        lib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        lib.XCreateSimpleWindow.restype = ctypes.c_ulong
        lib.XCreateSimpleWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong] + [ctypes.c_int] * 2
        lib.XCreateSimpleWindow.argtypes += [ctypes.c_uint] * 3 + [ctypes.c_ulong] * 2
        lib.XStoreName.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_char_p]
        lib.XMapWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        lib.XDestroyWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        lib.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self.lib = lib
        self.dpy = lib.XOpenDisplay(display.encode())
        assert self.dpy, f"cannot open X display {display}"
        self.root = lib.XDefaultRootWindow(self.dpy)

    def window(
        self,
        name: str | None,
        rect: tuple[int, int, int, int],
        color: int,
        parent: int = 0,
        mapped: bool = True,
    ) -> int:
        """A window filled with ``color`` at ``rect`` (x, y, w, h) of ``parent`` (the root)."""
        x, y, w, h = rect
        window = self.lib.XCreateSimpleWindow(
            self.dpy, parent or self.root, x, y, w, h, 0, 0, color
        )
        if name is not None:
            self.lib.XStoreName(self.dpy, window, name.encode())
        if mapped:
            self.lib.XMapWindow(self.dpy, window)
        self.lib.XSync(self.dpy, 0)
        return window

    def map(self, window: int) -> None:
        """Ask for ``window`` to be shown (a window manager decides where)."""
        self.lib.XMapWindow(self.dpy, window)
        self.lib.XSync(self.dpy, 0)

    def destroy(self, window: int) -> None:
        self.lib.XDestroyWindow(self.dpy, window)
        self.lib.XSync(self.dpy, 0)

    def selection_owner(self, name: str) -> int:
        """The window owning the X selection ``name`` (``_NET_SYSTEM_TRAY_S0``: a tray), or 0."""
        self.lib.XInternAtom.restype = ctypes.c_ulong
        self.lib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        self.lib.XGetSelectionOwner.restype = ctypes.c_ulong
        self.lib.XGetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        atom = self.lib.XInternAtom(self.dpy, name.encode(), 0)
        return int(self.lib.XGetSelectionOwner(self.dpy, atom))

    def close(self) -> None:
        self.lib.XCloseDisplay(self.dpy)


class XWindow(XClient):
    """One named white window on its own connection, at ``x, y`` of the root window."""

    def __init__(self, display: str, name: str, x: int, y: int, width: int, height: int) -> None:
        super().__init__(display)
        self.id = self.window(name, (x, y, width, height), 0xFFFFFF)
