"""Errors the recording engine reports to a person: what device, what is wrong, what to do."""

from __future__ import annotations

from collections.abc import Sequence

from shared.errors import DiskFullError, LecternError

__all__ = [
    "CaptureError",
    "DeviceNotFoundError",
    "BackendUnavailableError",
    "ScreenCastUnavailableError",
    "ScreenShareRefusedError",
    "NotEnoughSpaceError",
    "SettingsError",
    "FolderNotWritableError",
    "AudioUnavailableError",
    "ToolMissingError",
    "ResumeError",
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
            "Linux (X11, or Wayland through the screen-cast portal); record with --screen none."
        )


class ScreenCastUnavailableError(CaptureError):
    """A Wayland session where the screen cannot be recorded (no portal, no PipeWire)."""

    def __init__(self, why: str, todo: str) -> None:
        self.why = why
        super().__init__(
            f"The screen cannot be recorded on this Wayland session because {why}; {todo}, "
            "or record with --screen none."
        )


class ScreenShareRefusedError(CaptureError):
    """The desktop's screen-sharing picker was cancelled or failed: nothing is shared."""

    def __init__(self, why: str) -> None:
        self.why = why
        super().__init__(
            f"The screen is not recorded because {why}; start again and choose a screen "
            "or window to share in the picker, or record with --screen none."
        )


class NotEnoughSpaceError(CaptureError):
    """The disk has too little free space to record (or to go on recording)."""

    def __init__(
        self, folder: object, free: int, needed: int, seconds: float | None = None
    ) -> None:
        self.folder, self.free, self.needed = folder, free, needed
        purpose = f" for {_duration(seconds)} of recording" if seconds else ""
        super().__init__(
            f"Not enough free space in {folder}: {free / 1e6:.1f} MB free, at least "
            f"{needed / 1e6:.1f} MB needed{purpose}; free some space or record to another disk."
        )


def _duration(seconds: float) -> str:
    minutes = seconds / 60
    if minutes >= 1:
        return f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h"
    return f"{seconds:.0f} s"


class SettingsError(CaptureError):
    """A recording setting is out of range (a frame rate, a size, a duration)."""


class FolderNotWritableError(CaptureError):
    """The recording folder cannot be made or written."""

    def __init__(self, folder: object, reason: str) -> None:
        self.folder = folder
        super().__init__(
            f"Cannot record into {folder} ({reason}); choose a folder you are allowed to write to."
        )


class AudioUnavailableError(CaptureError):
    """The sound library (PortAudio) the microphone is recorded with cannot be loaded."""

    def __init__(self, error: object) -> None:
        super().__init__(
            f"The microphone cannot be used: the PortAudio sound library is missing or "
            f"broken ({error}); install it (Debian/Ubuntu: apt-get install libportaudio2, "
            "Fedora: dnf install portaudio), or record with --mic none."
        )


class ToolMissingError(CaptureError):
    """A desktop program that lists what can be recorded (xrandr, xwininfo) is not installed."""

    def __init__(self, what: str, missing: str, package: str, fedora: str, instead: str) -> None:
        self.what = what
        super().__init__(
            f"{what} cannot be listed because {missing}; install {package} "
            f"(Debian/Ubuntu: apt-get install {package}; Fedora: dnf install {fedora}), "
            f"or {instead}."
        )


class ResumeError(CaptureError):
    """Resuming failed; the recording is still paused and nothing recorded was lost."""

    def __init__(self, reason: object) -> None:
        self.reason = reason
        text = str(reason).rstrip(".")
        super().__init__(
            f"The recording could not resume ({text}). It is still paused and everything "
            "recorded so far is kept: fix the cause and resume, or stop to finish it."
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
