"""The pure decision API: facts in, decision out, nothing kept between calls.

How a decision is made (the semantics every engine shares):

1. The facts are flattened to ``{"group.field": value}``; unknown stays ``unknown``.
2. The engine forward-chains the rules over them. Stated answers (a conclusion's ``stated_by``),
   presumptions (only while their fact is unknown) and derived rules are all rules.
3. Stratum by stratum, conclusions no rule reached are settled as ``undetermined``, so rules that
   read "not reached" run only once every rule that could reach it has run.
4. The verdict: the candidate verdicts the rules reached, the first in ``verdict_precedence``
   (a trace step says so when precedence chose between several), or undetermined; then, by cases
   (``cases.py``), the verdict every consistent completion of the facts gives, which replaces it
   (with a ``cases`` trace step) where the two differ.
5. Doubt (``doubts``): where the practitioner is unsure, the doubt is decisive when the answers it
   stands between give different verdicts (or, with none, when the verdict is undetermined); then
   the verdict is seek_advice. Otherwise the decision stands.
6. Rules that read the verdict raise obligations.
7. Questions: exactly the unknown facts some answer to which, alone or with others, changes the
   verdict (``cases.py``), in the practitioner's order (``questions.py``).

Doubts over the facts as given rest on what-ifs (``whatif.py``); questions and the verdict by cases
on the ruleset's decision diagrams (``cases.py``). On the reference and durable engines each stage
runs in a forward-chaining session; on the compiled engine in generated code. All give equal
decisions (a hypothesis property).
"""

from __future__ import annotations

import operator
from pathlib import Path
from typing import Callable, Mapping

from ..engines.base import Engine, Session
from ..engines.compiled import CompiledEngine
from ..engines.registry import get_engine
from ..errors import FactsError
from ..facts.model import UNKNOWN, CaseFacts, with_fact
from ..ruleset.loader import load_ruleset
from ..ruleset.model import DEFAULT_RULESET, UNDETERMINED, VERDICT_FACT, Doubt, Ruleset, engine_fact
from ..ruleset.verdict import Verdict
from .assemble import Explanation, cases_step, explanation, ruleset_ref
from .cases import CaseSpace, case_space
from .model import Decision, Presumption, Question, TraceStep
from .questions import harm_stated, ordered as ordered_questions, presumption_reads
from .whatif import ConeOracle, FullOracle, WhatIf


def decide(
    facts: CaseFacts,
    *,
    ruleset: str | Path | Ruleset = DEFAULT_RULESET,
    engine: str = "compiled",
    questions: bool = True,
) -> Decision:
    """Decide whether to share information about a case, following the ruleset's guide.

    ``ruleset`` is a shipped ruleset id, a ruleset folder, or a loaded :class:`Ruleset`.
    ``engine`` is ``"compiled"`` (the default: generated code, proven equal to the reference engine by
    hypothesis properties), ``"reference"``, ``"durable"`` (durable-rules), or ``"auto"`` (the same as compiled).
    The ruleset is loaded and compiled once per process; each call runs in a fresh session
    that is deleted before returning. The verdict is decided by cases (``cases.py``): the one every
    consistent completion of the facts gives, else undetermined (seek_advice where the practitioner
    is in doubt); the engine's forward chaining over the facts as given gives the trace, with a
    ``cases`` step where the completions decide what the rules do not. A direct answer that
    contradicts the finer facts raises :class:`FactsError` naming both, as does a case every
    completion of which contradicts itself. ``questions=False`` skips working out the questions
    (exactly the unknown facts whose answers can change the verdict), for callers that need only
    the verdict, obligations and trace; the decision then has no questions.
    """
    if not isinstance(facts, CaseFacts):
        raise FactsError("$", "wrong type", expected="a CaseFacts instance (see infoshare_rules.facts_from_json)", got=type(facts).__name__)
    rules = ruleset if isinstance(ruleset, Ruleset) else load_ruleset(ruleset)
    runner = get_engine(rules, engine)
    inputs = rules.flat(facts)  # a local fact the ruleset does not declare raises here
    plain = _decide_plain(rules, runner, facts)  # a direct answer against the finer facts raises here
    cases = case_space(rules)
    reachable, decisive = cases.outcome(inputs, questions)
    if not reachable:
        clash = cases.contradiction(inputs)
        if clash is not None:
            stated, derived = clash
            fact = stated.when[0].fact
            raise FactsError(
                f"$.{fact}",
                f"contradicts the other facts whatever the answers to the facts not given: you answered {fact} = "
                f"{stated.value}, but rule {derived.id!r} ({', '.join(derived.cites)}) concludes {derived.name} = "
                f"{derived.value} from {', '.join(c.fact for c in derived.when)}",
                expected=f"{fact} = {derived.value} where those facts hold, or unknown",
            )
        raise FactsError(
            "$",
            "contradicts the other facts whatever the answers to the facts not given",
            expected="facts that some answers to the facts not given make consistent",
        )
    if len(reachable) == 1:
        verdict = reachable[0]
    elif inputs.get("practitioner.unsure_what_to_do") == "yes":
        verdict = Verdict.SEEK_ADVICE  # in doubt, and the facts leave the decision open (section 2, 4.26, flowchart)
    else:
        verdict = Verdict.UNDETERMINED
    decision = plain
    if verdict is not plain.verdict or len(reachable) > 1:  # an open case says which verdicts are still open
        key = (rules.hash, tuple(inputs.values()))
        step = _steps.get(key)
        if step is None:
            step = _cases_step(rules, facts, inputs, cases, verdict, reachable)
            if len(_steps) >= _EXPLAINED_MAX:
                _steps.clear()
            _steps[key] = step
        decision = _decide_plain(rules, runner, facts, forced=(verdict, step))
    if not questions:
        return decision
    assert decisive is not None
    asked = _asked(rules, decisive, inputs, decision.presumed)
    return Decision(decision.verdict, decision.obligations, decision.trace, asked, decision.presumed, decision.ruleset, decision.engine)


def _asked(rules: Ruleset, decisive: frozenset[str], inputs: Mapping[str, str], presumptions: tuple[Presumption, ...]) -> tuple[Question, ...]:
    """Stage 7: the decisive facts' questions in order. They depend only on the decisive facts, the presumptions
    taken and whether a concern about harm is stated (``questions.ordered``): remembered on those."""
    key = (rules.hash, decisive, harm_stated(inputs), presumptions)
    asked = _asked_before.get(key)
    if asked is None:
        presumed = {p.fact for p in presumptions}
        # What "you will know or be told about" (4.24) is presumed, shown, and not asked: the practitioner says so.
        silent = {p.fact for p in presumptions if not rules.rule(p.rule).ask}
        asked = ordered_questions(decisive, inputs, presumed, silent, presumption_reads(rules), rules.input_specs)
        if len(_asked_before) >= _EXPLAINED_MAX:
            _asked_before.clear()
        _asked_before[key] = asked
    return asked


#: the questions of the last decisions, by what they depend on (a bounded cache; an entry never changes)
_asked_before: dict[tuple[object, ...], tuple[Question, ...]] = {}


def _decide_plain(rules: Ruleset, runner: Engine, facts: CaseFacts, forced: tuple[Verdict, TraceStep] | None = None) -> Decision:
    """Forward chaining over the facts as given (no questions): the trace a decided case's verdict rests on.

    ``forced``: the verdict the completions give and the step saying why, where it is not the one
    the rules reach from the facts as given.
    """
    if isinstance(runner, CompiledEngine):
        if forced is None:
            return _decide_compiled(_plan(rules, runner), facts, False)
        return _forced_compiled(_plan(rules, runner), facts, *forced)
    return _decide_in_session(rules, runner, rules.flat(facts), False, forced)


#: the cases steps of the last cases decided by cases (a split is searched once per case)
_steps: dict[tuple[str, tuple[str, ...]], TraceStep] = {}
#: at most this many unknown facts are tried for a one-fact split of a decided case
_SPLIT_CANDIDATES = 64


def _cases_step(rules: Ruleset, facts: CaseFacts, inputs: dict[str, str], cases: CaseSpace, verdict: Verdict, reachable: tuple[Verdict, ...]) -> TraceStep:
    """Why the completions give ``verdict`` where the rules do not reach it from the facts as given.

    A decided case is explained by one unknown fact each of whose answers leads the rules to the same
    verdict (in the flowchart's order, direct questions first); failing that, by the number of
    completions checked. An open case names the verdicts its completions reach.
    """
    if len(reachable) > 1:
        return cases_step(rules, verdict, (), reachable, 0)
    compiled = get_engine(rules, "compiled")
    specs = sorted(
        (s for s in rules.input_specs.values() if s.tests in cases.space.values and inputs.get(s.tests, UNKNOWN) == UNKNOWN),
        key=lambda s: (not s.direct, s.step),
    )
    for spec in specs[:_SPLIT_CANDIDATES]:
        branches = []
        for value in cases.space.values[spec.tests][1:]:
            try:
                branch = _decide_plain(rules, compiled, with_fact(facts, spec.name, value))
            except FactsError:
                continue  # this answer contradicts the facts given: not a case
            if branch.verdict is not verdict:
                break
            branches.append((value, branch))
        else:
            if branches:
                return cases_step(rules, verdict, ((spec, tuple(branches)),), reachable, 0)
    return cases_step(rules, verdict, (), reachable, cases.count(inputs, verdict))


# ---------------------------------------------------------------- on any engine, stage by stage


def _decide_in_session(
    rules: Ruleset, runner: Engine, inputs: dict[str, str], ask: bool, forced: tuple[Verdict, TraceStep] | None = None
) -> Decision:
    """Stages 2-6 on a forward-chaining session of any engine, what-ifs on the full first pass."""
    what_if = WhatIf(rules, FullOracle(rules, get_engine(rules, "compiled"), inputs))  # type: ignore[arg-type]
    session = runner.session()
    try:
        fired, known = _run(rules, session, inputs)
        candidates = [v for v in rules.precedence if engine_fact("verdict", v.value)[0] in known]
        if forced is None:
            verdict, doubts = what_if.weigh((), (), candidates[0] if candidates else Verdict.UNDETERMINED)
        else:
            verdict, doubts = forced[0], []
        late = session.add({VERDICT_FACT: verdict.value})
    finally:
        session.close()
    if forced is not None:
        everything = {**known, VERDICT_FACT: verdict.value}
        everything.update(rules.rules[i].asserts for i in late)
        reasoned = explanation(rules, verdict, fired, [v for v in candidates if v is verdict], late, (), everything, inputs, forced[1])
        return Decision(verdict, reasoned.obligations, reasoned.trace, (), reasoned.presumed, ruleset_ref(rules), runner.name)
    # As on the compiled path, decisions that agree on what fired, the values read where a condition
    # allows several (or a presumption's fact) and the doubts weighed share one explanation.
    shown = _shown_inputs.get(rules.hash)
    if shown is None:
        facts = {c.fact for r in rules.rules for c in r.when if len(c.values) > 1 and c.fact in rules.fact_specs}
        facts |= {fact for r in rules.rules for fact, _ in r.presumes}
        shown = _shown_inputs[rules.hash] = operator.itemgetter(*sorted(facts), VERDICT_FACT)
    key = (frozenset(fired), frozenset(late), tuple([decisive for _, decisive, _ in doubts]), shown({**inputs, VERDICT_FACT: verdict.value}))
    explained = _explained_in_session.setdefault(rules.hash, {})
    told = explained.get(key)
    if told is None:
        everything = {**known, VERDICT_FACT: verdict.value}
        everything.update(rules.rules[i].asserts for i in late)
        told = explanation(rules, verdict, fired, candidates, late, doubts, everything, inputs)
        if len(explained) >= _EXPLAINED_MAX:
            explained.clear()
        explained[key] = told
    return Decision(verdict, told.obligations, told.trace, (), told.presumed, ruleset_ref(rules), runner.name)


_shown_inputs: dict[str, Callable[[Mapping[str, str]], tuple[str, ...]]] = {}
_explained_in_session: dict[str, dict[tuple[object, ...], Explanation]] = {}


def _run(rules: Ruleset, session: Session, inputs: Mapping[str, str]) -> tuple[list[int], dict[str, str]]:
    """Stages 2-3: what fired and everything known, conclusions settled stratum by stratum."""
    fired = list(session.add(inputs))
    known = dict(inputs)
    known.update(rules.rules[i].asserts for i in fired)
    for names in rules.closing:
        closing = {name: UNDETERMINED for name in names if name not in known}
        if closing:
            known.update(closing)
            more = session.add(closing)
            known.update(rules.rules[i].asserts for i in more)
            fired += more
    return fired, known


# ---------------------------------------------------------------- on the compiled engine


class _Plan:
    """What the compiled path needs of a ruleset, worked out once: where the candidate verdicts are
    in the first pass's result, and the decisions already explained.

    A decision's explanation (trace, obligations, presumptions) depends only on the rules fired, the
    input values they read where a condition allows several, and the doubts weighed: decisions that
    agree on those share one explanation, assembled once (a bounded cache; an entry never changes).
    """

    __slots__ = ("rules", "engine", "candidates", "explained", "ref", "doubts", "unread_presumptions")

    def __init__(self, rules: Ruleset, engine: CompiledEngine) -> None:
        self.rules, self.engine = rules, engine
        self.candidates = tuple(
            (v, engine.slot[engine_fact("verdict", v.value)[0]]) for v in rules.precedence if engine_fact("verdict", v.value)[0] in engine.slot
        )
        self.explained: dict[tuple[object, ...], tuple[Explanation, Decision | None]] = {}
        self.ref = ruleset_ref(rules)
        self.doubts = tuple((d.fact, d.value) for d in rules.doubts)
        # A presumption is listed where its fact is unknown: a fact its rule does not test is a key of its own.
        self.unread_presumptions = tuple(sorted({f for r in rules.rules for f, _ in r.presumes if f not in {c.fact for c in r.when}}))


_plans: dict[int, _Plan] = {}
#: explanations kept per ruleset and path (about 0.5 kB each: a bound on memory, not a tuning knob)
_EXPLAINED_MAX = 4096


def _plan(rules: Ruleset, engine: CompiledEngine) -> _Plan:
    plan = _plans.get(id(engine))
    if plan is None or plan.engine is not engine:
        plan = _plans[id(engine)] = _Plan(rules, engine)
    return plan


def _decide_compiled(plan: _Plan, facts: CaseFacts, ask: bool) -> Decision:
    """Stages 2-7 in generated code: one pass, what-ifs over only the rules each changed fact reaches."""
    rules, engine = plan.rules, plan.engine
    fired, values, used, verdict, late, late_used, doubting, inputs = engine.decide(facts, ask or bool(plan.unread_presumptions))
    what_if = None
    doubts: list[tuple[Doubt, bool, Verdict]] = []
    if doubting:
        assert inputs is not None
        what_if = WhatIf(rules, ConeOracle(engine, inputs, values))
        weighed_verdict, doubts = what_if.weigh((), (), verdict)
        if weighed_verdict is not verdict:
            verdict = weighed_verdict
            late, late_used = engine.late(inputs, values, (verdict.value,))
    key: tuple[object, ...] = (tuple(fired), tuple(used), tuple(late), tuple(late_used), tuple([decisive for _, decisive, _ in doubts]))
    if plan.unread_presumptions:
        assert inputs is not None
        key += tuple(inputs[f] for f in plan.unread_presumptions)
    entry = plan.explained.get(key)
    if entry is None:
        inputs = inputs or rules.flat(facts)
        candidates = [v for v, slot in plan.candidates if values[slot] != UNDETERMINED]
        known = {**inputs, **dict(zip(engine.produced, values)), VERDICT_FACT: verdict.value}
        known.update(rules.rules[i].asserts for i in late)
        told = explanation(rules, verdict, fired, candidates, late, doubts, known, inputs)
        if len(plan.explained) >= _EXPLAINED_MAX:
            plan.explained.clear()
        entry = plan.explained[key] = (told, Decision(verdict, told.obligations, told.trace, (), told.presumed, plan.ref, "compiled"))
    return entry[1]  # type: ignore[return-value]


def _forced_compiled(plan: _Plan, facts: CaseFacts, verdict: Verdict, step: TraceStep) -> Decision:
    """The compiled path with the verdict the completions give: its obligations, and the step saying why."""
    rules, engine = plan.rules, plan.engine
    fired, values, _used, _verdict, _late, _late_used, _doubting, inputs = engine.decide(facts, True)
    assert inputs is not None
    late, _ = engine.late(inputs, values, (verdict.value,))
    candidates = [v for v, slot in plan.candidates if values[slot] != UNDETERMINED and v is verdict]
    known = {**inputs, **dict(zip(engine.produced, values)), VERDICT_FACT: verdict.value}
    known.update(rules.rules[i].asserts for i in late)
    told = explanation(rules, verdict, fired, candidates, late, (), known, inputs, step)
    return Decision(verdict, told.obligations, told.trace, (), told.presumed, plan.ref, "compiled")
