"""Why the exact analysis does not scale to 1,200 synthetic rules: the verdict regions measured in two exact counters.

For each size (rules in all; benchmarks/synthetic_protocol.py, seed 0), the base verdict regions of the
protocol (stage 4 of decide(): each verdict's candidate minus those before it in precedence; no doubts, no
obligations) are counted exactly over its input space:

  - bdd: the diagrams infoshare check and diff build (semantics/regions.py, CUDD via dd), in the
    flowchart order of facts: CPU seconds and the size (nodes) of the largest base region;
  - ganak: the same semantics as CNF (one Tseitin variable per rule, condition and conclusion value),
    counted by the Ganak exact model counter (pip install pyganak; not a dependency of the project),
    projected on the fact bits: CPU seconds per verdict.

Where both finish their counts are compared and must be equal. A run past --limit CPU seconds is cut short
(the BDD build between rules; a Ganak count cannot be interrupted, so one count may overrun).
Measured 2026-12-04 (`--sizes 300,600 --limit 30`, 2-core machine): at 300 rules bdd 0.19 s (largest region
54,077 nodes), ganak 6.9 s, counts equal; at 600 rules bdd 20.3 s (3,091,653 nodes), ganak 12.9 s for
do_not_share and past 30 s for share. By hand at 1,200 rules, ganak took 55 s for do_not_share alone. Other
representations tried by hand that session, none faster: three other static fact orders (each past 240 s at
600 rules), conclusion variables in the diagram (its definitions alone past 4M nodes), and SDDs with dynamic
vtree minimisation (pysdd: 119 s to build the rules' regions at 600).

usage: python benchmarks/bench_counting.py [--sizes 300,600,1200] [--limit 60]
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from infoshare_rules.errors import AnalysisBudgetError
from infoshare_rules.facts.model import UNKNOWN
from infoshare_rules.ruleset.loader import load_ruleset
from infoshare_rules.ruleset.model import UNDETERMINED, VERDICT_FACT, Ruleset
from infoshare_rules.ruleset.verdict import Verdict
from infoshare_rules.semantics.budget import Budget
from infoshare_rules.semantics.regions import _topological, analysed_facts, analysed_specs
from infoshare_rules.semantics.space import InputSpace


def _first_rules(ruleset: Ruleset) -> list:  # type: ignore[type-arg]
    return [r for r in ruleset.rules if not any(c.fact == VERDICT_FACT for c in r.when)]


def bdd_counts(protocol: Ruleset, base: Ruleset, limit: float) -> tuple[dict[str, int] | None, float, int]:
    """(count per verdict or None if cut short, CPU seconds, nodes of the largest base region)."""
    start = time.process_time()
    space = InputSpace(analysed_facts([protocol, base]), analysed_specs([protocol, base]))
    space.bound_cache()
    budget = Budget(limit, [(protocol.id, len(protocol.rules))])
    holds: dict[tuple[str, str], object] = {}
    fires: dict[int, object] = {}

    def value(name: str, v: str):  # type: ignore[no-untyped-def]
        if v == UNDETERMINED:
            reached = space.false
            for w in protocol.conclusions[name].values:
                reached |= holds.get((name, w), space.false)
            return ~reached
        return holds.get((name, v), space.false)

    try:
        first = _first_rules(protocol)
        for rule in _topological(first):
            budget.spend("rules")
            region = space.false
            for alternative in rule.disjuncts:
                here = space.true
                for c in alternative:
                    cond = space.false
                    for v in c.values:
                        cond |= value(c.fact, v) if c.fact in protocol.conclusions else space.eq(c.fact, v)
                    here &= cond
                region |= here
            fires[rule.index] = region
            if rule.kind == "conclude":
                key = (rule.name, rule.value)
                holds[key] = holds.get(key, space.false) | region
        taken, counts, largest = space.false, {}, 0
        for verdict in protocol.precedence:
            budget.spend("verdicts")
            candidate = space.false
            for rule in first:
                if rule.kind == "verdict" and rule.name == verdict.value:
                    candidate |= fires[rule.index]
            region = candidate & ~taken
            taken |= candidate
            largest = max(largest, region.dag_size)
            counts[verdict.value] = space.count(region)
        return counts, time.process_time() - start, largest
    except AnalysisBudgetError:
        return None, time.process_time() - start, 0


def ganak_counts(protocol: Ruleset, base: Ruleset, limit: float) -> tuple[dict[str, int], float, list[str]]:
    """(count per verdict counted before the limit, CPU seconds, a line per verdict)."""
    specs, facts = analysed_specs([protocol, base]), analysed_facts([protocol, base])
    clauses: list[list[int]] = []
    top = [0]

    def new() -> int:
        top[0] += 1
        return top[0]

    bits: dict[str, list[int]] = {}
    values: dict[str, tuple[str, ...]] = {}
    for fact in facts:  # the same encoding as InputSpace: unknown is code 0, unused codes excluded
        vals = (UNKNOWN, *(v for v in specs[fact].values if v != UNKNOWN))
        width = max(1, math.ceil(math.log2(len(vals))))
        bits[fact], values[fact] = [new() for _ in range(width)], vals
        for code in range(len(vals), 1 << width):
            clauses.append([(-b if (code >> i) & 1 else b) for i, b in enumerate(bits[fact])])
    fact_vars = top[0]
    true = new()
    clauses.append([true])

    def gate(lits: list[int], conj: bool) -> int:
        if not lits:
            return true if conj else -true
        if len(lits) == 1:
            return lits[0]
        g = new()
        for lit in lits:
            clauses.append([-g, lit] if conj else [g, -lit])
        clauses.append([g, *(-lit for lit in lits)] if conj else [-g, *lits])
        return g

    def eq(fact: str, v: str) -> int:
        code = values[fact].index(v)
        return gate([b if (code >> i) & 1 else -b for i, b in enumerate(bits[fact])], True)

    producers: dict[tuple[str, str], list[int]] = {}
    held: dict[tuple[str, str], int] = {}

    def holds(name: str, v: str) -> int:
        if (name, v) not in held:  # every producer comes before its first reader (topological order)
            held[(name, v)] = gate(producers.get((name, v), []), False)
        return held[(name, v)]

    def value(name: str, v: str) -> int:
        if v == UNDETERMINED:
            return -gate([holds(name, w) for w in protocol.conclusions[name].values], False)
        return holds(name, v)

    first = _first_rules(protocol)
    fires: dict[int, int] = {}
    for rule in _topological(first):
        fires[rule.index] = gate(
            [
                gate([gate([value(c.fact, v) if c.fact in protocol.conclusions else eq(c.fact, v) for v in c.values], False) for c in alt], True)
                for alt in rule.disjuncts
            ],
            False,
        )
        if rule.kind == "conclude":
            producers.setdefault((rule.name, rule.value), []).append(fires[rule.index])
    candidates = {v: gate([fires[r.index] for r in first if r.kind == "verdict" and r.name == v.value], False) for v in protocol.precedence}
    counts: dict[str, int] = {}
    lines: list[str] = []
    start = time.process_time()
    before: list[int] = []
    for verdict in protocol.precedence:
        region = gate([candidates[verdict], *(-c for c in before)], True)
        before.append(candidates[verdict])
        if time.process_time() - start > limit:
            lines.append(f"{verdict.value}: not counted (past the limit)")
            continue
        found, seconds = _count_in_child(top[0], clauses + [[region]], fact_vars, limit)
        if found is None:
            lines.append(f"{verdict.value}: > {seconds:.0f} s (killed)")
        else:
            counts[verdict.value] = found
            lines.append(f"{verdict.value}: {seconds:.2f} s")
    return counts, time.process_time() - start + sum(_CHILD_CPU), lines


_CHILD_CPU: list[float] = []


def _count_in_child(nvars: int, clauses: list[list[int]], fact_vars: int, limit: float) -> tuple[int | None, float]:
    """One Ganak count in a forked child under a CPU limit (a count cannot be interrupted): (count or None, CPU s)."""
    import pyganak

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: count, send the number back, exit without cleanup
        os.close(read)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # Ganak prints its progress ("c o ...") on standard output
        resource.setrlimit(resource.RLIMIT_CPU, (math.ceil(limit), math.ceil(limit) + 1))
        counter = pyganak.Counter()
        counter.new_vars(nvars)
        counter.add_clauses(clauses)
        counter.set_sampling_set(range(1, fact_vars + 1))
        os.write(write, str(counter.count()).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    _, status, usage = os.wait4(pid, 0)
    cpu = usage.ru_utime + usage.ru_stime
    _CHILD_CPU.append(cpu)
    return (int(text), cpu) if os.waitstatus_to_exitcode(status) == 0 and text else (None, cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="300,600,1200")
    parser.add_argument("--limit", type=float, default=60.0, help="CPU seconds per method and size (default 60)")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from synthetic_protocol import write_protocol

    try:
        import pyganak  # noqa: F401
    except ImportError:
        pyganak = None
        print("pyganak is not installed (pip install pyganak): the ganak column is left out")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            protocol = load_ruleset(write_protocol(size, Path(tmp), seed=0))
            base = load_ruleset(protocol.extends)  # type: ignore[arg-type]
            counts, cpu, largest = bdd_counts(protocol, base, args.limit)
            shown = f"{cpu:.2f} s, largest base region {largest:,} nodes" if counts is not None else f"> {args.limit:g} s (cut short)"
            print(f"{len(protocol.rules):>5} rules  bdd    {shown}", flush=True)
            if pyganak is not None:
                gcounts, gcpu, lines = ganak_counts(protocol, base, args.limit)
                print(f"{'':>11}  ganak  {gcpu:.2f} s ({'; '.join(lines)})", flush=True)
                if counts is not None:
                    same = all(counts[v] == gcounts[v] for v in gcounts)
                    print(f"{'':>11}  counts equal where both counted: {'yes' if same else 'NO'}", flush=True)
                    assert same, "the two exact counters disagree"
    assert Verdict  # the precedence's verdicts are the ruleset's (imported for the type)


if __name__ == "__main__":
    main()
