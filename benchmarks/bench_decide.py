"""Benchmark: the cost of one decision, per engine, against raw durable-rules and a hand-written flowchart.

Side by side in one process, on two sets of N cases each: the shipped examples (the facts files and
the facts of every shipped case suite, repeated to N) and a mixed set (every other case a shipped
example, the rest seeded random cases, see _cases.py). Contenders, interleaved over R repeats:

  flowchart              benchmarks/flowchart.py on pre-flattened facts: the physical reference (no trace)
  raw durable            durable-rules alone, asserting the same rounds of facts decide() asserts
                         (inputs, each stratum's settled conclusions, the verdict) with bare actions
  decide(<e>)            infoshare_rules.decide(facts, engine=<e>): verdict, obligations, full trace,
                         presumptions and questions
  <e>, no questions      the same with questions=False: verdict, obligations, full trace, presumptions
  compiled, cold         compiled, no questions, every explanation cache emptied before each pass
                         (so each distinct path through the rules pays for assembling its trace once)

Prints mean us/decision (median over repeats), p50 and p99 of single calls, x the flowchart function,
the ratio of decide(durable) to raw durable-rules, and the targets. Figures, not a test.
Usage: python benchmarks/bench_decide.py [N] [--engines compiled,reference,durable] [--repeat R] [--sets shipped,mixed]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import case_docs, shipped_facts  # noqa: E402
from bench_engine import raw_runner, rounds  # noqa: E402
from flowchart import flowchart  # noqa: E402

from infoshare_rules import decide, facts_from_dict, load_ruleset  # noqa: E402
from infoshare_rules.decision import decide as decide_module  # noqa: E402  (to empty its caches for the cold run)
from infoshare_rules.engines.registry import durable_available, get_engine  # noqa: E402
from infoshare_rules.facts.model import flatten  # noqa: E402


def timed(call, items) -> tuple[float, list[int]]:
    """Total seconds for the loop, and each call's nanoseconds."""
    clock = time.perf_counter_ns
    each = []
    start = time.perf_counter()
    for item in items:
        t0 = clock()
        call(item)
        each.append(clock() - t0)
    return time.perf_counter() - start, each


def percentile(values: list[int], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000


def forget_explanations() -> None:
    for plan in decide_module._plans.values():
        plan.explained.clear()
    decide_module._explained_in_session.clear()


def contenders(ruleset, facts, engines):
    flat = [flatten(f) for f in facts]
    runs: dict[str, tuple] = {"flowchart": (flowchart, flat)}
    if durable_available() and "durable" in engines:
        prepared = [rounds(ruleset, f) for f in facts]  # outside the timing
        decide_raw = raw_runner(get_engine(ruleset, "durable"), ruleset)
        runs["raw durable"] = (lambda batches: decide_raw(*batches), prepared)
    for engine in engines:
        runs[f"decide({engine})"] = (lambda f, e=engine: decide(f, engine=e), facts)
    for engine in engines:  # without working out the questions (each unknown fact's answers tried)
        runs[f"{engine}, no questions"] = (lambda f, e=engine: decide(f, engine=e, questions=False), facts)
    if "compiled" in engines:
        runs["compiled, cold"] = (lambda f: decide(f, engine="compiled", questions=False), facts, forget_explanations)
    return runs


def measure(name: str, ruleset, facts, engines, repeat: int) -> None:
    runs = contenders(ruleset, facts, engines)
    for call, items, *_ in runs.values():  # warm up: compile, fill caches
        for item in items[:200]:
            call(item)
    totals: dict[str, list[float]] = {name: [] for name in runs}
    latencies: dict[str, list[int]] = {name: [] for name in runs}
    for _ in range(repeat):  # interleaved so every contender sees the same machine load
        for label, (call, items, *before) in runs.items():
            for prepare in before:
                prepare()
            seconds, each = timed(call, items)
            totals[label].append(seconds)
            latencies[label].extend(each)
    n = len(facts)
    base = statistics.median(totals["flowchart"]) / n * 1e6
    print(f"\n{name}: {n} decisions, {repeat} repeats, load average {os.getloadavg()[0]:.2f}")
    print(f"{'':24}{'us/decision':>12}{'p50 us':>10}{'p99 us':>10}{'x flowchart':>13}")
    for label in runs:
        mean = statistics.median(totals[label]) / n * 1e6
        print(f"{label:24}{mean:12.2f}{percentile(latencies[label], 0.5):10.2f}{percentile(latencies[label], 0.99):10.2f}{mean / base:13.0f}")
    if "raw durable" in runs and "durable, no questions" in runs:
        ratio = statistics.median(totals["durable, no questions"]) / statistics.median(totals["raw durable"])
        print(f"decide(durable, questions=False) / raw durable: {ratio:.3f}  (target <= 1.30)")
    if "compiled, no questions" in runs:
        mean = statistics.median(totals["compiled, no questions"]) / n * 1e6
        print(f"decide(compiled, questions=False): {mean:.2f} us with the full trace  (target <= 10 us, stretch 3 us)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=20_000)
    parser.add_argument("--engines", default="compiled,reference,durable", help="comma-separated engine names")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sets", default="shipped,mixed", help="shipped, mixed or both")
    args = parser.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    ruleset = load_ruleset()
    print(f"ruleset: {ruleset.id} ({len(ruleset.rules)} rules)  python {sys.version.split()[0]}  cores: {os.cpu_count()}")
    sets = args.sets.split(",")
    if "shipped" in sets:
        shipped = shipped_facts()
        facts = [shipped[i % len(shipped)] for i in range(args.n)]
        measure(f"shipped examples ({len(shipped)} distinct cases, repeated)", ruleset, facts, engines, args.repeat)
    if "mixed" in sets:
        facts = [facts_from_dict(d) for d in case_docs(args.n)]
        measure("mixed: half shipped examples, half seeded random cases", ruleset, facts, engines, args.repeat)


if __name__ == "__main__":
    main()
