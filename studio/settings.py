"""Lectern Studio settings, declared once with their type and default.

Two kinds, kept apart:

* :data:`PREFERENCES` are the teacher's choices (transcription engine, model and
  language, where courses are kept, what to record and how). They live in the group
  ``preferences`` and are what the settings dialog shows.
* :data:`WINDOW_STATE` is how the window was left (geometry, splitter sizes). It
  lives in the group ``window`` and is never shown as a choice.

The declarations and :class:`Settings` do not need Qt: a :class:`Settings` keeps its
values in any :class:`~shared.settings.Store` (see :mod:`shared.settings`). The Studio's own store is its per-user ``QSettings``,
created (and Qt imported) only when :class:`Settings` is made without a store.
:func:`recording_settings` and :func:`build_options` turn the preferences into what
the recorder and the lesson pipeline take.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.settings import DeclaredSettings, MemoryStore, Setting, Store, declare
from shared.transcription import BUNDLED_MODEL_NAME, ENGINES, physical_cores
from studio.capture.recorder import RecordingSettings
from studio.course import is_language_tag
from studio.hotkeys import PAUSE_SHORTCUT, STOP_SHORTCUT, x11_key
from studio.pipeline import BuildOptions

__all__ = [
    "ORGANIZATION",
    "APPLICATION",
    "AUTO_LANGUAGE",
    "QualityPreset",
    "QUALITY_PRESETS",
    "DEFAULT_QUALITY",
    "Setting",
    "PREFERENCES",
    "WINDOW_STATE",
    "Store",
    "MemoryStore",
    "Settings",
    "engine_problem",
    "default_output_folder",
    "output_folder",
    "recording_settings",
    "build_options",
]

ORGANIZATION = "Lectern"
APPLICATION = "Lectern Studio"
#: The language preference that lets the engine detect the language.
AUTO_LANGUAGE = "auto"


@dataclass(frozen=True)
class QualityPreset:
    """A named recording quality.

    Attributes:
        name: what the teacher picks (``"Standard 1080p30"``).
        fps: frames per second of the screen and camera.
        preset: the libx264 preset (``ultrafast`` keeps up on two cores).
        max_size: the largest picture (width, height) the screen is recorded at.
        description: one line for a tooltip.
    """

    name: str
    fps: float
    preset: str
    max_size: tuple[int, int]
    description: str = ""


QUALITY_PRESETS: Mapping[str, QualityPreset] = {
    preset.name: preset
    for preset in (
        QualityPreset(
            "Standard 1080p30",
            30.0,
            "ultrafast",
            (1920, 1080),
            "Full HD at 30 frames per second: sharp slides, fine for most lectures.",
        ),
        QualityPreset(
            "Light 720p30",
            30.0,
            "superfast",
            (1280, 720),
            "HD at 30 frames per second: smaller files, for slow computers or small disks.",
        ),
        QualityPreset(
            "Smooth 1080p60",
            60.0,
            "ultrafast",
            (1920, 1080),
            "Full HD at 60 frames per second: smooth demos and fast motion; bigger files.",
        ),
    )
}
DEFAULT_QUALITY = "Standard 1080p30"


def _not_blank(value: str) -> bool:
    return bool(value.strip())


PREFERENCES = declare(
    Setting("engine", str, "faster-whisper", lambda value: value in ENGINES),
    # A model name (resolve_model) or the path of a model folder.
    Setting("model", str, BUNDLED_MODEL_NAME, _not_blank),
    Setting(
        "language",
        str,
        AUTO_LANGUAGE,
        lambda value: value == AUTO_LANGUAGE or is_language_tag(value),
    ),
    # Where courses are kept; "" is default_output_folder().
    Setting("output_folder", str, ""),
    # Device specs as the recorder takes them (see RecordingSettings).
    Setting("screen", str, "0", _not_blank),
    Setting("camera", str, "none", _not_blank),
    Setting("mic", str, "default", _not_blank),
    Setting("quality", str, DEFAULT_QUALITY, lambda value: value in QUALITY_PRESETS),
    Setting("countdown", bool, True),
    # Desktop-wide shortcuts while recording, as Qt's portable text ("Ctrl+Shift+P").
    Setting("pause_key", str, PAUSE_SHORTCUT, lambda value: x11_key(value) is not None),
    Setting("stop_key", str, STOP_SHORTCUT, lambda value: x11_key(value) is not None),
    # Several videos imported at once are built side by side on a local Dask cluster
    # (studio.batch) rather than one after another; worth it from two cores up.
    Setting("parallel_imports", bool, physical_cores() >= 2),
    # The course folder open when the Studio last closed; "" for none.
    Setting("last_course", str, ""),
)

WINDOW_STATE = declare(
    Setting("geometry", bytes, b""),
    Setting("state", bytes, b""),
    Setting("splitter", bytes, b""),
)


class Settings(DeclaredSettings):
    """The Studio's declared settings.

    Args:
        store: where to keep them: a ``QSettings`` (tests pass one on an INI file in a
            temporary folder), any :class:`~shared.settings.Store`, or ``None`` for the
            per-user Studio settings.
    """

    PREFERENCES = PREFERENCES
    WINDOW_STATE = WINDOW_STATE

    def __init__(self, store: Any = None) -> None:
        # Only the per-user store or a QSettings needs Qt, and only then is it imported.
        if store is None or type(store).__module__.startswith("PySide6"):
            from shared.ui.settings_store import QtSettingsStore, user_store

            store = (
                user_store(ORGANIZATION, APPLICATION) if store is None else QtSettingsStore(store)
            )
        super().__init__(store)

    @classmethod
    def in_file(cls, path: str | Path) -> Settings:
        """Settings kept in the INI file ``path``."""
        from shared.ui.settings_store import ini_store

        return cls(ini_store(path))


def engine_problem(engine: str) -> str | None:
    """Why the transcription engine ``engine`` cannot be used here, or ``None`` if it can.

    Only looks for the engine's package; nothing is imported or loaded.
    """
    if engine not in ENGINES:
        return f"'{engine}' is not a transcription engine; choose one of: {', '.join(ENGINES)}."
    package = {"faster-whisper": "faster_whisper", "openai-whisper": "whisper"}[engine]
    if importlib.util.find_spec(package) is not None:
        return None
    if engine == "openai-whisper":
        return (
            "The openai-whisper engine is not part of this installation; faster-whisper, "
            "which is, transcribes the same way. Whoever installed Lectern can add it."
        )
    return "The faster-whisper engine is missing from this installation; install Lectern again."


def default_output_folder() -> Path:
    """Where courses are kept unless the teacher chose a folder: ``Documents/Lectern``."""
    from PySide6.QtCore import QStandardPaths

    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents or Path.home()) / "Lectern"


def output_folder(settings: Settings) -> Path:
    """The folder that holds the teacher's courses (the chosen one, or the default)."""
    chosen = settings.preference("output_folder").strip()
    return Path(chosen).expanduser() if chosen else default_output_folder()


def recording_settings(settings: Settings) -> RecordingSettings:
    """What the recorder should record, from the preferences.

    The devices come from the ``screen``, ``camera`` and ``mic`` preferences; the
    frame rate, encoder preset and largest picture from the ``quality`` preset.
    """
    quality = QUALITY_PRESETS[settings.preference("quality")]
    return RecordingSettings(
        screen=settings.preference("screen"),
        camera=settings.preference("camera"),
        mic=settings.preference("mic"),
        fps=quality.fps,
        preset=quality.preset,
        max_size=quality.max_size,
    )


def build_options(settings: Settings, **changes: Any) -> BuildOptions:
    """How to build a lesson, from the transcription preferences.

    Args:
        settings: the Studio settings.
        **changes: other :class:`~studio.pipeline.BuildOptions` fields for this build
            (``title``, ``camera``, ...).
    """
    engine = settings.preference("engine")
    model = settings.preference("model")
    language = settings.preference("language")
    return BuildOptions(
        engine=engine,
        model=model,
        # Whisper knows languages, not regions: "pt-BR" is transcribed as "pt".
        language=None if language == AUTO_LANGUAGE else language.split("-")[0].lower(),
        **changes,
    )
