"""Decisions as JSON for machines (text for people is in ``text``), and the JSON Schema of decisions."""

from __future__ import annotations

import json
from typing import Any

from ..decision.model import Decision
from ..facts.json import converter
from ..ruleset.verdict import Verdict

# Verdicts are str-valued enums: JSON holds their plain value (registered on the class: see facts.json).
converter.register_unstructure_hook(Verdict, lambda member: member.value)


def decision_to_dict(decision: Decision) -> dict[str, Any]:
    data: dict[str, Any] = converter.unstructure(decision)
    for step in data["trace"]:
        step["used"] = {premise["name"]: premise["value"] for premise in step["used"]}
    data["cites"] = list(decision.cites)
    return data


def decision_to_json(decision: Decision, indent: int | None = 2) -> str:
    return json.dumps(decision_to_dict(decision), indent=indent)


def decision_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a decision as ``decision_to_dict`` and ``infoshare decide`` give it."""
    ids = {"type": "array", "items": {"type": "string"}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://infoshare-rules.invalid/schema/decision.json",
        "title": "infoshare-rules decision",
        "type": "object",
        "required": ["verdict", "obligations", "trace", "questions", "ruleset", "engine", "cites"],
        "additionalProperties": False,
        "properties": {
            "verdict": {"enum": [v.value for v in Verdict]},
            "obligations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "text", "cites", "raised_by"],
                    "additionalProperties": False,
                    "properties": {"id": {"type": "string"}, "text": {"type": "string"}, "cites": ids, "raised_by": ids},
                },
            },
            "trace": {
                "type": "array",
                "description": "Every rule that fired, in firing order.",
                "items": {
                    "type": "object",
                    "required": ["rule", "statement", "cites", "used", "concluded", "source"],
                    "additionalProperties": False,
                    "properties": {
                        "rule": {"type": "string"},
                        "statement": {"type": "string"},
                        "cites": ids,
                        "used": {"type": "object", "additionalProperties": {"type": "string"}},
                        "concluded": {"type": "string"},
                        "source": {"type": "string", "description": "file:line of the rule"},
                    },
                },
            },
            "questions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "text", "cites", "asks", "raised_by"],
                    "additionalProperties": False,
                    "properties": {"id": {"type": "string"}, "text": {"type": "string"}, "cites": ids, "asks": ids, "raised_by": ids},
                },
            },
            "ruleset": {
                "type": "object",
                "required": ["id", "version", "hash", "source"],
                "additionalProperties": False,
                "properties": {"id": {"type": "string"}, "version": {"type": "string"}, "hash": {"type": "string"}, "source": {"type": "string"}},
            },
            "engine": {"enum": ["durable", "reference"]},
            "cites": {**ids, "description": "Every paragraph the trace cites, in first-cited order."},
        },
    }
