"""Slide-aware detection: OCR reads titles, reveals are steps, text-less videos stay calm."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from shared.chapters import chapters_from_changes
from shared.chapters import slides as slides_module
from shared.chapters.slides import OcrModelMissingError, detect_slides, read_slide
from shared.media import ffmpeg_exe
from tests.shared.slide_videos import make_scroll_video, make_slide_video

SIZE = (960, 540)


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    """Four slides: a reveal under the same title, then a slide shown only 4 s."""
    slides = [
        (6.0, "Where Is the Water on Earth", ["Oceans hold most of it"]),
        (6.0, "Where Is the Water on Earth", ["Oceans hold most of it", "Ice caps hold more"]),
        (4.0, "The Water Cycle", ["Evaporation from the sea", "Rain over the land"]),
        (6.0, "Clouds and Rain", ["Droplets grow until they fall"]),
    ]
    path = tmp_path_factory.mktemp("ocr") / "deck.mp4"
    truth = make_slide_video(path, slides, size=SIZE, crf=26, seed=3, pointer=False)
    return path, truth


def test_reads_titles_keeps_short_slides_and_treats_a_reveal_as_a_step(deck):
    path, truth = deck
    found = detect_slides(path)
    # truth[0] is the reveal (same title): not a new slide.
    assert [round(s.time) for s in found[1:]] == [round(t) for t in truth[1:]], found
    assert all(abs(s.time - t) <= 1.0 for s, t in zip(found[1:], truth[1:], strict=True))
    # The words of each title, read in order (OCR may run two words of this small,
    # generated text together: the sample lecture below holds their spacing).
    titles = [s.text.title.lower().replace(" ", "") for s in found]
    assert titles == ["whereisthewateronearth", "thewatercycle", "cloudsandrain"]
    # The first slide keeps the text of its last step, revealed bullet included (OCR
    # sometimes drops the spaces between small words).
    assert any("icecaps" in line.lower().replace(" ", "") for line in found[0].text.lines)


def test_slides_that_push_each_other_out_are_each_read_before_the_next_moves_in(tmp_path):
    # Read 0.8 s before the next change, a slide pushed out over 1.4 s is already half
    # gone, and the next one's title sits in its middle.
    slides = [
        (7.0, "Where Is the Water on Earth", ["Oceans hold most of it", "Ice caps hold more"]),
        (7.0, "The Water Cycle", ["Evaporation from the sea", "Rain over the land"]),
        (7.0, "Clouds and Rain", ["Droplets grow until they fall"]),
        (7.0, "Rivers Return It", ["Down to the sea again"]),
    ]
    path = tmp_path / "pushed.mp4"
    truth = make_slide_video(path, slides, size=SIZE, push=1.4, crf=24, seed=5, pointer=False)
    found = detect_slides(path)
    assert len(found) == 4 and all(
        abs(s.time - t) <= 1.0 for s, t in zip(found[1:], truth, strict=True)
    ), found
    titles = [s.text.title.lower().replace(" ", "") for s in found]
    assert titles == ["whereisthewateronearth", "thewatercycle", "cloudsandrain", "riversreturnit"]


def test_the_sample_lectures_titles_are_read_word_for_word():
    """The bundled lecture, a rendered deck with a coloured title bar: every title with
    its words apart. Kept as grey JPEGs, the slides read "WhereIstheWateronEarth?"."""
    import json

    from lectern_resources import path as resource

    truth = json.loads(Path(resource("sample/lecture.json")).read_text(encoding="utf-8"))
    found = detect_slides(resource("sample/lecture.mp4"))
    assert [s.text.title for s in found] == [slide["title"] for slide in truth["slides"]]


def test_a_video_without_text_gets_no_chapter_every_few_seconds(tmp_path):
    path = tmp_path / "fractal.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi",
         "-i", "mandelbrot=size=320x180:rate=15", "-t", "24", "-c:v", "libx264",
         "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
        check=True,
    )  # fmt: skip
    found = detect_slides(path, min_gap=10.0)
    assert found[0].time == 0.0
    gaps = [b.time - a.time for a, b in zip(found, found[1:], strict=False)]
    assert all(gap >= 10.0 for gap in gaps), found


def test_a_clip_playing_inside_a_slide_neither_hides_a_change_nor_makes_one(tmp_path):
    """The clip plays in slides 1 and 3: every change is found, none in the middle."""
    slides = [
        (6.0, "Rivers and Lakes", ["Fresh water", "Flows to the sea"]),
        (9.0, "A River in Flood", ["Watch the water", "Rise"]),
        (6.0, "Glaciers", ["Frozen water", "Moves slowly"]),
        (9.0, "A Glacier Calving", ["Watch the ice", "Fall"]),
        (6.0, "Groundwater", ["Water under the ground"]),
    ]
    path = tmp_path / "clips.mp4"
    truth = make_slide_video(
        path, slides, size=SIZE, crf=28, seed=5, pointer=True, inset=False, clip_slides=(1, 3)
    )
    found = detect_slides(path)
    assert len(found) == len(slides), found
    assert all(abs(s.time - t) <= 1.0 for s, t in zip(found[1:], truth, strict=True)), found
    titles = [s.text.title.lower() for s in found]
    assert titles == [title.lower() for _, title, _ in slides], titles


def test_a_screen_with_no_text_and_a_moving_picture_gets_no_chapter_every_few_seconds(tmp_path):
    path = tmp_path / "talking.mp4"
    make_slide_video(path, [(24.0, "", [])], size=(480, 270), crf=30, seed=2, clip_slides=(0,))
    found = detect_slides(path, min_gap=10.0)
    assert found[0].time == 0.0 and found[0].text.empty
    gaps = [b.time - a.time for a, b in zip(found, found[1:], strict=False)]
    assert all(gap >= 10.0 for gap in gaps), found


def _screen(title: str, lines: list[str], dark: bool, size: int = 22) -> np.ndarray:
    """An application window filling a 960x540 screen: a title bar and monospaced text
    (``size`` pixels; 16 fits 22 lines)."""
    from PIL import Image, ImageDraw, ImageFont

    back, ink = ((30, 30, 30), (220, 220, 220)) if dark else ((255, 255, 255), (20, 20, 20))
    image = Image.new("RGB", (960, 540), back)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 960, 40), fill=(60, 90, 140))
    bar = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 22)
    mono = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", size)
    draw.text((16, 8), title, font=bar, fill="white")
    for row, line in enumerate(lines):
        draw.text((20, 52 + round(size * 1.4) * row), line, font=mono, fill=ink)
    return np.asarray(image)[:, :, ::-1].copy()


def _encode(path: Path, frames: list[np.ndarray], fps: int) -> None:
    encoder = subprocess.Popen(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "rawvideo",
         "-pix_fmt", "bgr24", "-s", "960x540", "-r", str(fps), "-i", "-",
         "-c:v", "libx264", "-preset", "ultrafast", "-crf", "26", "-pix_fmt", "yuv420p",
         str(path)],
        stdin=subprocess.PIPE,
    )  # fmt: skip
    encoder.communicate(b"".join(frame.tobytes() for frame in frames))


def test_typing_in_an_editor_is_one_chapter_and_switching_apps_makes_the_next(tmp_path):
    """A screen recording of ordinary work: code typed line by line, then a terminal."""
    code = ["def mean(values):", "    total = sum(values)", "    count = len(values)",
            "    return total / count", "", "print(mean([1, 2, 3]))"]  # fmt: skip
    shell = ["$ python mean.py", "2.0", "$ ls", "mean.py  notes.txt", "$"]
    fps, frames = 10, []
    for shown in range(1, len(code) + 1):  # a line typed every 2.5 s, a letter at a time
        for step in range(25):
            typed = code[: shown - 1] + [code[shown - 1][: step * 2 + 1]]
            frames.append(_screen("mean.py - Editor", typed, dark=False))
    switch = len(frames) / fps
    for shown in range(1, len(shell) + 1):
        frames += [_screen("Terminal", shell[:shown], dark=True)] * 30
    path = tmp_path / "work.mp4"
    _encode(path, frames, fps)
    found = detect_slides(path)
    assert [round(s.time) for s in found] == [0, round(switch)], found
    assert "mean.py" in found[0].text.title and "Terminal" in found[1].text.lines


def test_a_command_that_prints_a_screenful_is_the_same_terminal_and_another_window_is_not(
    tmp_path,
):
    """A terminal full of one command's output, then of the next one's: nothing of the
    first page is left, but the window (its title bar) is the same, so it is a step.
    Switching to an editor window, a page of text as full, is a change."""
    import calendar
    import inspect

    names = sorted(sys.stdlib_module_names)[:60]
    listing = ["$ ls /usr/lib/python3"] + [
        "  ".join(f"{name:<18}" for name in names[row::21]) for row in range(21)
    ]
    year = calendar.TextCalendar().formatyear(2026, w=2, l=1, c=4, m=3).splitlines()
    printed = ["$ python3 -m calendar 2026", *year[2:22]]
    code = [line for line in inspect.getsource(calendar).splitlines() if line.strip()][30:52]
    fps = 10
    frames = [_screen("Terminal", listing, dark=True, size=16)] * 60
    frames += [_screen("Terminal", printed, dark=True, size=16)] * 60
    switch = len(frames) / fps
    frames += [_screen("calendar.py - Editor", code, dark=False, size=16)] * 60
    path = tmp_path / "terminal.mp4"
    _encode(path, frames, fps)

    found = detect_slides(path)
    assert all(len(s.text.lines) >= slides_module.PAGE_LINES for s in found), found
    assert [round(s.time) for s in found] == [0, round(switch)], [s.time for s in found]
    assert len(found[0].states) == 2  # the calendar printed is a step of the terminal


def test_only_a_bar_with_something_drawn_on_it_makes_two_pages_one_window():
    """Dense slides of one template share a plain top margin: that is no window bar, so
    a slide of 20 lines replaced by another stays a change."""
    from shared.chapters.slides import _same_bar

    one = _screen("Terminal", ["$ ls"] * 20, dark=True, size=16)
    two = _screen("Terminal", ["$ df -h"] * 20, dark=True, size=16)
    assert _same_bar(one, two)
    assert not _same_bar(one, _screen("Editor", ["$ ls"] * 20, dark=True, size=16))
    plain_one, plain_two = one.copy(), two.copy()
    plain_one[:48], plain_two[:48] = 255, 255  # a slide's white top margin, no bar
    assert not _same_bar(plain_one, plain_two)


def test_a_terminal_whose_first_line_moved_off_is_the_same_window_and_a_retitled_slide_is_new():
    """All the text is still there under another first line: in the same window (a
    terminal that printed a few lines more) a step; with nothing telling, a new slide."""
    from shared.chapters.slides import SlideText, _is_new_slide

    shown = ["$ df -h --total", *(f"/dev/vda{n} 252G {n}% /mnt/disk{n}" for n in range(17))]
    more = [*shown[1:], "$ uname -a", "Linux vm 6.18 x86_64 GNU/Linux", "$"]
    before, after = SlideText(shown[0], tuple(shown)), SlideText(more[0], tuple(more))
    assert not _is_new_slide(before, after, lambda: True)
    assert _is_new_slide(before, after, lambda: False)
    assert _is_new_slide(before, after)


def test_a_moving_region_full_of_text_is_read_and_a_clip_inside_a_slide_is_not():
    """Typing or scrolling all the time makes an editor's text "move by itself", as a
    clip playing inside a slide does. The text is the page and is read; the clip is
    painted over before OCR looks."""
    import cv2

    from shared.chapters.detection import _Analysis, _Keeper

    code = ["def mean(values):", "    total = sum(values)", "    return total / count",
            "def median(values):", "    ordered = sorted(values)", "    return ordered[0]"]  # fmt: skip
    editor = cv2.resize(_screen("stats.py - Editor", code, dark=False), (640, 360))
    slide = cv2.resize(_screen("Results", ["Mean and median"], dark=False), (640, 360))
    rng = np.random.default_rng(3)
    slide[160:340, 300:620] = rng.integers(0, 255, (180, 320, 3), np.uint8)  # a clip
    live = np.zeros((2, 18, 32), bool)
    live[0, 2:, :] = True  # the editor's text area, where the typing is
    live[1, 8:17, 15:31] = True  # the clip
    keeper = _Keeper(640)
    for seconds, picture in ((0.0, editor), (1.0, slide)):
        keeper.add(seconds, cv2.cvtColor(cv2.resize(picture, (160, 90)), cv2.COLOR_BGR2GRAY),
                   lambda picture=picture: picture)  # fmt: skip
    analysis = _Analysis([], [0.0, 1.0], live, 5, (90, 160))

    typed = slides_module._still_lines(keeper, analysis, 0.0)
    read = "".join(text for text, _ in slides_module._recognise(list(typed.crops)))
    read = read.replace(" ", "")  # OCR reads the spaces of code unevenly
    assert "ordered=sorted(values)" in read and "returntotal/count" in read, read
    shown = slides_module._still_lines(keeper, analysis, 1.0)
    centres = [np.mean(box, axis=0) for box in shown.boxes]
    assert centres and all(not (300 <= x <= 620 and 160 <= y <= 340) for x, y in centres)
    read = " ".join(text for text, _ in slides_module._recognise(list(shown.crops)))
    assert "Results" in read, read


def test_reading_pages_scrolled_all_the_time_is_one_chapter_per_page(tmp_path):
    """Three source files read on screen, scrolled every second or two and cut from
    one to the next while scrolling: a slide per page, none per scroll."""
    import difflib
    import inspect
    import shlex
    import textwrap

    documents = [inspect.getsource(module) for module in (textwrap, shlex, difflib)]
    truth = make_scroll_video(tmp_path / "reading.mp4", documents, seed=5)
    found = detect_slides(tmp_path / "reading.mp4")
    assert len(found) == 3, [s.time for s in found]
    for slide, time in zip(found[1:], truth, strict=True):
        assert abs(slide.time - time) <= 1.0, [s.time for s in found]
    # Each slide's text is read from its own page: most of its long words are there.
    import re

    def words(text: str) -> set[str]:
        return set(re.findall(r"[a-z_]{6,}", text.lower()))

    for number, slide in enumerate(found):
        read = words(" ".join(slide.text.lines))
        shares = [len(read & words(document)) / max(1, len(read)) for document in documents]
        assert max(range(3), key=shares.__getitem__) == number, shares


def test_a_page_of_text_that_keeps_most_of_its_lines_is_the_same_page():
    """A terminal or an editor scrolled by a third, read by OCR with a few slips: the
    same page (a step). A slide that keeps its body under a new title is still new."""
    from shared.chapters.slides import SlideText, _is_new_slide

    page = [f"line {n}: total = sum(values) / count  # {n * 7}" for n in range(40)]
    scrolled = page[13:] + [f"new output {n}" for n in range(13)]
    slipped = [line.replace("values", "va1ues") if n % 5 == 0 else line
               for n, line in enumerate(scrolled)]  # fmt: skip
    assert not _is_new_slide(SlideText(page[0], tuple(page)), SlideText(slipped[0], tuple(slipped)))
    other = [f"$ ls -l /usr/lib/file{n}.so -> libfile{n}.so.1" for n in range(40)]
    assert _is_new_slide(SlideText(page[0], tuple(page)), SlideText(other[0], tuple(other)))
    body = ("The first stage is evaporation", "Warm air rises", "Plants add vapour")
    assert _is_new_slide(
        SlideText("Step 1: Evaporation", ("Step 1: Evaporation", *body)),
        SlideText("Step 2: Condensation", ("Step 2: Condensation", *body)),
    )


def test_text_in_any_script_and_broken_pictures_do_not_crash():
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (640, 360), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 28)
    for row, text in enumerate(["Вода на Земле", "الماء على الأرض", "Νερό στη Γη", "水 ✓ ∑"]):
        draw.text((30, 30 + 70 * row), text, font=font, fill="black")
    read = read_slide(np.asarray(image)[:, :, ::-1].copy())
    assert all(isinstance(line, str) and line for line in read.lines)
    assert read_slide(np.zeros((360, 640), np.uint8)).empty  # grayscale, nothing on it
    assert read_slide(np.full((4, 4000, 3), 255, np.uint8)).empty  # a sliver


def test_a_title_that_wraps_onto_two_lines_is_read_whole():
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1280, 720), (253, 246, 227))
    draw = ImageDraw.Draw(image)
    bold = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 56)
    body = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 34)
    draw.text((70, 60), "Evaporation and Condensation", font=bold, fill=(69, 90, 100))
    draw.text((70, 135), "in the Water Cycle", font=bold, fill=(69, 90, 100))
    for row, text in enumerate(["The sun warms the sea", "Vapour rises and cools"]):
        draw.text((110, 260 + 60 * row), text, font=body, fill=(69, 90, 100))
    read = read_slide(np.asarray(image)[:, :, ::-1].copy())
    assert read.title.lower().replace(" ", "") == "evaporationandcondensationinthewatercycle"
    assert len(read.lines) == 4


def test_a_short_slide_centred_on_the_page_has_its_title_and_bullets_stay_out_of_it():
    """As Marp and Impress lay out a slide with little on it: the text block is centred
    vertically, and the bullet right under the title is set nearly as large."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1280, 720), "white")
    draw = ImageDraw.Draw(image)
    bold = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 46)
    body = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 38)
    draw.text((90, 290), "Encode: Encode a file", font=bold, fill=(30, 30, 30))
    draw.text((110, 360), "• Reads the input in blocks", font=body, fill=(30, 30, 30))
    read = read_slide(np.asarray(image)[:, :, ::-1].copy())
    assert read.title.lower().replace(" ", "") == "encode:encodeafile", read
    assert len(read.lines) == 2


def test_a_centred_title_that_wraps_is_read_whole_when_set_no_larger_than_the_text():
    """As an Impress template sets a long title: centred in its box, wrapped, in type
    hardly larger than the bullets under it (which are not centred on it)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1280, 720), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
    for top, text in ((30, "Selector: Base class for every selector"), (90, "object in use")):
        left = (1280 - draw.textlength(text, font=font)) / 2
        draw.text((left, top), text, font=font, fill=(20, 20, 20))
    small = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 36)
    for row, text in enumerate(["Registers file objects", "Waits for events on them"]):
        draw.text((90, 180 + 60 * row), text, font=small, fill=(20, 20, 20))
    read = read_slide(np.asarray(image)[:, :, ::-1].copy())
    assert read.title.lower().replace(" ", "") == "selector:baseclassforeveryselectorobjectinuse"


def _slide(lines: list[tuple[str, int, str, int]]) -> np.ndarray:
    """A 1280x720 slide of ``(text, size, align, top)`` lines: align is left or right."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1280, 720), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    for text, size, align, top in lines:
        font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", size)
        left = 80 if align == "left" else 1200 - draw.textlength(text, font=font)
        draw.text((left, top), text, font=font, fill=(20, 20, 20))
    return np.asarray(image)[:, :, ::-1].copy()


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        # The body set in the title's size, right under it: OCR boxes "There is ...
        # quote" taller by its letters; the title is the top one.
        ([("translate: Translate a shell", 40, "left", 40),
          ("There is no way to quote meta-characters", 40, "left", 150)],
         "translate: Translate a shell"),
        # A wrapped line with no letters under the baseline continues the title (Marp's
        # gaia theme had it boxed 28 pixels high under 41; here the boxes are alike).
        ([("getencoder: Look up the", 56, "left", 40), ("codec for", 56, "left", 115),
          ("• Raises a LookupError", 36, "left", 260), ("• if the codec is unknown", 36,
          "left", 320)], "getencoder: Look up the codec for"),
        # A title set flush right wraps flush right.
        ([("NotSupportedError: The command or", 44, "right", 40),
          ("option is", 44, "right", 100), ("• Raised when the server", 32, "left", 240),
          ("• refuses a command", 32, "left", 290)], "NotSupportedError: The command or option is"),
    ],
)  # fmt: skip
def test_a_title_is_told_from_the_body_by_place_and_size_not_by_the_letters_in_it(lines, title):
    read = read_slide(_slide(lines))
    assert _squeeze(read.title) == _squeeze(title), read


FRAMES = Path(__file__).resolve().parents[1] / "fixtures" / "slide_frames"


@pytest.mark.parametrize(
    ("frame", "title"),
    [
        ("marp-gaia-wrapped-title.png", "getincrementalencoder: Lookup up the codec for"),
        ("impress-beehive-body-as-tall.png", "translate: Translate a shell PATTERN to a"),
        ("beamer-hannover-flush-right.png", "SMTPNotSupportedError: The command or option is"),
        ("marp-gaia-short-second-line.png", "AugLoad: Deprecated AST node class"),
        ("beamer-hannover-sidebar.png", "Dialect: Describe a CSV dialect"),
    ],
)
def test_titles_of_third_party_themes_are_read_whole_and_alone(frame, title):
    """Frames of real themes (tuning set): a wrapped line boxed shorter by its letters
    (Marp gaia), a body line boxed as tall as the title (Impress Beehive), a title set
    flush right (Beamer Hannover); the last two must stay as they were read before."""
    import cv2

    read = read_slide(cv2.imread(str(FRAMES / frame)))
    assert _squeeze(read.title) == _squeeze(title), read


def test_a_change_in_a_stretch_of_scrolling_is_timed_by_the_step_no_scroll_explains():
    """Three scroll steps as large as the cut after them: the change is the cut."""
    from shared.chapters.detection import _change_time

    times = [0.5 * i for i in range(8)]
    step = np.zeros((8, 2, 2), np.float32)
    step[2:6] = 10.0  # steps 2, 3, 4 scrolled; step 5 is the cut
    changed = np.ones((2, 2), bool)
    scrolled = {2: None, 3: None, 4: None}
    assert _change_time([3, 4, 5], changed, step, times, scrolled) == pytest.approx(2.25)
    assert _change_time([3, 4, 5], changed, step, times, {}) < 2.0  # all steps: earlier


def _squeeze(text: str) -> str:
    return "".join(text.lower().split())


def test_blank_and_noisy_pictures_read_as_no_text():
    assert read_slide(np.zeros((360, 640, 3), np.uint8)).empty
    assert read_slide(np.zeros((1, 1, 3), np.uint8)).empty  # too small to read
    noise = np.random.default_rng(1).integers(0, 255, (90, 160, 3), dtype=np.uint8)
    assert len(read_slide(noise).lines) <= 2


def test_a_missing_ocr_engine_is_one_sentence(monkeypatch):
    monkeypatch.setattr(slides_module, "_ENGINE", None)
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # import fails
    with pytest.raises(OcrModelMissingError) as caught:
        read_slide(np.zeros((90, 160, 3), np.uint8))
    message = str(caught.value)
    assert "rapidocr-onnxruntime" in message and "reinstall" in message
    assert message.count(". ") == 0 and "\n" not in message


@dataclass(frozen=True)
class Said:
    start: float
    end: float
    text: str


def test_a_chapter_is_titled_by_its_slide_and_by_the_speech_only_as_a_fallback():
    speech = [Said(0.5, 4.0, "Welcome to this short lecture."), Said(12.0, 15.0, "So, clouds.")]
    titles = {0.0: "Where Is the Water on Earth?", 6.0: "  The Water   Cycle ", 11.0: ""}
    chapters = chapters_from_changes(
        [6.0, 11.0], 20.0, segments=speech, min_length=2.5, slide_titles=titles
    )
    assert [c.title for c in chapters] == [
        "Where Is the Water on Earth?",
        "The Water Cycle",
        "Clouds",
    ]
