"""The compiled engine: a ruleset turned, once, into straight-line Python functions.

The rules are stratified and each fires at most once, so when every rule is placed after all the
rules whose conclusions it reads, a single pass computes the same fixed point as forward chaining,
including ``undetermined`` (a conclusion is settled once all its producers are behind). The order
used is the trace's own (``RuleGraph.ranks``), which is such an order, so the rules fired come out
already in trace order. The generated code binds every fact it reads to a
local, tests conditions with ``==`` or a frozenset, and records each firing; a conclusion with
several producers is checked for conflicts as the reference engine checks it.

Three kinds of function are generated from the ruleset:

* the *first pass* over the inputs: every rule that does not read the verdict;
* the *late pass*, given the verdict: the rules that read it (obligations);
* a *what-if* for a set of input facts: the first pass redone only for the rules downstream of
  those facts (the producers of every conclusion they can reach), reading everything else from a
  first pass already made. It gives the verdict the changed facts lead to, and whether any named
  conclusion changed. Decisions use it to weigh doubts and work out questions.

It speaks the same session contract as the other engines (``session().add``); its results are
proven equal to the reference engine's by hypothesis properties (tests/test_compiled_engine.py).
"""

from __future__ import annotations

import operator
import threading
from typing import Any, Callable, Mapping

from ..errors import RulesetConflictError
from ..facts.model import AGE_BANDS, read_facts
from ..ruleset.graph import rule_graph
from ..ruleset.model import STATED, UNDETERMINED, VERDICT_FACT, Condition, Rule, Ruleset, engine_fact
from ..ruleset.verdict import Verdict
from .base import contradiction

#: (fired rule indices in trace order, the value of every first-pass conclusion: ``undetermined`` where
#: unreached, the input values fired rules read where their condition allows several)
FirstPass = tuple[list[int], tuple[str, ...], list[str]]
#: a first pass, then: the verdict it reaches, the late rules fired for it and the values they used, whether a doubt
#: is held, the flat facts (or None)
Decided = tuple[list[int], tuple[str, ...], list[str], Verdict, list[int], list[str], bool, "dict[str, str] | None"]
#: a what-if: (inputs, first pass conclusions, new values of its facts) -> (verdict, whether a named conclusion
#: changed); raises Impossible where the new values contradict the other facts
WhatIf = Callable[[Mapping[str, str], tuple[str, ...], tuple[str, ...]], tuple[Verdict, bool]]


class Impossible(Exception):
    """A what-if's answers contradict the other facts (a direct answer against what finer facts imply)."""


class CompiledEngine:
    name = "compiled"

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self.graph = rule_graph(ruleset)
        ranked = sorted(ruleset.rules, key=lambda r: self.graph.ranks[r.index])
        self.first_rules = [r for r in ranked if not any(c.fact == VERDICT_FACT for c in r.when)]
        late_rules = [r for r in ranked if any(c.fact == VERDICT_FACT for c in r.when)]
        #: every conclusion the first pass can reach, in the order of its result tuple
        self.produced: tuple[str, ...] = tuple(sorted({r.asserts[0] for r in self.first_rules}))
        self.slot = {name: n for n, name in enumerate(self.produced)}
        self.late_rules = late_rules
        self.first: Callable[[Mapping[str, str]], FirstPass] = _generate(self, "first", self.first_rules)
        self.late: Callable[[Mapping[str, str], tuple[str, ...], tuple[str, ...]], tuple[list[int], list[str]]] = _generate(
            self, "late", late_rules, changed=(VERDICT_FACT,)
        )
        #: the first pass, its verdict and the late pass, straight off a CaseFacts (see ``_generate``)
        self.decide: Callable[..., Decided] = _generate(self, "decide", self.first_rules)
        self._what_ifs: dict[tuple[str, ...], WhatIf] = {}
        #: every input, as a session given none of them reads it
        self.absent = {name: UNDETERMINED for name in ruleset.fact_specs}
        self._lock = threading.Lock()

    def session(self) -> "_CompiledSession":
        return _CompiledSession(self)

    def evaluate(self, inputs: Mapping[str, str]) -> tuple[list[int], dict[str, str]]:
        """The first pass alone: rules fired and conclusions reached (undetermined ones absent)."""
        fired, values, _used = self.first(inputs)
        known = dict(inputs)
        known.update((name, value) for name, value in zip(self.produced, values) if value != UNDETERMINED)
        return fired, known

    def what_if(self, facts: tuple[str, ...]) -> WhatIf:
        """The what-if function for these input facts (sorted), generated on first use."""
        function = self._what_ifs.get(facts)
        if function is None:
            cone = self.graph.cone(facts)
            rules = [r for r in self.first_rules if r.asserts[0] in cone]
            function = _generate(self, "what_if", rules, changed=facts)
            with self._lock:
                function = self._what_ifs.setdefault(facts, function)
        return function

    def clash(self, first: int, second: int) -> None:
        """As ``fail``, in a what-if: a contradiction there only means that answer is not possible, so no message is built."""
        if STATED in (self.ruleset.rules[first].origin, self.ruleset.rules[second].origin):
            raise Impossible
        self.fail(first, second)

    def fail(self, first: int, second: int) -> None:
        a, b = self.ruleset.rules[first], self.ruleset.rules[second]
        if STATED in (a.origin, b.origin):
            raise contradiction(a, b)
        raise RulesetConflictError(a.asserts[0], (a.id, a.asserts[1]), (b.id, b.asserts[1]))


class _CompiledSession:
    __slots__ = ("engine", "inputs", "values", "started")

    def __init__(self, engine: CompiledEngine) -> None:
        self.engine = engine
        self.inputs: Mapping[str, str] = {}
        self.values: tuple[str, ...] = ()
        self.started = False

    def add(self, facts: Mapping[str, str]) -> list[int]:
        if not self.started:
            self.started = True
            # The generated code reads every input: one not given reads as undetermined (in forward chaining it is absent).
            absent = self.engine.absent
            self.inputs = facts = facts if absent.keys() <= facts.keys() else {**absent, **facts}
            fired, self.values, _used = self.engine.first(facts)
            return fired
        if VERDICT_FACT in facts:
            return self.engine.late(self.inputs, self.values, (facts[VERDICT_FACT],))[0]
        return []  # settled conclusions: the first pass already ran every rule reading them

    def close(self) -> None:
        self.inputs, self.values = {}, ()

    def __enter__(self) -> "_CompiledSession":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _generate(engine: CompiledEngine, mode: str, rules: list[Rule], changed: tuple[str, ...] = ()) -> Any:
    """One generated function running ``rules`` in order. ``mode`` is one of:

    * ``first(f)``: the first pass over the flat inputs ``f``: (fired, conclusions, used);
    * ``late(f, base, (verdict,))``: the late pass over a first pass's conclusions ``base``: (fired, used);
    * ``what_if(f, base, new)``: the first pass redone for ``rules`` with the facts ``changed`` given
      the values ``new``: (verdict, whether a named conclusion changed);
    * ``decide(facts)``: the first pass, the verdict it reaches and the late pass for that verdict,
      read straight off a CaseFacts: (fired, conclusions, used, verdict, late fired, late used, whether a
      doubt is held, and the flat facts where a doubt is held or ``flat`` is true, else None).

    ``used``: the input values read by fired rules' conditions that allow several (what a trace shows
    beyond which rules fired). Conclusions the rules produce start undetermined; other conclusions
    come from ``base``; a rule reading ``undetermined`` of a conclusion no rule reaches reads it so.
    """
    ruleset = engine.ruleset
    lates = [r for r in engine.late_rules] if mode == "decide" else []
    everything = rules + lates
    produced = sorted({r.asserts[0] for r in everything})
    read = sorted({c.fact for r in everything for c in r.when} - set(produced) - set(changed) - {VERDICT_FACT})
    if mode == "decide":  # every input: the flat facts are handed back when asked for
        read = sorted(set(read) | set(ruleset.fact_specs))
    local: dict[str, str] = {}
    consts: dict[str, Any] = {"fail": engine.clash if mode == "what_if" else engine.fail}
    signature = {"first": "f", "decide": "facts, flat=False"}.get(mode, "f, base, new")
    lines = [f"def {mode}({signature}):"]
    if changed:
        lines.append(f"    {', '.join(f'n{k}' for k in range(len(changed)))}, = new")
        local.update({name: f"n{k}" for k, name in enumerate(changed)})
    from_inputs = []
    for n, name in enumerate(read):
        local[name] = f"r{n}"
        if name in engine.slot and mode != "decide":
            lines.append(f"    r{n} = base[{engine.slot[name]}]")
        elif name in ruleset.fact_specs:
            from_inputs.append(name)
        else:  # a conclusion no first-pass rule reaches: never anything but undetermined
            lines.append(f"    r{n} = {UNDETERMINED!r}")
    if mode == "decide":
        consts["AGE_BANDS"] = AGE_BANDS
        lines += ["    " + line for line in read_facts({name: local[name] for name in from_inputs})]
    elif len(from_inputs) == 1:  # the inputs are complete (see _CompiledSession.add): read all at once, in one C call
        lines.append(f"    {local[from_inputs[0]]} = f[{from_inputs[0]!r}]")
    elif from_inputs:
        consts["inputs"] = operator.itemgetter(*from_inputs)
        lines.append(f"    {', '.join(local[name] for name in from_inputs)} = inputs(f)")
    producers: dict[str, list[Rule]] = {}
    for rule in everything:
        producers.setdefault(rule.asserts[0], []).append(rule)
    for n, name in enumerate(produced):
        local[name] = f"c{n}"
        # (a producer's index p<n> is set with its value, and read only once the value is set)
        lines.append(f"    c{n} = {UNDETERMINED!r}")
    recording = mode != "what_if"
    if recording:
        lines += ["    fired = []", "    fire = fired.append", "    used = []", "    use = used.append"]
    if mode == "late":
        local[VERDICT_FACT] = "n0"

    def test(cond: Condition) -> str:
        var = local[cond.fact]
        if len(cond.values) == 1:
            return f"{var} == {cond.values[0]!r}"
        key = f"s{len(consts)}"
        consts[key] = frozenset(cond.values)
        return f"{var} in {key}"

    def body(rules: list[Rule]) -> None:
        """The rules in order, as runs sharing a tested fact: each run tests that fact once per value.

        A run is a longest stretch of consecutive rules that all test one fact, none concluding it.
        Within a run, consecutive rules wanting the same values share one test, and consecutive
        such groups wanting disjoint values are chained with elif: once one matches, the others
        cannot. The order of the rules is unchanged.
        """
        i = 0
        while i < len(rules):
            if rules[i].alternatives:  # written with any:/not:: one test of its alternatives, alone
                lines.append(f"    if {' or '.join('(' + ' and '.join(test(c) for c in alt) + ')' for alt in rules[i].alternatives)}:")
                fire_rule(rules[i], [])
                i += 1
                continue
            best_fact, best_end = rules[i].when[0].fact, i + 1
            for cond in rules[i].when:
                end = i
                while (
                    end < len(rules)
                    and not rules[end].alternatives
                    and rules[end].asserts[0] != cond.fact
                    and any(c.fact == cond.fact for c in rules[end].when)
                ):
                    end += 1
                if end > best_end:
                    best_fact, best_end = cond.fact, end
            chained: set[str] | None = None
            previous: tuple[str, ...] | None = None
            for rule in rules[i:best_end]:
                keyed = next(c for c in rule.when if c.fact == best_fact)
                if keyed.values != previous:
                    if chained is not None and chained.isdisjoint(keyed.values):
                        lines.append(f"    elif {test(keyed)}:")
                        chained.update(keyed.values)
                    else:
                        lines.append(f"    if {test(keyed)}:")
                        chained = set(keyed.values)
                    previous = keyed.values
                fire_rule(rule, [c for c in rule.when if c is not keyed])
            i = best_end

    def fire_rule(rule: Rule, rest: list[Condition]) -> None:
        indent = "        "
        if rest:
            lines.append(f"        if {' and '.join(test(c) for c in rest)}:")
            indent = "            "
        if recording:
            lines.append(f"{indent}fire({rule.index})")
            for cond in rule.when:
                if len(cond.values) > 1 and cond.fact in ruleset.fact_specs:
                    lines.append(f"{indent}use({local[cond.fact]})")
        name, value = rule.asserts
        var = local[name]
        if len(producers[name]) == 1:
            lines.append(f"{indent}{var} = {value!r}")
        else:
            prod = "p" + var[1:]
            lines.append(f"{indent}if {var} == {UNDETERMINED!r}:")
            lines.append(f"{indent}    {var} = {value!r}; {prod} = {rule.index}")
            lines.append(f"{indent}elif {var} != {value!r}:")
            lines.append(f"{indent}    fail({prod}, {rule.index})")

    def verdict_expression() -> str:
        """The verdict the rules reached: the first candidate in verdict_precedence, or undetermined."""
        verdict = "VU"
        consts["VU"] = Verdict.UNDETERMINED
        for n, candidate in reversed(list(enumerate(ruleset.precedence))):
            name = engine_fact("verdict", candidate.value)[0]
            consts[f"V{n}"] = candidate
            if name in local:
                verdict = f"V{n} if {local[name]} != {UNDETERMINED!r} else ({verdict})"
            elif name in engine.slot:
                verdict = f"V{n} if base[{engine.slot[name]}] != {UNDETERMINED!r} else ({verdict})"
        return verdict

    body(rules)
    if mode == "first":
        lines.append(f"    return fired, ({', '.join(local[name] for name in engine.produced)},), used")
    elif mode == "late":
        lines.append("    return fired, used")
    elif mode == "decide":
        lines.append(f"    verdict = {verdict_expression()}")
        lines += ["    first, first_used = fired, used", "    fired, used = [], []", "    fire, use = fired.append, used.append"]
        local[VERDICT_FACT] = "verdict_value"
        lines.append("    verdict_value = verdict._value_")
        body(lates)
        doubting = " or ".join(f"{local[d.fact]} == {d.value!r}" for d in ruleset.doubts) or "False"
        values = ", ".join(local[name] for name in engine.produced)
        lines.append(f"    doubting = {doubting}")
        flat = ", ".join(f"{name!r}: {local[name]}" for name in ruleset.fact_specs)
        lines.append(f"    return first, ({values},), first_used, verdict, fired, used, doubting, {{{flat}}} if flat or doubting else None")
    else:
        named = [name for name in produced if name in ruleset.conclusions]
        now = ", ".join(local[name] for name in named)
        before = ", ".join(f"base[{engine.slot[name]}]" for name in named)
        lines.append(f"    return {verdict_expression()}, " + (f"({now},) != ({before},)" if named else "False"))
    namespace: dict[str, Any] = dict(consts)
    exec(compile("\n".join(lines), f"<compiled ruleset {ruleset.id} {mode}>", "exec"), namespace)  # noqa: S102 - code generated from validated ruleset data
    return namespace[mode]
