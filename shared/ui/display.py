"""Checking, before Qt starts, that there is a screen to open a window on."""

from __future__ import annotations

import os
import sys

from shared.errors import LecternError

__all__ = ["NoDisplayError", "require_display"]


class NoDisplayError(LecternError):
    """There is no screen for a window (Qt would abort with a page of plugin names)."""


def require_display(command: str) -> None:
    """Raise :class:`NoDisplayError` on Linux when neither X11 nor Wayland is reachable.

    ``QT_QPA_PLATFORM`` set by the user (offscreen, vnc, ...) is respected.
    """
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    raise NoDisplayError(
        f"There is no screen to open the {command} window on (neither DISPLAY nor "
        "WAYLAND_DISPLAY is set); run it on a desktop, or use the command-line "
        f"commands (`{command} --help`)."
    )
