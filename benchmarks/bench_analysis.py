"""Time `infoshare check` and `infoshare diff` (the exact analysis) as rulesets grow, and compare the techniques.

By default prints a table: for each size (rules in all, national ~150 plus synthetic protocol rules from
benchmarks/synthetic_protocol.py, seed 0), `infoshare check PROTOCOL --format json` and
`infoshare diff uk-2006-practitioners-guide PROTOCOL --format json`, each run as the CLI in its own
subprocess, with its CPU seconds (user + system, imports and loading included) and peak RSS, and
"OK"/"OVER" against the target (10 s CPU and 500 MB each). Each run is given --limit as its --budget,
so past it the CLI gives up by itself (exit 3, shown "> limit", OVER); 30 s later, or past 4 GB of address
space, it is killed.

With --techniques it prints instead, measured side by side in one run:
  - check of the national ruleset;
  - diff of the national ruleset vs the example local protocol;
  - diff of the national ruleset vs a copy with one rule's conclusion changed;
  - for the record, why BDDs: the same question (is any conflict / which inputs give each verdict)
    asked of z3 (satisfiability only: z3 cannot count the regions) and the size of the input space
    a plain enumeration would have to walk.

usage: python benchmarks/bench_analysis.py [--sizes 150,300,600,1200] [--limit 60] [--techniques]
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import subprocess
import sys
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


TARGET_CPU = 10.0  # seconds
TARGET_RSS = 500.0  # MB
NATIONAL = "uk-2006-practitioners-guide"


def _run_limited(argv: list[str], limit: float) -> tuple[float, float, int | None]:
    """Run ``argv`` with a CPU limit: (CPU seconds, peak RSS in MB, exit code or None if killed)."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (math.ceil(limit), math.ceil(limit) + 1))
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=limits)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    rss = usage.ru_maxrss / 1024  # kB on Linux
    code = proc.returncode
    if code == 3:  # gave up at its --budget
        return cpu, rss, code
    if code < 0 or code > 1 or cpu >= limit:  # killed by a signal (CPU/memory limit) or failed
        return cpu, rss, None
    return cpu, rss, code


def sizes_table(sizes: list[int], limit: float) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from synthetic_protocol import write_protocol

    cli = [sys.executable, "-c", "from infoshare_rules.cli.main import main; main()"]
    print(f"target: each analysis under {TARGET_CPU:.0f} s CPU and {TARGET_RSS:.0f} MB peak RSS; limit {limit:.0f} s CPU per run")
    print(f"{'rules':>6}  {'command':<6} {'CPU s':>8} {'RSS MB':>8}  result")
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            folder = write_protocol(size, Path(tmp), seed=0)
            rules = len(load_ruleset(folder).rules)
            for name, args in (("check", ["check", str(folder)]), ("diff", ["diff", NATIONAL, str(folder)])):
                # --budget: the CLI gives up by itself (exit 3) at the limit; the CPU rlimit is the backstop
                cpu, rss, code = _run_limited([*cli, *args, "--format", "json", "--budget", f"{limit:g}"], limit + 30)
                if code == 3:
                    shown, verdict = f"{cpu:.2f}", f"OVER (gave up at --budget {limit:g}: the overrun is its last operation)"
                elif code is None:
                    shown, verdict = f"> {limit:.0f}" if cpu >= limit - 1 else f"{cpu:.2f}", "OVER (killed or failed)"
                else:
                    shown = f"{cpu:.2f}"
                    verdict = "OK" if cpu < TARGET_CPU and rss < TARGET_RSS else "OVER"
                print(f"{rules:>6}  {name:<6} {shown:>8} {rss:>8.0f}  {verdict}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="150,300,600,1200", help="comma-separated rule totals (default 150,300,600,1200)")
    parser.add_argument("--limit", type=float, default=60.0, help="CPU seconds after which a run is killed (default 60)")
    parser.add_argument("--techniques", action="store_true", help="the national ruleset: BDD vs z3 vs enumeration instead")
    args = parser.parse_args()
    if args.techniques:
        techniques()
    else:
        sizes_table([int(s) for s in args.sizes.split(",") if s.strip()], args.limit)


def techniques() -> None:
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
