"""Hostile input gives the library's own error, naming where, never a traceback, hang or echo.

Regression tests for issue 11, each built from a reproducer found by fuzzing.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from infoshare_rules import FactsError, InfoshareError, RulesetError, decide, facts_from_dict, facts_from_json, load_ruleset
from infoshare_rules.cases.suite import CaseFileError, load_case_file, run_suite
from infoshare_rules.cli.main import main
from infoshare_rules.errors import describe_value
from infoshare_rules.facts.json import facts_json_schema
from infoshare_rules.limits import MAX_FACTS_BYTES, MAX_JSON_DEPTH
from infoshare_rules.records.verify import verify_record
from infoshare_rules.ruleset.locate import resolve_ruleset_path

import jsonschema

PERSONAL = "Jane Example, 12 Acacia Avenue, Exampletown"


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return exited.value.code, out, err


# ---------------------------------------------------------------- facts JSON


@pytest.mark.parametrize(
    "document, problem",
    [
        (b"\xff{}", "not UTF-8"),
        ("{}".encode("utf-16"), "UTF-16"),
        ("[" * 990 + "]" * 990, "nested too deeply"),
        ('{"child": {"age": ' + "1" * 5000 + "}}", "number too long"),
        ('{"child": {"age": NaN}}', "NaN"),
        ('{"legal":{"statutory_duty":"yes","statutory_duty":"no"}}', "duplicate key statutory_duty"),
        ('{"legal":{"statutory_duty":"no","statutory_duty":"yes"}}', "duplicate key statutory_duty"),
        (" " * (MAX_FACTS_BYTES + 1), "too large"),
        ("{", "not valid JSON"),
    ],
)
def test_hostile_facts_json_gives_a_facts_error(document, problem):
    with pytest.raises(FactsError, match=problem):
        facts_from_json(document)


def test_utf8_with_or_without_byte_order_mark_is_accepted_as_bytes_and_str():
    text = '{"legal": {"court_order": "yes"}}'
    expected = facts_from_json(text)
    assert facts_from_json(text.encode()) == expected
    assert facts_from_json(b"\xef\xbb\xbf" + text.encode()) == expected
    assert facts_from_json("\ufeff" + text) == expected


def test_nesting_within_the_limit_is_parsed_not_refused():
    inner = "[" * (MAX_JSON_DEPTH - 2) + "]" * (MAX_JSON_DEPTH - 2)
    with pytest.raises(FactsError, match="wrong type"):  # parsed, then refused by the model, not the limit
        facts_from_json('{"legal": {"court_order": ' + inner + "}}")


def test_non_string_values_are_not_echoed_whatever_their_size():
    with pytest.raises(FactsError) as info:
        facts_from_json('{"child": {"age": ' + "9" * 20 + "}}")
    assert "9" * 20 not in str(info.value)


@pytest.mark.parametrize(
    "document",
    [
        {"purpose": {"legitimate": PERSONAL}},
        {"purpose": {PERSONAL: "yes"}},
        {PERSONAL: {}},
        {"child": {"age": PERSONAL}},
        {"consent": PERSONAL},
        {"purpose": {"legitimate": [PERSONAL]}},
    ],
)
def test_error_messages_never_echo_submitted_text(document):
    with pytest.raises(FactsError) as info:
        facts_from_dict(document)
    message = str(info.value)
    assert "Acacia" not in message and "Jane" not in message
    assert message.startswith("$")  # names the path


def test_a_short_typo_is_still_shown_with_its_suggestion():
    with pytest.raises(FactsError, match=r"got 'yse'.*did you mean 'yes'"):
        facts_from_dict({"purpose": {"legitimate": "yse"}})


def test_describe_value_shows_tokens_and_describes_everything_else():
    assert describe_value("parnet") == "'parnet'"
    assert describe_value("x" * 25) == "a string of 25 characters (not shown)"
    assert describe_value(PERSONAL) == f"a string of {len(PERSONAL)} characters (not shown)"
    assert describe_value(10**5000).startswith("an integer of about 5")
    assert describe_value([1, 2]) == "a list of 2 items"


def test_mixed_type_keys_are_a_facts_error():
    with pytest.raises(FactsError, match="keys must be strings"):
        facts_from_dict({"purpose": {1: "yes", "legitimate": "yes"}})
    with pytest.raises(FactsError, match="keys must be strings"):
        facts_from_dict({None: {}, "purpose": {}})


def test_schema_and_library_agree_on_whole_number_ages():
    validator = jsonschema.Draft202012Validator(facts_json_schema())
    for age in (12, 12.0):
        document = {"child": {"age": age}}
        assert validator.is_valid(document)
        assert facts_from_dict(document).child.age == 12
    for age in (12.5, True, "12"):
        document = {"child": {"age": age}}
        assert not validator.is_valid(document)
        with pytest.raises(FactsError):
            facts_from_dict(document)


# ---------------------------------------------------------------- the command line


def test_cli_refuses_deep_and_huge_input_cleanly(capsys, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 990 + "]" * 990)
    code, _, err = cli(capsys, "decide", "--engine", "reference", str(deep))
    assert code == 2 and "nested too deeply" in err and "Traceback" not in err
    big = tmp_path / "big.json"
    big.write_text('{"child": {"age": ' + "1" * 5000 + "}}")
    code, _, err = cli(capsys, "decide", "--engine", "reference", str(big))
    assert code == 2 and "number too long" in err


def test_cli_and_library_agree_on_byte_order_marks(capsys, tmp_path):
    with_bom = tmp_path / "bom.json"
    with_bom.write_bytes(b"\xef\xbb\xbf" + b'{"legal": {"court_order": "yes"}}')
    code, out, _ = cli(capsys, "decide", "--engine", "reference", str(with_bom))
    assert code == 0 and json.loads(out)["verdict"]
    utf16 = tmp_path / "utf16.json"
    utf16.write_bytes('{"legal": {"court_order": "yes"}}'.encode("utf-16"))
    code, _, err = cli(capsys, "decide", "--engine", "reference", str(utf16))
    assert code == 2 and "UTF-16" in err
    with pytest.raises(FactsError, match="UTF-16"):
        facts_from_json(utf16.read_bytes())


def test_cli_does_not_echo_submitted_values(capsys, tmp_path):
    path = tmp_path / "f.json"
    path.write_text(json.dumps({"purpose": {"legitimate": PERSONAL}}))
    code, _, err = cli(capsys, "decide", "--engine", "reference", str(path))
    assert code == 2 and "Acacia" not in err and "$.purpose.legitimate" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_cli_refuses_a_fifo_and_a_device_without_hanging(capsys, tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    code, _, err = cli(capsys, "decide", str(fifo))
    assert code == 2 and "not a regular file" in err
    if Path("/dev/zero").exists():
        code, _, err = cli(capsys, "decide", "/dev/zero")
        assert code == 2 and "not a regular file" in err


# ---------------------------------------------------------------- case files


def write_cases(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


CASE = "cases:\n  - name: c1\n    facts_file: {file}\n    expect: {{verdict: undetermined}}\n"


@pytest.mark.parametrize(
    "make, problem",
    [
        (lambda d: (d / "f.json").write_bytes(b"\x00\xff\xfe binary"), "not UTF-8"),
        (lambda d: (d / "f.json").write_text("[" * 5000 + "]" * 5000), "nested too deeply"),
        (lambda d: (d / "f.json").write_text('{"a": 1, "a": 2}'), "duplicate key"),
        (lambda d: (d / "f.json").mkdir(), "not a regular file"),
        (lambda d: os.mkfifo(d / "f.json"), "not a regular file"),
        (lambda d: (d / "f.json").write_text(" " * (MAX_FACTS_BYTES + 10)), "too large"),
    ],
)
def test_bad_facts_files_are_per_case_errors(tmp_path, make, problem):
    make(tmp_path)
    path = write_cases(tmp_path, "a.cases.yaml", CASE.format(file="f.json"))
    case_file = load_case_file(path)
    assert not case_file.cases and len(case_file.errors) == 1
    assert problem in str(case_file.errors[0]) and case_file.errors[0].line == 3


def test_facts_file_pointing_at_dev_zero_is_refused(tmp_path):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    path = write_cases(tmp_path, "a.cases.yaml", CASE.format(file="/dev/zero"))
    result = []
    thread = threading.Thread(target=lambda: result.append(load_case_file(path)))
    thread.start()
    thread.join(timeout=30)
    assert result, "hung reading /dev/zero"
    assert "not a regular file" in str(result[0].errors[0])


def test_a_non_utf8_case_file_is_an_error_and_other_files_still_run(tmp_path):
    (tmp_path / "bad.cases.yaml").write_bytes(b"cases:\n  - name: x\n    story: \xff\xfe\n")
    write_cases(tmp_path, "good.cases.yaml", "cases:\n  - name: ok\n    facts: {}\n    expect: {verdict: undetermined}\n")
    suite = run_suite([tmp_path], engine="reference")
    statuses = sorted(r.status for r in suite.results)
    assert statuses == ["error", "passed"]
    error = next(r for r in suite.results if r.status == "error").error
    assert "not UTF-8" in str(error) and error.line == 3


BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""


@pytest.mark.parametrize("where", ["story", "illustrates", "facts"])
def test_yaml_alias_bombs_in_case_files_are_refused_with_a_line(tmp_path, where):
    text = BOMB.replace("a: &a", "x-a: &a") + f"cases:\n  - name: c\n    {where}: *g\n    facts: {{}}\n"
    if where == "facts":
        text = BOMB + "cases:\n  - name: c\n    facts: {legal: *g}\n"
    path = write_cases(tmp_path, "bomb.cases.yaml", text)
    with pytest.raises(CaseFileError, match="anchors and aliases") as info:
        load_case_file(path)
    assert info.value.line == 1
    assert len(str(info.value)) < 300


def test_yaml_mixed_type_keys_in_case_facts_are_a_case_error(tmp_path):
    path = write_cases(tmp_path, "a.cases.yaml", "cases:\n  - name: c\n    facts:\n      purpose: {1: yes, legitimate: yes}\n")
    case_file = load_case_file(path)
    assert "keys must be strings" in str(case_file.errors[0])


def test_junit_xml_into_a_missing_folder_is_a_clean_error(capsys, tmp_path):
    write_cases(tmp_path, "good.cases.yaml", "cases:\n  - name: ok\n    facts: {}\n    expect: {verdict: undetermined}\n")
    code, out, err = cli(capsys, "test", "--engine", "reference", "--junit-xml", str(tmp_path / "missing" / "r.xml"), str(tmp_path))
    assert code == 2 and "cannot write" in err and "1 passed" in out


def test_case_file_schema_errors_do_not_echo_values(tmp_path):
    path = write_cases(tmp_path, "a.cases.yaml", f"cases:\n  - name: c\n    story: [\"{PERSONAL}\"]\n    facts: {{}}\n")
    with pytest.raises(CaseFileError) as info:
        load_case_file(path)
    assert "Acacia" not in str(info.value) and "$.cases[0].story" in str(info.value)


# ---------------------------------------------------------------- ruleset folders


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "engine-mini"
    shutil.copytree(Path(__file__).parent / "fixtures" / "rulesets" / "engine-mini", target)
    return target


def test_conclusions_as_a_list_is_a_ruleset_error(mini):
    (mini / "conclusions.yaml").write_text("- a\n- b\n")
    with pytest.raises(RulesetError, match="conclusions.yaml must be a mapping") as info:
        load_ruleset(mini)
    assert info.value.file.endswith("conclusions.yaml") and info.value.line == 1


def test_list_keys_are_a_ruleset_error_with_a_line(mini):
    (mini / "obligations.yaml").write_text("? [a, b]\n: {text: x, cites: ['1']}\n")
    with pytest.raises(RulesetError, match="mapping key must be text") as info:
        load_ruleset(mini)
    assert info.value.line == 1


def test_non_utf8_ruleset_file_is_a_ruleset_error_with_a_line(mini):
    (mini / "obligations.yaml").write_bytes(b"# ok\n# \xff\xfe\n")
    with pytest.raises(RulesetError, match="not UTF-8") as info:
        load_ruleset(mini)
    assert info.value.line == 2 and info.value.file.endswith("obligations.yaml")


def test_alias_bomb_in_a_rule_is_refused_quickly(mini):
    rules = next((mini / "rules").glob("*.yaml"))
    rules.write_text(BOMB.replace("a: &a", "- id: &a").split("\n")[0] + "\n")
    (mini / "rules" / "zz-bomb.yaml").write_text("# " + "\n" + "- id: x\n  statement: &s hi\n  cites: *s\n")
    with pytest.raises(RulesetError, match="anchors and aliases"):
        load_ruleset(mini)


def test_extends_cycle_is_an_error_naming_the_chain(tmp_path):
    for name, other in (("proto-a", "../proto-b"), ("proto-b", "../proto-a")):
        (tmp_path / name / "rules").mkdir(parents=True)
        (tmp_path / name / "ruleset.yaml").write_text(
            f"id: {name}\ntitle: t\nversion: '1'\nextends: {other}\nsource: {{title: t, reference: r}}\n"
        )
    with pytest.raises(RulesetError, match="cycle: proto-a -> proto-b -> proto-a"):
        load_ruleset(tmp_path / "proto-a")


def test_decide_with_hostile_facts_never_raises_anything_but_library_errors():
    with pytest.raises(InfoshareError):
        decide({"purpose": {}})  # not CaseFacts


def test_a_ruleset_pin_or_folder_with_a_name_too_long_for_the_system_is_an_error_not_oserror(tmp_path):
    """Found by the fuzzer on Python 3.10, where pathlib raises ENAMETOOLONG from is_file()."""
    long = "- [" * 200 + "k"
    case_file = tmp_path / "long.cases.yaml"
    case_file.write_text(f"ruleset: '{long}'\ncases:\n  - name: a\n    facts: {{}}\n    expect: {{verdict: share}}\n")
    suite = run_suite([case_file], engine="reference")
    assert [r.status for r in suite.results] == ["error"] and long not in str(suite.results[0].error)
    with pytest.raises(RulesetError, match="no such ruleset folder"):
        load_ruleset("./" + "x" * 5000)


# ---------------------------------------------------------------- names and keys in paths (issue 16)

SECRET = "Jane Doe lives at 12 Acacia Avenue, London NW1"
EXAMPLE_FACTS = Path(__file__).resolve().parents[1] / "examples" / "facts" / "consent-withdrawn.json"


def test_keys_and_names_from_input_are_shown_only_when_identifier_like():
    from infoshare_rules.errors import describe_key, describe_name, describe_path, json_path, safe_path

    assert describe_key("given_by") == "given_by" and describe_key("consent.child") == "consent.child"
    assert describe_key(SECRET) == f"<key: str of {len(SECRET)} chars>"
    assert describe_key("07700900123") == "<key: str of 11 chars>"  # a phone number is not an identifier
    assert describe_key("a" * 65) == "<key: str of 65 chars>" and describe_key(3) == "<key: int>"
    assert json_path(["trace", 25, "used", SECRET]) == f"$.trace[25].used.<key: str of {len(SECRET)} chars>"
    # a path some reader built by pasting the key in: the error describes the step all the same
    assert safe_path(f"$.trace[25].used.{SECRET}") == f"$.trace[25].used.<key: str of {len(SECRET)} chars>"
    assert safe_path("$.consent.given_by") == "$.consent.given_by" and safe_path("$.cases[3].expect") == "$.cases[3].expect"
    assert safe_path(json_path(["x", SECRET])) == json_path(["x", SECRET])  # a described step stays as it is
    assert describe_name("record_decision") == "'record_decision'" and describe_name("4.30") == "'4.30'"
    assert describe_name(SECRET) == f"<name: str of {len(SECRET)} chars>"
    assert describe_path("rules/04-consent.yaml") == "rules/04-consent.yaml"
    assert describe_path("./Jane Doe/12 Acacia Avenue.json") == "./<8 chars>/<21 chars>"
    assert describe_path(describe_path("a b/c")) == "<3 chars>/c"


@pytest.mark.parametrize("value", ["07700900123", "2012-03-04", 9434765919, 9434765919.0])
def test_numbers_dates_and_phone_numbers_are_not_echoed_as_values(value):
    shown = describe_value(value)
    assert str(value) not in shown and "9434765919" not in shown


def test_a_free_text_key_in_a_decision_is_described_not_echoed():
    from infoshare_rules import decision_from_json, decision_to_dict
    from infoshare_rules.errors import DocumentError

    data = decision_to_dict(decide(facts_from_json(EXAMPLE_FACTS.read_text()), engine="reference"))
    data["trace"][0]["used"][SECRET] = 1
    with pytest.raises(DocumentError) as info:
        decision_from_json(json.dumps(data))
    assert info.value.path == f"$.trace[0].used.<key: str of {len(SECRET)} chars>"
    assert "Acacia" not in str(info.value)


def _record_dict():
    from infoshare_rules.records.json import record_to_dict
    from infoshare_rules.records.make import make_record

    facts = facts_from_json(EXAMPLE_FACTS.read_text())
    return record_to_dict(make_record(facts, record_id="r-1", recorded_at="2024-05-01T14:30:00Z", engine="reference"))


def test_a_free_text_key_in_a_record_is_described_by_the_reader_and_by_infoshare_verify(capsys, tmp_path):
    from infoshare_rules.errors import DocumentError
    from infoshare_rules.records.json import record_from_json

    data = _record_dict()
    data["reasons"][0]["used"][SECRET] = ["not", "a", "string"]
    with pytest.raises(DocumentError) as info:
        record_from_json(json.dumps(data))
    assert info.value.path.startswith("$.reasons[0].used.<key: str of") and "Acacia" not in str(info.value)
    path = tmp_path / "record.json"
    path.write_text(json.dumps(data))
    code, out, err = cli(capsys, "verify", str(path))
    assert code == 2 and "$.reasons[0].used.<key: str of" in err and "Acacia" not in out + err


def test_a_record_naming_a_free_text_ruleset_is_refused_without_echoing_it():
    from infoshare_rules.errors import RulesetNotFoundError
    from infoshare_rules.records.json import record_from_dict

    data = _record_dict()
    data["ruleset"]["id"] = SECRET
    with pytest.raises(RulesetNotFoundError) as info:
        verify_record(record_from_dict(data))
    assert "Acacia" not in str(info.value) and "<name: str of" in str(info.value)


def test_a_case_expecting_an_obligation_named_with_free_text_does_not_echo_it(tmp_path):
    text = f"cases:\n  - name: c1\n    facts: {{}}\n    expect:\n      obligations: [{json.dumps(SECRET)}]\n"
    write_cases(tmp_path, "a.cases.yaml", text)
    suite = run_suite([tmp_path], engine="reference")
    [result] = suite.results
    assert result.status == "error" and "expects obligation <name: str of" in str(result.error)
    assert "Acacia" not in str(result.error)


def test_a_case_pinned_to_a_free_text_ruleset_folder_does_not_echo_it(tmp_path):
    text = f"ruleset: {json.dumps('./' + SECRET)}\ncases:\n  - name: c1\n    facts: {{}}\n    expect: {{verdict: undetermined}}\n"
    write_cases(tmp_path, "a.cases.yaml", text)
    [result] = run_suite([tmp_path], engine="reference").results
    assert result.status == "error" and "no such ruleset folder" in str(result.error) and "Acacia" not in str(result.error)


@pytest.mark.parametrize(
    "file, edit",
    [
        ("obligations.yaml", lambda text: text + f"\n{json.dumps(SECRET)}:\n  text: Declared, never raised.\n  cites: [\"4.30\"]\n"),
        ("rules/obligations.yaml", lambda text: text.replace("obligation: record_decision", f"obligation: {json.dumps(SECRET)}", 1)),
        ("rules/obligations.yaml", lambda text: text.replace("legitimate_purpose: yes", f"{json.dumps(SECRET)}: yes", 1)),
        ("rules/obligations.yaml", lambda text: text.replace('cites: ["4.30"]', f"cites: [{json.dumps(SECRET)}]", 1)),
        ("rules/consent.yaml", lambda text: text.replace("id: consent-valid", f"id: {json.dumps(SECRET)}", 1)),
        ("conclusions.yaml", lambda text: text.replace("values: [high, low]", f"values: [high, {json.dumps(SECRET)}]", 1)),
    ],
    ids=["declared-obligation", "raised-obligation", "condition-fact", "cited-paragraph", "rule-id", "conclusion-value"],
)
def test_a_ruleset_naming_things_with_free_text_does_not_echo_it(tmp_path, file, edit):
    import shutil

    from infoshare_rules.ruleset.loader import _Loader

    root = tmp_path / "engine-mini"
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "rulesets" / "engine-mini", root)
    (root / file).write_text(edit((root / file).read_text()))
    with pytest.raises(RulesetError) as info:
        _Loader(root).load()
    assert "<name: str of" in str(info.value) and "Acacia" not in str(info.value)


def test_a_free_text_csv_column_is_not_echoed(tmp_path):
    from infoshare_rules.batch.formats import check_columns

    with pytest.raises(InfoshareError) as info:
        check_columns(["consent.child", SECRET], "in.csv")
    assert "unknown column <name: str of" in str(info.value) and "Acacia" not in str(info.value)
