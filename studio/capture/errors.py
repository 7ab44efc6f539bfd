"""Errors the recording engine reports to a person: what device, what is wrong, what to do."""

from __future__ import annotations

from collections.abc import Sequence

from shared.errors import DiskFullError, LecternError

__all__ = [
    "CaptureError",
    "DeviceNotFoundError",
    "BackendUnavailableError",
    "NotEnoughSpaceError",
    "NotARecordingError",
    "NotFinishedError",
]


class CaptureError(LecternError):
    """Recording could not start or go on."""


class DeviceNotFoundError(CaptureError):
    """A screen, window, camera or microphone that was asked for is not there."""

    def __init__(self, kind: str, name: object, available: Sequence[str] = ()) -> None:
        self.kind = kind
        self.name = name
        listing = f" (available: {', '.join(available)})" if available else ""
        super().__init__(
            f"The {kind} '{name}' was not found{listing}; run 'lectern-studio devices' "
            f"to list them, or pass --{kind_flag(kind)} none to record without it."
        )


def kind_flag(kind: str) -> str:
    return {"window": "screen", "microphone": "mic"}.get(kind, kind)


class BackendUnavailableError(CaptureError):
    """Screen capture is not available on this kind of desktop."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"Screen capture is not available here: {what}. Lectern records the screen on "
            "X11 (Linux); record with --screen none, or use an X11 session."
        )


class NotEnoughSpaceError(CaptureError):
    """The disk has too little free space to record (or to go on recording)."""

    def __init__(self, folder: object, free: int, needed: int) -> None:
        self.folder, self.free, self.needed = folder, free, needed
        super().__init__(
            f"Not enough free space in {folder}: {free / 1e6:.1f} MB free, at least "
            f"{needed / 1e6:.1f} MB needed; free some space or record to another disk."
        )


class NotARecordingError(CaptureError):
    """A folder that should hold a recording does not."""

    def __init__(self, folder: object, reason: str) -> None:
        super().__init__(
            f"{folder} is not a Lectern recording ({reason}); pass the folder that "
            "'lectern-studio record' wrote."
        )


class NotFinishedError(CaptureError):
    """Finalizing failed; the recorded tracks are kept and :func:`recover` can try again."""

    def __init__(self, folder: object, error: Exception) -> None:
        self.folder = folder
        reason = str(error).rstrip(".")
        full = isinstance(error, DiskFullError) or "No space left" in reason
        advice = "free some space, then run" if full else "run"
        super().__init__(
            f"The recording in {folder} was kept but could not be finished ({reason}); "
            f"{advice} 'lectern-studio recover {folder}' to finish it."
        )
