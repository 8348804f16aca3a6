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
from ..facts.model import AGE_IN_BAND, FACT_SPECS, UNKNOWN, FactSpec

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

    def __init__(self, facts: Iterable[str], specs: Mapping[str, FactSpec] = FACT_SPECS) -> None:
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
            declared = specs[fact].values
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
        self._known: list[BDD] | None = None
        self._at_most_cache: dict[int, BDD] = {}
        self.domain = self.true
        for fact in self.facts:
            self.domain &= self.any_of(fact, self.values[fact])

    def bound_cache(self, entries: int = 1 << 20) -> None:
        """Cap CUDD's computed table (its memo of operations) at ``entries`` (~40 bytes each); it grows
        unbounded otherwise. Diagrams are canonical, so results are the same; for an analysis of a large
        ruleset this halves the peak RSS at about the same CPU (bench_analysis.py, 300 rules: 628 -> 318 MB)."""
        if _bdd_module is not None and _bdd_module.__name__ == "dd.cudd":
            self.manager.configure(max_cache_hard=entries)

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

        Of those, the first in bit order with 0 before 1 (level by level): the smallest ``k`` with an input
        in ``region`` knowing at most ``k`` facts, then each bit fixed in level order to 0 where some such
        input remains. The first input of the whole region (unknown is code 0, so it knows few facts) bounds
        ``k``; where no input knows fewer facts, it is the answer (one conjunction); otherwise a binary
        search finds ``k`` (a handful of conjunctions, not one per ``k``: a complete case knows most facts).
        """
        u = region & self.domain
        if u == self.false:
            return None
        known = self._known_bdds()
        first = self._first(u)
        found = self.decode(first)
        high = len(found)  # an input knowing this many facts: the first one
        fewer = u & self._at_most(high - 1, known) if high else self.false
        if fewer == self.false:
            return found  # the first input of all knows as few facts as any: the first of those
        low, high, candidates = 0, high - 1, fewer
        while low < high:
            k = (low + high) // 2
            here = u & self._at_most(k, known)
            if here != self.false:
                high, candidates = k, here
            else:
                low = k + 1
        return self.decode(self._first(candidates))

    def _first(self, candidates: BDD) -> dict[int, int]:
        """The first input (bit order, 0 before 1) of a non-empty ``candidates``: its bits set to 1, by level.

        Each bit in level order: 0 where some candidate remains, else 1. The levels are the variables in
        order (reordering is off), so the candidates with the bits fixed so far are a node of the diagram
        (a cofactor): a level above its top variable is free (0), else its low child, else its high one.
        """
        bits: dict[int, int] = {}
        false = self.false
        node = candidates
        for level in range(self.nvars):
            if node.level != level:
                continue  # the function does not read this bit here: 0 keeps every candidate
            low_child, high_child = node.low, node.high
            if node.negated:
                low_child, high_child = ~low_child, ~high_child
            if low_child != false:
                node = low_child
            else:
                node = high_child
                bits[level] = 1
        return bits

    def _known_bdds(self) -> list[BDD]:
        found = self._known
        if found is None:
            found = self._known = [~self.eq(fact, UNKNOWN) for fact in self.facts]
        return found

    def _at_most(self, k: int, known: list[BDD]) -> BDD:
        """The inputs with at most ``k`` facts known."""
        cache = self._at_most_cache
        found = cache.get(k)
        if found is None:
            # at_most[j]: at most j known among the facts from the last back to this one (bottom-up)
            at_most = [self.true] * (k + 1)  # over no facts: at most j known, for every j
            for kn in reversed(known):
                at_most = [(~kn & at_most[j]) | (kn & at_most[j - 1]) if j else (~kn & at_most[0]) for j in range(k + 1)]
            found = cache[k] = at_most[k]
        return found

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
