"""Reports of a case suite run: text for people, JSON for machines, JUnit XML for CI servers."""

from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from itertools import groupby
from pathlib import Path
from typing import Any

from .suite import ERROR, FAILED, PASSED, SKIPPED, CaseResult, Coverage, SuiteResult
from ..render.text import trace_lines


def failure_text(result: CaseResult) -> str:
    """What failed, expected against got, and the trace that led there."""
    if result.status == ERROR and result.error is not None:
        return str(result.error)
    case = result.case
    assert case is not None
    lines = [f"{case.location}: case {case.name!r}"]
    if case.story:
        lines.append(f"  story: {case.story}")
    lines += [f"  {problem}" for problem in result.problems]
    if result.decision is not None:
        lines.append(f"  got verdict {result.decision.verdict.value} from {result.decision.engine}; trace:")
        lines += trace_lines(result.decision)
    return "\n".join(lines)


def coverage_text(coverage: Coverage) -> str:
    lines = [
        f"coverage of {coverage.ruleset}: rules {len(coverage.fired)}/{len(coverage.rules)} ({coverage.rule_percent:.1f}%), "
        f"cited paragraphs {len(coverage.cited & set(coverage.paragraphs))}/{len(coverage.paragraphs)} ({coverage.paragraph_percent:.1f}%)"
    ]
    if coverage.unfired:
        lines.append("  rules never fired: " + ", ".join(coverage.unfired))
    if coverage.uncited:
        lines.append("  paragraphs never cited: " + ", ".join(coverage.uncited))
    return "\n".join(lines)


def suite_text(suite: SuiteResult, *, show_coverage: bool = False) -> str:
    out = []
    bad = [r for r in suite.results if r.status in (FAILED, ERROR)]
    for result in bad:
        out.append(("FAILED " if result.status == FAILED else "ERROR ") + failure_text(result))
        out.append("")
    if show_coverage:
        out += [coverage_text(c) for c in suite.coverage] + [""]
    out.append(suite.summary)
    return "\n".join(out)


def suite_dict(suite: SuiteResult, *, show_coverage: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "summary": {s: suite.count(s) for s in (PASSED, FAILED, SKIPPED, ERROR)},
        "results": [
            {
                "file": r.file,
                "line": r.case.line if r.case else (r.error.line if r.error else None),
                "case": r.case.name if r.case else (r.error.case if r.error else None),
                "status": r.status,
                "problems": list(r.problems),
                "verdict": r.verdict.value if r.verdict else None,
                "fired_rules": list(r.fired_rules),
                "seconds": round(r.seconds, 6),
            }
            for r in suite.results
        ],
    }
    if show_coverage:
        data["coverage"] = coverage_list(suite)
    return data


def coverage_list(suite: SuiteResult) -> list[dict[str, Any]]:
    """Per ruleset: how many rules fired and paragraphs were cited, and which never were."""
    return [
        {
            "ruleset": c.ruleset,
            "rules": len(c.rules),
            "rules_fired": len(c.fired),
            "rule_percent": round(c.rule_percent, 2),
            "rules_never_fired": list(c.unfired),
            "paragraphs": len(c.paragraphs),
            "paragraphs_cited": len(c.cited & set(c.paragraphs)),
            "paragraph_percent": round(c.paragraph_percent, 2),
            "paragraphs_never_cited": list(c.uncited),
        }
        for c in suite.coverage
    ]


def write_coverage_json(suite: SuiteResult, path: str | Path) -> None:
    """The coverage as JSON for CI: the summary counts and, per ruleset, what fired and what never did."""
    data = {
        "summary": {s: suite.count(s) for s in (PASSED, FAILED, SKIPPED, ERROR)},
        "stopped_early": suite.stopped_early,
        "coverage": coverage_list(suite),
    }
    Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def quiet_text(suite: SuiteResult) -> str:
    """One line per failed or malformed case, then the summary."""
    lines = []
    for result in suite.results:
        if result.status in (FAILED, ERROR):
            where = result.case.location if result.case else (f"{result.error.file}:{result.error.line}" if result.error else result.file)
            name = result.case.name if result.case else (result.error.case if result.error and result.error.case else "<file>")
            first = result.problems[0] if result.problems else ""
            lines.append(f"{'FAILED' if result.status == FAILED else 'ERROR'} {where} {name}: {first}")
    lines.append(suite.summary)
    return "\n".join(lines)


def write_junit_xml(suite: SuiteResult, path: str | Path) -> None:
    """JUnit XML as Jenkins, GitLab and GitHub read it: one <testsuite> per case file."""
    root = ET.Element("testsuites", name="infoshare test")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0, "time": 0.0}
    stamp = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    for file, group in groupby(suite.results, key=lambda r: r.file):
        results = list(group)
        counts = {
            "tests": len(results),
            "failures": sum(r.status == FAILED for r in results),
            "errors": sum(r.status == ERROR for r in results),
            "skipped": sum(r.status == SKIPPED for r in results),
            "time": sum(r.seconds for r in results),
        }
        element = ET.SubElement(
            root,
            "testsuite",
            name=file,
            tests=str(counts["tests"]),
            failures=str(counts["failures"]),
            errors=str(counts["errors"]),
            skipped=str(counts["skipped"]),
            time=f"{counts['time']:.6f}",
            timestamp=stamp,
            hostname=socket.gethostname() or "localhost",
        )
        for result in results:
            name = result.case.name if result.case else (result.error.case if result.error and result.error.case else "<file>")
            case = ET.SubElement(element, "testcase", classname=file, name=name, time=f"{result.seconds:.6f}")
            if result.case:
                case.set("file", result.case.file)
                case.set("line", str(result.case.line))
            message = "; ".join(result.problems)
            if result.status == FAILED:
                ET.SubElement(case, "failure", message=message, type="ExpectationMismatch").text = failure_text(result)
            elif result.status == ERROR:
                ET.SubElement(case, "error", message=message, type="MalformedCase").text = failure_text(result)
            elif result.status == SKIPPED:
                ET.SubElement(case, "skipped", message=message)
        for key in totals:
            totals[key] += counts[key]
    for key, value in totals.items():
        root.set(key, f"{value:.6f}" if key == "time" else str(value))
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
