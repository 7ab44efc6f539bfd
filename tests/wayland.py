"""A private headless Wayland desktop for the tests and the benches: one helper.

What it starts, all from Debian's packages (see /work/shared/TESTING.md, "Wayland"):
sway on the headless backend with XWayland, a D-Bus session, PipeWire with
WirePlumber, xdg-desktop-portal with its wlroots backend (``chooser_type=none``, so no
picker waits for a click), a PulseAudio null sink as the microphone, and ``swaybg``
painting the desktop one known colour (a native Wayland client).

sway refuses to run as root, and the portal refuses callers it cannot inspect
(``/proc/PID/root`` of another user's process), so the desktop and every program that
records it run as an unprivileged user made here (:data:`USER`), with the Lectern
checkout run through ``/usr/bin/python3`` and the project's ``.venv`` site-packages.

With no GPU, xdg-desktop-portal-wlr 0.7 will not start a cast on pixman; it reaches
sway through tests/wayland_proxy.py, which fills in what it waits for (see there).

As a program it runs a command inside such a desktop (as that user)::

    .venv/bin/python -m tests.wayland -- lectern-studio devices
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

__all__ = [
    "USER",
    "WaylandError",
    "WaylandSession",
    "missing_packages",
    "start_session",
    "wayland_session",
]

USER = "lectern-wayland"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: Program -> the Debian package that has it.
PROGRAMS = {
    "sway": "sway",
    "Xwayland": "xwayland",
    "swaybg": "swaybg",
    "pipewire": "pipewire",
    "wireplumber": "wireplumber",
    "/usr/libexec/xdg-desktop-portal": "xdg-desktop-portal",
    "/usr/libexec/xdg-desktop-portal-wlr": "xdg-desktop-portal-wlr",
    "dbus-run-session": "dbus-user-session",
    "gst-launch-1.0": "gstreamer1.0-tools",
    "pulseaudio": "pulseaudio",
    "runuser": "util-linux",
}
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <include>/usr/share/dbus-1/session.conf</include>
</busconfig>
"""
SESSION_SCRIPT = r"""#!/bin/sh
# One headless Wayland desktop; every process is a child of this script.
set -u
R=$XDG_RUNTIME_DIR
export HOME=$R/home XDG_CONFIG_HOME=$R/home/.config XDG_CURRENT_DESKTOP=sway
# The desktop's user writes its own state and caches, not the test run's (not its to write).
export XDG_STATE_HOME=$R/home/.local/state XDG_CACHE_HOME=$R/home/.cache
export XDG_DATA_HOME=$R/home/.local/share
export XDG_SESSION_TYPE=wayland WLR_BACKENDS=headless WLR_LIBINPUT_NO_DEVICES=1
export WLR_RENDERER=pixman
sway -c "$XDG_CONFIG_HOME/sway/config" > "$R/sway.log" 2>&1 &
for i in $(seq 200); do [ -S "$R/wayland-1" ] && break; sleep 0.05; done
export WAYLAND_DISPLAY=wayland-1
for i in $(seq 200); do ls "$R"/sway-ipc.*.sock > /dev/null 2>&1 && break; sleep 0.05; done
export SWAYSOCK="$(ls "$R"/sway-ipc.*.sock | head -n 1)"
pipewire > "$R/pipewire.log" 2>&1 &
# WirePlumber connects once, at its start: started before PipeWire's socket exists it
# says "Failed to connect to PipeWire" and exits, and then no stream is ever linked
# (a screen cast then never starts; this was the tests' occasional "not connected").
for i in $(seq 200); do [ -S "$R/pipewire-0" ] && break; sleep 0.05; done
wireplumber > "$R/wireplumber.log" 2>&1 &
pulseaudio --daemonize=no --exit-idle-time=-1 -n --load=module-native-protocol-unix \
  --load="module-null-sink sink_name=lecture_sink" --load=module-always-sink \
  > "$R/pulseaudio.log" 2>&1 &
python3 "$R/wayland_proxy.py" "$R/wayland-portal" "$R/wayland-1" > "$R/proxy.log" 2>&1 &
for i in $(seq 200); do [ -S "$R/wayland-portal" ] && [ -S "$R/pipewire-0" ] && break; sleep 0.05; done
if [ "$PORTAL" = 1 ]; then
  WAYLAND_DISPLAY=wayland-portal /usr/libexec/xdg-desktop-portal-wlr -l DEBUG > "$R/xdpw.log" 2>&1 &
  for i in $(seq 200); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.impl.portal.desktop.wlr \
      2>/dev/null | grep -q true && break
    sleep 0.05
  done
  /usr/libexec/xdg-desktop-portal > "$R/xdp.log" 2>&1 &
fi
swaybg -c "$BACKGROUND" > "$R/swaybg.log" 2>&1 &
# The whole output is repainted now and then (a workspace switch and back), as a
# person's desktop changes: wlroots sends a screencopy frame only for a changed picture,
# so a cast of a desktop that never changes would never start.
if [ "$REPAINT" = 1 ]; then
  ( while sleep 0.25; do swaymsg -q workspace number 2; swaymsg -q workspace number 1; done ) &
fi
for i in $(seq 200); do pactl info > /dev/null 2>&1 && break; sleep 0.05; done
pactl set-default-source lecture_sink.monitor
echo "DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS" > "$R/env.tmp"
mv "$R/env.tmp" "$R/env"
wait
"""

#: The desktop's picker: waits for the person (the file ``choice``) and says what to share.
PICKER_SCRIPT = """#!/bin/sh
while [ ! -s {choice} ]; do sleep 0.05; done
cat {choice}
"""


class WaylandError(RuntimeError):
    """The Wayland desktop cannot be started here."""


def missing_packages() -> list[str]:
    """The Debian packages the desktop needs that are not installed."""
    return sorted(
        {package for program, package in PROGRAMS.items() if shutil.which(program) is None}
    )


def _ensure_user() -> pwd.struct_passwd:
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(USER)
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
        check=True,
        capture_output=True,
    )
    return pwd.getpwnam(USER)


def _grant_search(path: Path) -> None:
    """Let other users pass through the folders above ``path`` (search, not list).

    The checkout and its ``.venv`` may sit under a private home (``/root`` is 0700).
    """
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & 0o001:
            folder.chmod(mode | 0o001)


class WaylandSession:
    """A running desktop; see :func:`start_session`.

    Attributes:
        runtime: ``$XDG_RUNTIME_DIR`` of the session (owned by :data:`USER`).
        env: The environment of a program in the session (Wayland, D-Bus, PulseAudio).
    """

    def __init__(self, process: subprocess.Popen, runtime: Path, env: dict[str, str]) -> None:
        self.process, self.runtime, self.env = process, runtime, env

    def command(self, argv: Sequence[str]) -> list[str]:
        """``argv`` run as :data:`USER` inside the session."""
        assignments = [f"{key}={value}" for key, value in self.env.items()]
        return ["runuser", "-u", USER, "--", "env", "-u", "DISPLAY", *assignments, *argv]

    def python_command(self, code: str, *args: str) -> list[str]:
        """Python ``code`` (with ``args`` in ``sys.argv[1:]``) as :data:`USER`, with
        Lectern and its dependencies importable (``/usr/bin/python3`` with the project's
        site-packages: the ``.venv`` interpreter may live where the user cannot go)."""
        _grant_search(ROOT)
        _grant_search(Path(_site_packages()))
        setup = (
            "import site, sys; "
            f"site.addsitedir({_site_packages()!r}); sys.path.insert(0, {str(ROOT)!r})\n"
        )
        return self.command(["/usr/bin/python3", "-c", setup + code, *args])

    def lectern_command(self, app: str, *args: str) -> list[str]:
        """``lectern-studio`` (``app="studio"``) with ``args``, as :data:`USER`."""
        code = f"from {app}.__main__ import main; sys.exit(main())"
        return self.python_command(code, *args)

    def user_folder(self, name: str) -> Path:
        """A new folder in the session that :data:`USER` may write to (gone at stop).

        Not under pytest's ``tmp_path``: another pytest run of root makes
        ``/tmp/pytest-of-root`` private again at any moment.
        """
        folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.runtime))
        user = pwd.getpwnam(USER)
        os.chown(folder, user.pw_uid, user.pw_gid)
        return folder

    def pids(self, program: str) -> list[int]:
        """This session's processes running ``program`` (by name; its process group)."""
        out = subprocess.run(
            ["pgrep", "-g", str(self.process.pid), "-x", program[:15]],
            capture_output=True,
            text=True,
        )
        return [int(pid) for pid in out.stdout.split()]

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        # Services D-Bus started (the document portal) may still be on their way out and
        # write into the folder: wait for the whole process group to be gone first.
        deadline = time.monotonic() + 5
        while self.pids_in_group() and time.monotonic() < deadline:
            time.sleep(0.05)
        shutil.rmtree(self.runtime, ignore_errors=True)

    def logs(self, lines: int = 25) -> str:
        """The last ``lines`` of each program's log: what a failed test shows of the desktop."""
        texts = []
        for log in sorted(self.runtime.glob("*.log")):
            with contextlib.suppress(OSError):
                tail = log.read_text(errors="replace").strip().splitlines()[-lines:]
                texts.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(texts) or "no log"

    def pids_in_group(self) -> list[int]:
        out = subprocess.run(["pgrep", "-g", str(self.process.pid)], capture_output=True, text=True)
        return [int(pid) for pid in out.stdout.split()]


def _site_packages() -> str:
    for folder in site.getsitepackages():
        if Path(folder, "PySide6").is_dir() or Path(folder, "numpy").is_dir():
            return folder
    return site.getsitepackages()[0]


def start_session(
    size: str = "1280x720",
    background: str = "#ff8800",
    portal: bool = True,
    timeout: float = 30,
    picker: bool = False,
    still: bool = False,
) -> WaylandSession:
    """Start the desktop (see module doc); stop it with :meth:`WaylandSession.stop`.

    Args:
        size: The one output's ``WIDTHxHEIGHT``.
        background: What ``swaybg`` paints the whole desktop with.
        portal: Start the screen-cast portal; without it, the session has none.
        timeout: Seconds to wait for the desktop.
        picker: The portal asks a picker what to share, as a desktop does, instead of
            sharing the one output at once: the picker (a program of the session)
            waits until the file ``choice`` appears in the session's runtime folder,
            then shares the output named in it (the person has chosen).
        still: Nothing repaints the desktop: the picture never changes, so the
            compositor sends a cast no frame at all until something moves.

    Raises:
        WaylandError: Not root, packages missing, or the desktop did not come up.
    """
    if os.geteuid() != 0:
        raise WaylandError("the Wayland test desktop is made as root (it creates its user)")
    missing = missing_packages()
    if missing:
        raise WaylandError(f"missing Debian packages: {' '.join(missing)}")
    user = _ensure_user()
    runtime = Path(tempfile.mkdtemp(prefix="lectern-wayland-"))
    runtime.chmod(0o700)
    config = runtime / "home" / ".config"
    for sub in ("sway", "xdg-desktop-portal-wlr", "xdg-desktop-portal"):
        (config / sub).mkdir(parents=True)
    output = "HEADLESS-1"
    (config / "sway" / "config").write_text(f"output {output} resolution {size}\nxwayland enable\n")
    chooser = "chooser_type=none\n"
    if picker:
        (runtime / "picker.sh").write_text(PICKER_SCRIPT.format(choice=runtime / "choice"))
        chooser = f"chooser_type=simple\nchooser_cmd=/bin/sh {runtime / 'picker.sh'}\n"
    (config / "xdg-desktop-portal-wlr" / "config").write_text(
        f"[screencast]\n{chooser}output_name={output}\nmax_fps=60\n"
    )
    (config / "xdg-desktop-portal" / "portals.conf").write_text("[preferred]\ndefault=wlr\n")
    (runtime / "session.sh").write_text(SESSION_SCRIPT)
    (runtime / "bus.conf").write_text(BUS_CONFIG)
    shutil.copy(HERE / "wayland_proxy.py", runtime / "wayland_proxy.py")
    for path in [runtime, *runtime.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid)
    env = {
        "XDG_RUNTIME_DIR": str(runtime),
        "HOME": str(runtime / "home"),
        "PORTAL": "1" if portal else "0",
        "REPAINT": "0" if still else "1",
        "BACKGROUND": background,
        "PATH": "/usr/local/bin:/usr/bin:/bin",
    }
    process = subprocess.Popen(
        [
            "runuser", "-u", USER, "--", "env", "-u", "DISPLAY", "-u", "WAYLAND_DISPLAY",
            *[f"{k}={v}" for k, v in env.items()],
            "dbus-run-session", f"--config-file={runtime / 'bus.conf'}", "--",
            "/bin/sh", str(runtime / "session.sh"),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    session = WaylandSession(process, runtime, {})
    deadline = time.monotonic() + timeout
    while not (runtime / "env").exists():
        if process.poll() is not None or time.monotonic() > deadline:
            logs = _logs(runtime)
            session.stop()
            raise WaylandError(f"the Wayland desktop did not start: {logs}")
        time.sleep(0.05)
    values = dict(
        line.split("=", 1) for line in (runtime / "env").read_text().splitlines() if "=" in line
    )
    session.env = {
        "XDG_RUNTIME_DIR": str(runtime),
        "HOME": str(runtime / "home"),
        "XDG_SESSION_TYPE": "wayland",
        "WAYLAND_DISPLAY": "wayland-1",
        "DBUS_SESSION_BUS_ADDRESS": values["DBUS_SESSION_BUS_ADDRESS"],
        "PATH": "/usr/local/bin:/usr/bin:/bin",
    }
    return session


def _logs(runtime: Path) -> str:
    texts = []
    for log in sorted(runtime.glob("*.log")):
        lines = log.read_text(errors="replace").strip().splitlines()[-3:]
        if lines:
            texts.append(f"{log.name}: " + " | ".join(lines))
    return "; ".join(texts) or "no log"


@contextlib.contextmanager
def wayland_session(**kwargs) -> Iterator[WaylandSession]:
    """:func:`start_session` as a context manager."""
    session = start_session(**kwargs)
    try:
        yield session
    finally:
        session.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--background", default="#ff8800")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args(argv)
    with wayland_session(size=args.size, background=args.background) as session:
        command = args.command
        if command[0] in ("lectern-studio", "lectern-player"):
            command = session.lectern_command(command[0].split("-")[1], *command[1:])
        else:
            command = session.command(command)
        return subprocess.run(command).returncode


if __name__ == "__main__":
    sys.exit(main())
