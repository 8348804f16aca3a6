"""`infoshare test` options for CI and long runs: --maxfail, -q, --coverage-json, the progress bar."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import threading
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "cases"
EXAMPLES = ROOT / "examples"


def infoshare(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "infoshare_rules", *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def failing_suite(folder: Path, n: int) -> Path:
    """N cases expecting the wrong verdict (a court order means must_share)."""
    cases = [{"name": f"wrong-{i}", "facts": {"legal": {"court_order": "yes"}}, "expect": {"verdict": "share"}} for i in range(n)]
    path = folder / "wrong.cases.yaml"
    path.write_text(yaml.safe_dump({"cases": cases}))
    return path


def test_maxfail_stops_after_n_failures(tmp_path):
    path = failing_suite(tmp_path, 5)
    run = infoshare("test", "--engine", "reference", "--maxfail", "2", "--format", "json", str(path))
    assert run.returncode == 1
    data = json.loads(run.stdout)
    assert data["summary"] == {"passed": 0, "failed": 2, "skipped": 0, "error": 0}
    assert "stopped after 2 failed or malformed cases (--maxfail)" in run.stderr
    full = infoshare("test", "--engine", "reference", "--format", "json", str(path))
    assert json.loads(full.stdout)["summary"]["failed"] == 5 and "maxfail" not in full.stderr


def test_quiet_prints_one_line_per_failure_and_the_summary(tmp_path):
    path = failing_suite(tmp_path, 3)
    run = infoshare("test", "--engine", "reference", "-q", str(path), str(FIXTURES / "passing.cases.yaml"))
    lines = run.stdout.strip().splitlines()
    assert run.returncode == 1
    assert len(lines) == 4 and lines[-1].startswith("2 passed, 3 failed")
    assert all(line.startswith("FAILED ") and "wrong-" in line and "verdict: expected share, got must_share" in line for line in lines[:3])
    assert "trace" not in run.stdout
    assert run.stderr == ""


def test_coverage_json_is_written_for_ci(tmp_path):
    out = tmp_path / "coverage.json"
    run = infoshare("test", "--engine", "reference", "--coverage-json", str(out), str(EXAMPLES))
    assert run.returncode == 0, run.stdout + run.stderr
    data = json.loads(out.read_text())
    by_ruleset = {c["ruleset"]: c for c in data["coverage"]}  # examples/ also holds a local protocol's suite
    national = by_ruleset["uk-2006-practitioners-guide"]
    assert 0 < national["rules_fired"] <= national["rules"]
    assert national["rules"] - national["rules_fired"] == len(national["rules_never_fired"])
    assert national["paragraphs"] - national["paragraphs_cited"] == len(national["paragraphs_never_cited"])
    assert data["summary"]["passed"] > 50 and data["summary"]["failed"] == 0 and data["stopped_early"] is False
    assert "coverage of" not in run.stdout  # the file is asked for; the text report stays as it was


def test_progress_bar_shows_on_a_terminal_for_long_runs_only(tmp_path):
    path = failing_suite(tmp_path, 1)
    fast = run_on_terminal(["test", "--engine", "reference", str(path)])
    assert b"\x1b[" not in fast  # a run under a second draws no bar
    many = tmp_path / "many.cases.yaml"
    cases = [{"name": f"c{i}", "facts": {"legal": {"court_order": "yes"}}, "expect": {"verdict": "must_share"}} for i in range(4000)]
    many.write_text(yaml.safe_dump({"cases": cases}))
    slow = run_on_terminal(["test", "--engine", "reference", str(many)])
    assert b"cases" in slow and b"\x1b[" in slow
    assert b"\x1b[" not in run_on_terminal(["test", "-q", "--engine", "reference", str(many)])


def run_on_terminal(args: list[str]) -> bytes:
    """Run `infoshare` with stderr on a pseudo-terminal; return what it wrote there.

    The terminal is read while the command runs: a progress bar writes more than a pseudo-terminal
    buffers, and a writer nobody reads from blocks.
    """
    main, secondary = pty.openpty()
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        subprocess.run([sys.executable, "-m", "infoshare_rules", *args], stderr=secondary, stdout=subprocess.DEVNULL, timeout=300)
    finally:
        os.close(secondary)
        reader.join(timeout=10)
        os.close(main)
    return b"".join(chunks)


def test_update_keeps_the_case_file_mode(tmp_path):
    path = tmp_path / "new.cases.yaml"
    path.write_text(yaml.safe_dump({"cases": [{"name": "no-expectation", "facts": {"legal": {"court_order": "yes"}}}]}))
    path.chmod(0o644)
    run = infoshare("test", "--engine", "reference", "--update", str(path))
    assert run.returncode == 0, run.stderr
    assert "expect" in path.read_text() and oct(path.stat().st_mode & 0o777) == oct(0o644)
    path.chmod(0o664)
    run = infoshare("test", "--engine", "reference", "--update", "--overwrite", str(path))
    assert run.returncode == 0 and oct(path.stat().st_mode & 0o777) == oct(0o664)


def test_a_bad_ruleset_for_a_suite_is_one_error(tmp_path):
    path = failing_suite(tmp_path, 30)
    run = infoshare("test", "--ruleset", "uk-2006-practitioners-guid", str(path))
    assert run.returncode == 2 and run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("infoshare: error: --ruleset: ") and "did you mean 'uk-2006-practitioners-guide'" in lines[0]
