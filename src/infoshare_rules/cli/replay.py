"""``infoshare replay CASES --ruleset A [--against B] --out DIR``: a large case file on Dask."""

from __future__ import annotations

import sys

import click

from ..api_types import EngineName
from ..engines.registry import ENGINE_NAMES
from ..replay.partition import DECISION_STYLES
from ..replay.run import DEFAULT_BLOCKSIZE, replay
from ..ruleset.model import DEFAULT_RULESET


@click.command("replay")
@click.option("--ruleset", default=DEFAULT_RULESET, show_default=True, metavar="ID|PATH", help="The ruleset to decide every case with.")
@click.option("--against", default=None, metavar="ID|PATH", help="Also decide with this ruleset and list the cases whose verdict changes.")
@click.option("--out", "out", required=True, metavar="DIR", help="Folder (or fsspec URL) for decisions/, summary.json and changes.jsonl.")
@click.option("--scheduler", default=None, metavar="ADDRESS", help="A running Dask scheduler (tcp://host:8786) [default: a LocalCluster here].")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Worker processes of the LocalCluster.")
@click.option("--engine", type=click.Choice(ENGINE_NAMES), default="compiled", show_default=True, help="The engine every worker uses (compiled: proven equal to the reference engine, the fastest).")
@click.option("--decisions", type=click.Choice(DECISION_STYLES), default="compact", show_default=True, help="What to write per case.")
@click.option("--blocksize", type=click.IntRange(min=1024), default=DEFAULT_BLOCKSIZE, show_default=True, metavar="BYTES", help="JSON Lines bytes per partition.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing; the summary is still written to DIR/summary.json.")
@click.argument("cases", metavar="CASES")
def replay_command(
    ruleset: str,
    against: str | None,
    out: str,
    scheduler: str | None,
    workers: int,
    engine: EngineName,
    decisions: str,
    blocksize: int,
    quiet: bool,
    cases: str,
) -> None:
    """Decide every case in CASES (JSON Lines or Parquet) on Dask and write the results to DIR.

    Exit 0 when every case was decided, 1 when some could not be (their errors are in
    DIR/decisions), 2 when CASES, DIR, a ruleset or the cluster could not be used.
    """
    summary = replay(
        cases, ruleset=ruleset, against=against, out=out, engine=engine, scheduler=scheduler, workers=workers, decisions=decisions, blocksize=blocksize
    )
    if not quiet:
        click.echo(f"{summary.cases} cases ({summary.errors} errors) on {summary.ruleset['id']} {summary.ruleset['version']}")
        for verdict, count in summary.verdicts.items():
            click.echo(f"  {verdict:<14}{count:>10}")
        if summary.against is not None:
            click.echo(f"against {summary.against['id']} {summary.against['version']}: {summary.changed} verdicts change (see {out}/changes.jsonl)")
            for verdict, count in (summary.verdicts_against or {}).items():
                click.echo(f"  {verdict:<14}{count:>10}")
    sys.exit(1 if summary.errors else 0)
