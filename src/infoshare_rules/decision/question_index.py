"""Every case's exact questions from one precompiled diagram per ruleset (issue 18 item 2).

``CaseSpace._decisive`` works a case's questions out with diagrams restricted to the case: exact, but
about a hundred BDD operations a case. :func:`prepare` builds instead, once per ruleset, the same
criteria *symbolically over all cases at once*: a copy ``y`` of the input variables stands for the
case (``unknown`` is code 0, as in the input space), the original ``x`` for its completions, and

* ``Comp(y, x)``: x completes y (as ``CaseSpace._domain``);
* ``G(y, x, r)``: the completions giving verdict r; ``Reach(y, r) = ∃x G``;
* ``E(y, x, r)``: ``CaseSpace._effective_regions``, each step guarded by "the fact is unknown in y";
* for each fact f, ``D_f(y)``: criteria (a) and (b) of ``CaseSpace._decisive`` and, for a fact a presumption
  fills, (c), as formulas, each worked out with f unknown in y (where it is asked). (b), "some answer a to f
  alone reaches verdicts, and not the case's", is ``∃r Reach(y[f := a]) & ∃r (Reach(y[f := a]) xor Reach(y))``,
  for a fact no presumption fills only where two or more verdicts are reachable (as ``_decisive`` applies it).

One diagram over (o, y) holds every answer: output o < len(facts) where fact o is decisive (``D_f``), output
len(facts) + i where verdict i is reachable (``∃r Reach & r = i``), o's bits at the top. A case's reachable
verdicts and questions are then one substitution of y, leaving a small diagram over o, decoded once per distinct
answer (the 362 benchmark cases share 65). The per-case path stays the reference (tests check both agree). (b)
for the facts no presumption fills adds about a third to the build; applied at lookup instead, it cost most
of a lookup. Needs CUDD (``dd.cudd``); without it :func:`prepare` returns False and decide() keeps the
per-case path.
"""

from __future__ import annotations

import ctypes
import itertools
import threading
from typing import Any, Mapping

from ..facts.model import UNKNOWN
from ..ruleset.model import Ruleset
from ..ruleset.verdict import Verdict
from .cases import CaseSpace, case_space

try:
    from dd import cudd as _cudd
except ImportError:  # pragma: no cover - dd built without CUDD
    _cudd = None

BDD = Any


class QuestionIndex:
    """One ruleset's reachable verdicts and questions over all cases (build: seconds of CPU and hundreds of MB;
    see README)."""

    def __init__(self, cs: CaseSpace) -> None:
        if _cudd is None:  # pragma: no cover
            raise RuntimeError("the question index needs dd.cudd")
        cudd = _cudd
        sp = cs.space
        self.facts: tuple[str, ...] = tuple(sp.facts)
        self.values: dict[str, tuple[str, ...]] = {f: tuple(sp.values[f]) for f in sp.facts}
        M = self.manager = cudd.BDD()
        M.configure(reordering=False)
        self.verdicts = list(cs.verdicts)
        nr = max(1, (len(self.verdicts) - 1).bit_length())
        rb, rb2 = [f"r{i}" for i in range(nr)], [f"s{i}" for i in range(nr)]
        # o's bits first: the facts' outputs, then the verdicts'
        nq = max(1, (len(sp.facts) + len(self.verdicts) - 1).bit_length())
        qb = [f"q{i}" for i in range(nq)]
        M.declare(*qb)
        for a, b in zip(rb, rb2, strict=True):
            M.declare(a, b)
        self.ybits: dict[str, tuple[str, ...]] = {}
        xbits: dict[str, tuple[str, ...]] = {}
        for n, f in enumerate(sp.facts):
            self.ybits[f] = tuple(f"y{n}_{b}" for b in range(len(sp.bits[f])))
            M.declare(*self.ybits[f], *sp.bits[f])  # y and x of one fact side by side
            xbits[f] = tuple(sp.bits[f])
        allx = [b for f in sp.facts for b in xbits[f]]

        def T(u: BDD) -> BDD:
            return cudd.copy_bdd(u, M)

        def code(bits: list[str], k: int) -> BDD:
            u = M.true
            for i, b in enumerate(bits):
                u &= M.var(b) if (k >> i) & 1 else ~M.var(b)
            return u

        to_y = {x: y for f in sp.facts for x, y in zip(xbits[f], self.ybits[f], strict=True)}
        pres = set(cs._fires)
        self.presumable = frozenset(pres)
        ux = {f: T(sp.eq(f, UNKNOWN)) for f in sp.facts}
        uy = {f: M.let(to_y, ux[f]) for f in sp.facts}
        eqx = {(f, v): T(sp.eq(f, v)) for f in sp.facts for v in sp.values[f]}
        pres_y = {x: to_y[x] for p in pres for x in xbits[p]}
        comp = M.true
        for f in sp.facts:
            same = M.true
            for xb, yb in zip(xbits[f], self.ybits[f], strict=True):
                same &= M.apply("<=>", M.var(xb), M.var(yb))
            unknown = M.apply("<=>", ux[f], M.let(pres_y, T(cs._fires[f]))) if f in pres else ~ux[f]
            comp &= (~uy[f] & same) | (uy[f] & unknown)
        G = M.false
        for i, region in enumerate(cs.verdicts.values()):
            G |= code(rb, i) & T(region)
        G &= comp
        reach = M.exist(allx, G)
        E = G
        for s, derived in cs._derived.items():
            E |= uy[s] & ux[s] & M.exist(list(xbits[s]), E & T(derived))
        for p in (f for f in sp.facts if f in pres):
            at = E & ux[p]
            add = M.false
            for a, fires in cs._fires_value[p].items():
                add |= eqx[(p, a)] & M.exist(list(xbits[p]), at & M.let(pres_y, T(fires)))
            E |= uy[p] & add
        del G
        rename = dict(zip(rb, rb2, strict=True))
        neq = M.false
        for i, j in itertools.permutations(range(len(self.verdicts)), 2):
            neq |= code(rb, i) & code(rb2, j)
        two = M.exist(rb + rb2, reach & M.let(rename, reach) & neq)
        qv = rb + rb2 + allx
        # One output diagram over (o, y): output o < len(facts) holds where fact o is decisive, output
        # len(facts) + i where verdict i is reachable; o (the q bits) at the top, so a case's substitution of y
        # leaves a diagram over o alone, the case's whole answer.
        nf = len(sp.facts)
        out = M.false
        for n, f in enumerate(sp.facts):
            # everything below is asked only where f is unknown in y (uy[f]): worked out there, over the
            # other facts' y (smaller diagrams, and the same answers once guarded)
            at_u = {b: False for b in self.ybits[f]}  # unknown is code 0
            H = M.exist(list(xbits[f]), M.let(at_u, E))
            Hw = M.let(rename, H) & neq
            found = cudd.and_exists(H, Hw, qv)  # (a)
            # (b): some answer a to f alone reaches verdicts, and not the case's. The per-case path applies it
            # to a fact no presumption fills only where two or more verdicts are reachable (a decided case
            # changes only where a presumption stood), to a fact a presumption fills always, and then (c).
            reach_u, two_u = M.let(at_u, reach), M.let(at_u, two)
            changed = M.false
            for k, a in enumerate(sp.values[f][1:], start=1):
                at_a = {b: bool((k >> i) & 1) for i, b in enumerate(self.ybits[f])}
                ra = M.let(at_a, reach)
                after = M.exist(rb, ra)
                changed |= after & M.exist(rb, M.apply("xor", ra, reach_u))
                if f in pres:  # (c): answering a presumable fact re-decides the other presumptions
                    seen = M.exist(list(xbits[f]), M.let(at_a, E))
                    found |= after & two_u & cudd.and_exists(seen, Hw, qv)
            found |= changed if f in pres else changed & two_u
            out |= code(qb, n) & uy[f] & found
        for i in range(len(self.verdicts)):
            out |= code(qb, nf + i) & M.exist(rb, reach & code(rb, i))
        # Only that diagram is read at lookup: copied into a manager of its own (o and y variables in the same
        # order), the build's manager and its dead nodes are freed when this returns. That gives back the
        # build's memory and spares a lookup CUDD's garbage collection of the build's nodes (one lookup, early
        # on, used to pay about 1 s for it).
        keep = cudd.BDD()
        keep.configure(reordering=False)
        keep.declare(*qb, *(b for f in sp.facts for b in self.ybits[f]))
        self.out = cudd.copy_bdd(out, keep)
        self.manager = keep
        self.qb = qb
        #: each fact's y bits for each of its values, so that a lookup's assignment is a few dict updates
        self._ybit_values: dict[str, dict[str, dict[str, bool]]] = {
            f: {v: {b: bool((k >> i) & 1) for i, b in enumerate(self.ybits[f])} for k, v in enumerate(self.values[f])}
            for f in self.facts
        }
        del E, H, Hw, found, changed, comp, two, out, reach, reach_u, two_u
        #: a case's answer (a diagram over o, canonical in ``manager``) decoded: its reachable verdicts in
        #: precedence order and its decisive facts. Cases share answers (the 362 benchmark cases have 65)
        self._decoded: dict[BDD, tuple[tuple[Verdict, ...], frozenset[str]]] = {}
        self._order = {v: n for n, v in enumerate((*cs.rules.precedence, Verdict.UNDETERMINED))}
        self._lock = threading.Lock()  # the index's own CUDD manager is not thread-safe

    def _at(self, inputs: Mapping[str, str]) -> dict[str, bool]:
        at: dict[str, bool] = {}
        for f, bits in self._ybit_values.items():
            at.update(bits[inputs.get(f, UNKNOWN)])
        return at

    def lookup(self, inputs: Mapping[str, str]) -> tuple[tuple[Verdict, ...], frozenset[str]]:
        """The verdicts reachable from ``inputs`` (flat facts), in precedence order, and its decisive facts,
        exactly as ``CaseSpace._regions`` and ``CaseSpace._decisive`` find them: one substitution."""
        with self._lock:
            u = self.manager.let(self._at(inputs), self.out)
            found = self._decoded.get(u)
            if found is None:
                found = self._decode(u)
                if len(self._decoded) >= _DECODED_MAX:
                    self._decoded.clear()
                self._decoded[u] = found
        return found

    def _decode(self, u: BDD) -> tuple[tuple[Verdict, ...], frozenset[str]]:
        nf = len(self.facts)
        outputs = [_code(m, self.qb) for m in self.manager.pick_iter(u, care_vars=self.qb)]
        reached = sorted((self.verdicts[o - nf] for o in outputs if o >= nf), key=self._order.__getitem__)
        return tuple(reached), frozenset(self.facts[o] for o in outputs if o < nf)

    def decisive(self, inputs: Mapping[str, str]) -> frozenset[str]:
        """The decisive facts of ``inputs`` (flat facts), exactly as ``CaseSpace._decisive`` finds them."""
        return self.lookup(inputs)[1]

    def reachable(self, inputs: Mapping[str, str]) -> tuple[Verdict, ...]:
        """The verdicts some consistent completion of ``inputs`` gives, as ``CaseSpace.reachable``."""
        return self.lookup(inputs)[0]


#: decoded answers kept per index (each a few hundred bytes and its diagram's few nodes)
_DECODED_MAX = 4096


def _code(model: Mapping[str, bool], bits: list[str]) -> int:
    return sum(1 << i for i, b in enumerate(bits) if model[b])


_build_lock = threading.Lock()


def prepare(ruleset: Ruleset | None = None) -> bool:
    """Precompile ``ruleset``'s questions (default: the national ruleset) so that decide() works a case's
    questions (and its reachable verdicts, with or without questions) out by lookup, not per case. Idempotent; returns False where CUDD is unavailable (decide()
    then keeps the per-case path, same answers). Costs seconds of CPU and hundreds of MB once per
    process and ruleset (see README, Speed)."""
    from ..ruleset.loader import load_ruleset

    rules = ruleset if ruleset is not None else load_ruleset()
    if _cudd is None:  # pragma: no cover
        return False
    cs = case_space(rules)
    with _build_lock:
        if cs.question_index is None:
            index = QuestionIndex(cs)
            cs.question_index = index.lookup
            cs._memo.clear()
            _give_back_memory()
    return True


def _give_back_memory() -> None:
    """Return the build's freed memory to the system where the C library can (glibc's ``malloc_trim``).

    The build's manager is freed when the index is built, but the allocator keeps its pages: without this a
    prepared process keeps several hundred MB of RSS it no longer uses (see README, Speed)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):  # pragma: no cover - not glibc
        return
    trim(0)


def prepared(ruleset: Ruleset) -> bool:
    """Whether :func:`prepare` has run for ``ruleset`` in this process."""
    return case_space(ruleset).question_index is not None
