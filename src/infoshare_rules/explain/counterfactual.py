"""What would change the outcome: the nearest changes of stated facts that give another verdict.

Found by re-deciding: every single change of one stated fact to another known value, then pairs
of changes (to two facts) where neither change alone changes the verdict. Deterministic, in the
facts' model order, and bounded so an explanation stays quick.
"""

from __future__ import annotations

import itertools
from typing import Any, Iterator

import attrs

from ..api_types import EngineName
from ..decision.decide import decide
from ..errors import FactsError
from ..facts.json import facts_from_dict, facts_to_dict
from ..facts.local import GROUP as LOCAL_GROUP
from ..facts.model import AgeBand, CaseFacts
from ..ruleset.model import Ruleset
from ..ruleset.verdict import Verdict

MAX_REDECISIONS = 2000
MAX_SHOWN = 12
# One age in each band the guide's thresholds make (4.16-4.17): enough to try every band.
AGE_IN_BAND = {AgeBand.UNDER_12.value: 10, AgeBand.AGE_12_TO_15.value: 14, AgeBand.AGE_16_TO_17.value: 16, AgeBand.AGE_18_OR_OVER.value: 18}


@attrs.frozen
class FactChange:
    fact: str  # group.field
    stated: Any
    changed_to: Any


@attrs.frozen
class Counterfactual:
    """Changes of stated facts that, made together, give ``verdict`` instead."""

    changes: tuple[FactChange, ...]
    verdict: Verdict


def stated_facts(facts: CaseFacts) -> dict[str, Any]:
    """``{"group.field": value}`` for every fact the practitioner stated (not left unknown)."""
    return {
        f"{group}.{name}": value
        for group, values in facts_to_dict(facts).items()
        for name, value in values.items()
        if value not in ("unknown", None)
    }


def _band(age: int) -> str:
    bands = [AgeBand.UNDER_12, AgeBand.AGE_12_TO_15, AgeBand.AGE_16_TO_17, AgeBand.AGE_18_OR_OVER]
    return bands[(age >= 12) + (age >= 16) + (age >= 18)].value


def _alternatives(facts: CaseFacts, fact: str, stated: Any, ruleset: Ruleset) -> Iterator[Any]:
    group, name = fact.split(".")
    if group == LOCAL_GROUP:  # a local protocol's own fact: its values are the ruleset's
        yield from (v for v in ruleset.fact_specs[fact].values if v not in (stated, "unknown"))
        return
    field = attrs.fields_dict(type(getattr(facts, group)))[name]
    if "enum" in field.metadata:
        yield from (m.value for m in field.metadata["enum"] if m.value not in (stated, "unknown"))
    elif name == "age":
        yield from (age for band, age in AGE_IN_BAND.items() if band != _band(stated))


def _with(base: dict[str, Any], changes: tuple[FactChange, ...]) -> CaseFacts:
    data = {group: dict(values) for group, values in base.items()}
    for change in changes:
        group, name = change.fact.split(".")
        data.setdefault(group, {})[name] = change.changed_to
    return facts_from_dict(data)


def _verdict(base: dict[str, Any], changes: tuple[FactChange, ...], ruleset: Ruleset, engine: EngineName) -> Verdict | None:
    """The verdict with ``changes`` made; None when the changed facts contradict one another."""
    try:
        return decide(_with(base, changes), ruleset=ruleset, engine=engine, questions=False).verdict
    except FactsError:  # core v2 refuses contradictory facts: such a change is no answer
        return None


def what_would_change(facts: CaseFacts, verdict: Verdict, *, ruleset: Ruleset, engine: EngineName = "compiled") -> tuple[Counterfactual, ...]:
    base = facts_to_dict(facts)
    singles = [FactChange(fact, value, other) for fact, value in stated_facts(facts).items() for other in _alternatives(facts, fact, value, ruleset)]
    found: list[Counterfactual] = []
    budget = MAX_REDECISIONS
    unchanged: list[FactChange] = []
    for change in singles:
        if budget == 0:
            break
        budget -= 1
        now = _verdict(base, (change,), ruleset, engine)
        if now is None:
            continue
        (found.append(Counterfactual((change,), now)) if now != verdict else unchanged.append(change))
    pairs: list[Counterfactual] = []
    for first, second in itertools.combinations(unchanged, 2):
        if budget == 0 or len(pairs) >= MAX_SHOWN:
            break
        if first.fact == second.fact:
            continue
        budget -= 1
        now = _verdict(base, (first, second), ruleset, engine)
        if now is not None and now != verdict:
            pairs.append(Counterfactual((first, second), now))
    return tuple(found[:MAX_SHOWN]) + tuple(pairs)
