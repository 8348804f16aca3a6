"""One record of a batch: what it may be (CaseFacts, a facts dict, JSON text) and its error value."""

from __future__ import annotations

from typing import Any, Union

import attrs

from ..errors import FactsError, InfoshareError
from ..facts.json import FactsErrors, facts_from_dict
from ..facts.model import CaseFacts
from ..limits import parse_json_document

#: What ``decide_many`` accepts per record. JSON text is what the file readers hand over: workers
#: parse it themselves, so the parent process only moves strings.
Record = Union[CaseFacts, dict[str, Any], str]


@attrs.frozen
class BadRecord:
    """A record a file reader already knows is unusable (a CSV row with extra cells)."""

    path: str
    problem: str


@attrs.frozen
class RecordError:
    """A record that could not be decided. Reported in its place; the batch goes on.

    ``index`` is the record's 0-based position in the input, ``path`` where in the facts document
    the problem is (``$.information.provided_by``), ``problem`` what is wrong and what was expected.
    It never holds the submitted value: records are personal data.
    """

    index: int
    path: str
    problem: str

    def __str__(self) -> str:
        return f"record {self.index}: {self.path}: {self.problem}"


def _describe(error: FactsError) -> str:
    # Built from the structured fields, leaving out ``got`` (the submitted value).
    text = error.problem
    if error.expected is not None:
        text += "; expected " + (error.expected if isinstance(error.expected, str) else ", ".join(error.expected))
    if error.suggestion:  # one of the allowed values, not the submitted one
        text += f" (did you mean {error.suggestion!r}?)"
    return text


def facts_error(index: int, error: FactsError) -> RecordError:
    if isinstance(error, FactsErrors) and len(error.errors) > 1:
        first, *rest = error.errors
        more = "; ".join(f"{e.path}: {_describe(e)}" for e in rest)
        return RecordError(index, first.path, f"{_describe(first)}; also {more}")
    return RecordError(index, error.path, _describe(error))


def to_facts(record: Any) -> CaseFacts:
    """The CaseFacts of one record, or FactsError (whose message may hold the value: see facts_error)."""
    if isinstance(record, CaseFacts):
        return record
    if isinstance(record, BadRecord):
        raise FactsError(record.path, record.problem)
    if isinstance(record, bytes):  # a JSON Lines line as read from the file
        try:
            record = record.decode("utf-8")
        except UnicodeDecodeError:
            raise FactsError("$", "not UTF-8 text") from None
    if isinstance(record, str):
        if not record.strip():
            raise FactsError("$", "empty record", expected="a JSON object of fact groups")
        record = parse_json_document(record)  # the library's parser: duplicate keys, deep nesting refused
    if isinstance(record, dict):
        return facts_from_dict(record)
    raise FactsError("$", "wrong type", expected="CaseFacts or a JSON object of fact groups (dict)", got=None)


def record_error(index: int, error: InfoshareError) -> RecordError:
    if isinstance(error, FactsError):
        return facts_error(index, error)
    # e.g. two rules in conflict: a defect of the ruleset, named by rule ids, not by facts
    return RecordError(index, "$", f"could not decide: {error}")
