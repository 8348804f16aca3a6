"""What a Dask worker does with one partition of cases: decide, write, count, compare.

Module-level functions only, so Dask ships them by reference: each worker imports this module,
and the ruleset is loaded and compiled once per worker process (cached by the engine registry,
and warmed up by ``plugin.CompileRulesets`` when the worker starts).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Sequence

import attrs

from ..batch.formats import encode_jsonl
from ..batch.record import RecordError
from ..batch.worker import WorkerSpec, decide_chunk
from ..decision.model import Decision

DECISION_STYLES = ("compact", "full", "none")


@attrs.frozen
class PartitionJob:
    """Everything a partition needs besides its records (small and picklable)."""

    ruleset: WorkerSpec
    against: WorkerSpec | None
    decisions_dir: str | None  # where part files go (a path or fsspec URL the workers can write), None for "none"
    style: str  # compact or full


def encode_compact(index: int, result: Decision | RecordError) -> tuple[str | None, str]:
    """A decision as what a replay compares: verdict, obligations, questions, the rules that fired."""
    if isinstance(result, RecordError):
        return None, json.dumps({"index": index, "error": {"path": result.path, "problem": result.problem}}, separators=(",", ":"))
    line = {
        "index": index,
        "verdict": result.verdict.value,
        "obligations": [o.id for o in result.obligations],
        "questions": [q.fact for q in result.questions],
        "fired_rules": list(result.fired_rules),
    }
    return result.verdict.value, json.dumps(line, separators=(",", ":"))


def encode_full(index: int, result: Decision | RecordError) -> tuple[str | None, str]:
    encoded = encode_jsonl(index, result)
    return encoded.verdict, encoded.payload


def encode_verdict(index: int, result: Decision | RecordError) -> str | None:
    return None if isinstance(result, RecordError) else result.verdict.value


def count_lines(lines: Sequence[Any]) -> list[int]:
    return [sum(1 for _ in lines)]


def decide_partition(records: Sequence[Any], where: Sequence[tuple[int, int]], job: PartitionJob) -> list[dict[str, Any]]:
    """Decide one partition; write its decisions as ``part-NNNNN.jsonl``; return its counts and changes."""
    import fsspec  # comes with Dask; imported here so this module loads without it (tests of encoders)

    ((number, offset),) = where
    records = [r.rstrip("\r\n") if isinstance(r, str) else r for r in records]  # read_text keeps the newline
    encoded = decide_chunk(job.ruleset, offset, records, encode_compact if job.style != "full" else encode_full)
    if job.decisions_dir is not None:
        with fsspec.open(f"{job.decisions_dir}/part-{number:05d}.jsonl", "w", encoding="utf-8") as handle:
            for _, line in encoded:
                handle.write(line + "\n")
    verdicts = [verdict for verdict, _ in encoded]
    summary: dict[str, Any] = {"partition": number, "cases": len(records), "verdicts": Counter(v for v in verdicts if v), "errors": verdicts.count(None)}
    if job.against is not None:
        # a protocol's own facts are unknown to the ruleset compared against, as in diff
        other = decide_chunk(job.against, offset, records, encode_verdict, own_facts=True)
        summary["verdicts_against"] = Counter(v for v in other if v)
        summary["changes"] = [
            {"index": offset + i, "verdict": a, "verdict_against": b} for i, (a, b) in enumerate(zip(verdicts, other)) if a is not None and b is not None and a != b
        ]
    return [summary]
