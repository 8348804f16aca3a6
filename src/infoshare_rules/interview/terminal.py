"""The interview in a terminal (questionary): ask, decide again, until the decision needs nothing more."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import questionary

from .questions import Ask, next_ask, with_answer
from ..api_types import EngineName
from ..decision.decide import decide
from ..decision.model import Decision
from ..facts.model import CaseFacts
from ..records.json import record_to_json
from ..records.make import record_decision
from ..render.text import decision_to_text, wrap_paragraph
from ..ruleset.model import Ruleset

NOT_SURE_LABEL = "not sure (leave unknown)"
_NOT_SURE = object()  # questionary would put a Choice's title in place of a None value


class Aborted(Exception):
    """The practitioner left the interview (Ctrl-C or end of input)."""


def _answer(question: questionary.Question):  # type: ignore[no-untyped-def]
    answer = question.unsafe_ask()  # raises KeyboardInterrupt rather than printing and returning None
    return answer


def ask_one(ask: Ask, ruleset: Ruleset, say=print):  # type: ignore[no-untyped-def]
    """Show the question with its paragraphs; return the answer, or None for not sure."""
    say("")
    for cite in ask.cites:
        paragraph = ruleset.paragraphs.get(cite)
        if paragraph is not None:
            say(f"[{cite}] {paragraph.heading}")
            say(wrap_paragraph(paragraph.text, "    ", 92))
    text = " ".join(ask.text.split())
    if ask.answers:
        choices = [questionary.Choice(option.label, value=option.value) for option in ask.answers]
        choices.append(questionary.Choice(NOT_SURE_LABEL, value=_NOT_SURE))
        answer = _answer(questionary.select(f"{text} ({ask.fact})", choices=choices, use_shortcuts=True))
        return None if answer is _NOT_SURE else answer
    raw = _answer(
        questionary.text(
            f"{text} ({ask.fact}: a whole number of years; leave empty if not sure)",
            validate=lambda value: value.strip() == "" or (value.strip().isdigit() and int(value) <= 25) or "a whole number of years 0-25, or empty",
        )
    )
    return int(raw) if raw.strip() else None


def interview(facts: CaseFacts, ruleset: Ruleset, *, engine: EngineName = "reference", say=print) -> tuple[CaseFacts, Decision]:  # type: ignore[no-untyped-def]
    """Ask what the decision needs, one question at a time, until nothing more is needed."""
    not_sure: set[str] = set()
    decision = decide(facts, ruleset=ruleset, engine=engine)
    while (ask := next_ask(decision, not_sure)) is not None:
        answer = ask_one(ask, ruleset, say)
        if answer is None:
            not_sure.add(ask.fact)
            continue
        facts = with_answer(facts, ask.fact, answer)
        decision = decide(facts, ruleset=ruleset, engine=engine)
    return facts, decision


def finish(facts: CaseFacts, decision: Decision, say=print) -> Path | None:  # type: ignore[no-untyped-def]
    """Show the decision and its obligations; offer to save a decision record (4.30)."""
    say("")
    say(decision_to_text(decision))
    say("")
    if not _answer(questionary.confirm("Save a decision record (guide 4.30)?", default=True)):
        return None
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    record_id = _answer(questionary.text("Record id:", validate=lambda v: bool(v.strip()) or "an id is needed")).strip()
    path = Path(_answer(questionary.text("Save to file:", default=f"{record_id}.record.json"))).expanduser()
    include = _answer(questionary.confirm("Keep the facts in the record (else only their hash)?", default=False))
    record = record_decision(decision, facts, record_id=record_id, recorded_at=now, include_facts=include)
    path.write_text(record_to_json(record) + "\n", encoding="utf-8")
    say(textwrap.fill(f"Saved the decision record {record_id} to {path}.", 100))
    return path
