"""The bundle's .tar.gz and .deb install, run in a clean environment, and uninstall.

``make installer-packages`` builds ``dist/lectern/`` (PyInstaller), packs it with
``installer/package-bundle.sh`` into ``dist/packages/`` and runs this file. Without a
built bundle these tests are skipped (the bundle takes minutes to build; ``make test``
does not build it).

Each installed command runs under ``env -i`` (no .venv, no PATH, so no system ffmpeg):
``--version``, ``verify`` and ``export`` of a package, which needs the bundled web
player and schema.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.shared.bad_packages import make_good_package

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ROOT / "dist" / "packages"

pytestmark = pytest.mark.skipif(
    not any(PACKAGES.glob("*.deb")), reason="no bundle packages: run `make installer-packages`"
)


def clean(command: list[str | Path], home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run with an empty environment but HOME: no PATH, no venv, no system ffmpeg."""
    return subprocess.run(
        ["env", "-i", f"HOME={home}", *map(str, command)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
    )


def smoke(studio: Path, home: Path, work: Path) -> None:
    version = clean([studio, "--version"], home, work)
    assert version.returncode == 0 and version.stdout.startswith("lectern-studio "), version
    package = make_good_package(work / "src")
    verified = clean([studio, "verify", package], home, work)
    assert verified.returncode == 0 and "is sound" in verified.stdout, verified.stderr
    exported = clean([studio, "export", package, "--format", "scorm12", "-o", "s.zip"], home, work)
    assert exported.returncode == 0, exported.stderr
    with zipfile.ZipFile(work / "s.zip") as zf:
        assert {"imsmanifest.xml", "index.html", "player.js", "course.js"} <= set(zf.namelist())


def test_the_tar_gz_installs_runs_clean_and_uninstalls(tmp_path):
    [archive] = PACKAGES.glob("lectern-*-linux-x86_64.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "unpacked", filter="tar")
    [folder] = (tmp_path / "unpacked").iterdir()
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    subprocess.run(["sh", folder / "install.sh"], env=env, check=True, timeout=600)
    studio = home / ".local" / "bin" / "lectern-studio"
    assert studio.is_symlink() and (home / ".local/bin/lectern-player").is_symlink()
    assert (home / ".local/share/applications/lectern-player.desktop").is_file()
    assert (home / ".local/share/mime/packages/lectern-mime.xml").is_file()
    smoke(studio, home, tmp_path)
    subprocess.run(["sh", folder / "install.sh", "--uninstall"], env=env, check=True, timeout=600)
    assert not studio.exists() and not (home / ".local/share/lectern").exists()
    assert not (home / ".local/share/applications/lectern-player.desktop").exists()


def test_the_deb_installs_runs_clean_and_uninstalls(tmp_path):
    [deb] = PACKAGES.glob("lectern_*_amd64.deb")
    root = tmp_path / "root"
    admin = root / "var/lib/dpkg"
    (admin / "info").mkdir(parents=True)
    (admin / "updates").mkdir()
    (admin / "status").touch()
    dpkg = [
        "dpkg",
        f"--root={root}",
        "--force-script-chrootless",
        "--force-not-root",
        "--log=/dev/null",
    ]
    installed = subprocess.run([*dpkg, "-i", deb], capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr
    owned = subprocess.run([*dpkg, "-L", "lectern"], capture_output=True, text=True, check=True)
    assert "/usr/share/applications/lectern-player.desktop" in owned.stdout
    studio = root / "opt/lectern/lectern-studio"
    home = tmp_path / "home"
    home.mkdir()
    smoke(studio, home, tmp_path)
    removed = subprocess.run([*dpkg, "-P", "lectern"], capture_output=True, text=True, timeout=600)
    assert removed.returncode == 0, removed.stderr
    assert not (root / "opt/lectern").exists()
    assert not (root / "usr/bin/lectern-studio").exists()
    assert not (root / "usr/share/applications/lectern-player.desktop").exists()
    shutil.rmtree(root)
