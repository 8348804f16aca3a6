"""What to ask next: the decision's questions (one fact each, with its allowed answers) as interview items."""

from __future__ import annotations

from typing import Any

import attrs

from ..decision.model import Decision
from ..facts.model import CaseFacts, FACT_SPECS

NOT_SURE = "unknown"  # answering "not sure" leaves the fact unknown


@attrs.frozen
class AnswerOption:
    value: Any
    label: str


@attrs.frozen
class Ask:
    fact: str  # group.field
    text: str
    cites: tuple[str, ...]
    answers: tuple[AnswerOption, ...]  # empty: a free answer (a whole number of years for child.age)


def _options(fact: str) -> tuple[AnswerOption, ...]:
    spec = FACT_SPECS.get(fact)
    if spec is None:  # child.age: a number, not a choice
        return ()
    return tuple(AnswerOption(value, value.replace("_", " ")) for value in spec.values if value != NOT_SURE)


def asked_questions(decision: Decision) -> tuple[Ask, ...]:
    """The decision's questions, in order (``next_question`` first), one fact each."""
    asks: list[Ask] = []
    for question in decision.questions:
        answers = tuple(AnswerOption(a.value, a.label) for a in question.answers) or _options(question.fact)
        asks.append(Ask(question.fact, question.text, tuple(question.cites), answers))
    return tuple(asks)


def next_ask(decision: Decision, not_sure: set[str]) -> Ask | None:
    """The first question not yet answered "not sure"; None when there is nothing left to ask."""
    return next((ask for ask in asked_questions(decision) if ask.fact not in not_sure), None)


def with_answer(facts: CaseFacts, fact: str, value: Any) -> CaseFacts:
    group, name = fact.split(".")
    return attrs.evolve(facts, **{group: attrs.evolve(getattr(facts, group), **{name: value})})
