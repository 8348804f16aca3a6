"""Explanations as text (rich), Markdown, standalone HTML (no external assets) and JSON."""

from __future__ import annotations

import html
import io
import textwrap
from typing import Any

import attrs
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from .counterfactual import Counterfactual
from .narrative import Explanation, Section
from ..contracts.decision_json import converter, decision_to_dict
from ..decision.model import TraceStep

VERDICT_WORDS = {
    "share": "Share: you can share the information",
    "must_share": "Must share: a statutory duty or court order requires it",
    "do_not_share": "Do not share",
    "seek_consent": "Seek consent first",
    "seek_advice": "Seek advice before deciding",
    "undetermined": "Undetermined: more facts are needed",
}


def concluded_words(step: TraceStep) -> str:
    c = step.concluded
    if c.kind == "conclude":
        return f"{c.name} = {c.value}"
    return f"{c.kind}: {c.name}"


def _presumed_words(presumption: Any) -> str:
    wording = getattr(presumption, "wording", None)
    fact, value = getattr(presumption, "fact", None), getattr(presumption, "value", None)
    return f"{wording} ({fact} presumed {value})" if wording and fact else str(wording or presumption)


def _used(step: TraceStep) -> str:
    return ", ".join(f"{p.name} = {p.value}" for p in step.used)


def _change_words(change: Counterfactual) -> str:
    parts = " and ".join(f"{c.fact} were {c.changed_to} (not {c.stated})" for c in change.changes)
    return f"if {parts}: {VERDICT_WORDS[change.verdict.value]}"


def _paragraph_lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


# ---------------------------------------------------------------- text


def explanation_to_text(explanation: Explanation, width: int = 100, color: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system="standard" if color else None, force_terminal=color, highlight=False)
    decision = explanation.decision
    console.print(Panel(Text(VERDICT_WORDS[decision.verdict.value], style="bold"), title="Decision", expand=False))
    for section in explanation.sections:
        console.print()
        console.rule(Text(f"{section.paragraph}  {section.heading}", style="bold"), align="left")
        for line in _paragraph_lines(section.text):
            console.print(Text(line, style="italic"), soft_wrap=False)
        for fact in section.stated:
            console.print(f"  [bold]You stated[/bold] {fact.fact} = {fact.value}")
        for presumption in section.presumed:
            console.print(f"  [bold]Presumed[/bold] {_presumed_words(presumption)}")
        for step in section.derived:
            console.print(f"  [bold]Derived[/bold] {concluded_words(step)} - {step.statement}", highlight=False)
            if step.used:
                console.print(f"      because {_used(step)}  [dim]({step.rule})[/dim]")
    if decision.obligations:
        console.print()
        console.rule(Text("What to do", style="bold"), align="left")
        for obligation in decision.obligations:
            console.print(f"  - {' '.join(obligation.text.split())} [dim][{', '.join(obligation.cites)}][/dim]")
    console.print()
    console.rule(Text("What would change the outcome", style="bold"), align="left")
    if explanation.what_would_change:
        for change in explanation.what_would_change:
            console.print(f"  - {_change_words(change)}")
    else:
        console.print("  No change of one or two stated facts gives another verdict.")
    r = decision.ruleset
    console.print(f"\n[dim]Ruleset {r.id} {r.version} ({r.source}) {r.hash[:19]}; engine {decision.engine}[/dim]")
    return buffer.getvalue()


# ---------------------------------------------------------------- markdown


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("<", "&lt;")


def explanation_to_markdown(explanation: Explanation) -> str:
    decision = explanation.decision
    out = ["# Information sharing decision", "", f"**{VERDICT_WORDS[decision.verdict.value]}**", ""]
    for section in explanation.sections:
        out += [f"## {section.paragraph} {_md(section.heading)}", ""]
        out += [f"> {_md(line)}" for line in _paragraph_lines(section.text)] + ([""] if section.text else [])
        out += [f"- **You stated** `{fact.fact}` = `{fact.value}`" for fact in section.stated]
        out += [f"- **Presumed**: {_md(_presumed_words(p))}" for p in section.presumed]
        for step in section.derived:
            because = f" (because {_md(_used(step))})" if step.used else ""
            out.append(f"- **Derived** `{concluded_words(step)}`: {_md(step.statement)}{because} (rule `{step.rule}`)")
        out.append("")
    if decision.obligations:
        out += ["## What to do", ""] + [f"- {_md(' '.join(o.text.split()))} ({', '.join(o.cites)})" for o in decision.obligations] + [""]
    out += ["## What would change the outcome", ""]
    out += [f"- {_md(_change_words(c))}" for c in explanation.what_would_change] or ["No change of one or two stated facts gives another verdict."]
    r = decision.ruleset
    out += ["", f"_Ruleset {_md(r.id)} {r.version} ({r.source}), {r.hash[:19]}; engine {decision.engine}._", ""]
    return "\n".join(out)


# ---------------------------------------------------------------- html

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}
h1{font-size:1.5rem} h2{font-size:1.1rem;border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}
.verdict{font-size:1.3rem;font-weight:bold;padding:.6rem 1rem;border-left:.4rem solid #1d70b8;background:#f3f2f1}
blockquote{margin:.5rem 0;padding:.2rem 1rem;border-left:.25rem solid #b1b4b6;color:#505a5f}
.kind{font-weight:bold} .rule,.meta{color:#505a5f;font-size:.9em} code{background:#f3f2f1;padding:0 .2rem}
"""


def _h(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _html_section(section: Section) -> str:
    quote = "".join(f"<p>{_h(line)}</p>" for line in _paragraph_lines(section.text))
    items = [f'<li class="stated"><span class="kind">You stated</span> <code>{_h(f.fact)}</code> = <code>{_h(f.value)}</code></li>' for f in section.stated]
    items += [f'<li class="presumed"><span class="kind">Presumed</span> {_h(_presumed_words(p))}</li>' for p in section.presumed]
    for step in section.derived:
        because = f" because {_h(_used(step))}" if step.used else ""
        items.append(
            f'<li class="derived"><span class="kind">Derived</span> <code>{_h(concluded_words(step))}</code>: {_h(step.statement)}'
            f'<span class="rule">{because} (rule {_h(step.rule)})</span></li>'
        )
    return (
        f'<section id="p-{_h(section.paragraph)}"><h2>{_h(section.paragraph)} {_h(section.heading)}</h2>'
        + (f"<blockquote>{quote}</blockquote>" if quote else "")
        + f"<ul>{''.join(items)}</ul></section>"
    )


def explanation_to_html(explanation: Explanation) -> str:
    """A standalone page: inline style, no scripts, nothing fetched from elsewhere."""
    decision = explanation.decision
    obligations = "".join(f"<li>{_h(' '.join(o.text.split()))} <span class=\"meta\">({_h(', '.join(o.cites))})</span></li>" for o in decision.obligations)
    changes = "".join(f"<li>{_h(_change_words(c))}</li>" for c in explanation.what_would_change) or "<li>No change of one or two stated facts gives another verdict.</li>"
    r = decision.ruleset
    return textwrap.dedent(
        f"""\
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Information sharing decision: {_h(decision.verdict.value)}</title>
        <style>{_CSS}</style></head>
        <body>
        <h1>Information sharing decision</h1>
        <p class="verdict" id="verdict">{_h(VERDICT_WORDS[decision.verdict.value])}</p>
        {''.join(_html_section(s) for s in explanation.sections)}
        <section id="obligations"><h2>What to do</h2><ul>{obligations}</ul></section>
        <section id="what-would-change"><h2>What would change the outcome</h2><ul>{changes}</ul></section>
        <p class="meta">Ruleset {_h(r.id)} {_h(r.version)} ({_h(r.source)}), {_h(r.hash[:19])}; engine {_h(decision.engine)}.</p>
        </body>
        </html>
        """
    )


# ---------------------------------------------------------------- json


def explanation_to_dict(explanation: Explanation) -> dict[str, Any]:
    sections = []
    for section in explanation.sections:
        data = converter.unstructure(section)
        sections.append(data)
    return {
        "schema_version": "1.0",
        "verdict": explanation.decision.verdict.value,
        "sections": sections,
        "what_would_change": converter.unstructure(explanation.what_would_change),
        "decision": decision_to_dict(explanation.decision),
    }


RENDERERS = {"text": explanation_to_text, "markdown": explanation_to_markdown, "html": explanation_to_html}
