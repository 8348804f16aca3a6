"""Hostile inputs for each surface, and the one property each must keep (issues 11 and 16).

Each surface takes one drawn input and returns ``"decision"``/``"loaded"`` or ``"error"`` (the
library's own documented error); anything else (another exception, a crash) escapes. Shared by
``tests/test_fuzz.py`` (bounded, in CI) and ``tools/fuzz.py`` (long runs that count findings).
"""

from __future__ import annotations

import asyncio
import copy
import functools
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

import httpx
import jsonschema
import yaml
from hypothesis import strategies as st

from infoshare_rules import CaseFacts, InfoshareError, decide, decision_from_json, facts_from_dict, facts_from_json
from infoshare_rules.cases.suite import run_suite
from infoshare_rules.contracts.decision_json import decision_to_dict
from infoshare_rules.contracts.errors_json import error_json_schema, error_to_dict
from infoshare_rules.facts.model import FACT_SPECS
from infoshare_rules.records.json import record_from_json, record_to_dict
from infoshare_rules.records.make import make_record
from infoshare_rules.records.verify import verify_record
from infoshare_rules.ruleset.loader import _Loader
from infoshare_rules.ruleset.yaml_lines import load_yaml_text
from infoshare_rules.service.app import create_app

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


# ---------------------------------------------------------------- a secret in a key or a value (issue 16)
#
# Every reader, given a document with a secret-looking free-text string put as a key or a value at
# a random place, either reads it or refuses it with the library's own error (HTTP 4xx for the
# service), and the secret is in neither the error's text, its JSON form nor the response body.

SECRETS = ("Jane Doe lives at 12 Acacia Avenue", "Jane Doe, 12 Acacia Avenue, London NW1 4AB", "12 Acacia Avenue/Jane Doe")
EXAMPLE_FACTS = sorted((FIXTURES.parents[1] / "examples" / "facts").glob("*.json"))
_small_values = st.one_of(st.none(), st.booleans(), st.integers(-3, 30), st.sampled_from(VALUES), st.just({}), st.just([]), st.sampled_from(SECRETS))


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert "Acacia" not in text, f"an error echoed a submitted key or value: {text[:300]}"


def assert_error_is_safe(exc: InfoshareError) -> None:
    assert_no_secret(str(exc), json.dumps(error_to_dict(exc)))


def _containers(node: Any, out: list[Any]) -> list[Any]:
    if isinstance(node, dict):
        out.append(node)
        for value in node.values():
            _containers(value, out)
    elif isinstance(node, list):
        out.append(node)
        for value in node:
            _containers(value, out)
    return out


@st.composite
def with_secret(draw: Any, base: Any) -> Any:
    """``base`` (JSON-like) with a secret put in as a new key, a renamed key or a value, somewhere."""
    doc = copy.deepcopy(base)
    secret = draw(st.sampled_from(SECRETS))
    places = _containers(doc, [])
    if not places or draw(st.integers(0, 40)) == 0:
        return secret  # the whole document
    target = draw(st.sampled_from(places))
    how = draw(st.sampled_from(("new key", "renamed key", "value")))
    if isinstance(target, dict):
        keys = list(target)
        if how == "new key" or not keys:
            target[secret] = draw(_small_values)
        else:
            key = draw(st.sampled_from(keys))
            if how == "renamed key":
                target[secret] = target.pop(key)
            else:
                target[key] = secret
    elif how == "value" and target:
        target[draw(st.integers(0, len(target) - 1))] = secret
    else:
        target.append(secret)
    return doc


@functools.cache
def facts_bases() -> tuple[Any, ...]:
    return tuple(json.loads(path.read_text()) for path in EXAMPLE_FACTS)


@functools.cache
def decision_bases() -> tuple[Any, ...]:
    return tuple(decision_to_dict(decide(facts_from_dict(doc), engine="reference")) for doc in facts_bases()[:8])


@functools.cache
def record_bases() -> tuple[Any, ...]:
    return tuple(
        record_to_dict(make_record(facts_from_dict(doc), record_id=f"r-{i}", recorded_at="2024-05-01T14:30:00Z", include_facts=i % 2 == 0, engine="reference"))
        for i, doc in enumerate(facts_bases()[:6])
    )


def _plain(node: Any) -> Any:
    """YAML read by the library (LineDict, LineList) as plain dicts and lists, for yaml.safe_dump."""
    if isinstance(node, dict):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(value) for value in node]
    return node


@functools.cache
def ruleset_bases() -> tuple[tuple[str, Any], ...]:
    return tuple((rel, _plain(load_yaml_text((MINI / rel).read_text(), rel))) for rel in RULESET_FILES)


def _from(bases: Callable[[], tuple[Any, ...]]) -> st.SearchStrategy[Any]:
    return st.integers(0, 10**6).flatmap(lambda i: with_secret(bases()[i % len(bases())]))


def secret_facts() -> st.SearchStrategy[Any]:
    return _from(facts_bases)


def secret_decisions() -> st.SearchStrategy[Any]:
    return _from(decision_bases)


def secret_records() -> st.SearchStrategy[Any]:
    return _from(record_bases)


@functools.cache
def case_file_bases() -> tuple[Any, ...]:
    """A case file whose cases all pass: one with inline facts and a story, one reading facts.json."""
    first = _plain(load_yaml_text(CASE_FILE, "suite.cases.yaml"))
    decision = decide(facts_from_dict(facts_bases()[0]), engine="reference")
    expect: dict[str, Any] = {"verdict": decision.verdict.value, "obligations": [o.id for o in decision.obligations]}
    first["cases"][1]["expect"] = expect
    return (first,)


def secret_case_files() -> st.SearchStrategy[Any]:
    return _from(case_file_bases)


def secret_rulesets() -> st.SearchStrategy[tuple[str, Any]]:
    return st.integers(0, 10**6).flatmap(
        lambda i: st.tuples(st.just(ruleset_bases()[i % len(RULESET_FILES)][0]), with_secret(ruleset_bases()[i % len(RULESET_FILES)][1]))
    )


def secret_facts_surface(doc: Any) -> str:
    try:
        decide(facts_from_json(json.dumps(doc)), engine="reference")
    except InfoshareError as exc:
        assert_error_is_safe(exc)
        return "error"
    return "decision"


def secret_decision_surface(doc: Any) -> str:
    try:
        decision_from_json(json.dumps(doc))
    except InfoshareError as exc:
        assert_error_is_safe(exc)
        return "error"
    return "decision"


def secret_record_surface(doc: Any) -> str:
    """A record read back, then verified against today's ruleset (``infoshare verify``)."""
    try:
        verify_record(record_from_json(json.dumps(doc)))
    except InfoshareError as exc:
        assert_error_is_safe(exc)
        return "error"
    return "decision"


def secret_case_file_surface(doc: Any) -> str:
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "suite.cases.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        Path(folder, "facts.json").write_text(json.dumps(facts_bases()[0]))
        suite = run_suite([folder], engine="reference")
    for result in suite.results:
        assert_no_secret(*result.problems)
        if result.error is not None:
            assert isinstance(result.error, InfoshareError)
            assert_error_is_safe(result.error)
    return "error" if suite.count("error") else "decision"


def secret_ruleset_surface(edit: tuple[str, Any]) -> str:
    rel, doc = edit
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "engine-mini"
        shutil.copytree(MINI, root)
        (root / rel).write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        try:
            ruleset = _Loader(root).load()
            decide(CaseFacts(), ruleset=ruleset, engine="reference")
        except InfoshareError as exc:
            assert_error_is_safe(exc)
            return "error"
    return "loaded"


# The service: each route's body built from a base document, the secret put in anywhere.
_RECORD_REQUEST = {"record_id": "r-1", "recorded_at": "2024-05-01T14:30:00Z", "include_facts": True}
SERVICE_ROUTES: dict[str, Callable[[], Any]] = {
    "/decide": lambda: facts_bases()[0],
    "/explain": lambda: facts_bases()[1],
    "/decide/batch": lambda: list(facts_bases()[:3]),
    "/record": lambda: {"facts": facts_bases()[2], **_RECORD_REQUEST},
    "/verify": lambda: {"record": record_bases()[1], "facts": facts_bases()[1]},
}
_ECHOES_BY_DESIGN = ("/record", "/verify")  # a record holds the caller's own record id (and facts, when asked)


def secret_service_requests() -> st.SearchStrategy[tuple[str, Any]]:
    return st.sampled_from(sorted(SERVICE_ROUTES)).flatmap(lambda route: st.tuples(st.just(route), with_secret(SERVICE_ROUTES[route]())))


@functools.cache
def service_app() -> Any:
    return create_app(rulesets=["uk-2006-practitioners-guide"])


async def _post(route: str, body: bytes) -> httpx.Response:
    transport = httpx.ASGITransport(app=service_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        return await client.post(route, content=body, headers={"content-type": "application/json"})


def service_surface(request: tuple[str, Any]) -> str:
    route, doc = request
    response = asyncio.run(_post(route, json.dumps(doc).encode()))
    assert response.status_code < 500, (route, response.status_code, response.text[:300])
    if response.status_code >= 400:
        jsonschema.validate(response.json(), error_json_schema())
        assert_no_secret(response.text)
        return "error"
    if route not in _ECHOES_BY_DESIGN:
        assert_no_secret(response.text)
    return "decision"
