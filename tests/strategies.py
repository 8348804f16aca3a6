"""Hypothesis strategies for case facts: every field drawn from its whole domain.

Facts are left unknown half the time (a practitioner rarely knows everything), and the direct
answers to the flowchart's questions more often still, so drawn cases mix the two levels the way
callers do; a drawn case whose direct answer contradicts its finer facts raises FactsError, and
properties about decisions skip it with ``decided``.
"""

from __future__ import annotations

import attrs
from hypothesis import assume
from hypothesis import strategies as st

from infoshare_rules import CaseFacts, FactsError, decide
from infoshare_rules.facts.model import MAX_AGE, UNKNOWN


def _field_strategy(field: attrs.Attribute) -> st.SearchStrategy:
    if "enum" in field.metadata:
        values = st.sampled_from(list(field.metadata["enum"]))
        unknown = st.just(field.metadata["enum"](UNKNOWN))
        return st.one_of(unknown, unknown, unknown, values) if field.metadata.get("direct") else st.one_of(unknown, values)
    return st.none() | st.integers(min_value=0, max_value=MAX_AGE)


def _group_strategy(cls: type) -> st.SearchStrategy:
    return st.builds(cls, **{f.name: _field_strategy(f) for f in attrs.fields(cls)})


def case_facts(**fixed_groups: st.SearchStrategy) -> st.SearchStrategy[CaseFacts]:
    """Any CaseFacts; pass group=strategy to constrain a group."""
    groups = {f.name: _group_strategy(f.metadata["group"]) for f in attrs.fields(CaseFacts) if "group" in f.metadata}
    groups.update(fixed_groups)
    return st.builds(CaseFacts, **groups)


def group(cls: type, **fixed: object) -> st.SearchStrategy:
    """A group with some fields fixed (given as values) and the rest drawn freely."""
    kwargs = {f.name: _field_strategy(f) for f in attrs.fields(cls)}
    kwargs.update({name: st.just(value) for name, value in fixed.items()})
    return st.builds(cls, **kwargs)


def decided(facts: CaseFacts, **kwargs):  # type: ignore[no-untyped-def]
    """decide(), skipping drawn cases whose direct answers contradict their finer facts."""
    try:
        return decide(facts, **kwargs)
    except FactsError as exc:
        assert "contradicts the other facts" in exc.problem, exc
        assume(False)
