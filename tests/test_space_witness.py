"""InputSpace.witness (by BDD operations) against brute force over every input of small spaces."""

from __future__ import annotations

import itertools
import random

import pytest

from infoshare_rules.facts.model import FACT_SPECS, UNKNOWN
from infoshare_rules.semantics.space import InputSpace

# a few facts with 2 to 5 values (bits of several widths, unused codes excluded by the domain)
FACTS = [f for f in FACT_SPECS if 2 <= len(FACT_SPECS[f].values) <= 5][:5]


def _random_region(space: InputSpace, rng: random.Random):  # type: ignore[no-untyped-def]
    region = space.false
    for _ in range(rng.randint(1, 4)):
        term = space.true
        for fact in rng.sample(space.facts, rng.randint(1, len(space.facts))):
            values = space.values[fact]
            term &= space.any_of(fact, rng.sample(values, rng.randint(1, len(values))))
        region = region | term if rng.random() < 0.7 else region & ~term
    return region


def _brute_force(space: InputSpace, region) -> dict[str, str] | None:  # type: ignore[no-untyped-def]
    """Fewest known facts; of those, the first in bit order (level by level, 0 before 1)."""
    best: tuple[int, tuple[int, ...]] | None = None
    found = None
    for values in itertools.product(*(space.values[f] for f in space.facts)):
        flat = {f: v for f, v in zip(space.facts, values) if v != UNKNOWN}
        if not space.contains(region, flat):
            continue
        bits: list[int] = []
        for f, v in zip(space.facts, values):
            assignment = space.assign(f, v)
            bits += [int(assignment[name]) for name in space.bits[f]]
        key = (len(flat), tuple(bits))
        if best is None or key < best:
            best, found = key, flat
    return found


def test_facts_chosen() -> None:
    assert len(FACTS) >= 3


@pytest.mark.parametrize("seed", range(40))
def test_witness_is_the_brute_force_minimum(seed: int) -> None:
    rng = random.Random(seed)
    space = InputSpace(rng.sample(FACTS, rng.randint(2, len(FACTS))))
    region = _random_region(space, rng)
    expected = _brute_force(space, region)
    got = space.witness(region)
    assert got == expected
    if got is not None:
        assert space.contains(region, got)


def test_empty_region_has_no_witness() -> None:
    space = InputSpace(FACTS[:3])
    fact = FACTS[0]
    assert space.witness(space.eq(fact, UNKNOWN) & ~space.eq(fact, UNKNOWN)) is None
    assert space.witness(space.true) == {}
