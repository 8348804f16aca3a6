"""The fact vocabulary as ruleset data: ``facts.yaml`` beside a ruleset's rules, loaded and validated.

The national vocabulary (``rulesets/uk-2006-practitioners-guide/facts.yaml``) declares every group
of facts, every fact (its value set, question, doc, cited paragraphs, flowchart step, and whether
it answers one of the flowchart's own questions), the value sets with their labels, the flowchart
steps and the child's age bands. ``facts.model`` builds the attrs classes and enumerations from it.
A bad file gives a ``RulesetError`` naming the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Collection

import attrs

from ..errors import RulesetError, describe_value, suggest
from ..ruleset.yaml_lines import LineDict, LineList, load_yaml

FILE_NAME = "facts.yaml"
NATIONAL_ID = "uk-2006-practitioners-guide"
UNKNOWN = "unknown"
AGE = "age"  # the value set of a fact asked in whole years (child.age)
LOCAL_GROUP = "local"  # the group a local protocol's own facts are declared in
LOCAL_CLASS = "Local"

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_CLASS = re.compile(r"[A-Z][A-Za-z0-9]*")
_MEMBER = re.compile(r"[A-Z][A-Z0-9_]*")
_VALUE = re.compile(r"[a-z0-9][a-z0-9_]*")


@attrs.frozen
class Value:
    """One value of a value set: as JSON and rules spell it, its Python member name, its label."""

    value: str
    member: str
    label: str
    note: str = ""


@attrs.frozen
class ValueSet:
    name: str
    values: tuple[Value, ...]
    doc: str | None = None


@attrs.frozen
class Fact:
    """One fact a caller can give: ``values`` names a value set, or is ``age`` (whole years)."""

    name: str
    values: str
    question: str
    doc: str
    cites: tuple[str, ...]
    step: int
    direct: bool

    def annotation(self) -> str:
        """Its Python type, as the model's annotation and the typing stub write it."""
        return "int | None" if self.values == AGE else self.values


@attrs.frozen
class Group:
    group: str
    cls: str
    facts: tuple[Fact, ...]
    doc: str | None = None


@attrs.frozen
class AgeBand:
    value: str
    below: int | None
    example_age: int


@attrs.frozen
class AgeBands:
    value_set: str
    fact: str
    doc: str
    cites: tuple[str, ...]
    bands: tuple[AgeBand, ...]


@attrs.frozen
class Vocabulary:
    """A ruleset's fact vocabulary, in declaration order."""

    file: str
    max_age: int
    steps: dict[int, str]
    value_sets: dict[str, ValueSet]
    age_bands: AgeBands
    groups: tuple[Group, ...]

    def fact_names(self) -> tuple[str, ...]:
        return tuple(f"{g.group}.{f.name}" for g in self.groups for f in g.facts)


def national_path() -> Path:
    """The national ruleset's ``facts.yaml``: inside the installed package, or the source checkout."""
    package = Path(__file__).resolve().parents[1]
    for folder in (package / "rulesets", package.parents[1] / "rulesets"):
        path = folder / NATIONAL_ID / FILE_NAME
        if path.is_file():
            return path
    raise RulesetError("the national fact vocabulary is missing", file=f"{NATIONAL_ID}/{FILE_NAME}")


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, message: str, node: Any, key: Any = None, suggestion: str | None = None) -> RulesetError:
        line = node.key_lines.get(key, node.line) if isinstance(node, LineDict) and key else getattr(node, "line", None)
        return RulesetError(message, file=self.file, line=line or None, suggestion=suggestion)

    def mapping(self, node: Any, what: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> LineDict:
        if not isinstance(node, LineDict):
            raise self.fail(f"{what} must be a mapping, got {describe_value(node)}", node)
        for key in node:
            if key not in required and key not in optional:
                allowed = [*required, *optional]
                raise self.fail(f"{what}: unknown key {describe_value(key)}", node, str(key), suggest(str(key), allowed))
        for key in required:
            if key not in node:
                raise self.fail(f"{what}: missing required key {key!r}", node)
        return node

    def text(self, node: LineDict, key: Any, what: str) -> str:
        value = node[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{what}: {key} must be non-empty text, got {describe_value(value)}", node, key)
        return value

    def pattern(self, node: LineDict, key: str, what: str, pattern: re.Pattern[str], expected: str) -> str:
        value = node[key]
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise self.fail(f"{what}: {key} must be {expected}, got {describe_value(value)}", node, key)
        return value

    def integer(self, node: LineDict, key: str, what: str, *, nullable: bool = False) -> int | None:
        value = node[key]
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(f"{what}: {key} must be a whole number{' or null' if nullable else ''}, got {describe_value(value)}", node, key)
        return value

    def cites(self, node: LineDict, what: str) -> tuple[str, ...]:
        value = node["cites"]
        if not isinstance(value, list) or not value or not all(isinstance(c, str) and c for c in value):
            raise self.fail(f"{what}: cites must be a non-empty list of paragraph references (strings)", node, "cites")
        return tuple(value)

    def value_set(self, name: str, node: Any) -> ValueSet:
        what = f"value set {name}"
        if not isinstance(name, str) or not _CLASS.fullmatch(name):
            raise self.fail(f"value set name must be a CamelCase identifier, got {describe_value(name)}", node)
        raw = self.mapping(node, what, ("values",), ("doc",))
        if not isinstance(raw["values"], LineList) or not raw["values"]:
            raise self.fail(f"{what}: values must be a non-empty list", raw, "values")
        values, seen = [], set()
        for item in raw["values"]:
            v = self.mapping(item, f"{what}: a value", ("value", "member", "label"), ("note",))
            value = self.pattern(v, "value", what, _VALUE, "a lower-case value such as yes or not_applicable")
            if value in seen:
                raise self.fail(f"{what}: value {value!r} is declared twice", v, "value")
            seen.add(value)
            member = self.pattern(v, "member", what, _MEMBER, "an UPPER_CASE member name")
            note = self.text(v, "note", what) if "note" in v else ""
            values.append(Value(value, member, self.text(v, "label", what), note))
        if values[-1].value != UNKNOWN:
            raise self.fail(f"{what}: the last value must be unknown (every fact defaults to unknown)", raw, "values")
        return ValueSet(name, tuple(values), self.text(raw, "doc", what) if "doc" in raw else None)

    def fact(self, node: Any, group: str, value_sets: dict[str, ValueSet], steps: dict[int, str]) -> Fact:
        raw = self.mapping(node, f"a fact of group {group}", ("name", "values", "question", "cites", "step"), ("doc", "direct"))
        name = self.pattern(raw, "name", f"a fact of group {group}", _NAME, "a lower_case name")
        what = f"fact {group}.{name}"
        values = raw["values"]
        if values != AGE and values not in value_sets:
            raise self.fail(f"{what}: values must name a value set (or be age), got {describe_value(values)}", raw, "values", suggest(str(values), [*value_sets, AGE]))
        step = self.integer(raw, "step", what)
        if step not in steps:
            raise self.fail(f"{what}: step must be one of the steps {', '.join(map(str, steps))}, got {describe_value(step)}", raw, "step")
        direct = raw.get("direct", False)
        if not isinstance(direct, bool):
            raise self.fail(f"{what}: direct must be true or false, got {describe_value(direct)}", raw, "direct")
        question = self.text(raw, "question", what)
        doc = self.text(raw, "doc", what) if "doc" in raw else question
        return Fact(name, values, question, doc, self.cites(raw, what), step, direct)

    def read(self, data: Any) -> Vocabulary:
        top = self.mapping(data, "facts.yaml", ("max_age", "steps", "value_sets", "age_bands", "groups"))
        max_age = self.integer(top, "max_age", "facts.yaml")
        assert max_age is not None
        steps_raw = top["steps"]
        if not isinstance(steps_raw, LineDict) or not steps_raw:
            raise self.fail("steps must be a mapping of step number to its question", top, "steps")
        steps: dict[int, str] = {}
        for key in steps_raw:
            if isinstance(key, bool) or not isinstance(key, int):
                raise self.fail(f"steps: a step must be a whole number, got {describe_value(key)}", steps_raw, key)
            steps[key] = self.text(steps_raw, key, "steps")
        sets_raw = top["value_sets"]
        if not isinstance(sets_raw, LineDict) or not sets_raw:
            raise self.fail("value_sets must be a mapping of name to value set", top, "value_sets")
        value_sets = {name: self.value_set(name, node) for name, node in sets_raw.items()}
        bands = self._age_bands(top["age_bands"], value_sets)
        groups_raw = top["groups"]
        if not isinstance(groups_raw, LineList) or not groups_raw:
            raise self.fail("groups must be a non-empty list", top, "groups")
        groups, seen = [], set()
        for node in groups_raw:
            g = self.mapping(node, "a group", ("group", "class", "facts"), ("doc",))
            name = self.pattern(g, "group", "a group", _NAME, "a lower_case name")
            if name in seen:
                raise self.fail(f"group {name!r} is declared twice", g, "group")
            seen.add(name)
            cls = self.pattern(g, "class", f"group {name}", _CLASS, "a CamelCase class name")
            if not isinstance(g["facts"], LineList) or not g["facts"]:
                raise self.fail(f"group {name}: facts must be a non-empty list", g, "facts")
            facts = tuple(self.fact(f, name, value_sets, steps) for f in g["facts"])
            names = [f.name for f in facts]
            for i, f in enumerate(names):
                if f in names[:i]:
                    raise self.fail(f"fact {name}.{f} is declared twice", g["facts"][i])
            groups.append(Group(name, cls, facts, self.text(g, "doc", f"group {name}") if "doc" in g else None))
        return Vocabulary(self.file, max_age, steps, value_sets, bands, tuple(groups))

    def _age_bands(self, node: Any, value_sets: dict[str, ValueSet]) -> AgeBands:
        raw = self.mapping(node, "age_bands", ("value_set", "fact", "doc", "cites", "bands"))
        name = raw["value_set"]
        if name not in value_sets:
            raise self.fail(f"age_bands: value_set must name a value set, got {describe_value(name)}", raw, "value_set")
        bands = []
        for item in raw["bands"] if isinstance(raw["bands"], LineList) else []:
            b = self.mapping(item, "an age band", ("value", "below", "example_age"))
            bands.append(AgeBand(self.text(b, "value", "an age band"), self.integer(b, "below", "an age band", nullable=True), self.integer(b, "example_age", "an age band") or 0))
        declared = [v.value for v in value_sets[name].values if v.value != UNKNOWN]
        if [b.value for b in bands] != declared:
            raise self.fail(f"age_bands: bands must be the values of {name} in order ({', '.join(declared)})", raw, "bands")
        fact = self.text(raw, "fact", "age_bands")
        return AgeBands(name, fact, self.text(raw, "doc", "age_bands"), self.cites(raw, "age_bands"), tuple(bands))


    def read_local(self, data: Any, base: Vocabulary, paragraphs: Collection[str]) -> Vocabulary:
        """A local protocol's ``facts.yaml``: its own value sets and facts, added to ``base`` as group ``local``."""
        what = "a local protocol's facts.yaml"
        top = self.mapping(data, what, ("facts",), ("value_sets",))
        value_sets = dict(base.value_sets)
        sets_raw = top.get("value_sets", LineDict())
        if not isinstance(sets_raw, LineDict):
            raise self.fail("value_sets must be a mapping of name to value set", top, "value_sets")
        for name, node in sets_raw.items():
            if name in base.value_sets:
                raise self.fail(
                    f"value set {name} is already declared by the ruleset this protocol extends: use it by name, or give yours another name",
                    sets_raw, name,
                )
            value_sets[name] = self.value_set(name, node)
        facts_raw = top["facts"]
        if not isinstance(facts_raw, LineList) or not facts_raw:
            raise self.fail("facts must be a non-empty list of the protocol's own facts", top, "facts")
        earlier = next((g for g in base.groups if g.group == LOCAL_GROUP), None)
        facts = list(earlier.facts) if earlier else []
        for node in facts_raw:
            fact = self.fact(node, LOCAL_GROUP, value_sets, base.steps)
            for cite in fact.cites:
                if cite not in paragraphs:
                    raise self.fail(
                        f"fact {LOCAL_GROUP}.{fact.name}: cites unknown paragraph {cite!r}: each of the protocol's facts cites "
                        "a paragraph of its own paragraphs.yaml or of the guide",
                        node, "cites", suggest(cite, paragraphs),
                    )
            if fact.values == AGE:
                raise self.fail(f"fact {LOCAL_GROUP}.{fact.name}: values must name a value set (age is the national child.age)", node, "values")
            if any(f.name == fact.name for f in facts):
                raise self.fail(f"fact {LOCAL_GROUP}.{fact.name} is declared twice (here or by the protocol this one extends)", node, "name")
            facts.append(fact)
        group = Group(LOCAL_GROUP, LOCAL_CLASS, tuple(facts), "The local protocol's own facts (declared in its facts.yaml).")
        groups = tuple(g for g in base.groups if g.group != LOCAL_GROUP) + (group,)
        return attrs.evolve(base, file=self.file, value_sets=value_sets, groups=groups)


def load_vocabulary(path: Path, display: str | None = None) -> Vocabulary:
    """Load and validate one ``facts.yaml``; ``RulesetError`` naming the file and line if it is bad."""
    name = display or str(path)
    return _Reader(name).read(load_yaml(path, name))


def load_local_vocabulary(path: Path, display: str, base: Vocabulary, paragraphs: Collection[str]) -> Vocabulary:
    """A local protocol's ``facts.yaml`` over the vocabulary of the ruleset it extends (``RulesetError`` if bad).

    Each fact must cite one of ``paragraphs`` (the protocol's and the guide's).
    """
    return _Reader(display).read_local(load_yaml(path, display), base, paragraphs)


def national_vocabulary() -> Vocabulary:
    return load_vocabulary(national_path(), f"{NATIONAL_ID}/{FILE_NAME}")
