"""The ``infoshare`` command line: decide a case, print the facts schema, run case suites."""

from __future__ import annotations

import json
import sys
import textwrap
from typing import Any, NoReturn

import click

from ..cases.record import record_expectations
from ..cases.report import suite_dict, suite_text, write_junit_xml
from ..cases.suite import CASE_FILE_SCHEMA, SKIPPED, CaseFileError, run_suite
from ..decision.decide import decide
from ..engines.registry import ENGINE_NAMES
from ..errors import InfoshareError, InputLimitError, describe_path, suggest
from ..facts.json import facts_from_json, facts_json_schema
from ..limits import MAX_FACTS_BYTES, read_regular_file
from ..render.json import decision_json_schema, decision_to_json
from ..render.text import decision_to_text, wrap_paragraph
from ..ruleset.loader import DEFAULT_RULESET, available_rulesets, load_ruleset

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
    help="A shipped ruleset id (or one under INFOSHARE_RULESETS_PATH), or a ruleset folder given as a path (./folder).",
)
engine_option = click.option(
    "--engine",
    type=click.Choice(ENGINE_NAMES),
    default="auto",
    show_default=True,
    help="durable-rules, the pure-Python reference engine, or durable where it imports.",
)


def _read_input(path: str) -> bytes:
    """The bytes of FILE or standard input, within the facts size limit; decoding is the library's (UTF-8)."""
    if path == "-":
        data = sys.stdin.buffer.read(MAX_FACTS_BYTES + 1)
        if len(data) > MAX_FACTS_BYTES:
            raise CliInputError(f"-: input too large: over {MAX_FACTS_BYTES} bytes")
        return data
    try:
        return read_regular_file(path, MAX_FACTS_BYTES)
    except OSError as exc:
        raise CliInputError(f"{describe_path(path)}: cannot read: {exc.strerror}") from None
    except InputLimitError as exc:
        raise CliInputError(f"{describe_path(path)}: {exc}") from None


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
        raise CliInputError(f"{describe_path(facts_file)}: {exc}") from None
    decision = decide(facts, ruleset=ruleset, engine=engine)
    if fmt == "json":
        click.echo(decision_to_json(decision))
    else:
        click.echo(decision_to_text(decision, paragraphs=paragraphs))


@cli.command("schema")
@click.option("--cases", "of_cases", is_flag=True, help="Print the JSON Schema of case files instead.")
@click.option("--decision", "of_decision", is_flag=True, help="Print the JSON Schema of `infoshare decide` output instead.")
def schema_command(of_cases: bool, of_decision: bool) -> None:
    """Print the JSON Schema of the facts document (or of case files, or of decisions)."""

    if of_cases and of_decision:
        raise click.UsageError("choose one of --cases and --decision")
    schema = CASE_FILE_SCHEMA if of_cases else decision_json_schema() if of_decision else facts_json_schema()
    click.echo(json.dumps(schema, indent=2))


@cli.command("test")
@click.option("--ruleset", default=None, metavar="ID|PATH", help="Run every case against this ruleset, overriding pins.")
@engine_option
@click.option("-k", "keywords", multiple=True, metavar="TEXT", help="Only cases whose name contains TEXT (repeatable: any of).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--junit-xml", "junit_xml", type=click.Path(dir_okay=False, writable=True), help="Also write a JUnit XML report here.")
@click.option("--coverage", "show_coverage", is_flag=True, help="Report which rules and paragraphs the suite exercised.")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None, metavar="PCT", help="Fail if rule coverage is below PCT.")
@click.option("--update", is_flag=True, help="Record the current decision as the expectation of cases that have none.")
@click.option("--overwrite", is_flag=True, help="With --update, also replace existing expectations.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def test_command(
    ruleset: str | None,
    engine: str,
    keywords: tuple[str, ...],
    fmt: str,
    junit_xml: str | None,
    show_coverage: bool,
    fail_under: float | None,
    update: bool,
    overwrite: bool,
    paths: tuple[str, ...],
) -> None:
    """Run the case files (*.cases.yaml) in PATHS. Exit 0 all passed, 1 any failed, 2 malformed cases."""

    if overwrite and not update:
        raise click.UsageError("--overwrite only makes sense with --update")
    junit_failed = False
    suite = run_suite(paths, ruleset=ruleset, engine=engine, keywords=keywords, keep_decisions=overwrite)
    if update:
        by_file: dict[str, dict[str, Any]] = {}
        for result in suite.results:
            if result.case and result.decision and (overwrite or result.status == SKIPPED):
                by_file.setdefault(result.case.file, {})[result.case.name] = result.decision
        for file, decisions in by_file.items():
            try:
                written = record_expectations(file, decisions, overwrite=overwrite)
            except CaseFileError as exc:
                click.echo(f"infoshare: error: {exc}", err=True)
                sys.exit(EXIT_INVALID_INPUT)
            for name in written:
                click.echo(f"recorded {file}: {name}", err=True)
        suite = run_suite(paths, ruleset=ruleset, engine=engine, keywords=keywords)
    if not suite.results:
        where = " matching -k " + ", ".join(keywords) if keywords else ""
        _fail(f"no cases{where} found in {', '.join(paths)} (case files are named *.cases.yaml)")
    if junit_xml:
        try:
            write_junit_xml(suite, junit_xml)
        except OSError as exc:
            # the report is still printed below; the exit code says the run was not clean
            click.echo(f"infoshare: error: --junit-xml {describe_path(junit_xml)}: cannot write: {exc.strerror}", err=True)
            junit_failed = True
    wants_coverage = show_coverage or fail_under is not None
    if fmt == "json":
        click.echo(json.dumps(suite_dict(suite, show_coverage=wants_coverage), indent=2))
    else:
        click.echo(suite_text(suite, show_coverage=wants_coverage))
    code = suite.exit_code
    if fail_under is not None and code == 0:
        low = [c for c in suite.coverage if c.rule_percent < fail_under]
        if low or not suite.coverage:
            for c in low:
                click.echo(f"rule coverage of {c.ruleset} is {c.rule_percent:.1f}%, under --fail-under {fail_under:g}%", err=True)
            if not suite.coverage:
                click.echo("no case was decided, so coverage is 0%", err=True)
            code = 1
    if junit_failed:
        code = max(code, EXIT_INVALID_INPUT)
    sys.exit(code)


@cli.command("rulesets")
def rulesets_command() -> None:
    """List the shipped rulesets."""
    for ruleset_id in available_rulesets():
        ruleset = load_ruleset(ruleset_id)
        click.echo(f"{ruleset.id}\t{ruleset.version}\t{len(ruleset.rules)} rules\t{ruleset.hash}")


@cli.command("rule")
@ruleset_option
@click.argument("rule_id")
def rule_command(ruleset: str, rule_id: str) -> None:
    """Show a rule: what it says, when it fires, what it concludes, and the text of what it cites."""
    rules = load_ruleset(ruleset)
    try:
        rule = rules.rule(rule_id)
    except KeyError:
        hint = suggest(rule_id, [r.id for r in rules.rules])
        raise CliInputError(f"no rule {rule_id!r} in {rules.id}" + (f" (did you mean {hint!r}?)" if hint else "")) from None
    click.echo(f"{rule.id}  ({rule.file}:{rule.line})")
    click.echo(f"  {rule.statement}")
    click.echo("  when:")
    for cond in rule.when:
        click.echo(f"    {cond.fact}: {' or '.join(cond.values)}")
    then = f"{rule.name} = {rule.value}" if rule.kind == "conclude" else f"{rule.kind} {rule.name}"
    click.echo(f"  then: {then}")
    for cite in rule.cites:
        paragraph = rules.paragraphs[cite]
        click.echo(f"  [{cite}] {paragraph.heading}")
        click.echo(wrap_paragraph(paragraph.text))


@cli.command("paragraph")
@ruleset_option
@click.argument("paragraph_id")
def paragraph_command(ruleset: str, paragraph_id: str) -> None:
    """Show a paragraph of the guide and every rule that cites it."""
    rules = load_ruleset(ruleset)
    paragraph = rules.paragraphs.get(paragraph_id)
    if paragraph is None:
        hint = suggest(paragraph_id, rules.paragraphs)
        raise CliInputError(f"no paragraph {paragraph_id!r} in {rules.id}" + (f" (did you mean {hint!r}?)" if hint else ""))
    click.echo(f"[{paragraph.id}] {paragraph.heading}")
    click.echo(wrap_paragraph(paragraph.text, "  "))
    citing = [r for r in rules.rules if paragraph_id in r.cites]
    click.echo(f"\nRules citing it ({len(citing)}):")
    for rule in citing:
        click.echo(f"  {rule.id}  ({rule.file}:{rule.line})")
        click.echo(textwrap.indent(textwrap.fill(rule.statement, 92), "      "))


def _fail(message: str, code: int = EXIT_INVALID_INPUT) -> NoReturn:
    click.echo(f"infoshare: error: {' '.join(message.split())}", err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: errors become one line on stderr and exit 2, never a traceback."""
    try:
        code = cli.main(args=argv, prog_name="infoshare", standalone_mode=False)
    except click.exceptions.Abort:
        _fail("aborted", 130)
    except click.exceptions.NoArgsIsHelpError as exc:  # plain `infoshare`: show the help as it is
        click.echo(exc.format_message(), err=True)
        sys.exit(EXIT_INVALID_INPUT)
    except click.ClickException as exc:
        _fail(exc.format_message(), EXIT_INVALID_INPUT if isinstance(exc, click.UsageError) else exc.exit_code)
    except InfoshareError as exc:
        _fail(str(exc))
    except RecursionError:  # every input is bounded before parsing; never a traceback if one slips through
        _fail("input nested too deeply")
    sys.exit(code if isinstance(code, int) else 0)
