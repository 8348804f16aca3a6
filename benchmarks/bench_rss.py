"""Benchmark: does memory grow over many decisions? RSS before and after N decisions (default 1M).

Decides N cases (examples mixed with seeded random cases, 5,000 distinct documents cycled) in
one process on one engine, after a warm-up of 20,000 decisions (compiling the ruleset and filling
the shared trace-step caches), and prints the resident set size at ten checkpoints, the growth
after warm-up, and the target (< 5 MB). Linux reads /proc/self/status; elsewhere the peak RSS.
Usage: python benchmarks/bench_rss.py [N] [--engine reference|durable|auto|...]
"""

from __future__ import annotations

import argparse
import os
import gc
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import case_docs  # noqa: E402

from infoshare_rules import decide, facts_from_dict  # noqa: E402


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
    parser.add_argument("--engine", default="reference")
    args = parser.parse_args()
    facts = [facts_from_dict(d) for d in case_docs(5000)]
    for i in range(20_000):
        decide(facts[i % len(facts)], engine=args.engine)
    gc.collect()
    start_rss = rss_mb()
    started = time.perf_counter()
    print(f"engine: {args.engine}  decisions: {args.n}  after warm-up: {start_rss:.1f} MB  load average: {os.getloadavg()[0]:.2f}")
    step = max(1, args.n // 10)
    for i in range(args.n):
        decide(facts[i % len(facts)], engine=args.engine)
        if (i + 1) % step == 0:
            gc.collect()
            print(f"  after {i + 1:>9,} decisions: {rss_mb():8.1f} MB  ({time.perf_counter() - started:6.0f} s)", flush=True)
    gc.collect()
    growth = rss_mb() - start_rss
    print(f"RSS growth over {args.n:,} decisions: {growth:+.2f} MB  (target < 5 MB)")


if __name__ == "__main__":
    main()
