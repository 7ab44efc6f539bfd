"""Declared settings: each one named once, with its type, default and allowed values.

Each app declares its own settings (``studio.settings``, ``player.settings``) in two
kinds, kept apart: *preferences*, the user's choices, in the group ``preferences``;
and *window state* (geometry, splitter sizes), in the group ``window``, never shown
as a choice. :class:`DeclaredSettings` reads and writes them in a :class:`Store`,
converting what was stored to the declared type and falling back to the default when
a stored value is unusable.

Nothing here needs Qt: the apps keep their settings in a ``QSettings`` through the
adapter in :mod:`shared.ui.settings_store`; tests can use a :class:`MemoryStore`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

__all__ = ["Setting", "declare", "Store", "MemoryStore", "convert", "DeclaredSettings"]

_TRUE_WORDS = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Setting:
    """One declared setting.

    Attributes:
        name: the key inside its group.
        type: the Python type the value is read as (``str``, ``bool``, ``bytes``, ...).
        default: the value when none was stored, or the stored one is unusable.
        valid: returns whether a (converted) value is allowed.
        expected: what an allowed value is, in words, for an error message.
    """

    name: str
    type: type
    default: Any
    valid: Callable[[Any], bool] = lambda value: True
    expected: str = "any value"


def declare(*settings: Setting) -> Mapping[str, Setting]:
    """The settings of one group, by name.

    Args:
        *settings: the declarations, in the order they are shown.

    Returns:
        A mapping from each setting's name to its declaration.

    Raises:
        ValueError: if two settings have the same name.
    """
    declared = {setting.name: setting for setting in settings}
    if len(declared) != len(settings):
        names = [setting.name for setting in settings]
        twice = sorted({name for name in names if names.count(name) > 1})
        raise ValueError(f"settings declared twice: {', '.join(twice)}")
    return declared


class Store(Protocol):
    """Where settings are kept: the part of ``QSettings`` that :class:`DeclaredSettings` uses.

    A store returns ``None`` for a key that holds nothing, and keeps ``bytes`` as bytes.
    """

    def value(self, key: str) -> Any: ...

    def setValue(self, key: str, value: Any) -> None: ...  # noqa: N802 - QSettings' name

    def sync(self) -> None: ...


class MemoryStore:
    """A :class:`Store` in a dictionary (nothing is written anywhere).

    Attributes:
        values: what was stored, by ``group/name`` key.
    """

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def value(self, key: str) -> Any:
        """The value stored under ``key``, or ``None``."""
        return self.values.get(key)

    def setValue(self, key: str, value: Any) -> None:  # noqa: N802 - QSettings' name
        """Store ``value`` under ``key``."""
        self.values[key] = value

    def sync(self) -> None:
        """Nothing to write."""


def convert(setting: Setting, raw: Any) -> Any:
    """``raw`` as the type ``setting`` declares.

    A ``bool`` is read from the words an INI file holds (``"true"``, ``"yes"``,
    ``"1"``, ``"on"``; anything else is false); ``bytes`` from bytes-like values or
    anything with a ``data()`` method (a ``QByteArray``); any other type is called on
    the value (``float("1.5")``).

    Args:
        setting: the declaration.
        raw: a stored value, or one about to be stored.

    Returns:
        The value as ``setting.type``.

    Raises:
        TypeError: if ``raw`` cannot be read as that type.
        ValueError: likewise (``float("fast")``).
    """
    if setting.type is bool:
        if isinstance(raw, str):
            return raw.strip().lower() in _TRUE_WORDS
        return bool(raw)
    if setting.type is bytes:
        if isinstance(raw, (bytes, bytearray, memoryview)):
            return bytes(raw)
        if callable(getattr(raw, "data", None)):  # a QByteArray
            return bytes(raw.data())
        # bytes(5) would be five zero bytes, and bytes("x") fails anyway.
        raise TypeError(f"{setting.name!r} needs bytes, not {type(raw).__name__}")
    return setting.type(raw)


class DeclaredSettings:
    """Reads and writes an app's declared settings in a :class:`Store`.

    An app subclasses it and names its declarations in :attr:`PREFERENCES` and
    :attr:`WINDOW_STATE`.

    Args:
        store: where the values are kept.

    Attributes:
        store: the store given.
    """

    #: The user's choices, kept in the group ``preferences``.
    PREFERENCES: ClassVar[Mapping[str, Setting]] = {}
    #: How the window was left, kept in the group ``window``.
    WINDOW_STATE: ClassVar[Mapping[str, Setting]] = {}

    def __init__(self, store: Store) -> None:
        self.store = store

    def _get(self, group: str, declared: Mapping[str, Setting], name: str) -> Any:
        setting = declared[name]
        raw = self.store.value(f"{group}/{name}")
        if raw is None:
            return setting.default
        try:
            value = convert(setting, raw)
        except (TypeError, ValueError):
            return setting.default
        return value if setting.valid(value) else setting.default

    def _set(self, group: str, declared: Mapping[str, Setting], name: str, value: Any) -> None:
        setting = declared[name]
        value = convert(setting, value)
        if not setting.valid(value):
            raise ValueError(f"the setting {name!r} cannot be {value!r}")
        self.store.setValue(f"{group}/{name}", value)

    def preference(self, name: str) -> Any:
        """A preference: the stored value, or its default when unset or unusable.

        Raises:
            KeyError: if no preference ``name`` is declared.
        """
        return self._get("preferences", self.PREFERENCES, name)

    def set_preference(self, name: str, value: Any) -> None:
        """Store a preference.

        Raises:
            KeyError: if no preference ``name`` is declared.
            TypeError: if ``value`` cannot be read as the declared type.
            ValueError: if it is not an allowed value.
        """
        self._set("preferences", self.PREFERENCES, name, value)

    def window(self, name: str) -> Any:
        """A piece of window state: the stored value, or its default (``b""``).

        Raises:
            KeyError: if no window state ``name`` is declared.
        """
        return self._get("window", self.WINDOW_STATE, name)

    def set_window(self, name: str, value: Any) -> None:
        """Store a piece of window state (``bytes``, or a ``QByteArray`` as Qt gives it).

        Raises:
            KeyError: if no window state ``name`` is declared.
            TypeError: if ``value`` cannot be read as the declared type.
            ValueError: if it is not an allowed value.
        """
        self._set("window", self.WINDOW_STATE, name, value)

    def sync(self) -> None:
        """Write what was stored to where the store keeps it."""
        self.store.sync()
