"""Settings' "Import model pack…" on a real X server, with real keys and clicks.

The dialog runs in its own program on a private Xvfb (``tests/studio/drive_model_import.py``);
xdotool picks the menu item, types the file name and clicks Cancel. The import itself
is real: the bundled model's files in a pack, unpacked and hashed off the GUI thread,
then timed on a clip of the sample lecture.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from shared import speech_models
from shared.transcription import bundled_model_dir
from tests.xserver import XvfbError, xvfb

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
PADDING = 600 * 1024 * 1024  # zeros: tiny in the zip, seconds to unpack and hash


def make_pack(path: Path, name: str, padding: int = 0) -> Path:
    """A pack of the bundled model's files, with ``padding`` zero bytes listed first."""
    source = bundled_model_dir()
    files = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        if padding:
            block = b"\0" * (1 << 20)
            with archive.open("model/padding.bin", "w", force_zip64=True) as out:
                for _ in range(padding >> 20):
                    out.write(block)
            digest = speech_models.hashlib.sha256()
            for _ in range(padding >> 20):
                digest.update(block)
            files["padding.bin"] = {"sha256": digest.hexdigest(), "size": padding}
        for n in NAMES:
            archive.write(source / n, f"model/{n}", zipfile.ZIP_STORED)
            files[n] = {"sha256": speech_models._sha256_file(source / n), "size": 0}
        manifest = {"format": 1, "name": name, "languages": "en", "files": files}
        archive.writestr(speech_models.PACK_MANIFEST, json.dumps(manifest))
    return path


def drive(scenario: str, pack: Path, tmp_path: Path) -> dict:
    out = tmp_path / f"{scenario}.json"
    try:
        with xvfb(("1280x800x24",)) as display:
            env = {
                **os.environ,
                "DISPLAY": display,
                "LECTERN_MODELS_DIR": str(tmp_path / "models"),
            }
            subprocess.run(
                [sys.executable, "-m", "tests.studio.drive_model_import", scenario]
                + [str(pack), str(tmp_path / "studio.ini"), str(out)],
                cwd=ROOT,
                env=env,
                check=True,
                timeout=600,
            )
    except XvfbError as error:
        pytest.skip(str(error))
    return json.loads(out.read_text())


def test_cancel_is_clicked_while_a_pack_imports_and_nothing_is_installed(tmp_path):
    pack = make_pack(tmp_path / "big.lectern-model", "tiny-big", PADDING)
    seen = drive("cancel", pack, tmp_path)
    assert seen["file_dialog"] == "Import a speech model pack"
    assert seen["started"] and seen["bar_shown"]
    assert not seen["ok_enabled_while_importing"]
    assert seen["outcome"] == "cancelled"
    assert seen["progress"] and max(seen["progress"]) < 1.0
    assert seen["note"] == "Import cancelled; the installed models are unchanged."
    assert seen["bar_hidden_after"] and seen["ok_enabled_after"]
    assert seen["model"] != "tiny-big"
    models = tmp_path / "models"
    assert not (models / "tiny-big").exists()
    assert [p.name for p in models.iterdir() if p.name.startswith(".import-")] == []


def test_a_pack_imports_in_the_background_and_its_speed_is_shown(tmp_path):
    pack = make_pack(tmp_path / "copy.lectern-model", "tiny-copy")
    seen = drive("finish", pack, tmp_path)
    assert seen["outcome"] == "succeeded"
    assert seen["progress"] == sorted(seen["progress"]) and seen["progress"][-1] == 1.0
    assert any(s.startswith("Measuring the speed of 'tiny-copy'") for s in seen["statuses"])
    assert seen["model"] == "tiny-copy"
    assert "tiny-copy · 78 MB · English · 1 min of speech in" in seen["model_label"]
    assert "speed not measured yet" not in seen["model_label"]
    assert seen["note"].startswith("Installed the speech model 'tiny-copy'. On this computer")
    speed = speech_models.measured_speed("tiny-copy")  # read from the test's models folder
    assert speed is None  # this process's LECTERN_MODELS_DIR is not the dialog's
    installed = json.loads((tmp_path / "models" / "speed.json").read_text())
    assert installed["faster-whisper/tiny-copy"]["rtf"] > 0
