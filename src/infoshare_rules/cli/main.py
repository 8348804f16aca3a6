"""The ``infoshare`` command line: decide a case, print the facts schema, run case suites."""

from __future__ import annotations

import json
import sys
import textwrap
from typing import NoReturn

import click

from ..analysis.check import check_ruleset
from ..analysis.check_report import check_json, check_text
from ..analysis.diff import diff_rulesets
from ..analysis.diff_report import diff_html, diff_json, diff_markdown, diff_text
from ..cases.record import record_expectations
from ..cases.report import suite_dict, suite_text, write_junit_xml
from ..cases.suite import CASE_FILE_SCHEMA, SKIPPED, CaseFileError, run_suite
from ..decision.decide import decide
from ..engines.registry import ENGINE_NAMES
from ..errors import InfoshareError, suggest
from ..facts.json import facts_from_json, facts_json_schema
from ..render.json import decision_json_schema, decision_to_json
from ..render.text import decision_to_text, wrap_paragraph
from ..ruleset.loader import DEFAULT_RULESET, available_rulesets, load_ruleset, resolve_ruleset_path

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
    help="durable-rules, the pure-Python reference engine, the compiled engine, or durable where it imports.",
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
    suite = run_suite(paths, ruleset=ruleset, engine=engine, keywords=keywords, keep_decisions=overwrite)
    if update:
        by_file: dict[str, dict] = {}
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
        write_junit_xml(suite, junit_xml)
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
    sys.exit(code)


@cli.command("rulesets")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.argument("folders", nargs=-1, type=click.Path(exists=True, file_okay=False))
def rulesets_command(fmt: str, folders: tuple[str, ...]) -> None:
    """List the shipped rulesets, and any ruleset FOLDERS given, with versions and content hashes."""
    rows = []
    for ref in [*available_rulesets(), *folders]:
        ruleset = load_ruleset(ref)
        rows.append(
            {
                "id": ruleset.id,
                "version": ruleset.version,
                "effective_from": ruleset.effective_from or None,
                "extends": ruleset.extends,
                "rules": len(ruleset.rules),
                "hash": ruleset.hash,
                "path": str(resolve_ruleset_path(ref)),
                "shipped": ref not in folders,
            }
        )
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        extends = f"\textends {row['extends']}" if row["extends"] else ""
        click.echo(f"{row['id']}\t{row['version']}\teffective {row['effective_from'] or '-'}\t{row['rules']} rules\t{row['hash']}{extends}")


@cli.command("check")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.argument("ruleset", default=DEFAULT_RULESET, metavar="[RULESET]")
def check_command(fmt: str, ruleset: str) -> None:
    """Prove a ruleset sound for every possible case, or list every finding with a witness case.

    RULESET is a shipped ruleset id or a ruleset folder. Exit 0 clean, 1 findings, 2 cannot load.
    """
    report = check_ruleset(load_ruleset(ruleset))
    click.echo(check_json(report) if fmt == "json" else check_text(report), nl=False)
    sys.exit(0 if report.clean else 1)


_DIFF_FORMATS = {"text": diff_text, "json": diff_json, "markdown": diff_markdown, "html": diff_html}


@cli.command("diff")
@click.option("--format", "fmt", type=click.Choice(list(_DIFF_FORMATS)), default="text", show_default=True)
@click.option("--cases", "cases", multiple=True, type=click.Path(exists=True), metavar="PATH", help="Also decide the case files in PATH on both (repeatable).")
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
def diff_command(fmt: str, cases: tuple[str, ...], a: str, b: str) -> None:
    """Compare rulesets A and B (ids or folders): what was edited, and every case they decide differently.

    Exit 0 no behavioural change (proved over every case), 1 changes, 2 error.
    """
    result = diff_rulesets(load_ruleset(a), load_ruleset(b), cases=cases or None)
    click.echo(_DIFF_FORMATS[fmt](result), nl=False)
    sys.exit(1 if result.behaviour_changed else 0)


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
    for fact, value in rule.presumes:
        click.echo(f"  presumes, while unknown: {fact} = {value}")
    if rule.wording:
        click.echo(f"  the guide's words: \"{' '.join(rule.wording.split())}\"")
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
    sys.exit(code if isinstance(code, int) else 0)
