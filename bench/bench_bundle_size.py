"""What the installer bundle is made of: bytes per part, and against another build.

    .venv/bin/python bench/bench_bundle_size.py                 # the test run's cached bundle
    .venv/bin/python bench/bench_bundle_size.py dist/lectern    # a bundle folder
    .venv/bin/python bench/bench_bundle_size.py NEW --before OLD

A part is one package of ``_internal/`` with its ``*.libs`` folder (auditwheel's
bundled libraries), so ``cv2`` counts ``opencv_python_headless.libs`` too; loose
libraries at the top of ``_internal/`` are "system libraries", and the executables
count apiece (a symlink counts nothing). Sizes are apparent bytes (``du -b``).
Prints a Markdown table (docs/installer.md keeps one) and the target check.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

#: The issue's target for the unpacked bundle.
TARGET = 500 * 1000 * 1000
#: ``*.libs`` folders whose package has another name.
LIBS_OF = {"opencv_python_headless": "cv2", "scipy_openblas64": "numpy"}


def part_of(relative: Path) -> str:
    """The part a file of the bundle belongs to, by its path inside the bundle folder."""
    if relative.parts[0] != "_internal":
        return f"executable {relative.parts[0]}"
    top = relative.parts[1]
    if top == "python3.11" or top.startswith("libpython"):
        return "Python (libpython, lib-dynload)"
    if len(relative.parts) == 2 and ".so" in relative.name:
        return "system libraries (_internal/*.so*)"
    name = top[: -len(".libs")] if top.endswith(".libs") else top
    name = LIBS_OF.get(name, name)
    if name.endswith(".dist-info") or name == "base_library.zip":
        return "Python metadata, base_library.zip"
    return name


def sizes(folder: Path) -> Counter[str]:
    parts: Counter[str] = Counter()
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        parts[part_of(path.relative_to(folder))] += path.stat().st_size
    return parts


def megabytes(n: int) -> str:
    return f"{n / 1e6:,.1f}"


def table(after: Counter[str], before: Counter[str] | None, rows: int) -> str:
    names = sorted(
        set(after) | set(before or {}), key=lambda n: -max(after[n], (before or {}).get(n, 0))
    )
    head = ["part", "MB"] if before is None else ["part", "MB before", "MB after", "change"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" + "---:|" * (len(head) - 1)]
    shown, rest_after, rest_before = 0, 0, 0
    for name in names:
        if shown >= rows:
            rest_after += after[name]
            rest_before += (before or {}).get(name, 0)
            continue
        shown += 1
        if before is None:
            lines.append(f"| {name} | {megabytes(after[name])} |")
        else:
            b, a = before.get(name, 0), after[name]
            lines.append(f"| {name} | {megabytes(b)} | {megabytes(a)} | {megabytes(a - b)} |")
    if before is None:
        lines.append(f"| everything else | {megabytes(rest_after)} |")
        lines.append(f"| **total** | **{megabytes(sum(after.values()))}** |")
    else:
        lines.append(
            f"| everything else | {megabytes(rest_before)} | {megabytes(rest_after)} | "
            f"{megabytes(rest_after - rest_before)} |"
        )
        total_b, total_a = sum(before.values()), sum(after.values())
        lines.append(
            f"| **total** | **{megabytes(total_b)}** | **{megabytes(total_a)}** | "
            f"**{megabytes(total_a - total_b)}** |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", nargs="?", type=Path, help="bundle folder (default: cached)")
    parser.add_argument("--before", type=Path, help="an older bundle folder to compare with")
    parser.add_argument("--rows", type=int, default=22, help="parts listed before 'the rest'")
    args = parser.parse_args(argv)
    if args.bundle is None:
        from tests.bundle import built_bundle

        args.bundle = built_bundle()
    after = sizes(args.bundle)
    before = sizes(args.before) if args.before else None
    print(table(after, before, args.rows))
    total = sum(after.values())
    verdict = "meets" if total <= TARGET else "misses"
    print(f"\n{args.bundle}: {total:,} bytes; {verdict} the {TARGET / 1e6:.0f} MB target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
