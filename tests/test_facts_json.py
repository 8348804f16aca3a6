"""Facts in Python and JSON: unknown by default, strict, and errors that name the field."""

from __future__ import annotations

import attrs
import pytest

from infoshare_rules import (
    Answer,
    CaseFacts,
    Child,
    Consent,
    FactsError,
    InfoshareError,
    Information,
    decide,
    facts_from_dict,
    facts_to_dict,
)


def test_every_fact_defaults_to_unknown():
    flat = facts_to_dict(CaseFacts())
    for group, fields in flat.items():
        for name, value in fields.items():
            assert value in ("unknown", None), f"{group}.{name} defaults to {value!r}"


def test_facts_are_frozen_and_evolve():
    facts = CaseFacts()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        facts.consent = Consent()  # type: ignore[misc]
    changed = attrs.evolve(facts, consent=attrs.evolve(facts.consent, child="given"))
    assert changed.consent.child.value == "given" and facts.consent.child.value == "unknown"


def test_python_api_errors_name_field_allowed_values_and_suggestion():
    with pytest.raises(FactsError) as info:
        Information(provided_by="parnet")
    err = info.value
    assert isinstance(err, InfoshareError)
    assert err.path == "$.information.provided_by"
    assert err.got == "parnet" and err.suggestion == "parent"
    assert list(err.expected) == ["subject", "child", "parent", "other", "practitioner", "agency_records", "unknown"]


def test_booleans_are_not_answers():
    with pytest.raises(FactsError, match=r"\$\.legal\.court_order: wrong type"):
        facts_from_dict({"legal": {"court_order": True}})


@pytest.mark.parametrize("age", [-1, 26, 12.5, "12", True])
def test_age_must_be_a_plausible_whole_number(age):
    with pytest.raises(FactsError, match=r"\$\.child\.age"):
        facts_from_dict({"child": {"age": age}})


def test_several_mistakes_are_all_reported():
    with pytest.raises(FactsError) as info:
        facts_from_dict({"information": {"provided_by": "parnet"}, "consent": {"form": "written"}, "legal": {"court_ordr": "yes"}})
    text = str(info.value)
    assert "$.information.provided_by" in text and "$.consent.form" in text and "$.legal.court_ordr: unknown key" in text
    assert "did you mean 'court_order'" in text


def test_group_must_be_an_object():
    with pytest.raises(FactsError, match=r"\$\.consent: wrong type"):
        facts_from_dict({"consent": "given"})


def test_decide_rejects_something_that_is_not_facts():
    with pytest.raises(FactsError, match="CaseFacts"):
        decide({"legal": {"court_order": "yes"}})  # type: ignore[arg-type]


def test_unknown_engine_is_a_clear_error():
    with pytest.raises(InfoshareError, match="engine: expected one of durable, reference, compiled, auto, got 'fast'"):
        decide(CaseFacts(), engine="fast")


def test_age_band_follows_the_guide_thresholds():
    from infoshare_rules.facts.model import flatten

    bands = {age: flatten(CaseFacts(child=Child(age=age)))["child.age_band"] for age in (0, 11, 12, 15, 16, 17, 18, None)}
    assert bands == {0: "under_12", 11: "under_12", 12: "12_to_15", 15: "12_to_15", 16: "16_to_17", 17: "16_to_17", 18: "18_or_over", None: "unknown"}


def test_answer_values_render_plainly():
    assert str(Answer.YES) == "yes" and f"{Answer.NO}" == "no"


def test_dicts_hold_plain_json_values():
    import json

    from infoshare_rules import decision_to_dict

    data = facts_to_dict(CaseFacts(child=Child(age=9)))
    assert type(data["information"]["provided_by"]) is str and data["child"]["age"] == 9
    assert json.loads(json.dumps(data)) == data
    decision = decision_to_dict(decide(CaseFacts(), engine="reference"))
    assert type(decision["verdict"]) is str
    assert json.loads(json.dumps(decision)) == decision


def _json_values():
    from hypothesis import strategies as st

    scalars = st.none() | st.booleans() | st.integers(-5, 40) | st.floats(allow_nan=False) | st.sampled_from(
        ["yes", "no", "unknown", "parent", "given", "evidence", "12_to_15", "", "YES", "parnet"]
    ) | st.text(max_size=8)
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)


def _facts_like_documents():
    """Documents shaped like facts (real group and field names, any values) mixed with noise."""
    from hypothesis import strategies as st

    from infoshare_rules.facts.model import GROUPS

    groups = {cls.group: [f.name for f in attrs.fields(cls)] for cls in GROUPS}
    group = st.sampled_from(sorted(groups)).flatmap(
        lambda g: st.tuples(st.just(g), st.dictionaries(st.sampled_from(groups[g] + ["typo"]), _json_values(), max_size=4) | _json_values())
    )
    return st.lists(group, max_size=5).map(dict) | _json_values()


def test_any_json_document_gives_facts_or_a_facts_error():
    """Bad input gets a clear error naming the path, never a traceback from deep inside."""
    from hypothesis import given, settings

    @settings(max_examples=400, deadline=None)
    @given(document=_facts_like_documents())
    def check(document):
        try:
            facts = facts_from_dict(document)
        except FactsError as exc:
            assert str(exc).startswith("$"), str(exc)
            assert exc.path.startswith("$")
        else:
            assert isinstance(facts, CaseFacts)
            assert facts_from_dict(facts_to_dict(facts)) == facts

    check()
