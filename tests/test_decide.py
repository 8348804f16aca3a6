"""The decision API is pure: no state between calls, thread-safe, silent, and explains itself."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import attrs
import pytest

from pathlib import Path

from infoshare_rules import CaseFacts, Verdict, decide, facts_from_json, load_ruleset, with_fact
from infoshare_rules.cases.suite import discover, load_case_file
from infoshare_rules.engines.registry import durable_available, get_engine
from infoshare_rules.facts.model import INPUT_SPECS, flatten

ENGINES = ["reference", "compiled"] + (["durable"] if durable_available() else [])
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
# decided under the national ruleset: a protocol's own facts, unknown to it, are left out
EXAMPLE_FACTS = [load_ruleset().own_facts(case.facts) for path in discover(["examples"]) for case in load_case_file(path).cases]


@pytest.mark.parametrize("engine", ENGINES)
def test_decisions_do_not_depend_on_what_was_decided_before(engine):
    first = [decide(f, engine=engine) for f in EXAMPLE_FACTS]
    second = [decide(f, engine=engine) for f in reversed(EXAMPLE_FACTS)]
    assert first == list(reversed(second))


@pytest.mark.parametrize("engine", ENGINES)
def test_concurrent_decisions_match_serial_ones(engine):
    serial = [decide(f, engine=engine) for f in EXAMPLE_FACTS]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda f: decide(f, engine=engine), EXAMPLE_FACTS * 4))
    assert parallel == serial * 4


@pytest.mark.skipif(not durable_available(), reason="durable-rules does not import on this Python (3.13+)")
def test_every_durable_session_is_deleted_after_its_decision():
    engine = get_engine(load_ruleset(), "durable")
    facts = EXAMPLE_FACTS[0]
    for _ in range(1100):  # more than durable-rules' 1,024 live sessions per ruleset
        decide(facts, engine="durable")
    assert engine.live_sessions == 0


def test_default_and_auto_engines_say_the_compiled_engine_decided():
    assert decide(CaseFacts()).engine == "compiled"
    assert decide(CaseFacts(), engine="auto").engine == "compiled"


def test_deciding_prints_and_logs_nothing(capfd, caplog):
    caplog.set_level(logging.DEBUG)
    for facts in EXAMPLE_FACTS[:20]:
        decide(facts)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert caplog.records == []


def test_trace_follows_firing_order_and_premises_are_earlier_conclusions():
    decision = next(d for d in (decide(f, engine="reference") for f in EXAMPLE_FACTS) if d.verdict is Verdict.SHARE and len(d.trace) > 10)
    concluded = {}
    for position, step in enumerate(decision.trace):
        for premise in step.used:
            if premise.name in concluded:
                assert concluded[premise.name] < position, f"{step.rule} used {premise.name} before it was concluded"
        if step.concluded.kind == "conclude":
            concluded.setdefault(step.concluded.name, position)


def test_decision_is_frozen():
    decision = decide(CaseFacts(), engine="reference")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        decision.verdict = Verdict.SHARE  # type: ignore[misc]


def test_undetermined_decision_asks_the_flowchart_first_question():
    decision = decide(CaseFacts(), engine="reference")
    assert decision.verdict is Verdict.UNDETERMINED
    assert decision.next_question is decision.questions[0]
    assert decision.next_question.fact == "purpose.legitimate"
    assert decision.next_question.direct and decision.next_question.step == 1
    assert [a.value for a in decision.next_question.answers] == ["yes", "no"]
    age = decide(with_fact(CaseFacts(), "information.about", "child"), engine="reference")
    assert all(q.answers == () for q in age.questions if q.fact == "child.age")  # answered in whole years
    assert "4.2" in decision.next_question.cites


def _interview(target):
    """Ask the decision's questions in order, answering from the target facts, or "not sure" where it says nothing."""
    answers = {name: value for name, value in flatten(target).items() if value != "unknown"}
    # a direct question the case leaves open is answered as its finer facts imply (the practitioner knows the situation)
    rules = load_ruleset()
    _, known = get_engine(rules, "compiled").evaluate(flatten(target))
    for name, spec in rules.conclusions.items():
        if spec.stated_by and spec.stated_by not in answers and known.get(name, "undetermined") != "undetermined":
            answers[spec.stated_by] = known[name]
    if target.child.age is not None:
        answers["child.age"] = target.child.age
    # stated, not asked: the practitioner's own doubt, and a statutory duty or court order "you will know or be told about" (4.24)
    facts, not_sure = CaseFacts(practitioner=target.practitioner, legal=target.legal), set()
    for _ in range(len(INPUT_SPECS) + 1):
        decision = decide(facts, engine="compiled")
        waiting = [q for q in decision.questions if q.fact not in not_sure]
        if not waiting:
            return decision
        fact = waiting[0].fact
        if fact in answers:
            facts = with_fact(facts, fact, answers[fact])
        else:
            not_sure.add(fact)
    raise AssertionError("the interview did not end")


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("facts/*.json")), ids=lambda p: p.stem)
def test_an_interview_answering_only_what_it_is_asked_reaches_the_cases_verdict(path):
    """Answering the questions asked, and "not sure" where the case says nothing, reaches the verdict the
    whole case gives: the questions lead through the finer facts when the direct answer is not known."""
    target = facts_from_json(path.read_text())
    assert _interview(target).verdict is decide(target, engine="compiled").verdict


@pytest.mark.parametrize("engine", ENGINES)
def test_decisions_pickle_to_equal_decisions(engine):
    """Batch workers send decisions to the caller's process by pickle (as calls of each class)."""
    import pickle

    decisions = [decide(f, engine=engine) for f in EXAMPLE_FACTS]
    again = pickle.loads(pickle.dumps(decisions))
    assert again == decisions
    assert [d.next_question for d in again] == [d.next_question for d in decisions]
