"""``replay``: decide every case of a large file on Dask, against one ruleset and optionally another.

Input: JSON Lines (one facts document a line, read by ``dask.bag.read_text`` in blocks) or
Parquet (one ``group.field`` column a fact, one partition per row group). Cases are numbered
from 0 in file order (a JSON Lines case's index is its line number - 1), as ``infoshare batch`` does.

Output in ``out`` (a folder, or an fsspec URL every worker can write to):

* ``decisions/part-NNNNN.jsonl``: one line per case, in order across the parts;
* ``summary.json``: counts of cases, errors, and verdicts (and, with ``against``, its verdicts);
* ``changes.jsonl`` (with ``against``): the cases whose verdict differs, with both verdicts.

Dask workers must be able to read ``cases`` and write ``out`` at the same path: on a real cluster,
use a shared filesystem or object storage (``s3://...``).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

import attrs

from .partition import DECISION_STYLES, PartitionJob, count_lines, decide_partition
from ..api_types import EngineName
from ..batch.formats import check_columns, nest, require_pyarrow
from ..batch.pool import check_engine
from ..batch.worker import worker_spec
from ..errors import InfoshareError
from ..ruleset.model import DEFAULT_RULESET, Ruleset

DEFAULT_BLOCKSIZE = 8 * 2**20  # bytes of JSON Lines per partition (~1,000-20,000 cases)


@attrs.frozen
class ReplaySummary:
    cases: int
    errors: int
    verdicts: dict[str, int]
    ruleset: dict[str, str]
    against: dict[str, str] | None = None
    verdicts_against: dict[str, int] | None = None
    changed: int | None = None
    partitions: int = 0


def _dask() -> tuple[Any, Any]:
    try:
        import dask.bag
        import distributed
    except ImportError:
        raise InfoshareError("replay needs Dask: pip install 'infoshare-rules[replay]'") from None
    return dask.bag, distributed


def _compile_plugin(specs: list[Any]) -> Any:
    from .plugin import CompileRulesets  # imports distributed: only once _dask() has found it

    return CompileRulesets(specs)


def replay(
    cases: str | Path,
    *,
    ruleset: str | Path | Ruleset = DEFAULT_RULESET,
    against: str | Path | Ruleset | None = None,
    out: str | Path,
    engine: EngineName = "compiled",
    scheduler: str | None = None,
    client: Any = None,
    workers: int = 2,
    decisions: str = "compact",
    blocksize: int = DEFAULT_BLOCKSIZE,
) -> ReplaySummary:
    """Replay ``cases`` on Dask and write the results to ``out``; return the summary.

    Runs on ``client`` if given, else on the cluster at ``scheduler`` (``tcp://host:8786``), else
    on a LocalCluster of ``workers`` processes on 127.0.0.1 (no dashboard) started and stopped here.
    ``decisions`` is ``compact`` (verdict, obligation and question ids, fired rules), ``full``
    (whole decisions, as ``infoshare batch`` writes them) or ``none``.
    """
    bag_module, distributed = _dask()
    check_engine(engine)
    if decisions not in DECISION_STYLES:
        raise InfoshareError(f"decisions: expected one of {', '.join(DECISION_STYLES)}, got {decisions!r}")
    rules, spec = worker_spec(ruleset, engine)
    other, against_spec = worker_spec(against, engine) if against is not None else (None, None)
    cases = str(cases)
    records = _records(bag_module, cases, blocksize)  # before creating `out`: a bad input leaves nothing behind
    fs, root = _output_folder(out)
    decisions_dir = None if decisions == "none" else _join(str(out), "decisions")
    job = PartitionJob(spec, against_spec, decisions_dir, decisions)

    with _client(distributed, client, scheduler, workers) as dask_client:
        dask_client.register_plugin(_compile_plugin([s for s in (spec, against_spec) if s is not None]))
        counts = records.map_partitions(count_lines).compute()
        where, offset = [], 0
        for number, count in enumerate(counts):
            where.append((number, offset))
            offset += count
        places = bag_module.from_sequence(where, partition_size=1)
        parts = bag_module.map_partitions(decide_partition, records, places, job).compute()

    summary = _summarise(parts, rules, other)
    with fs.open(f"{root}/summary.json", "w") as handle:
        handle.write(json.dumps(attrs.asdict(summary), indent=2) + "\n")
    if against is not None:
        with fs.open(f"{root}/changes.jsonl", "w") as handle:
            for part in parts:
                for change in part["changes"]:
                    handle.write(json.dumps(change, separators=(",", ":")) + "\n")
    return summary


def _join(base: str, name: str) -> str:
    return base.rstrip("/") + "/" + name


def _output_folder(out: str | Path) -> tuple[Any, str]:
    from fsspec.core import url_to_fs

    fs, root = url_to_fs(str(out))
    try:
        fs.makedirs(_join(root, "decisions"), exist_ok=True)
        for stale in fs.glob(_join(root, "decisions/part-*.jsonl")):  # from an earlier run into the same folder
            fs.rm(stale)
    except OSError as exc:
        raise InfoshareError(f"{out}: cannot write: {exc.strerror or exc}") from None
    return fs, root


def _records(bag_module: Any, cases: str, blocksize: int) -> Any:
    suffix = Path(cases).suffix.lower()
    if suffix in (".parquet", ".pq"):
        pq = require_pyarrow().parquet  # a clear error when pyarrow is missing
        try:
            source = pq.ParquetFile(cases)
        except OSError as exc:
            raise InfoshareError(f"{cases}: cannot read as Parquet: {exc}") from None
        check_columns(source.schema_arrow.names, cases)
        groups = [(cases, i) for i in range(source.num_row_groups)]
        return bag_module.from_sequence(groups or [(cases, -1)], partition_size=1).map_partitions(_read_row_group)
    if suffix not in (".jsonl", ".ndjson", ".json"):
        raise InfoshareError(f"{cases}: expected a JSON Lines (*.jsonl) or Parquet (*.parquet) file")
    if not Path(cases).exists() and "://" not in cases:
        raise InfoshareError(f"{cases}: cannot read: no such file")
    return bag_module.read_text(cases, blocksize=blocksize, errors="replace")


def _read_row_group(items: list[tuple[str, int]]) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq

    ((path, group),) = items
    if group < 0:
        return iter(())
    return (nest(row) for row in pq.ParquetFile(path).read_row_group(group).to_pylist())


class _client:
    """The Dask client to run on, closing what was started here (and only that) afterwards."""

    def __init__(self, distributed: Any, client: Any, scheduler: str | None, workers: int) -> None:
        self.distributed, self.given, self.scheduler, self.workers = distributed, client, scheduler, workers
        self.cluster = self.client = None

    def __enter__(self) -> Any:
        if self.given is not None:
            return self.given
        if self.scheduler:
            try:
                self.client = self.distributed.Client(self.scheduler, timeout="20s")
            except OSError as exc:
                raise InfoshareError(f"scheduler {self.scheduler}: cannot connect: {exc}") from None
            return self.client
        self.cluster = self.distributed.LocalCluster(
            n_workers=self.workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR
        )
        self.client = self.distributed.Client(self.cluster)
        return self.client

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _summarise(parts: list[dict[str, Any]], rules: Ruleset, other: Ruleset | None) -> ReplaySummary:
    def ref(r: Ruleset) -> dict[str, str]:
        return {"id": r.id, "version": r.version, "hash": r.hash}

    verdicts: Counter[str] = Counter()
    against: Counter[str] = Counter()
    for part in parts:
        verdicts.update(part["verdicts"])
        against.update(part.get("verdicts_against", {}))
    return ReplaySummary(
        cases=sum(p["cases"] for p in parts),
        errors=sum(p["errors"] for p in parts),
        verdicts=dict(sorted(verdicts.items())),
        ruleset=ref(rules),
        against=ref(other) if other is not None else None,
        verdicts_against=dict(sorted(against.items())) if other is not None else None,
        changed=sum(len(p["changes"]) for p in parts) if other is not None else None,
        partitions=len(parts),
    )
