"""`infoshare check`, `infoshare diff` and `infoshare rulesets`: findings with witnesses, exact diffs
whose every witness decide() confirms, local protocols refused when they silently weaken the guide."""

from __future__ import annotations

import pytest



import json
import shutil
import subprocess
import sys
from pathlib import Path


from infoshare_rules import RulesetError, decide, facts_from_dict
from infoshare_rules.analysis.complete import complete_cases
from infoshare_rules.analysis.diff import diff_rulesets, witness_holds
from infoshare_rules.analysis.outcome import CONTRADICTORY_FACTS, RULESET_CONFLICT
from infoshare_rules.semantics.space import facts_document
from infoshare_rules.errors import FactsError, RulesetConflictError
from infoshare_rules.ruleset.loader import load_ruleset
from infoshare_rules.ruleset.model import Ruleset
from infoshare_rules.semantics.regions import Semantics, analysed_facts, analysed_specs
from infoshare_rules.semantics.space import InputSpace

from browser import dump_dom

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT / "rulesets" / "uk-2006-practitioners-guide"
PROTOCOL = ROOT / "examples" / "local-protocols" / "example-written-consent"
FIXTURES = ROOT / "tests" / "fixtures" / "analysis"


def infoshare(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "infoshare_rules", *args], capture_output=True, text=True, timeout=300, cwd=ROOT)


def _complete_for_both(witness: dict, a, b) -> bool:  # type: ignore[no-untyped-def]
    """Whether a witness is a complete case of each ruleset (over the facts it tests): decide() means the plain semantics."""
    space = InputSpace(analysed_facts([a, b]), analysed_specs([a, b]))
    return all(space.contains(complete_cases(Semantics(r, space), analysed_facts([r])), witness) for r in (a, b))


def _decided(witness: dict, ruleset) -> str:  # type: ignore[no-untyped-def]
    try:
        rules = ruleset if isinstance(ruleset, Ruleset) else load_ruleset(ruleset)
        return decide(rules.own_facts(facts_from_dict(facts_document(witness))), ruleset=rules).verdict.value
    except FactsError:
        return CONTRADICTORY_FACTS
    except RulesetConflictError:
        return RULESET_CONFLICT


# ---------------------------------------------------------------- check


def test_check_national_ruleset_is_clean():
    # Every shipped ruleset checks clean. (The first check found 3.6, "you need to consider your legal
    # obligations ...", normative and uncited: the share rules for non-confidential information and for
    # the public interest now cite it.)
    result = infoshare("check", "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["findings"] == []
    regions = report["verdict_regions"]["by_outcome"]
    assert regions["ruleset_conflict"] == 0
    assert sum(regions.values()) == report["verdict_regions"]["inputs"]


def test_check_reports_the_example_protocols_contradiction_making_change():
    """Issue 15, item 6: the protocol refuses oral and implied consent, so "I have consent" with oral consent is
    contradictory facts under it: check reports it (v2 said "No findings"), with a witness decide() refuses under
    the protocol and decides under the national ruleset, and counts the must_share it turns into contradictions."""
    from infoshare_rules import FactsError, decide, facts_from_dict

    result = infoshare("check", "--format", "json", str(PROTOCOL))
    assert result.returncode == 1, result.stdout + result.stderr
    findings = {f["kind"]: f for f in json.loads(result.stdout)["findings"]}
    broken = findings["makes_contradictory"]
    assert broken["inputs"] > 0 and "no-valid-consent" in broken["rules"]
    witness = facts_from_dict(broken["witness"])
    decide(load_ruleset().own_facts(witness))  # the national ruleset decides it (a protocol's own facts are unknown to it)
    with pytest.raises(FactsError):
        decide(witness, ruleset=PROTOCOL)
    lost = findings["weakens_must_share"]
    assert "by making the facts contradictory" in lost["message"] and lost["inputs"] > 0


def test_check_finds_every_planted_defect_with_witnesses():
    result = infoshare("check", "--format", "json", str(FIXTURES / "planted-defects"))
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    kinds = {(f["kind"], tuple(f["rules"]) or tuple(f["cites"])) for f in findings}
    assert ("uncited_normative", ("P-2",)) in kinds
    assert ("conflict", ("outside-understood-limits", "planted-conflict")) in kinds
    assert ("rule_never_fires", ("planted-never-fires",)) in kinds
    planted = load_ruleset(FIXTURES / "planted-defects")
    for f in findings:
        if f["kind"] == "conflict":
            with pytest.raises(RulesetConflictError):
                decide(facts_from_dict(f["witness"]), ruleset=planted)


def test_check_cannot_load_exits_2():
    assert infoshare("check", str(ROOT / "no-such-folder")).returncode == 2


def test_precedence_reordering_protocol_is_refused_at_load():
    with pytest.raises(RulesetError, match="reorders verdict_precedence"):
        load_ruleset(FIXTURES / "reorders-precedence")
    assert infoshare("check", str(FIXTURES / "reorders-precedence")).returncode == 2


def test_declared_weakening_loads_and_check_reports_it_with_a_witness():
    result = infoshare("check", "--format", "json", str(FIXTURES / "reorders-precedence-declared"))
    assert result.returncode == 1
    findings = {f["kind"]: f for f in json.loads(result.stdout)["findings"]}
    assert "precedence_reordered" in findings
    weak = findings["weakens_must_share"]
    protocol = load_ruleset(FIXTURES / "reorders-precedence-declared")
    assert decide(facts_from_dict(weak["witness"])).verdict.value == "must_share"
    assert decide(facts_from_dict(weak["witness"]), ruleset=protocol).verdict.value == weak["decide_gives"] != "must_share"


def test_protocol_must_declare_disabling_a_rule_must_share_rests_on(tmp_path):
    folder = tmp_path / "drops-court-order"
    shutil.copytree(PROTOCOL, folder)
    meta = (folder / "ruleset.yaml").read_text().replace("id: example-written-consent", "id: drops-court-order")
    meta = meta.replace("disable:\n", "disable:\n  - rule: court-order\n    reason: test\n    cites: [\"EX-1\"]\n")
    (folder / "ruleset.yaml").write_text(meta)
    with pytest.raises(RulesetError, match="disables rule 'court-order'"):
        load_ruleset(folder)


# ---------------------------------------------------------------- diff


def _copy_national(tmp_path: Path) -> Path:
    folder = tmp_path / "uk-2006-practitioners-guide"
    shutil.copytree(NATIONAL, folder)
    return folder


def test_diff_proves_no_behavioural_change_for_a_statement_only_edit(tmp_path):
    folder = _copy_national(tmp_path)
    rules = folder / "rules" / "02-identifiable.yaml"
    rules.write_text(rules.read_text().replace("Anonymised information can lawfully be shared", "Anonymised information may lawfully be shared"))
    result = infoshare("diff", "uk-2006-practitioners-guide", str(folder))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rule changed: anonymised-may-be-shared (statement)" in result.stdout
    assert "No behavioural change: proved for all" in result.stdout


def test_diff_of_a_one_rule_change_lists_every_region_with_verified_witnesses(tmp_path):
    folder = _copy_national(tmp_path)
    rules = folder / "rules" / "02-identifiable.yaml"
    text = rules.read_text()
    assert "then: {verdict: share}" in text
    rules.write_text(text.replace("then: {verdict: share}", "then: {verdict: seek_consent}", 1))
    a, b = load_ruleset(), load_ruleset(folder)
    diff = diff_rulesets(a, b, cases=[ROOT / "examples" / "key-questions" / "q2-identifiable.cases.yaml"])
    assert [c.rule for c in diff.structural.changed] == ["anonymised-may-be-shared"]
    transitions = {(r.before, r.after) for r in diff.regions if r.kind == "verdict"}
    assert transitions == {("share", "seek_consent")}
    assert {r.before for r in diff.regions if r.kind == "obligation_gained"} >= {"seek_informed_consent_openly"}
    for region in diff.regions:
        assert witness_holds(region), region
        assert _complete_for_both(region.witness, a, b), region
        if region.kind == "verdict":  # decided afresh: the witness really gives the two verdicts shown
            assert (_decided(region.witness, a), _decided(region.witness, b)) == (region.before, region.after)
    assert diff.total - diff.same == max(r.count for r in diff.regions)
    assert any(f.name == "anonymised-figures-for-service-planning" and (f.before, f.after) == ("share", "seek_consent") for f in diff.cases)


def test_diff_national_vs_example_protocol_every_witness_holds():
    a, b = load_ruleset(), load_ruleset(PROTOCOL)
    diff = diff_rulesets(a, b)
    assert diff.behaviour_changed
    assert {"example-oral-or-implied-consent-not-relied-on", "example-consult-child-protection-lead"} <= set(diff.structural.added)
    assert set(diff.structural.removed) == {"implied-consent-intrinsic-to-activity", "implied-consent-informed-right-to-object"}
    assert any(r.kind == "obligation_gained" and r.before == "consult_named_child_protection_lead" for r in diff.regions)
    assert not any(r.kind == "verdict" and r.before == "must_share" and r.after not in (CONTRADICTORY_FACTS,) for r in diff.regions)
    # oral or implied consent is not relied on locally: a complete case the guide shares on consent, the protocol seeks it
    assert any(r.kind == "verdict" and (r.before, r.after) == ("share", "seek_consent") for r in diff.regions)
    assert diff.one_sided == 0  # the protocol keeps the guide's presumptions
    assert 0 < diff.same < diff.total
    for region in diff.regions:
        assert witness_holds(region), region
        assert _complete_for_both(region.witness, a, b), region
        if region.kind == "verdict":
            assert (_decided(region.witness, a), _decided(region.witness, b)) == (region.before, region.after)


@pytest.mark.parametrize("fmt", ["json", "markdown", "text"])
def test_diff_formats_and_exit_code(fmt):
    result = infoshare("diff", "--format", fmt, "--cases", "examples/local-protocols", "uk-2006-practitioners-guide", str(PROTOCOL))
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data["behaviour"]["changed"] and data["cases"]["run"] == 6
        assert {f["case"] for f in data["cases"]["flips"]} >= {"implied-consent-not-relied-on-locally"}
    else:
        assert "verdict share -> seek_consent" in result.stdout


def test_diff_html_renders_in_headless_chromium(tmp_path):
    result = infoshare("diff", "--format", "html", "uk-2006-practitioners-guide", str(PROTOCOL))
    assert result.returncode == 1, result.stderr
    page = tmp_path / "diff.html"
    page.write_text(result.stdout, encoding="utf-8")
    dom = dump_dom(page, tmp_path / "profile")
    assert "<h1>Ruleset diff: uk-2006-practitioners-guide 3.0.0 -&gt; example-written-consent 0.1.0</h1>" in dom
    assert 'id="summary"' in dom and "Behaviour changes on" in dom
    assert "consult_named_child_protection_lead" in dom


# ---------------------------------------------------------------- rulesets


def test_rulesets_lists_versions_dates_and_hashes_as_json():
    result = infoshare("rulesets", "--format", "json", str(PROTOCOL))
    assert result.returncode == 0, result.stderr
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert rows["uk-2006-practitioners-guide"]["version"] == "3.0.0"
    assert rows["uk-2006-practitioners-guide"]["effective_from"] == "2026-12-03"
    assert rows["example-written-consent"]["extends"] == "uk-2006-practitioners-guide"
    assert rows["example-written-consent"]["shipped"] is False
    assert rows["example-written-consent"]["local_facts"] == ["local.seeking_consent_would_put_staff_at_risk"]
    assert rows["uk-2006-practitioners-guide"]["local_facts"] == []
    assert all(r["hash"].startswith("sha256:") for r in rows.values())
