"""The exact analysis core agrees with the engines: for any case, decide() gives the verdict and
obligations whose regions contain the case, and raises exactly where the analysis says it does."""

from __future__ import annotations

import pytest



from hypothesis import given, settings

from infoshare_rules import FactsError, RulesetConflictError, decide, facts_from_dict
from infoshare_rules.semantics.regions import Semantics, analysed_facts
from infoshare_rules.semantics.space import InputSpace, facts_document
from infoshare_rules.facts.model import flatten
from infoshare_rules.ruleset.loader import load_ruleset
from infoshare_rules.ruleset.verdict import Verdict

from strategies import case_facts

NATIONAL = load_ruleset()
SPACE = InputSpace(analysed_facts([NATIONAL]))
MODEL = Semantics(NATIONAL, SPACE)


@settings(max_examples=300, deadline=None)
@given(case_facts())
def test_analysis_agrees_with_decide(facts):
    flat = flatten(facts)
    try:
        decision = decide(facts, ruleset=NATIONAL, engine="compiled")
    except FactsError:
        assert SPACE.contains(MODEL.contradictory, flat)
        return
    except RulesetConflictError:  # pragma: no cover - the national ruleset has none
        assert SPACE.contains(MODEL.conflicting, flat)
        return
    assert SPACE.contains(MODEL.ok, flat)
    assert SPACE.contains(MODEL.final[decision.verdict], flat), decision.verdict
    assert {o for o, region in MODEL.obligations.items() if SPACE.contains(region, flat)} == {o.id for o in decision.obligations}


def test_the_regions_partition_the_input_space():
    total = SPACE.count(SPACE.true)
    assert total == _product_of_domains()
    assert sum(SPACE.count(r) for r in MODEL.final.values()) + SPACE.count(MODEL.errors) == total


def _product_of_domains():
    out = 1
    for fact in SPACE.facts:
        out *= len(SPACE.values[fact])
    return out


@pytest.mark.parametrize("verdict", list(Verdict))
def test_each_verdict_witness_decides_so_and_is_minimal(verdict):
    region = MODEL.final[verdict]
    witness = SPACE.witness(region)
    assert witness is not None
    assert decide(facts_from_dict(facts_document(witness)), ruleset=NATIONAL).verdict is verdict
    # minimal: no witness with fewer known facts exists, checked by brute force over the first levels
    if len(witness) <= 2:
        for fact in witness:
            smaller = {k: v for k, v in witness.items() if k != fact}
            assert not SPACE.contains(region, smaller) or verdict is Verdict.UNDETERMINED
