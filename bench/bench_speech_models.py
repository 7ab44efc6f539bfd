"""Engines and models side by side on real and synthetic speech, plus unsure-word calibration.

Usage::

    nice .venv/bin/python bench/bench_speech_models.py [--no-openai-base] [--noise-seconds 300]

For every engine (faster-whisper, openai-whisper) and model (the bundled ``tiny.en``,
the ``base`` pack, installed first with ``speech_models.install_model`` if missing) it
transcribes, each in its own process so peak memory is that run's alone:

- real human speech with a known text: ``two_cities.wav`` (44 s, *A Tale of Two
  Cities*) and ``beckett.wav`` (10 s) from the ``moonshine-voice`` wheel's assets
  (fetched with ``pip download --no-deps`` into ``~/.cache/lectern-bench``);
- about 60 s of espeak-ng speech (the lecture text of ``bench_transcription.py``);
- audio with no speech: music and room noise made with sox (5 minutes each).

It prints Markdown tables: word error rate per model on real and on synthetic speech,
real-time factor (wall, and CPU seconds per audio second over 2 cores: the figure a
quiet 2-core machine would give, since wall time on a shared machine mostly measures
the other programs), peak memory, words produced from no-speech audio, and the
calibration of the unsure-word threshold: for each threshold, the precision and recall
with which "probability below it" finds the wrongly transcribed words of real speech.
Prints only; never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests.spoken_lectures import human_speech  # noqa: E402

CACHE = Path.home() / ".cache" / "lectern-bench"
CORES = 2

THRESHOLDS = tuple(round(0.05 * step, 2) for step in range(2, 20))


def normalize(text: str) -> list[str]:
    """Lower-case words without punctuation, as word error rates are usually counted."""
    return [w for w in (re.sub(r"[^\w']", "", t.lower()) for t in text.split()) if w]


# ------------------------------------------------------------------------ fixtures


def real_speech() -> list[tuple[Path, str]]:
    """(wav, reference text) pairs of real human speech from the moonshine-voice wheel."""
    return human_speech()


def synthetic_speech() -> list[tuple[Path, str]]:
    from bench_transcription import LECTURE_TEXT

    out = CACHE / "espeak-lecture.wav"
    if not out.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["espeak-ng", "-s", "150", "-w", str(out), LECTURE_TEXT], check=True)
    return [(out, LECTURE_TEXT)]


def no_speech(seconds: int) -> list[Path]:
    """Music (chords with a tremolo) and room noise (brown rumble with pink hiss), made by sox."""
    CACHE.mkdir(parents=True, exist_ok=True)
    music = CACHE / f"music-{seconds}.wav"
    room = CACHE / f"room-{seconds}.wav"
    if not music.is_file():
        subprocess.run(
            ["sox", "-n", "-r", "16000", "-c", "1", str(music), "synth", str(seconds)]
            + ["pluck", "C3", "pluck", "E3", "pluck", "G3", "sine", "A2", "remix", "-"]
            + ["tremolo", "3", "60", "repeat", "0", "vol", "0.6"],
            check=True,
        )
    if not room.is_file():
        subprocess.run(
            ["sox", "-n", "-r", "16000", "-c", "1", str(room), "synth", str(seconds)]
            + ["brownnoise", "pinknoise", "remix", "-", "vol", "0.3"],
            check=True,
        )
    return [music, room]


# -------------------------------------------------------------------------- worker


def worker(engine_name: str, model: str, files: list[str]) -> None:
    """One engine and model over ``files``; prints JSON with words and timings."""
    from shared.transcription import get_engine

    engine = get_engine(engine_name, model=model, threads=CORES)
    began = time.monotonic()
    engine.load()
    load = time.monotonic() - began
    runs = []
    for path in files:
        cpu0, wall0 = time.process_time(), time.monotonic()
        transcript = engine.transcribe(path, language="en")
        runs.append(
            {
                "file": path,
                "duration": transcript.duration,
                "wall": time.monotonic() - wall0,
                "cpu": time.process_time() - cpu0,
                "text": " ".join(s.text for s in transcript.segments),
                "words": [[w.text, w.probability] for w in transcript.words],
            }
        )
    print(json.dumps({"load": load, "runs": runs}))


def run_worker(
    engine: str, model: str, files: list[Path], *, reuse: bool = False
) -> tuple[dict, float]:
    """The worker's JSON and its peak resident memory in MB.

    Each result is also kept in ``~/.cache/lectern-bench/results``; ``reuse`` prints a
    kept one again instead of measuring (to rebuild the tables after a change here).
    """
    kept = CACHE / "results" / f"{engine}-{model}.json"
    if reuse and kept.is_file():
        data = json.loads(kept.read_text())
        return data["result"], data["peak"]
    result, peak = _measure(engine, model, files)
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_text(json.dumps({"result": result, "peak": peak}))
    return result, peak


def _measure(engine: str, model: str, files: list[Path]) -> tuple[dict, float]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--worker", engine, model, *map(str, files)],
        stdout=subprocess.PIPE,
    )
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{engine}/{model} failed")
    return json.loads(output), usage.ru_maxrss / 1024


# ---------------------------------------------------------------------- evaluation


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    return jiwer.wer(" ".join(normalize(reference)), " ".join(normalize(hypothesis)) or "-")


def labelled_words(reference: str, words: list[list]) -> list[tuple[float, bool]]:
    """(probability, wrong) for each transcribed word, aligned to the reference."""
    import jiwer

    kept = [(normalize(text), prob) for text, prob in words]
    kept = [(tokens[0], prob) for tokens, prob in kept if tokens]
    hyp = " ".join(token for token, _ in kept)
    result = jiwer.process_words(" ".join(normalize(reference)), hyp or "-")
    wrong = [True] * len(kept)
    for chunk in result.alignments[0]:
        if chunk.type == "equal":
            for index in range(chunk.hyp_start_idx, chunk.hyp_end_idx):
                wrong[index] = False
    return [(prob, bad) for (_token, prob), bad in zip(kept, wrong, strict=True)]


def calibration(labelled: list[tuple[float, bool]]) -> list[tuple[float, float, float, int]]:
    """(threshold, precision, recall, marked) of "probability < threshold" for wrong words."""
    wrong = sum(bad for _p, bad in labelled)
    rows = []
    for threshold in THRESHOLDS:
        marked = [bad for prob, bad in labelled if prob < threshold]
        hits = sum(marked)
        precision = hits / len(marked) if marked else 1.0
        recall = hits / wrong if wrong else 1.0
        rows.append((threshold, precision, recall, len(marked)))
    return rows


def choose(rows: list[tuple[float, float, float, int]]) -> float:
    """The threshold meeting precision >= 0.5 and recall >= 0.6 with the best F1."""

    def f1(row: tuple[float, float, float, int]) -> float:
        _t, p, r, _n = row
        return 2 * p * r / (p + r) if p + r else 0.0

    good = [row for row in rows if row[1] >= 0.5 and row[2] >= 0.6]
    return max(good or rows, key=f1)[0]


# ---------------------------------------------------------------------------- main


def ensure_base() -> None:
    from shared import speech_models

    if speech_models.installed_model("base") is None:
        print("Installing the base model pack (pip download of its wheels) ...", file=sys.stderr)
        speech_models.install_model("base")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--noise-seconds", type=int, default=300)
    parser.add_argument("--no-openai-base", action="store_true", help="skip openai-whisper base")
    parser.add_argument(
        "--reuse", action="store_true", help="print kept results instead of measuring again"
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], args.worker[2:])
        return

    ensure_base()
    real, synthetic = real_speech(), synthetic_speech()
    silent = no_speech(args.noise_seconds)
    configs = [
        ("faster-whisper", "tiny.en"),
        ("faster-whisper", "base"),
        ("openai-whisper", "tiny.en"),
    ]
    if not args.no_openai_base:
        configs.append(("openai-whisper", "base"))
    results = {}
    for engine, model in configs:
        files = [p for p, _ in real] + [p for p, _ in synthetic] + silent
        print(f"running {engine} {model} ...", file=sys.stderr)
        results[(engine, model)] = run_worker(engine, model, files, reuse=args.reuse)

    texts = {str(p): t for p, t in real + synthetic}
    print("Word error rate and speed (int8 for faster-whisper, float32 for openai-whisper; ")
    print(f"{CORES} threads; RTF wall = wall s / audio s on this shared machine, RTF 2 cores ")
    print("= CPU s / audio s / 2, what two free cores give):\n")
    print(
        "| engine | model | WER real | WER espeak | RTF wall | RTF 2 cores | "
        "peak MB | load s | words from no speech |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    summary = {}
    for (engine, model), (data, peak) in results.items():
        runs = {r["file"]: r for r in data["runs"]}
        real_ref = " ".join(texts[str(p)] for p, _ in real)
        real_hyp = " ".join(runs[str(p)]["text"] for p, _ in real)
        syn_ref = " ".join(texts[str(p)] for p, _ in synthetic)
        syn_hyp = " ".join(runs[str(p)]["text"] for p, _ in synthetic)
        speech = [runs[str(p)] for p, _ in real + synthetic]
        seconds = sum(r["duration"] for r in speech)
        rtf_wall = sum(r["wall"] for r in speech) / seconds
        rtf_cpu = sum(r["cpu"] for r in speech) / seconds / CORES
        noise_words = sum(len(runs[str(p)]["words"]) for p in silent)
        w_real, w_syn = wer(real_ref, real_hyp), wer(syn_ref, syn_hyp)
        summary[(engine, model)] = (w_real, w_syn, rtf_wall, rtf_cpu)
        print(
            f"| {engine} | {model} | {w_real:.3f} | {w_syn:.3f} | {rtf_wall:.3f} | "
            f"{rtf_cpu:.3f} | {peak:.0f} | {data['load']:.1f} | {noise_words} |"
        )
    print("\nNo-speech audio:", ", ".join(f"{p.name} ({args.noise_seconds} s)" for p in silent))
    print("\nWhat each model heard on two_cities.wav:\n")
    for (engine, model), (data, _peak) in results.items():
        text = data["runs"][0]["text"]
        print(f'- {engine} {model}: "{text}"')

    print("\nTargets:\n")
    print("| target | measured | verdict |")
    print("|---|---|---|")
    tiny, base = summary[("faster-whisper", "tiny.en")], summary[("faster-whisper", "base")]
    rows = [
        ("base WER real <= 0.7x tiny.en", base[0] / tiny[0] if tiny[0] else 0.0, 0.7),
        ("base RTF on 2 cores <= 0.15", base[3], 0.15),
    ]
    for label, value, limit in rows:
        print(f"| {label} | {value:.3f} | {'ok' if value <= limit else 'MISSED'} |")
    print("| small: WER <= 0.5x tiny.en, RTF <= 0.4 | not measured: no complete pack | MISSED |")
    openai = summary[("openai-whisper", "tiny.en")]
    gap = abs(openai[0] - tiny[0]) * 100
    print(
        f"| openai-whisper tiny.en WER within 1 point | {gap:.1f} points | "
        f"{'ok' if gap <= 1 else 'MISSED'} |"
    )
    speedup = openai[3] / tiny[3]
    print(
        f"| faster-whisper >= 3x faster (CPU) | {speedup:.1f}x | "
        f"{'ok' if speedup >= 3 else 'MISSED'} |"
    )

    print("\nUnsure-word calibration: precision / recall with which 'probability below the")
    print("threshold' finds the wrongly transcribed words (a word is wrong when it is not an")
    print("exact match in the alignment with the reference). Real speech alone has too few")
    print("errors to calibrate on, so the threshold is chosen on real + espeak speech: both")
    print(
        "targets (precision >= 0.5, recall >= 0.6) if a threshold meets them, else the best F1.\n"
    )
    sets = {}
    for (engine, model), (data, _peak) in results.items():
        runs = {r["file"]: r for r in data["runs"]}
        for name, pairs in (("real", real), ("real + espeak", real + synthetic)):
            labelled = []
            for path, text in pairs:
                labelled += labelled_words(text, runs[str(path)]["words"])
            sets[(engine, model, name)] = (labelled, calibration(labelled))
    columns = list(sets)
    print("| threshold | " + " | ".join(f"{e} {m} ({n})" for e, m, n in columns) + " |")
    print("|---:|" + "---:|" * len(columns))
    print(
        "| wrong / words | "
        + " | ".join(f"{sum(b for _p, b in sets[c][0])} / {len(sets[c][0])}" for c in columns)
        + " |"
    )
    chosen = {(e, m): choose(sets[(e, m, "real + espeak")][1]) for e, m, _n in columns}
    for index, threshold in enumerate(THRESHOLDS):
        cells = []
        for engine, model, name in columns:
            _t, precision, recall, marked = sets[(engine, model, name)][1][index]
            mark = "**" if name != "real" and chosen[(engine, model)] == threshold else ""
            cells.append(f"{mark}{precision:.2f} / {recall:.2f} ({marked}){mark}")
        print(f"| {threshold:.2f} | " + " | ".join(cells) + " |")
    print("\nChosen thresholds (bold):", ", ".join(f"{e}/{m}: {t}" for (e, m), t in chosen.items()))


if __name__ == "__main__":
    main()
