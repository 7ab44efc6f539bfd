"""The hostile-package corpus through every command and the window: no crash, hang or escape.

Each run happens in a child process with a timeout (see :mod:`tests.player.hostile_corpus`):
a hang ends it with a traceback that names the package, instead of stalling the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shared.terminal import printable
from tests.player.hostile_corpus import FORBIDDEN, HANG_SECONDS, build_corpus
from tests.shared import bad_packages

ROOT = Path(__file__).resolve().parents[2]
REFUSED = [case.name for case in bad_packages.CASES]
SOUND = [f"hostile-{kind}" for kind in bad_packages.HOSTILE_TEXTS]
PREFIXES = ("lectern-player: error: ", "lectern-studio: error: ")


def _child(*args: str | Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.player.hostile_corpus", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=_env(),
    )


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return {entry.name: entry for entry in build_corpus(tmp_path_factory.mktemp("corpus"))}


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("library") / "library"


@pytest.fixture(scope="module")
def cli_runs(corpus, library) -> dict[str, list[dict]]:
    """verify, info, info --json and import on every package, in one child process."""
    paths = [entry.path for entry in corpus.values()]
    result = _child("cli", library, *paths, timeout=HANG_SECONDS * 4)
    assert result.returncode == 0, result.stderr[-3000:]
    runs: dict[str, list[dict]] = {}
    for line in result.stdout.splitlines():
        record = json.loads(line)
        runs.setdefault(record["package"], []).append(record)
    return runs


def test_the_corpus_has_at_least_40_kinds(corpus):
    assert len(REFUSED) + len(SOUND) >= 40
    assert sorted(corpus) == sorted(REFUSED + SOUND)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", REFUSED)
def test_a_broken_package_is_refused_in_one_sentence_by_every_command(cli_runs, corpus, name):
    runs = cli_runs[corpus[name].path.name]
    assert [run["argv"][0] for run in runs] == ["verify", "info", "info", "--library"]
    sentences = set()
    for run in runs:
        output = run["stdout"] + run["stderr"]
        assert run["code"] == 1, (run["argv"], output)
        assert run["stdout"] == ""
        assert "Traceback" not in output and "unexpected" not in output
        assert not FORBIDDEN.search(output), (run["argv"], output)
        lines = run["stderr"].splitlines()
        assert len(lines) == 1 and lines[0].startswith(PREFIXES), run["stderr"]
        sentences.add(lines[0].split(": error: ", 1)[1])
    assert len(sentences) == 1, sentences  # verify, info and import say the same


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", SOUND)
def test_a_hostile_text_package_is_accepted_and_printed_escaped(cli_runs, corpus, name):
    runs = cli_runs[corpus[name].path.name]
    title = bad_packages.hostile_text(name.removeprefix("hostile-"), "course title")[:500]
    for run in runs:
        output = run["stdout"] + run["stderr"]
        assert run["code"] == 0, (run["argv"], output)
        assert not FORBIDDEN.search(output), (run["argv"], output)
    for run in (runs[0], runs[1], runs[3]):  # shown, escaped, not swallowed
        assert printable(title) in run["stdout"]
    assert json.loads(runs[2]["stdout"])["title"] == title
    assert runs[3]["stdout"].startswith("Imported: ")


def _player(library: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "player.cli", "--library", str(library), *args],
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
        cwd=ROOT,
        env=_env(),
    )


@pytest.mark.timeout(900)
@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("list", "--json"),
        ("progress",),
        ("search", "segment"),
        ("search", "hidden", "--json"),
        ("search", "BOLD"),
        ("search", "<table>"),
        ("search", "\x1b[2J"),
    ],
    ids=lambda args: "-".join(args).replace("\x1b", "ESC"),
)
def test_list_and_search_print_the_imported_courses_escaped(cli_runs, library, args):
    result = _player(library, *args)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output
    assert not FORBIDDEN.search(output), output
    if args == ("list",):
        assert output.count("hostile-") == len(SOUND)
        assert "\\u001b[2J" in output and "\\u202e" in output


@pytest.mark.timeout(900)
def test_the_window_opens_every_view_of_every_imported_course(cli_runs, library, tmp_path):
    result = _child("window", library, tmp_path / "player.ini", timeout=HANG_SECONDS * 2)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"courses": len(SOUND), "lessons": len(SOUND), "rich_labels": []}
