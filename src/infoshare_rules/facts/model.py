"""Facts about a case: what the practitioner knows, as frozen attrs classes built from ruleset data.

The fact vocabulary (groups, facts, value sets with their labels, question texts, cited
paragraphs, flowchart steps, age bands) is declared in the national ruleset's ``facts.yaml``
(see ``facts.vocabulary``); this module builds the enumerations and attrs classes from it, under
the same names as ever. Every fact defaults to *unknown*: a fact the caller did not give is not
"no". Each field carries the paragraph(s) of the guide that make it matter (``metadata["cites"]``)
and a plain-English description, so the JSON Schema and the docs come from one place.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

import attrs

from ..errors import FactsError, suggest
from .local import LocalFacts, to_local
from .vocabulary import AGE, LOCAL_GROUP, Group, ValueSet, Vocabulary, national_vocabulary

UNKNOWN = "unknown"
#: how a local protocol's own facts are named in rules and flat facts: ``local.<name>``
LOCAL_PREFIX = LOCAL_GROUP + "."

#: The national fact vocabulary, as ``facts.yaml`` declares it.
VOCABULARY: Vocabulary = national_vocabulary()


class _FactEnum(str, enum.Enum):
    def __str__(self) -> str:  # so f-strings and JSON show the value, not the member name
        return str(self.value)

    @property
    def label(self) -> str:
        """How a question offers this answer to a person."""
        value = str(self.value)
        return _LABELS[type(self).__name__].get(value, value.replace("_", " ").capitalize())


_LABELS: dict[str, dict[str, str]] = {
    name: {v.value: v.label for v in vs.values} for name, vs in VOCABULARY.value_sets.items()
}


def _make_enum(value_set: ValueSet) -> type[_FactEnum]:
    made: type[_FactEnum] = _FactEnum(  # type: ignore[call-overload]
        value_set.name, [(v.member, v.value) for v in value_set.values], module=__name__, qualname=value_set.name
    )
    made.__doc__ = value_set.doc
    return made


_ENUMS: dict[str, type[_FactEnum]] = {name: _make_enum(vs) for name, vs in VOCABULARY.value_sets.items()}

Answer = _ENUMS["Answer"]
Applicability = _ENUMS["Applicability"]
Subject = _ENUMS["Subject"]
Provider = _ENUMS["Provider"]
Relationship = _ENUMS["Relationship"]
Understanding = _ENUMS["Understanding"]
Competence = _ENUMS["Competence"]
ConsentResponse = _ENUMS["ConsentResponse"]
SecondConsentResponse = _ENUMS["SecondConsentResponse"]
ConsentForm = _ENUMS["ConsentForm"]
HarmConcern = _ENUMS["HarmConcern"]
Judgement = _ENUMS["Judgement"]
AgeBand = _ENUMS["AgeBand"]

#: the guide covers children and young people; an older age is a typo, not a case
MAX_AGE: int = VOCABULARY.max_age

#: The flowchart's questions, in its order: each fact belongs to the step whose question it helps answer,
#: so the questions a decision asks come out in the order a practitioner meets them.
STEPS: dict[int, str] = dict(VOCABULARY.steps)


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


def _age_field(question: str, doc: str, cites: tuple[str, ...], step: int, direct: bool) -> Any:
    return attrs.field(
        default=None,
        converter=attrs.Converter(_to_age, takes_self=True, takes_field=True),
        metadata={"question": question, "doc": doc, "cites": cites, "step": step, "direct": direct},
    )


def _make_group(group: Group) -> type:
    """One group's frozen attrs class, as the class statement it replaces would make it."""
    namespace: dict[str, Any] = {
        "__module__": __name__,
        "__qualname__": group.cls,
        "__doc__": group.doc,
        "__annotations__": {f.name: f.annotation() for f in group.facts},
        "group": group.group,
    }
    for f in group.facts:
        if f.values == AGE:
            namespace[f.name] = _age_field(f.question, f.doc, f.cites, f.step, f.direct)
        else:
            namespace[f.name] = fact(_ENUMS[f.values], f.question, *f.cites, step=f.step, doc=f.doc, direct=f.direct)
    return attrs.frozen(type(group.cls, (), namespace))


_CLASSES: dict[str, type] = {g.cls: _make_group(g) for g in VOCABULARY.groups}

Purpose = _CLASSES["Purpose"]
Information = _CLASSES["Information"]
Sharing = _CLASSES["Sharing"]
Child = _CLASSES["Child"]
Consent = _CLASSES["Consent"]
Legal = _CLASSES["Legal"]
Harm = _CLASSES["Harm"]
SeekingConsentWould = _CLASSES["SeekingConsentWould"]
PublicInterest = _CLASSES["PublicInterest"]
Practitioner = _CLASSES["Practitioner"]


def _group(cls: type) -> Any:
    return attrs.field(factory=cls, converter=attrs.Converter(_to_group, takes_field=True), metadata={"group": cls})


def _to_group(value: Any, field: attrs.Attribute[Any]) -> Any:
    cls = field.metadata["group"]
    if isinstance(value, cls):
        return value
    raise FactsError(f"$.{field.name}", "wrong type", expected=cls.__name__, got=value)


def _make_case_facts() -> type:
    namespace: dict[str, Any] = {
        "__module__": __name__,
        "__qualname__": "CaseFacts",
        "__doc__": "Everything the guide's decisions turn on. Build it, ``attrs.evolve`` it, pass it to ``decide``.",
        "__annotations__": {**{g.group: g.cls for g in VOCABULARY.groups}, LOCAL_GROUP: "LocalFacts"},
    }
    for g in VOCABULARY.groups:
        namespace[g.group] = _group(_CLASSES[g.cls])
    # A local protocol's own facts, by name: checked against the ruleset a decision is made under.
    namespace[LOCAL_GROUP] = attrs.field(factory=LocalFacts, converter=to_local)
    return attrs.frozen(type("CaseFacts", (), namespace))


if TYPE_CHECKING:  # the typing stub (model.pyi) gives the real class; checked on its own, this module sees Any
    CaseFacts = Any
else:
    CaseFacts = _make_case_facts()


#: CaseFacts' fields holding a national group (all but ``local``), and their classes
GROUP_FIELDS: tuple[attrs.Attribute[Any], ...] = tuple(f for f in attrs.fields(CaseFacts) if "group" in f.metadata)
GROUPS: tuple[type, ...] = tuple(f.metadata["group"] for f in GROUP_FIELDS)


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


def _age_band(age: int | None) -> str:
    if age is not None:
        for band in VOCABULARY.age_bands.bands:
            if band.below is None or age < band.below:
                return band.value
    return UNKNOWN


def _iter_specs() -> Iterator[FactSpec]:
    for group_field in GROUP_FIELDS:
        cls = group_field.metadata["group"]
        for f in attrs.fields(cls):
            if "enum" in f.metadata:
                yield FactSpec(f"{cls.group}.{f.name}", tuple(m.value for m in f.metadata["enum"]), f.metadata["doc"], f.metadata["cites"])
    # Rules see age as a band: the guide's thresholds are 12, 16 and 18 (4.16-4.17).
    bands = VOCABULARY.age_bands
    yield FactSpec(bands.fact, tuple(m.value for m in _ENUMS[bands.value_set]), bands.doc, bands.cites)


FACT_SPECS: Mapping[str, FactSpec] = {s.name: s for s in _iter_specs()}


def _iter_inputs() -> Iterator[InputSpec]:
    for group_field in GROUP_FIELDS:
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


def is_fact(name: str) -> bool:
    """Whether rules testing ``name`` test a fact of the case (national, or a protocol's ``local.*``), not a conclusion."""
    return name in FACT_SPECS or name.startswith(LOCAL_PREFIX)


def local_specs(vocabulary: Vocabulary) -> tuple[dict[str, FactSpec], dict[str, InputSpec]]:
    """The specs of a vocabulary's ``local`` facts (a local protocol's own), as ``FACT_SPECS`` and ``INPUT_SPECS`` give the national ones."""
    facts: dict[str, FactSpec] = {}
    inputs: dict[str, InputSpec] = {}
    for group in vocabulary.groups:
        if group.group != LOCAL_GROUP:
            continue
        for f in group.facts:
            name = f"{LOCAL_GROUP}.{f.name}"
            values = vocabulary.value_sets[f.values].values
            facts[name] = FactSpec(name, tuple(v.value for v in values), f.doc, f.cites)
            answers = tuple((v.value, v.label) for v in values if v.value != UNKNOWN)
            inputs[name] = InputSpec(name, f.question, f.cites, f.step, f.direct, answers, name)
    return facts, inputs


def _accessors() -> dict[str, tuple[str, str]]:
    """For each flat fact, its group's attribute on CaseFacts and the expression reading it off the group ``g``.

    ``._value_`` is the enum's value without the slow property; an age is validated to lie in
    0..MAX_AGE (or None), so its band is looked up in ``AGE_BANDS``, not computed.
    """
    reads = {}
    for group in GROUP_FIELDS:
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
AGE_BANDS: Mapping[int | None, str] = {age: _age_band(age) for age in (None, *range(MAX_AGE + 1))}


def read_facts(targets: Mapping[str, str]) -> list[str]:
    """Lines of generated code binding flat facts off the CaseFacts ``facts``: ``{name: variable}``.

    Each group is read once, into a local named after its attribute (``g_<attribute>``);
    ``AGE_BANDS`` must be in scope.
    """
    lines, groups = [], set()
    for name, variable in targets.items():
        if name.startswith(LOCAL_PREFIX):
            lines.append(f"{variable} = facts.local.get_value({name[len(LOCAL_PREFIX):]!r})")
            continue
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


def flatten(facts: CaseFacts, local: Iterable[str] = ()) -> dict[str, str]:
    """The facts as the flat ``{"group.field": value}`` map rules are written against.

    ``local``: the ruleset's own facts (``local.*``, see ``Ruleset.local_facts``), each read off
    ``facts.local`` (unknown where not given).
    """
    flat: dict[str, str] = _flatten(facts)
    for name in local:
        flat[name] = facts.local.get_value(name[len(LOCAL_PREFIX):])
    return flat


#: Every field a caller can supply, as ``group.field``.
INPUT_FIELDS: tuple[str, ...] = tuple(INPUT_SPECS)

#: An age in each band, for answering "how old is the child?" with a band.
AGE_IN_BAND: dict[str, int] = {band.value: band.example_age for band in VOCABULARY.age_bands.bands}


def with_fact(facts: CaseFacts, name: str, value: str | int | None) -> CaseFacts:
    """The facts with one fact (``group.field``) answered; ``child.age`` also takes an age band."""
    if name.startswith(LOCAL_PREFIX):  # a local protocol's own fact: the ruleset checks its name and value
        if not isinstance(value, str):
            raise FactsError(f"$.{name}", "wrong type", expected="one of the values the protocol declares", got=value)
        return attrs.evolve(facts, local=facts.local.evolve(name[len(LOCAL_PREFIX):], value))
    if name not in INPUT_SPECS:
        raise FactsError(f"$.{name}", "unknown fact", expected="a group.field name", suggestion=suggest(name, INPUT_SPECS))
    group_name, field_name = name.split(".")
    if name == "child.age" and isinstance(value, str):
        value = AGE_IN_BAND.get(value) if value != UNKNOWN else None
    group = getattr(facts, group_name)
    return attrs.evolve(facts, **{group_name: attrs.evolve(group, **{field_name: value})})
