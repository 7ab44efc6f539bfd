"""Checkpoints: grading, the checkpoints file, Moodle GIFT and Aiken banks, hostile banks.

The banks under ``tests/shared/banks`` follow Moodle's documented syntax (GIFT: comments,
categories, titles, text formats, escapes, feedback, weights, numerical ranges, the
missing-word form; Aiken: ``A.`` and ``A)`` options and ``ANSWER:`` lines).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared import contents
from shared.checkpoints import (
    MULTIPLE,
    SHORT,
    SINGLE,
    TRUE_FALSE,
    Accepted,
    BankError,
    Checkpoint,
    Choice,
    checkpoints_data,
    grade,
    import_bank,
    save_checkpoints,
)
from shared.checkpoints.banks import MAX_BANK_BYTES, parse_gift
from shared.checkpoints.review import DAY_MS, next_review

BANKS = Path(__file__).parent / "banks"


def _single() -> Checkpoint:
    return Checkpoint(
        "q1",
        SINGLE,
        "Where?",
        choices=(Choice("Here", True, "Yes."), Choice("There", False, "No.")),
        wrong_feedback="Look again.",
        at=12.5,
    )


# ----------------------------------------------------------------------------- grading


def test_choices_are_graded_with_their_own_feedback():
    question = _single()
    assert grade(question, 0).correct and grade(question, 0).feedback == "Yes."
    assert not grade(question, 1).correct and grade(question, 1).feedback == "No."
    with pytest.raises(ValueError):
        grade(question, 5)
    multiple = Checkpoint(
        "q2", MULTIPLE, "Which?", choices=(Choice("a", True), Choice("b", True), Choice("c"))
    )
    assert grade(multiple, {0, 1}).correct
    assert not grade(multiple, {0}).correct and not grade(multiple, {0, 1, 2}).correct


def test_short_answers_forgive_case_spacing_and_numbers_within_the_tolerance():
    question = Checkpoint(
        "q3",
        SHORT,
        "Name and value?",
        accepted=(
            Accepted(text="Calvin  Cycle", feedback="Right."),
            Accepted(number=3.14, tolerance=0.01),
        ),
        wrong_feedback="Not quite.",
    )
    assert grade(question, "  calvin cycle ").correct
    assert grade(question, "CALVIN\tCYCLE").feedback == "Right."
    assert grade(question, "3.149").correct and grade(question, "3,135").correct
    assert not grade(question, "3.16").correct
    assert grade(question, "krebs").feedback == "Not quite."
    assert not grade(question, "nan").correct and not grade(question, "1e999").correct


def test_placement_at_a_time_or_the_end_of_a_chapter():
    ends = [10.0, 25.0, 40.0]
    assert _single().time_in(ends, 40.0) == 12.5
    after = _single().placed(after_chapter=2)
    assert after.time_in(ends, 40.0) == 25.0 and after.placement() == "after chapter 2"
    assert _single().placed(after_chapter=9).time_in(ends, 40.0) == 40.0  # no such chapter
    assert (
        _single().placed().time_in(ends, 40.0) == 40.0 and "end" in _single().placed().placement()
    )


def test_the_review_is_a_leitner_box_of_one_three_and_seven_days():
    now = 1_000_000
    assert next_review(None, True, now, reviewing=False) == (None, None)
    box, due = next_review(None, False, now, reviewing=False)
    assert (box, due) == (1, now + DAY_MS)
    assert next_review(1, True, now, reviewing=True) == (2, now + 3 * DAY_MS)
    assert next_review(2, True, now, reviewing=True) == (3, now + 7 * DAY_MS)
    assert next_review(3, True, now, reviewing=True) == (None, None)
    assert next_review(3, False, now, reviewing=True) == (1, now + DAY_MS)


# ----------------------------------------------------------------------------- file


def test_a_checkpoints_file_round_trips_and_is_checked(tmp_path):
    questions = (
        _single(),
        Checkpoint(
            "q2",
            TRUE_FALSE,
            "Sky is blue.",
            choices=(Choice("True", True), Choice("False")),
            after_chapter=1,
            required=True,
            rewatch_on_wrong=True,
        ),
        Checkpoint("q3", SHORT, "Pi?", accepted=(Accepted(number=3.14, tolerance=0.01),)),
    )
    path = save_checkpoints(tmp_path / "checkpoints.json", questions)
    assert contents.read_checkpoints(path.read_bytes(), 60.0) == questions

    def refused(data: object, duration: float = 60.0) -> str:
        with pytest.raises(contents.ContentError) as caught:
            contents.read_checkpoints(json.dumps(data).encode(), duration)
        message = str(caught.value)
        assert "\n" not in message and "Traceback" not in message
        return message

    good = checkpoints_data(questions)
    assert "after the lesson ends" in refused(good, duration=10.0)
    both = json.loads(json.dumps(good))
    both["checkpoints"][0]["after_chapter"] = 1
    assert "both 'at' and 'after_chapter'" in refused(both)
    twice = {"checkpoints": [good["checkpoints"][0]] * 2}
    assert "id 'q1' of an earlier checkpoint" in refused(twice)
    unanswerable = json.loads(json.dumps(good))
    unanswerable["checkpoints"][0]["choices"][0]["correct"] = False
    assert "none of its choices is correct" in refused(unanswerable)
    many = {"checkpoints": [dict(good["checkpoints"][2], id=f"q{n}") for n in range(5000)]}
    assert "5,000 checkpoints, more than" in refused(many)


# ----------------------------------------------------------------------------- banks


def test_a_moodle_gift_bank_imports_and_names_what_it_cannot_use():
    bank = import_bank(BANKS / "moodle-sample.gift", duration=600)
    by_title = {item.title: item for item in bank.checkpoints}
    assert [s.name for s in bank.skipped] == ["Matching pairs", "Essay", "Note for the teacher"]
    assert "matching" in bank.skipped[0].reason and "essay" in bank.skipped[1].reason

    light = by_title["Light reactions"]
    assert light.kind == SINGLE and [c.correct for c in light.choices] == [True, False, False]
    assert light.choices[1].feedback == "No, the stroma hosts the Calvin cycle."
    assert light.wrong_feedback == "The light reactions need chlorophyll."  # ####general
    oxygen = by_title["Oxygen"]  # {TRUE#on wrong#on right}
    assert oxygen.kind == TRUE_FALSE and grade(oxygen, 0).feedback.startswith("Yes, O2")
    assert grade(oxygen, 1).feedback == "Think about what leaves give off."
    assert by_title["Glucose is a gas"].choices[1].correct  # {F}
    products = by_title["Products (several answers)"]
    assert products.kind == MULTIPLE and grade(products, {0, 1}).correct
    pigment = by_title["Pigment name"]  # the 50% answer is not accepted as right
    assert grade(pigment, "Chlorophyll").correct and not grade(pigment, "pigment").correct
    assert grade(by_title["Pi"], "3.1417").correct and not grade(by_title["Pi"], "3.15").correct
    assert grade(by_title["Range"], "4.5").correct and not grade(by_title["Range"], "5.5").correct
    assert grade(by_title["Year"], "1950").correct and not grade(by_title["Year"], "1953").correct
    assert by_title["Missing word"].prompt == "Photosynthesis turns light into _____ energy."
    escapes = by_title["Escapes"]
    assert escapes.prompt == "Which expression means a {set} with 1:2 ratio = half?"
    assert [c.text for c in escapes.choices] == ["a~b #1", "c = d"]
    assert by_title["HTML question"].prompt == "What does ATP stand for?"
    assert by_title["Format first"].prompt == "Is H2O water?"
    assert len({item.id for item in bank.checkpoints}) == len(bank.checkpoints) == 12


def test_an_aiken_bank_imports_and_names_what_it_cannot_use():
    bank = import_bank(BANKS / "moodle-sample-aiken.txt", duration=600)
    assert [len(q.choices) for q in bank.checkpoints] == [3, 6]
    assert (
        bank.checkpoints[1].choices[0].text == "Moodle" and bank.checkpoints[1].choices[0].correct
    )
    assert [s.reason for s in bank.skipped] == [
        "it has no ANSWER: line",
        "its answer D is not one of its options",
    ]


def test_a_gift_file_saved_as_txt_is_read_as_gift(tmp_path):
    path = tmp_path / "export.txt"
    path.write_text("::Q::2+2?{=4 ~5}\n", encoding="utf-8")
    assert import_bank(path, duration=60).checkpoints[0].kind == SINGLE


def test_the_same_question_gets_the_same_id():
    first = parse_gift("::A::Is it?{T}\n\n::B::Other?{F}")
    again = parse_gift("// reordered\n::B::Other?{F}\n\n::A::Is it?{T}")
    assert {q.id for q in first.checkpoints} == {q.id for q in again.checkpoints}


HOSTILE = {
    "binary": b"\x00\x01\x02GIFT\xff\xfe",
    "latin-1": "::Q::Caf\xe9?{T}".encode("latin-1"),
    "empty": b"",
    "only-comments": b"// nothing here\n// at all\n",
    "json-broken": b'{"checkpoints": [',
    "json-deep": b'{"checkpoints": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    "json-nan": b'{"checkpoints": [{"id": "a", "kind": "short", "prompt": "x", "at": NaN}]}',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_bank_is_refused_in_one_sentence(tmp_path, name):
    suffix = ".json" if name.startswith("json") else ".gift"
    path = tmp_path / f"{name}{suffix}"
    path.write_bytes(HOSTILE[name])
    with pytest.raises(BankError) as caught:
        import_bank(path, duration=60)
    message = str(caught.value)
    assert message.startswith(f"The question bank {path} cannot be imported: ")
    assert message.endswith(".") and "\n" not in message


def test_a_huge_bank_is_refused_before_it_is_read_whole(tmp_path):
    path = tmp_path / "huge.gift"
    with path.open("wb") as handle:
        handle.truncate(MAX_BANK_BYTES * 4)
    with pytest.raises(BankError, match="larger than"):
        import_bank(path, duration=60)
    with pytest.raises(BankError, match="does not exist"):
        import_bank(tmp_path / "missing.gift", duration=60)
    with pytest.raises(BankError, match="folder"):
        import_bank(tmp_path, duration=60)


def test_hostile_gift_text_stays_literal_and_unbalanced_braces_are_named():
    bank = parse_gift(
        "::<b>x</b>::\x1b[2J<table>Q?{=<i>a</i> ~b}\n\n::Open::Never closed {=a ~b\n\n"
        "::Weird::Q{#not a number}"
    )
    assert (
        bank.checkpoints[0].title == "<b>x</b>" and "\x1b[2J<table>" in bank.checkpoints[0].prompt
    )
    assert [s.reason for s in bank.skipped] == [
        "its answers have no closing }",
        "a numerical answer is not a number",
    ]
