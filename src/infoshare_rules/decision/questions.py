"""Stage 7 of a decision: the unknown facts worth asking, in the flowchart's order.

A fact is asked when some answer to it gives another verdict (it is *decisive*), or when it is
one of the unknown facts a rule waits for and answering them all as the rule wants gives another
verdict (*decisive together*: provider_understood and within_understood_limits under 3.8, say);
and, while the verdict is undetermined, also when some answer to it settles or changes a
conclusion on the way to one (it *contributes*: facts are asked one by one down to the finest). A
presumed fact is asked like any other (the default stands until the practitioner answers), after
the others; except that a presumption marked ``ask: false`` (4.24: "you will know or be told") keeps
its fact unasked unless the verdict is undetermined. Answering "unsure" is not counted.
"""

from __future__ import annotations

import itertools
import operator
import threading
from typing import AbstractSet, Callable, Mapping

from ..facts.model import INPUT_SPECS, UNKNOWN, InputSpec
from ..ruleset.graph import rule_graph
from ..ruleset.model import UNDETERMINED, VERDICT_FACT, Ruleset, engine_fact
from ..ruleset.verdict import Verdict
from .model import AnswerOption, Question
from .whatif import WhatIf

#: At most this many combinations of answers are tried for one rule's unknown facts.
_MAX_COMBINATIONS = 16

INPUT_TESTS = frozenset(spec.tests for spec in INPUT_SPECS.values())
_ASKED_BY = {spec.tests: spec.name for spec in INPUT_SPECS.values()}


def questions(
    rules: Ruleset,
    what_if: WhatIf,
    verdict: Verdict,
    presumed: AbstractSet[str],
    silent: AbstractSet[str],
    known: Mapping[str, str],
) -> tuple[Question, ...]:
    """The questions for a decision: ``known`` is everything known (inputs and conclusions reached)."""
    inputs = what_if.oracle.inputs
    shape = _shape(rules)
    open_ = verdict is Verdict.UNDETERMINED
    # A decided verdict changes only if a candidate verdict of the same or higher precedence is reached
    # or lost: a fact whose answers reach none of those cannot be decisive (with no doubt to weigh).
    settled = None if open_ or what_if.doubting else shape.relevant.get(verdict)
    decisive: list[InputSpec] = []
    contributing: list[InputSpec] = []
    for spec, answers, readers, reaches in shape.facts:
        if inputs.get(spec.tests) != UNKNOWN:
            continue
        if settled is not None and settled.isdisjoint(reaches):
            continue
        # A doubt weighs verdicts with its fact replaced, where rules dead here may fire: no pruning then.
        if not what_if.doubting and _cannot_matter(readers, known):
            continue
        if spec.name in silent and not open_:
            continue  # the guide says the practitioner would know: asked only where the decision is still open
        contributes = False
        ask = what_if.about((spec.tests,))
        for value in answers:
            other = ask((value,))
            if other is None:
                continue
            if other[0] is not verdict:
                decisive.append(spec)
                break
            contributes = contributes or (open_ and other[1])
        else:
            if contributes:
                contributing.append(spec)
    together = _decisive_together(shape, what_if, verdict, {s.name for s in decisive}, silent if not open_ else set(), settled)
    if together:
        contributing = [s for s in contributing if s.name not in together]
        decisive += [INPUT_SPECS[name] for name in sorted(together - {s.name for s in decisive})]

    # Decisive questions first, then contributing ones; each in the flowchart's order, its own
    # questions before finer ones; facts the guide presumes come last.
    def order(s: InputSpec) -> tuple[bool, int, bool]:
        return (s.name in presumed, s.step, not s.direct)

    asked = sorted(decisive, key=order) + sorted(contributing, key=order)
    return tuple(question(spec) for spec in asked)


def _cannot_matter(readers: tuple[tuple[tuple[str, frozenset[str]], ...], ...], known: Mapping[str, str]) -> bool:
    """Every rule reading the fact fails on a condition the fact cannot change: no answer to it alone can matter."""
    for others in readers:
        for name, wanted in others:
            if known.get(name, UNDETERMINED) not in wanted:
                break
        else:
            return False
    return True


def _decisive_together(
    shape: "_Shape", what_if: WhatIf, verdict: Verdict, known_decisive: set[str], silent: AbstractSet[str], settled: frozenset[str] | None
) -> set[str]:
    """Unknown facts that, answered together as one rule wants, give another verdict.

    ``settled``: the candidate verdicts that could change a decided verdict (None: any might).
    """
    inputs = what_if.oracle.inputs
    found: set[str] = set()
    for needed in shape.waiting(inputs) if not silent else _waiting(shape, inputs, silent):
        names = {c[3] for c in needed}
        if names <= known_decisive or names <= known_decisive | found:
            continue
        if settled is not None and all(settled.isdisjoint(shape.reaches[c[0]]) for c in needed) and shape.doubt_facts.isdisjoint(c[0] for c in needed):
            continue
        # Answers are tried in the rule's order of conditions; a what-if takes its facts sorted.
        order = sorted(range(len(needed)), key=lambda k: needed[k][4])
        ask = what_if.about(tuple(needed[k][0] for k in order))
        for answers in itertools.islice(itertools.product(*(c[1] for c in needed)), _MAX_COMBINATIONS):
            other = ask(tuple([answers[k] for k in order]))
            if other is not None and other[0] is not verdict:
                found |= names
                break
    return found


Condition = tuple[str, tuple[str, ...], frozenset[str], str, int]


def _waiting(shape: "_Shape", inputs: Mapping[str, str], silent: AbstractSet[str]) -> list[list[Condition]]:
    """For each rule no given fact rules out, its conditions on unknown facts, where there are two or more.

    A silent fact (presumed, not to be asked) counts as given. ``_Shape.waiting`` is the same with none silent, generated.
    """
    waiting = []
    for conditions in shape.together:
        needed = []
        for condition in conditions:
            fact, _values, allowed, asked, _rank = condition
            value = inputs.get(fact, UNKNOWN)
            if value == UNKNOWN and UNKNOWN not in allowed and asked not in silent:
                needed.append(condition)
            elif value not in allowed:
                break  # a given fact rules it out
        else:
            if len(needed) >= 2:
                waiting.append(needed)
    return waiting


def _generate_waiting(together: list[tuple[Condition, ...]]) -> Callable[[Mapping[str, str]], list[list[Condition]]]:
    """``_waiting`` with no fact silent, as straight-line code: it runs on every decision with questions."""
    facts = sorted({c[0] for conditions in together for c in conditions})
    local = {fact: f"v{n}" for n, fact in enumerate(facts)}
    consts: dict[str, object] = {"read": operator.itemgetter(*facts, *facts[:1])}  # (always a tuple)
    lines = ["def waiting(f):", f"    {', '.join(local.values())}, _ = read(f)", "    out = []"]
    for k, conditions in enumerate(together):
        tests, unknown = [], []
        for j, condition in enumerate(conditions):
            fact, _values, allowed, _asked, _rank = condition
            consts[f"a{k}_{j}"], consts[f"c{k}_{j}"] = allowed, condition
            if UNKNOWN in allowed:
                tests.append(f"{local[fact]} in a{k}_{j}")
            else:
                tests.append(f"({local[fact]} == {UNKNOWN!r} or {local[fact]} in a{k}_{j})")
                unknown.append(j)
        if len(unknown) < 2:
            continue
        lines.append(f"    if {' and '.join(tests)}:")
        lines.append(f"        needed = [c for c, u in ({', '.join(f'(c{k}_{j}, {local[conditions[j][0]]} == {UNKNOWN!r})' for j in unknown)},) if u]")
        lines.append("        if len(needed) >= 2:")
        lines.append("            out.append(needed)")
    lines.append("    return out")
    namespace: dict[str, object] = dict(consts)
    exec(compile("\n".join(lines), "<questions: rules waiting on unknown facts>", "exec"), namespace)  # noqa: S102 - generated from validated ruleset data
    return namespace["waiting"]  # type: ignore[return-value]


class _Shape:
    """What questions need of a ruleset, worked out once.

    ``facts``: each input fact a rule or doubt tests, with the answers to try (not a doubt's value:
    being unsure is not an answer to ask for) and, for each rule reading it, its other conditions
    (a what-if changes one fact; a rule whose condition on a given fact, or on a conclusion the fact
    cannot reach, fails cannot fire whatever the fact becomes; facts a doubt reads are always tried).
    ``together``: for each rule testing two or more input facts, its conditions on them.
    """

    __slots__ = ("facts", "together", "waiting", "relevant", "reaches", "doubt_facts")

    def __init__(self, rules: Ruleset) -> None:
        graph = rule_graph(rules)
        doubt_values = {(d.fact, d.value) for d in rules.doubts}
        readers: dict[str, list[tuple[tuple[str, frozenset[str]], ...]]] = {}
        for rule in rules.rules:
            for cond in rule.when:
                if cond.fact in INPUT_TESTS:
                    readers.setdefault(cond.fact, []).append(
                        tuple((c.fact, frozenset(c.values)) for c in rule.when if c.fact != cond.fact and c.fact != VERDICT_FACT)
                    )
        for doubt in rules.doubts:
            readers.setdefault(doubt.fact, []).append(())
        candidates = [engine_fact("verdict", v.value)[0] for v in rules.precedence]
        #: for each decided verdict, the candidate verdicts whose reaching or losing could change it
        self.relevant = {v: frozenset(candidates[: n + 1]) for n, v in enumerate(rules.precedence)}
        #: for each input fact, the candidate verdicts its answers can reach
        self.reaches = {fact: graph.cone((fact,)) & set(candidates) for fact in INPUT_TESTS}
        self.doubt_facts = frozenset(d.fact for d in rules.doubts)
        self.facts: list[tuple[InputSpec, tuple[str, ...], tuple[tuple[tuple[str, frozenset[str]], ...], ...], frozenset[str]]] = []
        for spec in INPUT_SPECS.values():
            if spec.tests not in rules.tested:
                continue
            downstream = graph.cone((spec.tests,))
            fact_readers = tuple(
                tuple((name, wanted) for name, wanted in others if name not in downstream) for others in readers.get(spec.tests, ())
            )
            answers = tuple(v for v, _label in spec.answers if (spec.tests, v) not in doubt_values)
            self.facts.append((spec, answers, fact_readers, self.reaches[spec.tests]))
        # (fact, values, allowed, the fact asked for, its place among facts sorted by name)
        self.together: list[tuple[Condition, ...]] = []
        rank = {fact: n for n, fact in enumerate(sorted(INPUT_TESTS))}
        for rule in rules.rules:
            conditions = [(c.fact, c.values, frozenset(c.values), _ASKED_BY[c.fact], rank[c.fact]) for c in rule.when if c.fact in INPUT_TESTS]
            if len({c[0] for c in conditions}) >= 2:
                self.together.append(tuple(conditions))
        self.waiting = _generate_waiting(self.together)


_shapes: dict[str, _Shape] = {}


def _shape(rules: Ruleset) -> _Shape:
    shape = _shapes.get(rules.hash)
    if shape is None:
        shape = _shapes[rules.hash] = _Shape(rules)
    return shape


_questions: dict[str, Question] = {}
_questions_lock = threading.Lock()


def question(spec: InputSpec) -> Question:
    """The question asking for one fact, built once and shared (questions are immutable)."""
    made = _questions.get(spec.name)
    if made is None:
        made = Question(
            fact=spec.name,
            text=spec.question,
            cites=spec.cites,
            step=spec.step,
            direct=spec.direct,
            # child.age is answered in years (its bands are only what the rules test): a free answer
            answers=tuple(AnswerOption(v, label) for v, label in spec.answers) if spec.tests == spec.name else (),
        )
        with _questions_lock:
            made = _questions.setdefault(spec.name, made)
    return made
