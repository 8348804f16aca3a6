"""Record mode: write a decision into a case file as its expectation, like snapshot tools do.

The file is edited as text, so comments and layout elsewhere survive; the result is read back
and checked before it replaces the original.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Mapping

from .suite import CaseFileError, load_case_file
from ..decision.model import Decision
from ..errors import RulesetError
from ..ruleset.yaml_lines import LineDict, load_yaml


def expectation_of(decision: Decision) -> dict[str, object]:
    """What to record: the verdict, the paragraphs the verdict rules cite, every obligation and question."""
    cites = list(
        dict.fromkeys(
            c
            for step in decision.trace
            if step.concluded.kind == "verdict" and step.concluded.name == decision.verdict.value
            for c in step.cites
        )
    )
    expect: dict[str, object] = {"verdict": decision.verdict.value}
    if cites:
        expect["cites"] = cites
    if decision.obligations:
        expect["obligations"] = [o.id for o in decision.obligations]
    if decision.questions:
        expect["questions"] = [q.fact for q in decision.questions]
    if decision.presumed:
        expect["presumed"] = [p.fact for p in decision.presumed]
    return expect


def _block(expect: Mapping[str, object], indent: str) -> list[str]:
    lines = [f"{indent}expect:\n"]
    for key, value in expect.items():
        lines.append(f"{indent}  {key}: {value if isinstance(value, str) else json.dumps(value)}\n")
    return lines


def _is_filler(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def record_expectations(path: str | Path, decisions: Mapping[str, Decision], *, overwrite: bool = False) -> list[str]:
    """Write each named case's decision as its expectation. Returns the names written.

    A case that already has an expectation is left alone unless ``overwrite`` is true.
    """
    path = Path(path)
    original = path.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    try:
        data = load_yaml(path, str(path))
    except RulesetError as exc:
        raise CaseFileError(exc.message, file=str(path), line=exc.line) from None
    edits: list[tuple[int, int, list[str], str]] = []
    for raw in data.get("cases", []):
        if not isinstance(raw, LineDict) or raw.get("name") not in decisions:
            continue
        name = raw["name"]
        block = _block(expectation_of(decisions[name]), " " * raw.column)
        if "expect" in raw:
            if not overwrite:
                continue
            start = raw.key_lines["expect"] - 1
            end = max(raw.value_end_lines["expect"] - 1, start + 1)
            while end > start + 1 and _is_filler(lines[end - 1]):
                end -= 1
        else:
            # after the case's last line, before any blank lines or comments that precede the next case
            start = min(raw.end_line - 1, len(lines))
            while start > raw.line and _is_filler(lines[start - 1]):
                start -= 1
            end = start
        edits.append((start, end, block, name))
    for start, end, block, _ in sorted(edits, reverse=True):
        lines[start:end] = block
    written = [name for *_, name in edits]
    if not written:
        return []
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("".join(lines))
    os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))  # mkstemp makes it 600: keep the file's own mode
    try:
        check = load_case_file(tmp)
        recorded = {c.name for c in check.cases if c.expect is not None}
        if not set(written) <= recorded or check.errors:
            raise CaseFileError("could not record expectations without breaking the file; left it unchanged", file=str(path))
    except CaseFileError:
        os.unlink(tmp)
        raise
    os.replace(tmp, path)
    return written
