"""Decisions as versioned JSON, its JSON Schema, and decisions read back from JSON.

The JSON is the attrs ``Decision`` field by field (found by introspection, so fields added to the
model appear without changes here), plus ``schema_version`` first and two computed conveniences:
``cites`` (every paragraph the trace cites) and ``next_question`` (the first question, or null).
A trace step's premises (``used``) are a ``{"fact": "value"}`` object; its conclusion is
``{"kind", "name", "value"}``.
"""

from __future__ import annotations

import functools
import json
from typing import Any, Callable

import cattrs
import jsonschema

from .schema_gen import SchemaBuilder
from ..decision.model import Decision, Premise, TraceStep
from ..errors import DocumentError, FactsError, json_path
from ..facts.json import SCHEMA_BASE
from ..limits import MAX_DOCUMENT_BYTES, parse_json_document
from ..ruleset.verdict import Verdict

DECISION_SCHEMA_VERSION = "1.0"
COMPUTED = ("cites", "next_question")
PREMISES = tuple[Premise, ...]

FIELD_DOCS = {
    "Decision.verdict": "What to do: share, must_share, do_not_share, seek_consent, seek_advice, or undetermined.",
    "Decision.obligations": "What the guide says to do alongside the verdict (record it, tell the person...).",
    "Decision.trace": "Every rule that fired, in firing order: the reasons for the verdict.",
    "Decision.questions": "What to find out next when facts are missing; the first is the one to ask now.",
    "Decision.presumed": "Defaults the guide states, applied while a fact is unknown.",
    "Decision.ruleset": "The ruleset that decided: id, version and content hash.",
    "Decision.engine": "The rules engine that ran: durable, reference or compiled.",
    "TraceStep.rule": "Id of the rule that fired (verdict-precedence or doubt:<fact> for those steps).",
    "TraceStep.kind": "stated, presumed, derived, precedence or doubt.",
    "TraceStep.statement": "What the rule says, in the guide's words where possible.",
    "TraceStep.cites": "Paragraphs of the guide the rule follows.",
    "TraceStep.used": "The facts and conclusions the rule used, with their values.",
    "TraceStep.concluded": "What the rule concluded.",
    "TraceStep.source": "file:line of the rule in its ruleset.",
    "Obligation.raised_by": "Ids of the rules that raised it.",
    "Question.fact": "The fact (group.field) that answers it.",
    "Question.answers": "The allowed answers.",
    "RulesetRef.hash": "sha256 of the ruleset's content: changes whenever any rule or text changes.",
    "RulesetRef.source": "The publication reference of the guide (0338-2006BKT-EN for the 2006 guide).",
}


def _special(tp: Any) -> dict[str, Any] | None:
    if tp == PREMISES:
        return {"type": "object", "additionalProperties": {"type": "string"}, "description": "fact or conclusion name: value"}
    return None


def _unstructure_converter() -> cattrs.Converter:
    conv = cattrs.Converter()
    conv.register_unstructure_hook(Verdict, lambda member: member.value)
    conv.register_unstructure_hook_func(lambda tp: tp == PREMISES, lambda premises: {p.name: p.value for p in premises})
    conv.register_structure_hook_func(
        lambda tp: tp == PREMISES, lambda data, _: tuple(Premise(name, value) for name, value in data.items())
    )
    return conv


converter = _unstructure_converter()


def decision_to_dict(decision: Decision) -> dict[str, Any]:
    """The decision as a JSON-shaped dict following the decision schema."""
    data: dict[str, Any] = {"schema_version": DECISION_SCHEMA_VERSION}
    data.update(converter.unstructure(decision))
    data["cites"] = list(decision.cites)
    data["next_question"] = data["questions"][0] if data["questions"] else None
    return data


def decision_to_json(decision: Decision, indent: int | None = 2) -> str:
    return json.dumps(decision_to_dict(decision), indent=indent, ensure_ascii=False)


def schema_builder(field_docs: dict[str, str] = {}, special: Callable[[Any], dict[str, Any] | None] = lambda tp: None) -> SchemaBuilder:  # noqa: B006 (read only)
    """A SchemaBuilder that knows the decision's parts (premises as an object, structured conclusions)."""
    builder = SchemaBuilder(field_docs={**FIELD_DOCS, **field_docs}, special=lambda tp: special(tp) or _special(tp))
    builder.define(TraceStep)
    return builder


@functools.cache
def decision_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the decision JSON, with shared ``$defs``."""
    builder = schema_builder()
    builder.define(Decision)
    decision = builder.defs.pop("Decision")  # the root of the document, not a $def
    question_item = decision["properties"]["questions"]["items"]
    decision["properties"] = {
        "schema_version": {"type": "string", "description": "Version of this format; minor versions only add fields.", "examples": [DECISION_SCHEMA_VERSION]},
        **decision["properties"],
        "cites": {"type": "array", "items": {"type": "string"}, "description": "Every paragraph the trace cites, in first-cited order."},
        "next_question": {"anyOf": [question_item, {"type": "null"}], "description": "The question to ask now (the first of questions), or null."},
    }
    decision["required"] = ["schema_version", *decision["required"], *COMPUTED]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_BASE + "decision.json",
        **decision,
        "$defs": dict(sorted(builder.defs.items())),
    }


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(decision_json_schema())


def first_problem(validator: jsonschema.Draft202012Validator, data: Any) -> DocumentError | None:
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    return None if error is None else problem_of(error)


def problem_of(error: jsonschema.ValidationError) -> DocumentError:
    """A schema violation as a DocumentError: where and what was expected, without the value."""
    path = json_path(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    expected: str | None = None
    if error.validator == "required":
        wanted: Any = error.validator_value
        missing = [name for name in wanted if isinstance(error.instance, dict) and name not in error.instance]
        return DocumentError(path, "missing field", expected=", ".join(missing))
    if "enum" in schema:
        expected = "one of " + ", ".join(map(str, schema["enum"]))
    elif "type" in schema:
        kind = schema["type"]
        expected = kind if isinstance(kind, str) else " or ".join(kind)
    return DocumentError(path, f"does not match the schema ({error.validator})", expected=expected)


def decision_from_dict(data: Any) -> Decision:
    """Read a decision back from its JSON form into the attrs ``Decision``.

    Unknown fields are ignored (a newer minor version may add some); a document that does not
    match the schema raises ``DocumentError`` naming the path.
    """
    problem = first_problem(_validator(), data)
    if problem is not None:
        raise problem
    data = {key: value for key, value in data.items() if key not in COMPUTED and key != "schema_version"}
    return converter.structure(data, Decision)


def read_document(text: str | bytes) -> Any:
    """A decision or record document's JSON, read with the library's parser (duplicate keys, deep
    nesting and oversized numbers refused, as for facts); a DocumentError otherwise."""
    try:
        return parse_json_document(text, max_bytes=MAX_DOCUMENT_BYTES)
    except FactsError as exc:
        raise DocumentError(exc.path, exc.problem) from None


def decision_from_json(text: str | bytes) -> Decision:
    return decision_from_dict(read_document(text))
