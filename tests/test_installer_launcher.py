"""installer/launcher.py: the bundle's one executable picks the app and cleans the
library path for the programs it starts (the frozen run is in test_bundle_smoke.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "installer"))

from launcher import app_for, restore_library_path  # noqa: E402

APPS = {"lectern-studio": "studio.__main__:main", "lectern-player": "player.__main__:main"}


def test_the_name_it_runs_as_picks_the_app() -> None:
    assert app_for("/usr/bin/lectern-player", APPS, "lectern-studio") == "player.__main__:main"
    assert app_for("lectern-studio", APPS, "lectern-studio") == "studio.__main__:main"
    assert app_for("/tmp/renamed", APPS, "lectern-studio") == "studio.__main__:main"


def test_the_users_library_path_comes_back() -> None:
    environ = {"LD_LIBRARY_PATH": "/opt/lectern/_internal", "LD_LIBRARY_PATH_ORIG": "/home/u/lib"}
    restore_library_path(environ)
    assert environ == {"LD_LIBRARY_PATH": "/home/u/lib"}


def test_no_library_path_before_means_none_after() -> None:
    environ = {"LD_LIBRARY_PATH": "/opt/lectern/_internal", "HOME": "/home/u"}
    restore_library_path(environ)
    assert environ == {"HOME": "/home/u"}
