"""Insights for the teacher: how each lesson was watched and its questions answered.

Progress files (or any source of xAPI Video Profile statements, such as an LRS)
are counted by a :class:`Tally` against a :class:`CourseMap` and folded into
:class:`CourseInsights`: per lesson, learners per second (the heatmap), plays and
re-watch peaks, the drop-off curve, completion per chapter and the answers to each
checkpoint question. :func:`save_tally`/:func:`load_tally` keep what was counted, so
insights open again without re-reading the files. No Qt here; the Studio draws the plots.
"""

from shared.insights.course import CourseMap, LessonInfo, QuestionInfo
from shared.insights.reader import MAX_VALUE_BYTES, ProgressFileError, read_statements
from shared.insights.results import (
    CSV_COLUMNS,
    ChapterStat,
    CourseInsights,
    LessonInsights,
    OptionStat,
    Peak,
    QuestionStat,
)
from shared.insights.store import STORE_NAME, InsightsStoreError, load_tally, save_tally
from shared.insights.tally import FUTURE_SLACK_S, FileReport, Tally

__all__ = [
    "CourseMap",
    "LessonInfo",
    "QuestionInfo",
    "MAX_VALUE_BYTES",
    "ProgressFileError",
    "read_statements",
    "CSV_COLUMNS",
    "ChapterStat",
    "CourseInsights",
    "LessonInsights",
    "OptionStat",
    "Peak",
    "QuestionStat",
    "STORE_NAME",
    "InsightsStoreError",
    "load_tally",
    "save_tally",
    "FUTURE_SLACK_S",
    "FileReport",
    "Tally",
]
