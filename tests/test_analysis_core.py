"""The exact analysis core agrees with the engines on what it analyses, complete cases (every fact the
rules test known, or left to a presumption that fills it, or a direct answer the finer facts give):
for any complete case, decide() gives the verdict and obligations whose regions contain it, and
raises exactly where the analysis says it does; and every completion of a partial case is one."""

from __future__ import annotations

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare_rules import FactsError, RulesetConflictError, decide, facts_from_dict
from infoshare_rules.analysis.complete import complete_cases
from infoshare_rules.semantics.regions import derived_where, presumed_where
from infoshare_rules.decision.cases import case_space
from infoshare_rules.semantics.regions import Semantics, analysed_facts
from infoshare_rules.semantics.space import InputSpace, facts_document
from infoshare_rules.facts.model import UNKNOWN, flatten
from infoshare_rules.ruleset.loader import load_ruleset
from infoshare_rules.ruleset.verdict import Verdict

from strategies import case_facts

NATIONAL = load_ruleset()
SPACE = InputSpace(analysed_facts([NATIONAL]))
MODEL = Semantics(NATIONAL, SPACE)
COMPLETE = complete_cases(MODEL)
PRESUMED = presumed_where(MODEL)
DERIVED = derived_where(MODEL)


def _decide(flat: dict[str, str]):  # type: ignore[no-untyped-def]
    return decide(facts_from_dict(facts_document({k: v for k, v in flat.items() if v != UNKNOWN})), ruleset=NATIONAL, engine="compiled")


def _complete(data, flat: dict[str, str]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """``flat`` (the facts the rules test) completed: each unknown fact answered, or (where a presumption
    fills it or the finer facts derive it, at the case as it stands) left unknown, until nothing changes."""
    flat = dict(flat)
    changed = True
    while changed:
        changed = False
        for fact in SPACE.facts:
            if flat[fact] != UNKNOWN:
                continue
            may_stay = any(SPACE.contains(r[fact], flat) for r in (PRESUMED, DERIVED) if fact in r)
            if may_stay and data.draw(st.booleans(), label=f"leave {fact}"):
                continue
            flat[fact] = data.draw(st.sampled_from(SPACE.values[fact][1:]), label=fact)
            changed = True  # answering a fact can stop a presumption firing, or a derivation, elsewhere
    return flat  # the last pass changed nothing: each fact left unknown may stay so where the loop ends


@settings(max_examples=300, deadline=None)
@given(case_facts(), st.data())
def test_analysis_agrees_with_decide_on_complete_cases(facts, data):
    given_flat = flatten(facts)
    flat = _complete(data, {f: given_flat.get(f, UNKNOWN) for f in SPACE.facts})
    assert SPACE.contains(COMPLETE, flat)
    try:
        decision = _decide(flat)
    except FactsError:
        assert SPACE.contains(MODEL.contradictory, flat)
        return
    except RulesetConflictError:  # pragma: no cover - the national ruleset has none
        assert SPACE.contains(MODEL.conflicting, flat)
        return
    assert not SPACE.contains(MODEL.errors, flat)
    assert SPACE.contains(MODEL.final[decision.verdict], flat), decision.verdict
    assert {o for o, region in MODEL.obligations.items() if SPACE.contains(region, flat)} == {o.id for o in decision.obligations}


def _a_completion(data, flat: dict[str, str]) -> tuple[dict[str, str], Verdict, int] | None:  # type: ignore[no-untyped-def]
    """A consistent completion of a partial case, as decide() defines them (drawn from its case space), its
    verdict, and how many verdicts the case's completions reach."""
    cases = case_space(NATIONAL)
    regions = cases.regions(flat)
    if not regions:
        return None
    verdict = data.draw(st.sampled_from(sorted(regions, key=lambda v: v.value)), label="verdict")
    region, space = regions[verdict], cases.space
    point = {}
    for fact in space.facts:
        if flat.get(fact, UNKNOWN) != UNKNOWN:
            point[fact] = flat[fact]
            region = space.substitute(region, fact, flat[fact])
            continue
        values = [v for v in space.values[fact] if space.substitute(region, fact, v) != space.false]
        point[fact] = data.draw(st.sampled_from(values), label=fact)
        region = space.substitute(region, fact, point[fact])
    assert region == space.true
    return point, verdict, len(regions)


@settings(max_examples=150, deadline=None)
@given(case_facts(), st.data())
def test_every_completion_of_a_partial_case_is_a_complete_case_the_analysis_agrees_on(facts, data):
    flat = flatten(facts)
    found = _a_completion(data, flat)
    if found is None:  # every completion contradicts itself: decide() refuses the case
        with pytest.raises(FactsError):
            decide(facts, ruleset=NATIONAL)
        return
    point, verdict, reached = found
    assert SPACE.contains(COMPLETE, point), point
    assert SPACE.contains(MODEL.final[verdict], point), verdict
    if reached == 1:  # decided: every completion gives the verdict decide() gives the partial case
        assert decide(facts, ruleset=NATIONAL, questions=False).verdict is verdict
    assert _decide(point).verdict is verdict  # a completion, decided itself, gives what the analysis says


def test_the_regions_partition_the_complete_cases():
    total = SPACE.count(COMPLETE)
    assert 0 < total < _product_of_domains()
    assert sum(SPACE.count(r & COMPLETE) for r in MODEL.final.values()) + SPACE.count(MODEL.errors & COMPLETE) == total


def _product_of_domains():
    out = 1
    for fact in SPACE.facts:
        out *= len(SPACE.values[fact])
    return out


@pytest.mark.parametrize("verdict", list(Verdict))
def test_each_verdict_witness_decides_so_and_is_minimal(verdict):
    region = MODEL.final[verdict] & COMPLETE
    witness = SPACE.witness(region)
    if verdict is Verdict.UNDETERMINED:  # the guide decides every complete case: only partial ones stay open
        assert witness is None
        return
    assert witness is not None
    assert SPACE.contains(COMPLETE, witness)
    assert _decide(witness).verdict is verdict
    # minimal: leaving any one of its facts unknown leaves the region (or the complete cases)
    for fact in witness:
        smaller = {k: v for k, v in witness.items() if k != fact}
        assert not SPACE.contains(region, smaller), fact
