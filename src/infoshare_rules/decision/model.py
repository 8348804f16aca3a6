"""A decision: the verdict, what to do with it, why (the trace), what was presumed and what to ask next."""

from __future__ import annotations

import attrs

from ..ruleset.verdict import Verdict


@attrs.frozen
class Obligation:
    """Something the guide says to do alongside the verdict."""

    id: str
    text: str
    cites: tuple[str, ...]
    raised_by: tuple[str, ...]  # ids of the rules that raised it


@attrs.frozen
class AnswerOption:
    value: str
    label: str


@attrs.frozen
class Question:
    """A fact not yet known, some answer to which would change the verdict.

    ``fact`` is the ``group.field`` that answers it; ``step`` is the flowchart question (1-7) it
    belongs to; ``direct`` marks the flowchart's own question rather than a finer one.
    """

    fact: str
    text: str
    cites: tuple[str, ...]
    step: int
    direct: bool
    answers: tuple[AnswerOption, ...]


@attrs.frozen
class Presumption:
    """A default the guide states, taken as given because the fact was unknown. Give the fact to override it."""

    fact: str
    value: str
    rule: str
    wording: str  # the guide's own words
    cites: tuple[str, ...]


@attrs.frozen
class Premise:
    """A fact or conclusion a rule used, with the value it had."""

    name: str
    value: str


@attrs.frozen
class Conclusion:
    """What a step concluded: ``kind`` is conclude (a named conclusion's value), verdict or obligation."""

    kind: str
    name: str
    value: str

    def __str__(self) -> str:
        return f"{self.name} = {self.value}" if self.kind == "conclude" else f"{self.kind} {self.name}"


#: Trace step kinds: the caller's own answer, a presumption, a rule deriving from facts, the choice
#: between verdicts by precedence, a doubt weighed, and a verdict decided by the case's completions.
STEP_KINDS = ("stated", "presumed", "derived", "precedence", "doubt", "cases")


@attrs.frozen
class TraceStep:
    """One step of the reasoning: what it says, what it cites, what it used and what it concluded."""

    rule: str
    kind: str  # one of STEP_KINDS
    statement: str
    cites: tuple[str, ...]
    used: tuple[Premise, ...]
    concluded: Conclusion
    source: str  # file:line of the rule, or of the ruleset's metadata


@attrs.frozen
class RulesetRef:
    id: str
    version: str
    hash: str
    source: str  # the publication reference, 0338-2006BKT-EN for the 2006 guide


@attrs.frozen
class Decision:
    """The outcome of ``decide``. Frozen; the same facts always give an equal Decision."""

    verdict: Verdict
    obligations: tuple[Obligation, ...]
    trace: tuple[TraceStep, ...]
    questions: tuple[Question, ...]
    presumed: tuple[Presumption, ...]
    ruleset: RulesetRef
    engine: str

    @property
    def next_question(self) -> Question | None:
        """The question to ask first: the earliest in the flowchart's order."""
        return self.questions[0] if self.questions else None

    @property
    def cites(self) -> tuple[str, ...]:
        """Every paragraph the trace cites, in first-cited order."""
        seen: dict[str, None] = {}
        for step in self.trace:
            for cite in step.cites:
                seen.setdefault(cite, None)
        return tuple(seen)

    @property
    def fired_rules(self) -> tuple[str, ...]:
        """The ids of the ruleset's rules in the trace (precedence and doubt steps are not rules)."""
        return tuple(step.rule for step in self.trace if step.kind in ("stated", "presumed", "derived"))


def _reduce_by_fields(self: object) -> tuple[type, tuple[object, ...]]:
    return type(self), tuple(getattr(self, name) for name in _FIELDS[type(self)])


# Pickled as a call of the class with its fields (batch workers send decisions to the caller's
# process): about half the cost of unpickling attrs' default state, field by field.
_FIELDS: dict[type, tuple[str, ...]] = {}
for _cls in (Obligation, AnswerOption, Question, Presumption, Premise, Conclusion, TraceStep, RulesetRef, Decision):
    _FIELDS[_cls] = tuple(a.name for a in attrs.fields(_cls))
    setattr(_cls, "__reduce__", _reduce_by_fields)
