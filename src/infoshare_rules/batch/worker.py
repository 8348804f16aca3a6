"""What runs in each batch worker: the ruleset and engine compiled once per process, chunks decided.

Used in-process too (one worker, or a small input), so both paths give identical results.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

import attrs

from .record import RecordError, record_error, to_facts
from ..api_types import EngineName
from ..decision.decide import decide
from ..decision.model import Decision
from ..decision.question_index import prepare
from ..engines.registry import get_engine
from ..errors import InfoshareError
from ..ruleset.loader import available_rulesets, load_ruleset
from ..ruleset.model import Ruleset

T = TypeVar("T")
Encode = Callable[[int, "Decision | RecordError"], Any]


@attrs.frozen
class WorkerSpec:
    """What a worker needs to decide: picklable, small, and checkable on arrival."""

    ruleset_ref: str  # a shipped id (portable between machines) or a folder path
    ruleset_hash: str
    engine: EngineName
    prepare: bool = False  # build the question index (prepare()) when the worker starts


def worker_spec(ruleset: str | Path | Ruleset, engine: EngineName, prepare: bool = False) -> tuple[Ruleset, WorkerSpec]:
    rules = ruleset if isinstance(ruleset, Ruleset) else load_ruleset(ruleset)
    shipped = isinstance(ruleset, str) and ruleset in available_rulesets()
    ref = ruleset if shipped else str(rules.path)
    return rules, WorkerSpec(str(ref), rules.hash, engine, prepare)


def load_spec(spec: WorkerSpec) -> Ruleset:
    """The ruleset a spec names, compiled for its engine (both cached per process)."""
    rules = load_ruleset(spec.ruleset_ref)
    if rules.hash != spec.ruleset_hash:
        raise InfoshareError(
            f"ruleset {rules.id} at {spec.ruleset_ref} differs on this worker ({rules.hash}) from the one asked for "
            f"({spec.ruleset_hash}): install the same ruleset version everywhere"
        )
    get_engine(rules, spec.engine)  # compile now, once, rather than inside the first record's time
    if spec.prepare:
        prepare(rules)
    return rules


_ready: dict[WorkerSpec, Ruleset] = {}
_failed: dict[WorkerSpec, str] = {}


def init_worker(spec: WorkerSpec) -> None:
    """Pool initializer. A failure is kept and raised by the first chunk, so the caller sees it
    as the library's error instead of a broken pool."""
    try:
        _ready[spec] = load_spec(spec)
    except InfoshareError as exc:
        _failed[spec] = str(exc)


def decide_chunk(spec: WorkerSpec, start: int, records: Sequence[Any], encode: Encode | None = None) -> list[Any]:
    """Decide records ``start``, ``start + 1``... in order; a bad record gives a RecordError in its place."""
    if spec in _failed:
        raise InfoshareError(_failed[spec])
    rules = _ready.get(spec)
    if rules is None:
        rules = _ready[spec] = load_spec(spec)
    out: list[Any] = []
    for offset, record in enumerate(records):
        index = start + offset
        result: Decision | RecordError
        try:
            result = decide(to_facts(record), ruleset=rules, engine=spec.engine)
        except InfoshareError as exc:
            result = record_error(index, exc)
        out.append(encode(index, result) if encode else result)
    return out
