"""The library's exceptions: one base class, each error carrying structured fields."""

from __future__ import annotations

import difflib
import re
from typing import Iterable, Sequence

# Error messages never echo what was submitted (a name or an address would end up in logs): a
# value is shown only when it is a short identifier-like token, as a typo of an allowed value is.
_SHORT_TOKEN = re.compile(r"[A-Za-z0-9_.\-]{1,24}")
_SHORT_PATH = re.compile(r"[A-Za-z0-9_.\-/ ]{1,120}")


def describe_value(value: object) -> str:
    """A submitted value as an error message may show it: short tokens verbatim, anything else by type and size."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        if value.bit_length() <= 40:
            return repr(int(value))
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, float):
        text = repr(value)
        return text if len(text) <= 24 else "a number"
    if isinstance(value, str):
        return repr(str(value)) if _SHORT_TOKEN.fullmatch(value) else f"a string of {len(value)} characters (not shown)"
    if isinstance(value, bytes):
        return f"{len(value)} bytes (not shown)"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} items"
    if isinstance(value, dict):
        return f"an object with {len(value)} keys"
    return f"a value of type {type(value).__name__}"


def describe_key(key: object) -> str:
    """A mapping key as a path step: shown when it is a short token, else described."""
    if isinstance(key, str) and _SHORT_TOKEN.fullmatch(key):
        return key
    return f"<{describe_value(key)}>"


def describe_path(value: object) -> str:
    """A file name or path given in an input file: shown when short and plain, else described."""
    if isinstance(value, str) and _SHORT_PATH.fullmatch(value):
        return value
    return describe_value(value)


def suggest(got: object, allowed: Iterable[str]) -> str | None:
    """The closest allowed value to what was given, for a "did you mean" hint."""
    if not isinstance(got, str):
        return None
    matches = difflib.get_close_matches(got, list(allowed), n=1, cutoff=0.6)
    return matches[0] if matches else None


class InfoshareError(Exception):
    """Base class of every error this library raises on purpose."""


class FactsError(InfoshareError):
    """Facts about a case were invalid: a bad value, an unknown key or a wrong type.

    ``path`` is where in the facts document it happened, e.g. ``$.information.provided_by``.
    """

    def __init__(
        self,
        path: str,
        problem: str,
        *,
        expected: Sequence[str] | str | None = None,
        got: object = None,
        suggestion: str | None = None,
    ) -> None:
        self.path = path
        self.problem = problem
        self.expected = expected
        self.got = got
        self.suggestion = suggestion
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [f"{self.path}: {self.problem}"]
        if self.expected is not None:
            exp = self.expected if isinstance(self.expected, str) else ", ".join(self.expected)
            parts.append(f"expected {exp}")
        if self.got is not None:
            parts.append(f"got {describe_value(self.got)}")
        msg = "; ".join(parts)
        if self.suggestion:
            msg += f" (did you mean {self.suggestion!r}?)"
        return msg

    def at(self, prefix: str) -> "FactsError":
        """The same error with its path moved under ``prefix`` (``$`` + ``.consent``...)."""
        rest = self.path[1:] if self.path.startswith("$") else self.path
        return FactsError(
            prefix + rest,
            self.problem,
            expected=self.expected,
            got=self.got,
            suggestion=self.suggestion,
        )


class RulesetError(InfoshareError):
    """A ruleset on disk is invalid. ``file`` and ``line`` say where (line is 1-based)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        suggestion: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.suggestion = suggestion
        where = file or "<ruleset>"
        if line is not None:
            where += f":{line}"
        text = f"{where}: {message}"
        if suggestion:
            text += f" (did you mean {suggestion!r}?)"
        super().__init__(text)


class RulesetNotFoundError(RulesetError):
    """No ruleset with that id or path exists."""


class RulesetConflictError(InfoshareError):
    """Two rules concluded different values for one conclusion: a defect in the ruleset."""

    def __init__(self, conclusion: str, first: tuple[str, str], second: tuple[str, str]) -> None:
        self.conclusion = conclusion
        self.first = first
        self.second = second
        super().__init__(
            f"rules conflict on {conclusion!r}: rule {first[0]!r} concluded {first[1]!r}, "
            f"rule {second[0]!r} concluded {second[1]!r}"
        )


class InputLimitError(InfoshareError):
    """Input refused before parsing: over a documented limit, not UTF-8, or not a regular file."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(message)


class EngineUnavailableError(InfoshareError):
    """The requested engine cannot run here (durable-rules does not import on Python 3.13+)."""


class DocumentError(InfoshareError):
    """A JSON document (a decision or a decision record read back) does not match its schema.

    Like :class:`FactsError` it says where (``path``), what is wrong and what was expected, and
    never repeats the value it was given.
    """

    def __init__(self, path: str, problem: str, *, expected: str | None = None, suggestion: str | None = None) -> None:
        self.path = path
        self.problem = problem
        self.expected = expected
        self.suggestion = suggestion
        super().__init__(f"{path}: {problem}" + (f"; expected {expected}" if expected else ""))
