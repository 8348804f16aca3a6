"""Choose and compile engines: each (ruleset, engine) pair is compiled once per process.

* ``reference``: pure-Python forward chaining (``reference``), the plain specification.
* ``compiled``: the ruleset generated into one straight-line function (``compiled``), the fastest.
* ``durable``: the same rules compiled to durable-rules, a C Rete engine (``_durable``).
"""

from __future__ import annotations

import os
import threading

from ..errors import EngineUnavailableError, InfoshareError, suggest
from ..ruleset.model import Ruleset
from .base import Engine
from .compiled import CompiledEngine
from .reference import ReferenceEngine

ENGINE_NAMES = ("durable", "reference", "compiled", "auto")

_engines: dict[tuple[str, str], Engine] = {}
_engines_lock = threading.Lock()
#: the same, by the ruleset object's identity (kept alive here, so its id is not reused)
_by_object: dict[tuple[int, str], tuple[Ruleset, Engine]] = {}


def _fresh_lock_in_child() -> None:
    # A fork while another thread compiles would leave the child's copy of the lock held forever.
    global _engines_lock
    _engines_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_lock_in_child)


def durable_available() -> bool:
    try:
        from . import _durable  # noqa: F401
    except EngineUnavailableError:
        return False
    return True


def get_engine(ruleset: Ruleset, name: str = "compiled") -> Engine:
    """The engine for a ruleset, compiled once per process and reused for every decision."""
    if name not in ENGINE_NAMES:
        raise InfoshareError(
            f"engine: expected one of {', '.join(ENGINE_NAMES)}, got {name!r}"
            + (f" (did you mean {s!r}?)" if (s := suggest(name, ENGINE_NAMES)) else "")
        )
    known = _by_object.get((id(ruleset), name))
    if known is not None and known[0] is ruleset:  # the common case, on every decision: no lock, no key to build
        return known[1]
    key = (ruleset.hash + str(ruleset.path), name)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = _compile(ruleset, name)
        if len(_by_object) > 1024:  # rulesets reloaded many times: forget the old objects
            _by_object.clear()
        _by_object[(id(ruleset), name)] = (ruleset, engine)
    return engine


def _compile(ruleset: Ruleset, name: str) -> Engine:
    if name in ("compiled", "auto"):  # auto: the compiled engine, proven equal to the reference engine
        return CompiledEngine(ruleset)
    if name == "reference":
        return ReferenceEngine(ruleset)
    from ._durable import DurableEngine

    return DurableEngine(ruleset)
