"""Question banks teachers already keep: Moodle GIFT and Aiken text, and Lectern's JSON.

:func:`import_bank` reads one file and returns the questions it could turn into
checkpoints, and names the ones it could not (a GIFT matching or essay question, an
Aiken question without its ``ANSWER:`` line), so one odd question never stops a bank
from importing. A file that cannot be read at all (not text, too large, no question
in it) is refused with one sentence (:class:`BankError`).

GIFT follows Moodle's documented syntax (docs.moodle.org, "GIFT format"): ``//``
comment lines, ``$CATEGORY:`` lines, ``::title::``, ``[html]``/``[markdown]``/
``[plain]``/``[moodle]`` text formats, the escapes ``\\~ \\= \\# \\{ \\} \\: \\\\ \\n``,
``=right ~wrong`` answers with ``#feedback`` and ``%weight%``, true/false with its two
feedbacks, short answers, numerical answers (``#3.14:0.01``, ``#1..5``, several
``=``), the missing-word form (text after the answers), and ``####`` general feedback.
Matching (``->``), essay (``{}``) and description (no answers) are reported.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shared.checkpoints.model import (
    MULTIPLE,
    SHORT,
    SINGLE,
    TRUE_FALSE,
    Accepted,
    Checkpoint,
    Choice,
    checkpoint_id,
    true_false_choices,
    unique_ids,
)
from shared.errors import LecternError

__all__ = [
    "MAX_BANK_BYTES",
    "MAX_QUESTIONS",
    "BankError",
    "BankImport",
    "Skipped",
    "import_bank",
    "parse_gift",
    "parse_aiken",
    "bank_kind",
]

MAX_BANK_BYTES = 8 << 20
MAX_QUESTIONS = 5000
_BLANK_LINES = re.compile(r"\n[ \t]*\n")


class BankError(LecternError):
    """A question bank that cannot be imported at all."""

    def __init__(self, path: object, problem: str) -> None:
        self.path, self.problem = path, problem
        super().__init__(f"The question bank {path} cannot be imported: {problem}.")


@dataclass(frozen=True)
class Skipped:
    """A question of a bank that could not become a checkpoint.

    Attributes:
        name: its title, or the start of its text.
        reason: why, in words (``"matching questions cannot be asked in a video"``).
    """

    name: str
    reason: str

    def __str__(self) -> str:
        return f"“{self.name}” was not imported: {self.reason}"


@dataclass(frozen=True)
class BankImport:
    """What one bank gave.

    Attributes:
        checkpoints: the usable questions, in the bank's order, with unique ids.
        skipped: the questions left out, each with its reason.
    """

    checkpoints: tuple[Checkpoint, ...]
    skipped: tuple[Skipped, ...] = ()


def _short_name(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _checked(question: Checkpoint) -> Checkpoint | Skipped:
    problem = question.problem()
    return question if problem is None else Skipped(question.name, problem)


# ----------------------------------------------------------------------------- GIFT

# Escaped characters become noncharacters while parsing, and come back at the end.
_ESCAPABLE = "~=#{}:\\"
_SENTINELS = {ch: chr(0xFDD0 + i) for i, ch in enumerate(_ESCAPABLE)}
_RESTORE = str.maketrans({v: k for k, v in _SENTINELS.items()})
_NONCHARACTERS = re.compile("[\ufdd0-\ufdef]")
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_TAG = re.compile(r"<[^>]{0,500}>")
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")


def _hide_escapes(text: str) -> str:
    text = _NONCHARACTERS.sub("", text)
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in _SENTINELS:
                out.append(_SENTINELS[nxt])
                i += 2
                continue
            if nxt == "n":
                out.append("\n")
                i += 2
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _text(raw: str, fmt: str) -> str:
    """Question or answer text as shown: escapes restored, HTML reduced to its text."""
    text = raw.strip()
    if fmt == "html":
        text = re.sub(r"(?i)<br\s*/?>|</p>", "\n", text)
        text = html.unescape(_TAG.sub("", text))
    return text.translate(_RESTORE).strip()


def _split_feedback(item: str) -> tuple[str, str]:
    head, _, feedback = item.partition("#")
    return head, feedback


def _weight(item: str) -> tuple[float | None, str]:
    match = _WEIGHT.match(item.strip())
    if match is None:
        return None, item.strip()
    return float(match.group(1)), item.strip()[match.end() :]


def _answers(body: str) -> list[tuple[str, str]]:
    """``(mark, text)`` for each ``=`` or ``~`` answer of a body."""
    return [(m.group(1), m.group(2)) for m in re.finditer(r"([=~])([^=~]*)", body)]


def _number_answer(text: str, fmt: str) -> Accepted | None:
    head, feedback = _split_feedback(text)
    weight, head = _weight(head)
    if weight is not None and weight < 100:
        return Accepted(text="")  # partial credit: not a right answer here, dropped below
    head = head.strip().translate(_RESTORE)
    try:
        if ".." in head:
            low, high = (float(part) for part in head.split("..", 1))
            if low > high:
                low, high = high, low
            return Accepted(
                number=(low + high) / 2, tolerance=(high - low) / 2, feedback=_text(feedback, fmt)
            )
        value, _, tolerance = head.partition(":")
        return Accepted(
            number=float(value), tolerance=abs(float(tolerance or 0)), feedback=_text(feedback, fmt)
        )
    except ValueError:
        return None


def _gift_question(block: str) -> Checkpoint | Skipped | None:
    """One GIFT question block; ``None`` for a category or an empty block."""
    block = block.strip()
    if not block or block.startswith("$CATEGORY:"):
        return None
    title, fmt = "", "moodle"
    match = _FORMAT.match(block)  # a format before the title is read as well as after it
    if match:
        fmt, block = match.group(1).lower(), block[match.end() :].lstrip()
    if block.startswith("::"):
        end = block.find("::", 2)
        if end > 0:
            title, block = block[2:end].translate(_RESTORE).strip(), block[end + 2 :]
    match = _FORMAT.match(block)
    if match:
        fmt, block = match.group(1).lower(), block[match.end() :]
    open_at = block.find("{")
    close_at = block.find("}", open_at + 1) if open_at >= 0 else -1
    before = _text(block[:open_at] if open_at >= 0 else block, fmt)
    name = title or _short_name(before) or "untitled question"
    if open_at < 0:
        return Skipped(name, "a description without answers is not a question")
    if close_at < 0:
        return Skipped(name, "its answers have no closing }")
    after = _text(block[close_at + 1 :], fmt)
    prompt = f"{before} _____ {after}" if after else before
    body, _, general = block[open_at + 1 : close_at].partition("####")
    wrong = _text(general, fmt)
    body_text = body.strip()

    def made(kind: str, **values: object) -> Checkpoint | Skipped:
        question = Checkpoint(
            id=checkpoint_id(kind, prompt),
            kind=kind,
            prompt=prompt,
            title=title,
            wrong_feedback=wrong,
            **values,  # type: ignore[arg-type]
        )
        return _checked(question)

    if not body_text:
        return Skipped(name, "essay questions cannot be graded in a video")
    if body_text.startswith("#"):
        numeric = body_text[1:]
        items = [text for mark, text in _answers(numeric) if mark == "="] or [numeric]
        accepted = [_number_answer(item, fmt) for item in items]
        if any(answer is None for answer in accepted):
            return Skipped(name, "a numerical answer is not a number")
        return made(SHORT, accepted=tuple(a for a in accepted if a is not None and a.text is None))
    head, first, second = (body_text.split("#", 2) + ["", ""])[:3]
    if head.strip().upper() in ("T", "TRUE", "F", "FALSE"):
        truth = head.strip().upper().startswith("T")
        # Moodle shows the first feedback for a wrong answer, the second for a right one.
        on_wrong, on_right = _text(first, fmt), _text(second, fmt)
        choices = true_false_choices(
            truth,
            true_feedback=on_right if truth else on_wrong,
            false_feedback=on_wrong if truth else on_right,
        )
        return made(TRUE_FALSE, choices=choices)
    answers = _answers(body)
    if not answers:
        return Skipped(name, "its answers are not in GIFT's =right ~wrong form")
    if any("->" in text for _, text in answers):
        return Skipped(name, "matching questions cannot be asked in a video")
    if all(mark == "=" for mark, _ in answers):
        accepted = []
        for _, text in answers:
            head, feedback = _split_feedback(text)
            weight, head = _weight(head)
            if weight is None or weight >= 100:
                accepted.append(Accepted(text=_text(head, fmt), feedback=_text(feedback, fmt)))
        return made(SHORT, accepted=tuple(a for a in accepted if a.text))
    choices = []
    for mark, text in answers:
        head, feedback = _split_feedback(text)
        weight, head = _weight(head)
        correct = mark == "=" or (weight is not None and weight > 0)
        choices.append(Choice(_text(head, fmt), correct, _text(feedback, fmt)))
    kind = MULTIPLE if sum(choice.correct for choice in choices) > 1 else SINGLE
    return made(kind, choices=tuple(choices))


def parse_gift(text: str) -> BankImport:
    """The questions of a GIFT text (see the module's notes for what is understood)."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("//")]
    hidden = _hide_escapes("\n".join(lines))
    return _collect(_gift_question(block) for block in _BLANK_LINES.split(hidden))


# ----------------------------------------------------------------------------- Aiken

_OPTION = re.compile(r"^([A-Z])[.)]\s+(.*)$")
_ANSWER = re.compile(r"^ANSWER:\s*([A-Z])\s*$")


def parse_aiken(text: str) -> BankImport:
    """The questions of an Aiken text: a question, options ``A.`` or ``A)``, ``ANSWER: X``."""
    found: list[Checkpoint | Skipped | None] = []
    prompt: list[str] = []
    options: list[tuple[str, str]] = []

    def finish(letter: str | None) -> None:
        question = " ".join(prompt).strip()
        name = _short_name(question) or "untitled question"
        letters = [mark for mark, _ in options]
        if letter is None:
            found.append(Skipped(name, "it has no ANSWER: line"))
        elif letter not in letters:
            found.append(Skipped(name, f"its answer {letter} is not one of its options"))
        else:
            choices = tuple(Choice(text, mark == letter) for mark, text in options)
            found.append(
                _checked(
                    Checkpoint(checkpoint_id(SINGLE, question), SINGLE, question, choices=choices)
                )
            )
        prompt.clear()
        options.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            if options:  # a blank line after the options ends a question without ANSWER
                finish(None)
            continue
        answer = _ANSWER.match(line)
        option = _OPTION.match(line)
        if answer and (prompt or options):
            finish(answer.group(1))
        elif option and prompt:
            options.append((option.group(1), option.group(2).strip()))
        elif options:  # a new question starts without an ANSWER line for the last one
            finish(None)
            prompt.append(line)
        else:
            prompt.append(line)
    if prompt or options:
        finish(None)
    return _collect(found)


# ----------------------------------------------------------------------------- common


def _collect(items: object) -> BankImport:
    questions: list[Checkpoint] = []
    skipped: list[Skipped] = []
    for item in items:  # type: ignore[attr-defined]
        if isinstance(item, Checkpoint):
            questions.append(item)
        elif isinstance(item, Skipped):
            skipped.append(item)
        if len(questions) + len(skipped) > MAX_QUESTIONS:
            raise ValueError(f"it holds more than {MAX_QUESTIONS:,} questions")
    return BankImport(tuple(unique_ids(questions)), tuple(skipped))


def bank_kind(path: Path, text: str) -> str:
    """``"json"``, ``"gift"`` or ``"aiken"``: by suffix, and for ``.txt`` by content."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix == ".gift":
        return "gift"
    if re.search(r"(?m)^\s*ANSWER:\s*[A-Z]\s*$", text) and "{" not in text:
        return "aiken"
    return "gift"


def import_bank(path: str | Path, *, duration: float, taken: Sequence[str] = ()) -> BankImport:
    """Read a question bank for a lesson of ``duration`` seconds.

    Args:
        path: a ``.gift`` file, a ``.txt`` file (Aiken, or GIFT as Moodle exports it)
            or a Lectern ``.json`` checkpoints file.
        duration: the lesson's length; a Lectern file's times must lie within it.
        taken: ids the lesson already uses; imported questions get other ones.

    Raises:
        BankError: the file cannot be read, is not text, is too large, is broken
            JSON, or holds no question at all.
    """
    from shared.contents import ContentError, read_checkpoints  # noqa: PLC0415 - cycle

    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BANK_BYTES + 1)
    except IsADirectoryError:
        raise BankError(path, "it is a folder, not a file") from None
    except FileNotFoundError:
        raise BankError(path, "it does not exist") from None
    except OSError as error:
        raise BankError(path, error.strerror or "it cannot be read") from None
    if len(data) > MAX_BANK_BYTES:
        raise BankError(path, f"it is larger than {MAX_BANK_BYTES >> 20} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BankError(path, "it is not UTF-8 text") from None
    if "\x00" in text:
        raise BankError(path, "it is not a text file")
    kind = bank_kind(path, text)
    try:
        if kind == "json":
            bank = BankImport(read_checkpoints(data, duration, path.name))
        else:
            bank = parse_gift(text) if kind == "gift" else parse_aiken(text)
    except ContentError as error:
        raise BankError(path, error.problem) from None
    except (ValueError, RecursionError) as error:
        raise BankError(path, str(error) or "it is not a question bank") from None
    if not bank.checkpoints and not bank.skipped:
        raise BankError(
            path, f"it holds no {kind.upper() if kind != 'aiken' else 'Aiken'} question"
        )
    return BankImport(tuple(unique_ids(bank.checkpoints, taken)), bank.skipped)
