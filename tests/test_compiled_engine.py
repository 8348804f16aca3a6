"""The compiled engine is the reference engine, faster: its first pass, its what-ifs and its decisions.

(The decisions of every engine are compared whole, questions included, in test_invariants.py.)
"""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare_rules import FactsError, decide, load_ruleset
from infoshare_rules.decision import decide as decide_module
from infoshare_rules.decision.decide import _run
from infoshare_rules.decision.whatif import ConeOracle, FullOracle, WhatIf
from infoshare_rules.engines.registry import get_engine
from infoshare_rules.facts.model import FACT_SPECS, INPUT_SPECS, flatten
from infoshare_rules.ruleset.model import UNDETERMINED

from strategies import case_facts, decided

RULESET = load_ruleset()
COMPILED = get_engine(RULESET, "compiled")
REFERENCE = get_engine(RULESET, "reference")
TESTED = sorted(spec.tests for spec in INPUT_SPECS.values() if spec.tests in RULESET.tested)


def reference_run(inputs):
    session = REFERENCE.session()
    try:
        return _run(RULESET, session, inputs)
    finally:
        session.close()


@given(facts=case_facts())
def test_first_pass_reaches_what_forward_chaining_reaches(facts):
    inputs = flatten(facts)
    try:
        fired, known = reference_run(inputs)
    except FactsError:
        try:
            COMPILED.first(inputs)
        except FactsError:
            return
        raise AssertionError("the reference engine found a contradiction the compiled engine did not")
    compiled_fired, values, _used = COMPILED.first(inputs)
    assert set(compiled_fired) == set(fired)
    reached = {name: value for name, value in zip(COMPILED.produced, values) if value != UNDETERMINED}
    assert reached == {name: value for name, value in known.items() if name not in inputs and value != UNDETERMINED}
    # the rules fired come out in trace order: no sorting needed
    ranks = [COMPILED.graph.ranks[i] for i in compiled_fired]
    assert ranks == sorted(ranks)


@st.composite
def changes(draw):
    facts = draw(st.lists(st.sampled_from(TESTED), min_size=1, max_size=3, unique=True))
    return {fact: draw(st.sampled_from(FACT_SPECS[fact].values)) for fact in sorted(facts)}


@settings(max_examples=300)
@given(facts=case_facts(), change=changes())
def test_a_what_if_over_the_rules_downstream_equals_the_whole_pass_rerun(facts, change):
    inputs = flatten(facts)
    try:
        _fired, values, _used = COMPILED.first(inputs)
    except FactsError:
        return  # not a decision: nothing to ask what-if of
    cone = ConeOracle(COMPILED, inputs, values)
    full = FullOracle(RULESET, COMPILED, inputs)
    args = (tuple(change), tuple(change.values()))
    assert cone(*args) == full(*args)
    # and with doubts weighed, whichever base each doubt's answers are tried from
    assert WhatIf(RULESET, cone)(*args) == WhatIf(RULESET, full)(*args)


@pytest.mark.parametrize("engine", ["compiled", "reference"])
@given(facts=case_facts())
def test_explanations_shared_between_decisions_are_the_ones_assembled_afresh(engine, facts):
    warm = decided(facts, engine=engine)
    for plan in decide_module._plans.values():
        plan.explained.clear()
    decide_module._explained_in_session.clear()
    cold = decide(facts, engine=engine)
    assert cold == warm
    assert decide(facts, engine=engine, questions=False) == attrs.evolve(warm, questions=())


def test_a_session_given_some_facts_reads_the_others_as_absent():
    with COMPILED.session() as session:
        fired = session.add({"legal.statutory_duty": "yes"})
    with REFERENCE.session() as session:
        expected = session.add({"legal.statutory_duty": "yes"})
    assert set(fired) == set(expected) and fired


@given(facts=case_facts())
def test_the_generated_decision_reads_the_facts_as_flatten_does(facts):
    try:
        flat = COMPILED.decide(facts, True)[-1]
    except FactsError:
        return  # a direct answer contradicting the finer facts: refused before the facts are handed back
    assert flat == flatten(facts)
