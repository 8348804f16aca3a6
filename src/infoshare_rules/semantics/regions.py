"""A ruleset's decision semantics as Boolean functions of the inputs, over a whole input space.

The conclusion graph is acyclic, so every conclusion value is a plain function of the inputs:
``X = v`` holds exactly where some rule concluding it can fire, and ``X`` is undetermined where no
rule concluding it can. A rule fires where every condition of one of its alternatives holds (one
alternative, its ``when``, unless it is written with ``any:``/``not:``). Two rules reaching different
values of one conclusion is an error: a contradiction in the caller's facts when one of them is a
stated answer (FactsError), a ruleset conflict otherwise (RulesetConflictError). The verdict, the
doubts and the obligations follow decide()'s stages 4-6 (see decision/decide.py).
"""

from __future__ import annotations

from typing import Iterable

import attrs

from ..errors import RulesetError, describe_name
from ..facts.model import FactSpec
from ..ruleset.model import STATED, UNDETERMINED, VERDICT_FACT, Rule, Ruleset
from ..ruleset.verdict import Verdict
from .budget import UNLIMITED, Budget
from .space import BDD, InputSpace


class CyclicConclusions(Exception):
    """The conclusion graph has a cycle: the stratified semantics is not a plain function of the inputs."""

    def __init__(self, cycle: tuple[str, ...]) -> None:
        super().__init__(" -> ".join(cycle))
        self.cycle = cycle


@attrs.frozen
class Clash:
    """Two rules that can both fire and conclude different values of ``conclusion``, and where."""

    conclusion: str
    first: Rule
    second: Rule
    region: BDD = attrs.field(eq=False, repr=False)

    @property
    def stated(self) -> bool:
        return STATED in (self.first.origin, self.second.origin)


def analysed_facts(rulesets: Iterable[Ruleset]) -> list[str]:
    """The input facts the rulesets test, in the order the facts are declared (flowchart order, a protocol's own last)."""
    rulesets = list(rulesets)
    tested = set().union(*(r.tested for r in rulesets))
    return [name for name in analysed_specs(rulesets) if name in tested]


def analysed_specs(rulesets: Iterable[Ruleset]) -> dict[str, FactSpec]:
    """Every fact the rulesets declare (the national ones and each protocol's ``local.*``), for ``InputSpace``.

    Two rulesets declaring one local fact with different values cannot share an input space: a
    ``RulesetError`` names the fact and both rulesets.
    """
    specs: dict[str, FactSpec] = {}
    owner: dict[str, str] = {}
    for ruleset in rulesets:
        for name, spec in ruleset.fact_specs.items():
            if name in specs and specs[name].values != spec.values:
                raise RulesetError(
                    f"fact {name} has the values {', '.join(specs[name].values)} in ruleset {owner[name]} but "
                    f"{', '.join(spec.values)} in ruleset {ruleset.id}: rulesets compared must agree on the values of a fact",
                    file=f"{ruleset.path.name}/facts.yaml",
                )
            specs.setdefault(name, spec)
            owner.setdefault(name, ruleset.id)
    return specs


def find_cycle(ruleset: Ruleset) -> tuple[str, ...] | None:
    """A cycle of conclusions each read by a rule concluding the next, or None."""
    reads: dict[str, set[str]] = {}
    for rule in ruleset.rules:
        if rule.kind == "conclude":
            reads.setdefault(rule.name, set()).update(c.fact for c in rule.when if c.fact in ruleset.conclusions)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> tuple[str, ...] | None:
        state[name] = 1
        stack.append(name)
        for nxt in sorted(reads.get(name, ())):
            if state.get(nxt) == 1:
                return tuple(stack[stack.index(nxt):]) + (nxt,)
            if state.get(nxt) is None:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[name] = 2
        return None

    for name in ruleset.conclusions:
        if state.get(name) is None:
            found = visit(name)
            if found:
                return found
    return None


class Semantics:
    """One ruleset's conclusions, errors, verdicts and obligations as regions of an input space."""

    def __init__(self, ruleset: Ruleset, space: InputSpace, *, budget: Budget = UNLIMITED) -> None:
        """``budget``: given up with AnalysisBudgetError once spent (checked between diagram operations)."""
        cycle = find_cycle(ruleset)
        if cycle:
            raise CyclicConclusions(cycle)
        who = describe_name(ruleset.id)  # for the budget's stage: how far the analysis got
        self.ruleset = ruleset
        self.space = space
        false = space.false
        #: where each conclusion value holds (X = v), before errors are taken out
        self.holds: dict[tuple[str, str], BDD] = {}
        #: where each rule fires
        self.fires: dict[int, BDD] = {}
        self.verdict: dict[Verdict, BDD] = {}
        first = [r for r in ruleset.rules if not any(c.fact == VERDICT_FACT for c in r.when)]
        late = [r for r in ruleset.rules if any(c.fact == VERDICT_FACT for c in r.when)]
        for n, rule in enumerate(_topological(first)):
            budget.spend(f"the conclusion and verdict rules of ruleset {who} ({n} of {len(first)})")
            self._fire(rule, None)
        self.clashes: list[Clash] = []
        stage = f"the conflicts of ruleset {who}"
        for name in ruleset.conclusions:
            producers = [r for r in first if r.kind == "conclude" and r.name == name]
            for i, a in enumerate(producers):
                for b in producers[i + 1 :]:
                    if a.value != b.value:
                        budget.spend(stage)
                        both = self.fires[a.index] & self.fires[b.index]
                        if both & space.domain != false:
                            self.clashes.append(Clash(name, a, b, both))
        #: inputs that contradict themselves (a stated answer against the finer facts): FactsError
        self.contradictory = false
        #: inputs on which two derived rules conflict: RulesetConflictError
        self.conflicting = false
        for clash in self.clashes:
            if clash.stated:
                budget.spend(stage)
                self.contradictory |= clash.region
        # On contradictory inputs the values downstream are meaningless (decide() stops with FactsError):
        # a ruleset conflict is one reached from facts that do not contradict themselves.
        kept = []
        for c in self.clashes:
            budget.spend(stage)
            c = c if c.stated else attrs.evolve(c, region=c.region & ~self.contradictory)
            if c.region & space.domain != false:
                kept.append(c)
        self.clashes = kept
        for clash in self.clashes:
            if not clash.stated:
                budget.spend(stage)
                self.conflicting |= clash.region
        stage = f"the verdicts of ruleset {who} (stage 4, precedence)"
        candidates = {}
        for v in ruleset.precedence:
            candidates[v] = self._candidate(v, budget, stage)
        # Stage 4: the first candidate in precedence; undetermined where none.
        taken = false
        self.base: dict[Verdict, BDD] = {}
        for v in ruleset.precedence:
            budget.spend(stage)
            self.base[v] = candidates[v] & ~taken
            taken |= candidates[v]
        self.base[Verdict.UNDETERMINED] = ~taken
        # Stage 5: a decisive doubt makes the verdict seek_advice.
        self.doubt_decisive: list[BDD] = []
        decisive = false
        doubt_errors = false
        stage = f"the doubts of ruleset {who} (stage 5)"
        for doubt in ruleset.doubts:
            budget.spend(stage)
            here = space.eq(doubt.fact, doubt.value) if doubt.fact in space.values else false
            if doubt.between:
                # The base verdicts partition every input (each is its candidate minus those before it,
                # undetermined the rest), so two valid outcomes differ exactly where some verdict holds
                # in one and not in the other: len(base) operations per pair of values, not len(base)^2.
                outcomes = []
                for value in doubt.between:
                    budget.spend(stage)
                    valid = ~space.substitute(self.contradictory, doubt.fact, value)
                    doubt_errors |= here & valid & space.substitute(self.conflicting, doubt.fact, value)
                    substituted = []
                    for region in self.base.values():
                        budget.spend(stage)
                        substituted.append(space.substitute(region, doubt.fact, value))
                    outcomes.append((valid, substituted))
                differ = false
                for i, (valid_one, one) in enumerate(outcomes):
                    for valid_second, second in outcomes[i + 1 :]:
                        changed = false
                        for ra, rb in zip(one, second):
                            budget.spend(stage)
                            changed |= ra & ~rb
                        differ |= valid_one & valid_second & changed
                this = here & differ
            else:
                this = here & self.base[Verdict.UNDETERMINED]
            self.doubt_decisive.append(this)
            decisive |= this
        self.errors = (self.contradictory | self.conflicting | doubt_errors) & space.domain
        #: the inputs decide() answers without raising
        self.ok = space.domain & ~self.errors
        self.final: dict[Verdict, BDD] = {}
        for v, region in self.base.items():
            budget.spend(stage)
            self.final[v] = region & ~decisive & self.ok
        self.final[Verdict.SEEK_ADVICE] = (self.base.get(Verdict.SEEK_ADVICE, false) | decisive) & self.ok
        # Stage 6: rules reading the verdict, which raise obligations.
        for n, rule in enumerate(late):
            budget.spend(f"the obligations of ruleset {who} (stage 6, {n} of {len(late)} rules)")
            self._fire(rule, self.final)
        self.obligations: dict[str, BDD] = {}
        for rule in ruleset.rules:
            if rule.kind == "obligation":
                raised = self.fires[rule.index]
                if not all(any(c.fact == VERDICT_FACT for c in alternative) for alternative in rule.disjuncts):
                    raised &= self.ok  # (reading the verdict, it fires within the final verdicts: within ok already)
                self.obligations[rule.name] = self.obligations.get(rule.name, false) | raised

    def _value(self, name: str, value: str) -> BDD:
        if value == UNDETERMINED:
            reached = self.space.false
            for v in self.ruleset.conclusions[name].values:
                reached |= self.holds.get((name, v), self.space.false)
            return ~reached
        return self.holds.get((name, value), self.space.false)

    def condition(self, fact: str, values: tuple[str, ...], verdicts: dict[Verdict, BDD] | None) -> BDD:
        space = self.space
        if fact == VERDICT_FACT:
            assert verdicts is not None
            found = space.false
            for v in values:
                found |= verdicts.get(Verdict(v), space.false)
            return found
        if fact in self.ruleset.conclusions:
            found = space.false
            for v in values:
                found |= self._value(fact, v)
            return found
        return space.any_of(fact, values)

    def _fire(self, rule: Rule, verdicts: dict[Verdict, BDD] | None) -> None:
        region = self.space.false
        for alternative in rule.disjuncts:
            holds = self.space.true
            for cond in alternative:
                holds &= self.condition(cond.fact, cond.values, verdicts)
            region |= holds
        self.fires[rule.index] = region
        if rule.kind == "conclude":
            key = (rule.name, rule.value)
            self.holds[key] = self.holds.get(key, self.space.false) | region

    def _candidate(self, verdict: Verdict, budget: Budget = UNLIMITED, stage: str = "") -> BDD:
        found = self.space.false
        for rule in self.ruleset.rules:
            if rule.kind == "verdict" and rule.name == verdict.value:
                budget.spend(stage)
                found |= self.fires[rule.index]
        return found

    def conclusion_values(self, name: str) -> dict[str, BDD]:
        """Where each value of a conclusion is reached (undetermined included), on error-free inputs."""
        spec = self.ruleset.conclusions[name]
        return {v: self._value(name, v) & self.ok for v in (*spec.values, UNDETERMINED)}


def _topological(rules: list[Rule]) -> list[Rule]:
    """Rules after every rule concluding what they read (the conclusion graph is acyclic)."""
    producers: dict[str, list[Rule]] = {}
    for rule in rules:
        producers.setdefault(rule.asserts[0], []).append(rule)
    order: list[Rule] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        done.add(name)
        for rule in producers.get(name, ()):
            for cond in rule.when:
                if cond.fact in producers:
                    visit(cond.fact)
        order.extend(producers.get(name, ()))

    for rule in rules:
        visit(rule.asserts[0])
    return order


def presumed_where(model: Semantics) -> dict[str, BDD]:
    """For each fact (of the model's space) a presumption of its ruleset fills: where one of them fires."""
    space = model.space
    fires: dict[str, BDD] = {}
    for rule in model.ruleset.rules:
        for fact, _value in rule.presumes:
            if fact in space.values:
                fires[fact] = fires.get(fact, space.false) | model.fires[rule.index]
    return fires


def derived_where(model: Semantics) -> dict[str, BDD]:
    """For each direct answer (a conclusion's ``stated_by`` fact, of the model's space): where the finer facts derive it."""
    space = model.space
    rules = model.ruleset
    derived: dict[str, BDD] = {}
    for name, spec in rules.conclusions.items():
        if spec.stated_by and spec.stated_by in space.values:
            found = space.false
            for rule in rules.rules:
                if rule.kind == "conclude" and rule.name == name and rule.origin != STATED:
                    found |= model.fires[rule.index]
            derived[spec.stated_by] = derived.get(spec.stated_by, space.false) | found
    return derived
