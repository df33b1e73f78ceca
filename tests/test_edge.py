"""The edge (``edge="preflight"`` / ``"all"``): options, what it answers and what it passes to
Flask untouched, WSGI manners, paths as Werkzeug reads them. Every test runs on both engines (the
autouse ``engine`` fixture); the hook-equality over generated apps is in
``test_edge_differential.py``, Chromium's view in ``browser/test_edge.py``."""

from __future__ import annotations

import threading
import types
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Blueprint, Flask, Response, request, stream_with_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.test import EnvironBuilder, run_wsgi_app
from werkzeug.wrappers import Request

import fastcors._edge as edge_module
from fastcors import CORS, CORSConfigWarning, cross_origin
from fastcors._compile import EdgeFields
from fastcors._flask import app_state

A = "https://a.example"
B = "https://b.example"
PREFLIGHT = {"Origin": A, "Access-Control-Request-Method": "PUT"}
MODES = ["preflight", "all"]


def cors(headers: Any) -> list[tuple[str, str]]:
    return [
        (k, v) for k, v in headers if k.lower().startswith("access-control-") or k.lower() == "vary"
    ]


class Calls:
    """What of the app ran: before_request functions, views, after_request functions."""

    def __init__(self, app: Flask) -> None:
        self.log: list[str] = []

        @app.before_request
        def before() -> None:
            self.log.append(f"before {request.method} {request.path}")

        @app.after_request
        def after(response: Response) -> Response:
            seen = response.headers.get("Access-Control-Allow-Origin")
            self.log.append(f"after {request.method} {request.path} {seen}")
            return response


def make_app(**options: Any) -> tuple[Flask, Calls]:
    app = Flask(__name__)
    calls = Calls(app)

    @app.route("/api/items", methods=["GET", "POST", "PUT"])
    def items() -> str:
        calls.log.append(f"view {request.method}")
        return "items"

    @app.route("/api/echo", methods=["POST"])
    def echo() -> bytes:
        return request.get_data()

    @app.route("/api/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    @app.route("/api/stream")
    def stream() -> Response:
        def chunks() -> Iterator[str]:
            yield "a"
            yield "b"

        return Response(stream_with_context(chunks()))

    CORS(app, **{"resources": {r"/api/*": {"origins": [A, B]}}, **options})
    return app, calls


# -- options ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, "yes", "Preflight", 1, "ALL", ["all"]])
def test_edge_values_outside_the_three_raise(value: Any) -> None:
    with pytest.raises(ValueError, match="edge="):
        CORS(Flask(__name__), edge=value)


@pytest.mark.parametrize("value", [201, "204", 204.0, True, None, 404])
def test_preflight_status_other_than_200_or_204_raises(value: Any) -> None:
    with pytest.raises(ValueError, match="preflight_status="):
        CORS(Flask(__name__), edge="preflight", preflight_status=value)


@pytest.mark.parametrize("name", ["edge", "preflight_status"])
def test_app_wide_options_are_refused_per_resource_blueprint_and_view(name: str) -> None:
    value = "all" if name == "edge" else 204
    with pytest.raises(ValueError, match=f"{name} is set in resources"):
        CORS(Flask(__name__), resources={"/api/*": {name: value}})
    with pytest.raises(ValueError, match=f"{name} is set in CORS\\(blueprint\\)"):
        CORS(Blueprint("bp", __name__), **{name: value})
    with pytest.raises(ValueError, match=f"{name} is set in cross_origin"):
        cross_origin(**{name: value})


def test_edge_from_app_config_and_keyword_precedence() -> None:
    app = Flask(__name__)
    app.config.update(CORS_EDGE="all", CORS_PREFLIGHT_STATUS=204)
    CORS(app)
    state = app_state(app)
    assert (state.edge, state.edge_status) == ("all", 204)
    assert app.wsgi_app is state.edge_wrapper
    app = Flask(__name__)
    app.config["CORS_EDGE"] = "all"
    CORS(app, edge="preflight")
    assert app_state(app).edge == "preflight"
    app = Flask(__name__)
    app.config["CORS_EDGE"] = None  # None counts as unset
    CORS(app)
    assert app_state(app).edge is False
    assert not isinstance(app.wsgi_app, edge_module._engine.Edge)


def test_config_edge_is_ignored_by_blueprints_and_views() -> None:
    app = Flask(__name__)
    app.config["CORS_EDGE"] = "preflight"
    bp = Blueprint("bp", __name__)
    CORS(bp)

    @bp.route("/x")
    @cross_origin()
    def x() -> str:
        return "x"

    app.register_blueprint(bp)
    assert app_state(app).edge is None  # only CORS(app) installs an edge
    assert app.test_client().get("/x", headers={"Origin": A}).status_code == 200


def test_the_first_registration_decides_and_later_ones_follow() -> None:
    app = Flask(__name__)
    CORS(app, edge="all")
    wrapper = app.wsgi_app
    CORS(app, resources="/other")  # edge unset: follows the app's
    CORS(app, edge="all")  # the same again: fine
    assert app.wsgi_app is wrapper  # one middleware per app
    assert [r.hook for r in app_state(app).records] == [None, None, None]
    with pytest.raises(ValueError, match="conflicts with the app's edge='all'"):
        CORS(app, edge="preflight")
    with pytest.raises(ValueError, match="conflicts"):
        CORS(app, edge=False)


def test_a_later_registration_may_turn_no_edge_into_preflight_but_not_all() -> None:
    app = Flask(__name__)
    CORS(app)
    CORS(app, edge="preflight")
    assert app_state(app).edge == "preflight"
    app = Flask(__name__)
    CORS(app)
    with pytest.raises(ValueError, match="Fix: set edge once"):
        CORS(app, edge="all")
    assert app_state(app).edge is False
    assert len(app.after_request_funcs[None]) == 1  # nothing registered by the refused call


def test_conflicting_preflight_status_raises() -> None:
    app = Flask(__name__)
    CORS(app, edge="preflight", preflight_status=204)
    CORS(app)  # unset: keeps 204
    assert app_state(app).edge_status == 204
    with pytest.raises(ValueError, match="preflight_status=200 conflicts"):
        CORS(app, preflight_status=200)


def test_preflight_status_without_edge_warns() -> None:
    with pytest.warns(CORSConfigWarning, match="preflight_status=204 .* no effect without"):
        CORS(Flask(__name__), preflight_status=204)


def test_debug_refusals_with_edge_warns() -> None:
    app = Flask(__name__)
    app.debug = True
    with pytest.warns(CORSConfigWarning, match="no X-CORS-Refusal header to every response"):
        CORS(app, edge="all", debug_refusals=True)


def test_edge_is_a_known_option_and_configures_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CORS(Flask(__name__), edge="all", preflight_status=204, origins=[A])


# -- what the edge answers -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_preflight_is_answered_before_anything_of_the_app_runs(mode: str) -> None:
    app, calls = make_app(edge=mode)
    response = app.test_client().options("/api/items", headers=PREFLIGHT)
    assert response.status == "200 OK"
    assert response.data == b""
    assert "Allow" not in response.headers
    assert "Content-Type" not in response.headers
    assert response.headers["Content-Length"] == "0"
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    assert calls.log == []


@pytest.mark.parametrize("mode", MODES)
def test_preflight_status_204_has_no_content_length(mode: str) -> None:
    app, calls = make_app(edge=mode, preflight_status=204)
    response = app.test_client().options("/api/missing", headers=PREFLIGHT)
    assert response.status == "204 No Content"
    assert "Content-Length" not in response.headers
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert calls.log == []


@pytest.mark.parametrize("mode", MODES)
def test_a_refused_preflight_is_answered_without_cors_lines(mode: str) -> None:
    app, calls = make_app(edge=mode)
    response = app.test_client().options(
        "/api/items", headers={**PREFLIGHT, "Origin": "https://evil.example"}
    )
    assert response.status_code == 200
    assert cors(response.headers.items()) == [("Vary", "Origin")]
    assert calls.log == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": A},  # an OPTIONS that is no preflight
        {"Access-Control-Request-Method": "PUT"},  # no Origin
    ],
)
def test_options_that_are_not_preflights_go_to_flask(mode: str, headers: dict[str, str]) -> None:
    app, calls = make_app(edge=mode)
    response = app.test_client().options("/api/items", headers=headers)
    assert "Allow" in response.headers  # Flask's own answer
    assert calls.log[0] == "before OPTIONS /api/items"


@pytest.mark.parametrize("mode", MODES)
def test_a_preflight_outside_every_policy_goes_to_flask(mode: str) -> None:
    app, calls = make_app(edge=mode)
    response = app.test_client().options("/elsewhere", headers=PREFLIGHT)
    assert response.status_code == 404
    assert cors(response.headers.items()) == []
    assert calls.log == ["before OPTIONS /elsewhere", "after OPTIONS /elsewhere None"]


def test_preflight_mode_leaves_actual_requests_to_the_hook() -> None:
    app, calls = make_app(edge="preflight")
    response = app.test_client().put("/api/items", headers={"Origin": A})
    assert response.headers["Access-Control-Allow-Origin"] == A
    # the after_request function registered before CORS(app) runs after its hook: sees the line
    assert calls.log[-1] == f"after PUT /api/items {A}"


def test_all_mode_adds_the_lines_after_flask_is_done() -> None:
    app, calls = make_app(edge="all")
    response = app.test_client().put("/api/items", headers={"Origin": A})
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert response.headers["Vary"] == "Origin"
    assert calls.log[-1] == "after PUT /api/items None"  # no after-request function sees them


@pytest.mark.parametrize("path", ["/api/missing", "/api/boom"])
def test_all_mode_covers_error_responses(path: str) -> None:
    app, _ = make_app(edge="all")
    app.testing = False
    response = app.test_client().get(path, headers={"Origin": B})
    assert response.status_code in (404, 500)
    assert response.headers["Access-Control-Allow-Origin"] == B


def test_all_mode_registers_no_after_request_function() -> None:
    app = Flask(__name__)
    CORS(app, edge="all")
    CORS(app, resources="/x")
    assert app.after_request_funcs.get(None, []) == []


@pytest.mark.parametrize("mode", MODES)
def test_a_cross_origin_view_answers_its_own_preflights_at_the_edge(mode: str) -> None:
    app = Flask(__name__)
    calls = Calls(app)

    @app.route("/view", methods=["GET", "PUT"])
    @cross_origin(origins=[B], max_age=60)
    def view() -> str:
        return "view"

    CORS(app, edge=mode, origins=[A])
    client = app.test_client()
    response = client.options("/view", headers={**PREFLIGHT, "Origin": B})
    assert response.headers["Access-Control-Allow-Origin"] == B
    assert response.headers["Access-Control-Max-Age"] == "60"
    response = client.options("/view", headers=PREFLIGHT)  # A: the app's, but the view decides
    assert "Access-Control-Allow-Origin" not in response.headers
    assert calls.log == []
    response = client.put("/view", headers={"Origin": B})
    assert response.headers["Access-Control-Allow-Origin"] == B
    seen = B if mode == "preflight" else "None"
    assert calls.log[-1] == f"after PUT /view {seen}"


def test_a_view_whose_options_cannot_work_does_not_stop_the_edge() -> None:
    app = Flask(__name__)
    app.config["CORS_SEND_WILDCARD"] = True

    @app.route("/bad")
    @cross_origin(supports_credentials=True)  # with '*' and send_wildcard: a ValueError
    def bad() -> str:
        return "bad"

    @app.route("/good")
    def good() -> str:
        return "good"

    CORS(app, edge="all", origins=[A])
    client = app.test_client()
    assert client.get("/good", headers={"Origin": A}).headers["Access-Control-Allow-Origin"] == A
    response = client.get("/bad", headers={"Origin": A})  # the view raises: a 500, as in hook mode
    assert response.status_code == 500
    assert response.headers["Access-Control-Allow-Origin"] == A  # the app's lines on the 500
    response = client.options("/bad", headers=PREFLIGHT)
    assert response.headers["Access-Control-Allow-Origin"] == A


@pytest.mark.parametrize("mode", MODES)
def test_blueprint_policies_and_nesting_at_the_edge(mode: str) -> None:
    app = Flask(__name__)
    parent, child = Blueprint("parent", __name__), Blueprint("child", __name__)

    @child.route("/c", methods=["GET", "PUT"])
    def c() -> str:
        return "c"

    @parent.route("/p", methods=["GET", "PUT"])
    def p() -> str:
        return "p"

    CORS(parent, origins=[B])
    CORS(child, origins=["https://c.example"])
    parent.register_blueprint(child, url_prefix="/child")
    app.register_blueprint(parent, url_prefix="/parent")
    CORS(app, edge=mode, origins=[A])
    client = app.test_client()

    def allowed(method: str, path: str, origin: str) -> str | None:
        headers = {**PREFLIGHT, "Origin": origin} if method == "OPTIONS" else {"Origin": origin}
        return client.open(path, method=method, headers=headers).headers.get(
            "Access-Control-Allow-Origin"
        )

    for method in ("OPTIONS", "PUT"):
        assert allowed(method, "/parent/child/c", "https://c.example") == "https://c.example"
        assert allowed(method, "/parent/child/c", B) == B  # the parent's, as a fallback
        assert allowed(method, "/parent/child/c", A) == A  # then the app's
        assert allowed(method, "/parent/p", "https://c.example") is None
        assert allowed(method, "/parent/p", B) == B


# -- WSGI manners ---------------------------------------------------------------------------------------


def environ(path: str = "/api/items", method: str = "GET", **extra: Any) -> dict[str, Any]:
    env = EnvironBuilder(path=path, method=method).get_environ()
    env.update(extra)
    return env


@pytest.mark.parametrize("mode", [False, *MODES])
def test_the_body_reaches_the_view_untouched(mode: Any) -> None:
    app, _ = make_app(edge=mode)
    body = b"x" * 100_000
    response = app.test_client().post("/api/echo", data=body, headers={"Origin": A})
    assert response.data == body
    assert response.headers["Access-Control-Allow-Origin"] == A


@pytest.mark.parametrize("mode", MODES)
def test_streamed_bodies_pass_and_the_inner_iterable_is_closed(mode: str) -> None:
    app, _ = make_app(edge=mode)
    iterable, _status, headers = run_wsgi_app(app, environ("/api/stream", HTTP_ORIGIN=A))
    assert b"".join(iterable) == b"ab"
    assert headers["Access-Control-Allow-Origin"] == A
    iterable.close()


class Inner:
    """A WSGI app that records how it was called and whether its iterable was closed."""

    def __init__(self, exc_info: bool = False) -> None:
        self.closed = False
        self.exc_info = exc_info
        self.environ: dict[str, Any] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.environ = environ
        headers = [("Content-Type", "text/plain")]
        if self.exc_info:
            try:
                raise KeyError("x")
            except KeyError:
                import sys

                start_response("500 INTERNAL SERVER ERROR", headers, sys.exc_info())
        else:
            start_response("200 OK", headers)
        inner = self

        class Body:
            def __iter__(self) -> Iterator[bytes]:
                yield b"body"

            def close(self) -> None:
                inner.closed = True

        return Body()


def _fields(all_responses: bool) -> EdgeFields:
    policy_app = Flask(__name__)
    CORS(policy_app, origins=[A])
    return EdgeFields(
        app_chain=(app_state(policy_app).registrations[0],),
        rule_chains={},
        rule_views={},
        route=None,
        base=(("Content-Length", "0"),),
        all_responses=all_responses,
        status="200 OK",
    )


def raw_edge(engine: types.ModuleType, inner: Any, all_responses: bool) -> Any:
    return engine.Edge(inner, lambda: _fields(all_responses))


@pytest.mark.parametrize("all_responses", [False, True])
def test_the_inner_iterable_is_returned_as_is_and_exc_info_passes(
    engine: types.ModuleType, all_responses: bool
) -> None:
    for with_exc_info in (False, True):
        inner = Inner(exc_info=with_exc_info)
        wrapper = raw_edge(engine, inner, all_responses)
        calls: list[tuple[Any, ...]] = []

        def start_response(*args: Any, calls: list[tuple[Any, ...]] = calls) -> Any:
            calls.append(args)
            return lambda data: None

        env = environ("/x", HTTP_ORIGIN=A)
        result = wrapper(env, start_response)
        assert inner.environ is env  # the same environ, wsgi.input included
        assert list(result) == [b"body"]
        result.close()
        assert inner.closed
        (args,) = calls
        assert len(args) == (3 if with_exc_info else 2)
        if with_exc_info:
            assert args[2][0] is KeyError
        lines = cors(args[1])
        assert lines == ([("Access-Control-Allow-Origin", A)] if all_responses else [])


def test_a_non_list_header_sequence_is_accepted(engine: types.ModuleType) -> None:
    def inner(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", (("Content-Type", "text/plain"),))
        return [b""]

    seen: list[Any] = []
    wrapper = raw_edge(engine, inner, True)
    wrapper(environ("/x", HTTP_ORIGIN=A), lambda status, headers: seen.append(headers))
    assert seen == [[("Content-Type", "text/plain"), ("Access-Control-Allow-Origin", A)]]


@pytest.mark.parametrize("mode", MODES)
def test_mounted_under_a_prefix(mode: str) -> None:
    app, calls = make_app(edge=mode)
    mounted = DispatcherMiddleware(lambda e, s: [], {"/mount": app})
    _iterable, status, headers = run_wsgi_app(
        mounted, environ("/mount/api/items", "OPTIONS", HTTP_ORIGIN=A, **_acrm())
    )
    assert status == "200 OK"
    assert headers["Access-Control-Allow-Origin"] == A
    assert calls.log == []
    _iterable, status, headers = run_wsgi_app(mounted, environ("/mount/api/items", HTTP_ORIGIN=A))
    assert headers["Access-Control-Allow-Origin"] == A
    assert calls.log[0] == "before GET /api/items"


def _acrm() -> dict[str, str]:
    return {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT"}


@pytest.mark.parametrize("mode", MODES)
def test_behind_proxy_fix(mode: str) -> None:
    app, _ = make_app(edge=mode)
    app.wsgi_app = ProxyFix(app.wsgi_app, x_prefix=1)  # type: ignore[method-assign]
    response = app.test_client().options(
        "/api/items", headers={**PREFLIGHT, "X-Forwarded-Prefix": "/p"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == A
    response = app.test_client().get(
        "/api/items", headers={"Origin": A, "X-Forwarded-Prefix": "/p"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == A


@pytest.mark.parametrize("mode", [False, *MODES])
@pytest.mark.parametrize(
    "path_info",
    [
        "/api/\xff\xfe",
        "/api/d\xc3\xa9j\xc3\xa0",
        "/api/%zz%",
        "/api/\u20ac",
        "",
        "api/items",
        "//api//items",
    ],
)
def test_odd_paths_never_raise_and_agree_with_the_hook(mode: Any, path_info: str) -> None:
    app, _ = make_app(edge=mode)
    hook, _ = make_app()
    for method, extra in (("OPTIONS", {"HTTP_ORIGIN": A, **_acrm()}), ("GET", {"HTTP_ORIGIN": A})):
        env = environ("/", method, **extra)
        env["PATH_INFO"] = path_info
        try:
            expected = cors(run_wsgi_app(hook, dict(env))[2].items())
        except UnicodeEncodeError:  # a PATH_INFO no WSGI server sends: Werkzeug itself raises
            expected = None
        try:
            got = cors(run_wsgi_app(app, dict(env))[2].items())
        except UnicodeEncodeError:
            got = None
        assert got == expected


# -- paths and methods as Werkzeug reads them ------------------------------------------------------------

wsgi_text = st.text(st.characters(max_codepoint=0xFF), max_size=30)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path_info=st.one_of(wsgi_text, wsgi_text.map(lambda s: "/" + s)))
def test_routed_path_is_werkzeugs_request_path(engine: types.ModuleType, path_info: str) -> None:
    env = environ("/")
    env["PATH_INFO"] = path_info
    assert engine.routed_path(env) == Request(env).path


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.text(max_size=10))
def test_request_method_is_werkzeugs(engine: types.ModuleType, method: str) -> None:
    env = environ("/")
    env["REQUEST_METHOD"] = method
    assert engine.request_method(env) == Request(env).method


def test_routed_path_of_missing_or_non_wsgi_path_info(engine: types.ModuleType) -> None:
    assert engine.routed_path({}) == "/"
    assert engine.routed_path({"PATH_INFO": "/\u20ac"}) is None
    assert engine.routed_path({"PATH_INFO": b"/x"}) is None
    assert engine.request_method({}) == "GET"


# -- routing: cached, bounded, thread-safe first build ----------------------------------------------------


def _router_cache(router: Any) -> dict[Any, Any]:
    """The dict a router from ``_edge._router`` remembers its matches in."""
    return next(
        cell.cell_contents
        for cell in (router.__closure__ or ())
        if isinstance(cell.cell_contents, dict)
    )


def test_the_router_remembers_a_bounded_number_of_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edge_module, "ROUTE_CACHE_SIZE", 8)
    app = Flask(__name__)

    @app.route("/v/<int:n>", methods=["GET", "PUT"])
    @cross_origin(origins=[B])
    def v(n: int) -> str:
        return str(n)

    CORS(app, edge="preflight", origins=[A])
    route = app_state(app).edge_wrapper.table  # built
    router = edge_module._router(app)
    for n in range(50):
        env = environ(f"/v/{n}", "OPTIONS")
        assert router(env) is not None
        assert router(env) == router(dict(env))
    assert router(environ("/nowhere", "OPTIONS")) is None
    cache = _router_cache(router)
    assert len(cache) <= 8
    assert route is not None
    client = app.test_client()
    for n in (1, 40, 2):
        response = client.options(f"/v/{n}", headers={**PREFLIGHT, "Origin": B})
        assert response.headers["Access-Control-Allow-Origin"] == B


def test_host_matching_apps_route_by_host() -> None:
    app = Flask(__name__, host_matching=True, static_host="static.example")

    @app.route("/x", host="one.example", methods=["GET", "PUT"])
    @cross_origin(origins=[B])
    def one() -> str:
        return "one"

    @app.route("/x", host="two.example", methods=["GET", "PUT"])
    def two() -> str:
        return "two"

    CORS(app, edge="preflight", origins=[A])
    client = app.test_client()
    for host, origin, allowed in (
        ("one.example", B, B),
        ("one.example", A, None),
        ("two.example", A, A),
        ("two.example", B, None),
    ):
        response = client.options(
            "/x", base_url=f"http://{host}", headers={**PREFLIGHT, "Origin": origin}
        )
        assert response.headers.get("Access-Control-Allow-Origin") == allowed, (host, origin)


def test_concurrent_first_requests_build_one_table() -> None:
    app, _ = make_app(edge="all")
    wrapper = app_state(app).edge_wrapper
    built: list[int] = []
    original = edge_module.edge_fields

    def counting(app_: Flask) -> EdgeFields:
        built.append(1)
        return original(app_)

    edge_module.edge_fields = counting  # type: ignore[assignment]
    try:
        barrier = threading.Barrier(8)
        results: list[int] = []

        def hit() -> None:
            barrier.wait()
            results.append(app.test_client().get("/api/items", headers={"Origin": A}).status_code)

        threads = [threading.Thread(target=hit) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        edge_module.edge_fields = original  # type: ignore[assignment]
    assert results == [200] * 8
    assert built == [1]
    assert wrapper.table is wrapper.table


def test_a_request_class_with_its_own_constructor_still_routes() -> None:
    class OwnRequest(Flask.request_class):  # type: ignore[misc, name-defined]
        def __init__(self, environ: dict[str, Any]) -> None:
            super().__init__(environ)

    app = Flask(__name__)
    app.request_class = OwnRequest

    @app.route("/v", methods=["GET", "PUT"])
    @cross_origin(origins=[B])
    def v() -> str:
        return "v"

    CORS(app, edge="preflight", origins=[A])
    env = environ("/v", "OPTIONS", HTTP_ORIGIN=B, **_acrm())
    _iterable, status, headers = run_wsgi_app(app, env)
    assert status == "200 OK"
    assert headers["Access-Control-Allow-Origin"] == B
    assert "werkzeug.request" not in env  # the router's request never touches the environ


def test_edge_all_after_requests_were_served_takes_over_resolved_views() -> None:
    app = Flask(__name__)

    @app.route("/only")
    @cross_origin(origins=["https://only.example"])
    def only() -> str:
        return "only"

    client = app.test_client()
    assert "Access-Control-Allow-Origin" not in client.get("/only", headers={"Origin": A}).headers
    CORS(app, edge="all", origins=[A])  # the view was resolved already: it defers from now on
    response = client.get("/only", headers={"Origin": A})
    assert "Access-Control-Allow-Origin" not in response.headers
    response = client.get("/only", headers={"Origin": "https://only.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://only.example"


def test_an_edge_refused_by_flask_leaves_no_state_behind() -> None:
    app = Flask(__name__)

    @app.route("/")
    def index() -> str:
        return "index"

    app.test_client().get("/")
    with pytest.raises(AssertionError):  # Flask's own check: no after-request function now
        CORS(app, edge="preflight")
    state = app_state(app)
    assert (state.edge, state.edge_wrapper) == (None, None)
    assert not isinstance(app.wsgi_app, edge_module._engine.Edge)


def test_long_paths_are_routed_but_never_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    app = Flask(__name__)

    @app.route("/v/<path:rest>", methods=["GET", "PUT"])
    @cross_origin(origins=[B])
    def v(rest: str) -> str:
        return rest

    CORS(app, edge="preflight", origins=[A])
    router = edge_module._router(app)
    cache = _router_cache(router)
    long_path = "/v/" + "x" * edge_module.ROUTE_CACHE_MAX_PATH
    assert router(environ(long_path, "OPTIONS")) is not None
    assert cache == {}
    assert router(environ("/v/short", "OPTIONS")) is not None
    assert len(cache) == 1
    response = app.test_client().options(long_path, headers={**PREFLIGHT, "Origin": B})
    assert response.headers["Access-Control-Allow-Origin"] == B


def test_a_registration_without_resources_only_turns_the_edge_on() -> None:
    app = Flask(__name__)

    @app.route("/v", methods=["GET", "PUT"])
    @cross_origin(origins=[B])
    def v() -> str:
        return "v"

    CORS(app, edge="preflight", resources={})
    assert app.after_request_funcs.get(None, []) == []
    client = app.test_client()
    response = client.options("/v", headers={**PREFLIGHT, "Origin": B})
    assert (response.status_code, response.headers.get("Allow")) == (200, None)  # the edge's
    assert response.headers["Access-Control-Allow-Origin"] == B
    assert client.get("/v", headers={"Origin": B}).headers["Access-Control-Allow-Origin"] == B
    response = client.options("/elsewhere", headers=PREFLIGHT)
    assert response.status_code == 404  # no policy: Flask's answer
