"""Studio settings: declared values kept in a real INI file, and the settings dialog.

The dialog lists the real bundled speech model and the real devices of this machine
(none here: the tests only need the dialog to say so instead of failing).
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything loads Qt

import subprocess
import sys
from pathlib import Path

import pytest

from PySide6.QtCore import QSettings, Qt

from shared.transcription import BUNDLED_MODEL_NAME, available_models, physical_cores
from studio.capture import RecordingSettings
from studio.pipeline import BuildOptions
from studio.settings import (
    DEFAULT_QUALITY,
    PREFERENCES,
    QUALITY_PRESETS,
    WINDOW_STATE,
    MemoryStore,
    Settings,
    build_options,
    default_output_folder,
    engine_problem,
    output_folder,
    recording_settings,
)
from studio.ui.settings_dialog import SettingsDialog, model_label

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ini(tmp_path: Path) -> Path:
    return tmp_path / "studio.ini"


def reopen(ini: Path) -> Settings:
    """The settings read back from the file by a new QSettings, as the next run would."""
    return Settings(QSettings(str(ini), QSettings.Format.IniFormat))


def test_defaults_when_nothing_is_stored(ini: Path) -> None:
    settings = reopen(ini)
    for name, setting in PREFERENCES.items():
        assert settings.preference(name) == setting.default
    assert settings.preference("model") == BUNDLED_MODEL_NAME
    assert settings.preference("quality") == DEFAULT_QUALITY
    # Imports run in parallel where there are cores to run them on.
    assert settings.preference("parallel_imports") is (physical_cores() >= 2)
    assert settings.window("geometry") == b""
    assert output_folder(settings) == default_output_folder()
    assert default_output_folder().name == "Lectern"


def test_preferences_and_window_state_round_trip_through_the_file(ini: Path) -> None:
    settings = Settings(QSettings(str(ini), QSettings.Format.IniFormat))
    chosen = {
        "engine": "openai-whisper",
        "model": "/models/small",
        "language": "pt-BR",
        "output_folder": "/data/courses",
        "screen": "window:Slides",
        "camera": "0",
        "mic": "USB Audio",
        "quality": "Smooth 1080p60",
        "countdown": False,
        "last_course": "/data/courses/geology",
    }
    for name, value in chosen.items():
        settings.set_preference(name, value)
    geometry = bytes(range(256))
    settings.set_window("geometry", geometry)
    settings.sync()
    assert "@ByteArray" in ini.read_text(encoding="utf-8")  # not a pickled Python object

    again = reopen(ini)
    assert {name: again.preference(name) for name in chosen} == chosen
    assert again.window("geometry") == geometry
    assert set(WINDOW_STATE) == {"geometry", "state", "splitter"}


def test_unusable_values_fall_back_or_are_refused(ini: Path) -> None:
    ini.write_text(
        "[preferences]\nengine=vosk\nquality=Cinema 8K\ncountdown=no\nlanguage=not a code\n",
        encoding="utf-8",
    )
    settings = reopen(ini)
    assert settings.preference("engine") == "faster-whisper"
    assert settings.preference("quality") == DEFAULT_QUALITY
    assert settings.preference("countdown") is False
    assert settings.preference("language") == "auto"
    with pytest.raises(ValueError, match="engine"):
        settings.set_preference("engine", "vosk")
    with pytest.raises(KeyError):
        settings.preference("no such setting")


def test_recording_settings_follow_the_preferences() -> None:
    settings = Settings(MemoryStore())
    assert recording_settings(settings) == RecordingSettings(
        screen="0", camera="none", mic="default", fps=30.0, preset="ultrafast"
    )
    settings.set_preference("quality", "Smooth 1080p60")
    settings.set_preference("camera", "/videos/teacher.mp4")
    settings.set_preference("mic", "none")
    recording = recording_settings(settings)
    assert (recording.fps, recording.camera, recording.mic) == (60.0, "/videos/teacher.mp4", "none")
    assert recording.preset == QUALITY_PRESETS["Smooth 1080p60"].preset
    settings.set_preference("quality", "Light 720p30")
    assert recording_settings(settings).max_size == (1280, 720)


def test_build_options_follow_the_preferences() -> None:
    settings = Settings(MemoryStore())
    options = build_options(settings, title="Rocks")
    assert options == BuildOptions(title="Rocks", model=BUNDLED_MODEL_NAME, language=None)
    settings.set_preference("language", "pt-BR")
    settings.set_preference("model", "/models/small")
    assert build_options(settings).language == "pt"
    assert build_options(settings).model == "/models/small"
    settings.set_preference("engine", "openai-whisper")
    settings.set_preference("model", BUNDLED_MODEL_NAME)
    # openai-whisper runs the bundled model too (converted to its format on first use).
    assert build_options(settings).model == BUNDLED_MODEL_NAME


def test_engine_problem_names_what_is_missing() -> None:
    assert engine_problem("faster-whisper") is None
    assert "not a transcription engine" in engine_problem("vosk")
    problem = engine_problem("openai-whisper")
    import importlib.util

    if importlib.util.find_spec("whisper") is None:
        # Words for a teacher, not a command line.
        assert "not part of this installation" in problem and "pip" not in problem


def test_the_declarations_do_not_need_qt() -> None:
    code = (
        "import sys; sys.modules['PySide6'] = None\n"
        "from studio.settings import Settings, MemoryStore, recording_settings\n"
        "s = Settings(MemoryStore()); s.set_window('state', b'x')\n"
        "assert s.window('state') == b'x' and recording_settings(s).fps == 30.0\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------ dialog


def test_dialog_lists_the_bundled_model_with_its_size(qtbot, ini: Path) -> None:
    dialog = SettingsDialog(reopen(ini))
    qtbot.addWidget(dialog)
    bundled = next(model for model in available_models() if model.bundled)
    texts = [dialog.model_box.itemText(i) for i in range(dialog.model_box.count())]
    label = model_label(bundled)
    assert label in texts and texts[-2:] == ["Import model pack…", "Other folder…"]
    assert label.startswith(BUNDLED_MODEL_NAME)
    assert f"{bundled.size_bytes / 1e6:.0f} MB" in label and "English" in label
    # Expected accuracy from the bench, and this computer's speed once measured.
    assert "WER" in label and ("s here" in label or "not measured yet" in label)
    # The models that could still be installed are named, with how to install them.
    assert "base (150 MB, many languages" in dialog.more_models_note.text()
    assert "models install" in dialog.more_models_note.text()
    assert dialog.model_box.currentData() == BUNDLED_MODEL_NAME

    engines = dialog.engine_box.model()
    for row in range(dialog.engine_box.count()):
        engine = dialog.engine_box.itemData(row)
        enabled = engines.item(row).isEnabled()
        assert enabled == (engine_problem(engine) is None)
        if not enabled:
            assert engines.item(row).toolTip() == engine_problem(engine)
            assert engine_problem(engine) in dialog.engine_note.text()
    # Device lists never stop the dialog; an empty list is explained, "none" is offered.
    for box, note in (
        (dialog.screen_box, dialog.screen_note),
        (dialog.camera_box, dialog.camera_note),
        (dialog.mic_box, dialog.mic_note),
    ):
        assert box.findData("none") >= 0
        assert box.count() > 1 or note.text()


def test_dialog_writes_choices_only_on_ok(qtbot, ini: Path, tmp_path: Path) -> None:
    model_folder = tmp_path / "my-model"
    model_folder.mkdir()
    (model_folder / "model.bin").write_bytes(b"weights")
    not_a_model = tmp_path / "empty"
    not_a_model.mkdir()

    dialog = SettingsDialog(reopen(ini))
    qtbot.addWidget(dialog)
    assert not dialog.use_model_folder(not_a_model)
    assert "no model.bin" in dialog.model_note.text()
    assert dialog.model_box.currentData() == BUNDLED_MODEL_NAME
    assert dialog.use_model_folder(model_folder)
    dialog.language_box.setCurrentIndex(dialog.language_box.findData("fr"))
    dialog.quality_box.setCurrentIndex(dialog.quality_box.findData("Light 720p30"))
    dialog.camera_box.setCurrentIndex(dialog.camera_box.findData("none"))
    dialog.countdown_box.setChecked(False)
    dialog.parallel_box.setChecked(False)
    dialog.output_box.setText(str(tmp_path / "courses"))

    dialog.reject()
    assert reopen(ini).preference("model") == BUNDLED_MODEL_NAME  # Cancel stores nothing

    dialog.accept()
    stored = reopen(ini)
    assert stored.preference("model") == str(model_folder)
    assert stored.preference("language") == "fr"
    assert stored.preference("quality") == "Light 720p30"
    assert stored.preference("countdown") is False
    assert stored.preference("parallel_imports") is False
    assert output_folder(stored) == tmp_path / "courses"
    assert build_options(stored).model == str(model_folder)
    assert recording_settings(stored).preset == "superfast"

    # Opened again, the dialog shows what was stored (the model folder included).
    again = SettingsDialog(stored)
    qtbot.addWidget(again)
    assert again.choices() == dialog.choices()
    assert again.model_box.currentData() == str(model_folder)


def test_dialog_keeps_a_stored_device_that_is_not_found_now(qtbot, ini: Path) -> None:
    settings = reopen(ini)
    settings.set_preference("screen", "window:Slides")
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    assert dialog.screen_box.currentData() == "window:Slides"
    assert "not found now" in dialog.screen_box.currentText()
    dialog.accept()
    assert reopen(ini).preference("screen") == "window:Slides"


def test_the_model_list_follows_the_engine(qtbot, ini: Path, tmp_path: Path, monkeypatch) -> None:
    # openai-whisper keeps its checkpoints in $XDG_CACHE_HOME/whisper; one is there.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "cache" / "whisper").mkdir(parents=True)
    (tmp_path / "cache" / "whisper" / "base.pt").write_bytes(b"\0" * 3_000_000)
    # It also runs the models faster-whisper runs (converted on first use).
    bundled, checkpoint = available_models("openai-whisper")
    assert bundled.bundled and bundled.name == BUNDLED_MODEL_NAME
    assert (checkpoint.name, checkpoint.languages) == ("base", "multilingual")

    dialog = SettingsDialog(reopen(ini))
    qtbot.addWidget(dialog)
    dialog.engine_box.setCurrentIndex(dialog.engine_box.findData("openai-whisper"))
    texts = [dialog.model_box.itemText(i) for i in range(dialog.model_box.count())]
    assert texts == [
        model_label(bundled, "openai-whisper"),
        model_label(checkpoint, "openai-whisper"),
        "Import model pack…",
        "Other checkpoint (.pt)…",
    ]
    assert "3 MB" in texts[1] and "many languages" in texts[1]
    assert not dialog.use_model_file(tmp_path / "missing.pt")
    assert "not an openai-whisper checkpoint" in dialog.model_note.text()

    dialog.engine_box.setCurrentIndex(dialog.engine_box.findData("faster-whisper"))
    assert dialog.model_box.itemText(dialog.model_box.count() - 1) == "Other folder…"
    assert dialog.model_box.currentData() == BUNDLED_MODEL_NAME


def test_dialog_imports_a_model_pack_and_refuses_a_broken_one(
    qtbot, ini: Path, tmp_path: Path, monkeypatch
) -> None:
    import json
    import zipfile

    from shared import speech_models
    from shared.transcription import bundled_model_dir

    monkeypatch.setenv("LECTERN_MODELS_DIR", str(tmp_path / "models"))
    source = bundled_model_dir()
    names = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
    pack = tmp_path / "copy.lectern-model"
    with zipfile.ZipFile(pack, "w") as archive:
        files = {n: {"sha256": speech_models._sha256_file(source / n), "size": 0} for n in names}
        manifest = {"format": 1, "name": "tiny-copy", "languages": "en", "files": files}
        archive.writestr(speech_models.PACK_MANIFEST, json.dumps(manifest))
        for n in names:
            archive.write(source / n, f"model/{n}")
    broken = tmp_path / "broken.lectern-model"
    broken.write_bytes(pack.read_bytes()[:4_000_000])

    dialog = SettingsDialog(reopen(ini))
    qtbot.addWidget(dialog)
    job = dialog.import_model_pack(broken)  # in the background: the dialog stays usable
    qtbot.waitUntil(lambda: job.finished, timeout=60000)
    assert job.error is not None and "refused" in dialog.model_note.text()
    assert dialog.model_box.currentData() == BUNDLED_MODEL_NAME
    assert dialog.model_box.isEnabled() and dialog.ok_button.isEnabled()
    job = dialog.import_model_pack(pack)
    qtbot.waitUntil(lambda: job.finished, timeout=300000)
    assert job.error is None
    assert dialog.model_box.currentData() == "tiny-copy"
    # Its speed was measured at import, on a clip of the sample lecture.
    assert "tiny-copy · 78 MB · English · 1 min of speech in" in dialog.model_box.currentText()
    assert speech_models.measured_speed("tiny-copy") > 0


def test_import_model_pack_is_reached_with_keys_and_the_file_dialog(
    qtbot, ini: Path, tmp_path: Path, monkeypatch
) -> None:
    """Keyboard only: open the model list, pick "Import model pack…", type the file name."""
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QFileDialog

    monkeypatch.setenv("LECTERN_MODELS_DIR", str(tmp_path / "models"))
    broken = tmp_path / "broken.lectern-model"
    broken.write_bytes(b"PK\x03\x04 not a whole pack")
    dialog = SettingsDialog(reopen(ini))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    seen: list[str] = []

    def answer() -> None:
        chooser = next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, QFileDialog) and w.isVisible()
            ),
            None,
        )
        if chooser is None or chooser.focusWidget() is None:  # not shown or not focused yet
            QTimer.singleShot(100, answer)
            return
        seen.append(chooser.windowTitle())
        QTest.keyClicks(chooser.focusWidget(), str(broken))
        QTest.keyClick(chooser.focusWidget(), Qt.Key.Key_Return)

    QTimer.singleShot(100, answer)
    dialog.model_box.setFocus()
    index = dialog.model_box.findData("\x00import")
    for _ in range(index - dialog.model_box.currentIndex()):
        QTest.keyClick(dialog.model_box, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: bool(seen) and "refused" in dialog.model_note.text(), timeout=20000)
    assert seen == ["Import a speech model pack"]
    assert dialog.model_box.currentData() == BUNDLED_MODEL_NAME  # the old choice is kept


def test_the_recording_shortcuts_are_typed_checked_and_kept(qtbot, ini: Path) -> None:
    from PySide6.QtCore import Qt

    settings = reopen(ini)
    assert (settings.preference("pause_key"), settings.preference("stop_key")) == (
        "Ctrl+Shift+P",
        "Ctrl+Shift+S",
    )
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.stop_key_box.keySequence().toString() == "Ctrl+Shift+S"
    ctrl_alt = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    for box in (dialog.pause_key_box, dialog.stop_key_box):  # typed, as a person does
        box.clear()
        qtbot.keyClick(box, Qt.Key.Key_P, ctrl_alt)
    dialog.accept()
    assert dialog.isVisible() and "different" in dialog.keys_note.text()
    dialog.stop_key_box.clear()
    qtbot.keyClick(dialog.stop_key_box, Qt.Key.Key_F9, ctrl_alt)  # a console switch
    dialog.accept()
    assert dialog.isVisible() and "F key" in dialog.keys_note.text()
    dialog.stop_key_box.clear()
    qtbot.keyClick(dialog.stop_key_box, Qt.Key.Key_X, ctrl_alt)
    dialog.accept()
    assert not dialog.isVisible()
    again = reopen(ini)
    assert (again.preference("pause_key"), again.preference("stop_key")) == (
        "Ctrl+Alt+P",
        "Ctrl+Alt+X",
    )
    again.set_preference("stop_key", "Ctrl+Alt+X")
    with pytest.raises(ValueError):
        again.set_preference("stop_key", "X")  # a bare letter would leave no X for typing
