"""Synthetic case facts for the benchmarks: the shipped examples mixed with seeded random cases.

Random cases draw each fact from its whole domain (introspected from the attrs classes, so new
facts flow in), leaving some unknown, so the decisions cover many rules and trace shapes.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Iterator

import attrs

from infoshare_rules import CaseFacts, FactsError, decide, facts_from_dict
from infoshare_rules.facts.model import GROUP_FIELDS

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def example_docs() -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((EXAMPLES / "facts").glob("*.json"))]


def shipped_facts() -> list[CaseFacts]:
    """Every shipped example: the facts files, and the facts of every case in the shipped case suites (as the
    national ruleset sees them: a protocol's own facts, unknown to it, left out)."""
    from infoshare_rules import load_ruleset
    from infoshare_rules.cases.suite import discover, load_case_file

    national = load_ruleset()
    facts = [facts_from_dict(doc) for doc in example_docs()]
    return facts + [national.own_facts(case.facts) for path in discover([EXAMPLES]) for case in load_case_file(path).cases]


def random_doc(rng: random.Random, known: float = 0.6) -> dict:
    doc: dict = {}
    for group_field in GROUP_FIELDS:
        group: dict = {}
        for f in attrs.fields(group_field.metadata["group"]):
            if rng.random() > known:
                continue
            if "enum" in f.metadata:
                group[f.name] = rng.choice([m.value for m in f.metadata["enum"]])
            else:
                group[f.name] = rng.randint(0, 25)
        if group:
            doc[group_field.name] = group
    return doc


def case_docs(n: int, seed: int = 2006) -> Iterator[dict]:
    """N facts documents: every other one a shipped example, the rest random (seeded).

    A random document whose direct answers contradict its finer facts is drawn again: the library
    refuses those (FactsError), and a benchmark of decisions should time decisions.
    """
    rng = random.Random(seed)
    examples = example_docs()
    for i in range(n):
        if i % 2 == 0:
            yield examples[(i // 2) % len(examples)]
            continue
        while True:
            doc = random_doc(rng)
            try:
                decide(facts_from_dict(doc), engine="compiled", questions=False)
            except FactsError:
                continue
            yield doc
            break


# The flowchart's direct questions, for the seeded partial cases below.
FLOWCHART_DIRECT = {
    "purpose": ["legitimate"],
    "information": ["identifiable", "confidential"],
    "consent": ["have_consent"],
    "legal": ["statutory_duty", "court_order"],
    "public_interest": ["practitioner_judgement"],
}


def question_cases() -> list[CaseFacts]:
    """The set questions are timed and checked on: the shipped examples, 60 seeded flowchart-level
    partial cases (each direct question answered or left unknown) and ``{}``."""
    rng = random.Random(1)
    flow = []
    for _ in range(60):
        doc: dict[str, dict[str, str]] = {}
        for group, fields in FLOWCHART_DIRECT.items():
            for field in fields:
                options = ["sufficient", "insufficient", "unknown"] if field == "practitioner_judgement" else ["yes", "no", "unknown"]
                value = rng.choice(options)
                if value != "unknown":
                    doc.setdefault(group, {})[field] = value
        flow.append(facts_from_dict(doc))
    return [*shipped_facts(), *flow, facts_from_dict({})]
