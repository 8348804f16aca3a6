"""A test per rule: each fires when its conditions hold, and not when any one of them fails.

The facts are given straight to the engine (inputs and intermediate conclusions alike), so
each rule is tested on its own conditions, on every engine.
"""

from __future__ import annotations

import pytest

from infoshare_rules import load_ruleset
from infoshare_rules.engines.registry import durable_available, get_engine
from infoshare_rules.errors import RulesetConflictError
from infoshare_rules.facts.model import FACT_SPECS
from infoshare_rules.ruleset.loader import UNDETERMINED, VERDICT_FACT, Rule
from infoshare_rules.ruleset.verdict import Verdict

RULESET = load_ruleset()
ENGINES = ["reference"] + (["durable"] if durable_available() else [])


def domain(name: str) -> tuple[str, ...]:
    if name in FACT_SPECS:
        return FACT_SPECS[name].values
    if name == VERDICT_FACT:
        return tuple(v.value for v in Verdict)
    return RULESET.conclusions[name].values + (UNDETERMINED,)


def satisfying(rule: Rule) -> dict[str, str]:
    return {cond.fact: cond.values[0] for cond in rule.when}


def fired_ids(engine_name: str, facts: dict[str, str]) -> set[str]:
    engine = get_engine(RULESET, engine_name)
    session = engine.session()
    try:
        fired = session.add(facts)
    except RulesetConflictError:
        # Another rule derived a different value for a fact we set by hand: not this rule's doing.
        return set()
    finally:
        session.close()
    return {RULESET.rules[i].id for i in fired}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rule", RULESET.rules, ids=lambda r: r.id)
def test_rule_fires_when_its_conditions_hold(engine, rule):
    for position in range(max(len(c.values) for c in rule.when)):
        # every allowed value of each condition, not just the first
        facts = {c.fact: c.values[min(position, len(c.values) - 1)] for c in rule.when}
        assert rule.id in fired_ids(engine, facts), f"{rule.id} did not fire on {facts}"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rule", RULESET.rules, ids=lambda r: r.id)
def test_rule_does_not_fire_when_a_condition_fails(engine, rule):
    checked = 0
    for cond in rule.when:
        facts = satisfying(rule)
        del facts[cond.fact]
        assert rule.id not in fired_ids(engine, facts), f"{rule.id} fired without {cond.fact}"
        for other in domain(cond.fact):
            if other in cond.values:
                continue
            facts[cond.fact] = other
            assert rule.id not in fired_ids(engine, facts), f"{rule.id} fired with {cond.fact}={other}"
            checked += 1
    # every rule tests something that can be false: at least one condition has a value outside it
    assert checked or all(set(c.values) == set(domain(c.fact)) for c in rule.when)


def test_every_rule_cites_paragraphs_the_ruleset_carries():
    for rule in RULESET.rules:
        assert rule.cites
        for cite in rule.cites:
            assert RULESET.paragraphs[cite].text


def test_every_fact_a_caller_can_give_is_read_by_some_rule():
    """A fact no rule reads would be a question the library asks and then ignores."""
    read = {cond.fact for rule in RULESET.rules for cond in rule.when}
    unread = [name for name in FACT_SPECS if name not in read]
    assert unread == []
