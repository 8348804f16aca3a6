"""Peers for the flowchart-level decision: the same verdicts from other rule engines, for bench_decide.py --peers.

The work: the guide's flowchart's direct questions (cases.py: 3^8 = 6,561 cases), each peer
answering the verdict infoshare-rules gives on that case (decide(engine="compiled",
questions=False)). Each peer states the flowchart's rules in its own language, not a table of the
library's answers:

  ZEN        GoRules zen-engine: a JDM decision table (flowchart.jdm.json, first hit), evaluated with
             ZenEngine.evaluate_batch over all the cases (its fastest way: one call, the Rust side
             spreads the batch over the cores), and with ZenDecision.evaluate one case per call
  clipspy    CLIPS defrules (flowchart.clp): reset, assert the case, run, read a global
  experta    an experta KnowledgeEngine (experta_rules.py): reset, declare the case, run
  flowchart  the same rules hand-written in Python (handwritten.py)

The rules beyond a straight reading of the flowchart, each from the ruleset (see flowchart.clp):
a statutory duty or court order decides must_share over everything (verdict precedence, 4.24), an
unknown duty or order is presumed absent (4.24), the public interest judgement alone never decides
at this level (without consent the route to sharing depends on 3.9's finer facts), and a
practitioner's doubt gives seek_advice only where the facts leave the decision open.

Optional packages (the ``bench`` extra): a peer whose package is missing is reported, not timed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from .cases import NAMES, case_document, flowchart_cases  # noqa: F401  (re-exported for bench_decide)
from .handwritten import flowchart_by_cases

HERE = Path(__file__).resolve().parent


@dataclass
class Peer:
    label: str
    prepare: Callable[[Sequence[dict[str, str]]], Any]  # the cases -> the peer's input (outside any timing)
    run: Callable[[Any], list[str]]  # one timed pass: the input -> each case's verdict


def _each(call: Callable[[Any], str]) -> Callable[[Any], list[str]]:
    return lambda items: [call(item) for item in items]


def _zen() -> list[Peer]:
    import zen

    content = json.loads((HERE / "flowchart.jdm.json").read_text())
    engine = zen.ZenEngine({"loader": {"type": "static", "content": {"flowchart": content}}})
    decision = engine.create_decision(json.dumps(content))

    def batch(requests: list[dict]) -> list[str]:
        return [answer["data"]["result"]["verdict"] for answer in engine.evaluate_batch(requests)]

    return [
        Peer("ZEN, evaluate_batch", lambda cases: [{"key": "flowchart", "context": dict(c)} for c in cases], batch),
        Peer("ZEN, evaluate each", lambda cases: [dict(c) for c in cases], _each(lambda c: decision.evaluate(c)["result"]["verdict"])),
    ]


def _clips() -> list[Peer]:
    import clips

    env = clips.Environment()
    env.load(str(HERE / "flowchart.clp"))
    template = env.find_template("case")
    verdict = env.find_global("verdict")

    def decide(case: dict) -> str:
        env.reset()
        template.assert_fact(**case)
        env.run()
        return str(verdict.value)

    # CLIPS matches symbols: the answers become Symbols outside the timing.
    return [Peer("clipspy", lambda cases: [{k: clips.Symbol(v) for k, v in c.items()} for c in cases], _each(decide))]


def _experta() -> list[Peer]:
    from .experta_rules import runner

    return [Peer("experta", lambda cases: [dict(c) for c in cases], _each(runner()))]


def load_peers() -> tuple[list[Peer], list[str]]:
    """The peers whose packages import, and a line for each that does not."""
    peers = [Peer("flowchart, by cases", lambda cases: list(cases), _each(flowchart_by_cases))]
    missing = []
    for label, package, make in (("ZEN", "zen-engine", _zen), ("clipspy", "clipspy", _clips), ("experta", "experta", _experta)):
        try:
            peers.extend(make())
        except ImportError as error:
            missing.append(f"{label}: not timed ({package} does not import: {error}; pip install 'infoshare-rules[bench]')")
    return peers, missing
