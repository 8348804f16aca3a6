"""Choose and compile engines: each (ruleset, engine) pair is compiled once per process.

* ``reference``: pure-Python forward chaining (``reference``), the plain specification.
* ``compiled``: the ruleset generated into one straight-line function (``compiled``), the fastest.
* ``durable``: the same rules compiled to durable-rules, a C Rete engine (``_durable``).
"""

from __future__ import annotations

import threading

from ..errors import EngineUnavailableError, InfoshareError, suggest
from ..ruleset.model import Ruleset
from .base import Engine
from .compiled import CompiledEngine
from .reference import ReferenceEngine

ENGINE_NAMES = ("durable", "reference", "compiled", "auto")

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
            elif name == "compiled":
                engine = CompiledEngine(ruleset)
            else:
                engine = ReferenceEngine(ruleset)
            _engines[key] = engine
    return engine
