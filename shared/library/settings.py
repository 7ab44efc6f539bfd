"""The library's own settings (kept in ``library.db``, so they travel with the library).

They are declared once in :data:`SETTINGS` with :class:`shared.settings.Setting`, the
one declaration type both apps use; values are stored as JSON. The settings in
:data:`SECRETS` (the LRS's key) do not travel: they are kept for this user on this
computer by :class:`shared.credentials.CredentialStore`, under the library's folder. A
secret an older Lectern left in ``library.db`` moves there the first time it is read.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.credentials import CredentialStore
from shared.errors import LecternError
from shared.library.errors import InvalidSettingError, LibraryError, UnknownSettingError
from shared.lrs import valid_address
from shared.settings import Setting, declare

if TYPE_CHECKING:
    from shared.library.core import Library

__all__ = ["SECRETS", "SETTINGS", "LibrarySettings"]

log = logging.getLogger(__name__)


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


SECRETS = frozenset({"lrs_key"})
"""Settings kept out of ``library.db``, in the user's own credential store."""


def _declared(name: str) -> Setting:
    if name not in SETTINGS:
        raise UnknownSettingError(name, SETTINGS)
    return SETTINGS[name]


class LibrarySettings:
    """``library.settings``: read and write the settings declared in :data:`SETTINGS`."""

    def __init__(self, library: Library, credentials: CredentialStore | None = None) -> None:
        self._lib = library
        self._credentials = credentials if credentials is not None else CredentialStore()

    @property
    def _scope(self) -> str:
        return str(Path(self._lib.root).resolve())

    def get(self, name: str) -> Any:
        """A setting's value, or its declared default.

        Raises:
            UnknownSettingError: the name is not declared in :data:`SETTINGS`.
        """
        spec = _declared(name)
        raw = self._lib._one("SELECT value FROM settings WHERE name = ?", (name,))
        if name in SECRETS:
            if raw is not None:
                try:
                    return self._move_to_credentials(name, json.loads(raw)) or spec.default
                except LecternError as error:  # cannot move it now; use it as it is
                    log.warning("the %s stays in library.db for now: %s", name, error)
                    return json.loads(raw)
            return self._credentials.get(self._scope, name) or spec.default
        return spec.default if raw is None else json.loads(raw)

    def _move_to_credentials(self, name: str, value: Any) -> str:
        """A secret an older Lectern kept in ``library.db``: into the store (unless the
        store has one, which is newer), then out; returns the secret now in force."""
        if self._lib.read_only is not None:
            raise LibraryError(self._lib.read_only)
        kept = self._credentials.get(self._scope, name)
        if not kept and isinstance(value, str) and value:
            self._credentials.set(self._scope, name, value)
            kept = value
        self._forget_in_library(name)
        return kept

    def _forget_in_library(self, name: str) -> None:
        if self._lib._one("SELECT 1 FROM settings WHERE name = ?", (name,)) is not None:
            with self._lib.atomic():
                self._lib.db.execute("DELETE FROM settings WHERE name = ?", (name,))

    def set(self, name: str, value: Any) -> None:
        """Store a setting.

        Raises:
            UnknownSettingError: the name is not declared.
            InvalidSettingError: the value is not allowed.
            CredentialsError: a secret could not be saved (the one before is kept).
        """
        spec = _declared(name)
        if not spec.valid(value):
            raise InvalidSettingError(name, value, spec.expected)
        if name in SECRETS:
            self._credentials.set(self._scope, name, spec.type(value))
            self._forget_in_library(name)  # none left behind by an older Lectern
            return
        with self._lib.atomic():
            self._lib.db["settings"].upsert(
                {"name": name, "value": json.dumps(spec.type(value))}, pk="name"
            )
