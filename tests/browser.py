"""A real browser for the web export's tests: Debian's chromium, driven by Selenium.

Selenium is pointed at Debian's ``/usr/bin/chromedriver`` and ``/usr/bin/chromium``
explicitly, so Selenium Manager never looks for (or downloads) a driver or a browser.
The flags are the checked ones of the team's testing notes (headless, no sandbox as
root, nothing that talks to the network by itself), plus autoplay without a gesture
so a test can start a video from a script, as an LMS's "launch" click would.

:class:`LoopbackServer` serves a folder on 127.0.0.1 the way an LMS serves an
unpacked package (with ``Range`` requests, so the video can seek), and lets a test add
its own endpoints (the cmi5 test's LRS).
"""

from __future__ import annotations

import contextlib
import http.server
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "CHROMIUM",
    "CHROMEDRIVER",
    "chromium_driver",
    "LoopbackServer",
    "wait_for",
    "requested_urls",
    "require_chromium",
]

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FIXTURES = Path(__file__).parent / "fixtures"
SCORM_AGAIN = FIXTURES / "scorm-again-3.4.3"


def require_chromium() -> None:
    """Fail (not skip) when the browser is missing: ``make setup`` installs it."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            pytest.fail(f"{path} is missing; run `make setup` (APT_PACKAGES has chromium)")


@contextlib.contextmanager
def chromium_driver(profile: Path, *, width: int = 1280, height: int = 800) -> Iterator[Any]:
    """A headless Chromium with a fresh profile in ``profile``, closed afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    require_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--autoplay-policy=no-user-gesture-required",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    # The performance log carries the DevTools network events: every request made.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.set_script_timeout(60)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def requested_urls(driver: Any) -> list[str]:
    """Every URL the browser asked for since the last call (DevTools network events)."""
    import json

    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def wait_for(driver: Any, script: str, timeout: float = 60.0, what: str = "") -> Any:
    """Run ``script`` (a JS expression) until it gives a truthy value; return that value."""
    end = time.monotonic() + timeout
    value = None
    while time.monotonic() < end:
        value = driver.execute_script(f"return ({script});")
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or script} (last value {value!r})")


Route = Callable[[http.server.BaseHTTPRequestHandler, bytes], tuple[int, str, bytes] | None]


class LoopbackServer:
    """Serve ``root`` on 127.0.0.1 (a random port) in a thread; ``routes`` come first.

    A route gets the request handler and the request body and returns
    ``(status, content type, body)``, or ``None`` to fall through to the files.
    """

    def __init__(self, root: Path, routes: Route | None = None) -> None:
        self.root = root
        self.routes = routes
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(server.root), **kwargs)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _routed(self) -> bool:
                if server.routes is None:
                    return False
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                answer = server.routes(self, body)
                if answer is None:
                    return False
                status, kind, data = answer
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return True

            def do_GET(self) -> None:
                if self._routed():
                    return
                match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range") or "")
                path = Path(self.translate_path(self.path))
                if match and path.is_file():
                    self._range(path, int(match[1]), match[2])
                    return
                super().do_GET()

            def _range(self, path: Path, start: int, end_text: str) -> None:
                size = path.stat().st_size
                end = min(int(end_text), size - 1) if end_text else size - 1
                if start >= size:
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Type", self.guess_type(str(path)))
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
                self.send_header("Content-Length", str(end - start + 1))
                self.end_headers()
                with open(path, "rb") as stream:
                    stream.seek(start)
                    left = end - start + 1
                    while left > 0:
                        chunk = stream.read(min(left, 1 << 16))
                        if not chunk:
                            break
                        try:
                            self.wfile.write(chunk)
                        except (BrokenPipeError, ConnectionResetError):
                            return
                        left -= len(chunk)

            def do_POST(self) -> None:
                if not self._routed():
                    self.send_error(404)

            def do_PUT(self) -> None:
                if not self._routed():
                    self.send_error(404)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)
