# Generated from model.py and the ruleset's facts.yaml by tools/facts_stub.py: do not edit. After changing the facts, run
#     python tools/facts_stub.py
# (tests/test_typing.py fails while this stub differs from what that writes.)
"""Type hints of the facts model: every fact also takes its values as strings (``Purpose(legitimate="yes")``)."""

from typing import ClassVar, Literal
import enum
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping
import attrs
from ..errors import FactsError, suggest
from .local import LocalFacts, to_local
from .vocabulary import AGE, LOCAL_GROUP, Group, ValueSet, Vocabulary, national_vocabulary

UNKNOWN: str
LOCAL_PREFIX: str
VOCABULARY: Vocabulary


class _FactEnum(str, enum.Enum):  # type: ignore[misc]
    def __str__(self) -> str: ...
    @property
    def label(self) -> str: ...


class Answer(_FactEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


def _as_answer(value: Answer | Literal["yes", "no", "unknown"]) -> Answer: ...


class Applicability(_FactEnum):
    YES = "yes"
    NO = "no"
    NOT_APPLICABLE = "not_applicable"
    UNKNOWN = "unknown"


def _as_applicability(value: Applicability | Literal["yes", "no", "not_applicable", "unknown"]) -> Applicability: ...


class Subject(_FactEnum):
    CHILD = "child"
    ADULT = "adult"
    UNKNOWN = "unknown"


def _as_subject(value: Subject | Literal["child", "adult", "unknown"]) -> Subject: ...


class Provider(_FactEnum):
    SUBJECT = "subject"
    CHILD = "child"
    PARENT = "parent"
    OTHER = "other"
    PRACTITIONER = "practitioner"
    AGENCY_RECORDS = "agency_records"
    UNKNOWN = "unknown"


def _as_provider(value: Provider | Literal["subject", "child", "parent", "other", "practitioner", "agency_records", "unknown"]) -> Provider: ...


class Relationship(_FactEnum):
    FORMAL = "formal"
    INFORMAL_ASKED_CONFIDENTIAL = "informal_asked_confidential"
    INFORMAL = "informal"
    PUBLIC_BODY = "public_body"
    NONE = "none"
    UNKNOWN = "unknown"


def _as_relationship(value: Relationship | Literal["formal", "informal_asked_confidential", "informal", "public_body", "none", "unknown"]) -> Relationship: ...


class Understanding(_FactEnum):
    NOT_TO_BE_SHARED = "not_to_be_shared"
    LIMITED_SHARING = "limited_sharing"
    WOULD_BE_SHARED = "would_be_shared"
    UNKNOWN = "unknown"


def _as_understanding(value: Understanding | Literal["not_to_be_shared", "limited_sharing", "would_be_shared", "unknown"]) -> Understanding: ...


class Competence(_FactEnum):
    COMPETENT = "competent"
    NOT_COMPETENT = "not_competent"
    UNKNOWN = "unknown"


def _as_competence(value: Competence | Literal["competent", "not_competent", "unknown"]) -> Competence: ...


class ConsentResponse(_FactEnum):
    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    NO_RESPONSE = "no_response"
    NOT_SOUGHT = "not_sought"
    UNKNOWN = "unknown"


def _as_consent_response(value: ConsentResponse | Literal["given", "refused", "withdrawn", "no_response", "not_sought", "unknown"]) -> ConsentResponse: ...


class SecondConsentResponse(_FactEnum):
    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    NO_RESPONSE = "no_response"
    NOT_SOUGHT = "not_sought"
    NOT_APPLICABLE = "not_applicable"
    UNKNOWN = "unknown"


def _as_second_consent_response(value: SecondConsentResponse | Literal["given", "refused", "withdrawn", "no_response", "not_sought", "not_applicable", "unknown"]) -> SecondConsentResponse: ...


class ConsentForm(_FactEnum):
    EXPLICIT_WRITTEN = "explicit_written"
    EXPLICIT_ORAL = "explicit_oral"
    IMPLIED = "implied"
    UNKNOWN = "unknown"


def _as_consent_form(value: ConsentForm | Literal["explicit_written", "explicit_oral", "implied", "unknown"]) -> ConsentForm: ...


class HarmConcern(_FactEnum):
    EVIDENCE = "evidence"
    REASONABLE_CAUSE = "reasonable_cause"
    UNSURE = "unsure"
    NONE = "none"
    UNKNOWN = "unknown"


def _as_harm_concern(value: HarmConcern | Literal["evidence", "reasonable_cause", "unsure", "none", "unknown"]) -> HarmConcern: ...


class Judgement(_FactEnum):
    SUFFICIENT = "sufficient"
    INSUFFICIENT = "insufficient"
    UNKNOWN = "unknown"


def _as_judgement(value: Judgement | Literal["sufficient", "insufficient", "unknown"]) -> Judgement: ...


class AgeBand(_FactEnum):
    UNDER_12 = "under_12"
    AGE_12_TO_15 = "12_to_15"
    AGE_16_TO_17 = "16_to_17"
    AGE_18_OR_OVER = "18_or_over"
    UNKNOWN = "unknown"


def _as_age_band(value: AgeBand | Literal["under_12", "12_to_15", "16_to_17", "18_or_over", "unknown"]) -> AgeBand: ...


MAX_AGE: int
STEPS: dict[int, str]


def fact(enum_type: type[_FactEnum], question: str, *cites: str, step: int, doc: str = ..., direct: bool = ...) -> Any: ...


@attrs.frozen
class Purpose:
    group: ClassVar[str]
    legitimate: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    within_agency_functions: Applicability = attrs.field(default=Applicability.UNKNOWN, converter=_as_applicability)
    preventative_work: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)


@attrs.frozen
class Information:
    group: ClassVar[str]
    identifiable: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    confidential: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    about: Subject = attrs.field(default=Subject.UNKNOWN, converter=_as_subject)
    provided_by: Provider = attrs.field(default=Provider.UNKNOWN, converter=_as_provider)
    from_records: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    in_public_domain: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    sensitive: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    relationship: Relationship = attrs.field(default=Relationship.UNKNOWN, converter=_as_relationship)
    statutory_confidentiality: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    provider_understood: Understanding = attrs.field(default=Understanding.UNKNOWN, converter=_as_understanding)


@attrs.frozen
class Sharing:
    group: ClassVar[str]
    within_understood_limits: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    proportionate: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    limited_to_inform_decision: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)


@attrs.frozen
class Child:
    group: ClassVar[str]
    age: int | None = attrs.field(default=None)
    competence: Competence = attrs.field(default=Competence.UNKNOWN, converter=_as_competence)


@attrs.frozen
class Consent:
    group: ClassVar[str]
    have_consent: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    child: ConsentResponse = attrs.field(default=ConsentResponse.UNKNOWN, converter=_as_consent_response)
    parent: ConsentResponse = attrs.field(default=ConsentResponse.UNKNOWN, converter=_as_consent_response)
    other_parent: SecondConsentResponse = attrs.field(default=SecondConsentResponse.UNKNOWN, converter=_as_second_consent_response)
    adult_concerned: ConsentResponse = attrs.field(default=ConsentResponse.UNKNOWN, converter=_as_consent_response)
    provider: ConsentResponse = attrs.field(default=ConsentResponse.UNKNOWN, converter=_as_consent_response)
    family_in_conflict: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    parents_separated: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    resident_parent_answered: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    good_reason_not_to_seek: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    form: ConsentForm = attrs.field(default=ConsentForm.UNKNOWN, converter=_as_consent_form)
    informed: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    told_right_to_object: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    sharing_intrinsic_to_activity: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    coerced: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    significant_change_since_given: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)


@attrs.frozen
class Legal:
    group: ClassVar[str]
    statutory_duty: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    court_order: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)


@attrs.frozen
class Harm:
    group: ClassVar[str]
    child: HarmConcern = attrs.field(default=HarmConcern.UNKNOWN, converter=_as_harm_concern)
    child_may_cause_serious_harm_to_others: HarmConcern = attrs.field(default=HarmConcern.UNKNOWN, converter=_as_harm_concern)
    sharing_prevents_significant_harm_to_child: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    adult_at_risk_of_serious_harm: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    sharing_prevents_serious_harm_to_adult: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    serious_crime: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    abuse_or_neglect_concern: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)


@attrs.frozen
class SeekingConsentWould:
    group: ClassVar[str]
    increase_risk_of_significant_harm_to_child: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    put_adult_at_risk_of_serious_harm: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    undermine_serious_crime_prevention_detection_or_prosecution: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    delay_significant_harm_enquiries: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    interfere_with_potential_investigation: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)


@attrs.frozen
class PublicInterest:
    group: ClassVar[str]
    practitioner_judgement: Judgement = attrs.field(default=Judgement.UNKNOWN, converter=_as_judgement)
    confidential_service_weighs_against: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)


@attrs.frozen
class Practitioner:
    group: ClassVar[str]
    unsure_what_to_do: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)
    first_engagement: Answer = attrs.field(default=Answer.UNKNOWN, converter=_as_answer)


@attrs.frozen
class CaseFacts:
    purpose: Purpose = attrs.field(factory=Purpose)
    information: Information = attrs.field(factory=Information)
    sharing: Sharing = attrs.field(factory=Sharing)
    child: Child = attrs.field(factory=Child)
    consent: Consent = attrs.field(factory=Consent)
    legal: Legal = attrs.field(factory=Legal)
    harm: Harm = attrs.field(factory=Harm)
    seeking_consent_would: SeekingConsentWould = attrs.field(factory=SeekingConsentWould)
    public_interest: PublicInterest = attrs.field(factory=PublicInterest)
    practitioner: Practitioner = attrs.field(factory=Practitioner)
    local: LocalFacts = attrs.field(factory=LocalFacts, converter=to_local)


GROUP_FIELDS: tuple[attrs.Attribute[Any], ...]
GROUPS: tuple[type, ...]


@attrs.frozen
class FactSpec:
    name: str
    values: tuple[str, ...]
    doc: str
    cites: tuple[str, ...]


@attrs.frozen
class InputSpec:
    name: str
    question: str
    cites: tuple[str, ...]
    step: int
    direct: bool
    answers: tuple[tuple[str, str], ...]
    tests: str


FACT_SPECS: Mapping[str, FactSpec]
INPUT_SPECS: Mapping[str, InputSpec]


def is_fact(name: str) -> bool: ...


def local_specs(vocabulary: Vocabulary) -> tuple[dict[str, FactSpec], dict[str, InputSpec]]: ...


FLAT_READS: Mapping[str, tuple[str, str]]
AGE_BANDS: Mapping[int | None, str]


def read_facts(targets: Mapping[str, str]) -> list[str]: ...


def flatten(facts: CaseFacts, local: Iterable[str] = ...) -> dict[str, str]: ...


INPUT_FIELDS: tuple[str, ...]
AGE_IN_BAND: dict[str, int]


def with_fact(facts: CaseFacts, name: str, value: str | int | None) -> CaseFacts: ...
