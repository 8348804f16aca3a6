"""Benchmark: batch speed-up on all cores, against one process, and against what the machine allows.

In one run, on the same N cases (default 50,000; examples mixed with seeded random cases):

  ceiling         a pure-Python CPU loop in 1 process, then in one process per core at once:
                  the speed-up this machine gives CPU-bound Python at all (shared or SMT cores
                  give less than the core count)
  sequential      decide_many(workers=1): everything in this process
  all cores       decide_many(workers=<cores>): spawned workers, ruleset compiled once in each,
                  including their start-up
  command         `infoshare batch IN OUT` (JSON Lines) with --workers 1 and with every core,
                  each one process tree for the whole file, start-up included

Prints the times, the speed-ups, and the speed-up as a share of the ceiling. Figures, not a test.
Usage: python benchmarks/bench_batch.py [N] [--engine reference|durable|auto] [--start-method spawn|forkserver]
"""

from __future__ import annotations

import argparse
import os
import json
import multiprocessing
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import case_docs  # noqa: E402

import infoshare_rules.batch.pool as pool  # noqa: E402
from infoshare_rules import decide_many  # noqa: E402


def burn(n: int) -> float:
    start = time.perf_counter()
    x = 0
    for i in range(n):
        x += i * i
    return time.perf_counter() - start


def ceiling(cores: int, n: int = 10_000_000) -> float:
    one = burn(n)
    context = multiprocessing.get_context("spawn")
    with context.Pool(cores) as workers:
        workers.map(burn, [1000] * cores)  # started before timing
        start = time.perf_counter()
        workers.map(burn, [n] * cores)
        together = time.perf_counter() - start
    return cores * one / together


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=50_000)
    parser.add_argument("--engine", default="reference")
    parser.add_argument("--start-method", default=pool.START_METHOD, choices=("spawn", "forkserver"))
    args = parser.parse_args()
    pool.START_METHOD = args.start_method
    cores = pool.available_cores()
    load = os.getloadavg()[0]
    docs = list(case_docs(args.n))
    limit = ceiling(cores)

    start = time.perf_counter()
    sequential = list(decide_many(docs, engine=args.engine, workers=1))
    t_seq = time.perf_counter() - start
    start = time.perf_counter()
    parallel = list(decide_many(docs, engine=args.engine, workers=cores))
    t_par = time.perf_counter() - start
    assert parallel == sequential, "the worker processes must give the same results"
    del sequential, parallel

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "cases.jsonl"
        source.write_text("".join(json.dumps(d) + "\n" for d in docs))
        command = [sys.executable, "-m", "infoshare_rules", "batch", "-q", "--engine", args.engine, str(source), str(Path(tmp) / "out.jsonl")]
        start = time.perf_counter()
        subprocess.run(command + ["--workers", "1"], check=True)
        c_seq = time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run(command + ["--workers", str(cores)], check=True)
        c_par = time.perf_counter() - start

    print(f"cases: {args.n}  engine: {args.engine}  cores: {cores}  start method: {args.start_method}  load average at start: {load:.2f}")
    print(f"ceiling: CPU-bound Python on {cores} processes runs {limit:.2f}x one process on this machine")
    print(f"decide_many  1 process: {t_seq:7.2f} s ({t_seq / args.n * 1e6:6.1f} us/case)   {cores} workers: {t_par:7.2f} s   speed-up {t_seq / t_par:.2f}x ({t_seq / t_par / limit:.0%} of ceiling)")
    print(f"infoshare batch  1 process: {c_seq:7.2f} s   {cores} workers: {c_par:7.2f} s   speed-up {c_seq / c_par:.2f}x ({c_seq / c_par / limit:.0%} of ceiling)")
    print("target: >= 1.7x on 2 cores")


if __name__ == "__main__":
    main()
