"""The whole input space of one or more rulesets, as binary decision diagrams (BDDs).

Every fact the rules test ranges over its enum values, ``unknown`` included. Each fact is encoded
in ``ceil(log2(k))`` bits with ``unknown`` as code 0, so "as few known facts as possible" means "as
few facts with a bit set as possible", which a shortest-path walk over a BDD finds exactly. A set
of inputs is a BDD over those bits; ``domain`` excludes the unused codes.

Why BDDs: counting the inputs of a region must be exact (2^88 combinations for the national
ruleset), and the same diagrams give witnesses and equivalence proofs (benchmarks/bench_analysis.py
compares with z3). CUDD (``dd.cudd``) does the work; counts are computed here with Python integers,
since CUDD counts in floating point.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, TypeAlias

from ..errors import EngineUnavailableError
from ..facts.model import AGE_IN_BAND, FACT_SPECS, UNKNOWN

try:
    from dd import cudd as _bdd_module
except ImportError:  # dd builds without CUDD from source where it has no wheel: its pure-Python BDDs (slower, same answers)
    try:
        from dd import autoref as _bdd_module
    except ImportError:
        _bdd_module = None

# dd ships no type information: a BDD node (cudd.Function) is typed as Any.
BDD: TypeAlias = Any


class InputSpace:
    """The facts (as rules test them) and the BDD variables that encode them."""

    def __init__(self, facts: Iterable[str]) -> None:
        if _bdd_module is None:
            raise EngineUnavailableError(
                "deciding by cases, infoshare check and diff need the dd package (binary decision diagrams): pip install dd"
            )
        self.facts: tuple[str, ...] = tuple(dict.fromkeys(facts))
        self.manager = _bdd_module.BDD()
        self.manager.configure(reordering=False)  # levels must keep each fact's bits together, in order
        self.values: dict[str, tuple[str, ...]] = {}
        self.bits: dict[str, tuple[str, ...]] = {}
        self.fact_of_level: list[str] = []
        for n, fact in enumerate(self.facts):
            declared = FACT_SPECS[fact].values
            values = (UNKNOWN, *(v for v in declared if v != UNKNOWN))  # unknown is code 0
            width = max(1, math.ceil(math.log2(len(values))))
            names = tuple(f"f{n}_{b}" for b in range(width))
            self.manager.declare(*names)
            self.values[fact] = values
            self.bits[fact] = names
            self.fact_of_level += [fact] * width
        self.nvars = len(self.fact_of_level)
        self.true = self.manager.true
        self.false = self.manager.false
        self._eq: dict[tuple[str, str], BDD] = {}
        self._assign: dict[tuple[str, str], dict[str, bool]] = {}
        self.domain = self.true
        for fact in self.facts:
            self.domain &= self.any_of(fact, self.values[fact])

    # ------------------------------------------------------------ building regions

    def eq(self, fact: str, value: str) -> BDD:
        """The inputs where ``fact`` has ``value``."""
        key = (fact, value)
        found = self._eq.get(key)
        if found is None:
            code = self.values[fact].index(value)
            found = self.true
            for b, name in enumerate(self.bits[fact]):
                var = self.manager.var(name)
                found &= var if (code >> b) & 1 else ~var
            self._eq[key] = found
        return found

    def any_of(self, fact: str, values: Iterable[str]) -> BDD:
        found = self.false
        for value in values:
            found |= self.eq(fact, value)
        return found

    def assign(self, fact: str, value: str) -> dict[str, bool]:
        """The bit assignment that sets ``fact`` to ``value`` (for substitution with ``let``). Do not modify it."""
        key = (fact, value)
        found = self._assign.get(key)
        if found is None:
            code = self.values[fact].index(value)
            found = self._assign[key] = {name: bool((code >> b) & 1) for b, name in enumerate(self.bits[fact])}
        return found

    def substitute(self, region: BDD, fact: str, value: str) -> BDD:
        """``region`` with ``fact`` replaced by ``value`` (the inputs whose what-if lands in region)."""
        return self.manager.let(self.assign(fact, value), region)

    # ------------------------------------------------------------ reading regions

    def count(self, region: BDD) -> int:
        """The exact number of input combinations (of the facts in this space) in ``region``."""
        return self._count(region & self.domain)

    def _count(self, u: BDD) -> int:
        memo: dict[int, int] = {}
        n = self.nvars

        def below(node: BDD) -> tuple[int, int]:
            """(level, models over the variables at level and below) of ``node``."""
            if node == self.true:
                return n, 1
            if node == self.false:
                return n, 0
            level = node.level
            regular = ~node if node.negated else node
            key = int(regular)
            total = memo.get(key)
            if total is None:
                total = 0
                for child in (regular.low, regular.high):
                    child_level, child_count = below(child)
                    total += child_count << (child_level - level - 1)
                memo[key] = total
            if node.negated:
                total = (1 << (n - level)) - total
            return level, total

        try:
            level, total = below(u)
        finally:
            # A recursive closure is a reference cycle holding this space (and its BDD manager): break it
            # now, so the garbage collector never frees the manager before its nodes (CUDD asserts at exit).
            memo.clear()
            del below
        return total << level

    def witness(self, region: BDD) -> dict[str, str] | None:
        """An input in ``region`` with as few known (non-unknown) facts as possible, or None if empty.

        A shortest path over the BDD: a fact costs 1 when any of its bits is set; bits a path skips are 0.
        """
        u = region & self.domain
        if u == self.false:
            return None
        infinity = self.nvars + 1
        memo: dict[tuple[int, bool], tuple[int, int | None]] = {}
        nodes: dict[int, BDD] = {}

        def children(node: BDD) -> tuple[BDD, BDD]:
            low, high = node.low, node.high
            return (~low, ~high) if node.negated else (low, high)

        def cost(node: BDD, started: bool) -> int:
            """Fewest known facts on a path from ``node`` to true; ``started``: a bit of this node's fact is already set."""
            if node == self.true:
                return 0
            if node == self.false:
                return infinity
            key = (int(node), started)
            if key in memo:
                return memo[key][0]
            nodes[int(node)] = node
            fact = self.fact_of_level[node.level]
            best, choice = infinity, None
            for bit, child in enumerate(children(node)):
                now = started or bool(bit)
                same = child not in (self.true, self.false) and self.fact_of_level[child.level] == fact
                c = cost(child, now) if same else cost(child, False) + (1 if now else 0)
                if c < best:
                    best, choice = c, bit
            memo[key] = (best, choice)
            return best

        try:
            cost(u, False)
            return self._walk(u, memo, children)
        finally:
            # Break the recursive closure's reference cycle (see _count).
            nodes.clear()
            del cost, children

    def _walk(self, u: BDD, memo: dict[tuple[int, bool], tuple[int, int | None]], children) -> dict[str, str]:  # type: ignore[no-untyped-def]
        bits: dict[int, int] = {}
        node, started = u, False
        while node not in (self.true, self.false):
            bit = memo[(int(node), started)][1]
            assert bit is not None
            bits[node.level] = bit
            fact = self.fact_of_level[node.level]
            node = children(node)[bit]
            same = node not in (self.true, self.false) and self.fact_of_level[node.level] == fact
            started = (started or bool(bit)) if same else False
        return self.decode(bits)

    def decode(self, bits: Mapping[int, int]) -> dict[str, str]:
        """The known facts of a (partial) bit assignment by level; unset bits are 0."""
        out: dict[str, str] = {}
        level = 0
        for fact in self.facts:
            code = 0
            for b in range(len(self.bits[fact])):
                code |= bits.get(level + b, 0) << b
            level += len(self.bits[fact])
            value = self.values[fact][code]
            if value != UNKNOWN:
                out[fact] = value
        return out

    def contains(self, region: BDD, flat: Mapping[str, str]) -> bool:
        """Whether the input ``flat`` (``{"group.field": value}``, as flatten() gives) lies in ``region``."""
        bits: dict[str, bool] = {}
        for fact in self.facts:
            bits.update(self.assign(fact, flat.get(fact, UNKNOWN)))
        return bool(self.manager.let(bits, region) == self.true)

    def depends_on(self, region: BDD, fact: str) -> bool:
        """Whether some input's membership in ``region`` changes with the value of ``fact`` alone."""
        values = self.values[fact]
        first = self.substitute(region, fact, values[0])
        rest = self.domain
        return any((self.substitute(region, fact, v) ^ first) & rest != self.false for v in values[1:])


def facts_document(flat: Mapping[str, str]) -> dict[str, dict[str, object]]:
    """A facts JSON document (as ``infoshare decide`` reads) for flat known facts; the age band becomes an age."""
    doc: dict[str, dict[str, object]] = {}
    for name, value in sorted(flat.items()):
        group, field = name.split(".")
        if name == "child.age_band":
            doc.setdefault("child", {})["age"] = AGE_IN_BAND[value]
        else:
            doc.setdefault(group, {})[field] = value
    return doc
