"""The OpenAPI document, built from the library's own JSON Schemas (one source for both).

FastAPI lists the paths and parameters; every request and response body schema is replaced by a
reference to ``components/schemas``, which holds the library's schemas with their ``$defs``.
"""

from __future__ import annotations

import copy
from typing import Any

from .views import Health, ParagraphView, RuleView, RulesetInfo
from ..contracts.decision_json import decision_json_schema, schema_builder
from ..contracts.errors_json import error_json_schema
from ..facts.json import facts_json_schema
from ..records.json import record_json_schema
from ..records.make import MAX_ID_LENGTH, RECORD_ID_PATTERN

NDJSON = "application/x-ndjson"


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (value.replace("#/$defs/", "#/components/schemas/") if key == "$ref" and isinstance(value, str) else _rewrite_refs(value))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def _add(components: dict[str, Any], name: str, schema: dict[str, Any]) -> None:
    schema = {key: value for key, value in schema.items() if key not in ("$schema", "$id", "$defs")}
    if name in components and components[name] != schema:
        raise ValueError(f"two different schemas named {name}")  # a defect in the contracts
    components[name] = schema


def _root(components: dict[str, Any], name: str, document: dict[str, Any]) -> None:
    document = copy.deepcopy(document)
    for def_name, definition in document.get("$defs", {}).items():
        _add(components, def_name, definition)
    _add(components, name, document)


def component_schemas() -> dict[str, Any]:
    """Every named schema the service uses, from the library's schema functions."""
    components: dict[str, Any] = {}
    _root(components, "CaseFacts", facts_json_schema())
    _root(components, "Decision", decision_json_schema())
    _root(components, "DecisionRecord", record_json_schema())
    _root(components, "ErrorDocument", error_json_schema())
    builder = schema_builder()
    for cls in (RulesetInfo, RuleView, ParagraphView, Health):
        builder.define(cls)
    builder.defs["RuleView"]["properties"]["then"] = {"$ref": "#/$defs/Conclusion", "description": "What the rule concludes."}
    for name, definition in builder.defs.items():
        if name in ("RulesetInfo", "RuleView", "ParagraphView", "Health", "ConditionView"):
            _add(components, name, definition)
    def ref(name: str) -> dict[str, Any]:
        return {"$ref": f"#/$defs/{name}"}

    _add(components, "RecordRequest", {
        "title": "RecordRequest",
        "description": "Decide a case and return its decision record (guide 4.30).",
        "type": "object",
        "required": ["facts", "record_id", "recorded_at"],
        "additionalProperties": False,
        "properties": {
            "facts": ref("CaseFacts"),
            "record_id": {"type": "string", "pattern": RECORD_ID_PATTERN, "maxLength": MAX_ID_LENGTH, "description": "Your id for this record."},
            "recorded_at": {"type": "string", "format": "date-time", "description": "When: RFC 3339 with a UTC offset, e.g. 2024-05-01T14:30:00Z."},
            "include_facts": {"type": "boolean", "default": False, "description": "Keep the facts in the record (else only their sha256)."},
        },
    })
    _add(components, "VerifyRequest", {
        "title": "VerifyRequest",
        "description": "A decision record to re-derive, and its facts when the record does not hold them.",
        "type": "object",
        "required": ["record"],
        "additionalProperties": False,
        "properties": {"record": ref("DecisionRecord"), "facts": {"anyOf": [ref("CaseFacts"), {"type": "null"}]}},
    })
    _add(components, "Verification", {
        "title": "Verification",
        "description": "What re-deriving a record found; null where it cannot be told without the facts.",
        "type": "object",
        "required": ["record_id", "ruleset_changed", "verdict_recorded", "verdict_now", "verdict_differs", "same_decision"],
        "additionalProperties": True,
        "properties": {
            "record_id": {"type": "string"},
            "ruleset_recorded": ref("RulesetRef"),
            "ruleset_now": ref("RulesetRef"),
            "ruleset_changed": {"type": "boolean"},
            "facts_available": {"type": "boolean"},
            "verdict_recorded": ref("Verdict"),
            "verdict_now": {"anyOf": [ref("Verdict"), {"type": "null"}]},
            "verdict_differs": {"type": ["boolean", "null"]},
            "obligations_differ": {"type": ["boolean", "null"]},
            "reasons_differ": {"type": ["boolean", "null"]},
            "same_decision": {"type": ["boolean", "null"]},
        },
    })
    _add(components, "BatchItem", {
        "title": "BatchItem",
        "description": "One case of a batch: its decision, or why it could not be decided.",
        "type": "object",
        "required": ["index"],
        "additionalProperties": True,
        "properties": {
            "index": {"type": "integer", "minimum": 0, "description": "Position of the case in the request (0-based)."},
            "decision": ref("Decision"),
            "errors": {"type": "array", "items": ref("Problem")},
        },
    })
    _add(components, "BatchResult", {
        "title": "BatchResult",
        "type": "object",
        "required": ["schema_version", "results"],
        "additionalProperties": True,
        "properties": {"schema_version": {"type": "string"}, "results": {"type": "array", "items": ref("BatchItem")}},
    })
    _add(components, "Explanation", {
        "title": "Explanation",
        "description": "The decision told in the guide's order, and what would change it.",
        "type": "object",
        "additionalProperties": True,
    })
    rewritten: dict[str, Any] = _rewrite_refs(components)
    return rewritten


def _json(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


ERROR = {"description": "Refused: the errors say where and what was expected (never the values sent).", "content": _json("ErrorDocument")}
# Every error response of the service has this one shape, whatever its status: each operation says so.
ANY_ERROR = {"description": "Any other error (a parameter, the method, an internal error): the same error document.", "content": _json("ErrorDocument")}
BAD_BODY = {"400": ERROR, "413": ERROR, "422": ERROR}

# (path, method) -> requestBody and responses, all by reference to the library's schemas.
CONTRACT: dict[tuple[str, str], dict[str, Any]] = {
    ("/decide", "post"): {
        "requestBody": {"required": True, "content": _json("CaseFacts")},
        "responses": {"200": {"description": "The decision.", "content": _json("Decision")}, **BAD_BODY},
    },
    ("/decide/batch", "post"): {
        "requestBody": {
            "required": True,
            "description": "A JSON array of facts documents, or JSON Lines (one facts document a line) as application/x-ndjson.",
            "content": {
                "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/CaseFacts"}}},
                NDJSON: {"schema": {"$ref": "#/components/schemas/CaseFacts"}},
            },
        },
        "responses": {
            "200": {
                "description": "One result per case, in order: JSON for a JSON array, JSON Lines (one BatchItem a line) for JSON Lines.",
                "content": {**_json("BatchResult"), NDJSON: {"schema": {"$ref": "#/components/schemas/BatchItem"}}},
            },
            **BAD_BODY,
        },
    },
    ("/record", "post"): {
        "requestBody": {"required": True, "content": _json("RecordRequest")},
        "responses": {"200": {"description": "The decision record.", "content": _json("DecisionRecord")}, **BAD_BODY},
    },
    ("/verify", "post"): {
        "requestBody": {"required": True, "content": _json("VerifyRequest")},
        "responses": {"200": {"description": "What re-deriving the record found.", "content": _json("Verification")}, **BAD_BODY, "404": ERROR},
    },
    ("/explain", "post"): {
        "requestBody": {"required": True, "content": _json("CaseFacts")},
        "responses": {
            "200": {
                "description": "The explanation: JSON, or Markdown, HTML or text with ?format=.",
                "content": {**_json("Explanation"), "text/markdown": {"schema": {"type": "string"}}, "text/html": {"schema": {"type": "string"}}, "text/plain": {"schema": {"type": "string"}}},
            },
            **BAD_BODY,
        },
    },
    ("/rulesets", "get"): {
        "responses": {"200": {"description": "The compiled rulesets.", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/RulesetInfo"}}}}}},
    },
    ("/rulesets/{ruleset_id}/rules/{rule_id}", "get"): {
        "responses": {"200": {"description": "The rule.", "content": _json("RuleView")}, "404": ERROR, "422": ERROR},
    },
    ("/paragraphs/{paragraph_id}", "get"): {
        "responses": {"200": {"description": "The paragraph and the rules citing it.", "content": _json("ParagraphView")}, "404": ERROR, "422": ERROR},
    },
    ("/schema/facts", "get"): {
        "responses": {"200": {"description": "JSON Schema (draft 2020-12) of the facts document.", "content": {"application/json": {"schema": {"type": "object"}}}}},
    },
    ("/health", "get"): {"responses": {"200": {"description": "Up.", "content": _json("Health")}}},
}


def apply_contract(document: dict[str, Any], ruleset_ids: list[str]) -> dict[str, Any]:
    """FastAPI's generated document with the library's schemas put in for every body.

    Ruleset parameters are limited to the rulesets this service compiled.
    """
    for (path, method), contract in CONTRACT.items():
        operation = document["paths"].get(path, {}).get(method)
        if operation is None:  # a route this app does not serve
            continue
        operation.update(copy.deepcopy(contract))
        operation["responses"].setdefault("default", copy.deepcopy(ANY_ERROR))
        for parameter in operation.get("parameters", []):
            parameter.setdefault("schema", {}).pop("title", None)
            if parameter["name"] in ("ruleset", "ruleset_id"):
                parameter["schema"] = {"type": "string", "enum": ruleset_ids, "description": parameter.get("description", "A ruleset id.")}
    document["components"] = {"schemas": component_schemas()}
    return document
