"""YAML reading that remembers line numbers, so errors can say file:line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ._errors import RulesetError


class LineDict(dict):
    """A mapping from YAML that knows the 1-based line it started on, and each key's line."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list):
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            # PyYAML would silently keep the last one; in a ruleset that hides a mistake.
            raise RulesetError(f"duplicate key {key!r}", file=loader.name, line=key_node.start_mark.line + 1)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)

# YAML 1.1 reads bare yes/no/on/off as booleans; rule files use yes and no as fact values.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(path: Path, display: str | None = None) -> Any:
    """Parse one YAML file; syntax errors become RulesetError with the file and line."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesetError(f"cannot read file: {exc.strerror}", file=name) from None
    return load_yaml_text(text, name)


def load_yaml_text(text: str, name: str) -> Any:
    loader = _LineLoader(text)
    loader.name = name
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise RulesetError(
            f"invalid YAML: {exc.problem or exc.context}", file=name, line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise RulesetError(f"invalid YAML: {exc}", file=name) from None
    finally:
        loader.dispose()
