"""Benchmark: the cost of one decision, per engine, against raw durable-rules and a hand-written flowchart.

Side by side in one process, on two sets of N cases each: the shipped examples (the facts files and
the facts of every shipped case suite, repeated to N) and a mixed set (every other case a shipped
example, the rest seeded random cases, see _cases.py). Contenders, interleaved over R repeats:

  flowchart              benchmarks/flowchart.py on pre-flattened facts: the physical reference (no trace)
  raw durable            durable-rules alone, asserting the same rounds of facts decide() asserts
                         (inputs, each stratum's settled conclusions, the verdict) with bare actions
  decide(<e>)            infoshare_rules.decide(facts, engine=<e>): verdict, obligations, full trace,
                         presumptions and questions
  <e>, no questions      the same with questions=False: verdict, obligations, full trace, presumptions
  compiled, cold         compiled, no questions, every explanation cache emptied before each pass
                         (so each distinct path through the rules pays for assembling its trace once)

Prints mean us/decision (median over repeats), p50 and p99 of single calls, x the flowchart function,
the ratio of decide(durable) to raw durable-rules, and the targets. Figures, not a test.

--peers (or --sets peers) adds the flowchart-level section: the flowchart's direct questions over all
their answers (6,561 cases, benchmarks/peers/cases.py), the library against other rule engines
stating the same flowchart in their own languages (benchmarks/peers/: GoRules ZEN, CLIPS via
clipspy, experta, hand-written Python), each peer's verdicts first checked equal to
decide(engine="compiled", questions=False) on all 6,561 cases (a peer that disagrees is not timed:
its disagreements are counted and sampled). Timed side by side on a seeded sample of --peers-n of
the cases (every library contender decides each sampled case once before the timing: the first
pass is shown apart, later passes find the library's per-case memo warm). The peers are optional:
pip install 'infoshare-rules[bench]'; a missing one is reported and skipped.
--sets new: questions on new cases (issue 18 item 2): the shipped examples, 60 seeded flowchart-level partial
cases and {} (_cases.question_cases(), 362), each decided with the compiled engine with its per-case memo
emptied, CPU time: decide(questions=False), decide() by the per-case path, then after prepare() (its build
time printed) decide() from the index, and decide(questions=False) again (the index gives the reachable verdicts
too); the ratios to questions=False (before and after prepare) against the 3x target, and the break-even.
Usage: python benchmarks/bench_decide.py [N] [--engines compiled,reference,durable] [--repeat R] [--sets shipped,mixed,peers]
       [--peers] [--peers-n M]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import case_docs, shipped_facts  # noqa: E402
from bench_engine import raw_runner, rounds  # noqa: E402
from flowchart import flowchart  # noqa: E402
from peers import case_document, flowchart_cases, load_peers  # noqa: E402

from infoshare_rules import decide, facts_from_dict, load_ruleset  # noqa: E402
from infoshare_rules.decision import decide as decide_module  # noqa: E402  (to empty its caches for the cold run)
from infoshare_rules.engines.registry import durable_available, get_engine  # noqa: E402
from infoshare_rules.facts.model import flatten  # noqa: E402


def timed(call, items) -> tuple[float, list[int]]:
    """Total seconds for the loop, and each call's nanoseconds."""
    clock = time.perf_counter_ns
    each = []
    start = time.perf_counter()
    for item in items:
        t0 = clock()
        call(item)
        each.append(clock() - t0)
    return time.perf_counter() - start, each


def percentile(values: list[int], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000


def forget_explanations() -> None:
    for plan in decide_module._plans.values():
        plan.explained.clear()
    decide_module._explained_in_session.clear()


def contenders(ruleset, facts, engines):
    flat = [flatten(f) for f in facts]
    runs: dict[str, tuple] = {"flowchart": (flowchart, flat)}
    if durable_available() and "durable" in engines:
        prepared = [rounds(ruleset, f) for f in facts]  # outside the timing
        decide_raw = raw_runner(get_engine(ruleset, "durable"), ruleset)
        runs["raw durable"] = (lambda batches: decide_raw(*batches), prepared)
    for engine in engines:
        runs[f"decide({engine})"] = (lambda f, e=engine: decide(f, engine=e), facts)
    for engine in engines:  # without working out the questions (each unknown fact's answers tried)
        runs[f"{engine}, no questions"] = (lambda f, e=engine: decide(f, engine=e, questions=False), facts)
    if "compiled" in engines:
        runs["compiled, cold"] = (lambda f: decide(f, engine="compiled", questions=False), facts, forget_explanations)
    return runs


def measure(name: str, ruleset, facts, engines, repeat: int) -> None:
    runs = contenders(ruleset, facts, engines)
    for call, items, *_ in runs.values():  # warm up: compile, fill caches
        for item in items[:200]:
            call(item)
    totals: dict[str, list[float]] = {name: [] for name in runs}
    latencies: dict[str, list[int]] = {name: [] for name in runs}
    for _ in range(repeat):  # interleaved so every contender sees the same machine load
        for label, (call, items, *before) in runs.items():
            for prepare in before:
                prepare()
            seconds, each = timed(call, items)
            totals[label].append(seconds)
            latencies[label].extend(each)
    n = len(facts)
    base = statistics.median(totals["flowchart"]) / n * 1e6
    print(f"\n{name}: {n} decisions, {repeat} repeats, load average {os.getloadavg()[0]:.2f}")
    print(f"{'':24}{'us/decision':>12}{'p50 us':>10}{'p99 us':>10}{'x flowchart':>13}")
    for label in runs:
        mean = statistics.median(totals[label]) / n * 1e6
        print(f"{label:24}{mean:12.2f}{percentile(latencies[label], 0.5):10.2f}{percentile(latencies[label], 0.99):10.2f}{mean / base:13.0f}")
    if "raw durable" in runs and "durable, no questions" in runs:
        ratio = statistics.median(totals["durable, no questions"]) / statistics.median(totals["raw durable"])
        print(f"decide(durable, questions=False) / raw durable: {ratio:.3f}  (target <= 1.30)")
    if "compiled, no questions" in runs:
        mean = statistics.median(totals["compiled, no questions"]) / n * 1e6
        print(f"decide(compiled, questions=False): {mean:.2f} us with the full trace  (target <= 10 us, stretch 3 us)")


def peers_section(ruleset, sample_size: int, repeat: int) -> None:
    """The flowchart-level decision: the library against the peers (benchmarks/peers/), verdicts checked first."""
    cases = list(flowchart_cases())
    facts = [facts_from_dict(case_document(c)) for c in cases]
    start = time.perf_counter()
    expected = [decide(f, engine="compiled", questions=False).verdict.value for f in facts]
    first_verdicts = (time.perf_counter() - start) / len(cases) * 1e6
    counts: dict[str, int] = {}
    for v in expected:
        counts[v] = counts.get(v, 0) + 1
    print(f"\nflowchart level: {len(cases)} cases (the flowchart's 8 direct questions, 3 answers each)")
    print(f"library's verdicts (compiled, questions=False), each case decided for the first time: {first_verdicts:.0f} us/case;",
          ", ".join(f"{v} {n}" for v, n in sorted(counts.items(), key=lambda kv: -kv[1])))

    peers, missing = load_peers()
    for line in missing:
        print(line)
    checked = []
    for peer in peers:  # verified on every case before any timing
        answers = peer.run(peer.prepare(cases))
        wrong = [i for i, (a, e) in enumerate(zip(answers, expected)) if a != e]
        if wrong or len(answers) != len(expected):
            print(f"{peer.label}: NOT TIMED: disagrees with the library on {len(wrong)} of {len(cases)} cases; e.g.")
            for i in wrong[:3]:
                print(f"    {cases[i]}: {answers[i]} (library: {expected[i]})")
            continue
        checked.append(peer)
    rough = sum(flowchart(flatten(f)) != e for f, e in zip(facts, expected))
    print(f"verdicts checked equal on all {len(cases)} cases: {', '.join(p.label for p in checked) or 'none'}"
          f"  (benchmarks/flowchart.py, the rough reading timed in the other sections, differs on {rough}: not timed here)")

    picked = sorted(random.Random(2006).sample(range(len(cases)), min(sample_size, len(cases))))
    sample = [cases[i] for i in picked]
    sample_facts = [facts[i] for i in picked]
    sample_expected = [expected[i] for i in picked]
    runs: dict[str, tuple] = {}  # label -> (one pass: items -> verdicts or None, items)
    for peer in checked:
        runs[peer.label] = (peer.run, peer.prepare(sample))

    def library(**options):
        return lambda items: [decide(f, **options).verdict.value for f in items]

    runs["compiled, no questions"] = (library(engine="compiled", questions=False), sample_facts)
    runs["decide(compiled)"] = (library(engine="compiled"), sample_facts)
    default_engine = decide(facts_from_dict({})).engine
    runs[f"decide() defaults ({default_engine})"] = (library(), sample_facts)
    if durable_available():
        decide_raw = raw_runner(get_engine(ruleset, "durable"), ruleset)
        prepared = [rounds(ruleset, f) for f in sample_facts]  # outside the timing
        runs["raw durable"] = (lambda items: [decide_raw(*batches) for batches in items], prepared)

    first: dict[str, float] = {}
    for label, (run, items) in list(runs.items()):  # the first pass: warms up, and checks the library's contenders
        start = time.perf_counter()
        answers = run(items)
        first[label] = (time.perf_counter() - start) / len(items) * 1e6
        if label != "raw durable" and answers != sample_expected:
            print(f"{label}: NOT TIMED: its verdicts differ from decide(compiled, questions=False) on the sample")
            del runs[label]
    wall: dict[str, list[float]] = {label: [] for label in runs}
    cpu: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(repeat):  # interleaved so every contender sees the same machine load
        for label, (run, items) in runs.items():
            c0, w0 = time.process_time(), time.perf_counter()
            answers = run(items)
            wall[label].append(time.perf_counter() - w0)
            cpu[label].append(time.process_time() - c0)
            if label != "raw durable" and answers != sample_expected:
                raise SystemExit(f"{label}: its verdicts changed between passes")
    n = len(sample)
    base = statistics.median(wall["compiled, no questions"])
    print(f"timed: {n} of the cases (seeded sample), {repeat} repeats, load average {os.getloadavg()[0]:.2f}")
    print(f"{'':32}{'us/decision':>12}{'cpu us':>9}{'x compiled':>12}{'first pass us':>15}")
    for label in sorted(runs, key=lambda k: statistics.median(wall[k])):
        mean = statistics.median(wall[label]) / n * 1e6
        print(f"{label:32}{mean:12.2f}{statistics.median(cpu[label]) / n * 1e6:9.2f}"
              f"{statistics.median(wall[label]) / base:12.2f}{first[label]:15.0f}")
    print("cpu us: the process's CPU time per decision, all threads (ZEN's batch runs on several cores).")
    print("first pass: each sampled case's first decision by that contender, before the timing, in this order: the peers,")
    print("compiled no questions, decide(compiled), decide() defaults, raw durable. The library's per-case memo is shared by")
    print("its engines and the verdicts of all 6,561 cases were worked out first, so only questions are new to decide(compiled).")
    print("raw durable: the library's compiled rules in durable-rules, given decide()'s rounds of facts (verdict included):")
    print("its verdict is not its own, so not checked.")
    ratio = statistics.median(wall["decide(compiled)"]) / base
    print(f"decide(compiled) with questions / without, cases decided before: {ratio:.2f}  (target <= 3)")
    print(f"a case's first decision: {first['decide(compiled)']:.0f} us for its questions (decide(compiled)'s first pass) against "
          f"{first_verdicts:.0f} us for its verdict (all 6,561 cases, the engine's first use included): "
          f"{first['decide(compiled)'] / first_verdicts:.0f}x")


def new_cases_section(ruleset) -> None:
    from _cases import question_cases as case_facts

    from infoshare_rules import prepare
    from infoshare_rules.decision.cases import case_space

    cs = case_space(ruleset)
    facts = case_facts()
    for f in facts:  # explanations warm for every contender: the section measures the questions
        decide(f, ruleset=ruleset, engine="compiled", questions=False)

    def run(questions: bool) -> list[float]:
        out = []
        for f in facts:
            cs._memo.clear()
            t = time.process_time()
            decide(f, ruleset=ruleset, engine="compiled", questions=questions)
            out.append(time.process_time() - t)
        return out

    bare = run(False)
    per_case = run(True)
    start = time.process_time()
    prepare(ruleset)
    build = time.process_time() - start
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    statm = Path("/proc/self/statm")  # the RSS the prepared process keeps (Linux)
    now = f", RSS after {int(statm.read_text().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20:.0f} MB" if statm.exists() else ""
    prepared = run(True)
    # the index gives the reachable verdicts too; CUDD's computed table is warm from the run above (same cases,
    # same substitutions), so this row is a lower bound and the same-process ratio below an upper bound
    prepared_bare = run(False)
    prepared_warm = run(True)  # again, CUDD's cache warm as for the row above: like for like
    print(f"\nnew cases: {len(facts)} (shipped examples, 60 flowchart-level partial cases, {{}}), compiled engine, memo emptied, CPU ms")
    rows = (("questions=False", bare), ("questions, per-case path", per_case), ("questions, prepared index", prepared),
            ("questions=False, prepared*", prepared_bare), ("questions, prepared index*", prepared_warm))
    for name, times in rows:
        print(f"  {name:28} mean {statistics.mean(times) * 1e3:8.2f}  median {statistics.median(times) * 1e3:7.2f}  max {max(times) * 1e3:8.1f}")
    ratio = statistics.mean(prepared) / statistics.mean(bare)
    print(f"  prepared / questions=False: mean {ratio:.2f}x, median {statistics.median(prepared) / statistics.median(bare):.2f}x"
          f"  (target <= 3x: {'OK' if ratio <= 3 else 'OVER'})")
    same = statistics.mean(prepared) / statistics.mean(prepared_bare)
    print(f"  prepared / questions=False in the same prepared process (*: CUDD's cache warm): mean {same:.2f}x,"
          f" median {statistics.median(prepared) / statistics.median(prepared_bare):.2f}x  (target <= 3x: {'OK' if same <= 3 else 'OVER'})")
    gain = statistics.mean(per_case) - statistics.mean(prepared)
    warm = statistics.mean(prepared_warm) / statistics.mean(prepared_bare)
    print(f"  prepared / questions=False in the same prepared process, both warm: mean {warm:.2f}x,"
          f" median {statistics.median(prepared_warm) / statistics.median(prepared_bare):.2f}x  (target <= 3x: {'OK' if warm <= 3 else 'OVER'})")
    print(f"  prepare(): {build:.1f} s CPU, peak RSS {rss:.0f} MB{now}; break-even after {build / max(1e-9, gain):.0f} new cases")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=20_000)
    parser.add_argument("--engines", default="compiled,reference,durable", help="comma-separated engine names")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sets", default="shipped,mixed", help="comma-separated: shipped, mixed, peers, new")
    parser.add_argument("--peers", action="store_true", help="add the flowchart-level section with the peers (as --sets ...,peers)")
    parser.add_argument("--peers-n", type=int, default=300, help="cases of the 6,561 timed in the peers section (seeded sample)")
    args = parser.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    ruleset = load_ruleset()
    print(f"ruleset: {ruleset.id} ({len(ruleset.rules)} rules)  python {sys.version.split()[0]}  cores: {os.cpu_count()}")
    sets = args.sets.split(",")
    if "shipped" in sets:
        shipped = shipped_facts()
        facts = [shipped[i % len(shipped)] for i in range(args.n)]
        measure(f"shipped examples ({len(shipped)} distinct cases, repeated)", ruleset, facts, engines, args.repeat)
    if "mixed" in sets:
        facts = [facts_from_dict(d) for d in case_docs(args.n)]
        measure("mixed: half shipped examples, half seeded random cases", ruleset, facts, engines, args.repeat)
    if args.peers or "peers" in sets:
        peers_section(ruleset, args.peers_n, args.repeat)
    if "new" in sets:
        new_cases_section(ruleset)


if __name__ == "__main__":
    main()
