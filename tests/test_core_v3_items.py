"""Issue 15 (decision core v3), item by item: each test failed on the v2 rules (5806ce9).

Wrong verdicts, hidden defaults, cases the guide decides that v2 left undetermined, the sources
practitioners really have, and the obligations that went with the wrong verdicts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infoshare_rules import FactsError, RulesetError, Verdict, decide, facts_from_dict
from infoshare_rules.facts.model import INPUT_SPECS
from infoshare_rules.ruleset.loader import load_ruleset

RULESET = Path(__file__).resolve().parents[1] / "rulesets" / "uk-2006-practitioners-guide"
CONFIDENTIAL = {"purpose": {"legitimate": "yes"}, "information": {"identifiable": "yes", "confidential": "yes"}}


def _decide(doc, **kwargs):  # type: ignore[no-untyped-def]
    return decide(facts_from_dict(doc), **kwargs)


def _obligations(decision) -> set[str]:  # type: ignore[no-untyped-def]
    return {o.id for o in decision.obligations}


def _merge(*docs):  # type: ignore[no-untyped-def]
    out: dict = {}
    for doc in docs:
        for group, facts in doc.items():
            out.setdefault(group, {}).update(facts)
    return out


# ---------------------------------------------------------------- wrong verdicts (items 1-7)


def test_a_parents_consent_does_not_override_a_14_year_olds_confidence():
    """4.16, 4.17, 4.19, 4.20: the young person's own answer is the one to consider; ask her."""
    doc = {
        "purpose": {"legitimate": "yes"},
        "information": {"identifiable": "yes", "about": "adult", "provided_by": "child", "relationship": "formal", "from_records": "no",
                        "provider_understood": "not_to_be_shared"},
        "child": {"age": 14},
        "consent": {"parent": "given", "child": "not_sought", "form": "explicit_written", "informed": "yes"},
    }
    decision = _decide(doc)
    assert decision.verdict is not Verdict.SHARE
    safe = _merge(doc, {"harm": {"child": "none", "serious_crime": "no", "adult_at_risk_of_serious_harm": "no"}})
    decision = _decide(safe)
    assert decision.verdict is Verdict.SEEK_CONSENT
    assert {"seek_consent_from_competent_child", "confirm_child_understanding"} <= _obligations(decision)
    assert "child.competence" in {p.fact for p in decision.presumed}


def test_evidence_of_harm_does_not_presume_it_safe_to_ask_the_family():
    """3.18: discussion "should only be done where" it will not increase the risk: a precondition, not a default."""
    doc = _merge(CONFIDENTIAL, {"harm": {"child": "evidence"}, "consent": {"parent": "not_sought"}})
    decision = _decide(doc)
    assert decision.verdict is not Verdict.SEEK_CONSENT
    assert "discuss_concerns_with_family" not in _obligations(decision)
    assert not {p.fact for p in decision.presumed} & {f for f in INPUT_SPECS if f.startswith("seeking_consent_would.")}
    first = decision.questions[0].fact
    assert first in {"consent.have_consent", "consent.good_reason_not_to_seek"} or first.startswith("seeking_consent_would."), first


def test_implied_consent_needs_the_person_informed():
    """4.13: consent must be informed; the glossary's implied consent requires it."""
    doc = _merge(
        CONFIDENTIAL,
        {
            "information": {"about": "adult", "provided_by": "subject", "from_records": "no"},
            "consent": {"adult_concerned": "given", "form": "implied", "sharing_intrinsic_to_activity": "yes", "coerced": "no", "significant_change_since_given": "no"},
            "harm": {"child": "none", "serious_crime": "no", "adult_at_risk_of_serious_harm": "no"},
        },
    )
    assert _decide(doc).verdict is Verdict.UNDETERMINED
    assert "consent.informed" in {q.fact for q in _decide(doc).questions}
    assert _decide(_merge(doc, {"consent": {"informed": "yes"}})).verdict is Verdict.SHARE


def test_an_unrelated_risk_to_an_adult_does_not_make_a_refusal_shareable():
    """3.12: "to prevent ... serious harm to adults": sharing must serve to prevent it."""
    doc = _merge(
        CONFIDENTIAL,
        {
            "information": {"about": "adult", "provided_by": "subject", "from_records": "no"},
            "consent": {"adult_concerned": "refused"},
            "harm": {"child": "none", "child_may_cause_serious_harm_to_others": "none", "sharing_prevents_significant_harm_to_child": "no",
                     "serious_crime": "no", "adult_at_risk_of_serious_harm": "yes", "sharing_prevents_serious_harm_to_adult": "no"},
            "sharing": {"limited_to_inform_decision": "no"},
        },
    )
    assert _decide(doc).verdict is Verdict.DO_NOT_SHARE
    prevents = _merge(doc, {"harm": {"sharing_prevents_serious_harm_to_adult": "yes"}})
    assert _decide(prevents).verdict is Verdict.SHARE


def test_a_practitioner_who_checked_may_answer_that_public_body_information_is_not_confidential():
    """4.11: public bodies "may also owe" a duty of confidentiality: a default, not a contradiction."""
    doc = {
        "purpose": {"legitimate": "yes"},
        "information": {"identifiable": "yes", "relationship": "public_body", "sensitive": "yes", "in_public_domain": "no", "confidential": "no"},
    }
    assert _decide(doc).verdict is Verdict.SHARE
    unchecked = {"purpose": {"legitimate": "yes"}, "information": {"identifiable": "yes", "relationship": "public_body", "sensitive": "yes", "in_public_domain": "no"}}
    decision = _decide(unchecked)
    assert "information.confidential" in {p.fact for p in decision.presumed}


def test_a_share_resting_on_the_presumed_public_interest_judgement_asks_for_the_judgement():
    """3.9-3.11: the practitioner "must" judge: the presumed 3.12 judgement is shown and asked."""
    doc = _merge(CONFIDENTIAL, {"harm": {"child": "evidence"}, "seeking_consent_would": {"increase_risk_of_significant_harm_to_child": "yes"}})
    decision = _decide(doc)
    assert decision.verdict is Verdict.SHARE
    assert "public_interest.practitioner_judgement" in {p.fact for p in decision.presumed}
    assert "public_interest.practitioner_judgement" in {q.fact for q in decision.questions}
    judged = _decide(_merge(doc, {"public_interest": {"practitioner_judgement": "insufficient"}, "consent": {"have_consent": "no"},
                                  "information": {"provider_understood": "not_to_be_shared"}}))
    assert judged.verdict is Verdict.DO_NOT_SHARE


def test_a_refusal_is_not_presumed_respected_where_limited_information_is_shared_to_decide():
    """3.17, 4.25: sharing limited information without consent may be justified to decide what to do next."""
    base = _merge(
        CONFIDENTIAL,
        {
            "information": {"about": "adult", "provided_by": "subject", "from_records": "no"},
            "consent": {"adult_concerned": "refused"},
            "harm": {"child": "none", "child_may_cause_serious_harm_to_others": "none", "sharing_prevents_significant_harm_to_child": "no",
                     "serious_crime": "no", "adult_at_risk_of_serious_harm": "no"},
        },
    )
    assert _decide(_merge(base, {"sharing": {"limited_to_inform_decision": "no"}})).verdict is Verdict.DO_NOT_SHARE
    limited = _decide(_merge(base, {"sharing": {"limited_to_inform_decision": "yes"}}))
    assert limited.verdict is Verdict.UNDETERMINED
    assert "public_interest.practitioner_judgement" in {q.fact for q in limited.questions}


def test_whether_consent_was_ever_sought_is_asked_with_no_consent_and_a_sufficient_public_interest():
    """Item 8: the flowchart case with no consent and a sufficient public interest turns on whether consent was sought (3.9)."""
    doc = _merge(CONFIDENTIAL, {"consent": {"have_consent": "no"}, "public_interest": {"practitioner_judgement": "sufficient"}})
    decision = _decide(doc)
    assert decision.verdict is Verdict.UNDETERMINED
    known = {"information": {"provided_by": "other", "provider_understood": "not_to_be_shared", "from_records": "no"},
             "harm": {"child": "none", "serious_crime": "no", "adult_at_risk_of_serious_harm": "no"}}
    sought = _merge(doc, known, {"consent": {"provider": "not_sought"}})
    assert _decide(sought).verdict is Verdict.SEEK_CONSENT
    refused = _merge(doc, known, {"consent": {"provider": "refused"}})
    assert _decide(refused).verdict is Verdict.SHARE


# ---------------------------------------------------------------- hidden defaults (item 2)


def test_the_ruleset_lists_unknown_only_in_presumptions():
    rules = load_ruleset(RULESET)
    presumed = {f for r in rules.rules for f, _ in r.presumes}
    for rule in rules.rules:
        for cond in rule.when:
            if "unknown" in cond.values:
                assert rule.presumes, f"{rule.id}: {cond.fact} lists unknown outside a presumption"
                assert cond.fact in presumed, f"{rule.id}: {cond.fact}"


def test_the_loader_refuses_unknown_outside_a_presumption(tmp_path):
    import shutil

    folder = tmp_path / RULESET.name
    shutil.copytree(RULESET, folder)
    path = folder / "rules" / "09-recording.yaml"
    path.write_text(path.read_text().replace("when: {practitioner.first_engagement: \"yes\", reason_not_to_seek_consent: \"no\"}",
                                             "when: {practitioner.first_engagement: [\"yes\", unknown]}"))
    with pytest.raises(RulesetError) as caught:
        load_ruleset(folder)
    assert "outside a presumption" in str(caught.value) and "09-recording.yaml" in str(caught.value)


# ---------------------------------------------------------------- decided by cases where v2 said undetermined


def test_evidence_of_harm_and_a_risk_in_asking_shares_whatever_the_consent():
    doc = _merge(CONFIDENTIAL, {"harm": {"child": "evidence"}, "seeking_consent_would": {"increase_risk_of_significant_harm_to_child": "yes"}})
    decision = _decide(doc)
    assert decision.verdict is Verdict.SHARE
    cases = [s for s in decision.trace if s.kind == "cases"]
    assert cases and "whatever the answer" in cases[0].statement


def test_child_and_parent_both_consenting_shares_at_any_age():
    doc = _merge(
        CONFIDENTIAL,
        {
            "information": {"about": "child", "provided_by": "child", "from_records": "no"},
            "consent": {"child": "given", "parent": "given", "other_parent": "not_applicable", "form": "explicit_written", "informed": "yes",
                        "coerced": "no", "significant_change_since_given": "no"},
        },
    )
    assert _decide(doc).verdict is Verdict.SHARE
    for age in (8, 14, 17):
        assert _decide(_merge(doc, {"child": {"age": age}})).verdict is Verdict.SHARE


def test_the_guides_gp_referral_shares_whatever_the_form_of_consent_recorded():
    """4.14: the GP can assume implied consent to share with the specialist."""
    doc = _merge(
        CONFIDENTIAL,
        {
            "information": {"about": "adult", "provided_by": "subject", "from_records": "no", "relationship": "formal"},
            "consent": {"adult_concerned": "given", "sharing_intrinsic_to_activity": "yes", "informed": "yes", "coerced": "no",
                        "significant_change_since_given": "no"},
        },
    )
    assert _decide(doc).verdict is Verdict.SHARE


def test_sharing_within_the_understood_limits_shares_whatever_the_relationship():
    """3.8: sharing in accordance with the understanding on which it was given is no breach of confidence."""
    doc = {
        "purpose": {"legitimate": "yes"},
        "information": {"identifiable": "yes", "confidential": "yes", "provided_by": "parent", "provider_understood": "limited_sharing",
                        "from_records": "no"},
        "sharing": {"within_understood_limits": "yes"},
        "consent": {"parent": "not_sought"},
    }
    assert _decide(doc).verdict is Verdict.SHARE


# ---------------------------------------------------------------- sources practitioners have (item 3)


@pytest.mark.parametrize("source", ["practitioner", "agency_records"])
def test_own_observations_and_agency_records_owe_the_duty_to_the_person_it_relates_to(source):
    doc = _merge(
        CONFIDENTIAL,
        {
            "information": {"about": "child", "provided_by": source, "from_records": "yes" if source == "agency_records" else "no"},
            "child": {"age": 1, "competence": "not_competent"},
            "consent": {"parent": "refused", "other_parent": "not_applicable"},
            "harm": {"child": "reasonable_cause"},
            "seeking_consent_would": {"increase_risk_of_significant_harm_to_child": "no"},
        },
    )
    decision = _decide(doc)
    assert decision.verdict is Verdict.SHARE  # 3.20: parents refuse; sharing is normally justified (3.12)
    asked = {q.fact for q in decision.questions}
    assert "consent.provider" not in asked and "information.provider_understood" not in asked


def test_two_people_with_parental_responsibility_are_recorded_separately():
    """4.20: the consent of one such person is sufficient; where they disagree, consider whose consent to seek."""
    doc = _merge(
        CONFIDENTIAL,
        {
            "information": {"about": "child", "provided_by": "practitioner", "from_records": "no"},
            "child": {"age": 3, "competence": "not_competent"},
            "consent": {"parent": "refused", "other_parent": "given", "form": "explicit_written", "informed": "yes", "coerced": "no",
                        "significant_change_since_given": "no"},
        },
    )
    decision = _decide(doc)
    assert decision.verdict is Verdict.SHARE
    assert "consider_whose_consent" in _obligations(decision)


# ---------------------------------------------------------------- obligations (item 4)


def test_no_explaining_at_the_outset_beside_do_not_seek_consent():
    doc = _merge(CONFIDENTIAL, {"practitioner": {"first_engagement": "yes"}, "seeking_consent_would": {"increase_risk_of_significant_harm_to_child": "yes"},
                                "harm": {"child": "evidence"}})
    obligations = _obligations(_decide(doc))
    assert "do_not_seek_consent" in obligations and "explain_information_sharing_at_outset" not in obligations


def test_no_child_understanding_check_for_a_mothers_own_information():
    doc = _merge(
        CONFIDENTIAL,
        {"information": {"about": "adult", "provided_by": "subject", "from_records": "no"}, "child": {"age": 13}, "consent": {"adult_concerned": "not_sought"}},
    )
    assert "confirm_child_understanding" not in _obligations(_decide(doc))


def test_no_inform_the_person_for_anonymised_information():
    assert "inform_person_if_safe" not in _obligations(_decide({"purpose": {"legitimate": "yes"}, "information": {"identifiable": "no"}}))


def test_ask_the_young_person_when_a_12_to_15_year_old_is_unassessed():
    doc = _merge(
        CONFIDENTIAL,
        {
            "information": {"about": "child", "provided_by": "child", "from_records": "no", "provider_understood": "not_to_be_shared"},
            "child": {"age": 13},
            "consent": {"child": "not_sought", "parent": "not_sought"},
            "harm": {"child": "none", "serious_crime": "no", "adult_at_risk_of_serious_harm": "no"},
        },
    )
    decision = _decide(doc)
    assert decision.verdict is Verdict.SEEK_CONSENT
    assert "seek_consent_from_competent_child" in _obligations(decision)


def test_the_check_of_confidentiality_applies_outside_informal_relationships_too():
    """4.10: people who discuss their problems may assume confidentiality: check."""
    doc = {"purpose": {"legitimate": "yes"}, "information": {"identifiable": "yes", "relationship": "none", "provided_by": "parent"}}
    assert "check_limits_of_confidentiality" in _obligations(_decide(doc, questions=False))


def test_explaining_to_the_child_when_assessing_understanding_is_not_only_for_12_to_15():
    doc = _merge(CONFIDENTIAL, {"child": {"age": 9, "competence": "competent"}})
    assert "explain_issues_to_child_suitably" in _obligations(_decide(doc, questions=False))


def test_sharing_properly_under_a_court_order_is_the_guides_4_29():
    obligations = _obligations(_decide({"legal": {"court_order": "yes"}}, questions=False))
    assert {"share_only_what_is_necessary", "share_only_with_those_who_need_to_know", "establish_onward_sharing_and_consent_limits"} <= obligations


def test_overriding_refusal_is_not_raised_beside_respecting_it():
    doc = _merge(
        CONFIDENTIAL,
        {
            "information": {"about": "child", "provided_by": "child", "from_records": "no"},
            "child": {"age": 15, "competence": "competent"},
            "consent": {"child": "refused"},
            "harm": {"child": "none", "child_may_cause_serious_harm_to_others": "none", "sharing_prevents_significant_harm_to_child": "no",
                     "serious_crime": "no", "adult_at_risk_of_serious_harm": "no"},
            "sharing": {"limited_to_inform_decision": "no"},
        },
    )
    decision = _decide(doc)
    assert decision.verdict is Verdict.DO_NOT_SHARE
    texts = " ".join(o.text for o in decision.obligations)
    assert "respect_refusal_of_consent" in _obligations(decision) and "overriding refusal" not in texts


def test_a_case_whose_every_completion_contradicts_itself_is_refused():
    with pytest.raises(FactsError):
        _decide({"information": {"relationship": "formal", "confidential": "no"}})
