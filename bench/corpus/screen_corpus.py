"""Screen recordings of ordinary work, with known truth, for ``bench/bench_chapters.py``.

Real programs on a real X server with a window manager (Xvfb and openbox), recorded by
ffmpeg's x11grab as Lectern's recorder records a screen:

* Chromium showing HTML documentation installed on this machine, scrolled with the
  mouse wheel and sent to another page through its address bar;
* vim in an xterm, being typed into (a real source file, typed key by key);
* a shell in another xterm, running ordinary commands whose output fills the window;
* switches between the three programs, through the window manager (xdotool).

Truth: another program coming to the front, or a new page in the browser, is a change.
Scrolling, typing, a command's output, the address bar's suggestions and the pointer
are not; they are kept as steps (found as a change, each is a false one).
The moment of each change is the first frame, within 1.2 s after the action, that
differs from the one before it by at least half as much as the most different frame of
that second (a program takes a moment to draw; the person waits at least 1.5 s before
scrolling or typing, so nothing else moves in that second).

The two sets share no source: the tuning set shows Valgrind's manual, types
``shlex.py`` and uses light terminals; the test set shows Node.js's API documentation
at 125 % zoom, types ``colorsys.py`` and uses dark terminals with a larger font.
Videos are cached in ``~/.cache/lectern-corpus/screen-HASH``.

    .venv/bin/python bench/corpus/screen_corpus.py [--set tuning|test|all]

Needs ``apt-get install -y xvfb openbox xdotool xterm vim chromium`` and the
documentation that comes with Debian's ``valgrind`` and ``nodejs`` packages.
"""

from __future__ import annotations

import ast
import hashlib
import os
import random
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_corpus import ROOT, CorpusError, Lecture, cached_sets, corpus_main  # noqa: E402

sys.path.insert(0, str(ROOT))
from shared.media import ffmpeg_exe  # noqa: E402

SIZE = (1280, 720)
FPS = 15
TOOLS = ("Xvfb", "openbox", "xdotool", "xterm", "vim", "chromium")
APT_HINT = "apt-get install -y xvfb openbox xdotool xterm vim chromium valgrind nodejs"
CLASSES = {"screen": "screen recordings of ordinary work: browsing, typing, a terminal, switches"}

SETS = {
    "tuning": {
        "docs": "/usr/share/doc/valgrind/html",
        "pages": ["manual-core.html", "mc-manual.html", "cg-manual.html", "quick-start.html",
                  "hg-manual.html", "dh-manual.html", "manual-intro.html", "faq.html"],
        "zoom": 0,
        "typed": "shlex.py",
        "xterm": ["-fa", "DejaVu Sans Mono", "-fs", "11"],
        "commands": ["ls -l /usr/share/doc | head -40", "cat /etc/os-release",
                     "python3 -c 'import this'", "df -h", "uname -a",
                     "seq 1 7 400 | column -c 150", "ls /usr/bin | head -60 | column -c 150"],
        "lectures": 2,
        "seed": 300,
    },
    "test": {
        "docs": "/usr/share/doc/nodejs/api",
        "pages": ["fs.html", "buffer.html", "child_process.html", "cluster.html", "assert.html",
                  "console.html", "crypto.html", "events.html", "http.html", "path.html",
                  "stream.html", "url.html"],
        "zoom": 2,
        "typed": "colorsys.py",
        "xterm": ["-fa", "DejaVu Sans Mono", "-fs", "13", "-bg", "#1e1e1e", "-fg", "#d4d4d4"],
        "commands": ["ls -la /usr/lib/python3/dist-packages | head -45", "head -40 /etc/services",
                     "python3 -m calendar 2026 3", "ps aux | head -30", "free -m",
                     "find /usr/share/doc -name '*.html' | head -40", "cat /proc/cpuinfo | head -30"],
        "lectures": 3,
        "seed": 700,
    },
}  # fmt: skip


def script_hash() -> str:
    """A hash of what this script does (its syntax tree: reformatting keeps the cache)."""
    tree = ast.dump(ast.parse(Path(__file__).read_text()))
    return hashlib.sha256(tree.encode()).hexdigest()[:12]


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "lectern-corpus" / f"screen-{script_hash()}"


@dataclass
class Desktop:
    """Xvfb, openbox and the three programs, each in a window that fills the screen."""

    home: Path
    display: str = ""
    processes: list[subprocess.Popen] = field(default_factory=list)
    windows: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.home),
            "DISPLAY": self.display, "LANG": "C.UTF-8", "TERM": "xterm-256color",
            "PS1": "$ ",
        }  # fmt: skip

    def start(self, spec: dict, editing: Path) -> None:
        number = next(n for n in range(140, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
        self.display = f":{number}"
        self._spawn(["Xvfb", self.display, "-screen", "0", f"{SIZE[0]}x{SIZE[1]}x24",
                     "-nolisten", "tcp"])  # fmt: skip
        self._wait(lambda: Path(f"/tmp/.X11-unix/X{number}").exists(), "Xvfb")
        self._spawn(["openbox"])
        time.sleep(1.0)
        shell = ["bash", "--norc", "--noprofile"]
        self.windows["terminal"] = self._window(
            ["xterm", "-maximized", "-title", "terminal", *spec["xterm"], "-e", *shell], "terminal"
        )
        self.windows["editor"] = self._window(
            ["xterm", "-maximized", "-title", "editor", *spec["xterm"], "-e", "vim", "-u",
             "DEFAULTS", "-c", "set paste", str(editing)], "editor",
        )  # fmt: skip
        profile = self.home / "chromium"
        self.windows["browser"] = self._window(
            ["chromium", "--no-sandbox", "--test-type", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--disable-features=Translate",
             f"--user-data-dir={profile}", "--start-maximized",
             f"file://{spec['docs']}/{spec['pages'][0]}"], "Chromium",
        )  # fmt: skip
        time.sleep(3.0)
        self.show("browser")
        for _ in range(spec["zoom"]):
            self.key("ctrl+plus")
        time.sleep(1.0)

    def _spawn(self, command: list[str]) -> subprocess.Popen:
        process = subprocess.Popen(
            command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.processes.append(process)
        return process

    @staticmethod
    def _wait(ready, what: str, seconds: float = 20.0):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = ready()
            if value:
                return value
            time.sleep(0.2)
        raise CorpusError(f"{what} did not start on the screen of the corpus")

    def _window(self, command: list[str], name: str) -> str:
        self._spawn(command)

        def found() -> str:
            out = self.xdotool("search", "--onlyvisible", "--name", name, check=False)
            return out.split()[-1] if out.split() else ""

        return self._wait(found, command[0])

    def xdotool(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["xdotool", *args], env=self.env, capture_output=True, text=True, check=False
        )
        if check and done.returncode != 0:
            raise CorpusError(f"xdotool {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def show(self, program: str) -> None:
        self.xdotool("windowactivate", "--sync", self.windows[program])

    def key(self, *keys: str) -> None:
        self.xdotool("key", "--clearmodifiers", *keys)

    def type(self, text: str, delay_ms: int) -> None:
        self.xdotool("type", "--delay", str(delay_ms), text)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()


class Session:
    """What happens on screen, with the wall-clock time of each change and step."""

    def __init__(self, desktop: Desktop, spec: dict, rng: random.Random, typed: list[str]):
        self.desktop, self.spec, self.rng = desktop, spec, rng
        self.typed = typed
        self.page = 0
        self.commands = list(spec["commands"])
        rng.shuffle(self.commands)
        self.changes: list[float] = []
        self.steps: list[float] = []

    def switch(self, program: str) -> None:
        """Bring ``program`` to the front, then look at it for a moment before working."""
        self.desktop.show(program)
        self.changes.append(time.time())
        time.sleep(self.rng.uniform(1.5, 2.5))

    def browse(self, seconds: float) -> None:
        """Scroll the page in bursts, and once go to the next page by its address."""
        end = time.time() + seconds
        navigate_at = time.time() + self.rng.uniform(0.3, 0.6) * seconds
        desktop = self.desktop
        desktop.xdotool(
            "mousemove", str(self.rng.randint(300, 900)), str(self.rng.randint(250, 600))
        )
        while time.time() < end:
            if navigate_at and time.time() >= navigate_at:
                navigate_at = 0.0
                self.page = (self.page + 1) % len(self.spec["pages"])
                desktop.key("ctrl+l")
                desktop.type(f"file://{self.spec['docs']}/{self.spec['pages'][self.page]}", 15)
                self.steps.append(time.time())
                time.sleep(0.3)
                desktop.key("Return")
                self.changes.append(time.time())
                time.sleep(1.5)
                continue
            notches = self.rng.randint(1, 4)
            down = "5" if self.rng.random() < 0.8 else "4"
            desktop.xdotool("click", "--repeat", str(notches), "--delay", "60", down)
            self.steps.append(time.time())
            time.sleep(self.rng.uniform(0.7, 2.0))

    def shell(self, seconds: float) -> None:
        """Type commands at the prompt, one after another, and let their output come."""
        end = time.time() + seconds
        while time.time() < end:
            command = self.commands.pop(0)
            self.commands.append(command)
            self.desktop.type(command, 45)
            self.steps.append(time.time())
            self.desktop.key("Return")
            self.steps.append(time.time())
            time.sleep(self.rng.uniform(1.5, 3.5))

    def edit(self, seconds: float) -> None:
        """Type the next lines of the source file into vim, key by key."""
        end = time.time() + seconds
        desktop = self.desktop
        desktop.key("Escape")
        desktop.key("G", "A")
        while time.time() < end and self.typed:
            line = self.typed.pop(0)
            desktop.key("Return")
            if line:
                desktop.type(line, 30)
            self.steps.append(time.time())
            if self.rng.random() < 0.2:
                time.sleep(self.rng.uniform(0.5, 1.5))


def _frames(path: Path) -> np.ndarray:
    """Every frame of ``path``, grey and 160x90."""
    raw = subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-i", str(path), "-vf", "scale=160:90",
         "-pix_fmt", "gray", "-f", "rawvideo", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(-1, 90, 160)


def _first_pts(path: Path) -> float:
    """The time stamp of the first frame: with ``-copyts``, x11grab's wall-clock time."""
    import av

    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
        return float(frame.time)


def record_lecture(lecture: Lecture, spec: dict, rng: random.Random, folder: Path) -> None:
    """Run one session of ordinary work on a fresh desktop and record it."""
    typed_source = Path(sysconfig.get_paths()["stdlib"]) / spec["typed"]
    lines = typed_source.read_text().splitlines()
    start_line = rng.randrange(0, max(1, len(lines) - 120))
    typed = [line.rstrip() for line in lines[start_line : start_line + 120]]
    with tempfile.TemporaryDirectory(prefix="lectern-screen-") as tmp:
        home = Path(tmp)
        editing = home / f"work_{lecture.name.replace('-', '_')}.py"
        editing.write_text("\n".join(lines[max(0, start_line - 30) : start_line]) + "\n")
        desktop = Desktop(home)
        raw = home / "raw.mkv"
        try:
            desktop.start(spec, editing)
            recorder = subprocess.Popen(
                [ffmpeg_exe(), "-loglevel", "error", "-f", "x11grab", "-framerate", str(FPS),
                 "-video_size", f"{SIZE[0]}x{SIZE[1]}", "-i", desktop.display, "-copyts",
                 "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", str(raw)],
                stdin=subprocess.PIPE, env=desktop.env,
            )  # fmt: skip
            time.sleep(1.0)
            session = Session(desktop, spec, rng, typed)
            program, order = "browser", ["browser", "terminal", "editor"]
            session.browse(rng.uniform(8, 14))
            for _ in range(rng.randint(5, 6)):
                program = rng.choice([p for p in order if p != program])
                session.switch(program)
                work = {"browser": session.browse, "terminal": session.shell,
                        "editor": session.edit}[program]  # fmt: skip
                work(rng.uniform(8, 16))
            time.sleep(1.0)
            recorder.communicate(b"q", timeout=30)
            if recorder.returncode != 0:
                raise CorpusError(f"ffmpeg could not record the screen for {lecture.name}")
        finally:
            desktop.stop()
        start = _first_pts(raw)
        frames = _frames(raw).astype(np.int16)
        moved = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2))  # moved[i]: frame i+1 vs i
        truth = []
        for moment in session.changes:
            at = int(round((moment - start) * FPS))
            first = max(0, at - 3)
            window = moved[first : at + int(1.2 * FPS)]
            drawn = int(np.argmax(window >= window.max() / 2))
            truth.append((first + drawn + 1) / FPS)
        lecture.changes = truth
        lecture.steps = [round(m - start, 2) for m in session.steps]
        lecture.titles = []
        lecture.seconds = len(frames) / FPS
        gop = ["-g", str(FPS)] if rng.random() < 0.5 else []
        out = folder / f"{lecture.name}.mp4"
        subprocess.run(
            [ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(raw), "-vf", "setpts=PTS-STARTPTS",
             "-c:v", "libx264", "-preset", "medium", "-crf", str(lecture.crf), "-pix_fmt",
             "yuv420p", *gop, "-movflags", "+faststart", str(out.with_suffix(".tmp.mp4"))],
            check=True,
        )  # fmt: skip
        out.with_suffix(".tmp.mp4").replace(out)
        lecture.path = out.name


def build_set(name: str, folder: Path) -> list[Lecture]:
    spec = SETS[name]
    rng = random.Random(spec["seed"])
    lectures = []
    for number in range(spec["lectures"]):
        crf = rng.randint(20, 34)
        lecture = Lecture(f"screen-{name}-{number:02d}", name, "screen", "work", "screen", crf, 0.0)
        record_lecture(lecture, spec, rng, folder)
        lectures.append(lecture)
        print(f"{lecture.name}: crf {crf}, {lecture.seconds:.0f} s, {len(lecture.changes)} "
              f"changes, {len(lecture.steps)} steps", flush=True)  # fmt: skip
    return lectures


def _check_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    missing += [spec["docs"] for spec in SETS.values() if not Path(spec["docs"]).is_dir()]
    if missing:
        raise CorpusError(f"{', '.join(missing)} not found; install them with: {APT_HINT}")


def load_or_build(which: str = "all") -> tuple[Path, list[Lecture]]:
    """The cached screen recordings (each set recorded on first use): folder and lectures."""
    folder = cache_dir()
    return folder, cached_sets(folder, SETS, which, build_set, _check_tools)


def main() -> None:
    corpus_main("screen", __doc__.splitlines()[0], load_or_build)


if __name__ == "__main__":
    main()
