"""Two rulesets compared: what was edited (structural) and, exactly, every complete case they decide differently.

The behavioural part is complete over the *complete cases* of both rulesets (``complete.py``): every
fact either ruleset tests is known, except a fact a presumption of each side that tests it fills,
left unknown where one of those presumptions fires (each side's own presumptions decide where), and
a direct answer left unknown where each side's finer facts derive it. On
such a case decide() means the plain semantics on both sides, so each region where the verdict or the
obligations differ is a set of complete cases, counted exactly and shown with a witness (as few
facts known as a complete case allows), run through decide() on both sides. When no region
differs, that is a proof the two rulesets decide every complete case alike. A case complete for
one side only (one side leaves a fact to a presumption where the other asks it) is not compared:
how many there are is reported (``one_sided``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import attrs

from ..cases.suite import discover, load_case_file
from ..decision.cases import lent
from ..decision.decide import decide
from ..errors import AnalysisBudgetError, FactsError, RulesetConflictError
from ..ruleset.model import Rule, Ruleset
from .complete import complete_cases
from .outcome import CONTRADICTORY_FACTS, RULESET_CONFLICT, Outcome, outcome_of
from ..semantics.regions import Semantics, analysed_facts, analysed_specs
from ..semantics.budget import Budget, without_diagrams
from ..semantics.space import BDD, InputSpace


@attrs.frozen
class RuleChange:
    rule: str
    what: tuple[str, ...]  # which parts changed: conditions, conclusion, cites, statement, presumption
    before: Rule | None = attrs.field(eq=False, repr=False)
    after: Rule | None = attrs.field(eq=False, repr=False)


@attrs.frozen
class StructuralDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[RuleChange, ...]
    presumptions_changed: tuple[str, ...]
    precedence: tuple[tuple[str, ...], tuple[str, ...]] | None  # (before, after) when it changed
    doubts_changed: tuple[str, ...]
    obligations_changed: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.precedence or self.doubts_changed or self.obligations_changed)


@attrs.frozen
class Region:
    """Complete cases where A and B differ in one way, how many there are, and a minimal witness decided on both."""

    kind: str  # "verdict", "obligation_gained", "obligation_lost"
    before: str  # the verdict (or error) in A; for obligations, the obligation id
    after: str  # the verdict (or error) in B; for obligations, the obligation id
    count: int
    witness: dict[str, str]
    outcome_a: Outcome
    outcome_b: Outcome


@attrs.frozen
class CaseFlip:
    name: str
    file: str
    before: str
    after: str
    obligations_gained: tuple[str, ...]
    obligations_lost: tuple[str, ...]


@attrs.frozen
class RulesetDiff:
    a: Ruleset = attrs.field(repr=False)
    b: Ruleset = attrs.field(repr=False)
    structural: StructuralDiff
    regions: tuple[Region, ...]
    total: int  # complete cases compared (complete for both; of the facts either ruleset tests)
    facts: tuple[str, ...]
    same: int  # complete cases on which A and B decide alike (verdict and obligations)
    cases: tuple[CaseFlip, ...] | None = None  # --cases: the suite's cases decided differently
    cases_run: int = 0
    one_sided: int = 0  # cases complete for one ruleset only (a presumption of one fills a fact both test, the other asks it): not compared

    @property
    def behaviour_changed(self) -> bool:
        return bool(self.regions)


# ---------------------------------------------------------------- structural


def _rule_key(rule: Rule) -> dict[str, object]:
    return {
        # every alternative (the one ``when``, for a rule of plain fact tests): two rules written with any:/not:
        # can share a projection (``when``) and still fire in different places
        "conditions": tuple(
            sorted(tuple((c.fact, tuple(sorted(c.values))) for c in sorted(alternative, key=lambda c: c.fact)) for alternative in rule.disjuncts)
        ),
        "conclusion": (rule.kind, rule.name, rule.value),
        "cites": rule.cites,
        "statement": " ".join(rule.statement.split()),
        "presumption": (rule.presumes, " ".join(rule.wording.split())),
    }


def structural_diff(a: Ruleset, b: Ruleset) -> StructuralDiff:
    ra = {r.id: r for r in a.rules}
    rb = {r.id: r for r in b.rules}
    changed = []
    for rule_id in ra:
        if rule_id in rb:
            ka, kb = _rule_key(ra[rule_id]), _rule_key(rb[rule_id])
            what = tuple(k for k in ka if ka[k] != kb[k])
            if what:
                changed.append(RuleChange(rule_id, what, ra[rule_id], rb[rule_id]))
    presumed = {r.id for r in (*a.rules, *b.rules) if r.presumes}
    presumptions_changed = tuple(
        sorted(
            i
            for i in presumed
            if i not in ra or i not in rb or _rule_key(ra[i]) != _rule_key(rb[i])
        )
    )
    da = {(d.fact, d.value): d for d in a.doubts}
    db = {(d.fact, d.value): d for d in b.doubts}
    doubts = sorted(f"{k[0]}={k[1]}" for k in set(da) | set(db) if da.get(k) != db.get(k))
    obligations = sorted(k for k in set(a.obligations) | set(b.obligations) if a.obligations.get(k) != b.obligations.get(k))
    pa, pb = tuple(v.value for v in a.precedence), tuple(v.value for v in b.precedence)
    return StructuralDiff(
        added=tuple(i for i in rb if i not in ra),
        removed=tuple(i for i in ra if i not in rb),
        changed=tuple(changed),
        presumptions_changed=presumptions_changed,
        precedence=(pa, pb) if pa != pb else None,
        doubts_changed=tuple(doubts),
        obligations_changed=tuple(obligations),
    )


# ---------------------------------------------------------------- behavioural


def _outcomes(model: Semantics, compared: BDD) -> dict[str, BDD]:
    """What the ruleset decides on each of the ``compared`` cases (complete cases: decide() means this)."""
    out = {v.value: r & compared for v, r in model.final.items()}
    out[CONTRADICTORY_FACTS] = model.contradictory & compared
    out[RULESET_CONFLICT] = model.errors & ~model.contradictory & compared
    return out


def diff_rulesets(a: Ruleset, b: Ruleset, *, cases: Iterable[str | Path] | None = None, budget: float | None = None) -> RulesetDiff:
    """Compare A and B: structure, every behavioural difference on complete cases (exact), and optionally a case suite.

    ``budget``: CPU seconds the exact analysis may take (None: no limit); past it, AnalysisBudgetError, checked
    between diagram operations (see semantics/budget.py). Deciding ``cases`` is not counted.
    """
    try:
        return _diff(a, b, cases, budget)
    except AnalysisBudgetError as exc:
        gave_up = without_diagrams(exc)
    raise gave_up


def _diff(a: Ruleset, b: Ruleset, cases: Iterable[str | Path] | None, budget: float | None) -> RulesetDiff:
    spent = Budget(budget, [(a.id, len(a.rules)), (b.id, len(b.rules))])  # None: no limit
    space = InputSpace(analysed_facts([a, b]), analysed_specs([a, b]))
    space.bound_cache()  # a large ruleset's analysis: half the memory, the same time
    ma, mb = Semantics(a, space, budget=spent), Semantics(b, space, budget=spent)
    spent.spend("the complete cases")
    # each side's complete cases, by its own presumptions, over the facts it tests
    fa, fb = analysed_facts([a]), analysed_facts([b])
    shared = [f for f in fa if f in set(fb)]
    only_a, only_b = [f for f in fa if f not in shared], [f for f in fb if f not in shared]
    compared = complete_cases(ma, fa) & complete_cases(mb, fb)
    # complete for one side and not the other on a fact both test (the rest complete for the side testing it)
    sa, sb = complete_cases(ma, shared), complete_cases(mb, shared)
    one_sided = ((sa & ~sb) | (sb & ~sa)) & complete_cases(ma, only_a) & complete_cases(mb, only_b)
    with lent([ma, mb]):  # each witness is decided with these regions, not a second build of them
        oa, ob = _outcomes(ma, compared), _outcomes(mb, compared)
        regions: list[Region] = []
        differ = space.false
        for va, ra in oa.items():
            if va in ob and ra & ~ob[va] == space.false:
                continue  # B decides alike wherever A gives va (each side's outcomes partition the cases compared)
            for vb, rb in ob.items():
                if va == vb:
                    continue
                spent.spend("the verdict regions")
                region = ra & rb
                if region == space.false:
                    continue
                differ |= region
                regions.append(_region(space, "verdict", va, vb, region, a, b))
        ok = ma.ok & mb.ok & compared
        for name in sorted(set(ma.obligations) | set(mb.obligations)):
            in_a = ma.obligations.get(name, space.false)
            in_b = mb.obligations.get(name, space.false)
            if in_a == in_b:
                continue  # raised on the same inputs by both
            spent.spend("the obligation regions")
            for kind, region in (("obligation_gained", in_b & ~in_a & ok), ("obligation_lost", in_a & ~in_b & ok)):
                if region != space.false:  # ok is within the domain
                    differ |= region
                    regions.append(_region(space, kind, name, name, region, a, b))
    spent.spend("the counts")
    total = space.count(compared)
    flips, run = _case_flips(cases, a, b) if cases is not None else (None, 0)
    return RulesetDiff(
        a, b, structural_diff(a, b), tuple(regions), total, space.facts, total - space.count(differ), flips, run, space.count(one_sided)
    )


def _region(space: InputSpace, kind: str, before: str, after: str, region: BDD, a: Ruleset, b: Ruleset) -> Region:
    witness = space.witness(region)
    assert witness is not None
    return Region(kind, before, after, space.count(region), witness, outcome_of(witness, a), outcome_of(witness, b))


def _case_flips(paths: Iterable[str | Path], a: Ruleset, b: Ruleset) -> tuple[tuple[CaseFlip, ...], int]:
    flips = []
    run = 0
    for path in discover(list(paths)):
        for case in load_case_file(path).cases:
            run += 1
            before, after = _decide_case(case.facts, a), _decide_case(case.facts, b)
            if before != after:
                flips.append(
                    CaseFlip(
                        case.name,
                        case.file,
                        before[0],
                        after[0],
                        tuple(sorted(set(after[1]) - set(before[1]))),
                        tuple(sorted(set(before[1]) - set(after[1]))),
                    )
                )
    return tuple(flips), run


def _decide_case(facts, ruleset: Ruleset) -> tuple[str, tuple[str, ...]]:  # type: ignore[no-untyped-def]
    try:
        decision = decide(ruleset.own_facts(facts), ruleset=ruleset)  # a protocol's own facts are unknown to the ruleset it extends
    except FactsError:
        return CONTRADICTORY_FACTS, ()
    except RulesetConflictError:
        return RULESET_CONFLICT, ()
    return decision.verdict.value, tuple(o.id for o in decision.obligations)


def witness_holds(region: Region) -> bool:
    """Whether decide() on the witness really gives the two different results the region shows."""
    if region.kind == "verdict":
        return region.outcome_a.verdict == region.before and region.outcome_b.verdict == region.after
    if region.kind == "obligation_gained":
        return region.before not in region.outcome_a.obligations and region.after in region.outcome_b.obligations
    return region.before in region.outcome_a.obligations and region.after not in region.outcome_b.obligations

