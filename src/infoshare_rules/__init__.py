"""infoshare-rules: HM Government's 2006 information sharing practitioners' guide as rules.

The names in ``__all__`` are the library's API; the subpackages beneath it are internal and
laid out as the data flows: ``facts`` -> ``ruleset`` -> ``engines`` -> ``decision`` ->
``render``, with ``cases`` (suites) and ``cli`` on top.

>>> from infoshare_rules import CaseFacts, Purpose, decide
>>> decision = decide(CaseFacts(...))
"""

from pathlib import Path
from typing import Protocol

from .api_types import EngineName
from .batch.pool import decide_many
from .batch.record import RecordError
from .decision.decide import decide as _decide
from .decision.question_index import prepare
from .decision.model import AnswerOption, Conclusion, Decision, Obligation, Premise, Presumption, Question, RulesetRef, TraceStep
from .errors import (
    AnalysisBudgetError,
    DocumentError,
    EngineUnavailableError,
    FactsError,
    InfoshareError,
    RulesetConflictError,
    RulesetError,
    RulesetNotFoundError,
)
from .facts.local import LocalFacts
from .facts.model import (
    AgeBand,
    Answer,
    Applicability,
    CaseFacts,
    Child,
    Competence,
    Consent,
    ConsentForm,
    Provider,
    ConsentResponse,
    HarmConcern,
    Harm,
    Information,
    Judgement,
    Legal,
    Practitioner,
    PublicInterest,
    Purpose,
    Relationship,
    SeekingConsentWould,
    Sharing,
    Subject,
    Understanding,
    with_fact,
)
from .facts.json import (
    facts_from_dict,
    facts_from_json,
    facts_json_schema,
    facts_to_dict,
    facts_to_json,
)
from .render.json import decision_from_dict, decision_from_json, decision_json_schema, decision_to_dict, decision_to_json
from .render.text import decision_to_text
from .ruleset.loader import available_rulesets, load_ruleset
from .ruleset.model import DEFAULT_RULESET, Ruleset
from .ruleset.verdict import Verdict

__version__ = "0.1.0"


class _Decide(Protocol):
    """decide()'s signature as the API promises it: ``engine`` is one of the engine names."""

    def __call__(
        self, facts: CaseFacts, *, ruleset: str | Path | Ruleset = ..., engine: EngineName = ..., questions: bool = ...
    ) -> Decision: ...


#: :func:`infoshare_rules.decision.decide.decide` itself (the same object), typed so that a type
#: checker rejects an engine name that does not exist.
decide: _Decide = _decide

__all__ = [
    "DEFAULT_RULESET",
    "AgeBand",
    "AnalysisBudgetError",
    "Answer",
    "AnswerOption",
    "Applicability",
    "CaseFacts",
    "Child",
    "Competence",
    "Conclusion",
    "Consent",
    "ConsentForm",
    "Provider",
    "ConsentResponse",
    "Decision",
    "DocumentError",
    "EngineName",
    "EngineUnavailableError",
    "FactsError",
    "Harm",
    "HarmConcern",
    "InfoshareError",
    "Information",
    "Judgement",
    "Legal",
    "LocalFacts",
    "Obligation",
    "Practitioner",
    "Premise",
    "Presumption",
    "PublicInterest",
    "Purpose",
    "Question",
    "RecordError",
    "Relationship",
    "Ruleset",
    "RulesetConflictError",
    "RulesetError",
    "RulesetNotFoundError",
    "RulesetRef",
    "SeekingConsentWould",
    "Sharing",
    "Subject",
    "TraceStep",
    "Understanding",
    "Verdict",
    "available_rulesets",
    "decide",
    "prepare",
    "decide_many",
    "decision_from_dict",
    "decision_from_json",
    "decision_json_schema",
    "decision_to_dict",
    "decision_to_json",
    "decision_to_text",
    "facts_from_dict",
    "facts_from_json",
    "facts_json_schema",
    "facts_to_dict",
    "facts_to_json",
    "load_ruleset",
    "with_fact",
]
