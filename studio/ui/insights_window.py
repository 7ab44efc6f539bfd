"""The Insights window: how a course's lessons were watched, as plots.

Reached from the main window (File > Learner insights…, Ctrl+Shift+I). The teacher
imports learners' progress files or a folder of them, or reads the course's statements
from a Learning Record Store ("Read from LRS…", Ctrl+L; :func:`studio.insights.add_lrs`);
a progress bar with Cancel shows while they are read (in the worker pool), and a
refused file is listed with its one sentence while the rest count. Per lesson:

* Watching: a heatmap strip of learners per second, then a chart of learners
  watching, plays (re-watching included) and the drop-off, with the re-watch peaks;
* Chapters: reached and watched-all per chapter, as bars;
* Questions: per question, how often each answer was given (right ones marked).

"Export CSV…" writes every number (:meth:`shared.insights.CourseInsights.write_csv`).
What was imported is kept in the course folder (``.insights/progress.npz``), so the
window opens with it next time; "Forget imported progress…" clears it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from shared.errors import LecternError
from shared.insights import (
    STORE_NAME,
    CourseInsights,
    LessonInsights,
    Tally,
    load_tally,
    save_tally,
)
from shared.lrs import Endpoint
from shared.timecode import clock
from shared.ui.dialogs import error_box
from shared.ui.plain import plain
from shared.ui.worker import Job, Worker
from studio.insights import add_lrs, add_progress, course_map
from studio.ui.lrs_dialog import LrsDialog, remember_lrs, remembered_lrs

__all__ = ["InsightsWindow", "Heatmap"]

_BLUE = QColor("#2b6cb0")
_ORANGE = QColor("#dd6b20")
_GREY = QColor("#718096")
_GREEN = QColor("#2f855a")
_RED = QColor("#c53030")


class Heatmap(QWidget):
    """One stripe per second, darker where more learners watched; peaks marked below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(64)
        self.setAccessibleName("Learners per second")
        self.lesson: LessonInsights | None = None

    def show_lesson(self, lesson: LessonInsights | None) -> None:
        self.lesson = lesson
        if lesson is not None:
            most = int(lesson.viewers.max()) if len(lesson.viewers) else 0
            self.setToolTip(
                f"Learners watching each second: the darkest watched by {most} "
                f"of {lesson.learners}; triangles mark re-watch peaks"
            )
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(600, 72)

    def paintEvent(self, _event: object) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect()).adjusted(8, 4, -8, -22)
        painter.fillRect(area, QColor("#edf2f7"))
        lesson = self.lesson
        if lesson is None or not len(lesson.viewers):
            return
        seconds = len(lesson.viewers)
        top = max(1, int(lesson.viewers.max()))
        width = area.width() / seconds
        for second, count in enumerate(lesson.viewers.tolist()):
            if count <= 0:
                continue
            share = min(1.0, count / top)
            colour = QColor(_BLUE)
            colour.setAlphaF(0.06 + 0.94 * share * share)
            x = area.left() + second * width
            painter.fillRect(QRectF(x, area.top(), width + 0.6, area.height()), colour)
        painter.setPen(QPen(_ORANGE, 1.5))
        painter.setBrush(_ORANGE)
        for peak in lesson.peaks:
            x = area.left() + (peak.second + 0.5) * width
            y = area.bottom() + 2
            painter.drawPolygon([QPointF(x, y), QPointF(x - 5, y + 8), QPointF(x + 5, y + 8)])
        painter.setPen(self.palette().text().color())
        for fraction in (0.0, 0.25, 0.5, 0.75, 1.0):
            x = area.left() + fraction * area.width()
            box = QRectF(x - 30 - 30 * (fraction - 0.5) * 2, area.bottom() + 6, 60, 16)
            align = (
                Qt.AlignmentFlag.AlignLeft
                if fraction == 0
                else Qt.AlignmentFlag.AlignRight
                if fraction == 1
                else Qt.AlignmentFlag.AlignHCenter
            )
            painter.drawText(box, align | Qt.AlignmentFlag.AlignVCenter, clock(fraction * seconds))


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    return chart


def _view(chart: QChart, name: str, height: int = 260) -> QChartView:
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(height)
    view.setAccessibleName(name)
    return view


def _line(
    name: str,
    values: list[int],
    colour: QColor,
    step: int,
    style: Qt.PenStyle = Qt.PenStyle.SolidLine,
) -> QLineSeries:
    series = QLineSeries()
    series.setName(name)
    series.setPen(QPen(colour, 2.5, style))
    series.append([QPointF(t, values[t]) for t in range(0, len(values), step)])
    return series


class InsightsWindow(QMainWindow):
    """Insights of the course in ``folder``; imports add up until the window closes."""

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self.course = course_map(self.folder)
        self.store = self.folder / STORE_NAME
        self.tally = Tally(self.course)
        self.insights: CourseInsights = self.tally.result()
        self.notes: list[str] = []  # said once, above the files' own sentences
        self.worker = Worker(self, max_threads=1)
        self.job: Job | None = None
        self.setWindowTitle(f"Learner insights – {self.course.title}")
        self.setAccessibleName("Learner insights")
        self._build()
        self._show()
        if self.store.is_file():
            self._open_saved()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        self.import_files_button = QPushButton("Import progress files…")
        self.import_files_button.setObjectName("primary")
        self.import_folder_button = QPushButton("Import folder…")
        self.lrs_button = QPushButton("Read from LRS…")
        self.lrs_button.setToolTip(
            "Read the statements learners' players sent to a Learning Record Store (Ctrl+L)"
        )
        self.export_button = QPushButton("Export CSV…")
        self.forget_button = QPushButton("Forget imported progress…")
        self.forget_button.setToolTip(
            "Clear what was imported (the progress files themselves are not touched)"
        )
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        plain(self.summary)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setAccessibleName("Import progress")
        self.cancel_button = QPushButton("Cancel")
        self.status = QLabel()
        plain(self.status)
        for widget in (self.progress_bar, self.cancel_button, self.status):
            widget.hide()
        self.problems = QListWidget()
        self.problems.setAccessibleName("Files refused and warnings")
        self.problems.setMaximumHeight(80)
        self.problems.hide()
        self.lesson_box = QComboBox()
        self.lesson_box.setAccessibleName("Lesson")
        self.lesson_line = QLabel()
        plain(self.lesson_line)
        self.lesson_line.setWordWrap(True)

        self.heatmap = Heatmap()
        self.watch_chart = _chart("Learners watching each second")
        self.watch_view = _view(self.watch_chart, "Watching, re-watching and drop-off")
        watching = QWidget()
        box = QVBoxLayout(watching)
        box.addWidget(QLabel("Heatmap: how many learners watched each second"))
        box.addWidget(self.heatmap)
        box.addWidget(self.watch_view, 1)
        self.chapter_chart = _chart("Completion per chapter")
        self.chapter_view = _view(self.chapter_chart, "Completion per chapter")
        self.questions_box = QWidget()
        self.questions_layout = QVBoxLayout(self.questions_box)
        questions = QScrollArea()
        questions.setWidgetResizable(True)
        questions.setWidget(self.questions_box)
        self.tabs = QTabWidget()
        self.tabs.addTab(watching, "&Watching")
        self.tabs.addTab(self.chapter_view, "C&hapters")
        self.tabs.addTab(questions, "&Questions")

        top = QHBoxLayout()
        top.addWidget(self.import_files_button)
        top.addWidget(self.import_folder_button)
        top.addWidget(self.lrs_button)
        top.addWidget(self.export_button)
        top.addStretch(1)
        top.addWidget(self.forget_button)
        progress = QHBoxLayout()
        progress.addWidget(self.status)
        progress.addWidget(self.progress_bar, 1)
        progress.addWidget(self.cancel_button)
        pick = QHBoxLayout()
        pick.addWidget(QLabel("&Lesson:"))
        pick.itemAt(0).widget().setBuddy(self.lesson_box)
        pick.addWidget(self.lesson_box, 1)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addLayout(progress)
        layout.addWidget(self.problems)
        layout.addLayout(pick)
        layout.addWidget(self.lesson_line)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.resize(980, 720)

        self.import_files_button.clicked.connect(self.choose_files)
        self.import_folder_button.clicked.connect(self.choose_folder)
        self.lrs_button.clicked.connect(self.choose_lrs)
        self.export_button.clicked.connect(self.choose_export)
        self.forget_button.clicked.connect(self.choose_forget)
        self.cancel_button.clicked.connect(self.cancel)
        self.lesson_box.currentIndexChanged.connect(self._show_lesson)
        QShortcut(QKeySequence("Ctrl+O"), self, self.choose_files)
        QShortcut(QKeySequence("Ctrl+E"), self, self.choose_export)
        QShortcut(QKeySequence("Ctrl+L"), self, self.choose_lrs)
        QShortcut(QKeySequence("Ctrl+W"), self, self.close)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.cancel)

    # ------------------------------------------------------------------ import

    def choose_files(self) -> None:
        if self.job is not None:
            return
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Import progress files",
            str(Path.home()),
            "Progress files (*.json *.jsonl *.ndjson *.xapi);;All files (*)",
        )
        if files:
            self.import_progress([Path(f) for f in files])

    def choose_folder(self) -> None:
        if self.job is not None:
            return
        folder = QFileDialog.getExistingDirectory(
            self, "Import a folder of progress files", str(Path.home())
        )
        if folder:
            self.import_progress([Path(folder)])

    def import_progress(self, sources: list[Path]) -> Job | None:
        """Read ``sources`` (files or folders) in the worker, then keep what was counted
        in the course folder; the plots follow when done."""
        if self.job is not None:
            return None
        tally, store = self.tally, self.store

        def run(paths: list[Path], state: object) -> CourseInsights:
            add_progress(tally, paths, state)  # type: ignore[arg-type]
            state.set_status("Saving")  # type: ignore[attr-defined]
            save_tally(tally, store)
            state.set_status("Counting")  # type: ignore[attr-defined]
            return tally.result()

        job = self._run("Importing…", run, list(sources))
        job.succeeded.connect(self._imported)
        job.cancelled.connect(self._cancelled)
        return job

    def choose_lrs(self) -> None:
        if self.job is not None:
            return
        self.lrs_dialog = dialog = LrsDialog(*remembered_lrs(self.folder), parent=self)
        accepted = dialog.exec() == LrsDialog.DialogCode.Accepted
        self.lrs_dialog = None
        if accepted:
            self.read_lrs(dialog.endpoint())

    def read_lrs(self, endpoint: Endpoint) -> Job | None:
        """Read the course's statements from ``endpoint`` in the worker, then keep what
        was counted (like an import); its address and user are remembered."""
        if self.job is not None:
            return None
        tally, store, folder = self.tally, self.store, self.folder

        def run(lrs: Endpoint, state: object) -> CourseInsights:
            report = add_lrs(tally, lrs, state)  # type: ignore[arg-type]
            if not report.refused:
                remember_lrs(folder, lrs)
            state.set_status("Saving")  # type: ignore[attr-defined]
            save_tally(tally, store)
            state.set_status("Counting")  # type: ignore[attr-defined]
            return tally.result()

        job = self._run("Reading the LRS…", run, endpoint)
        job.succeeded.connect(self._imported)
        job.cancelled.connect(self._cancelled)
        return job

    def _open_saved(self) -> None:
        """Load what earlier imports counted (in the worker: a big class takes a moment)."""
        course, store = self.course, self.store

        def run(_inputs: object, state: object) -> tuple[Tally, CourseInsights]:
            state.set_status("Opening the progress imported before")  # type: ignore[attr-defined]
            tally = load_tally(store, course)
            return tally, tally.result()

        def opened(value: tuple[Tally, CourseInsights]) -> None:
            self.tally = value[0]
            self._imported(value[1])

        job = self._run("Opening…", run, None, show_errors=False)
        job.succeeded.connect(opened)
        job.failed.connect(self._saved_unreadable)

    def _saved_unreadable(self, message: str) -> None:
        self.notes = [message]
        self._show()

    def _run(self, label: str, run: object, inputs: object, *, show_errors: bool = True) -> Job:
        job = self.worker.submit(label, run, inputs)  # type: ignore[arg-type]
        self.job = job
        for widget in self._buttons():
            widget.setEnabled(False)
        for widget in (self.progress_bar, self.cancel_button, self.status):
            widget.show()
        self.progress_bar.setValue(0)
        self.status.setText(label)
        job.progress.connect(lambda f: self.progress_bar.setValue(round(f * 1000)))
        job.status.connect(self.status.setText)
        if show_errors:
            job.failed.connect(lambda message: error_box(self, "Insights", message))
        job.done.connect(self._job_done)
        return job

    def _buttons(self) -> tuple[QPushButton, ...]:
        return (
            self.import_files_button,
            self.import_folder_button,
            self.lrs_button,
            self.export_button,
            self.forget_button,
        )

    def choose_forget(self) -> None:
        if self.job is not None:
            return
        answer = QMessageBox.question(
            self,
            "Forget imported progress",
            "Forget everything imported for this course? The progress files themselves are "
            "kept; import them again to see their insights.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.forget()

    def forget(self) -> None:
        """Clear what was imported, and its saved copy in the course folder."""
        self.store.unlink(missing_ok=True)
        self.tally = Tally(self.course)
        self.notes = []
        self._imported(self.tally.result())

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _cancelled(self) -> None:
        # Files read before the cancel stay counted (and kept); the one being read added
        # nothing.
        try:
            save_tally(self.tally, self.store)
        except LecternError as error:
            error_box(self, "Insights", str(error))
        self._imported(self.tally.result())
        self.summary.setText(self.summary.text() + " Import cancelled.")

    def _job_done(self) -> None:
        self.job = None
        for widget in self._buttons():
            widget.setEnabled(True)
        for widget in (self.progress_bar, self.cancel_button, self.status):
            widget.hide()

    def _imported(self, insights: CourseInsights) -> None:
        self.insights = insights
        self._show()

    # ------------------------------------------------------------------ export

    def choose_export(self) -> None:
        if self.job is not None:
            return
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Export insights as CSV",
            str(self.folder / "insights.csv"),
            "CSV files (*.csv)",
        )
        if name:
            self.export_csv(Path(name))

    def export_csv(self, path: Path) -> bool:
        try:
            self.insights.write_csv(path)
        except (LecternError, OSError) as error:
            error_box(self, "Insights", str(error))
            return False
        self.statusBar().showMessage(f"Wrote {path}", 6000)
        return True

    # ------------------------------------------------------------------ showing

    def _show(self) -> None:
        found = self.insights
        files = [r for r in found.reports if not r.refused and not r.lrs]
        stores = list(dict.fromkeys(r.name for r in found.reports if not r.refused and r.lrs))
        if not found.reports:
            self.summary.setText(
                "Import the progress files your learners sent you (lectern-player "
                "export-progress) or statements exported from an LRS, or read them from "
                "the LRS itself, to see how each lesson was watched."
            )
        else:
            duplicates = (
                f", {found.duplicates:,} duplicate(s) counted once" if found.duplicates else ""
            )
            sources = ([f"{len(files)} file(s)"] if files or not stores else []) + stores
            self.summary.setText(
                f"{found.learners:,} learner(s), {found.statements:,} statement(s) from "
                f"{' and '.join(sources)}{duplicates}."
            )
        problems = self.notes + found.refused + found.warnings
        self.problems.clear()
        self.problems.addItems(problems)
        self.problems.setVisible(bool(problems))
        current = max(0, self.lesson_box.currentIndex())
        self.lesson_box.blockSignals(True)
        self.lesson_box.clear()
        for lesson in found.lessons:
            self.lesson_box.addItem(f"{lesson.title} ({clock(lesson.duration)})")
        self.lesson_box.blockSignals(False)
        if found.lessons:
            self.lesson_box.setCurrentIndex(min(current, len(found.lessons) - 1))
        self._show_lesson()

    def current_lesson(self) -> LessonInsights | None:
        index = self.lesson_box.currentIndex()
        lessons = self.insights.lessons
        return lessons[index] if 0 <= index < len(lessons) else None

    def _show_lesson(self, *_args: object) -> None:
        lesson = self.current_lesson()
        self.heatmap.show_lesson(lesson)
        if lesson is None:
            self.lesson_line.setText("This course has no lessons yet.")
            return
        share = f" ({lesson.completed / lesson.learners:.0%})" if lesson.learners else ""
        peaks = ", ".join(clock(p.second) for p in lesson.peaks) or "none"
        self.lesson_line.setText(
            f"{lesson.learners:,} learner(s); {lesson.completed:,} completed{share}. "
            f"Re-watched most around: {peaks}."
        )
        self._watch_chart(lesson)
        self._chapter_chart(lesson)
        self._question_charts(lesson)

    def _watch_chart(self, lesson: LessonInsights) -> None:
        chart = self.watch_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        seconds = len(lesson.viewers)
        step = max(1, seconds // 600)  # at most ~600 points a line
        series = [  # drawn in this order: the learners watching on top
            _line(
                "Still here (drop-off)",
                lesson.still_watching.tolist(),
                _GREY,
                step,
                Qt.PenStyle.DashLine,
            ),
            _line("Plays (re-watching included)", lesson.plays.tolist(), _ORANGE, step),
            _line("Learners watching", lesson.viewers.tolist(), _BLUE, step),
        ]
        peaks = QScatterSeries()
        peaks.setName("Re-watch peaks")
        peaks.setColor(_RED)
        peaks.setMarkerSize(10)
        for peak in lesson.peaks:
            peaks.append(QPointF(peak.second, float(lesson.plays[peak.second])))
        x_axis = QValueAxis()
        x_axis.setRange(0, max(1, seconds))
        x_axis.setLabelFormat("%d")
        x_axis.setTitleText("second of the video")
        y_axis = QValueAxis()
        top = max(int(lesson.plays.max()), int(lesson.still_watching.max())) if seconds else 1
        y_axis.setRange(0, max(1, round(top * 1.1 + 0.5)))
        y_axis.applyNiceNumbers()
        y_axis.setLabelFormat("%d")
        y_axis.setTitleText("learners")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        for item in [*series, peaks]:
            chart.addSeries(item)
            item.attachAxis(x_axis)
            item.attachAxis(y_axis)

    def _chapter_chart(self, lesson: LessonInsights) -> None:
        chart = self.chapter_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        if not lesson.chapters:
            chart.setTitle("Completion per chapter (this lesson has no chapters)")
            return
        chart.setTitle("Completion per chapter (% of the lesson's learners)")
        reached, whole = QBarSet("Reached"), QBarSet("Watched it all")
        reached.setColor(_GREY)
        whole.setColor(_GREEN)
        top = max(1, lesson.learners)
        for chapter in lesson.chapters:
            reached.append(100.0 * chapter.reached / top)
            whole.append(100.0 * chapter.completed / top)
        series = QBarSeries()
        series.append(reached)
        series.append(whole)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value %")
        series.setLabelsPrecision(3)
        categories = QBarCategoryAxis()
        categories.append([f"{clock(c.start)} {_short(c.title, 22)}" for c in lesson.chapters])
        values = QValueAxis()
        values.setRange(0, 100)
        values.setLabelFormat("%d %%")
        chart.addSeries(series)
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)
        series.attachAxis(values)

    def _question_charts(self, lesson: LessonInsights) -> None:
        while self.questions_layout.count():
            item = self.questions_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        if not lesson.questions:
            self.questions_layout.addWidget(QLabel("This lesson has no checkpoint questions."))
            self.questions_layout.addStretch(1)
            return
        for q in lesson.questions:
            right = f"{q.first_correct_share:.0%}" if q.learners else "–"
            chart = _chart(
                f"{clock(q.at)}  {_short(q.prompt, 70)}\n{q.learners:,} answered · {right} "
                f"right first time · {q.attempts_per_learner:.1f} attempt(s) each"
            )
            chart.legend().hide()
            counts = QBarSet("Answers")
            counts.setColor(_BLUE)
            counts.setSelectedColor(_GREEN)  # the right answers
            labels = []
            shown = list(reversed(q.options[:12]))  # a horizontal chart fills from below
            for index, option in enumerate(shown):
                counts.append(option.count)
                mark = " ✓" if option.correct else ""
                labels.append(_short(option.label, 30) + mark)
                if option.correct:
                    counts.selectBar(index)
            series = QHorizontalBarSeries()
            series.append(counts)
            series.setLabelsVisible(True)
            axis = QBarCategoryAxis()
            axis.append(labels)
            values = QValueAxis()
            values.setRange(0, max(1, max((o.count for o in q.options), default=1)))
            values.applyNiceNumbers()
            values.setLabelFormat("%d")
            chart.addSeries(series)
            chart.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
            chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
            series.attachAxis(axis)
            series.attachAxis(values)
            view = _view(chart, f"Answers to {q.prompt}", 90 + 28 * max(2, len(labels)))
            self.questions_layout.addWidget(view)
        self.questions_layout.addStretch(1)

    def closeEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        self.cancel()
        self.worker.wait(10_000)
        super().closeEvent(event)  # type: ignore[arg-type]


def _short(text: str, size: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"
