"""What signing costs: writing, opening and planning the import of signed packages.

Writes the same small course (many lessons, so the manifest is large) unsigned and
signed, and times, best of ``--repeat`` runs, in the same run:

* ``write_package`` unsigned against signed (one Ed25519 signature of the manifest);
* ``read_manifest`` of each (a signed package also has its signature verified);
* ``Library.plan_import`` of the signed package against an installed course;
* the Ed25519 signature and its check alone, for scale.

Prints a Markdown table with ratios to the unsigned reference. No assertions.

    .venv/bin/python bench/bench_signing.py --lessons 200
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared import package as pkg  # noqa: E402
from shared.library import Library  # noqa: E402
from shared.manifest import CourseInfo  # noqa: E402
from shared.signing import SigningKey  # noqa: E402


def best(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    key = SigningKey.generate()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        video = folder / "video.mp4"
        video.write_bytes(b"\0" * 20_000)
        lessons = [
            pkg.LessonSource(f"lesson-{n}", f"Lesson {n}", 60.0, video, uid=f"uid-{n}")
            for n in range(args.lessons)
        ]
        course = CourseInfo("bench", 1, "Bench", created="2024-01-01T00:00:00Z")
        unsigned, signed = folder / "unsigned.lectern", folder / "signed.lectern"
        write_plain = best(args.repeat, lambda: pkg.write_package(course, lessons, unsigned))
        write_signed = best(
            args.repeat, lambda: pkg.write_package(course, lessons, signed, signing_key=key)
        )
        read_plain = best(args.repeat, lambda: pkg.read_manifest(unsigned))
        read_signed = best(args.repeat, lambda: pkg.read_manifest(signed))
        with Library.open(folder / "library") as library:
            library.import_course(signed)
            plan = best(args.repeat, lambda: library.plan_import(signed))
        raw = pkg.read_manifest(signed).to_json().encode()
        size = len(raw)
        signature = key.sign(raw)
        sign = best(args.repeat, lambda: [key.sign(raw) for _ in range(100)]) / 100
        verify = best(args.repeat, lambda: [signature.verify(raw) for _ in range(100)]) / 100
    print(f"{args.lessons} lessons, manifest {size:,} bytes, best of {args.repeat}\n")
    print("| step | unsigned (ms) | signed (ms) | signed / unsigned |")
    print("|---|---|---|---|")
    print(
        f"| write_package | {write_plain * 1e3:.2f} | {write_signed * 1e3:.2f} | "
        f"{write_signed / write_plain:.2f} |"
    )
    print(
        f"| read_manifest (+ verify signature) | {read_plain * 1e3:.2f} | "
        f"{read_signed * 1e3:.2f} | {read_signed / read_plain:.2f} |"
    )
    print(f"| Library.plan_import (installed course) | - | {plan * 1e3:.2f} | - |")
    print(f"| Ed25519 sign of the manifest alone | - | {sign * 1e3:.3f} | - |")
    print(f"| Ed25519 verify of the manifest alone | - | {verify * 1e3:.3f} | - |")


if __name__ == "__main__":
    main()
