"""Lesson identity and package signing through the real `lectern-studio` CLI.

Lessons are built by `lectern-studio build` from short silent videos, packaged by
`lectern-studio package` in separate processes, and checked by `verify` and by
`lectern-player info`; keys live in a per-test Studio config folder.
"""

from __future__ import annotations

import base64
import json
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from shared.manifest import FORMAT_VERSION, MANIFEST_NAME, SIGNATURE_NAME
from shared.package import read_manifest, read_signature
from shared.signing import SigningKey
from studio.editing import rename_lesson
from tests.course_packages import build_lesson, lesson_json, package, silent_video, studio

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory, ffmpeg_bin: str) -> dict[str, Path]:
    """Two lessons built once by the real CLI; tests work on copies."""
    folder = tmp_path_factory.mktemp("built")
    video = silent_video(ffmpeg_bin, folder / "clip.mp4")
    config = folder / "config"
    return {
        "video": video,
        "cells": build_lesson(video, folder / "cells", "Cells", config=config),
        "plants": build_lesson(video, folder / "plants", "Plants", config=config),
    }


@pytest.fixture
def lessons(built, tmp_path) -> dict[str, Path]:
    return {name: shutil.copytree(built[name], tmp_path / name) for name in ("cells", "plants")}


def _verify(path: Path, config: Path) -> dict:
    return json.loads(studio("verify", path, "--json", config=config).stdout)


def test_a_lesson_keeps_its_uid_through_rename_and_rebuild(built, lessons, tmp_path):
    cells = lessons["cells"]
    uid = lesson_json(cells)["uid"]
    assert len(uid) == 36 and lesson_json(lessons["plants"])["uid"] != uid
    rename_lesson(cells, "Cell biology")
    assert lesson_json(cells)["uid"] == uid
    build_lesson(built["video"], cells, "The cell", config=tmp_path / "config", force=True)
    rebuilt = lesson_json(cells)
    assert (rebuilt["uid"], rebuilt["id"], rebuilt["title"]) == (uid, "the-cell", "The cell")
    out = tmp_path / "bio.lectern"
    package([cells, lessons["plants"]], out, config=tmp_path / "config")
    entries = read_manifest(out).lessons
    assert [(e.id, e.uid) for e in entries] == [
        ("the-cell", uid),
        ("plants", lesson_json(lessons["plants"])["uid"]),
    ]
    # Lesson uids are written from format 1.1 on: the current format keeps them.
    assert read_manifest(out).format_version == FORMAT_VERSION


def test_first_package_makes_a_private_key_that_later_packages_reuse(lessons, tmp_path):
    config = tmp_path / "config"
    first, second = tmp_path / "v1.lectern", tmp_path / "again.lectern"
    made = package([lessons["cells"]], first, config=config)
    keys = list((config / "keys").iterdir())
    assert len(keys) == 1 and stat.S_IMODE(keys[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((config / "keys").stat().st_mode) == 0o700
    key = SigningKey.load(keys[0])
    assert f"Made a signing key for Ann Lee in {keys[0]}" in made.stdout
    assert f"signed by Ann Lee (key {key.fingerprint})" in made.stdout
    again = package([lessons["cells"]], second, config=config)
    assert "Made a signing key" not in again.stdout
    assert second.read_bytes() == first.read_bytes()  # signed packages are reproducible
    verified = _verify(first, config)
    assert verified["signed"] is True and verified["key_fingerprint"] == key.fingerprint
    text = studio("verify", first, config=config).stdout
    assert text.rstrip().endswith(f"signed by Ann Lee (key {key.fingerprint}).")
    info = subprocess.run(
        [sys.executable, "-m", "player.cli", "info", str(first)], capture_output=True, text=True
    )
    assert f"Signed by Ann Lee (key {key.fingerprint})" in info.stdout


def test_each_author_has_a_key_and_unsigned_or_chosen_keys_are_possible(lessons, tmp_path):
    config = tmp_path / "config"
    ann, bob = tmp_path / "ann.lectern", tmp_path / "bob.lectern"
    package([lessons["cells"]], ann, config=config, author="Ann Lee")
    package([lessons["cells"]], bob, config=config, author="Bob Stone")
    assert read_signature(ann).public_key != read_signature(bob).public_key
    assert len(list((config / "keys").iterdir())) == 2
    # Case and spacing of the name do not make another author.
    same = tmp_path / "same.lectern"
    package([lessons["cells"]], same, config=config, author="ann  LEE")
    assert read_signature(same).public_key == read_signature(ann).public_key

    unsigned = tmp_path / "unsigned.lectern"
    made = package([lessons["cells"]], unsigned, config=config, extra=("--unsigned",))
    assert made.stdout.rstrip().endswith("unsigned")
    assert read_signature(unsigned) is None and _verify(unsigned, config)["signed_by"] == "unsigned"

    chosen = SigningKey.generate()
    chosen.save(tmp_path / "team.key")
    team = tmp_path / "team.lectern"
    package([lessons["cells"]], team, config=config, extra=("--key", str(tmp_path / "team.key")))
    assert read_signature(team).public_key == chosen.public_key


def test_a_missing_key_file_is_one_sentence(lessons, tmp_path):
    result = studio(
        "package",
        lessons["cells"],
        "-o",
        tmp_path / "x.lectern",
        "--title",
        "Biology",
        "--key",
        tmp_path / "missing.key",
        config=tmp_path / "config",
        check=False,
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .endswith("check the name and that the file is yours.")
    )
    assert not (tmp_path / "x.lectern").exists()


def test_a_tampered_signature_is_one_sentence_for_verify_and_info(lessons, tmp_path):
    config = tmp_path / "config"
    good, bad = tmp_path / "good.lectern", tmp_path / "bad.lectern"
    package([lessons["cells"]], good, config=config)
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == SIGNATURE_NAME:
                parsed = json.loads(data)
                raw = bytearray(base64.b64decode(parsed["signature"]))
                raw[0] ^= 0x80
                parsed["signature"] = base64.b64encode(bytes(raw)).decode()
                data = json.dumps(parsed).encode()
            out.writestr(info, data)
    for result in (
        studio("verify", bad, config=config, check=False),
        subprocess.run(
            [sys.executable, "-m", "player.cli", "info", str(bad)], capture_output=True, text=True
        ),
    ):
        lines = result.stderr.strip().splitlines()
        assert result.returncode != 0 and "Traceback" not in result.stderr
        assert lines[-1].endswith(
            f"Cannot open {bad}: its signature does not match its manifest; it may have been "
            "tampered with, so do not open it and ask its author for a new copy."
        ), lines


def test_an_older_lesson_gets_its_uid_once_and_keeps_it(lessons, tmp_path):
    cells = lessons["cells"]
    data = lesson_json(cells)
    del data["uid"]  # as a Studio before lesson uids wrote it
    (cells / "lesson.json").write_text(json.dumps(data), encoding="utf-8")
    config = tmp_path / "config"
    package([cells], tmp_path / "a.lectern", config=config)
    uid = lesson_json(cells)["uid"]
    assert lesson_json(cells)["updated"] == data["updated"]  # not an edit
    package([cells], tmp_path / "b.lectern", config=config)
    assert lesson_json(cells)["uid"] == uid
    assert read_manifest(tmp_path / "b.lectern").lessons[0].uid == uid
    assert (tmp_path / "a.lectern").read_bytes() == (tmp_path / "b.lectern").read_bytes()


def test_a_copied_lesson_folder_becomes_a_lesson_of_its_own(lessons, tmp_path):
    copy = shutil.copytree(lessons["cells"], tmp_path / "cells-copy")
    package([lessons["cells"], copy], tmp_path / "c.lectern", config=tmp_path / "config")
    first, second = read_manifest(tmp_path / "c.lectern").lessons
    assert first.uid == lesson_json(lessons["cells"])["uid"]
    assert second.uid == lesson_json(copy)["uid"] != first.uid
    with zipfile.ZipFile(tmp_path / "c.lectern") as zf:
        assert zf.namelist()[0] == MANIFEST_NAME and zf.namelist()[-1] == SIGNATURE_NAME
