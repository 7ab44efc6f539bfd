"""Lectern Player settings, declared once with their type and default.

Two kinds, kept apart:

* :data:`PREFERENCES` are the learner's choices (speed, volume, captions, presenter
  layout). They live in the group ``preferences`` of the Player's QSettings.
* :data:`WINDOW_STATE` is how the window was left (geometry, splitter sizes). It
  lives in the group ``window`` and is never shown as a choice.

The library's own settings (such as the completion threshold) live in the library
(:data:`shared.library.SETTINGS`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from shared.settings import DeclaredSettings, Setting, Store, declare
from shared.ui.settings_store import QtSettingsStore, ini_store, user_store

__all__ = [
    "ORGANIZATION",
    "APPLICATION",
    "Setting",
    "PREFERENCES",
    "WINDOW_STATE",
    "SPEEDS",
    "Settings",
]

ORGANIZATION = "Lectern"
APPLICATION = "Lectern Player"
SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)


PREFERENCES = declare(
    Setting("speed", float, 1.0, lambda value: value in SPEEDS),
    Setting("volume", float, 0.8, lambda value: 0.0 <= value <= 1.0),
    Setting("muted", bool, False),
    Setting("captions", bool, True),
    Setting("caption_language", str, ""),
    Setting("presenter_layout", str, "pip", lambda value: value in ("pip", "side")),
    Setting("presenter_swapped", bool, False),
)

WINDOW_STATE = declare(
    Setting("geometry", bytes, b""),
    Setting("state", bytes, b""),
    Setting("lesson_splitter", bytes, b""),
)


class Settings(DeclaredSettings):
    """The Player's declared settings, kept in a ``QSettings``.

    Args:
        store: where to keep them: a ``QSettings``, any :class:`~shared.settings.Store`,
            or ``None`` for the per-user Player settings.
    """

    PREFERENCES = PREFERENCES
    WINDOW_STATE = WINDOW_STATE

    def __init__(self, store: QSettings | Store | None = None) -> None:
        if store is None:
            store = user_store(ORGANIZATION, APPLICATION)
        elif isinstance(store, QSettings):
            store = QtSettingsStore(store)
        super().__init__(store)

    @classmethod
    def in_file(cls, path: str | Path) -> Settings:
        """Settings kept in the INI file ``path`` (tests use one in a temporary folder)."""
        return cls(ini_store(path))
