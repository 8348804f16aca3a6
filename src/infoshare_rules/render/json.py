"""Decisions as JSON for machines (text for people is in ``text``), and the JSON Schema of decisions."""

from __future__ import annotations

import json

from ..decision.model import STEP_KINDS, Decision
from ..facts.json import converter
from ..ruleset.verdict import Verdict

# Verdicts are str-valued enums: JSON holds their plain value (registered on the class: see facts.json).
converter.register_unstructure_hook(Verdict, lambda member: member.value)


def decision_to_dict(decision: Decision) -> dict:
    data = converter.unstructure(decision)
    for step in data["trace"]:
        step["used"] = {premise["name"]: premise["value"] for premise in step["used"]}
    data["next_question"] = data["questions"][0]["fact"] if data["questions"] else None
    data["cites"] = list(decision.cites)
    return data


def decision_to_json(decision: Decision, indent: int | None = 2) -> str:
    return json.dumps(decision_to_dict(decision), indent=indent)


def _obj(props: dict, required: list[str] | None = None, **extra: object) -> dict:
    return {"type": "object", "required": required or list(props), "additionalProperties": False, "properties": props, **extra}


def decision_json_schema() -> dict:
    """JSON Schema (draft 2020-12) of a decision as ``decision_to_dict`` and ``infoshare decide`` give it."""
    ids = {"type": "array", "items": {"type": "string"}}
    text = {"type": "string"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://infoshare-rules.invalid/schema/decision.json",
        "title": "infoshare-rules decision",
        **_obj(
            {
                "verdict": {"enum": [v.value for v in Verdict]},
                "obligations": {
                    "type": "array",
                    "items": _obj({"id": text, "text": text, "cites": ids, "raised_by": ids}),
                },
                "trace": {
                    "type": "array",
                    "description": "Every step of the reasoning, in firing order.",
                    "items": _obj(
                        {
                            "rule": text,
                            "kind": {"enum": list(STEP_KINDS), "description": "stated: your answer; presumed: the guide's default; derived: a rule; precedence; doubt"},
                            "statement": text,
                            "cites": ids,
                            "used": {"type": "object", "additionalProperties": {"type": "string"}},
                            "concluded": _obj({"kind": {"enum": ["conclude", "verdict", "obligation"]}, "name": text, "value": text}),
                            "source": {"type": "string", "description": "file:line of the rule"},
                        }
                    ),
                },
                "questions": {
                    "type": "array",
                    "description": "Facts not yet known, some answer to which would change the verdict, in the flowchart's order.",
                    "items": _obj(
                        {
                            "fact": text,
                            "text": text,
                            "cites": ids,
                            "step": {"type": "integer", "minimum": 1, "maximum": 7},
                            "direct": {"type": "boolean"},
                            "answers": {"type": "array", "items": _obj({"value": text, "label": text})},
                        }
                    ),
                },
                "next_question": {"type": ["string", "null"], "description": "The fact of the first question, or null."},
                "presumed": {
                    "type": "array",
                    "description": "Defaults the guide states, taken as given because the fact was unknown.",
                    "items": _obj({"fact": text, "value": text, "rule": text, "wording": text, "cites": ids}),
                },
                "ruleset": _obj({"id": text, "version": text, "hash": text, "source": text}),
                "engine": {"enum": ["durable", "reference"]},
                "cites": {**ids, "description": "Every paragraph the trace cites, in first-cited order."},
            }
        ),
    }
