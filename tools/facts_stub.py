"""Write (or check) ``src/infoshare_rules/facts/model.pyi``, the typing stub of the facts model.

At run time a fact field takes its enumeration or the enumeration's string value
(``Purpose(legitimate="yes")``): attrs converters that read the field they convert, which mypy's
attrs plugin cannot follow. The stub says the same to type checkers: each field's ``__init__``
parameter is ``Answer | Literal["yes", "no", "unknown"]`` (and so on), through a named converter per
enumeration that the plugin understands, while reading a field still gives the enumeration.

The stub is generated from ``model.py``'s top level in the same order (the source's own annotations
and signatures) and, for the enumerations and fact classes that ``model.py`` builds from the
ruleset's ``facts.yaml``, from that vocabulary: member names and values, field names, annotations
and defaults all come from the vocabulary, never from the runtime classes' resolved annotations
(which another import may already have turned into objects without ``__name__``). ``tests/test_typing.py`` fails when the checked-in stub differs from what this
writes. After changing the facts, run::

    python tools/facts_stub.py          # rewrite the stub
    python tools/facts_stub.py --check  # exit 1 if it is stale
"""

from __future__ import annotations

import ast
import enum
import json
import re
import sys
from pathlib import Path
from typing import Any

import attrs

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "infoshare_rules" / "facts" / "model.py"
STUB = SOURCE.with_suffix(".pyi")

HEADER = '''\
# Generated from model.py and the ruleset's facts.yaml by tools/facts_stub.py: do not edit. After changing the facts, run
#     python tools/facts_stub.py
# (tests/test_typing.py fails while this stub differs from what that writes.)
"""Type hints of the facts model: every fact also takes its values as strings (``Purpose(legitimate="yes")``)."""

'''


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def converter_name(enum_type: type[enum.Enum]) -> str:
    """The stub's converter of one enumeration: ``Answer`` -> ``_as_answer``."""
    return f"_as_{_snake(enum_type.__name__)}"


def _signature(node: ast.FunctionDef, indent: str) -> list[str]:
    lines = [f"{indent}@{ast.unparse(d)}" for d in node.decorator_list]
    args = node.args
    parts: list[str] = []

    def arg(a: ast.arg, default: ast.expr | None) -> str:
        text = a.arg + (f": {ast.unparse(a.annotation)}" if a.annotation else "")
        if default is not None:
            text += " = ..." if a.annotation else "=..."
        return text

    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for i, (a, d) in enumerate(zip(positional, defaults)):
        parts.append(arg(a, d))
        if args.posonlyargs and i == len(args.posonlyargs) - 1:
            parts.append("/")
    if args.vararg:
        parts.append("*" + arg(args.vararg, None))
    elif args.kwonlyargs:
        parts.append("*")
    for a, d in zip(args.kwonlyargs, args.kw_defaults):
        parts.append(arg(a, d))
    if args.kwarg:
        parts.append("**" + arg(args.kwarg, None))
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    lines.append(f"{indent}def {node.name}({', '.join(parts)}){returns}: ...")
    return lines


def _value_type(value: Any) -> str:
    if isinstance(value, (bool, int, float, str)):
        return type(value).__name__
    if isinstance(value, dict) and value:
        keys = {_value_type(k) for k in value}
        values = {_value_type(v) for v in value.values()}
        if len(keys) == 1 and len(values) == 1:
            return f"dict[{keys.pop()}, {values.pop()}]"
    raise ValueError(f"cannot stub a value of type {type(value).__name__}: annotate it in model.py")


def _enum_class(node: ast.ClassDef, cls: type[enum.Enum]) -> list[str]:
    bases = ", ".join(ast.unparse(b) for b in node.bases)
    # a base of the enumerations, with no members of its own (which mypy questions in a stub)
    lines = [f"class {node.name}({bases}):" + ("" if list(cls) else "  # type: ignore[misc]")]
    lines += [f"    {member.name} = {json.dumps(member.value)}" for member in cls]
    lines += [line for stmt in node.body if isinstance(stmt, ast.FunctionDef) for line in _signature(stmt, "    ")]
    if len(lines) == 1:
        lines.append("    ...")
    if list(cls):  # an enumeration of fact values: the converter that also takes the values as strings
        values = ", ".join(json.dumps(m.value) for m in cls)
        lines += ["", "", f"def {converter_name(cls)}(value: {node.name} | Literal[{values}]) -> {node.name}: ..."]
    return lines


def _attrs_class(node: ast.ClassDef, cls: type) -> list[str]:
    lines = [f"@{ast.unparse(d)}" for d in node.decorator_list]
    lines.append(f"class {node.name}:")
    fields = {f.name: f for f in attrs.fields(cls)}
    for stmt in node.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # docstring
        if isinstance(stmt, ast.Assign):  # a class attribute such as group = "purpose"
            for target in stmt.targets:
                assert isinstance(target, ast.Name)
                lines.append(f"    {target.id}: ClassVar[{_value_type(getattr(cls, target.id))}]")
        elif isinstance(stmt, ast.AnnAssign):
            assert isinstance(stmt.target, ast.Name)
            name, annotation = stmt.target.id, ast.unparse(stmt.annotation)
            field = fields[name]
            if "enum" in field.metadata:
                enum_type = field.metadata["enum"]
                lines.append(
                    f"    {name}: {annotation} = attrs.field(default={enum_type.__name__}.{field.default.name}, "
                    f"converter={converter_name(enum_type)})"
                )
            elif "group" in field.metadata:
                lines.append(f"    {name}: {annotation} = attrs.field(factory={field.metadata['group'].__name__})")
            elif field.default is attrs.NOTHING:
                lines.append(f"    {name}: {annotation}")
            else:  # e.g. child.age: its converter takes what the annotation says
                lines.append(f"    {name}: {annotation} = attrs.field(default={field.default!r})")
        elif isinstance(stmt, ast.FunctionDef):
            lines += _signature(stmt, "    ")
        else:
            raise ValueError(f"{node.name}: cannot stub {ast.unparse(stmt)[:60]!r}")
    return lines


def _vocabulary_enum(value_set: Any) -> list[str]:
    """A value set of the vocabulary, as the enumeration ``model.py`` makes of it."""
    name = value_set.name
    lines = [f"class {name}(_FactEnum):"]
    lines += [f"    {v.member} = {json.dumps(v.value)}" for v in value_set.values]
    values = ", ".join(json.dumps(v.value) for v in value_set.values)
    return lines + ["", "", f"def _as_{_snake(name)}(value: {name} | Literal[{values}]) -> {name}: ..."]


def _vocabulary_group(group: Any, vocabulary: Any) -> list[str]:
    """A group of the vocabulary, as the frozen attrs class ``model.py`` makes of it."""
    lines = ["@attrs.frozen", f"class {group.cls}:", "    group: ClassVar[str]"]
    for f in group.facts:
        if f.values == "age":
            lines.append(f"    {f.name}: {f.annotation()} = attrs.field(default=None)")
        else:
            unknown = next(v.member for v in vocabulary.value_sets[f.values].values if v.value == "unknown")
            lines.append(f"    {f.name}: {f.annotation()} = attrs.field(default={f.values}.{unknown}, converter=_as_{_snake(f.values)})")
    return lines


def _case_facts(vocabulary: Any) -> list[str]:
    lines = ["@attrs.frozen", "class CaseFacts:"]
    lines += [f"    {g.group}: {g.cls} = attrs.field(factory={g.cls})" for g in vocabulary.groups]
    # a local protocol's own facts, by name (facts/local.py): any mapping of name to value converts
    lines.append("    local: LocalFacts = attrs.field(factory=LocalFacts, converter=to_local)")
    return lines


def generate() -> str:
    """The stub, from model.py's source and the fact vocabulary it builds its classes from."""
    from infoshare_rules.facts import model

    vocabulary = model.VOCABULARY
    made = {name: _vocabulary_enum(vs) for name, vs in vocabulary.value_sets.items()}
    made |= {g.cls: _vocabulary_group(g, vocabulary) for g in vocabulary.groups}

    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    imports = ["from typing import ClassVar, Literal"]
    blocks: list[list[str]] = []
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the module docstring
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(ast.unparse(node))
        elif isinstance(node, ast.ClassDef):
            runtime = getattr(model, node.name)
            if isinstance(runtime, type) and issubclass(runtime, enum.Enum):
                blocks.append(_enum_class(node, runtime))
            elif attrs.has(runtime):
                blocks.append(_attrs_class(node, runtime))
            else:
                raise ValueError(f"cannot stub class {node.name}")
        elif isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            # CaseFacts: Any to mypy reading model.py alone; the stub gives the class built from the vocabulary
            names = {t.id for stmt in node.orelse if isinstance(stmt, ast.Assign) for t in stmt.targets if isinstance(t, ast.Name)}
            if names != {"CaseFacts"}:
                raise ValueError(f"cannot stub the TYPE_CHECKING block of line {node.lineno}")
            blocks.append(_case_facts(vocabulary))
        elif isinstance(node, ast.FunctionDef):
            if not node.name.startswith("_"):  # private helpers are nobody else's business
                blocks.append(_signature(node, ""))
        elif isinstance(node, ast.AnnAssign):
            assert isinstance(node.target, ast.Name)
            if not node.target.id.startswith("_"):
                blocks.append([f"{node.target.id}: {ast.unparse(node.annotation)}"])
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                assert isinstance(target, ast.Name)
                if target.id in made:  # an enumeration or fact class built from the vocabulary
                    blocks.append(made[target.id])
                elif not target.id.startswith("_"):
                    blocks.append([f"{target.id}: {_value_type(getattr(model, target.id))}"])
        else:
            raise ValueError(f"cannot stub {ast.unparse(node)[:60]!r} (line {node.lineno})")
    out = HEADER + "\n".join(imports) + "\n"
    previous_short = False
    for i, block in enumerate(blocks):
        short = len(block) == 1 and not block[0].startswith("def ")
        out += ("\n" if short and previous_short else "\n" if i == 0 else "\n\n\n") + "\n".join(block)
        previous_short = short
    return out + "\n"


def main(argv: list[str]) -> int:
    text = generate()
    if argv[1:] == ["--check"]:
        if STUB.read_text(encoding="utf-8") != text:
            print(f"{STUB.relative_to(ROOT)} is stale: run python tools/facts_stub.py", file=sys.stderr)
            return 1
        return 0
    STUB.write_text(text, encoding="utf-8")
    print(f"wrote {STUB.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
