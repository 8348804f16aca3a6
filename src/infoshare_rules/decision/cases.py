"""Deciding a partial case by its completions, exactly: the verdict and the questions of decision core v3.

A *completion* of a case gives every unknown fact the rules test one of its known values, except a
fact a presumption fills: where a presumption presuming it can fire (with the fact unknown), the fact
stays unknown and the guide's stated default stands; where none can, it takes each known value. The
verdict of a partial case is the verdict every consistent completion gives, when they all give one;
otherwise it is undetermined and the *reachable* verdicts are those some completion gives. A case
whose every completion is contradictory contradicts itself.

Completions are counted in their billions, so they are never enumerated: each verdict's region is a
binary decision diagram over the inputs (``semantics/``), restricted to the case's known facts, and a
verdict is reachable where its restricted region is not empty. The same diagrams give the exact
questions: an unknown fact is *decisive* when two consistent completions differing only in it give
different verdicts (where a presumption fills a fact, in one or both, they agree on it when both leave it
to a presumption or one answers it with the value the other presumes) (so pairs and larger sets of unknown facts are covered: the other facts of those
completions are the rest of the set), or when some answer to it alone changes the verdicts reached
(a finer fact tied to a direct answer the case leaves open; a fact a presumption fills). Nothing
else is asked.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import threading
from typing import Callable, Iterable, Iterator, Mapping

from ..facts.model import UNKNOWN
from ..ruleset.model import STATED, Rule, Ruleset
from ..ruleset.verdict import Verdict
from ..semantics.regions import Semantics, analysed_facts, derived_where, presumed_where
from ..semantics.space import BDD, InputSpace


class CaseSpace:
    """One ruleset's verdict regions over its completions, built once per ruleset (about 0.3 s)."""

    def __init__(self, rules: Ruleset, semantics: Semantics | None = None) -> None:
        """``semantics``: the ruleset's, already built over a space of exactly its facts (see ``lent``)."""
        self.rules = rules
        if semantics is None:
            semantics = Semantics(rules, InputSpace(analysed_facts([rules]), rules.fact_specs))
        elif semantics.ruleset is not rules or not _own_space(semantics):
            raise ValueError("a case space needs the ruleset's own semantics, over a space of exactly the facts it tests")
        self.semantics = semantics
        self.space = space = semantics.space
        manager = space.manager
        unknown = {fact: space.eq(fact, UNKNOWN) for fact in space.facts}
        #: for each fact a presumption fills, where one of its presumptions fires
        self._fires: dict[str, BDD] = presumed_where(semantics)
        self._unknown = unknown
        #: for each fact a presumption fills, where each value it may be presumed to take is presumed
        self._fires_value: dict[str, dict[str, BDD]] = {}
        for rule in rules.rules:
            for fact, value in rule.presumes:
                if fact in space.values:
                    by_value = self._fires_value.setdefault(fact, {})
                    by_value[value] = by_value.get(value, space.false) | semantics.fires[rule.index]
        self._presumed: dict[tuple[str, ...], list[tuple[str, tuple[tuple[str, BDD], ...]]]] = {}
        #: for each fact that answers a flowchart question directly: where the finer facts derive its answer
        self._derived: dict[str, BDD] = derived_where(semantics)
        #: the completions allowed, keyed by the presumable facts unknown in a case
        self._domains: dict[tuple[str, ...], BDD] = {}
        known_everywhere = space.domain
        for fact in space.facts:
            if fact not in self._fires:
                known_everywhere &= ~unknown[fact]
        #: each verdict's region over the inputs, every fact no presumption fills known
        self.verdicts: dict[Verdict, BDD] = {}
        for verdict, region in semantics.final.items():
            region &= known_everywhere
            if region != space.false:
                self.verdicts[verdict] = region
        self.bits = {fact: tuple(space.bits[fact]) for fact in space.facts}
        self._unset = {fact: space.assign(fact, UNKNOWN) for fact in space.facts}
        self._manager = manager
        self._lock = threading.Lock()  # CUDD's managers are not thread-safe
        self._memo: dict[tuple[str, ...], tuple[tuple[Verdict, ...], frozenset[str] | None]] = {}
        #: set by ``question_index.prepare``: a case's reachable verdicts and decisive facts from the precompiled
        #: index (the same answers as ``_regions`` and ``_decisive``, which stay the reference)
        self.question_index: Callable[[Mapping[str, str]], tuple[tuple[Verdict, ...], frozenset[str]]] | None = None

    # ------------------------------------------------------------ a case's completions

    def regions(self, inputs: Mapping[str, str]) -> dict[Verdict, BDD]:
        """For each reachable verdict, the completions of ``inputs`` (flat facts) that give it."""
        with self._lock:
            return self._regions(inputs)

    def _regions(self, inputs: Mapping[str, str], base: tuple[dict[str, bool], dict[Verdict, BDD]] | None = None) -> dict[Verdict, BDD]:
        """``base``: the regions already restricted to part of ``inputs`` (and the assignment that did it),
        so a what-if on one more fact restricts small diagrams, not the whole space's."""
        space = self.space
        assignment, filled = self._known(inputs)
        let = self._manager.let
        domain = self._domain(tuple(filled)) if filled else space.true
        if assignment and filled:
            domain = let(assignment, domain)
        if base is None:
            raw = self.verdicts
            step = assignment
        else:
            raw = base[1]
            step = {k: v for k, v in assignment.items() if k not in base[0]}
        out = {}
        for verdict, region in raw.items():
            here = let(step, region) if step else region
            if filled:
                here &= domain
            if here != space.false:
                out[verdict] = here
        return out

    def _known(self, inputs: Mapping[str, str]) -> tuple[dict[str, bool], list[str]]:
        """The bits the known facts of ``inputs`` set, and the unknown facts a presumption may fill."""
        space = self.space
        assignment: dict[str, bool] = {}
        filled = []
        for fact in space.facts:
            value = inputs.get(fact, UNKNOWN)
            if value != UNKNOWN:
                assignment.update(space.assign(fact, value))
            elif fact in self._fires:
                filled.append(fact)
        return assignment, filled

    def _restricted(self, inputs: Mapping[str, str]) -> tuple[dict[str, bool], dict[Verdict, BDD]]:
        """Each verdict's region with the known facts of ``inputs`` substituted (no presumption domain yet)."""
        space = self.space
        assignment, _ = self._known(inputs)
        let = self._manager.let
        raw = {}
        for verdict, region in self.verdicts.items():
            here = let(assignment, region) if assignment else region
            if here != space.false:
                raw[verdict] = here
        return assignment, raw

    def _domain(self, filled: tuple[str, ...]) -> BDD:
        """The completions allowed when the presumable facts ``filled`` are unknown in the case.

        Which presumptions fill their facts is decided with every one of those facts unknown, as in
        the case itself (so two presumptions cannot block each other: a statutory duty and a court
        order both unknown are both presumed absent); each fact a presumption fills stays unknown
        exactly there, and takes each of its known values elsewhere.
        """
        domain = self._domains.get(filled)
        if domain is None:
            space = self.space
            unset: dict[str, bool] = {}
            for fact in filled:
                unset.update(space.assign(fact, UNKNOWN))
            domain = space.true
            for fact in filled:
                fires = self._manager.let(unset, self._fires[fact])
                domain &= self._manager.apply("<=>", self._unknown[fact], fires)
            if len(self._domains) < 4096:
                self._domains[filled] = domain
        return domain

    def _presumed_values(self, filled: tuple[str, ...]) -> list[tuple[str, tuple[tuple[str, BDD], ...]]]:
        """For each fact in ``filled``: where it is presumed to take each value (decided as in ``_domain``)."""
        found = self._presumed.get(filled)
        if found is None:
            space = self.space
            unset: dict[str, bool] = {}
            for fact in filled:
                unset.update(space.assign(fact, UNKNOWN))
            found = [
                (fact, tuple((value, self._manager.let(unset, fires)) for value, fires in self._fires_value[fact].items()))
                for fact in filled
            ]
            if len(self._presumed) < 4096:
                self._presumed[filled] = found
        return found

    def _effective_regions(self, inputs: Mapping[str, str], regions: Mapping[Verdict, BDD]) -> list[BDD]:
        """The regions with every filled fact read both as left to its presumption and as the value presumed.

        Two completions agree on a fact both leave to a presumption (whatever it presumes: that follows
        from the facts they differ in), or where one leaves it to a presumption and the other answers it
        with the value presumed; and on a direct answer the finer facts derive in both (it follows from
        them). So a fact that changes which presumptions fire (harm.child: none lets seeking consent be
        presumed safe), or a finer fact beneath a direct answer left open, is compared on what it means.

        (The reading commutes with substituting the known facts, so it could be worked out once over the
        whole space per set of facts left open; measured, that costs more than it saves: the whole space's
        diagrams are far larger than a case's.)
        """
        assignment, unknown_presumable = self._known(inputs)
        filled = tuple(unknown_presumable)
        stated = tuple(f for f in self._derived if inputs.get(f, UNKNOWN) == UNKNOWN)
        if not filled and not stated:
            return list(regions.values())
        space = self.space
        manager = self._manager
        let = manager.let
        derived = []
        for fact in stated:
            here = let(assignment, self._derived[fact]) if assignment else self._derived[fact]
            if here != space.false:
                derived.append((self._unknown[fact], self.bits[fact], here))
        presumed = []
        for fact, by_value in self._presumed_values(filled):
            copies = []
            for value, fires in by_value:
                here = let(assignment, fires) if assignment else fires
                if here != space.false:
                    copies.append((space.eq(fact, value), self._unknown[fact] & here))
            if copies:
                presumed.append((self._unknown[fact], self.bits[fact], copies))
        out = []
        for region in regions.values():
            # a direct answer the finer facts derive follows from them: marked as such (the unknown code,
            # unused by completions of a fact no presumption fills), it agrees with any other so derived
            for unknown, bits, here in derived:
                follows = region & here
                if follows != space.false:
                    region = region | (unknown & manager.exist(bits, follows))
            for unknown, bits, copies in presumed:
                # a filled fact matches a filled one, or an answer equal to the value presumed
                at_unknown = region & unknown
                if at_unknown == space.false:
                    continue
                moved = region
                for eq, filled_here in copies:
                    moved |= eq & manager.exist(bits, at_unknown & filled_here)
                region = moved
            out.append(region)
        return out

    def reachable(self, inputs: Mapping[str, str]) -> tuple[Verdict, ...]:
        """The verdicts some consistent completion of ``inputs`` gives, in the ruleset's precedence order."""
        return self.outcome(inputs, False)[0]

    def outcome(self, inputs: Mapping[str, str], ask: bool) -> tuple[tuple[Verdict, ...], frozenset[str] | None]:
        """The reachable verdicts and, with ``ask``, the decisive facts: remembered for the last cases seen.

        Both are functions of the facts the rules test alone, so a case decided again (a batch with
        repeats, an interview's re-decisions, the same case on another engine) costs a lookup.
        """
        key = tuple([inputs.get(f, UNKNOWN) for f in self.space.facts])
        found = self._memo.get(key)
        if found is not None and (found[1] is not None or not ask):
            return found
        index = self.question_index
        decisive: frozenset[str] | None
        if index is not None:  # both from one lookup, with or without ``ask``
            reached, decisive = index(inputs)
        else:
            with self._lock:
                regions = self._regions(inputs)
                reached = tuple(v for v in (*self.rules.precedence, Verdict.UNDETERMINED) if v in regions)
                decisive = frozenset(self._decisive(inputs, regions, None)) if ask else None
        if len(self._memo) >= _MEMO_MAX:
            self._memo.clear()
        found = self._memo[key] = (reached, decisive)
        return found

    def decisive(self, inputs: Mapping[str, str], facts: Iterable[str] | None = None) -> set[str]:
        """The unknown facts (as rules test them) some answer to which, alone or with others, changes the verdict.

        ``facts``: the candidates (default: every unknown fact the rules test).
        """
        with self._lock:
            regions = self._regions(inputs)
            return self._decisive(inputs, regions, facts)

    def _decisive(self, inputs: Mapping[str, str], regions: Mapping[Verdict, BDD], facts: Iterable[str] | None) -> set[str]:
        space = self.space
        manager = self._manager
        candidates = [f for f in (space.facts if facts is None else facts) if f in space.values and inputs.get(f, UNKNOWN) == UNKNOWN]
        found: set[str] = set()
        if len(regions) >= 2:
            # (a) two consistent completions differing only in the fact give different verdicts (see
            # _effective_regions for facts left to presumptions): the rest of the two is the set of other
            # answers it matters together with
            effective = self._effective_regions(inputs, regions)
            before = dict(zip(regions, effective))
            pairs = list(itertools.combinations(effective, 2))
            for fact in candidates:
                bits = self.bits[fact]
                hidden = {id(r): manager.exist(bits, r) for r in effective}
                if any(hidden[id(a)] & hidden[id(b)] != space.false for a, b in pairs):
                    found.add(fact)
        # (b) an answer to the fact alone changes the verdicts reached (an answer that contradicts the
        # facts given is no case): a finer fact tied to a direct answer the case leaves open, say. A
        # decided case changes only where a presumption stood.
        else:
            before = {}
        reached = set(regions)
        base = None
        # a fact no presumption fills, read by no region (domain included), leaves every region as it is
        # whatever its answer: (b) cannot find it
        read: set[str] = set().union(*(manager.support(r) for r in regions.values()))
        for fact in candidates:
            if fact in found:
                continue
            if fact not in self._fires and read.isdisjoint(self.bits[fact]):
                continue
            if len(regions) == 1:
                if fact not in self._fires:
                    continue
                unset = self._unset[fact]  # filled in no completion: no answer to it can reach another verdict
                if all(manager.let(unset, region) == space.false for region in regions.values()):
                    continue
            if base is None:
                base = self._restricted(inputs)
            for value in space.values[fact][1:]:  # values[0] is unknown
                answered = {**inputs, fact: value}
                after_regions = self._regions(answered, base)
                after = set(after_regions)
                if after and after != reached:
                    found.add(fact)
                    break
                # (c) where a presumption fills the fact, its answer may matter together with others: a
                # completion left to the presumption and one with the answer, agreeing on everything else
                if fact in self._fires and len(regions) >= 2 and after and self._apart(fact, before, answered, after_regions):
                    found.add(fact)
                    break
        return found

    def _apart(self, fact: str, before: Mapping[Verdict, BDD], answered: Mapping[str, str], after: Mapping[Verdict, BDD]) -> bool:
        """Whether a completion of the case (``before``: its effective regions) and one of ``answered`` (``fact``
        answered) that agree on every other fact give different verdicts."""
        manager, bits, false = self._manager, self.bits[fact], self.space.false
        hidden = {w: manager.exist(bits, h) for w, h in before.items()}
        now = dict(zip(after, self._effective_regions(answered, after)))
        for v, r in now.items():
            seen = manager.exist(bits, r)
            for w, h in hidden.items():
                if w is not v and (seen & h) != false:
                    return True
        return False

    def contradiction(self, inputs: Mapping[str, str]) -> tuple[Rule, Rule] | None:
        """For a case every completion of which contradicts itself: a stated answer and a rule that
        contradicts it in some completion (the caller's answer first), or None."""
        space = self.space
        assignment, filled = self._known(inputs)
        with self._lock:
            domain = self._domain(tuple(filled)) if filled else space.true
            for clash in self.semantics.clashes:
                if not clash.stated:
                    continue
                here = self._manager.let(assignment, clash.region & domain) if assignment else clash.region & domain
                if here != space.false:
                    first, second = (clash.first, clash.second) if clash.first.origin == STATED else (clash.second, clash.first)
                    if inputs.get(first.when[0].fact, UNKNOWN) != UNKNOWN:
                        return first, second
        return None

    def count(self, inputs: Mapping[str, str], verdict: Verdict) -> int:
        """How many completions of ``inputs`` give ``verdict`` (over the unknown facts the rules test)."""
        with self._lock:
            region = self._regions(inputs).get(verdict)
            if region is None:
                return 0
            for fact in self.space.facts:  # the known facts, fixed: each counted once
                value = inputs.get(fact, UNKNOWN)
                if value != UNKNOWN:
                    region &= self.space.eq(fact, value)
            return self.space.count(region)


#: cases remembered per ruleset (a bound on memory: each entry is a few hundred bytes)
_MEMO_MAX = 8192

_spaces: dict[str, CaseSpace] = {}
_spaces_lock = threading.Lock()


#: case spaces lent by ``lent`` to decide() in this thread (or task) only: not kept after
_lent: contextvars.ContextVar[tuple[CaseSpace, ...]] = contextvars.ContextVar("infoshare_lent_case_spaces", default=())


def _own_space(model: Semantics) -> bool:
    """Whether the model's space is the one its ruleset's case space would build: its facts, in order, with its values."""
    rules, space = model.ruleset, model.space
    return space.facts == tuple(analysed_facts([rules])) and all(
        space.values[f] == (UNKNOWN, *(v for v in rules.fact_specs[f].values if v != UNKNOWN)) for f in space.facts
    )


@contextlib.contextmanager
def lent(models: Iterable[Semantics]) -> Iterator[None]:
    """While in this block, decide() (in this thread) on one of the models' rulesets uses the model's
    semantics (a ruleset's, over a space of exactly its facts) instead of building or keeping its own.

    For the analysis (``infoshare check``, ``diff``), which has built the semantics already and runs
    every witness through decide(): the same regions, so the same decisions, built once; and the
    analysed rulesets do not stay in the process-wide cache. A model over a wider space is skipped.
    """
    spaces = tuple(CaseSpace(m.ruleset, m) for m in models if _own_space(m))
    token = _lent.set(_lent.get() + spaces)
    try:
        yield
    finally:
        _lent.reset(token)


def case_space(rules: Ruleset) -> CaseSpace:
    """The ruleset's case space, built on first use and kept (rulesets are immutable, keyed by hash)."""
    for lent_space in _lent.get():
        if lent_space.rules is rules:
            return lent_space
    found = _spaces.get(rules.hash)
    if found is None:
        with _spaces_lock:
            found = _spaces.get(rules.hash)
            if found is None:
                found = _spaces[rules.hash] = CaseSpace(rules)
    return found
