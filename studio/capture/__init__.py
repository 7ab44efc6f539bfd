"""The recording engine: screen, camera and microphone on one clock (issue 4)."""

from studio.capture.errors import (
    BackendUnavailableError,
    CaptureError,
    DeviceNotFoundError,
    NotARecordingError,
    NotEnoughSpaceError,
    NotFinishedError,
)
from studio.capture.microphone import MicLevel
from studio.capture.recorder import LiveStats, Recorder, RecordingSettings, VideoStats
from studio.capture.recording import FinishedRecording, build_inputs, finalize, recover

__all__ = [
    "BackendUnavailableError",
    "CaptureError",
    "DeviceNotFoundError",
    "FinishedRecording",
    "LiveStats",
    "MicLevel",
    "NotARecordingError",
    "NotEnoughSpaceError",
    "NotFinishedError",
    "Recorder",
    "RecordingSettings",
    "VideoStats",
    "build_inputs",
    "finalize",
    "recover",
]
