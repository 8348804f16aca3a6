"""Every code block in README.md, run or checked, in README's order; a stale example fails with a diff.

* ``python``: executed in order in one namespace (later snippets use earlier ones' names, as a
  reader's session would), with ``__name__ == "__main__"``.
* ``sh`` and ``console``: each ``infoshare ...`` (and helper) command is run in a scratch folder
  holding ``examples/`` (``$ `` marks a command in a console block). A command must exit 0 unless a
  comment on it says ``exits N``. Only the commands in ``SKIP`` are not run, each with its reason.
* Expected output lives in README, never here: the lines after a console command are its output
  (stdout and stderr, as a terminal shows them); a ``text`` block right after a code block is that
  block's whole output; a block with no language after prose is an excerpt (``...`` elides lines)
  of the output of the section's commands, compared with whitespace runs folded (terminals wrap).
* ``yaml``: a case file (``cases:``) is run as one beside the examples; rules (a list of ``id:``)
  must equal the ruleset's rules of those ids; a ruleset's ``ruleset.yaml`` excerpt must agree with
  the file of that id (``...`` elides the rest of a list, or a value). ``json``: an error document
  must be the library's for the facts quoted just before it, and valid against its schema.
  ``csharp``: every JSON name in it must be in the decision or facts schema.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from readme import Block, blocks

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

# A command starting with one of these is not run here: why.
SKIP = {
    "{ command -v chromium": "setup: installs Chromium where absent, then README's test command (this test runs inside it)",
    "python3 -m venv": "setup: creates a virtual environment and installs the package (this test runs inside one)",
    "pip install": "setup: installs an extra (the test extra already has them all)",
    "infoshare serve": "a long-running service (tests/test_service.py starts one and calls every endpoint)",
    "curl": "a request to the running service above (tests/test_service.py makes them)",
    "infoshare interview": "interactive: waits for a person's answers (tests/test_interview.py drives it with pexpect)",
    "infoshare replay": "a long-running replay on a Dask cluster (tests/test_replay.py runs one on small data)",
    "dask ": "starts a Dask scheduler or worker service",
    "python benchmarks/": "a benchmark: runs for minutes and prints timings",
}
# Data blocks (by their first line) that show syntax no shipped file has: why they are not compared.
DATA_SKIP = {
    "weakens:": "the syntax of a declaration no shipped protocol makes (tests/test_ruleset_loader.py loads such protocols)",
}
EXITS = re.compile(r"#.*\bexits (\d+)")


def _skip_reason(command: str) -> str | None:
    bare = command.removeprefix(".venv/bin/")
    return next((why for prefix, why in SKIP.items() if bare.startswith(prefix)), None)


def _commands(block: Block) -> list[tuple[str, str | None]]:
    """(command, expected output or None) for each command in a sh or console block."""
    lines, out = block.text.splitlines(), []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if block.lang == "console":
            if not line.startswith("$ "):
                raise AssertionError(f"{block.where}: output with no command before it: {line!r}")
            line = line[2:]
        elif not line.strip() or line.lstrip().startswith("#"):
            continue
        while line.endswith("\\"):
            line = line[:-1] + lines[i].strip()
            i += 1
        expected = None
        if block.lang == "console":
            shown = []
            while i < len(lines) and not lines[i].startswith("$ "):
                shown.append(lines[i])
                i += 1
            expected = "\n".join(shown)
        out.append((line, expected))
    return out


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = command.replace(".venv/bin/", "")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "COLUMNS": "100", "NO_COLOR": "1"}
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _diff(expected: str, got: str, what: str) -> str:
    return f"{what}:\n" + "\n".join(difflib.unified_diff(expected.splitlines(), got.splitlines(), "README", "now", lineterm=""))


def _fold(text: str) -> str:
    return " ".join(text.split())


def _agrees(shown, actual) -> bool:
    """A README excerpt of YAML data: mappings by key, lists item by item up to a ``...``, ``...`` matches anything."""
    if shown == "...":
        return True
    if isinstance(shown, dict):
        return isinstance(actual, dict) and all(k in actual and _agrees(v, actual[k]) for k, v in shown.items())
    if isinstance(shown, list):
        if "..." in shown:
            cut = shown.index("...")
            return isinstance(actual, list) and len(actual) >= cut and all(_agrees(a, b) for a, b in zip(shown[:cut], actual))
        return isinstance(actual, list) and len(actual) == len(shown) and all(_agrees(a, b) for a, b in zip(shown, actual))
    return shown == actual


def _ruleset_file(ruleset_id: str) -> Path:
    for folder in (ROOT / "rulesets" / ruleset_id, ROOT / "examples" / "local-protocols" / ruleset_id):
        if (folder / "ruleset.yaml").is_file():
            return folder / "ruleset.yaml"
    raise AssertionError(f"README names a ruleset {ruleset_id!r} that is not shipped or an example")


def _rules() -> dict[str, dict]:
    found = {}
    # the national rules, then the example protocols' own (README quotes both)
    paths = [*sorted((ROOT / "rulesets" / "uk-2006-practitioners-guide" / "rules").glob("*.yaml"))]
    paths += sorted((ROOT / "examples" / "local-protocols").glob("*/rules/*.yaml"))
    for path in paths:
        found.update({rule["id"]: rule for rule in yaml.safe_load(path.read_text(encoding="utf-8"))})
    return found


class Reader:
    """Goes through README's blocks in order, collecting every way README and the code disagree."""

    def __init__(self, work: Path):
        self.work = work
        self.namespace: dict = {"__name__": "__main__"}
        self.problems: list[str] = []
        self.skipped: list[str] = []
        self.outputs: dict[str, list[str]] = {}  # section -> outputs of its commands
        self.ran = 0

    def check(self, ok: bool, message: str) -> None:
        if not ok:
            self.problems.append(message)

    def python(self, block: Block, expected: str | None) -> None:
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(block.text, block.where, "exec"), self.namespace)  # noqa: S102 - README's own code
        except Exception as exc:  # noqa: BLE001 - reported with where it happened
            self.problems.append(f"{block.where}: raised {type(exc).__name__}: {exc}")
            return
        self.ran += 1
        self.outputs.setdefault(block.section, []).append(out.getvalue())
        if expected is not None:
            self.check(out.getvalue() == expected, _diff(expected, out.getvalue(), f"{block.where}: output"))

    def shell(self, block: Block, expected_block: str | None) -> None:
        commands = _commands(block)
        for number, (command, expected) in enumerate(commands):
            reason = _skip_reason(command)
            if reason:
                self.skipped.append(f"{block.where}: {command[:60]}: {reason}")
                continue
            run = _run(command, self.work)
            self.ran += 1
            shown = run.stdout + run.stderr
            self.outputs.setdefault(block.section, []).append(shown)
            code = int(m.group(1)) if (m := EXITS.search(command)) else 0
            self.check(run.returncode == code, f"{block.where}: `{command}` exited {run.returncode}, README says {code}:\n{shown[-3000:]}")
            if number == len(commands) - 1 and expected_block is not None:
                expected = expected_block
            if expected is not None:
                self.check(shown.rstrip("\n") == expected.rstrip("\n"), _diff(expected, shown, f"{block.where}: `{command}` output"))

    def excerpt(self, block: Block) -> None:
        seen = _fold("\n".join(self.outputs.get(block.section, [])))
        position = 0
        for part in re.split(r"^\s*\.\.\.\s*$", block.text, flags=re.M):
            if not part.strip():
                continue
            found = seen.find(_fold(part), position)
            self.check(found >= 0, f"{block.where}: this excerpt is not (in order) in the output of the section's commands:\n{part}")
            position = max(position, found)

    def yaml_block(self, block: Block) -> None:
        data = yaml.safe_load(block.text)
        if isinstance(data, dict) and "cases" in data:
            suite = self.work / "examples" / "readme-example.cases.yaml"
            suite.write_text(block.text, encoding="utf-8")
            run = _run(f"infoshare test {shlex.quote(str(suite))}", self.work)
            self.ran += 1
            self.check(run.returncode == 0, f"{block.where}: the case file fails against the examples:\n{(run.stdout + run.stderr)[:1500]}")
        elif isinstance(data, list) and all(isinstance(r, dict) and "id" in r for r in data):
            rules = _rules()
            for rule in data:
                actual = rules.get(rule["id"])
                self.check(
                    rule == actual,
                    _diff(yaml.safe_dump(rule, sort_keys=False), yaml.safe_dump(actual, sort_keys=False), f"{block.where}: rule {rule['id']} (ruleset below)"),
                )
        elif block.text.startswith("# ") and (ROOT / block.text.splitlines()[0][2:].strip()).is_file():
            path = ROOT / block.text.splitlines()[0][2:].strip()  # a block naming the file it quotes
            actual = yaml.safe_load(path.read_text(encoding="utf-8"))
            self.check(_agrees(data, actual), f"{block.where}: does not agree with {path.relative_to(ROOT)}:\n{block.text}")
        elif isinstance(data, dict) and "id" in data:
            path = _ruleset_file(data["id"])
            actual = yaml.safe_load(path.read_text(encoding="utf-8"))
            self.check(_agrees(data, actual), f"{block.where}: does not agree with {path.relative_to(ROOT)}:\n{block.text}")
        else:
            raise AssertionError(f"{block.where}: a YAML block this test does not know how to check")

    def json_block(self, block: Block, prose: str) -> None:
        from infoshare_rules import FactsError, facts_from_dict
        from infoshare_rules.contracts.errors_json import error_json_schema, error_to_dict

        data = json.loads(block.text)
        assert "errors" in data, f"{block.where}: a JSON block this test does not know how to check"
        jsonschema.validate(data, error_json_schema())
        quoted = [q for q in re.findall(r"`(\{.*?\})`", prose, re.S)]
        assert quoted, f"{block.where}: say which facts give this error document (a `{{...}}` just before it)"
        try:
            facts_from_dict(json.loads(quoted[-1]))
        except FactsError as exc:
            actual = error_to_dict(exc)
        else:
            actual = {"errors": "none: the facts are valid"}
        self.check(data == actual, _diff(json.dumps(data, indent=1), json.dumps(actual, indent=1), f"{block.where}: error document"))

    def csharp(self, block: Block) -> None:
        from infoshare_rules import decision_json_schema, facts_json_schema

        names: set[str] = set()

        def collect(node):
            if isinstance(node, dict):
                names.update(node.get("properties", {}))
                for value in node.values():
                    collect(value)
            elif isinstance(node, list):
                for value in node:
                    collect(value)

        collect(decision_json_schema())
        collect(facts_json_schema())
        used = re.findall(r'\[JsonPropertyName\("([^"]+)"\)\]', block.text)
        self.check(bool(used), f"{block.where}: no JsonPropertyName attributes: the JSON names are lost")
        unknown = sorted(set(used) - names)
        self.check(not unknown, f"{block.where}: JSON names not in the schemas: {unknown}")


def _prose_before(text: str, block: Block) -> str:
    lines = text.splitlines()[: block.line - 2]
    prose = []
    for line in reversed(lines):
        if line.startswith("```"):
            break
        prose.append(line)
    return "\n".join(reversed(prose))


def _follows_directly(text: str, first: Block, second: Block) -> bool:
    """Only blank lines between the end of ``first`` and the fence of ``second``."""
    lines = text.splitlines()
    end = first.line + len(first.text.splitlines())  # README line of first's closing fence
    return all(not line.strip() for line in lines[end : second.line - 2])


def test_every_code_block_in_readme(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = blocks()
    (tmp_path / "examples").mkdir()
    for entry in (ROOT / "examples").iterdir():  # the examples, without letting a command write into them
        (tmp_path / "examples" / entry.name).symlink_to(entry)
    monkeypatch.chdir(tmp_path)
    reader = Reader(tmp_path)
    handled = set()
    for i, block in enumerate(found):
        if i in handled:
            continue
        following = found[i + 1] if i + 1 < len(found) else None
        output = None
        if following is not None and following.lang == "text" and _follows_directly(readme, block, following):
            output = following.text
            handled.add(i + 1)
        first_line = block.text.splitlines()[0] if block.text.strip() else ""
        if block.lang in ("yaml", "json") and first_line in DATA_SKIP:
            reader.skipped.append(f"{block.where}: {DATA_SKIP[first_line]}")
        elif block.lang == "python":
            reader.python(block, output)
        elif block.lang in ("sh", "console"):
            reader.shell(block, output)
        elif block.lang == "":
            reader.excerpt(block)
        elif block.lang == "yaml":
            reader.yaml_block(block)
        elif block.lang == "json":
            reader.json_block(block, _prose_before(readme, block))
        elif block.lang == "csharp":
            reader.csharp(block)
        else:
            reader.problems.append(f"{block.where}: a ```{block.lang} block this test does not know how to check")
    assert reader.ran >= 30, f"only {reader.ran} of README's commands and snippets ran"
    if reader.problems:
        pytest.fail(f"{len(reader.problems)} README examples disagree with the code:\n\n" + "\n\n".join(reader.problems), pytrace=False)


def test_skip_list_names_only_commands_readme_has():
    """Every skip is used (no stale excuses), and each has its reason."""
    commands = [c for b in blocks() if b.lang in ("sh", "console") for c, _ in _commands(b)]
    for prefix, reason in SKIP.items():
        assert reason and any(c.removeprefix(".venv/bin/").startswith(prefix) for c in commands), prefix
    firsts = {b.text.splitlines()[0] for b in blocks() if b.text.strip()}
    assert set(DATA_SKIP) <= firsts
