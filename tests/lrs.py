"""A real Learning Record Store on loopback for the tests: Ralph (``ralph-malph``, PyPI).

Ralph's command line pins a click release that Lectern's own dependencies cannot share
(sqlite-utils needs a newer one), so Ralph lives in a virtual environment of its own,
built once from the package registry and cached under
``~/.cache/lectern-ralph-venv-<version>`` (keyed on the pinned version; a half-built one
is built again: a marker is written last).

:class:`Ralph` serves Ralph's LRS API (as ``ralph runserver -b fs`` does; see
``tests/ralph_server.py`` for the one repair made to its file-system backend) on a free
127.0.0.1 port, with HTTP basic-auth credentials made by ``ralph auth``, and can be
killed (as a network cut or a crash would stop it) and started again on the same port
and data. The ``lrs`` fixture is one server for a test module; tests tell their
statements apart by the learner (each library has its own random learner id).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

__all__ = ["RALPH_VERSION", "ralph_venv", "Ralph", "free_port", "lrs", "lrs_unreachable_url"]

#: The Ralph release the tests run (its dependencies are pinned by its own metadata).
RALPH_VERSION = "5.1.0"
#: Ralph's extras for a served LRS on files; ``requests`` is imported by its auth module
#: but not declared by this release.
_SERVER = Path(__file__).with_name("ralph_server.py")
_REQUIREMENTS = (f"ralph-malph[cli,lrs]=={RALPH_VERSION}", "requests")


def _cache_root() -> Path:
    # Not $XDG_CACHE_HOME: the tests point that at a temporary folder per run.
    return Path.home() / ".cache"


def ralph_venv() -> Path:
    """The ``bin`` folder of Ralph's own virtual environment, built on first use.

    A venv's scripts name its folder, so it is built where it lives; a marker written
    last tells a finished one from one cut short (which is built again).
    """
    venv = _cache_root() / f"lectern-ralph-venv-{RALPH_VERSION}"
    done = venv / ".lectern-complete"
    if done.exists():
        return venv / "bin"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f".lectern-ralph-venv-{RALPH_VERSION}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test process may be building it
        if not done.exists():
            shutil.rmtree(venv, ignore_errors=True)
            base = getattr(sys, "_base_executable", sys.executable)
            subprocess.run([base, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *_REQUIREMENTS],
                check=True,
                timeout=900,
            )
            done.touch()
    return venv / "bin"


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Ralph:
    """A Ralph LRS on 127.0.0.1 with basic-auth credentials, statements kept in ``folder``.

    Attributes:
        url: the xAPI endpoint (``http://127.0.0.1:PORT/xAPI/``).
        user, key: the credentials it accepts.
    """

    def __init__(self, folder: Path, *, user: str = "lectern", key: str = "s3cret-key") -> None:
        self.folder = folder
        self.user, self.key = user, key
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/xAPI/"
        self.process: subprocess.Popen | None = None
        self._bin = ralph_venv()
        folder.mkdir(parents=True, exist_ok=True)
        self._env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("RALPH_")},
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_AUTH_FILE": str(folder / "auth.json"),
            "RALPH_APP_DIR": str(folder / "app"),
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "data"),
        }
        self._env.pop("VIRTUAL_ENV", None)
        subprocess.run(
            [str(self._bin / "ralph"), "auth", "-u", user, "-p", key, "-s", "all"]
            + ["-M", "mailto:lectern-tests@example.org", "-w"],
            env=self._env,
            check=True,
            capture_output=True,
            timeout=120,
        )

    @property
    def statements_file(self) -> Path:
        """Where the file-system backend keeps what it stored (one JSON per line)."""
        return self.folder / "data" / "fs_lrs.jsonl"

    def start(self) -> Ralph:
        """Start the server (on the same port and data after :meth:`kill`); wait until it answers."""
        log = open(self.folder / "ralph.log", "ab")  # noqa: SIM115 - kept for the process
        self.process = subprocess.Popen(
            [str(self._bin / "python"), str(_SERVER), "127.0.0.1", str(self.port)],
            env=self._env,
            cwd=self.folder,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"ralph stopped: {(self.folder / 'ralph.log').read_text()}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__lbheartbeat__", timeout=2),
            ):
                return self
            time.sleep(0.2)
        self.kill()
        raise RuntimeError("ralph did not answer within 120 s")

    def kill(self) -> None:
        """Stop the server at once (SIGKILL to its own process group), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def stored_ids(self) -> list[str]:
        """The ids of every statement stored, in the order they were stored (from its file)."""
        import json

        if not self.statements_file.exists():
            return []
        with open(self.statements_file, encoding="utf-8") as stream:
            return [json.loads(line)["id"] for line in stream if line.strip()]

    def __enter__(self) -> Ralph:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.kill()


@pytest.fixture(scope="module")
def lrs(tmp_path_factory) -> Ralph:
    """One running Ralph for a test module."""
    with Ralph(tmp_path_factory.mktemp("ralph")) as server:
        yield server


def lrs_unreachable_url() -> str:
    """An xAPI address on loopback where nothing listens."""
    return f"http://127.0.0.1:{free_port()}/xAPI/"
