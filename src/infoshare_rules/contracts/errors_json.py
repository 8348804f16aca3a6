"""The library's errors as JSON: the one error shape the CLI, the service and the schemas share."""

from __future__ import annotations

from typing import Any

from ..errors import DocumentError, FactsError, InfoshareError, RulesetError

ERROR_SCHEMA_VERSION = "1.0"


def _expected(expected: Any) -> str | None:
    if expected is None or isinstance(expected, str):
        return expected
    return "one of " + ", ".join(str(e) for e in expected)


def error_items(exc: InfoshareError) -> list[dict[str, Any]]:
    """One item per problem: where, what, what was expected, a suggestion. Never the value given."""
    if isinstance(exc, (FactsError, DocumentError)):
        problems = getattr(exc, "errors", None) or [exc]
        return [
            {"path": e.path, "problem": e.problem, "expected": _expected(e.expected), "suggestion": e.suggestion}
            for e in problems
        ]
    if isinstance(exc, RulesetError):
        where = (exc.file or "<ruleset>") + (f":{exc.line}" if exc.line is not None else "")
        return [{"path": where, "problem": exc.message, "expected": None, "suggestion": exc.suggestion}]
    return [{"path": "$", "problem": str(exc), "expected": None, "suggestion": None}]


def error_document(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"schema_version": ERROR_SCHEMA_VERSION, "errors": items}


def error_to_dict(exc: InfoshareError) -> dict[str, Any]:
    return error_document(error_items(exc))


def error_json_schema() -> dict[str, Any]:
    text_or_null = {"type": ["string", "null"]}
    return {
        "title": "ErrorDocument",
        "description": "Why a request or document was refused. Errors never repeat the values submitted.",
        "type": "object",
        "required": ["schema_version", "errors"],
        "additionalProperties": True,
        "properties": {
            "schema_version": {"type": "string", "description": "Version of this error format.", "examples": [ERROR_SCHEMA_VERSION]},
            "errors": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Problem"}},
        },
        "$defs": {
            "Problem": {
                "title": "Problem",
                "description": "One problem in the input.",
                "type": "object",
                "required": ["path", "problem"],
                "additionalProperties": True,
                "properties": {
                    "path": {"type": "string", "description": "Where: a JSON path such as $.information.provided_by, or file:line."},
                    "problem": {"type": "string", "description": "What is wrong, e.g. 'not an allowed value'."},
                    "expected": {**text_or_null, "description": "What would have been accepted."},
                    "suggestion": {**text_or_null, "description": "The closest accepted value, when one is close."},
                },
            }
        },
    }
