"""infoshare-rules: HM Government's 2006 information sharing practitioners' guide as rules.

>>> from infoshare_rules import CaseFacts, Purpose, decide
>>> decision = decide(CaseFacts(...))
"""

from ._decide import decide
from ._decision import Decision, Obligation, Premise, Question, RulesetRef, TraceStep
from ._errors import (
    EngineUnavailableError,
    FactsError,
    InfoshareError,
    RulesetConflictError,
    RulesetError,
    RulesetNotFoundError,
)
from ._facts import (
    AgeBand,
    Answer,
    Applicability,
    CaseFacts,
    Child,
    Competence,
    Consent,
    ConsentForm,
    ConsentParty,
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
)
from ._json import (
    decision_to_dict,
    decision_to_json,
    facts_from_dict,
    facts_from_json,
    facts_json_schema,
    facts_to_dict,
    facts_to_json,
)
from ._ruleset import DEFAULT_RULESET, Ruleset, available_rulesets, load_ruleset
from ._verdict import Verdict

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_RULESET",
    "AgeBand",
    "Answer",
    "Applicability",
    "CaseFacts",
    "Child",
    "Competence",
    "Consent",
    "ConsentForm",
    "ConsentParty",
    "ConsentResponse",
    "Decision",
    "EngineUnavailableError",
    "FactsError",
    "Harm",
    "HarmConcern",
    "InfoshareError",
    "Information",
    "Judgement",
    "Legal",
    "Obligation",
    "Practitioner",
    "Premise",
    "PublicInterest",
    "Purpose",
    "Question",
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
    "decision_to_dict",
    "decision_to_json",
    "facts_from_dict",
    "facts_from_json",
    "facts_json_schema",
    "facts_to_dict",
    "facts_to_json",
    "load_ruleset",
]
