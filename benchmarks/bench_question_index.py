"""A prototype for issue 18 item 2: every case's exact questions as one precompiled diagram.

``decide()`` works a new case's questions out with diagrams restricted to the case (``decision/cases.py``):
exact, but ~100 BDD operations a case. This script builds instead, once per ruleset, the same three
criteria *symbolically over all cases at once*: a second copy ``y`` of the input variables stands for
the case (``unknown`` is code 0, as in the input space), the original ``x`` for its completions, and

* ``Comp(y, x)``: x completes y (a known fact kept; an unknown fact no presumption fills takes a known
  value; one a presumption fills stays unknown exactly where its presumptions fire, decided with the
  case's presumable facts unknown, as ``CaseSpace._domain`` does);
* ``G(y, x, r)``: the completions giving verdict r; ``Reach(y, r) = ∃x G``;
* ``E(y, x, r)``: ``CaseSpace._effective_regions``, each step guarded by "the fact is unknown in y";
* for each fact f, ``D_f(y)``: criteria (a), (b) and (c) of ``CaseSpace._decisive`` as formulas.

A case's questions are then one substitution of y: ``let(y, D)``, with D = OR_f (q = f) & D_f. The script
checks, on the shipped examples, seeded flowchart-level partial cases and ``{}``, that the index gives
exactly the decisive facts and reachable verdicts ``CaseSpace.outcome`` gives, then times both and
``outcome(questions=False)`` on new cases (memo emptied), CPU time. It reads CaseSpace's private
structure: it is a measurement, not library code. Usage: python benchmarks/bench_question_index.py
"""

from __future__ import annotations

import itertools
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import shipped_facts  # noqa: E402

from infoshare_rules import facts_from_dict, load_ruleset  # noqa: E402
from infoshare_rules.decision.cases import case_space  # noqa: E402
from infoshare_rules.facts.model import UNKNOWN, flatten  # noqa: E402

try:
    import dd.cudd as cudd
except ImportError:  # pragma: no cover
    sys.exit("needs dd with CUDD (dd.cudd)")

DIRECT = {
    "purpose": ["legitimate"],
    "information": ["identifiable", "confidential"],
    "consent": ["have_consent"],
    "legal": ["statutory_duty", "court_order"],
    "public_interest": ["practitioner_judgement"],
}


def cases() -> list[dict[str, str]]:
    return [flatten(f) for f in case_facts()]


def case_facts() -> list:  # type: ignore[type-arg]
    """The shipped examples, 60 seeded flowchart-level partial cases and {}, as CaseFacts."""
    rng = random.Random(1)
    flow = []
    for _ in range(60):
        doc: dict[str, dict[str, str]] = {}
        for group, fields in DIRECT.items():
            for field in fields:
                options = ["sufficient", "insufficient", "unknown"] if field == "practitioner_judgement" else ["yes", "no", "unknown"]
                value = rng.choice(options)
                if value != "unknown":
                    doc.setdefault(group, {})[field] = value
        flow.append(facts_from_dict(doc))
    return [*shipped_facts(), *flow, facts_from_dict({})]


class QuestionIndex:
    def __init__(self, cs) -> None:  # type: ignore[no-untyped-def]
        sp = cs.space
        self.sp = sp
        M = self.M = cudd.BDD()
        M.configure(reordering=False)
        self.verdicts = list(cs.verdicts)
        nr = max(1, (len(self.verdicts) - 1).bit_length())
        rb, rb2 = [f"r{i}" for i in range(nr)], [f"s{i}" for i in range(nr)]
        # the fact asked first, at the top: D is then a selector over the facts' own diagrams (the sum of
        # their sizes; below y it would hold every case's whole set), and a case's substitution of y
        # leaves a diagram over q alone
        nq = max(1, (len(sp.facts) - 1).bit_length())
        qb = [f"q{i}" for i in range(nq)]
        M.declare(*qb)
        for a, b in zip(rb, rb2, strict=True):
            M.declare(a, b)
        self.ybits: dict[str, tuple[str, ...]] = {}
        xbits = {}
        for n, f in enumerate(sp.facts):
            self.ybits[f] = tuple(f"y{n}_{b}" for b in range(len(sp.bits[f])))
            M.declare(*self.ybits[f], *sp.bits[f])  # y and x of one fact side by side
            xbits[f] = sp.bits[f]
        allx = [b for f in sp.facts for b in xbits[f]]

        def T(u):  # type: ignore[no-untyped-def]
            return cudd.copy_bdd(u, M)

        def code(bits, k):  # type: ignore[no-untyped-def]
            u = M.true
            for i, b in enumerate(bits):
                u &= M.var(b) if (k >> i) & 1 else ~M.var(b)
            return u

        to_y = {x: y for f in sp.facts for x, y in zip(xbits[f], self.ybits[f], strict=True)}
        pres = list(cs._fires)
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
        for i, (v, region) in enumerate(cs.verdicts.items()):
            G |= code(rb, i) & T(region)
        G &= comp
        reach = self.reach = M.exist(allx, G)
        E = G
        for s, derived in cs._derived.items():
            E |= uy[s] & ux[s] & M.exist(xbits[s], E & T(derived))
        for p in (f for f in sp.facts if f in pres):
            at = E & ux[p]
            add = M.false
            for a, fires in cs._fires_value[p].items():
                add |= eqx[(p, a)] & M.exist(xbits[p], at & M.let(pres_y, T(fires)))
            E |= uy[p] & add
        rename = dict(zip(rb, rb2, strict=True))
        neq = M.false
        for i, j in itertools.permutations(range(len(self.verdicts)), 2):
            neq |= code(rb, i) & code(rb2, j)
        two = M.exist(rb + rb2, reach & M.let(rename, reach) & neq)
        qv = rb + rb2 + allx
        D = M.false
        for n, f in enumerate(sp.facts):
            H = M.exist(xbits[f], E)
            Hw = M.let(rename, H) & neq
            found = cudd.and_exists(H, Hw, qv)  # (a)
            if f not in pres:  # (b): completions of the answered case are the case's with x_f = a
                P = M.exist([b for b in allx if b not in xbits[f]], G)
                valid = M.false
                for a in sp.values[f][1:]:
                    valid |= eqx[(f, a)]
                found |= M.exist(list(xbits[f]), valid & M.exist(rb, P) & M.exist(rb, reach & ~P))
            else:  # (b) and (c): answering a presumable fact re-decides the other presumptions
                for a in sp.values[f][1:]:
                    k = sp.values[f].index(a)
                    at_a = {b: bool((k >> i) & 1) for i, b in enumerate(self.ybits[f])}
                    ra = M.let(at_a, reach)
                    after = M.exist(rb, ra)
                    found |= after & M.exist(rb, M.apply("xor", ra, reach))
                    seen = M.exist(xbits[f], M.let(at_a, E))
                    found |= after & two & cudd.and_exists(seen, Hw, qv)
            D |= code(qb, n) & uy[f] & found
        self.D = D
        self.rb, self.qb = rb, qb

    def outcome(self, inputs: dict[str, str]) -> tuple[set[str], set[str]]:
        sp, M = self.sp, self.M
        at = {}
        for f in sp.facts:
            k = sp.values[f].index(inputs.get(f, UNKNOWN))
            for i, b in enumerate(self.ybits[f]):
                at[b] = bool((k >> i) & 1)
        decisive = {sp.facts[_code(m, self.qb)] for m in M.pick_iter(M.let(at, self.D), care_vars=self.qb)}
        reached = {self.verdicts[_code(m, self.rb)].value for m in M.pick_iter(M.let(at, self.reach), care_vars=self.rb)}
        return reached, decisive


def _code(model: dict[str, bool], bits: list[str]) -> int:
    return sum(1 << i for i, b in enumerate(bits) if model[b])


def main() -> None:
    cs = case_space(load_ruleset())
    all_cases = cases()
    start = time.process_time()
    index = QuestionIndex(cs)
    build = time.process_time() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"index built in {build:.1f} s CPU, {index.D.dag_size:,} nodes in D, peak RSS {rss:.0f} MB")
    per_case, indexed, bare, differ = [], [], [], 0
    for inputs in all_cases:
        cs._memo.clear()
        t = time.process_time()
        cs.outcome(inputs, False)
        bare.append(time.process_time() - t)
        cs._memo.clear()
        t = time.process_time()
        reached, decisive = cs.outcome(inputs, True)
        per_case.append(time.process_time() - t)
        t = time.process_time()
        got = index.outcome(inputs)
        indexed.append(time.process_time() - t)
        differ += got != ({v.value for v in reached}, set(decisive))
    print(f"{len(all_cases)} cases (shipped examples, 60 flowchart-level partial cases, {{}}): index differs from CaseSpace on {differ}")
    for name, times in (("verdict only, outcome(questions=False)", bare), ("questions by the case's diagrams", per_case), ("questions from the index", indexed)):
        print(f"  {name:40} mean {statistics.mean(times) * 1e3:8.2f} ms  median {statistics.median(times) * 1e3:7.2f} ms  max {max(times) * 1e3:8.1f} ms")
    print(f"  index / verdict only: mean {statistics.mean(indexed) / statistics.mean(bare):.2f}x;"
          f" break-even against the per-case questions after {build / max(1e-9, statistics.mean(per_case) - statistics.mean(indexed)):.0f} new cases")


if __name__ == "__main__":
    main()
