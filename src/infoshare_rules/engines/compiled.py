"""The compiled engine: a ruleset turned, once, into one straight-line Python function.

The rules are stratified and each fires at most once, so when every rule is placed after all the
rules whose conclusions it reads (a topological order of the conclusion graph), a single pass
computes the same fixed point as forward chaining, including ``undetermined`` (a conclusion is
settled once all its producers are behind). The generated code binds every input to a local,
tests conditions with ``==`` or a frozenset, and records each firing; conflicts are detected as
the reference engine detects them. Its results are proven equal to the reference engine's by a
hypothesis property (tests/test_compiled_engine.py).

It speaks the same session contract as the other engines: the first ``add`` (the inputs) runs the
whole first pass; ``add`` of the settled (undetermined) conclusions adds nothing new, as they were
settled in that pass; ``add`` of the verdict runs the rules that read it.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ..errors import EngineUnavailableError, RulesetConflictError
from ..facts.model import FACT_SPECS
from ..ruleset.model import STATED, UNDETERMINED, VERDICT_FACT, Rule, Ruleset
from .base import contradiction


class CompiledEngine:
    name = "compiled"

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        first = [r for r in ruleset.rules if not any(c.fact == VERDICT_FACT for c in r.when)]
        late = [r for r in ruleset.rules if any(c.fact == VERDICT_FACT for c in r.when)]
        self._first = _compile(ruleset, _topological(first), "first")
        self._late = _compile(ruleset, late, "late")

    def session(self) -> "_CompiledSession":
        return _CompiledSession(self)

    def evaluate(self, inputs: Mapping[str, str]) -> tuple[list[int], dict[str, str]]:
        """The first pass alone: rules fired and conclusions reached (undetermined ones absent)."""
        return self._first(inputs, self._fail)

    def _fail(self, first: int, second: int) -> None:
        a, b = self.ruleset.rules[first], self.ruleset.rules[second]
        if STATED in (a.origin, b.origin):
            raise contradiction(a, b)
        raise RulesetConflictError(a.asserts[0], (a.id, a.asserts[1]), (b.id, b.asserts[1]))


class _CompiledSession:
    __slots__ = ("engine", "known", "started")

    def __init__(self, engine: CompiledEngine) -> None:
        self.engine = engine
        self.known: dict[str, str] = {}
        self.started = False

    def add(self, facts: Mapping[str, str]) -> list[int]:
        if not self.started:
            self.started = True
            fired, self.known = self.engine.evaluate(facts)
            return fired
        if VERDICT_FACT in facts:
            fired, _ = self.engine._late({**self.known, **facts}, self.engine._fail)
            return fired
        return []  # settled conclusions: the first pass already ran every rule reading them

    def close(self) -> None:
        self.known = {}

    def __enter__(self) -> "_CompiledSession":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _topological(rules: list[Rule]) -> list[Rule]:
    """Rules ordered so that every rule comes after all the rules producing what it reads."""
    producers: dict[str, list[Rule]] = {}
    for rule in rules:
        producers.setdefault(rule.asserts[0], []).append(rule)
    order: list[Rule] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(name: str) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise EngineUnavailableError(f"the compiled engine needs acyclic conclusions; {name!r} depends on itself")
        state[name] = 1
        for rule in producers.get(name, ()):
            for cond in rule.when:
                if cond.fact in producers:
                    visit(cond.fact)
        state[name] = 2
        order.extend(producers.get(name, ()))

    for rule in rules:
        visit(rule.asserts[0])
    return order


def _compile(ruleset: Ruleset, rules: list[Rule], label: str) -> Callable[..., tuple[list[int], dict[str, str]]]:
    inputs = sorted({c.fact for r in rules for c in r.when if c.fact in FACT_SPECS or c.fact == VERDICT_FACT})
    produced = sorted({r.asserts[0] for r in rules})
    local = {name: f"i{n}" for n, name in enumerate(inputs)}
    local.update({name: f"c{n}" for n, name in enumerate(produced)})
    producer = {name: f"p{n}" for n, name in enumerate(produced)}
    consts: dict[str, Any] = {}
    lines = [f"def evaluate_{label}(f, fail):", "    fired = []", "    known = dict(f)"]
    lines += [f"    {local[name]} = f.get({name!r}, {UNDETERMINED!r})" for name in inputs]
    # A conclusion not yet reached reads as undetermined: every producer of it comes earlier.
    lines += [f"    {local[name]} = {UNDETERMINED!r}; {producer[name]} = -1" for name in produced]
    for rule in rules:
        tests = []
        for cond in rule.when:
            var = local.get(cond.fact)
            if var is None:  # a conclusion of an earlier stage (the late rules read the first pass)
                var = f"known.get({cond.fact!r}, {UNDETERMINED!r})"
            if len(cond.values) == 1:
                tests.append(f"{var} == {cond.values[0]!r}")
            else:
                key = f"s{len(consts)}"
                consts[key] = frozenset(cond.values)
                tests.append(f"{var} in {key}")
        name, value = rule.asserts
        var, prod = local[name], producer[name]
        lines.append(f"    if {' and '.join(tests)}:")
        lines.append(f"        fired.append({rule.index})")
        lines.append(f"        if {var} == {UNDETERMINED!r}:")
        lines.append(f"            {var} = {value!r}; {prod} = {rule.index}; known[{name!r}] = {value!r}")
        lines.append(f"        elif {var} != {value!r}:")
        lines.append(f"            fail({prod}, {rule.index})")
    lines.append("    return fired, known")
    namespace: dict[str, Any] = dict(consts)
    exec(compile("\n".join(lines), f"<compiled ruleset {ruleset.id} {label}>", "exec"), namespace)  # noqa: S102 - code generated from validated ruleset data
    return namespace[f"evaluate_{label}"]  # type: ignore[no-any-return]
