"""A ``QSettings`` as a :class:`~shared.settings.Store` for the declared settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

__all__ = ["QtSettingsStore", "user_store", "ini_store"]


class QtSettingsStore:
    """A ``QSettings`` as a :class:`~shared.settings.Store`; bytes are kept as ``QByteArray``.

    (PySide6 would otherwise pickle a Python ``bytes`` into the file.)

    Args:
        settings: the ``QSettings`` to keep the values in.

    Attributes:
        settings: that ``QSettings``.
    """

    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    def value(self, key: str) -> Any:
        """The value stored under ``key`` (a ``QByteArray`` read as ``bytes``), or ``None``."""
        raw = self.settings.value(key)
        return bytes(raw.data()) if isinstance(raw, QByteArray) else raw

    def setValue(self, key: str, value: Any) -> None:  # noqa: N802 - QSettings' name
        """Store ``value`` under ``key``."""
        if isinstance(value, (bytes, bytearray)):
            value = QByteArray(bytes(value))
        self.settings.setValue(key, value)

    def sync(self) -> None:
        """Write the values to disk now."""
        self.settings.sync()


def user_store(organization: str, application: str) -> QtSettingsStore:
    """The per-user settings of ``application`` (where the platform keeps them)."""
    return QtSettingsStore(QSettings(organization, application))


def ini_store(path: str | Path) -> QtSettingsStore:
    """Settings kept in the INI file ``path`` (tests use one in a temporary folder)."""
    return QtSettingsStore(QSettings(str(path), QSettings.Format.IniFormat))
