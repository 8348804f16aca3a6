"""A progress bar on standard error when it is a terminal; nothing when piped or quiet."""

from __future__ import annotations

import contextlib
import sys
from typing import Iterator, Protocol


class Advance(Protocol):
    def __call__(self, steps: int = 1) -> None: ...


@contextlib.contextmanager
def progress(description: str, total: int | None, *, quiet: bool = False) -> Iterator[Advance]:
    """Yields ``advance(n)``. Rich draws the bar only on a terminal; piped runs get no bar and no escapes."""
    if quiet or not sys.stderr.isatty():
        yield lambda steps=1: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda steps=1: bar.advance(task, steps)
