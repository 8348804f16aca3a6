"""`infoshare diff` reports: one dictionary (JSON), rendered as text (rich), Markdown or standalone HTML."""

from __future__ import annotations

import io
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from .complete import DOMAIN, PHRASE
from .diff import Region, RulesetDiff
from .outcome import Because, Outcome
from .report_parts import UNDETERMINED, by_size, e, open_text, page, share_of, transition, witness_table, witness_text
from ..semantics.space import facts_document


def _because(items: tuple[Because, ...]) -> list[dict[str, Any]]:
    return [{"rule": b.rule, "cites": list(b.cites)} for b in items]


def _responsible(region: Region, side: str) -> list[dict[str, Any]]:
    outcome = region.outcome_a if side == "a" else region.outcome_b
    if region.kind == "verdict":
        return _because(outcome.because)
    return _because(outcome.raisers(region.before))


def _outcome_dict(outcome: Outcome) -> dict[str, Any]:
    out: dict[str, Any] = {"verdict": outcome.verdict, "obligations": list(outcome.obligations), "error": outcome.error}
    if outcome.verdict == UNDETERMINED:
        # what is open: each conclusion the verdict rules test, reached or undetermined; the questions decide() asks
        out["settled"] = dict(outcome.settled)
        out["questions"] = list(outcome.questions)
    return out


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
                    "a_outcome": _outcome_dict(r.outcome_a),
                    "b_outcome": _outcome_dict(r.outcome_b),
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
    return f"verdict {transition(r)}" if r["kind"] == "verdict" else transition(r)


def _rules_text(rules: list[dict[str, Any]]) -> str:
    return "; ".join(f"{x['rule']} ({', '.join(x['cites'])})" for x in rules) or "none"


def _side(r: dict[str, Any], side: str) -> str:
    """What one side does with the witness, and the rules (with paragraphs) responsible; for an undetermined
    verdict, what it leaves open."""
    outcome, rules = r[f"{side}_outcome"], r[f"{side}_rules"]
    name = side.upper()
    if outcome["error"]:
        return f"{name}: {outcome['verdict']} ({outcome['error']})"
    undetermined = outcome["verdict"] == UNDETERMINED
    if r["kind"] == "verdict":
        if undetermined:
            return open_text(outcome, name) + (f"; steps: {_rules_text(rules)}" if rules else "")
        return f"{name} decides {outcome['verdict']}, because: {_rules_text(rules)}"
    raised = f"raised by {_rules_text(rules)}" if rules else "not raised"
    decides = open_text(outcome, name) if undetermined else f"{name} decides {outcome['verdict']}"
    return f"{decides}; {r['a']} {raised}"


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


def _summary_lines(d: dict[str, Any]) -> list[str]:
    """The regions by transition, largest first, each with its count and share of the cases compared."""
    total = d["behaviour"]["inputs_compared"]
    return [f"{transition(r)}: {r['inputs']:,} ({share_of(r['inputs'], total)})" for r in by_size(d["behaviour"]["regions"])]


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


def diff_text(diff: RulesetDiff, *, width: int | None = None) -> str:
    """The diff for people. ``width``: a terminal's, where the cases table folds long names into its
    columns; ``None`` (a file or a pipe): no line is wrapped and nothing is cut, the case flips listed."""
    d = diff_dict(diff)
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 100_000, color_system=None, highlight=False, soft_wrap=True)
    console.print(f"infoshare diff {_title(d)}", style="bold")
    console.print("\nStructure:")
    for line in _structural_lines(d):
        console.print(f"  {line}")
    console.print("\nBehaviour:")
    console.print(f"  {_summary(d)}")
    if d["behaviour"]["regions"]:
        console.print("\n  Regions by transition, largest first (complete cases; share of those compared):")
        for line in _summary_lines(d):
            console.print(f"    {line}")
    for r in by_size(d["behaviour"]["regions"]):
        console.print(f"\n  {_verdict_line(r)}  ({r['inputs']:,} complete cases)", style="bold")
        console.print("    witness (facts not listed: left to presumptions, or direct answers the finer facts give):")
        for line in witness_text(r["witness"]):
            console.print(f"      {line}")
        console.print(f"    {_side(r, 'a')}")
        console.print(f"    {_side(r, 'b')}")
    if "cases" in d:
        flips = d["cases"]["flips"]
        console.print(f"\nCases: {len(flips)} of {d['cases']['run']} decided differently")
        if flips and width:
            table = Table("case", "file", "A", "B", "obligations gained", "obligations lost")
            for column in table.columns:
                column.overflow = "fold"  # long names wrap inside their column, never cut
            for f in flips:
                table.add_row(f["case"], f["file"], f["a"], f["b"], ", ".join(f["obligations_gained"]), ", ".join(f["obligations_lost"]))
            console.print(table)
        else:
            for f in flips:
                console.print(f"  {f['case']}  ({f['file']}): {f['a']} -> {f['b']}")
                if f["obligations_gained"]:
                    console.print(f"      obligations gained: {', '.join(f['obligations_gained'])}")
                if f["obligations_lost"]:
                    console.print(f"      obligations lost: {', '.join(f['obligations_lost'])}")
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip().splitlines()) + "\n"


# ---------------------------------------------------------------- Markdown


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def diff_markdown(diff: RulesetDiff) -> str:
    d = diff_dict(diff)
    out = [f"# Ruleset diff: {_title(d)}", "", "## Structure", ""]
    out += [f"- {_md(line)}" for line in _structural_lines(d)]
    out += ["", "## Behaviour", "", _summary(d), ""]
    if d["behaviour"]["regions"]:
        total = d["behaviour"]["inputs_compared"]
        out += ["| transition | complete cases | share |", "|---|---:|---:|"]
        out += [f"| {_md(transition(r))} | {r['inputs']:,} | {share_of(r['inputs'], total)} |" for r in by_size(d["behaviour"]["regions"])]
        out.append("")
    for r in by_size(d["behaviour"]["regions"]):
        out += [
            f"### {_md(_verdict_line(r))} ({r['inputs']:,} complete cases)",
            "",
            "- Witness case (facts not listed: left to presumptions, or direct answers the finer facts give):",
            *[f"  - `{line}`" for line in witness_text(r["witness"])],
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


def _rule_items(rules: list[dict[str, Any]], ruleset: Any) -> str:
    """The rules (or precedence / doubt steps) a side rests on: id, paragraphs and, for a rule, its statement."""
    statements = {rule.id: " ".join(rule.statement.split()) for rule in ruleset.rules}
    items = []
    for x in rules:
        cites = f" ({e(', '.join(x['cites']))})" if x["cites"] else ""
        statement = statements.get(x["rule"], "")
        items.append(f"<li><code>{e(x['rule'])}</code>{cites}{': ' + e(statement) if statement else ''}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def _open_table(outcome: dict[str, Any], ruleset: Any) -> str:
    """What an undetermined side's verdict rules test, each reached or open, labelled by the conclusion's statement."""
    conclusions = getattr(ruleset, "conclusions", {})
    rows = "".join(
        f'<tr title="{e(c)} = {e(v)}"><td>{e(getattr(conclusions.get(c), "statement", c))} <span class="id"><code>{e(c)}</code></span></td>'
        f"<td>{'<strong>open</strong>' if v == UNDETERMINED else e(v)}</td></tr>"
        for c, v in (outcome.get("settled") or {}).items()
    )
    if not rows:
        return ""
    return (
        '<table><thead><tr><th scope="col">What its verdict rules test</th><th scope="col">On this case</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _side_html(r: dict[str, Any], side: str, ruleset: Any) -> str:
    outcome, rules = r[f"{side}_outcome"], r[f"{side}_rules"]
    name = side.upper()
    if outcome["error"]:
        return f'<div class="side"><strong>{name}</strong>: {e(outcome["verdict"])} ({e(outcome["error"])})</div>'
    undetermined = outcome["verdict"] == UNDETERMINED
    if undetermined:
        decides = f"<p>{e(open_text(outcome, name))}.</p>{_open_table(outcome, ruleset)}"
    else:
        decides = f'<strong>{name}</strong> decides <strong>{e(outcome["verdict"])}</strong>'
    if r["kind"] == "verdict":
        if undetermined:
            return f'<div class="side">{decides}{"Steps:" + _rule_items(rules, ruleset) if rules else ""}</div>'
        return f'<div class="side">{decides}, because:{_rule_items(rules, ruleset)}</div>'
    sep = "" if undetermined else "; "
    if rules:
        return f'<div class="side">{decides}{sep}<code>{e(r["a"])}</code> raised by:{_rule_items(rules, ruleset)}</div>'
    return f'<div class="side">{decides}{sep}<code>{e(r["a"])}</code> not raised</div>'


def _structural_items(d: dict[str, Any], diff: RulesetDiff) -> list[str]:
    """What was edited, each rule added, removed or changed with its statement (B's; A's for a removed rule)."""
    s = d["structural"]
    a = {rule.id: rule for rule in diff.a.rules}
    b = {rule.id: rule for rule in diff.b.rules}

    def item(what: str, rule_id: str, rules: dict[str, Any], detail: str = "") -> str:
        rule = rules.get(rule_id)
        statement = f'<br><span class="meta">{e(" ".join(rule.statement.split()))}</span>' if rule is not None else ""
        return f"<li>{what} <code>{e(rule_id)}</code>{e(detail)}{statement}</li>"

    items = [item("rule added:", r, b) for r in s["rules_added"]]
    items += [item("rule removed:", r, a) for r in s["rules_removed"]]
    items += [item("rule changed:", c["rule"], b, f" ({', '.join(c['changed'])})") for c in s["rules_changed"]]
    rest = _structural_lines({"structural": {**s, "rules_added": [], "rules_removed": [], "rules_changed": []}})
    if items and rest == ["no structural change"]:
        rest = []
    return items + [f"<li>{e(line)}</li>" for line in rest]


def diff_html(diff: RulesetDiff) -> str:
    """A standalone page (inline CSS, no script, nothing fetched) that fits a 1,280 px window: the summary
    (regions by transition, largest first) first, then each region with its witness as questions and answers."""
    d = diff_dict(diff)
    b = d["behaviour"]
    total = b["inputs_compared"]
    regions = by_size(b["regions"])
    anchor = {id(r): f"region-{n}" for n, r in enumerate(regions, 1)}
    parts = [
        f"<h1>Ruleset diff: {e(_title(d))}</h1>",
        f'<p class="meta">A: <code>{e(d["a"]["id"])} {e(d["a"]["version"])}</code> <code>{e(d["a"]["hash"])}</code><br>'
        f'B: <code>{e(d["b"]["id"])} {e(d["b"]["version"])}</code> <code>{e(d["b"]["hash"])}</code></p>',
        f'<p class="summary{"" if b["changed"] else " clean"}" id="summary">{e(_summary(d))}</p>',
    ]
    if regions:
        parts += [
            '<h2 id="by-transition">Regions by transition, largest first</h2>',
            '<table id="transitions"><thead><tr><th scope="col">Transition (A -&gt; B)</th><th scope="col" class="num">Complete cases</th>'
            '<th scope="col" class="num">Share of those compared</th></tr></thead><tbody>',
            *[
                f'<tr><td><a href="#{anchor[id(r)]}">{e(transition(r))}</a></td><td class="num">{r["inputs"]:,}</td>'
                f'<td class="num">{share_of(r["inputs"], total)}</td></tr>'
                for r in regions
            ],
            "</tbody></table>",
        ]
    parts += ["<h2>What was edited</h2><ul>", *_structural_items(d, diff), "</ul>"]
    if regions:
        parts.append("<h2>Where decisions differ</h2>")
    for r in regions:
        parts += [
            f'<section class="region" id="{anchor[id(r)]}">',
            f"<h3>{e(_verdict_line(r))} <small>({r['inputs']:,} complete cases, {share_of(r['inputs'], total)})</small></h3>",
            "<p>For example, a case with these answers (questions not listed are left to the presumptions that fill them, "
            "or are direct answers the finer facts give):</p>",
            witness_table(r["witness"], {**diff.a.input_specs, **diff.b.input_specs}),
            _side_html(r, "a", diff.a),
            _side_html(r, "b", diff.b),
            "</section>",
        ]
    if "cases" in d:
        parts.append(f"<h2>Cases</h2><p>{len(d['cases']['flips'])} of {d['cases']['run']} cases decided differently.</p>")
        if d["cases"]["flips"]:
            heads = ("case", "file", "A", "B", "obligations gained", "obligations lost")
            parts.append('<table id="cases"><thead><tr>' + "".join(f'<th scope="col">{h}</th>' for h in heads) + "</tr></thead><tbody>")
            for f in d["cases"]["flips"]:
                cells = (f["case"], f["file"], f["a"], f["b"], ", ".join(f["obligations_gained"]), ", ".join(f["obligations_lost"]))
                parts.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
            parts.append("</tbody></table>")
    return page(f"Ruleset diff: {_title(d)}", parts)
