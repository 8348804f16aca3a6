"""Long fuzzing of the hostile-input surfaces; prints how many inputs each tried and what it found.

    python tools/fuzz.py [--examples 100000] [--surface facts|cases|rulesets|secret-facts|... ...] [--hang-seconds 10]

Inputs are drawn by the Hypothesis strategies in tests/fuzz_surfaces.py (the CI test runs the
same surfaces, bounded). A finding is any outcome other than a decision/loaded ruleset or the
library's own error: another exception (a traceback), an AssertionError from the surface's own
checks (e.g. an error message echoing a submitted value), or a hang (no result within
--hang-seconds, caught with SIGALRM). Native crashes end the process: run it again with a
smaller --examples to bisect.
"""

from __future__ import annotations

import argparse
import collections
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

import fuzz_surfaces as surfaces  # noqa: E402

SURFACES = {
    "facts": (surfaces.facts_documents, surfaces.facts_surface),
    "cases": (surfaces.case_folders, surfaces.case_file_surface),
    "rulesets": (surfaces.ruleset_mutations, surfaces.ruleset_surface),
    # a secret put as a key or a value into what each reader reads (issue 16)
    "secret-facts": (surfaces.secret_facts, surfaces.secret_facts_surface),
    "secret-decisions": (surfaces.secret_decisions, surfaces.secret_decision_surface),
    "secret-records": (surfaces.secret_records, surfaces.secret_record_surface),
    "secret-cases": (surfaces.secret_case_files, surfaces.secret_case_file_surface),
    "secret-rulesets": (surfaces.secret_rulesets, surfaces.secret_ruleset_surface),
    "secret-service": (surfaces.secret_service_requests, surfaces.service_surface),
}


class Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Hang()


def fuzz(name: str, examples: int, hang_seconds: int) -> dict:
    strategy, surface = SURFACES[name]
    outcomes: collections.Counter[str] = collections.Counter()
    findings: dict[str, str] = {}
    slowest = 0.0

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy())
    def run(value: object) -> None:
        nonlocal slowest
        started = time.perf_counter()
        signal.alarm(hang_seconds)
        try:
            outcomes[surface(value)] += 1
        except Hang:
            outcomes["HANG"] += 1
            findings.setdefault("HANG", repr(value)[:300])
        except BaseException as exc:  # a finding: anything but the library's own error
            key = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
            outcomes["FINDING"] += 1
            findings.setdefault(key, repr(value)[:300])
        finally:
            signal.alarm(0)
            slowest = max(slowest, time.perf_counter() - started)

    started = time.perf_counter()
    run()
    return {"outcomes": outcomes, "findings": findings, "seconds": time.perf_counter() - started, "slowest": slowest}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=10_000, help="inputs per surface")
    parser.add_argument("--surface", action="append", choices=sorted(SURFACES))
    parser.add_argument("--hang-seconds", type=int, default=10)
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    bad = 0
    for name in args.surface or list(SURFACES):
        report = fuzz(name, args.examples, args.hang_seconds)
        tried = sum(report["outcomes"].values())
        found = report["outcomes"]["FINDING"] + report["outcomes"]["HANG"]
        bad += found
        counts = ", ".join(f"{k} {v}" for k, v in sorted(report["outcomes"].items()))
        print(
            f"{name}: {tried} inputs tried in {report['seconds']:.0f} s (slowest {report['slowest'] * 1000:.0f} ms): {counts}; "
            f"tracebacks+hangs: {found}",
            flush=True,
        )
        for key, example in report["findings"].items():
            print(f"  finding {key}\n    e.g. {example}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
