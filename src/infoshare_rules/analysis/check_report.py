"""`infoshare check` reports: a dictionary (JSON) and text for people."""

from __future__ import annotations

import json
from typing import Any

from .check import CheckReport
from .complete import DOMAIN, witness_lines
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
            lines += [f"        {line}" for line in witness_lines(f["witness"])]
    regions = d["verdict_regions"]
    lines.append(f"Verdict regions (of {regions['inputs']:,} {regions['over']}; {regions['facts']} facts):")
    for name, count in regions["by_outcome"].items():
        lines.append(f"  {name:<20} {count:>36,}")
    return "\n".join(lines) + "\n"
