"""A decision as a narrative in the guide's order: per paragraph, what was stated, presumed and derived."""

from __future__ import annotations

from typing import Any

import attrs

from .counterfactual import Counterfactual, stated_facts, what_would_change
from ..api_types import EngineName
from ..decision.decide import decide
from ..decision.model import Decision, Obligation, TraceStep
from ..facts.model import CaseFacts, FACT_SPECS
from ..ruleset.loader import load_ruleset
from ..ruleset.model import DEFAULT_RULESET, Ruleset


@attrs.frozen
class StatedFact:
    fact: str
    value: Any
    question: str  # the fact's description: what the practitioner was asked


@attrs.frozen
class Section:
    """One paragraph of the guide and what the decision made of it."""

    paragraph: str
    heading: str
    text: str
    stated: tuple[StatedFact, ...]
    presumed: tuple[Any, ...]  # Presumption (core v2): a default the guide states, applied while a fact is unknown
    derived: tuple[TraceStep, ...]


@attrs.frozen
class Explanation:
    decision: Decision
    sections: tuple[Section, ...]
    what_would_change: tuple[Counterfactual, ...]

    @property
    def obligations(self) -> tuple[Obligation, ...]:
        return self.decision.obligations


def guide_order(paragraph: str) -> tuple[object, ...]:
    """Section 4 (the flowchart's questions, 4.2-4.31) first, in number order; then the rest; then named parts."""
    parts = paragraph.split(".")
    if not all(part.isdigit() for part in parts):
        return (2, (), paragraph)
    numbers = tuple(int(part) for part in parts)
    return (0 if numbers[0] == 4 else 1, numbers, paragraph)


def _primary(cites: tuple[str, ...]) -> str:
    """The paragraph an item belongs under: its first flowchart paragraph (4.x), else its first cite."""
    return next((c for c in cites if c.startswith("4.")), cites[0] if cites else "flowchart")


def explain(facts: CaseFacts, *, ruleset: str | Ruleset = DEFAULT_RULESET, engine: EngineName = "compiled", counterfactuals: bool = True) -> Explanation:
    rules = ruleset if isinstance(ruleset, Ruleset) else load_ruleset(ruleset)
    decision = decide(facts, ruleset=rules, engine=engine)
    stated: dict[str, list[StatedFact]] = {}
    for fact, value in stated_facts(facts).items():
        spec = rules.fact_specs.get(fact)
        cites = spec.cites if spec else FACT_SPECS["child.age_band"].cites
        stated.setdefault(_primary(cites), []).append(StatedFact(fact, value, spec.doc if spec else "The child or young person's age."))
    presumed: dict[str, list[Any]] = {}
    for presumption in decision.presumed:
        presumed.setdefault(_primary(tuple(presumption.cites)), []).append(presumption)
    derived: dict[str, list[TraceStep]] = {}
    for step in decision.trace:
        derived.setdefault(_primary(step.cites), []).append(step)
    sections = []
    for paragraph_id in sorted(set(stated) | set(presumed) | set(derived), key=guide_order):
        paragraph = rules.paragraphs.get(paragraph_id)
        sections.append(
            Section(
                paragraph=paragraph_id,
                heading=paragraph.heading if paragraph else paragraph_id,
                text=paragraph.text if paragraph else "",
                stated=tuple(stated.get(paragraph_id, ())),
                presumed=tuple(presumed.get(paragraph_id, ())),
                derived=tuple(derived.get(paragraph_id, ())),
            )
        )
    changes = what_would_change(facts, decision.verdict, ruleset=rules, engine=engine) if counterfactuals else ()
    return Explanation(decision, tuple(sections), changes)
