"""The case runner: `infoshare test`, its reports, coverage, record mode and failure paths."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from infoshare_rules.cases.suite import load_case_file, run_suite

FIXTURES = Path(__file__).parent / "fixtures" / "cases"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def infoshare(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "infoshare_rules", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_passing_file_exits_0_with_summary():
    run = infoshare("test", "--engine", "reference", str(FIXTURES / "passing.cases.yaml"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip().splitlines()[-1] == "2 passed, 0 failed"


def test_broken_expectation_exits_1_with_readable_report():
    path = FIXTURES / "failing.cases.yaml"
    run = infoshare("test", "--engine", "reference", str(path))
    assert run.returncode == 1
    out = run.stdout
    assert f"FAILED {path}:3: case 'court-order-expected-do-not-share'" in out
    assert "verdict: expected do_not_share, got must_share" in out
    assert "cites: expected the trace to cite 3.17" in out
    assert "[derived] required-by-law-must-share: verdict must_share [4.24, flowchart] <- required_by_law=yes" in out  # the trace
    assert out.strip().splitlines()[-1] == "0 passed, 1 failed"


def test_malformed_yaml_exits_2_naming_file_and_line_and_others_still_run():
    run = infoshare("test", "--engine", "reference", str(FIXTURES / "malformed-yaml.cases.yaml"), str(FIXTURES / "passing.cases.yaml"))
    assert run.returncode == 2
    assert f"ERROR {FIXTURES / 'malformed-yaml.cases.yaml'}:4: invalid YAML" in run.stdout
    assert run.stdout.strip().splitlines()[-1] == "2 passed, 0 failed, 1 errors"


def test_malformed_schema_suggests_the_key():
    run = infoshare("test", str(FIXTURES / "malformed-schema.cases.yaml"))
    assert run.returncode == 2
    assert "malformed-schema.cases.yaml:4: $.cases[0]: unknown key 'expct'" in run.stdout
    assert "(did you mean 'expect'?)" in run.stdout


def test_bad_case_does_not_stop_the_good_case_in_the_same_file():
    suite = run_suite([FIXTURES / "bad-facts.cases.yaml"], engine="reference")
    by_status = {(r.case.name if r.case else r.error.case): r for r in suite.results}
    assert by_status["good-case"].status == "passed"
    assert by_status["bad-value"].status == "error"
    assert "bad-facts.cases.yaml:8" in str(by_status["bad-value"].error)
    assert "$.information.provided_by" in str(by_status["bad-value"].error) and "did you mean 'parent'" in str(by_status["bad-value"].error)
    # a typo in an expectation would otherwise pass silently
    assert by_status["unknown-obligation"].status == "error"
    assert "did you mean 'share_securely'" in str(by_status["unknown-obligation"].error)
    assert suite.exit_code == 2


def test_keyword_filter():
    suite = run_suite([FIXTURES / "passing.cases.yaml"], engine="reference", keywords=["anonym"])
    assert [r.case.name for r in suite.results] == ["anonymised-shared"]


def test_json_format():
    run = infoshare("test", "--engine", "reference", "--format", "json", str(FIXTURES / "failing.cases.yaml"))
    data = json.loads(run.stdout)
    assert data["summary"] == {"passed": 0, "failed": 1, "skipped": 0, "error": 0}
    assert data["results"][0]["case"] == "court-order-expected-do-not-share"
    assert data["results"][0]["line"] == 3


def test_junit_xml_is_valid_junit(tmp_path):
    junitparser = pytest.importorskip("junitparser")
    report = tmp_path / "report.xml"
    run = infoshare(
        "test", "--engine", "reference", "--junit-xml", str(report),
        str(FIXTURES / "passing.cases.yaml"), str(FIXTURES / "failing.cases.yaml"), str(FIXTURES / "malformed-yaml.cases.yaml"),
    )
    assert run.returncode == 2
    root = ET.parse(report).getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "1")
    for suite in root.iter("testsuite"):  # attributes the Jenkins JUnit schema requires
        for attribute in ("name", "tests", "failures", "errors", "time", "timestamp", "hostname"):
            assert suite.get(attribute) is not None, attribute
        for case in suite.iter("testcase"):
            assert case.get("name") and case.get("classname") and case.get("time")
    xml = junitparser.JUnitXml.fromfile(str(report))
    cases = [case for suite in xml for case in suite]
    assert len(cases) == 4
    failed = [case for case in cases if case.name == "court-order-expected-do-not-share"][0]
    assert isinstance(failed.result[0], junitparser.Failure)
    assert "expected do_not_share, got must_share" in failed.result[0].message


def test_coverage_report_and_fail_under():
    run = infoshare("test", "--engine", "reference", "--coverage", "--fail-under", "100", str(FIXTURES / "passing.cases.yaml"))
    assert run.returncode == 1
    assert "coverage of uk-2006-practitioners-guide: rules " in run.stdout
    assert "rules never fired: " in run.stdout and "paragraphs never cited: " in run.stdout
    assert "under --fail-under 100%" in run.stderr
    ok = infoshare("test", "--engine", "reference", "--fail-under", "1", str(FIXTURES / "passing.cases.yaml"))
    assert ok.returncode == 0


def test_update_records_missing_expectations_only(tmp_path):
    path = tmp_path / "unrecorded.cases.yaml"
    shutil.copy(FIXTURES / "unrecorded.cases.yaml", path)
    before = infoshare("test", "--engine", "reference", str(path))
    assert before.stdout.strip().splitlines()[-1] == "0 passed, 1 failed, 2 skipped"
    run = infoshare("test", "--engine", "reference", "--update", str(path))
    text = path.read_text()
    assert "# a comment that must survive" in text
    cases = {c.name: c for c in load_case_file(path).cases}
    assert cases["duty-to-share"].expect.verdict.value == "must_share"
    assert cases["last-one"].expect.verdict.value == "undetermined"
    assert "purpose.legitimate" in cases["last-one"].expect.questions
    # an existing (wrong) expectation is never silently overwritten
    assert cases["already-expected"].expect.verdict.value == "share"
    assert run.returncode == 1
    assert run.stdout.strip().splitlines()[-1] == "2 passed, 1 failed"
    again = infoshare("test", "--engine", "reference", "--update", "--overwrite", str(path))
    assert again.returncode == 0, again.stdout
    assert load_case_file(path).cases[1].expect.verdict.value == "must_share"


def test_examples_pass_with_full_rule_coverage():
    """The shipped case library exercises every rule of the national ruleset."""
    # The example local protocol's suite (examples/local-protocols) covers what the protocol changes, not
    # every inherited national rule: the national suites are measured here on their own.
    national = sorted(str(p) for p in EXAMPLES.iterdir() if p.name != "local-protocols")
    run = infoshare("test", "--coverage", "--fail-under", "100", *national)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr
    assert "rules 1" in run.stdout and "(100.0%)" in run.stdout


def test_pytest_plugin_collects_case_files(tmp_path):
    shutil.copy(FIXTURES / "passing.cases.yaml", tmp_path)
    shutil.copy(FIXTURES / "failing.cases.yaml", tmp_path)
    shutil.copy(FIXTURES / "malformed-yaml.cases.yaml", tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--infoshare-engine", "reference", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    out = run.stdout
    assert "passing.cases.yaml::anonymised-shared PASSED" in out or "2 passed" in out
    assert "failing.cases.yaml:3: case 'court-order-expected-do-not-share'" in out
    assert "verdict: expected do_not_share, got must_share" in out
    assert "malformed case file:" in out and "malformed-yaml.cases.yaml:4: invalid YAML" in out
    assert "2 failed, 2 passed" in out  # the malformed file fails as an item; the others still ran


def test_unquoted_paragraph_number_is_explained(tmp_path):
    path = tmp_path / "numbers.cases.yaml"
    path.write_text("cases:\n  - name: x\n    facts: {}\n    expect:\n      cites: [4.30]\n")
    run = infoshare("test", str(path))
    assert run.returncode == 2
    assert f"{path}:5: $.cases[0].expect.cites[0]: paragraph ids must be quoted strings" in run.stdout
