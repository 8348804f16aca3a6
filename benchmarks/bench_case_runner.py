"""Benchmark: does the case runner add per-case cost over deciding the same cases directly?

Builds a suite of N cases (default 10,000) by repeating the shipped example cases as written
(facts and expectations), then times, side by side in one process:

  direct  facts_from_dict + decide for each case (what a caller would do without the runner)
  runner  run_suite on the case file: reading the YAML, checking every expectation, coverage

and prints both and their ratio (target: runner <= 1.1x direct). Figures, not a pass/fail test.
Usage: python benchmarks/bench_case_runner.py [N] [--engine durable|reference|auto] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from infoshare_rules import decide, facts_from_dict
from infoshare_rules.cases.suite import discover, run_suite

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def build_suite(n: int, folder: Path) -> tuple[Path, list[dict]]:
    """N cases copied, as their authors wrote them, from the shipped examples (repeated, renamed)."""
    seeds = []
    for path in discover([EXAMPLES]):
        for raw in yaml.load(path.read_text(), Loader=_TextLoader)["cases"]:
            raw = dict(raw)
            if "facts_file" in raw:  # inline it, so the suite is one self-contained file
                raw["facts"] = json.loads((path.parent / raw.pop("facts_file")).read_text())
            seeds.append(raw)
    cases = [{**seeds[i % len(seeds)], "name": f"case-{i}"} for i in range(n)]
    path = folder / "bench.cases.yaml"
    path.write_text(yaml.safe_dump({"cases": cases}, sort_keys=False))
    return path, [case["facts"] for case in cases]


class _TextLoader(yaml.SafeLoader):
    """Reads yes/no as the strings the case files mean (as infoshare's own reader does)."""


_TextLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in value if tag != "tag:yaml.org,2002:bool"] for key, value in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=10_000)
    parser.add_argument("--engine", default="auto")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path, facts_docs = build_suite(args.n, Path(tmp))
        docs = [json.loads(json.dumps(d)) for d in facts_docs]
        run_suite([path], engine=args.engine)  # warm up: compile the ruleset once, as any process would
        direct, runner = [], []
        engine = "?"
        for _ in range(args.repeat):  # interleaved, so both see the same machine load
            start = time.perf_counter()
            decisions = [decide(facts_from_dict(doc), engine=args.engine) for doc in docs]
            direct.append(time.perf_counter() - start)
            assert len(decisions) == args.n
            engine = decisions[0].engine
            del decisions  # neither side runs with the other's results still in memory
            start = time.perf_counter()
            suite = run_suite([path], engine=args.engine)
            runner.append(time.perf_counter() - start)
            assert suite.count("passed") == args.n, suite.summary
            del suite
        d, r = statistics.median(direct), statistics.median(runner)
        print(f"cases: {args.n}  engine: {engine}  repeats: {args.repeat} (medians)")
        print(f"direct decisions:      {d:8.3f} s  ({d / args.n * 1e6:8.1f} us/case)")
        print(f"infoshare test runner: {r:8.3f} s  ({r / args.n * 1e6:8.1f} us/case)")
        print(f"ratio runner/direct:   {r / d:8.3f}  (target <= 1.10)")


if __name__ == "__main__":
    main()
