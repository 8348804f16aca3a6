"""The ``infoshare`` command line: decide a case, print the facts schema, run case suites."""

from __future__ import annotations

import json
import sys
from typing import NoReturn

import click

from ._decide import decide
from ._engines import ENGINE_NAMES
from ._errors import InfoshareError
from ._json import decision_to_json, facts_from_json, facts_json_schema
from ._ruleset import DEFAULT_RULESET, available_rulesets, load_ruleset

EXIT_INVALID_INPUT = 2


class CliInputError(InfoshareError):
    """Input the command line could not use (unreadable file and the like)."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="infoshare-rules")
def cli() -> None:
    """Decide whether to share information about a child, following HM Government's 2006 guide."""


ruleset_option = click.option(
    "--ruleset",
    default=DEFAULT_RULESET,
    show_default=True,
    metavar="ID|PATH",
    help="A shipped ruleset id or a ruleset folder.",
)
engine_option = click.option(
    "--engine",
    type=click.Choice(ENGINE_NAMES),
    default="auto",
    show_default=True,
    help="durable-rules, the pure-Python reference engine, or durable where it imports.",
)


def _read_input(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise CliInputError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CliInputError(f"{path}: not UTF-8 text") from None


@cli.command("decide")
@ruleset_option
@engine_option
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True)
@click.option("--paragraphs", is_flag=True, help="With --format text, print the text of each cited paragraph.")
@click.argument("facts_file", metavar="FILE|-")
def decide_command(ruleset: str, engine: str, fmt: str, paragraphs: bool, facts_file: str) -> None:
    """Decide the case in a facts JSON document (FILE, or - for standard input)."""
    text = _read_input(facts_file)
    try:
        facts = facts_from_json(text)
    except InfoshareError as exc:
        raise CliInputError(f"{facts_file}: {exc}") from None
    decision = decide(facts, ruleset=ruleset, engine=engine)
    if fmt == "json":
        click.echo(decision_to_json(decision))
    else:
        click.echo(decision.to_text(paragraphs=paragraphs))


@cli.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the facts document."""
    click.echo(json.dumps(facts_json_schema(), indent=2))


@cli.command("rulesets")
def rulesets_command() -> None:
    """List the shipped rulesets."""
    for ruleset_id in available_rulesets():
        ruleset = load_ruleset(ruleset_id)
        click.echo(f"{ruleset.id}\t{ruleset.version}\t{len(ruleset.rules)} rules\t{ruleset.hash}")


def _fail(message: str, code: int = EXIT_INVALID_INPUT) -> NoReturn:
    click.echo(f"infoshare: error: {' '.join(message.split())}", err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: errors become one line on stderr and exit 2, never a traceback."""
    try:
        code = cli.main(args=argv, prog_name="infoshare", standalone_mode=False)
    except click.exceptions.Abort:
        _fail("aborted", 130)
    except click.ClickException as exc:
        _fail(exc.format_message(), EXIT_INVALID_INPUT if isinstance(exc, click.UsageError) else exc.exit_code)
    except InfoshareError as exc:
        _fail(str(exc))
    sys.exit(code if isinstance(code, int) else 0)
