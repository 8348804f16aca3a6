"""How many questions an interview asks to reach each shipped example's verdict, starting from nothing.

For every facts file in examples/facts/ (and every distinct case of the shipped case suites),
an interview starts from ``{}`` and asks the decision's first question each time, answered as the
example's practitioner would: the example's own answer where it gives the fact; for one of the
flowchart's direct questions the example leaves open, the answer its finer facts imply (the
practitioner knows the situation); otherwise "not sure" (the fact stays unknown and the interview
moves to the next question). What the decision never asks, the practitioner states at the start where
the example has it: a statutory duty or court order, which "you will know or be told about" (4.24), and
being in doubt about what to do. It stops when the decision has no question left that the practitioner
can answer, or, for a practitioner in doubt, when the flowchart's own questions are answered and the
decision says to seek advice ("if you are not sure what to do at any stage", flowchart). Each interview must reach the verdict the whole example gives.

Prints the number of questions per example, the median and the maximum against the targets of issue
15 (median <= 8, max <= 14). Usage: python benchmarks/bench_interview.py [--show N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from infoshare_rules import CaseFacts, Verdict, decide, facts_from_dict
from infoshare_rules.cases.suite import discover, load_case_file
from infoshare_rules.engines.registry import get_engine
from infoshare_rules.facts.model import INPUT_SPECS, UNKNOWN, flatten, with_fact
from infoshare_rules.ruleset.loader import load_ruleset

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MEDIAN_TARGET, MAX_TARGET = 8, 14
#: what the practitioner says without being asked (the decision does not ask it)
VOLUNTEERED = ("legal.statutory_duty", "legal.court_order", "practitioner.unsure_what_to_do")


def examples() -> list[tuple[str, CaseFacts]]:
    """Every shipped example under the national ruleset: the facts files, then each suite's cases."""
    found = [(p.stem, facts_from_dict(json.loads(p.read_text()))) for p in sorted((EXAMPLES / "facts").glob("*.json"))]
    seen = {repr(f) for _, f in found}
    for path in discover([EXAMPLES]):
        if "local-protocols" in path.parts:
            continue
        for case in load_case_file(path).cases:
            if repr(case.facts) not in seen:
                seen.add(repr(case.facts))
                found.append((f"{path.stem}:{case.name}", case.facts))
    return found


def implied(rules, target) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The answers the example's finer facts imply to the flowchart's direct questions it leaves open."""
    engine = get_engine(rules, "compiled")
    _, known = engine.evaluate(flatten(target))
    out = {}
    for name, spec in rules.conclusions.items():
        if spec.stated_by and known.get(name, "undetermined") != "undetermined":
            out[spec.stated_by] = known[name]
    return out


def interview(target, rules) -> tuple[int, object]:  # type: ignore[no-untyped-def]
    given = flatten(target)
    direct = implied(rules, target)
    facts = facts_from_dict({})
    # What the practitioner says without being asked: a statutory duty or court order "you will know or be
    # told about" (4.24), and being in doubt about what to do
    for fact in VOLUNTEERED:
        if given.get(fact) == "yes":
            facts = with_fact(facts, fact, "yes")
    not_sure: set[str] = set()
    asked = 0
    while True:
        decision = decide(facts)
        waiting = [q for q in decision.questions if q.fact not in not_sure]
        # in doubt, with the flowchart's own questions answered and the case still open: seek advice now
        if not waiting or (decision.verdict is Verdict.SEEK_ADVICE and not waiting[0].direct):
            return asked, decision
        q = waiting[0]
        asked += 1
        spec = INPUT_SPECS[q.fact]
        value = given.get(spec.tests, UNKNOWN) if q.fact != "child.age" else target.child.age
        if value in (UNKNOWN, None):
            value = direct.get(q.fact, UNKNOWN)
        if value in (UNKNOWN, None):
            not_sure.add(q.fact)
            continue
        facts = with_fact(facts, q.fact, value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=10, help="print the N longest interviews")
    args = parser.parse_args()
    rules = load_ruleset()
    counts, wrong = [], []
    rows = []
    for name, target in examples():
        expected = decide(target).verdict
        asked, got = interview(target, rules)
        counts.append(asked)
        rows.append((asked, name, expected.value, got.verdict.value))  # type: ignore[attr-defined]
        if got.verdict is not expected:  # type: ignore[attr-defined]
            wrong.append((name, expected.value, got.verdict.value))  # type: ignore[attr-defined]
    decided = [asked for asked, _, expected, _ in rows if expected != "undetermined"]
    median, most = statistics.median(decided), max(decided)
    print(f"interviews from {{}}: {len(counts)} examples, {len(decided)} of them decided; questions to a verdict: median {median:g} "
          f"(target <= {MEDIAN_TARGET}), max {most} (target <= {MAX_TARGET}); reaching the example's verdict: "
          f"{len(counts) - len(wrong)}/{len(counts)}; undetermined examples (asked until nothing answerable is left): "
          f"median {statistics.median([c for c in counts if c not in decided] or [0]):g}")
    for asked, name, expected, got in sorted((r for r in rows if r[2] != "undetermined"), reverse=True)[: args.show]:
        print(f"  {asked:3d}  {name}  ({expected}{'' if expected == got else f' but the interview reached {got}'})")
    for name, expected, got in wrong:
        print(f"  WRONG {name}: expected {expected}, interview reached {got}")
    met = median <= MEDIAN_TARGET and most <= MAX_TARGET and not wrong
    print("targets met" if met else "targets NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
