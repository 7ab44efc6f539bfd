"""How fast Lectern transcribes, and what its wrapper costs over faster-whisper itself.

Usage::

    .venv/bin/python bench/bench_transcription.py [audio-or-video] [--repeats N]

Without an argument it uses ``resources/sample/lecture.mp4`` when present, otherwise
about 60 s of espeak-ng speech generated into a temporary folder. In the same run it
times (a) faster-whisper called directly (``WhisperModel`` on the same model folder
with the same options, consuming the segment generator) and (b)
``FasterWhisperEngine.transcribe``, alternating, and prints the medians as a Markdown
table. "cold" includes loading the model (and, for Lectern, verifying the bundled
model's checksum); "warm" reuses a loaded model. Targets: RTF <= 0.10, overhead <= 10 %.
Prints only; never asserts (machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import shared.transcription as transcription  # noqa: E402
from shared.transcription import (  # noqa: E402
    FASTER_WHISPER_OPTIONS,
    FasterWhisperEngine,
    physical_cores,
    resolve_model,
)

SAMPLE = ROOT / "resources" / "sample" / "lecture.mp4"

LECTURE_TEXT = (
    "Good morning, everyone. Today we will learn how plants turn sunlight into energy. "
    "This process is called photosynthesis, and it happens mostly in the leaves. "
    "Inside every leaf cell there are small green structures called chloroplasts. "
    "They contain chlorophyll, the pigment that absorbs red and blue light and reflects "
    "green light, which is why leaves look green to us. "
    "During photosynthesis, the plant takes in carbon dioxide from the air through tiny "
    "openings called stomata, and it draws water up from the soil through its roots. "
    "Using the energy of light, it splits water molecules and releases oxygen as a by "
    "product. The hydrogen and the captured energy are then used to build sugar from "
    "carbon dioxide in a series of reactions known as the Calvin cycle. "
    "The sugar feeds the plant and, through food chains, nearly every animal on Earth. "
    "Next week we will look at cellular respiration, which is, in a sense, the same "
    "process running backwards. Please read chapter seven before the next lecture."
)


def make_speech(folder: Path) -> Path:
    """About 60 s of espeak-ng speech as a WAV file."""
    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng is not installed; pass an audio file instead.")
    out = folder / "lecture.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(out), LECTURE_TEXT], check=True)
    return out


def audio_seconds(path: Path) -> float:
    from faster_whisper import decode_audio

    return len(decode_audio(str(path))) / 16000


def run_direct(model_dir: Path, audio: Path, model=None) -> tuple[float, object]:
    from faster_whisper import WhisperModel

    began = time.perf_counter()
    if model is None:
        model = WhisperModel(
            str(model_dir), device="cpu", compute_type="int8", cpu_threads=physical_cores()
        )
    segments, _info = model.transcribe(str(audio), **FASTER_WHISPER_OPTIONS)
    for _segment in segments:
        pass
    return time.perf_counter() - began, model


def run_ours(audio: Path, engine: FasterWhisperEngine | None = None) -> tuple[float, object]:
    began = time.perf_counter()
    if engine is None:
        transcription._hash_cache.clear()  # a cold start pays for the checksum too
        engine = FasterWhisperEngine()
    engine.transcribe(audio)
    return time.perf_counter() - began, engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("audio", nargs="?", type=Path, help="audio or video file")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        if args.audio is not None:
            audio = args.audio
        elif SAMPLE.is_file():
            audio = SAMPLE
        else:
            audio = make_speech(Path(tmp))
        model_dir = resolve_model(None)
        seconds = audio_seconds(audio)

        # One untimed run each so file caches and CPU frequency settle.
        _t, direct_model = run_direct(model_dir, audio)
        _t, engine = run_ours(audio)

        times: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.repeats):
            for mode in ("cold", "warm"):
                warm = mode == "warm"
                took, _m = run_direct(model_dir, audio, direct_model if warm else None)
                times.setdefault((mode, "direct"), []).append(took)
                took, _e = run_ours(audio, engine if warm else None)
                times.setdefault((mode, "ours"), []).append(took)

    print(
        f"Audio: {audio.name}, {seconds:.1f} s; model: {model_dir.name} "
        f"({', '.join(f'{k}={v}' for k, v in FASTER_WHISPER_OPTIONS.items())}), "
        f"int8, {physical_cores()} threads; median of {args.repeats} alternating runs.\n"
    )
    print("| run | audio s | direct s | ours s | RTF direct | RTF ours | overhead % | targets |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for mode in ("cold", "warm"):
        direct = statistics.median(times[(mode, "direct")])
        ours = statistics.median(times[(mode, "ours")])
        rtf_direct, rtf_ours = direct / seconds, ours / seconds
        overhead = (ours - direct) / direct * 100
        verdict = "RTF {}, overhead {}".format(
            "ok" if rtf_ours <= 0.10 else "MISSED", "ok" if overhead <= 10 else "MISSED"
        )
        print(
            f"| {mode} | {seconds:.1f} | {direct:.2f} | {ours:.2f} | {rtf_direct:.3f} | "
            f"{rtf_ours:.3f} | {overhead:+.1f} | RTF<=0.10, overhead<=10% ({verdict}) |"
        )


if __name__ == "__main__":
    main()
