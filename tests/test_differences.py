"""The intended differences from Flask-CORS (SPEC.md), each shown side by side: the same app built
with Flask-CORS 6.0.x (run here, as the reference) and with fastcors."""

from __future__ import annotations

import re
import types
from collections.abc import Callable
from typing import Any

import flask_cors
import pytest
from flask import Blueprint, Flask

import fastcors

from .helpers import cors_lines, header_dict, vary_tokens

ACAO = "access-control-allow-origin"
ACAH = "access-control-allow-headers"
ACAM = "access-control-allow-methods"

Builder = Callable[[types.ModuleType], Flask]


def both(
    build: Builder,
    path: str,
    method: str = "GET",
    environ: dict[str, str] | None = None,
    **headers: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(Flask-CORS's response, fastcors's response), as {"status", "body", header: [values]}.

    ``environ`` sets raw WSGI keys, for values the test client refuses to send.
    """
    out = []
    for module in (flask_cors, fastcors):
        response = (
            build(module)
            .test_client()
            .open(
                path,
                method=method,
                headers={k.replace("_", "-"): v for k, v in headers.items()},
                environ_overrides=environ or {},
            )
        )
        lines = cors_lines(response.headers.items())
        out.append(
            {
                "status": response.status_code,
                "body": response.get_data(as_text=True),
                "vary": vary_tokens(response.headers.items()),
                **header_dict(line for line in lines if line[0].lower() != "vary"),
            }
        )
    return out[0], out[1]


def simple_app(module: types.ModuleType, **options: Any) -> Flask:
    app = Flask(__name__)

    @app.route("/", methods=["GET", "POST", "PUT"])
    def index() -> str:
        return "ok"

    module.CORS(app, **options)
    return app


# ORIGIN_FULLMATCH ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "attack", "legit"),
    [
        (r"https://.*\.example\.com", "https://a.example.com.evil.net", "https://a.example.com"),
        (
            re.compile(r"https://app\.example\.com"),
            "https://app.example.com.evil.net",
            "https://app.example.com",
        ),
        (
            r"https://(www\.)?example\.com",
            "https://example.com:8443@evil",
            "https://www.example.com",
        ),
    ],
)
def test_origin_fullmatch(pattern: Any, attack: str, legit: str) -> None:
    build = lambda m: simple_app(m, origins=[pattern])  # noqa: E731
    theirs, ours = both(build, "/", Origin=attack)
    assert theirs[ACAO] == [attack], "Flask-CORS admits the prefix match"
    assert ACAO not in ours
    theirs, ours = both(build, "/", Origin=legit)
    assert theirs[ACAO] == ours[ACAO] == [legit]


# VARY_ALL ---------------------------------------------------------------------------------------------


def test_vary_all_refused_origin() -> None:
    build = lambda m: simple_app(m, origins=["https://a.example", "https://b.example"])  # noqa: E731
    theirs, ours = both(build, "/", Origin="https://evil.example")
    assert theirs["vary"] == [] and ACAO not in theirs
    assert ours["vary"] == ["origin"] and ACAO not in ours


def test_vary_all_no_origin_with_default_wildcard() -> None:
    theirs, ours = both(simple_app, "/")
    assert theirs[ACAO] == ours[ACAO] == ["*"]
    assert theirs["vary"] == []
    assert ours["vary"] == ["origin"]


def test_vary_all_preflight_with_unknown_method_and_errors() -> None:
    theirs, ours = both(simple_app, "/missing", Origin="https://a.example")
    assert theirs["status"] == ours["status"] == 404
    assert theirs["vary"] == ours["vary"] == ["origin"]
    build = lambda m: simple_app(m, origins=["https://a.example", "https://b.example"])  # noqa: E731
    theirs, ours = both(build, "/missing")
    assert ours["vary"] == ["origin"]


def test_vary_all_does_not_repeat_origin() -> None:
    def build(module: types.ModuleType) -> Flask:
        app = simple_app(module)

        @app.route("/own-vary")
        def own_vary() -> Any:
            return "x", 200, {"Vary": "Origin"}

        return app

    theirs, ours = both(build, "/own-vary", Origin="https://a.example")
    assert theirs["vary"] == ["origin", "origin"]
    assert ours["vary"] == ["origin"]


def test_vary_all_not_for_send_wildcard_nor_single_literal() -> None:
    for options in ({"send_wildcard": True}, {"origins": "https://a.example"}):
        for headers in ({"Origin": "https://a.example"}, {"Origin": "https://z.example"}, {}):
            theirs, ours = both(lambda m, o=options: simple_app(m, **o), "/", **headers)
            assert theirs == ours


def test_vary_all_leaves_unmatched_responses_alone() -> None:
    build = lambda m: simple_app(m, resources=r"/api/*")  # noqa: E731
    theirs, ours = both(build, "/", Origin="https://a.example")
    assert theirs == ours
    assert ours["vary"] == []


# METHOD_TOKEN -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("requested", ["ET", "GET, HEAD", " GET", "T, P", "ATC"])
def test_method_token(requested: str) -> None:
    theirs, ours = both(
        simple_app,
        "/",
        "OPTIONS",
        Origin="https://a.example",
        Access_Control_Request_Method=requested,
    )
    assert ACAM in theirs, "Flask-CORS takes a substring of the methods list"
    assert ACAM not in ours and ACAH not in ours
    assert theirs[ACAO] == ours[ACAO]


# PATH_ONCE --------------------------------------------------------------------------------------------


def path_app(module: types.ModuleType) -> Flask:
    app = Flask(__name__)

    @app.route("/files/<path:name>")
    def files(name: str) -> str:
        return name

    module.CORS(app, resources={"/files/secret": {"origins": "*"}}, origins=[])
    return app


def test_path_once() -> None:
    # The client sends /files/%2573ecret; the server decodes it once: Flask routes /files/%73ecret.
    theirs, ours = both(path_app, "/files/%2573ecret", Origin="https://a.example")
    assert theirs["body"] == ours["body"] == "%73ecret"
    assert theirs[ACAO] == ["https://a.example"], (
        "Flask-CORS decodes again and matches /files/secret"
    )
    assert ACAO not in ours
    theirs, ours = both(path_app, "/files/secret", Origin="https://a.example")
    assert theirs[ACAO] == ours[ACAO] == ["https://a.example"]


# RESOURCE_ORDER ---------------------------------------------------------------------------------------


def order_app(module: types.ModuleType) -> Flask:
    app = Flask(__name__)

    @app.route("/api/admin/users")
    def admin() -> str:
        return "admin"

    module.CORS(
        app,
        resources={
            re.compile(r"/api/.*"): {"origins": "*"},
            r"/api/admin/.*": {"origins": "https://admin.example"},
        },
    )
    return app


def test_resource_order() -> None:
    theirs, ours = both(order_app, "/api/admin/users", Origin="https://evil.example")
    assert theirs[ACAO] == ["https://evil.example"], "Flask-CORS lets the compiled catch-all win"
    assert ACAO not in ours
    theirs, ours = both(order_app, "/api/admin/users", Origin="https://admin.example")
    assert ours[ACAO] == ["https://admin.example"]


# HEADERS_BOUNDED -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "flask_cors_answer", "fastcors_answer"),
    [
        ("X-A,,X-B,", [", , X-A, X-B"], ["X-A, X-B"]),
        ("X-A, bad header, X-B", ["X-A, X-B, bad header"], ["X-A, X-B"]),
        ("x-a\x0b,x-b", ["x-a, x-b"], ["x-b"]),
        ("a," * 4000, [", " + ", ".join(["a"] * 4000)], None),
        ("," * 8192, [", " * 8192], None),
        (",".join(f"x-{i}" for i in range(65)), None, None),
    ],
)
def test_headers_bounded(
    requested: str, flask_cors_answer: list[str] | None, fastcors_answer: list[str] | None
) -> None:
    build = lambda m: simple_app(m, allow_headers="*")  # noqa: E731
    theirs, ours = both(
        build,
        "/",
        "OPTIONS",
        Origin="https://a.example",
        Access_Control_Request_Method="PUT",
        Access_Control_Request_Headers=requested,
    )
    if flask_cors_answer is not None:
        assert theirs.get(ACAH) == flask_cors_answer
    else:
        assert ACAH in theirs
    assert ours.get(ACAH) == fastcors_answer
    assert ours[ACAM] == theirs[ACAM]


# BLUEPRINT_CONFIG -------------------------------------------------------------------------------------


def blueprint_app(module: types.ModuleType) -> Flask:
    bp = Blueprint("api", __name__)

    @bp.route("/items")
    def items() -> str:
        return "items"

    module.CORS(bp)
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = ["https://a.example"]
    app.register_blueprint(bp, url_prefix="/api")
    return app


def test_blueprint_config() -> None:
    theirs, ours = both(blueprint_app, "/api/items", Origin="https://evil.example")
    assert theirs[ACAO] == ["https://evil.example"], (
        "Flask-CORS ignores the app config on blueprints"
    )
    assert ACAO not in ours
    theirs, ours = both(blueprint_app, "/api/items", Origin="https://a.example")
    assert theirs[ACAO] == ours[ACAO] == ["https://a.example"]


# PREFLIGHT_NO_VIEW ------------------------------------------------------------------------------------


def test_preflight_no_view() -> None:
    calls: list[str] = []

    def build(module: types.ModuleType) -> Flask:
        app = Flask(__name__)
        app.config["CORS_AUTOMATIC_OPTIONS"] = False

        @app.route("/transfer", methods=["POST"])
        @module.cross_origin()
        def transfer() -> str:
            calls.append(module.__name__)
            return "transferred"

        return app

    theirs, ours = both(
        build,
        "/transfer",
        "OPTIONS",
        Origin="https://a.example",
        Access_Control_Request_Method="POST",
    )
    assert calls == ["flask_cors"], "Flask-CORS runs the POST view's body for a preflight"
    assert theirs["body"] == "transferred"
    assert ours["status"] == 200 and ours["body"] == ""
    assert ours[ACAO] == ["https://a.example"] and ACAM in ours


def test_preflight_no_view_keeps_declared_options_and_explicit_kwarg() -> None:
    def build(module: types.ModuleType, declared: bool, explicit: bool) -> Flask:
        app = Flask(__name__)
        app.config["CORS_AUTOMATIC_OPTIONS"] = False
        kwargs = {"automatic_options": False} if explicit else {}

        @app.route("/x", methods=["POST", "OPTIONS"] if declared else ["POST"])
        @module.cross_origin(**kwargs)
        def x() -> str:
            return "view"

        return app

    for declared, explicit in [(True, False), (True, True), (False, True)]:
        theirs, ours = both(
            lambda m, d=declared, e=explicit: build(m, d, e),
            "/x",
            "OPTIONS",
            Origin="https://a.example",
            Access_Control_Request_Method="POST",
        )
        assert theirs == ours, (declared, explicit)


# Per request, rule 7: control characters ---------------------------------------------------------


@pytest.mark.parametrize(
    "origin", ["https://a.example\tx", "https://a\x00.example", "https://a.example\x1b"]
)
def test_origin_with_control_characters_is_refused(origin: str) -> None:
    theirs, ours = both(simple_app, "/", Origin=origin)
    assert theirs[ACAO] == [origin], "Flask-CORS echoes it under '*'"
    assert ACAO not in ours
    assert ours["status"] == 200


def test_origin_with_newline_is_refused_without_an_error() -> None:
    environ = {"HTTP_ORIGIN": "https://a.example\r\nSet-Cookie: x=1"}
    # Flask-CORS echoes it; Werkzeug refuses the header value and the error escapes the app
    # (a WSGI server answers 500).
    with pytest.raises(ValueError, match="newline"):
        simple_app(flask_cors).test_client().get("/", environ_overrides=environ)
    response = simple_app(fastcors).test_client().get("/", environ_overrides=environ)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
