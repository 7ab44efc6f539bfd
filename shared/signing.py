"""Ed25519 signatures of course packages: who made a course, and whether it is theirs.

A signed package holds ``manifest.sig`` beside ``manifest.json`` (see
:mod:`shared.package`): a small JSON document with the signer's public key and an
Ed25519 signature of the manifest's exact bytes. The manifest lists every other
member with its SHA-256, so the signature covers the whole package. The signer is
named by the manifest's ``course.author`` (covered by the signature) and recognised
by the key's :attr:`Signature.fingerprint`; the learner's library treats a package
as an update of an installed course only when the same key signed both.

Keys are plain files: PKCS#8 PEM, readable by their owner only (0600). Where the
Studio keeps them is the Studio's business (``studio.keys``); this module reads,
creates and uses one key file.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from shared.errors import LecternError
from shared.manifest import SIGNATURE_NAME

__all__ = [
    "SIGNATURE_NAME",
    "MAX_SIGNATURE_BYTES",
    "Signature",
    "SigningKey",
    "SignatureFormatError",
    "KeyFileError",
    "fingerprint",
    "describe_signer",
]

#: A signature file is about 200 bytes; anything far larger is not one.
MAX_SIGNATURE_BYTES = 4096
_FORMAT = "lectern-signature"
_VERSION = 1
_ALGORITHM = "ed25519"
_KEY_BYTES = 32
_SIGNATURE_BYTES = 64
_FIELDS = {"format", "version", "algorithm", "public_key", "signature"}


class SignatureFormatError(LecternError):
    """Bytes that are not a Lectern signature file; :attr:`problem` says why."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(f"This is not a Lectern signature: {problem}.")


class KeyFileError(LecternError):
    """A signing key file that cannot be read, created or used."""


def fingerprint(public_key: bytes) -> str:
    """A short, readable name of a public key: 16 hex digits of its SHA-256 in groups of 4.

    Example: ``"3f2a 9c01 77be 04d1"``. Two keys with the same fingerprint are, for
    any practical purpose, the same key.
    """
    digest = hashlib.sha256(public_key).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def describe_signer(author: str, public_key: bytes | None) -> str:
    """Who signed, as shown to people: ``"signed by Ann Lee (key 3f2a 9c01 77be 04d1)"``,
    or ``"unsigned"`` when there is no key. An empty author is ``"an unnamed author"``.
    Capitalize the first letter at the start of a line.
    """
    if public_key is None:
        return "unsigned"
    name = " ".join(author.split()) or "an unnamed author"
    return f"signed by {name} (key {fingerprint(public_key)})"


def _b64decode(text: Any, what: str, length: int) -> bytes:
    if not isinstance(text, str):
        raise SignatureFormatError(f"the {what} is not text")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise SignatureFormatError(f"the {what} is not base64") from None
    if len(raw) != length:
        raise SignatureFormatError(f"the {what} has {len(raw)} bytes, not {length}")
    return raw


@dataclass(frozen=True)
class Signature:
    """A detached Ed25519 signature of a manifest.

    Attributes:
        public_key: the signer's raw 32-byte Ed25519 public key.
        signature: the raw 64-byte signature of the manifest bytes.
    """

    public_key: bytes
    signature: bytes

    @property
    def fingerprint(self) -> str:
        """The short name of :attr:`public_key` (see :func:`fingerprint`)."""
        return fingerprint(self.public_key)

    def verify(self, manifest: bytes) -> bool:
        """Whether this signature was made by :attr:`public_key` over exactly ``manifest``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(self.signature, manifest)
        except (InvalidSignature, ValueError):
            return False
        return True

    def to_bytes(self) -> bytes:
        """The signature file: deterministic JSON (sorted keys, final newline)."""
        data = {
            "format": _FORMAT,
            "version": _VERSION,
            "algorithm": _ALGORITHM,
            "public_key": base64.b64encode(self.public_key).decode("ascii"),
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }
        return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("ascii")

    @classmethod
    def from_bytes(cls, raw: bytes) -> Signature:
        """Parse a signature file strictly (the signature itself is not checked here).

        Raises:
            SignatureFormatError: the bytes are not a version-1 Ed25519 signature file.
        """
        if len(raw) > MAX_SIGNATURE_BYTES:
            raise SignatureFormatError(f"it has {len(raw):,} bytes, far more than a signature")
        try:
            data = json.loads(raw.decode("ascii"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise SignatureFormatError("it is not JSON text") from None
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise SignatureFormatError("its format is not 'lectern-signature'")
        if data.get("version") != _VERSION or isinstance(data.get("version"), bool):
            raise SignatureFormatError(f"version {data.get('version')!r} is not known")
        if data.get("algorithm") != _ALGORITHM:
            raise SignatureFormatError(f"the algorithm {data.get('algorithm')!r} is not ed25519")
        unknown = set(data) - _FIELDS
        if unknown:
            raise SignatureFormatError(f"it has unknown fields {sorted(unknown)}")
        return cls(
            public_key=_b64decode(data.get("public_key"), "public key", _KEY_BYTES),
            signature=_b64decode(data.get("signature"), "signature", _SIGNATURE_BYTES),
        )


class SigningKey:
    """An Ed25519 private key kept in a file (see :meth:`load_or_create`)."""

    def __init__(self, private_key: Ed25519PrivateKey, path: Path | None = None) -> None:
        self._key = private_key
        self.path = path

    @classmethod
    def generate(cls) -> SigningKey:
        """A new random key that lives only in memory."""
        return cls(Ed25519PrivateKey.generate())

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte public key."""
        return self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def fingerprint(self) -> str:
        """The short name of the public key (see :func:`fingerprint`)."""
        return fingerprint(self.public_key)

    def sign(self, manifest: bytes) -> Signature:
        """Sign the exact bytes of a manifest (Ed25519 is deterministic: same bytes, same
        signature)."""
        return Signature(self.public_key, self._key.sign(manifest))

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the key to a new file only its owner can read (0600, folder 0700).

        The file appears complete or not at all; an existing file is never replaced.

        Raises:
            KeyFileError: the file exists already or cannot be written.
        """
        path = Path(path)
        pem = self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(pem)
                    out.flush()
                    os.fsync(out.fileno())
                os.chmod(tmp, 0o600)  # whatever the umask said
                # A hard link fails when the name is taken: two first runs cannot
                # overwrite each other's key.
                os.link(tmp, path)
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        except FileExistsError:
            raise KeyFileError(
                f"The signing key {path} exists already; it was kept as it is."
            ) from None
        except OSError as error:
            raise KeyFileError(
                f"The signing key {path} cannot be written ({error.strerror or error}); "
                "check that the folder is yours and writable."
            ) from None
        self.path = path
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SigningKey:
        """Read a key file written by :meth:`save` (PKCS#8 PEM, unencrypted Ed25519).

        A key file that others can read is made private (0600) on the way.

        Raises:
            KeyFileError: the file is missing, unreadable or not an Ed25519 key.
        """
        path = Path(path)
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):
                raise KeyFileError(f"The signing key {path} is not a file; choose a key file.")
            if info.st_size > 64 * 1024:
                raise KeyFileError(f"{path} is too large to be a signing key; choose a key file.")
            data = path.read_bytes()
            if info.st_mode & 0o077:
                os.chmod(path, 0o600)
        except KeyFileError:
            raise
        except OSError as error:
            raise KeyFileError(
                f"The signing key {path} cannot be read ({error.strerror or error}); "
                "check the name and that the file is yours."
            ) from None
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            key = None
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyFileError(
                f"{path} is not an unencrypted Ed25519 signing key; choose the key file "
                "Lectern Studio made."
            )
        return cls(key, path)

    @classmethod
    def load_or_create(cls, path: str | os.PathLike[str]) -> tuple[SigningKey, bool]:
        """The key in ``path``, made there first when there is none.

        Returns:
            ``(key, created)``.

        Raises:
            KeyFileError: the file cannot be read or written.
        """
        path = Path(path)
        if not path.exists():
            key = cls.generate()
            try:
                key.save(path)
                return key, True
            except KeyFileError:
                if not path.exists():
                    raise
                # Another process made it in the meantime: use that one.
        return cls.load(path), False
