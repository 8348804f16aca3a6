"""The pure decision API: facts in, decision out, nothing kept between calls.

How a decision is made (the semantics every engine shares):

1. The facts are flattened to ``{"group.field": value}``; unknown stays ``unknown``.
2. The engine forward-chains the rules over them. Stated answers (a conclusion's ``stated_by``),
   presumptions (only while their fact is unknown) and derived rules are all rules.
3. Stratum by stratum, conclusions no rule reached are settled as ``undetermined``, so rules that
   read "not reached" run only once every rule that could reach it has run.
4. The verdict: the candidate verdicts the rules reached, the first in ``verdict_precedence``
   (a trace step says so when precedence chose between several), or undetermined.
5. Doubt (``doubts``): where the practitioner is unsure, the doubt is decisive when the answers it
   stands between give different verdicts (or, with none, when the verdict is undetermined); then
   the verdict is seek_advice. Otherwise the decision stands.
6. Rules that read the verdict raise obligations.
7. Questions: each unknown, unpresumed fact some answer to which would change the verdict, in the
   flowchart's order.
"""

from __future__ import annotations

import functools
import itertools
from pathlib import Path
from typing import Callable, Mapping

from ..engines.base import Session
from ..engines.registry import get_engine
from ..errors import FactsError
from ..facts.model import INPUT_SPECS, UNKNOWN, CaseFacts, InputSpec, flatten
from ..ruleset.loader import load_ruleset
from ..ruleset.model import DEFAULT_RULESET, PRESUMED, STATED, UNDETERMINED, VERDICT_FACT, Rule, Ruleset, engine_fact
from ..ruleset.verdict import Verdict
from .model import (
    AnswerOption,
    Conclusion,
    Decision,
    Obligation,
    Premise,
    Presumption,
    Question,
    RulesetRef,
    TraceStep,
)


def decide(
    facts: CaseFacts,
    *,
    ruleset: str | Path | Ruleset = DEFAULT_RULESET,
    engine: str = "auto",
    questions: bool = True,
) -> Decision:
    """Decide whether to share information about a case, following the ruleset's guide.

    ``ruleset`` is a shipped ruleset id, a ruleset folder, or a loaded :class:`Ruleset`.
    ``engine`` is ``"durable"``, ``"reference"``, ``"compiled"`` or ``"auto"`` (durable where it imports).
    The ruleset is loaded and compiled once per process; each call runs in a fresh session
    that is deleted before returning. A direct answer that contradicts the finer facts raises
    :class:`FactsError` naming both. ``questions=False`` skips working out the questions (most of
    the cost of a decision: each unknown fact's answers are tried), for callers that need only the
    verdict, obligations and trace; the decision then has no questions.
    """
    if not isinstance(facts, CaseFacts):
        raise FactsError("$", "wrong type", expected="a CaseFacts instance (see infoshare_rules.facts_from_json)", got=type(facts).__name__)
    rules = ruleset if isinstance(ruleset, Ruleset) else load_ruleset(ruleset)
    runner = get_engine(rules, engine)
    inputs = flatten(facts)
    session = runner.session()
    try:
        run = _run(rules, session, inputs)
        verdict, doubt_steps = _weigh_doubts(rules, inputs, run)
        late = session.add({VERDICT_FACT: verdict.value})
    finally:
        session.close()
    known = dict(run.known)
    known[VERDICT_FACT] = verdict.value
    for index in late:
        name, value = rules.rules[index].asserts
        known[name] = value
    return _build(rules, runner.name, verdict, run, late, doubt_steps, known, inputs, questions)


class _Run:
    """One pass of stages 2-4 over flat inputs: what fired, what is known, the candidate verdicts."""

    __slots__ = ("fired", "known", "candidates", "verdict")

    def __init__(self, fired: list[int], known: dict[str, str], candidates: list[Verdict]) -> None:
        self.fired = fired
        self.known = known
        self.candidates = candidates
        self.verdict = candidates[0] if candidates else Verdict.UNDETERMINED


def _run(rules: Ruleset, session: Session, inputs: Mapping[str, str]) -> _Run:
    fired = list(session.add(inputs))
    known = dict(inputs)
    _learn(rules, known, fired)
    for names in rules.closing:
        closing = {name: UNDETERMINED for name in names if name not in known}
        if closing:
            known.update(closing)
            more = session.add(closing)
            _learn(rules, known, more)
            fired += more
    candidates = [v for v in rules.precedence if engine_fact("verdict", v.value)[0] in known]
    return _Run(fired, known, candidates)


def _learn(rules: Ruleset, known: dict[str, str], fired: list[int]) -> None:
    for index in fired:
        name, value = rules.rules[index].asserts
        known[name] = value


# ---------------------------------------------------------------- doubt and what-if


def _weigh_doubts(rules: Ruleset, inputs: Mapping[str, str], run: _Run) -> tuple[Verdict, list[TraceStep]]:
    """Stage 5: a doubt decides the verdict (seek advice) only where it is decisive."""
    verdict = run.verdict
    steps = []
    for doubt in rules.doubts:
        if inputs.get(doubt.fact) != doubt.value:
            continue
        if doubt.between:
            outcomes = {_verdict_of(rules, {**inputs, doubt.fact: value}) for value in doubt.between}
            outcomes.discard(None)
            decisive = len(outcomes) > 1
            why = f"the verdict would differ between {' and '.join(doubt.between)}" if decisive else f"the verdict is the same whether {' or '.join(doubt.between)}"
        else:
            decisive = verdict is Verdict.UNDETERMINED
            why = "the facts leave the decision open" if decisive else f"the facts settle the decision ({verdict.value})"
        value = "decisive" if decisive else "not_decisive"
        step = TraceStep(
            rule=f"doubt:{doubt.fact}",
            kind="doubt",
            statement=f"{doubt.statement} Here {why}.",
            cites=doubt.cites,
            used=(Premise(doubt.fact, doubt.value),),
            concluded=Conclusion("verdict" if decisive else "conclude", "seek_advice" if decisive else "doubt", "yes" if decisive else value),
            source=f"{rules.path.name}/ruleset.yaml",
        )
        steps.append(_shared_step(rules.hash, ("doubt", doubt.fact, value, why), functools.partial(_same, step)))
        if decisive:
            verdict = Verdict.SEEK_ADVICE
    return verdict, steps


# What-if evaluations need only the verdict: they run on the compiled engine, which is proven
# equal to the reference engine (the plain specification) by a hypothesis property.


def _verdict_of(rules: Ruleset, inputs: Mapping[str, str], *, with_doubts: bool = False) -> Verdict | None:
    """The verdict for these inputs, or None when they contradict each other (not a possible answer)."""
    outcome = _outcome(rules, inputs, with_doubts=with_doubts)
    return None if outcome is None else outcome[0]


def _outcome(rules: Ruleset, inputs: Mapping[str, str], *, with_doubts: bool = True) -> tuple[Verdict, dict[str, str]] | None:
    """The verdict and the conclusions reached for these inputs; None when they contradict each other."""
    engine = get_engine(rules, "compiled")
    try:
        fired, known = engine.evaluate(inputs)  # type: ignore[attr-defined]
    except FactsError:
        return None
    candidates = [v for v in rules.precedence if engine_fact("verdict", v.value)[0] in known]
    run = _Run(fired, known, candidates)
    verdict = run.verdict
    if with_doubts and any(inputs.get(d.fact) == d.value for d in rules.doubts):
        verdict = _weigh_doubts(rules, inputs, run)[0]
    return verdict, {name: known[name] for name in rules.conclusions if name in known}


def _questions(
    rules: Ruleset, inputs: Mapping[str, str], verdict: Verdict, presumed: set[str], silent: set[str], known: Mapping[str, str]
) -> tuple[Question, ...]:
    """Stage 7: the unknown facts worth asking, in the flowchart's order.

    A fact is asked when some answer to it gives another verdict (it is *decisive*), or when it is
    one of the unknown facts a rule waits for and answering them all as the rule wants gives another
    verdict (*decisive together*: provider_understood and within_understood_limits under 3.8, say);
    and, while the verdict is undetermined, also when some answer to it settles or changes a
    conclusion on the way to one (it *contributes*: facts are asked one by one down to the finest). A presumed
    fact is asked like any other (the default stands until the practitioner answers), after the
    others; except that a presumption marked ``ask: false`` (4.24: "you will know or be told") keeps
    its fact unasked unless the verdict is undetermined. Answering "unsure" is not counted.
    """
    open_ = verdict is Verdict.UNDETERMINED
    base = _outcome(rules, inputs) if open_ else None
    decisive, contributing = [], []
    doubt_values = {(d.fact, d.value) for d in rules.doubts}
    readers = _readers(rules)
    # A doubt weighs verdicts with its fact replaced, where rules dead here may fire: no pruning then.
    doubting = any(inputs.get(d.fact) == d.value for d in rules.doubts)
    for spec in INPUT_SPECS.values():
        if spec.tests not in rules.tested or inputs.get(spec.tests) != UNKNOWN:
            continue
        downstream = readers.cones.get(spec.tests, frozenset())
        if not doubting and all(
            any(known.get(name, UNDETERMINED) not in wanted for name, wanted in others if name not in downstream)
            for others in readers.by_fact.get(spec.tests, ())
        ):
            continue  # every rule reading it fails on something it cannot change: no answer to it alone can matter
        if spec.name in silent and not open_:
            continue  # the guide says the practitioner would know: asked only where the decision is still open
        contributes = False
        for value, _label in spec.answers:
            if (spec.tests, value) in doubt_values:
                continue  # being unsure is not an answer to ask for
            other = _outcome(rules, {**inputs, spec.tests: value})
            if other is None:
                continue
            if other[0] is not verdict:
                decisive.append(spec)
                break
            contributes = contributes or (base is not None and other[1] != base[1])
        else:
            if contributes:
                contributing.append(spec)
    together = _decisive_together(rules, inputs, verdict, {s.name for s in decisive}, silent if not open_ else set())
    contributing = [s for s in contributing if s.name not in together]
    decisive += [INPUT_SPECS[name] for name in sorted(together - {s.name for s in decisive})]
    # Decisive questions first, then contributing ones; each in the flowchart's order, its own
    # questions before finer ones; facts the guide presumes come last.
    def order(s: InputSpec) -> tuple[bool, int, bool]:
        return (s.name in presumed, s.step, not s.direct)

    asked = sorted(decisive, key=order) + sorted(contributing, key=order)
    return tuple(_question(spec) for spec in asked)


#: At most this many combinations of answers are tried for one rule's unknown facts.
_MAX_COMBINATIONS = 16


def _decisive_together(rules: Ruleset, inputs: Mapping[str, str], verdict: Verdict, known_decisive: set[str], silent: set[str]) -> set[str]:
    """Unknown facts that, answered together as one rule wants, give another verdict."""
    by_test = {spec.tests: spec.name for spec in INPUT_SPECS.values()}
    found: set[str] = set()
    for rule in rules.rules:
        needed = []
        for cond in rule.when:
            if cond.fact not in INPUT_TESTS:
                continue
            value = inputs.get(cond.fact, UNKNOWN)
            if value == UNKNOWN and UNKNOWN not in cond.values and by_test[cond.fact] not in silent:
                needed.append(cond)
            elif value not in cond.values:
                break  # a given fact rules it out
        else:
            if len(needed) < 2 or {by_test[c.fact] for c in needed} <= known_decisive | found:
                continue
            for answers in itertools.islice(itertools.product(*(c.values for c in needed)), _MAX_COMBINATIONS):
                other = _verdict_of(rules, {**inputs, **{c.fact: v for c, v in zip(needed, answers)}}, with_doubts=True)
                if other is not None and other is not verdict:
                    found |= {by_test[c.fact] for c in needed}
                    break
    return found


class _Readers:
    """For each input fact: the rules reading it (as their other conditions), and what it can change.

    A what-if changes one fact. A rule reading it whose condition on something else fails, where that
    something is a given fact or a conclusion the fact cannot reach (not in its ``cones`` entry),
    cannot fire whatever the fact becomes; if every rule reading it is so, no answer to it matters.
    Facts read by a doubt are always tried.
    """

    __slots__ = ("by_fact", "cones")

    def __init__(self, rules: Ruleset) -> None:
        self.by_fact: dict[str, list[tuple[tuple[str, frozenset[str]], ...]]] = {}
        readers_of: dict[str, list[Rule]] = {}
        for rule in rules.rules:
            for cond in rule.when:
                readers_of.setdefault(cond.fact, []).append(rule)
                if cond.fact in INPUT_TESTS:
                    others = tuple((c.fact, frozenset(c.values)) for c in rule.when if c.fact != cond.fact and c.fact != VERDICT_FACT)
                    self.by_fact.setdefault(cond.fact, []).append(others)
        for doubt in rules.doubts:
            self.by_fact.setdefault(doubt.fact, []).append(())
        self.cones: dict[str, frozenset[str]] = {}
        for fact in self.by_fact:
            reached: set[str] = set()
            todo = [fact]
            while todo:
                for rule in readers_of.get(todo.pop(), ()):
                    name = rule.asserts[0]
                    if name not in reached:
                        reached.add(name)
                        todo.append(name)
            self.cones[fact] = frozenset(reached)


_readers_cache: dict[str, _Readers] = {}


def _readers(rules: Ruleset) -> _Readers:
    readers = _readers_cache.get(rules.hash)
    if readers is None:
        readers = _readers_cache[rules.hash] = _Readers(rules)
    return readers


INPUT_TESTS = frozenset(spec.tests for spec in INPUT_SPECS.values())


def _question(spec: InputSpec) -> Question:
    key = ("question", spec.name)
    part = _parts.get(key)
    if part is None:
        part = _parts[key] = Question(
            fact=spec.name,
            text=spec.question,
            cites=spec.cites,
            step=spec.step,
            direct=spec.direct,
            # child.age is answered in years (its bands are only what the rules test): a free answer
            answers=tuple(AnswerOption(v, label) for v, label in spec.answers) if spec.tests == spec.name else (),
        )
    return part  # type: ignore[return-value]


# ---------------------------------------------------------------- assembling the decision


def _ordered(rules: Ruleset, fired: list[int]) -> list[Rule]:
    """Fired rules in firing order: stratum, then derivation depth, then ruleset order.

    The depth is the rule's place in the ruleset's dependency graph (one more than the deepest rule
    producing something it reads), so a step always comes after the steps whose conclusions it used,
    and the order is defined from the facts alone: every engine yields the same trace.
    """
    rank = _ranks(rules)
    return [rules.rules[i] for i in sorted(set(fired), key=rank.__getitem__)]


_rank_cache: dict[str, list[tuple[int, int, int]]] = {}


def _ranks(rules: Ruleset) -> list[tuple[int, int, int]]:
    ranks = _rank_cache.get(rules.hash)
    if ranks is None:
        producers: dict[str, list[int]] = {}
        for rule in rules.rules:
            producers.setdefault(rule.asserts[0], []).append(rule.index)
        depth: dict[int, int] = {}

        def rule_depth(i: int, seen: frozenset[int] = frozenset()) -> int:
            if i not in depth:
                below = [
                    rule_depth(j, seen | {i})
                    for cond in rules.rules[i].when
                    for j in producers.get(cond.fact, ())
                    if j not in seen and j != i
                ]
                depth[i] = 1 + max(below, default=0)
            return depth[i]

        ranks = _rank_cache[rules.hash] = [(r.stratum, rule_depth(r.index), r.index) for r in rules.rules]
    return ranks


def _support(rules: Ruleset, fired: list[int], late: list[int], verdict: Verdict) -> list[int]:
    """The fired rules that led to the verdict and the obligations: what the trace explains.

    Rules that fired on the way but contributed nothing are left out, so the trace shows what the
    decision rests on; presumptions and obligations are always kept (with what they rest on), so every
    default taken and every duty raised is shown. An
    undetermined or seek_advice verdict rests on everything known so far, so all of it is kept.
    """
    if verdict in (Verdict.UNDETERMINED, Verdict.SEEK_ADVICE):
        return fired + late
    producers: dict[str, list[int]] = {}
    for i in fired:
        producers.setdefault(rules.rules[i].asserts[0], []).append(i)
    wanted = engine_fact("verdict", verdict.value)[0]
    # Presumptions stay in whatever they fed: a caller must see every default taken on their behalf.
    keep = set(late) | set(producers.get(wanted, ()))
    keep |= {i for i in fired if rules.rules[i].origin == PRESUMED or rules.rules[i].kind == "obligation"}
    todo = list(keep)
    while todo:
        for cond in rules.rules[todo.pop()].when:
            for i in producers.get(cond.fact, ()):
                if i not in keep:
                    keep.add(i)
                    todo.append(i)
    return [i for i in fired + late if i in keep]


_KINDS = {STATED: "stated", PRESUMED: "presumed"}

# Trace steps, obligations and questions are immutable and repeat across decisions: each distinct
# one is built once per ruleset and shared.
_parts: dict[tuple[object, ...], object] = {}


def _same(step: TraceStep) -> TraceStep:
    return step


def _shared_step(ruleset_hash: str, key: tuple[object, ...], make: Callable[[], TraceStep]) -> TraceStep:
    full = (ruleset_hash, *key)
    step = _parts.get(full)
    if step is None:
        step = _parts[full] = make()
    return step  # type: ignore[return-value]


def _step(ruleset_hash: str, rule: Rule, values: tuple[str, ...]) -> TraceStep:
    return _shared_step(
        ruleset_hash,
        ("rule", rule.index, values),
        lambda: TraceStep(
            rule=rule.id,
            kind=_KINDS.get(rule.origin, "derived"),
            statement=rule.statement,
            cites=rule.cites,
            used=tuple(Premise(c.fact, v) for c, v in zip(rule.when, values, strict=True)),
            concluded=Conclusion(rule.kind, rule.name, rule.value),
            source=f"{rule.file}:{rule.line}",
        ),
    )


def _precedence_step(rules: Ruleset, candidates: list[Verdict]) -> TraceStep:
    chosen, others = candidates[0], candidates[1:]
    return _shared_step(
        rules.hash,
        ("precedence", tuple(candidates)),
        lambda: TraceStep(
            rule="verdict-precedence",
            kind="precedence",
            statement=f"The rules reached {', '.join(v.value for v in candidates)}; {chosen.value} comes first in "
            f"verdict_precedence ({', '.join(v.value for v in rules.precedence)}): {rules.precedence_statement}",
            cites=rules.precedence_cites,
            used=tuple(Premise(f"candidate.{v.value}", "yes") for v in candidates),
            concluded=Conclusion("verdict", chosen.value, "yes"),
            source=f"{rules.path.name}/ruleset.yaml",
        ),
    ) if others else None  # type: ignore[return-value]


def _build(
    rules: Ruleset,
    engine: str,
    verdict: Verdict,
    run: _Run,
    late: list[int],
    doubt_steps: list[TraceStep],
    known: dict[str, str],
    inputs: dict[str, str],
    ask: bool = True,
) -> Decision:
    ordered = _ordered(rules, _support(rules, run.fired, late, verdict))
    before = [r for r in ordered if r.index not in set(late)]
    after = [r for r in ordered if r.index in set(late)]
    trace = [_step(rules.hash, r, tuple(known[c.fact] for c in r.when)) for r in before]
    if len(run.candidates) > 1:
        trace.append(_precedence_step(rules, run.candidates))
    trace += doubt_steps
    trace += [_step(rules.hash, r, tuple(known[c.fact] for c in r.when)) for r in after]

    raised: dict[str, list[str]] = {}
    for r in ordered:
        if r.kind == "obligation":
            raised.setdefault(r.name, []).append(r.id)
    obligations = tuple(
        _shared_obligation(rules.hash, spec.id, spec.text, spec.cites, tuple(raised[spec.id]))
        for spec in rules.obligations.values()
        if spec.id in raised
    )
    presumed: dict[str, Presumption] = {}
    for r in before:
        for fact, value in r.presumes:
            if inputs.get(fact) == UNKNOWN and fact not in presumed:
                presumed[fact] = Presumption(fact, value, r.id, r.wording, r.cites)
    silent = {fact for r in before if r.presumes and not r.ask for fact, _ in r.presumes}
    questions = _questions(rules, inputs, verdict, set(presumed), silent & set(presumed), run.known) if ask else ()
    ref = _parts.get(("ref", rules.hash))
    if ref is None:
        ref = _parts[("ref", rules.hash)] = RulesetRef(rules.id, rules.version, rules.hash, rules.publication_reference)
    return Decision(
        verdict=verdict,
        obligations=obligations,
        trace=tuple(trace),
        questions=questions,
        presumed=tuple(presumed.values()),
        ruleset=ref,  # type: ignore[arg-type]
        engine=engine,
    )


def _shared_obligation(ruleset_hash: str, oid: str, text: str, cites: tuple[str, ...], raised_by: tuple[str, ...]) -> Obligation:
    key = ("obligation", ruleset_hash, oid, raised_by)
    part = _parts.get(key)
    if part is None:
        part = _parts[key] = Obligation(oid, text, cites, raised_by)
    return part  # type: ignore[return-value]
