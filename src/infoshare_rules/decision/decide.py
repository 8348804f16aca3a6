"""The pure decision API: facts in, decision out, nothing kept between calls."""

from __future__ import annotations

from pathlib import Path

from .model import Decision, Obligation, Premise, Question, RulesetRef, TraceStep
from ..engines.registry import get_engine
from ..errors import FactsError
from ..facts.model import CaseFacts, flatten
from ..ruleset.loader import load_ruleset
from ..ruleset.model import DEFAULT_RULESET, UNDETERMINED, VERDICT_FACT, Rule, Ruleset, engine_fact
from ..ruleset.verdict import Verdict


def decide(
    facts: CaseFacts,
    *,
    ruleset: str | Path | Ruleset = DEFAULT_RULESET,
    engine: str = "auto",
) -> Decision:
    """Decide whether to share information about a case, following the ruleset's guide.

    ``ruleset`` is a shipped ruleset id, a ruleset folder, or a loaded :class:`Ruleset`.
    ``engine`` is ``"durable"``, ``"reference"`` or ``"auto"`` (durable where it imports).
    The ruleset is loaded and compiled once per process; each call runs in a fresh session
    that is deleted before returning.
    """
    if not isinstance(facts, CaseFacts):
        raise FactsError("$", "wrong type", expected="a CaseFacts instance (see infoshare_rules.facts_from_json)", got=type(facts).__name__)
    rules = ruleset if isinstance(ruleset, Ruleset) else load_ruleset(ruleset)
    runner = get_engine(rules, engine)
    inputs = flatten(facts)

    session = runner.session()
    try:
        fired = session.add(inputs)
        known = dict(inputs)
        _learn(rules, known, fired)
        verdict = _resolve_verdict(rules, known)
        # Stratum 2: conclusions no rule reached are now settled as undetermined, and the verdict is known.
        late = {name: UNDETERMINED for name in rules.conclusions if name not in known}
        late[VERDICT_FACT] = verdict.value
        known.update(late)
        later = session.add(late)
        _learn(rules, known, later)
    finally:
        session.close()
    return _build(rules, runner.name, verdict, fired + later, known, set(inputs))


def _learn(rules: Ruleset, known: dict[str, str], fired: list[int]) -> None:
    for index in fired:
        name, value = rules.rules[index].asserts
        known[name] = value


def _resolve_verdict(rules: Ruleset, known: dict[str, str]) -> Verdict:
    for verdict in rules.precedence:
        if engine_fact("verdict", verdict.value)[0] in known:
            return verdict
    return Verdict.UNDETERMINED


def _ordered(rules: Ruleset, fired: list[int], inputs: set[str]) -> list[Rule]:
    """Fired rules in breadth-first firing order: stratum, then derivation depth, then ruleset order.

    Defined from the facts alone, so every engine yields the same trace whatever order it fired in.
    """
    depth: dict[str, int] = {name: 0 for name in inputs}
    pending = {i for i in fired if rules.rules[i].stratum == 1}
    rule_depth: dict[int, int] = {}
    while pending:
        ready = {i for i in pending if all(c.fact in depth for c in rules.rules[i].when)}
        if not ready:  # cannot happen for facts an engine derived; guard against looping forever
            break
        for i in ready:
            rule_depth[i] = 1 + max(depth[c.fact] for c in rules.rules[i].when)
        for i in sorted(ready, key=lambda i: (rule_depth[i], i)):
            name = rules.rules[i].asserts[0]
            depth[name] = min(depth.get(name, rule_depth[i]), rule_depth[i])
        pending -= ready
    first = sorted((i for i in fired if rules.rules[i].stratum == 1), key=lambda i: (rule_depth.get(i, 0), i))
    second = sorted(i for i in fired if rules.rules[i].stratum == 2)
    return [rules.rules[i] for i in first + second]


# Trace steps are immutable and a rule fires only on the few value combinations its conditions
# allow, so each (ruleset, rule, values) step is built once and shared between decisions.
_steps: dict[tuple[str, int, tuple[str, ...]], TraceStep] = {}


def _step(ruleset_hash: str, rule: Rule, values: tuple[str, ...]) -> TraceStep:
    key = (ruleset_hash, rule.index, values)
    step = _steps.get(key)
    if step is None:
        step = _steps[key] = TraceStep(
            rule=rule.id,
            statement=rule.statement,
            cites=rule.cites,
            used=tuple(Premise(c.fact, v) for c, v in zip(rule.when, values, strict=True)),
            concluded=_concluded(rule),
            source=f"{rule.file}:{rule.line}",
        )
    return step


def _concluded(rule: Rule) -> str:
    if rule.kind == "conclude":
        return f"{rule.name} = {rule.value}"
    return f"{rule.kind} {rule.name}"


def _build(rules: Ruleset, engine: str, verdict: Verdict, fired: list[int], known: dict[str, str], inputs: set[str]) -> Decision:
    ordered = _ordered(rules, fired, inputs)
    trace = tuple(_step(rules.hash, r, tuple(known[c.fact] for c in r.when)) for r in ordered)
    raised: dict[str, dict[str, list[str]]] = {"obligation": {}, "question": {}}
    for r in ordered:
        if r.kind in raised:
            raised[r.kind].setdefault(r.name, []).append(r.id)
    obligations = tuple(
        _shared(Obligation, rules.hash, spec.id, spec.text, spec.cites, tuple(raised["obligation"][spec.id]))
        for spec in rules.obligations.values()
        if spec.id in raised["obligation"]
    )
    questions: tuple[Question, ...] = ()
    if verdict is Verdict.UNDETERMINED:
        questions = tuple(
            _shared(Question, rules.hash, spec.id, spec.text, spec.cites, spec.asks, tuple(raised["question"][spec.id]))
            for spec in rules.questions.values()
            if spec.id in raised["question"]
        )
    return Decision(
        verdict=verdict,
        obligations=obligations,
        trace=trace,
        questions=questions,
        ruleset=_shared(RulesetRef, rules.hash, rules.id, rules.version, rules.hash, rules.publication_reference),
        engine=engine,
    )


_parts: dict[tuple[object, ...], object] = {}


def _shared(cls: type, ruleset_hash: str, *fields: object):  # type: ignore[no-untyped-def]
    """One immutable Obligation, Question or RulesetRef per distinct content, shared by decisions."""
    key = (cls, ruleset_hash, fields[0], fields[-1])
    part = _parts.get(key)
    if part is None:
        part = _parts[key] = cls(*fields)
    return part
