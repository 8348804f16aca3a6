"""Benchmark: decide() against raw durable-rules running the same compiled rules.

Side by side in one process, over the same N decisions (the shipped examples' facts, repeated):

  raw        durable-rules alone: the rules compiled by DurableEngine, registered afresh with
             minimal actions (assert the conclusion, nothing else); per decision: assert the
             inputs, assert the second-stratum facts (verdict, undetermined conclusions, taken
             from a precomputed decision), delete the session state.
  decide     infoshare_rules.decide(facts, engine="durable"): flattening, two strata, verdict
             resolution, trace, obligations, questions, the Decision object.
  reference  infoshare_rules.decide(facts, engine="reference"), for comparison.

Prints the figures and the ratio decide/raw (target <= 1.3). Figures, not a pass/fail test.
This script imports durable directly on purpose: it measures durable-rules itself.
Usage: python benchmarks/bench_engine.py [N] [--repeat R]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from infoshare_rules import decide, load_ruleset
from infoshare_rules.cases.suite import discover, load_case_file
from infoshare_rules.engines.registry import get_engine
from infoshare_rules.facts.model import flatten
from infoshare_rules.ruleset.loader import UNDETERMINED, VERDICT_FACT

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def rounds(ruleset, facts) -> list[dict]:
    """The rounds of facts decide() asserts in durable-rules for a case: the inputs, each stratum's
    conclusions settled as undetermined, the verdict. Worked out (on the reference engine) outside any timing."""
    inputs = flatten(facts)
    verdict = decide(facts, engine="reference", questions=False).verdict
    session = get_engine(ruleset, "reference").session()
    try:
        known = dict(inputs)
        known.update(ruleset.rules[i].asserts for i in session.add(inputs))
        batches = [inputs]
        for names in ruleset.closing:
            closing = {name: UNDETERMINED for name in names if name not in known}
            if closing:
                batches.append(closing)
                known.update(closing)
                known.update(ruleset.rules[i].asserts for i in session.add(closing))
    finally:
        session.close()
    return batches + [{VERDICT_FACT: verdict.value}]


def raw_runner(engine, ruleset):
    """Register the engine's compiled rules under a new name with bare actions; return decide_raw(*rounds).

    The actions only assert their conclusion (once per session): durable-rules doing the same
    forward chaining decide() asks of it, in the same rounds, with none of the library around it."""
    from durable import lang

    host = lang.get_host()
    templates = engine._templates
    rules = ruleset.rules
    state = {"sid": None, "seen": None}

    def make_action(index):
        fact = rules[index].asserts
        template = templates.get(fact)

        def action(c):
            if template is not None and fact not in state["seen"]:
                state["seen"].add(fact)
                message = dict(template)
                message["sid"] = state["sid"]
                c.assert_fact(message)

        return action

    name = f"bench-raw-{time.monotonic_ns()}"
    definition = {
        rule_name: {"all": rule["all"], "run": make_action(int(rule_name[1:].split("_")[0]))}
        for rule_name, rule in engine.definition.items()
        if rule_name.startswith("r")  # the adapter's own "open" rule is not one of the ruleset's
    }
    host.register_rulesets({name: definition})
    counter = iter(range(1, 10**9))

    def decide_raw(*batches):
        sid = str(next(counter))
        state["sid"], state["seen"] = sid, set()
        for batch in batches:
            messages = []
            for item in batch.items():
                template = templates.get(item)
                if template is not None and item not in state["seen"]:
                    state["seen"].add(item)
                    message = dict(template)
                    message["sid"] = sid
                    messages.append(message)
            if messages:
                host.assert_facts(name, messages)
        host.delete_state(name, sid)

    return decide_raw


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ruleset = load_ruleset()
    engine = get_engine(ruleset, "durable")
    seeds = [case.facts for path in discover([EXAMPLES]) for case in load_case_file(path).cases]
    facts = [seeds[i % len(seeds)] for i in range(args.n)]
    prepared = [rounds(ruleset, f) for f in facts]  # outside the timing
    decide_raw = raw_runner(engine, ruleset)
    for batches in prepared[:50]:
        decide_raw(*batches)  # warm up both
    for f in facts[:50]:
        decide(f, engine="durable")
    raw, ours, ref = [], [], []
    for _ in range(args.repeat):  # interleaved so both see the same machine load
        start = time.perf_counter()
        for batches in prepared:
            decide_raw(*batches)
        raw.append(time.perf_counter() - start)
        start = time.perf_counter()
        for f in facts:
            decide(f, engine="durable")
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        for f in facts:
            decide(f, engine="reference")
        ref.append(time.perf_counter() - start)
    r, o, p = (statistics.median(x) for x in (raw, ours, ref))
    print(f"decisions: {args.n}  repeats: {args.repeat} (medians)  ruleset: {ruleset.id} ({len(ruleset.rules)} rules)")
    print(f"raw durable-rules:          {r:7.3f} s  ({r / args.n * 1e6:7.1f} us/decision)")
    print(f"decide(engine='durable'):   {o:7.3f} s  ({o / args.n * 1e6:7.1f} us/decision)")
    print(f"decide(engine='reference'): {p:7.3f} s  ({p / args.n * 1e6:7.1f} us/decision)")
    print(f"ratio decide/raw:           {o / r:7.3f}  (target <= 1.30)")


if __name__ == "__main__":
    main()
