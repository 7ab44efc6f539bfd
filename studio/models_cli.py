"""`lectern-studio models`: list, install, import and export speech model packs.

``studio.cli`` adds the sub-command with :func:`add_parser` and dispatches to
:data:`HANDLERS`; the work itself is in :mod:`shared.speech_models`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from shared import speech_models, transcription
from shared.files import check_output
from shared.terminal import TerminalProgress, print_json, printable

__all__ = ["HANDLERS", "add_parser", "model_rows"]

_LANGUAGES = {"en": "English", "multilingual": "many languages"}


def add_parser(
    subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]
) -> None:
    """Add ``models`` (with list, install, import, export) to a ``lectern-studio`` parser."""
    p = subparsers.add_parser(
        "models",
        parents=parents,
        help="speech models: list, install, import or export model packs",
        description="Bigger and multilingual speech models install as packs: `install` fetches "
        "one with pip (needs the internet), `export` writes an installed one to a "
        f"{speech_models.PACK_SUFFIX} file, and `import` installs such a file (or the model's "
        "published wheels) with no internet, e.g. from a USB stick.",
    )
    actions = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    actions.add_parser("list", parents=parents, help="the models here and the ones to install")
    q = actions.add_parser("install", parents=parents, help="fetch and install a model (internet)")
    q.add_argument("name", help="a model name from `models list`, e.g. base")
    q = actions.add_parser("import", parents=parents, help="install a model pack file (offline)")
    q.add_argument(
        "files",
        type=Path,
        nargs="+",
        metavar="FILE",
        help=f"a {speech_models.PACK_SUFFIX} file, or all the wheel files of one model",
    )
    q = actions.add_parser("export", parents=parents, help="write an installed model as a pack")
    q.add_argument("name")
    q.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    q.add_argument("--force", action="store_true", help="replace an existing file")


def model_rows() -> list[dict]:
    """One row per model: the ones on this computer, then the ones that can be installed.

    Keys: ``name``, ``installed``, ``bundled``, ``size_mb``, ``languages``, ``speed``
    (real-time factor measured here, or None), ``accuracy``, ``path``.
    """
    rows = []
    seen = set()
    for info in transcription.available_models("faster-whisper"):
        name = "tiny.en" if info.bundled else info.name
        seen.add(name)
        known = speech_models.CATALOG.get(name)
        rows.append(
            {
                "name": info.name,
                "installed": True,
                "bundled": info.bundled,
                "size_mb": round(info.size_bytes / 1e6),
                "languages": info.languages,
                "speed": speech_models.measured_speed(name),
                "accuracy": known.accuracy if known else "",
                "path": str(info.path),
            }
        )
    for model in speech_models.CATALOG.values():
        if model.name not in seen and model.wheels:
            rows.append(
                {
                    "name": model.name,
                    "installed": False,
                    "bundled": False,
                    "size_mb": round(model.size_bytes / 1e6),
                    "languages": model.languages,
                    "speed": None,
                    "accuracy": model.accuracy,
                    "path": "",
                }
            )
    return rows


def _list(args: argparse.Namespace) -> int:
    rows = model_rows()
    if args.json:
        print_json({"models": rows})
        return 0
    for row in rows:
        state = "bundled" if row["bundled"] else "installed" if row["installed"] else "available"
        speed = (
            f"1 min of speech in {row['speed'] * 60:.0f} s"
            if row["speed"] is not None
            else "speed not measured yet"
        )
        print(
            f"{printable(row['name']):16} {state:9} {row['size_mb']:5d} MB  "
            f"{_LANGUAGES.get(row['languages'], row['languages']):15} {speed:28} {row['accuracy']}"
        )
    if any(not row["installed"] for row in rows):
        print("Install one with: lectern-studio models install NAME (or models import FILE)")
    return 0


def _done(args: argparse.Namespace, model: speech_models.InstalledModel, verb: str) -> int:
    speed = speech_models.measured_speed(model.name)
    if args.json:
        print_json(
            {
                "name": model.name,
                "path": str(model.path),
                "languages": model.languages,
                "speed": speed,
            }
        )
    else:
        print(
            f"{verb} the speech model '{printable(model.name)}' "
            f"({model.size_bytes / 1e6:.0f} MB, {_LANGUAGES.get(model.languages, model.languages)}) "
            f"in {printable(model.path)}; choose it with --model {printable(model.name)}."
        )
        if speed is not None:
            print(f"On this computer it transcribes 1 min of speech in {speed * 60:.0f} s.")
    return 0


def _progress(args: argparse.Namespace) -> TerminalProgress:
    return TerminalProgress(quiet=args.quiet or args.json)


def _install(args: argparse.Namespace) -> int:
    if not args.quiet and not args.json:
        print(f"Fetching the speech model '{printable(args.name)}' ...")
    model = speech_models.install_model(args.name)
    progress = _progress(args)
    try:
        speech_models.measure_speed(model.name, state=progress)
    finally:
        progress.close()
    return _done(args, model, "Installed")


def _import(args: argparse.Namespace) -> int:
    progress = _progress(args)
    try:
        model = speech_models.import_and_measure(args.files, progress)
    finally:
        progress.close()
    return _done(args, model, "Imported")


def _export(args: argparse.Namespace) -> int:
    model = speech_models.installed_model(args.name)
    if model is None:
        installed = ", ".join(m.name for m in speech_models.installed_models()) or "none"
        raise transcription.ModelNotFoundError(
            f"There is no installed model pack '{args.name}' to export (installed: {installed})."
        )
    check_output(args.output, force=args.force)
    speech_models.export_pack(model, args.output, replace=args.force)
    if args.json:
        print_json({"name": model.name, "output": str(args.output)})
    else:
        print(f"Wrote {printable(args.output)}; install it elsewhere with `models import`.")
    return 0


def models(args: argparse.Namespace) -> int:
    """Run ``lectern-studio models ACTION``."""
    return {"list": _list, "install": _install, "import": _import, "export": _export}[
        args.models_command
    ](args)


HANDLERS = {"models": models}
