"""The ``infoshare`` command line: decide a case, print the facts schema, run case suites."""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
from typing import Any, NoReturn

import click

from .batch import batch_command
from .progress import progress
from .replay import replay_command
from ..api_types import EngineName
from ..analysis.check import check_ruleset
from ..analysis.check_report import check_html, check_json, check_text
from ..analysis.diff import diff_rulesets
from ..analysis.diff_report import diff_html, diff_json, diff_markdown, diff_text
from ..cases.record import record_expectations
from ..cases.report import quiet_text, suite_dict, suite_text, write_coverage_json, write_junit_xml
from ..cases.suite import CASE_FILE_SCHEMA, SKIPPED, CaseFileError, SuiteResult, run_suite
from ..decision.decide import decide
from ..engines.registry import ENGINE_NAMES
from ..errors import AnalysisBudgetError, InfoshareError, InputLimitError, RulesetError, describe_name, describe_path, suggest
from ..explain.narrative import explain
from ..explain.render import RENDERERS, explanation_to_dict, explanation_to_text
from ..facts.json import facts_from_json, facts_json_schema
from ..facts.model import CaseFacts
from ..limits import MAX_FACTS_BYTES, read_regular_file
from ..render.json import decision_json_schema, decision_to_json
from ..render.text import decision_to_text, wrap_paragraph
from ..records.json import record_from_json, record_json_schema, record_to_json, verification_to_json
from ..records.make import make_record
from ..records.verify import verification_text, verify_record
from ..contracts.errors_json import error_json_schema
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
    help="A shipped ruleset id (or one under INFOSHARE_RULESETS_PATH), or a ruleset folder given as a path (./folder).",
)
engine_option = click.option(
    "--engine",
    type=click.Choice(ENGINE_NAMES),
    default="compiled",
    show_default=True,
    help="The compiled engine (proven equal to the reference engine, the fastest), the pure-Python reference engine, "
    "durable-rules, or auto (the compiled engine).",
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
def decide_command(ruleset: str, engine: EngineName, fmt: str, paragraphs: bool, facts_file: str) -> None:
    """Decide the case in a facts JSON document (FILE, or - for standard input)."""
    facts = _read_facts(facts_file)
    decision = decide(facts, ruleset=ruleset, engine=engine)
    if fmt == "json":
        click.echo(decision_to_json(decision))
    else:
        click.echo(decision_to_text(decision, paragraphs=paragraphs))


@cli.command("schema")
@click.option("--ruleset", "ruleset", default=None, metavar="ID|PATH", help="The facts schema of this ruleset: a local protocol's lists its own facts under local.")
@click.option("--cases", "of_cases", is_flag=True, help="Print the JSON Schema of case files instead.")
@click.option("--decision", "of_decision", is_flag=True, help="Print the JSON Schema of `infoshare decide` output instead.")
@click.option("--record", "of_record", is_flag=True, help="Print the JSON Schema of decision records instead.")
@click.option("--error", "of_error", is_flag=True, help="Print the JSON Schema of error documents instead.")
def schema_command(ruleset: str | None, of_cases: bool, of_decision: bool, of_record: bool, of_error: bool) -> None:
    """Print the JSON Schema of the facts document (or of case files, decisions, records or errors)."""

    if of_cases + of_decision + of_record + of_error > 1:
        raise click.UsageError("choose one of --cases, --decision, --record and --error")
    if of_cases:
        schema = CASE_FILE_SCHEMA
    elif of_decision:
        schema = decision_json_schema()
    elif of_record:
        schema = record_json_schema()
    elif of_error:
        schema = error_json_schema()
    else:
        schema = facts_json_schema(load_ruleset(ruleset).facts if ruleset else None)
    click.echo(json.dumps(schema, indent=2))


def _read_facts(path: str) -> CaseFacts:
    text = _read_input(path)
    try:
        return facts_from_json(text)
    except InfoshareError as exc:
        raise CliInputError(f"{describe_path(path)}: {exc}") from None


@cli.command("record")
@ruleset_option
@engine_option
@click.option("--id", "record_id", required=True, help="Your id for this record (printable ASCII, up to 200 characters).")
@click.option("--at", "recorded_at", required=True, metavar="TIMESTAMP", help="When the decision was made: RFC 3339 with a UTC offset, e.g. 2024-05-01T14:30:00Z.")
@click.option("--include-facts", is_flag=True, help="Keep the facts in the record (by default only their sha256).")
@click.argument("facts_file", metavar="FILE|-")
def record_command(ruleset: str, engine: EngineName, record_id: str, recorded_at: str, include_facts: bool, facts_file: str) -> None:
    """Decide a case and print its decision record (guide 4.30): the decision, its reasons, and what it rested on."""
    facts = _read_facts(facts_file)
    record = make_record(facts, record_id=record_id, recorded_at=recorded_at, include_facts=include_facts, ruleset=ruleset, engine=engine)
    click.echo(record_to_json(record))


EXIT_DIFFERS = 1
EXIT_CANNOT_TELL = 3


@cli.command("verify")
@click.option("--facts", "facts_file", metavar="FILE", help="The case's facts, when the record does not hold them (checked against its hash).")
@click.option(
    "--ruleset", "ruleset_ref", default=None, metavar="ID|PATH",
    help="Verify against this ruleset (a local protocol's folder, say) [default: the shipped ruleset of the record's id].",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.argument("record_file", metavar="RECORD")
def verify_command(facts_file: str | None, ruleset_ref: str | None, fmt: str, record_file: str) -> None:
    """Re-derive a decision record: has the ruleset changed since, would the verdict differ now?

    Exit 0: the same decision now; 1: the verdict or obligations would differ; 3: cannot tell
    (the ruleset changed and no facts to decide on); 2: bad input.
    """
    try:
        record = record_from_json(_read_input(record_file))
    except InfoshareError as exc:
        raise CliInputError(f"{describe_path(record_file)}: {exc}") from None
    facts = _read_facts(facts_file) if facts_file else None
    result = verify_record(record, facts, ruleset=load_ruleset(ruleset_ref) if ruleset_ref else None)
    click.echo(verification_to_json(result) if fmt == "json" else verification_text(result))
    same = result.same_decision
    sys.exit(0 if same else EXIT_CANNOT_TELL if same is None else EXIT_DIFFERS)


@cli.command("test")
@click.option("--ruleset", default=None, metavar="ID|PATH", help="Run every case against this ruleset, overriding pins.")
@click.option(
    "--engine",
    type=click.Choice(ENGINE_NAMES),
    default="compiled",
    show_default=True,
    help="The compiled engine (proven equal to the reference engine by hypothesis properties, and the fastest), "
    "the reference engine, durable-rules, or auto (the compiled engine).",
)
@click.option("-k", "keywords", multiple=True, metavar="TEXT", help="Only cases whose name contains TEXT (repeatable: any of).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--junit-xml", "junit_xml", type=click.Path(dir_okay=False, writable=True), help="Also write a JUnit XML report here.")
@click.option("--coverage", "show_coverage", is_flag=True, help="Report which rules and paragraphs the suite exercised.")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None, metavar="PCT", help="Fail if rule coverage is below PCT.")
@click.option("--coverage-json", "coverage_json", type=click.Path(dir_okay=False, writable=True), help="Also write the coverage as JSON here (for CI).")
@click.option("--maxfail", type=click.IntRange(min=1), default=None, metavar="N", help="Stop after N failed or malformed cases.")
@click.option("-q", "--quiet", is_flag=True, help="One line per failure, no progress bar.")
@click.option("--update", is_flag=True, help="Record the current decision as the expectation of cases that have none.")
@click.option("--overwrite", is_flag=True, help="With --update, also replace existing expectations.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def test_command(
    ruleset: str | None,
    engine: EngineName,
    keywords: tuple[str, ...],
    fmt: str,
    junit_xml: str | None,
    show_coverage: bool,
    fail_under: float | None,
    coverage_json: str | None,
    maxfail: int | None,
    quiet: bool,
    update: bool,
    overwrite: bool,
    paths: tuple[str, ...],
) -> None:
    """Run the case files (*.cases.yaml) in PATHS. Exit 0 all passed, 1 any failed, 2 malformed cases."""

    if overwrite and not update:
        raise click.UsageError("--overwrite only makes sense with --update")
    if ruleset is not None:
        try:
            load_ruleset(ruleset)  # once: a bad --ruleset is one error, not the same error for every case
        except RulesetError as exc:
            raise CliInputError(f"--ruleset: {exc}") from None
    junit_failed = False
    if update:
        suite = run_suite(paths, ruleset=ruleset, engine=engine, keywords=keywords, keep_decisions=overwrite)
    else:
        suite = _run_with_progress(paths, ruleset, engine, keywords, maxfail, quiet)
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
        suite = _run_with_progress(paths, ruleset, engine, keywords, maxfail, quiet)
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
    if coverage_json:
        write_coverage_json(suite, coverage_json)
    wants_coverage = show_coverage or fail_under is not None
    if fmt == "json":
        click.echo(json.dumps(suite_dict(suite, show_coverage=wants_coverage), indent=2))
    elif quiet:
        click.echo(quiet_text(suite))
    else:
        click.echo(suite_text(suite, show_coverage=wants_coverage))
    if suite.stopped_early:
        click.echo(f"stopped after {maxfail} failed or malformed cases (--maxfail)", err=True)
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


def _run_with_progress(
    paths: tuple[str, ...], ruleset: str | None, engine: EngineName, keywords: tuple[str, ...], maxfail: int | None, quiet: bool
) -> SuiteResult:
    # The bar appears only on runs longer than a second, and only when stderr is a terminal.
    with progress("cases", None, quiet=quiet, delay=1.0) as advance:
        return run_suite(paths, ruleset=ruleset, engine=engine, keywords=keywords, maxfail=maxfail, on_result=lambda _: advance())


@cli.command("rulesets")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.argument("folders", nargs=-1, type=click.Path(exists=True, file_okay=False))
def rulesets_command(fmt: str, folders: tuple[str, ...]) -> None:
    """List the shipped rulesets, and any ruleset FOLDERS given, with versions and content hashes."""
    rows: list[dict[str, Any]] = []
    for ref in [*available_rulesets(), *folders]:
        ruleset = load_ruleset(ref)
        rows.append(
            {
                "id": ruleset.id,
                "version": ruleset.version,
                "effective_from": ruleset.effective_from or None,
                "extends": ruleset.extends,
                "rules": len(ruleset.rules),
                "local_facts": list(ruleset.local_facts),
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
        own = f"\t{len(row['local_facts'])} local facts" if row["local_facts"] else ""
        click.echo(f"{row['id']}\t{row['version']}\teffective {row['effective_from'] or '-'}\t{row['rules']} rules{own}\t{row['hash']}{extends}")


def _write_report(rendered: str, output: str | None) -> None:
    """A report to standard output, or to the file ``output`` (UTF-8)."""
    if output:
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(rendered)
        except OSError as exc:
            raise CliInputError(f"--output {describe_path(output)}: cannot write: {exc.strerror}") from None
    else:
        click.echo(rendered, nl=False)


def _terminal_width(output: str | None) -> int | None:
    """The terminal's width where the report goes to one; None for a file or a pipe (nothing wrapped or cut)."""
    if output is None and sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


_CHECK_FORMATS = {"text": check_text, "json": check_json, "html": check_html}
output_option = click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report here instead of standard output.")
#: CPU seconds check and diff may take before giving up (exit 3): the exact analysis of some large rulesets
#: grows without bound (benchmarks/bench_analysis.py), and a CI job should fail, not hang
DEFAULT_BUDGET = 300.0
budget_option = click.option(
    "--budget",
    type=click.FloatRange(min=0),
    default=DEFAULT_BUDGET,
    show_default=True,
    metavar="SECONDS",
    help="CPU seconds the exact analysis may take; past them it gives up with exit 3 and reports nothing. 0: no limit.",
)


@cli.command("check")
@click.option("--format", "fmt", type=click.Choice(list(_CHECK_FORMATS)), default="text", show_default=True, help="html: a standalone page (no script, nothing fetched).")
@output_option
@budget_option
@click.argument("ruleset", default=DEFAULT_RULESET, metavar="[RULESET]")
def check_command(fmt: str, output: str | None, budget: float, ruleset: str) -> None:
    """Prove a ruleset sound for every possible case, or list every finding with a witness case.

    RULESET is a shipped ruleset id or a ruleset folder. Exit 0 clean, 1 findings, 2 cannot load, 3 past --budget.
    """
    report = check_ruleset(load_ruleset(ruleset), budget=budget or None)
    _write_report(_CHECK_FORMATS[fmt](report), output)
    sys.exit(0 if report.clean else 1)


_DIFF_FORMATS = {"text": diff_text, "json": diff_json, "markdown": diff_markdown, "html": diff_html}


@cli.command("diff")
@click.option("--format", "fmt", type=click.Choice(list(_DIFF_FORMATS)), default="text", show_default=True, help="html: a standalone page (no script, nothing fetched).")
@click.option("--cases", "cases", multiple=True, type=click.Path(exists=True), metavar="PATH", help="Also decide the case files in PATH on both (repeatable).")
@output_option
@budget_option
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
def diff_command(fmt: str, cases: tuple[str, ...], output: str | None, budget: float, a: str, b: str) -> None:
    """Compare rulesets A and B (ids or folders): what was edited, and every case they decide differently.

    Exit 0 no behavioural change (proved over every case), 1 changes, 2 error, 3 past --budget.
    """
    result = diff_rulesets(load_ruleset(a), load_ruleset(b), cases=cases or None, budget=budget or None)
    rendered = diff_text(result, width=_terminal_width(output)) if fmt == "text" else _DIFF_FORMATS[fmt](result)
    _write_report(rendered, output)
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
        raise CliInputError(f"no rule {describe_name(rule_id)} in {rules.id}" + (f" (did you mean {hint!r}?)" if hint else "")) from None
    click.echo(f"{rule.id}  ({rule.file}:{rule.line})")
    click.echo(f"  {rule.statement}")
    if rule.alternatives:  # written with any:/not:: as written, then the alternatives the loader read it as
        click.echo(f"  when (as written): {rule.written}")
        click.echo("  fires where one of these holds:")
        for n, alternative in enumerate(rule.alternatives, 1):
            click.echo(f"    {n}. " + "; ".join(f"{cond.fact}: {' or '.join(cond.values)}" for cond in alternative))
    else:
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
        raise CliInputError(f"no paragraph {describe_name(paragraph_id)} in {rules.id}" + (f" (did you mean {hint!r}?)" if hint else ""))
    click.echo(f"[{paragraph.id}] {paragraph.heading}")
    click.echo(wrap_paragraph(paragraph.text, "  "))
    citing = [r for r in rules.rules if paragraph_id in r.cites]
    click.echo(f"\nRules citing it ({len(citing)}):")
    for rule in citing:
        click.echo(f"  {rule.id}  ({rule.file}:{rule.line})")
        click.echo(textwrap.indent(textwrap.fill(rule.statement, 92), "      "))


@cli.command("explain")
@ruleset_option
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "html", "json"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write here instead of standard output.")
@click.argument("facts_file", metavar="FILE|-")
def explain_command(ruleset: str, fmt: str, output: str | None, facts_file: str) -> None:
    """Explain the decision on a case in the guide's order, and what would change it."""
    facts = _read_facts(facts_file)
    explanation = explain(facts, ruleset=ruleset)
    if fmt == "json":
        rendered = json.dumps(explanation_to_dict(explanation), indent=2, ensure_ascii=False)
    elif fmt == "text":
        rendered = explanation_to_text(explanation, color=output is None and sys.stdout.isatty())
    else:
        rendered = RENDERERS[fmt](explanation)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(rendered)
    else:
        click.echo(rendered, nl=not rendered.endswith("\n"))


@cli.command("interview")
@ruleset_option
@engine_option
@click.option("--no-facts", "no_facts", is_flag=True, help="A saved record keeps only the facts' hash, not the facts (without asking).")
@click.argument("facts_file", metavar="[FILE]", required=False)
def interview_command(ruleset: str, engine: EngineName, no_facts: bool, facts_file: str | None) -> None:
    """Ask only the questions the decision needs, in the flowchart's order, then give the decision.

    Start from the facts in FILE, if given. Each question cites its paragraphs (? shows their text);
    "Not known" leaves a fact unknown. At the end, the verdict, its obligations and what was presumed
    (the full reasoning on request), and a decision record to save: it keeps the facts, so that
    `infoshare verify` can decide the case again, unless you decline (or give --no-facts). Needs the
    `interview` extra.
    """
    try:
        from ..interview.terminal import finish, interview  # noqa: PLC0415 (an optional extra)
    except ImportError as exc:
        raise CliInputError(f"the interview needs its extra: pip install 'infoshare-rules[interview]' ({exc.name} is missing)") from None
    facts = _read_facts(facts_file) if facts_file else facts_from_json("{}")
    rules = load_ruleset(ruleset)
    try:
        facts, decision = interview(facts, rules, engine=engine, say=click.echo)
        finish(facts, decision, say=click.echo, keep_facts=False if no_facts else None)
    except (KeyboardInterrupt, EOFError):
        raise click.exceptions.Abort() from None
    except InfoshareError as exc:
        raise CliInputError(str(exc)) from None


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--engine", type=click.Choice(["compiled", "reference", "durable"]), default="compiled", show_default=True, help="Rules engine for every request (compiled and reference run in parallel threads).")
@click.option("--ruleset", "rulesets", multiple=True, metavar="ID", help="Serve only these shipped rulesets (repeatable; default: all).")
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64),
    help="Worker processes. One suits 2 cores: the workers share one listening socket, so a burst of new connections may all go to one worker.",
)
@click.option("--access-log", is_flag=True, help="Log each request (method, path, status; never bodies).")
@click.option(
    "--prepare/--no-prepare", default=True, show_default=True,
    help="Build each ruleset's question index at start (tens of seconds of CPU per worker, once): then a decision's questions cost about what its verdict does.",
)
def serve_command(host: str, port: int, engine: EngineName, rulesets: tuple[str, ...], workers: int, access_log: bool, prepare: bool) -> None:
    """Serve decisions over HTTP (JSON; OpenAPI at /openapi.json). Needs the `service` extra."""
    try:
        import uvicorn  # noqa: PLC0415 (an optional extra: only this command needs it)

        from ..service.app import app_from_environment  # noqa: PLC0415
    except ImportError as exc:
        raise CliInputError(f"the service needs its extra: pip install 'infoshare-rules[service]' ({exc.name} is missing)") from None
    os.environ["INFOSHARE_ENGINE"] = engine
    os.environ["INFOSHARE_PREPARE"] = "1" if prepare else "0"
    if rulesets:
        os.environ["INFOSHARE_RULESETS"] = ",".join(rulesets)
    app_from_environment()  # load and compile now, so a bad ruleset fails here with the usual one-line error
    target = "infoshare_rules.service.app:app_from_environment"
    uvicorn.run(target, factory=True, host=host, port=port, workers=workers, access_log=access_log, log_level="info", server_header=False)
cli.add_command(batch_command)
cli.add_command(replay_command)


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
    except AnalysisBudgetError as exc:
        _fail(str(exc), EXIT_CANNOT_TELL)  # as verify: the answer could not be told
    except InfoshareError as exc:
        _fail(str(exc))
    except RecursionError:  # every input is bounded before parsing; never a traceback if one slips through
        _fail("input nested too deeply")
    sys.exit(code if isinstance(code, int) else 0)
