"""Facts about a case: what the practitioner knows, as frozen attrs classes.

Every fact defaults to *unknown*: a fact the caller did not give is not "no". Each field
carries the paragraph(s) of the guide that make it matter (``metadata["cites"]``) and a
plain-English description, so the JSON Schema and the docs come from one place.
"""

from __future__ import annotations

import enum
from typing import Any, Iterator, Mapping

import attrs

from ..errors import FactsError, suggest

UNKNOWN = "unknown"


class _FactEnum(str, enum.Enum):
    def __str__(self) -> str:  # so f-strings and JSON show the value, not the member name
        return str(self.value)


class Answer(_FactEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = UNKNOWN


class Applicability(_FactEnum):
    YES = "yes"
    NO = "no"
    NOT_APPLICABLE = "not_applicable"
    UNKNOWN = UNKNOWN


class Subject(_FactEnum):
    CHILD = "child"
    ADULT = "adult"
    UNKNOWN = UNKNOWN


class Relationship(_FactEnum):
    FORMAL = "formal"
    INFORMAL_ASKED_CONFIDENTIAL = "informal_asked_confidential"
    INFORMAL = "informal"
    PUBLIC_BODY = "public_body"
    NONE = "none"
    UNKNOWN = UNKNOWN


class Understanding(_FactEnum):
    NOT_TO_BE_SHARED = "not_to_be_shared"
    LIMITED_SHARING = "limited_sharing"
    WOULD_BE_SHARED = "would_be_shared"
    UNKNOWN = UNKNOWN


class Competence(_FactEnum):
    COMPETENT = "competent"
    NOT_COMPETENT = "not_competent"
    UNKNOWN = UNKNOWN


class ConsentResponse(_FactEnum):
    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    NO_RESPONSE = "no_response"
    NOT_SOUGHT = "not_sought"
    UNKNOWN = UNKNOWN


class ConsentParty(_FactEnum):
    CHILD = "child"
    PARENT = "parent"
    ADULT = "adult"
    UNKNOWN = UNKNOWN


class ConsentForm(_FactEnum):
    EXPLICIT_WRITTEN = "explicit_written"
    EXPLICIT_ORAL = "explicit_oral"
    IMPLIED = "implied"
    UNKNOWN = UNKNOWN


class HarmConcern(_FactEnum):
    EVIDENCE = "evidence"
    REASONABLE_CAUSE = "reasonable_cause"
    UNSURE = "unsure"
    NONE = "none"
    UNKNOWN = UNKNOWN


class Judgement(_FactEnum):
    SUFFICIENT = "sufficient"
    INSUFFICIENT = "insufficient"
    UNKNOWN = UNKNOWN


class AgeBand(_FactEnum):
    UNDER_12 = "under_12"
    AGE_12_TO_15 = "12_to_15"
    AGE_16_TO_17 = "16_to_17"
    AGE_18_OR_OVER = "18_or_over"
    UNKNOWN = UNKNOWN


MAX_AGE = 25  # the guide covers children and young people; an older age is a typo, not a case


def _to_enum(value: Any, self_: Any, field: attrs.Attribute[Any]) -> _FactEnum:
    enum_type: type[_FactEnum] = field.metadata["enum"]
    if isinstance(value, enum_type):
        return value
    allowed = [m.value for m in enum_type]
    path = f"$.{type(self_).group}.{field.name}"
    if isinstance(value, str):
        try:
            return enum_type(value)
        except ValueError:
            pass
        raise FactsError(
            path, "not an allowed value", expected=allowed, got=value, suggestion=suggest(value, allowed)
        )
    raise FactsError(path, "wrong type", expected=f"one of the strings {', '.join(allowed)}", got=value)


def _to_age(value: Any, self_: Any, field: attrs.Attribute[Any]) -> int | None:
    path = f"$.{type(self_).group}.{field.name}"
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 12.0 is a whole number, as JSON Schema's "integer" says
    if isinstance(value, bool) or not isinstance(value, int):
        raise FactsError(path, "wrong type", expected=f"a whole number of years 0-{MAX_AGE}, or null for unknown", got=value)
    if not 0 <= value <= MAX_AGE:
        raise FactsError(path, "out of range", expected=f"a whole number of years 0-{MAX_AGE}, or null for unknown", got=value)
    return value


def fact(enum_type: type[_FactEnum], doc: str, *cites: str) -> Any:
    """A fact field: an enumeration defaulting to unknown, citing the guide."""
    return attrs.field(
        default=enum_type(UNKNOWN),
        converter=attrs.Converter(_to_enum, takes_self=True, takes_field=True),
        metadata={"enum": enum_type, "doc": doc, "cites": cites},
    )


@attrs.frozen
class Purpose:
    group = "purpose"
    legitimate: Answer = fact(
        Answer, "Is there a good reason or legitimate purpose for you or your agency to share the information?", "4.2", "4.4"
    )
    within_agency_functions: Applicability = fact(
        Applicability,
        "For a statutory service, or one contracted by a statutory agency: is the sharing within the functions or powers "
        "of that statutory body? not_applicable when you work for neither.",
        "4.3",
    )
    preventative_work: Answer = fact(
        Answer, "Is the sharing for the legitimate purposes of preventative work (early intervention)?", "3.13", "3.17"
    )


@attrs.frozen
class Information:
    group = "information"
    about: Subject = fact(Subject, "Whom the information is about: the child or young person, or an adult such as a parent or carer.", "4.6", "4.16")
    provided_by: Subject = fact(
        Subject,
        "Who gave you the information: the child or young person, or an adult (such as a parent or carer). The duty of "
        "confidence is owed to the person who provided it on the understanding it would be kept confidential.",
        "4.16",
    )
    identifiable: Answer = fact(Answer, "Does the information enable a person to be identified? no means it is anonymised.", "4.6")
    in_public_domain: Answer = fact(
        Answer,
        "Is the information already lawfully in the public domain, readily available from another public source, or widely known?",
        "3.7",
    )
    sensitive: Answer = fact(Answer, "Is the information of some sensitivity?", "3.7")
    relationship: Relationship = fact(
        Relationship,
        "The relationship in which it was shared: formal confidential (doctor-patient, social worker-client, counsellor-client, "
        "a counselling session); informal where the person asked for this information to be kept confidential; informal "
        "(e.g. teacher-pupil) without such a request; held by a public body for its functions; or none.",
        "3.7",
        "4.8",
        "4.9",
        "4.10",
        "4.11",
    )
    provider_understood: Understanding = fact(
        Understanding,
        "What the person who gave the information understood: that it would not be shared; that it would be shared only "
        "with a limited range of people or for limited purposes; or that it would be shared with others.",
        "3.7",
        "3.8",
        "4.10",
    )


@attrs.frozen
class Sharing:
    group = "sharing"
    within_understood_limits: Answer = fact(
        Answer, "Is the proposed sharing within the limits (people, purposes) the person understood when they gave it?", "3.8"
    )
    proportionate: Answer = fact(
        Answer,
        "Your judgement: is the proposed sharing a proportionate, balanced response to the need to protect the public "
        "interest in question, weighing what might happen if it is shared against what might happen if it is not?",
        "3.10",
        "3.11",
    )


@attrs.frozen
class Child:
    group = "child"
    age: int | None = attrs.field(
        default=None,
        converter=attrs.Converter(_to_age, takes_self=True, takes_field=True),  # type: ignore[misc]  # mypy's attrs plugin: named functions only
        metadata={"doc": "The child or young person's age in whole years; null when not known.", "cites": ("4.16", "4.17")},
    )
    competence: Competence = fact(
        Competence,
        "Your assessment, against the 4.18 criteria, of whether the child has sufficient understanding to consent or refuse "
        "consent on this occasion.",
        "4.16",
        "4.17",
        "4.18",
    )


@attrs.frozen
class Consent:
    group = "consent"
    response: ConsentResponse = fact(
        ConsentResponse,
        "What happened when consent to this sharing was asked for: given, refused, withdrawn after being given, no response, "
        "or not sought yet.",
        "4.12",
        "4.15",
    )
    given_by: ConsentParty = fact(
        ConsentParty,
        "Who gave (or refused) it: the child or young person; a parent answering for the child; or the adult the "
        "information is about (a parent answering about their own information is 'adult').",
        "4.16",
        "4.19",
        "4.20",
    )
    parent_has_parental_responsibility: Answer = fact(Answer, "Where a parent answered: do they have parental responsibility?", "4.19")
    parents_separated: Answer = fact(Answer, "Are the child's parents separated?", "4.20")
    parent_is_resident: Answer = fact(Answer, "Where a parent answered and the parents are separated: is that the resident parent?", "4.20")
    form: ConsentForm = fact(ConsentForm, "Whether consent was explicit (in writing or orally) or implied.", "4.14")
    informed: Answer = fact(
        Answer,
        "Did the person understand why the information needs to be shared, who will see it, the purpose and the implications?",
        "4.13",
    )
    coerced: Answer = fact(Answer, "Was the consent secured through coercion?", "4.15")
    sharing_intrinsic_to_activity: Answer = fact(
        Answer,
        "For implied consent: is sharing intrinsic to the activity the person agreed to (e.g. a common assessment, or a GP "
        "referral the patient agreed to)?",
        "4.14",
    )
    significant_change_since_given: Answer = fact(
        Answer,
        "Has there been a significant change in the use of the information, or in the relationship between the agency and "
        "the person, since consent was given?",
        "4.15",
    )


@attrs.frozen
class Legal:
    group = "legal"
    statutory_duty: Answer = fact(Answer, "Does a statutory duty require you to share this information?", "4.23", "4.24")
    court_order: Answer = fact(Answer, "Has a court ordered the information or case files to be brought before it?", "4.23", "4.24")


@attrs.frozen
class Harm:
    group = "harm"
    child: HarmConcern = fact(
        HarmConcern,
        "Your concern about significant harm to the child: evidence that the child is suffering or at risk of suffering it; "
        "reasonable cause to believe they may be; a concern but unsure whether it amounts to reasonable cause; or none.",
        "3.12",
        "3.18",
        "3.19",
    )
    sharing_prevents_significant_harm_to_child: Answer = fact(
        Answer, "Would sharing prevent significant harm arising to children and young people?", "3.12"
    )
    adult_at_risk_of_serious_harm: Answer = fact(
        Answer,
        "Is an adult at risk of serious harm (physical or mental trauma), including through cumulative repeated abuse or "
        "threatening behaviour, or the theft of a car for joyriding?",
        "3.11",
        "3.12",
        "3.21",
    )
    serious_crime: Answer = fact(
        Answer,
        "Is the sharing for the prevention, detection or prosecution of a serious crime (one that causes or is likely to "
        "cause significant harm to a child or serious harm to an adult)?",
        "3.12",
    )
    repeated_or_cumulative_behaviour: Answer = fact(
        Answer, "Is there repeated abuse or threatening behaviour, or similar, whose cumulative effect may amount to serious harm?", "3.21"
    )
    abuse_or_neglect_concern: Answer = fact(Answer, "Is the concern about possible abuse or neglect?", "4.27")


@attrs.frozen
class SeekingConsentWould:
    """The 4.22 grounds (and 3.18's potential investigation): would seeking consent do this?"""

    group = "seeking_consent_would"
    increase_risk_of_significant_harm_to_child: Answer = fact(
        Answer, "Would seeking consent place a child or young person at increased risk of significant harm?", "4.22", "2", "3.18"
    )
    put_adult_at_risk_of_serious_harm: Answer = fact(Answer, "Would seeking consent place an adult at risk of serious harm?", "4.22", "2")
    prejudice_serious_crime_prevention_or_detection: Answer = fact(
        Answer, "Would seeking consent prejudice the prevention or detection of a serious crime?", "4.22", "2"
    )
    delay_significant_harm_enquiries: Answer = fact(
        Answer, "Would seeking consent lead to unjustified delay in making enquiries about allegations of significant harm?", "4.22"
    )
    interfere_with_potential_investigation: Answer = fact(
        Answer, "Would seeking consent (or discussing with the family) lead to interference with any potential investigation?", "2", "3.18"
    )


@attrs.frozen
class PublicInterest:
    group = "public_interest"
    practitioner_judgement: Judgement = fact(
        Judgement,
        "Your judgement on the facts of the case: is there a sufficient public interest (protecting children or others from "
        "harm, promoting children's welfare, preventing crime and disorder) to share confidential information without consent?",
        "3.9",
        "3.10",
        "3.17",
        "4.25",
    )
    confidential_service_weighs_against: Answer = fact(
        Answer,
        "Does the public interest in maintaining confidence in the confidentiality of this service weigh against sharing?",
        "3.10",
        "4.25",
    )


@attrs.frozen
class Practitioner:
    group = "practitioner"
    unsure_what_to_do: Answer = fact(
        Answer,
        "Are you in doubt or not sure what to do? The guide's answer is always to seek advice (and record the outcome). "
        "Leaving it unknown does not hold up a decision; yes always leads to seek_advice.",
        "2",
        "4.26",
        "flowchart",
    )


def _group(cls: type) -> Any:
    return attrs.field(factory=cls, converter=attrs.Converter(_to_group, takes_field=True), metadata={"group": cls})


def _to_group(value: Any, field: attrs.Attribute[Any]) -> Any:
    cls = field.metadata["group"]
    if isinstance(value, cls):
        return value
    raise FactsError(f"$.{field.name}", "wrong type", expected=cls.__name__, got=value)


@attrs.frozen
class CaseFacts:
    """Everything the guide's decisions turn on. Build it, ``attrs.evolve`` it, pass it to ``decide``."""

    purpose: Purpose = _group(Purpose)
    information: Information = _group(Information)
    sharing: Sharing = _group(Sharing)
    child: Child = _group(Child)
    consent: Consent = _group(Consent)
    legal: Legal = _group(Legal)
    harm: Harm = _group(Harm)
    seeking_consent_would: SeekingConsentWould = _group(SeekingConsentWould)
    public_interest: PublicInterest = _group(PublicInterest)
    practitioner: Practitioner = _group(Practitioner)


GROUPS: tuple[type, ...] = tuple(f.metadata["group"] for f in attrs.fields(CaseFacts))


@attrs.frozen
class FactSpec:
    """One name rules may test: its allowed values and where the guide makes it matter."""

    name: str
    values: tuple[str, ...]
    doc: str
    cites: tuple[str, ...]


def _age_band(age: int | None) -> AgeBand:
    if age is None:
        return AgeBand.UNKNOWN
    if age < 12:
        return AgeBand.UNDER_12
    if age < 16:
        return AgeBand.AGE_12_TO_15
    if age < 18:
        return AgeBand.AGE_16_TO_17
    return AgeBand.AGE_18_OR_OVER


def _iter_specs() -> Iterator[FactSpec]:
    for group_field in attrs.fields(CaseFacts):
        cls = group_field.metadata["group"]
        for f in attrs.fields(cls):
            if "enum" in f.metadata:
                yield FactSpec(f"{cls.group}.{f.name}", tuple(m.value for m in f.metadata["enum"]), f.metadata["doc"], f.metadata["cites"])
    # Rules see age as a band: the guide's thresholds are 12, 16 and 18 (4.16-4.17).
    yield FactSpec(
        "child.age_band",
        tuple(m.value for m in AgeBand),
        "The child's age band, computed from child.age: under 12, 12-15, 16-17, 18 or over.",
        ("4.16", "4.17"),
    )


FACT_SPECS: Mapping[str, FactSpec] = {s.name: s for s in _iter_specs()}


# (group attribute, [(field attribute, "group.field")]) for every enumerated fact, computed once.
_FLAT_KEYS = tuple(
    (g.name, tuple((f.name, f"{g.metadata['group'].group}.{f.name}") for f in attrs.fields(g.metadata["group"]) if "enum" in f.metadata))
    for g in attrs.fields(CaseFacts)
)


def flatten(facts: CaseFacts) -> dict[str, str]:
    """The facts as the flat ``{"group.field": value}`` map rules are written against."""
    flat: dict[str, str] = {}
    for group_name, fields in _FLAT_KEYS:
        group = getattr(facts, group_name)
        for field_name, key in fields:
            flat[key] = getattr(group, field_name).value
    flat["child.age_band"] = _age_band(facts.child.age).value
    return flat


#: Every field a caller can supply, as ``group.field`` (questions name these in ``asks``).
INPUT_FIELDS: tuple[str, ...] = tuple(
    f"{g.metadata['group'].group}.{f.name}" for g in attrs.fields(CaseFacts) for f in attrs.fields(g.metadata["group"])
)
