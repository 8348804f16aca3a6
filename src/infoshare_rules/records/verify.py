"""Re-deriving a decision record: has the ruleset changed since, and would the verdict differ now?"""

from __future__ import annotations

from typing import Any

import attrs

from .make import facts_sha256, library_version
from .model import DecisionRecord
from ..api_types import EngineName
from ..decision.decide import decide
from ..decision.model import RulesetRef
from ..errors import DocumentError, RulesetNotFoundError, describe_name, suggest
from ..facts.model import CaseFacts
from ..ruleset.loader import available_rulesets, load_ruleset
from ..ruleset.model import Ruleset
from ..ruleset.verdict import Verdict


@attrs.frozen
class Verification:
    """What re-deriving a record found. ``None`` means it could not be told (no facts to decide on)."""

    record_id: str
    ruleset_recorded: RulesetRef
    ruleset_now: RulesetRef
    ruleset_changed: bool
    library_version_recorded: str
    library_version_now: str
    facts_available: bool
    verdict_recorded: Verdict
    verdict_now: Verdict | None
    verdict_differs: bool | None
    obligations_differ: bool | None
    reasons_differ: bool | None

    @property
    def same_decision(self) -> bool | None:
        """True: deciding now gives the recorded verdict and obligations; None: cannot tell."""
        if self.verdict_differs is None:
            return None if self.ruleset_changed else True  # decisions are pure: same rules, same facts, same outcome
        return not (self.verdict_differs or self.obligations_differ)


def verify_record(
    record: DecisionRecord, facts: CaseFacts | None = None, *, ruleset: Ruleset | None = None, engine: EngineName = "compiled"
) -> Verification:
    """Re-derive ``record`` with today's ruleset: ``ruleset``, else the shipped ruleset of the record's id.

    The facts come from the record when it kept them, else from ``facts``, which must hash to the
    record's ``facts_sha256`` (a DocumentError says so when they do not).
    """
    if facts is not None and facts_sha256(facts) != record.facts_sha256:
        raise DocumentError("facts", "do not match the record", expected="the facts whose sha256 the record holds")
    facts = record.facts if record.facts is not None else facts
    if ruleset is None:
        # only a shipped ruleset: a record is data, and must not make the library read a folder it names
        if record.ruleset.id not in available_rulesets():
            raise RulesetNotFoundError(f"no shipped ruleset {describe_name(record.ruleset.id)} to verify against", suggestion=suggest(record.ruleset.id, available_rulesets()))
        ruleset = load_ruleset(record.ruleset.id)
    now = RulesetRef(ruleset.id, ruleset.version, ruleset.hash, ruleset.publication_reference)
    found: dict[str, Any] = dict(
        record_id=record.record_id,
        ruleset_recorded=record.ruleset,
        ruleset_now=now,
        ruleset_changed=now.hash != record.ruleset.hash,
        library_version_recorded=record.library_version,
        library_version_now=library_version(),
        facts_available=facts is not None,
        verdict_recorded=record.verdict,
    )
    if facts is None:
        return Verification(**found, verdict_now=None, verdict_differs=None, obligations_differ=None, reasons_differ=None)
    decision = decide(facts, ruleset=ruleset, engine=engine, questions=False)
    return Verification(
        **found,
        verdict_now=decision.verdict,
        verdict_differs=decision.verdict != record.verdict,
        obligations_differ=[o.id for o in decision.obligations] != [o.id for o in record.obligations],
        reasons_differ=[s.rule for s in decision.trace] != [s.rule for s in record.reasons],
    )


def verification_text(result: Verification) -> str:
    lines = [f"Record {result.record_id}: verdict {result.verdict_recorded.value}"]
    recorded, now = result.ruleset_recorded, result.ruleset_now
    if result.ruleset_changed:
        lines.append(f"  ruleset {now.id} HAS CHANGED since: recorded {recorded.version} {recorded.hash[:19]}, now {now.version} {now.hash[:19]}")
    else:
        lines.append(f"  ruleset {now.id} {now.version} unchanged ({now.hash[:19]})")
    if result.library_version_recorded != result.library_version_now:
        lines.append(f"  library version: recorded {result.library_version_recorded}, now {result.library_version_now}")
    if result.verdict_now is None:
        tell = "the same decision (same rules)" if not result.ruleset_changed else "CANNOT TELL whether the verdict would differ"
        lines.append(f"  facts not in the record and not given (--facts): {tell}")
    elif result.verdict_differs:
        lines.append(f"  VERDICT WOULD DIFFER NOW: {result.verdict_now.value}")
    else:
        lines.append(f"  verdict would be the same now: {result.verdict_now.value}")
        if result.obligations_differ:
            lines.append("  OBLIGATIONS WOULD DIFFER NOW")
        elif result.reasons_differ:
            lines.append("  same verdict and obligations, reached by different rules")
    return "\n".join(lines)
