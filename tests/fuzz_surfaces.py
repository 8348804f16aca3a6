"""Hostile inputs for three surfaces, and the one property each must keep (issue 11).

Each surface takes one drawn input and returns ``"decision"``/``"loaded"`` or ``"error"`` (the
library's own documented error); anything else (another exception, a crash) escapes. Shared by
``tests/test_fuzz.py`` (bounded, in CI) and ``tools/fuzz.py`` (long runs that count findings).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from infoshare_rules import CaseFacts, InfoshareError, decide, facts_from_json
from infoshare_rules.cases.suite import run_suite
from infoshare_rules.facts.model import FACT_SPECS
from infoshare_rules.ruleset.loader import _Loader

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "rulesets" / "engine-mini"
GROUPS = sorted({name.split(".")[0] for name in FACT_SPECS})
FACT_NAMES = sorted({name.split(".")[1] for name in FACT_SPECS})
VALUES = sorted({v for spec in FACT_SPECS.values() for v in spec.values})
PERSONAL = "Jane Example, 12 Acacia Avenue"

# ---------------------------------------------------------------- mutation


def splice(text: str, at: int, cut: int, insert: str) -> str:
    at = at % (len(text) + 1)
    return text[:at] + insert + text[at + cut :]


_NOISE = st.text(alphabet='{}[]":,\\ \n\t-&*!?#|>0123456789.eEaeyuno' + "\x00\xff\u2028\ufeff", max_size=8)
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20), st.sampled_from(VALUES), st.just(PERSONAL)
)
json_values = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(FACT_NAMES + GROUPS) | st.text(max_size=8), inner, max_size=4),
    max_leaves=16,
)
# Mostly real group and fact names and values (so many documents decide), sometimes anything.
_group_names = st.one_of(*[st.sampled_from(GROUPS)] * 4, st.text(max_size=8))
_fact_names = st.one_of(*[st.sampled_from(FACT_NAMES)] * 4, st.text(max_size=8))
_fact_values = st.one_of(*[st.sampled_from(VALUES)] * 4, json_values)
facts_like = st.dictionaries(
    _group_names,
    st.one_of(*[st.dictionaries(_fact_names, _fact_values, max_size=5)] * 4, json_values),
    max_size=5,
)


@st.composite
def facts_documents(draw: Any) -> str | bytes:
    """Facts JSON as text or bytes: plausible documents, mutated ones, junk and limit breakers."""
    kind = draw(st.integers(0, 7))
    if kind <= 2:
        text = json.dumps(draw(facts_like))
    elif kind == 3:
        text = splice(json.dumps(draw(facts_like)), draw(st.integers(0, 400)), draw(st.integers(0, 4)), draw(_NOISE))
    elif kind == 4:
        n = draw(st.integers(1, 3000))
        text = draw(st.sampled_from(["[", "{\"a\":"])) * n + draw(st.sampled_from(["]", "}", ""])) * n
    elif kind == 5:
        text = '{"child": {"age": ' + "9" * draw(st.integers(15, 6000)) + "}}"
    elif kind == 6:
        return draw(st.binary(max_size=200))
    else:
        text = draw(st.text(max_size=200))
    encoding = draw(st.sampled_from(["str", "str", "utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    if encoding == "str":
        return text
    return text.encode(encoding, errors="surrogatepass") if encoding != "latin-1" else text.encode("latin-1", errors="replace")


def facts_surface(document: str | bytes) -> str:
    try:
        facts = facts_from_json(document)
    except InfoshareError as exc:
        assert "Acacia" not in str(exc), "an error message echoed a submitted value"
        return "error"
    assert isinstance(facts, CaseFacts)
    decide(facts, engine="reference")
    return "decision"


# ---------------------------------------------------------------- case files

CASE_FILE = """\
ruleset: uk-2006-practitioners-guide
cases:
  - name: shared-anonymised
    story: A worker shares anonymised figures.
    illustrates: ["4.6"]
    facts:
      purpose: {legitimate: yes, within_agency_functions: not_applicable}
      information: {identifiable: no}
    expect:
      verdict: share
      cites: ["4.6", ["4.2", "4.3"]]
  - name: from-a-file
    facts_file: facts.json
    expect: {verdict: undetermined, questions: [legitimate_purpose]}
"""


@st.composite
def case_folders(draw: Any) -> tuple[bytes, bytes]:
    """A case file and the facts file beside it, each perhaps mutated."""
    text = CASE_FILE
    for _ in range(draw(st.integers(0, 3))):
        choice = draw(st.integers(0, 3))
        if choice == 0:
            text = splice(text, draw(st.integers(0, len(text))), draw(st.integers(0, 6)), draw(_NOISE))
        elif choice == 1:  # replace a value after a colon with something else YAML can say
            replacement = draw(st.sampled_from(["[]", "{}", "null", "1", "4.30", "&a x", "*a", "[[[]]]", "{1: 2}", "? [a]\n: b", PERSONAL]))
            text = splice(text, text.find(":", draw(st.integers(0, len(text)))) + 1, draw(st.integers(0, 12)), " " + replacement)
        elif choice == 2:
            lines = text.splitlines(keepends=True)
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(draw(st.integers(0, len(lines))), lines[i])  # duplicated line
            text = "".join(lines)
        else:
            text = splice(text, draw(st.integers(0, len(text))), 0, "\n" + "  " * draw(st.integers(1, 80)) + "- [" * draw(st.integers(1, 200)))
    data = text.encode("utf-8")
    if draw(st.integers(0, 9)) == 0:
        data = splice(data.decode("latin-1"), draw(st.integers(0, len(data))), 0, "\xff\xfe").encode("latin-1")
    facts = draw(facts_documents())
    return data, facts if isinstance(facts, bytes) else facts.encode("utf-8", errors="surrogatepass")


def case_file_surface(files: tuple[bytes, bytes]) -> str:
    case_text, facts = files
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "suite.cases.yaml").write_bytes(case_text)
        Path(folder, "facts.json").write_bytes(facts)
        suite = run_suite([folder], engine="reference")
    for result in suite.results:
        if result.error is not None:
            assert isinstance(result.error, InfoshareError)
            assert "Acacia" not in str(result.error), "an error message echoed a submitted value"
    return "error" if suite.count("error") else "decision"


# ---------------------------------------------------------------- ruleset folders

RULESET_FILES = sorted(p.relative_to(MINI).as_posix() for p in MINI.rglob("*.yaml"))


@st.composite
def ruleset_mutations(draw: Any) -> list[tuple[str, bytes | None]]:
    """Edits to the engine-mini fixture ruleset: (file, new content, or None to delete it)."""
    edits = []
    for _ in range(draw(st.integers(1, 3))):
        rel = draw(st.sampled_from(RULESET_FILES))
        text = (MINI / rel).read_text()
        choice = draw(st.integers(0, 5))
        if choice == 0:
            new = splice(text, draw(st.integers(0, len(text))), draw(st.integers(0, 8)), draw(_NOISE))
        elif choice == 1:
            replacement = draw(st.sampled_from(["[]", "{}", "null", "1", "4.30", "&a x", "*a", "[a, b]", "{1: 2}", "? [a]\n: b", "yes", "- x"]))
            new = splice(text, text.find(":", draw(st.integers(0, len(text)))) + 1, draw(st.integers(0, 20)), " " + replacement)
        elif choice == 2:
            new = "- " + text.replace("\n", "\n  ")  # the whole file as a list
        elif choice == 3:
            new = text + draw(st.sampled_from(["\nextends: engine-mini\n", "\nextends: ./\n", "\nextends: ../engine-mini\n", "\nextends: [a]\n"]))
        elif choice == 4:
            edits.append((rel, None))
            continue
        else:
            data = bytearray(text.encode())
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(128, 255))
            edits.append((rel, bytes(data)))
            continue
        edits.append((rel, new.encode("utf-8", errors="surrogatepass")))
    return edits


def ruleset_surface(edits: list[tuple[str, bytes | None]]) -> str:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "engine-mini"
        shutil.copytree(MINI, root)
        for rel, content in edits:
            if content is None:
                (root / rel).unlink(missing_ok=True)
            else:
                (root / rel).write_bytes(content)
        try:
            ruleset = _Loader(root).load()
        except InfoshareError:
            return "error"
        try:
            decide(CaseFacts(), ruleset=ruleset, engine="reference")
        except InfoshareError:
            return "error"
    return "loaded"
