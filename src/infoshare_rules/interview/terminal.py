"""The interview in a terminal (questionary): ask, decide again, until the decision needs nothing more.

Each question is one line: its text and the paragraphs it cites, with its answers to choose from; the paragraphs' text only on request (``?``), the flowchart as a one-line
header when the questions move on to another of its steps. At the end, a summary (verdict,
obligations, presumptions); the reasoning step by step only on request.
"""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from pathlib import Path
from typing import Any, Callable

import questionary
from questionary.prompts.common import InquirerControl

from .questions import SHOW_PARAGRAPHS_KEY, Ask, choices, next_ask, with_answer
from .summary import summary_lines, trace_text
from ..api_types import EngineName
from ..decision.decide import decide
from ..decision.model import Decision
from ..facts.model import MAX_AGE, CaseFacts
from ..records.json import record_to_json
from ..errors import DocumentError
from ..records.make import check_record_id, record_decision
from ..render.text import wrap_paragraph
from ..ruleset.loader import available_rulesets
from ..ruleset.model import Ruleset

Say = Callable[[str], Any]

INTRO = f"Answer each question (number, then Enter); {SHOW_PARAGRAPHS_KEY} shows the guide's paragraphs it cites. Ctrl-C leaves."
_SHOW = object()  # the answer "show the paragraphs": ask again after showing them
_NOT_KNOWN = object()


class Aborted(Exception):
    """The practitioner left the interview (Ctrl-C or end of input)."""


def _answer(question: questionary.Question) -> Any:
    return question.unsafe_ask()  # raises KeyboardInterrupt rather than printing and returning None


def _bind_show_key(question: questionary.Question, index: int) -> bool:
    """Let ``?`` point at the "show the paragraphs" choice, as a shortcut key would (questionary allows only 0-9, a-z)."""
    app = question.application
    control = next((c for c in app.layout.find_all_controls() if isinstance(c, InquirerControl)), None)
    if control is None or app.key_bindings is None or not hasattr(app.key_bindings, "add"):
        return False

    def point(_event: Any) -> None:
        control.pointed_at = index

    app.key_bindings.add(SHOW_PARAGRAPHS_KEY, eager=True)(point)
    return True


def show_paragraphs(ask: Ask, ruleset: Ruleset, say: Say = print) -> None:
    for cite in ask.cites:
        paragraph = ruleset.paragraphs.get(cite)
        if paragraph is not None:
            say(f"[{cite}] {paragraph.heading}")
            say(wrap_paragraph(paragraph.text, "    ", 92))


def prompt_text(ask: Ask) -> str:
    """The question as one line: its text and the paragraphs it cites."""
    cites = f" [{', '.join(ask.cites)}]" if ask.cites else ""
    return f"{' '.join(ask.text.split())}{cites}"


def _ask_choice(ask: Ask, ruleset: Ruleset) -> Any:
    options = choices(ask, ruleset)
    values = [_SHOW if o.kind == "paragraphs" else _NOT_KNOWN if o.kind == "unknown" else o.value for o in options]
    # questionary would put a Choice's title in place of a None value: the choices' values are their indexes
    listed = [questionary.Choice(option.label, value=i) for i, option in enumerate(options)]
    question = questionary.select(prompt_text(ask), choices=listed, use_shortcuts=True)
    if _SHOW in values and _bind_show_key(question, values.index(_SHOW)):
        listed[values.index(_SHOW)].title = f"{options[values.index(_SHOW)].label} (or press {SHOW_PARAGRAPHS_KEY})"
    return values[_answer(question)]


def _valid_age(value: str) -> bool | str:
    value = value.strip()
    if value in ("", SHOW_PARAGRAPHS_KEY) or (value.isdigit() and int(value) <= MAX_AGE):
        return True
    return f"a whole number of years 0-{MAX_AGE}, {SHOW_PARAGRAPHS_KEY} for the guide's paragraphs, or empty if not known"


def _ask_age(ask: Ask) -> Any:
    hint = f"a whole number of years; empty if not known; {SHOW_PARAGRAPHS_KEY} for the guide's paragraphs"
    raw = _answer(questionary.text(f"{prompt_text(ask)} ({hint})", validate=_valid_age)).strip()
    if raw == SHOW_PARAGRAPHS_KEY:
        return _SHOW
    return int(raw) if raw else _NOT_KNOWN


def ask_one(ask: Ask, ruleset: Ruleset, say: Say = print) -> Any:
    """Ask one question, showing its paragraphs as often as asked; return the answer, or None for not known."""
    while True:
        answer = _ask_choice(ask, ruleset) if ask.answers else _ask_age(ask)
        if answer is _SHOW:
            show_paragraphs(ask, ruleset, say)
            continue
        return None if answer is _NOT_KNOWN else answer


def interview(facts: CaseFacts, ruleset: Ruleset, *, engine: EngineName = "compiled", say: Say = print) -> tuple[CaseFacts, Decision]:
    """Ask what the decision needs, one question at a time, until nothing more is needed."""
    not_sure: set[str] = set()
    decision = decide(facts, ruleset=ruleset, engine=engine)
    say(INTRO)
    step = None
    while (ask := next_ask(decision, not_sure)) is not None:
        if ask.step != step and ask.step_header:
            say(ask.step_header)
            step = ask.step
        answer = ask_one(ask, ruleset, say)
        if answer is None:
            not_sure.add(ask.fact)
            continue
        facts = with_answer(facts, ask.fact, answer)
        decision = decide(facts, ruleset=ruleset, engine=engine)
    return facts, decision


_SAVE, _TRACE, _DONE = "save", "trace", "done"


def _valid_record_id(value: str) -> bool | str:
    try:
        check_record_id(value.strip())
    except DocumentError as exc:
        return f"an id of {exc.expected}" if exc.expected else "an id is needed"
    return True


def finish(facts: CaseFacts, decision: Decision, say: Say = print, *, keep_facts: bool | None = None) -> Path | None:
    """Sum the decision up; show the reasoning if asked; offer to save a decision record (4.30).

    ``keep_facts``: None asks whether the record keeps the facts (yes by default, so that
    ``infoshare verify`` can decide the case again); False keeps only their hash, without asking.
    """
    say("")
    for line in summary_lines(decision, min(100, shutil.get_terminal_size((100, 24)).columns - 1)):
        say(line)
    shown = False
    while True:
        menu = [questionary.Choice("Save a decision record (guide 4.30)", value=_SAVE)]
        if not shown:
            menu.append(questionary.Choice(f"Show the full reasoning ({len(decision.trace)} steps)", value=_TRACE))
        menu.append(questionary.Choice("Finish without saving", value=_DONE))
        what = _answer(questionary.select("What next?", choices=menu, use_shortcuts=True))
        if what == _TRACE:
            say(trace_text(decision))
            shown = True
            continue
        if what == _DONE:
            return None
        break
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    record_id = _answer(questionary.text("Record id:", validate=_valid_record_id)).strip()
    while True:
        path = Path(_answer(questionary.text("Save to file:", default=f"{record_id}.record.json"))).expanduser()
        if not path.exists() or _answer(questionary.confirm(f"{path} exists: replace it?", default=False)):
            break
    if keep_facts is None:
        keep_facts = _answer(
            questionary.confirm("Keep the case's facts in the record, so that `infoshare verify` can decide it again (else only their hash)?", default=True)
        )
    record = record_decision(decision, facts, record_id=record_id, recorded_at=now, include_facts=bool(keep_facts))
    path.write_text(record_to_json(record) + "\n", encoding="utf-8")
    kept = "with the facts" if keep_facts else "without the facts (only their hash: give them to verify with --facts)"
    # verify re-derives a record against a shipped ruleset only
    later = f" Check it later: infoshare verify {path}" if decision.ruleset.id in available_rulesets() else ""
    say(textwrap.fill(f"Saved the decision record {record_id} to {path}, {kept}.{later}", 100))
    return path
