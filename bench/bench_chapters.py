"""Benchmark slide-change detection on real slide decks, against common baselines.

The lectures come from ``bench/corpus/build_corpus.py`` (real Beamer themes),
``bench/corpus/marp_corpus.py`` (real Marp themes rendered by Chromium) and
``bench/corpus/impress_corpus.py`` (LibreOffice Impress's own templates), all with
standard-library documentation as text, composed with known truth and cached in
``~/.cache/lectern-corpus``, and from ``bench/corpus/screen_corpus.py``: screen
recordings of ordinary work (a browser, an editor, a terminal, switches between them;
class "screen"), and from ``bench/corpus/push_corpus.py``: Beamer and Marp decks whose
slides push each other out, up, down or sideways (class "push"). Only the TEST set is
scored by default: it shares no theme and no text with the tuning set (``--set
tuning`` scores the tuning set, the only one to tune on). A change counts when found
within +-1 s; a reveal (a bullet added on the same slide) found as a change is a false
one.

In the same run it scores, on the same videos (baseline results are cached beside
each video, as they do not change with Lectern):

* FFmpeg's scene score (``select='gte(scene,0)'``, the score Opencast's segmenter
  thresholds) at 0.025 and at its best threshold on this test set (an oracle choice,
  generous to the baseline); frames over the threshold within 1 s are one change;
* PySceneDetect (``scenedetect`` with headless OpenCV): ContentDetector and
  AdaptiveDetector with their default settings.

It prints F1 per class of difficulty and overall, F1 per source of slides, the share of
slides titled with their own title, then speed: Lectern's detection on two 1080p, 30 fps
copies of the first test lecture (a key frame every second as the Studio records, and
x264's default key frames), as video seconds per second of wall time and of processor
time, next to ``ffmpeg -i x -f null -`` decoding the same file.

Targets: F1 >= 0.95 overall and >= 0.90 per class; >= 30x real time at 1080p on 2 cores.

    .venv/bin/python bench/bench_chapters.py [--set test|tuning]
        [--corpus beamer|marp|impress|all]
        [--no-baselines] [--no-speed]

PySceneDetect: ``.venv/bin/pip install --no-deps scenedetect`` (its own dependency on
the GUI OpenCV clashes with PySide6; click, platformdirs and tqdm are already there).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "corpus"))

from build_corpus import CLASSES, CorpusError, load_or_build  # noqa: E402

from shared.chapters import detect_slide_changes  # noqa: E402
from shared.chapters.slides import detect_slides  # noqa: E402
from shared.media import ffmpeg_exe  # noqa: E402

TOLERANCE = 1.0
SCENE_DEFAULT = 0.025
SCENE_SWEEP = [0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3]


def pairs(found: list[float], truth: list[float]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching within the tolerance: (found index, truth index) pairs."""
    unused = set(range(len(truth)))
    out = []
    for index, time_found in sorted(enumerate(found), key=lambda x: x[1]):
        near = [t for t in unused if abs(truth[t] - time_found) <= TOLERANCE]
        if near:
            best = min(near, key=lambda t: abs(truth[t] - time_found))
            unused.remove(best)
            out.append((index, best))
    return out


def match(found: list[float], truth: list[float]) -> int:
    """The number of changes found within the tolerance of a true one (one-to-one)."""
    return len(pairs(found, truth))


def same_title(a: str, b: str) -> bool:
    """Titles compared with case, punctuation and spacing ignored."""

    def key(text: str) -> str:
        return "".join(re.sub(r"[^\w]+", "", text.lower()).split())

    return bool(key(a)) and key(a) == key(b)


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def scene_scores(path: Path) -> list[tuple[float, float]]:
    """(time, FFmpeg scene score) of every frame."""
    command = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path), "-an",
        "-vf", "select='gte(scene,0)',metadata=print:file=-", "-f", "null", "-",
    ]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    scores, time_at = [], 0.0
    for line in out.splitlines():
        if m := re.search(r"pts_time:([0-9.]+)", line):
            time_at = float(m.group(1))
        elif m := re.search(r"scene_score=([0-9.]+)", line):
            scores.append((time_at, float(m.group(1))))
    return scores


def scene_changes(scores: list[tuple[float, float]], threshold: float) -> list[float]:
    """Frames over ``threshold``; those within 1 s of the previous one are the same change."""
    changes: list[float] = []
    last = -10.0
    for seconds, score in scores:
        if score > threshold:
            if seconds - last > TOLERANCE:
                changes.append(seconds)
            last = seconds
    return changes


def cached(path: Path, what: str, compute):
    """``compute(path)`` remembered beside the video (baselines do not change with Lectern)."""
    import json

    stat = path.stat()
    store = path.with_name(f"{path.stem}.{what}.json")
    key = [stat.st_size, stat.st_mtime_ns]
    if store.exists():
        saved = json.loads(store.read_text())
        if saved.get("key") == key:
            return saved["value"]
    value = compute(path)
    partial = store.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps({"key": key, "value": value}))
    partial.replace(store)
    return value


def pyscenedetect(path: Path, kind: str) -> list[float]:
    try:
        from scenedetect import AdaptiveDetector, ContentDetector, detect
    except ImportError:
        sys.exit(
            "PySceneDetect is missing: .venv/bin/pip install --no-deps scenedetect "
            "(its own dependency on the GUI OpenCV clashes with PySide6), or --no-baselines."
        )

    detector = ContentDetector() if kind == "content" else AdaptiveDetector()
    scenes = detect(str(path), detector)
    return [start.seconds for start, _ in scenes[1:]]


def _timed(call, *args) -> tuple[float, float, object]:
    """Wall and processor seconds (this process's threads and its children) of ``call``,
    and what it returned."""
    import resource

    def cpu() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    start_wall, start_cpu = time.perf_counter(), cpu()
    value = call(*args)
    return time.perf_counter() - start_wall, cpu() - start_cpu, value


SPEED_LECTURES = ("test-00-plain", "test-05-reveals")
"""The test lectures copied to 1080p for the speed rows: plain slides, and slides with reveals."""


class _reading_before:
    """The OCR as it was before issue 11's speed work, for the reference column: lines
    recognised in batches of 6 (each padded to the longest) and every line of every
    picture read, none taken over from the picture before."""

    def __enter__(self) -> None:
        from shared.chapters import slides

        self.saved = slides.LOOK_BACK, slides._engine().text_rec.rec_batch_num
        slides.LOOK_BACK = 0
        slides._engine().text_rec.rec_batch_num = 6

    def __exit__(self, *_) -> None:
        from shared.chapters import slides

        slides.LOOK_BACK, slides._engine().text_rec.rec_batch_num = self.saved


def speed_rows(folder: Path, lecture_path: Path) -> list[str]:
    """Lectern's detection and plain decoding on 1080p copies of one lecture.

    Two copies: one with a key frame every second, as the Studio records (``-g`` = the
    frame rate), and one with x264's default key frame spacing (up to 250 frames), as
    a video from elsewhere may have. Speeds are video seconds per second of wall time
    and per second of processor time (all threads): the machine is shared, so the
    processor time says more about what two idle cores would do. The reference column
    reads the slides as before the speed work (:class:`_reading_before`).
    """
    import av

    from shared.chapters.slides import _engine

    _engine()  # loaded once per process (0.3 s); not part of a video's cost
    rows = []
    for label, gop in (("key frame every 1 s (as the Studio records)", ["-g", "30"]),
                       ("x264 default key frames (<= 250 frames)", [])):  # fmt: skip
        big = folder / f"{lecture_path.stem}-1080p{'-g30' if gop else ''}.mp4"
        if not big.exists():
            subprocess.run(
                [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(lecture_path),
                 "-vf", "scale=1920:1080", "-r", "30", "-c:v", "libx264", "-preset", "veryfast",
                 "-crf", "23", *gop, str(big.with_suffix(".tmp.mp4"))],
                check=True,
            )  # fmt: skip
            big.with_suffix(".tmp.mp4").replace(big)
        with av.open(str(big)) as container:
            duration = container.duration / av.time_base
        decode = _timed(subprocess.run, [
            ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(big), "-f", "null", "-"
        ])  # fmt: skip
        picture = _timed(detect_slide_changes, big)
        slides = _timed(detect_slides, big)
        with _reading_before():
            before = _timed(detect_slides, big)
        same = [s.text for s in slides[2]] == [s.text for s in before[2]]
        cells = []
        for wall, cpu, _ in (picture, slides, before, decode):
            cells.append(f"{duration / wall:.0f}x / {duration / cpu:.0f}x")
        rows.append(
            f"| {big.name}: {label} | {duration:.0f} | {len(slides[2])} | "
            + " | ".join(cells)
            + f" | {'same' if same else 'differs'} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-baselines", action="store_true", help="score Lectern only")
    parser.add_argument(
        "--set", choices=["test", "tuning"], default="test",
        help="the set to score (tune on the tuning set only; report the test set)",
    )  # fmt: skip
    parser.add_argument("--no-speed", action="store_true", help="skip the 1080p speed run")
    parser.add_argument(
        "--corpus", choices=["beamer", "marp", "impress", "push", "screen", "all"], default="all",
        help="Beamer decks, Marp decks (bench/corpus/marp_corpus.py), LibreOffice Impress "
        "decks (bench/corpus/impress_corpus.py), decks with push transitions "
        "(bench/corpus/push_corpus.py), screen recordings of ordinary work "
        "(bench/corpus/screen_corpus.py) or all five",
    )  # fmt: skip
    args = parser.parse_args()
    chosen = []
    try:
        if args.corpus in ("beamer", "all"):
            folder, lectures = load_or_build(args.set)
            chosen += [(folder, lecture) for lecture in lectures]
        if args.corpus in ("marp", "all"):
            import marp_corpus

            folder, lectures = marp_corpus.load_or_build(args.set)
            chosen += [(folder, lecture) for lecture in lectures]
        if args.corpus in ("impress", "all"):
            import impress_corpus

            folder, lectures = impress_corpus.load_or_build(args.set)
            chosen += [(folder, lecture) for lecture in lectures]
        if args.corpus in ("push", "all"):
            import push_corpus

            folder, lectures = push_corpus.load_or_build(args.set)
            chosen += [(folder, lecture) for lecture in lectures]
            CLASSES.update(push_corpus.CLASSES)
        if args.corpus in ("screen", "all"):
            import screen_corpus

            folder, lectures = screen_corpus.load_or_build(args.set)
            chosen += [(folder, lecture) for lecture in lectures]
            CLASSES.update(screen_corpus.CLASSES)
    except CorpusError as error:
        sys.exit(str(error))
    lectures = [lecture for _, lecture in chosen]
    folder_of = {lecture.name: folder for folder, lecture in chosen}

    methods = ["Lectern, picture only", "Lectern, slides (OCR)"]
    if not args.no_baselines:
        methods += [
            f"ffmpeg scene > {SCENE_DEFAULT}", "ffmpeg scene, best",
            "PySceneDetect Content", "PySceneDetect Adaptive",
        ]  # fmt: skip
    # counts[method][class] = [tp, fp, fn]
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    sweep: dict[float, list[int]] = defaultdict(lambda: [0, 0, 0])
    sweep_class: dict[float, dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0, 0])
    )
    lines = []
    titled = [0, 0]
    untitled: list[str] = []
    picture_seconds, ocr_seconds, video_seconds = [0.0, 0.0], [0.0, 0.0], 0.0

    by_source: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    source = {"name": ""}

    def add(method: str, cls: str, found: list[float], truth: list[float]) -> None:
        hits = match(found, truth)
        for row in (counts[method][cls], by_source[method][source["name"]]):
            row[0] += hits
            row[1] += len(found) - hits
            row[2] += len(truth) - hits

    from shared.chapters.slides import _engine

    _engine()  # the OCR models load once per process, not once per video
    for lecture in lectures:
        source["name"] = {"marp": "Marp", "impress": "Impress", "screen": "Screen"}.get(
            lecture.color, "Beamer"
        )
        path = folder_of[lecture.name] / lecture.path
        truth = lecture.changes
        wall, cpu, found = _timed(detect_slide_changes, path)
        picture_seconds = [picture_seconds[0] + wall, picture_seconds[1] + cpu]
        add(methods[0], lecture.cls, found, truth)
        wall, cpu, slides = _timed(detect_slides, path)
        ocr_seconds = [ocr_seconds[0] + wall, ocr_seconds[1] + cpu]
        video_seconds += lecture.seconds
        found = [slide.time for slide in slides[1:]]
        add(methods[1], lecture.cls, found, truth)
        # Titles: the first slide and every true change found (screen work has none).
        titled_pairs = [(-1, -1), *pairs(found, truth)] if lecture.titles else []
        titled[1] += 1 + len(truth) if lecture.titles else 0
        for slide_index, truth_index in titled_pairs:
            read, wanted = slides[slide_index + 1], lecture.titles[truth_index + 1]
            if same_title(read.text.title, wanted):
                titled[0] += 1
            else:
                untitled.append(
                    f"{lecture.name} {read.time:.1f} s: {read.text.title!r} for {wanted!r}"
                )
        hits = match(found, truth)
        reveals = match(found, lecture.steps)
        lines.append(
            f"| {lecture.name} | {lecture.theme}/{lecture.color} | {lecture.crf} "
            f"| {lecture.seconds:.0f} | {len(truth)} | {len(lecture.steps)} | {len(found)} "
            f"| {hits} | {len(found) - hits} | {reveals} | {len(truth) - hits} |"
        )
        print(lines[-1], file=sys.stderr, flush=True)
        if args.no_baselines:
            continue
        scores = [tuple(x) for x in cached(path, "ffmpeg-scene", scene_scores)]
        add(methods[2], lecture.cls, scene_changes(scores, SCENE_DEFAULT), truth)
        for threshold in SCENE_SWEEP:
            found = scene_changes(scores, threshold)
            hits = match(found, truth)
            for target in (sweep[threshold], sweep_class[threshold][lecture.cls]):
                target[0] += hits
                target[1] += len(found) - hits
                target[2] += len(truth) - hits
        found = cached(path, "scenedetect-content", lambda p: pyscenedetect(p, "content"))
        add(methods[4], lecture.cls, found, truth)
        found = cached(path, "scenedetect-adaptive", lambda p: pyscenedetect(p, "adaptive"))
        add(methods[5], lecture.cls, found, truth)

    best = None
    if not args.no_baselines:
        best = max(SCENE_SWEEP, key=lambda t: f1(*sweep[t]))
        counts[methods[3]] = sweep_class[best]

    print(
        f"\n{args.set.capitalize()} set: {len(lectures)} lectures, tolerance +-{TOLERANCE:.0f} s\n"
    )
    print("Per lecture, Lectern with OCR:\n")
    print("| lecture | theme/colours | crf | s | true | reveals | found | TP | FP | "
          "FP on a reveal | FN |")  # fmt: skip
    print("|" + "---|" * 11)
    print("\n".join(lines))
    print(f"\nF1 per class of difficulty ({args.set} set only)\n")
    header = "| method | " + " | ".join(CLASSES) + " | **all** (P / R) |"
    print(header)
    print("|" + "---|" * (len(CLASSES) + 2))
    for method in methods:
        name = f"{method} ({best})" if best is not None and method == methods[3] else method
        cells = []
        for cls in CLASSES:
            scored = any(lecture.cls == cls for lecture in lectures)
            cells.append(f"{f1(*counts[method][cls]):.2f}" if scored else "-")
        tp = sum(c[0] for c in counts[method].values())
        fp = sum(c[1] for c in counts[method].values())
        fn = sum(c[2] for c in counts[method].values())
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(f"| {name} | " + " | ".join(cells)
              + f" | **{f1(tp, fp, fn):.3f}** ({precision:.2f} / {recall:.2f}) |")  # fmt: skip
    print(
        f"\nTitles read from the slide: {titled[0]} of {titled[1]} slides "
        f"({titled[0] / max(1, titled[1]):.0%}; a slide not found counts as untitled)."
    )
    if untitled:
        print("Slides found but not titled with their own title (read, wanted):")
        print("\n".join(f"- {line}" for line in untitled))
    print(
        f"Speed on the {args.set} set (720p, 15 fps), video seconds per second of wall / "
        f"processor time: picture only {video_seconds / picture_seconds[0]:.0f}x / "
        f"{video_seconds / picture_seconds[1]:.0f}x, slides with OCR "
        f"{video_seconds / ocr_seconds[0]:.0f}x / {video_seconds / ocr_seconds[1]:.0f}x."
    )
    sources = sorted({name for method in methods for name in by_source[method]})
    print("\nF1 by source of the slides\n")
    print("| method | " + " | ".join(sources) + " |")
    print("|" + "---|" * (len(sources) + 1))
    for method in methods:
        if best is not None and method == methods[3]:
            continue  # the best threshold is chosen over all sources together
        cells = [f"{f1(*by_source[method][name]):.2f}" for name in sources]
        print(f"| {method} | " + " | ".join(cells) + " |")
    print("\nClasses: " + "; ".join(f"{k}: {v}" for k, v in CLASSES.items()) + ".")
    if args.no_speed:
        return
    print("\nSpeed\n")
    print("Video seconds per second, wall / processor time (all threads):\n")
    print("| 1080p, 30 fps copy of a test lecture | seconds | slides | picture only "
          "| slides with OCR | reference: OCR before | ffmpeg -f null decode "
          "| text vs reference |")  # fmt: skip
    print("|" + "---|" * 8)
    for lecture in lectures:
        if lecture.name in SPEED_LECTURES:
            folder = folder_of[lecture.name]
            print("\n".join(speed_rows(folder, folder / lecture.path)), flush=True)


if __name__ == "__main__":
    main()
