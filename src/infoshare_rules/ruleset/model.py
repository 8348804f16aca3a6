"""A compiled ruleset: paragraphs, conclusions, obligations, questions and rules, as frozen data."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import attrs

from .verdict import Verdict


DEFAULT_RULESET = "uk-2006-practitioners-guide"
UNDETERMINED = "undetermined"  # a conclusion no rule reached, set once the rules before it are done
VERDICT_FACT = "verdict"
RULE_KINDS = ("conclude", "verdict", "obligation", "question")


@attrs.frozen
class Paragraph:
    id: str
    heading: str
    text: str


@attrs.frozen
class ConclusionSpec:
    name: str
    values: tuple[str, ...]
    statement: str
    cites: tuple[str, ...]


@attrs.frozen
class ObligationSpec:
    id: str
    text: str
    cites: tuple[str, ...]


@attrs.frozen
class QuestionSpec:
    id: str
    text: str
    cites: tuple[str, ...]
    asks: tuple[str, ...]


@attrs.frozen
class Condition:
    fact: str
    values: tuple[str, ...]


@attrs.frozen
class Rule:
    """One rule: when every condition holds, the conclusion follows.

    ``stratum`` 2 rules read the verdict or a conclusion left undetermined, so they run
    after every stratum 1 rule has had its chance (stratified forward chaining).
    """

    index: int
    id: str
    statement: str
    cites: tuple[str, ...]
    when: tuple[Condition, ...]
    kind: str
    name: str
    value: str
    stratum: int
    file: str
    line: int

    @property
    def asserts(self) -> tuple[str, str]:
        """The fact this rule adds when it fires, as the engines see it."""
        return engine_fact(self.kind, self.name, self.value)


def engine_fact(kind: str, name: str, value: str = "yes") -> tuple[str, str]:
    if kind == "conclude":
        return name, value
    return f"{'candidate' if kind == 'verdict' else kind}.{name}", "yes"


@attrs.frozen
class Ruleset:
    id: str
    title: str
    version: str
    source: Mapping[str, Any]
    extends: str | None
    hash: str
    path: Path
    precedence: tuple[Verdict, ...]
    paragraphs: Mapping[str, Paragraph]
    conclusions: Mapping[str, ConclusionSpec]
    obligations: Mapping[str, ObligationSpec]
    questions: Mapping[str, QuestionSpec]
    rules: tuple[Rule, ...]

    @property
    def publication_reference(self) -> str:
        return str(self.source.get("reference", ""))

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


