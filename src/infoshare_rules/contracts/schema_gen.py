"""JSON Schema from attrs classes by introspection, so new fields flow into the contract by themselves.

Each attrs class and each enumeration becomes one ``$defs`` entry, referenced wherever it is used.
Output objects allow additional properties: a later version may add fields without breaking clients.
"""

from __future__ import annotations

import enum
import types
import typing
from typing import Any, Callable, Mapping

import attrs

from ..facts.json import enum_schema

# A type the generic mapping should not handle, and the schema to give instead.
Special = Callable[[Any], "dict[str, Any] | None"]


class SchemaBuilder:
    def __init__(self, *, field_docs: Mapping[str, str] = {}, special: Special = lambda tp: None) -> None:
        self.defs: dict[str, Any] = {}
        self._field_docs = field_docs
        self._special = special

    def schema_of(self, tp: Any) -> dict[str, Any]:
        special = self._special(tp)
        if special is not None:
            return special
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin in (typing.Union, types.UnionType):
            members = [self.schema_of(a) for a in args if a is not type(None)]
            if type(None) in args:
                members.append({"type": "null"})
            return members[0] if len(members) == 1 else {"anyOf": members}
        if origin is typing.Literal:
            return {"type": "string", "enum": list(args)}
        if origin in (tuple, list):
            return {"type": "array", "items": self.schema_of(args[0]) if args else {}}
        if origin in (dict, Mapping) or tp is dict:
            return {"type": "object", "additionalProperties": self.schema_of(args[1]) if args else True}
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            self.defs.setdefault(tp.__name__, enum_schema(tp))
            return {"$ref": f"#/$defs/{tp.__name__}"}
        if attrs.has(tp):
            return self.define(tp)
        simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
        if tp in simple:
            return {"type": simple[tp]}
        return {}

    def define(self, cls: type, *, extra: Mapping[str, dict[str, Any]] = {}, name: str | None = None) -> dict[str, Any]:
        """``$defs`` entry of an attrs class (fields in order, then ``extra`` computed ones); a $ref to it."""
        name = name or cls.__name__
        if name not in self.defs:
            self.defs[name] = {}  # placeholder: a class may refer to itself
            attrs.resolve_types(cls)
            props: dict[str, Any] = {}
            for f in attrs.fields(cls):
                prop = dict(self.schema_of(f.type))
                doc = self._field_docs.get(f"{cls.__name__}.{f.name}")
                if doc:  # draft 2020-12 allows keywords beside $ref
                    prop["description"] = doc
                props[f.name] = prop
            props.update(extra)
            doc = (cls.__doc__ or "").strip()
            self.defs[name] = {
                "title": name,
                **({"description": " ".join(doc.split("\n\n")[0].split())} if doc and not doc.startswith(cls.__name__ + "(") else {}),
                "type": "object",
                "required": [f.name for f in attrs.fields(cls)],
                "properties": props,
                "additionalProperties": True,
            }
        return {"$ref": f"#/$defs/{name}"}
