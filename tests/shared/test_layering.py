"""The layering of STYLE.md: the domain runs without Qt, layers only look down."""

from __future__ import annotations

import ast
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import shared

ROOT = Path(__file__).resolve().parents[2]


def _domain_modules() -> list[str]:
    names = []
    for module in pkgutil.walk_packages(shared.__path__, "shared."):
        if module.name == "shared.ui" or module.name.startswith("shared.ui."):
            continue
        names.append(module.name)
    return names


def test_every_domain_module_imports_with_pyside6_blocked():
    modules = _domain_modules()
    assert "shared.package" in modules and "shared.media" in modules
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'PySide6' or name.startswith('PySide6.'):\n"
        "            raise ImportError('PySide6 is blocked in the domain layer')\n"
        "sys.meta_path.insert(0, Block())\n"
        f"for name in {modules!r}:\n"
        "    __import__(name)\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules)\n"
        "print('ok', len(" + repr(modules) + "))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=os.environ
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")


def _imports(folder: str) -> list[tuple[Path, str]]:
    found = []
    for path in (ROOT / folder).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found += [(path, node.module)]
    return found


def test_layers_look_down_only():
    wrong = []
    for path, name in _imports("shared"):
        top = name.split(".")[0]
        if top in {"studio", "player"}:
            wrong.append(f"{path}: {name}")
        if top == "PySide6" and "ui" not in path.relative_to(ROOT / "shared").parts[:1]:
            wrong.append(f"{path}: {name}")
    wrong += [f"{p}: {n}" for p, n in _imports("studio") if n.split(".")[0] == "player"]
    wrong += [f"{p}: {n}" for p, n in _imports("player") if n.split(".")[0] == "studio"]
    assert wrong == []


def _loaded_after(statement: str) -> set[str]:
    """Top-level modules loaded by ``statement`` in a fresh interpreter."""
    code = f"import sys\n{statement}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=os.environ
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_chapter_values_load_no_video_code():
    loaded = _loaded_after("from shared.chapters import Chapter, load_chapters, chapter_cues")
    assert not loaded & {"cv2", "av", "numpy", "PySide6"}


def test_the_library_loads_neither_opencv_nor_pyav():
    # numpy is left out of the check: sqlite-utils imports it by itself when it is installed.
    loaded = _loaded_after("import shared.library")
    assert not loaded & {"cv2", "av", "PySide6"}


def test_detection_is_loaded_on_first_use():
    loaded = _loaded_after(
        "import shared.chapters as c\n"
        "assert 'cv2' not in sys.modules\n"
        "from shared.chapters import detect_slide_changes, make_thumbnails\n"
        "from shared.chapters.detection import detect_slide_changes as direct\n"
        "assert detect_slide_changes is direct and 'make_thumbnails' in dir(c)"
    )
    assert {"cv2", "av", "numpy"} <= loaded


def test_the_command_lines_load_no_qt():
    # Qt is loaded only when a window is wanted, so the commands run on a machine without a screen.
    loaded = _loaded_after("import studio.cli, player.cli")
    assert "PySide6" not in loaded and {"studio", "player", "shared"} <= loaded
