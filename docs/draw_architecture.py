"""Draw docs/architecture.png, the picture of Lectern's layers, with Pillow.

Run ``.venv/bin/python docs/draw_architecture.py`` after the layers change; the
picture is committed next to docs/architecture.md.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).with_name("architecture.png")
WIDTH, HEIGHT = 1400, 870
INK, MUTED, LINE = "#1f2733", "#5a6678", "#44506a"
APP, QT, DOMAIN, OUTSIDE = "#dfe9ff", "#ffe7c7", "#dff3e3", "#eeeeee"
FONTS = "/usr/share/fonts/truetype/dejavu/"


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(FONTS + name, size)
    except OSError:
        return ImageFont.load_default(size)


TITLE, HEAD, BODY, SMALL = _font(30, True), _font(21, True), _font(16), _font(15)


def box(draw: ImageDraw.ImageDraw, xy, fill: str, head: str, lines: list[str]) -> None:
    x0, y0, x1, y1 = xy
    draw.rounded_rectangle(xy, radius=14, fill=fill, outline=LINE, width=2)
    draw.text((x0 + 16, y0 + 12), head, font=HEAD, fill=INK)
    for number, line in enumerate(lines):
        draw.text((x0 + 16, y0 + 46 + 22 * number), line, font=BODY, fill=INK)


def arrow(draw: ImageDraw.ImageDraw, x: int, y0: int, y1: int) -> None:
    draw.line([(x, y0), (x, y1 - 12)], fill=LINE, width=4)
    draw.polygon([(x - 10, y1 - 14), (x + 10, y1 - 14), (x, y1)], fill=LINE)


def main() -> None:
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.text((40, 24), "Lectern's layers: each looks down only", font=TITLE, fill=INK)
    draw.text(
        (40, 66),
        'An arrow means "may import". Nothing imports upwards, and the two apps never '
        "import each other.",
        font=SMALL,
        fill=MUTED,
    )

    # The two apps, each a Qt part over a Qt-free part.
    box(draw, (40, 110, 680, 290), APP, "Lectern Studio  (studio/)", [
        "cli.py, recording_cli.py: lectern-studio commands",
        "pipeline.py: video -> lesson folder;  editing.py: edits",
        "course.py: a course folder and its export",
        "capture/: the recorder (ffmpeg, camera, microphone)",
        "ui/  (Qt): main window, review panel, recording bar",
    ])  # fmt: skip
    box(draw, (720, 110, 1360, 290), APP, "Lectern Player  (player/)", [
        "cli.py: lectern-player commands (import, search, ...)",
        "app.py: starts the window",
        "settings.py: the Player's preferences",
        "ui/  (Qt): library, lesson view, notes, search",
        "",
    ])  # fmt: skip
    draw.line([(688, 186), (712, 214)], fill="#b03030", width=4)
    draw.line([(712, 186), (688, 214)], fill="#b03030", width=4)

    for x in (300, 1040):
        arrow(draw, x, 290, 350)
    box(draw, (100, 350, 1300, 450), QT, "shared/ui/  (Qt: the widgets both apps use)", [
        "video view, seek bar, transcript view, chapter list, job worker, dialogs, theme",
    ])  # fmt: skip
    for x in (200, 700, 1200):
        arrow(draw, x, 450, 510)
    arrow(draw, 65, 290, 510)
    arrow(draw, 1335, 290, 510)

    box(draw, (40, 510, 1360, 690), DOMAIN, "shared/  (the domain: no Qt, runs in a test)", [
        "package, manifest: the .lectern course package;  captions, transcription, chapters/",
        "media: ffmpeg and probing;  workspace: a lesson folder (Studio side)",
        "library: the learner's SQLite library, the one door to library.db (Player side)",
        "jobs, files, errors, timecode, logs, terminal, settings: what every layer leans on",
        "\"shared\" means free of Qt, not \"used by both apps\": some modules serve one app.",
    ])  # fmt: skip
    for x in (200, 700, 1200):
        arrow(draw, x, 690, 750)
    box(draw, (40, 750, 1360, 840), OUTSIDE, "Libraries and tools", [
        "FFmpeg (ffmpeg-python, PyAV), OpenCV, faster-whisper, SQLite (sqlite-utils), "
        "jsonschema, platformdirs;  PySide6 only above the green layer",
    ])  # fmt: skip
    image.save(OUT, optimize=True)
    print(OUT)


if __name__ == "__main__":
    main()
