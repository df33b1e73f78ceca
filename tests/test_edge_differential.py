"""The edge answers as the after-request hooks do: a differential test over generated apps.

Each generated app (``CORS(app)`` registrations with options in every location, a blueprint with
its own ``CORS(blueprint)`` and a nested one, ``cross_origin`` views with their own options, the
app's ``CORS_*`` config, error routes, strict-slash routes) is built three times: in hook mode,
with ``edge="preflight"`` and with ``edge="all"``. Every generated request (preflights, plain
OPTIONS, actual requests, routed and unrouted paths, percent-encoded and non-UTF-8 paths, odd
methods) is sent to all three as a WSGI server sends it, and the CORS lines (each
Access-Control-* line and every Vary line, in order) must be identical. Status and body differ
only where the edge answers a preflight itself (its status, no body).

``FASTCORS_EDGE_DIFFERENTIAL_EXAMPLES`` sets the number of generated apps (default 200).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Blueprint, Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder, run_wsgi_app

from fastcors import CORS, cross_origin

from .test_differential import (
    REQUEST_HEADERS,
    REQUEST_ORIGINS,
    add_routes,
    option_set,
    resources_value,
)

pytestmark = pytest.mark.filterwarnings("ignore::fastcors.CORSConfigWarning")

EXAMPLES = int(os.environ.get("FASTCORS_EDGE_DIFFERENTIAL_EXAMPLES", "200"))

#: (PATH_INFO as a WSGI server puts it, for the request): routed, unrouted, redirected, odd bytes
PATHS = [
    "/",
    "/api/items",
    "/api/items/7",
    "/api/missing",
    "/public/x",
    "/boom",
    "/abort",
    "/slash",
    "/slash/",
    "/decorated",
    "/decorated-post",
    "/bp/api/items",
    "/bp/decorated",
    "/bp/slash",
    "/bp/child/api/items/3",
    "/bp/child/public/x",
    "/bp/missing",
    "/files/%73ecret",
    "/files/secret",
    "//api/items",
    "",
    "/d\xc3\xa9j\xc3\xa0",  # UTF-8 bytes of "/déjà" as Latin-1
    "/bad\xff\xfe",  # not UTF-8
]
METHODS = ["GET", "OPTIONS", "OPTIONS", "OPTIONS", "POST", "PUT", "options", "HEAD"]


def _routes(target: Flask | Blueprint, decorated: dict[str, Any] | None) -> None:
    """The differential test's routes (index, items, errors, files), a strict-slashes route, and
    with ``decorated`` two ``cross_origin`` views (one answering OPTIONS itself)."""
    add_routes(target)

    @target.route("/slash/")
    def slash() -> str:
        return "slash"

    if decorated is not None:

        @target.route("/decorated", methods=["GET", "PUT"])
        @cross_origin(**decorated)
        def decorated_view() -> str:
            return "decorated"

        @target.route("/decorated-post", methods=["POST", "OPTIONS"])
        @cross_origin(**{**decorated, "automatic_options": False})
        def decorated_post() -> str:
            return "decorated-post"


@dataclass
class EdgeScenario:
    config: dict[str, Any]
    registrations: list[dict[str, Any]]
    blueprint: dict[str, Any] | None
    child: dict[str, Any] | None
    decorated: dict[str, Any] | None
    blueprint_decorated: dict[str, Any] | None
    status: int = 200
    requests: list[dict[str, Any]] = field(default_factory=list)


@st.composite
def edge_scenarios(draw: st.DrawFn) -> EdgeScenario:
    registrations = []
    for _ in range(draw(st.integers(1, 2))):
        options = draw(option_set())
        resources = draw(resources_value())
        if resources is not None:
            options["resources"] = resources
        registrations.append(options)
    maybe = st.one_of(st.none(), option_set(max_size=3))
    return EdgeScenario(
        config=draw(option_set(max_size=3)),
        registrations=registrations,
        blueprint=draw(maybe),
        child=draw(maybe),
        decorated=draw(maybe),
        blueprint_decorated=draw(maybe),
        status=draw(st.sampled_from([200, 204])),
    )


@st.composite
def edge_requests(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "path": draw(st.sampled_from(PATHS)),
        "method": draw(st.sampled_from(METHODS)),
        "origin": draw(st.one_of(st.none(), st.sampled_from(REQUEST_ORIGINS))),
        "request_method": draw(st.sampled_from([None, "GET", "PUT", "post", "DELETE", "ET"])),
        "request_headers": draw(st.sampled_from([None, *REQUEST_HEADERS[:8]])),
        "private_network": draw(st.sampled_from([None, "true"])),
    }


def build(scenario: EdgeScenario, edge: Any) -> Flask:
    app = Flask(__name__)
    for name, value in scenario.config.items():
        app.config["CORS_" + name.upper()] = value
    _routes(app, scenario.decorated)
    if scenario.blueprint is not None:
        bp = Blueprint("bp", __name__)
        _routes(bp, scenario.blueprint_decorated)
        CORS(bp, **scenario.blueprint)
        if scenario.child is not None:
            child = Blueprint("child", __name__)
            _routes(child, None)
            CORS(child, **scenario.child)
            bp.register_blueprint(child, url_prefix="/child")
        app.register_blueprint(bp, url_prefix="/bp")
    for number, options in enumerate(scenario.registrations):
        if edge and number == 0:
            options = {**options, "edge": edge, "preflight_status": scenario.status}
        CORS(app, **options)
    return app


def environ(request: dict[str, Any]) -> dict[str, Any]:
    env = EnvironBuilder(method="GET").get_environ()
    env["REQUEST_METHOD"] = request["method"]
    env["PATH_INFO"] = request["path"]
    for key, value in (
        ("HTTP_ORIGIN", request["origin"]),
        ("HTTP_ACCESS_CONTROL_REQUEST_METHOD", request["request_method"]),
        ("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", request["request_headers"]),
        ("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK", request["private_network"]),
    ):
        if value is not None:
            env[key] = value
    return env


def send(app: Flask, request: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    iterable, status, headers = run_wsgi_app(app.wsgi_app, environ(request))
    try:
        body = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    lines = [
        (name, value)
        for name, value in headers.items()
        if name.lower().startswith("access-control-") or name.lower() == "vary"
    ]
    return status, lines, body


def is_preflight(request: dict[str, Any]) -> bool:
    return (
        request["method"].upper() == "OPTIONS"
        and request["origin"] is not None
        and request["request_method"] is not None
    )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario=edge_scenarios(), requests_=st.lists(edge_requests(), min_size=1, max_size=12))
def test_edge_answers_as_the_hooks_do(
    scenario: EdgeScenario, requests_: list[dict[str, Any]]
) -> None:
    try:
        apps = {mode: build(scenario, mode) for mode in (False, "preflight", "all")}
    except (ValueError, TypeError) as exc:  # an invalid combination: raises in every mode alike
        for mode in ("preflight", "all"):
            with pytest.raises(type(exc)):
                build(scenario, mode)
        return
    for request in requests_:
        hook_status, hook_lines, hook_body = send(apps[False], request)
        for mode in ("preflight", "all"):
            status, lines, body = send(apps[mode], request)
            assert lines == hook_lines, (mode, request, lines, hook_lines)
            answered = status != hook_status or body != hook_body
            if answered:  # the edge answered a preflight itself
                assert is_preflight(request), (mode, request, status, hook_status)
                assert status == ("200 OK" if scenario.status == 200 else "204 No Content")
                assert body == b""


def test_the_differential_sees_edge_answers() -> None:
    """The generated apps do reach the cases the test is about: a preflight the edge answers
    where Flask would not have answered 200, with CORS lines from a blueprint and a view."""
    scenario = EdgeScenario(
        config={},
        registrations=[{"resources": {r"/api/*": {"origins": "https://a.example"}}}],
        blueprint={"origins": "https://b.example"},
        child=None,
        decorated={"origins": ["https://d.example"]},
        blueprint_decorated=None,
    )
    preflight = {
        "method": "OPTIONS",
        "request_method": "PUT",
        "request_headers": None,
        "private_network": None,
    }
    cases = [
        ("/api/missing", "https://a.example", "404"),
        ("/bp/api/items", "https://b.example", "200"),
        ("/decorated", "https://d.example", "200"),
    ]
    hook, edge = build(scenario, False), build(scenario, "preflight")
    for path, origin, hook_status in cases:
        request = {**preflight, "path": path, "origin": origin}
        status, lines, body = send(edge, request)
        assert (status, body) == ("200 OK", b""), path
        assert ("Access-Control-Allow-Origin", origin) in lines
        assert send(hook, request)[0].split()[0] == hook_status
        assert lines == send(hook, request)[1]
