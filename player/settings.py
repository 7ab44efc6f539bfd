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

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

__all__ = ["Setting", "PREFERENCES", "WINDOW_STATE", "SPEEDS", "Settings"]

ORGANIZATION = "Lectern"
APPLICATION = "Lectern Player"
SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)


@dataclass(frozen=True)
class Setting:
    """One declared setting.

    Attributes:
        name: the key inside its group.
        type: the Python type the value is read as.
        default: the value when none was stored, or the stored one is unusable.
        valid: returns whether a (converted) value is allowed.
    """

    name: str
    type: type
    default: Any
    valid: Callable[[Any], bool] = lambda value: True


def _declare(*settings: Setting) -> Mapping[str, Setting]:
    return {setting.name: setting for setting in settings}


PREFERENCES = _declare(
    Setting("speed", float, 1.0, lambda value: value in SPEEDS),
    Setting("volume", float, 0.8, lambda value: 0.0 <= value <= 1.0),
    Setting("muted", bool, False),
    Setting("captions", bool, True),
    Setting("caption_language", str, ""),
    Setting("presenter_layout", str, "pip", lambda value: value in ("pip", "side")),
    Setting("presenter_swapped", bool, False),
)

WINDOW_STATE = _declare(
    Setting("geometry", QByteArray, QByteArray()),
    Setting("state", QByteArray, QByteArray()),
    Setting("lesson_splitter", QByteArray, QByteArray()),
)


def _convert(setting: Setting, raw: Any) -> Any:
    if setting.type is bool:
        if isinstance(raw, str):
            return raw.strip().lower() in ("1", "true", "yes", "on")
        return bool(raw)
    if setting.type is QByteArray:
        return raw if isinstance(raw, QByteArray) else QByteArray(raw)
    return setting.type(raw)


class Settings:
    """Reads and writes the declared settings in a :class:`QSettings`.

    Args:
        store: where to keep them; the per-user Player settings when ``None``
            (tests pass an INI file in a temporary folder).
    """

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else QSettings(ORGANIZATION, APPLICATION)

    @classmethod
    def in_file(cls, path: str) -> Settings:
        """Settings kept in the INI file ``path``."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    def _get(self, group: str, declared: Mapping[str, Setting], name: str) -> Any:
        setting = declared[name]
        raw = self.store.value(f"{group}/{name}")
        if raw is None:
            return setting.default
        try:
            value = _convert(setting, raw)
        except (TypeError, ValueError):
            return setting.default
        return value if setting.valid(value) else setting.default

    def _set(self, group: str, declared: Mapping[str, Setting], name: str, value: Any) -> None:
        setting = declared[name]
        value = _convert(setting, value)
        if not setting.valid(value):
            raise ValueError(f"the setting {name!r} cannot be {value!r}")
        self.store.setValue(f"{group}/{name}", value)

    def preference(self, name: str) -> Any:
        """A learner's preference (its default when unset or unusable)."""
        return self._get("preferences", PREFERENCES, name)

    def set_preference(self, name: str, value: Any) -> None:
        self._set("preferences", PREFERENCES, name, value)

    def window(self, name: str) -> Any:
        """A piece of window state."""
        return self._get("window", WINDOW_STATE, name)

    def set_window(self, name: str, value: Any) -> None:
        self._set("window", WINDOW_STATE, name, value)

    def sync(self) -> None:
        self.store.sync()
