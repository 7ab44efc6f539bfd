"""Keep every test away from the real user's settings and library.

Qt's QSettings and platformdirs both follow the XDG variables on Linux, so pointing
them at a temporary folder before anything is imported means no test reads or
writes ``~/.config`` or ``~/.local/share``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

_HOME = tempfile.mkdtemp(prefix="lectern-tests-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")
os.environ["XDG_CACHE_HOME"] = os.path.join(_HOME, "cache")
atexit.register(shutil.rmtree, _HOME, ignore_errors=True)
