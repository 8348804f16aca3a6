"""`infoshare check` reports: a dictionary (JSON), text for people, and a standalone HTML page with the same content."""

from __future__ import annotations

import json
from typing import Any

from .check import CheckReport
from .complete import DOMAIN
from .report_parts import e, page, share_of, witness_table, witness_text
from ..semantics.space import facts_document


def check_dict(report: CheckReport) -> dict[str, Any]:
    r = report.ruleset
    return {
        "ruleset": {"id": r.id, "version": r.version, "effective_from": r.effective_from, "hash": r.hash, "path": str(r.path)},
        "clean": report.clean,
        "findings": [
            {
                "kind": f.kind,
                "message": f.message,
                "rules": list(f.rules),
                "cites": list(f.cites),
                "witness": facts_document(f.witness) if f.witness is not None else None,
                "inputs": f.inputs,
                "decide_gives": f.outcome or None,
            }
            for f in report.findings
        ],
        # "inputs": the complete cases counted (see complete.py), each once
        "verdict_regions": {"inputs": report.total, "over": DOMAIN, "facts": len(report.facts), "by_outcome": report.regions},
    }


def check_json(report: CheckReport) -> str:
    return json.dumps(check_dict(report), indent=2)


def check_text(report: CheckReport) -> str:
    d = check_dict(report)
    r = d["ruleset"]
    lines = [f"infoshare check {r['id']} {r['version']} (effective from {r['effective_from'] or 'not declared'})"]
    if report.clean:
        lines.append("No findings: proved over every combination of the facts the rules test.")
    else:
        lines.append(f"{len(report.findings)} finding(s):")
    for f in d["findings"]:
        lines.append(f"  [{f['kind']}] {f['message']}")
        if f["rules"]:
            lines.append(f"      rules: {', '.join(f['rules'])}")
        if f["cites"]:
            lines.append(f"      paragraphs: {', '.join(f['cites'])}")
        if f["witness"] is not None:
            what = "complete cases" if f["kind"] == "weakens_must_share" else "inputs"
            lines.append(f"      witness ({f['inputs']:,} {what}; decide gives {f['decide_gives']}):")
            lines += [f"        {line}" for line in witness_text(f["witness"])]
    regions = d["verdict_regions"]
    lines.append(f"Verdict regions (of {regions['inputs']:,} {regions['over']}; {regions['facts']} facts):")
    for name, count in regions["by_outcome"].items():
        lines.append(f"  {name:<20} {count:>36,}")
    return "\n".join(lines) + "\n"


def _title(d: dict[str, Any]) -> str:
    r = d["ruleset"]
    return f"infoshare check {r['id']} {r['version']}"


def _witness_what(f: dict[str, Any]) -> str:
    return "complete cases" if f["kind"] == "weakens_must_share" else "inputs"


def check_html(report: CheckReport) -> str:
    """The check report as a standalone page (inline CSS, no script, nothing fetched) that fits a 1,280 px
    window: the same findings, witnesses (as questions and answers) and verdict regions as the text and JSON."""
    d = check_dict(report)
    r = d["ruleset"]
    rules = {rule.id: rule for rule in report.ruleset.rules}
    paragraphs = report.ruleset.paragraphs
    summary = (
        "No findings: proved over every combination of the facts the rules test."
        if report.clean
        else f"{len(d['findings'])} finding(s)."
    )
    parts = [
        f"<h1>{e(_title(d))}</h1>",
        f'<p class="meta">Effective from {e(r["effective_from"] or "not declared")}; <code>{e(r["hash"])}</code><br>'
        f"<code>{e(r['path'])}</code></p>",
        f'<p class="summary{" clean" if report.clean else ""}" id="summary">{e(summary)}</p>',
    ]
    if d["findings"]:
        parts += [
            '<h2 id="findings">Findings</h2>',
            '<table id="finding-list"><thead><tr><th scope="col">#</th><th scope="col">Kind</th><th scope="col">Finding</th>'
            '<th scope="col" class="num">Cases</th></tr></thead><tbody>',
            *[
                f'<tr><td><a href="#finding-{n}">{n}</a></td><td class="kind"><code>{e(f["kind"])}</code></td><td>{e(f["message"])}</td>'
                f'<td class="num">{"" if f["inputs"] is None else format(f["inputs"], ",")}</td></tr>'
                for n, f in enumerate(d["findings"], 1)
            ],
            "</tbody></table>",
        ]
    for n, f in enumerate(d["findings"], 1):
        parts += [f'<section class="finding" id="finding-{n}">', f"<h3>{n}. <code>{e(f['kind'])}</code></h3>", f"<p>{e(f['message'])}</p>"]
        if f["rules"]:
            items = []
            for rid in f["rules"]:
                rule = rules.get(rid)
                statement = f": {e(' '.join(rule.statement.split()))}" if rule is not None else ""
                items.append(f"<li><code>{e(rid)}</code>{statement}</li>")
            parts.append("<p>Rules:</p><ul>" + "".join(items) + "</ul>")
        if f["cites"]:
            items = []
            for pid in f["cites"]:
                paragraph = paragraphs.get(pid)
                heading = f": {e(paragraph.heading)}" if paragraph is not None and paragraph.heading else ""
                items.append(f"<li>{e(pid)}{heading}</li>")
            parts.append("<p>Paragraphs:</p><ul>" + "".join(items) + "</ul>")
        if f["witness"] is not None:
            parts += [
                f"<p>Witness ({f['inputs']:,} {_witness_what(f)}; decide() gives <strong>{e(f['decide_gives'])}</strong>), "
                "questions not listed left unknown:</p>",
                witness_table(f["witness"], report.ruleset.input_specs),
            ]
        parts.append("</section>")
    regions = d["verdict_regions"]
    parts += [
        '<h2 id="verdict-regions">Verdict regions</h2>',
        f"<p>Of {regions['inputs']:,} {e(regions['over'])}; {regions['facts']} facts.</p>",
        '<table id="regions"><thead><tr><th scope="col">Outcome</th><th scope="col" class="num">Complete cases</th>'
        '<th scope="col" class="num">Share</th></tr></thead><tbody>',
        *[
            f'<tr><td><code>{e(name)}</code></td><td class="num">{count:,}</td><td class="num">{share_of(count, regions["inputs"])}</td></tr>'
            for name, count in regions["by_outcome"].items()
        ],
        "</tbody></table>",
    ]
    return page(_title(d), parts)
