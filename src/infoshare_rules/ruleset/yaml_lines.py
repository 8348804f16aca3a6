"""YAML reading that remembers line numbers, so errors can say file:line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputLimitError, RulesetError, describe_value
from ..limits import MAX_YAML_BYTES, MAX_YAML_DEPTH, decode_utf8, read_regular_file


class LineDict(dict[Any, Any]):
    """A mapping from YAML that knows where it is: 1-based start line, column, end line, each key's line."""

    line: int = 0
    column: int = 0
    end_line: int = 0  # 1-based line where the next token after the mapping starts
    key_lines: dict[str, int]
    value_end_lines: dict[str, int]


class LineList(list[Any]):
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
        if isinstance(key, (list, dict)):  # unhashable, and no format here has such keys
            raise RulesetError("a mapping key must be text, not a list or mapping", file=loader.name, line=key_node.start_mark.line + 1)
        if key in result:
            # PyYAML would silently keep the last one; in a ruleset that hides a mistake.
            raise RulesetError(f"duplicate key {describe_value(key)}", file=loader.name, line=key_node.start_mark.line + 1)
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
    """Parse one YAML file within the limits of ``infoshare_rules.limits``; RulesetError with file:line otherwise."""
    name = display or str(path)
    try:
        text = decode_utf8(read_regular_file(path, MAX_YAML_BYTES))
    except OSError as exc:
        raise RulesetError(f"cannot read file: {exc.strerror}", file=name) from None
    except InputLimitError as exc:
        raise RulesetError(exc.message, file=name, line=exc.line) from None
    return load_yaml_text(text, name)


# Where an anchor (&a) or alias (*a) could start; plain text rarely matches, and a match only
# costs a scan of the parser's events to be sure.
_MAYBE_ANCHOR = re.compile(r"[&*][^\s,\[\]{}]")


def _refuse_anchors_and_deep_nesting(text: str, name: str) -> None:
    """Aliases are refused (billion laughs); nesting is bounded, before any object is built."""
    depth = 0
    maybe_anchor = _MAYBE_ANCHOR.search(text) is not None
    if not maybe_anchor and text.count("\n") + 1 < MAX_YAML_DEPTH and text.count("[") + text.count("{") < MAX_YAML_DEPTH:
        return  # too few lines and brackets to nest that deep
    for event in yaml.parse(text, Loader=_BaseLoader):
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise RulesetError(
                "YAML anchors and aliases (&name, *name) are not allowed: write each value out",
                file=name,
                line=line,
            )
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise RulesetError(f"nested too deeply; the limit is {MAX_YAML_DEPTH} levels", file=name, line=line)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def load_yaml_text(text: str, name: str) -> Any:
    loader = None
    try:
        _refuse_anchors_and_deep_nesting(text, name)
        loader = _LineLoader(text)
        loader.name = name  # for error messages raised while constructing
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise RulesetError(f"invalid YAML: {exc.problem or exc.context}", file=name, line=line) from None
    except yaml.YAMLError as exc:
        raise RulesetError(f"invalid YAML: {type(exc).__name__}", file=name) from None
    except RecursionError:
        raise RulesetError(f"nested too deeply; the limit is {MAX_YAML_DEPTH} levels", file=name) from None
    finally:
        if loader is not None:
            loader.dispose()
