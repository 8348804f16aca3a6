"""A CPU-time budget for the exact analysis, checked between diagram operations.

The analysis of a large ruleset can grow without bound (its diagrams are exact, and some rulesets have
no small one: see benchmarks/bench_analysis.py), so ``infoshare check`` and ``diff`` give up after a
budget rather than run for an hour. CPU time, not wall time: the work is CPU-bound, and on a shared
machine CPU seconds say how much work was done. One CUDD operation is not interrupted, so the analysis
may run past the budget by as long as its longest operation (7.5 s at most on the synthetic 1,200-rule
protocol: one conjunction of two verdict regions; CUDD's own timeout is not reachable through dd).
"""

from __future__ import annotations

import time
from typing import Sequence

from ..errors import AnalysisBudgetError


class Budget:
    """``seconds`` of this process's CPU time from now, for the analysis of ``rulesets`` (each as (id, rules)).

    ``seconds=None`` is no limit. ``spend(stage)`` raises :class:`AnalysisBudgetError` once the budget is spent.
    """

    def __init__(self, seconds: float | None, rulesets: Sequence[tuple[str, int]] = ()) -> None:
        if seconds is not None and seconds <= 0:
            raise ValueError(f"budget: expected a number of seconds above 0 (or None for no limit), got {seconds!r}")
        self.seconds = seconds
        self.rulesets = tuple(rulesets)
        self._deadline = None if seconds is None else time.process_time() + seconds

    def spend(self, stage: str) -> None:
        """Raise :class:`AnalysisBudgetError` (naming ``stage``, how far the analysis got) if the budget is spent."""
        if self._deadline is not None and time.process_time() > self._deadline:
            assert self.seconds is not None
            raise AnalysisBudgetError(self.rulesets, self.seconds, stage)


def without_diagrams(error: AnalysisBudgetError) -> AnalysisBudgetError:
    """``error`` without its traceback, whose frames hold the analysis's diagrams: raised again from the entry point.

    Why: a caller holding the error (pytest.raises, a log handler) makes a reference cycle of the frames, and
    the garbage collector may then free a CUDD manager before its nodes, which CUDD asserts against. Freed
    here, with the frames, the diagrams go by reference count, nodes before their manager.
    """
    return error.with_traceback(None)


#: no limit: what Semantics uses when not given a budget
UNLIMITED = Budget(None)
