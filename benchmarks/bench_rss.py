"""Benchmark: does memory grow over many decisions? RSS before and after N decisions (default 1M).

Decides N cases in one process on one engine, after a warm-up of 20,000 decisions (compiling the
ruleset and filling the shared caches), and prints the resident set size at ten checkpoints, the
growth after warm-up, and the target (< 5 MB). Cases are examples mixed with seeded random cases:
5,000 distinct documents cycled, or with --fresh a new random case for every decision (so the
bounded caches of explanations keep meeting new paths). Linux reads /proc/self/status; elsewhere
the peak RSS.
Usage: python benchmarks/bench_rss.py [N] [--engine compiled|reference|durable|auto] [--fresh] [--no-questions]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import case_docs, random_doc  # noqa: E402

from infoshare_rules import FactsError, decide, facts_from_dict  # noqa: E402


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--engine", default="compiled")
    parser.add_argument("--fresh", action="store_true", help="a new random case for every decision")
    parser.add_argument("--no-questions", action="store_true")
    args = parser.parse_args()
    facts = [facts_from_dict(d) for d in case_docs(5000)]
    rng = random.Random(1)
    ask = not args.no_questions

    def case(i: int):
        return facts_from_dict(random_doc(rng)) if args.fresh and i % 2 else facts[i % len(facts)]

    def decide_one(i: int) -> None:
        try:
            decide(case(i), engine=args.engine, questions=ask)
        except FactsError:
            pass  # a random case whose direct answers contradict its finer facts: refused, as it should be

    for i in range(20_000):
        decide_one(i)
    gc.collect()
    start_rss = rss_mb()
    started = time.perf_counter()
    print(
        f"engine: {args.engine}  decisions: {args.n}  questions: {ask}  cases: {'a new random one every other decision' if args.fresh else '5,000 cycled'}"
        f"  after warm-up: {start_rss:.1f} MB  load average: {os.getloadavg()[0]:.2f}"
    )
    step = max(1, args.n // 10)
    for i in range(args.n):
        decide_one(i)
        if (i + 1) % step == 0:
            gc.collect()
            print(f"  after {i + 1:>9,} decisions: {rss_mb():8.1f} MB  ({time.perf_counter() - started:6.0f} s)", flush=True)
    gc.collect()
    growth = rss_mb() - start_rss
    print(f"RSS growth over {args.n:,} decisions: {growth:+.2f} MB  (target < 5 MB)")


if __name__ == "__main__":
    main()
