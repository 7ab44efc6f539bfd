"""Insights from progress files: the reader, the tally and the folded numbers.

Statements are made with ``shared.xapi`` (what ``lectern-player export-progress``
writes) and by hand in the shapes other players and LRSs write, then read from real
files of every layout; the numbers are checked against counts worked out by hand.
"""

from __future__ import annotations

import json
import os
import resource
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from shared import xapi
from shared.insights import (
    STORE_NAME,
    CourseMap,
    InsightsStoreError,
    LessonInfo,
    QuestionInfo,
    Tally,
    load_tally,
    read_statements,
    save_tally,
)
from shared.insights.reader import WHOLE_FILE_BYTES
from shared.jobs import Cancelled, JobState

COURSE = "c0ffee00-0000-4000-8000-000000000001"
NOW = 1_800_000_000.0  # 2027-01-15: the tally's "now"
AT = 1_790_000_000_000  # statements made before that, in ms
LESSON = xapi.lesson_activity(COURSE, "uid-intro")
Q_WHERE = xapi.checkpoint_activity(COURSE, "uid-intro", "where")
Q_PI = xapi.checkpoint_activity(COURSE, "intro", "pi")  # named by the lesson id: counts too


def course_map() -> CourseMap:
    return CourseMap(
        COURSE,
        "Biology 101",
        (
            LessonInfo(
                ("uid-intro", "intro"),
                "Introduction",
                60.0,
                chapters=((0.0, 20.0, "Light"), (20.0, 60.0, "Dark")),
                questions=(
                    QuestionInfo("where", "Where?", "single", ("Thylakoids", "Stroma"), (0,), 20.0),
                    QuestionInfo("pi", "Pi?", "short", (), (), 60.0),
                ),
            ),
            LessonInfo(("uid-two",), "Second", 30.0),
        ),
    )


def who(n: int) -> dict:
    return xapi.actor(f"learner-{n}")


def played(n: int, start: float, end: float, at: int = AT) -> dict:
    return xapi.played(who(n), LESSON, "Introduction", start, end, at_ms=at)


def answered(n: int, activity: str, response: str, success: bool, at: int) -> dict:
    return xapi.answered(
        who(n),
        activity,
        prompt="?",
        interaction="choice",
        response=response,
        success=success,
        attempts=1,
        at_ms=at,
    )


def write(path: Path, statements: list[dict], layout: str = "array") -> Path:
    if layout == "array":
        path.write_text(json.dumps(statements, indent=1), encoding="utf-8")
    elif layout == "lines":
        path.write_text("\n".join(json.dumps(s) for s in statements) + "\n", encoding="utf-8")
    elif layout == "page":
        page = {"statements": statements, "more": "/xapi/statements?more=abc"}
        path.write_text(json.dumps(page), encoding="utf-8")
    elif layout == "page-more-first":
        path.write_text(json.dumps({"more": "", "statements": statements}), encoding="utf-8")
    return path


@pytest.mark.parametrize("layout", ["array", "lines", "page", "page-more-first"])
def test_every_layout_reads_the_same_statements(tmp_path, layout):
    statements = [played(n, n, n + 10) for n in range(5)]
    path = write(tmp_path / "p.json", statements, layout)
    assert list(read_statements(path)) == statements


def test_a_statement_split_across_chunks_is_read_whole(tmp_path):
    # 32,000 statements of about 600 bytes: over the size decoded whole, so the file
    # streams, in 1 MB chunks that end inside statements.
    statements = [played(n % 7, n % 50, n % 50 + 3.25) for n in range(32_000)]
    path = write(tmp_path / "big.json", statements)
    assert path.stat().st_size > WHOLE_FILE_BYTES
    assert list(read_statements(path)) == statements


def test_a_small_file_decoded_whole_reads_what_the_standard_library_reads(tmp_path):
    """orjson refuses what json accepts (a lone surrogate, NaN, a 30-digit number): such a
    file is still read, and a byte-order mark is skipped, as by the streaming reader."""
    odd = played(1, 0, 10)
    odd["verb"]["display"] = {"en-US": "\ud800 lone"}
    odd["result"] = {"extensions": {"https://x/big": 10**30, "https://x/nan": float("nan")}}
    plain = [played(n, n, n + 10) for n in range(4)]
    for name, statements, prefix in [
        ("plain.json", plain, b""),
        ("bom.json", plain, b"\xef\xbb\xbf"),
        ("odd.json", [*plain, odd], b""),
    ]:
        path = tmp_path / name
        path.write_bytes(prefix + json.dumps(statements).encode())
        assert path.stat().st_size < WHOLE_FILE_BYTES
        read = list(read_statements(path))
        expected = json.loads(path.read_bytes().decode("utf-8-sig"))
        assert json.dumps(read) == json.dumps(expected), name
    assert read[-1]["result"]["extensions"]["https://x/big"] == 10**30


def test_heatmap_rewatch_dropoff_and_chapters_are_counted_per_second(tmp_path):
    statements = [
        # learner 0 watches all, then again 30..40 (a re-watch)
        played(0, 0, 60),
        played(0, 30, 40),
        # learner 1 watches 0..25 and leaves
        played(1, 0, 12.4),
        played(1, 12.4, 25),
        # learner 2 watches 0..40 twice over, as overlapping stretches
        played(2, 0, 40),
        played(2, 30.5, 40),
    ]
    tally = Tally(course_map(), now=NOW)
    report = tally.add_file(write(tmp_path / "a.json", statements))
    assert (report.statements, report.refused) == (6, "")
    lesson = tally.result().lessons[0]
    assert lesson.learners == 3
    assert lesson.viewers[0] == 3 and lesson.viewers[24] == 3 and lesson.viewers[25] == 2
    assert lesson.viewers[39] == 2 and lesson.viewers[40] == 1 and len(lesson.viewers) == 60
    assert lesson.plays[35] == 4  # learners 0 and 2 twice each
    assert lesson.rewatches[35] == 2 and lesson.rewatches[20] == 0
    assert [p.second for p in lesson.peaks] == [32] or 30 <= lesson.peaks[0].second < 40
    assert lesson.still_watching[0] == 3 and lesson.still_watching[30] == 2
    assert lesson.still_watching[59] == 1
    light, dark = lesson.chapters
    assert (light.reached, light.completed) == (3, 3)
    assert (dark.reached, dark.completed) == (3, 1)  # 1 watched 5 of 40 s, 2 watched 20
    assert lesson.completed == 1  # learner 0 covered >= 90 %


def test_played_segments_from_another_player_count_and_the_longest_list_wins(tmp_path):
    """A player following the profile sends growing ``played-segments`` on paused and
    terminated; only the longest list of a session counts for re-watching, all count
    for coverage."""

    def paused(segments: str, registration: str) -> dict:
        return {
            "id": f"00000000-0000-4000-8000-{abs(hash(segments + registration)):012d}"[:36],
            "actor": {"mbox": "mailto:ann@example.org", "name": "Ann"},
            "verb": {"id": "https://w3id.org/xapi/video/verbs/paused"},
            "object": {"id": LESSON, "objectType": "Activity"},
            "timestamp": "2026-03-01T10:00:00+01:00",
            "result": {
                "extensions": {
                    xapi.EXT["played-segments"]: segments,
                    xapi.EXT["progress"]: 0.5,
                    xapi.EXT["time"]: 20,
                }
            },
            "context": {
                "registration": registration,
                "extensions": {xapi.EXT["length"]: 60},
            },
        }

    statements = [
        paused("0[.]10", "s1"),
        paused("0[.]10[,]5[.]20", "s1"),  # the session's list grows
        paused("40[.]50", "s2"),
    ]
    tally = Tally(course_map(), now=NOW)
    tally.add_statements(statements, "lrs")
    lesson = tally.result().lessons[0]
    assert lesson.viewers[7] == 1 and lesson.viewers[19] == 1 and lesson.viewers[30] == 0
    assert lesson.viewers[45] == 1
    assert lesson.plays[7] == 2  # 0..10 and 5..20 overlap once, from the longest list
    assert lesson.plays[2] == 1  # not 2: the shorter list of s1 is not counted again


def test_answers_per_option_first_try_and_attempts(tmp_path):
    statements = [
        answered(0, Q_WHERE, "1", False, AT),
        answered(0, Q_WHERE, "0", True, AT + 1000),
        answered(1, Q_WHERE, "0", True, AT + 500),
        answered(2, Q_WHERE, "1", False, AT + 200),
        xapi.answered(
            who(1),
            Q_PI,
            prompt="Pi?",
            interaction="numeric",
            response=" 3.14 ",
            success=True,
            attempts=1,
            at_ms=AT,
        ),
    ]
    tally = Tally(course_map(), now=NOW)
    tally.add_file(write(tmp_path / "answers.jsonl", statements, "lines"))
    where, pi = tally.result().lessons[0].questions
    assert (where.learners, where.answers, where.first_correct, where.eventually_correct) == (
        3,
        4,
        1,
        2,
    )
    assert [(o.label, o.count, o.correct) for o in where.options] == [
        ("Thylakoids", 2, True),
        ("Stroma", 2, False),
    ]
    assert round(where.attempts_per_learner, 2) == 1.33
    assert [(o.label, o.count) for o in pi.options] == [("3.14", 1)]


def test_the_same_statement_twice_counts_once(tmp_path):
    one = [played(0, 0, 30), answered(0, Q_WHERE, "0", True, AT)]
    first = write(tmp_path / "a.json", one)
    again = write(tmp_path / "b.jsonl", one + [played(1, 0, 10)], "lines")
    tally = Tally(course_map(), now=NOW)
    tally.add_file(first)
    tally.add_file(again)
    found = tally.result()
    assert (found.statements, found.duplicates) == (3, 2)
    lesson = found.lessons[0]
    assert lesson.plays[5] == 2 and lesson.viewers[5] == 2  # not 3
    assert lesson.questions[0].answers == 1


def test_future_timestamps_are_ignored_with_a_warning(tmp_path):
    future = played(3, 0, 60, at=int((NOW + 86_400) * 1000))
    path = write(tmp_path / "f.json", [played(0, 0, 10), future])
    tally = Tally(course_map(), now=NOW)
    report = tally.add_file(path)
    assert (report.statements, report.future) == (1, 1)
    assert report.warnings == [
        "f.json: 1 statement(s) dated in the future were ignored (check the clock of the "
        "computer that made them)."
    ]
    assert tally.result().lessons[0].learners == 1
    # Stamped with a UTC offset: 3 hours ahead in UTC, though its local time is not.
    west = played(4, 0, 10)
    west["timestamp"] = (
        datetime.fromtimestamp(NOW + 3 * 3600, timezone(timedelta(hours=-5)))
    ).isoformat()
    east = played(5, 0, 10)
    east["timestamp"] = (
        datetime.fromtimestamp(NOW - 3 * 3600, timezone(timedelta(hours=9)))
    ).isoformat()
    both = Tally(course_map(), now=NOW).add_statements([west, east], "offsets")
    assert (both.statements, both.future) == (1, 1)
    only_future = Tally(course_map(), now=NOW).add_file(write(tmp_path / "g.json", [future]))
    assert only_future.refused == (
        "g.json was not imported: all its statements are dated in the future."
    )


def test_statements_of_another_course_refuse_the_file(tmp_path):
    other = xapi.played(who(0), xapi.lesson_activity("another-course", "x"), "X", 0, 10, at_ms=AT)
    report = Tally(course_map(), now=NOW).add_file(write(tmp_path / "o.json", [other]))
    assert report.refused == (
        "o.json was not imported: none of its statements is about a lesson of the course "
        "'Biology 101' (it is progress of another course)."
    )


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        (b'[{"verb": {"id": "x"}, ', "o.json was not imported: it ends in the middle"),
        (b"[1, 2]", "it holds something that is not an xAPI statement"),
        (b"<html>oops</html>", "it is not a JSON list of xAPI statements (it starts with"),
        (b"", "o.json was not imported: it is empty."),
        (
            b'[{"verb": {"id": "x"}, "object": {"id": "y"}, "actor": {"mbox": "m"}} {"a": 1}]',
            "a comma is missing",
        ),
        (b"\xff\xfe[", "it is not UTF-8 text"),
        (b"[" * 100_000, "nested too deeply"),
        (b'[{"verb": {"id": "x"}, "object": {"id": "y"}, "actor": 2}', "ends in the middle"),
        (b'[{"verb": {"id": "x"}, "object": {"id": ["a"]}}]', "verb or object id is not text"),
        (b'[{"verb": {"id": "x"}}]', "a statement has no verb or object id"),
    ],
)
def test_a_malformed_file_is_refused_with_one_sentence_and_adds_nothing(
    tmp_path, content, sentence
):
    good = write(tmp_path / "good.json", [played(0, 0, 10)])
    bad = tmp_path / "o.json"
    bad.write_bytes(content)
    tally = Tally(course_map(), now=NOW)
    tally.add_file(good)
    report = tally.add_file(bad)
    assert sentence in report.refused
    assert report.refused.count(".") >= 1 and "\n" not in report.refused
    assert report.statements == 0
    assert tally.result().lessons[0].viewers[5] == 1  # the good file still counts


def test_a_file_refused_halfway_takes_back_what_it_added(tmp_path):
    statements = [played(n, 0, 10) for n in range(2000)]
    text = json.dumps(statements)
    bad = tmp_path / "half.json"
    bad.write_text(text[: len(text) // 2] + "}}}garbage", encoding="utf-8")
    tally = Tally(course_map(), now=NOW)
    report = tally.add_file(bad)
    assert report.refused and report.statements == 0
    assert tally.statements == 0
    assert tally.result().lessons[0].learners == 0


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_1_gb_file_is_refused_without_reading_it_into_memory(tmp_path):
    """1 GB (sparse: no disk used) of zeros after a good start, and a 1 GB string."""
    zeros = tmp_path / "zeros.json"
    with open(zeros, "wb") as out:
        out.write(json.dumps([played(0, 0, 10)])[:-1].encode() + b",")
        out.truncate(1024**3)
    string = tmp_path / "string.json"
    with open(string, "wb") as out:
        out.write(b'[{"verb": {"id": "' + b"a" * (32 * 1024 * 1024))
        out.truncate(1024**3)
    before = _peak_rss_mb()
    tally = Tally(course_map(), now=NOW)
    first = tally.add_file(zeros)
    second = tally.add_file(string)
    assert first.refused.startswith("zeros.json was not imported: it is not valid JSON")
    assert second.refused == ("string.json was not imported: it holds a value larger than 16 MB.")
    assert _peak_rss_mb() - before < 300  # bounded: a chunk and one 16 MB value
    assert tally.statements == 0


def test_reading_can_be_cancelled_and_reports_progress(tmp_path):
    path = write(tmp_path / "p.json", [played(n, 0, 10) for n in range(6000)])
    state = JobState()
    seen = []

    def on_change(fraction: float, _status: str) -> None:
        seen.append(fraction)
        if fraction > 0.3:
            state.cancel()

    state._on_change = on_change
    tally = Tally(course_map(), now=NOW)
    with pytest.raises(Cancelled):
        tally.add_file(path, state)
    assert seen and 0 < seen[0] < 1
    assert tally.statements == 0


def test_lesson_keys_ids_and_uids_name_the_same_lesson(tmp_path):
    by_id = xapi.played(who(0), xapi.lesson_activity(COURSE, "intro"), "I", 0, 10, at_ms=AT)
    tally = Tally(course_map(), now=NOW)
    tally.add_statements([by_id, played(1, 0, 10)], "mixed")
    assert tally.result().lessons[0].viewers[3] == 2


def test_an_empty_folder_of_sources_gives_empty_insights():
    found = Tally(course_map(), now=NOW).result()
    assert found.learners == 0 and found.statements == 0
    assert [len(lesson.viewers) for lesson in found.lessons] == [60, 30]
    assert found.to_csv().splitlines()[0] == "lesson,measure,at_seconds,item,value"


def test_csv_and_json_carry_the_same_numbers(tmp_path):
    tally = Tally(course_map(), now=NOW)
    tally.add_statements([played(0, 0, 60), answered(0, Q_WHERE, "0", True, AT)], "x")
    found = tally.result()
    data = json.loads(json.dumps(found.to_dict()))
    assert data["lessons"][0]["viewers"][:3] == [1, 1, 1]
    out = tmp_path / "i.csv"
    found.write_csv(out)
    rows = out.read_text(encoding="utf-8-sig").splitlines()
    assert "Introduction,viewers,59,,1" in rows
    assert "Introduction,answer_count,20.0,Where? | Thylakoids,1" in rows
    assert not list(tmp_path.glob("*.tmp*"))
    assert os.path.getsize(out) > 0


def test_saved_tally_opens_again_with_the_same_numbers_and_new_files_add_up(tmp_path):
    first = write(tmp_path / "a.json", [played(0, 0, 30), answered(0, Q_WHERE, "1", False, AT)])
    tally = Tally(course_map(), now=NOW)
    tally.add_file(first)
    store = save_tally(tally, tmp_path / "course" / STORE_NAME)
    before = tally.result()

    again = load_tally(store, course_map(), now=NOW)
    assert again.result().to_dict() == before.to_dict()
    skipped = again.add_file(first)  # the same file: not read again
    assert skipped.again and skipped.warnings == [
        "a.json was imported before, so it was not read again."
    ]
    copy = tmp_path / "copy-of-a.json"
    copy.write_bytes(first.read_bytes())
    again.add_file(copy)  # read, but its statements are duplicates
    again.add_file(write(tmp_path / "b.json", [played(1, 0, 10)]))
    found = again.result()
    assert found.duplicates == 2 and found.statements == 3
    assert found.lessons[0].viewers[5] == 2 and found.lessons[0].questions[0].answers == 1


def test_saved_rows_follow_their_lesson_when_the_course_changes(tmp_path):
    tally = Tally(course_map(), now=NOW)
    two = xapi.played(who(5), xapi.lesson_activity(COURSE, "uid-two"), "2", 0, 20, at_ms=AT)
    tally.add_statements([played(0, 0, 30), two, answered(0, Q_WHERE, "0", True, AT)], "x")
    store = save_tally(tally, tmp_path / "progress.npz")
    old = course_map()
    moved = CourseMap(old.id, old.title, (old.lessons[1], old.lessons[0]))  # reordered
    found = load_tally(store, moved, now=NOW).result()
    assert [lesson.title for lesson in found.lessons] == ["Second", "Introduction"]
    assert found.lessons[0].viewers[10] == 1 and found.lessons[1].viewers[10] == 1
    assert found.lessons[1].questions[0].answers == 1
    fewer = CourseMap(old.id, old.title, (old.lessons[1],))  # the introduction removed
    assert load_tally(store, fewer, now=NOW).result().lessons[0].learners == 1


def test_a_damaged_or_foreign_store_is_one_sentence(tmp_path):
    store = save_tally(Tally(course_map(), now=NOW), tmp_path / "p.npz")
    other = CourseMap("another", "Other", ())
    with pytest.raises(InsightsStoreError, match="are of another course"):
        load_tally(store, other)
    store.write_bytes(store.read_bytes()[:100])
    with pytest.raises(InsightsStoreError, match="cannot be read") as caught:
        load_tally(store, course_map())
    assert str(caught.value).endswith("import the progress files again.")


def test_a_lesson_of_unknown_length_takes_the_statements_length(tmp_path):
    old = course_map()
    unknown = CourseMap(
        old.id, old.title, (old.lessons[0], LessonInfo(("uid-two",), "Second", 0.0))
    )
    statement = xapi.played(who(0), xapi.lesson_activity(COURSE, "uid-two"), "2", 0, 20, at_ms=AT)
    statement["context"]["extensions"] = {xapi.EXT["length"]: 95.5}
    tally = Tally(unknown, now=NOW)
    tally.add_statements([statement], "x")
    second = tally.result().lessons[1]
    assert second.duration == 95.5 and len(second.viewers) == 96
    kept = load_tally(save_tally(tally, tmp_path / "p.npz"), unknown, now=NOW)
    assert kept.result().lessons[1].duration == 95.5
