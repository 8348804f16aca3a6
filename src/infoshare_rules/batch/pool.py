"""``decide_many``: decide an iterable of records on every core, results in input order.

Workers are *spawned* (fresh interpreters), never forked: durable-rules keeps process-wide
state behind a lock, and a fork taken while another thread holds it would deadlock the child.
Each worker loads and compiles the ruleset once (the pool initializer). Chunks of records are
submitted a few at a time, so an input of millions of records never sits in memory at once.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Iterable, Iterator

from .record import Record, RecordError
from .worker import Encode, WorkerSpec, decide_chunk, init_worker, worker_spec
from ..api_types import EngineName
from ..decision.model import Decision
from ..engines.registry import ENGINE_NAMES, durable_available
from ..errors import EngineUnavailableError, InfoshareError, suggest
from ..ruleset.model import DEFAULT_RULESET, Ruleset

DEFAULT_CHUNKSIZE = 256
START_METHOD = "spawn"  # see the module docstring; measured in benchmarks/bench_batch.py


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (containers, taskset)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_engine(engine: str) -> None:
    if engine not in ENGINE_NAMES:
        hint = suggest(engine, ENGINE_NAMES)
        raise InfoshareError(f"engine: expected one of {', '.join(ENGINE_NAMES)}, got {engine!r}" + (f" (did you mean {hint!r}?)" if hint else ""))
    if engine == "durable" and not durable_available():
        raise EngineUnavailableError("engine durable: durable-rules does not import here; use engine='reference'")


def decide_many(
    records: Iterable[Record],
    *,
    ruleset: str | Path | Ruleset = DEFAULT_RULESET,
    engine: EngineName = "compiled",
    workers: int | None = None,
    chunksize: int = DEFAULT_CHUNKSIZE,
    prepare: bool = False,
) -> Iterator[Decision | RecordError]:
    """Decide every record, yielding one Decision or RecordError per record, in input order.

    A record is a :class:`CaseFacts` or a JSON-shaped dict (as ``facts_from_dict`` takes). A record
    that cannot be decided yields a :class:`RecordError` (index, path, problem) in its place and the
    rest go on. ``workers`` is the number of processes (default: every available core); 1, or an
    input no longer than one chunk, decides in this process. Results are produced lazily as the
    iterator is consumed. A script using workers needs the ``if __name__ == "__main__":`` guard,
    as any script using multiprocessing with spawned workers does. ``prepare``: each worker builds the
    ruleset's question index first (:func:`infoshare_rules.prepare`: tens of seconds of CPU, worth it
    beyond a few hundred new cases per worker).
    """
    return map_records(records, ruleset=ruleset, engine=engine, workers=workers, chunksize=chunksize, prepare=prepare)


def map_records(
    records: Iterable[Any],
    *,
    ruleset: str | Path | Ruleset = DEFAULT_RULESET,
    engine: EngineName = "compiled",
    workers: int | None = None,
    chunksize: int = DEFAULT_CHUNKSIZE,
    encode: Encode | None = None,
    prepare: bool = False,
) -> Iterator[Any]:
    """``decide_many`` with each result passed through ``encode(index, result)`` in the worker
    (a module-level function), so workers can return e.g. JSON lines instead of Decisions."""
    check_engine(engine)
    if chunksize < 1:
        raise InfoshareError(f"chunksize: expected a whole number >= 1, got {chunksize!r}")
    if workers is not None and workers < 1:
        raise InfoshareError(f"workers: expected a whole number >= 1, got {workers!r}")
    _, spec = worker_spec(ruleset, engine, prepare)  # loads the ruleset here: a bad one fails before any work
    return _run(iter(records), spec, workers or available_cores(), chunksize, encode)


def _run(records: Iterator[Any], spec: WorkerSpec, workers: int, chunksize: int, encode: Encode | None) -> Iterator[Any]:
    first = list(itertools.islice(records, chunksize))
    if workers == 1 or len(first) < chunksize:  # starting processes would cost more than it saves
        chunks = itertools.chain([first], iter(lambda: list(itertools.islice(records, chunksize)), []))
        start = 0
        for chunk in chunks:
            yield from decide_chunk(spec, start, chunk, encode)
            start += len(chunk)
        return
    yield from _run_pool(itertools.chain(first, records), spec, workers, chunksize, encode)


def _run_pool(records: Iterator[Any], spec: WorkerSpec, workers: int, chunksize: int, encode: Encode | None) -> Iterator[Any]:
    context = multiprocessing.get_context(START_METHOD)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=init_worker, initargs=(spec,))
    in_flight: deque[Future[Any]] = deque()
    start = 0
    try:
        while True:
            while len(in_flight) < 2 * workers:  # enough queued to keep every worker busy, no more
                chunk = list(itertools.islice(records, chunksize))
                if not chunk:
                    break
                in_flight.append(pool.submit(decide_chunk, spec, start, chunk, encode))
                start += len(chunk)
            if not in_flight:
                return
            yield from in_flight.popleft().result()
    except BrokenProcessPool:
        raise InfoshareError("a batch worker process died (out of memory, or killed); no results after the last one yielded") from None
    finally:
        for future in in_flight:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
