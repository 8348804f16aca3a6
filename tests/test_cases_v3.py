"""Decision core v3: a partial case decided by its completions, proved against brute-force enumeration.

The brute force here is written from the definition (decision/cases.py's docstring), not from the
BDD code: hide a few facts of a complete case, enumerate every answer to them (leaving a fact
unknown only where a presumption presuming it fires with every hidden presumable fact unknown),
decide each completion with the plain engine, and compare the verdicts reached and the facts
whose answers can change them with what ``decide()`` says.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from infoshare_rules import FactsError, Verdict, decide
from infoshare_rules.decision.cases import case_space
from infoshare_rules.decision.decide import _decide_plain
from infoshare_rules.decision.questions import ASKED_BY
from infoshare_rules.engines.registry import get_engine
from infoshare_rules.errors import RulesetConflictError
from infoshare_rules.facts.json import facts_from_dict
from infoshare_rules.facts.model import FACT_SPECS, INPUT_SPECS, UNKNOWN
from infoshare_rules.ruleset.loader import load_ruleset
from infoshare_rules.semantics.space import facts_document



RULES = load_ruleset("uk-2006-practitioners-guide")
SPACE = case_space(RULES).space
TESTED = [f for f in SPACE.facts]
PRESUMED_BY = {}
for _rule in RULES.rules:
    for _fact, _value in _rule.presumes:
        PRESUMED_BY.setdefault(_fact, set()).add(_rule.index)
COMPILED = get_engine(RULES, "compiled")
STATED_BY = {c.stated_by: name for name, c in RULES.conclusions.items() if c.stated_by}


def _facts(flat: dict[str, str]):  # type: ignore[no-untyped-def]
    return facts_from_dict(facts_document({k: v for k, v in flat.items() if v != UNKNOWN}))


def _plain(flat: dict[str, str]) -> Verdict | None:
    """The plain engine's verdict on a (complete) case, or None where it contradicts itself or conflicts."""
    try:
        return _decide_plain(RULES, COMPILED, _facts(flat)).verdict
    except (FactsError, RulesetConflictError):
        return None


def _fired(flat: dict[str, str]) -> set[int]:
    try:
        return set(COMPILED.evaluate(flat)[0])
    except (FactsError, RulesetConflictError):
        return set()


def completions(flat: dict[str, str], hidden: list[str]) -> list[dict[str, str]]:
    """Every completion of ``flat`` over its ``hidden`` (unknown) facts, by the definition."""
    presumable = [f for f in hidden if f in PRESUMED_BY]
    out = []
    choices = [(UNKNOWN, *SPACE.values[f][1:]) if f in PRESUMED_BY else SPACE.values[f][1:] for f in hidden]
    for values in itertools.product(*choices):
        completion = {**flat, **dict(zip(hidden, values))}
        # which presumptions fill their facts: decided with every hidden presumable fact unknown
        probe = {**completion, **{f: UNKNOWN for f in presumable}}
        fired = _fired(probe)
        if all((completion[f] == UNKNOWN) == bool(PRESUMED_BY[f] & fired) for f in presumable):
            out.append(completion)
    return out


def reachable(flat: dict[str, str], hidden: list[str]) -> dict[Verdict, list[dict[str, str]]]:
    found: dict[Verdict, list[dict[str, str]]] = {}
    for completion in completions(flat, hidden):
        verdict = _plain(completion)
        if verdict is not None:
            found.setdefault(verdict, []).append(completion)
    return found


@st.composite
def partial_cases(draw, most_hidden: int = 4):  # type: ignore[no-untyped-def]
    """A complete case (every fact the rules test known) with a few of its facts hidden."""
    flat = {f: draw(st.sampled_from(SPACE.values[f][1:])) for f in TESTED}
    # direct answers agree with what the finer facts imply, most of the time (else the case contradicts itself)
    stated = {spec.stated_by: name for name, spec in RULES.conclusions.items() if spec.stated_by in flat}
    try:
        _, known = COMPILED.evaluate({**flat, **{f: UNKNOWN for f in stated}})
    except (FactsError, RulesetConflictError):
        known = {}
    for fact, conclusion in stated.items():
        if known.get(conclusion, "undetermined") != "undetermined" and draw(st.integers(0, 9)) > 0:
            flat[fact] = known[conclusion]
    hidden = draw(st.lists(st.sampled_from(TESTED), min_size=1, max_size=most_hidden, unique=True))
    for f in hidden:
        flat[f] = UNKNOWN
    return flat, sorted(hidden, key=TESTED.index)


@settings(max_examples=60)
@given(partial_cases())
def test_decide_by_cases_equals_enumeration(case):
    flat, hidden = case
    found = reachable(flat, hidden)
    assume(found)  # a case every completion of which contradicts itself raises; checked below
    try:
        decision = decide(_facts(flat), engine="compiled", questions=False)
    except FactsError:
        # the facts as given contradict themselves (the plain engine says so before any case is split)
        assert _plain(flat) is None or not found
        return
    if len(found) == 1:
        assert decision.verdict is next(iter(found))
    elif flat.get("practitioner.unsure_what_to_do") == "yes":
        assert decision.verdict is Verdict.SEEK_ADVICE
    else:
        assert decision.verdict is Verdict.UNDETERMINED
    assert set(case_space(RULES).reachable(flat)) == set(found)


@settings(max_examples=40)
@given(partial_cases(most_hidden=3))
def test_questions_are_exactly_the_facts_that_can_change_the_verdict(case):
    """A fact is asked when two completions differing only in it give different verdicts (they agree on a
    fact both leave to a presumption, or one answers with the value the other presumes, and on a direct
    answer the finer facts derive in both), so sets of
    facts are covered (the rest of those completions), or when an answer to it alone changes the
    verdicts reached, or (for a fact a presumption fills) a completion left to the presumption and one
    with an answer to it, agreeing on the rest, differ; and, while the case is open, doubt about what to do. Nothing else is asked (4.24's
    facts, which "you will know or be told about", only while the case is open)."""
    flat, hidden = case
    found = reachable(flat, hidden)
    assume(found)
    try:
        decision = decide(_facts(flat), engine="compiled")
    except FactsError:
        return
    def presumed(c):  # type: ignore[no-untyped-def]
        """The value presumed for each fact the completion leaves to a presumption."""
        presumable = [f for f in hidden if f in PRESUMED_BY and c[f] == UNKNOWN]
        fired = _fired(c)
        return {f: next(v for i in fired & PRESUMED_BY[f] for g, v in RULES.rules[i].presumes if g == f) for f in presumable}

    def derived(c):  # type: ignore[no-untyped-def]
        """The direct answers the completion's finer facts derive (the rules reach them without the answer)."""
        out = set()
        for g in hidden:
            if g in STATED_BY:
                try:
                    _, known = COMPILED.evaluate({**c, g: UNKNOWN})
                except (FactsError, RulesetConflictError):
                    continue
                if any(r.origin != "stated" and r.kind == "conclude" and r.name == STATED_BY[g] for r in (RULES.rules[i] for i in COMPILED.evaluate({**c, g: UNKNOWN})[0])):
                    out.add(g)
        return out

    def agree(c1, p1, d1, c2, p2, d2, g):  # type: ignore[no-untyped-def]
        if c1[g] == c2[g] or (g in d1 and g in d2):
            return True  # the same answer, both left to a presumption, or a direct answer both derive
        return p1.get(g) == c2[g] or p2.get(g) == c1[g]

    labelled = [(c, presumed(c), derived(c), v) for v, cs in found.items() for c in cs]
    expected = set()
    for fact in hidden:
        others = [f for f in hidden if f != fact]
        # (a) completions differing only in the fact
        if len(found) > 1 and any(
            v1 is not v2 and c1[fact] != c2[fact] and all(agree(c1, p1, d1, c2, p2, d2, g) for g in others)
            for (c1, p1, d1, v1), (c2, p2, d2, v2) in itertools.combinations(labelled, 2)
        ):
            expected.add(fact)
            continue
        # (b) an answer to the fact alone changes the verdicts reached; (c) for a fact a presumption fills,
        # a completion left to the presumption and one with the answer, agreeing on the rest, differ
        for value in SPACE.values[fact][1:]:
            after = reachable({**flat, fact: value}, others)
            if after and set(after) != set(found):
                expected.add(fact)
                break
            if fact in PRESUMED_BY and len(found) > 1 and after:
                answered = [(c, presumed(c), derived(c), v) for v, cs in after.items() for c in cs]
                if any(
                    v1 is not v2 and all(agree(c1, p1, d1, c2, p2, d2, g) for g in others)
                    for c1, p1, d1, v1 in labelled
                    for c2, p2, d2, v2 in answered
                ):
                    expected.add(fact)
                    break
    silent = {p.fact for p in decision.presumed if not RULES.rule(p.rule).ask}
    expected = {f for f in expected if ASKED_BY[f] not in silent}
    assert {INPUT_SPECS[q.fact].tests for q in decision.questions} == expected


def test_a_pair_of_facts_neither_decisive_alone_for_a_fixed_rest_is_asked():
    """Item 8 of issue 15: provided_by and consent.provider matter together; both are asked."""
    flowchart = {
        "purpose": {"legitimate": "yes"},
        "information": {"identifiable": "yes", "confidential": "yes"},
        "consent": {"have_consent": "no"},
        "public_interest": {"practitioner_judgement": "sufficient"},
    }
    decision = decide(facts_from_dict(flowchart))
    asked = {q.fact for q in decision.questions}
    assert decision.verdict is Verdict.UNDETERMINED  # with consent never sought it is seek_consent (3.9, 3.16)
    assert {"information.provided_by", "consent.provider"} <= asked


def test_every_fact_the_rules_test_is_declared():
    assert set(TESTED) <= set(FACT_SPECS)
