"""YAML reading that remembers line numbers, so errors can say file:line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import RulesetError


class LineDict(dict):
    """A mapping from YAML that knows where it is: 1-based start line, column, end line, each key's line."""

    line: int = 0
    column: int = 0
    end_line: int = 0  # 1-based line where the next token after the mapping starts
    key_lines: dict[str, int]
    value_end_lines: dict[str, int]


class LineList(list):
    line: int = 0


# The C parser when PyYAML has it (much faster on large case suites); constructors stay ours.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    pass


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_ScalarNode = yaml.ScalarNode


def _construct(loader: _LineLoader, node: yaml.Node) -> Any:
    # Most nodes in rule and case files are plain strings: skip PyYAML's general machinery for them.
    if node.__class__ is _ScalarNode and node.tag == _STR_TAG:
        return node.value
    return loader.construct_object(node, deep=True)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    if any(key_node.tag == _MERGE_TAG for key_node, _ in node.value):
        loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.column = node.start_mark.column
    result.end_line = node.end_mark.line + 1
    result.key_lines = {}
    result.value_end_lines = {}
    for key_node, value_node in node.value:
        key = _construct(loader, key_node)
        if key in result:
            # PyYAML would silently keep the last one; in a ruleset that hides a mistake.
            raise RulesetError(f"duplicate key {key!r}", file=loader.name, line=key_node.start_mark.line + 1)
        result[key] = _construct(loader, value_node)
        result.key_lines[key] = key_node.start_mark.line + 1
        result.value_end_lines[key] = value_node.end_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(_construct(loader, child) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)

# YAML 1.1 reads bare yes/no/on/off as booleans; rule files use yes and no as fact values.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
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
    loader.name = name  # for error messages raised while constructing
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
