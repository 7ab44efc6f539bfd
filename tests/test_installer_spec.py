"""build_installer.spec takes the bundle's name, version and executables from the code.

Only the spec's metadata part runs here (it is plain Python and PyInstaller is not
needed); the build itself runs under PyInstaller with `make installer`, see
docs/installer.md.
"""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

import pytest

import shared

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "build_installer.spec"


def load_spec() -> dict:
    """Run the spec as PyInstaller would, minus PyInstaller (so nothing is built)."""
    return runpy.run_path(str(SPEC), run_name="build_installer_spec")


def test_name_and_version_are_the_packages() -> None:
    spec = load_spec()
    assert spec["NAME"] == "lectern"
    assert spec["VERSION"] == shared.__version__
    assert spec["VERSION"] != ""


def test_a_new_version_in_the_code_reaches_the_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared, "__version__", "9.8.7.dev1")
    assert load_spec()["VERSION"] == "9.8.7.dev1"


def test_a_new_name_in_pyproject_reaches_the_spec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))  # build_metadata adds its root
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "renamed"\n', encoding="utf-8")
    build_metadata = load_spec()["build_metadata"]
    assert build_metadata(tmp_path) == ("renamed", shared.__version__)


def test_the_version_is_not_typed_into_the_spec() -> None:
    assert shared.__version__ not in SPEC.read_text(encoding="utf-8")


def test_the_executables_are_the_console_scripts() -> None:
    assert load_spec()["APPS"] == {
        "lectern-studio": "studio.__main__:main",
        "lectern-player": "player.__main__:main",
    }


def test_loading_the_spec_builds_nothing() -> None:
    spec = load_spec()
    assert "Analysis" not in spec
    assert "a" not in spec  # the Analysis object exists only under PyInstaller


def test_qt_comes_without_webengine() -> None:
    """Essentials plus the Addons for multimedia, never the metapackage with WebEngine."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 on
    root = SPEC.parent
    dependencies = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "dependencies"
    ]
    names = {re.split(r"[<>=!~ ;\[]", d, maxsplit=1)[0].lower() for d in dependencies}
    assert {"pyside6-essentials", "pyside6-addons"} <= names
    assert not names & {"pyside6", "pyside6-webengine", "pyside6-pdf"}
    used = set()
    for package in ("shared", "studio", "player"):
        for source in (root / package).rglob("*.py"):
            used |= set(re.findall(r"PySide6\.(Qt\w+)", source.read_text(encoding="utf-8")))
    assert not {name for name in used if name.startswith(("QtWebEngine", "QtPdf"))}
