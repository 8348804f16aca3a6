"""Fuzzing in CI, bounded: hostile facts JSON, case files and ruleset folders give a decision or
the library's own error, nothing else (issue 11); a secret put as a key or a value into what any
reader reads is never echoed by its errors (issue 16). ``tools/fuzz.py`` runs the same surfaces longer."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

import fuzz_surfaces as surfaces
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


# ---------------------------------------------------------------- a secret in a key or a value (issue 16)


@settings(BOUNDED, max_examples=200)
@given(surfaces.secret_facts())
def test_facts_errors_never_echo_a_secret_key_or_value(doc):
    assert surfaces.secret_facts_surface(doc) in ("decision", "error")


@settings(BOUNDED, max_examples=150)
@given(surfaces.secret_decisions())
def test_decision_errors_never_echo_a_secret_key_or_value(doc):
    assert surfaces.secret_decision_surface(doc) in ("decision", "error")


@settings(BOUNDED, max_examples=150)
@given(surfaces.secret_records())
def test_record_and_verify_errors_never_echo_a_secret_key_or_value(doc):
    assert surfaces.secret_record_surface(doc) in ("decision", "error")


@settings(BOUNDED, max_examples=100)
@given(surfaces.secret_case_files())
def test_case_file_errors_never_echo_a_secret_key_or_value(doc):
    assert surfaces.secret_case_file_surface(doc) in ("decision", "error")


@settings(BOUNDED, max_examples=100)
@given(surfaces.secret_rulesets())
def test_ruleset_errors_never_echo_a_secret_key_or_name(edit):
    assert surfaces.secret_ruleset_surface(edit) in ("loaded", "error")


@settings(BOUNDED, max_examples=150)
@given(surfaces.secret_service_requests())
def test_service_error_responses_never_echo_a_secret_key_or_value(request_):
    assert surfaces.service_surface(request_) in ("decision", "error")
