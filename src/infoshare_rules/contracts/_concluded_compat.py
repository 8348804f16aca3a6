"""Bridge from the free-text ``TraceStep.concluded`` of decision core v1 to the structured v2 conclusion.

Core v2 makes ``concluded`` a ``Conclusion(kind, name, value)``; until then it is text such as
``"confidential = yes"``, ``"verdict share"`` or ``"obligation record_decision_and_reasons"``.
Both functions are no-ops once the model is v2, and this module can then be deleted.
"""

from __future__ import annotations

from typing import Any

import attrs

from ..decision.model import TraceStep

CONCLUSION_KINDS = ("conclude", "verdict", "obligation", "question")
# True on core v1, where the trace states its conclusion as text.
LEGACY = attrs.fields_dict(TraceStep)["concluded"].type in (str, "str")


def conclusion_to_json(concluded: Any) -> Any:
    """``"confidential = yes"`` -> ``{"kind": "conclude", "name": "confidential", "value": "yes"}``."""
    if not isinstance(concluded, str):
        return concluded
    if " = " in concluded:
        name, value = concluded.split(" = ", 1)
        return {"kind": "conclude", "name": name, "value": value}
    kind, name = concluded.split(" ", 1)
    return {"kind": kind, "name": name, "value": "yes"}


def conclusion_from_json(concluded: Any) -> Any:
    """The reverse, for reading a decision back onto the v1 model."""
    if not LEGACY or not isinstance(concluded, dict):
        return concluded
    if concluded["kind"] == "conclude":
        return f"{concluded['name']} = {concluded['value']}"
    return f"{concluded['kind']} {concluded['name']}"


# The v2 Conclusion class's schema, used only while the model has no such class.
CONCLUSION_SCHEMA = {
    "title": "Conclusion",
    "description": "What a rule concluded: a named conclusion's value, a candidate verdict, an obligation or a question.",
    "type": "object",
    "required": ["kind", "name", "value"],
    "additionalProperties": True,
    "properties": {
        "kind": {"type": "string", "description": "conclude, verdict, obligation (or question)", "examples": list(CONCLUSION_KINDS)},
        "name": {"type": "string", "description": "The conclusion's name, the verdict, or the obligation's id."},
        "value": {"type": "string", "description": "The value concluded (yes for a verdict or obligation)."},
    },
}
