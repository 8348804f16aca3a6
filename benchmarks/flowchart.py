"""A hand-written function answering the guide's flowchart: the physical reference for speed.

For comparison only: it is not the library's semantics (no trace, no obligations, no questions,
a rough reading of "unknown"), just the least work a program answering the flowchart's six
questions (legitimate purpose, identifiable, confidential, consent, statutory duty or court
order, public interest) must do on the flat facts ``flatten()`` gives.
"""

from __future__ import annotations

from typing import Mapping

_CONFIDENTIAL_RELATIONSHIPS = frozenset(("formal", "informal_asked_confidential"))


def flowchart(f: Mapping[str, str]) -> str:
    if f["practitioner.unsure_what_to_do"] == "yes":
        return "seek_advice"  # "if in doubt, seek advice" at any stage
    legitimate = f["purpose.legitimate"]
    if legitimate != "yes":
        return "do_not_share" if legitimate == "no" else "undetermined"
    if f["information.identifiable"] == "no":
        return "share"
    if f["information.confidential"] == "no" or (
        f["information.confidential"] == "unknown" and f["information.relationship"] not in _CONFIDENTIAL_RELATIONSHIPS
    ):
        return "share"
    if f["consent.have_consent"] == "yes":
        return "share"
    if f["legal.statutory_duty"] == "yes" or f["legal.court_order"] == "yes":
        return "must_share"
    judgement = f["public_interest.practitioner_judgement"]
    if judgement == "sufficient":
        return "share"
    return "do_not_share" if judgement == "insufficient" else "undetermined"
