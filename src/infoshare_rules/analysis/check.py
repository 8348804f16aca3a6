"""`infoshare check`: is a ruleset sound for every possible case? Every finding, each with a witness.

Findings: two derived rules concluding contradictory values on some input (a run-time
RulesetConflictError); rules that can never fire; conclusion values and obligations nothing can
reach; cycles in the conclusion graph; normative paragraphs no rule cites; and, for a local
protocol, every complete case where the national must_share becomes something else (declared or not).
For the record, the exact number of complete cases leading to each verdict.

The verdict regions (the counts, and must_share weakened) are over *complete cases* (``complete.py``):
every fact the rules test known, except a fact a presumption fills, which may be left unknown where one
of its presumptions fires (its default standing), and a direct answer, which may be left unknown where
the finer facts derive it. On those, what the regions say is what decide() says
(its completions of such a case are the case itself), and each witness is run through decide().
The other findings (conflicts, rules that never fire, values and obligations never reached) are about
the rules themselves, over every input, unknown included: a conflict's witness is the smallest set of
facts on which the two rules fire, and decide() raises on it.
"""

from __future__ import annotations

import attrs

from ..decision.cases import lent
from ..ruleset.loader import load_ruleset
from ..ruleset.model import STATED, Ruleset
from ..ruleset.verdict import Verdict
from .complete import complete_cases
from .outcome import outcome_of
from ..semantics.regions import CyclicConclusions, Semantics, analysed_facts, analysed_specs, find_cycle
from ..errors import AnalysisBudgetError
from ..semantics.budget import Budget, without_diagrams
from ..semantics.space import BDD, InputSpace


@attrs.frozen
class Finding:
    kind: str  # conflict, rule_never_fires, value_unreachable, obligation_unreachable, cycle, uncited_normative, weakens_must_share, makes_contradictory, precedence_reordered
    message: str
    rules: tuple[str, ...] = ()
    cites: tuple[str, ...] = ()
    witness: dict[str, str] | None = None  # flat known facts; every other fact unknown
    inputs: int | None = None  # how many inputs (complete cases, for weakens_must_share) the finding holds on
    outcome: str = ""  # what decide() does with the witness


@attrs.frozen
class CheckReport:
    ruleset: Ruleset = attrs.field(repr=False)
    findings: tuple[Finding, ...]
    regions: dict[str, int]  # verdict (or contradictory_facts / ruleset_conflict) -> complete cases
    total: int  # complete cases (see complete.py) of the facts tested
    facts: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not self.findings


def check_ruleset(ruleset: Ruleset, *, budget: float | None = None) -> CheckReport:
    """Every finding about ``ruleset``, each with a witness. ``budget``: CPU seconds the exact analysis may take
    (None: no limit); past it, AnalysisBudgetError, checked between diagram operations (see semantics/budget.py)."""
    try:
        return _check(ruleset, budget)
    except AnalysisBudgetError as exc:
        gave_up = without_diagrams(exc)
    raise gave_up


def _check(ruleset: Ruleset, budget: float | None) -> CheckReport:
    findings: list[Finding] = []
    findings += _uncited(ruleset)
    cycle = find_cycle(ruleset)
    if cycle:
        findings.append(Finding("cycle", f"conclusions depend on each other in a cycle: {' -> '.join(cycle)}", rules=()))
        return CheckReport(ruleset, tuple(findings), {}, 0, ())
    base = load_ruleset(ruleset.extends) if ruleset.extends else None
    analysed = [ruleset, *([base] if base else [])]
    spent = Budget(budget, [(r.id, len(r.rules)) for r in analysed])  # None: no limit
    space = InputSpace(analysed_facts(analysed), analysed_specs(analysed))
    space.bound_cache()  # a large ruleset's analysis: half the memory, the same time
    try:
        model = Semantics(ruleset, space, budget=spent)
    except CyclicConclusions as exc:  # pragma: no cover - find_cycle caught it above
        findings.append(Finding("cycle", str(exc)))
        return CheckReport(ruleset, tuple(findings), {}, 0, ())
    with lent([model]):  # each witness is decided with these regions, not a second build of them
        return _analyse(ruleset, base, space, model, findings, spent)


def _analyse(
    ruleset: Ruleset, base: Ruleset | None, space: InputSpace, model: Semantics, findings: list[Finding], budget: Budget
) -> CheckReport:
    for clash in model.clashes:
        budget.spend("the conflicts' witnesses")
        if clash.stated:
            continue  # a stated answer against the finer facts: the caller's contradiction, not the ruleset's
        witness = space.witness(clash.region)
        findings.append(
            Finding(
                "conflict",
                f"rules {clash.first.id!r} ({clash.conclusion} = {clash.first.value}) and {clash.second.id!r} "
                f"({clash.conclusion} = {clash.second.value}) both fire",
                rules=(clash.first.id, clash.second.id),
                cites=tuple(dict.fromkeys(clash.first.cites + clash.second.cites)),
                witness=witness,
                inputs=space.count(clash.region),
                outcome=outcome_of(witness, ruleset).verdict if witness is not None else "",
            )
        )
    usable = space.domain & ~model.contradictory
    budget.spend("the rules that never fire")
    for rule in ruleset.rules:
        if rule.origin == STATED:
            continue
        if model.fires[rule.index] & usable == space.false:
            findings.append(
                Finding("rule_never_fires", f"rule {rule.id!r} can never fire: no case meets all its conditions", rules=(rule.id,), cites=rule.cites)
            )
    for name, spec in ruleset.conclusions.items():
        for value in spec.values:
            producers = tuple(r.id for r in ruleset.rules if r.kind == "conclude" and r.name == name and r.value == value)
            if producers and model.holds.get((name, value), space.false) & usable == space.false:
                findings.append(
                    Finding("value_unreachable", f"conclusion {name} = {value} is never reached", rules=producers)
                )
    for oid in ruleset.obligations:
        if model.obligations.get(oid, space.false) == space.false:
            raisers = tuple(r.id for r in ruleset.rules if r.kind == "obligation" and r.name == oid)
            findings.append(Finding("obligation_unreachable", f"obligation {oid!r} is never raised", rules=raisers))
    budget.spend("the complete cases")
    complete = complete_cases(model)
    if base is not None:
        findings += _weakenings(ruleset, base, model, space, complete, budget)
    budget.spend("the counts of complete cases by verdict")
    regions = {v.value: space.count(model.final[v] & complete) for v in Verdict}
    regions["contradictory_facts"] = space.count(model.contradictory & complete)
    regions["ruleset_conflict"] = space.count(model.errors & ~model.contradictory & complete)
    return CheckReport(ruleset, tuple(findings), regions, space.count(complete), space.facts)


def _uncited(ruleset: Ruleset) -> list[Finding]:
    cited = {c for r in ruleset.rules for c in r.cites} | {c for d in ruleset.doubts for c in d.cites} | set(ruleset.precedence_cites)
    return [
        Finding("uncited_normative", f"normative paragraph {pid} is cited by no rule", cites=(pid,))
        for pid in ruleset.normative
        if pid not in cited
    ]


def _weakenings(ruleset: Ruleset, base: Ruleset, model: Semantics, space: InputSpace, complete: BDD, budget: Budget) -> list[Finding]:
    """``complete``: the protocol's complete cases; compared where they are the national ruleset's too."""
    findings = []
    declared = {w.what: w for w in ruleset.weakens}
    if ruleset.precedence != base.precedence:
        w = declared.get("verdict_precedence")
        findings.append(
            Finding(
                "precedence_reordered",
                f"verdict_precedence reordered: {', '.join(v.value for v in base.precedence)} -> {', '.join(v.value for v in ruleset.precedence)}"
                + (f" (declared: {w.reason})" if w else " (NOT declared)"),
                cites=w.cites if w else (),
            )
        )
    national = Semantics(base, space, budget=budget)
    budget.spend("the cases the protocol makes contradictory")
    both = complete & complete_cases(national)
    reasons = "; ".join(f"{w.what}: {w.reason}" for w in ruleset.weakens)
    # Every case the national ruleset decides that the protocol turns into contradictory facts (a stated
    # answer its stricter rules contradict): decide() refuses them with FactsError under the protocol.
    broken = both & national.ok & model.contradictory
    if broken & space.domain != space.false:
        witness = space.witness(broken)
        assert witness is not None
        findings.append(
            Finding(
                "makes_contradictory",
                f"this protocol makes contradictory facts of cases {base.id} decides: decide() refuses them (FactsError)",
                rules=tuple(sorted({
                    r.id for c in model.clashes if c.stated and (c.region & broken) != space.false for r in (c.first, c.second) if r.origin != "stated"
                })),
                witness=witness,
                inputs=space.count(broken),
                outcome=outcome_of(witness, ruleset).verdict,
            )
        )
    budget.spend("the must_share cases the protocol weakens")
    lost = national.final[Verdict.MUST_SHARE] & ~model.final[Verdict.MUST_SHARE] & both
    if lost & space.domain != space.false:
        # a must_share turned into contradictory facts is a must_share lost too (counted here as well)
        contradictory = space.count(lost & model.contradictory)
        witness = space.witness(lost)
        assert witness is not None
        after = outcome_of(witness, ruleset)
        findings.append(
            Finding(
                "weakens_must_share",
                f"{base.id} says must_share (a statutory duty or court order) where this protocol says otherwise"
                + (f", {contradictory:,} of them by making the facts contradictory" if contradictory else "")
                + (f" (declared: {reasons})" if reasons else " (NOT declared)"),
                rules=tuple(b.rule for b in after.because),
                cites=tuple(c for w in ruleset.weakens for c in w.cites),
                witness=witness,
                inputs=space.count(lost),
                outcome=after.verdict,
            )
        )
    return findings
