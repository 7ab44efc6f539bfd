"""How fast the .lectern package is written and verified, against plain-file references.

Builds a package around one large random "video" (512 MB by default) in a temporary
folder and times, best of ``--repeat`` runs with a warm page cache (nothing is
dropped from the cache, so these are CPU-bound numbers, not disk numbers):

* reading the video: ``cat video > /dev/null`` and Python reads in 1 MiB chunks;
* hashing the video with hashlib SHA-256 (what ``sha256sum`` does);
* ``verify_package`` (CRC-32 and SHA-256 of every member), also with 4 MiB chunks;
* ``write_package`` against ``shutil.copyfile`` of the same bytes;
* ``extract_package`` (verifies while it writes, and fsyncs every file).

Prints a Markdown table. No assertions: targets are shown next to the numbers.

    .venv/bin/python bench/bench_package.py --size-mb 512
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared import package as pkg  # noqa: E402
from shared.manifest import CourseInfo  # noqa: E402

MB = 1_000_000
MiB = 1 << 20


def _best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def _make_inputs(folder: Path, size: int) -> tuple[CourseInfo, list[pkg.LessonSource]]:
    video = folder / "video.mp4"
    with open(video, "wb") as out:
        left = size
        while left:
            piece = min(left, 16 * MiB)
            out.write(os.urandom(piece))
            left -= piece
    transcript = folder / "transcript.json"
    transcript.write_text('{"segments": [' + ", ".join(['{"text": "word"}'] * 5000) + "]}")
    thumbs = []
    for number in range(10):
        thumb = folder / f"thumb{number}.jpg"
        thumb.write_bytes(os.urandom(40_000))
        thumbs.append(thumb)
    course = CourseInfo("bench", 1, "Benchmark course", created="2024-01-01T00:00:00Z")
    lesson = pkg.LessonSource(
        "lecture",
        "One long lecture",
        3600.0,
        video,
        transcript=transcript,
        thumbnails=tuple(thumbs),
    )
    return course, [lesson]


def _read_python(path: Path) -> None:
    with open(path, "rb") as handle:
        while handle.read(MiB):
            pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(MiB):
            digest.update(chunk)
    return digest.hexdigest()


def _cat(path: Path) -> None:
    with open(os.devnull, "wb") as null:
        subprocess.run(["cat", str(path)], stdout=null, check=True)


def _verify_with_chunk(path: Path, chunk: int) -> None:
    old = pkg.CHUNK_SIZE
    pkg.CHUNK_SIZE = chunk
    try:
        pkg.verify_package(path)
    finally:
        pkg.CHUNK_SIZE = old


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=int, default=512, help="size of the video (MB)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best)")
    parser.add_argument("--dir", type=Path, default=None, help="where to work (default: temp)")
    args = parser.parse_args(argv)

    size = args.size_mb * MB
    base = args.dir or Path(tempfile.gettempdir())
    base.mkdir(parents=True, exist_ok=True)
    needed = size * 4 + 200 * MB  # video, its copy, the package, one extraction
    free = shutil.disk_usage(base).free
    if free < needed:
        print(
            f"Not enough free space in {base}: {needed / 1e9:.1f} GB needed, "
            f"{free / 1e9:.1f} GB free; use --size-mb or --dir.",
            file=sys.stderr,
        )
        return 1

    with tempfile.TemporaryDirectory(prefix="lectern-bench-", dir=base) as tmp:
        folder = Path(tmp)
        print(f"Making a {args.size_mb} MB random video in {folder} ...", file=sys.stderr)
        course, lessons = _make_inputs(folder, size)
        video = lessons[0].video
        out = folder / "course.lectern"
        copy = folder / "copy.mp4"
        pkg.write_package(course, lessons, out)  # warm the cache and the code paths
        manifest = pkg.verify_package(out)
        total = manifest.total_size
        rows: list[tuple[str, float, int, str, str]] = []

        def measure(name: str, run: Callable[[], object], nbytes: int, ref: str, target: str):
            seconds = _best(run, args.repeat)
            rows.append((name, seconds, nbytes, ref, target))
            return seconds

        cat = None
        if shutil.which("cat"):
            cat = measure("`cat video > /dev/null`", lambda: _cat(video), size, "reference", "")
        read = measure("Python read, 1 MiB chunks", lambda: _read_python(video), size, "", "")
        sha = measure("hashlib SHA-256 (sha256sum)", lambda: _sha256(video), size, "reference", "")
        verify = measure(
            "**verify_package** (1 MiB chunks)",
            lambda: pkg.verify_package(out),
            total,
            "",
            ">= 200 MB/s",
        )
        measure(
            "verify_package, 4 MiB chunks",
            lambda: _verify_with_chunk(out, 4 * MiB),
            total,
            "",
            ">= 200 MB/s",
        )
        measure(
            "read_manifest (listing + manifest only)",
            lambda: pkg.read_manifest(out),
            0,
            "",
            "cheap",
        )
        copy_time = measure(
            "shutil.copyfile(video)", lambda: shutil.copyfile(video, copy), size, "reference", ""
        )
        write = measure(
            "**write_package**",
            lambda: pkg.write_package(course, lessons, out),
            total,
            "",
            "report vs copy",
        )

        def extract() -> None:
            pkg.extract_package(out, folder / "extracted", replace=True)

        measure("extract_package (verify + write + fsync)", extract, total, "", "")

    print()
    print(
        f"Package benchmark: {args.size_mb} MB random video + transcript + 10 thumbnails; "
        f"best of {args.repeat}, warm page cache; Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs."
    )
    print()
    print("| Operation | Time (s) | MB/s | Relative | Target |")
    print("|---|---:|---:|---|---|")
    for name, seconds, nbytes, kind, target in rows:
        rate = f"{nbytes / seconds / MB:,.0f}" if nbytes else "-"
        relative = ""
        if "verify_package" in name:
            relative = f"{sha / seconds:.0%} of hashlib SHA-256"
        elif "write_package" in name:
            relative = f"{seconds / copy_time:.1f}x copyfile time"
        elif name.startswith("Python read") and cat:
            relative = f"{cat / seconds:.0%} of cat"
        elif kind == "reference":
            relative = "reference"
        met = ""
        if target.startswith(">="):
            met = " (met)" if nbytes / seconds / MB >= 200 else " (MISSED)"
        print(f"| {name} | {seconds:.3f} | {rate} | {relative} | {target}{met} |")
    print()
    print(
        "Warm cache throughout; `cat > /dev/null` may not copy at all (the kernel can "
        "splice to /dev/null), so it is an upper bound on reading, not a disk speed."
    )
    print(
        f"verify: {total / verify / MB:,.0f} MB/s; write: {total / write / MB:,.0f} MB/s "
        f"vs copyfile {size / copy_time / MB:,.0f} MB/s; Python read {size / read / MB:,.0f} MB/s."
    )
    print()
    _reencode_proof(base)
    return 0


def _packet_hashes(path: Path, kind: str) -> list[str]:
    import av

    with av.open(str(path)) as container:
        stream = getattr(container.streams, kind)[0]
        return [hashlib.sha256(bytes(p)).hexdigest() for p in container.demux(stream) if p.size]


def _reencode_proof(base: Path) -> None:
    """Compatible media goes into the package bit for bit: never re-encoded."""
    from shared.media import ffmpeg_exe, normalize

    with tempfile.TemporaryDirectory(prefix="lectern-bench-copy-", dir=base) as tmp:
        src = Path(tmp) / "lecture.mp4"
        subprocess.run(
            [
                ffmpeg_exe(),
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=1280x720:rate=30",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:sample_rate=48000",
                "-t",
                "60",
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-af",
                "volume=-9dB",
                str(src),
            ],
            check=True,
        )
        rows = []
        ref = Path(tmp) / "remux.mp4"
        start = time.perf_counter()
        subprocess.run(
            [ffmpeg_exe(), "-v", "error", "-i", str(src), "-c", "copy", str(ref)], check=True
        )
        rows.append(("ffmpeg -c copy (reference)", time.perf_counter() - start, None))
        for loudness in (False, True):
            out = Path(tmp) / f"norm-{loudness}.mp4"
            start = time.perf_counter()
            result = normalize(src, out, loudness=loudness)
            rows.append(
                (f"normalize(loudness={loudness})", time.perf_counter() - start, (out, result))
            )
        print("Compatible H.264 + AAC input (60 s, 1280x720): what normalize copies")
        print()
        print("| Step | Time (s) | video copied | video packets identical | audio copied |")
        print("|---|---:|---|---|---|")
        src_video = _packet_hashes(src, "video")
        for name, seconds, outcome in rows:
            if outcome is None:
                print(f"| {name} | {seconds:.2f} | - | - | - |")
                continue
            out, result = outcome
            same = _packet_hashes(out, "video") == src_video
            print(
                f"| {name} | {seconds:.2f} | {result.video_copied} | {same} | {result.audio_copied} |"
            )
        print()
        print(
            "The package stores media as is (ZIP_STORED), so the lesson video's SHA-256 in the "
            "manifest is the hash of the normalized file: nothing is re-encoded on the way in."
        )


if __name__ == "__main__":
    sys.exit(main())
