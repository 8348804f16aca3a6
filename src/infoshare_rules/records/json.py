"""Decision records as versioned JSON, their JSON Schema, and records read back."""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

import attrs
import jsonschema
from cattrs.errors import ClassValidationError

from .make import MAX_ID_LENGTH, RECORD_ID_PATTERN
from .model import DecisionRecord
from .verify import Verification
from ..contracts.decision_json import converter as decision_converter
from ..contracts.decision_json import first_problem, read_document, schema_builder
from ..errors import DocumentError, FactsError
from ..facts.json import SCHEMA_BASE, facts_from_dict, facts_json_schema, facts_to_dict
from ..facts.model import CaseFacts

RECORD_SCHEMA_VERSION = "1.0"
_FIELD_NAMES = frozenset(field.name for field in attrs.fields(DecisionRecord))

converter = decision_converter.copy()
converter.register_unstructure_hook(CaseFacts, facts_to_dict)
converter.register_structure_hook(CaseFacts, lambda data, _: facts_from_dict(data))

FIELD_DOCS = {
    "DecisionRecord.record_id": "The caller's id for this record.",
    "DecisionRecord.recorded_at": "When the decision was made, as the caller supplied it (RFC 3339 with a UTC offset).",
    "DecisionRecord.library_version": "Version of infoshare-rules that decided.",
    "DecisionRecord.engine": "The rules engine that ran.",
    "DecisionRecord.facts_sha256": "sha256 of the canonical facts JSON: stated facts only (unknown ones left out), keys sorted, no whitespace, UTF-8.",
    "DecisionRecord.facts": "The facts themselves, only when the caller asked for them to be kept; otherwise null.",
    "DecisionRecord.verdict": "The verdict reached.",
    "DecisionRecord.obligations": "What the guide said to do alongside the verdict.",
    "DecisionRecord.presumed": "Defaults the guide states that were applied while a fact was unknown.",
    "DecisionRecord.reasons": "The reasons: every rule that fired, in order, with the paragraphs it cites.",
}


def record_to_dict(record: DecisionRecord) -> dict[str, Any]:
    data: dict[str, Any] = {"schema_version": RECORD_SCHEMA_VERSION}
    data.update(converter.unstructure(record))
    return data


def record_to_json(record: DecisionRecord, indent: int | None = 2) -> str:
    return json.dumps(record_to_dict(record), indent=indent, ensure_ascii=False)


def _facts_ref(tp: Any) -> dict[str, Any] | None:
    return {"$ref": "#/$defs/CaseFacts"} if tp is CaseFacts else None


@functools.cache
def record_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a decision record; the facts' definitions are included."""
    builder = schema_builder(FIELD_DOCS, _facts_ref)
    builder.define(DecisionRecord)
    root = builder.defs.pop("DecisionRecord")
    root["properties"] = {
        "schema_version": {"type": "string", "description": "Version of this format; minor versions only add fields.", "examples": [RECORD_SCHEMA_VERSION]},
        **root["properties"],
    }
    root["required"] = ["schema_version", *root["required"]]
    root["properties"]["recorded_at"]["format"] = "date-time"
    root["properties"]["record_id"].update(pattern=RECORD_ID_PATTERN, maxLength=MAX_ID_LENGTH)
    facts = copy.deepcopy(facts_json_schema())
    defs = {**builder.defs, **facts.pop("$defs")}
    defs["CaseFacts"] = {key: value for key, value in facts.items() if not key.startswith("$")}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_BASE + "record.json", **root, "$defs": dict(sorted(defs.items()))}


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(record_json_schema())


def record_from_dict(data: Any) -> DecisionRecord:
    problem = first_problem(_validator(), data)
    if problem is not None:
        raise problem
    fields = {key: value for key, value in data.items() if key in _FIELD_NAMES}
    try:
        return converter.structure(fields, DecisionRecord)
    except ClassValidationError as exc:  # facts the schema lets through but the fact model refuses
        found = _facts_error(exc)
        if found is None:
            raise
        raise found.at("$.facts") from None


def _facts_error(exc: BaseException) -> FactsError | None:
    if isinstance(exc, FactsError):
        return exc
    for sub in getattr(exc, "exceptions", ()):
        found = _facts_error(sub)
        if found is not None:
            return found
    return None


def record_from_json(text: str | bytes) -> DecisionRecord:
    return record_from_dict(read_document(text))


def verification_to_dict(result: Verification) -> dict[str, Any]:
    return {"schema_version": RECORD_SCHEMA_VERSION, **converter.unstructure(result), "same_decision": result.same_decision}


def verification_to_json(result: Verification, indent: int | None = 2) -> str:
    return json.dumps(verification_to_dict(result), indent=indent)
