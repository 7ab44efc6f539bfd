"""Generate Lectern's bundled sample lecture: ``lecture.mp4`` and its ground truth ``lecture.json``.

The sample is a short narrated slide lecture ("How the Water Cycle Works") that looks like a
screen recording: six slides drawn with Pillow, a mouse pointer that now and then glides over
to the point being discussed, and narration spoken by espeak-ng. Each slide is shown for its
narration plus a short pause, and every slide change falls exactly on a frame boundary, so the
times written to ``lecture.json`` are exact.

Usage::

    python resources/sample/make_sample.py [--out resources/sample]

Needs ffmpeg (with libx264 and the native AAC encoder), espeak-ng, the DejaVu fonts, Pillow and
numpy. Works offline and is deterministic for a given ffmpeg/espeak-ng build.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

# --------------------------------------------------------------------------------------------
# Content
# --------------------------------------------------------------------------------------------

TITLE = "How the Water Cycle Works"
COURSE = "Introduction to Earth Science"
LECTURE_LABEL = "Lecture 4"
AUTHOR = "Lectern Sample Lectures"
DESCRIPTION = (
    "A short introductory lecture on the water cycle: where the water on Earth is stored, "
    "evaporation, condensation, precipitation and collection. Bundled with Lectern as a "
    "sample recording; the slides, pointer and narration are all generated."
)

VOICE = "en-gb"  # espeak-ng voice; recognised very reliably by Whisper tiny.en
SPEED_WPM = 150
WORD_GAP = 3  # extra pause between words, in units of 10 ms

FPS = 25
WIDTH, HEIGHT = 1280, 720
LEAD_IN = 0.6  # silence after a slide change before the narration starts (s)
FIRST_LEAD_IN = 1.0  # the very first slide waits a little longer
TAIL = 1.0  # pause after the narration before the next slide (s)
SPEECH_RATE = 22050  # espeak-ng's native sample rate; 22050 / 25 fps = 882 samples per frame


@dataclass
class Slide:
    title: str
    bullets: list[str]
    sentences: list[str]
    # Pointer plan: (sentence index, target). The pointer arrives as that sentence starts; a
    # fractional index such as 2.5 means half way through sentence 2. A target is "bN"
    # (bullet N), an "art_..." spot named by the illustration, "rest", or an (x, y) point.
    pointer: list[tuple[float, object]] = field(default_factory=list)
    art: str = ""  # name of the illustration drawn on the right-hand side
    kind: str = "content"  # "title" or "content"

    @property
    def narration(self) -> str:
        return " ".join(self.sentences)


SLIDES = [
    Slide(
        title=TITLE,
        kind="title",
        bullets=[
            "Where the water on Earth is stored",
            "The four stages of the cycle",
            "How it all fits together",
        ],
        sentences=[
            "Welcome to this short lecture on the water cycle.",
            "The water cycle describes how water moves around our planet, "
            "from the oceans to the sky and back again.",
            "We will see where the water is stored, "
            "walk through the four stages, and see how they fit together.",
        ],
        pointer=[(2, "b0"), (2.5, "b1"), (2.8, "b2")],
    ),
    Slide(
        title="Where Is the Water on Earth?",
        art="storage",
        bullets=[
            "The oceans hold almost all of it",
            "Most fresh water is frozen in ice",
            "Rivers, lakes and air hold very little",
        ],
        sentences=[
            "First, let's find out where the water is stored.",
            "Almost every drop of water on Earth is in the oceans, and it is far too salty to drink.",
            "Most fresh water is frozen as ice, in glaciers and at the poles.",
            "Only a tiny part is in rivers, lakes, and the air.",
        ],
        pointer=[(1, "b0"), (1.6, "art_ocean"), (2, "b1"), (3, "b2"), (3.7, "rest")],
    ),
    Slide(
        title="Step 1: Evaporation",
        art="evaporation",
        bullets=[
            "The sun warms the ocean",
            "Liquid water turns into invisible vapor",
            "Plants add vapor through their leaves",
        ],
        sentences=[
            "The first stage is called evaporation.",
            "When the sun warms the ocean, "
            "some of the water turns into an invisible gas, which we call water vapor.",
            "This warm, moist air rises into the sky.",
            "Plants add even more vapor through tiny openings in their leaves.",
        ],
        pointer=[(1, "b0"), (1.5, "b1"), (2, "art_vapor"), (3, "b2")],
    ),
    Slide(
        title="Step 2: Condensation",
        art="condensation",
        bullets=[
            "Rising air cools down",
            "Vapor turns back into tiny droplets",
            "Billions of droplets make a cloud",
        ],
        sentences=[
            "Next comes condensation, which is how clouds are made.",
            "As the moist air rises, it gets colder.",
            "Cold air cannot hold as much vapor, so the water turns back into tiny droplets.",
            "Billions of these droplets together make a cloud.",
        ],
        pointer=[(1, "b0"), (2, "b1"), (3, "b2"), (3.5, "art_cloud")],
    ),
    Slide(
        title="Steps 3 and 4: Precipitation and Collection",
        art="precipitation",
        bullets=[
            "Droplets grow until they are too heavy",
            "They fall as rain, snow, sleet or hail",
            "Water collects in rivers, lakes and soil",
        ],
        sentences=[
            "Now let's see what happens when clouds get heavy.",
            "Inside a cloud, tiny droplets crash into each other and grow larger.",
            "When they become too heavy, they fall as rain, or as snow when it is cold.",
            "The water collects in rivers, lakes, and the soil, and flows back to the sea.",
        ],
        pointer=[(1, "b0"), (2, "b1"), (2.5, "art_rain"), (3, "b2"), (3.6, "rest")],
    ),
    Slide(
        title="Putting the Cycle Together",
        art="cycle",
        bullets=[
            "The sun powers every stage",
            "Water is used again and again",
        ],
        sentences=[
            "Finally, let's put the whole cycle together.",
            "The sun powers every stage.",
            "Water evaporates, forms clouds, falls back down, and collects again, over and over.",
            "The water in your glass may once have fallen as rain on the dinosaurs.",
            "Thanks for watching, and see you next time.",
        ],
        pointer=[
            (1, "b0"),
            (1.6, "art_sun"),
            (2, "art_evap"),
            (2.2, "art_cond"),
            (2.45, "art_prec"),
            (2.7, "art_coll"),
            (3, "b1"),
            (4, "rest"),
        ],
    ),
]

# --------------------------------------------------------------------------------------------
# Look
# --------------------------------------------------------------------------------------------

SS = 2  # supersampling factor: slides are drawn at 2x and scaled down for smooth edges
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

BG = (250, 250, 247)
NAVY = (27, 54, 93)
ACCENT = (0, 150, 136)
ACCENT_LIGHT = (178, 223, 219)
TEXT = (38, 50, 56)
MUTED = (120, 130, 138)
WATER = (66, 145, 212)
WATER_DARK = (33, 100, 170)
WATER_LIGHT = (187, 222, 251)
SKY = (232, 243, 252)
SUN = (255, 193, 7)
SUN_DARK = (245, 150, 0)
CLOUD = (255, 255, 255)
CLOUD_EDGE = (176, 190, 197)
CLOUD_GREY = (207, 216, 220)
GROUND = (141, 110, 99)
GRASS = (102, 187, 106)
MOUNTAIN = (120, 144, 156)
SNOW = (255, 255, 255)
ICE = (178, 235, 242)

_font_cache: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def font(name: str, size: float) -> ImageFont.FreeTypeFont:
    key = (name, round(size * SS))
    if key not in _font_cache:
        _font_cache[key] = ImageFont.truetype(str(FONT_DIR / f"{name}.ttf"), key[1])
    return _font_cache[key]


class Canvas:
    """Pillow drawing in logical 1280x720 coordinates on a supersampled image."""

    def __init__(self) -> None:
        self.img = Image.new("RGB", (WIDTH * SS, HEIGHT * SS), BG)
        self.d = ImageDraw.Draw(self.img)

    @staticmethod
    def _s(values):
        return [v * SS for v in values]

    def rect(self, box, fill, radius=0, outline=None, width=1):
        box = self._s(box)
        if radius:
            self.d.rounded_rectangle(
                box, radius * SS, fill=fill, outline=outline, width=round(width * SS)
            )
        else:
            self.d.rectangle(box, fill=fill, outline=outline, width=round(width * SS))

    def ellipse(self, box, fill, outline=None, width=1):
        self.d.ellipse(self._s(box), fill=fill, outline=outline, width=round(width * SS))

    def circle(self, cx, cy, r, fill, outline=None, width=1):
        self.ellipse((cx - r, cy - r, cx + r, cy + r), fill, outline, width)

    def polygon(self, points, fill, outline=None, width=1):
        pts = [(x * SS, y * SS) for x, y in points]
        self.d.polygon(pts, fill=fill, outline=outline, width=round(width * SS))

    def line(self, points, fill, width, joint="curve"):
        pts = [(x * SS, y * SS) for x, y in points]
        self.d.line(pts, fill=fill, width=round(width * SS), joint=joint)
        # round caps
        r = width / 2
        for x, y in (points[0], points[-1]):
            self.circle(x, y, r * 0.98, fill)

    def clip_since(self, before: Image.Image, box, radius):
        """Keep what was drawn since ``before`` only inside a rounded box."""
        mask = Image.new("L", self.img.size, 0)
        ImageDraw.Draw(mask).rounded_rectangle(self._s(box), radius * SS, fill=255)
        self.img = Image.composite(self.img, before, mask)
        self.d = ImageDraw.Draw(self.img)

    def text(self, xy, text, fnt, fill, anchor="la"):
        self.d.text(self._s(xy), text, font=fnt, fill=fill, anchor=anchor)

    def text_width(self, text, fnt) -> float:
        return self.d.textlength(text, font=fnt) / SS

    def finish(self) -> np.ndarray:
        small = self.img.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
        return np.asarray(small, dtype=np.uint8).copy()


def wrap(c: Canvas, text: str, fnt, max_width: float) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and c.text_width(candidate, fnt) > max_width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


# --- small illustrations ---------------------------------------------------------------------


def bezier(p0, p1, p2, n=40):
    pts = []
    for i in range(n + 1):
        t = i / n
        x = (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t**2 * p2[0]
        y = (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t**2 * p2[1]
        pts.append((x, y))
    return pts


def arrow(c: Canvas, p0, p2, color, width=6, bend=0.0, head=18):
    """A (optionally curved) arrow from p0 to p2. ``bend`` offsets the midpoint sideways."""
    mx, my = (p0[0] + p2[0]) / 2, (p0[1] + p2[1]) / 2
    dx, dy = p2[0] - p0[0], p2[1] - p0[1]
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length, dx / length
    p1 = (mx + nx * bend * length, my + ny * bend * length)
    pts = bezier(p0, p1, p2)
    # stop the shaft short of the tip so the head stays sharp
    tip = pts[-1]
    ex, ey = tip[0] - pts[-4][0], tip[1] - pts[-4][1]
    el = math.hypot(ex, ey) or 1.0
    ux, uy = ex / el, ey / el
    shaft = [p for p in pts if math.hypot(p[0] - tip[0], p[1] - tip[1]) > head * 0.7]
    c.line(shaft, color, width)
    base = (tip[0] - ux * head, tip[1] - uy * head)
    left = (base[0] - uy * head * 0.6, base[1] + ux * head * 0.6)
    right = (base[0] + uy * head * 0.6, base[1] - ux * head * 0.6)
    c.polygon([tip, left, right], color)


def sun(c: Canvas, cx, cy, r):
    for i in range(12):
        a = i * math.pi / 6
        c.line(
            [
                (cx + math.cos(a) * r * 1.3, cy + math.sin(a) * r * 1.3),
                (cx + math.cos(a) * r * 1.75, cy + math.sin(a) * r * 1.75),
            ],
            SUN_DARK,
            max(3, r * 0.12),
        )
    c.circle(cx, cy, r, SUN, outline=SUN_DARK, width=3)


def cloud(c: Canvas, cx, cy, s=1.0, fill=CLOUD, edge=CLOUD_EDGE):
    puffs = [(-45, 10, 30), (-15, -12, 38), (25, -5, 34), (52, 12, 26), (5, 14, 32)]
    for dx, dy, r in puffs:  # outline pass
        c.circle(cx + dx * s, cy + dy * s, r * s + 3, edge)
    c.rect((cx - 62 * s, cy + 5 * s, cx + 70 * s, cy + 38 * s + 3), edge, radius=18 * s)
    for dx, dy, r in puffs:
        c.circle(cx + dx * s, cy + dy * s, r * s, fill)
    c.rect((cx - 59 * s, cy + 8 * s, cx + 67 * s, cy + 38 * s), fill, radius=16 * s)


def waves(c: Canvas, x0, x1, y, bottom, amp=6, period=60, fill=WATER, crest=WATER_LIGHT):
    pts = [(x0, bottom)]
    x = x0
    while x <= x1:
        pts.append((x, y + amp * math.sin((x - x0) / period * 2 * math.pi)))
        x += 4
    pts.append((x1, y + amp * math.sin((x1 - x0) / period * 2 * math.pi)))
    pts.append((x1, bottom))
    c.polygon(pts, fill)
    crest_pts = [(px, py) for px, py in pts[1:-1]]
    c.line(crest_pts, crest, 3)


def drop(c: Canvas, x, y, s=1.0, fill=WATER):
    c.polygon([(x, y - 14 * s), (x - 7 * s, y), (x + 7 * s, y)], fill)
    c.circle(x, y + 1 * s, 7.2 * s, fill)


def snowflake(c: Canvas, x, y, r=8, color=(144, 202, 249)):
    for i in range(3):
        a = i * math.pi / 3
        c.line(
            [
                (x - math.cos(a) * r, y - math.sin(a) * r),
                (x + math.cos(a) * r, y + math.sin(a) * r),
            ],
            color,
            2.5,
        )


def wavy_up(c: Canvas, x, y0, y1, color, width=4, amp=7):
    pts = []
    steps = 30
    for i in range(steps + 1):
        t = i / steps
        yy = y0 + (y1 - y0) * t
        pts.append((x + amp * math.sin(t * 3 * math.pi), yy))
    c.line(pts, color, width)
    c.polygon([(x, y1 - 12), (x - 8, y1 + 2), (x + 8, y1 + 2)], color)


def tree(c: Canvas, x, ground_y, s=1.0):
    c.rect((x - 5 * s, ground_y - 40 * s, x + 5 * s, ground_y), GROUND)
    c.circle(x, ground_y - 55 * s, 26 * s, GRASS)
    c.circle(x - 16 * s, ground_y - 42 * s, 18 * s, GRASS)
    c.circle(x + 16 * s, ground_y - 42 * s, 18 * s, GRASS)


def panel(c: Canvas, box):
    c.rect(box, SKY, radius=18)


def art_storage(c: Canvas, box) -> dict:
    """A waffle chart of one hundred cells: how the water on Earth is shared out."""
    x0, y0, x1, y1 = box
    c.rect(box, (255, 255, 255), radius=18, outline=(225, 230, 234), width=2)
    cx = (x0 + x1) / 2
    c.text((cx, y0 + 34), "If all the water on Earth", font("DejaVuSans-Bold", 20), NAVY, "mm")
    c.text((cx, y0 + 60), "were one hundred cups", font("DejaVuSans-Bold", 20), NAVY, "mm")
    cell, gap = 28, 4
    grid = 10 * cell + 9 * gap
    gx0, gy0 = cx - grid / 2, y0 + 90
    colors = [WATER_DARK] * 97 + [ICE, ICE] + [(129, 212, 250)]
    for i, color in enumerate(colors):
        r, col = divmod(i, 10)
        x, y = gx0 + col * (cell + gap), gy0 + r * (cell + gap)
        edge = (77, 182, 196) if color == ICE else None
        c.rect((x, y, x + cell, y + cell), color, radius=4, outline=edge, width=1.5)
    legend = [(WATER_DARK, "Oceans"), (ICE, "Ice"), ((129, 212, 250), "Rivers, lakes, air")]
    ly = gy0 + grid + 34
    label = font("DejaVuSans", 17)
    widths = [26 + c.text_width(name, label) for _, name in legend]
    lx = cx - (sum(widths) + 24 * (len(widths) - 1)) / 2
    for color, name in legend:
        c.rect((lx, ly - 9, lx + 18, ly + 9), color, radius=3)
        c.text((lx + 26, ly), name, label, TEXT, "lm")
        lx += 26 + c.text_width(name, label) + 24
    return {"art_ocean": (gx0 + grid * 0.45, gy0 + grid * 0.4)}


def art_evaporation(c: Canvas, box) -> dict:
    x0, y0, x1, y1 = box
    panel(c, box)
    sun(c, x1 - 80, y0 + 80, 36)
    sea_y = y1 - 110
    waves(c, x0, x1 - 120, sea_y, y1, fill=WATER)
    # shore with a tree on the right
    c.polygon([(x1 - 150, y1), (x1 - 110, sea_y - 10), (x1, sea_y - 20), (x1, y1)], GRASS)
    tree(c, x1 - 55, sea_y - 16, 0.9)
    for i, x in enumerate((x0 + 60, x0 + 130, x0 + 200)):
        wavy_up(c, x, sea_y - 18, y0 + 120 + (i % 2) * 30, (144, 202, 249), 5)
    wavy_up(c, x1 - 55, sea_y - 90, y0 + 150, (165, 214, 167), 4)
    return {"art_vapor": (x0 + 140, y0 + 200)}


def art_condensation(c: Canvas, box) -> dict:
    x0, y0, x1, y1 = box
    panel(c, box)
    cx = (x0 + x1) / 2 + 30
    sea_y = y1 - 60
    waves(c, x0, x1, sea_y, y1, amp=5, fill=WATER)
    for x in (cx - 70, cx + 70):
        wavy_up(c, x, sea_y - 14, y0 + 230, (144, 202, 249), 4)
    # droplets gathering as the air cools
    rnd = random.Random(7)
    for _ in range(30):
        x = rnd.uniform(cx - 150, cx + 150)
        y = rnd.uniform(y0 + 180, y0 + 300)
        c.circle(x, y, rnd.uniform(3, 6), (144, 202, 249))
    cloud(c, cx, y0 + 105, 1.4)
    # thermometer: warm near the sea, cold up high
    tx = x0 + 46
    top, bulb = y0 + 70, sea_y - 60
    c.rect((tx - 9, top, tx + 9, bulb), (255, 255, 255), radius=9, outline=MUTED, width=2)
    c.circle(tx, bulb, 17, (229, 57, 53))
    c.rect((tx - 4, top + 150, tx + 4, bulb), (229, 57, 53), radius=4)
    small = font("DejaVuSans-Bold", 16)
    c.text((tx, top - 22), "cold", small, (30, 136, 229), "mm")
    c.text((tx + 26, bulb), "warm", small, (229, 57, 53), "lm")
    return {"art_cloud": (cx + 30, y0 + 115)}


def art_precipitation(c: Canvas, box) -> dict:
    x0, y0, x1, y1 = box
    panel(c, box)
    cx = (x0 + x1) / 2
    cloud(c, cx - 40, y0 + 90, 1.2, fill=CLOUD_GREY, edge=(144, 164, 174))
    cloud(c, cx + 80, y0 + 70, 0.8, fill=(224, 230, 233), edge=(144, 164, 174))
    rnd = random.Random(3)
    for i in range(14):
        x = cx - 120 + i * 18 + rnd.uniform(-4, 4)
        y = y0 + 170 + rnd.uniform(0, 110)
        if i >= 10:
            snowflake(c, x + 20, y)
        else:
            drop(c, x, y, 0.75)
    # hills, a river and a lake
    ground_y = y1 - 95
    c.polygon(
        [
            (x0, ground_y + 10),
            (x0 + 120, ground_y - 40),
            (x0 + 260, ground_y),
            (x1, ground_y - 25),
            (x1, y1),
            (x0, y1),
        ],
        GRASS,
    )
    river = bezier((x0 + 110, ground_y - 25), (x0 + 170, y1 - 40), (x1 - 140, y1 - 30))
    c.line(river, WATER, 12)
    c.ellipse((x1 - 170, y1 - 60, x1 - 20, y1 - 14), WATER, outline=WATER_DARK, width=2)
    return {"art_rain": (cx - 60, y0 + 230)}


def art_cycle(c: Canvas, box) -> dict:
    """The whole cycle as one labelled diagram."""
    x0, y0, x1, y1 = box
    panel(c, box)
    w = x1 - x0
    sea_top = y1 - 90
    ground = sea_top - 14
    # mountain, then the sea, then the grassy land in front
    peak = (x0 + w * 0.74, y0 + 235)
    c.polygon([(x0 + w * 0.55, ground + 5), peak, (x1 + 10, ground + 5)], MOUNTAIN)
    cap = 0.22
    c.polygon(
        [
            peak,
            (peak[0] - (peak[0] - x0 - w * 0.55) * cap, peak[1] + (ground - peak[1]) * cap),
            (peak[0] + (x1 + 10 - peak[0]) * cap, peak[1] + (ground - peak[1]) * cap),
        ],
        SNOW,
    )
    waves(c, x0, x0 + w * 0.55, sea_top, y1, fill=WATER)
    c.polygon(
        [
            (x0 + w * 0.44, y1),
            (x0 + w * 0.50, ground),
            (x1, ground - 12),
            (x1, y1),
        ],
        GRASS,
    )
    sun(c, x0 + 58, y0 + 60, 26)
    cloud(c, x0 + w * 0.60, y0 + 100, 0.9)
    rnd = random.Random(11)
    for i in range(6):
        drop(c, x0 + w * 0.53 + i * 17, y0 + 165 + rnd.uniform(0, 30), 0.6)
    lab = font("DejaVuSans-Bold", 17)
    blue = WATER_DARK
    # evaporation: up from the sea to the cloud
    arrow(c, (x0 + w * 0.20, sea_top - 16), (x0 + w * 0.45, y0 + 110), blue, 5, bend=-0.18)
    c.text((x0 + 16, y0 + 215), "Evaporation", lab, TEXT, "lm")
    # condensation: the cloud itself
    c.text((x0 + w * 0.60, y0 + 30), "Condensation", lab, TEXT, "mm")
    # precipitation: down from the cloud onto the mountain
    arrow(c, (x0 + w * 0.90, y0 + 120), (x0 + w * 0.92, y0 + 215), blue, 5, bend=0.1)
    c.text((x1 - 12, y0 + 100), "Precipitation", lab, TEXT, "rm")
    # collection: water runs off the land back into the sea
    arrow(c, (x0 + w * 0.90, ground + 22), (x0 + w * 0.46, sea_top + 30), blue, 5, bend=-0.08)
    c.text((x0 + w * 0.72, y1 - 22), "Collection", lab, (255, 255, 255), "mm")
    return {
        "art_sun": (x0 + 64, y0 + 70),
        "art_evap": (x0 + 70, y0 + 222),
        "art_cond": (x0 + w * 0.60, y0 + 38),
        "art_prec": (x1 - 70, y0 + 108),
        "art_coll": (x0 + w * 0.72, y1 - 16),
    }


ART = {
    "storage": art_storage,
    "evaporation": art_evaporation,
    "condensation": art_condensation,
    "precipitation": art_precipitation,
    "cycle": art_cycle,
}


# --- slide templates -------------------------------------------------------------------------


def footer(c: Canvas, number: int, total: int, dark: bool = False):
    fnt = font("DejaVuSans", 16)
    color = (200, 210, 222) if dark else MUTED
    if not dark:
        c.rect((48, HEIGHT - 52, WIDTH - 48, HEIGHT - 51), (222, 226, 230))
    c.text((48, HEIGHT - 28), f"{COURSE}  \u00b7  {LECTURE_LABEL}", fnt, color, "lm")
    c.text((WIDTH - 48, HEIGHT - 28), f"{number} / {total}", fnt, color, "rm")


def bullets(c: Canvas, items, x, y, max_width, size=30, gap=26) -> dict:
    fnt = font("DejaVuSans", size)
    line_h = size * 1.3
    anchors = {}
    for i, item in enumerate(items):
        c.circle(x + 8, y + line_h / 2, 7, ACCENT)
        lines = wrap(c, item, fnt, max_width - 40)
        for j, line in enumerate(lines):
            c.text((x + 34, y + j * line_h + line_h / 2), line, fnt, TEXT, "lm")
        first_w = c.text_width(lines[0], fnt)
        anchors[f"b{i}"] = (x + 34 + min(first_w * 0.55, 260), y + line_h * 0.75)
        y += len(lines) * line_h + gap
    return anchors


def render_content(slide: Slide, number: int, total: int) -> tuple[np.ndarray, dict]:
    c = Canvas()
    # title bar with an accent stripe
    c.rect((0, 0, WIDTH, 112), NAVY)
    c.rect((0, 112, WIDTH, 120), ACCENT)
    title_font = font("DejaVuSans-Bold", 40)
    if c.text_width(slide.title, title_font) > WIDTH - 140:
        title_font = font("DejaVuSans-Bold", 34)
    c.text((56, 58), slide.title, title_font, (255, 255, 255), "lm")
    anchors = {}
    has_art = bool(slide.art)
    text_width = 620 if has_art else WIDTH - 160
    anchors.update(bullets(c, slide.bullets, 64, 178, text_width))
    if has_art:
        box = (740, 160, WIDTH - 48, HEIGHT - 76)
        before = c.img.copy()
        anchors.update(ART[slide.art](c, box))
        c.clip_since(before, box, 18)
    footer(c, number, total)
    return c.finish(), anchors


def render_title(slide: Slide, number: int, total: int) -> tuple[np.ndarray, dict]:
    c = Canvas()
    c.rect((0, 0, WIDTH, 330), NAVY)
    c.rect((0, 330, WIDTH, 340), ACCENT)
    # a few decorative drops in the banner
    for i, (x, y, s) in enumerate([(1060, 120, 2.6), (1150, 210, 1.6), (985, 235, 1.2)]):
        drop(c, x, y, s, fill=(52, 94, 140) if i else (60, 110, 160))
    c.text(
        (80, 92),
        f"{COURSE.upper()}  \u00b7  {LECTURE_LABEL.upper()}",
        font("DejaVuSans-Bold", 18),
        ACCENT_LIGHT,
        "lm",
    )
    c.text((78, 170), slide.title, font("DejaVuSans-Bold", 56), (255, 255, 255), "lm")
    c.text(
        (80, 250),
        "From the oceans to the sky and back again",
        font("DejaVuSans", 26),
        (200, 214, 230),
        "lm",
    )
    c.text((80, 392), "In this lecture", font("DejaVuSans-Bold", 26), NAVY, "lm")
    anchors = bullets(c, slide.bullets, 84, 428, 900, size=28, gap=14)
    footer(c, number, total)
    return c.finish(), anchors


# --- the pointer -----------------------------------------------------------------------------


def pointer_sprite() -> tuple[np.ndarray, np.ndarray]:
    """A classic arrow cursor: RGB (h, w, 3) in 0..255 and alpha (h, w, 1) in 0..1.

    The tip (hotspot) is at about (1, 1) in the sprite.
    """
    k = 8
    shape = [(0, 0), (0, 17), (4.2, 13.2), (7, 19.5), (9.6, 18.4), (6.9, 12.3), (12, 12.3)]
    scale = 1.45
    w, h = 22, 32
    img = Image.new("RGBA", (w * k, h * k), (0, 0, 0, 0))
    pts = [((x * scale + 1.5) * k, (y * scale + 1.5) * k) for x, y in shape]
    # soft shadow
    shadow = Image.new("RGBA", img.size, (0, 0, 0, 0))
    ImageDraw.Draw(shadow).polygon([(x + 1.5 * k, y + 1.5 * k) for x, y in pts], fill=(0, 0, 0, 70))
    img = Image.alpha_composite(img, shadow)
    d = ImageDraw.Draw(img)
    d.polygon(pts, fill=(255, 255, 255, 255))
    inner = [
        ((x * scale * 0.86 + 1.5 + 0.55 * scale), (y * scale * 0.86 + 1.5 + 1.1 * scale))
        for x, y in shape
    ]
    d.polygon([(x * k, y * k) for x, y in inner], fill=(20, 20, 20, 255))
    small = np.asarray(img.resize((w, h), Image.Resampling.LANCZOS), dtype=np.float32) / 255.0
    return small[..., :3] * 255.0, small[..., 3:4]


def smoothstep(t: float) -> float:
    t = min(1.0, max(0.0, t))
    return t * t * t * (t * (t * 6 - 15) + 10)


@dataclass
class Move:
    start: float
    end: float
    p0: tuple[float, float]
    p1: tuple[float, float]
    ctrl: tuple[float, float]


def plan_moves(slides, timings, anchors_per_slide) -> list[Move]:
    rnd = random.Random(2024)
    rest_points = [(1150, 640), (1100, 600), (1180, 560)]
    pos = (1130, 650)
    moves = []
    for slide, (start, speech_start, speech_dur, _end), anchors in zip(
        slides, timings, anchors_per_slide, strict=True
    ):
        total_chars = len(slide.narration)
        sentence_starts = []
        acc = 0
        for s in slide.sentences:
            sentence_starts.append(acc / total_chars)
            acc += len(s) + 1
        for where, target in slide.pointer:
            idx = int(where)
            frac = sentence_starts[idx]
            if where != idx:  # fractional: part way through that sentence
                nxt = sentence_starts[idx + 1] if idx + 1 < len(sentence_starts) else 1.0
                frac += (where - idx) * (nxt - frac)
            arrive = speech_start + frac * speech_dur + 0.15
            if target == "rest":
                goal = rest_points[rnd.randrange(len(rest_points))]
            else:
                gx, gy = anchors[target] if isinstance(target, str) else target
                goal = (gx + rnd.uniform(-12, 12), gy + rnd.uniform(-4, 6))
            dist = math.hypot(goal[0] - pos[0], goal[1] - pos[1])
            dur = 0.45 + min(0.55, dist / 1400)
            begin = max(arrive - dur, start + 0.2, moves[-1].end + 0.1 if moves else 0.0)
            # a slight arc, like a hand moving a mouse
            mx, my = (pos[0] + goal[0]) / 2, (pos[1] + goal[1]) / 2
            bend = rnd.uniform(-0.12, 0.12) * dist
            nx, ny = (-(goal[1] - pos[1]), goal[0] - pos[0])
            nl = math.hypot(nx, ny) or 1.0
            ctrl = (mx + nx / nl * bend, my + ny / nl * bend)
            moves.append(Move(begin, begin + dur, pos, goal, ctrl))
            pos = goal
    return moves


def pointer_at(moves: list[Move], t: float, start=(1130.0, 650.0)) -> tuple[float, float]:
    pos = start
    for m in moves:
        if t < m.start:
            return pos
        if t < m.end:
            u = smoothstep((t - m.start) / (m.end - m.start))
            x = (1 - u) ** 2 * m.p0[0] + 2 * (1 - u) * u * m.ctrl[0] + u**2 * m.p1[0]
            y = (1 - u) ** 2 * m.p0[1] + 2 * (1 - u) * u * m.ctrl[1] + u**2 * m.p1[1]
            return (x, y)
        pos = m.p1
    return pos


def compose(base: np.ndarray, sprite, x: int, y: int) -> np.ndarray:
    rgb, alpha = sprite
    frame = base.copy()
    h, w = alpha.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(WIDTH, x + w), min(HEIGHT, y + h)
    if x1 <= x0 or y1 <= y0:
        return frame
    sx0, sy0 = x0 - x, y0 - y
    sx1, sy1 = sx0 + (x1 - x0), sy0 + (y1 - y0)
    a = alpha[sy0:sy1, sx0:sx1]
    roi = frame[y0:y1, x0:x1].astype(np.float32)
    frame[y0:y1, x0:x1] = (roi * (1 - a) + rgb[sy0:sy1, sx0:sx1] * a + 0.5).astype(np.uint8)
    return frame


# --------------------------------------------------------------------------------------------
# Audio
# --------------------------------------------------------------------------------------------


def speak(text: str, path: Path) -> np.ndarray:
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            VOICE,
            "-s",
            str(SPEED_WPM),
            "-g",
            str(WORD_GAP),
            "-w",
            str(path),
            text,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with wave.open(str(path), "rb") as wf:
        if wf.getframerate() != SPEECH_RATE or wf.getnchannels() != 1 or wf.getsampwidth() != 2:
            sys.exit(f"unexpected espeak-ng output format in {path}")
        samples = np.frombuffer(wf.readframes(wf.getnframes()), dtype="<i2")
    # trim espeak's leading and trailing silence so the timing is under our control
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 300)
    if loud.size == 0:
        sys.exit(f"espeak-ng produced silence for: {text!r}")
    pad = int(0.03 * SPEECH_RATE)
    return samples[max(0, loud[0] - pad) : loud[-1] + pad].copy()


def frames_for(seconds: float) -> int:
    return math.ceil(round(seconds * FPS, 6))


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def build(out_dir: Path) -> None:
    for tool in ("ffmpeg", "espeak-ng"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is required (make setup installs it)")
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    total = len(SLIDES)
    samples_per_frame = SPEECH_RATE // FPS

    with tempfile.TemporaryDirectory(prefix="lectern-sample-") as tmp:
        tmp_dir = Path(tmp)

        # 1. narration, and the timeline that follows from it
        audio_parts = []
        timings = []  # (start, speech_start, speech_duration, end) in seconds
        frame_cursor = 0
        for i, slide in enumerate(SLIDES):
            speech = speak(slide.narration, tmp_dir / f"slide{i + 1}.wav")
            lead = FIRST_LEAD_IN if i == 0 else LEAD_IN
            lead_frames = frames_for(lead)
            speech_dur = len(speech) / SPEECH_RATE
            n_frames = lead_frames + frames_for(speech_dur + TAIL)
            part = np.zeros(n_frames * samples_per_frame, dtype=np.int16)
            offset = lead_frames * samples_per_frame
            part[offset : offset + len(speech)] = speech
            audio_parts.append(part)
            start = frame_cursor / FPS
            timings.append(
                (start, start + lead_frames / FPS, speech_dur, (frame_cursor + n_frames) / FPS)
            )
            frame_cursor += n_frames
        total_frames = frame_cursor
        duration = total_frames / FPS
        wav_path = tmp_dir / "narration.wav"
        with wave.open(str(wav_path), "wb") as wf:
            wf.setnchannels(1)
            wf.setsampwidth(2)
            wf.setframerate(SPEECH_RATE)
            wf.writeframes(np.concatenate(audio_parts).astype("<i2").tobytes())

        # 2. slides
        bases, anchors_per_slide = [], []
        for i, slide in enumerate(SLIDES):
            render = render_title if slide.kind == "title" else render_content
            img, anchors = render(slide, i + 1, total)
            bases.append(img)
            anchors_per_slide.append(anchors)
        moves = plan_moves(SLIDES, timings, anchors_per_slide)
        sprite = pointer_sprite()

        # 3. video: raw RGB frames piped into ffmpeg, muxed with the narration
        mp4_path = out_dir / "lecture.mp4"
        tmp_mp4 = tmp_dir / "lecture.mp4"
        cmd = [
            "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{WIDTH}x{HEIGHT}", "-r", str(FPS),
            "-i", "-",
            "-i", str(wav_path),
            "-map", "0:v", "-map", "1:a",
            "-vf", "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p",
            "-c:v", "libx264", "-preset", "slow", "-crf", "30", "-tune", "stillimage",
            "-g", str(FPS * 5), "-threads", "2",
            "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
            "-c:a", "aac", "-b:a", "64k", "-ac", "1", "-ar", "48000",
            "-map_metadata", "-1",
            "-metadata", f"title={TITLE}",
            "-metadata", f"artist={AUTHOR}",
            "-metadata", f"album={COURSE}",
            "-metadata", f"comment={DESCRIPTION}",
            "-metadata", "language=eng",
            "-metadata:s:a:0", "language=eng",
            "-fflags", "+bitexact", "-flags:a", "+bitexact",
            "-movflags", "+faststart",
            str(tmp_mp4),
        ]  # fmt: skip
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
        assert proc.stdin is not None
        slide_idx = 0
        last_key, last_bytes = None, b""
        try:
            for f in range(total_frames):
                t = f / FPS
                while t >= timings[slide_idx][3]:
                    slide_idx += 1
                x, y = pointer_at(moves, t)
                key = (slide_idx, round(x), round(y))
                if key != last_key:
                    last_bytes = compose(bases[slide_idx], sprite, key[1] - 1, key[2] - 1).tobytes()
                    last_key = key
                proc.stdin.write(last_bytes)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        if proc.wait() != 0:
            sys.exit("ffmpeg failed")
        shutil.move(str(tmp_mp4), mp4_path)

    # 4. ground truth
    truth = {
        "title": TITLE,
        "author": AUTHOR,
        "description": DESCRIPTION,
        "language": "en",
        "duration": round(duration, 3),
        "slides": [
            {
                "start": round(start, 3),
                "end": round(end, 3),
                "title": slide.title,
                "narration": slide.narration,
            }
            for slide, (start, _s, _d, end) in zip(SLIDES, timings, strict=True)
        ],
    }
    (out_dir / "lecture.json").write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n")
    size = mp4_path.stat().st_size
    print(
        f"wrote {mp4_path} ({duration:.2f} s, {size / 1e6:.2f} MB) and lecture.json "
        f"in {time.monotonic() - t0:.1f} s"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="output folder (default: the folder of this script)",
    )
    args = parser.parse_args(argv)
    build(args.out)


if __name__ == "__main__":
    main()
