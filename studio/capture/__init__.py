"""The recording engine: screen, camera and microphone on one clock (issue 4)."""

from studio.capture.errors import (
    AudioUnavailableError,
    BackendUnavailableError,
    CaptureError,
    DeviceNotFoundError,
    FolderNotWritableError,
    NotARecordingError,
    NotEnoughSpaceError,
    NotFinishedError,
    ResumeError,
    SettingsError,
)
from studio.capture.microphone import MicLevel
from studio.capture.recorder import LiveStats, Recorder, RecordingSettings, VideoStats, parse_size
from studio.capture.recording import FinishedRecording, build_inputs, finalize, recover

__all__ = [
    "AudioUnavailableError",
    "BackendUnavailableError",
    "CaptureError",
    "DeviceNotFoundError",
    "FinishedRecording",
    "FolderNotWritableError",
    "LiveStats",
    "MicLevel",
    "NotARecordingError",
    "NotEnoughSpaceError",
    "NotFinishedError",
    "Recorder",
    "RecordingSettings",
    "ResumeError",
    "SettingsError",
    "VideoStats",
    "build_inputs",
    "finalize",
    "parse_size",
    "recover",
]
