"""Typing that works for users: README's Python type-checks under ``mypy --strict``, wrong values do not.

Fact fields take their string values at run time through attrs converters mypy's attrs plugin cannot
follow, so ``src/infoshare_rules/facts/model.pyi`` says the same to type checkers. It is generated
(``python tools/facts_stub.py``); these tests keep it equal to the runtime model.
"""

from __future__ import annotations

import ast
import enum
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from typing import get_args

import attrs
import pytest

import infoshare_rules
from infoshare_rules import EngineName
from infoshare_rules.engines.registry import ENGINE_NAMES
from infoshare_rules.facts import model

from readme import python_blocks

ROOT = Path(__file__).resolve().parents[1]
STUB = ROOT / "src" / "infoshare_rules" / "facts" / "model.pyi"


def _tool():
    spec = importlib.util.spec_from_file_location("facts_stub", ROOT / "tools" / "facts_stub.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stub_is_what_the_generator_writes_from_the_model():
    assert STUB.read_text(encoding="utf-8") == _tool().generate(), (
        "src/infoshare_rules/facts/model.pyi is stale: run python tools/facts_stub.py"
    )


def _literal_values(annotation: ast.expr) -> tuple[str, ...]:
    """``Answer | Literal["yes", ...]`` -> ("yes", ...)."""
    assert isinstance(annotation, ast.BinOp) and isinstance(annotation.right, ast.Subscript), ast.unparse(annotation)
    literal = annotation.right
    assert ast.unparse(literal.value) == "Literal"
    values = literal.slice.elts if isinstance(literal.slice, ast.Tuple) else [literal.slice]
    return tuple(v.value for v in values)


def test_stub_classes_fields_and_literal_values_equal_the_runtime_model():
    """Read independently of the generator: the stub's enumerations, fact classes, fields (in order),
    defaults and the string values each field accepts are the runtime model's."""
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    converters = {
        node.name: (ast.unparse(node.returns), _literal_values(node.args.args[0].annotation))
        for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("_as_")
    }
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    runtime_enums = {n: c for n, c in vars(model).items() if isinstance(c, type) and issubclass(c, model._FactEnum) and c.__module__ == model.__name__}
    runtime_attrs = {n: c for n, c in vars(model).items() if isinstance(c, type) and attrs.has(c) and c.__module__ == model.__name__}
    assert set(classes) == set(runtime_enums) | set(runtime_attrs)
    for name, cls in runtime_enums.items():
        members = [(s.targets[0].id, s.value.value) for s in classes[name].body if isinstance(s, ast.Assign)]
        assert members == [(m.name, m.value) for m in cls], name
    for name, cls in runtime_attrs.items():
        fields = [s for s in classes[name].body if isinstance(s, ast.AnnAssign) and "ClassVar" not in ast.unparse(s.annotation)]
        assert [s.target.id for s in fields] == [f.name for f in attrs.fields(cls)], name
        for stub_field, field in zip(fields, attrs.fields(cls)):
            where = f"{name}.{field.name}"
            if "enum" in field.metadata:
                enum_type = field.metadata["enum"]
                call = stub_field.value
                keywords = {k.arg: ast.unparse(k.value) for k in call.keywords}
                returns, values = converters[keywords["converter"]]
                assert ast.unparse(stub_field.annotation) == returns == enum_type.__name__, where
                assert values == tuple(m.value for m in enum_type), where
                assert keywords["default"] == f"{enum_type.__name__}.{field.default.name}", where
    # every fact field is covered, and each takes its values as strings
    assert sum(len(attrs.fields(g)) for g in model.GROUPS) == len(model.INPUT_SPECS) == len(
        [1 for g in model.GROUPS for s in classes[g.__name__].body if isinstance(s, ast.AnnAssign) and "ClassVar" not in ast.unparse(s.annotation)]
    )


def test_engine_names_are_the_registrys():
    assert set(get_args(EngineName)) == set(ENGINE_NAMES)
    assert infoshare_rules.decide is __import__("infoshare_rules.decision.decide", fromlist=["decide"]).decide


# Each line marked "# error: CODE" must get exactly that mypy error; the other lines none.
REJECTED = '''\
from infoshare_rules import Answer, CaseFacts, Child, Consent, Purpose, decide, decide_many
from infoshare_rules.cases.suite import run_suite
from infoshare_rules.explain.narrative import explain
from infoshare_rules.records.make import make_record

facts = CaseFacts(purpose=Purpose(legitimate="yes"), child=Child(age=14), consent=Consent(child="given"))
decide(facts, engine="nope")  # error: arg-type
decide(facts, engine="compiled")
decide_many([facts], engine="durabel")  # error: arg-type
explain(facts, engine="fast")  # error: arg-type
make_record(facts, record_id="r", recorded_at="2024-05-01T14:30:00Z", engine="nope")  # error: arg-type
run_suite(["examples"], engine="nope")  # error: arg-type
Purpose(legitimate="maybe")  # error: arg-type
Consent(child="yes")  # error: arg-type
Child(age="14")  # error: arg-type
CaseFacts(local={"seeking_consent_would_put_staff_at_risk": "yes"})
CaseFacts(local=5)  # error: arg-type
facts.purpose.legitimate = Answer.NO  # error: misc
verdict: str = decide(facts).verdict.value
answer: str = facts.purpose.legitimate.value
'''


def _mypy(*args: str, cwd: Path) -> list[tuple[str, int, str, str]]:
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--show-error-codes", "--cache-dir", str(cwd / ".mypy_cache"), *args],
        capture_output=True, text=True, timeout=600, cwd=cwd,
    )
    errors = re.findall(r"^(.+?):(\d+): error: (.*)  \[([a-z-]+)\]$", run.stdout, re.M)
    assert run.returncode in (0, 1) and (run.returncode == 0) == (not errors), run.stdout + run.stderr
    return [(Path(f).name, int(n), message, code) for f, n, message, code in errors]


def test_readme_python_type_checks_and_wrong_values_do_not(tmp_path):
    """README's Python blocks, in order in one module (as a reader runs them), pass ``mypy --strict``;
    an unknown engine name, a value a fact does not take, and assigning to a frozen fact are errors."""
    blocks = python_blocks()
    assert len(blocks) >= 3
    (tmp_path / "readme_snippets.py").write_text("".join(f"# {b.where}\n{b.text}" for b in blocks), encoding="utf-8")
    (tmp_path / "rejected.py").write_text(REJECTED, encoding="utf-8")
    errors = _mypy("readme_snippets.py", "rejected.py", cwd=tmp_path)
    assert [e for e in errors if e[0] == "readme_snippets.py"] == [], f"README's Python does not type-check: {errors}"
    expected = [(n, m.group(1)) for n, line in enumerate(REJECTED.splitlines(), 1) if (m := re.search(r"# error: ([a-z-]+)$", line))]
    got = [(n, code) for f, n, _, code in errors if f == "rejected.py"]
    assert got == expected, "\n".join(f"rejected.py:{n}: {msg} [{code}]" for f, n, msg, code in errors)
    engine_error = next(msg for f, n, msg, _ in errors if n == 7)
    assert "\"Literal['nope']\"" in engine_error and "Literal['auto', 'compiled', 'reference', 'durable']" in engine_error


def test_model_py_itself_type_checks(tmp_path):
    """The stub hides model.py's body from ``mypy`` (the package run); checked on its own, it is clean."""
    assert _mypy(str(ROOT / "src" / "infoshare_rules" / "facts" / "model.py"), cwd=tmp_path) == []
