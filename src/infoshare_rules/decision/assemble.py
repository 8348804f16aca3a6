"""Assembling a decision's explanation from what fired: the trace, the obligations, the presumptions.

Trace steps, obligations and presumptions are immutable and repeat across decisions: each distinct
one is built once per ruleset and shared.
"""

from __future__ import annotations

import threading
from typing import Callable, Mapping, Sequence

from ..facts.model import UNKNOWN, InputSpec
from ..ruleset.graph import rule_graph
from ..ruleset.model import PRESUMED, STATED, UNDETERMINED, Doubt, Rule, Ruleset, engine_fact
from ..ruleset.verdict import Verdict
from .model import Conclusion, Decision, Obligation, Premise, Presumption, RulesetRef, TraceStep

_KINDS = {STATED: "stated", PRESUMED: "presumed"}

_parts: dict[tuple[object, ...], object] = {}
_parts_lock = threading.Lock()


def _shared(key: tuple[object, ...], make: Callable[[], object]) -> object:
    part = _parts.get(key)
    if part is None:
        made = make()
        with _parts_lock:
            part = _parts.setdefault(key, made)
    return part


class Explanation:
    """What a decision says about why: its trace, obligations, presumptions, and the facts presumed silently."""

    __slots__ = ("trace", "obligations", "presumed", "silent")

    def __init__(
        self, trace: tuple[TraceStep, ...], obligations: tuple[Obligation, ...], presumed: tuple[Presumption, ...], silent: frozenset[str]
    ) -> None:
        self.trace, self.obligations, self.presumed, self.silent = trace, obligations, presumed, silent


def explanation(
    rules: Ruleset,
    verdict: Verdict,
    fired: Sequence[int],
    candidates: Sequence[Verdict],
    late: Sequence[int],
    doubts: Sequence[tuple[Doubt, bool, Verdict]],
    known: Mapping[str, str],
    inputs: Mapping[str, str],
    reasoned: TraceStep | None = None,
) -> Explanation:
    """The trace (in rank order), obligations, presumptions and silent facts of one decision.

    ``fired``: the first-pass rules that fired, ``late``: those that fired once the verdict was known;
    ``candidates``: the verdicts the rules reached, in precedence order; ``doubts``: each doubt held,
    as ``weigh_doubts`` gives it; ``known``: every fact and conclusion's value; ``reasoned``: the step
    deciding by cases, where the completions give a verdict the rules do not reach from the facts as
    given (the trace then keeps everything that fired, which the cases build on).
    """
    ranks = rule_graph(rules).ranks
    late_set = set(late)
    kept = [*fired, *late] if reasoned is not None else support(rules, fired, late, verdict, known)
    ordered = [rules.rules[i] for i in sorted(set(kept), key=ranks.__getitem__)]
    before = [r for r in ordered if r.index not in late_set]
    after = [r for r in ordered if r.index in late_set]
    trace = [_step(rules.hash, r, _read(r, known)) for r in before]
    if len(candidates) > 1:
        trace.append(_precedence_step(rules, tuple(candidates)))
    trace += [_doubt_step(rules, *weighed) for weighed in doubts]
    if reasoned is not None:
        trace.append(reasoned)
    trace += [_step(rules.hash, r, _read(r, known)) for r in after]

    raised: dict[str, list[str]] = {}
    for r in ordered:
        if r.kind == "obligation":
            raised.setdefault(r.name, []).append(r.id)
    obligations = tuple(
        _obligation(rules.hash, spec.id, spec.text, spec.cites, tuple(raised[spec.id])) for spec in rules.obligations.values() if spec.id in raised
    )
    presumed: dict[str, Presumption] = {}
    for r in before:
        for fact, value in r.presumes:
            if inputs.get(fact) == UNKNOWN and fact not in presumed:
                presumed[fact] = Presumption(fact, value, r.id, r.wording, r.cites)
    silent = frozenset(fact for r in before if r.presumes and not r.ask for fact, _ in r.presumes) & set(presumed)
    return Explanation(tuple(trace), obligations, tuple(presumed.values()), silent)


def _read(rule: Rule, known: Mapping[str, str]) -> tuple[str, ...]:
    """The values of the facts a rule reads (``rule.when``); a conclusion not reached reads as undetermined."""
    return tuple(known.get(c.fact, UNDETERMINED) for c in rule.when)


def support(
    rules: Ruleset, fired: Sequence[int], late: Sequence[int], verdict: Verdict, known: Mapping[str, str] | None = None
) -> list[int]:
    """The fired rules that led to the verdict and the obligations: what the trace explains.

    Rules that fired on the way but contributed nothing are left out, so the trace shows what the
    decision rests on; presumptions and obligations are always kept (with what they rest on), so every
    default taken and every duty raised is shown. An undetermined or seek_advice verdict rests on
    everything known so far, so all of it is kept. A rule written with ``any:``/``not:`` rests on the
    alternative that held (given ``known``, every fact's value), not on the others.
    """
    if verdict in (Verdict.UNDETERMINED, Verdict.SEEK_ADVICE):
        return [*fired, *late]
    producers: dict[str, list[int]] = {}
    for i in fired:
        producers.setdefault(rules.rules[i].asserts[0], []).append(i)
    wanted = engine_fact("verdict", verdict.value)[0]
    # Presumptions stay in whatever they fed: a caller must see every default taken on their behalf.
    keep = set(late) | set(producers.get(wanted, ()))
    keep |= {i for i in fired if rules.rules[i].origin == PRESUMED or rules.rules[i].kind == "obligation"}
    todo = list(keep)
    while todo:
        rule = rules.rules[todo.pop()]
        for cond in rule.held(known) if known is not None and rule.alternatives else rule.when:
            for i in producers.get(cond.fact, ()):
                if i not in keep:
                    keep.add(i)
                    todo.append(i)
    return [i for i in [*fired, *late] if i in keep]


def ruleset_ref(rules: Ruleset) -> RulesetRef:
    return _shared(("ref", rules.hash), lambda: RulesetRef(rules.id, rules.version, rules.hash, rules.publication_reference))  # type: ignore[return-value]


def _step(ruleset_hash: str, rule: Rule, values: tuple[str, ...]) -> TraceStep:
    return _shared(  # type: ignore[return-value]
        (ruleset_hash, "rule", rule.index, values),
        lambda: TraceStep(
            rule=rule.id,
            kind=_KINDS.get(rule.origin, "derived"),
            statement=rule.statement,
            cites=rule.cites,
            used=_used(rule, values),
            concluded=Conclusion(rule.kind, rule.name, rule.value),
            source=f"{rule.file}:{rule.line}",
        ),
    )


def _used(rule: Rule, values: tuple[str, ...]) -> tuple[Premise, ...]:
    """The facts a fired rule used, with their values: for a rule written with any:/not:, those of the
    alternative that held (the first that holds, in the order the loader normalized them)."""
    if not rule.alternatives:  # every trace step goes through here: plain rules need no lookup
        return tuple(Premise(c.fact, v) for c, v in zip(rule.when, values, strict=True))
    read = dict(zip((c.fact for c in rule.when), values, strict=True))
    return tuple(Premise(c.fact, read[c.fact]) for c in rule.held(read))


def _precedence_step(rules: Ruleset, candidates: tuple[Verdict, ...]) -> TraceStep:
    chosen = candidates[0]
    return _shared(  # type: ignore[return-value]
        (rules.hash, "precedence", candidates),
        lambda: TraceStep(
            rule="verdict-precedence",
            kind="precedence",
            statement=f"The rules reached {', '.join(v.value for v in candidates)}; {chosen.value} comes first in "
            f"verdict_precedence ({', '.join(v.value for v in rules.precedence)}): {rules.precedence_statement}",
            cites=rules.precedence_cites,
            used=tuple(Premise(f"candidate.{v.value}", "yes") for v in candidates),
            concluded=Conclusion("verdict", chosen.value, "yes"),
            source=f"{rules.path.name}/ruleset.yaml",
        ),
    )


def _doubt_step(rules: Ruleset, doubt: Doubt, decisive: bool, verdict: Verdict) -> TraceStep:
    """A doubt weighed against ``verdict`` (the rules' verdict, or seek_advice if an earlier doubt was decisive)."""
    if doubt.between:
        verb = "would differ between" if decisive else "is the same whether"
        why = f"the verdict {verb} {(' and ' if decisive else ' or ').join(doubt.between)}"
    else:
        why = "the facts leave the decision open" if decisive else f"the facts settle the decision ({verdict.value})"
    value = "decisive" if decisive else "not_decisive"
    return _shared(  # type: ignore[return-value]
        (rules.hash, "doubt", doubt.fact, value, why),
        lambda: TraceStep(
            rule=f"doubt:{doubt.fact}",
            kind="doubt",
            statement=f"{doubt.statement} Here {why}.",
            cites=doubt.cites,
            used=(Premise(doubt.fact, doubt.value),),
            concluded=Conclusion("verdict" if decisive else "conclude", "seek_advice" if decisive else "doubt", "yes" if decisive else value),
            source=f"{rules.path.name}/ruleset.yaml",
        ),
    )


def _obligation(ruleset_hash: str, oid: str, text: str, cites: tuple[str, ...], raised_by: tuple[str, ...]) -> Obligation:
    return _shared(("obligation", ruleset_hash, oid, raised_by), lambda: Obligation(oid, text, cites, raised_by))  # type: ignore[return-value]


def cases_step(
    rules: Ruleset,
    verdict: Verdict,
    splits: tuple[tuple[InputSpec, tuple[tuple[str, Decision], ...]], ...],
    reachable: tuple[Verdict, ...],
    count: int,
) -> TraceStep:
    """The step deciding a case by its completions (decision/cases.py), in the guide's terms.

    ``splits``: an unknown fact and, for each of its answers consistent with the facts given, the
    decision the rules reach with it; ``count``: otherwise, how many completions were checked.
    ``reachable``: the verdicts the completions give (more than one: the case is open).
    """
    cites: dict[str, None] = {}
    used: tuple[Premise, ...] = ()
    if len(reachable) > 1:
        statement = (
            "The facts given leave the verdict open: answers to the facts not yet known lead to "
            + " or ".join(v.value for v in reachable)
            + "."
        )
        if verdict is Verdict.SEEK_ADVICE:
            statement += " You are not sure what to do: seek advice where you are in doubt."
            cites.update(dict.fromkeys(("2", "4.26", "flowchart")))
        else:
            cites["flowchart"] = None
    elif splits:
        parts = []
        for spec, branches in splits:
            labels = dict(spec.answers)
            answers = []
            for value, branch in branches:
                decided_by = [s for s in branch.trace if s.concluded.kind == "verdict" and s.concluded.name == verdict.value]
                step = decided_by[-1] if decided_by else None
                if step is not None:
                    cites.update(dict.fromkeys(step.cites))
                why = f" ({step.rule}: {', '.join(step.cites)})" if step is not None else ""
                answers.append(f"{labels.get(value, value.replace('_', ' '))}{why}")
            parts.append(f"whatever the answer to \"{spec.question}\" ({spec.name}): " + "; ".join(answers))
            used += (Premise(spec.tests, UNKNOWN),)
        statement = f"Decided by cases, {' and '.join(parts)}. Every answer leads to {verdict.value}."
    else:
        statement = (
            f"Decided by cases: every one of the {count:,} combinations of answers to the facts not yet known "
            f"that is consistent with the facts given leads to {verdict.value}."
        )
        cites["flowchart"] = None
    return TraceStep(
        rule="by-cases",
        kind="cases",
        statement=statement,
        cites=tuple(cites),
        used=used,
        concluded=Conclusion("verdict", verdict.value, "yes"),
        source=f"{rules.path.name}/ruleset.yaml",
    )
