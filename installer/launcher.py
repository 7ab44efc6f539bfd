"""The bundle's one executable: Lectern Studio or Lectern Player, by the name it runs as.

build_installer.spec freezes a two-line script that calls :func:`run` with the console
scripts of pyproject.toml; ``lectern-player`` is a symlink to ``lectern-studio``, so
both apps share one executable and one copy of the compiled Python code.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping, MutableMapping

__all__ = ["app_for", "restore_library_path", "run"]


def app_for(argv0: str, apps: Mapping[str, str], default: str) -> str:
    """The ``module:function`` to run for a program started as ``argv0``.

    The name is the last part of ``argv0``, whatever the symlinks on the way
    (``/usr/bin/lectern-player`` -> ``/opt/lectern/lectern-player`` -> ``lectern-studio``
    still runs the Player); an unknown name runs ``default``.
    """
    return apps.get(os.path.basename(argv0), apps[default])


def restore_library_path(environ: MutableMapping[str, str]) -> None:
    """Give the programs Lectern starts the library path the user had.

    PyInstaller's bootloader points ``LD_LIBRARY_PATH`` at the bundle's ``_internal/``
    and keeps the user's value in ``LD_LIBRARY_PATH_ORIG``. A program started from the
    bundle (the system ffmpeg, xdpyinfo, a browser) would otherwise load the bundle's
    copies of libstdc++, OpenSSL or zlib instead of its own. This process is not
    affected: the dynamic loader read the variable when it started.
    """
    original = environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is not None:
        environ["LD_LIBRARY_PATH"] = original
    else:
        environ.pop("LD_LIBRARY_PATH", None)


def run(apps: Mapping[str, str], default: str) -> int:
    """Run the app this executable was started as; return its exit status."""
    if getattr(sys, "frozen", False):
        restore_library_path(os.environ)
    module, function = app_for(sys.argv[0], apps, default).split(":")
    return getattr(importlib.import_module(module), function)()
