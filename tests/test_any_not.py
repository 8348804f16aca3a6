"""Conditions written with ``any:`` and ``not:`` (ruleset/conditions.py).

Normalization is checked against a direct three-valued reading of the condition (hypothesis); the
three engines against each other on a fixture using any/not (tests/fixtures/rulesets/engine-anynot);
decisions, traces, check and diff on a local protocol using them (tests/fixtures/rulesets/anynot-protocol)
against the same protocol written as plain fact tests (anynot-protocol-split); and the loader's errors.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare_rules import FactsError, RulesetError, decide, facts_from_dict
from infoshare_rules.analysis.check import check_ruleset
from infoshare_rules.analysis.complete import complete_cases
from infoshare_rules.analysis.diff import diff_rulesets, structural_diff
from infoshare_rules.cli.main import cli
from infoshare_rules.engines.compiled import CompiledEngine
from infoshare_rules.engines.reference import ReferenceEngine
from infoshare_rules.errors import RulesetConflictError
from infoshare_rules.facts.model import FACT_SPECS, UNKNOWN
from infoshare_rules.ruleset.conditions import MAX_ALTERNATIVES, AllOf, AnyOf, NotOf, normalize
from infoshare_rules.ruleset.conditions import Test as FactTest
from infoshare_rules.ruleset.graph import rule_graph
from infoshare_rules.ruleset.loader import UNDETERMINED, load_ruleset
from infoshare_rules.ruleset.verdict import Verdict
from infoshare_rules.semantics.regions import Semantics, analysed_facts
from infoshare_rules.semantics.space import InputSpace, facts_document

from strategies import case_facts
from infoshare_rules.engines.registry import durable_available
from test_durable_engine import ALL_CLEAR, all_facts, some_facts

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rulesets"
ENGINE_FIXTURE = FIXTURES / "engine-anynot"
PROTOCOL = load_ruleset(FIXTURES / "anynot-protocol")
SPLIT = load_ruleset(FIXTURES / "anynot-protocol-split")
NATIONAL = load_ruleset()


# ---------------------------------------------------------------- normalization, three-valued

#: a small vocabulary: two input facts (unknown when not given) and a conclusion (undetermined when unreached)
DOMAINS = {"a": ("yes", "no", UNKNOWN), "b": ("x", "y", "z", UNKNOWN), "c": ("p", "q", UNDETERMINED)}
GAPS = (UNKNOWN, UNDETERMINED)


def _tests(allow_undetermined: bool) -> st.SearchStrategy[FactTest]:
    def values(fact: str) -> st.SearchStrategy[tuple[str, ...]]:
        known = [v for v in DOMAINS[fact] if v not in GAPS or (allow_undetermined and v == UNDETERMINED)]
        return st.lists(st.sampled_from(known), min_size=1, unique=True).map(tuple)

    return st.sampled_from(sorted(DOMAINS)).flatmap(lambda f: values(f).map(lambda vs: FactTest(f, vs)))


def trees(allow_undetermined: bool = True) -> st.SearchStrategy[AllOf]:
    def extend(children: st.SearchStrategy[AllOf]) -> st.SearchStrategy[AllOf]:
        term = st.one_of(
            _tests(allow_undetermined),
            st.lists(children, min_size=1, max_size=3).map(lambda cs: AnyOf(tuple(cs))),
            children.map(NotOf),
        )
        return st.lists(term, min_size=1, max_size=3).map(lambda ts: AllOf(tuple(ts)))

    leaf = st.lists(_tests(allow_undetermined), min_size=1, max_size=2).map(lambda ts: AllOf(tuple(ts)))
    return st.recursive(leaf, extend, max_leaves=8)


def kleene(node: object, point: dict[str, str]) -> bool | None:
    """The condition on ``point``, three-valued: a test is true where the value is listed, false where a
    known value is not, and unknown (None) where the fact is unknown or undetermined and not listed."""
    if isinstance(node, FactTest):
        value = point[node.fact]
        return True if value in node.values else (None if value in GAPS else False)
    if isinstance(node, NotOf):
        inner = kleene(node.body, point)
        return None if inner is None else not inner
    parts = [kleene(p, point) for p in (node.terms if isinstance(node, AllOf) else node.options)]  # type: ignore[attr-defined]
    if isinstance(node, AllOf):
        return False if False in parts else (None if None in parts else True)
    return True if True in parts else (None if None in parts else False)


def holds(alternatives: list[dict[str, frozenset[str]]], point: dict[str, str]) -> bool:
    return any(all(point[f] in vs for f, vs in alt.items()) for alt in alternatives)


points = st.fixed_dictionaries({f: st.sampled_from(vs) for f, vs in DOMAINS.items()})


@settings(max_examples=400, deadline=None)
@given(tree=trees(), point=points)
def test_the_alternatives_hold_exactly_where_the_condition_is_true(tree, point):
    try:
        alternatives = normalize(tree, DOMAINS.__getitem__)
    except ValueError:  # more than MAX_ALTERNATIVES: the loader refuses the rule
        return
    assert holds(alternatives, point) == (kleene(tree, point) is True)
    assert len(alternatives) <= MAX_ALTERNATIVES


@settings(max_examples=300, deadline=None)
@given(tree=trees(allow_undetermined=False), point=points, data=st.data())
def test_a_condition_that_holds_on_unknown_facts_holds_however_they_are_answered(tree, point, data):
    # Why not: needs three values: a rule firing while a fact is unknown must fire whatever the answer
    # (decide-by-cases reads a fired rule as settled), so not: {a: yes} cannot hold while a is unknown.
    try:
        alternatives = normalize(tree, DOMAINS.__getitem__)
    except ValueError:
        return
    if not holds(alternatives, point):
        return
    answered = {f: data.draw(st.sampled_from([v for v in DOMAINS[f] if v not in GAPS])) if v in GAPS else v for f, v in point.items()}
    assert holds(alternatives, answered)


def test_not_on_an_unknown_fact_or_an_undetermined_conclusion_does_not_hold():
    tree = AllOf((NotOf(AllOf((FactTest("a", ("yes",)),))), NotOf(AllOf((FactTest("c", ("p",)),)))))
    alternatives = normalize(tree, DOMAINS.__getitem__)
    assert alternatives == [{"a": frozenset({"no"}), "c": frozenset({"q"})}]
    assert not holds(alternatives, {"a": UNKNOWN, "b": "x", "c": "q"})
    assert not holds(alternatives, {"a": "no", "b": "x", "c": UNDETERMINED})


# ---------------------------------------------------------------- the three engines

ENGINE_RULES = load_ruleset(ENGINE_FIXTURE)


#: durable-rules does not import on Python 3.13+: there the reference and compiled engines are compared
ENGINE_NAMES = ["reference", "compiled"] + (["durable"] if durable_available() else [])


@pytest.fixture(scope="module")
def engines():
    made = [ReferenceEngine(ENGINE_RULES), CompiledEngine(ENGINE_RULES)]
    if durable_available():
        from infoshare_rules.engines._durable import DurableEngine

        made.append(DurableEngine(ENGINE_RULES))
    return made


def _fired(engine, first, verdict):  # type: ignore[no-untyped-def]
    """Every rule the engine fires over both adds (the compiled engine may fire a stratum-2 rule in the
    first), or the conflict it raises."""
    with engine.session() as session:
        try:
            fired = set(session.add(first))
            known = dict(first)
            known.update(ENGINE_RULES.rules[i].asserts for i in fired)
            late = {name: UNDETERMINED for name in ENGINE_RULES.conclusions if name not in known}
            late["verdict"] = verdict
            fired |= set(session.add(late))
        except RulesetConflictError as exc:
            return ("conflict", exc.conclusion)
    return frozenset(ENGINE_RULES.rules[i].id for i in fired)


def test_the_fixture_has_rules_with_several_alternatives():
    written = [r for r in ENGINE_RULES.rules if r.alternatives]
    assert {r.id for r in written} == {
        "consent-valid-any",
        "ask-about-purpose-unless-legitimate",
        "record-unless-shared",
        "necessary-only-when-all-clear-any",
    }
    # a rule testing undetermined in one alternative runs after the conclusion is settled
    assert ENGINE_RULES.rule("ask-about-purpose-unless-legitimate").stratum > ENGINE_RULES.rule("risk-high").stratum


@settings(max_examples=250, deadline=None)
@given(facts=all_facts, verdict=st.sampled_from(["share", "must_share", "do_not_share", "seek_consent", "seek_advice", "undetermined"]))
def test_engines_fire_the_same_rules_written_with_any_and_not(engines, facts, verdict):
    fired = [_fired(e, facts, verdict) for e in engines]
    assert all(f == fired[0] for f in fired[1:]), [e.name for e in engines]


@settings(max_examples=150, deadline=None)
@given(facts=some_facts)
def test_engines_agree_on_partial_facts(engines, facts):
    fired = [_fired(e, facts, "undetermined") for e in engines]
    assert all(f == fired[0] for f in fired[1:]), [e.name for e in engines]


@pytest.mark.parametrize(
    ("extra", "fires"),
    [
        ({"information.sensitive": "yes"}, True),
        ({"harm.child": "unsure"}, True),  # not: {harm.child: none}
        ({"harm.child": "none", "information.sensitive": "no"}, False),
        ({"harm.child": UNKNOWN}, False),  # not: does not hold on an unknown fact
    ],
)
def test_alternatives_longer_than_durable_joins_in_one_rule(engines, extra, fires):
    for engine in engines:
        fired = _fired(engine, {**ALL_CLEAR, **extra}, "share")
        assert ("necessary-only-when-all-clear-any" in fired) is fires, engine.name
        assert "necessary-only-when-all-clear" in fired


def test_the_rule_graph_sees_every_fact_an_alternative_reads():
    graph = rule_graph(ENGINE_RULES)
    rule = ENGINE_RULES.rule("consent-valid-any")
    read = {c.fact for alternative in rule.alternatives for c in alternative}
    assert read == {"consent.parent", "consent.child", "child.age_band", "consent.coerced", "consent.informed"}
    assert all(rule.index in {r.index for r in graph.readers[fact]} for fact in read)


# ---------------------------------------------------------------- decisions, traces, analysis


@settings(max_examples=150, deadline=None)
@given(facts=case_facts(), engine=st.sampled_from([n for n in ENGINE_NAMES if n != "compiled"]))
def test_a_protocol_with_any_and_not_decides_as_the_same_protocol_in_plain_tests(facts, engine):
    # decide-by-cases on partial facts included: the verdict and obligations are the plain protocol's,
    # on every engine
    try:
        plain = decide(facts, ruleset=SPLIT)
    except FactsError:
        with pytest.raises(FactsError):
            decide(facts, ruleset=PROTOCOL)
        return
    for name in ("compiled", engine):
        decision = decide(facts, ruleset=PROTOCOL, engine=name)
        assert decision.verdict is plain.verdict
        assert {o.id for o in decision.obligations} == {o.id for o in plain.obligations}
        assert decision.questions == plain.questions  # the facts whose answer would change the verdict
    assert decide(facts, ruleset=PROTOCOL, engine=engine).trace == decide(facts, ruleset=PROTOCOL).trace


def _witness(ruleset, rule_id: str, verdict: Verdict | None = None, **fixed: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A complete case where the rule fires (and the verdict is ``verdict``), with these facts."""
    space = InputSpace(analysed_facts([ruleset]))
    model = Semantics(ruleset, space)
    region = model.fires[ruleset.rule(rule_id).index] & complete_cases(model) & ~model.errors
    if verdict is not None:
        region &= model.final[verdict]
    for fact, value in fixed.items():
        region &= space.any_of(fact, (value,))
    point = space.witness(region)
    assert point is not None, rule_id
    return point


def _step(decision, rule_id: str):  # type: ignore[no-untyped-def]
    return next(s for s in decision.trace if getattr(s, "rule", None) == rule_id)


def test_the_trace_shows_the_alternative_that_held():
    # confidential information, no harm: sharing rests on consent, so the trace keeps the consent rule
    fixed = {
        "consent.told_right_to_object": "yes",
        "consent.sharing_intrinsic_to_activity": "no",
        "information.identifiable": "yes",
        "information.statutory_confidentiality": "yes",
        "harm.sharing_prevents_significant_harm_to_child": "no",
        "harm.adult_at_risk_of_serious_harm": "no",
        "harm.serious_crime": "no",
    }
    point = _witness(PROTOCOL, "implied-consent-either-way", Verdict.SHARE, **fixed)
    decision = decide(facts_from_dict(facts_document(point)), ruleset=PROTOCOL)
    used = {p.name: p.value for p in _step(decision, "implied-consent-either-way").used}
    assert used["consent.told_right_to_object"] == "yes"
    assert "consent.sharing_intrinsic_to_activity" not in used  # the other alternative's fact: not what it rests on
    assert {"consent.informed", "consent.coerced", "consent.significant_change_since_given"} <= used.keys()


def test_the_trace_of_a_not_shows_the_value_that_made_it_hold():
    point = _witness(PROTOCOL, "second-look-before-sharing-without-consent", **{"information.sensitive": "no", "information.from_records": "yes"})
    decision = decide(facts_from_dict(facts_document(point)), ruleset=PROTOCOL)
    used = {p.name: p.value for p in _step(decision, "second-look-before-sharing-without-consent").used}
    assert used.get("information.from_records") == "yes" and "information.sensitive" not in used
    assert "ask_a_colleague_to_look" in {o.id for o in decision.obligations}


def test_check_and_diff_handle_any_and_not_exactly():
    assert not check_ruleset(PROTOCOL).findings
    # merging the two implied-consent rules with any: changes nothing; the obligation is the only change
    against_national = diff_rulesets(NATIONAL, PROTOCOL)
    assert {(r.kind, r.before) for r in against_national.regions} == {("obligation_gained", "ask_a_colleague_to_look")}
    assert not diff_rulesets(SPLIT, PROTOCOL).behaviour_changed


def test_diff_sees_a_change_inside_an_any(tmp_path: Path):
    copy = tmp_path / "anynot-protocol"
    shutil.copytree(FIXTURES / "anynot-protocol", copy)
    rules = copy / "rules" / "10-anynot.yaml"
    rules.write_text(rules.read_text().replace('not: {information.sensitive: "no", information.from_records: "no"}', 'not: {information.sensitive: "no"}'))
    changed = load_ruleset(copy)
    structure = structural_diff(PROTOCOL, changed)
    assert [(c.rule, c.what) for c in structure.changed] == [("second-look-before-sharing-without-consent", ("conditions",))]
    assert diff_rulesets(PROTOCOL, changed).behaviour_changed


def test_infoshare_check_diff_and_rule_on_a_protocol_with_any_and_not():
    runner = CliRunner()
    path = str(FIXTURES / "anynot-protocol")
    checked = runner.invoke(cli, ["check", path])
    assert checked.exit_code == 0, checked.output
    assert "No findings" in checked.output
    diffed = runner.invoke(cli, ["diff", str(FIXTURES / "anynot-protocol-split"), path])
    assert "No behavioural change" in diffed.output, diffed.output
    shown = runner.invoke(cli, ["rule", "second-look-before-sharing-without-consent", "--ruleset", path])
    assert shown.exit_code == 0, shown.output
    assert "not: {information.sensitive: no, information.from_records: no}" in shown.output
    assert "information.from_records: yes" in shown.output


# ---------------------------------------------------------------- loader errors


@pytest.fixture
def fixture_copy(tmp_path: Path) -> Path:
    target = tmp_path / "engine-anynot"
    shutil.copytree(ENGINE_FIXTURE, target)
    return target


def _add_rule(folder: Path, when: str) -> tuple[Path, int]:
    """Append a rule with this ``when`` (YAML, indented as under ``when:``); the file and the when's line."""
    path = folder / "rules" / "extra.yaml"
    head = "- id: extra\n  statement: An extra rule.\n  cites: [\"4.30\"]\n  when:\n"
    path.write_text(head + textwrap.indent(textwrap.dedent(when).strip("\n"), "    ") + "\n  then:\n    obligation: record_decision\n")
    return path, 4


def _load_error(folder: Path) -> RulesetError:
    from infoshare_rules.ruleset.loader import _Loader

    with pytest.raises(RulesetError) as caught:
        _Loader(folder.resolve()).load()
    return caught.value


def _line(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("when", "needle", "expected", "suggestion"),
    [
        ("any: {consent.coerced: yes}", "any:", "'any' must be a list of condition sets", None),
        ("any: []", "any:", "'any' must list at least one condition set", None),
        ("not: [{consent.coerced: yes}, {consent.informed: yes}]", "not:", "write not: {any: [{...}, {...}]}", None),
        ("any:\n  - {consent.coerced: yes}\n  - {consent.informd: yes}", "consent.informd", "unknown fact or conclusion", "consent.informed"),
        ("not: {consent.coerced: yess}", "not:", "consent.coerced has no value", "yes"),
        ("not: {consent.coerced: unknown}", "not:", "lists 'unknown' inside any: or not:", None),
        ("anny: [{consent.coerced: yes}]", "anny", "unknown fact or conclusion", "any"),
        ("any:\n  - consent.coerced", "any:", "'any' item 1 must be a non-empty mapping", None),
        ("consent.coerced: yes\nnot: {consent.coerced: yes}", "when:", "can never all hold", None),
    ],
)
def test_loader_errors_name_the_file_the_line_and_what_was_expected(fixture_copy, when, needle, expected, suggestion):
    path, _ = _add_rule(fixture_copy, when)
    error = _load_error(fixture_copy)
    assert expected in error.message, error.message
    assert error.file is not None and error.file.endswith("extra.yaml")
    assert error.line == _line(path, needle), (error.line, path.read_text())
    assert error.suggestion == suggestion


def test_too_many_alternatives_is_its_own_error(fixture_copy):
    facts = [f for f, spec in FACT_SPECS.items() if spec.values[:2] == ("yes", "no") and len(spec.values) == 3][:18]
    assert len(facts) == 18
    first = ", ".join(f"{f}: yes" for f in facts[:9])
    second = ", ".join(f"{f}: yes" for f in facts[9:])
    _add_rule(fixture_copy, f"not: {{{first}}}\nany: [{{not: {{{second}}}}}]")  # 9 x 9 = 81 alternatives
    error = _load_error(fixture_copy)
    assert f"more than {MAX_ALTERNATIVES} alternatives" in error.message
    assert error.line == 4


def test_nesting_too_deep_is_refused(fixture_copy):
    when = "consent.coerced: yes"
    for _ in range(7):
        when = f"not: {{{when}}}"
    path, _ = _add_rule(fixture_copy, when)
    error = _load_error(fixture_copy)
    assert "nest at most" in error.message and error.line == 5


def test_a_presumption_cannot_test_what_it_presumes_inside_any_or_not(tmp_path: Path):
    # a not: must not smuggle in a default: the presumed fact is tested, as unknown, at the top only
    from infoshare_rules.ruleset.loader import resolve_ruleset_path

    copy = tmp_path / "uk-2006-practitioners-guide"
    shutil.copytree(resolve_ruleset_path("uk-2006-practitioners-guide"), copy)
    rules = copy / "rules" / "05-statutory-duty.yaml"
    text = rules.read_text()
    start = text.index("- id: statutory-duty-known-if-it-applies")
    block = text[start : text.index("\n- id:", start)]
    when_at = block.index("  when:")
    edited = block[:when_at] + "  when:\n    not: {legal.statutory_duty: \"yes\"}\n" + block[block.index("  then:") :]
    rules.write_text(text.replace(block, edited))
    error = _load_error(copy)
    assert error.file is not None and error.file.endswith("05-statutory-duty.yaml")
    assert "not inside any: or not:" in error.message, error.message


def test_the_service_rule_view_shows_the_rule_as_written_and_its_alternatives():
    from infoshare_rules.service.views import rule_view

    view = rule_view(PROTOCOL, "second-look-before-sharing-without-consent")
    assert view.written.endswith("not: {information.sensitive: no, information.from_records: no}")
    assert [{c.fact: c.values for c in alt}.get("information.from_records") for alt in view.alternatives] == [None, ("yes",)]
    plain = rule_view(PROTOCOL, "explicit-informed-consent")
    assert plain.written == "" and plain.alternatives == ()


@pytest.mark.parametrize("engine", ["compiled", "reference"])
@settings(max_examples=120, deadline=None)
@given(facts=case_facts())
def test_explanations_shared_between_decisions_on_any_and_not_are_the_ones_assembled_afresh(engine, facts):
    # decisions share an explanation where they agree on what fired and on the values read where a
    # condition allows several: for a rule written with any:/not:, that must include which alternative held
    from infoshare_rules.decision import decide as decide_module
    from strategies import decided

    warm = decided(facts, ruleset=PROTOCOL, engine=engine)
    for plan in decide_module._plans.values():
        plan.explained.clear()
    decide_module._explained_in_session.clear()
    assert decide(facts, ruleset=PROTOCOL, engine=engine) == warm
