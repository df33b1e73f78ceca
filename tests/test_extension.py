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

import fastcors
from fastcors import CORS
from fastcors._flask import AppState

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


def test_every_path_that_reads_the_request() -> None:
    # Everything that reads the request (the hook, errors, blueprints, the decorator, its
    # automatic OPTIONS answer, sync and async) on one app.
    app = make_app()

    @app.route("/decorated")
    @fastcors.cross_origin(origins=["https://d.example"])
    def decorated() -> str:
        return "d"

    @app.route("/decorated-async")
    @fastcors.cross_origin(origins=["https://d.example"])
    async def decorated_async() -> str:
        return "d"

    blueprint = flask.Blueprint("bp", __name__, url_prefix="/bp")
    blueprint.add_url_rule("/x", "x", lambda: "x")
    CORS(blueprint, origins=["https://bp.example"])
    app.register_blueprint(blueprint)
    CORS(app, origins=["https://a.example"])
    for path in ("/decorated", "/decorated-async"):
        assert lines(app, path, Origin="https://d.example")["access-control-allow-origin"] == [
            "https://d.example"
        ]
        preflight = lines(
            app, path, "OPTIONS", Origin="https://d.example", Access_Control_Request_Method="GET"
        )
        assert preflight["status"] == ["200"]
        assert preflight["access-control-allow-methods"]
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


FLASK_METHODS = sorted(
    name for name, value in vars(Flask).items() if callable(value) and not name.startswith("__")
)


@pytest.mark.parametrize("intercept", [True, False])
def test_flasks_methods_are_never_replaced(intercept: bool) -> None:
    # ERRORS_IN_ORDER: whatever intercept_exceptions says, the app keeps Flask's own methods (a
    # replacement with a fixed signature is what broke Flask-CORS-style interception on Flask 3.2).
    app = make_app()
    before = {name: getattr(app, name) for name in FLASK_METHODS}
    CORS(app, intercept_exceptions=intercept)
    CORS(app, origins="https://x.example")
    assert [name for name in FLASK_METHODS if name in vars(app)] == []
    assert {name: getattr(app, name) for name in FLASK_METHODS} == before
    lines(app, "/missing", Origin="https://a.example")
    assert [name for name in FLASK_METHODS if name in vars(app)] == []


def build_two(module: types.ModuleType, intercept: bool) -> Flask:
    app = make_app()
    module.CORS(app, intercept_exceptions=intercept, expose_headers="X-First")
    module.CORS(app, intercept_exceptions=intercept, expose_headers="X-Second")
    return app


@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("path", ["/", "/missing", "/abort/500", "/boom"])
def test_several_objects_answer_errors_as_other_responses(intercept: bool, path: str) -> None:
    """ERRORS_IN_ORDER: the last registered object answers every response, errors included, as
    Flask-CORS does without interception; Flask-CORS's interception answers errors with the
    first registered object instead."""
    ours = lines(build_two(fastcors, intercept), path, Origin="https://a.example")
    plain = lines(build_two(flask_cors, False), path, Origin="https://a.example")
    intercepting = lines(build_two(flask_cors, True), path, Origin="https://a.example")
    assert ours == plain
    assert ours["access-control-expose-headers"] == ["X-Second"]
    if path in ("/missing", "/abort/500"):  # (an uncaught exception ends with the last one)
        assert intercepting["access-control-expose-headers"] == ["X-First"]
        assert intercepting["status"] == ours["status"]


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


Build = Callable[[types.ModuleType, bool, list[str]], Flask]


def seen_in_order(build: Build, path: str, intercept: bool = True) -> list[str]:
    """What the other code of ``build(module, intercept, seen)``'s app records of one request's
    response with fastcors, checked equal (and the CORS lines sent too) to what it records with
    Flask-CORS without interception (ERRORS_IN_ORDER), whatever ``intercept`` says."""
    ours: list[str] = []
    theirs: list[str] = []
    out = lines(build(fastcors, intercept, ours), path, Origin="https://a.example")
    ref = lines(build(flask_cors, False, theirs), path, Origin="https://a.example")
    assert out == ref
    assert ours == theirs
    return ours


def seen_by_flask_cors_interception(build: Build, path: str) -> list[str]:
    theirs: list[str] = []
    lines(build(flask_cors, True, theirs), path, Origin="https://a.example")
    return theirs


@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("path", ["/missing", "/abort/418", "/boom", "/"])
def test_other_functions_see_error_responses_as_other_responses(intercept: bool, path: str) -> None:
    # The after-request function registered after CORS runs first (Flask runs them
    # last-registered first), and so does an after_this_request function: neither sees the CORS
    # headers yet, for an error as for any other response.
    ours = seen_in_order(build_observed, path, intercept)
    assert ours
    assert all(entry.endswith(":None") for entry in ours)
    if path == "/missing":
        # Flask-CORS's interception adds them before any of these functions runs.
        assert seen_by_flask_cors_interception(build_observed, path) == [
            "callback:https://a.example",
            "after_request:https://a.example",
        ]


class RecordingFlask(Flask):
    """A Flask subclass whose finalizing methods record the CORS header they see."""

    seen: list[str]

    def make_response(self, rv: Any) -> flask.Response:
        response = super().make_response(rv)
        self.seen.append(f"make_response:{response.headers.get(ACAO)}")
        return response


def build_setup(setup: str) -> Build:
    """An app in which something other than CORS looks at error responses."""

    def build(module: types.ModuleType, intercept: bool, seen: list[str]) -> Flask:
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
        module.CORS(app, intercept_exceptions=intercept, origins=["https://a.example"])
        if setup == "second CORS object":
            module.CORS(app, origins=["https://a.example"], expose_headers="X-Second")
        if setup == "app function after CORS":
            app.after_request(observe)
        if setup == "before_request registers a callback":

            @app.before_request
            def register() -> None:
                flask.after_this_request(observe)

        return app

    return build


ERROR_SETUPS = [
    "app function before CORS",
    "app function after CORS",
    "blueprint function",
    "second CORS object",
    "subclass",
    "before_request registers a callback",
]


@pytest.mark.parametrize("setup", ERROR_SETUPS)
@pytest.mark.parametrize("path", ["/missing", "/abort/418", "/bp/abort", "/bp/missing"])
def test_what_other_code_sees_of_error_responses(setup: str, path: str) -> None:
    ours = seen_in_order(build_setup(setup), path)
    # Only a function registered on the app before CORS runs after its hook.
    expected = "after_request:https://a.example" if setup == "app function before CORS" else None
    if expected is not None:
        assert ours == [expected]
    else:
        assert all(entry.endswith(":None") for entry in ours)


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
