"""check and diff give up after a CPU budget, with the library's own error (exit 3 from the CLI), not run for an hour.

The exact analysis of some large rulesets grows without bound (benchmarks/bench_analysis.py); the budget
is checked between diagram operations, in every stage, so it stops where it is and reports nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from infoshare_rules import AnalysisBudgetError, InfoshareError
from infoshare_rules.analysis import check as check_module
from infoshare_rules.analysis import diff as diff_module
from infoshare_rules.analysis.check import check_ruleset
from infoshare_rules.analysis.check_report import check_json
from infoshare_rules.analysis.diff import diff_rulesets
from infoshare_rules.analysis.diff_report import diff_json
from infoshare_rules.ruleset.loader import load_ruleset
from infoshare_rules.semantics import regions as regions_module
from infoshare_rules.semantics.budget import Budget

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = load_ruleset("uk-2006-practitioners-guide")
PROTOCOL = load_ruleset(ROOT / "examples" / "local-protocols" / "example-written-consent")
TINY = 1e-9  # spent by the time the input space is built


def infoshare(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "infoshare_rules", *args], capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_no_budget_never_gives_up_and_a_budget_must_be_positive() -> None:
    Budget(None).spend("anything")
    for bad in (0, -1.5):
        with pytest.raises(ValueError, match="above 0"):
            Budget(bad)


def test_check_past_its_budget_raises_the_librarys_error_naming_the_rulesets_and_the_stage() -> None:
    with pytest.raises(AnalysisBudgetError) as caught:
        check_ruleset(PROTOCOL, budget=TINY)
    err = caught.value
    assert isinstance(err, InfoshareError)
    assert err.rulesets == ((PROTOCOL.id, len(PROTOCOL.rules)), (NATIONAL.id, len(NATIONAL.rules)))
    assert err.seconds == TINY
    assert err.stage.startswith("the conclusion and verdict rules of ruleset")
    assert f"({len(PROTOCOL.rules):,} rules)" in str(err) and "--budget" in str(err)


def test_diff_past_its_budget_names_both_sides() -> None:
    with pytest.raises(AnalysisBudgetError) as caught:
        diff_rulesets(NATIONAL, PROTOCOL, budget=TINY)
    assert [name for name, _ in caught.value.rulesets] == [NATIONAL.id, PROTOCOL.id]


def test_an_ample_budget_changes_nothing() -> None:
    assert check_json(check_ruleset(PROTOCOL, budget=600)) == check_json(check_ruleset(PROTOCOL))
    assert diff_json(diff_rulesets(NATIONAL, PROTOCOL, budget=600)) == diff_json(diff_rulesets(NATIONAL, PROTOCOL))


class _Recording(Budget):
    """An unlimited budget that records every stage at which it was checked."""

    def __init__(self, seconds: float | None, rulesets: object = ()) -> None:
        super().__init__(None)
        self.stages: list[str] = []
        _RECORDED.append(self)

    def spend(self, stage: str) -> None:
        self.stages.append(stage)


_RECORDED: list[_Recording] = []


def _stages(monkeypatch: pytest.MonkeyPatch, run) -> list[str]:  # type: ignore[no-untyped-def]
    _RECORDED.clear()
    monkeypatch.setattr(check_module, "Budget", _Recording)
    monkeypatch.setattr(diff_module, "Budget", _Recording)
    run()
    (recorded,) = _RECORDED
    return recorded.stages


@pytest.mark.parametrize("which", ["check", "diff"])
def test_the_budget_is_checked_in_every_stage_of_the_analysis(monkeypatch: pytest.MonkeyPatch, which: str) -> None:
    """So a large ruleset stops where it is (between operations), whichever stage is the slow one."""
    run = (lambda: check_ruleset(PROTOCOL, budget=1)) if which == "check" else (lambda: diff_rulesets(NATIONAL, PROTOCOL, budget=1))
    stages = _stages(monkeypatch, run)
    rules = sum(1 for s in stages if s.startswith("the conclusion and verdict rules"))
    first_rules = [r for r in PROTOCOL.rules if not any(c.fact == "verdict" for c in r.when)]
    assert rules >= len(first_rules)  # once per rule, before it is fired
    for stage in ("the verdicts of ruleset", "the doubts of ruleset", "the obligations of ruleset", "the complete cases"):
        assert any(s.startswith(stage) for s in stages), stage
    assert stages[-1] in ("the counts of complete cases by verdict", "the counts")
    assert regions_module.Semantics  # the stages above come from Semantics itself, given the budget


def test_the_cli_gives_up_with_exit_3_and_one_line_no_traceback() -> None:
    done = infoshare("check", str(PROTOCOL.path), "--budget", "0.000000001")
    assert done.returncode == 3, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("infoshare: error: the exact analysis of"), done.stderr
    assert "Traceback" not in done.stderr
    done = infoshare("diff", NATIONAL.id, str(PROTOCOL.path), "--budget", "0.000000001", "--format", "json")
    assert done.returncode == 3 and "did not finish within its budget" in done.stderr


def test_the_cli_budget_must_be_a_number_of_seconds_and_0_means_no_limit() -> None:
    done = infoshare("check", "--budget", "-1")
    assert done.returncode == 2 and "--budget" in done.stderr
    done = infoshare("check", "--budget", "0", "--format", "json")
    assert done.returncode in (0, 1) and done.stdout.startswith("{"), done.stderr  # the report, findings or not
