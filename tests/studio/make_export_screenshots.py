"""Screenshots of the web player for the README, in headless chromium.

    python -m tests.studio.make_export_screenshots [OUT_DIR]    (default docs/screenshots)

Builds the sample lecture into a course package with the real CLI (cached under
``~/.cache/lectern-webexport/``), exports it as HTML5, opens it from ``file://`` and
takes:

- ``web-player.png``: playing in the first chapter, a caption on the video, the
  transcript following along;
- ``web-player-search.png``: a transcript search with its matches marked;
- ``web-player-lms.png``: the SCORM 1.2 package inside a host page that runs
  scorm-again as the LMS (served on loopback).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from tests.browser import SCORM_AGAIN, LoopbackServer, chromium_driver, wait_for

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path.home() / ".cache" / "lectern-webexport"


def studio(*args: object) -> None:
    subprocess.run([sys.executable, "-m", "studio.cli", "-q", *map(str, args)], check=True)


def sample_package() -> Path:
    """The sample lecture as a package, built once and kept in the cache."""
    package = CACHE / "sample-course.lectern"
    if package.is_file():
        return package
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        lesson = Path(tmp) / "water-cycle"
        studio("build", ROOT / "resources/sample/lecture.mp4", "-o", lesson)
        studio(
            "package",
            lesson,
            "-o",
            package,
            "--title",
            "Introduction to Earth Science",
            "--author",
            "Lectern Sample Lectures",
            "--id",
            "lectern-sample-earth-science",
            "--unsigned",
        )
    return package


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    package = sample_package()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        studio("export", package, "--format", "html5", "-o", work / "web")
        studio("export", package, "--format", "scorm12", "-o", work / "scorm.zip")
        with chromium_driver(work / "profile", width=1280, height=760) as driver:
            driver.get((work / "web" / "index.html").as_uri())
            wait_for(
                driver, "window.lecternReady && document.getElementById('video').readyState >= 2"
            )
            driver.execute_script(
                "var v = document.getElementById('video'); v.currentTime = 24.5; v.muted = true;"
                "v.play();"
            )
            wait_for(driver, "document.getElementById('video').currentTime > 26.5")
            driver.execute_script("document.getElementById('video').pause();")
            driver.save_screenshot(str(out / "web-player.png"))
            driver.find_element("id", "search").send_keys("water")
            driver.save_screenshot(str(out / "web-player-search.png"))

            lms = work / "lms"
            with zipfile.ZipFile(work / "scorm.zip") as zf:
                zf.extractall(lms)
            shutil.copy(SCORM_AGAIN / "scorm12.min.js", lms / "scorm12.min.js")
            (lms / "host.html").write_text(HOST, encoding="utf-8")
            with LoopbackServer(lms) as server:
                driver.get(f"{server.url}/host.html")
                driver.switch_to.frame(driver.find_element("id", "sco"))
                wait_for(
                    driver,
                    "window.lecternReady && document.getElementById('video').readyState >= 2",
                )
                driver.execute_script(
                    "var v = document.getElementById('video'); v.muted = true; v.currentTime = 44;"
                    "v.play();"
                )
                wait_for(driver, "document.getElementById('video').currentTime > 47")
                driver.execute_script("document.getElementById('video').pause();")
                wait_for(driver, "!document.getElementById('video').seeking")
                driver.switch_to.default_content()
                driver.save_screenshot(str(out / "web-player-lms.png"))
    print(f"wrote web-player.png, web-player-search.png and web-player-lms.png to {out}")


HOST = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Course - LMS</title>
<style>
body { margin: 0; font: 14px system-ui, sans-serif; background: #eef1f5; }
header { background: #1f3b63; color: white; padding: 8px 16px; }
main { display: flex; }
nav { width: 210px; padding: 12px; }
nav li { margin: 6px 0; }
iframe { flex: 1; height: 690px; border: 0; background: white; }
</style>
<script src="scorm12.min.js"></script></head>
<body><header>Example LMS &middot; Introduction to Earth Science (SCORM 1.2)</header>
<main><nav><b>Course outline</b><ol><li>How the Water Cycle Works</li></ol>
<p id="status"></p></nav><iframe id="sco"></iframe></main>
<script>
window.API = new Scorm12API({autocommit: false, logLevel: 5});
API.on("LMSSetValue.cmi.core.lesson_status", function (e, v) {
  document.getElementById("status").textContent = "Status: " + v;
});
document.getElementById("sco").src = "index.html?lesson=water-cycle";
</script></body></html>
"""


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
