"""Invariants taken from the guide, checked on facts hypothesis draws from every domain."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from infoshare_rules import (
    Information,
    Legal,
    Purpose,
    Verdict,
    decide,
    decision_to_dict,
    decision_to_text,
    facts_from_dict,
    facts_from_json,
    facts_to_dict,
    facts_to_json,
)
from infoshare_rules.engines.registry import durable_available
from infoshare_rules.facts.model import Harm, Practitioner, SeekingConsentWould

from strategies import case_facts, group

ENGINES = ["reference"] + (["durable"] if durable_available() else [])
needs_durable = pytest.mark.skipif(not durable_available(), reason="durable-rules does not import on this Python (3.13+)")


def verdict_steps(decision):
    return {step.concluded.split()[1] for step in decision.trace if step.concluded.startswith("verdict ")}


def obligation_ids(decision):
    return {o.id for o in decision.obligations}


@pytest.mark.parametrize("engine", ENGINES)
@given(facts=case_facts(legal=st.one_of(group(Legal, statutory_duty="yes"), group(Legal, court_order="yes"))))
def test_statutory_duty_or_court_order_always_must_share(engine, facts):
    """4.24: 'In such situations you must share the information, even if it is confidential and consent has not been given.'"""
    decision = decide(facts, engine=engine)
    assert decision.verdict is Verdict.MUST_SHARE
    assert {"4.23", "4.24"} <= set(decision.cites)
    assert "inform_individual_of_required_sharing" in obligation_ids(decision)


@given(
    facts=case_facts(
        purpose=st.one_of(group(Purpose, legitimate="no"), group(Purpose, within_agency_functions="no"))
    )
)
def test_no_legitimate_purpose_never_share(facts):
    """4.2: you need a legitimate purpose to share; only a legal requirement (4.24) overrides."""
    decision = decide(facts, engine="reference")
    assert decision.verdict is not Verdict.SHARE
    if decision.verdict is Verdict.MUST_SHARE:
        assert "yes" in (facts.legal.statutory_duty.value, facts.legal.court_order.value)


@given(
    facts=case_facts(
        purpose=st.one_of(
            group(Purpose, legitimate="yes", within_agency_functions="yes"),
            group(Purpose, legitimate="yes", within_agency_functions="not_applicable"),
        ),
        information=group(Information, identifiable="no"),
        practitioner=group(Practitioner, unsure_what_to_do="no") | group(Practitioner, unsure_what_to_do="unknown"),
    )
)
def test_anonymised_information_with_legitimate_purpose_is_shared(facts):
    """4.6: 'If the information is anonymised, it can lawfully be shared as long as the purpose is legitimate.'"""
    decision = decide(facts, engine="reference")
    legal_requirement = "yes" in (facts.legal.statutory_duty.value, facts.legal.court_order.value)
    assert decision.verdict is (Verdict.MUST_SHARE if legal_requirement else Verdict.SHARE)
    assert "4.6" in decision.cites


@given(facts=case_facts(harm=group(Harm, child="evidence")))
def test_evidence_of_significant_harm_never_do_not_share(facts):
    """Section 2: where there is concern of significant harm the child's safety and welfare must be the overriding consideration; 3.12."""
    assert decide(facts, engine="reference").verdict is not Verdict.DO_NOT_SHARE


GROUNDS = [f.name for f in attrs.fields(SeekingConsentWould)]


@given(data=st.data(), ground=st.sampled_from(GROUNDS))
def test_any_4_22_ground_means_do_not_seek_consent(data, ground):
    """4.22: there will be some circumstances where you should not seek consent."""
    facts = data.draw(case_facts(seeking_consent_would=group(SeekingConsentWould, **{ground: "yes"})))
    decision = decide(facts, engine="reference")
    assert "do_not_seek_consent" in obligation_ids(decision)
    assert decision.verdict is not Verdict.SEEK_CONSENT
    assert "seek_informed_consent_openly" not in obligation_ids(decision)
    assert "explain_intention_to_share_without_consent" not in obligation_ids(decision)


@given(facts=case_facts())
def test_every_decision_cites_and_records(facts):
    """4.30 and section 2: always record the reasons for your decision, whether to share or not."""
    decision = decide(facts, engine="reference")
    assert decision.cites
    assert all(step.cites for step in decision.trace)
    assert "record_decision_and_reasons" in obligation_ids(decision)
    if decision.verdict in (Verdict.SHARE, Verdict.MUST_SHARE):
        assert "record_what_was_shared_and_with_whom" in obligation_ids(decision)
        assert {"share_securely", "share_only_what_is_necessary", "check_accurate_and_up_to_date"} <= obligation_ids(decision)


@given(facts=case_facts())
def test_undetermined_decisions_say_what_to_ask(facts):
    """A fact not given is unknown, and a decision that needs it says which question to ask next."""
    decision = decide(facts, engine="reference")
    if decision.verdict is Verdict.UNDETERMINED:
        assert decision.questions, decision_to_text(decision)
        asked = {fact for q in decision.questions for fact in q.asks}
        flat = facts_to_dict(facts)
        for fact in asked:
            group_name, field = fact.split(".")
            assert flat[group_name][field] in ("unknown", None), f"asked about {fact}, which was given"
    else:
        assert decision.questions == ()


@given(facts=case_facts())
def test_opposite_verdicts_never_both_reached(facts):
    """Share, do not share and seek consent exclude each other in the rules themselves (no reliance on precedence)."""
    reached = verdict_steps(decide(facts, engine="reference")) & {"share", "do_not_share", "seek_consent"}
    assert len(reached) <= 1


@given(facts=case_facts(practitioner=group(Practitioner, unsure_what_to_do="yes"), legal=group(Legal, statutory_duty="no", court_order="no")))
def test_doubt_means_seek_advice(facts):
    """Section 2 and the flowchart: seek advice where you are in doubt."""
    decision = decide(facts, engine="reference")
    assert decision.verdict is Verdict.SEEK_ADVICE
    assert "seek_advice_from_manager_or_caldicott_guardian" in obligation_ids(decision)


@given(facts=case_facts())
def test_decisions_are_deterministic(facts):
    first = decide(facts, engine="reference")
    second = decide(attrs.evolve(facts), engine="reference")
    assert first == second
    assert decision_to_dict(first) == decision_to_dict(second)


@needs_durable
@given(facts=case_facts())
def test_both_engines_agree(facts):
    reference = decide(facts, engine="reference")
    durable = decide(facts, engine="durable")
    assert durable.engine == "durable" and reference.engine == "reference"
    assert attrs.evolve(durable, engine="reference") == reference


@given(facts=case_facts())
def test_facts_survive_json_round_trip(facts):
    assert facts_from_dict(facts_to_dict(facts)) == facts
    assert facts_from_json(facts_to_json(facts)) == facts
