"""The service's error responses, in process (httpx on the ASGI app): one shape whatever refused the
request, and a client that disconnects early is no error in the logs (issue 16)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import jsonschema
import pytest

from infoshare_rules.contracts.errors_json import error_json_schema
from infoshare_rules.service.app import MAX_BODY_BYTES, create_app

PROBLEM_KEYS = {"path", "problem", "expected", "suggestion"}


@pytest.fixture(scope="module")
def app():
    return create_app(rulesets=["uk-2006-practitioners-guide"])


def call(app, method: str, url: str, **options: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service") as client:
            return await client.request(method, url, **options)

    return asyncio.run(go())


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    "method, url, options, status, first",
    [
        ("POST", "/decide", {"content": b"{", "headers": JSON}, 400, {"path": "$"}),
        ("POST", "/decide/batch", {"content": b"[1,", "headers": JSON}, 400, {"path": "$"}),
        ("GET", "/no/such/path", {}, 404, {"path": "$", "problem": "no such path"}),
        ("GET", "/rulesets/uk-2006-practitioners-guide/rules/outside-statutory-function", {}, 404, {"path": "rule_id", "suggestion": "outside-statutory-functions"}),
        ("GET", "/paragraphs/4.99", {}, 404, {"path": "paragraph_id"}),
        ("GET", "/decide", {}, 405, {"path": "$", "problem": "method not allowed", "expected": "one of POST"}),
        ("DELETE", "/health", {}, 405, {"path": "$", "expected": "one of GET"}),
        ("POST", "/decide", {"content": b"{}", "headers": {**JSON, "content-length": str(MAX_BODY_BYTES + 1)}}, 413, {"path": "$"}),
        ("POST", "/record", {"content": b"{}", "headers": {**JSON, "content-length": str(MAX_BODY_BYTES + 1)}}, 413, {"path": "$"}),
        ("POST", "/decide", {"json": {"consent": {"given_by": "parnet"}}}, 422, {"path": "$.consent.given_by"}),
        ("POST", "/decide?ruleset=uk-2006-practitioners-guid", {"json": {}}, 422, {"path": "ruleset", "suggestion": "uk-2006-practitioners-guide"}),
        # a parameter FastAPI checks is named like every other parameter, with what was expected and a hint
        ("POST", "/explain?format=markdwon", {"json": {}}, 422, {"path": "format", "expected": "one of json, markdown, html, text", "suggestion": "markdown"}),
        ("POST", "/record", {"json": {"facts": {}}}, 422, {"path": "$.record_id", "problem": "missing field"}),
        ("POST", "/verify", {"json": {"record": {}}}, 422, {"path": "$.record"}),
    ],
)
def test_every_error_response_is_one_error_document(app, method, url, options, status, first):
    response = call(app, method, url, **options)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    jsonschema.validate(document, error_json_schema())
    assert set(document) == {"schema_version", "errors"}
    assert all(set(item) == PROBLEM_KEYS for item in document["errors"]), document
    assert first.items() <= document["errors"][0].items(), document
    if status == 405:
        assert response.headers["allow"] == first["expected"].removeprefix("one of ")


def _disconnecting(path: str, content_type: str) -> tuple[dict[str, Any], Any, Any, list[dict[str, Any]]]:
    """An ASGI request whose client is gone before its body arrives, and the messages the app sends."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", content_type.encode()), (b"content-length", b"1000")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    return scope, receive, send, sent


@pytest.mark.parametrize(
    "path, content_type",
    [("/decide", "application/json"), ("/decide/batch", "application/x-ndjson"), ("/record", "application/json"), ("/explain", "application/json")],
)
def test_a_client_disconnect_logs_no_error_and_no_traceback(app, caplog, path, content_type):
    caplog.set_level(logging.DEBUG)
    scope, receive, send, sent = _disconnecting(path, content_type)
    asyncio.run(app(scope, receive, send))  # a raise here is what the server logs as a traceback
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
    assert any("client disconnected" in r.getMessage() for r in caplog.records)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert start["status"] == 400 and json.loads(body)["errors"][0]["problem"].startswith("the client disconnected")


def test_create_app_prepares_each_ruleset_when_asked(monkeypatch):
    """``prepare=True`` (what ``infoshare serve`` does unless --no-prepare) builds each loaded ruleset's question
    index at start; the default (tests, embedding) does not. The index itself is checked in test_question_index."""
    from infoshare_rules.service import app as service

    prepared: list[str] = []
    monkeypatch.setattr(service, "prepare_questions", lambda ruleset: prepared.append(ruleset.id) or True)
    service.create_app(rulesets=["uk-2006-practitioners-guide"])
    assert prepared == []
    service.create_app(rulesets=["uk-2006-practitioners-guide"], prepare=True)
    assert prepared == ["uk-2006-practitioners-guide"]
    monkeypatch.setenv("INFOSHARE_RULESETS", "uk-2006-practitioners-guide")
    monkeypatch.setenv("INFOSHARE_PREPARE", "1")
    service.app_from_environment()
    assert prepared == ["uk-2006-practitioners-guide"] * 2
    monkeypatch.setenv("INFOSHARE_PREPARE", "0")
    service.app_from_environment()
    assert len(prepared) == 2
