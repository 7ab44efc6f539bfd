"""Benchmark slide-change detection: accuracy and speed on synthetic lecture videos.

Generates a set of screen recordings with known slide changes (a moving pointer, a
webcam inset, some with fades, different compression levels; seeds that the tests do
not use), runs :func:`shared.chapters.detect_slide_changes` on each, and prints a
Markdown table: precision, recall and F1 of changes matched within the tolerance, and
speed as video seconds per processing second, next to the time plain ``ffmpeg -i x
-f null -`` takes to decode the same file in the same run.

Targets: F1 >= 0.95 and >= 30x real time on 2 cores.

    .venv/bin/python bench/bench_chapters.py [--count 10] [--dir /tmp/lectern-bench]
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared.chapters import detect_slide_changes  # noqa: E402
from shared.media import ffmpeg_exe  # noqa: E402
from tests.shared.slide_videos import make_slide_video, random_slides  # noqa: E402

TOLERANCE = 1.0
FIRST_SEED = 9000  # the tests use seeds below 100


@dataclass(frozen=True)
class Case:
    name: str
    seed: int
    size: tuple[int, int]
    fade: float
    crf: int
    preset: str
    slides: list


def cases(count: int, size: tuple[int, int]) -> list[Case]:
    """``count`` videos of 60-120 s with varied decks, fades and compression."""
    out = []
    for index in range(count):
        seed = FIRST_SEED + index
        rng = random.Random(seed)
        target = rng.uniform(60, 120)
        slides = []
        for slide in random_slides(seed, 20, min_seconds=6.0, max_seconds=16.0, similar=0.3):
            if slides and rng.random() < 0.2:
                # Same template and title, only the bullets differ: the hard case.
                slide = (slide[0], slides[-1][1], slide[2])
            slides.append(slide)
            if sum(s[0] for s in slides) >= target:
                break
        fade = rng.choice([0.0, 0.0, 0.5, 1.0, 1.5, 2.5])
        crf = rng.choice([20, 26, 30, 34, 38, 40])
        preset = rng.choice(["ultrafast", "veryfast", "medium"])
        out.append(Case(f"v{index:02d}", seed, size, fade, crf, preset, slides))
    return out


def match(found: list[float], truth: list[float]) -> tuple[int, list[float]]:
    """Greedy one-to-one matching within the tolerance; returns hits and their errors."""
    unused = list(truth)
    errors = []
    for time_found in found:
        near = [t for t in unused if abs(t - time_found) <= TOLERANCE]
        if near:
            best = min(near, key=lambda t: abs(t - time_found))
            unused.remove(best)
            errors.append(time_found - best)
    return len(errors), errors


def ffmpeg_decode_seconds(path: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path), "-f", "null", "-"],
        check=True,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--dir", type=Path, default=None, help="keep videos here and reuse them")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="lectern-bench-chapters-"))
    folder.mkdir(parents=True, exist_ok=True)

    rows = []
    totals = {"tp": 0, "fp": 0, "fn": 0, "video": 0.0, "detect": 0.0, "ffmpeg": 0.0}
    all_errors: list[float] = []
    for case in cases(args.count, (args.width, args.height)):
        width, height = case.size
        path = folder / f"{case.name}-{case.seed}-{width}x{height}-{case.crf}-{case.fade}.mp4"
        truth_path = path.with_suffix(".txt")
        if path.exists() and truth_path.exists():
            truth = [float(x) for x in truth_path.read_text().split()]
        else:
            truth = make_slide_video(
                path, case.slides, size=case.size, fade=case.fade, crf=case.crf,
                seed=case.seed, preset=case.preset,
            )  # fmt: skip
            truth_path.write_text(" ".join(f"{t:.3f}" for t in truth))
        duration = sum(s[0] for s in case.slides)
        reference = ffmpeg_decode_seconds(path)
        start = time.perf_counter()
        found = detect_slide_changes(path)
        elapsed = time.perf_counter() - start
        hits, errors = match(found, truth)
        all_errors += errors
        totals["tp"] += hits
        totals["fp"] += len(found) - hits
        totals["fn"] += len(truth) - hits
        totals["video"] += duration
        totals["detect"] += elapsed
        totals["ffmpeg"] += reference
        worst = max((abs(e) for e in errors), default=0.0)
        rows.append(
            f"| {case.name} | {duration:.0f} | {case.fade:.1f} | {case.crf} | {case.preset} "
            f"| {len(truth)} | {len(found)} | {hits} | {len(found) - hits} | {len(truth) - hits} "
            f"| {worst:.2f} | {elapsed:.2f} | {duration / elapsed:.0f}x "
            f"| {reference:.2f} | {duration / reference:.0f}x | {elapsed / reference:.2f} |"
        )
        print(rows[-1], file=sys.stderr, flush=True)

    tp, fp, fn = totals["tp"], totals["fp"], totals["fn"]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    mean_error = sum(abs(e) for e in all_errors) / len(all_errors) if all_errors else 0.0
    print(f"\nSlide-change detection, {args.width}x{args.height}, tolerance ±{TOLERANCE:.0f} s\n")
    print(
        "| video | seconds | fade s | crf | preset | true | found | TP | FP | FN | worst err s "
        "| detect s | speed | ffmpeg decode s | ffmpeg speed | detect / decode |"
    )
    print("|" + "---|" * 16)
    print("\n".join(rows))
    print(
        f"| **all** | {totals['video']:.0f} | | | | {tp + fn} | {tp + fp} | {tp} | {fp} | {fn} "
        f"| mean {mean_error:.2f} | {totals['detect']:.1f} "
        f"| {totals['video'] / totals['detect']:.0f}x | {totals['ffmpeg']:.1f} "
        f"| {totals['video'] / totals['ffmpeg']:.0f}x | {totals['detect'] / totals['ffmpeg']:.2f} |"
    )
    print(f"\nPrecision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f} (target >= 0.95).")
    print(
        f"Speed {totals['video'] / totals['detect']:.0f}x real time (target >= 30x); "
        f"ffmpeg decode alone {totals['video'] / totals['ffmpeg']:.0f}x."
    )
    if args.dir:
        print(f"Videos kept in {folder}.")
    else:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
