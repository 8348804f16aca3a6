"""Fuzzing in CI, bounded: hostile facts JSON, case files and ruleset folders give a decision or
the library's own error, nothing else (issue 11). ``tools/fuzz.py`` runs the same surfaces longer."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from fuzz_surfaces import case_file_surface, case_folders, facts_documents, facts_surface, ruleset_mutations, ruleset_surface

BOUNDED = settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@BOUNDED
@given(facts_documents())
def test_facts_json_gives_facts_or_a_facts_error(document):
    assert facts_surface(document) in ("decision", "error")


@settings(BOUNDED, max_examples=120)
@given(case_folders())
def test_case_files_give_results_or_case_errors(files):
    assert case_file_surface(files) in ("decision", "error")


@settings(BOUNDED, max_examples=150)
@given(ruleset_mutations())
def test_ruleset_folders_give_a_ruleset_or_a_ruleset_error(edits):
    assert ruleset_surface(edits) in ("loaded", "error")
