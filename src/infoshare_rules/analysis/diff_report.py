"""`infoshare diff` reports: one dictionary (JSON), rendered as text (rich), Markdown or standalone HTML."""

from __future__ import annotations

import html
import io
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from .complete import DOMAIN, PHRASE, witness_lines
from .diff import Region, RulesetDiff
from .outcome import Because
from ..semantics.space import facts_document


def _because(items: tuple[Because, ...]) -> list[dict[str, Any]]:
    return [{"rule": b.rule, "cites": list(b.cites)} for b in items]


def _responsible(region: Region, side: str) -> list[dict[str, Any]]:
    outcome = region.outcome_a if side == "a" else region.outcome_b
    if region.kind == "verdict":
        return _because(outcome.because)
    return _because(outcome.raisers(region.before))


def diff_dict(diff: RulesetDiff) -> dict[str, Any]:
    s = diff.structural
    out: dict[str, Any] = {
        "a": {"id": diff.a.id, "version": diff.a.version, "hash": diff.a.hash, "path": str(diff.a.path)},
        "b": {"id": diff.b.id, "version": diff.b.version, "hash": diff.b.hash, "path": str(diff.b.path)},
        "structural": {
            "rules_added": list(s.added),
            "rules_removed": list(s.removed),
            "rules_changed": [{"rule": c.rule, "changed": list(c.what)} for c in s.changed],
            "presumptions_changed": list(s.presumptions_changed),
            "precedence": {"a": list(s.precedence[0]), "b": list(s.precedence[1])} if s.precedence else None,
            "doubts_changed": list(s.doubts_changed),
            "obligations_changed": list(s.obligations_changed),
        },
        "behaviour": {
            "changed": diff.behaviour_changed,
            # counted over complete cases (see analysis/complete.py), complete for both rulesets
            "inputs_compared": diff.total,
            "inputs_decided_alike": diff.same,
            "over": DOMAIN,
            "complete_for_one_side_only": diff.one_sided,
            "facts_compared": list(diff.facts),
            "regions": [
                {
                    "kind": r.kind,
                    "a": r.before,
                    "b": r.after,
                    "inputs": r.count,
                    "witness": facts_document(r.witness),
                    "a_outcome": {"verdict": r.outcome_a.verdict, "obligations": list(r.outcome_a.obligations), "error": r.outcome_a.error},
                    "b_outcome": {"verdict": r.outcome_b.verdict, "obligations": list(r.outcome_b.obligations), "error": r.outcome_b.error},
                    "a_rules": _responsible(r, "a"),
                    "b_rules": _responsible(r, "b"),
                }
                for r in diff.regions
            ],
        },
    }
    if diff.cases is not None:
        out["cases"] = {
            "run": diff.cases_run,
            "flips": [
                {"case": f.name, "file": f.file, "a": f.before, "b": f.after, "obligations_gained": list(f.obligations_gained), "obligations_lost": list(f.obligations_lost)}
                for f in diff.cases
            ],
        }
    return out


def diff_json(diff: RulesetDiff) -> str:
    return json.dumps(diff_dict(diff), indent=2)


# ---------------------------------------------------------------- prose shared by every format


def _title(d: dict[str, Any]) -> str:
    return f"{d['a']['id']} {d['a']['version']} -> {d['b']['id']} {d['b']['version']}"


def _verdict_line(r: dict[str, Any]) -> str:
    if r["kind"] == "verdict":
        return f"verdict {r['a']} -> {r['b']}"
    return f"obligation {r['a']} {'gained' if r['kind'] == 'obligation_gained' else 'lost'}"


def _rules_text(rules: list[dict[str, Any]]) -> str:
    return "; ".join(f"{x['rule']} ({', '.join(x['cites'])})" for x in rules) or "none"


def _side(r: dict[str, Any], side: str) -> str:
    """What one side does with the witness, and the rules (with paragraphs) responsible."""
    outcome, rules = r[f"{side}_outcome"], r[f"{side}_rules"]
    name = side.upper()
    if outcome["error"]:
        return f"{name}: {outcome['verdict']} ({outcome['error']})"
    if r["kind"] == "verdict":
        return f"{name} decides {outcome['verdict']}, because: {_rules_text(rules)}"
    raised = f"raised by {_rules_text(rules)}" if rules else "not raised"
    return f"{name} decides {outcome['verdict']}; {r['a']} {raised}"


def _summary(d: dict[str, Any]) -> str:
    b = d["behaviour"]
    one_sided = b["complete_for_one_side_only"]
    aside = (
        f" ({one_sided:,} cases complete for one ruleset only, where one leaves a fact to a presumption and the other asks it, are not compared.)"
        if one_sided
        else ""
    )
    if not b["changed"]:
        return (
            f"No behavioural change: proved for all {b['inputs_compared']:,} complete cases of the {len(b['facts_compared'])} facts "
            f"the rulesets test ({PHRASE}): every one gets the same verdict and obligations." + aside
        )
    differ = b["inputs_compared"] - b["inputs_decided_alike"]
    return (
        f"Behaviour changes on {differ:,} of {b['inputs_compared']:,} complete cases ({PHRASE}), in {len(b['regions'])} regions." + aside
    )


def _structural_lines(d: dict[str, Any]) -> list[str]:
    s = d["structural"]
    lines = []
    lines += [f"rule added: {r}" for r in s["rules_added"]]
    lines += [f"rule removed: {r}" for r in s["rules_removed"]]
    lines += [f"rule changed: {c['rule']} ({', '.join(c['changed'])})" for c in s["rules_changed"]]
    lines += [f"presumption changed: {p}" for p in s["presumptions_changed"]]
    if s["precedence"]:
        lines.append(f"verdict precedence: {', '.join(s['precedence']['a'])} -> {', '.join(s['precedence']['b'])}")
    lines += [f"doubt changed: {x}" for x in s["doubts_changed"]]
    lines += [f"obligation changed: {x}" for x in s["obligations_changed"]]
    return lines or ["no structural change"]


# ---------------------------------------------------------------- text (rich)


def diff_text(diff: RulesetDiff) -> str:
    d = diff_dict(diff)
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, color_system=None, highlight=False, soft_wrap=False)
    console.print(f"infoshare diff {_title(d)}", style="bold")
    console.print("\nStructure:")
    for line in _structural_lines(d):
        console.print(f"  {line}")
    console.print("\nBehaviour:")
    console.print(f"  {_summary(d)}")
    for r in d["behaviour"]["regions"]:
        console.print(f"\n  {_verdict_line(r)}  ({r['inputs']:,} complete cases)", style="bold")
        console.print("    witness (facts not listed: left to presumptions, or direct answers the finer facts give):")
        for line in witness_lines(r["witness"]):
            console.print(f"      {line}")
        console.print(f"    {_side(r, 'a')}")
        console.print(f"    {_side(r, 'b')}")
    if "cases" in d:
        console.print(f"\nCases: {len(d['cases']['flips'])} of {d['cases']['run']} decided differently")
        if d["cases"]["flips"]:
            table = Table("case", "file", "A", "B", "obligations gained", "obligations lost")
            for f in d["cases"]["flips"]:
                table.add_row(f["case"], f["file"], f["a"], f["b"], ", ".join(f["obligations_gained"]), ", ".join(f["obligations_lost"]))
            console.print(table)
    return buffer.getvalue().rstrip() + "\n"


# ---------------------------------------------------------------- Markdown


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def diff_markdown(diff: RulesetDiff) -> str:
    d = diff_dict(diff)
    out = [f"# Ruleset diff: {_title(d)}", "", "## Structure", ""]
    out += [f"- {_md(line)}" for line in _structural_lines(d)]
    out += ["", "## Behaviour", "", _summary(d), ""]
    for r in d["behaviour"]["regions"]:
        out += [
            f"### {_md(_verdict_line(r))} ({r['inputs']:,} complete cases)",
            "",
            "- Witness case (facts not listed: left to presumptions, or direct answers the finer facts give):",
            *[f"  - `{line}`" for line in witness_lines(r["witness"])],
            f"- {_md(_side(r, 'a'))}",
            f"- {_md(_side(r, 'b'))}",
            "",
        ]
    if "cases" in d:
        out += ["## Cases", "", f"{len(d['cases']['flips'])} of {d['cases']['run']} cases decided differently.", ""]
        if d["cases"]["flips"]:
            out += ["| case | file | A | B | obligations gained | obligations lost |", "|---|---|---|---|---|---|"]
            for f in d["cases"]["flips"]:
                out.append(
                    f"| {_md(f['case'])} | {_md(f['file'])} | {f['a']} | {f['b']} | {', '.join(f['obligations_gained'])} | {', '.join(f['obligations_lost'])} |"
                )
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------- standalone HTML

_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.5rem}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem}
.summary{padding:.7rem 1rem;border-left:.3rem solid #1d70b8;background:#f3f7fb}
.region{border:1px solid #ddd;border-radius:.3rem;padding:.5rem 1rem;margin:1rem 0}
code,pre{background:#f4f4f4;padding:.1rem .3rem;border-radius:.2rem}pre{padding:.5rem;overflow-x:auto}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
"""


def diff_html(diff: RulesetDiff) -> str:
    d = diff_dict(diff)
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Ruleset diff: {e(_title(d))}</title><style>{_CSS}</style></head><body>",
        f"<h1>Ruleset diff: {e(_title(d))}</h1>",
        f"<p>A: <code>{e(d['a']['hash'])}</code><br>B: <code>{e(d['b']['hash'])}</code></p>",
        f'<p class="summary" id="summary">{e(_summary(d))}</p>',
        "<h2>What was edited</h2><ul>",
        *[f"<li>{e(line)}</li>" for line in _structural_lines(d)],
        "</ul><h2>Where decisions differ</h2>",
    ]
    for r in d["behaviour"]["regions"]:
        parts += [
            '<section class="region">',
            f"<h3>{e(_verdict_line(r))} <small>({r['inputs']:,} complete cases)</small></h3>",
            "<p>For example, a case with these facts (those not listed are left to the presumptions that fill them, or are direct answers the finer facts give):</p>",
            f"<pre>{e(json.dumps(r['witness'], indent=2, sort_keys=True))}</pre>",
            f"<p>{e(_side(r, 'a'))}</p>",
            f"<p>{e(_side(r, 'b'))}</p>",
            "</section>",
        ]
    if "cases" in d:
        parts.append(f"<h2>Cases</h2><p>{len(d['cases']['flips'])} of {d['cases']['run']} cases decided differently.</p>")
        if d["cases"]["flips"]:
            parts.append("<table><tr><th>case</th><th>file</th><th>A</th><th>B</th><th>obligations gained</th><th>obligations lost</th></tr>")
            for f in d["cases"]["flips"]:
                cells = (f["case"], f["file"], f["a"], f["b"], ", ".join(f["obligations_gained"]), ", ".join(f["obligations_lost"]))
                parts.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
            parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
