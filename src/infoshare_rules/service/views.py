"""What the service says about rulesets, rules and paragraphs: small frozen views of the compiled ruleset."""

from __future__ import annotations

import attrs

from ..ruleset.model import Ruleset


@attrs.frozen
class RulesetInfo:
    """A ruleset the service has compiled."""

    id: str
    title: str
    version: str
    hash: str
    source: str
    extends: str | None
    rules: int


@attrs.frozen
class ConditionView:
    """One condition of a rule: the fact (or conclusion) tested and the values that satisfy it."""

    fact: str
    values: tuple[str, ...]


@attrs.frozen
class ParagraphView:
    """A paragraph of the guide, and the rules that cite it."""

    id: str
    heading: str
    text: str
    cited_by: tuple[str, ...]


@attrs.frozen
class RuleView:
    """A rule: what it says, when it fires, what it concludes, and the paragraphs it cites."""

    id: str
    ruleset: str
    statement: str
    when: tuple[ConditionView, ...]
    then: dict[str, str]  # {"kind", "name", "value"}: the Conclusion of a trace step
    cites: tuple[str, ...]
    paragraphs: tuple[ParagraphView, ...]
    source: str
    #: a rule written with any:/not:: its when as written (one line of YAML flow style), and where it fires
    #: exactly: where every condition of one alternative holds (``when`` then lists every fact it reads,
    #: with every value it may have where it fires); "" and [] for a rule of plain fact tests
    written: str = ""
    alternatives: tuple[tuple[ConditionView, ...], ...] = ()


@attrs.frozen
class Health:
    """The service is up; which library version, engine and rulesets it serves."""

    status: str
    version: str
    engine: str
    rulesets: tuple[str, ...]


def ruleset_info(ruleset: Ruleset) -> RulesetInfo:
    return RulesetInfo(ruleset.id, ruleset.title, ruleset.version, ruleset.hash, ruleset.publication_reference, ruleset.extends, len(ruleset.rules))


def paragraph_view(ruleset: Ruleset, paragraph_id: str) -> ParagraphView:
    paragraph = ruleset.paragraphs[paragraph_id]
    citing = tuple(rule.id for rule in ruleset.rules if paragraph_id in rule.cites)
    return ParagraphView(paragraph.id, paragraph.heading, paragraph.text, citing)


def rule_view(ruleset: Ruleset, rule_id: str) -> RuleView:
    rule = ruleset.rule(rule_id)
    value = rule.value if rule.kind == "conclude" else "yes"
    return RuleView(
        id=rule.id,
        ruleset=ruleset.id,
        statement=rule.statement,
        when=tuple(ConditionView(c.fact, c.values) for c in rule.when),
        then={"kind": rule.kind, "name": rule.name, "value": value},
        cites=rule.cites,
        paragraphs=tuple(paragraph_view(ruleset, cite) for cite in rule.cites if cite in ruleset.paragraphs),
        source=f"{rule.file}:{rule.line}",
        written=rule.written if rule.alternatives else "",
        alternatives=tuple(tuple(ConditionView(c.fact, c.values) for c in alternative) for alternative in rule.alternatives),
    )
