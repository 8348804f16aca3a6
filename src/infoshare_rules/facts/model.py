"""Facts about a case: what the practitioner knows, as frozen attrs classes.

Every fact defaults to *unknown*: a fact the caller did not give is not "no". Each field
carries the paragraph(s) of the guide that make it matter (``metadata["cites"]``) and a
plain-English description, so the JSON Schema and the docs come from one place.
"""

from __future__ import annotations

import enum
from typing import Any, Iterable, Iterator, Mapping

import attrs

from ..errors import FactsError, suggest

UNKNOWN = "unknown"


class _FactEnum(str, enum.Enum):
    def __str__(self) -> str:  # so f-strings and JSON show the value, not the member name
        return str(self.value)

    @property
    def label(self) -> str:
        """How a question offers this answer to a person."""
        value = str(self.value)
        return _LABELS.get(value, value.replace("_", " ").capitalize())


_LABELS = {
    "yes": "Yes",
    "no": "No",
    "unknown": "Not known",
    "not_applicable": "Not applicable",
    "practitioner": "I observed it myself",
    "agency_records": "My agency's own records",
}


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


class Provider(_FactEnum):
    SUBJECT = "subject"  # the person the information is about
    CHILD = "child"  # the child or young person, about someone else
    PARENT = "parent"  # a parent or carer, about someone else (their child, say)
    OTHER = "other"  # anyone else (a grandmother, a neighbour, another agency's client)
    PRACTITIONER = "practitioner"  # you observed it yourself (no one told you)
    AGENCY_RECORDS = "agency_records"  # your agency's own records about the person
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


class SecondConsentResponse(_FactEnum):
    """The answer of a second person with parental responsibility, where there is one (4.20)."""

    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    NO_RESPONSE = "no_response"
    NOT_SOUGHT = "not_sought"
    NOT_APPLICABLE = "not_applicable"  # no second person with parental responsibility
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

# The flowchart's questions, in its order: each fact belongs to the step whose question it helps answer,
# so the questions a decision asks come out in the order a practitioner meets them.
STEPS = {
    1: "Is there a legitimate purpose for sharing information? (4.2-4.5)",
    2: "Does the information enable a person to be identified? (4.6)",
    3: "Is the information confidential? (4.7-4.11)",
    4: "Do you have consent? (4.12-4.22)",
    5: "Do you have a statutory obligation or court order to share? (4.23-4.24)",
    6: "Is there sufficient public interest to share? (4.25-4.28)",
    7: "Sharing properly, recording and seeking advice (4.29-4.31)",
}


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


def fact(enum_type: type[_FactEnum], question: str, *cites: str, step: int, doc: str = "", direct: bool = False) -> Any:
    """A fact field: an enumeration defaulting to unknown, with the question that asks it and what it cites.

    ``direct`` marks the answer to one of the flowchart's own questions (the practitioner's
    determination); the other facts are finer detail from which the rules derive the same answers.
    """
    return attrs.field(
        default=enum_type(UNKNOWN),
        converter=attrs.Converter(_to_enum, takes_self=True, takes_field=True),
        metadata={"enum": enum_type, "question": question, "doc": doc or question, "cites": cites, "step": step, "direct": direct},
    )


@attrs.frozen
class Purpose:
    group = "purpose"
    legitimate: Answer = fact(
        Answer,
        "Is there a legitimate purpose for you or your agency to share the information (a good reason, within your "
        "agency's functions or powers, and lawful)?",
        "4.2", "4.3", "4.4", "4.5", "flowchart",
        step=1, direct=True,
    )
    within_agency_functions: Applicability = fact(
        Applicability,
        "If you work for a statutory service, or are contracted by one: is the sharing within the functions or powers "
        "of that statutory body? (not_applicable if you work for neither)",
        "4.3",
        step=1,
    )
    preventative_work: Answer = fact(
        Answer, "Is the sharing for the legitimate purposes of preventative work (early intervention)?", "3.13", "3.15", "3.17", step=1
    )


@attrs.frozen
class Information:
    group = "information"
    identifiable: Answer = fact(
        Answer, "Does the information enable a person to be identified? (no means it is anonymised)", "4.6", "flowchart", step=2, direct=True
    )
    confidential: Answer = fact(
        Answer,
        "Having checked (4.10): is the information confidential?",
        "3.7", "4.7", "4.10", "flowchart",
        step=3, direct=True,
    )
    about: Subject = fact(
        Subject, "Whom is the information about: the child or young person, or an adult (such as a parent or carer)?", "4.6", "4.16", step=3
    )
    provided_by: Provider = fact(
        Provider,
        "Where does the information come from: the person it is about told you (subject); the child told you about "
        "someone else; a parent or carer told you about someone else; another person told you; you observed it "
        "yourself (practitioner); or your agency's own records (agency_records)?",
        "4.16", "3.8",
        step=3,
        doc="The duty of confidence is owed to the person who provided the information on the understanding it would be "
        "kept confidential and, for records, to the person to whom the information relates (4.16): for what you observed "
        "yourself or your agency's own records, the person it relates to.",
    )
    from_records: Answer = fact(
        Answer, "Is the information held in medical or other records about the person it relates to?", "4.16", step=3
    )
    in_public_domain: Answer = fact(
        Answer,
        "Is the information already lawfully in the public domain, readily available from another public source, or widely known?",
        "3.7",
        step=3,
    )
    sensitive: Answer = fact(Answer, "Is the information of some sensitivity?", "3.7", step=3)
    relationship: Relationship = fact(
        Relationship,
        "In what relationship was it shared: formal confidential (doctor and patient, social worker and client, counsellor "
        "and client); informal where the person asked for it to be kept confidential; informal (teacher and pupil) without "
        "such a request; held by a public body for its functions; or none?",
        "3.7", "4.8", "4.9", "4.10", "4.11",
        step=3,
    )
    statutory_confidentiality: Answer = fact(
        Answer,
        "Does a statutory obligation require the body holding it to maintain its confidentiality (the case files of "
        "looked after children, for example)?",
        "4.11",
        step=3,
    )
    provider_understood: Understanding = fact(
        Understanding,
        "What did the person who gave the information understand: that it would not be shared; that it would be shared only "
        "with a limited range of people or for limited purposes; or that it would be shared with others?",
        "3.7", "3.8", "4.10",
        step=3,
    )


@attrs.frozen
class Sharing:
    group = "sharing"
    within_understood_limits: Answer = fact(
        Answer, "Is the proposed sharing within the people and purposes the person understood when they gave the information?", "3.8", step=3
    )
    proportionate: Answer = fact(
        Answer,
        "Your judgement: is the proposed sharing a proportionate response to the need to protect the public interest in "
        "question, weighing what might happen if it is shared against what might happen if it is not?",
        "3.10", "3.11", "4.25",
        step=6,
    )
    limited_to_inform_decision: Answer = fact(
        Answer,
        "Are you sharing limited information in order to reach an informed decision on whether to share further "
        "information or take action?",
        "3.11", "3.17", "4.25",
        step=6,
    )


@attrs.frozen
class Child:
    group = "child"
    age: int | None = attrs.field(
        default=None,
        converter=attrs.Converter(_to_age, takes_self=True, takes_field=True),  # type: ignore[misc]  # mypy's attrs plugin: named functions only
        metadata={
            "question": "How old is the child or young person (whole years)?",
            "doc": "The child or young person's age in whole years; null when not known.",
            "cites": ("4.16", "4.17", "4.19"),
            "step": 4,
            "direct": False,
        },
    )
    competence: Competence = fact(
        Competence,
        "Have you judged, against the 4.18 criteria, that the child has sufficient understanding to consent or refuse "
        "consent on this occasion?",
        "4.16", "4.17", "4.18", "4.20",
        step=4,
    )


_RESPONSE = "given, refused, withdrawn after being given, no response, or not sought"


@attrs.frozen
class Consent:
    group = "consent"
    have_consent: Answer = fact(
        Answer,
        "Do you have consent to share, from the person (or people) whose consent counts?",
        "4.12", "4.16", "flowchart",
        step=4, direct=True,
    )
    child: ConsentResponse = fact(
        ConsentResponse, f"What did the child or young person answer when asked to consent to this sharing ({_RESPONSE})?", "4.16", "4.20", step=4
    )
    parent: ConsentResponse = fact(
        ConsentResponse,
        f"What did a person with parental responsibility answer when asked to consent ({_RESPONSE})?",
        "4.19", "4.20",
        step=4,
    )
    other_parent: SecondConsentResponse = fact(
        SecondConsentResponse,
        f"Where a second person has parental responsibility: what did they answer when asked to consent ({_RESPONSE}; "
        "not_applicable where there is no second such person)?",
        "4.19", "4.20",
        step=4,
    )
    adult_concerned: ConsentResponse = fact(
        ConsentResponse, f"What did the adult the information is about answer when asked to consent ({_RESPONSE})?", "4.16", step=4
    )
    provider: ConsentResponse = fact(
        ConsentResponse,
        f"What did the person who provided the information (where they are someone else) answer when asked to consent ({_RESPONSE})?",
        "4.16", "3.8",
        step=4,
    )
    family_in_conflict: Answer = fact(Answer, "Are family members in conflict about the sharing?", "4.20", step=4)
    parents_separated: Answer = fact(Answer, "Are the child's parents separated?", "4.20", step=4)
    resident_parent_answered: Answer = fact(
        Answer, "Where the parents are separated and a parent answered: was it the resident parent?", "4.20", step=4
    )
    good_reason_not_to_seek: Answer = fact(
        Answer,
        "Are there good reasons not to seek consent (seeking it would put a child or others at risk, undermine a serious "
        "crime's prevention, detection or prosecution, or delay enquiries about significant harm)?",
        "4.1", "4.22", "2", "3.9",
        step=4, direct=True,
    )
    form: ConsentForm = fact(ConsentForm, "Was the consent explicit (in writing or orally) or implied by behaviour?", "4.14", step=4)
    informed: Answer = fact(
        Answer,
        "Did the person understand why the information needs to be shared, who will see it, the purpose and the implications?",
        "4.13", "glossary",
        step=4,
    )
    told_right_to_object: Answer = fact(
        Answer, "For implied consent: was the person told what would be shared, why, and that they have the right to object?", "glossary", step=4
    )
    sharing_intrinsic_to_activity: Answer = fact(
        Answer,
        "For implied consent: is sharing intrinsic to the activity the person agreed to (a common assessment; a GP "
        "referral the patient agreed to)?",
        "4.14",
        step=4,
    )
    coerced: Answer = fact(Answer, "Was the consent secured through coercion?", "4.15", step=4)
    significant_change_since_given: Answer = fact(
        Answer,
        "Has the use of the information, or the relationship between the agency and the person, changed significantly "
        "since consent was given?",
        "4.15",
        step=4,
    )


@attrs.frozen
class Legal:
    group = "legal"
    statutory_duty: Answer = fact(
        Answer, "Does a statutory duty require you to share this information?", "4.23", "4.24", "flowchart", step=5, direct=True
    )
    court_order: Answer = fact(
        Answer, "Has a court ordered the information or case files to be brought before it?", "4.23", "4.24", "flowchart", step=5, direct=True
    )


@attrs.frozen
class Harm:
    group = "harm"
    child: HarmConcern = fact(
        HarmConcern,
        "Your concern about significant harm to the child: evidence that they are suffering or at risk of suffering it; "
        "reasonable cause to believe they may be; a concern but unsure whether it amounts to reasonable cause; or none?",
        "3.12", "3.18", "3.19", "3.20",
        step=6,
    )
    child_may_cause_serious_harm_to_others: HarmConcern = fact(
        HarmConcern,
        "Your concern that the child or young person may cause serious harm to others: evidence, reasonable cause to "
        "believe it, a concern but unsure whether it amounts to reasonable cause, or none?",
        "3.19", "3.12",
        step=6,
    )
    sharing_prevents_significant_harm_to_child: Answer = fact(
        Answer, "Would sharing prevent significant harm arising to children and young people?", "3.12", step=6
    )
    adult_at_risk_of_serious_harm: Answer = fact(
        Answer,
        "Is an adult at risk of serious harm (physical or mental trauma), including through cumulative repeated abuse or "
        "threatening behaviour, or the theft of a car for joyriding?",
        "3.11", "3.12", "3.21", "4.22",
        step=6,
    )
    sharing_prevents_serious_harm_to_adult: Answer = fact(
        Answer,
        "Would sharing this information help prevent that serious harm to the adult?",
        "3.12",
        step=6,
    )
    serious_crime: Answer = fact(
        Answer,
        "Is the sharing for the prevention, detection or prosecution of a serious crime (one that causes or is likely to "
        "cause significant harm to a child or serious harm to an adult)?",
        "3.12",
        step=6,
    )
    abuse_or_neglect_concern: Answer = fact(Answer, "Is the concern about possible abuse or neglect?", "4.27", step=7)


@attrs.frozen
class SeekingConsentWould:
    """The grounds for not seeking consent (4.22, section 2, 3.9, 3.18): would seeking consent do this?"""

    group = "seeking_consent_would"
    increase_risk_of_significant_harm_to_child: Answer = fact(
        Answer, "Would seeking consent place a child or young person at increased risk of significant harm?", "4.22", "2", "3.18", step=4
    )
    put_adult_at_risk_of_serious_harm: Answer = fact(
        Answer, "Would seeking consent place an adult at risk of serious harm?", "4.22", "2", step=4
    )
    undermine_serious_crime_prevention_detection_or_prosecution: Answer = fact(
        Answer,
        "Would seeking consent prejudice or undermine the prevention, detection or prosecution of a serious crime?",
        "4.22", "2", "3.9",
        step=4,
    )
    delay_significant_harm_enquiries: Answer = fact(
        Answer, "Would seeking consent lead to unjustified delay in making enquiries about allegations of significant harm?", "4.22", step=4
    )
    interfere_with_potential_investigation: Answer = fact(
        Answer, "Would seeking consent (or discussing with the family) lead to interference with any potential investigation?", "2", "3.18", step=4
    )


@attrs.frozen
class PublicInterest:
    group = "public_interest"
    practitioner_judgement: Judgement = fact(
        Judgement,
        "Your judgement on the facts of the case: is there a sufficient public interest to share the information without "
        "consent (protecting children or others from harm, promoting children's welfare, preventing crime and disorder), "
        "sharing proportionately?",
        "3.9", "3.10", "3.11", "4.25", "flowchart",
        step=6, direct=True,
    )
    confidential_service_weighs_against: Answer = fact(
        Answer,
        "Does the public interest in maintaining confidence in the confidentiality of this service weigh against sharing?",
        "3.10", "4.25",
        step=6,
    )


@attrs.frozen
class Practitioner:
    group = "practitioner"
    unsure_what_to_do: Answer = fact(
        Answer,
        "Are you in doubt, not sure what to do?",
        "2", "4.26", "flowchart",
        step=7,
        doc="Doubt decides the verdict (seek advice) only where the facts leave the decision open; otherwise the "
        "decision stands with the obligation to seek advice and record the outcome.",
    )
    first_engagement: Answer = fact(
        Answer,
        "Is this the child's or family's first engagement with your service?",
        "3.16", "4.15", "3.4",
        step=7,
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


@attrs.frozen
class InputSpec:
    """One fact a caller can give: the question that asks it, its answers and where it sits in the flowchart.

    ``answers`` are the values that answer the question (unknown is not an answer), with their
    labels; ``tests`` is the name rules test (``child.age`` is tested as ``child.age_band``).
    """

    name: str
    question: str
    cites: tuple[str, ...]
    step: int
    direct: bool
    answers: tuple[tuple[str, str], ...]
    tests: str


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


def _iter_inputs() -> Iterator[InputSpec]:
    for group_field in attrs.fields(CaseFacts):
        cls = group_field.metadata["group"]
        for f in attrs.fields(cls):
            name = f"{cls.group}.{f.name}"
            m = f.metadata
            if "enum" in m:
                answers = tuple((v.value, v.label) for v in m["enum"] if v.value != UNKNOWN)
                tests = name
            else:  # child.age: answered in years, tested as a band
                answers = tuple((b.value, b.value.replace("_", " ")) for b in AgeBand if b.value != UNKNOWN)
                tests = "child.age_band"
            yield InputSpec(name, m["question"], tuple(m["cites"]), m["step"], m["direct"], answers, tests)


#: Every fact a caller can give, in declaration order, keyed by ``group.field``.
INPUT_SPECS: Mapping[str, InputSpec] = {s.name: s for s in _iter_inputs()}


def _accessors() -> dict[str, tuple[str, str]]:
    """For each flat fact, its group's attribute on CaseFacts and the expression reading it off the group ``g``.

    ``._value_`` is the enum's value without the slow property; an age is validated to lie in
    0..MAX_AGE (or None), so its band is looked up in ``AGE_BANDS``, not computed.
    """
    reads = {}
    for group in attrs.fields(CaseFacts):
        cls = group.metadata["group"]
        for f in attrs.fields(cls):
            if "enum" in f.metadata:
                reads[f"{cls.group}.{f.name}"] = (group.name, f"g.{f.name}._value_")
            else:
                reads[f"{cls.group}.age_band"] = (group.name, f"AGE_BANDS[g.{f.name}]")
    return reads


#: ``{"group.field": (group attribute, expression on the group g)}``: how generated code reads each
#: flat fact off a CaseFacts (see ``flatten``).
FLAT_READS: Mapping[str, tuple[str, str]] = _accessors()
#: the band of every valid age (None for unknown)
AGE_BANDS: Mapping[int | None, str] = {age: _age_band(age)._value_ for age in (None, *range(MAX_AGE + 1))}


def read_facts(targets: Mapping[str, str]) -> list[str]:
    """Lines of generated code binding flat facts off the CaseFacts ``facts``: ``{name: variable}``.

    Each group is read once, into a local named after its attribute (``g_<attribute>``);
    ``AGE_BANDS`` must be in scope.
    """
    lines, groups = [], set()
    for name, variable in targets.items():
        group, read = FLAT_READS[name]
        if group not in groups:
            groups.add(group)
            lines.append(f"g_{group} = facts.{group}")
        lines.append(f"{variable} = {read.replace('g.', f'g_{group}.', 1)}")
    return lines


def _make_flatten() -> Any:
    """``flatten`` generated as one dict display: every flat fact read straight off its group."""
    groups = sorted({group for group, _ in FLAT_READS.values()})
    items = ", ".join(f"{name!r}: {read.replace('g.', f'g_{group}.', 1)}" for name, (group, read) in FLAT_READS.items())
    source = "def flatten(facts):\n" + "".join(f"    g_{g} = facts.{g}\n" for g in groups) + "    return {" + items + "}"
    namespace: dict[str, Any] = {"AGE_BANDS": AGE_BANDS}
    exec(source, namespace)  # noqa: S102 - generated from the fact model's own field names
    return namespace["flatten"]


_flatten = _make_flatten()


def flatten(facts: CaseFacts) -> dict[str, str]:
    """The facts as the flat ``{"group.field": value}`` map rules are written against."""
    return _flatten(facts)  # type: ignore[no-any-return]


#: Every field a caller can supply, as ``group.field``.
INPUT_FIELDS: tuple[str, ...] = tuple(INPUT_SPECS)

#: An age in each band, for answering "how old is the child?" with a band.
AGE_IN_BAND = {"under_12": 8, "12_to_15": 14, "16_to_17": 17, "18_or_over": 18}


def with_fact(facts: CaseFacts, name: str, value: str | int | None) -> CaseFacts:
    """The facts with one fact (``group.field``) answered; ``child.age`` also takes an age band."""
    if name not in INPUT_SPECS:
        raise FactsError(f"$.{name}", "unknown fact", expected="a group.field name", suggestion=suggest(name, INPUT_SPECS))
    group_name, field_name = name.split(".")
    if name == "child.age" and isinstance(value, str):
        value = AGE_IN_BAND.get(value) if value != UNKNOWN else None
    group = getattr(facts, group_name)
    return attrs.evolve(facts, **{group_name: attrs.evolve(group, **{field_name: value})})
