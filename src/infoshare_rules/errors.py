"""The library's exceptions: one base class, each error carrying structured fields."""

from __future__ import annotations

import difflib
import re
from typing import Iterable, Sequence

# Error messages never echo what was submitted (a name or an address would end up in logs). Every
# value, key, name or path step taken from input is shown only when it is a short identifier-like
# token (as a typo of an allowed value is); anything else is described by its type and length.
# These functions are the one place that decides; every reader's errors go through them.
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.:\-]{0,63}")
_PARAGRAPH_ID = re.compile(r"\d{1,2}(?:\.\d{1,2})?")  # 4.30, 2: the guide's paragraph numbers
_MAX_VALUE_SHOWN = 24
_MAX_INTEGER_SHOWN = 10**6  # ages and counts; not a phone or NHS number
# A path as the library builds it: $, then .name or [index] steps, a key it may not show described.
_PATH_PIECE = re.compile(r"(\.|\[\d+\])")
_SHOWN_PIECE = re.compile(r"[A-Za-z_][A-Za-z0-9_:\-]{0,63}|<key: [A-Za-z]+(?: of \d+ chars)?>")
# A part of a file path: a file name may start with a digit (rules/04-consent.yaml).
_PATH_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}|\.\.?|[~-]|<\d+ chars>|")


def is_identifier(text: object) -> bool:
    """Whether ``text`` is a short identifier-like token (``consent.given_by``, ``rule-1``) that an error may show."""
    return isinstance(text, str) and _IDENTIFIER.fullmatch(text) is not None


def _shown(text: str, limit: int) -> bool:
    return (len(text) <= limit and _IDENTIFIER.fullmatch(text) is not None) or _PARAGRAPH_ID.fullmatch(text) is not None


def is_name(text: object) -> bool:
    """Whether ``text`` may name something (a rule, a conclusion, a paragraph): identifier-like, or a paragraph number."""
    return isinstance(text, str) and _shown(text, 64)


def describe_value(value: object) -> str:
    """A submitted value as an error message may show it: short tokens verbatim, anything else by type and size."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        if abs(value) < _MAX_INTEGER_SHOWN:
            return repr(int(value))
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, float):
        text = repr(value)
        return text if len(text) <= _MAX_VALUE_SHOWN and abs(value) < _MAX_INTEGER_SHOWN else "a number"
    if isinstance(value, str):
        return repr(str(value)) if _shown(value, _MAX_VALUE_SHOWN) else f"a string of {len(value)} characters (not shown)"
    if isinstance(value, bytes):
        return f"{len(value)} bytes (not shown)"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} items"
    if isinstance(value, dict):
        return f"an object with {len(value)} keys"
    return f"a value of type {type(value).__name__}"


def describe_key(key: object) -> str:
    """A mapping key as a path step: shown when identifier-like, else ``<key: str of 48 chars>``."""
    if is_identifier(key):
        return str(key)
    if isinstance(key, str):
        return f"<key: str of {len(key)} chars>"
    return f"<key: {type(key).__name__}>"


def describe_name(name: object) -> str:
    """A name or id taken from input (a rule, an obligation, a paragraph) as a message may quote it."""
    if isinstance(name, str):
        return repr(name) if is_name(name) else f"<name: str of {len(name)} chars>"
    return describe_value(name)


def json_path(steps: Iterable[object], root: str = "$") -> str:
    """The path of a place in a JSON document (``$.trace[25].used.<key: str of 48 chars>``), keys described as above."""
    return root + "".join(f"[{s}]" if isinstance(s, int) and not isinstance(s, bool) else f".{describe_key(s)}" for s in steps)


def safe_path(path: str) -> str:
    """A path built elsewhere, made safe to show: each step that is not identifier-like is described.

    Errors apply it to the path they are given, so a key pasted into a path unchecked is never shown.
    """
    pieces = _PATH_PIECE.split(path)
    changed = False
    for i in range(0, len(pieces), 2):  # the even places are the names between the separators
        piece = pieces[i]
        if piece and not (i == 0 and piece == "$") and _SHOWN_PIECE.fullmatch(piece) is None:
            pieces[i] = f"<key: str of {len(piece)} chars>"
            changed = True
    return "".join(pieces) if changed else path


def describe_path(value: object) -> str:
    """A file name or path given in an input file: each part shown when identifier-like, else its length."""
    if not isinstance(value, str) or not value or len(value) > 400:
        return describe_value(value)
    parts = value.split("/")
    return "/".join(part if _PATH_PART.fullmatch(part) else f"<{len(part)} chars>" for part in parts)


def suggest(got: object, allowed: Iterable[str]) -> str | None:
    """The closest allowed value to what was given, for a "did you mean" hint (never one an error may not show)."""
    if not isinstance(got, str):
        return None
    matches = difflib.get_close_matches(got, list(allowed), n=1, cutoff=0.6)
    return matches[0] if matches and is_name(matches[0]) else None


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
        self.path = safe_path(path)
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
        self.file = None if file is None else describe_path(file)
        self.line = line
        self.suggestion = suggestion
        where = self.file or "<ruleset>"
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
            f"rules conflict on {describe_name(conclusion)}: rule {describe_name(first[0])} concluded {describe_name(first[1])}, "
            f"rule {describe_name(second[0])} concluded {describe_name(second[1])}"
        )


class InputLimitError(InfoshareError):
    """Input refused before parsing: over a documented limit, not UTF-8, or not a regular file."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(message)


class AnalysisBudgetError(InfoshareError):
    """``infoshare check`` or ``diff`` ran past its CPU budget: the exact analysis was given up, nothing reported.

    ``rulesets`` are the rulesets analysed, each as (id, number of rules); ``seconds`` the budget and
    ``stage`` how far the analysis got (``"the doubts of ruleset 'x' (stage 5)"``...).
    """

    def __init__(self, rulesets: Sequence[tuple[str, int]], seconds: float, stage: str) -> None:
        self.rulesets = tuple(rulesets)
        self.seconds = seconds
        self.stage = stage
        what = " against ".join(f"{describe_name(name)} ({rules:,} rules)" for name, rules in self.rulesets)
        super().__init__(
            f"the exact analysis of {what} did not finish within its budget of {seconds:g} CPU seconds (it had "
            f"reached {stage}); nothing was reported. Give it more time (--budget SECONDS, 0 for no limit), "
            "or analyse fewer rules at once"
        )


class EngineUnavailableError(InfoshareError):
    """The requested engine cannot run here (durable-rules does not import on Python 3.13+)."""


class DocumentError(InfoshareError):
    """A JSON document (a decision or a decision record read back) does not match its schema.

    Like :class:`FactsError` it says where (``path``), what is wrong and what was expected, and
    never repeats the value it was given.
    """

    def __init__(self, path: str, problem: str, *, expected: str | None = None, suggestion: str | None = None) -> None:
        self.path = safe_path(path)
        self.problem = problem
        self.expected = expected
        self.suggestion = suggestion
        super().__init__(f"{self.path}: {problem}" + (f"; expected {expected}" if expected else ""))
