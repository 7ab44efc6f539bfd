"""cmi5 launch modes and moveOn in a real browser: what the AU sends in each.

The cmi5 export is launched in Debian's headless chromium as an LMS launches it,
against a loopback LRS written here (token fetch, ``LMS.LaunchData``, state documents,
statements). The LMS's launch data carries the AU's ``moveOn`` as read from the
exported ``cmi5.xml``, as an LMS takes it from there, or as an LMS overrides it:

- Browse and Review (cmi5 section 10.2.2): the lesson plays through, and only
  ``initialized`` and ``terminated`` are sent, never ``completed``, ``passed`` or
  ``failed``;
- Normal with the exported moveOn ("Completed"): ``completed`` and no ``passed``;
- Normal with moveOn "CompletedAndPassed": a lesson without questions is passed by
  being completed, so ``completed`` then ``passed``.
"""

from __future__ import annotations

import json
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from shared import media
from shared.jobs import JobState
from shared.manifest import CourseInfo
from shared.package import LessonSource, write_package
from studio.export import export_course
from tests.browser import LoopbackServer, chromium_driver, wait_for
from tests.course_packages import silent_video

pytestmark = pytest.mark.timeout(300)

NS = {"c": "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"}
TOKEN = "bW9kZXM6c2VjcmV0"


class LaunchLRS:
    """The platform side of a cmi5 launch on loopback: what the AU talks to."""

    def __init__(self) -> None:
        self.launch_data: dict = {}
        self.statements: list[dict] = []
        self.states: dict[str, bytes] = {}
        self.used: set[str] = set()

    def __call__(self, handler, body: bytes):
        url = urllib.parse.urlsplit(handler.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/fetch" and handler.command == "POST":
            if handler.path in self.used:  # a fetch URL hands its token out once
                return 400, "application/json", b'{"error-code": "1"}'
            self.used.add(handler.path)
            return 200, "application/json", json.dumps({"auth-token": TOKEN}).encode()
        if not url.path.startswith("/lrs/"):
            return None
        if handler.headers.get("Authorization") != f"Basic {TOKEN}":
            return 401, "text/plain", b"unauthorised"
        if url.path == "/lrs/activities/state":
            key = query.get("stateId", "") + query.get("registration", "")
            if query.get("stateId") == "LMS.LaunchData":
                return 200, "application/json", json.dumps(self.launch_data).encode()
            if handler.command == "PUT":
                self.states[key] = body
                return 204, "text/plain", b""
            if key in self.states:
                return 200, "text/plain", self.states[key]
            return 404, "text/plain", b""
        if url.path == "/lrs/statements" and handler.command == "POST":
            statement = json.loads(body)
            self.statements.append(statement)
            return 200, "application/json", json.dumps([statement["id"]]).encode()
        return 404, "text/plain", b""


@pytest.fixture(scope="module")
def au(tmp_path_factory, ffmpeg_bin) -> tuple[Path, ET.Element]:
    """A one-lesson cmi5 export of a 12-second video, unpacked; and its cmi5.xml."""
    folder = tmp_path_factory.mktemp("cmi5-modes")
    video = silent_video(ffmpeg_bin, folder / "video.mp4", seconds=12.0)
    lesson = LessonSource(id="one", title="One", duration=media.probe(video).duration, video=video)
    info = CourseInfo(id="modes", version=1, title="Modes", created="2024-01-01T00:00:00Z")
    package = write_package(info, [lesson], folder / "modes.lectern") and folder / "modes.lectern"
    export_course(package, folder / "au.zip", "cmi5", state=JobState())
    root = folder / "lms" / "au"
    with zipfile.ZipFile(folder / "au.zip") as archive:
        archive.extractall(root)
    return folder / "lms", ET.parse(root / "cmi5.xml").getroot()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with chromium_driver(tmp_path_factory.mktemp("chromium") / "profile") as driver:
        yield driver


def _session(browser, server, lrs: LaunchLRS, structure: ET.Element, **launch) -> list[str]:
    """Launch the AU once with ``launch`` as its launch data, play it to the end, leave;
    the verbs of the statements it sent."""
    element = structure.find("c:au", NS)
    session = str(uuid.uuid4())
    lrs.launch_data = {
        "contextTemplate": {
            "contextActivities": {"grouping": [{"id": structure.find("c:course", NS).get("id")}]},
            "extensions": {"https://w3id.org/xapi/cmi5/context/extensions/sessionid": session},
        },
        **launch,
    }
    before = len(lrs.statements)
    query = urllib.parse.urlencode(
        {
            "endpoint": f"{server.url}/lrs/",
            "fetch": f"{server.url}/fetch?session={session}",
            "registration": str(uuid.uuid4()),
            "activityId": element.get("id"),
            "actor": json.dumps({"objectType": "Agent", "mbox": "mailto:ann@example.org"}),
        }
    )
    browser.get(f"{server.url}/au/{element.find('c:url', NS).text}&{query}")
    wait_for(browser, "window.lecternReady === true", what="the player to start")
    browser.execute_script(
        "var v = document.getElementById('video'); v.playbackRate = 2; v.play();"
    )
    wait_for(browser, "document.getElementById('video').ended", what="the end")
    status = browser.execute_script("return document.getElementById('status').textContent;")
    coverage = browser.execute_script("return LecternPlayer.coverage();")
    assert coverage >= 0.9, coverage
    time.sleep(1.0)  # statements sent at the end arrive
    browser.get("about:blank")  # leaving terminates the session
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in lrs.statements[before:]]
        if verbs and verbs[-1] == "terminated":
            break
        time.sleep(0.1)
    return [*verbs, status]


def test_browse_and_review_send_no_judging_statements(browser, au):
    root, structure = au
    lrs = LaunchLRS()
    move_on = structure.find("c:au", NS).get("moveOn")
    with LoopbackServer(root, routes=lrs) as server:
        for mode in ("Browse", "Review"):
            *verbs, status = _session(
                browser, server, lrs, structure, launchMode=mode, moveOn=move_on
            )
            assert verbs == ["initialized", "terminated"], (mode, verbs)
            assert status.startswith(f"{mode} mode"), status


def test_normal_mode_follows_move_on(browser, au):
    root, structure = au
    lrs = LaunchLRS()
    move_on = structure.find("c:au", NS).get("moveOn")
    assert move_on == "Completed"
    with LoopbackServer(root, routes=lrs) as server:
        *verbs, _ = _session(browser, server, lrs, structure, launchMode="Normal", moveOn=move_on)
        assert verbs == ["initialized", "completed", "terminated"], verbs
        *verbs, _ = _session(
            browser, server, lrs, structure, launchMode="Normal", moveOn="CompletedAndPassed"
        )
        assert verbs == ["initialized", "completed", "passed", "terminated"], verbs
    passed = lrs.statements[-2]
    assert passed["result"]["success"] is True
    categories = [c["id"] for c in passed["context"]["contextActivities"]["category"]]
    assert "https://w3id.org/xapi/cmi5/context/categories/moveon" in categories
