"""Invariants from the guide, and the semantics of questions, checked by hypothesis over drawn cases."""

from __future__ import annotations

import itertools

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from infoshare_rules import (
    Consent,
    Information,
    Legal,
    PublicInterest,
    Purpose,
    Verdict,
    decide,
    decision_to_dict,
    facts_from_dict,
    facts_from_json,
    facts_to_dict,
    facts_to_json,
    load_ruleset,
    with_fact,
)
from infoshare_rules.engines.registry import durable_available
from infoshare_rules.facts.model import INPUT_SPECS, Harm, Practitioner, SeekingConsentWould, flatten

from strategies import case_facts, decided, group

ENGINES = ["reference", "compiled"] + (["durable"] if durable_available() else [])
needs_durable = pytest.mark.skipif(not durable_available(), reason="durable-rules does not import on this Python (3.13+)")
RULESET = load_ruleset()


def verdict_steps(decision):
    return {step.concluded.name for step in decision.trace if step.concluded.kind == "verdict" and step.kind != "precedence"}


def obligation_ids(decision):
    return {o.id for o in decision.obligations}


def legal_requirement(facts) -> bool:
    return "yes" in (facts.legal.statutory_duty.value, facts.legal.court_order.value)


@pytest.mark.parametrize("engine", ENGINES)
@given(facts=case_facts(legal=st.one_of(group(Legal, statutory_duty="yes"), group(Legal, court_order="yes"))))
def test_statutory_duty_or_court_order_always_must_share(engine, facts):
    """4.24: 'In such situations you must share the information, even if it is confidential and consent has not been given.'"""
    decision = decided(facts, engine=engine)
    assert decision.verdict is Verdict.MUST_SHARE
    assert {"4.23", "4.24"} <= set(decision.cites)
    assert "inform_individual_of_required_sharing" in obligation_ids(decision)


@given(facts=case_facts(purpose=st.one_of(group(Purpose, legitimate="no"), group(Purpose, within_agency_functions="no"))))
def test_no_legitimate_purpose_never_share(facts):
    """4.2: you need a legitimate purpose to share; only a legal requirement (4.24) overrides."""
    decision = decided(facts, engine="compiled")
    assert decision.verdict not in (Verdict.SHARE, Verdict.SEEK_CONSENT)
    if decision.verdict is Verdict.MUST_SHARE:
        assert legal_requirement(facts)


@given(facts=case_facts(purpose=group(Purpose, legitimate="yes"), information=group(Information, identifiable="no")))
def test_anonymised_information_with_legitimate_purpose_is_shared(facts):
    """4.6: 'If the information is anonymised, it can lawfully be shared as long as the purpose is legitimate.'"""
    decision = decided(facts, engine="compiled")
    assert decision.verdict is (Verdict.MUST_SHARE if legal_requirement(facts) else Verdict.SHARE)
    if decision.verdict is Verdict.SHARE:
        assert "4.6" in decision.cites


@given(
    facts=case_facts(
        purpose=group(Purpose, legitimate="yes"),
        harm=group(Harm, child="evidence"),
        public_interest=group(PublicInterest, practitioner_judgement="unknown"),
    )
)
def test_evidence_of_significant_harm_normally_justifies_sharing(facts):
    """3.11-3.12: with a legitimate purpose and evidence of significant harm, sharing without consent is normally
    justified: unless the practitioner's own judgement (or a competing public interest) says otherwise, the
    decision is never do not share. (Without a legitimate purpose it is: 4.2 and the flowchart.)"""
    assume(facts.public_interest.confidential_service_weighs_against.value != "yes")
    assert decided(facts, engine="compiled").verdict is not Verdict.DO_NOT_SHARE


GROUNDS = [f.name for f in attrs.fields(SeekingConsentWould)]


@given(data=st.data(), ground=st.sampled_from(GROUNDS))
def test_any_4_22_ground_means_do_not_seek_consent(data, ground):
    """4.22: there will be some circumstances where you should not seek consent."""
    facts = data.draw(case_facts(seeking_consent_would=group(SeekingConsentWould, **{ground: "yes"})))
    decision = decided(facts, engine="compiled")
    if decision.verdict not in (Verdict.UNDETERMINED, Verdict.SEEK_ADVICE):
        assert "do_not_seek_consent" in obligation_ids(decision)
    assert decision.verdict is not Verdict.SEEK_CONSENT
    assert "seek_informed_consent_openly" not in obligation_ids(decision)
    assert "explain_intention_to_share_without_consent" not in obligation_ids(decision)


@given(facts=case_facts())
def test_every_decision_cites_and_records(facts):
    """4.30 and section 2: always record the reasons for your decision, whether to share or not."""
    decision = decided(facts, engine="compiled")
    assert all(step.cites for step in decision.trace)
    if decision.verdict is not Verdict.UNDETERMINED:
        assert decision.cites
        assert "record_decision_and_reasons" in obligation_ids(decision)
    else:
        assert "record_decision_and_reasons" not in obligation_ids(decision)
    if decision.verdict in (Verdict.SHARE, Verdict.MUST_SHARE):
        assert "record_what_was_shared_and_with_whom" in obligation_ids(decision)
        assert {"share_securely", "check_accurate_and_up_to_date"} <= obligation_ids(decision)


@given(facts=case_facts())
def test_opposite_verdicts_never_both_reached(facts):
    """Share, do not share and seek consent exclude each other in the rules themselves (no reliance on precedence)."""
    reached = verdict_steps(decided(facts, engine="compiled")) & {"share", "do_not_share", "seek_consent"}
    assert len(reached) <= 1


@given(facts=case_facts(practitioner=group(Practitioner, unsure_what_to_do="yes")))
def test_doubt_decides_only_where_the_facts_leave_the_decision_open(facts):
    """Section 2, 4.26, the flowchart: seek advice where you are in doubt. The doubt makes the verdict seek
    advice only where the facts leave the decision open; otherwise the decision stands, with the obligation."""
    decision = decided(facts, engine="compiled")
    settled = decided(attrs.evolve(facts, practitioner=attrs.evolve(facts.practitioner, unsure_what_to_do="no")), engine="compiled")
    if settled.verdict is Verdict.UNDETERMINED:
        assert decision.verdict is Verdict.SEEK_ADVICE
    else:
        assert decision.verdict is settled.verdict
    assert "seek_advice_from_manager_or_caldicott_guardian" in obligation_ids(decision)


@given(facts=case_facts(harm=group(Harm, child="unsure")))
def test_unsure_concern_is_decisive_only_if_the_answer_matters(facts):
    """3.19: unsure whether a concern amounts to reasonable cause: talk to someone; seek advice where it decides."""
    decision = decided(facts, engine="compiled")
    alternatives = set()
    for value in ("reasonable_cause", "none"):
        try:
            alternatives.add(decide(attrs.evolve(facts, harm=attrs.evolve(facts.harm, child=value)), engine="compiled").verdict)
        except Exception:
            assume(False)
    if len(alternatives) > 1 and Verdict.UNDETERMINED not in alternatives:
        # v3: each answer the doubt stands between decides the case, differently: in doubt, seek advice
        assert decision.verdict is Verdict.SEEK_ADVICE
    elif len(alternatives) == 1 and decision.verdict is Verdict.SEEK_ADVICE:
        # only another doubt can have decided it
        assert facts.practitioner.unsure_what_to_do.value == "yes" or facts.harm.child_may_cause_serious_harm_to_others.value == "unsure"
    assert "talk_to_someone_about_concern" in obligation_ids(decision) or decision.verdict is Verdict.UNDETERMINED


# ---------------------------------------------------------------- questions: which (tests/test_cases_v3.py) and in what order


@settings(max_examples=40)
@given(facts=case_facts())
def test_questions_are_unknown_facts_in_the_practitioners_order(facts):
    """Questions ask only facts not given; the flowchart's own questions come first, in its order, then
    the finer facts step by step (safety before consent details once a harm concern is stated). Which
    facts are asked, exactly, is proved against enumeration in tests/test_cases_v3.py."""
    from infoshare_rules.decision.questions import SAFETY, harm_stated

    decision = decided(facts, engine="compiled")
    flat = flatten(facts)
    for q in decision.questions:
        assert flat[INPUT_SPECS[q.fact].tests] == "unknown", f"asked about {q.fact}, which was given"
    safety = harm_stated(flat)

    def rank(q):  # type: ignore[no-untyped-def]
        return (0 if q.direct else 1, q.step - 0.5 if safety and q.fact in SAFETY and not q.direct else q.step)

    ranks = [rank(q) for q in decision.questions]
    assert ranks == sorted(ranks), [q.fact for q in decision.questions]
    silent = {p.fact for p in decision.presumed if not RULESET.rule(p.rule).ask}
    assert not silent & {q.fact for q in decision.questions}, "4.24: you will know or be told"


@settings(max_examples=40)
@given(data=st.data())
def test_answering_the_questions_asked_always_reaches_a_verdict(data):
    """No loop: answer the next question, again and again; the interview ends with a verdict."""
    facts = data.draw(case_facts())
    decision = decided(facts, engine="compiled")
    for _ in range(len(INPUT_SPECS) + 1):
        if decision.verdict is not Verdict.UNDETERMINED:
            break
        assert decision.questions, "undetermined, yet nothing to ask"
        question = decision.next_question
        options = [a.value for a in question.answers]
        for value in data.draw(st.permutations(options)):
            try:
                decision = decide(with_fact(facts, question.fact, value), engine="compiled")
            except Exception:
                continue
            facts = with_fact(facts, question.fact, value)
            break
        else:
            pytest.fail(f"every answer to {question.fact} contradicts the facts")
    assert decision.verdict is not Verdict.UNDETERMINED


@given(facts=case_facts())
def test_presumptions_apply_only_to_unknown_facts_and_quote_the_guide(facts):
    decision = decided(facts, engine="compiled")
    flat = flatten(facts)
    for presumption in decision.presumed:
        assert flat[presumption.fact] == "unknown"
        text = " ".join(" ".join(RULESET.paragraphs[c].text.split()) for c in presumption.cites)
        assert " ".join(presumption.wording.split()) in text, f"{presumption.rule}: wording not found in {presumption.cites}"


def test_presumption_wordings_are_the_guides_own_words():
    for rule in RULESET.rules:
        if rule.presumes:
            text = " ".join(" ".join(RULESET.paragraphs[c].text.split()) for c in rule.cites)
            assert " ".join(rule.wording.split()) in text, rule.id


# ---------------------------------------------------------------- determinism and engines


@given(facts=case_facts())
def test_decisions_are_deterministic(facts):
    first = decided(facts, engine="reference")
    second = decide(attrs.evolve(facts), engine="reference")
    assert first == second
    assert decision_to_dict(first) == decision_to_dict(second)


@pytest.mark.parametrize("engine", [e for e in ENGINES if e != "reference"])
@given(facts=case_facts())
def test_engines_agree_with_the_reference_engine(engine, facts):
    reference = decided(facts, engine="reference")
    other = decide(facts, engine=engine)
    assert other.engine == engine
    assert attrs.evolve(other, engine="reference") == reference


@given(facts=case_facts())
def test_facts_survive_json_round_trip(facts):
    assert facts_from_dict(facts_to_dict(facts)) == facts
    assert facts_from_json(facts_to_json(facts)) == facts


@given(facts=case_facts(consent=group(Consent, have_consent="yes")))
def test_direct_answers_and_finer_facts_never_silently_disagree(facts):
    """A direct answer either agrees with what the finer facts imply or is refused naming both."""
    from infoshare_rules import FactsError

    try:
        decision = decide(facts, engine="compiled")
    except FactsError as exc:
        assert "contradicts the other facts" in exc.problem and "rule '" in exc.problem
        return
    assert not any(s.concluded.name == "have_consent" and s.concluded.value == "no" for s in decision.trace)
