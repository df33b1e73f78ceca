"""The CORS extension on apps: registration, state, several apps and objects, errors, resources."""

from __future__ import annotations

import gc
import re
import types
import weakref
from collections.abc import Callable
from typing import Any

import flask
import flask_cors
import pytest
from flask import Flask, abort, make_response
from werkzeug.exceptions import ImATeapot, NotFound

import fastcors
import fastcors.extension
from fastcors import CORS
from fastcors.extension import AppState

from .helpers import cors_lines, header_dict

ACAO = "Access-Control-Allow-Origin"


def make_app(**config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(config)

    @app.route("/", methods=["GET", "POST"])
    def index() -> str:
        return "ok"

    @app.route("/api/items/<int:item>", methods=["GET", "PUT"])
    def item(item: int) -> str:
        return str(item)

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    @app.route("/abort/<int:code>")
    def aborts(code: int) -> str:
        abort(code)

    return app


def lines(app: Flask, path: str = "/", method: str = "GET", **headers: str) -> dict[str, list[str]]:
    response = app.test_client().open(
        path, method=method, headers={k.replace("_", "-"): v for k, v in headers.items()}
    )
    return {
        "status": [str(response.status_code)],
        **header_dict(cors_lines(response.headers.items())),
    }


# -- registration and state ------------------------------------------------------------------------


def test_default_configuration() -> None:
    app = make_app()
    CORS(app)
    assert lines(app, Origin="https://a.example") == {
        "status": ["200"],
        "access-control-allow-origin": ["https://a.example"],
        "vary": ["Origin"],
    }
    preflight = lines(
        app, method="OPTIONS", Origin="https://a.example", Access_Control_Request_Method="POST"
    )
    assert preflight["access-control-allow-methods"] == [
        "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"
    ]
    assert preflight["access-control-allow-origin"] == ["https://a.example"]


def test_hook_takes_the_request_from_flasks_context_variable() -> None:
    # Flask 2.3 to 3.1 keep the request context in a ContextVar, which the hook reads without the
    # proxy. A Flask that stops doing so fails here first, and gets the fallback below.
    app = make_app()
    with app.test_request_context("/x", headers={"Origin": "https://a.example"}):
        assert fastcors.extension.request_context is not None
        assert fastcors.extension.request_context().request is flask.request._get_current_object()


def test_hook_without_flasks_context_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    # Everything that reads the request (the hook, error interception, blueprints, the decorator)
    # through the proxies instead.
    monkeypatch.setattr(fastcors.extension, "request_context", None)
    app = make_app()

    @app.route("/decorated")
    @fastcors.cross_origin(origins=["https://d.example"])
    def decorated() -> str:
        return "d"

    blueprint = flask.Blueprint("bp", __name__, url_prefix="/bp")
    blueprint.add_url_rule("/x", "x", lambda: "x")
    CORS(blueprint, origins=["https://bp.example"])
    app.register_blueprint(blueprint)
    CORS(app, origins=["https://a.example"])
    assert lines(app, "/decorated", Origin="https://d.example")["access-control-allow-origin"] == [
        "https://d.example"
    ]
    assert lines(app, "/bp/x", Origin="https://bp.example")["access-control-allow-origin"] == [
        "https://bp.example"
    ]
    missing = lines(app, "/missing", Origin="https://a.example")
    assert missing["status"] == ["404"]
    assert missing["access-control-allow-origin"] == ["https://a.example"]
    assert lines(app, Origin="https://a.example")["access-control-allow-origin"] == [
        "https://a.example"
    ]
    assert "access-control-allow-origin" not in lines(app, Origin="https://b.example")


def test_state_lives_in_app_extensions_and_object_keeps_no_app() -> None:
    cors = CORS(origins="https://a.example")
    app = make_app()
    cors.init_app(app)
    state = app.extensions["fastcors"]
    assert isinstance(state, AppState)
    assert len(state.registrations) == 1
    assert set(vars(cors)) == {"_options"}
    ref = weakref.ref(app)
    del app, state
    gc.collect()
    assert ref() is None, "something keeps the app alive"


def test_app_factory_and_several_apps_per_process() -> None:
    cors = CORS(expose_headers="X-Shared")

    def create_app(origin: str) -> Flask:
        app = make_app(CORS_ORIGINS=[origin, "https://common.example"])
        cors.init_app(app)
        return app

    one, two = create_app("https://one.example"), create_app("https://two.example")
    assert lines(one, Origin="https://one.example")["access-control-allow-origin"] == [
        "https://one.example"
    ]
    assert "access-control-allow-origin" not in lines(one, Origin="https://two.example")
    assert lines(two, Origin="https://two.example")["access-control-expose-headers"] == ["X-Shared"]
    assert one.extensions["fastcors"] is not two.extensions["fastcors"]


def test_several_cors_objects_act_as_fallbacks_last_registered_first() -> None:
    app = make_app()
    CORS(app, origins="https://first.example", expose_headers="X-First")
    CORS(
        app, origins=["https://second.example", "https://first.example"], expose_headers="X-Second"
    )
    # both allow first.example: the last registered answers
    assert lines(app, Origin="https://first.example")["access-control-expose-headers"] == [
        "X-Second"
    ]
    # Vary lists Origin once although both made a decision
    assert lines(app, Origin="https://nobody.example")["vary"] == ["Origin"]


def test_response_with_allow_origin_set_by_view_is_left_alone() -> None:
    app = make_app()

    @app.route("/own")
    def own() -> Any:
        response = make_response("mine")
        response.headers[ACAO] = "https://mine.example"
        return response

    CORS(app, origins=["https://a.example", "https://b.example"])
    assert lines(app, "/own", Origin="https://a.example") == {
        "status": ["200"],
        "access-control-allow-origin": ["https://mine.example"],
    }


def test_view_with_non_headers_object() -> None:
    app = make_app()

    @app.route("/dict")
    def as_dict() -> Any:
        response = make_response("x")
        response.headers = {"Content-Type": "text/plain", "X-Mine": "1"}  # type: ignore[assignment]
        return response

    CORS(app)
    out = lines(app, "/dict", Origin="https://a.example")
    assert out["access-control-allow-origin"] == ["https://a.example"]


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize(
    ("path", "status"),
    [("/missing", "404"), ("/abort/500", "500"), ("/abort/418", "418"), ("/boom", "500")],
)
def test_error_responses_get_cors_headers(intercept: bool, path: str, status: str) -> None:
    app = make_app()
    CORS(app, intercept_exceptions=intercept)
    out = lines(app, path, Origin="https://a.example")
    assert out["status"] == [status]
    assert out["access-control-allow-origin"] == ["https://a.example"]


def test_error_outside_resources_gets_nothing() -> None:
    app = make_app()
    CORS(app, resources=r"/api/*")
    assert lines(app, "/boom", Origin="https://a.example") == {"status": ["500"]}
    assert "access-control-allow-origin" in lines(app, "/api/nothing", Origin="https://a.example")


def test_custom_error_handler_still_runs() -> None:
    app = make_app()

    @app.errorhandler(404)
    def not_found(error: Exception) -> tuple[str, int]:
        return "custom", 404

    CORS(app)
    response = app.test_client().get("/missing", headers={"Origin": "https://a.example"})
    assert response.status_code == 404
    assert response.get_data(as_text=True) == "custom"
    assert response.headers[ACAO] == "https://a.example"


def test_exceptions_still_propagate_in_testing_mode() -> None:
    app = make_app(TESTING=True)
    CORS(app)
    with pytest.raises(RuntimeError, match="boom"):
        app.test_client().get("/boom", headers={"Origin": "https://a.example"})


def test_interception_wraps_once_per_app_and_keeps_flasks_handlers() -> None:
    app = make_app()
    original = app.handle_user_exception
    CORS(app)
    CORS(app, origins="https://x.example")
    CORS(app, intercept_exceptions=False)
    wrapped = app.handle_user_exception
    assert wrapped.__wrapped__ == original  # type: ignore[attr-defined]
    assert len(app.extensions["fastcors"].intercepting) == 2


def build_two(module: types.ModuleType, intercept: bool) -> Flask:
    app = make_app()
    module.CORS(app, intercept_exceptions=intercept, expose_headers="X-First")
    module.CORS(app, intercept_exceptions=intercept, expose_headers="X-Second")
    return app


@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("path", ["/", "/missing", "/abort/500", "/boom"])
def test_error_ordering_of_several_objects_matches_flask_cors(intercept: bool, path: str) -> None:
    """With interception, Flask-CORS answers errors from handle_user_exception with the FIRST
    registered object; fastcors does the same (normal responses: the last registered)."""
    ours = lines(build_two(fastcors, intercept), path, Origin="https://a.example")
    theirs = lines(build_two(flask_cors, intercept), path, Origin="https://a.example")
    assert ours["access-control-expose-headers"] == theirs["access-control-expose-headers"]
    assert ours["status"] == theirs["status"]


def build_observed(module: types.ModuleType, intercept: bool, seen: list[str]) -> Flask:
    """An app whose error handler and after-request function record what CORS headers the
    response already has when they see it."""
    app = make_app()
    module.CORS(app, intercept_exceptions=intercept, origins=["https://a.example"])

    @app.errorhandler(404)
    def not_found(error: Exception) -> tuple[str, int]:
        @flask.after_this_request
        def callback(response: flask.Response) -> flask.Response:
            seen.append(f"callback:{response.headers.get(ACAO)}")
            return response

        return "custom", 404

    @app.after_request
    def observe(response: flask.Response) -> flask.Response:
        seen.append(f"after_request:{response.headers.get(ACAO)}")
        return response

    return app


def seen_as_with_flask_cors(
    build: Callable[[types.ModuleType, list[str]], Flask], path: str
) -> list[str]:
    """What the other code of ``build(module, seen)``'s app records of one request's response
    with fastcors, checked equal (and the CORS lines sent too) to what it records with
    Flask-CORS."""
    ours: list[str] = []
    theirs: list[str] = []
    out = lines(build(fastcors, ours), path, Origin="https://a.example")
    ref = lines(build(flask_cors, theirs), path, Origin="https://a.example")
    assert out == ref
    assert ours == theirs
    return ours


@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("path", ["/missing", "/abort/418", "/boom", "/"])
def test_what_other_functions_see_of_error_responses_matches_flask_cors(
    intercept: bool, path: str
) -> None:
    # With interception, the CORS headers are on an error response before any after-request
    # function (after_this_request ones included) sees it; without, only fastcors' own hook adds
    # them, after the functions registered later.
    ours = seen_as_with_flask_cors(lambda m, seen: build_observed(m, intercept, seen), path)
    assert ours


class RecordingFlask(Flask):
    """A Flask subclass whose finalizing methods record the CORS header they see."""

    seen: list[str]

    def make_response(self, rv: Any) -> flask.Response:
        response = super().make_response(rv)
        self.seen.append(f"make_response:{response.headers.get(ACAO)}")
        return response

    def process_response(self, response: flask.Response) -> flask.Response:
        self.seen.append(f"process_response:{response.headers.get(ACAO)}")
        return super().process_response(response)


def build_setup(module: types.ModuleType, setup: str, seen: list[str]) -> Flask:
    """An app in which something other than CORS looks at error responses: the CORS headers
    must be there when (and only when) Flask-CORS's are."""
    if setup == "subclass":
        app: Flask = RecordingFlask(__name__)
        app.seen = seen  # type: ignore[attr-defined]
    else:
        app = Flask(__name__)

    def observe(response: flask.Response) -> flask.Response:
        seen.append(f"after_request:{response.headers.get(ACAO)}")
        return response

    @app.route("/abort/<int:code>")
    def aborts(code: int) -> str:
        abort(code)

    blueprint = flask.Blueprint("bp", __name__, url_prefix="/bp")

    @blueprint.route("/abort")
    def bp_aborts() -> str:
        abort(418)

    if setup == "blueprint function":
        blueprint.after_request(observe)
    app.register_blueprint(blueprint)
    if setup == "app function before CORS":
        app.after_request(observe)
    module.CORS(app, origins=["https://a.example"])
    if setup == "second CORS object":
        module.CORS(app, origins=["https://a.example"], expose_headers="X-Second")
    if setup == "instance process_response":
        process_response = app.process_response

        def recording_process_response(response: flask.Response) -> flask.Response:
            seen.append(f"process_response:{response.headers.get(ACAO)}")
            return process_response(response)

        app.process_response = recording_process_response  # type: ignore[method-assign]
    if setup == "before_request registers a callback":

        @app.before_request
        def register() -> None:
            flask.after_this_request(observe)

    return app


ERROR_SETUPS = [
    "app function before CORS",
    "blueprint function",
    "second CORS object",
    "instance process_response",
    "subclass",
    "before_request registers a callback",
]


@pytest.mark.parametrize("setup", ERROR_SETUPS)
@pytest.mark.parametrize("path", ["/missing", "/abort/418", "/bp/abort", "/bp/missing"])
def test_what_other_code_sees_of_error_responses_matches_flask_cors(setup: str, path: str) -> None:
    # fastcors lets its after-request hook answer an error in interception's place only when
    # nothing could tell the difference; each setup here could, in some way.
    ours = seen_as_with_flask_cors(lambda m, seen: build_setup(m, setup, seen), path)
    # (a blueprint's functions only run for its own routes; two CORS objects differ in lines)
    observed = setup != "second CORS object" and (
        setup != "blueprint function" or path == "/bp/abort"
    )
    assert bool(ours) == observed


def returned_by_handle_user_exception(app: Flask, path: str) -> list[type]:
    """The types handle_user_exception (CORS's wrapper, if any) returns during one request."""
    returned: list[type] = []
    handle_user_exception = app.handle_user_exception

    def spy(e: Exception) -> Any:
        rv = handle_user_exception(e)
        returned.append(type(rv))
        return rv

    app.handle_user_exception = spy  # type: ignore[method-assign]
    assert lines(app, path, Origin="https://a.example")["access-control-allow-origin"] == [
        "https://a.example"
    ]
    return returned


def test_errors_are_converted_where_flask_converts_them_when_the_hook_answers_first() -> None:
    # The usual app: one CORS object, no other after-request function. Its hook is the first to
    # see the error response, so the wrapper returns Flask's own value unconverted, and the CORS
    # headers still arrive (checked in returned_by_handle_user_exception).
    app = make_app()
    CORS(app)
    assert returned_by_handle_user_exception(app, "/missing") == [NotFound]
    assert returned_by_handle_user_exception(app, "/abort/418") == [ImATeapot]

    # An after-request function registered later runs before the hook: the wrapper converts and
    # answers at once, as Flask-CORS does.
    app = make_app()
    CORS(app)

    @app.after_request
    def later(response: flask.Response) -> flask.Response:
        return response

    assert returned_by_handle_user_exception(app, "/missing") == [flask.Response]


def test_an_error_handled_before_the_first_request_does_not_fix_the_decision() -> None:
    # Before its first request an app may still get after-request functions; one registered
    # after CORS runs before CORS's hook, so from then on errors must be answered at once.
    def build(module: types.ModuleType, seen: list[str]) -> Flask:
        app = make_app()
        module.CORS(app)
        with app.test_request_context("/missing", headers={"Origin": "https://a.example"}):
            app.handle_user_exception(NotFound())

        @app.after_request
        def observe(response: flask.Response) -> flask.Response:
            seen.append(f"after_request:{response.headers.get(ACAO)}")
            return response

        return app

    assert seen_as_with_flask_cors(build, "/missing") == ["after_request:https://a.example"]


# -- resources -------------------------------------------------------------------------------------


def test_resource_dict_order_literal_then_slashes_then_length() -> None:
    app = make_app()
    CORS(
        app,
        resources={
            r"/api/*": {"expose_headers": "short"},
            r"/api/items/*": {"expose_headers": "longer"},
            r"/api/items/1": {"expose_headers": "literal"},
            re.compile(r"/.*"): {"expose_headers": "compiled catch-all"},
        },
    )

    def get(path: str) -> list[str] | None:
        return lines(app, path, Origin="https://a.example").get("access-control-expose-headers")

    assert get("/api/items/1") == ["literal"]
    assert get("/api/items/2") == ["longer"]
    assert get("/api/other") == ["short"]
    assert get("/") == ["compiled catch-all"]


def test_resource_list_keeps_its_order() -> None:
    app = make_app()
    CORS(app, resources=[r"/api/*", r"/api/items/1"], expose_headers="X")
    assert lines(app, "/api/items/1", Origin="https://a.example")[
        "access-control-expose-headers"
    ] == ["X"]


def test_literal_resource_is_exact_not_prefix() -> None:
    app = make_app()
    CORS(app, resources="/api/items/1")
    assert "access-control-allow-origin" in lines(app, "/api/items/1", Origin="https://a.example")
    assert "access-control-allow-origin" not in lines(
        app, "/api/items/12", Origin="https://a.example"
    )


def test_resource_paths_are_case_sensitive() -> None:
    app = make_app()
    CORS(app, resources=r"/api/*")

    @app.route("/API/x")
    def upper() -> str:
        return "x"

    assert "access-control-allow-origin" not in lines(app, "/API/x", Origin="https://a.example")


@pytest.mark.parametrize("count", [1, 10, 100])
def test_many_resources_pick_the_right_one(count: int) -> None:
    app = make_app()
    resources = {rf"/api/r{i}/.*": {"expose_headers": f"R{i}"} for i in range(count)}
    resources[r"/.*"] = {"expose_headers": "catch-all"}
    CORS(app, resources=resources)
    for i in {0, count // 2, count - 1}:
        assert lines(app, f"/api/r{i}/x", Origin="https://a.example")[
            "access-control-expose-headers"
        ] == [f"R{i}"]
    assert lines(app, f"/api/r{count}/x", Origin="https://a.example")[
        "access-control-expose-headers"
    ] == ["catch-all"]
