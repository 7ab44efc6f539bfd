"""The learner's activity sent to a real LRS: Ralph (``ralph-malph``) on loopback.

A real package is imported into a real library; the Player's events are recorded
through the library as the window records them; ``lectern-player lrs`` and ``sync`` run
as child processes against a real Ralph with its file-system backend and basic auth.
What Ralph stored is read back twice: through its own statements file and through
:func:`shared.lrs.fetch_statements` (GET with ``more`` paging).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from shared import xapi
from shared.jobs import JobState
from shared.library import Library
from shared.lrs import (
    Endpoint,
    LrsFailedError,
    LrsRefusedError,
    LrsUnreachableError,
    fetch_statements,
    send_statements,
)
from shared.sync import NoLrsError, sync
from tests.lrs import Ralph, lrs_unreachable_url
from tests.shared.test_checkpoints_library import _package

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    return _package(tmp_path_factory.mktemp("course"))


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "player.cli", "--library", str(root), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _library_with_activity(root: Path, package: Path) -> tuple[str, list[str]]:
    """A library whose learner opened, played, paused, seeked, answered and left a lesson."""
    with Library.open(root) as library:
        course = library.import_course(package).course_id
        session = str(uuid.uuid4())
        record = library.outbox.record
        ids = [record(course, "intro", "initialized", session=session)["id"]]
        ids.append(record(course, "intro", "played", session=session, time=0.0)["id"])
        library.add_watched(course, "intro", 0, 20)
        ids.append(record(course, "intro", "paused", session=session, time=20.0)["id"])
        ids.append(
            record(course, "intro", "seeked", session=session, time_from=20, time_to=40)["id"]
        )
        question = library.checkpoints.of(course, "intro")[0]
        library.checkpoints.answer(course, "intro", question, 0)
        ids.append(record(course, "intro", "terminated", session=session, time=40.0)["id"])
    return course, ids


def _mine(server: Ralph, root: Path) -> list[dict]:
    """What the LRS holds for this library's learner, read with GET and ``more`` paging."""
    with Library.open(root) as library:
        learner = library.activity.learner_id()
    endpoint = Endpoint(server.url, server.user, server.key)
    agent = {"objectType": "Agent", "account": {"homePage": "urn:lectern", "name": learner}}
    return list(fetch_statements(endpoint, agent=agent, limit=2))


def test_events_follow_the_video_profile_and_are_queued_once(tmp_path, package):
    root = tmp_path / "library"
    course, ids = _library_with_activity(root, package)
    with Library.open(root) as library:
        queued = library.outbox.of_course(course)
        assert [s["id"] for s in queued] == ids
        verbs = [s["verb"]["id"] for s in queued]
        assert verbs == [xapi.VERBS[v] for v in ("initialized", "played", "paused", "seeked")] + [
            xapi.VERBS["terminated"]
        ]
        paused, seeked, terminated = queued[2], queued[3], queued[4]
        facts = paused["result"]["extensions"]
        assert facts[xapi.EXT["time"]] == 20.0
        assert facts[xapi.EXT["played-segments"]] == "0.000[.]20.000"
        assert 0 < facts[xapi.EXT["progress"]] < 1
        assert seeked["result"]["extensions"] == {
            xapi.EXT["time-from"]: 20,
            xapi.EXT["time-to"]: 40,
        }
        assert xapi.EXT["progress"] in terminated["result"]["extensions"]
        sessions = {s["context"]["extensions"][xapi.EXT["session-id"]] for s in queued}
        assert len(sessions) == 1
        # The same statement again is queued once; the export carries the events too.
        assert library.outbox.add(course, queued) == 0
        assert library.outbox.counts().waiting == 5
    out = tmp_path / "progress.json"
    result = _cli(root, "export-progress", course, "-o", str(out))
    assert result.returncode == 0, result.stderr
    exported = [s["id"] for s in json.loads(out.read_text())]
    assert set(ids) <= set(exported) and len(exported) == len(set(exported))


def test_sync_sends_nothing_without_an_lrs(tmp_path, package):
    root = tmp_path / "library"
    _library_with_activity(root, package)
    result = _cli(root, "sync")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "lectern-player: error: No LRS is set, so nothing was sent; set its address with "
        "`lectern-player lrs --address URL --user NAME --key KEY` or in the Player's settings."
    )
    with Library.open(root) as library:
        assert library.outbox.counts().sent == 0
        with pytest.raises(NoLrsError):
            sync(library)


def test_sync_to_ralph_then_again_sends_each_statement_once(tmp_path, package, lrs):
    root = tmp_path / "library"
    course, ids = _library_with_activity(root, package)
    bad = _cli(root, "lrs", "--address", "ftp://lrs", "--user", "x")
    assert bad.returncode == 1 and "lrs_address" in bad.stderr and len(bad.stderr.splitlines()) == 1
    setting = subprocess.run(  # the key from standard input, not the command line
        [sys.executable, "-m", "player.cli", "--library", str(root), "lrs"]
        + ["--address", lrs.url, "--user", lrs.user, "--key", "-"],
        input=lrs.key + "\n",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert setting.returncode == 0, setting.stderr
    assert lrs.key not in setting.stdout and "random id" in setting.stdout

    first = _cli(root, "sync", "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["error"] == "" and report["waiting"] == 0
    held = _mine(lrs, root)
    held_ids = [s["id"] for s in held]
    assert len(held_ids) == len(set(held_ids)) == report["sent"]
    assert set(ids) <= set(held_ids)  # the events, plus played/completed/answered from progress
    verbs = {s["verb"]["id"].rsplit("/", 1)[-1] for s in held}
    assert {"initialized", "played", "paused", "seeked", "terminated", "answered"} <= verbs
    for statement in held:  # pseudonymous: no name, no e-mail
        assert set(statement["actor"]) == {"objectType", "account"}
    # Nothing new: a second sync sends nothing; a batch sent again is stored once.
    again = _cli(root, "sync")
    assert again.returncode == 0 and "Sent 0 statement(s)" in again.stdout
    with Library.open(root) as library:
        statements = library.outbox.of_course(course)
    endpoint = Endpoint(lrs.url, lrs.user, lrs.key)
    assert send_statements(endpoint, statements) == [s["id"] for s in statements]
    assert sorted(s["id"] for s in _mine(lrs, root)) == sorted(held_ids)
    # A name or an e-mail goes out only once the learner enters one.
    assert _cli(root, "lrs", "--email", "ann@example.org").returncode == 0
    with Library.open(root) as library:
        session = str(uuid.uuid4())
        library.outbox.record(course, "intro", "initialized", session=session)
    assert _cli(root, "sync").returncode == 0
    ann = {"objectType": "Agent", "mbox": "mailto:ann@example.org"}
    newest = list(fetch_statements(endpoint, agent=ann))
    assert [s["verb"]["id"] for s in newest] == [xapi.VERBS["initialized"]]
    assert newest[0]["actor"] == ann


def test_a_wrong_key_is_refused_with_401_and_the_queue_stays(tmp_path, package, lrs):
    root = tmp_path / "library"
    _library_with_activity(root, package)
    assert (
        _cli(root, "lrs", "--address", lrs.url, "--user", lrs.user, "--key", "wrong").returncode
        == 0
    )
    result = _cli(root, "sync")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"lectern-player: error: The LRS at {lrs.url} refused the user name or key; check them in "
        "the LRS settings; nothing was lost, and what is queued stays."
    )
    with pytest.raises(LrsRefusedError) as refused:
        send_statements(Endpoint(lrs.url, lrs.user, "wrong"), [{"id": str(uuid.uuid4())}])
    assert refused.value.status == 401
    with Library.open(root) as library:
        counts = library.outbox.counts()
    assert counts.sent == 0 and counts.waiting >= 5
    assert _mine(lrs, root) == []


def test_unreachable_lrs_keeps_the_queue(tmp_path, package):
    root = tmp_path / "library"
    _library_with_activity(root, package)
    address = lrs_unreachable_url()
    assert _cli(root, "lrs", "--address", address).returncode == 0
    result = _cli(root, "sync")
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"lectern-player: error: The LRS at {address} cannot be reached ("
    )
    assert result.stderr.strip().endswith("nothing was lost, and what is queued is sent next time.")
    with Library.open(root) as library:
        assert library.outbox.counts().sent == 0
        with pytest.raises(LrsUnreachableError):
            send_statements(library.outbox.endpoint(), library.outbox.waiting(5))


def _queue(library: Library, course: str, count: int) -> list[str]:
    """``count`` seek events of one session in the queue (as a long session would make)."""
    who = xapi.actor(library.activity.learner_id())
    activity = xapi.lesson_activity(course, "intro")
    session = str(uuid.uuid4())
    statements = [
        xapi.event(
            who,
            activity,
            "Intro",
            "seeked",
            session=session,
            length=61.25,
            at_ms=1_700_000_000_000 + n,
            time_from=n % 60,
            time_to=(n + 7) % 60,
        )
        for n in range(count)
    ]
    library.outbox.add(course, statements)
    return [s["id"] for s in statements]


def test_lrs_killed_halfway_then_back_loses_nothing_and_stores_each_once(tmp_path, package):
    root = tmp_path / "library"
    with Ralph(tmp_path / "ralph") as server, Library.open(root) as library:
        course = library.import_course(package).course_id
        ids = _queue(library, course, 3000)
        library.set_setting("lrs_address", server.url)
        library.set_setting("lrs_user", server.user)
        library.set_setting("lrs_key", server.key)
        killed = threading.Event()

        def kill_at_a_third(fraction: float, status: str) -> None:
            if fraction >= 1 / 3 and not killed.is_set():
                killed.set()
                server.kill()  # the LRS dies between two batches, as a cut line does

        first = sync(library, JobState(kill_at_a_third), batch_size=200)
        assert killed.is_set()
        assert "cannot be reached" in first.error
        assert 0 < first.sent < len(ids) and first.waiting == library.outbox.counts().waiting
        stored = server.stored_ids()
        assert stored == ids[: first.sent]  # what was acknowledged is exactly what it holds
        server.start()  # back on the same address and data
        second = sync(library, batch_size=200)
        assert second.error == "" and second.waiting == 0
        assert first.sent + second.sent == library.outbox.counts().sent
    stored = server.stored_ids()
    assert set(ids) <= set(stored) and len(stored) == len(set(stored))


def test_an_lrs_failing_with_500_keeps_the_queue(tmp_path, package):
    root = tmp_path / "library"
    with Ralph(tmp_path / "ralph") as server, Library.open(root) as library:
        course = library.import_course(package).course_id
        ids = _queue(library, course, 50)
        endpoint = Endpoint(server.url, server.user, server.key)
        send_statements(endpoint, library.outbox.waiting(10))  # its data file exists now
        # Its storage breaks: the file it appends to becomes a folder.
        server.statements_file.unlink()
        server.statements_file.mkdir()
        library.set_setting("lrs_address", server.url)
        library.set_setting("lrs_user", server.user)
        library.set_setting("lrs_key", server.key)
        with pytest.raises(LrsFailedError) as failed:
            send_statements(endpoint, library.outbox.waiting(10))
        assert failed.value.status == 500
        result = sync(library)
        assert result.sent == 0 and result.waiting == len(ids)
        assert result.error.startswith(f"The LRS at {server.url} failed (500")
        shutil.rmtree(server.statements_file)
        assert sync(library).waiting == 0


def test_a_more_link_to_another_server_is_not_followed():
    endpoint = Endpoint("https://lrs.example.org/xAPI", "u", "k")
    assert endpoint.url("statements") == "https://lrs.example.org/xAPI/statements"
    assert endpoint.url("/xAPI/statements?x=1") == "https://lrs.example.org/xAPI/statements?x=1"
    for elsewhere in ("http://lrs.example.org/xAPI/", "https://evil.example.org/xAPI/statements"):
        with pytest.raises(ValueError):
            endpoint.url(elsewhere)
