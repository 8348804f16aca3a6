"""The end of an interview: the decision summed up (verdict, obligations, presumptions), the reasoning on request.

The summary names no answer the practitioner gave: the reasoning, which does ("because
information.identifiable=yes"), is shown only when asked for.
"""

from __future__ import annotations

import textwrap

from ..decision.model import Decision
from ..render.text import _VERDICT_WORDS, trace_lines  # the words `infoshare decide --format text` uses

def _cites(cites: tuple[str, ...]) -> str:
    return f" [{', '.join(cites)}]" if cites else ""


def _facts(facts: list[str]) -> str:
    """``group.a, group.b`` as ``group.a, .b``: several facts of one group (the grounds of 4.22, say) in less room."""
    groups = {fact.split(".")[0] for fact in facts}
    if len(facts) < 2 or len(groups) != 1:
        return ", ".join(facts)
    return facts[0] + "".join(f", .{fact.split('.', 1)[1]}" for fact in facts[1:])


def summary_lines(decision: Decision, width: int = 100) -> list[str]:
    """The verdict, what the guide says to do, what was presumed, and how to see the reasoning.

    Presumptions resting on the same words of the guide with the same value are listed once, with
    their facts (the five grounds of 4.22 not to seek consent, say).
    """
    wrap = textwrap.TextWrapper(width=max(width, 40), subsequent_indent="    ", break_long_words=False, break_on_hyphens=False)
    lines = [f"Verdict: {_VERDICT_WORDS[decision.verdict.value]}"]
    if decision.obligations:
        lines.append("Obligations:")
        lines += [wrap.fill(f"  - {' '.join(o.text.split())}{_cites(o.cites)}") for o in decision.obligations]
    if decision.presumed:
        lines.append("Presumed (the guide's default while a fact is not known; answer it to override):")
        grouped: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}
        for p in decision.presumed:
            grouped.setdefault((p.value, " ".join(p.wording.split()), p.cites), []).append(p.fact)
        for (value, wording, cites), facts in grouped.items():
            lines.append(wrap.fill(f"  ~ {_facts(facts)} = {value}: \"{wording}\"{_cites(cites)}"))
    if decision.questions:
        count = len(decision.questions)
        lines.append(f"Left not known: {count} question{'s' if count != 1 else ''} whose answer could change this verdict.")
    lines.append(f"The reasoning ({len(decision.trace)} steps): choose \"Show the full reasoning\" below.")
    return lines


def trace_text(decision: Decision) -> str:
    """The reasoning step by step: each rule, what it concluded, its paragraphs and the facts it used."""
    head = "Why (in firing order; stated = your answers, presumed = the guide's defaults, derived = the rules):"
    return "\n".join([head, *trace_lines(decision, "  ")])
