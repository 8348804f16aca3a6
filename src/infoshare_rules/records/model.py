"""The decision record: a frozen, self-describing account of one decision and its reasons (4.30)."""

from __future__ import annotations

import attrs

from ..decision.model import Decision, Obligation, Presumption, RulesetRef, TraceStep
from ..facts.model import CaseFacts
from ..ruleset.verdict import Verdict

attrs.resolve_types(Decision)
# Core v2 adds Decision.presumed (defaults applied while a fact is unknown); before it there are none.


@attrs.frozen
class DecisionRecord:
    """One decision as the guide asks it recorded: the decision, the reasons, and what it rested on.

    The facts are kept only when the caller asks (``facts``); ``facts_sha256`` always identifies
    them, so a record can be checked against facts held elsewhere without holding them itself.
    """

    record_id: str
    recorded_at: str  # supplied by the caller (RFC 3339 with a UTC offset); the library reads no clock
    library_version: str
    ruleset: RulesetRef
    engine: str
    facts_sha256: str
    facts: CaseFacts | None
    verdict: Verdict
    obligations: tuple[Obligation, ...]
    presumed: tuple[Presumption, ...]
    reasons: tuple[TraceStep, ...]  # the trace: every rule that fired, with the paragraphs it cites
