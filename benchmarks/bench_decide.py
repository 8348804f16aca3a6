"""Benchmark: the cost of one decision, per engine, against raw durable-rules and a hand-written flowchart.

Side by side in one process, over the same N cases (shipped examples mixed with seeded random
cases, see _cases.py), interleaved over R repeats:

  flowchart       benchmarks/flowchart.py on pre-flattened facts: the physical reference (no trace)
  raw durable     durable-rules alone running the compiled rules (see bench_engine.py)
  decide(<e>)     infoshare_rules.decide(facts, engine=<e>) for each engine in --engines,
                  with the full trace, obligations and questions

Prints mean us/decision (median over repeats), p50 and p99 latency of single calls, and the
ratios to the flowchart function and (for durable) to raw durable-rules. Figures, not a test.
Usage: python benchmarks/bench_decide.py [N] [--engines compiled,reference,durable] [--repeat R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import case_docs  # noqa: E402
from bench_engine import raw_runner  # noqa: E402
from flowchart import flowchart  # noqa: E402

from infoshare_rules import decide, facts_from_dict, load_ruleset  # noqa: E402
from infoshare_rules.engines.registry import durable_available, get_engine  # noqa: E402
from infoshare_rules.decision.decide import _run  # noqa: E402  (the first stages, to hand raw durable the same work)
from infoshare_rules.facts.model import flatten  # noqa: E402
from infoshare_rules.ruleset.loader import UNDETERMINED, VERDICT_FACT  # noqa: E402


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=20_000)
    parser.add_argument("--engines", default="compiled,reference,durable", help="comma-separated engine names")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    ruleset = load_ruleset()
    facts = [facts_from_dict(d) for d in case_docs(args.n)]
    flat = [flatten(f) for f in facts]

    runs: dict[str, object] = {"flowchart": (flowchart, flat)}
    if durable_available():
        prepared = []
        for f in facts:  # the second-stratum facts raw durable is handed, computed outside the timing
            d = decide(f, engine="reference")
            session = get_engine(ruleset, "reference").session()
            known = set(_run(ruleset, session, flatten(f))[1])  # every conclusion reached, trace or not
            session.close()
            late = {name: UNDETERMINED for name in ruleset.conclusions if name not in known}
            late[VERDICT_FACT] = d.verdict.value
            prepared.append((flatten(f), late))
        decide_raw = raw_runner(get_engine(ruleset, "durable"), ruleset)
        runs["raw durable"] = (lambda p: decide_raw(*p), prepared)
    for engine in engines:
        runs[f"decide({engine})"] = (lambda f, e=engine: decide(f, engine=e), facts)
    for engine in engines:  # without working out the questions (each unknown fact's answers tried)
        runs[f"{engine}, no questions"] = (lambda f, e=engine: decide(f, engine=e, questions=False), facts)

    for call, items in runs.values():  # warm up: compile, fill caches
        for item in items[:200]:
            call(item)
    totals: dict[str, list[float]] = {name: [] for name in runs}
    latencies: dict[str, list[int]] = {name: [] for name in runs}
    for _ in range(args.repeat):  # interleaved so every contender sees the same machine load
        for name, (call, items) in runs.items():
            seconds, each = timed(call, items)
            totals[name].append(seconds)
            latencies[name].extend(each)

    base = statistics.median(totals["flowchart"]) / args.n * 1e6
    print(f"decisions: {args.n}  repeats: {args.repeat}  ruleset: {ruleset.id} ({len(ruleset.rules)} rules)  python {sys.version.split()[0]}  load average: {os.getloadavg()[0]:.2f}")
    print(f"{'':18}{'us/decision':>12}{'p50 us':>10}{'p99 us':>10}{'x flowchart':>13}")
    for name in runs:
        mean = statistics.median(totals[name]) / args.n * 1e6
        print(f"{name:18}{mean:12.2f}{percentile(latencies[name], 0.5):10.2f}{percentile(latencies[name], 0.99):10.2f}{mean / base:13.0f}")
    if "raw durable" in runs and "durable, no questions" in runs:
        # raw durable does what decide(durable) asks of durable-rules; questions are worked out on the compiled engine
        ratio = statistics.median(totals["durable, no questions"]) / statistics.median(totals["raw durable"])
        print(f"ratio decide(durable, questions=False)/raw durable: {ratio:.3f}  (target <= 1.30)")


if __name__ == "__main__":
    main()
