"""A Dask worker plugin compiling the rulesets when a worker starts (needs distributed installed)."""

from __future__ import annotations

from typing import Any, Sequence

from distributed import WorkerPlugin

from ..batch.worker import WorkerSpec, load_spec


class CompileRulesets(WorkerPlugin):
    """Load and compile the rulesets once per worker process, before its first task."""

    name = "infoshare-compile-rulesets"

    def __init__(self, specs: Sequence[WorkerSpec]) -> None:
        self.specs = tuple(specs)

    def setup(self, worker: Any) -> None:
        for spec in self.specs:
            load_spec(spec)
