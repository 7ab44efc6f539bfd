"""Signed packages: keys on disk, the signature member, and every way to tamper with it."""

from __future__ import annotations

import base64
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PrivateKey

from shared import package as pkg
from shared.manifest import MANIFEST_NAME, SIGNATURE_NAME
from shared.signing import (
    KeyFileError,
    Signature,
    SignatureFormatError,
    SigningKey,
    describe_signer,
    fingerprint,
)
from tests.shared import bad_packages


@pytest.fixture
def key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def signed(tmp_path, key) -> Path:
    course, lessons, cover = bad_packages.make_sources(tmp_path / "sources")
    out = tmp_path / "signed.lectern"
    pkg.write_package(course, lessons, out, cover=cover, signing_key=key)
    return out


def _members(path: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def _rewrite(path: Path, out: Path, change) -> Path:
    """Copy a package member by member, letting ``change(name, data)`` alter each."""
    with zipfile.ZipFile(out, "w") as zf:
        for info, data in _members(path):
            new = change(info.filename, data)
            if new is not None:
                zf.writestr(info, new)
    return out


def _one_sentence(error: BaseException, *words: str) -> None:
    text = str(error)
    assert text.count(". ") == 0 and text.endswith(".") and "\n" not in text, text
    for word in words:
        assert word in text, text


# ----------------------------------------------------------------------------- keys


def test_key_file_is_private_and_never_replaced(tmp_path, key):
    path = tmp_path / "config" / "keys" / "ann.key"
    key.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert SigningKey.load(path).public_key == key.public_key
    with pytest.raises(KeyFileError, match="exists already"):
        SigningKey.generate().save(path)
    assert SigningKey.load(path).public_key == key.public_key
    assert [p.name for p in path.parent.iterdir()] == ["ann.key"]  # no temporary file left


def test_load_or_create_makes_one_key_and_keeps_it(tmp_path):
    path = tmp_path / "keys" / "default.key"
    first, created = SigningKey.load_or_create(path)
    again, created_again = SigningKey.load_or_create(path)
    assert (created, created_again) == (True, False)
    assert first.public_key == again.public_key and len(first.public_key) == 32


def test_a_key_others_can_read_is_made_private(tmp_path, key):
    path = key.save(tmp_path / "k.key")
    os.chmod(path, 0o644)
    SigningKey.load(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_unusable_key_files_are_one_sentence(tmp_path):
    other = Ed448PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cases = {
        "missing.key": None,
        "garbage.key": b"not a key at all\n",
        "ed448.key": other,
    }
    for name, data in cases.items():
        path = tmp_path / name
        if data is not None:
            path.write_bytes(data)
        with pytest.raises(KeyFileError) as caught:
            SigningKey.load(path)
        _one_sentence(caught.value, name)
    with pytest.raises(KeyFileError, match="not a file"):
        SigningKey.load(tmp_path)


def test_fingerprint_and_description(key):
    text = fingerprint(key.public_key)
    assert len(text) == 19 and text.count(" ") == 3 and text == key.fingerprint
    assert describe_signer("Ann  Lee", key.public_key) == f"signed by Ann Lee (key {text})"
    assert describe_signer("", key.public_key) == f"signed by an unnamed author (key {text})"
    assert describe_signer("Ann Lee", None) == "unsigned"
    assert fingerprint(SigningKey.generate().public_key) != text


# ----------------------------------------------------------------------------- the file


def test_signature_round_trip_and_verification(key):
    signature = key.sign(b"manifest bytes")
    again = Signature.from_bytes(signature.to_bytes())
    assert again == signature and again.verify(b"manifest bytes")
    assert not again.verify(b"manifest bytes ")
    assert key.sign(b"manifest bytes") == signature  # Ed25519 is deterministic


def _signature_data(key: SigningKey) -> dict:
    return json.loads(key.sign(b"m").to_bytes())


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda d: d.update(format="pgp"), "format"),
        (lambda d: d.update(version=2), "version"),
        (lambda d: d.update(version=True), "version"),
        (lambda d: d.update(algorithm="rsa"), "algorithm"),
        (lambda d: d.update(public_key="not base64!"), "public key is not base64"),
        (lambda d: d.update(public_key=base64.b64encode(b"short").decode()), "public key has 5"),
        (lambda d: d.update(signature=42), "signature is not text"),
        (lambda d: d.update(extra="x"), "unknown fields"),
        (lambda d: d.clear(), "format"),
    ],
)
def test_malformed_signature_files_are_refused(key, change, problem):
    data = _signature_data(key)
    change(data)
    with pytest.raises(SignatureFormatError, match=problem):
        Signature.from_bytes(json.dumps(data).encode())


@pytest.mark.parametrize("raw", [b"", b"\xff\xfe", b"[1, 2]", b"{" * 5000, b"x" * 10_000])
def test_non_json_signature_files_are_refused(raw):
    with pytest.raises(SignatureFormatError):
        Signature.from_bytes(raw)


# ----------------------------------------------------------------------------- packages


def test_signed_package_layout_and_round_trip(signed, key, tmp_path):
    names = [info.filename for info, _ in _members(signed)]
    assert names[0] == MANIFEST_NAME and names[-1] == SIGNATURE_NAME
    manifest = pkg.verify_package(signed)
    assert all(entry.path != SIGNATURE_NAME for entry in manifest.files)
    signature = pkg.read_signature(signed)
    assert signature is not None and signature.public_key == key.public_key
    with zipfile.ZipFile(signed) as zf:
        assert signature.verify(zf.read(MANIFEST_NAME))
    folder = tmp_path / "out"
    pkg.extract_package(signed, folder)
    assert Signature.from_bytes((folder / SIGNATURE_NAME).read_bytes()) == signature
    summary = pkg.package_summary(manifest, signature)
    assert summary["signed"] is True and summary["key_fingerprint"] == key.fingerprint
    assert summary["signed_by"] == f"signed by Dr. Green (key {key.fingerprint})"


def test_signed_packages_are_reproducible(tmp_path, key, signed):
    course, lessons, cover = bad_packages.make_sources(tmp_path / "sources")
    again = tmp_path / "again.lectern"
    pkg.write_package(course, lessons, again, cover=cover, signing_key=key)
    assert again.read_bytes() == signed.read_bytes()


def test_unsigned_package_has_no_signature(tmp_path):
    good = bad_packages.make_good_package(tmp_path)
    assert pkg.read_signature(good) is None
    summary = pkg.package_summary(pkg.verify_package(good))
    assert (summary["signed"], summary["signed_by"], summary["key_fingerprint"]) == (
        False,
        "unsigned",
        None,
    )
    pkg.extract_package(good, tmp_path / "out")
    assert not (tmp_path / "out" / SIGNATURE_NAME).exists()


def _flip_signature_byte(name: str, data: bytes) -> bytes:
    if name != SIGNATURE_NAME:
        return data
    parsed = json.loads(data)
    raw = bytearray(base64.b64decode(parsed["signature"]))
    raw[10] ^= 0x01
    parsed["signature"] = base64.b64encode(bytes(raw)).decode()
    return json.dumps(parsed).encode()


def _other_manifest(name: str, data: bytes) -> bytes:
    # Same length, so only the signature can tell: the title changes one letter.
    return data.replace(b"Biology 101", b"Biology 102") if name == MANIFEST_NAME else data


def _signature_by_another_key(name: str, data: bytes) -> bytes:
    if name != SIGNATURE_NAME:
        return data
    forged = json.loads(data)
    forged["public_key"] = base64.b64encode(SigningKey.generate().public_key).decode()
    return json.dumps(forged).encode()


TAMPERING = {
    "flipped-signature-bit": (_flip_signature_byte, "does not match its manifest"),
    "edited-manifest": (_other_manifest, "does not match its manifest"),
    "another-public-key": (_signature_by_another_key, "does not match its manifest"),
    "garbage-signature": (
        lambda n, d: b"\x00garbage" if n == SIGNATURE_NAME else d,
        "signature is unreadable",
    ),
    "huge-signature": (
        lambda n, d: b" " * 100_000 + d if n == SIGNATURE_NAME else d,
        "far more than a signature",
    ),
}


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_tampered_signature_is_refused_everywhere_in_one_sentence(signed, tmp_path, case):
    change, words = TAMPERING[case]
    bad = _rewrite(signed, tmp_path / f"{case}.lectern", change)
    for read in (pkg.read_manifest, pkg.verify_package, pkg.read_signature):
        with pytest.raises(pkg.SignatureError) as caught:
            read(bad)
        _one_sentence(caught.value, str(bad), words, "tampered")
    with pytest.raises(pkg.SignatureError):
        pkg.extract_package(bad, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_re_signing_a_changed_manifest_names_the_new_signer(signed, tmp_path):
    """Anyone can sign a package with their own key; what changes is who signed it."""
    mallory = SigningKey.generate()

    def resign(name: str, data: bytes) -> bytes:
        if name == MANIFEST_NAME:
            return _other_manifest(name, data)
        if name == SIGNATURE_NAME:
            with zipfile.ZipFile(signed) as zf:
                manifest = _other_manifest(MANIFEST_NAME, zf.read(MANIFEST_NAME))
            return mallory.sign(manifest).to_bytes()
        return data

    forged = _rewrite(signed, tmp_path / "forged.lectern", resign)
    assert pkg.read_signature(forged).public_key == mallory.public_key


def test_stripped_signature_makes_an_unsigned_package(signed, tmp_path):
    stripped = _rewrite(
        signed, tmp_path / "stripped.lectern", lambda n, d: None if n == SIGNATURE_NAME else d
    )
    pkg.verify_package(stripped)
    assert pkg.read_signature(stripped) is None


def test_manifest_may_not_list_the_signature(tmp_path):
    good = bad_packages.make_good_package(tmp_path)

    def add(items):
        items.append((SIGNATURE_NAME, b"{}"))

    bad = bad_packages.repack(good, tmp_path / "listed.lectern", members=add, refresh=True)
    with pytest.raises(pkg.InvalidManifestError, match="no manifest can list"):
        pkg.read_manifest(bad)
