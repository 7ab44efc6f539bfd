"""Secrets a person types into Lectern (an LRS's key), kept out of the files that travel.

A learner's library (``library.db``) is copied to other computers, backed up and sent
along when something goes wrong; a password has no place in it. Secrets are kept in
``credentials.json`` in the per-user configuration folder
(``platformdirs.user_config_dir("Lectern")``), readable by that user alone (mode 0600),
and written whole to a temporary file that replaces the old one. Each secret belongs
to a scope (a library's folder) and has a name (``"lrs_key"``).

The file holds the secrets as they were typed, as ``~/.netrc`` and git's credential
store do: what protects them is that nobody else can read the file, and that it stays
on this computer.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import platformdirs

from shared.errors import LecternError
from shared.files import atomic_path

__all__ = ["CredentialStore", "CredentialsError", "default_credentials_path"]

log = logging.getLogger(__name__)

FILE_NAME = "credentials.json"


class CredentialsError(LecternError):
    """The secret could not be saved; the one saved before is kept."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"Cannot save the key in {path} ({reason}); check that the folder is yours "
            "and the disk has space, then enter the key again."
        )


def default_credentials_path() -> Path:
    """Where this user's secrets are kept."""
    return Path(platformdirs.user_config_dir("Lectern", appauthor=False)) / FILE_NAME


class CredentialStore:
    """This user's secrets, by scope and name, in one file only they can read."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else default_credentials_path()

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            # Unreadable or damaged: no secret is known; the next save writes it anew.
            log.warning("cannot read %s (%s); no saved key is used", self.path, error)
            return {}
        if not isinstance(data, dict):
            return {}
        return {
            scope: {k: v for k, v in names.items() if isinstance(v, str)}
            for scope, names in data.items()
            if isinstance(names, dict)
        }

    def get(self, scope: str, name: str) -> str:
        """The secret ``name`` of ``scope``, or ``""`` when none is saved."""
        return self._read().get(scope, {}).get(name, "")

    def set(self, scope: str, name: str, value: str) -> None:
        """Save (or, with ``""``, forget) the secret ``name`` of ``scope``.

        Raises:
            CredentialsError: the file cannot be written; the old one is unchanged.
        """
        data = self._read()
        names = data.setdefault(scope, {})
        if value:
            names[name] = value
        else:
            names.pop(name, None)
            if not names:
                data.pop(scope)
        text = json.dumps(data, indent=2, sort_keys=True) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with atomic_path(self.path) as tmp:
                os.chmod(tmp, 0o600)  # before a byte of the secret is in it
                tmp.write_text(text, encoding="utf-8")
            os.chmod(self.path, 0o600)  # also when an older file was more open
        except (OSError, LecternError) as error:
            raise CredentialsError(self.path, str(error)) from error
