"""A compiled ruleset: paragraphs, conclusions, obligations, doubts and rules, as frozen data."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import attrs

from ..errors import FactsError, suggest
from ..facts.model import FACT_SPECS, INPUT_SPECS, LOCAL_PREFIX, VOCABULARY, CaseFacts, FactSpec, InputSpec, flatten
from ..facts.vocabulary import Vocabulary
from .verdict import Verdict

DEFAULT_RULESET = "uk-2006-practitioners-guide"
UNDETERMINED = "undetermined"  # a conclusion no rule reached, set once every rule that could reach it has run
VERDICT_FACT = "verdict"
RULE_KINDS = ("conclude", "verdict", "obligation")

#: Where a rule comes from: written in rules/*.yaml (derived or presumption), or made by the loader
#: from a conclusion's ``stated_by`` (the caller's own answer to a flowchart question).
DERIVED, PRESUMED, STATED = "derived", "presumed", "stated"


@attrs.frozen
class Paragraph:
    id: str
    heading: str
    text: str


@attrs.frozen
class ConclusionSpec:
    """An intermediate answer the rules derive. ``stated_by`` names the fact a caller can answer it with directly."""

    name: str
    values: tuple[str, ...]
    statement: str
    cites: tuple[str, ...]
    stated_by: str | None = None


@attrs.frozen
class ObligationSpec:
    id: str
    text: str
    cites: tuple[str, ...]


@attrs.frozen
class Doubt:
    """A value of a fact that records the practitioner's doubt (3.19: unsure whether there is reasonable cause).

    The doubt is decisive when the answers it stands between (``between``) would give different
    verdicts; with nothing to stand between, when the facts leave the verdict undetermined.
    """

    fact: str
    value: str
    between: tuple[str, ...]
    statement: str
    cites: tuple[str, ...]


@attrs.frozen
class Condition:
    fact: str
    values: tuple[str, ...]


@attrs.frozen
class Rule:
    """One rule: when every condition holds, the conclusion follows.

    ``when``: for a rule whose ``when`` is plain fact tests, those tests (all must hold). For a rule
    written with ``any:`` or ``not:`` (see ``ruleset/conditions.py``) whose conditions normalize to more
    than one alternative, ``alternatives`` holds them (a disjunction of conjunctions: the rule fires
    where one of them holds) and ``when`` is their projection: one condition per fact any of them
    reads, allowing every value the fact can have where the rule fires (its whole domain, ``unknown``
    or ``undetermined`` included, where some alternative does not test it). So ``when`` always names
    every fact the rule reads and always holds where the rule fires, but only ``disjuncts`` says
    exactly where it fires. ``written``: such a rule's ``when`` as written, for display ("" otherwise).

    ``stratum``: a rule that tests a conclusion for ``undetermined`` runs only once every rule
    that could conclude it has run; the verdict is chosen after every conclude and verdict rule,
    and rules that test the verdict run last (stratified forward chaining, computed at load).
    ``presumes``: for a presumption, the facts it takes as given while they are unknown, with the
    guide's own ``wording`` of the default; ``ask``: whether to ask about them anyway where the answer
    would change the verdict.
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
    origin: str = DERIVED
    presumes: tuple[tuple[str, str], ...] = ()
    wording: str = ""
    #: whether a presumed fact is still asked where its answer would change the verdict (false where
    #: the guide says the practitioner would already know, as 4.24 does of a statutory duty)
    ask: bool = True
    #: a rule written with any:/not: whose conditions normalize to several alternatives: each a conjunction
    alternatives: tuple[tuple[Condition, ...], ...] = ()
    #: a rule written with any:/not:: its ``when`` as written, one line (for display); "" otherwise
    written: str = ""

    @property
    def disjuncts(self) -> tuple[tuple[Condition, ...], ...]:
        """Where the rule fires, exactly: it fires where every condition of one of these holds."""
        return self.alternatives or (self.when,)

    def held(self, values: Mapping[str, str]) -> tuple[Condition, ...]:
        """The conditions that held for a rule that fired on ``values``: the first alternative that holds."""
        for alternative in self.disjuncts:
            if all(values.get(c.fact) in c.values for c in alternative):
                return alternative
        return self.when

    @property
    def asserts(self) -> tuple[str, str]:
        """The fact this rule adds when it fires, as the engines see it."""
        return engine_fact(self.kind, self.name, self.value)


def engine_fact(kind: str, name: str, value: str = "yes") -> tuple[str, str]:
    if kind == "conclude":
        return name, value
    return f"{'candidate' if kind == 'verdict' else kind}.{name}", "yes"


@attrs.frozen
class LocalChange:
    """A local protocol's change to a rule of the ruleset it extends: ``disable`` or ``replace``, with why."""

    action: str
    rule: str
    reason: str
    cites: tuple[str, ...]  # the protocol's own paragraphs


@attrs.frozen
class Weakening:
    """A change a local protocol declares may weaken the national guide (``what``: ``verdict_precedence``,
    a rule id, or ``doubt:<fact>``), with the reason and the protocol's own paragraphs."""

    what: str
    reason: str
    cites: tuple[str, ...]


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
    precedence_statement: str
    precedence_cites: tuple[str, ...]
    paragraphs: Mapping[str, Paragraph]
    conclusions: Mapping[str, ConclusionSpec]
    obligations: Mapping[str, ObligationSpec]
    doubts: tuple[Doubt, ...]
    rules: tuple[Rule, ...]
    #: conclusions in the order they are settled: ``closing[k]`` are those no rule of a stratum after k concludes
    closing: tuple[tuple[str, ...], ...]
    #: the input facts (as rules test them) some rule or doubt tests: the only ones a question can be about
    tested: frozenset[str]
    #: the date from which this version applies (ISO 8601, YYYY-MM-DD), or "" when not declared
    effective_from: str = ""
    #: paragraphs that state what to do: each should be cited by some rule (``infoshare check``)
    normative: tuple[str, ...] = ()
    #: a local protocol's disabled and replaced rules of the ruleset it extends
    local_changes: tuple[LocalChange, ...] = ()
    #: a local protocol's declared weakenings of the ruleset it extends
    weakens: tuple[Weakening, ...] = ()
    #: the fact vocabulary its rules and cases are stated in: the national ``facts.yaml``, plus a local
    #: protocol's own (group ``local``)
    vocabulary: Vocabulary = VOCABULARY
    #: every name rules may test that a case states (national and ``local.*``), as ``FACT_SPECS``
    fact_specs: Mapping[str, FactSpec] = FACT_SPECS
    #: every fact a caller can give (national and ``local.*``), in the order questions take them
    input_specs: Mapping[str, InputSpec] = INPUT_SPECS
    #: the local protocol's own facts, ``local.<name>``, in declaration order
    local_facts: tuple[str, ...] = ()

    @property
    def facts(self) -> Vocabulary:
        """The fact vocabulary its rules and cases are stated in (see ``vocabulary``)."""
        return self.vocabulary

    def flat(self, facts: CaseFacts) -> dict[str, str]:
        """The facts as the flat map its rules test, its own ``local.*`` facts included (unknown where not given).

        A local fact this ruleset does not declare, or a value its value set lacks, raises
        :class:`FactsError` at ``$.local.<name>``.
        """
        self.check_local(facts)
        return flatten(facts, self.local_facts)

    def own_facts(self, facts: CaseFacts) -> CaseFacts:
        """``facts`` without the local facts this ruleset does not declare (to it they are unknown).

        How analysis decides a protocol's case under the ruleset it extends (``check``, ``diff``):
        ``decide()`` itself refuses an undeclared local fact rather than ignore a misspelt one.
        """
        kept = {name: value for name, value in facts.local.items() if LOCAL_PREFIX + name in self.fact_specs}
        return facts if len(kept) == len(facts.local) else attrs.evolve(facts, local=kept)

    def check_local(self, facts: CaseFacts) -> None:
        """``FactsError`` for a local fact of ``facts`` this ruleset does not declare or a value it does not allow."""
        for name, value in facts.local.items():
            spec = self.fact_specs.get(LOCAL_PREFIX + name)
            if spec is None:
                known = [n[len(LOCAL_PREFIX):] for n in self.local_facts]
                expected = f"one of {', '.join(known)}" if known else f"no local facts: ruleset {self.id} declares none"
                raise FactsError(f"$.local.{name}", "unknown fact", expected=expected, suggestion=suggest(name, known))
            if value not in spec.values:
                raise FactsError(f"$.local.{name}", "not an allowed value", expected=list(spec.values), got=value, suggestion=suggest(value, spec.values))

    @property
    def publication_reference(self) -> str:
        return str(self.source.get("reference", ""))

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)
