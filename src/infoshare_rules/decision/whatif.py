"""What-if: the verdict a case would get with some facts answered otherwise, and the weighing of doubts.

Doubts and questions are both defined by what-ifs: a doubt is decisive when the answers it stands
between give different verdicts; a fact is worth asking when some answer to it gives another
verdict. Both read a what-if through an *oracle*, a function from changed facts to the verdict the
rules reach (before doubts are weighed) and whether any named conclusion changed; ``None`` when the
changed facts contradict the others (not a possible answer).

Two oracles give the same answers:

* :class:`FullOracle` re-runs the whole first pass on the changed inputs (the compiled engine's
  first pass, proven equal to the reference engine by a hypothesis property): the plain definition,
  used by the reference and durable engines;
* :class:`ConeOracle` re-runs only the rules downstream of the changed facts, reading everything
  else from the decision's own first pass (generated per set of facts by the compiled engine): what
  the compiled engine uses. A hypothesis property proves its decisions equal to the reference's.
"""

from __future__ import annotations

import functools
from typing import Callable, Mapping, Protocol

from ..engines.compiled import CompiledEngine, Impossible
from ..errors import FactsError
from ..ruleset.model import Doubt, Ruleset, engine_fact
from ..ruleset.verdict import Verdict

Outcome = tuple[Verdict, bool]


class Oracle(Protocol):
    """``oracle(facts, values)``: the outcome with ``facts`` (sorted by name) given ``values``."""

    inputs: Mapping[str, str]

    def __call__(self, facts: tuple[str, ...], values: tuple[str, ...]) -> Outcome | None: ...

    def rebased(self, fact: str, value: str) -> "Oracle | None":
        """The oracle for the inputs with ``fact`` answered ``value``; None where it cannot take them as its base."""


def verdict_of(rules: Ruleset, conclusions: Mapping[str, str]) -> Verdict:
    """The first candidate verdict reached, in verdict_precedence; undetermined if none."""
    for verdict in rules.precedence:
        if engine_fact("verdict", verdict.value)[0] in conclusions:
            return verdict
    return Verdict.UNDETERMINED


class FullOracle:
    """Every what-if runs the whole first pass over the changed inputs."""

    __slots__ = ("rules", "engine", "inputs", "base")

    def __init__(self, rules: Ruleset, engine: CompiledEngine, inputs: Mapping[str, str]) -> None:
        self.rules, self.engine, self.inputs = rules, engine, inputs
        self.base: dict[str, str] | None = None

    def _conclusions(self, inputs: Mapping[str, str]) -> dict[str, str]:
        _fired, known = self.engine.evaluate(inputs)
        return {name: value for name, value in known.items() if name not in inputs}

    def __call__(self, facts: tuple[str, ...], values: tuple[str, ...]) -> Outcome | None:
        try:
            reached = self._conclusions({**self.inputs, **dict(zip(facts, values))})
            if self.base is None:
                self.base = self._conclusions(self.inputs)
        except FactsError:
            return None
        named = self.rules.conclusions
        changed = {n: v for n, v in reached.items() if n in named} != {n: v for n, v in self.base.items() if n in named}
        return verdict_of(self.rules, reached), changed

    def rebased(self, fact: str, value: str) -> "FullOracle":
        return FullOracle(self.rules, self.engine, {**self.inputs, fact: value})


class ConeOracle:
    """Every what-if re-runs only the rules its changed facts can reach, over a first pass already made."""

    __slots__ = ("engine", "inputs", "values")

    def __init__(self, engine: CompiledEngine, inputs: Mapping[str, str], values: tuple[str, ...]) -> None:
        self.engine, self.inputs, self.values = engine, inputs, values

    def __call__(self, facts: tuple[str, ...], values: tuple[str, ...]) -> Outcome | None:
        try:
            return self.engine.what_if(facts)(self.inputs, self.values, values)
        except Impossible:
            return None

    def rebased(self, fact: str, value: str) -> "ConeOracle | None":
        inputs = {**self.inputs, fact: value}
        try:
            _fired, values, _used = self.engine.first(inputs)
        except FactsError:
            return None  # no first pass to build on: what-ifs from here change the facts from the decision's base
        return ConeOracle(self.engine, inputs, values)


class WhatIf:
    """What-ifs for one decision: the verdict, doubts weighed, with some facts answered otherwise.

    A doubt held (its fact has its doubt value) is decisive when the answers it stands between give
    different verdicts (with none, when the verdict is still undetermined); then the verdict is
    seek_advice. Doubts are weighed in the ruleset's order, each against the verdict so far.
    """

    __slots__ = ("rules", "oracle", "doubting", "doubt_facts", "rebased")

    def __init__(self, rules: Ruleset, oracle: Oracle) -> None:
        self.rules, self.oracle = rules, oracle
        self.doubt_facts = frozenset(d.fact for d in rules.doubts)
        self.doubting = any(oracle.inputs.get(d.fact) == d.value for d in rules.doubts)
        #: the oracle with a doubt's fact given one of the answers it stands between, built on first use
        self.rebased: dict[tuple[str, str], Oracle | None] = {}

    def __call__(self, facts: tuple[str, ...], values: tuple[str, ...]) -> Outcome | None:
        """``facts`` sorted by name. The verdict, and whether a named conclusion changed; None if impossible."""
        outcome = self.oracle(facts, values)
        if outcome is None or not (self.doubting or not self.doubt_facts.isdisjoint(facts)):
            return outcome
        verdict, _ = self.weigh(facts, values, outcome[0])
        return verdict, outcome[1]

    def about(self, facts: tuple[str, ...]) -> Callable[[tuple[str, ...]], Outcome | None]:
        """``self(facts, values)`` as a function of the values alone: for asking one set of facts several times."""
        oracle = self.oracle
        if isinstance(oracle, ConeOracle) and not self.doubting and self.doubt_facts.isdisjoint(facts):
            function, inputs, base = oracle.engine.what_if(facts), oracle.inputs, oracle.values

            def cone(values: tuple[str, ...]) -> Outcome | None:
                try:
                    return function(inputs, base, values)
                except Impossible:
                    return None

            return cone
        return functools.partial(self, facts)

    def weigh(self, facts: tuple[str, ...], values: tuple[str, ...], verdict: Verdict) -> tuple[Verdict, list[tuple[Doubt, bool, Verdict]]]:
        """The verdict once doubts are weighed, and each doubt held: whether decisive, and the verdict it was weighed against.

        ``verdict`` is what the rules reached for the inputs with ``facts`` given ``values``.
        """
        changes = dict(zip(facts, values))
        weighed = []
        for doubt in self.rules.doubts:
            if changes.get(doubt.fact, self.oracle.inputs.get(doubt.fact)) != doubt.value:
                continue
            if doubt.between:
                outcomes = {o[0] for answer in doubt.between if (o := self._answered(doubt.fact, answer, changes)) is not None}
                decisive = len(outcomes) > 1
            else:
                decisive = verdict is Verdict.UNDETERMINED
            weighed.append((doubt, decisive, verdict))
            if decisive:
                verdict = Verdict.SEEK_ADVICE
        return verdict, weighed

    def _answered(self, fact: str, answer: str, changes: Mapping[str, str]) -> Outcome | None:
        """The outcome with the doubt's ``fact`` given ``answer`` and the ``changes`` made."""
        if not changes:
            return self.oracle((fact,), (answer,))
        if fact not in changes:  # one base per answer, shared by every what-if of this decision
            key = (fact, answer)
            if key not in self.rebased:
                self.rebased[key] = self.oracle.rebased(fact, answer)
            oracle = self.rebased[key]
            if oracle is not None:
                return oracle(tuple(changes), tuple(changes.values()))
        pairs = sorted({**changes, fact: answer}.items())
        return self.oracle(tuple(f for f, _ in pairs), tuple(v for _, v in pairs))
