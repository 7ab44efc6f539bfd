"""The LRS key is kept for this user on this computer, not in the library that travels."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from shared.credentials import CredentialsError, CredentialStore, default_credentials_path
from shared.library import Library


def _library_bytes(root: Path) -> bytes:
    return b"".join(path.read_bytes() for path in root.rglob("*") if path.is_file())


def test_the_lrs_key_is_kept_for_this_user_and_never_in_the_library(tmp_path):
    root = tmp_path / "library"
    with Library.open(root) as library:
        library.set_setting("lrs_address", "http://127.0.0.1:9/xapi/")
        library.set_setting("lrs_key", "s3cret-Key-42")
        assert library.setting("lrs_key") == "s3cret-Key-42"
    assert b"s3cret-Key-42" not in _library_bytes(root)
    assert b"127.0.0.1:9" in _library_bytes(root)  # the other settings still travel
    store = default_credentials_path()
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert "s3cret-Key-42" in store.read_text(encoding="utf-8")

    with Library.open(root) as library:  # opened again: still known
        assert library.setting("lrs_key") == "s3cret-Key-42"
        library.set_setting("lrs_key", "")
        assert library.setting("lrs_key") == ""
    assert "s3cret-Key-42" not in store.read_text(encoding="utf-8")


def test_two_libraries_keep_their_own_keys(tmp_path):
    with Library.open(tmp_path / "a") as first, Library.open(tmp_path / "b") as second:
        first.set_setting("lrs_key", "key-of-a")
        second.set_setting("lrs_key", "key-of-b")
        assert (first.setting("lrs_key"), second.setting("lrs_key")) == ("key-of-a", "key-of-b")


def test_a_key_an_older_lectern_kept_in_the_library_moves_out_when_first_read(tmp_path):
    root = tmp_path / "library"
    with Library.open(root):
        pass
    with sqlite3.connect(root / "library.db") as db:  # as Lectern kept it before
        db.execute("INSERT INTO settings (name, value) VALUES ('lrs_key', '\"old-Key-7\"')")
    with Library.open(root) as library:
        assert library.setting("lrs_key") == "old-Key-7"
    with sqlite3.connect(root / "library.db") as db:
        assert db.execute("SELECT * FROM settings WHERE name = 'lrs_key'").fetchall() == []
    with Library.open(root) as library:
        assert library.setting("lrs_key") == "old-Key-7"


def test_a_damaged_store_knows_no_key_and_is_written_anew(tmp_path):
    path = tmp_path / "config" / "credentials.json"
    path.parent.mkdir()
    path.write_text("{not json", encoding="utf-8")
    store = CredentialStore(path)
    assert store.get("library", "lrs_key") == ""
    store.set("library", "lrs_key", "fresh")
    assert CredentialStore(path).get("library", "lrs_key") == "fresh"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_key_that_cannot_be_saved_is_one_sentence_and_leaves_other_stores_alone(tmp_path):
    store = CredentialStore(tmp_path / "config" / "credentials.json")
    store.set("library", "lrs_key", "first")
    blocked = CredentialStore(tmp_path / "a-file" / "credentials.json")
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    with pytest.raises(CredentialsError) as caught:
        blocked.set("library", "lrs_key", "second")
    message = str(caught.value)
    assert "\n" not in message and "enter the key again" in message
    assert store.get("library", "lrs_key") == "first"
