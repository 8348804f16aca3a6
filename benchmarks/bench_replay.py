"""Benchmark: replaying N cases (default 1M) on a Dask LocalCluster, against the same cases in one process.

Writes N cases (examples mixed with seeded random cases) as JSON Lines to a temporary folder,
then times, in one run:

  replay          `replay(...)` on a LocalCluster of --workers processes (start-up, the counting
                  pass, deciding, writing compact decisions and the summary), optionally --against
                  the same ruleset again (so every case is decided twice)
  one process     decide_many(workers=1) over the first min(N, 20,000) cases, scaled to N: what
                  the replay would cost without Dask

Prints the times, cases per second and the ratio. Figures, not a test.
Usage: python benchmarks/bench_replay.py [N] [--workers 2] [--engine reference] [--against]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import case_docs  # noqa: E402

from infoshare_rules import decide_many  # noqa: E402
from infoshare_rules.replay.run import replay  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engine", default="compiled")
    parser.add_argument("--against", action="store_true", help="also decide every case against the same ruleset")
    args = parser.parse_args()
    print(f"cases: {args.n:,}  workers: {args.workers}  engine: {args.engine}  load average: {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        cases = Path(tmp) / "cases.jsonl"
        with cases.open("w") as handle:
            for doc in case_docs(args.n):
                handle.write(json.dumps(doc) + "\n")
        print(f"case file: {cases.stat().st_size / 2**20:.0f} MB", flush=True)

        sample = [line.encode() for line, _ in zip(cases.open(), range(min(args.n, 20_000)))]
        start = time.perf_counter()
        for _ in decide_many(sample, engine=args.engine, workers=1):
            pass
        one = (time.perf_counter() - start) / len(sample) * args.n

        start = time.perf_counter()
        summary = replay(cases, out=Path(tmp) / "out", engine=args.engine, workers=args.workers, against="uk-2006-practitioners-guide" if args.against else None)
        seconds = time.perf_counter() - start
        assert summary.cases == args.n and summary.errors == 0 and not summary.changed
    print(f"replay on LocalCluster({args.workers} workers): {seconds:8.1f} s  ({args.n / seconds:8.0f} cases/s){'  decided twice (--against)' if args.against else ''}")
    print(f"one process (estimated from {len(sample):,}):   {one:8.1f} s  ({args.n / one:8.0f} cases/s)")
    print(f"ratio one process / replay: {one / seconds:.2f}x")
    print(f"verdicts: {summary.verdicts}")


if __name__ == "__main__":
    main()
