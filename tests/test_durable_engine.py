"""The durable-rules engine against the reference engine, on a small fixture ruleset.

The fixture (tests/fixtures/rulesets/engine-mini) has chained conclusions, any-of conditions,
one obligation raised by several rules, a rule with 17 conditions (more than durable-rules
joins in one rule), stratum 2 rules and a deliberate conflict pair (risk-high / risk-low).
"""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infoshare_rules.engines.reference import ReferenceEngine
from infoshare_rules.engines.registry import durable_available
from infoshare_rules.errors import InfoshareError, RulesetConflictError
from infoshare_rules.facts.model import FACT_SPECS
from infoshare_rules.ruleset.loader import UNDETERMINED, load_ruleset
from infoshare_rules.ruleset.verdict import Verdict

pytestmark = pytest.mark.skipif(not durable_available(), reason="durable-rules does not import here")

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "rulesets" / "engine-mini"
VERDICTS = [v.value for v in Verdict]

# Facts under which the 17-condition rule holds (every one of its conditions is met).
ALL_CLEAR = {
    "harm.sharing_prevents_significant_harm_to_child": "no",
    "harm.adult_at_risk_of_serious_harm": "no",
    "harm.serious_crime": "no",
    "information.from_records": "no",
    "harm.abuse_or_neglect_concern": "no",
    "seeking_consent_would.increase_risk_of_significant_harm_to_child": "no",
    "seeking_consent_would.put_adult_at_risk_of_serious_harm": "no",
    "seeking_consent_would.undermine_serious_crime_prevention_detection_or_prosecution": "no",
    "seeking_consent_would.delay_significant_harm_enquiries": "no",
    "seeking_consent_would.interfere_with_potential_investigation": "no",
    "consent.family_in_conflict": "no",
    "consent.parents_separated": "no",
    "consent.resident_parent_answered": "yes",
    "consent.significant_change_since_given": "no",
    "consent.sharing_intrinsic_to_activity": "yes",
    "legal.statutory_duty": "no",
    "legal.court_order": "no",
}
# Facts that fire the chain purpose -> legitimate_purpose -> can_share_with_consent -> share.
CONSENTED = {
    "purpose.legitimate": "yes",
    "purpose.within_agency_functions": "not_applicable",
    "consent.child": "given",
    "consent.informed": "yes",
    "consent.coerced": "no",
    "child.age_band": "12_to_15",
}
CONFLICT = {"harm.serious_crime": "yes", "information.from_records": "yes"}


@pytest.fixture(scope="module")
def ruleset():
    return load_ruleset(FIXTURE)


@pytest.fixture(scope="module")
def durable(ruleset):
    from infoshare_rules.engines._durable import DurableEngine

    return DurableEngine(ruleset)


@pytest.fixture(scope="module")
def reference(ruleset):
    return ReferenceEngine(ruleset)


def ids(ruleset, indices):
    return {ruleset.rules[i].id for i in indices}


def run(engine, first, second=None):
    """Fired rule indices of each add, as sets, or the exception type and conclusion."""
    with engine.session() as session:
        try:
            fired = [frozenset(session.add(first))]
            if second is not None:
                fired.append(frozenset(session.add(second)))
        except RulesetConflictError as exc:
            return ("conflict", exc.conclusion)
    return tuple(fired)


def later_facts(ruleset, first, fired, verdict):
    """The second batch, as the core sends it: undetermined conclusions and the verdict."""
    known = dict(first)
    for batch in fired:
        for index in batch:
            name, value = ruleset.rules[index].asserts
            known[name] = value
    late = {name: UNDETERMINED for name in ruleset.conclusions if name not in known}
    late["verdict"] = verdict
    return late


all_facts = st.fixed_dictionaries({name: st.sampled_from(spec.values) for name, spec in FACT_SPECS.items()})
some_facts = st.dictionaries(st.sampled_from(sorted(FACT_SPECS)), st.just(None)).flatmap(
    lambda keys: st.fixed_dictionaries({name: st.sampled_from(FACT_SPECS[name].values) for name in keys})
)


# ---------------------------------------------------------------- same rules as the reference


@given(facts=all_facts, verdict=st.sampled_from(VERDICTS))
def test_same_fired_rules_as_reference(ruleset, durable, reference, facts, verdict):
    expected = run(reference, facts)
    got = run(durable, facts)
    assert got == expected
    if expected[0] == "conflict":
        return
    late = later_facts(ruleset, facts, expected, verdict)
    assert run(durable, facts, late) == run(reference, facts, late)


@given(facts=some_facts)
def test_same_fired_rules_on_partial_facts(durable, reference, facts):
    assert run(durable, facts) == run(reference, facts)


@given(facts=all_facts)
def test_durable_fires_each_rule_at_most_once(durable, facts):
    with durable.session() as session:
        try:
            fired = session.add(facts)
        except RulesetConflictError:
            return
    assert len(fired) == len(set(fired))


def test_chain_any_of_and_shared_obligation(ruleset, durable, reference):
    facts = dict(CONSENTED, **ALL_CLEAR)
    for engine in (durable, reference):
        with engine.session() as session:
            fired = ids(ruleset, session.add(facts))
        assert fired == {
            "purpose-legitimate",
            "consent-valid",
            "consent-and-purpose",
            "verdict-share",
            "record-when-purpose",
            "necessary-only-when-all-clear",
        }, engine.name


def test_chain_order_follows_dependencies(ruleset, durable):
    with durable.session() as session:
        order = [ruleset.rules[i].id for i in session.add(CONSENTED)]
    assert order.index("purpose-legitimate") < order.index("consent-and-purpose") < order.index("verdict-share")
    assert order.index("consent-valid") < order.index("consent-and-purpose")


def test_obligation_raised_by_two_rules(ruleset, durable, reference):
    facts = {"purpose.legitimate": "no", "purpose.within_agency_functions": "no", "information.from_records": "yes"}
    for engine in (durable, reference):
        with engine.session() as session:
            fired = ids(ruleset, session.add(facts))
        assert {"purpose-not-legitimate", "purpose-outside-functions", "record-when-no-purpose", "risk-low-record"} <= fired
        assert {"verdict-do-not-share", "risk-low"} <= fired


def test_rule_with_seventeen_conditions(ruleset, durable):
    with durable.session() as session:
        assert ids(ruleset, session.add(ALL_CLEAR)) == {"necessary-only-when-all-clear"}
    almost = dict(ALL_CLEAR, **{"legal.court_order": "yes"})
    with durable.session() as session:
        assert "necessary-only-when-all-clear" not in ids(ruleset, session.add(almost))


# ---------------------------------------------------------------- sessions


def test_two_phase_add(ruleset, durable, reference):
    for engine in (durable, reference):
        with engine.session() as session:
            first = ids(ruleset, session.add(CONSENTED))
            assert "verdict-share" in first
            second = session.add({"consent_valid": "yes", "risk": UNDETERMINED, "verdict": "share"})
            assert ids(ruleset, second) == {"record-what-was-shared"}
            assert session.add({"verdict": "share"}) == []  # already known: nothing new
        with engine.session() as session:
            session.add({"purpose.legitimate": "unknown"})
            late = session.add({"consent_valid": UNDETERMINED, "verdict": "undetermined"})
            assert ids(ruleset, late) == {"ask-consent"}


def test_facts_added_in_pieces_join(ruleset, durable):
    with durable.session() as session:
        fired = set()
        for name, value in CONSENTED.items():
            fired |= ids(ruleset, session.add({name: value}))
    assert {"purpose-legitimate", "consent-valid", "consent-and-purpose", "verdict-share"} <= fired


def test_changing_a_fact_is_refused(durable, reference):
    for engine in (durable, reference):
        with engine.session() as session:
            session.add({"purpose.legitimate": "yes"})
            with pytest.raises(InfoshareError, match="already"):
                session.add({"purpose.legitimate": "no"})


def test_conflict_raises_from_add_and_session_still_closes(ruleset, durable, reference):
    for engine in (durable, reference):
        session = engine.session()
        with pytest.raises(RulesetConflictError) as caught:
            session.add(CONFLICT)
        assert type(caught.value) is RulesetConflictError
        assert caught.value.conclusion == "risk"
        assert {caught.value.first[0], caught.value.second[0]} == {"risk-high", "risk-low"}
        session.close()
        session.close()  # idempotent
    assert durable.live_sessions == 0
    with durable.session() as session:  # the engine is still usable
        assert ids(ruleset, session.add({"harm.serious_crime": "yes"})) == {"risk-high"}


def test_session_after_conflict_refuses_more_facts(durable):
    with durable.session() as session:
        with pytest.raises(RulesetConflictError):
            session.add(CONFLICT)
        with pytest.raises(InfoshareError, match="earlier add"):
            session.add({"purpose.legitimate": "yes"})


def test_conflict_inside_context_manager_closes(durable):
    with pytest.raises(RulesetConflictError):
        with durable.session() as session:
            session.add(CONFLICT)
    assert durable.live_sessions == 0


def test_unknown_and_irrelevant_facts_raise_nothing(ruleset, durable, reference):
    odd = {
        "no.such.fact": "whatever",
        "purpose.legitimate": "not-a-value",
        "consent.form": "implied",  # a real fact no rule tests
        "information.about": "child",
        "candidate.share": "yes",
        "verdict": "share",  # tested, but not with this other value set
        "legitimate_purpose": "maybe",
    }
    for engine in (durable, reference):
        with engine.session() as session:
            assert ids(ruleset, session.add(odd)) == {"record-what-was-shared"}
            assert session.add({"another.unknown": "x"}) == []
        with engine.session() as session:
            assert session.add({}) == []
            assert session.add({"consent.form": "explicit_oral"}) == []


def test_sessions_are_independent(ruleset, durable):
    with durable.session() as a:
        assert ids(ruleset, a.add({"purpose.legitimate": "yes"})) == set()
    with durable.session() as b:
        assert ids(ruleset, b.add({"purpose.within_agency_functions": "yes"})) == set()
        assert ids(ruleset, b.add({"purpose.legitimate": "no"})) == {
            "purpose-ask",
            "purpose-not-legitimate",
            "record-when-no-purpose",
            "verdict-do-not-share",
        }


def test_second_session_in_one_thread_is_refused_not_deadlocked(durable):
    """One live durable session per process: a second one in the same thread would wait for itself."""
    with durable.session():
        with pytest.raises(InfoshareError, match="one session at a time"):
            durable.session()
    with durable.session() as again:  # the refusal left nothing held
        again.add({"purpose.legitimate": "yes"})


def test_closed_session_refuses_facts(durable):
    session = durable.session()
    session.close()
    with pytest.raises(InfoshareError, match="closed"):
        session.add({"purpose.legitimate": "yes"})


def test_reference_session_is_a_context_manager(reference):
    with reference.session() as session:
        assert session.add({"purpose.legitimate": "no"}) != []


def test_1500_sequential_sessions(durable):
    rng = random.Random(1500)
    for _ in range(1500):
        facts = {name: rng.choice(spec.values) for name, spec in FACT_SPECS.items()}
        session = durable.session()
        try:
            session.add(facts)
            session.add({"verdict": rng.choice(VERDICTS)})
        except RulesetConflictError:
            pass
        finally:
            session.close()
    assert durable.live_sessions == 0


def test_another_threads_session_waits_for_the_open_one(ruleset, durable):
    """The whole decision runs under the lock: a second thread's session opens only after close()."""
    events = []
    opened = threading.Event()

    def other() -> None:
        opened.wait()
        with durable.session() as session:
            events.append("other opened")
            session.add(CONSENTED)

    thread = threading.Thread(target=other)
    thread.start()
    with durable.session() as session:
        opened.set()
        thread.join(timeout=0.3)  # it cannot open while this session is live
        events.append("first still open")
        session.add(CONSENTED)
    thread.join(timeout=30)
    assert events == ["first still open", "other opened"]
    assert durable.live_sessions == 0


def test_unclosed_sessions_are_freed_later(ruleset):
    from infoshare_rules.engines._durable import DurableEngine

    engine = DurableEngine(ruleset)
    for _ in range(5):
        engine.session().add(CONSENTED)  # dropped without close()
    with engine.session() as session:
        session.add(CONSENTED)
        assert engine.live_sessions == 1


def test_two_engines_on_one_ruleset(ruleset, durable):
    from infoshare_rules.engines._durable import DurableEngine

    other = DurableEngine(ruleset)  # registered under another name
    with other.session() as a:
        assert a.add(CONSENTED)
    with durable.session() as b:
        assert b.add(CONSENTED)


# ---------------------------------------------------------------- threads


def test_threads_match_a_serial_run(durable):
    rng = random.Random(8)
    cases = []
    for _ in range(200):
        facts = {name: rng.choice(spec.values) for name, spec in FACT_SPECS.items()}
        cases.append((facts, {"verdict": rng.choice(VERDICTS)}))
    serial = [run(durable, first, second) for first, second in cases]

    results: dict[int, list] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker(n: int) -> None:
        try:
            start.wait()
            order = list(range(len(cases)))
            random.Random(n).shuffle(order)  # each thread in its own order
            out = [None] * len(cases)
            for i in order:
                out[i] = run(durable, *cases[i])
            results[n] = out
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 8
    for n in range(8):
        assert results[n] == serial
    assert durable.live_sessions == 0


def test_engines_compiled_in_threads(ruleset):
    """Creating the durable host and registering rulesets is serialised."""
    from infoshare_rules.engines._durable import DurableEngine

    engines, errors = [], []

    def build() -> None:
        try:
            engine = DurableEngine(ruleset)
            with engine.session() as session:
                assert "verdict-share" in ids(ruleset, session.add(CONSENTED))
            engines.append(engine)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(engines) == 6
    assert len({e._base_name for e in engines}) == 6


# ---------------------------------------------------------------- availability and limits


def test_import_failure_is_engine_unavailable():
    """Where durable-rules cannot import (e.g. Python 3.13+), the module says so clearly."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "sys.modules['durable_rules_engine'] = None  # as if the C extension failed to load\n"
        "from infoshare_rules.engines.registry import durable_available, get_engine\n"
        "from infoshare_rules.errors import EngineUnavailableError\n"
        "assert durable_available() is False\n"
        "try:\n"
        "    import infoshare_rules.engines._durable\n"
        "except EngineUnavailableError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "durable-rules" in out and "3.13" in out and 'engine="reference"' in out


def test_too_many_distinct_conditions_is_refused_not_a_hang(ruleset):
    """durable-rules hangs compiling more than ~511 distinct alpha tests: refused up front."""
    import attrs

    from infoshare_rules.engines._durable import DurableEngine
    from infoshare_rules.ruleset.loader import Condition

    template = ruleset.rules[0]
    rules = tuple(
        attrs.evolve(template, index=i, id=f"r{i}", when=(Condition(f"fact.{i}", ("yes",)),)) for i in range(600)
    )
    with pytest.raises(InfoshareError, match="distinct conditions"):
        DurableEngine(attrs.evolve(ruleset, rules=rules))
