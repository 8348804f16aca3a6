"""The precompiled question index (decision/question_index.py) gives exactly the per-case questions.

The per-case path (``CaseSpace._decisive``) is the reference: on the 364 cases of
benchmarks/_cases.py's question_cases() (shipped examples, seeded flowchart-level partial cases, ``{}``) and
on random partial cases over every fact the rules test, of the national ruleset and the example
protocol, the index's decisive facts and reachable verdicts equal it; and decide() after prepare() gives the same
decisions, with and without questions.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infoshare_rules import decide, facts_from_dict, load_ruleset, prepare
from infoshare_rules.decision.cases import case_space
from infoshare_rules.decision.question_index import QuestionIndex, prepared
from infoshare_rules.facts.model import UNKNOWN, flatten

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from _cases import question_cases  # noqa: E402


def bench_cases() -> list[dict[str, str]]:
    return [flatten(f) for f in question_cases()]


NATIONAL = load_ruleset()
PROTOCOL = load_ruleset(ROOT / "examples" / "local-protocols" / "example-written-consent")
pytest.importorskip("dd.cudd")


@pytest.fixture(scope="module")
def national_index() -> QuestionIndex:
    return QuestionIndex(case_space(NATIONAL))


@pytest.fixture(scope="module")
def protocol_index() -> QuestionIndex:
    return QuestionIndex(case_space(PROTOCOL))


def test_index_equals_per_case_questions_on_the_364_cases(national_index: QuestionIndex) -> None:
    cs = case_space(NATIONAL)
    all_cases = bench_cases()
    assert len(all_cases) == 364
    differ = [i for i, inputs in enumerate(all_cases) if national_index.decisive(inputs) != cs.decisive(inputs)]
    assert differ == []
    # the reachable verdicts, in precedence order, come from the same lookup
    differ = [i for i, inputs in enumerate(all_cases) if national_index.reachable(inputs) != cs.reachable(inputs)]
    assert differ == []
    assert {len(national_index.reachable(inputs)) for inputs in all_cases} >= {1, 2}
    # not vacuous: most of these cases have questions, and some have none
    asked = [bool(national_index.decisive(inputs)) for inputs in all_cases]
    assert sum(asked) > 100 and not all(asked)


def _partial(rules):  # type: ignore[no-untyped-def]
    space = case_space(rules).space
    # each fact unknown half the time, else any known value: flat inputs over every fact the rules test
    return st.fixed_dictionaries(
        {f: st.one_of(st.just(UNKNOWN), st.sampled_from(list(space.values[f][1:]))) for f in space.facts}
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_index_equals_per_case_questions_on_random_partial_cases(data, national_index, protocol_index) -> None:  # type: ignore[no-untyped-def]
    for rules, index in ((NATIONAL, national_index), (PROTOCOL, protocol_index)):
        inputs = data.draw(_partial(rules))
        assert index.decisive(inputs) == case_space(rules).decisive(inputs)
        assert index.reachable(inputs) == case_space(rules).reachable(inputs)


def test_decide_after_prepare_asks_the_same_questions() -> None:
    cs = case_space(PROTOCOL)
    docs = [{}, {"purpose": {"legitimate": "yes"}}, {"purpose": {"legitimate": "yes"}, "information": {"identifiable": "yes"}}]
    before = [decide(facts_from_dict(d), ruleset=PROTOCOL) for d in docs]
    bare = [decide(facts_from_dict(d), ruleset=PROTOCOL, questions=False) for d in docs]
    assert any(d.questions for d in before)
    assert not prepared(PROTOCOL)
    try:
        assert prepare(PROTOCOL) is True
        assert prepared(PROTOCOL) and cs.question_index is not None
        cs._memo.clear()
        after = [decide(facts_from_dict(d), ruleset=PROTOCOL) for d in docs]
        assert after == before  # verdict, obligations, trace, questions, presumptions
        cs._memo.clear()
        assert [decide(facts_from_dict(d), ruleset=PROTOCOL, questions=False) for d in docs] == bare
    finally:
        cs.question_index = None  # the other tests keep the reference path (and the memory)
        cs._memo.clear()
