"""Decision records (4.30): made, read back, verified against today's ruleset, through the CLI too."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from infoshare_rules import DocumentError, decide, facts_from_json
from infoshare_rules.facts.json import facts_from_dict
from infoshare_rules.records.json import record_from_dict, record_from_json, record_json_schema, record_to_dict, record_to_json
from infoshare_rules.records.make import canonical_facts_json, facts_sha256, make_record
from infoshare_rules.records.verify import verify_record

FACTS = Path(__file__).resolve().parents[1] / "examples" / "facts"
WITHDRAWN = FACTS / "consent-withdrawn.json"
AT = "2024-05-01T14:30:00Z"


def infoshare(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "infoshare_rules", *args], capture_output=True, text=True, timeout=120)


def _facts(path: Path = WITHDRAWN):
    return facts_from_json(path.read_text())


def test_a_record_holds_the_decision_its_reasons_and_what_it_rested_on():
    facts = _facts()
    record = make_record(facts, record_id="case-1", recorded_at=AT, engine="reference")
    decision = decide(facts, engine="reference")
    assert (record.verdict, record.obligations, record.reasons) == (decision.verdict, decision.obligations, decision.trace)
    assert record.ruleset == decision.ruleset and record.ruleset.hash.startswith("sha256:")
    assert record.facts is None and record.facts_sha256 == facts_sha256(facts)
    assert record.recorded_at == AT and record.library_version
    data = record_to_dict(record)
    jsonschema.validate(data, record_json_schema())
    assert data["facts"] is None  # the facts document is kept only when asked for (reasons still name the values rules used)
    assert record_from_json(record_to_json(record)) == record


def test_facts_are_kept_only_when_asked_and_read_back():
    record = make_record(_facts(), record_id="case-1", recorded_at=AT, include_facts=True, engine="reference")
    assert record.facts == _facts()
    data = record_to_dict(record)
    jsonschema.validate(data, record_json_schema())
    assert record_from_dict(json.loads(json.dumps(data))) == record


def test_facts_hash_ignores_unknowns_and_key_order():
    assert facts_sha256(facts_from_dict({})) == facts_sha256(facts_from_dict({"purpose": {"legitimate": "unknown"}}))
    assert canonical_facts_json(facts_from_dict({"purpose": {"legitimate": "yes"}})) == '{"purpose":{"legitimate":"yes"}}'
    assert facts_sha256(facts_from_dict({"purpose": {"legitimate": "yes"}})) != facts_sha256(facts_from_dict({}))


@pytest.mark.parametrize("at", ["2023-02-03", "yesterday", "2023-02-03T09:15:00", "2023-13-01T00:00:00Z"])
def test_timestamps_need_date_time_and_offset(at):
    with pytest.raises(DocumentError) as err:
        make_record(_facts(), record_id="case-1", recorded_at=at)
    assert err.value.path == "recorded_at" and at not in str(err.value)


@pytest.mark.parametrize("record_id", ["", " padded", "x" * 201, "tab\there"])
def test_record_ids_are_checked(record_id):
    with pytest.raises(DocumentError, match="record id"):
        make_record(_facts(), record_id=record_id, recorded_at=AT)


def test_verify_same_rules_same_facts_is_the_same_decision():
    record = make_record(_facts(), record_id="r", recorded_at=AT, include_facts=True, engine="reference")
    result = verify_record(record)
    assert not result.ruleset_changed and result.verdict_differs is False and result.same_decision is True


def test_verify_reports_a_changed_ruleset_and_a_verdict_that_would_differ():
    """A record made under an older ruleset (other hash) that reached another verdict."""
    data = record_to_dict(make_record(_facts(), record_id="r", recorded_at=AT, engine="reference"))
    data["ruleset"]["hash"] = "sha256:" + "0" * 64
    data["verdict"] = "share"
    old = record_from_dict(data)
    without_facts = verify_record(old)
    assert without_facts.ruleset_changed and without_facts.verdict_now is None and without_facts.same_decision is None
    with_facts = verify_record(old, _facts())
    assert with_facts.verdict_differs is True and with_facts.verdict_now.value == "do_not_share"
    assert with_facts.same_decision is False


def test_verify_refuses_facts_that_are_not_the_recorded_ones():
    record = make_record(_facts(), record_id="r", recorded_at=AT, engine="reference")
    with pytest.raises(DocumentError, match="do not match"):
        verify_record(record, _facts(FACTS / "coerced-consent.json"))


def test_cli_record_then_verify(tmp_path):
    run = infoshare("record", str(WITHDRAWN), "--id", "case-7", "--at", AT)
    assert run.returncode == 0, run.stderr
    record_file = tmp_path / "record.json"
    record_file.write_text(run.stdout)
    assert json.loads(run.stdout)["facts"] is None
    ok = infoshare("verify", str(record_file), "--facts", str(WITHDRAWN))
    assert ok.returncode == 0, ok.stderr
    assert "unchanged" in ok.stdout and "would be the same now: do_not_share" in ok.stdout
    data = json.loads(run.stdout)
    data["ruleset"]["hash"] = "sha256:" + "1" * 64
    data["verdict"] = "share"
    record_file.write_text(json.dumps(data))
    differs = infoshare("verify", str(record_file), "--facts", str(WITHDRAWN), "--format", "json")
    assert differs.returncode == 1
    result = json.loads(differs.stdout)
    assert result["ruleset_changed"] is True and result["verdict_differs"] is True and result["verdict_now"] == "do_not_share"
    cannot_tell = infoshare("verify", str(record_file))
    assert cannot_tell.returncode == 3 and "CANNOT TELL" in cannot_tell.stdout
    wrong = infoshare("verify", str(record_file), "--facts", str(FACTS / "coerced-consent.json"))
    assert wrong.returncode == 2 and "do not match" in wrong.stderr


def test_cli_record_bad_timestamp_is_one_line_exit_2():
    run = infoshare("record", str(WITHDRAWN), "--id", "x", "--at", "not-a-time")
    assert run.returncode == 2 and "recorded_at" in run.stderr and "Traceback" not in run.stderr


def test_schema_command_prints_record_and_error_schemas():
    for flag in ("--record", "--error", "--decision"):
        schema = json.loads(infoshare("schema", flag).stdout)
        jsonschema.Draft202012Validator.check_schema(schema)
