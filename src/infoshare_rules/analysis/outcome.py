"""What decide() does with one witness case on one ruleset: the outcome and the rules behind it.

Every witness the analysis shows is run through decide(), so what a report says about a case is
what the library really answers for it.
"""

from __future__ import annotations

from typing import Mapping

import attrs

from ..decision.decide import decide
from ..decision.model import Decision
from ..errors import FactsError, RulesetConflictError
from ..facts.json import facts_from_dict
from ..ruleset.model import UNDETERMINED, Ruleset
from ..semantics.space import facts_document

#: outcomes that are not verdicts: the case contradicts itself, or two rules of the ruleset conflict
CONTRADICTORY_FACTS = "contradictory_facts"
RULESET_CONFLICT = "ruleset_conflict"


@attrs.frozen
class Because:
    """A rule (or precedence / doubt step) a decision rests on, with the paragraphs it cites."""

    rule: str
    cites: tuple[str, ...]


@attrs.frozen
class Outcome:
    verdict: str  # a Verdict value, or CONTRADICTORY_FACTS / RULESET_CONFLICT
    obligations: tuple[str, ...]
    trace: tuple[Because, ...]  # every step of the decision's trace, in order
    because: tuple[Because, ...]  # the steps that reached the verdict (verdict rules, precedence, decisive doubts)
    raised_by: tuple[tuple[str, tuple[Because, ...]], ...] = ()  # each obligation and the rules that raised it
    error: str = ""
    #: for an undetermined verdict, what is open: the conclusions the verdict rules test, each with the
    #: value the decision reached or "undetermined" (in the ruleset's order), and the questions it asks
    settled: tuple[tuple[str, str], ...] = ()
    questions: tuple[str, ...] = ()

    def raisers(self, obligation: str) -> tuple[Because, ...]:
        return dict(self.raised_by).get(obligation, ())


def outcome_of(flat: Mapping[str, str], ruleset: Ruleset) -> Outcome:
    """decide() on the witness (flat known facts), or the error it raises."""
    facts = ruleset.own_facts(facts_from_dict(facts_document(flat)))  # a protocol's own facts are unknown to the ruleset it extends
    try:
        decision = decide(facts, ruleset=ruleset)
    except (FactsError, RulesetConflictError) as exc:
        # Drop the traceback: its frames reach back to the caller's, which hold BDD nodes, and a
        # reference cycle through them could outlive the BDD manager (CUDD asserts at exit).
        exc.__traceback__ = None
        if isinstance(exc, FactsError):
            return Outcome(CONTRADICTORY_FACTS, (), (), (), error=exc.problem)
        return Outcome(RULESET_CONFLICT, (), (), (), error=str(exc))
    return _outcome(decision, ruleset)


def _outcome(decision: Decision, ruleset: Ruleset) -> Outcome:
    trace = tuple(Because(step.rule, tuple(step.cites)) for step in decision.trace)
    because = tuple(
        Because(step.rule, tuple(step.cites))
        for step in decision.trace
        if step.concluded.kind == "verdict" and (step.concluded.name == decision.verdict.value or step.kind in ("precedence", "doubt"))
    )
    raised_by = tuple(
        (o.id, tuple(Because(r, ruleset.rule(r).cites) for r in o.raised_by)) for o in decision.obligations
    )
    settled: tuple[tuple[str, str], ...] = ()
    questions: tuple[str, ...] = ()
    if decision.verdict.value == UNDETERMINED:
        reached = {step.concluded.name: step.concluded.value for step in decision.trace if step.concluded.kind == "conclude"}
        settled = tuple((name, reached.get(name, UNDETERMINED)) for name in _verdict_inputs(ruleset))
        questions = tuple(q.fact for q in decision.questions)
    return Outcome(
        decision.verdict.value, tuple(o.id for o in decision.obligations), trace, because, raised_by, settled=settled, questions=questions
    )


def _verdict_inputs(ruleset: Ruleset) -> tuple[str, ...]:
    """The conclusions (the flowchart's questions) the ruleset's verdict rules test, in the ruleset's order."""
    tested = {c.fact for rule in ruleset.rules if rule.kind == "verdict" for c in rule.when}
    return tuple(name for name in ruleset.conclusions if name in tested)
