"""Case files: YAML regression suites of case examples, their checks and their runner.

A case file holds one or many cases; each has a name, an optional story, the facts (inline
or in a JSON file beside it), and what the decision is expected to be. ``CASE_FILE_SCHEMA``
documents the format; ``infoshare test`` and the pytest plugin both run cases through here.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import attrs
import fastjsonschema
import jsonschema

from ..api_types import EngineName
from ..decision.decide import decide
from ..decision.model import Decision
from ..errors import FactsError, InfoshareError, InputLimitError, RulesetError, describe_name, describe_path, describe_value, json_path, suggest
from ..facts.model import INPUT_SPECS, CaseFacts
from ..facts.json import facts_from_dict
from ..limits import MAX_FACTS_BYTES, is_regular_file, parse_json_document, read_regular_file
from ..ruleset.loader import DEFAULT_RULESET, Ruleset, load_ruleset, loaded_ruleset
from ..ruleset.verdict import Verdict
from ..ruleset.yaml_lines import LineDict, LineList, load_yaml

CASE_FILE_SUFFIXES = (".cases.yaml", ".cases.yml")

_ids = {"type": "array", "items": {"type": "string", "minLength": 1}}
# Quoted: an unquoted 4.30 would reach us as the number 4.3.
_paragraph = {"type": "string", "description": 'A paragraph id, quoted: "4.30", "2", "flowchart".'}
CASE_FILE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "infoshare-rules case file",
    "description": "One or many case examples and what their decisions are expected to be.",
    "type": "object",
    "required": ["cases"],
    "additionalProperties": False,
    "properties": {
        "ruleset": {"type": "string", "description": "Ruleset id every case in the file is pinned to."},
        "description": {"type": "string"},
        "cases": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name"],
                "additionalProperties": False,
                "oneOf": [{"required": ["facts"]}, {"required": ["facts_file"]}],
                "properties": {
                    "name": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$"},
                    "story": {"type": "string"},
                    "illustrates": {"type": "array", "items": _paragraph, "description": "Paragraphs the trace must cite."},
                    "ruleset": {"type": "string"},
                    "facts": {"type": "object", "description": "A facts document (see `infoshare schema`)."},
                    "facts_file": {"type": "string", "description": "A facts JSON file, relative to the case file."},
                    "expect": {
                        "type": "object",
                        "additionalProperties": False,
                        "minProperties": 1,
                        "properties": {
                            "verdict": {"enum": [v.value for v in Verdict]},
                            "cites": {
                                "type": "array",
                                "description": "Each item must be cited; a list item means any one of these.",
                                "items": {"anyOf": [_paragraph, {"type": "array", "items": _paragraph, "minItems": 1}]},
                            },
                            "obligations": _ids,
                            "no_obligations": _ids,
                            "questions": {**_ids, "description": "Facts (group.field) the decision must ask about."},
                            "next_question": {"type": "string", "description": "The fact the decision must ask about first."},
                            "presumed": {**_ids, "description": "Facts (group.field) the decision must have presumed."},
                        },
                    },
                },
            },
        },
    },
}
_VALIDATOR = jsonschema.Draft202012Validator(CASE_FILE_SCHEMA)
# Compiled once: checks a large suite in a fraction of the time; on a failure the jsonschema
# validator above runs to report every problem with the best message and line.
_FAST_VALIDATE = fastjsonschema.compile(CASE_FILE_SCHEMA)


class CaseFileError(InfoshareError):
    """A case file, or one case in it, is malformed. Carries the file and 1-based line."""

    def __init__(self, message: str, *, file: str, line: int | None = None, case: str | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.case = case
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {f'case {case!r}: ' if case else ''}{message}")


@attrs.frozen
class Expectation:
    verdict: Verdict | None = None
    cites: tuple[tuple[str, ...], ...] = ()
    obligations: tuple[str, ...] = ()
    no_obligations: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    next_question: str | None = None
    presumed: tuple[str, ...] = ()


@attrs.frozen
class Case:
    name: str
    file: str
    line: int
    facts: CaseFacts
    story: str = ""
    illustrates: tuple[str, ...] = ()
    ruleset: str | None = None
    expect: Expectation | None = None

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@attrs.frozen
class CaseFile:
    path: Path
    display: str
    cases: tuple[Case, ...]
    errors: tuple[CaseFileError, ...]  # cases that could not be read; the others still run


# ---------------------------------------------------------------- reading


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Case files named by ``paths``: files as given, folders searched recursively."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(CASE_FILE_SUFFIXES)))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def _line_of(data: Any, path: Iterable[Any]) -> int | None:
    """The line of the deepest node along a jsonschema path that we know a line for."""
    line = getattr(data, "line", None)
    node = data
    for step in path:
        if isinstance(node, LineDict) and step in node:
            line = node.key_lines.get(step, line)
            node = node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and step < len(node):
            node = node[step]
            line = getattr(node, "line", line)
        else:
            break
    return line


def _schema_message(error: jsonschema.ValidationError) -> str:
    """The problem in words that name the path, the type and what is allowed, never the value itself."""
    where = json_path(error.absolute_path)
    if error.validator == "additionalProperties":
        schema = error.schema if isinstance(error.schema, dict) else {}
        allowed = list(schema.get("properties", {}))
        instance: Any = error.instance
        extras = [k for k in instance if k not in allowed]
        hints = [s for s in (suggest(str(k), allowed) for k in extras) if s]
        text = f"{where}: unknown key {', '.join(map(describe_name, extras))}; allowed keys: {', '.join(allowed)}"
        return text + (f" (did you mean {hints[0]!r}?)" if hints else "")
    number = isinstance(error.instance, (int, float)) and not isinstance(error.instance, bool)
    if number and any(p in ("cites", "illustrates") for p in error.absolute_path):
        return f'{where}: paragraph ids must be quoted strings (write "{describe_value(error.instance)}" with quotes; an unquoted 4.30 reads as 4.3)'
    if error.validator == "oneOf" and isinstance(error.instance, dict):
        return f"{where}: a case needs exactly one of 'facts' or 'facts_file'"
    got = describe_value(error.instance)
    expected: Any = error.validator_value
    if error.validator == "type":
        return f"{where}: expected {' or '.join(expected) if isinstance(expected, list) else expected}, got {got}"
    if error.validator == "enum":
        return f"{where}: expected one of {', '.join(map(str, expected))}, got {got}"
    if error.validator == "pattern":
        return f"{where}: must match {expected}, got {got}"
    if error.validator == "required":
        return f"{where}: {error.message}"  # names the missing key, from the schema
    if error.validator in ("minItems", "minLength", "minProperties"):
        return f"{where}: must not be empty"
    return f"{where}: does not satisfy {error.validator} ({got})"


def _paragraph_ids(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


def load_case_file(path: str | Path, display: str | None = None) -> CaseFile:
    """Read and validate a case file. File-level problems raise CaseFileError; a bad case is kept in ``errors``."""
    path = Path(path)
    display = display or str(path)
    try:
        data = load_yaml(path, display)
    except RulesetError as exc:  # the YAML reader's error carries file and line
        raise CaseFileError(exc.message, file=display, line=exc.line) from None
    if data is None:
        raise CaseFileError("empty file: expected a mapping with a 'cases' list", file=display, line=1)
    try:
        _FAST_VALIDATE(data)
        errors = []
    except fastjsonschema.JsonSchemaException:
        errors = list(_VALIDATOR.iter_errors(data))
    if errors:
        first = min(errors, key=lambda e: _line_of(data, e.absolute_path) or 0)
        where = list(first.absolute_path)
        if first.validator == "additionalProperties":  # point at the unknown key itself
            allowed = first.schema.get("properties", {}) if isinstance(first.schema, dict) else {}
            where += [k for k in first.instance if k not in allowed][:1]
        raise CaseFileError(_schema_message(first), file=display, line=_line_of(data, where))
    cases: list[Case] = []
    bad: list[CaseFileError] = []
    seen: dict[str, int] = {}
    for raw in data["cases"]:
        name = raw["name"]
        if name in seen:
            bad.append(CaseFileError(f"duplicate case name (first at line {seen[name]})", file=display, line=raw.line, case=name))
            continue
        seen[name] = raw.line
        try:
            cases.append(_case(raw, path, display, data.get("ruleset")))
        except CaseFileError as exc:
            bad.append(exc)
    return CaseFile(path, display, tuple(cases), tuple(bad))


def _pinned_ruleset(pin: str | None, case_file: Path) -> str | None:
    """A pinned ruleset folder next to the case file (a local protocol) is found from anywhere."""
    if pin is not None and is_regular_file(case_file.parent / str(pin) / "ruleset.yaml"):
        return str((case_file.parent / str(pin)).resolve())
    return pin


def _case(raw: LineDict, path: Path, display: str, file_ruleset: str | None) -> Case:
    name = raw["name"]
    if "facts_file" in raw:
        facts_path = path.parent / raw["facts_file"]
        line = raw.key_lines["facts_file"]
        shown = describe_path(raw["facts_file"])
        try:
            facts_data = parse_json_document(read_regular_file(facts_path, MAX_FACTS_BYTES))
        except OSError as exc:
            raise CaseFileError(f"facts_file {shown}: cannot read: {exc.strerror}", file=display, line=line, case=name) from None
        except InputLimitError as exc:
            raise CaseFileError(f"facts_file {shown}: {exc}", file=display, line=line, case=name) from None
        except FactsError as exc:
            raise CaseFileError(f"facts_file {shown}: {exc}", file=display, line=line, case=name) from None
    else:
        facts_data, line = raw["facts"], raw.key_lines["facts"]
    try:
        facts = facts_from_dict(facts_data)
    except FactsError as exc:
        raise CaseFileError(f"facts: {exc}", file=display, line=_facts_line(facts_data, exc.path, line), case=name) from None
    expect = None
    if "expect" in raw:
        e = raw["expect"]
        expect = Expectation(
            verdict=Verdict(e["verdict"]) if "verdict" in e else None,
            cites=tuple(_paragraph_ids(c) if isinstance(c, list) else (str(c),) for c in e.get("cites", ())),
            obligations=tuple(e.get("obligations", ())),
            no_obligations=tuple(e.get("no_obligations", ())),
            questions=tuple(e.get("questions", ())),
            next_question=e.get("next_question"),
            presumed=tuple(e.get("presumed", ())),
        )
    return Case(
        name=name,
        file=display,
        line=raw.line,
        facts=facts,
        story=" ".join(str(raw.get("story", "")).split()),
        illustrates=_paragraph_ids(raw.get("illustrates", ())),
        ruleset=_pinned_ruleset(raw.get("ruleset", file_ruleset), path),
        expect=expect,
    )


def _facts_line(facts_data: Any, json_path: str, default: int) -> int:
    keys = [k for k in json_path.lstrip("$").split(".") if k]
    return _line_of(facts_data, keys) or default if isinstance(facts_data, LineDict) else default


# ---------------------------------------------------------------- checking


def validate_expectation(case: Case, ruleset: Ruleset) -> None:
    """Expectations must name things the ruleset has: a typo would otherwise pass silently."""
    exp = case.expect
    refs: list[tuple[str, Iterable[str], Any]] = [("paragraph", case.illustrates, ruleset.paragraphs)]
    if exp:
        refs += [
            ("paragraph", [p for group in exp.cites for p in group], ruleset.paragraphs),
            ("obligation", exp.obligations + exp.no_obligations, ruleset.obligations),
            ("question about fact", exp.questions + ((exp.next_question,) if exp.next_question else ()), ruleset.input_specs),
            ("presumed fact", exp.presumed, ruleset.input_specs),
        ]
    for kind, names, known in refs:
        for item in names:
            if item not in known:
                hint = suggest(item, known)
                raise CaseFileError(
                    f"expects {kind} {describe_name(item)}, which ruleset {ruleset.id} does not have" + (f" (did you mean {hint!r}?)" if hint else ""),
                    file=case.file,
                    line=case.line,
                    case=case.name,
                )


def check(case: Case, decision: Decision) -> list[str]:
    """What differs between the case's expectations and the decision; empty when it passes."""
    problems: list[str] = []
    exp = case.expect or Expectation()
    if exp.verdict is not None and decision.verdict is not exp.verdict:
        problems.append(f"verdict: expected {exp.verdict.value}, got {decision.verdict.value}")
    cited = set(decision.cites)
    for group in exp.cites:
        if not cited.intersection(group):
            problems.append(f"cites: expected the trace to cite {' or '.join(group)}; it cites {', '.join(decision.cites)}")
    for paragraph in case.illustrates:
        if paragraph not in cited:
            problems.append(f"illustrates: the case illustrates {paragraph}, but the trace does not cite it")
    got_obligations = {o.id for o in decision.obligations}
    for ob in exp.obligations:
        if ob not in got_obligations:
            problems.append(f"obligations: expected {ob}; got {', '.join(sorted(got_obligations)) or 'none'}")
    for ob in exp.no_obligations:
        if ob in got_obligations:
            problems.append(f"no_obligations: did not expect {ob}, but the decision has it")
    got_questions = [q.fact for q in decision.questions]
    for q in exp.questions:
        if q not in got_questions:
            problems.append(f"questions: expected {q}; got {', '.join(got_questions) or 'none'}")
    if exp.next_question is not None and (decision.next_question is None or decision.next_question.fact != exp.next_question):
        got = decision.next_question.fact if decision.next_question else "none"
        problems.append(f"next_question: expected {exp.next_question}; got {got}")
    got_presumed = [p.fact for p in decision.presumed]
    for fact in exp.presumed:
        if fact not in got_presumed:
            problems.append(f"presumed: expected {fact}; got {', '.join(got_presumed) or 'none'}")
    return problems


# ---------------------------------------------------------------- running

PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"


@attrs.frozen
class CaseResult:
    case: Case | None
    status: str
    problems: tuple[str, ...] = ()
    decision: Decision | None = None  # kept for cases that did not pass (reports, record mode)
    seconds: float = 0.0
    error: CaseFileError | None = None
    verdict: Verdict | None = None
    fired_rules: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        return self.case.file if self.case else (self.error.file if self.error else "")


@attrs.frozen
class Coverage:
    """Which rules and cited paragraphs of one ruleset a suite exercised."""

    ruleset: str
    rules: tuple[str, ...]
    fired: frozenset[str]
    paragraphs: tuple[str, ...]  # every paragraph the ruleset's rules cite
    cited: frozenset[str]

    @property
    def rule_percent(self) -> float:
        return 100.0 * len(self.fired) / len(self.rules) if self.rules else 100.0

    @property
    def paragraph_percent(self) -> float:
        return 100.0 * len(self.cited) / len(self.paragraphs) if self.paragraphs else 100.0

    @property
    def unfired(self) -> tuple[str, ...]:
        return tuple(r for r in self.rules if r not in self.fired)

    @property
    def uncited(self) -> tuple[str, ...]:
        return tuple(p for p in self.paragraphs if p not in self.cited)


@attrs.frozen
class SuiteResult:
    results: tuple[CaseResult, ...]
    coverage: tuple[Coverage, ...]
    stopped_early: bool = False  # --maxfail was reached: cases after the last result did not run

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def summary(self) -> str:
        line = f"{self.count(PASSED)} passed, {self.count(FAILED)} failed"
        for status, word in ((SKIPPED, "skipped"), (ERROR, "errors")):
            if self.count(status):
                line += f", {self.count(status)} {word}"
        return line

    @property
    def exit_code(self) -> int:
        if self.count(ERROR):
            return 2
        return 1 if self.count(FAILED) else 0


def iter_results(
    paths: Iterable[str | Path],
    *,
    ruleset: str | Path | None = None,
    engine: EngineName = "compiled",
    keywords: Iterable[str] = (),
) -> Iterator[CaseResult]:
    """Run every case in the files; a malformed file or case yields an error result and the rest go on."""
    words = [k.lower() for k in keywords]
    for path in discover(paths):
        try:
            case_file = load_case_file(path)
        except CaseFileError as exc:
            yield CaseResult(None, ERROR, (exc.message,), error=exc)
            continue
        for bad in case_file.errors:
            if not words or (bad.case and any(w in bad.case.lower() for w in words)):
                yield CaseResult(None, ERROR, (bad.message,), error=bad)
        for case in case_file.cases:
            if words and not any(w in case.name.lower() for w in words):
                continue
            yield run_case(case, ruleset=ruleset, engine=engine)


def run_case(case: Case, *, ruleset: str | Path | None = None, engine: EngineName = "compiled") -> CaseResult:
    """Decide one case and check it. ``ruleset`` overrides the case's pin (run a suite on another version)."""
    started = time.perf_counter()
    try:
        rules = load_ruleset(ruleset or case.ruleset or DEFAULT_RULESET)
        validate_expectation(case, rules)
    except RulesetError as exc:
        err = CaseFileError(f"ruleset: {exc}", file=case.file, line=case.line, case=case.name)
        return CaseResult(case, ERROR, (err.message,), error=err)
    except CaseFileError as exc:
        return CaseResult(case, ERROR, (exc.message,), error=exc)
    try:
        decision = decide(case.facts, ruleset=rules, engine=engine)
    except InfoshareError as exc:  # e.g. two rules in conflict: a defect to report, not a crash
        err = CaseFileError(f"could not decide: {exc}", file=case.file, line=case.line, case=case.name)
        return CaseResult(case, ERROR, (err.message,), error=err)
    verdict, fired = decision.verdict, tuple(decision.fired_rules)
    if case.expect is None:
        note = ("no expectation (record one with --update)",)
        return CaseResult(case, SKIPPED, note, decision, time.perf_counter() - started, verdict=verdict, fired_rules=fired)
    problems = check(case, decision)
    status = FAILED if problems else PASSED
    return CaseResult(case, status, tuple(problems), decision, time.perf_counter() - started, verdict=verdict, fired_rules=fired)


def run_suite(
    paths: Iterable[str | Path],
    *,
    ruleset: str | Path | None = None,
    engine: EngineName = "compiled",
    keywords: Iterable[str] = (),
    keep_decisions: bool = False,
    maxfail: int | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
) -> SuiteResult:
    """Run the suite. Decisions of passing cases are dropped once counted for coverage, unless
    ``keep_decisions``: a suite of many thousand cases then costs little more than its decisions.
    With ``maxfail``, stop after that many failed or malformed cases. ``on_result`` is called
    with each result as it comes (progress bars)."""
    coverage = _CoverageCounter()
    results = []
    failures = 0
    stopped = False
    for result in iter_results(paths, ruleset=ruleset, engine=engine, keywords=keywords):
        if result.decision is not None:
            coverage.add(result.decision)
            if result.status == PASSED and not keep_decisions:
                result = attrs.evolve(result, decision=None)
        results.append(result)
        if on_result is not None:
            on_result(result)
        failures += result.status in (FAILED, ERROR)
        if maxfail is not None and failures >= maxfail:
            stopped = True
            break
    return SuiteResult(tuple(results), coverage.result(), stopped)


class _CoverageCounter:
    def __init__(self) -> None:
        self.fired: dict[str, set[str]] = {}
        self.cited: dict[str, set[str]] = {}
        self.hashes: dict[str, str] = {}

    def add(self, decision: Decision) -> None:
        key = decision.ruleset.id
        self.hashes[key] = decision.ruleset.hash
        self.fired.setdefault(key, set()).update(decision.fired_rules)
        self.cited.setdefault(key, set()).update(decision.cites)

    def result(self) -> tuple[Coverage, ...]:
        out = []
        for ruleset_id in sorted(self.fired):
            rules = loaded_ruleset(self.hashes[ruleset_id]) or load_ruleset(ruleset_id)
            paragraphs = tuple(dict.fromkeys(c for r in rules.rules for c in r.cites))
            out.append(
                Coverage(ruleset_id, tuple(r.id for r in rules.rules), frozenset(self.fired[ruleset_id]), paragraphs, frozenset(self.cited[ruleset_id]))
            )
        return tuple(out)
