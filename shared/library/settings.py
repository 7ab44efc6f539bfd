"""The library's own settings (kept in ``library.db``, so they travel with the library).

They are declared once in :data:`SETTINGS` with :class:`shared.settings.Setting`, the
one declaration type both apps use; values are stored as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from shared.library.errors import InvalidSettingError, UnknownSettingError
from shared.lrs import valid_address
from shared.settings import Setting, declare

if TYPE_CHECKING:
    from shared.library.core import Library

__all__ = ["SETTINGS", "LibrarySettings"]


def _fraction(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return 0.0 < float(value) <= 1.0


def _address(value: Any) -> bool:
    return isinstance(value, str) and (value == "" or valid_address(value))


def _email(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    return value == "" or (value.count("@") == 1 and " " not in value and "." in value[1:])


def _text(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 500 and value.isprintable()


SETTINGS: Mapping[str, Setting] = declare(
    Setting(
        "completion_threshold",
        float,
        0.9,
        _fraction,
        "a number above 0 and at most 1 (the share of a lesson watched to complete it)",
    ),
    # Where the learner's activity goes (xAPI); nothing is sent while the address is empty.
    Setting("lrs_address", str, "", _address, "an http:// or https:// address, or empty"),
    Setting("lrs_user", str, "", _text, "a line of text"),
    Setting("lrs_key", str, "", _text, "a line of text"),
    # The learner is a random id unless they give a name or an e-mail address.
    Setting("learner_name", str, "", _text, "a line of text"),
    Setting("learner_email", str, "", _email, "an e-mail address, or empty"),
)


def _declared(name: str) -> Setting:
    if name not in SETTINGS:
        raise UnknownSettingError(name, SETTINGS)
    return SETTINGS[name]


class LibrarySettings:
    """``library.settings``: read and write the settings declared in :data:`SETTINGS`."""

    def __init__(self, library: Library) -> None:
        self._lib = library

    def get(self, name: str) -> Any:
        """A setting's value, or its declared default.

        Raises:
            UnknownSettingError: the name is not declared in :data:`SETTINGS`.
        """
        spec = _declared(name)
        raw = self._lib._one("SELECT value FROM settings WHERE name = ?", (name,))
        return spec.default if raw is None else json.loads(raw)

    def set(self, name: str, value: Any) -> None:
        """Store a setting.

        Raises:
            UnknownSettingError: the name is not declared.
            InvalidSettingError: the value is not allowed.
        """
        spec = _declared(name)
        if not spec.valid(value):
            raise InvalidSettingError(name, value, spec.expected)
        with self._lib.atomic():
            self._lib.db["settings"].upsert(
                {"name": name, "value": json.dumps(spec.type(value))}, pk="name"
            )
