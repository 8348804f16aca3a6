"""The reference engine: pure-Python forward chaining, the plain specification of the semantics.

It runs everywhere, including Python 3.13+ where durable-rules does not import.
"""

from __future__ import annotations

from typing import Mapping

from ..errors import InfoshareError
from ..ruleset.model import Rule, Ruleset
from .base import FactBase


class ReferenceEngine:
    """Pure-Python forward chaining, breadth first, in ruleset order within each round."""

    name = "reference"

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self.watchers: dict[str, list[Rule]] = {}
        for rule in ruleset.rules:
            for cond in rule.when:
                self.watchers.setdefault(cond.fact, []).append(rule)
        #: each rule's alternatives (one, for a rule of plain fact tests): it fires where every test of one holds
        self.wanted = {
            rule.index: [[(c.fact, frozenset(c.values)) for c in alternative] for alternative in rule.disjuncts] for rule in ruleset.rules
        }

    def session(self) -> "_ReferenceSession":
        return _ReferenceSession(self)


class _ReferenceSession:
    def __init__(self, engine: ReferenceEngine) -> None:
        self.engine = engine
        self.base = FactBase(engine.ruleset.rules)

    def add(self, facts: Mapping[str, str]) -> list[int]:
        start = len(self.base.fired)
        values = self.base.values
        for name, value in facts.items():
            if values.setdefault(name, value) != value:
                raise InfoshareError(f"fact {name!r} is already {values[name]!r}, cannot set it to {value!r}")
        changed = set(facts)
        while changed:
            candidates = sorted(
                {r.index for name in changed for r in self.engine.watchers.get(name, ())} - self.base.fired_set
            )
            changed = set()
            for index in candidates:
                if any(all(values.get(name) in wanted for name, wanted in tests) for tests in self.engine.wanted[index]):
                    added = self.base.fire(index)
                    if added:
                        changed.add(added[0])
        return self.base.fired[start:]

    def close(self) -> None:
        self.base = FactBase(())

    def __enter__(self) -> "_ReferenceSession":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
