"""Declared settings in a memory store: defaults, round trip, conversion, refusal.

No Qt here; tests/shared/test_layering.py imports shared.settings with PySide6 blocked.
"""

from __future__ import annotations

import pytest

from shared.settings import DeclaredSettings, MemoryStore, Setting, convert, declare


class ByteArray:
    """Stands in for a ``QByteArray``: bytes behind a ``data()`` method."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def data(self) -> bytes:
        return self._data


class Example(DeclaredSettings):
    PREFERENCES = declare(
        Setting("speed", float, 1.0, lambda value: 0.5 <= value <= 2.0),
        Setting("captions", bool, True),
        Setting("layout", str, "pip", lambda value: value in ("pip", "side")),
        Setting("count", int, 3),
    )
    WINDOW_STATE = declare(Setting("geometry", bytes, b""))


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


def test_defaults_when_nothing_is_stored(store: MemoryStore) -> None:
    settings = Example(store)
    for name, setting in Example.PREFERENCES.items():
        assert settings.preference(name) == setting.default
    assert settings.window("geometry") == b""
    assert settings.store is store and store.values == {}


def test_values_round_trip_through_the_store(store: MemoryStore) -> None:
    settings = Example(store)
    settings.set_preference("speed", 1.5)
    settings.set_preference("captions", False)
    settings.set_preference("layout", "side")
    settings.set_preference("count", "7")  # converted to the declared type
    settings.set_window("geometry", bytes(range(256)))
    settings.sync()
    assert store.values["preferences/speed"] == 1.5
    assert store.values["preferences/count"] == 7
    assert store.values["window/geometry"] == bytes(range(256))

    again = Example(store)
    assert again.preference("speed") == 1.5
    assert again.preference("captions") is False
    assert again.preference("layout") == "side"
    assert again.preference("count") == 7
    assert again.window("geometry") == bytes(range(256))


def test_unusable_stored_values_fall_back_to_the_default(store: MemoryStore) -> None:
    store.values.update(
        {
            "preferences/speed": "fast",  # not a number
            "preferences/layout": "grid",  # not allowed
            "preferences/count": [1, 2],  # not convertible
            "window/geometry": "not bytes",
        }
    )
    settings = Example(store)
    assert settings.preference("speed") == 1.0
    assert settings.preference("layout") == "pip"
    assert settings.preference("count") == 3
    assert settings.window("geometry") == b""
    store.values["preferences/speed"] = "9.0"  # a number, out of range
    assert settings.preference("speed") == 1.0
    store.values["preferences/speed"] = "0.75"  # as an INI file gives it back
    assert settings.preference("speed") == 0.75


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        (" Yes ", True),
        ("1", True),
        ("on", True),
        ("false", False),
        ("no", False),
        ("0", False),
        ("", False),
        (True, True),
        (0, False),
    ],
)
def test_bool_is_read_from_ini_words(raw: object, expected: bool) -> None:
    assert convert(Setting("flag", bool, False), raw) is expected


def test_bytes_are_read_from_bytes_like_values_and_data() -> None:
    setting = Setting("blob", bytes, b"")
    assert convert(setting, b"abc") == b"abc"
    assert convert(setting, bytearray(b"abc")) == b"abc"
    assert convert(setting, memoryview(b"abc")) == b"abc"
    assert convert(setting, ByteArray(b"\x00\xff")) == b"\x00\xff"
    assert type(convert(setting, ByteArray(b"x"))) is bytes
    for raw in ("abc", 5, None):
        with pytest.raises(TypeError):
            convert(setting, raw)


def test_a_set_value_that_is_not_allowed_is_refused(store: MemoryStore) -> None:
    settings = Example(store)
    with pytest.raises(ValueError, match="layout"):
        settings.set_preference("layout", "grid")
    with pytest.raises(ValueError, match="speed"):
        settings.set_preference("speed", 4.0)
    with pytest.raises(ValueError):
        settings.set_preference("speed", "fast")
    with pytest.raises(TypeError):
        settings.set_window("geometry", "not bytes")
    assert store.values == {}
    with pytest.raises(KeyError):
        settings.preference("no such setting")
    with pytest.raises(KeyError):
        settings.set_window("no such state", b"")


def test_a_name_declared_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="speed"):
        declare(Setting("speed", float, 1.0), Setting("speed", float, 2.0))
