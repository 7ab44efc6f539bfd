"""The web export in a real browser, as a learner's USB stick and an LMS run it.

Debian's headless chromium, driven by Selenium through Debian's chromedriver, opens:

- the HTML5 export from ``file://``: the video's first frame, captions and chapters
  as ``<track>``, the transcript (search, click-to-seek), the desktop Player's keys
  pressed as key events, resume after a reload, and hostile course text shown
  literally;
- each SCORM package inside a host page that runs ``scorm-again`` (the vendored npm
  dist, tests/fixtures/) as the LMS's runtime, served over loopback HTTP like an
  unpacked package: play, skip, finish, then a second session that resumes from
  ``lesson_location`` / ``suspend_data`` and completes by the Player's unique-coverage
  rule; a checkpoint score and interaction through the player's hooks;
- the cmi5 AU against a real LRS on loopback (Ralph, ``tests/lrs.py``) for its
  statements, read back from Ralph: launch parameters, auth-token fetch,
  ``LMS.LaunchData``, and ``initialized``, ``completed``, ``terminated`` built on the
  context template. Ralph has no State resource, so the launch server here keeps the
  state documents (``LMS.LaunchData``, the AU's resume point) and the fetch URL.

The course is the hostile-text package of ``tests/shared/bad_packages.py`` (every
text field an attack) with a real 30-second H.264 video, so every check also shows
the text is escaped. Playback is sped up to 4x by script where only time passes.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from selenium.webdriver.common.keys import Keys

from shared import media, package
from shared.lrs import Endpoint, LrsRefusedError, fetch_statements
from tests.browser import SCORM_AGAIN, LoopbackServer, chromium_driver, requested_urls, wait_for
from tests.lrs import Ralph
from tests.shared.bad_packages import make_hostile_text_package

pytestmark = pytest.mark.timeout(300)

SECONDS = 30.0


def _export(source: Path, fmt: str, out: Path) -> Path:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "studio.cli",
            "export",
            str(source),
            "--format",
            fmt,
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return out


def _unzip(archive: Path, folder: Path) -> Path:
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(folder)
    return folder


@pytest.fixture(scope="module")
def course(tmp_path_factory, ffmpeg_bin) -> Path:
    """The hostile-text package ('html': markup everywhere) with a real 30 s video."""
    folder = tmp_path_factory.mktemp("course")
    video = folder / "video.mp4"
    subprocess.run(
        [
            ffmpeg_bin,
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size=320x240:rate=15:duration={SECONDS}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={SECONDS}",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            "-movflags",
            "+faststart",
            str(video),
        ],
        check=True,
    )
    duration = media.probe(video).duration
    return make_hostile_text_package(folder, "html", video=video, duration=duration)


@pytest.fixture(scope="module")
def manifest(course: Path):
    return package.read_manifest(course)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with chromium_driver(tmp_path_factory.mktemp("chromium") / "profile") as driver:
        yield driver


def _press(driver, *keys: str) -> None:
    """Real key presses (WebDriver key events) with the transcript focused, as after a click."""
    target = driver.find_element("id", "transcript")
    for key in keys:
        target.send_keys(key)


def _ready(driver) -> None:
    wait_for(driver, "window.lecternReady === true", what="the player to start")
    wait_for(driver, "document.getElementById('video').readyState >= 2", what="the first frame")


def _play_until(driver, seconds: float, rate: float = 4.0) -> None:
    driver.execute_script(
        "var v = document.getElementById('video'); v.playbackRate = arguments[0]; v.play();", rate
    )
    wait_for(
        driver,
        f"document.getElementById('video').currentTime >= {seconds} || "
        "document.getElementById('video').ended",
        what=f"playback to reach {seconds} s",
    )


def _time(driver) -> float:
    return driver.execute_script("return document.getElementById('video').currentTime;")


# ----------------------------------------------------------------------------- html5


@pytest.fixture(scope="module")
def html5_page(course: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html5")
    folder = _unzip(_export(course, "html5", out / "course.zip"), out / "unpacked")
    return folder / "index.html"


def test_html5_from_file_shows_hostile_text_literally_with_tracks(browser, html5_page, manifest):
    requested_urls(browser)  # forget what came before
    browser.get(html5_page.as_uri())
    _ready(browser)
    lesson = manifest.lessons[0]
    assert browser.find_element("id", "course-title").get_property("textContent") == (
        manifest.course.title
    )
    assert browser.find_element("id", "lesson-title").get_property("textContent") == lesson.title
    # Nothing of the markup became elements: no table, link, image or second heading.
    counts = browser.execute_script(
        "return ['table', 'img', 'a', 'h1', 'b'].map(t => document.getElementsByTagName(t).length);"
    )
    assert counts == [0, 0, 0, 1, 0]
    chapters = browser.execute_script(
        "return [...document.querySelectorAll('#chapter-list li')].map(li => li.textContent);"
    )
    assert len(chapters) == 2 and chapters[0].endswith("[chapter 1]") and "<table>" in chapters[0]
    # Captions and chapters arrive as <track> elements the browser itself parsed.
    wait_for(
        browser,
        "[...document.querySelectorAll('video track')].every(t => t.readyState === 2)",
        what="the tracks to load",
    )
    tracks = browser.execute_script(
        "return [...document.getElementById('video').textTracks].map("
        "t => [t.kind, t.mode, [...t.cues].map(c => c.text)]);"
    )
    assert [t[0] for t in tracks] == ["captions", "chapters"]
    assert tracks[0][1] == "showing" and tracks[0][2][0].endswith("[caption]")
    assert "<b>BOLD</b>" in tracks[0][2][0]  # a caption is text, shown as written
    assert [cue.endswith(f"[chapter {n}]") for n, cue in enumerate(tracks[1][2], 1)] == [True] * 2
    # Every request stayed on the disk: no network, no CDN.
    urls = requested_urls(browser)
    assert any(url.endswith("/video.mp4") for url in urls), urls
    assert all(url.startswith(("file:", "data:")) for url in urls), urls


def test_html5_keys_search_and_click_to_seek(browser, html5_page):
    browser.get(html5_page.as_uri())
    _ready(browser)
    _press(browser, "l")
    assert abs(_time(browser) - 10) < 0.6
    _press(browser, "j", Keys.ARROW_RIGHT)  # back 10, forward 5
    assert abs(_time(browser) - 5) < 0.6
    _press(browser, ">", ">")
    assert browser.execute_script("return document.getElementById('video').playbackRate;") == 1.5
    assert browser.find_element("id", "speed").get_property("value") == "1.5\u00d7"
    _press(browser, "<")
    assert browser.execute_script("return document.getElementById('video').playbackRate;") == 1.25
    _press(browser, Keys.PAGE_DOWN)  # the next chapter starts half way
    assert abs(_time(browser) - SECONDS / 2) < 0.6
    _press(browser, Keys.ARROW_LEFT, Keys.PAGE_UP)  # back 5 s, then this chapter's start
    assert _time(browser) < 0.6
    _press(browser, "c", "m")
    assert browser.execute_script(
        "return [document.getElementById('video').textTracks[0].mode,"
        " document.getElementById('video').muted];"
    ) == ["hidden", True]
    _press(browser, "k")
    wait_for(browser, "!document.getElementById('video').paused", what="K to play")
    _press(browser, " ")
    wait_for(browser, "document.getElementById('video').paused", what="Space to pause")

    search = browser.find_element("id", "search")
    search.send_keys("segment 2")
    assert browser.find_element("id", "search-count").text.startswith("1 match")
    shown = browser.execute_script(
        "return [...document.querySelectorAll('#transcript p:not(.hidden)')].map(p => p.textContent);"
    )
    assert len(shown) == 1 and shown[0].endswith("[segment 2]")
    marks = browser.execute_script(
        "return [...document.querySelectorAll('#transcript mark')].map(m => m.textContent);"
    )
    assert marks == ["segment 2"]
    browser.find_element("css selector", "#transcript p:not(.hidden)").click()
    assert abs(_time(browser) - 6.0) < 0.6  # the segment starts at 6 s


def test_html5_resumes_after_a_reload(browser, html5_page):
    browser.get(html5_page.as_uri())
    _ready(browser)
    browser.execute_script("document.getElementById('video').currentTime = 9;")
    wait_for(browser, "!document.getElementById('video').seeking")
    _play_until(browser, 12, rate=2.0)
    _press(browser, "k")  # pausing saves
    wait_for(browser, "document.getElementById('video').paused")
    stopped = _time(browser)
    browser.refresh()
    _ready(browser)
    wait_for(browser, "document.getElementById('status').textContent.startsWith('Resumed')")
    assert abs(_time(browser) - stopped) < 1.5
    assert browser.execute_script("return LecternPlayer.coverage();") > 0.05


def test_html5_lists_the_lessons_of_a_course_and_switches_between_them(
    browser, course, manifest, tmp_path
):
    from shared.manifest import CourseInfo
    from shared.package import LessonSource, write_package

    folder = _unzip(course, tmp_path / "src")  # the hostile package's real video
    video = folder / manifest.lessons[0].video
    lessons = [
        LessonSource(
            id=f"part-{n}", title=f"Part {n}", duration=manifest.lessons[0].duration, video=video
        )
        for n in (1, 2)
    ]
    info = CourseInfo(id="two", version=1, title="Two parts", created="2024-01-01T00:00:00Z")
    package = tmp_path / "two.lectern"
    write_package(info, lessons, package)
    page = _export(package, "html5", tmp_path / "web") / "index.html"
    browser.get(page.as_uri())
    _ready(browser)
    items = browser.find_elements("css selector", "#lesson-list li")
    assert [item.text for item in items] == ["0:30Part 1", "0:30Part 2"]  # time, then title
    assert "current" in items[0].get_attribute("class")
    items[1].click()
    wait_for(browser, "document.getElementById('lesson-title').textContent === 'Part 2'")
    _ready(browser)
    src = browser.execute_script("return document.getElementById('video').currentSrc;")
    assert src.endswith("/media/part-2/video.mp4")
    assert "current" in browser.find_elements("css selector", "#lesson-list li")[1].get_attribute(
        "class"
    )


def test_resume_data_stays_under_scorm12_limit_for_any_length(browser, html5_page):
    browser.get(html5_page.as_uri())
    _ready(browser)
    # The worst case: every other second watched, for lessons of a minute to 100 hours.
    results = browser.execute_script(
        """
        return [60, 3600, 4 * 3600, 10 * 3600, 100 * 3600].map(function (d) {
          var p = new LecternPlayer.Progress(d);
          for (var t = 0; t < d; t += 2) p.intervals.push([t, t + 1]);
          var text = LecternLMS.packState(d - 1, p.encode(), true);
          var back = new LecternPlayer.Progress(d);
          back.decode(LecternLMS.unpackState(text).watched);
          return [d, text.length, p.coverage(), back.coverage()];
        });
        """
    )
    for duration, length, coverage, restored in results:
        assert length <= 4096, (duration, length)
        assert abs(coverage - 0.5) < 0.01
        # Up to an hour and more each second is its own bucket: restored exactly.
        if duration <= 4 * 3600:
            assert abs(restored - coverage) < 0.01, (duration, restored)
        else:  # longer buckets: each half-watched bucket counts as watched
            assert 0.4 < restored <= 1.0


# ----------------------------------------------------------------------------- SCORM

HOST = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>LMS</title>
<script src="scorm12.min.js"></script><script src="scorm2004.min.js"></script></head>
<body><iframe id="sco" style="width:1200px;height:760px;border:0"></iframe>
<script>
window.lms = {events: []};
window.startSession = function (version, initial, launch) {
  var settings = {autocommit: false, logLevel: 5};
  var api = version === "scorm12" ? new Scorm12API(settings) : new Scorm2004API(settings);
  if (initial) api.loadFromFlattenedJSON(initial, "");
  var init = version === "scorm12" ? "LMSInitialize" : "Initialize";
  var done = version === "scorm12" ? "LMSFinish" : "Terminate";
  var set = version === "scorm12" ? "LMSSetValue.cmi.*" : "SetValue.cmi.*";
  api.on(init, function () { lms.events.push("initialize"); });
  api.on(set, function (element, value) { lms.values[element] = String(value); });
  api.on(done, function () { lms.events.push("finish"); });
  window.API = version === "scorm12" ? api : undefined;
  window.API_1484_11 = version === "scorm2004" ? api : undefined;
  window.currentApi = api;
  lms.events = [];
  lms.values = {};
  document.getElementById("sco").src = launch;
};
window.leave = function () { document.getElementById("sco").src = "about:blank"; };
</script></body></html>
"""

# What the test reads back from the LMS runtime, per SCORM version.
FIELDS = {
    "scorm12": {
        "status": "cmi.core.lesson_status",
        "location": "cmi.core.lesson_location",
        "entry": "cmi.core.entry",
        "exit": "cmi.core.exit",
        "score": "cmi.core.score.raw",
        "session_time": "cmi.core.session_time",
    },
    "scorm2004": {
        "status": "cmi.completion_status",
        "location": "cmi.location",
        "entry": "cmi.entry",
        "exit": "cmi.exit",
        "score": "cmi.score.raw",
        "session_time": "cmi.session_time",
        "progress": "cmi.progress_measure",
    },
}


def _lms_values(driver, version: str) -> dict[str, object]:
    """What the SCO set in the LMS this session (scorm-again's SetValue events)."""
    sent = driver.execute_script("return lms.values;")
    out: dict[str, object] = {key: sent.get(element) for key, element in FIELDS[version].items()}
    out["suspend"] = sent.get("cmi.suspend_data")
    response = "student_response" if version == "scorm12" else "learner_response"
    out["interactions"] = [
        [sent.get(f"cmi.interactions.{n}.{f}") for f in ("id", "type", "result", response)]
        for n in range(10)
        if f"cmi.interactions.{n}.id" in sent
    ]
    return out


@pytest.mark.parametrize("version", ["scorm12", "scorm2004"])
def test_scorm_completion_by_unique_coverage_score_and_resume(
    browser, course, manifest, tmp_path, version
):
    root = _unzip(_export(course, version, tmp_path / "sco.zip"), tmp_path / "lms")
    for name in ("scorm12.min.js", "scorm2004.min.js"):
        shutil.copy(SCORM_AGAIN / name, root / name)
    (root / "host.html").write_text(HOST, encoding="utf-8")
    # The LMS launches the SCO its imsmanifest.xml names.
    tree = ET.parse(root / "imsmanifest.xml")
    hrefs = [e.get("href") for e in tree.iter() if e.tag.endswith("resource") and e.get("href")]
    assert hrefs == [f"index.html?lesson={manifest.lessons[0].id}"]
    fields = FIELDS[version]
    with LoopbackServer(root) as server:
        browser.get(f"{server.url}/host.html")
        browser.execute_script("startSession(arguments[0], null, arguments[1]);", version, hrefs[0])
        browser.switch_to.frame(browser.find_element("id", "sco"))
        _ready(browser)
        _play_until(browser, 10)
        _press(browser, "k")
        wait_for(browser, "document.getElementById('video').paused", what="K to pause")
        _press(browser, "l")  # skipping ahead 10 s watches nothing
        first = browser.execute_script("return LecternPlayer.coverage();")
        assert 0.28 < first < 0.5, first  # 0-10 s, and what a loaded machine overshoots
        browser.switch_to.default_content()
        browser.execute_script("leave();")
        wait_for(browser, "lms.events.indexOf('finish') >= 0", what="the SCO to finish")
        values = _lms_values(browser, version)
        assert values["status"] == "incomplete"
        assert values["exit"] == "suspend" and values["session_time"]
        assert 19 <= float(values["location"]) <= 21
        assert values["suspend"] and len(values["suspend"]) < 4096
        if version == "scorm2004":
            assert abs(float(values["progress"]) - first) < 0.05

        # Session 2: the LMS hands the saved data back, as it does on the next launch.
        saved = {
            fields["location"]: values["location"],
            "cmi.suspend_data": values["suspend"],
            fields["status"]: values["status"],
            fields["entry"]: "resume",
        }
        browser.execute_script(
            "startSession(arguments[0], arguments[1], arguments[2]);", version, saved, hrefs[0]
        )
        browser.switch_to.frame(browser.find_element("id", "sco"))
        _ready(browser)
        wait_for(browser, "document.getElementById('status').textContent.startsWith('Resumed')")
        assert abs(_time(browser) - float(values["location"])) < 1.5
        assert abs(browser.execute_script("return LecternPlayer.coverage();") - first) < 0.05
        # Watching the first part again adds nothing; the rest completes the lesson.
        browser.execute_script("document.getElementById('video').currentTime = 2;")
        _play_until(browser, 5)  # well inside 0-10 s, even if a loaded machine overshoots
        assert abs(browser.execute_script("return LecternPlayer.coverage();") - first) < 0.05
        browser.execute_script("document.getElementById('video').currentTime = 10;")
        _play_until(browser, SECONDS)
        wait_for(browser, "document.getElementById('video').ended", what="the end")
        assert browser.execute_script("return LecternPlayer.coverage();") >= 0.9
        # The hooks checkpoints will call.
        browser.execute_script(
            "LecternPlayer.setScore(80, 0, 100);"
            "LecternPlayer.recordInteraction({id: 'q1', type: 'choice', response: 'b',"
            " correct: true, description: 'Which gas?', latencySeconds: 12});"
        )
        browser.switch_to.default_content()
        browser.execute_script("leave();")
        wait_for(browser, "lms.events.indexOf('finish') >= 0", what="the SCO to finish")
        values = _lms_values(browser, version)
    assert values["status"] == "completed"
    assert float(values["score"]) == 80
    assert len(values["interactions"]) == 1
    interaction_id, kind, result, response = values["interactions"][0]
    assert interaction_id.endswith("q1") and kind == "choice" and response == "b"
    assert result == "correct"
    assert values["exit"] in ("", "normal")


# ----------------------------------------------------------------------------- cmi5


class Cmi5Launch:
    """The LMS's side of a cmi5 launch on loopback, in front of a real LRS (Ralph).

    Statements go to Ralph itself: ``/lrs/statements`` is passed through unchanged
    (method, query, body, the AU's ``Authorization`` and ``X-Experience-API-Version``),
    so Ralph checks the credentials and the statements and stores them. The rest is the
    LMS's job here, because Ralph 5.1.0 implements only the statements resource: the
    fetch URL that hands out its auth token once (the token is the basic-auth pair of
    a Ralph account, as an LMS would issue), and the State resource (the
    ``LMS.LaunchData`` document and the AU's own state documents), which also refuses a
    request without that token.
    """

    def __init__(self, lrs: Ralph, launch_data: dict) -> None:
        self.lrs = lrs
        self.token = base64.b64encode(f"{lrs.user}:{lrs.key}".encode()).decode()
        self.launch_data = launch_data
        self.fetches: dict[str, int] = {}
        self.posted = 0
        self.states: dict[str, bytes] = {}
        self.unauthorised = 0

    def _to_lrs(self, handler, body: bytes, query: str):
        headers = {
            name: handler.headers[name]
            for name in ("Authorization", "X-Experience-API-Version", "Content-Type")
            if handler.headers.get(name)
        }
        url = self.lrs.url + "statements" + (f"?{query}" if query else "")
        request = urllib.request.Request(
            url, data=body or None, headers=headers, method=handler.command
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                status, data = answer.status, answer.read()
                kind = answer.headers.get("Content-Type", "application/json")
        except urllib.error.HTTPError as error:
            with error:
                status, data = error.code, error.read()
            kind = "application/json"
        if handler.command == "POST" and status == 200:
            self.posted += 1
        return status, kind, data

    def __call__(self, handler, body: bytes):
        url = urllib.parse.urlsplit(handler.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/fetch" and handler.command == "POST":
            self.fetches[handler.path] = self.fetches.get(handler.path, 0) + 1
            if self.fetches[handler.path] > 1:  # each launch's fetch URL works once
                return 400, "application/json", b'{"error-code": "1", "error-text": "used"}'
            return 200, "application/json", json.dumps({"auth-token": self.token}).encode()
        if url.path == "/lrs/statements":
            return self._to_lrs(handler, body, url.query)
        if not url.path.startswith("/lrs/"):
            return None
        if handler.headers.get("Authorization") != f"Basic {self.token}" or not handler.headers.get(
            "X-Experience-API-Version"
        ):
            self.unauthorised += 1
            return 401, "text/plain", b"unauthorised"
        if url.path == "/lrs/activities/state":
            state = query.get("stateId", "")
            if state == "LMS.LaunchData":
                return 200, "application/json", json.dumps(self.launch_data).encode()
            if handler.command == "PUT":
                self.states[state] = body
                return 204, "text/plain", b""
            if state in self.states:
                return 200, "text/plain", self.states[state]
            return 404, "text/plain", b""
        return 404, "text/plain", b""


def test_cmi5_launch_handshake_and_statements(browser, course, tmp_path, lrs):
    root = _unzip(_export(course, "cmi5", tmp_path / "au.zip"), tmp_path / "lms" / "au")
    ns = {"c": "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"}
    structure = ET.parse(root / "cmi5.xml").getroot()
    au = structure.find("c:au", ns)
    assert au.get("moveOn") == "Completed"
    activity_id, url = au.get("id"), au.find("c:url", ns).text
    session = str(uuid.uuid4())
    template = {
        "contextActivities": {
            "grouping": [{"id": structure.find("c:course", ns).get("id")}],
            "category": [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}],
        },
        "extensions": {"https://w3id.org/xapi/cmi5/context/extensions/sessionid": session},
    }
    launch = Cmi5Launch(
        lrs, {"contextTemplate": template, "launchMode": "Normal", "moveOn": "Completed"}
    )
    actor = {"objectType": "Agent", "account": {"homePage": "https://lms.test", "name": "ann"}}
    registration = str(uuid.uuid4())
    endpoint = Endpoint(lrs.url, lrs.user, lrs.key)

    def held() -> list[dict]:
        """What Ralph stored for this registration, in the order it stored them."""
        found = fetch_statements(endpoint, registration=registration)
        return sorted(found, key=lambda statement: statement["stored"])

    with LoopbackServer(tmp_path / "lms", routes=launch) as server:

        def launch_url(number: int) -> str:
            query = urllib.parse.urlencode(
                {
                    "endpoint": f"{server.url}/lrs/",
                    "fetch": f"{server.url}/fetch?launch={number}",
                    "registration": registration,
                    "activityId": activity_id,
                    "actor": json.dumps(actor),
                }
            )
            return f"{server.url}/au/{url}&{query}"

        browser.get(launch_url(1))
        _ready(browser)
        _play_until(browser, SECONDS)
        wait_for(browser, "document.getElementById('video').ended", what="the end")
        deadline = time.monotonic() + 30
        while launch.posted < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        browser.get("about:blank")  # leaving the AU terminates the session
        while launch.posted < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        first_session = held()
        # A second launch in the same registration resumes and reports no second completion.
        browser.get(launch_url(2))
        _ready(browser)
        assert browser.execute_script("return LecternPlayer.coverage();") >= 0.9
        browser.get("about:blank")
        while launch.posted < 5 and time.monotonic() < deadline + 30:
            time.sleep(0.1)
    assert sorted(launch.fetches.values()) == [1, 1] and launch.unauthorised == 0
    statements = held()
    verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements]
    assert verbs == ["initialized", "completed", "terminated", "initialized", "terminated"], verbs
    assert [s["id"] for s in first_session] == [s["id"] for s in statements[:3]]
    for statement in first_session:
        assert statement["actor"] == actor
        assert statement["object"]["id"] == activity_id
        context = statement["context"]
        assert context["registration"] == registration
        assert context["extensions"] == template["extensions"]
        assert context["contextActivities"]["grouping"] == template["contextActivities"]["grouping"]
    categories = [c["id"] for c in first_session[1]["context"]["contextActivities"]["category"]]
    assert "https://w3id.org/xapi/cmi5/context/categories/moveon" in categories
    assert first_session[1]["result"]["completion"] is True
    assert first_session[2]["result"]["duration"].startswith("PT")
    assert "lectern.resume" in launch.states
    # Ralph, not the launch server, checked the credentials: a wrong key is refused.
    with pytest.raises(LrsRefusedError) as refused:
        next(fetch_statements(Endpoint(lrs.url, lrs.user, "wrong"), registration=registration))
    assert refused.value.status == 401
