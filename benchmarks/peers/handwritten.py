"""The hand-written flowchart, by cases: the same rules as flowchart.clp, as plain Python (the physical floor).

Unlike benchmarks/flowchart.py (a rough reading of the flowchart on all the flat facts, timed in the
other sections), this gives the verdicts infoshare-rules gives when only the flowchart's direct
questions are answered, so it is checked equal to the library before it is timed.
"""

from __future__ import annotations

from typing import Mapping


def flowchart_by_cases(case: Mapping[str, str]) -> str:
    if case["statutory_duty"] == "yes" or case["court_order"] == "yes":
        return "must_share"  # 4.24, whatever else; an unknown duty or order is presumed absent (4.24)
    legitimate = case["legitimate"]
    if legitimate == "no":
        return "do_not_share"
    if legitimate == "yes" and (case["identifiable"] == "no" or case["confidential"] == "no" or case["have_consent"] == "yes"):
        return "share"
    # Left open (the public interest judgement alone does not decide: 3.9's finer facts do).
    return "seek_advice" if case["unsure"] == "yes" else "undetermined"
