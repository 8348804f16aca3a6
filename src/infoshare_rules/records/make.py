"""Making a decision record, and the canonical hash of a case's facts."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .model import DecisionRecord
from ..api_types import EngineName
from ..decision.decide import decide
from ..decision.model import Decision
from ..errors import DocumentError
from ..facts.json import facts_to_dict
from ..facts.model import CaseFacts
from ..ruleset.model import DEFAULT_RULESET, Ruleset

MAX_ID_LENGTH = 200
RECORD_ID_PATTERN = "^[!-~]([ -~]*[!-~])?$"  # printable ASCII, no leading or trailing space
_ID = re.compile(RECORD_ID_PATTERN[1:-1])  # fullmatch: Python's $ would allow a final newline


@functools.cache  # reading package metadata costs about a millisecond
def library_version() -> str:
    try:
        return version("infoshare-rules")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


def canonical_facts_json(facts: CaseFacts) -> str:
    """The facts as one canonical JSON text: only stated facts (unknown ones left out), keys sorted, no spaces.

    Leaving out unknowns keeps the hash of a case the same when a later version adds facts
    (which all default to unknown).
    """
    stated = {}
    for group, values in facts_to_dict(facts).items():
        kept = {name: value for name, value in values.items() if value not in ("unknown", None)}
        if kept:
            stated[group] = kept
    return json.dumps(stated, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def facts_sha256(facts: CaseFacts) -> str:
    return "sha256:" + hashlib.sha256(canonical_facts_json(facts).encode("utf-8")).hexdigest()


def check_record_id(record_id: str) -> str:
    if not isinstance(record_id, str) or not _ID.fullmatch(record_id) or len(record_id) > MAX_ID_LENGTH:
        raise DocumentError(
            "record_id", "not a usable record id", expected=f"1-{MAX_ID_LENGTH} printable ASCII characters, not starting or ending with a space"
        )
    return record_id


def check_timestamp(recorded_at: str) -> str:
    """An RFC 3339 timestamp with a UTC offset (``2024-05-01T14:30:00Z``); returned as given."""
    expected = "an RFC 3339 timestamp with a UTC offset, e.g. 2024-05-01T14:30:00Z"
    if not isinstance(recorded_at, str):
        raise DocumentError("recorded_at", "wrong type", expected=expected)
    text = recorded_at[:-1] + "+00:00" if recorded_at.endswith(("Z", "z")) else recorded_at
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise DocumentError("recorded_at", "not a timestamp", expected=expected) from None
    if "T" not in text.upper() or parsed.tzinfo is None:
        raise DocumentError("recorded_at", "no date and time with a UTC offset", expected=expected)
    return recorded_at


def record_decision(
    decision: Decision, facts: CaseFacts, *, record_id: str, recorded_at: str, include_facts: bool = False
) -> DecisionRecord:
    """The record of a decision already made from ``facts``."""
    return DecisionRecord(
        record_id=check_record_id(record_id),
        recorded_at=check_timestamp(recorded_at),
        library_version=library_version(),
        ruleset=decision.ruleset,
        engine=decision.engine,
        facts_sha256=facts_sha256(facts),
        facts=facts if include_facts else None,
        verdict=decision.verdict,
        obligations=decision.obligations,
        presumed=decision.presumed,
        reasons=decision.trace,
    )


def make_record(
    facts: CaseFacts,
    *,
    record_id: str,
    recorded_at: str,
    include_facts: bool = False,
    ruleset: str | Path | Ruleset = DEFAULT_RULESET,
    engine: EngineName = "compiled",
) -> DecisionRecord:
    """Decide the case and return its decision record."""
    check_record_id(record_id)
    check_timestamp(recorded_at)
    decision = decide(facts, ruleset=ruleset, engine=engine)
    return record_decision(decision, facts, record_id=record_id, recorded_at=recorded_at, include_facts=include_facts)
