"""Question order: a fact a presumption fills is asked before the facts its presumptions read (issue 15 item 5)."""

from __future__ import annotations

from infoshare_rules import decide, facts_from_dict, load_ruleset
from infoshare_rules.decision.questions import presumption_reads

# a parent told the school about their child; it is confidential and there is no consent yet
CASE = {
    "purpose": {"legitimate": "yes"},
    "information": {"identifiable": "yes", "confidential": "yes", "about": "child", "provided_by": "parent"},
    "consent": {"have_consent": "no"},
}


def test_competence_presumptions_read_the_age():
    assert presumption_reads(load_ruleset())["child.competence"] == {"child.age"}


def test_competence_is_asked_just_before_the_age():
    asked = [q.fact for q in decide(facts_from_dict(CASE)).questions]
    assert "child.age" in asked and "child.competence" in asked
    assert asked.index("child.competence") == asked.index("child.age") - 1


def test_a_child_judged_not_competent_is_not_asked_their_age():
    # 4.19: a parent answers for a child judged not competent, whatever the age (4.16-4.17 presume only
    # where competence is not known)
    case = {**CASE, "child": {"competence": "not_competent"}}
    asked = [q.fact for q in decide(facts_from_dict(case)).questions]
    assert "child.age" not in asked
