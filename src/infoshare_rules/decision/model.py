"""A decision: the verdict, what to do with it, why (the trace), and what to ask next."""

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
class Question:
    """A fact to find out because the decision cannot be made without it."""

    id: str
    text: str
    cites: tuple[str, ...]
    asks: tuple[str, ...]  # the facts (group.field) that answer it
    raised_by: tuple[str, ...]


@attrs.frozen
class Premise:
    """A fact or conclusion a rule used, with the value it had."""

    name: str
    value: str


@attrs.frozen
class TraceStep:
    """One rule firing: what it says, what it cites, what it used and what it concluded."""

    rule: str
    statement: str
    cites: tuple[str, ...]
    used: tuple[Premise, ...]
    concluded: str  # e.g. "confidential = yes", "verdict share", "obligation record_decision_and_reasons"
    source: str  # file:line of the rule


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
    ruleset: RulesetRef
    engine: str

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
        return tuple(step.rule for step in self.trace)
