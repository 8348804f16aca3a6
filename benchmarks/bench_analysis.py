"""Time `infoshare check` and `infoshare diff` (the exact analysis), and compare the techniques.

Prints, measured side by side in one run (target: each analysis under 10 s on 2 cores):
  - check of the national ruleset;
  - diff of the national ruleset vs the example local protocol;
  - diff of the national ruleset vs a copy with one rule's conclusion changed;
  - for the record, why BDDs: the same question (is any conflict / which inputs give each verdict)
    asked of z3 (satisfiability only: z3 cannot count the regions) and the size of the input space
    a plain enumeration would have to walk.

usage: python benchmarks/bench_analysis.py
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from pathlib import Path

from infoshare_rules.analysis.check import check_ruleset
from infoshare_rules.analysis.complete import complete_cases
from infoshare_rules.analysis.diff import diff_rulesets
from infoshare_rules.semantics.regions import Semantics, analysed_facts
from infoshare_rules.semantics.space import InputSpace
from infoshare_rules.facts.model import FACT_SPECS
from infoshare_rules.ruleset.loader import load_ruleset
from infoshare_rules.ruleset.model import UNDETERMINED, VERDICT_FACT

ROOT = Path(__file__).resolve().parents[1]


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<62} {seconds:7.2f} s   {'OK' if seconds < 10 else 'OVER 10 s'}")
    return result, seconds


def z3_verdict_satisfiability(ruleset) -> float:  # type: ignore[no-untyped-def]
    """The same semantics in z3 (one Int per fact, Bool per conclusion value): time to decide, for each
    verdict, whether some input reaches its candidate. Satisfiability only: no counts, no minimal witness."""
    import z3

    start = time.perf_counter()
    facts = {f: z3.Int(f) for f in analysed_facts([ruleset])}
    solver = z3.Solver()
    for f, var in facts.items():
        solver.add(var >= 0, var < len(FACT_SPECS[f].values))
    holds: dict[tuple[str, str], z3.BoolRef] = {}
    bodies = {}

    def value(name: str, v: str):  # type: ignore[no-untyped-def]
        if name in facts:
            return facts[name] == FACT_SPECS[name].values.index(v)
        if v == UNDETERMINED:
            return z3.Not(z3.Or([holds.get((name, w), z3.BoolVal(False)) for w in ruleset.conclusions[name].values]))
        return holds.get((name, v), z3.BoolVal(False))

    from infoshare_rules.semantics.regions import _topological

    for rule in _topological([r for r in ruleset.rules if not any(c.fact == VERDICT_FACT for c in r.when)]):
        body = z3.And([z3.Or([value(c.fact, v) for v in c.values]) for c in rule.when])
        bodies[rule.index] = body
        key = rule.asserts
        holds[key] = z3.Or(holds[key], body) if key in holds else body
    for verdict in ruleset.precedence:
        solver.push()
        solver.add(holds.get(("candidate." + verdict.value, "yes"), z3.BoolVal(False)))
        solver.check()
        solver.pop()
    return time.perf_counter() - start


def main() -> None:
    national = load_ruleset()
    protocol = load_ruleset(ROOT / "examples" / "local-protocols" / "example-written-consent")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / national.id
        shutil.copytree(national.path, copy)
        rules = copy / "rules" / "02-identifiable.yaml"
        rules.write_text(rules.read_text().replace("then: {verdict: share}", "then: {verdict: seek_consent}", 1))
        changed = load_ruleset(copy)

        space = InputSpace(analysed_facts([national]))
        print(f"national ruleset: {len(national.rules)} rules, {len(space.facts)} facts tested, "
              f"{space.count(space.true):,} input combinations (2^{math.log2(space.count(space.true)):.1f}), {space.nvars} BDD variables")
        model, build = timed("BDD semantics of the national ruleset (build)", lambda: Semantics(national, space))
        print(f"    analysed: {space.count(complete_cases(model)):,} complete cases (every fact known, or left to a presumption / the finer facts)")
        timed("infoshare check uk-2006-practitioners-guide", lambda: check_ruleset(national))
        d, _ = timed("infoshare diff national vs example local protocol", lambda: diff_rulesets(national, protocol))
        print(f"    {len(d.regions)} regions, each witness decided on both sides")
        d, _ = timed("infoshare diff national vs one rule's conclusion changed", lambda: diff_rulesets(national, changed))
        print(f"    {len(d.regions)} regions, each witness decided on both sides")
        try:
            z3_seconds = z3_verdict_satisfiability(national)
            print(f"{'z3: is each verdict reachable (satisfiability only, no counts)':<62} {z3_seconds:7.2f} s   "
                  f"(BDD build gives reachability, exact counts and witnesses in {build:.2f} s)")
        except ImportError:
            print("z3-solver not installed: comparison skipped (pip install z3-solver)")
        print(f"plain enumeration would walk {space.count(space.true):,} inputs: at 1 µs each, "
              f"{space.count(space.true) / 1e6 / 3.15e7:.2e} years")


if __name__ == "__main__":
    main()
