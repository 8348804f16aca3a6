"""decide_many and `infoshare batch`: ordered results, record errors as values, formats, exit codes."""

from __future__ import annotations

import csv
import json
import os
import pty
import string
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare_rules import CaseFacts, Legal, RecordError, RulesetNotFoundError, decide, decide_many, decision_to_dict, facts_from_dict
from infoshare_rules.errors import InfoshareError
from strategies import case_facts, decided

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
DOCS = [json.loads(p.read_text()) for p in sorted((EXAMPLES / "facts").glob("*.json"))]
SECRET = "parnet-Jane-Doe-42"  # a submitted value that must never come back in an error
BAD = [
    {"information": {"provided_by": SECRET}},
    {"consnt": {"parent": "given"}},
    {"child": {"age": SECRET}, "information": {"provided_by": SECRET}},
    ["not", "an", "object"],
]


def mixed_records() -> list:
    """Valid dicts and CaseFacts with bad records at known places (indices 3, 8, 13, 18)."""
    records: list = []
    for i, doc in enumerate(DOCS[:16]):
        records.append(facts_from_dict(doc) if i % 2 else doc)
        if i % 4 == 2:
            records.append(BAD[(i // 4) % len(BAD)])
    return records


def expected(records: list) -> list:
    out = []
    for i, record in enumerate(records):
        if isinstance(record, CaseFacts):
            out.append(decide(record, engine="reference"))
        else:
            try:
                out.append(decide(facts_from_dict(record), engine="reference"))
            except InfoshareError:
                out.append(i)  # the index a RecordError must carry
    return out


def check_results(results: list, records: list) -> None:
    assert len(results) == len(records)
    for got, want in zip(results, expected(records)):
        if isinstance(want, int):
            assert isinstance(got, RecordError) and got.index == want
            assert got.path.startswith("$") and got.problem
            assert SECRET not in str(got) and SECRET not in got.problem
        else:
            assert got == want


def test_decide_many_in_process_gives_decisions_in_order_and_errors_as_values():
    records = mixed_records()
    results = list(decide_many(records, engine="reference", workers=1))
    check_results(results, records)
    errors = [r for r in results if isinstance(r, RecordError)]
    assert [e.index for e in errors] == [3, 8, 13, 18]
    assert errors[0].path == "$.information.provided_by" and "expected subject, child, parent, other, practitioner, agency_records, unknown" in errors[0].problem
    assert errors[1].path == "$.consnt" and "unknown key" in errors[1].problem
    assert errors[2].path == "$.information.provided_by" and "also $.child.age" in errors[2].problem  # several problems, one error
    assert errors[3].path == "$" and "wrong type" in errors[3].problem


def test_decide_many_on_worker_processes_equals_the_sequential_run():
    records = mixed_records()
    results = list(decide_many(records, engine="reference", workers=2, chunksize=3))  # 7 chunks over 2 spawned workers
    check_results(results, records)


def test_decide_many_accepts_a_generator_and_is_lazy():
    records = (DOCS[i % len(DOCS)] for i in range(5))
    results = decide_many(records, engine="reference", workers=1)
    assert next(results) == decide(facts_from_dict(DOCS[0]), engine="reference")
    assert len(list(results)) == 4


def test_decide_many_reports_unusable_arguments_before_any_work():
    with pytest.raises(RulesetNotFoundError):
        decide_many([{}], ruleset="uk-2007")
    with pytest.raises(InfoshareError, match="engine: expected one of .*did you mean 'durable'"):
        decide_many([{}], engine="durabel")
    with pytest.raises(InfoshareError, match="workers"):
        decide_many([{}], workers=0)


def test_conflicting_rules_are_a_record_error_not_a_crash():
    mini = Path(__file__).parent / "fixtures" / "rulesets" / "engine-mini"  # risk-high / risk-low conflict
    conflict = {"harm": {"serious_crime": "yes"}, "information": {"from_records": "yes"}}
    with pytest.raises(InfoshareError) as raised:
        decide(facts_from_dict(conflict), ruleset=mini, engine="reference")
    ok, bad = decide_many([{}, conflict], ruleset=mini, engine="reference", workers=1)
    assert ok == decide(CaseFacts(), ruleset=mini, engine="reference")
    assert bad == RecordError(1, "$", f"could not decide: {raised.value}")


# ---------------------------------------------------------------- the command


def infoshare(*args: str, stdin: bytes | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "infoshare_rules", *args], input=stdin, capture_output=True, timeout=300, **kwargs)


def write_jsonl(path: Path, records: list) -> Path:
    lines = [json.dumps(r) if not isinstance(r, CaseFacts) else "" for r in records]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_batch_jsonl_writes_one_line_per_record_in_order_and_exits_1_on_record_errors(tmp_path):
    records = [r for r in mixed_records() if not isinstance(r, CaseFacts)] + ["{not json"]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    run = infoshare("batch", "--engine", "reference", "--workers", "2", "--chunksize", "2", str(source), str(tmp_path / "out.jsonl"))
    assert run.returncode == 1, run.stderr
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [line["index"] for line in lines] == list(range(len(records)))
    for line, record in zip(lines, records):
        if "decision" in line:
            assert line["decision"] == decision_to_dict(decide(facts_from_dict(record), engine="reference"))
        else:
            assert set(line["error"]) == {"path", "problem"}
    assert lines[-1]["error"]["problem"].startswith("not valid JSON")
    assert SECRET.encode() not in (tmp_path / "out.jsonl").read_bytes()
    assert run.stderr.decode().startswith(f"{len(records)} records: {len(records) - 5} decided, 5 errors, in ")
    assert b"\x1b[" not in run.stderr  # piped: no progress bar, no terminal escapes


def test_batch_from_stdin_to_stdout_exits_0_and_quiet_prints_nothing_else():
    stdin = "".join(json.dumps(d) + "\n" for d in DOCS[:4]).encode()
    run = infoshare("batch", "--engine", "reference", "-q", "-", "-", stdin=stdin)
    assert run.returncode == 0 and run.stderr == b""
    lines = [json.loads(line) for line in run.stdout.decode().splitlines()]
    assert [line["decision"]["verdict"] for line in lines] == [decide(facts_from_dict(d), engine="reference").verdict.value for d in DOCS[:4]]


def test_batch_csv_in_and_out(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("legal.court_order,child.age,consent.parent\nyes,,\n,12,given\n,twelve,\nno,,x,extra\n")
    run = infoshare("batch", "--engine", "reference", str(source), str(tmp_path / "out.csv"))
    assert run.returncode == 1, run.stderr
    with (tmp_path / "out.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["index"] for r in rows] == ["0", "1", "2", "3"]
    assert rows[0]["verdict"] == decide(CaseFacts(legal=Legal(court_order="yes")), engine="reference").verdict.value == "must_share"
    assert rows[1]["verdict"] == decide(facts_from_dict({"child": {"age": 12}, "consent": {"parent": "given"}}), engine="reference").verdict.value
    assert rows[2]["error_path"] == "$.child.age" and rows[2]["verdict"] == ""
    assert rows[3]["error_problem"] == "more cells than the header has columns"


def test_batch_parquet_round_trip(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"legal.court_order": ["yes", None], "child.age": [None, 15]}), tmp_path / "in.parquet")
    run = infoshare("batch", "--engine", "reference", str(tmp_path / "in.parquet"), str(tmp_path / "out.parquet"))
    assert run.returncode == 0, run.stderr
    table = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [row["verdict"] for row in table] == [
        decide(facts_from_dict(d), engine="reference").verdict.value for d in ({"legal": {"court_order": "yes"}}, {"child": {"age": 15}})
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["batch", "missing.jsonl", "out.jsonl"], "missing.jsonl: cannot read"),
        (["batch", "in.txt", "out.jsonl"], "cannot tell the format"),
        (["batch", "bad-column.csv", "out.jsonl"], "unknown column 'consent.givenby'"),
        (["batch", "--ruleset", "uk-2007", "ok.jsonl", "out.jsonl"], "uk-2007"),
        (["batch", "--engine", "fast", "ok.jsonl", "out.jsonl"], "fast"),
    ],
)
def test_unusable_input_exits_2_with_one_line_and_writes_nothing(tmp_path, args, message):
    (tmp_path / "in.txt").write_text("{}\n")
    (tmp_path / "ok.jsonl").write_text("{}\n")
    (tmp_path / "bad-column.csv").write_text("consent.givenby\nparent\n")
    run = infoshare(*args, cwd=tmp_path)
    stderr = run.stderr.decode()
    assert run.returncode == 2
    assert len(stderr.strip().splitlines()) == 1 and message in stderr and "Traceback" not in stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_progress_bar_is_drawn_when_stderr_is_a_terminal(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [DOCS[i % len(DOCS)] for i in range(300)])
    main, secondary = pty.openpty()
    try:
        run = subprocess.run(
            [sys.executable, "-m", "infoshare_rules", "batch", "--engine", "reference", "--workers", "1", str(source), str(tmp_path / "out.jsonl")],
            stderr=secondary, stdout=subprocess.PIPE, timeout=300,
        )
        os.close(secondary)
        seen = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(main)
    assert run.returncode == 0
    assert b"deciding" in seen and b"\x1b[" in seen  # rich drew (and then cleared) a bar
    assert b"300 records: 300 decided, 0 errors" in seen


def worker_pid(index: int, result: object) -> int:
    return os.getpid()


def test_worker_processes_do_the_deciding():
    from infoshare_rules.batch.pool import map_records

    pids = set(map_records(DOCS[:12], engine="reference", workers=2, chunksize=3, encode=worker_pid))
    assert pids and os.getpid() not in pids
    assert set(map_records(DOCS[:12], engine="reference", workers=1, chunksize=3, encode=worker_pid)) == {os.getpid()}


def test_durable_engine_runs_in_spawned_workers():
    from infoshare_rules.engines.registry import durable_available

    if not durable_available():
        pytest.skip("durable-rules does not import on this Python")
    docs = DOCS[:12]
    results = list(decide_many(docs, engine="durable", workers=2, chunksize=4))
    assert results == [decide(facts_from_dict(d), engine="durable") for d in docs]
    assert {r.engine for r in results} == {"durable"}


@settings(max_examples=30)
@given(st.lists(case_facts(), min_size=1, max_size=6))
def test_decide_many_in_process_equals_decide_on_any_facts(facts):
    expected = [decided(f, engine="reference") for f in facts]  # drawn facts that contradict themselves are skipped
    assert list(decide_many(facts, engine="reference", workers=1)) == expected


@settings(max_examples=50)
@given(st.text(alphabet=string.ascii_uppercase + string.digits + " @.", min_size=6), st.sampled_from(["consent", "legal", "harm", "purpose"]))
def test_record_errors_never_hold_the_submitted_value(value, group):
    field = {"consent": "parent", "legal": "court_order", "harm": "child", "purpose": "legitimate"}[group]
    (error,) = decide_many([{group: {field: value}}], engine="reference", workers=1)
    assert isinstance(error, RecordError) and error.path == f"$.{group}.{field}"
    assert value not in str(error)


def test_a_record_with_a_key_given_twice_is_refused_not_decided_on_the_last():
    from infoshare_rules import decide_many

    line = '{"legal": {"statutory_duty": "no", "statutory_duty": "yes"}}'
    (result,) = list(decide_many([line], engine="compiled", workers=1))
    assert "duplicate key" in result.problem


def test_prepare_builds_the_question_index_in_each_worker_first(monkeypatch):
    """``prepare=True`` (``infoshare batch --prepare``) has each worker build the ruleset's question index when it
    starts, and the decisions are the same (the index itself is checked against the per-case path in
    test_question_index); without it, no worker builds one."""
    from infoshare_rules.batch import worker

    built: list[str] = []
    monkeypatch.setattr(worker, "prepare", lambda rules: built.append(rules.id) or True)
    monkeypatch.setattr(worker, "_ready", {})
    plain = list(decide_many(DOCS[:3], workers=1))
    assert built == []
    prepared = list(decide_many(DOCS[:3], workers=1, prepare=True))
    assert built == ["uk-2006-practitioners-guide"] and prepared == plain
