"""Desktop integration: the .desktop entries, the .lectern MIME type and the icons.

``resources/desktop/install-desktop.sh`` is run into a temporary data folder and the
freedesktop tools a desktop uses (shared-mime-info's database, ``xdg-mime``) then say
what a file manager would: a package is ``application/x-lectern`` and opens in
Lectern Player.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.shared.bad_packages import make_good_package

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
SCRIPT = RESOURCES / "desktop" / "install-desktop.sh"


def entry(name: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(RESOURCES / "desktop" / name, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entries_name_the_commands_and_the_mime_type():
    player, studio = entry("lectern-player.desktop"), entry("lectern-studio.desktop")
    assert player["Exec"] == "lectern-player %f" and studio["Exec"] == "lectern-studio"
    assert player["MimeType"] == "application/x-lectern;"
    for item in (player, studio):
        assert item["Type"] == "Application" and item["Terminal"] == "false"
        assert (RESOURCES / "icons" / f"{item['Icon']}.svg").is_file()
        assert item["Categories"].endswith(";")
    for icon in (RESOURCES / "icons").glob("*.svg"):
        assert ET.parse(icon).getroot().tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.skipif(not shutil.which("xdg-mime"), reason="xdg-utils is not installed")
def test_installed_a_package_is_a_lectern_course_that_opens_in_the_player(tmp_path):
    data = tmp_path / "share"
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(data),
        "XDG_DATA_DIRS": f"{data}:/usr/share",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    subprocess.run(["sh", str(SCRIPT)], env=env, check=True, timeout=60)
    package = make_good_package(tmp_path / "src")

    def xdg(*args: str) -> str:
        done = subprocess.run(
            ["xdg-mime", "query", *args], env=env, capture_output=True, text=True, timeout=60
        )
        return done.stdout.strip()

    assert xdg("filetype", str(package)) == "application/x-lectern"
    assert xdg("default", "application/x-lectern") == "lectern-player.desktop"
    assert (data / "icons/hicolor/scalable/mimetypes/application-x-lectern.svg").is_file()

    subprocess.run(["sh", str(SCRIPT), "--uninstall"], env=env, check=True, timeout=60)
    assert not (data / "applications" / "lectern-player.desktop").exists()
    assert xdg("filetype", str(package)) != "application/x-lectern"
