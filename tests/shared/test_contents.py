"""What is inside a sound package, terminal-safe text, and a package's content digest."""

from __future__ import annotations

import io
import json
import sys

import pytest

from shared import contents
from shared import package as pkg
from shared.chapters import Chapter
from shared.library import Library
from shared.manifest import LessonEntry
from shared.signing import SigningKey
from shared.terminal import print_json, printable, run_main
from tests.shared import bad_packages
from tests.shared.bad_packages import CHAPTERS, TRANSCRIPT


def _lesson(seconds: float = 60.0) -> LessonEntry:
    return LessonEntry(
        id="l", title="L", duration_ms=round(seconds * 1000), video="v.mp4", chapters="c.json"
    )


def _chapters(*items: dict) -> bytes:
    return json.dumps({"chapters": list(items)}).encode()


# ----------------------------------------------------------------------------- contents


def test_a_real_lessons_texts_parse_into_lectern_objects(tmp_path):
    good = bad_packages.make_good_package(tmp_path)
    lesson = pkg.verify_package(good).lessons[0]
    chapters = contents.parse_chapters(pkg.read_member(good, CHAPTERS), lesson)
    assert chapters == (
        Chapter(0.0, 30.0, "Opening words"),
        Chapter(30.0, 61.25, "Cell membranes"),
    )
    transcript = contents.parse_transcript(pkg.read_member(good, TRANSCRIPT), lesson)
    assert len(transcript.segments) == 40 and transcript.segments[3].text == "Sentence 3."
    assert transcript.language == "en" and transcript.duration == 61.25


def test_counts_are_allowed_per_hour_of_video():
    limits = contents.ContentLimits()
    assert limits.allowed("chapters", 0) == 50
    assert limits.allowed("chapters", 3600) == 50 + 1800
    assert limits.allowed("segments", 7200) == 500 + 2 * 14_400
    many = _chapters(*[{"start": 0, "end": 0, "title": "x"}] * 51)
    with pytest.raises(contents.ContentError, match="51 chapters, more than the 50"):
        contents.check_member(contents.CHAPTERS, "c.json", many, _lesson(0))
    contents.check_member(contents.CHAPTERS, "c.json", many, _lesson(60))  # 50 + 30 allowed


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"chapters": [[[[[[[[[[]]]]]]]]]]}', "nested more than 8 levels"),
        (b'{"chapters": [{"start": 0, "end": 1, "title": "\\udfff"}]}', "not valid Unicode"),
        (b'{"chapters": [{"start": 0, "end": 1, "title": "caf\xe9"}]}', "not UTF-8"),
        (b'{"chapters": [{"start": 0, "end": 61.9, "title": "x"}]}', None),  # within the slack
        (b'{"chapters": [{"start": 0, "end": 62.1, "title": "x"}]}', "after the lesson ends"),
        (b'{"chapters": [{"start": 0, "end": 1, "title": "x", "thumbnail": null}]}', None),
        (b'{"chapters": [{"start": 0, "end": 1, "title": "x", "thumbnail": "t/c-1.jpg"}]}', None),
    ],
)
def test_chapters_rules(data, reason):
    lesson = _lesson(60)
    if reason is None:
        contents.check_member(contents.CHAPTERS, "c.json", data, lesson)
        return
    with pytest.raises(contents.ContentError, match=reason) as caught:
        contents.check_member(contents.CHAPTERS, "c.json", data, lesson)
    assert caught.value.member == "c.json"


def test_words_follow_the_schemas_word_rules():
    lesson = _lesson(60)
    segment = {"start": 0, "end": 2, "text": "hi", "words": [], "avg_logprob": None}

    def check(**word):
        data = {"language": "en", "duration": 60, "segments": [{**segment, "words": [word]}]}
        contents.check_member(contents.TRANSCRIPT, "t.json", json.dumps(data).encode(), lesson)

    check(start=0, end=1, text=" hi", probability=0.5)
    for bad, reason in [
        ({"start": "0"}, "words\\[0\\].start is not of type number"),
        ({"start": True}, "words\\[0\\].start is not of type number"),
        ({"probability": -0.1}, "probability is less than 0"),
        ({"text": "x" * 501}, "longer than 500"),
        ({"colour": "red"}, "unknown field 'colour'"),
    ]:
        word = {"start": 0, "end": 1, "text": " hi", "probability": 0.5, **bad}
        with pytest.raises(contents.ContentError, match=reason):
            check(**word)


def test_a_million_chapters_are_refused_by_their_size_before_they_are_parsed(tmp_path):
    good = bad_packages.make_good_package(tmp_path)
    bad = bad_packages.million_chapters(good, tmp_path / "million.lectern")
    with pytest.raises(pkg.InvalidContentError, match="more than any chapters file") as caught:
        pkg.verify_package(bad)
    assert caught.value.member == CHAPTERS


def test_every_schema_is_valid_and_its_flat_rules_are_known():
    import jsonschema

    for kind in (contents.CHAPTERS, contents.TRANSCRIPT):
        schema = contents._schema(kind)
        jsonschema.validators.validator_for(schema).check_schema(schema)
    assert set(contents._flat_rules(contents.TRANSCRIPT, "segment")[1]) >= {"start", "words"}
    assert contents._flat_rules(contents.TRANSCRIPT, "word")[0] == (
        "start",
        "end",
        "text",
        "probability",
    )


# ----------------------------------------------------------------------------- digest


def test_the_digest_changes_with_any_member_and_only_then(tmp_path):
    good = bad_packages.make_good_package(tmp_path / "a")
    again = bad_packages.make_good_package(tmp_path / "b")
    assert pkg.read_manifest(good).digest == pkg.read_manifest(again).digest
    other = bad_packages.repack(
        good,
        tmp_path / "other.lectern",
        members=lambda m: bad_packages._replace(m, CHAPTERS, _chapters()),
        refresh=True,
    )
    assert pkg.read_manifest(other).digest != pkg.read_manifest(good).digest


def test_same_signer_id_and_version_with_other_content_is_refused_not_unchanged(tmp_path):
    key = SigningKey.generate()
    packages = []
    for name, title in (("good", "Opening words"), ("changed", "Something else")):
        course, lessons, _ = bad_packages.make_sources(tmp_path / name)
        chapters = [{"start": 0.0, "end": 10.0, "title": title}]
        lessons[0].chapters.write_text(json.dumps({"chapters": chapters}), encoding="utf-8")
        out = tmp_path / f"{name}.lectern"
        pkg.write_package(course, lessons, out, signing_key=key)
        packages.append(out)
    good, changed = packages
    with Library.open(tmp_path / "library") as library:
        assert library.import_course(good).action == "imported"
        assert library.import_course(good).action == "unchanged"
        before = sorted(p.name for p in (tmp_path / "library").rglob("*"))
        with pytest.raises(pkg.VersionConflictError, match="content differs") as caught:
            library.import_course(changed)
        assert str(changed) in str(caught.value) and "higher version" in str(caught.value)
        assert sorted(p.name for p in (tmp_path / "library").rglob("*")) == before
        assert [c.title for c in library.chapters("bio-101", "intro")] == ["Opening words"]


# ----------------------------------------------------------------------------- terminal


def test_printable_escapes_what_a_terminal_would_act_on():
    hostile = bad_packages.HOSTILE_TEXTS["terminal"] + bad_packages.HOSTILE_TEXTS["bidi"]
    shown = printable(hostile + "\ud800\n")
    assert shown.isprintable()
    assert "\\u001b[2J" in shown and "\\u009b" in shown and "\\u202e" in shown
    assert shown.endswith("\\ud800\\u000a")
    ordinary = bad_packages.HOSTILE_TEXTS["unicode"].replace("\ufeff", "")
    assert printable(ordinary) == ordinary  # accents, emoji, Hebrew stay as they are
    assert printable("a\u2028b") == "a\\u2028b"


def test_print_json_stays_valid_json_and_escapes(capsys):
    data = {"title": bad_packages.HOSTILE_TEXTS["terminal"], "n": [1, 2]}
    print_json(data)
    out = capsys.readouterr().out
    assert json.loads(out) == data
    assert "\x1b" not in out and "\x9b" not in out and out.count("\n") > 3


def test_an_error_naming_package_text_is_printed_escaped(monkeypatch):
    from shared.errors import LecternError

    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)

    def body() -> int:
        raise LecternError("Cannot remove '\x1b]0;pwned\x07'.")

    assert run_main(body, prog="lectern-player") == 1
    assert stderr.getvalue() == "lectern-player: error: Cannot remove '\\u001b]0;pwned\\u0007'.\n"
