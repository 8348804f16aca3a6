"""The ruleset loader: metadata, hash, extension, and errors that name the file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from infoshare_rules import RulesetError, RulesetNotFoundError, decision_to_text, load_ruleset
from infoshare_rules.ruleset.loader import DEFAULT_RULESET, resolve_ruleset_path

NATIONAL = resolve_ruleset_path(DEFAULT_RULESET)


def test_national_ruleset_metadata():
    ruleset = load_ruleset()
    assert ruleset.id == "uk-2006-practitioners-guide"
    assert ruleset.publication_reference == "0338-2006BKT-EN"
    assert ruleset.version
    assert ruleset.hash.startswith("sha256:") and len(ruleset.hash) == len("sha256:") + 64
    assert len(ruleset.rules) > 100
    assert len({r.id for r in ruleset.rules}) == len(ruleset.rules)


def test_ruleset_is_loaded_once_per_process():
    assert load_ruleset() is load_ruleset(DEFAULT_RULESET) is load_ruleset(NATIONAL)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / DEFAULT_RULESET
    shutil.copytree(NATIONAL, target)
    return target


def load_fresh(path: Path):
    from infoshare_rules.ruleset.loader import _Loader

    return _Loader(path.resolve()).load()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture text not found in {path.name}: {old!r}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_hash_changes_with_content(copy):
    before = load_fresh(copy).hash
    edit(copy / "ruleset.yaml", 'version: "3.0.0"', 'version: "3.0.1"')
    assert load_fresh(copy).hash != before


def test_unknown_fact_names_file_line_and_suggestion(copy):
    rules = copy / "rules" / "01-legitimate-purpose.yaml"
    edit(rules, "when: {purpose.within_agency_functions: no}", "when: {purpose.within_agency_functon: no}")
    with pytest.raises(RulesetError) as info:
        load_fresh(copy)
    err = info.value
    assert err.file.endswith("rules/01-legitimate-purpose.yaml")
    assert err.line == line_of(rules, "purpose.within_agency_functon: no")
    assert err.suggestion == "purpose.within_agency_functions"
    assert "unknown fact or conclusion 'purpose.within_agency_functon'" in str(err)


def test_unknown_value_is_reported_with_allowed_values(copy):
    rules = copy / "rules" / "01-legitimate-purpose.yaml"
    edit(rules, "when: {purpose.within_agency_functions: no}", "when: {purpose.within_agency_functions: nope}")
    with pytest.raises(RulesetError, match=r"no value 'nope'; allowed: yes, no, not_applicable, unknown") as info:
        load_fresh(copy)
    assert info.value.line == line_of(rules, "functions: nope")


def test_missing_citation_is_an_error(copy):
    rules = copy / "rules" / "02-identifiable.yaml"
    edit(rules, '  cites: ["4.6", "flowchart"]\n', "")
    with pytest.raises(RulesetError, match="missing required key 'cites'"):
        load_fresh(copy)


def test_citation_of_unknown_paragraph_is_an_error(copy):
    rules = copy / "rules" / "02-identifiable.yaml"
    edit(rules, '["4.6", "flowchart"]', '["4.66", "flowchart"]')
    with pytest.raises(RulesetError, match="cites paragraph '4.66'") as info:
        load_fresh(copy)
    assert info.value.line == line_of(rules, '"4.66"')


def test_duplicate_rule_id_names_both_places(copy):
    rules = copy / "rules" / "02-identifiable.yaml"
    edit(rules, "- id: identifiable-be-open", "- id: anonymised-may-be-shared")
    with pytest.raises(RulesetError, match=r"duplicate rule id 'anonymised-may-be-shared' \(first defined at .*02-identifiable.yaml:\d+\)"):
        load_fresh(copy)


def test_conclusion_nothing_uses_is_an_error(copy):
    with (copy / "conclusions.yaml").open("a") as handle:
        handle.write('\norphan:\n  values: [yes]\n  statement: Nothing concludes this.\n  cites: ["4.2"]\n')
    with pytest.raises(RulesetError, match="conclusion 'orphan' is declared but no rule concludes it") as info:
        load_fresh(copy)
    assert info.value.line == line_of(copy / "conclusions.yaml", "orphan:")


def test_concluded_but_unused_conclusion_is_an_error(copy):
    with (copy / "conclusions.yaml").open("a") as handle:
        handle.write('\norphan:\n  values: [yes]\n  statement: Nothing reads this.\n  cites: ["4.2"]\n')
    with (copy / "rules" / "99-extra.yaml").open("w") as handle:
        handle.write('- id: make-orphan\n  statement: x\n  cites: ["4.2"]\n  when: {purpose.legitimate: yes}\n  then: {conclude: {orphan: yes}}\n')
    with pytest.raises(RulesetError, match="conclusion 'orphan' is concluded but no rule uses it"):
        load_fresh(copy)


def test_obligation_declared_but_never_raised(copy):
    with (copy / "obligations.yaml").open("a") as handle:
        handle.write('\nnever_raised:\n  text: Nothing raises this.\n  cites: ["4.29"]\n')
    with pytest.raises(RulesetError, match="obligation 'never_raised' is declared but no rule raises it") as info:
        load_fresh(copy)
    assert info.value.line == line_of(copy / "obligations.yaml", "never_raised:")


def test_duplicate_yaml_key_is_caught(copy):
    rules = copy / "rules" / "02-identifiable.yaml"
    edit(rules, "when: {legitimate_purpose: yes, information.identifiable: no}", "when: {legitimate_purpose: yes, legitimate_purpose: no}")
    with pytest.raises(RulesetError, match="duplicate key 'legitimate_purpose'"):
        load_fresh(copy)


def test_invalid_yaml_reports_line(copy):
    rules = copy / "rules" / "02-identifiable.yaml"
    edit(rules, "then: {verdict: share}", "then: {verdict: share")
    with pytest.raises(RulesetError, match="invalid YAML") as info:
        load_fresh(copy)
    assert info.value.line is not None


def test_unknown_rule_key_suggests(copy):
    rules = copy / "rules" / "02-identifiable.yaml"
    edit(rules, "  then: {verdict: share}", "  thne: {verdict: share}")
    with pytest.raises(RulesetError, match="unknown key 'thne'") as info:
        load_fresh(copy)
    assert info.value.suggestion == "then"


def test_rule_reading_verdict_cannot_conclude_a_verdict(copy):
    with (copy / "rules" / "99-extra.yaml").open("w") as handle:
        handle.write('- id: loop\n  statement: x\n  cites: ["4.2"]\n  when: {verdict: share}\n  then: {verdict: do_not_share}\n')
    with pytest.raises(RulesetError, match="may only raise obligations"):
        load_fresh(copy)


def test_unknown_ruleset_id_suggests():
    with pytest.raises(RulesetNotFoundError) as info:
        load_ruleset("uk-2006-practitioners-guid")
    assert info.value.suggestion == DEFAULT_RULESET


def test_local_protocol_extends_the_national_ruleset(tmp_path: Path):
    """4.5 and 4.31: local information sharing protocols add to the national guidance without changing it."""
    local = tmp_path / "local-protocol"
    (local / "rules").mkdir(parents=True)
    (local / "ruleset.yaml").write_text(
        "id: local-protocol\ntitle: A local protocol\nversion: '0.1'\n"
        f"extends: {NATIONAL}\n"
        "source: {title: Local information sharing protocol, reference: LISP-1}\n"
    )
    (local / "paragraphs.yaml").write_text('"local-7":\n  heading: Recording\n  text: Record in the shared case system.\n')
    (local / "obligations.yaml").write_text(
        'record_in_shared_system:\n  text: Record the decision in the shared case system.\n  cites: ["local-7", "4.31"]\n'
    )
    (local / "rules" / "local.yaml").write_text(
        "- id: local-record\n  statement: Record every decision in the shared case system.\n"
        '  cites: ["local-7"]\n  when: {verdict: [share, must_share, do_not_share, seek_consent, seek_advice, undetermined]}\n'
        "  then: {obligation: record_in_shared_system}\n"
    )
    from infoshare_rules import CaseFacts, decide

    ruleset = load_ruleset(local)
    national = load_ruleset()
    assert ruleset.extends == national.id
    assert len(ruleset.rules) == len(national.rules) + 1
    assert ruleset.hash != national.hash
    decision = decide(CaseFacts(), ruleset=local, engine="reference")
    assert "record_in_shared_system" in {o.id for o in decision.obligations}
    assert "local-7" in decision.cites
    assert decision.ruleset.id == "local-protocol"


def test_text_with_paragraphs_works_for_a_ruleset_loaded_from_a_folder(copy):
    from infoshare_rules import CaseFacts, Legal, decide

    renamed = copy.with_name("next-version")
    copy.rename(renamed)
    edit(renamed / "ruleset.yaml", "id: uk-2006-practitioners-guide", "id: next-version")
    decision = decide(CaseFacts(legal=Legal(court_order="yes")), ruleset=renamed, engine="reference")
    assert decision.ruleset.id == "next-version"
    text = decision_to_text(decision, paragraphs=True)
    assert "[4.23] Is there a statutory duty or a court order to share information?" in text


def test_unquoted_paragraph_number_is_refused(copy):
    rules = copy / "rules" / "02-identifiable.yaml"
    edit(rules, '["4.6", "flowchart"]', '[4.6, "flowchart"]')
    with pytest.raises(RulesetError, match=r"4.6 must be quoted text") as info:
        load_fresh(copy)
    assert info.value.line == line_of(rules, "[4.6, ")


def test_a_file_the_loader_does_not_read_is_refused_not_ignored(copy):
    # A misspelt file would otherwise be skipped silently: its obligations would never be raised.
    (copy / "obligation.yaml").write_text((copy / "obligations.yaml").read_text())
    with pytest.raises(RulesetError, match="not a file a ruleset folder holds") as info:
        load_fresh(copy)
    assert info.value.file == f"{DEFAULT_RULESET}/obligation.yaml"
    assert info.value.suggestion == "obligations.yaml"


def test_a_yaml_file_in_a_subfolder_other_than_rules_is_refused(copy):
    (copy / "rules" / "drafts").mkdir()
    (copy / "rules" / "drafts" / "new.yaml").write_text("[]\n")
    with pytest.raises(RulesetError, match="not a file a ruleset folder holds") as info:
        load_fresh(copy)
    assert info.value.file == f"{DEFAULT_RULESET}/rules/drafts/new.yaml"


def test_a_protocol_facts_file_is_read_not_ignored(tmp_path):
    # A protocol's facts.yaml declares its own facts: a file in the wrong shape is refused at its line, never ignored.
    protocol = Path(__file__).resolve().parents[1] / "examples" / "local-protocols" / "example-written-consent"
    target = tmp_path / protocol.name
    shutil.copytree(protocol, target)
    (target / "facts.yaml").write_text("local:\n  wishes_of_competent_child: {}\n")
    with pytest.raises(RulesetError, match="unknown key 'local'") as info:
        load_fresh(target)
    assert (info.value.file, info.value.line) == ("example-written-consent/facts.yaml", 1)


def test_a_national_copy_keeps_its_facts_file_but_may_not_edit_it(copy):
    assert load_fresh(copy).id == DEFAULT_RULESET  # the unchanged vocabulary is accepted
    edit(copy / "facts.yaml", "groups:", "# edited\ngroups:")
    with pytest.raises(RulesetError, match="differs from the national vocabulary") as info:
        load_fresh(copy)
    assert info.value.file == f"{DEFAULT_RULESET}/facts.yaml"
