"""The `infoshare` command: decide, schema, rulesets; exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FACT_FILES = sorted((EXAMPLES / "facts").glob("*.json"))


def infoshare(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "infoshare_rules", *args], input=stdin, capture_output=True, text=True, timeout=300)


def test_there_are_at_least_twenty_example_fact_files():
    assert len(FACT_FILES) >= 20


def test_decide_prints_a_decision_whose_trace_cites_paragraphs():
    run = infoshare("decide", str(FACT_FILES[0]))
    assert run.returncode == 0, run.stderr
    decision = json.loads(run.stdout)
    for key in ("verdict", "obligations", "trace", "questions", "ruleset", "engine", "cites"):
        assert key in decision
    assert decision["trace"] and all(step["cites"] for step in decision["trace"])
    assert decision["ruleset"]["id"] == "uk-2006-practitioners-guide"
    assert decision["ruleset"]["source"] == "0338-2006BKT-EN"
    assert decision["ruleset"]["hash"].startswith("sha256:")
    assert any(o["id"] == "record_decision_and_reasons" for o in decision["obligations"])


def test_decide_reads_standard_input_and_renders_text():
    facts = json.dumps({"legal": {"court_order": "yes"}})
    run = infoshare("decide", "--engine", "reference", "--format", "text", "--paragraphs", "-", stdin=facts)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Verdict: MUST SHARE")
    assert "court-order" in run.stdout and "[4.23]" in run.stdout
    assert "[4.24] Is there a statutory duty or a court order to share information?" in run.stdout  # paragraph text travels with the trace
    assert "engine reference" in run.stdout


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ('{"information": {"provided_by": "parnet"}}', "$.information.provided_by: not an allowed value; expected subject, child, parent, other, practitioner, agency_records, unknown; got 'parnet' (did you mean 'parent'?)"),
        ('{"consnt": {}}', "$.consnt: unknown key"),
        ('{"child": {"age": "twelve"}}', "$.child.age: wrong type"),
        ('{"purpose": ', "$: not valid JSON"),
        ("[]", "$: wrong type; expected a JSON object of fact groups"),
    ],
)
def test_invalid_input_exits_2_with_one_line_and_no_traceback(stdin, message):
    run = infoshare("decide", "-", stdin=stdin)
    assert run.returncode == 2
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("infoshare: error: -: ")
    assert message in lines[0]
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    "args",
    [["decide", "no-such-file.json"], ["decide", "--engine", "fast", "-"], ["decide", "--ruleset", "uk-2007", "-"], ["nonsense"]],
)
def test_usage_errors_exit_2_with_one_line(args):
    run = infoshare(*args, stdin="{}")
    assert run.returncode == 2
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "Traceback" not in run.stderr


def test_unknown_ruleset_suggests_the_known_one():
    run = infoshare("decide", "--ruleset", "uk-2006-practitioners-guid", "-", stdin="{}")
    assert "did you mean 'uk-2006-practitioners-guide'?" in run.stderr


def test_schema_is_valid_json_schema_and_every_example_conforms():
    schema = json.loads(infoshare("schema").stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in FACT_FILES:
        errors = list(validator.iter_errors(json.loads(path.read_text())))
        assert not errors, f"{path.name}: {errors[0].message}"
    assert list(validator.iter_errors({"information": {"provided_by": "parnet"}}))
    assert "4.13" in schema["$defs"]["Consent"]["properties"]["informed"]["description"]
    # the yes/no/unknown answer is defined once and referenced by every yes/no fact
    assert schema["$defs"]["Consent"]["properties"]["informed"]["$ref"] == "#/$defs/Answer"
    assert schema["$defs"]["Answer"]["enum"] == ["yes", "no", "unknown"]
    assert json.dumps(schema).count('"enum": ["yes", "no", "unknown"]') == 1


def test_case_file_schema_is_valid():
    schema = json.loads(infoshare("schema", "--cases").stdout)
    jsonschema.Draft202012Validator.check_schema(schema)


def test_rulesets_lists_the_national_ruleset():
    run = infoshare("rulesets")
    assert run.returncode == 0
    assert run.stdout.startswith("uk-2006-practitioners-guide\t3.0.0\t")


def test_console_script_and_module_agree():
    import shutil

    # pip puts the console script beside the interpreter (README's test command runs .venv/bin/python
    # without activating the venv, so it need not be on PATH)
    beside = Path(sys.executable).parent / "infoshare"
    exe = str(beside) if beside.is_file() else shutil.which("infoshare")
    assert exe, f"the console script is not installed: not at {beside}, not on PATH (pip install -e '.[test]' installs it)"
    run = subprocess.run([exe, "decide", "--engine", "reference", str(FACT_FILES[0])], capture_output=True, text=True, timeout=120)
    module = infoshare("decide", "--engine", "reference", str(FACT_FILES[0]))
    assert run.returncode == 0 and run.stdout == module.stdout


def test_decision_output_conforms_to_its_schema():
    schema = json.loads(infoshare("schema", "--decision").stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in FACT_FILES[:10]:
        decision = json.loads(infoshare("decide", str(path)).stdout)
        errors = list(validator.iter_errors(decision))
        assert not errors, f"{path.name}: {errors[0].message}"


def test_test_command_with_no_case_files_is_an_error(tmp_path):
    run = infoshare("test", str(tmp_path))
    assert run.returncode == 2
    assert "no cases found" in run.stderr


def test_rule_shows_conditions_conclusion_and_cited_text():
    run = infoshare("rule", "seeking-consent-risks-child")
    assert run.returncode == 0, run.stderr
    assert "rules/04-consent.yaml:" in run.stdout
    assert "seeking_consent_would.increase_risk_of_significant_harm_to_child: yes" in run.stdout
    assert "then: reason_not_to_seek_consent = yes" in run.stdout
    assert "[4.22] When not to seek consent" in run.stdout
    assert "  - place an adult at risk of serious harm; or" in run.stdout


def test_paragraph_shows_text_and_every_rule_citing_it():
    from infoshare_rules import load_ruleset

    citing = [r.id for r in load_ruleset().rules if "4.24" in r.cites]
    run = infoshare("paragraph", "4.24")
    assert run.returncode == 0
    assert "In such situations you must share the information" in run.stdout
    assert f"Rules citing it ({len(citing)}):" in run.stdout
    for rule_id in citing:
        assert rule_id in run.stdout


@pytest.mark.parametrize(("args", "hint"), [(["rule", "required-by-law-must-shar"], "required-by-law-must-share"), (["paragraph", "4.222"], "4.22")])
def test_unknown_rule_or_paragraph_suggests(args, hint):
    run = infoshare(*args)
    assert run.returncode == 2
    assert f"did you mean {hint!r}?" in run.stderr


def test_flowchart_level_case_prints_stated_presumed_and_derived_steps():
    """Issue 7 (and 15): a case answered at the flowchart's level says which answers were stated, which presumed
    and which derived, each with paragraphs; with no consent and the public interest judged, it stays open on
    whether consent was ever sought (3.9) and asks that first."""
    run = subprocess.run(
        [sys.executable, "-m", "infoshare_rules", "decide", "--format", "text", "--engine", "reference",
         str(EXAMPLES / "facts" / "flowchart-level-no-consent-public-interest.json")],
        capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    # v3: whether consent was ever sought (3.9) and whether the understanding authorises it (3.8) are open
    assert out.startswith("Verdict: UNDETERMINED")
    first = out.split("  ? ")[1].split("  ? ")[0]
    assert "consent.good_reason_not_to_seek" in first  # the first question
    assert "[you stated] stated-confidential-yes: confidential = yes  [3.7" in out
    assert "[presumed] statutory-duty-known-if-it-applies: required_by_law = no  [4.24]" in out
    assert "[by cases] by-cases: verdict undetermined" in out
    assert 'legal.statutory_duty = no: "These situations are relatively unusual' in out
