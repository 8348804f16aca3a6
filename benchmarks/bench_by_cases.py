"""What deciding by cases costs: decide() on the shipped facts files, with and without questions.

Each decision is timed twice: with the case memo emptied first (nothing remembered: the cost of a new
case) and again (a case decided before: a lookup). Usage: python benchmarks/bench_by_cases.py [--engine E]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from infoshare_rules import decide, facts_from_dict
from infoshare_rules.decision import cases

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "facts"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="compiled")
    args = parser.parse_args()
    facts = [facts_from_dict(json.loads(p.read_text())) for p in sorted(EXAMPLES.glob("*.json"))]
    decide(facts[0], engine=args.engine)  # compile the ruleset and build its case space
    print(f"{len(facts)} shipped facts files, engine {args.engine}, load average {os.getloadavg()[0]:.2f}")
    for ask in (False, True):
        for remembered in (False, True):
            times = []
            for f in facts:
                if not remembered:
                    for space in cases._spaces.values():
                        space._memo.clear()
                else:
                    decide(f, engine=args.engine, questions=ask)
                start = time.perf_counter()
                decide(f, engine=args.engine, questions=ask)
                times.append(time.perf_counter() - start)
            print(f"  questions={ask!s:5} {'remembered' if remembered else 'new case  '}: mean {statistics.mean(times) * 1e6:9,.0f} us,"
                  f" median {statistics.median(times) * 1e6:9,.0f} us, max {max(times) * 1e6:9,.0f} us")


if __name__ == "__main__":
    main()
