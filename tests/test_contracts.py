"""The JSON contract: versioned schemas with shared $defs, additive decisions, decisions read back."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import jsonschema
import pytest
from hypothesis import assume, given, settings

from infoshare_rules import (
    CaseFacts,
    Decision,
    DocumentError,
    decide,
    decision_from_dict,
    decision_from_json,
    decision_json_schema,
    decision_to_dict,
    decision_to_json,
    facts_from_json,
)
from infoshare_rules.contracts.errors_json import error_json_schema, error_to_dict
from infoshare_rules.errors import FactsError
from infoshare_rules.facts.json import facts_from_dict

from strategies import case_facts

FACT_FILES = sorted((Path(__file__).resolve().parents[1] / "examples" / "facts").glob("*.json"))


def _decisions():
    return [decide(facts_from_json(path.read_text()), engine="reference") for path in FACT_FILES]


def test_decision_schema_is_valid_versioned_and_additive():
    schema = decision_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "/v1/" in schema["$id"]
    assert schema["properties"]["schema_version"]["type"] == "string"
    assert schema["additionalProperties"] is True
    for name, definition in schema["$defs"].items():
        assert definition["title"] == name
        if definition.get("type") == "object":
            assert definition["additionalProperties"] is True, name


def test_every_example_decision_conforms_and_reads_back_equal():
    validator = jsonschema.Draft202012Validator(decision_json_schema())
    for path, decision in zip(FACT_FILES, _decisions(), strict=True):
        data = json.loads(decision_to_json(decision))
        errors = list(validator.iter_errors(data))
        assert not errors, f"{path.name}: {errors[0].message}"
        assert data["schema_version"] == "1.0"
        assert decision_from_json(decision_to_json(decision)) == decision


@settings(max_examples=60, deadline=None)
@given(case_facts())
def test_any_decision_round_trips(facts: CaseFacts):
    try:
        decision = decide(facts, engine="reference")
    except FactsError:  # random facts may contradict one another (core v2 refuses them)
        assume(False)
    assert decision_from_dict(json.loads(json.dumps(decision_to_dict(decision)))) == decision


def test_trace_steps_carry_structured_conclusions():
    data = decision_to_dict(decide(facts_from_json((FACT_FILES[0].parent / "no-legitimate-purpose-gossip.json").read_text()), engine="reference"))
    kinds = {step["concluded"]["kind"] for step in data["trace"]}
    assert kinds <= {"conclude", "verdict", "obligation", "question"}
    verdicts = [s["concluded"] for s in data["trace"] if s["concluded"]["kind"] == "verdict"]
    assert verdicts and verdicts[0]["name"] == data["verdict"] == "do_not_share"


def test_fields_added_by_a_newer_minor_version_are_ignored_on_reading():
    decision = _decisions()[0]
    data = decision_to_dict(decision)
    data["added_later"] = {"anything": [1, 2]}
    data["trace"][0]["also_new"] = "x"
    data["schema_version"] = "1.7"
    assert decision_from_dict(data) == decision


def test_reading_a_bad_decision_names_the_path_and_never_the_value():
    data = decision_to_dict(_decisions()[0])
    data["verdict"] = "secret-value-xyz"
    with pytest.raises(DocumentError) as err:
        decision_from_dict(data)
    assert err.value.path == "$.verdict"
    assert "share" in (err.value.expected or "")
    assert "secret-value-xyz" not in str(err.value)
    del data["trace"]
    with pytest.raises(DocumentError, match="missing field"):
        decision_from_dict({k: v for k, v in data.items() if k != "trace"})
    with pytest.raises(DocumentError, match="not valid JSON"):
        decision_from_json("{")
    with pytest.raises(DocumentError, match="duplicate key"):  # never read back as the last of the two
        decision_from_json('{"verdict": "share", "verdict": "do_not_share"}')


def test_new_model_fields_appear_in_json_and_schema_without_changes(monkeypatch):
    """Introspection: the contract follows the attrs model (as core v2 adds fields)."""
    names = {f.name for f in attrs.fields(Decision)}
    data = decision_to_dict(_decisions()[0])
    assert names <= set(data)
    assert names <= set(decision_json_schema()["properties"])


def test_error_document_matches_its_schema_and_omits_the_value():
    with pytest.raises(FactsError) as err:
        facts_from_dict({"consent": {"given_by": "parnet-secret"}, "purpose": {"legitimat": "yes"}})
    document = error_to_dict(err.value)
    schema = error_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(document, schema)
    assert {e["path"] for e in document["errors"]} == {"$.consent.given_by", "$.purpose.legitimat"}
    assert "parnet-secret" not in json.dumps(document)
    assert any(e["suggestion"] == "legitimate" for e in document["errors"])
