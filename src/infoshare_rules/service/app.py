"""The decision service: facts in, decisions (records, explanations) out, over HTTP.

Rulesets are loaded and compiled when the app is made, so no request pays for it. Decisions
run in the request handler; larger work (batches, records, explanations) runs in the thread
pool, which only the reference and compiled engines allow (they share nothing between decisions).
Every error response, whatever refused the request (the body, a parameter, the path, the method,
the size), is the library's error document (``ErrorDocument``); no request ever gets a traceback,
and a client that disconnects early is not logged as an error. The docs pages (/docs, /redoc) are
served with their scripts from the fastapi-offline package, so they work without the internet.
"""

from __future__ import annotations

import json
import logging
import os
import re
from typing import Any, Callable, Literal, Mapping, Sequence, cast

import orjson
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Route

from .openapi import NDJSON, apply_contract
from .views import Health, paragraph_view, rule_view, ruleset_info
from ..api_types import EngineName
from ..contracts.decision_json import converter, decision_to_dict
from ..contracts.errors_json import error_document, error_items
from ..decision.decide import decide
from ..decision.question_index import prepare as prepare_questions
from ..engines.registry import get_engine
from ..errors import DocumentError, FactsError, InfoshareError, json_path, suggest
from ..limits import parse_json_document
from ..explain.narrative import explain
from ..explain.render import RENDERERS, explanation_to_dict
from ..facts.json import facts_from_dict, facts_json_schema
from ..records.json import record_from_dict, record_to_dict, verification_to_dict
from ..records.make import library_version, make_record
from ..records.verify import verify_record
from ..ruleset.loader import available_rulesets, load_ruleset
from ..ruleset.model import DEFAULT_RULESET, Ruleset

MAX_BODY_BYTES = 32 * 1024 * 1024
MAX_BATCH = 10_000
log = logging.getLogger("infoshare_rules.service")


class ServiceError(Exception):
    """A request refused: its HTTP status and the error items to send."""

    def __init__(self, status: int, items: list[dict[str, Any]]) -> None:
        self.status = status
        self.items = items


def _problem(path: str, problem: str, expected: str | None = None, suggestion: str | None = None) -> dict[str, Any]:
    return {"path": path, "problem": problem, "expected": expected, "suggestion": suggestion}


def _json_bytes(data: Any) -> bytes:
    """Compact UTF-8 JSON (non-ASCII kept), by orjson: about 15 times json.dumps on a decision."""
    try:
        return orjson.dumps(data)
    except orjson.JSONEncodeError:  # what orjson refuses (non-string keys, integers over 64 bits): the same JSON, slower
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(_json_bytes(data), status_code=status, headers=headers, media_type="application/json")


def _error_response(status: int, items: list[dict[str, Any]], headers: Mapping[str, str] | None = None) -> Response:
    """The one shape of every error response: the library's error document."""
    return _json_response(error_document(items), status, headers)


_PARAMETER_PLACES = ("query", "path", "header", "cookie", "body")
_QUOTED = re.compile(r"'([^']*)'")


def _parameter_problem(error: Mapping[str, Any]) -> dict[str, Any]:
    """A parameter FastAPI refused, as a problem like every other: the parameter's name, what was expected, a hint."""
    name = ".".join(str(p) for p in error.get("loc", ()) if p not in _PARAMETER_PLACES) or "$"
    expected = (error.get("ctx") or {}).get("expected")
    if error.get("type") == "literal_error" and isinstance(expected, str):
        allowed = _QUOTED.findall(expected)
        return _problem(name, "not an allowed value", "one of " + ", ".join(allowed), suggest(error.get("input"), allowed))
    return _problem(name, str(error.get("msg", "invalid")), None if expected is None else str(expected))


def create_app(*, rulesets: Sequence[str] | None = None, engine: EngineName = "compiled", prepare: bool = False) -> FastAPI:
    """The service, with ``rulesets`` (default: every shipped one) loaded and compiled now.

    ``prepare``: build each ruleset's question index now (:func:`infoshare_rules.prepare`: tens of
    seconds of CPU once, then a decision's questions cost about what its verdict does); ``infoshare
    serve`` does, unless ``--no-prepare``.
    """
    loaded: dict[str, Ruleset] = {}
    for ruleset_id in rulesets if rulesets is not None else available_rulesets():
        ruleset = load_ruleset(ruleset_id)
        get_engine(ruleset, engine)
        if prepare:
            prepare_questions(ruleset)
        decide(facts_from_dict({}), ruleset=ruleset, engine=engine)  # warm: first-decision caches filled now
        loaded[ruleset.id] = ruleset
    default_id = DEFAULT_RULESET if DEFAULT_RULESET in loaded else next(iter(loaded))
    # durable-rules sessions are not to be driven from several threads: keep its work on the loop.
    offload: Callable[..., Any] = run_in_threadpool if engine in ("reference", "compiled") else _inline

    app = FastAPIOffline(
        title="infoshare-rules decision service",
        version=library_version(),
        description="Decisions on sharing information about a child, following HM Government's 2006 practitioners' guide. "
        "Every error response is an ErrorDocument: where (path), what is wrong (problem), what was expected and "
        "a suggestion, never the values sent.",
        swagger_ui_parameters={"validatorUrl": None},  # no call to the online validator
    )

    def ruleset_for(ruleset_id: str | None, where: str = "ruleset", status: int = 422) -> Ruleset:
        found = loaded.get(default_id if ruleset_id is None else ruleset_id)
        if found is None:
            raise ServiceError(status, [_problem(where, "no such ruleset", "one of " + ", ".join(loaded), suggest(ruleset_id, loaded))])
        return found

    async def read_json(request: Request) -> Any:
        body = await read_body(request)
        # The library's own parser: duplicate keys, deep nesting, huge numbers and non-UTF-8 are
        # refused as they are everywhere else (json.loads would keep the last of two keys).
        try:
            return parse_json_document(body, max_bytes=MAX_BODY_BYTES)
        except FactsError as exc:
            raise ServiceError(400, error_items(exc)) from None

    def decide_one(data: Any, ruleset: Ruleset) -> dict[str, Any]:
        return decision_to_dict(decide(facts_from_dict(data), ruleset=ruleset, engine=engine))

    @app.exception_handler(ServiceError)
    async def _service_error(_: Request, exc: ServiceError) -> Response:
        return _error_response(exc.status, exc.items)

    @app.exception_handler(InfoshareError)
    async def _library_error(_: Request, exc: InfoshareError) -> Response:
        return _error_response(422, error_items(exc))

    @app.exception_handler(RequestValidationError)
    async def _parameter_error(_: Request, exc: RequestValidationError) -> Response:
        return _error_response(422, [_parameter_problem(e) for e in exc.errors()])

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> Response:
        problem = {404: "no such path", 405: "method not allowed"}.get(exc.status_code, "refused")
        expected = exc.headers.get("Allow") if exc.status_code == 405 and exc.headers else None
        return _error_response(exc.status_code, [_problem("$", problem, expected and f"one of {expected}")], exc.headers)

    @app.exception_handler(ClientDisconnect)
    async def _client_gone(_: Request, exc: ClientDisconnect) -> Response:
        # Nobody is left to answer: not an error of ours, and no traceback (the response is dropped).
        log.info("client disconnected before its request was read")
        return _error_response(400, [_problem("$", "the client disconnected before the request was read")])

    @app.exception_handler(Exception)
    async def _internal_error(_: Request, exc: Exception) -> Response:
        log.error("internal error: %s", type(exc).__name__)  # the type only: a message could hold case data
        return _error_response(500, [_problem("$", "internal error")])

    # POST /decide is the hot path: a plain Starlette route, without FastAPI's per-request parameter
    # solving (facts_from_dict validates the body; the one parameter is read from the query string).
    # _DECIDE_DOCUMENTED takes its place in /openapi.json.
    async def decide_route(request: Request) -> Response:
        rules = ruleset_for(request.query_params.get("ruleset"))
        return _json_response(decide_one(await read_json(request), rules))

    decide_served = Route("/decide", decide_route, methods=["POST"])
    app.router.routes.insert(0, decide_served)

    @app.post("/decide/batch", summary="Decide many cases: a JSON array, or JSON Lines", operation_id="decideBatch")
    async def batch_route(request: Request, ruleset: str | None = Query(None, description="Ruleset id (default: the national guide).")) -> Response:
        rules = ruleset_for(ruleset)
        lines = request.headers.get("content-type", "").split(";")[0].strip() == NDJSON
        if lines:
            items, parse_errors = _ndjson_items(await read_body(request))
        else:
            items, parse_errors = await read_json(request), {}
            if not isinstance(items, list):
                raise ServiceError(422, [_problem("$", "wrong type", "a JSON array of facts documents (or JSON Lines as application/x-ndjson)")])
        if len(items) > MAX_BATCH:
            raise ServiceError(413, [_problem("$", "too many cases", f"at most {MAX_BATCH} a request")])
        results = await offload(_decide_batch, items, parse_errors, lambda data: decide_one(data, rules))
        if lines:
            return Response(b"".join(_json_bytes(r) + b"\n" for r in results), media_type=NDJSON)
        return _json_response({"schema_version": "1.0", "results": results})

    @app.post("/record", summary="Decide a case and return its decision record (4.30)", operation_id="recordDecision")
    async def record_route(request: Request, ruleset: str | None = Query(None, description="Ruleset id (default: the national guide).")) -> Response:
        rules = ruleset_for(ruleset)
        data = await read_json(request)
        request_errors = _check_object(data, {"facts", "record_id", "recorded_at", "include_facts"}, {"facts", "record_id", "recorded_at"})
        if request_errors:
            raise ServiceError(422, request_errors)
        facts = _facts_at(data["facts"], "$.facts")
        include = data.get("include_facts", False)
        if not isinstance(include, bool):
            raise ServiceError(422, [_problem("$.include_facts", "wrong type", "true or false")])
        record = await offload(
            lambda: make_record(facts, record_id=data["record_id"], recorded_at=data["recorded_at"], include_facts=include, ruleset=rules, engine=engine)
        )
        return _json_response(record_to_dict(record))

    @app.post("/verify", summary="Re-derive a decision record: has the ruleset changed, would the verdict differ?", operation_id="verifyRecord")
    async def verify_route(request: Request) -> Response:
        data = await read_json(request)
        request_errors = _check_object(data, {"record", "facts"}, {"record"})
        if request_errors:
            raise ServiceError(422, request_errors)
        try:
            record = record_from_dict(data["record"])
        except DocumentError as exc:
            raise ServiceError(422, [_problem("$.record" + exc.path[1:] if exc.path.startswith("$") else f"$.record.{exc.path}", exc.problem, exc.expected)]) from None
        rules = ruleset_for(record.ruleset.id, "$.record.ruleset.id", 404)
        facts = None if data.get("facts") is None else _facts_at(data["facts"], "$.facts")
        result = await offload(lambda: verify_record(record, facts, ruleset=rules, engine=engine))
        return _json_response(verification_to_dict(result))

    @app.post("/explain", summary="Explain a decision in the guide's order, and what would change it", operation_id="explain")
    async def explain_route(
        request: Request,
        ruleset: str | None = Query(None, description="Ruleset id (default: the national guide)."),
        format: Literal["json", "markdown", "html", "text"] = Query("json", description="json, markdown, html or text."),  # noqa: A002
    ) -> Response:
        rules = ruleset_for(ruleset)
        facts = _facts_at(await read_json(request), "$")
        explanation = await offload(lambda: explain(facts, ruleset=rules, engine=engine))
        if format == "json":
            return _json_response(explanation_to_dict(explanation))
        media = {"markdown": "text/markdown", "html": "text/html", "text": "text/plain"}[format]
        return Response(RENDERERS[format](explanation).encode("utf-8"), media_type=f"{media}; charset=utf-8")

    @app.get("/rulesets", summary="The compiled rulesets", operation_id="listRulesets")
    async def rulesets_route() -> Response:
        return _json_response([converter.unstructure(ruleset_info(r)) for r in loaded.values()])

    @app.get("/rulesets/{ruleset_id}/rules/{rule_id}", summary="A rule, with the text of the paragraphs it cites", operation_id="getRule")
    async def rule_route(ruleset_id: str, rule_id: str) -> Response:
        rules = ruleset_for(ruleset_id, "ruleset_id", 404)
        try:
            view = rule_view(rules, rule_id)
        except KeyError:
            ids = [r.id for r in rules.rules]
            raise ServiceError(404, [_problem("rule_id", "no such rule", f"a rule id of {rules.id}", suggest(rule_id, ids))]) from None
        return _json_response(converter.unstructure(view))

    @app.get("/paragraphs/{paragraph_id}", summary="A paragraph of the guide and the rules citing it", operation_id="getParagraph")
    async def paragraph_route(paragraph_id: str, ruleset: str | None = Query(None, description="Ruleset id (default: the national guide).")) -> Response:
        rules = ruleset_for(ruleset)
        if paragraph_id not in rules.paragraphs:
            hint = suggest(paragraph_id, rules.paragraphs)
            raise ServiceError(404, [_problem("paragraph_id", "no such paragraph", "a paragraph number such as 4.30, or flowchart", hint)])
        return _json_response(converter.unstructure(paragraph_view(rules, paragraph_id)))

    @app.get("/schema/facts", summary="JSON Schema of the facts document", operation_id="getFactsSchema")
    async def facts_schema_route(ruleset: str | None = Query(None, description="Ruleset id (default: the national guide); a local protocol's schema lists its own facts under local.")) -> Response:
        return _json_response(facts_json_schema(ruleset_for(ruleset).facts if ruleset else None))

    @app.get("/health", summary="Liveness, version, engine and rulesets", operation_id="getHealth")
    async def health_route() -> Response:
        return _json_response(converter.unstructure(Health("ok", library_version(), engine, tuple(loaded))))

    app.state.offload = offload
    app.state.decide_one = decide_one
    app.state.ruleset_for = ruleset_for
    app.state.read_json = read_json
    app.state.engine = engine

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            routes = [_DECIDE_DOCUMENTED if route is decide_served else route for route in app.routes]
            document = get_openapi(title=app.title, version=app.version, description=app.description, routes=routes)
            app.openapi_schema = apply_contract(document, list(loaded))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


# How /openapi.json describes POST /decide, which create_app serves with a plain route: this
# route is never mounted and never called.
_documentation = APIRouter()


@_documentation.post("/decide", summary="Decide one case", operation_id="decide")
async def _decide_documented(ruleset: str | None = Query(None, description="Ruleset id (default: the national guide).")) -> Response:
    raise NotImplementedError


_DECIDE_DOCUMENTED = _documentation.routes[0]


async def _inline(function: Callable[..., Any], *args: Any) -> Any:
    return function(*args)


async def read_body(request: Request) -> bytes:
    """The request body, refused with 413 when its declared length is over the limit."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise ServiceError(413, [_problem("$", "request body too large", f"at most {MAX_BODY_BYTES} bytes")])
    return await request.body()


def _facts_at(data: Any, where: str):  # type: ignore[no-untyped-def]
    try:
        return facts_from_dict(data)
    except FactsError as exc:
        raise ServiceError(422, [{**item, "path": where + item["path"][1:]} for item in error_items(exc)]) from None


def _check_object(data: Any, allowed: set[str], required: set[str]) -> list[dict[str, Any]]:
    if not isinstance(data, dict):
        return [_problem("$", "wrong type", "a JSON object")]
    items = [_problem(json_path([key]), "unknown key", "one of " + ", ".join(sorted(allowed)), suggest(key, allowed)) for key in sorted(set(data) - allowed)]
    items += [_problem(json_path([key]), "missing field") for key in sorted(required - set(data))]
    return items


def _ndjson_items(body: bytes) -> tuple[list[Any], dict[int, list[dict[str, Any]]]]:
    """JSON Lines: one document a non-blank line; a line that is not JSON becomes that item's error."""
    items: list[Any] = []
    errors: dict[int, list[dict[str, Any]]] = {}
    for number, line in enumerate(body.splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(parse_json_document(line, max_bytes=MAX_BODY_BYTES))
        except FactsError as exc:
            errors[len(items)] = [{**item, "problem": f"line {number}: {item['problem']}"} for item in error_items(exc)]
            items.append(None)
    return items, errors


def _decide_batch(items: list[Any], parse_errors: dict[int, list[dict[str, Any]]], decide_one: Callable[[Any], dict[str, Any]]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for index, data in enumerate(items):
        if index in parse_errors:
            results.append({"index": index, "errors": parse_errors[index]})
            continue
        try:
            results.append({"index": index, "decision": decide_one(data)})
        except FactsError as exc:
            results.append({"index": index, "errors": error_items(exc)})
    return results


def app_from_environment() -> FastAPI:
    """Factory for ``uvicorn --factory`` and multi-worker serving: settings from INFOSHARE_* variables."""
    names = os.environ.get("INFOSHARE_RULESETS")
    engine = cast(EngineName, os.environ.get("INFOSHARE_ENGINE", "compiled"))  # checked by create_app's first decide()
    return create_app(rulesets=names.split(",") if names else None, engine=engine, prepare=os.environ.get("INFOSHARE_PREPARE") == "1")


__all__ = ["app_from_environment", "create_app"]
