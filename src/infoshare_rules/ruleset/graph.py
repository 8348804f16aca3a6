"""The rules as a graph: who produces each fact, who reads it, what a fact can reach, and each rule's place.

Engines order their work by it, the trace is ordered by it, and questions use it to skip facts that
cannot matter. Computed once per ruleset (by hash) and shared.
"""

from __future__ import annotations

import threading
from typing import Iterable

from .model import Rule, Ruleset


class RuleGraph:
    """Producers and readers of every fact, and each rule's rank (its place in every trace)."""

    __slots__ = ("producers", "readers", "ranks")

    def __init__(self, ruleset: Ruleset) -> None:
        self.producers: dict[str, tuple[Rule, ...]] = {}
        self.readers: dict[str, tuple[Rule, ...]] = {}
        for rule in ruleset.rules:
            self.producers[rule.asserts[0]] = self.producers.get(rule.asserts[0], ()) + (rule,)
            for cond in rule.when:
                if rule not in self.readers.get(cond.fact, ()):
                    self.readers[cond.fact] = self.readers.get(cond.fact, ()) + (rule,)
        depth: dict[int, int] = {}

        def rule_depth(rule: Rule, seen: frozenset[int] = frozenset()) -> int:
            if rule.index not in depth:
                below = [
                    rule_depth(producer, seen | {rule.index})
                    for cond in rule.when
                    for producer in self.producers.get(cond.fact, ())
                    if producer.index not in seen and producer.index != rule.index
                ]
                depth[rule.index] = 1 + max(below, default=0)
            return depth[rule.index]

        #: (stratum, derivation depth, ruleset order) of each rule, by index. The depth is one more than
        #: the deepest rule producing something the rule reads, so a rule comes after every rule whose
        #: conclusion it uses (a producer's stratum is never above its reader's): an order in which one
        #: pass over the rules reaches the fixed point, and the order of every trace, whatever the engine.
        self.ranks: tuple[tuple[int, int, int], ...] = tuple((r.stratum, rule_depth(r), r.index) for r in ruleset.rules)

    def cone(self, facts: Iterable[str]) -> frozenset[str]:
        """The facts these can change: every conclusion some chain of rules reading them reaches."""
        reached: set[str] = set()
        todo = list(facts)
        while todo:
            for rule in self.readers.get(todo.pop(), ()):
                name = rule.asserts[0]
                if name not in reached:
                    reached.add(name)
                    todo.append(name)
        return frozenset(reached)


_graphs: dict[str, RuleGraph] = {}
_lock = threading.Lock()


def rule_graph(ruleset: Ruleset) -> RuleGraph:
    """The ruleset's graph, built once per process."""
    graph = _graphs.get(ruleset.hash)
    if graph is None:
        built = RuleGraph(ruleset)
        with _lock:
            graph = _graphs.setdefault(ruleset.hash, built)
    return graph
