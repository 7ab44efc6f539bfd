"""The installer bundle for the tests: built once, cached, reused while its inputs stay.

Building ``dist/lectern/`` with PyInstaller takes minutes, so the tests build it only
when the cache has no bundle for the current inputs. The key is a hash of everything
that goes into it: the spec, pyproject.toml, the packaging script, this file's build
command, every file of the packages and package data the spec collects, and the name
and version of every installed distribution (what ``make setup`` installed: a new wheel
is a new bundle). The bundle and its
``.tar.gz``/``.deb`` live in ``~/.cache/lectern-bundle/KEY/``; older keys are removed.

``LECTERN_BUNDLE=DIR`` uses an already built bundle instead (``make installer`` runs
the smoke test on the ``dist/lectern/`` it has just built).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["bundle_key", "built_bundle", "built_packages", "clean_env", "CACHE"]

ROOT = Path(__file__).resolve().parents[1]
#: Under the real ~/.cache, not $XDG_CACHE_HOME: tests/conftest.py points that at a
#: fresh folder for every run, and the bundle is worth keeping between runs.
CACHE = Path.home() / ".cache" / "lectern-bundle"
#: Files whose every byte reaches the bundle or decides how it is built (this file holds
#: the PyInstaller command; the Makefile's part, the installed packages, is hashed below).
BUILD_FILES = (
    "build_installer.spec",
    "pyproject.toml",
    "installer/package-bundle.sh",
    "tests/bundle.py",
)
#: Source folders whose files go in (the apps, the domain and resources/ as package data).
SOURCE_FOLDERS = ("shared", "studio", "player", "resources")


def _input_files() -> list[Path]:
    files = [ROOT / name for name in BUILD_FILES]
    for folder in SOURCE_FOLDERS:
        files += [
            path
            for path in (ROOT / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        ]
    return sorted(files)


def bundle_key() -> str:
    """A hash of the bundle's inputs: build files, sources and installed distributions."""
    digest = hashlib.sha256()
    for path in _input_files():
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    # A set, and without Lectern's own metadata (its files are hashed above): which
    # copies of it distributions() sees depends on sys.path (a script's folder, pytest's
    # rootdir), and the key must not.
    installed = sorted(
        {
            f"{dist.metadata['Name']}=={dist.version}".lower()
            for dist in importlib.metadata.distributions()
            if dist.metadata["Name"].lower() != "lectern"
        }
    )
    digest.update("\n".join(installed).encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One builder at a time (two test runs on one machine share the cache)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _build_bundle(entry: Path) -> None:
    """Run PyInstaller into a scratch folder, then move the result into ``entry``."""
    with tempfile.TemporaryDirectory(prefix="lectern-bundle-") as scratch:
        started = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "PyInstaller",
                "--noconfirm",
                "--log-level=WARN",
                "--distpath",
                f"{scratch}/dist",
                "--workpath",
                f"{scratch}/build",
                str(ROOT / "build_installer.spec"),
            ],
            cwd=ROOT,
            check=True,
            timeout=3600,
        )
        entry.mkdir(parents=True, exist_ok=True)
        os.replace(f"{scratch}/dist/lectern", entry / "lectern")
        (entry / "build-seconds").write_text(f"{time.monotonic() - started:.0f}\n")


def built_bundle() -> Path:
    """The bundle folder (holding ``lectern-studio``) for the current inputs.

    Builds it when the cache has none; removes cached bundles of other inputs.
    """
    if os.environ.get("LECTERN_BUNDLE"):
        return Path(os.environ["LECTERN_BUNDLE"]).resolve()
    key = bundle_key()
    entry = CACHE / key
    with _locked(CACHE / ".lock"):
        if not (entry / "lectern" / "VERSION").is_file():
            shutil.rmtree(entry, ignore_errors=True)
            _build_bundle(entry)
        for other in CACHE.iterdir():
            if other.is_dir() and other.name != key:
                shutil.rmtree(other, ignore_errors=True)
    return entry / "lectern"


def built_packages() -> Path:
    """The folder holding the bundle's ``.tar.gz`` and ``.deb`` (packed once per bundle)."""
    bundle = built_bundle()
    out = bundle.parent / "packages"
    with _locked(CACHE / ".lock"):
        if not any(out.glob("*.deb")):
            scratch = bundle.parent / "packages.partial"
            shutil.rmtree(scratch, ignore_errors=True)
            subprocess.run(
                ["sh", str(ROOT / "installer" / "package-bundle.sh"), str(bundle), str(scratch)],
                check=True,
                timeout=1800,
                stdout=subprocess.DEVNULL,
            )
            shutil.rmtree(out, ignore_errors=True)
            os.replace(scratch, out)
    return out


def clean_env(home: Path, display: str | None = None) -> list[str]:
    """``env -i`` with HOME, LANG (and the display) and a PATH with nothing in it.

    An unset PATH is not enough: Python's ``shutil.which`` then searches ``/bin`` and
    ``/usr/bin`` and finds the system ffmpeg. With PATH an empty folder, the apps can
    only use the bundled one.
    """
    empty = home.parent / "empty-path"
    empty.mkdir(exist_ok=True)
    env = ["env", "-i", f"HOME={home}", "LANG=C.UTF-8", f"PATH={empty}"]
    return [*env, f"DISPLAY={display}"] if display else env
