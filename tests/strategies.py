"""Hypothesis strategies for case facts: every field drawn from its whole domain."""

from __future__ import annotations

import attrs
from hypothesis import strategies as st

from infoshare_rules import CaseFacts
from infoshare_rules.facts.model import MAX_AGE


def _field_strategy(field: attrs.Attribute) -> st.SearchStrategy:
    if "enum" in field.metadata:
        return st.sampled_from(list(field.metadata["enum"]))
    return st.none() | st.integers(min_value=0, max_value=MAX_AGE)


def _group_strategy(cls: type) -> st.SearchStrategy:
    return st.builds(cls, **{f.name: _field_strategy(f) for f in attrs.fields(cls)})


def case_facts(**fixed_groups: st.SearchStrategy) -> st.SearchStrategy[CaseFacts]:
    """Any CaseFacts; pass group=strategy to constrain a group."""
    groups = {f.name: _group_strategy(f.metadata["group"]) for f in attrs.fields(CaseFacts)}
    groups.update(fixed_groups)
    return st.builds(CaseFacts, **groups)


def group(cls: type, **fixed: object) -> st.SearchStrategy:
    """A group with some fields fixed (given as values) and the rest drawn freely."""
    kwargs = {f.name: _field_strategy(f) for f in attrs.fields(cls)}
    kwargs.update({name: st.just(value) for name, value in fixed.items()})
    return st.builds(cls, **kwargs)
