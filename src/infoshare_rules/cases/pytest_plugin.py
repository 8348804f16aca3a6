"""pytest plugin: every case in a ``*.cases.yaml`` file becomes a pytest item.

Registered through the ``pytest11`` entry point, so installing infoshare-rules is enough:
``pytest examples/`` collects the case files. A failure reports the file and line, the case,
expected against got, and the trace.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from .report import failure_text
from .suite import CASE_FILE_SUFFIXES, PASSED, SKIPPED, Case, CaseFileError, CaseResult, load_case_file, run_case
from ..engines.registry import ENGINE_NAMES


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("infoshare", "infoshare-rules case files")
    group.addoption("--infoshare-engine", choices=ENGINE_NAMES, default=None, help="Engine for case files (default: compiled).")
    group.addoption("--infoshare-ruleset", default=None, metavar="ID|PATH", help="Run case files against this ruleset.")
    parser.addini("infoshare_engine", "Engine for case files: compiled, reference, durable or auto (compiled).", default="compiled")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name.endswith(CASE_FILE_SUFFIXES):
        return CaseFileCollector.from_parent(parent, path=file_path)
    return None


class CaseFailed(Exception):
    def __init__(self, result: CaseResult) -> None:
        super().__init__(result.problems)
        self.result = result


def _display(path: Path, root: Path) -> str:
    try:
        return os.path.relpath(path, root)
    except ValueError:  # another drive on Windows
        return str(path)


class CaseFileCollector(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        try:
            case_file = load_case_file(self.path, _display(self.path, self.config.rootpath))
        except CaseFileError as exc:
            # reported as a failing item, not a collection error, so the other files still run
            yield MalformedCaseItem.from_parent(self, name="<file>", error=exc, whole_file=True)
            return
        for error in case_file.errors:
            yield MalformedCaseItem.from_parent(self, name=error.case or "<case>", error=error)
        for case in case_file.cases:
            yield CaseItem.from_parent(self, name=case.name, case=case)


class CaseItem(pytest.Item):
    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        engine = self.config.getoption("infoshare_engine") or self.config.getini("infoshare_engine")
        result = run_case(self.case, ruleset=self.config.getoption("infoshare_ruleset"), engine=engine)
        if result.status == SKIPPED:
            pytest.skip("; ".join(result.problems))
        if result.status != PASSED:
            raise CaseFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, CaseFailed):
            return failure_text(excinfo.value.result)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.case.line - 1, f"case {self.case.name}"


class MalformedCaseItem(pytest.Item):
    """A case that could not be read: it fails with the file, line and what is wrong."""

    def __init__(self, *, error: CaseFileError, whole_file: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error
        self.whole_file = whole_file

    def runtest(self) -> None:
        raise self.error

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        return f"malformed case {'file' if self.whole_file else ''}: {self.error}".replace(" :", ":")

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, (self.error.line or 1) - 1, f"malformed case {self.name}"
