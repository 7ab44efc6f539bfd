"""The bundle's .tar.gz and .deb install, run in a clean environment, and uninstall.

The bundle and its packages come from tests/bundle.py: built by the test run when the
cache (``~/.cache/lectern-bundle``) has none for the current inputs, then reused.
``make installer-packages`` runs this file on the ``dist/`` it has just built.

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

from tests.bundle import built_packages, clean_env
from tests.shared.bad_packages import make_good_package

# The first test may build the bundle (tests/bundle.py): minutes on two busy cores.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]


@pytest.fixture(scope="module")
def packages() -> Path:
    return built_packages()


def clean(command: list[str | Path], home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run in a clean environment: no venv, nothing on PATH, so no system ffmpeg."""
    return subprocess.run(
        [*clean_env(home), *map(str, command)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
    )


def smoke(program: Path, home: Path, work: Path, app: str = "lectern-studio") -> None:
    """The installed command answers, and (Studio) verifies and exports a package."""
    version = clean([program, "--version"], home, work)
    assert version.returncode == 0 and version.stdout.startswith(f"{app} "), version
    if app != "lectern-studio":
        return
    package = make_good_package(work / "src")
    verified = clean([program, "verify", package], home, work)
    assert verified.returncode == 0 and "is sound" in verified.stdout, verified.stderr
    exported = clean([program, "export", package, "--format", "scorm12", "-o", "s.zip"], home, work)
    assert exported.returncode == 0, exported.stderr
    with zipfile.ZipFile(work / "s.zip") as zf:
        assert {"imsmanifest.xml", "index.html", "player.js", "course.js"} <= set(zf.namelist())


def test_the_tar_gz_installs_runs_clean_and_uninstalls(packages, tmp_path):
    [archive] = packages.glob("lectern-*-linux-x86_64.tar.gz")
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
    smoke(home / ".local/bin/lectern-player", home, tmp_path, app="lectern-player")
    subprocess.run(["sh", folder / "install.sh", "--uninstall"], env=env, check=True, timeout=600)
    assert not studio.exists() and not (home / ".local/share/lectern").exists()
    assert not (home / ".local/share/applications/lectern-player.desktop").exists()
    # What install.sh put there is gone (the user's own data, logs and library, stays).
    installed_places = [home / ".local/bin", *(home / ".local/share").glob("*")]
    left = [p for place in installed_places for p in place.rglob("*") if "lectern" in p.name]
    assert not left, left


def files_under(root: Path) -> set[str]:
    """Every file and link below ``root`` but dpkg's own database, relative to it."""
    return {
        str(path.relative_to(root))
        for path in root.rglob("*")
        if not path.is_dir() and not str(path.relative_to(root)).startswith("var/lib/dpkg")
    }


def test_the_deb_installs_runs_clean_and_uninstalls(packages, tmp_path):
    """dpkg installs into a throwaway root of its own and purges from it (docs/installer.md).

    ``--root`` gives dpkg a fresh database and file tree; the maintainer scripts run
    (chrootless, with DPKG_ROOT) and register the MIME type and desktop entries with the
    machine's update-mime-database and update-desktop-database, as on a desktop. After
    the purge nothing of the package is left: no file, and no mention in those caches.
    """
    [deb] = packages.glob("lectern_*_amd64.deb")
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
    # On a desktop, shared-mime-info and desktop-file-utils own /usr/share/mime/packages
    # and /usr/share/applications. In an empty root nothing does, so dpkg would remove
    # them with Lectern, and update-mime-database refuses a database without packages/.
    system = tmp_path / "system"
    for folder in ("usr/share/mime/packages", "usr/share/applications"):
        (system / folder).mkdir(parents=True)
    # A file of its own, or dpkg counts the package "completely replaced" by Lectern's.
    (system / "usr/share/doc/desktop-folders").mkdir(parents=True)
    (system / "usr/share/doc/desktop-folders/README").write_text("owns the folders\n")
    (system / "DEBIAN").mkdir()
    (system / "DEBIAN/control").write_text(
        "Package: desktop-folders\nVersion: 1\nArchitecture: all\n"
        "Maintainer: tests <tests@invalid>\nDescription: the folders a desktop has\n"
    )
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "--build", system, tmp_path / "system.deb"],
        check=True,
        capture_output=True,
    )
    subprocess.run([*dpkg, "-i", tmp_path / "system.deb"], check=True, capture_output=True)
    installed = subprocess.run([*dpkg, "-i", deb], capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr
    status = subprocess.run(
        [*dpkg, "-s", "lectern"], capture_output=True, text=True, check=True
    ).stdout
    assert "Status: install ok installed" in status
    owned = subprocess.run([*dpkg, "-L", "lectern"], capture_output=True, text=True, check=True)
    assert "/usr/share/applications/lectern-player.desktop" in owned.stdout
    # The maintainer scripts registered the type and the handler.
    assert (root / "usr/share/mime/application/x-lectern.xml").is_file()
    handlers = (root / "usr/share/applications/mimeinfo.cache").read_text(encoding="utf-8")
    assert "application/x-lectern=" in handlers and "lectern-player.desktop" in handlers
    studio = root / "usr/bin/lectern-studio"
    assert studio.resolve() == root / "opt/lectern/lectern-studio" or studio.is_symlink()
    home = tmp_path / "home"
    home.mkdir()
    smoke(root / "opt/lectern/lectern-studio", home, tmp_path)
    smoke(root / "opt/lectern/lectern-player", home, tmp_path, app="lectern-player")
    removed = subprocess.run([*dpkg, "-P", "lectern"], capture_output=True, text=True, timeout=600)
    assert removed.returncode == 0, removed.stderr
    left = files_under(root)
    assert not [path for path in left if "lectern" in path], left
    for cache in left:
        text = (root / cache).read_bytes()
        assert b"lectern" not in text, f"{cache} still names Lectern after the purge"
    shutil.rmtree(root)
