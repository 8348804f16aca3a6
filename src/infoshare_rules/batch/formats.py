"""Batch files: JSON Lines (one facts document a line), CSV and Parquet (one ``group.field`` column a fact).

Readers yield records for ``decide_many``/``map_records``; JSON Lines are passed on as raw bytes
for the workers to parse. Encoders run in the workers and turn each result into a line or a row;
writers put them in the output file in input order.

Output, one line or row per input record, in input order:

* JSON Lines: ``{"index": i, "decision": {...}}`` (the decision as ``decision_to_dict`` gives it)
  or ``{"index": i, "error": {"path": ..., "problem": ...}}``;
* CSV and Parquet: ``index, verdict, obligations, questions, cites, fired_rules, engine, ruleset_hash,
  error_path, error_problem``, lists as space-separated ids. Parquet needs pyarrow (the
  ``parquet`` extra).
"""

from __future__ import annotations

import re
import csv
import functools
import io
import json
from pathlib import Path
from typing import IO, Any, Iterator

import attrs

from .record import BadRecord, RecordError
from ..decision.model import Decision
from ..errors import InfoshareError, describe_name, suggest
from ..facts.local import GROUP as LOCAL_GROUP
from ..facts.model import INPUT_SPECS
from ..render.json import decision_to_dict

FORMATS = ("jsonl", "csv", "parquet")
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
COLUMNS = ("index", "verdict", "obligations", "questions", "cites", "fired_rules", "engine", "ruleset_hash", "error_path", "error_problem")


class BatchInputError(InfoshareError):
    """An input or output file the batch cannot use at all (the command exits 2)."""


def format_of(path: str, given: str | None) -> str:
    if given:
        return given
    if path == "-":
        return "jsonl"
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise BatchInputError(f"{path}: cannot tell the format from the name; name it *.jsonl, *.csv or *.parquet, or pass --format")
    return _SUFFIXES[suffix]


def require_pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise BatchInputError("Parquet needs pyarrow: pip install 'infoshare-rules[parquet]'") from None
    return pyarrow


# ---------------------------------------------------------------- reading


@functools.lru_cache(maxsize=1)
def fact_columns() -> dict[str, tuple[str, str, bool]]:
    """``group.field`` -> (group, field, takes a whole number), from the facts model."""
    columns = {}
    for name, spec in INPUT_SPECS.items():
        group, field = name.split(".")
        columns[name] = (group, field, spec.tests != name)  # child.age: a number, tested as a band
    return columns


#: a local protocol's own fact as a column: local.<name> (the ruleset checks the name when deciding)
_LOCAL_COLUMN = re.compile(r"local\.[a-z][a-z0-9_]*")


def check_columns(names: list[str], source: str) -> None:
    known = fact_columns()
    for name in names:
        if name not in known and not _LOCAL_COLUMN.fullmatch(name):
            hint = suggest(name, known)
            raise BatchInputError(
                f"{source}: unknown column {describe_name(name)}; columns are facts named group.field, or local.<name> for a local protocol's own (see `infoshare schema`)"
                + (f" (did you mean {hint!r}?)" if hint else "")
            )


def nest(row: dict[str, Any]) -> dict[str, Any]:
    """A flat row ({"information.provided_by": "parent"}) as a facts document; empty cells are unknown."""
    known = fact_columns()
    doc: dict[str, dict[str, Any]] = {}
    for name, value in row.items():
        if value is None or value == "":
            continue
        if name in known:
            group, field, whole = known[name]
        else:  # local.<name>
            group, field, whole = LOCAL_GROUP, name[len(LOCAL_GROUP) + 1:], False
        if whole and isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        doc.setdefault(group, {})[field] = value
    return doc


def count_records(path: str, fmt: str) -> int | None:
    """How many records a file holds, cheaply, for the progress bar (None for standard input)."""
    if path == "-":
        return None
    try:
        if fmt == "parquet":
            rows: int = require_pyarrow().parquet.ParquetFile(path).metadata.num_rows
            return rows
        lines, last = 0, b"\n"
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                lines += block.count(b"\n")
                last = block[-1:]
    except Exception:  # the reader reports an unreadable file properly
        return None
    return max(0, lines + (last != b"\n") - (fmt == "csv"))


def read_records(path: str, fmt: str, stdin: IO[bytes] | None = None) -> Iterator[Any]:
    """The records of a file. The file is opened (and a header checked) now, so an unusable
    input fails before any output is written; records are read as they are consumed."""
    if fmt == "parquet":
        return _read_parquet(path)
    handle = _open_binary(path, stdin)
    if fmt == "jsonl":
        return _read_jsonl(handle, handle is not stdin)
    return _read_csv(handle, path, handle is not stdin)


def _open_binary(path: str, stdin: IO[bytes] | None) -> IO[bytes]:
    if path == "-":
        assert stdin is not None
        return stdin
    try:
        return open(path, "rb")
    except OSError as exc:
        raise BatchInputError(f"{path}: cannot read: {exc.strerror}") from None


def _read_jsonl(handle: IO[bytes], owned: bool) -> Iterator[bytes]:
    try:
        for line in handle:  # every line is a record, a blank one too: index = line number - 1
            yield line.rstrip(b"\r\n")
    finally:
        if owned:
            handle.close()


def _read_csv(binary: IO[bytes], path: str, owned: bool) -> Iterator[Any]:
    handle = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    try:
        reader = csv.DictReader(handle)
        names = reader.fieldnames
    except UnicodeDecodeError:
        raise BatchInputError(f"{path}: not UTF-8 text") from None
    check_columns(list(names or []), path)
    return _csv_rows(reader, handle, path, owned)


def _csv_rows(reader: csv.DictReader[str], handle: io.TextIOWrapper, path: str, owned: bool) -> Iterator[Any]:
    try:
        for row in reader:
            if None in row:  # more cells than the header has columns
                yield BadRecord("$", "more cells than the header has columns")
            else:
                yield nest(row)
    except UnicodeDecodeError:
        raise BatchInputError(f"{path}: not UTF-8 text") from None
    except csv.Error as exc:
        raise BatchInputError(f"{path}: not valid CSV: {exc}") from None
    finally:
        handle.close() if owned else handle.detach()


def _read_parquet(path: str) -> Iterator[dict[str, Any]]:
    pa = require_pyarrow()
    try:
        source = pa.parquet.ParquetFile(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise BatchInputError(f"{path}: cannot read as Parquet: {exc}") from None
    check_columns(source.schema_arrow.names, path)
    return (nest(row) for batch in source.iter_batches(batch_size=8192) for row in batch.to_pylist())


# ---------------------------------------------------------------- encoding (in the workers)


@attrs.frozen
class Encoded:
    """One result, encoded for the output file, with what the summary needs."""

    verdict: str | None  # None for a record error
    payload: Any  # a JSON line (str) or a row (tuple)


def encode_jsonl(index: int, result: Decision | RecordError) -> Encoded:
    if isinstance(result, RecordError):
        return Encoded(None, json.dumps({"index": index, "error": {"path": result.path, "problem": result.problem}}, separators=(",", ":")))
    return Encoded(result.verdict.value, json.dumps({"index": index, "decision": decision_to_dict(result)}, separators=(",", ":")))


def encode_row(index: int, result: Decision | RecordError) -> Encoded:
    if isinstance(result, RecordError):
        return Encoded(None, (index, None, None, None, None, None, None, None, result.path, result.problem))
    return Encoded(
        result.verdict.value,
        (
            index,
            result.verdict.value,
            " ".join(o.id for o in result.obligations),
            " ".join(q.fact for q in result.questions),
            " ".join(result.cites),
            " ".join(result.fired_rules),
            result.engine,
            result.ruleset.hash,
            None,
            None,
        ),
    )


def encoder(fmt: str) -> Any:
    return encode_jsonl if fmt == "jsonl" else encode_row


# ---------------------------------------------------------------- writing


class Writer:
    """Writes encoded results to a file (or standard output) in the chosen format."""

    def __init__(self, path: str, fmt: str, stdout: IO[str] | None = None) -> None:
        self.fmt = fmt
        self.path = path
        self._rows: list[tuple[Any, ...]] = []
        self._parquet: Any = None
        if fmt == "parquet":
            if path == "-":
                raise BatchInputError("Parquet output needs a file, not standard output")
            self._pa = require_pyarrow()
            self._schema = self._pa.schema([("index", self._pa.int64())] + [(c, self._pa.string()) for c in COLUMNS[1:]])
            self._handle: IO[str] = io.StringIO()  # unused: Parquet is written by its own writer
            return
        if path == "-":
            assert stdout is not None
            self._handle = stdout
        else:
            try:
                self._handle = open(path, "w", encoding="utf-8", newline="")
            except OSError as exc:
                raise BatchInputError(f"{path}: cannot write: {exc.strerror}") from None
        if fmt == "csv":
            self._csv = csv.writer(self._handle)
            self._csv.writerow(COLUMNS)

    def write(self, encoded: Encoded) -> None:
        if self.fmt == "jsonl":
            self._handle.write(encoded.payload + "\n")
        elif self.fmt == "csv":
            self._csv.writerow(encoded.payload)
        else:
            self._rows.append(encoded.payload)
            if len(self._rows) >= 65536:
                self._flush_parquet()

    def _flush_parquet(self) -> None:
        if not self._rows:
            return
        columns = list(zip(*self._rows))
        table = self._pa.table({name: list(values) for name, values in zip(COLUMNS, columns)}, schema=self._schema)
        if self._parquet is None:
            self._parquet = self._pa.parquet.ParquetWriter(self.path, self._schema)
        self._parquet.write_table(table)
        self._rows = []

    def close(self) -> None:
        if self.fmt == "parquet":
            self._flush_parquet()
            if self._parquet is None:  # no records: still a valid, empty file
                self._pa.parquet.write_table(self._schema.empty_table(), self.path)
            else:
                self._parquet.close()
        elif self.path != "-":
            self._handle.close()
        else:
            self._handle.flush()
