"""Run the durable engine's thread test again and again, each run in a fresh process.

A native crash (segfault, abort) kills the process, so only a loop of subprocesses can count
them. Prints runs, passes, failures and crashes (with their signals).

    python tools/stress_threads.py --runs 500 [--jobs 2] [--test NODEID]
"""

from __future__ import annotations

import argparse
import collections
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TESTS = ["tests/test_durable_engine.py::test_threads_match_a_serial_run"]


def one_run(tests: list[str], timeout: float) -> tuple[str, str]:
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:randomly", *tests]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "hang", f"no result after {timeout:.0f} s"
    if proc.returncode == 0:
        return "passed", ""
    if proc.returncode < 0:
        return f"crash ({signal.Signals(-proc.returncode).name})", proc.stderr[-2000:]
    if proc.returncode in (134, 139):  # via a shell: 128 + SIGABRT / SIGSEGV
        return f"crash (rc {proc.returncode})", proc.stderr[-2000:]
    return "failed", (proc.stdout + proc.stderr)[-2000:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds before a run counts as a hang")
    parser.add_argument("--test", action="append", help="pytest node ids to run (repeatable; default: the thread test)")
    args = parser.parse_args()
    tests = args.test or DEFAULT_TESTS
    outcomes: collections.Counter[str] = collections.Counter()
    first_detail: dict[str, str] = {}
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for n, (outcome, detail) in enumerate(pool.map(lambda _: one_run(tests, args.timeout), range(args.runs)), 1):
            outcomes[outcome] += 1
            first_detail.setdefault(outcome, detail)
            if outcome != "passed":
                print(f"run {n}: {outcome}", flush=True)
            if n % 50 == 0:
                print(f"... {n} runs, {sum(v for k, v in outcomes.items() if k != 'passed')} not passed", flush=True)
    crashes = sum(v for k, v in outcomes.items() if k.startswith("crash"))
    print(f"tests: {' '.join(tests)}")
    print(f"runs: {args.runs}  passed: {outcomes['passed']}  failed: {outcomes['failed']}  "
          f"crashes: {crashes}  hangs: {outcomes['hang']}  ({time.perf_counter() - started:.0f} s)")
    for outcome, detail in first_detail.items():
        if outcome != "passed":
            print(f"--- first {outcome}:\n{detail}")
    return 0 if outcomes["passed"] == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
