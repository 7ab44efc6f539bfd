"""``lectern-studio export``: what goes into each format, and what is refused.

The command runs in a child process as a teacher runs it. The browser side (playing,
LMS runtimes, cmi5) is in ``test_export_browser.py``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from shared import logs
from shared.package import read_manifest
from studio import cli
from tests.course_packages import build_lesson, silent_video
from tests.shared.bad_packages import make_good_package, make_hostile_text_package, tampered_member


def export(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """``lectern-studio export ARGS`` in a child process, as a teacher runs it."""
    return subprocess.run(
        [sys.executable, "-m", "studio.cli", "export", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def run(capsys, tmp_path, monkeypatch):
    """``lectern-studio export ARGS`` in this process (the same entry point, faster)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def call(*args: str | Path) -> subprocess.CompletedProcess[str]:
        capsys.readouterr()
        try:
            status = cli.main(["export", *map(str, args)])
        except SystemExit as exit:  # argparse
            status = exit.code
        finally:
            logs.stop_logging()
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, status, out, err)

    return call


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def course_data(script: bytes) -> dict:
    text = script.decode("ascii")  # all of it ASCII: no course text can end the script
    prefix = "window.LECTERN_COURSE = "
    assert text.startswith(prefix) and text.endswith(";\n")
    assert "<" not in text and ">" not in text and "&" not in text
    return json.loads(text[len(prefix) : -2])


@pytest.fixture(scope="module")
def course_folder(tmp_path_factory, ffmpeg_bin) -> Path:
    """A Studio course folder with two built lessons (one title twice) and a recording."""
    root = tmp_path_factory.mktemp("studio")
    config = root / "config"
    course = root / "Biology"
    video = silent_video(ffmpeg_bin, root / "cells.mp4", seconds=3.0)
    build_lesson(video, course / "cells", "Cells", config=config)
    build_lesson(video, course / "cells-again", "Cells", config=config)
    (course / "course.json").write_text(
        json.dumps(
            {
                "format": "lectern-course",
                "id": "bio-101",
                "title": "Biology <101>",
                "author": "Ann Lee",
                "language": "en",
                "lessons": ["cells", "cells-again"],
            }
        ),
        encoding="utf-8",
    )
    return course


def test_a_course_folder_exports_as_scorm2004_with_every_file_listed(course_folder, tmp_path):
    out = tmp_path / "bio.zip"
    result = export(course_folder, "--format", "scorm2004", "-o", out)
    assert result.returncode == 0, result.stderr
    assert "2 lesson(s)" in one_line(result.stdout)
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert names[0] == "imsmanifest.xml"  # the descriptor first
        root = ET.fromstring(zf.read("imsmanifest.xml"))
        data = course_data(zf.read("course.js"))
        assert zf.read("index.html").count(b"connect-src 'none'") == 1
        assert all(
            zf.getinfo(n).compress_type == zipfile.ZIP_STORED for n in names if n.endswith(".mp4")
        )
    assert data["mode"] == "scorm2004" and data["completion_threshold"] == 0.9
    assert data["course"]["title"] == "Biology <101>"
    ids = [lesson["id"] for lesson in data["lessons"]]
    assert len(ids) == 2 and len(set(ids)) == 2  # one title twice: still two ids
    for lesson in data["lessons"]:
        assert lesson["video"] in names and lesson["duration"] > 2
    # One SCO per lesson, each launching the player for its lesson; every file listed.
    ns = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
    adl = "{http://www.adlnet.org/xsd/adlcp_v1p3}"
    assert root.find(f"{ns}metadata/{ns}schemaversion").text == "2004 4th Edition"
    scos = [r for r in root.iter(f"{ns}resource") if r.get(f"{adl}scormType") == "sco"]
    assert [r.get("href") for r in scos] == [f"index.html?lesson={i}" for i in ids]
    items = list(root.iter(f"{ns}item"))
    assert [i.get("identifierref") for i in items] == [r.get("identifier") for r in scos]
    listed = {f.get("href") for f in root.iter(f"{ns}file")}
    assert listed == set(names) - {"imsmanifest.xml"}


def test_html5_can_be_a_plain_folder_and_is_replaced_only_with_force(course_folder, tmp_path, run):
    out = tmp_path / "web"
    assert run(course_folder, "--format", "html5", "-o", out).returncode == 0
    assert (out / "index.html").is_file() and (out / "course.js").is_file()
    data = course_data((out / "course.js").read_bytes())
    assert all((out / lesson["video"]).is_file() for lesson in data["lessons"])
    again = run(course_folder, "--format", "html5", "-o", out)
    assert again.returncode == 1 and "--force" in one_line(again.stderr)
    assert run(course_folder, "--format", "html5", "-o", out, "--force").returncode == 0


def test_a_course_with_no_ready_lesson_is_refused_in_one_sentence(tmp_path, run):
    course = tmp_path / "Empty course"
    (course / "recordings" / "2024-09-02").mkdir(parents=True)  # recorded, never built
    (course / "course.json").write_text('{"format": "lectern-course", "title": "Empty"}')
    for fmt in ("html5", "scorm12", "scorm2004", "cmi5"):
        out = tmp_path / f"{fmt}.zip"
        result = run(course, "--format", fmt, "-o", out)
        assert result.returncode == 1
        assert "no ready lesson" in one_line(result.stderr) and "Traceback" not in result.stderr
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Empty course", "state"]  # no leftover


def test_a_damaged_package_is_refused_and_nothing_is_written(tmp_path, run):
    bad = tampered_member(make_good_package(tmp_path / "good"), tmp_path / "bad.lectern")
    out = tmp_path / "out" / "scorm.zip"
    out.parent.mkdir()
    result = run(bad, "--format", "scorm12", "-o", out)
    assert result.returncode == 1 and "bad.lectern" in one_line(result.stderr)
    assert list(out.parent.iterdir()) == []  # neither the zip nor the extracted package


def test_neither_a_course_nor_a_package_is_refused(tmp_path, run):
    for source in (tmp_path, tmp_path / "missing.lectern", tmp_path / ("x" * 300)):
        result = run(source, "--format", "html5", "-o", tmp_path / "x.zip")
        assert result.returncode == 1
        assert "neither a Studio course folder" in one_line(result.stderr)


def test_usage_errors_exit_2(course_folder, tmp_path, run):
    folder = run(course_folder, "--format", "scorm12", "-o", tmp_path / "scorm")
    assert folder.returncode == 2 and "zip file" in one_line(folder.stderr)
    unknown = run(course_folder, "--format", "pdf", "-o", tmp_path / "x.zip")
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr


@pytest.mark.parametrize("kind", ["terminal", "lines"])
def test_hostile_text_gives_well_formed_descriptors(tmp_path, kind, run):
    package = make_hostile_text_package(tmp_path / "src", kind)
    for fmt, descriptor in (("scorm12", "imsmanifest.xml"), ("cmi5", "cmi5.xml")):
        out = tmp_path / f"{fmt}.zip"
        result = run(package, "--format", fmt, "-o", out)
        assert result.returncode == 0, result.stderr
        with zipfile.ZipFile(out) as zf:
            root = ET.fromstring(zf.read(descriptor))  # parses: no control character in it
            titles = [e.text or "" for e in root.iter() if e.tag.endswith(("title", "langstring"))]
            # The title as written, less what XML 1.0 cannot hold, cut at SCORM's 200
            # (and read back with XML's line ends).
            title = read_manifest(package).course.title
            title = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", title)[:200]
            assert title.replace("\r\n", "\n").replace("\r", "\n") in titles
            course_data(zf.read("course.js"))


# ----------------------------------------------------------------------------- CLI contract


@pytest.mark.parametrize(
    "module,prog", [("studio.cli", "lectern-studio"), ("player.cli", "lectern-player")]
)
def test_version(module, prog):
    result = subprocess.run(
        [sys.executable, "-m", module, "--version"], capture_output=True, text=True, timeout=60
    )
    from shared import __version__

    assert result.returncode == 0 and result.stdout.strip() == f"{prog} {__version__}"


def test_an_internal_error_exits_70_and_names_the_log(tmp_path, monkeypatch, capsys, course_folder):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli.export, "export_course", broken)
    try:
        status = cli.main(
            ["export", str(course_folder), "--format", "html5", "-o", str(tmp_path / "x")]
        )
    finally:
        logs.stop_logging()
    err = one_line(capsys.readouterr().err)
    assert status == 70
    assert str(tmp_path / "state" / "Lectern" / "log" / "lectern-studio.log") in err
    assert os.path.getsize(tmp_path / "state" / "Lectern" / "log" / "lectern-studio.log") > 0


def test_a_package_whose_zip_crc_is_wrong_is_refused(tmp_path, run):
    """Bytes that match their SHA-256 but not the CRC-32 the zip declares: the export
    computes the CRC once, while copying, and refuses what would be a broken zip."""
    good = make_good_package(tmp_path / "good")
    with zipfile.ZipFile(good) as archive:
        video = next(i for i in archive.infolist() if i.filename.endswith("video.mp4"))
        directory = archive.start_dir
    data = bytearray(good.read_bytes())
    at = data.find(b"PK\x01\x02", directory)
    while data[at + 46 : at + 46 + len(video.filename)] != video.filename.encode():
        at = data.find(b"PK\x01\x02", at + 4)
    data[at + 16 : at + 20] = (video.CRC ^ 1).to_bytes(4, "little")
    bad = tmp_path / "bad.lectern"
    bad.write_bytes(bytes(data))
    out = tmp_path / "out" / "scorm.zip"
    out.parent.mkdir()
    result = run(bad, "--format", "scorm12", "-o", out)
    assert result.returncode == 1 and "CRC" in one_line(result.stderr)
    assert list(out.parent.iterdir()) == []
