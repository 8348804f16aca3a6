"""`infoshare replay` on a small LocalCluster: the results equal the sequential run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from infoshare_rules import RecordError, decide_many, load_ruleset
from infoshare_rules.replay.partition import encode_compact

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT / "rulesets" / "uk-2006-practitioners-guide"
DOCS = [json.loads(p.read_text()) for p in sorted((ROOT / "examples" / "facts").glob("*.json"))]
SECRET = "Jane-Doe-secret"


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> tuple[Path, list]:
    """The example facts twice, with a few unusable lines among them."""
    records: list = DOCS + [{"information": {"provided_by": SECRET}}, "not json"] + DOCS[:10] + [""]
    path = tmp_path_factory.mktemp("cases") / "cases.jsonl"
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path, records


@pytest.fixture(scope="module")
def stricter(tmp_path_factory) -> Path:
    """The national ruleset with one verdict changed: no legitimate purpose -> seek advice."""
    target = tmp_path_factory.mktemp("rulesets") / "stricter"
    shutil.copytree(NATIONAL, target)
    rules = target / "rules" / "01-legitimate-purpose.yaml"
    text = rules.read_text()
    old = "  when: {legitimate_purpose: no, required_by_law: no}\n  then: {verdict: do_not_share}"
    assert old in text
    rules.write_text(text.replace(old, old.replace("do_not_share", "seek_advice")))
    meta = target / "ruleset.yaml"
    meta.write_text(meta.read_text().replace("id: uk-2006-practitioners-guide", "id: stricter"))
    return target


def sequential(records: list, ruleset) -> list:
    lines = [record.encode() if isinstance(record, str) else record for record in records]
    return list(decide_many(lines, ruleset=ruleset, engine="reference", workers=1))


def read_decisions(out: Path) -> list[dict]:
    return [json.loads(line) for part in sorted((out / "decisions").glob("part-*.jsonl")) for line in part.read_text().splitlines()]


def test_replay_command_on_a_local_cluster_equals_the_sequential_run(tmp_path, cases, stricter):
    path, records = cases
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-m", "infoshare_rules", "replay", str(path), "--against", str(stricter), "--out", str(out),
         "--engine", "reference", "--blocksize", "4096"],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 1, run.stderr  # three unusable lines
    assert "Traceback" not in run.stderr

    national = sequential(records, "uk-2006-practitioners-guide")
    other = sequential(records, load_ruleset(stricter))
    got = read_decisions(out)
    assert len(list((out / "decisions").glob("part-*.jsonl"))) > 1  # really split into partitions
    assert got == [json.loads(encode_compact(i, r)[1]) for i, r in enumerate(national)]
    assert not any(SECRET in p.read_text() for p in out.rglob("*") if p.is_file())  # errors never hold the submitted value

    summary = json.loads((out / "summary.json").read_text())
    verdicts = Counter(r.verdict.value for r in national if not isinstance(r, RecordError))
    assert summary["cases"] == len(records) and summary["errors"] == 3
    assert summary["verdicts"] == dict(verdicts)
    assert summary["verdicts_against"] == dict(Counter(r.verdict.value for r in other if not isinstance(r, RecordError)))
    assert summary["ruleset"]["id"] == "uk-2006-practitioners-guide" and summary["against"]["id"] == "stricter"

    changes = [json.loads(line) for line in (out / "changes.jsonl").read_text().splitlines()]
    want = [
        {"index": i, "verdict": a.verdict.value, "verdict_against": b.verdict.value}
        for i, (a, b) in enumerate(zip(national, other))
        if not isinstance(a, RecordError) and a.verdict != b.verdict
    ]
    assert changes == want and changes  # the fixture does change some verdicts
    assert all(c["verdict"] == "do_not_share" and c["verdict_against"] == "seek_advice" for c in changes)
    assert summary["changed"] == len(changes)
    assert f"{len(changes)} verdicts change" in run.stdout


def test_replay_parquet_on_a_given_client_writes_full_decisions(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    from infoshare_rules import decide, decision_to_dict, facts_from_dict
    from infoshare_rules.replay.run import replay

    rows = [{"legal.court_order": "yes", "child.age": None}, {"legal.court_order": None, "child.age": 15}, {"legal.court_order": None, "child.age": 4}]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "cases.parquet", row_group_size=2)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            summary = replay(tmp_path / "cases.parquet", out=tmp_path / "out", engine="reference", client=client, decisions="full")
    docs = [{"legal": {"court_order": "yes"}}, {"child": {"age": 15}}, {"child": {"age": 4}}]
    want = [decision_to_dict(decide(facts_from_dict(d), engine="reference")) for d in docs]
    assert [line["decision"] for line in read_decisions(tmp_path / "out")] == want
    assert summary.cases == 3 and summary.errors == 0 and summary.partitions == 2
    assert not (tmp_path / "out" / "changes.jsonl").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["replay", "missing.jsonl", "--out", "out"], "missing.jsonl: cannot read"),
        (["replay", "cases.txt", "--out", "out"], "expected a JSON Lines"),
        (["replay", "cases.jsonl", "--against", "uk-2007", "--out", "out"], "uk-2007"),
    ],
)
def test_unusable_replay_input_exits_2_without_starting_a_cluster(tmp_path, args, message):
    (tmp_path / "cases.txt").write_text("{}\n")
    (tmp_path / "cases.jsonl").write_text("{}\n")
    run = subprocess.run([sys.executable, "-m", "infoshare_rules", *args], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert run.returncode == 2
    assert len(run.stderr.strip().splitlines()) == 1 and message in run.stderr
    assert not (tmp_path / "out").exists()
