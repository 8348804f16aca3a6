"""The decision as text for people (JSON for machines is in ``_json``)."""

from __future__ import annotations

import textwrap

from ..decision.model import Decision
from ..ruleset.loader import load_ruleset, loaded_ruleset

_VERDICT_WORDS = {
    "share": "SHARE: you can share the information",
    "must_share": "MUST SHARE: a statutory duty or court order requires it",
    "do_not_share": "DO NOT SHARE",
    "seek_consent": "SEEK CONSENT FIRST",
    "seek_advice": "SEEK ADVICE before deciding",
    "undetermined": "UNDETERMINED: more facts are needed",
}


def trace_lines(decision: Decision, indent: str = "    ") -> list[str]:
    """The trace compactly, a line a step (for failure reports, where many traces are read)."""
    lines = []
    for number, step in enumerate(decision.trace, 1):
        used = ", ".join(f"{p.name}={p.value}" for p in step.used)
        lines.append(f"{indent}{number:>2}. [{step.kind}] {step.rule}: {step.concluded} [{', '.join(step.cites)}] <- {used}")
    return lines


def wrap_paragraph(text: str, indent: str = "      ", width: int = 100) -> str:
    """A cited paragraph for a terminal: each line (a bullet, say) wrapped on its own."""
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    return "\n".join(
        textwrap.fill(line, width, initial_indent=indent, subsequent_indent=indent + ("  " if line.startswith("- ") else ""))
        for line in lines
    )


def _cites(cites: tuple[str, ...]) -> str:
    return ", ".join(c if not c[0].isdigit() or "." in c else f"section {c}" for c in cites)


_STEP_WORDS = {"stated": "you stated", "presumed": "presumed", "derived": "derived", "precedence": "precedence", "doubt": "doubt", "cases": "by cases"}


def decision_to_text(decision: Decision, paragraphs: bool = False) -> str:
    wrap = textwrap.TextWrapper(width=100, subsequent_indent="      ")
    lines = [f"Verdict: {_VERDICT_WORDS[decision.verdict.value]}", ""]
    if decision.questions:
        lines.append("Questions whose answer could change the verdict (ask the first one first):")
        for q in decision.questions:
            answers = ", ".join(a.value for a in q.answers)
            lines.append(wrap.fill(f"  ? {q.text} [{_cites(q.cites)}] -> {q.fact}: {answers}"))
        lines.append("")
    if decision.presumed:
        lines.append("Presumed (the guide's default while the fact is unknown; give the fact to override):")
        for p in decision.presumed:
            lines.append(wrap.fill(f"  ~ {p.fact} = {p.value}: \"{' '.join(p.wording.split())}\" [{_cites(p.cites)}]"))
        lines.append("")
    if decision.obligations:
        lines.append("Obligations:")
        for o in decision.obligations:
            lines.append(wrap.fill(f"  - {' '.join(o.text.split())} [{_cites(o.cites)}]"))
        lines.append("")
    lines.append("Why (in firing order; stated = your answers, presumed = the guide's defaults, derived = the rules):")
    for number, step in enumerate(decision.trace, 1):
        used = ", ".join(f"{p.name}={p.value}" for p in step.used)
        lines.append(wrap.fill(f"  {number:>2}. [{_STEP_WORDS[step.kind]}] {step.rule}: {step.concluded}  [{_cites(step.cites)}]"))
        lines.append(wrap.fill(f"      because {used}"))
    lines.append("")
    r = decision.ruleset
    lines.append(f"Ruleset {r.id} {r.version} ({r.source}) {r.hash[:19]}; engine {decision.engine}")
    if paragraphs:
        texts = (loaded_ruleset(r.hash) or load_ruleset(r.id)).paragraphs
        lines += ["", "Cited paragraphs:"]
        for cite in decision.cites:
            if cite in texts:
                lines.append(f"  [{cite}] {texts[cite].heading}")
                lines.append(wrap_paragraph(texts[cite].text))
    return "\n".join(lines)
