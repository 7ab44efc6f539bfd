"""The Studio's signing keys: one Ed25519 key per author, kept in the Studio's config folder.

Packages are signed so that a learner's library can tell an update from the same
author apart from a package that only claims the same course id (see
:mod:`shared.signing`). The key of an author is made the first time that author
packages a course and is used for every package after, so keep the keys folder
(back it up, and copy it to another computer to go on publishing the same courses)::

    <config>/keys/<author-slug>-<hash>.key     PKCS#8 PEM, mode 0600, folder 0700

``<config>`` is the per-user config folder of Lectern Studio (``platformdirs``;
``~/.config/Lectern Studio`` on Linux), or ``$LECTERN_STUDIO_CONFIG`` when set. The
author's name is compared without regard to case or spacing (``"Ann  Lee"`` and
``"ann lee"`` share a key); the hash tells apart names that share a slug (names in
other scripts). An empty author uses ``default.key``.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from pathlib import Path

import platformdirs

from shared.signing import SigningKey
from shared.workspace import slugify

__all__ = ["KEYS_DIR", "config_dir", "key_path", "author_key"]

KEYS_DIR = "keys"
_APP = "Lectern Studio"
_ORG = "Lectern"


def config_dir() -> Path:
    """The Studio's per-user config folder (``$LECTERN_STUDIO_CONFIG`` if set)."""
    override = os.environ.get("LECTERN_STUDIO_CONFIG")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(_APP, _ORG))


def key_path(author: str) -> Path:
    """Where the key of ``author`` is kept (see the module doc)."""
    name = " ".join(unicodedata.normalize("NFC", author).casefold().split())
    if not name:
        return config_dir() / KEYS_DIR / "default.key"
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return config_dir() / KEYS_DIR / f"{slugify(name, fallback='author')}-{digest}.key"


def author_key(author: str) -> tuple[SigningKey, bool]:
    """The signing key of ``author``, made on first use.

    Returns:
        ``(key, created)``: ``created`` is true when the key was made just now.

    Raises:
        KeyFileError: the key cannot be read or written.
    """
    return SigningKey.load_or_create(key_path(author))
