"""Forward-chaining engines that run a compiled ruleset.

Both engines share one contract: a *session* takes facts, fires every rule whose conditions
all hold (a rule fires at most once), adds each fired rule's conclusion as a new fact, and
repeats until nothing more fires. ``add`` returns the indices of the rules it fired.

* ``reference``: pure Python, here. It runs everywhere, including Python 3.13+.
* ``durable``: the same rules compiled to durable-rules (see ``_durable``).
"""

from __future__ import annotations

import threading
from typing import Mapping, Protocol

from ._errors import EngineUnavailableError, InfoshareError, RulesetConflictError
from ._ruleset import Rule, Ruleset

ENGINE_NAMES = ("durable", "reference", "auto")


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
            raise RulesetConflictError(name, (first.id if first else "<input>", current), (rule.id, value))
        return None


class ReferenceEngine:
    """Pure-Python forward chaining, breadth first, in ruleset order within each round."""

    name = "reference"

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self.watchers: dict[str, list[Rule]] = {}
        for rule in ruleset.rules:
            for cond in rule.when:
                self.watchers.setdefault(cond.fact, []).append(rule)
        self.wanted = {rule.index: [(c.fact, frozenset(c.values)) for c in rule.when] for rule in ruleset.rules}

    def session(self) -> "_ReferenceSession":
        return _ReferenceSession(self)


class _ReferenceSession:
    def __init__(self, engine: ReferenceEngine) -> None:
        self.engine = engine
        self.base = FactBase(engine.ruleset.rules)

    def add(self, facts: Mapping[str, str]) -> list[int]:
        start = len(self.base.fired)
        values = self.base.values
        for name, value in facts.items():
            if values.setdefault(name, value) != value:
                raise InfoshareError(f"fact {name!r} is already {values[name]!r}, cannot set it to {value!r}")
        changed = set(facts)
        while changed:
            candidates = sorted(
                {r.index for name in changed for r in self.engine.watchers.get(name, ())} - self.base.fired_set
            )
            changed = set()
            for index in candidates:
                if all(values.get(name) in wanted for name, wanted in self.engine.wanted[index]):
                    added = self.base.fire(index)
                    if added:
                        changed.add(added[0])
        return self.base.fired[start:]

    def close(self) -> None:
        self.base = FactBase(())

    def __enter__(self) -> "_ReferenceSession":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_engines: dict[tuple[str, str], Engine] = {}
_engines_lock = threading.Lock()


def durable_available() -> bool:
    try:
        from . import _durable  # noqa: F401
    except EngineUnavailableError:
        return False
    return True


def get_engine(ruleset: Ruleset, name: str = "auto") -> Engine:
    """The engine for a ruleset, compiled once per process and reused for every decision."""
    if name not in ENGINE_NAMES:
        from ._errors import suggest

        raise InfoshareError(
            f"engine: expected one of {', '.join(ENGINE_NAMES)}, got {name!r}"
            + (f" (did you mean {s!r}?)" if (s := suggest(name, ENGINE_NAMES)) else "")
        )
    if name == "auto":
        name = "durable" if durable_available() else "reference"
    key = (ruleset.hash + str(ruleset.path), name)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            if name == "durable":
                from ._durable import DurableEngine

                engine = DurableEngine(ruleset)
            else:
                engine = ReferenceEngine(ruleset)
            _engines[key] = engine
    return engine
