"""decision.cases.lent: the analysis lends its Semantics to decide() for the witnesses, with the same decisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from infoshare_rules.analysis.check import check_ruleset
from infoshare_rules.decision import cases
from infoshare_rules.decision.cases import CaseSpace, case_space, lent
from infoshare_rules.decision.decide import decide
from infoshare_rules.facts.json import facts_from_dict
from infoshare_rules.ruleset.loader import load_ruleset
from infoshare_rules.semantics.regions import Semantics, analysed_facts
from infoshare_rules.semantics.space import InputSpace

ROOT = Path(__file__).resolve().parents[1]
PROTOCOL = ROOT / "examples" / "local-protocols" / "example-written-consent"

CASES = [
    {},
    {"consent": {"have_consent": "yes"}},
    {"legal": {"statutory_duty": "yes"}},
    {"purpose": {"legitimate": "yes"}, "information": {"identifiable": "yes", "confidential": "yes"}, "consent": {"have_consent": "no"}},
]


def _summary(facts: dict[str, object], rules) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    decision = decide(facts_from_dict(facts), ruleset=rules)
    return (decision.verdict, tuple(o.id for o in decision.obligations), tuple(q.fact for q in decision.questions))


def test_lent_semantics_decide_alike_and_only_inside() -> None:
    rules = load_ruleset()
    model = Semantics(rules, InputSpace(analysed_facts([rules])))
    outside = [_summary(f, rules) for f in CASES]
    with lent([model]):
        assert case_space(rules).semantics is model
        inside = [_summary(f, rules) for f in CASES]
    assert case_space(rules).semantics is not model
    assert inside == outside


def test_a_model_over_another_space_is_not_lent() -> None:
    rules = load_ruleset()
    facts = analysed_facts([rules])
    model = Semantics(rules, InputSpace(reversed(facts)))  # the same facts in another order: other bits
    with lent([model]):
        assert case_space(rules).semantics is not model
    with pytest.raises(ValueError, match="own semantics"):
        CaseSpace(rules, model)
    other = load_ruleset(PROTOCOL)
    with pytest.raises(ValueError, match="own semantics"):
        CaseSpace(other, Semantics(rules, InputSpace(facts)))


def test_check_leaves_no_case_space_behind() -> None:
    protocol = load_ruleset(PROTOCOL)
    cases._spaces.pop(protocol.hash, None)
    report = check_ruleset(protocol)
    assert any(f.witness is not None and f.outcome for f in report.findings)  # witnesses were decided
    assert protocol.hash not in cases._spaces
