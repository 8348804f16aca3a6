"""What to ask next: the decision's questions (one fact each, with its allowed answers) as interview items.

The answers and their labels come from the decision's questions, which take them from the fact
model: a value added to a fact there is offered here with its label, with no list kept in the
interview. The interview adds at most two choices of its own: "not known" (leave the fact unknown),
offered only where the fact has no value of its own that records doubt (``Ruleset.doubts``: 3.19's
"unsure" about harm to the child is an answer the rules read, not a gap), and a choice that shows
the text of the paragraphs the question cites.
"""

from __future__ import annotations

from typing import Any

import attrs

from ..decision.model import Decision
from ..facts.model import INPUT_SPECS, LOCAL_PREFIX, STEPS, UNKNOWN, Answer, CaseFacts, with_fact
from ..ruleset.model import Ruleset

NOT_SURE = UNKNOWN  # answering "not known" leaves the fact unknown

#: What an option does: answer the question (``answer``), answer it with the fact's own doubt value
#: (``doubt``), leave the fact unknown (``unknown``) or show the cited paragraphs (``paragraphs``).
OPTION_KINDS = ("answer", "doubt", "unknown", "paragraphs")

#: The generic "not sure", in the fact model's word for an unknown fact.
NOT_KNOWN_LABEL = f"{Answer.UNKNOWN.label}: leave it unknown and go on"
SHOW_PARAGRAPHS_LABEL = "Show the guide's paragraphs"
SHOW_PARAGRAPHS_KEY = "?"


@attrs.frozen
class AnswerOption:
    value: Any
    label: str
    kind: str = "answer"  # one of OPTION_KINDS


@attrs.frozen
class Ask:
    fact: str  # group.field
    text: str
    cites: tuple[str, ...]
    answers: tuple[AnswerOption, ...]  # empty: a free answer (a whole number of years for child.age)
    step: int = 0  # the flowchart question (1-7) it belongs to; 0 when not known

    @property
    def step_header(self) -> str:
        """One line naming the flowchart step, e.g. ``flowchart step 3: Is the information confidential? (4.7-4.11)``."""
        return f"flowchart step {self.step}: {STEPS[self.step]}" if self.step in STEPS else ""


def _options(fact: str) -> tuple[AnswerOption, ...]:
    spec = INPUT_SPECS.get(fact)
    if spec is None or spec.tests != spec.name:  # child.age: a number, not a choice
        return ()
    return tuple(AnswerOption(value, label) for value, label in spec.answers if value != NOT_SURE)


def asked_questions(decision: Decision) -> tuple[Ask, ...]:
    """The decision's questions, in order (``next_question`` first), one fact each."""
    asks: list[Ask] = []
    for question in decision.questions:
        answers = tuple(AnswerOption(a.value, a.label) for a in question.answers) or _options(question.fact)
        asks.append(Ask(question.fact, question.text, tuple(question.cites), answers, question.step))
    return tuple(asks)


def next_ask(decision: Decision, not_sure: set[str]) -> Ask | None:
    """The first question not yet answered "not known"; None when there is nothing left to ask."""
    return next((ask for ask in asked_questions(decision) if ask.fact not in not_sure), None)


def _label_of(ask: Ask, value: str) -> str:
    return next((option.label for option in ask.answers if option.value == value), value.replace("_", " "))


def choices(ask: Ask, ruleset: Ruleset) -> tuple[AnswerOption, ...]:
    """What the practitioner can choose for ``ask``: its answers, one kind of "not sure", and the paragraphs.

    A value the ruleset reads as doubt is labelled so (what it stands between, and that the guide
    says to seek advice where in doubt); the generic "not known" is offered only where the fact has no such value.
    A free answer (child.age) has no choices: empty means not known there.
    """
    if not ask.answers:
        return ()
    doubts = {d.value: d for d in ruleset.doubts if d.fact == ask.fact}
    options: list[AnswerOption] = []
    for option in ask.answers:
        doubt = doubts.get(option.value)
        if doubt is None:
            options.append(option)
            continue
        between = " and ".join(_label_of(ask, value) for value in doubt.between)
        meaning = f"in doubt between {between}" if between else "in doubt"
        options.append(AnswerOption(option.value, f"{option.label}: {meaning} (seek advice)", "doubt"))
    if not any(option.kind == "doubt" for option in options):
        options.append(AnswerOption(NOT_SURE, NOT_KNOWN_LABEL, "unknown"))
    if any(cite in ruleset.paragraphs for cite in ask.cites):
        options.append(AnswerOption(None, SHOW_PARAGRAPHS_LABEL, "paragraphs"))
    return tuple(options)


def with_answer(facts: CaseFacts, fact: str, value: Any) -> CaseFacts:
    if fact.startswith(LOCAL_PREFIX):  # a local protocol's own fact
        return with_fact(facts, fact, UNKNOWN if value is None else str(value))
    group, name = fact.split(".")
    return attrs.evolve(facts, **{group: attrs.evolve(getattr(facts, group), **{name: value})})
