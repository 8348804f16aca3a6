"""Stage 7 of a decision: the unknown facts worth asking, in the order a practitioner meets them.

Which facts: exactly those the case's completions say are decisive (``cases.py``): some answer to
the fact, alone or together with answers to other unknown facts, changes the verdict; for a fact a
presumption fills, some answer to it changes the verdict the presumption gave. Nothing else is
asked. A presumption marked ``ask: false`` (4.24: "where they apply you will know or be told about
them") keeps its fact unasked: the practitioner says so, as they say they are in doubt (doubt about
what to do is a fact the rules do not test; it decides an open case: seek advice).

In what order: the flowchart's own (direct) questions first, in the flowchart's order, so that after
a direct answer the next direct question follows; then the finer facts, step by step. Once a concern
about significant harm is stated, the safety questions of 3.18 and 4.22 (would seeking consent or
discussing it with the family increase the risk, or interfere with an investigation?) come before
the other consent details, since they decide whether consent may be sought at all. Within a step, facts a
presumption fills come after the others, in declaration order, except that such a fact whose presumptions
read another question of its step comes just before that question (its answer makes the presumption moot).
"""

from __future__ import annotations

import threading
from typing import AbstractSet, Mapping

from ..facts.model import INPUT_SPECS, InputSpec
from ..ruleset.model import Ruleset
from .model import AnswerOption, Question

#: the input fact asking each tested name (``child.age_band`` is asked as ``child.age``)
ASKED_BY = {spec.tests: spec.name for spec in INPUT_SPECS.values()}
_ORDER = {name: n for n, name in enumerate(INPUT_SPECS)}

#: a stated concern about significant harm (3.18): the facts and the values that state it
HARM_STATED = {
    "harm.child": frozenset({"evidence", "reasonable_cause", "unsure"}),
    "harm.child_may_cause_serious_harm_to_others": frozenset({"evidence", "reasonable_cause", "unsure"}),
    "harm.sharing_prevents_significant_harm_to_child": frozenset({"yes"}),
    "harm.adult_at_risk_of_serious_harm": frozenset({"yes"}),
    "harm.serious_crime": frozenset({"yes"}),
}
#: the questions of 3.18 and 4.22: whether consent may be sought (or the family told) at all
SAFETY = frozenset(
    {"consent.good_reason_not_to_seek", *(name for name in INPUT_SPECS if name.startswith("seeking_consent_would."))}
)


def harm_stated(inputs: Mapping[str, str]) -> bool:
    return any(inputs.get(fact) in values for fact, values in HARM_STATED.items())


def presumption_reads(rules: Ruleset) -> dict[str, frozenset[str]]:
    """For each fact a presumption fills: the other input facts (as asked) its presumptions read."""
    found = _reads.get(rules.hash)
    if found is None:
        reads: dict[str, set[str]] = {}
        for rule in rules.rules:
            for fact, _ in rule.presumes:
                asked = ASKED_BY.get(fact, fact)
                read = (ASKED_BY.get(c.fact, c.fact) for c in rule.when if c.fact in ASKED_BY or c.fact in rules.input_specs)
                reads.setdefault(asked, set()).update(r for r in read if r != asked)
        found = _reads[rules.hash] = {fact: frozenset(r) for fact, r in reads.items()}
    return found


_reads: dict[str, dict[str, frozenset[str]]] = {}


def ordered(
    decisive: AbstractSet[str],
    inputs: Mapping[str, str],
    presumed: AbstractSet[str],
    silent: AbstractSet[str],
    reads: Mapping[str, AbstractSet[str]] | None = None,
    specs: Mapping[str, InputSpec] = INPUT_SPECS,
) -> tuple[Question, ...]:
    """The questions for the decisive facts (as rules test them), in the order described above.

    ``reads``: for each fact a presumption fills, the facts its presumptions read (``presumption_reads``).
    ``specs``: the ruleset's facts (``Ruleset.input_specs``): a local protocol's own come after the
    national ones of their step, in declaration order.
    """
    safety_first = harm_stated(inputs)
    names = {ASKED_BY.get(f, f) for f in decisive if f in ASKED_BY or f in specs} - set(silent)
    reads = reads or {}

    def order(name: str) -> float:
        found = _ORDER.get(name)
        return float(found) if found is not None else float(len(_ORDER) + list(specs).index(name))

    def key(name: str) -> tuple[bool, float, bool, float]:
        spec = specs[name]
        step = spec.step - 0.5 if safety_first and name in SAFETY and not spec.direct else float(spec.step)
        # a fact a presumption fills, whose presumptions read another question of its step, is asked just before that
        # question: its answer settles what the presumption would have taken from it (child.competence
        # before child.age: a child judged not competent needs no age for 4.16-4.17)
        within = [order(q) for q in reads.get(name, ()) if q in names and specs[q].step == spec.step and specs[q].direct == spec.direct]
        if within:
            return (not spec.direct, step, False, min(within) - 0.5)
        return (not spec.direct, step, name in presumed, order(name))

    return tuple(question(specs[name]) for name in sorted(names, key=key))


_questions: dict[InputSpec, Question] = {}
_questions_lock = threading.Lock()


def question(spec: InputSpec) -> Question:
    """The question asking for one fact, built once and shared (questions are immutable)."""
    made = _questions.get(spec)  # by spec, not name: two protocols may word one local fact differently
    if made is None:
        made = Question(
            fact=spec.name,
            text=spec.question,
            cites=spec.cites,
            step=spec.step,
            direct=spec.direct,
            # child.age is answered in years (its bands are only what the rules test): a free answer
            answers=tuple(AnswerOption(v, label) for v, label in spec.answers) if spec.tests == spec.name else (),
        )
        with _questions_lock:
            made = _questions.setdefault(spec, made)
    return made
