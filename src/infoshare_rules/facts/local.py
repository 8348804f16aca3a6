"""A local protocol's own facts about a case (``local.*``), as a caller gives them.

The national facts are attrs classes built from the national vocabulary; a local protocol's facts
are declared by the protocol's own ``facts.yaml``, so ``CaseFacts.local`` holds them by name
(``{"wishes_contradicted": "yes"}``) and a decision checks names and values against the ruleset it
is made under (``Ruleset.local_errors``). A fact not given is unknown: giving ``unknown`` is the
same as leaving it out, so two such cases are equal.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Iterator, Mapping

from ..errors import FactsError, describe_key

UNKNOWN = "unknown"
GROUP = "local"
#: what a local fact's name and value look like (JSON Schema patterns; the ruleset checks the rest)
NAME_PATTERN = "^[a-z][a-z0-9_]*$"
VALUE_PATTERN = "^[a-z0-9][a-z0-9_]*$"
_NAME = re.compile(NAME_PATTERN)
_VALUE = re.compile(VALUE_PATTERN)


class LocalFacts(Mapping[str, str]):
    """Immutable ``{fact name: value}`` of a local protocol's facts; unknown values are left out."""

    __slots__ = ("_items", "_hash")

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        kept: dict[str, str] = {}
        for name, value in pairs:
            if not isinstance(name, str) or not _NAME.fullmatch(name):
                raise FactsError(f"$.{GROUP}.{describe_key(name)}", "not a fact name", expected="a lower_case name a local protocol's facts.yaml declares")
            if not isinstance(value, str):
                raise FactsError(f"$.{GROUP}.{name}", "wrong type", expected="a string: one of the values the protocol declares", got=value)
            if not _VALUE.fullmatch(value):
                raise FactsError(f"$.{GROUP}.{name}", "not an allowed value", expected="a lower-case value such as yes, no or unknown", got=value)
            if value != UNKNOWN:
                kept[name] = value
        self._items: dict[str, str] = dict(sorted(kept.items()))
        self._hash = hash(tuple(self._items.items()))

    def __getitem__(self, name: str) -> str:
        return self._items[name]

    def get_value(self, name: str) -> str:
        """The value of fact ``name`` (without ``local.``): unknown where not given."""
        return self._items.get(name, UNKNOWN)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LocalFacts):
            return self._items == other._items
        if isinstance(other, Mapping):  # as a Mapping compares, with unknown the same as not given
            return self._items == {k: v for k, v in other.items() if v != UNKNOWN}
        return NotImplemented

    def __repr__(self) -> str:
        return f"LocalFacts({self._items!r})"

    def evolve(self, name: str, value: str) -> LocalFacts:
        """These facts with ``name`` answered ``value`` (``unknown`` takes the answer back)."""
        return LocalFacts({**self._items, name: value})


def to_local(given: Mapping[str, str]) -> LocalFacts:
    """``CaseFacts.local``'s converter: a mapping of name to value (JSON's object) or LocalFacts.

    Typed as the mapping callers pass (so ``mypy`` checks ``CaseFacts(local=...)``); anything else a
    caller passes at run time is refused with a ``FactsError``.
    """
    value: Any = given
    if isinstance(value, LocalFacts):
        return value
    if isinstance(value, Mapping):
        return LocalFacts(value)
    raise FactsError(f"$.{GROUP}", "wrong type", expected="an object of a local protocol's facts (name: value)", got=value)
