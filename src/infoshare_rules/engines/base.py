"""What every engine provides: sessions that forward-chain a compiled ruleset over facts.

A *session* takes facts, fires every rule whose conditions all hold (a rule fires at most
once), adds each fired rule's conclusion as a new fact, and repeats until nothing more fires.
``add`` returns the indices of the rules it fired.
"""

from __future__ import annotations

from typing import Mapping, Protocol

from ..errors import FactsError, RulesetConflictError
from ..ruleset.model import STATED, Rule


class Session(Protocol):
    def add(self, facts: Mapping[str, str]) -> list[int]: ...
    def close(self) -> None: ...


class Engine(Protocol):
    name: str

    def session(self) -> Session: ...


class FactBase:
    """The facts of one session, with who concluded each, so a conflict names both rules."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        self.values: dict[str, str] = {}
        self.producer: dict[str, int] = {}
        self.fired: list[int] = []
        self.fired_set: set[int] = set()

    def fire(self, index: int) -> tuple[str, str] | None:
        """Record that a rule fired; return the fact to add, or None if already known."""
        if index in self.fired_set:
            return None
        rule = self.rules[index]
        name, value = rule.asserts
        self.fired.append(index)
        self.fired_set.add(index)
        current = self.values.get(name)
        if current is None:
            self.values[name] = value
            self.producer[name] = index
            return name, value
        if current != value:
            first = self.rules[self.producer[name]] if name in self.producer else None
            if first is not None and STATED in (first.origin, rule.origin):
                raise contradiction(first, rule)
            raise RulesetConflictError(name, (first.id if first else "<input>", current), (rule.id, value))
        return None


def contradiction(first: Rule, second: Rule) -> FactsError:
    """The caller's direct answer contradicts what the finer facts imply: name both, the rule and its paragraphs."""
    stated, derived = (first, second) if first.origin == STATED else (second, first)
    fact = stated.when[0].fact
    return FactsError(
        f"$.{fact}",
        f"contradicts the other facts: you answered {fact} = {stated.value}, but rule {derived.id!r} "
        f"({', '.join(derived.cites)}) concludes {derived.name} = {derived.value} from "
        f"{', '.join(c.fact for c in derived.when)}",
        expected=f"{fact} = {derived.value}, or unknown",
    )
