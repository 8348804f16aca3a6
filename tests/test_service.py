"""The decision service over real HTTP: a uvicorn server on loopback, called with httpx."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import jsonschema
import pytest
from openapi_spec_validator import validate as validate_openapi

from infoshare_rules import decide, decision_from_dict, decision_json_schema, decision_to_dict, facts_from_json
from infoshare_rules.contracts.errors_json import error_json_schema
from infoshare_rules.records.json import record_json_schema

from service_server import running_server

FACTS = Path(__file__).resolve().parents[1] / "examples" / "facts"
FACT_FILES = sorted(FACTS.glob("*.json"))


@pytest.fixture(scope="module")
def base_url():
    with running_server() as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url):
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield http


def _error_doc(response: httpx.Response) -> dict:
    document = response.json()
    jsonschema.validate(document, error_json_schema())
    return document


def test_health_and_rulesets(client):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["engine"] == "compiled"
    rulesets = client.get("/rulesets").json()
    assert [r["id"] for r in rulesets] == health["rulesets"]
    assert rulesets[0]["hash"].startswith("sha256:") and rulesets[0]["rules"] > 50


def test_decide_gives_the_library_decision_for_every_example(client):
    validator = jsonschema.Draft202012Validator(decision_json_schema())
    for path in FACT_FILES:
        response = client.post("/decide", content=path.read_bytes(), headers={"content-type": "application/json"})
        assert response.status_code == 200, (path.name, response.text)
        data = response.json()
        assert not list(validator.iter_errors(data)), path.name
        assert decision_from_dict(data) == decide(facts_from_json(path.read_text()), engine="compiled")


def test_bad_facts_get_422_with_the_library_error_and_no_submitted_value(client):
    response = client.post("/decide", json={"consent": {"given_by": "parnet-zz"}, "purpose": {"legitimat": "yes"}})
    assert response.status_code == 422
    errors = _error_doc(response)["errors"]
    assert {e["path"] for e in errors} == {"$.consent.given_by", "$.purpose.legitimat"}
    assert "parnet-zz" not in response.text
    assert {e["suggestion"] for e in errors} >= {"legitimate"}


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"\xff\xfe",
        b"",
        b"[1, 2",
        b"[" * 100_000 + b"]" * 100_000,  # nested past any recursion limit
        b'{"legal": {"statutory_duty": "no", "statutory_duty": "yes"}}',  # json.loads would keep the last: never decide on it
    ],
    ids=["truncated", "not-utf8", "empty", "unclosed", "deep", "duplicate-key"],
)
def test_malformed_json_gets_400_never_a_traceback(client, body):
    response = client.post("/decide", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "Traceback" not in response.text
    assert _error_doc(response)["errors"][0]["path"] == "$"


@pytest.mark.parametrize("body", [[], "facts", 3, None, {"purpose": "yes"}])
def test_wrong_shapes_get_422(client, body):
    response = client.post("/decide", content=json.dumps(body), headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    _error_doc(response)


def test_unknown_ruleset_paths_and_methods_get_error_documents(client):
    assert client.post("/decide?ruleset=uk-2006-practitioners-guid", json={}).json()["errors"][0]["suggestion"] == "uk-2006-practitioners-guide"
    assert client.get("/rulesets/nope/rules/x").status_code == 404
    missing_rule = client.get("/rulesets/uk-2006-practitioners-guide/rules/outside-statutory-function")
    assert missing_rule.status_code == 404 and _error_doc(missing_rule)["errors"][0]["suggestion"] == "outside-statutory-functions"
    assert _error_doc(client.get("/no/such/path"))["errors"][0]["problem"] == "no such path"
    assert client.get("/decide").status_code == 405


def test_rule_and_paragraph_lookups(client):
    rule = client.get("/rulesets/uk-2006-practitioners-guide/rules/outside-statutory-functions").json()
    assert rule["then"] == {"kind": "conclude", "name": "legitimate_purpose", "value": "no"}
    assert rule["paragraphs"][0]["id"] == "4.3" and "statutory" in rule["paragraphs"][0]["text"]
    paragraph = client.get("/paragraphs/4.30").json()
    assert "record your decision" in paragraph["text"] and "record-decision" in paragraph["cited_by"]
    assert client.get("/paragraphs/4.99").status_code == 404


def test_batch_as_json_array_and_as_json_lines(client):
    docs = [json.loads(p.read_text()) for p in FACT_FILES[:5]] + [{"consent": {"given_by": "nobody"}}]
    array = client.post("/decide/batch", json=docs).json()
    assert [r["index"] for r in array["results"]] == list(range(6))
    assert [r["decision"]["verdict"] for r in array["results"][:5]] == [
        decide(facts_from_json(p.read_text()), engine="reference").verdict.value for p in FACT_FILES[:5]
    ]
    assert array["results"][5]["errors"][0]["path"] == "$.consent.given_by"
    lines = "\n".join(json.dumps(d) for d in docs[:3]) + "\nnot json\n\n" + json.dumps(docs[3]) + "\n"
    response = client.post("/decide/batch", content=lines, headers={"content-type": "application/x-ndjson"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-ndjson")
    results = [json.loads(line) for line in response.text.splitlines()]
    assert [("decision" in r, "errors" in r) for r in results] == [(True, False)] * 3 + [(False, True), (True, False)]
    assert "line 4" in results[3]["errors"][0]["problem"]
    assert client.post("/decide/batch", json={"not": "a list"}).status_code == 422


def test_record_and_verify_over_http(client):
    facts = json.loads((FACTS / "consent-withdrawn.json").read_text())
    response = client.post("/record", json={"facts": facts, "record_id": "case-9", "recorded_at": "2024-05-01T14:30:00+01:00"})
    assert response.status_code == 200, response.text
    record = response.json()
    jsonschema.validate(record, record_json_schema())
    assert record["facts"] is None and record["verdict"] == "do_not_share" and record["record_id"] == "case-9"
    check = client.post("/verify", json={"record": record, "facts": facts}).json()
    assert check["same_decision"] is True and check["ruleset_changed"] is False
    record["verdict"] = "share"
    assert client.post("/verify", json={"record": record, "facts": facts}).json()["verdict_differs"] is True
    bad_time = client.post("/record", json={"facts": facts, "record_id": "x", "recorded_at": "soon"})
    assert bad_time.status_code == 422 and _error_doc(bad_time)["errors"][0]["path"] == "recorded_at"
    wrong_facts = client.post("/verify", json={"record": record, "facts": {"purpose": {"legitimate": "yes"}}})
    assert wrong_facts.status_code == 422 and "do not match" in wrong_facts.text
    missing = client.post("/record", json={"facts": facts})
    assert {e["path"] for e in _error_doc(missing)["errors"]} == {"$.record_id", "$.recorded_at"}


def test_openapi_is_valid_and_uses_the_library_schemas(client):
    document = client.get("/openapi.json").json()
    validate_openapi(document)
    schemas = document["components"]["schemas"]
    assert schemas["Answer"]["enum"] == ["yes", "no", "unknown"]
    body = document["paths"]["/decide"]["post"]
    assert body["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/CaseFacts"}
    assert body["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Decision"}
    assert schemas["Decision"]["properties"].keys() == decision_json_schema()["properties"].keys()
    assert "HTTPValidationError" not in json.dumps(document)  # FastAPI's own error shape is replaced by ours


def test_a_client_with_only_the_openapi_document_can_decide(client):
    """Validate a request and a response with nothing but /openapi.json (as a generated client would)."""
    document = client.get("/openapi.json").json()
    resolver_doc = {"components": document["components"]}
    request_schema = {**document["paths"]["/decide"]["post"]["requestBody"]["content"]["application/json"]["schema"], **resolver_doc}
    response_schema = {**document["paths"]["/decide"]["post"]["responses"]["200"]["content"]["application/json"]["schema"], **resolver_doc}
    facts = {"purpose": {"legitimate": "yes"}, "legal": {"statutory_duty": "yes"}}
    jsonschema.validate(facts, request_schema, cls=jsonschema.Draft202012Validator)
    decision = client.post("/decide", json=facts).json()
    jsonschema.validate(decision, response_schema, cls=jsonschema.Draft202012Validator)
    assert decision == decision_to_dict(decide(facts_from_json(json.dumps(facts)), engine="compiled"))


def test_facts_schema_endpoint(client):
    schema = client.get("/schema/facts").json()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "/v1/" in schema["$id"]


# ---------------------------------------------------------------- docs, operation ids (issue 16)

_REFERENCE = re.compile(r"""(?:href|src|spec-url)="([^"]+)"|url: '([^']+)'|window\.location\.origin \+ '([^']+)'""")
_CONTENT_TYPES = {".css": "text/css", ".js": "javascript", ".png": "image/png", ".json": "application/json"}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_and_every_asset_they_reference_are_served_by_the_app_itself(client, page):
    response = client.get(page)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "http://" not in html and "https://" not in html  # nothing from a CDN: the page works offline
    references = {next(group for group in match.groups() if group) for match in _REFERENCE.finditer(html)}
    assert "/openapi.json" in references and any(ref.endswith(".js") for ref in references)
    for ref in sorted(references):
        assert ref.startswith("/"), ref  # from this server
        asset = client.get(ref)
        assert asset.status_code == 200 and asset.content, ref
        suffix = Path(ref).suffix
        if suffix in _CONTENT_TYPES:
            assert _CONTENT_TYPES[suffix] in asset.headers["content-type"], (ref, asset.headers["content-type"])
    scripts = [ref for ref in references if ref.endswith(".js")]
    assert all(len(client.get(ref).content) > 500_000 for ref in scripts)  # the real bundles, not stubs
    if page == "/docs":
        assert "SwaggerUIBundle" in client.get(scripts[0]).text and "/docs/oauth2-redirect" in references


def test_every_operation_has_a_named_operation_id(client):
    document = client.get("/openapi.json").json()
    ids = {(path, method): operation["operationId"] for path, item in document["paths"].items() for method, operation in item.items()}
    assert ids == {
        ("/decide", "post"): "decide",
        ("/decide/batch", "post"): "decideBatch",
        ("/record", "post"): "recordDecision",
        ("/verify", "post"): "verifyRecord",
        ("/explain", "post"): "explain",
        ("/rulesets", "get"): "listRulesets",
        ("/rulesets/{ruleset_id}/rules/{rule_id}", "get"): "getRule",
        ("/paragraphs/{paragraph_id}", "get"): "getParagraph",
        ("/schema/facts", "get"): "getFactsSchema",
        ("/health", "get"): "getHealth",
    }


def test_every_operation_documents_the_one_error_shape(client):
    document = client.get("/openapi.json").json()
    error = {"$ref": "#/components/schemas/ErrorDocument"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            errors = {code: r for code, r in responses.items() if code == "default" or int(code) >= 400}
            assert "default" in errors, (path, method)
            assert all(r["content"]["application/json"]["schema"] == error for r in errors.values()), (path, method)
            if method == "post":
                assert {"400", "413", "422"} <= set(errors), (path, method)
