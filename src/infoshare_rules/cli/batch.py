"""``infoshare batch IN OUT``: decide every record of a file in one process tree, on every core."""

from __future__ import annotations

import sys
import time

import click

from .progress import progress
from ..api_types import EngineName
from ..batch.formats import FORMATS, Writer, count_records, encoder, format_of, read_records
from ..batch.pool import DEFAULT_CHUNKSIZE, map_records
from ..engines.registry import ENGINE_NAMES
from ..ruleset.model import DEFAULT_RULESET

# Exit codes, as `infoshare test` uses them: 0 every record decided; 1 the run finished but some
# records could not be decided (each has an error line or row in OUT); 2 the input, output,
# ruleset or options could not be used at all (nothing trustworthy was written).
EXIT_OK, EXIT_RECORD_ERRORS = 0, 1


@click.command("batch")
@click.option("--ruleset", default=DEFAULT_RULESET, show_default=True, metavar="ID|PATH", help="A shipped ruleset id or a ruleset folder.")
@click.option("--engine", type=click.Choice(ENGINE_NAMES), default="compiled", show_default=True, help="The engine every worker uses (compiled: proven equal to the reference engine, the fastest).")
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N", help="Worker processes [default: every available core].")
@click.option("--chunksize", type=click.IntRange(min=1), default=DEFAULT_CHUNKSIZE, show_default=True, metavar="N", help="Records sent to a worker at a time.")
@click.option("--input-format", type=click.Choice(FORMATS), default=None, help="Format of IN [default: from its name; - is jsonl].")
@click.option("--output-format", type=click.Choice(FORMATS), default=None, help="Format of OUT [default: from its name; - is jsonl].")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
@click.option(
    "--prepare", is_flag=True,
    help="Each worker first builds the ruleset's question index (tens of seconds of CPU): worth it beyond a few hundred new cases per worker.",
)
@click.argument("input_path", metavar="IN")
@click.argument("output_path", metavar="OUT")
def batch_command(
    ruleset: str,
    engine: EngineName,
    workers: int | None,
    chunksize: int,
    input_format: str | None,
    output_format: str | None,
    quiet: bool,
    prepare: bool,
    input_path: str,
    output_path: str,
) -> None:
    """Decide every record in IN (JSON Lines, CSV or Parquet; - for standard input) and write one
    decision or error per record, in input order, to OUT (- for standard output).

    Exit 0 when every record was decided, 1 when some records could not be (their errors are in OUT),
    2 when IN, OUT, the ruleset or an option could not be used.
    """
    in_fmt, out_fmt = format_of(input_path, input_format), format_of(output_path, output_format)
    if in_fmt == "parquet" and input_path == "-":
        raise click.UsageError("Parquet input needs a file, not standard input")
    records = read_records(input_path, in_fmt, stdin=sys.stdin.buffer)
    results = map_records(records, ruleset=ruleset, engine=engine, workers=workers, chunksize=chunksize, encode=encoder(out_fmt), prepare=prepare)
    writer = Writer(output_path, out_fmt, stdout=sys.stdout)
    started = time.perf_counter()
    decided = errors = 0
    try:
        with progress("deciding", count_records(input_path, in_fmt), quiet=quiet) as advance:
            for encoded in results:
                writer.write(encoded)
                if encoded.verdict is None:
                    errors += 1
                else:
                    decided += 1
                advance()
    finally:
        writer.close()
    if not quiet:
        seconds = time.perf_counter() - started
        click.echo(f"{decided + errors} records: {decided} decided, {errors} errors, in {seconds:.1f} s", err=True)
    sys.exit(EXIT_RECORD_ERRORS if errors else EXIT_OK)
