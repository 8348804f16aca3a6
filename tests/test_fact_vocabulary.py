"""The fact vocabulary is ruleset data: ``facts.yaml`` loads, a bad one is refused with its line, and
the Python model (questions, schema, typing stub) is derived from it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

from infoshare_rules.errors import RulesetError
from infoshare_rules.facts import model
from infoshare_rules.facts.vocabulary import load_vocabulary, national_path
from infoshare_rules.ruleset.loader import load_ruleset

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT / "rulesets" / "uk-2006-practitioners-guide" / "facts.yaml"


def test_national_vocabulary_is_the_one_the_model_is_built_from():
    vocabulary = load_vocabulary(NATIONAL)
    assert national_path().resolve() == NATIONAL.resolve()
    assert vocabulary.fact_names() == model.INPUT_FIELDS
    assert [g.cls for g in vocabulary.groups] == [g.__name__ for g in model.GROUPS]
    for group in vocabulary.groups:
        cls = getattr(model, group.cls)
        assert cls.group == group.group
        assert [f.name for f in attrs.fields(cls)] == [f.name for f in group.facts]
        for f in group.facts:
            spec = model.INPUT_SPECS[f"{group.group}.{f.name}"]
            assert (spec.question, spec.cites, spec.step, spec.direct) == (f.question, f.cites, f.step, f.direct)
    for name, value_set in vocabulary.value_sets.items():
        enum_type = getattr(model, name)
        assert [(m.name, m.value, m.label) for m in enum_type] == [(v.member, v.value, v.label) for v in value_set.values]
    assert model.STEPS == vocabulary.steps and model.MAX_AGE == vocabulary.max_age
    assert load_ruleset().facts is model.VOCABULARY


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("        step: 3\n", "        step: 9\n", "step must be one of the steps"),
        ("        values: Relationship\n", "        values: Relationshop\n", "values must name a value set"),
        ("        cites: [\"4.6\", \"4.16\"]\n", "        cites: []\n", "cites must be a non-empty list"),
        ("        direct: true\n", "        direct: maybe\n", "direct must be true or false"),
        ("      - name: sensitive\n", "      - name: sensitive\n        quesiton: \"?\"\n", "unknown key 'quesiton'"),
    ],
)
def test_a_bad_file_is_refused_with_its_file_and_line(tmp_path, old, new, message):
    text = NATIONAL.read_text(encoding="utf-8")
    assert old in text
    bad = text.replace(old, new, 1)
    path = tmp_path / "facts.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(RulesetError) as caught:
        load_vocabulary(path, "bad/facts.yaml")
    err = caught.value
    assert message in err.message
    assert err.file is not None and err.file.endswith("facts.yaml")
    assert err.line == _line_of(bad, new.strip().splitlines()[-1])
    assert f"line {err.line}" in str(err) or f":{err.line}" in str(err)


def test_value_sets_must_end_with_unknown(tmp_path):
    text = NATIONAL.read_text(encoding="utf-8")
    bad = text.replace('      - {value: "unknown", member: UNKNOWN, label: "Not known"}\n', "", 1)
    (tmp_path / "facts.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(RulesetError, match="last value must be unknown") as caught:
        load_vocabulary(tmp_path / "facts.yaml")
    assert caught.value.line == _line_of(bad, "values:")


_DERIVED = """
import json, sys
from pathlib import Path
from infoshare_rules.facts import model
assert model.__file__.startswith(sys.argv[1]), model.__file__
from infoshare_rules.facts.json import facts_json_schema
sys.path.insert(0, sys.argv[2])
import facts_stub
print(json.dumps({
    "question": model.INPUT_SPECS["information.sensitive"].question,
    "schema": facts_json_schema()["$defs"]["Information"]["properties"]["sensitive"]["description"],
    "metadata": [f.metadata["question"] for f in model.attrs.fields(model.Information) if f.name == "sensitive"][0],
    "label": model.Answer.UNKNOWN.label,
    "stub_has_new_member": "    MAYBE = \\"maybe\\"" in facts_stub.generate(),
}))
"""


def test_a_changed_copy_of_facts_yaml_changes_what_the_model_derives(tmp_path):
    """Proof that the model is derived: a temporary copy with a changed question text, label and value set
    yields the changed question (spec, attrs metadata, JSON Schema), label and typing stub."""
    text = NATIONAL.read_text(encoding="utf-8")
    old_question = 'question: "Is the information of some sensitivity?"'
    assert old_question in text
    changed = text.replace(old_question, 'question: "Is the information sensitive (changed in a test)?"', 1)
    changed = changed.replace(
        '      - {value: "unknown", member: UNKNOWN, label: "Not known"}\n',
        '      - {value: "maybe", member: MAYBE, label: "Maybe"}\n      - {value: "unknown", member: UNKNOWN, label: "Unknown (test)"}\n',
        1,
    )
    # a copy of the package whose source-checkout rulesets folder holds the changed facts.yaml
    shutil.copytree(ROOT / "src" / "infoshare_rules", tmp_path / "src" / "infoshare_rules", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(NATIONAL.parent, tmp_path / "rulesets" / NATIONAL.parent.name)
    (tmp_path / "rulesets" / NATIONAL.parent.name / "facts.yaml").write_text(changed, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    out = subprocess.run(
        [sys.executable, "-c", _DERIVED, str(tmp_path), str(ROOT / "tools")], capture_output=True, text=True, check=True, timeout=120, env=env
    ).stdout
    got = json.loads(out)
    assert got["question"] == got["metadata"] == "Is the information sensitive (changed in a test)?"
    assert got["schema"].startswith("Is the information sensitive (changed in a test)?")
    assert got["label"] == "Unknown (test)"
    assert got["stub_has_new_member"] is True
    # and the real model is untouched
    assert model.INPUT_SPECS["information.sensitive"].question == "Is the information of some sensitivity?"
