"""A library damaged in ten (eleven) ways: what Lectern said and what survived, as a table.

Runs every scenario of ``tests/shared/library_damage.py`` on real files: two imported
courses and a note, then the damage, then the library opened again. The read-only and
full-disk scenarios mount a small tmpfs, so they need root (they are marked skipped
otherwise). Prints the Markdown table kept in ``docs/reliability.md``.

    .venv/bin/python bench/bench_reliability.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.shared import library_damage as damage  # noqa: E402


def main() -> None:
    mount = damage.can_mount()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        pkgs = damage.packages(Path(tmp) / "packages")
        for name, scenario in damage.SCENARIOS.items():
            if name in damage.NEEDS_MOUNT and not mount:
                rows.append((name, "(skipped: needs root to mount a tmpfs)", "", "", ""))
                continue
            outcome = scenario(Path(tmp) / name / "library", pkgs)
            verdict = "yes" if outcome.restorable else "NO"
            rows.append(
                (outcome.damage, outcome.said, ", ".join(outcome.courses), outcome.notes, verdict)
            )
    print(
        "| damage | what Lectern said | courses after (of bio-101, chem-1) | notes | "
        "no restorable course lost |"
    )
    print("|---|---|---|---:|---|")
    for row in rows:
        cells = [str(cell).replace("|", "\\|") for cell in row]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
