"""JSON in and out: one cattrs converter, strict about unknown keys, errors with a $.path."""

from __future__ import annotations

import json
import enum
from typing import Any, Optional

import attrs
import cattrs
from cattrs.errors import AttributeValidationNote, ClassValidationError, ForbiddenExtraKeysError

from ..errors import FactsError, describe_key, suggest
from ..limits import parse_json_document
from .local import GROUP as LOCAL_GROUP, NAME_PATTERN, VALUE_PATTERN, LocalFacts, to_local
from .vocabulary import Vocabulary
from .model import GROUP_FIELDS, GROUPS, CaseFacts, _FactEnum

converter = cattrs.Converter(forbid_extra_keys=True)


def _structure_enum(value: Any, enum_type: type) -> Any:
    if isinstance(value, str):
        try:
            return enum_type(value)
        except ValueError:
            pass
    allowed = [m.value for m in enum_type]  # type: ignore[attr-defined]
    if not isinstance(value, str):
        raise FactsError("$", "wrong type", expected=f"one of the strings {', '.join(allowed)}", got=value)
    raise FactsError("$", "not an allowed value", expected=allowed, got=value, suggestion=suggest(value, allowed))


def _structure_age(value: Any, _: Any) -> Any:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value  # range is checked by the field's converter
    if isinstance(value, float) and value.is_integer():
        return int(value)  # JSON Schema counts 16.0 as an integer, so the facts schema allows it
    raise FactsError("$", "wrong type", expected="a whole number of years, or null for unknown", got=value)


# Hooks raise FactsError at "$"; _leaf_errors moves each under the path cattrs reports, so one
# document with several mistakes reports all of them.
converter.register_structure_hook(_FactEnum, _structure_enum)
# str-valued enums would otherwise pass through as enum members; JSON-shaped dicts hold plain strings.
# (registered per class: str comes before Enum in their MRO, so a hook on Enum would never be reached)
converter.register_unstructure_hook(_FactEnum, lambda member: member.value)
converter.register_structure_hook(Optional[int], _structure_age)
# A local protocol's own facts: names and values checked against the ruleset when a decision is made.
converter.register_structure_hook(LocalFacts, lambda value, _: to_local(value))
converter.register_unstructure_hook(LocalFacts, dict)


def _leaf_errors(exc: BaseException, path: str, cls: type) -> list[FactsError]:
    if isinstance(exc, FactsError):
        return [exc]
    if isinstance(exc, ForbiddenExtraKeysError):
        fields = [f.name for f in attrs.fields(exc.cl)]
        return [
            FactsError(f"{path}.{describe_key(key)}", "unknown key", expected=f"one of {', '.join(fields)}", suggestion=suggest(key, fields))
            for key in sorted(exc.extra_fields, key=str)
        ]
    if isinstance(exc, ClassValidationError):
        found: list[FactsError] = []
        for sub in exc.exceptions:
            sub_path, sub_cls = path, exc.cl
            for note in getattr(sub, "__notes__", []):
                if isinstance(note, AttributeValidationNote):
                    sub_path = f"{path}.{note.name}"
                    sub_cls = note.type if isinstance(note.type, type) else exc.cl
            if isinstance(sub, FactsError):
                found.append(sub.at(sub_path) if sub.path == "$" else sub)
            elif isinstance(sub, (ClassValidationError, ForbiddenExtraKeysError)):
                found.extend(_leaf_errors(sub, sub_path if not isinstance(sub, ForbiddenExtraKeysError) else path, sub_cls))
            else:
                found.append(FactsError(sub_path, "wrong type", expected="an object of facts" if sub_cls in GROUPS else "a valid value", got=None))
        return found
    return [FactsError(path, f"invalid ({type(exc).__name__})")]


class FactsErrors(FactsError):
    """Several problems in one facts document; ``errors`` lists each."""

    def __init__(self, errors: list[FactsError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(first.path, first.problem, expected=first.expected, got=first.got, suggestion=first.suggestion)
        self.args = ("; ".join(str(e) for e in errors),)

    def __str__(self) -> str:
        return str(self.args[0])


_GROUP_NAMES = frozenset(f.name for f in attrs.fields(CaseFacts))  # the national groups and local


def facts_from_dict(data: Any) -> CaseFacts:
    """Build CaseFacts from a JSON-shaped dict; raise FactsError naming the path of each problem."""
    if not isinstance(data, dict):
        raise FactsError("$", "wrong type", expected="a JSON object of fact groups", got=type(data).__name__)
    for key, value in data.items():
        if not isinstance(key, str):
            raise FactsError(f"$.{describe_key(key)}", "keys must be strings", expected="a group name")
        if key in _GROUP_NAMES:
            if not isinstance(value, dict):
                raise FactsError(f"$.{key}", "wrong type", expected="a JSON object", got=value)
            for fact in value:
                if not isinstance(fact, str):
                    raise FactsError(f"$.{key}.{describe_key(fact)}", "keys must be strings", expected="a fact name")
    try:
        return converter.structure(data, CaseFacts)
    except FactsError:
        raise
    except (ClassValidationError, ForbiddenExtraKeysError) as exc:
        errors = _leaf_errors(exc, "$", CaseFacts)
        if len(errors) == 1:
            raise errors[0] from None
        raise FactsErrors(errors) from None


def facts_from_json(text: str | bytes) -> CaseFacts:
    """Build CaseFacts from JSON text (str, or UTF-8 bytes); FactsError for anything else.

    Limits (size, nesting, number length, duplicate keys) are in ``infoshare_rules.limits``.
    """
    return facts_from_dict(parse_json_document(text))


def facts_to_dict(facts: CaseFacts) -> dict[str, Any]:
    """The facts as a JSON-shaped dict: every national fact, and ``local`` where a local fact is given."""
    data: dict[str, Any] = converter.unstructure(facts)
    if not data[LOCAL_GROUP]:
        del data[LOCAL_GROUP]
    return data


def facts_to_json(facts: CaseFacts, indent: int | None = 2) -> str:
    return json.dumps(facts_to_dict(facts), indent=indent)


SCHEMA_BASE = "https://infoshare-rules.invalid/schema/v1/"


def enum_schema(enum_type: type[enum.Enum]) -> dict[str, Any]:
    """One enumeration's definition, shared by every fact of that type (so generated code has one enum)."""
    values = [m.value for m in enum_type]
    doc = (enum_type.__doc__ or "").strip()
    described = doc if doc and not doc.startswith("An enumeration") else f"One of {', '.join(values)}."
    if "unknown" in values:
        described += " unknown (the default) means not known, which is not the same as no."
    return {"title": enum_type.__name__, "description": described, "type": "string", "enum": values}


def _local_schema(vocabulary: Vocabulary | None, defs: dict[str, Any]) -> dict[str, Any]:
    local = next((g for g in vocabulary.groups if g.group == LOCAL_GROUP), None) if vocabulary else None
    if local is None:
        return {
            "type": "object",
            "description": "A local protocol's own facts, by name (declared in the protocol's facts.yaml), each a string "
            "value; a decision refuses one its ruleset does not declare. The national ruleset declares none.",
            "propertyNames": {"pattern": NAME_PATTERN},
            "additionalProperties": {"type": "string", "pattern": VALUE_PATTERN},
        }
    assert vocabulary is not None
    props: dict[str, Any] = {}
    for f in local.facts:
        value_set = vocabulary.value_sets[f.values]
        values = [v.value for v in value_set.values]
        defs.setdefault(value_set.name, {"title": value_set.name, "description": value_set.doc or f"One of {', '.join(values)}.", "type": "string", "enum": values})
        props[f.name] = {"$ref": f"#/$defs/{value_set.name}", "default": "unknown", "description": f"{f.doc} ({', '.join(f.cites)})"}
    return {
        "type": "object",
        "description": "The local protocol's own facts (its facts.yaml). Every fact is optional and defaults to unknown.",
        "properties": props,
        "additionalProperties": False,
    }


def facts_json_schema(vocabulary: Vocabulary | None = None) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the facts document, generated from the attrs classes.

    Each enumeration (the yes/no/unknown ``Answer`` and the rest) and each group is defined once
    under ``$defs`` and referenced, so code generators make one type of each. ``vocabulary``: a
    ruleset's (``Ruleset.facts``); where it declares a local protocol's own facts, ``local`` lists
    exactly those, else ``local`` takes any names with string values (a decision checks them
    against its ruleset).
    """
    defs: dict[str, Any] = {}
    groups: dict[str, Any] = {}
    for group_field in GROUP_FIELDS:
        cls = group_field.metadata["group"]
        props: dict[str, Any] = {}
        for f in attrs.fields(cls):
            cites = ", ".join(f.metadata["cites"])
            prop: dict[str, Any]
            if "enum" in f.metadata:
                enum_type = f.metadata["enum"]
                defs.setdefault(enum_type.__name__, enum_schema(enum_type))
                prop = {"$ref": f"#/$defs/{enum_type.__name__}", "default": "unknown"}
            else:
                prop = {"type": ["integer", "null"], "minimum": 0, "maximum": 25, "default": None}
            prop["description"] = f"{f.metadata['doc']} (guide {cites})"
            props[f.name] = prop
        defs[cls.__name__] = {
            "title": cls.__name__,
            "type": "object",
            "description": (cls.__doc__ or cls.__name__).strip().splitlines()[0],
            "properties": props,
            "additionalProperties": False,
        }
        groups[group_field.name] = {"$ref": f"#/$defs/{cls.__name__}"}
    groups[LOCAL_GROUP] = _local_schema(vocabulary, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_BASE + "facts.json",
        "title": "CaseFacts",
        "description": "Facts about a case. Every fact is optional and defaults to unknown; unknown is not no.",
        "type": "object",
        "properties": groups,
        "additionalProperties": False,
        "$defs": dict(sorted(defs.items())),
    }
