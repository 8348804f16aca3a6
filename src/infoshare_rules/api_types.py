"""Type names of the public API, for type checkers (nothing here runs at decision time).

``EngineName`` is the ``engine=`` argument of ``decide()`` and its friends: a type checker rejects
``engine="nope"``, and the engine registry still checks the value at run time (a test keeps the two
lists equal).
"""

from __future__ import annotations

from typing import Literal

#: The engines ``decide(engine=...)`` accepts: ``"auto"`` (the compiled engine, the default), ``"compiled"``
#: (generated Python), ``"reference"`` (the pure-Python specification), ``"durable"`` (durable-rules).
EngineName = Literal["auto", "compiled", "reference", "durable"]
