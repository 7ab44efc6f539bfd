"""The apps' log file: where it is, what goes in, what stays out, and the one-sentence error."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared import logs
from shared.terminal import run_main
from tests.shared import bad_packages

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def state_home(tmp_path, monkeypatch) -> Path:
    """A fresh XDG state folder (where platformdirs puts the log on Linux); logging reset after."""
    home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    yield home
    logs.stop_logging()


def test_the_log_is_in_the_platform_log_folder(state_home: Path):
    path = logs.setup_logging("lectern-test")
    assert path == state_home / "Lectern" / "log" / "lectern-test.log" == logs.log_file()
    logging.getLogger("shared.package").info("packaged %s", "/tmp/x.lectern")
    logging.getLogger("studio.pipeline").debug("a detail")
    logging.getLogger("some.library").info("chatter")
    logging.getLogger("some.library").warning("a library's warning")
    text = path.read_text(encoding="utf-8")
    assert "lectern-test 0.1.0 starting" in text
    assert "INFO    shared.package [MainThread]: packaged /tmp/x.lectern" in text
    assert "a library's warning" in text
    assert "a detail" not in text and "chatter" not in text


def test_debug_logs_details_and_setting_up_again_does_not_repeat_lines(state_home: Path):
    logs.setup_logging("lectern-test")
    path = logs.setup_logging("lectern-test", debug=True, stream=False)
    logging.getLogger("player.cli").debug("a detail")
    assert path is not None and path.read_text(encoding="utf-8").count("a detail") == 1
    logs.stop_logging()
    logging.getLogger("player.cli").warning("after stopping")
    assert "after stopping" not in path.read_text(encoding="utf-8") and logs.log_file() is None


def test_the_log_rotates(state_home: Path, monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    path = logs.setup_logging("lectern-test")
    for number in range(200):
        logging.getLogger("shared.files").info("line %d of a long session", number)
    assert path is not None and path.stat().st_size <= 2000
    backups = sorted(p.name for p in path.parent.iterdir() if p.name != path.name)
    assert backups == ["lectern-test.log.1", "lectern-test.log.2", "lectern-test.log.3"]
    assert "line 199 " in path.read_text(encoding="utf-8")


def test_no_log_folder_means_no_log_file_not_a_failure(state_home: Path):
    state_home.mkdir()
    (state_home / "Lectern").write_text("a file where the folder should be")
    assert logs.setup_logging("lectern-test") is None
    logging.getLogger("shared").error("nowhere to go")  # must not raise
    assert "--debug" in logs.unexpected_error_message(ValueError("x"))


def test_run_main_says_one_sentence_and_where_the_log_is(state_home: Path, capsys):
    def buggy() -> int:
        return {}["missing"]

    assert run_main(buggy, prog="lectern-test") == 70  # not 2: that is a usage error
    err = capsys.readouterr().err.strip()
    log_path = state_home / "Lectern" / "log" / "lectern-test.log"
    assert err.splitlines() == [err] and "KeyError" in err and str(log_path) in err
    text = log_path.read_text(encoding="utf-8")
    assert "unexpected error" in text and "Traceback" in text and "buggy" in text
    with pytest.raises(KeyError):
        run_main(buggy, prog="lectern-test", debug=True)


def _player(env: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "player.cli", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)


def test_player_cli_logs_paths_but_nothing_personal(tmp_path: Path):
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    package = bad_packages.make_good_package(tmp_path / "course")
    library = tmp_path / "library"
    assert _player(env, "--library", library, "import", package).returncode == 0
    assert _player(env, "--library", library, "search", "membranes").returncode == 0
    assert _player(env, "--library", library, "remove", "Biology 101").returncode == 1  # asks first
    log_text = (tmp_path / "state" / "Lectern" / "log" / "lectern-player.log").read_text("utf-8")
    assert log_text.count("lectern-player 0.1.0 starting") == 3
    assert "finished with exit status 0" in log_text and "NotConfirmedError" in log_text
    for personal in ("Biology 101", "membranes", "Dr. Green", "Sentence 1"):
        assert personal not in log_text

    debug = _player(env, "--library", library, "list", "--debug")
    assert debug.returncode == 0 and "DEBUG" not in debug.stdout
    assert "INFO    shared.logs [MainThread]: lectern-player 0.1.0 starting" in debug.stderr


def test_studio_cli_logs_too(tmp_path: Path):
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    package = bad_packages.make_good_package(tmp_path / "course")
    cmd = [sys.executable, "-m", "studio.cli", "verify", str(package), "--debug"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert f"shared.package [MainThread]: verified {package}: " in result.stderr
    log_text = (tmp_path / "state" / "Lectern" / "log" / "lectern-studio.log").read_text("utf-8")
    assert f"verified {package}" in log_text and "Biology 101" not in log_text
