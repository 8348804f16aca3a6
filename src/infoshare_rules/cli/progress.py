"""A progress bar on standard error when it is a terminal; nothing when piped or quiet."""

from __future__ import annotations

import contextlib
import sys
import time
from typing import Any, Iterator, Protocol


class Advance(Protocol):
    def __call__(self, steps: int = 1) -> None: ...


@contextlib.contextmanager
def progress(description: str, total: int | None, *, quiet: bool = False, delay: float = 0.0) -> Iterator[Advance]:
    """Yields ``advance(n)``. Rich draws the bar only on a terminal, and only once ``delay``
    seconds have passed (short runs stay clean); piped runs get no bar and no escapes."""
    if quiet or not sys.stderr.isatty():
        yield lambda steps=1: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn()]
    bar = Progress(*columns, console=Console(stderr=True), transient=True)
    task: Any = None
    done = 0
    started = time.monotonic()

    def advance(steps: int = 1) -> None:
        nonlocal task, done
        done += steps
        if task is None:
            if time.monotonic() - started < delay:
                return
            bar.start()
            task = bar.add_task(description, total=total, completed=done)
        else:
            bar.advance(task, steps)

    try:
        yield advance
    finally:
        if task is not None:
            bar.stop()
