"""The flowchart-level cases: every combination of the guide's flowchart's direct questions.

Eight facts, three answers each (the two answers, or not known): 3^8 = 6,561 cases. Plain Python,
no optional package and no library import, so a unit test can always run it.
"""

from __future__ import annotations

import itertools
from typing import Iterator

UNKNOWN = "unknown"

#: (short name the peers use, the library's ``group.field``, its answers). Order: the flowchart's.
FLOWCHART_FACTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("legitimate", "purpose.legitimate", ("yes", "no", UNKNOWN)),
    ("identifiable", "information.identifiable", ("yes", "no", UNKNOWN)),
    ("confidential", "information.confidential", ("yes", "no", UNKNOWN)),
    ("have_consent", "consent.have_consent", ("yes", "no", UNKNOWN)),
    ("statutory_duty", "legal.statutory_duty", ("yes", "no", UNKNOWN)),
    ("court_order", "legal.court_order", ("yes", "no", UNKNOWN)),
    ("judgement", "public_interest.practitioner_judgement", ("sufficient", "insufficient", UNKNOWN)),
    ("unsure", "practitioner.unsure_what_to_do", ("yes", "no", UNKNOWN)),
)

NAMES: tuple[str, ...] = tuple(short for short, _, _ in FLOWCHART_FACTS)


def flowchart_cases() -> Iterator[dict[str, str]]:
    """Every case, as {short name: answer}; a fact not known is ``"unknown"``."""
    for values in itertools.product(*(answers for _, _, answers in FLOWCHART_FACTS)):
        yield dict(zip(NAMES, values))


def case_document(case: dict[str, str]) -> dict[str, dict[str, str]]:
    """The library's nested facts document for a case (``facts_from_dict``'s input); unknown facts left out."""
    doc: dict[str, dict[str, str]] = {}
    for short, name, _ in FLOWCHART_FACTS:
        if case[short] != UNKNOWN:
            group, field = name.split(".")
            doc.setdefault(group, {})[field] = case[short]
    return doc
