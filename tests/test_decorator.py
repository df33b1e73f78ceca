"""The cross_origin decorator: options, automatic OPTIONS, async views, and the extension."""

from __future__ import annotations

import inspect
from typing import Any

from flask import Blueprint, Flask, jsonify

from fastcors import CORS, cross_origin

from .helpers import cors_lines, header_dict


def lines(app: Flask, path: str, method: str = "GET", **headers: str) -> dict[str, list[str]]:
    response = app.test_client().open(
        path, method=method, headers={k.replace("_", "-"): v for k, v in headers.items()}
    )
    out = {"status": [str(response.status_code)], "body": [response.get_data(as_text=True)]}
    if "Allow" in response.headers:  # Flask lists the methods in set order
        out["allow"] = sorted(m.strip() for m in response.headers["Allow"].split(","))
    return {**out, **header_dict(cors_lines(response.headers.items()))}


def test_defaults() -> None:
    app = Flask(__name__)

    @app.route("/")
    @cross_origin()
    def index() -> str:
        return "ok"

    assert lines(app, "/", Origin="https://a.example") == {
        "status": ["200"],
        "body": ["ok"],
        "access-control-allow-origin": ["https://a.example"],
        "vary": ["Origin"],
    }


def test_automatic_options_answers_without_calling_the_view() -> None:
    app = Flask(__name__)
    calls: list[str] = []

    @app.route("/", methods=["POST"])
    @cross_origin(origins="https://a.example", max_age=60)
    def index() -> str:
        calls.append("called")
        return "ok"

    out = lines(
        app, "/", "OPTIONS", Origin="https://a.example", Access_Control_Request_Method="POST"
    )
    assert out["status"] == ["200"]
    assert out["allow"] == ["OPTIONS", "POST"]
    assert out["access-control-allow-origin"] == ["https://a.example"]
    assert out["access-control-max-age"] == ["60"]
    assert calls == []


def test_automatic_options_off_in_kwargs_leaves_flasks_reply() -> None:
    app = Flask(__name__)

    @app.route("/", methods=["POST"])
    @cross_origin(automatic_options=False)
    def index() -> str:
        return "ok"

    out = lines(
        app, "/", "OPTIONS", Origin="https://a.example", Access_Control_Request_Method="POST"
    )
    assert out["status"] == ["200"]
    assert "access-control-allow-origin" not in out


def test_declared_options_with_automatic_options_off_calls_the_view() -> None:
    app = Flask(__name__)

    @app.route("/", methods=["POST", "OPTIONS"])
    @cross_origin(automatic_options=False)
    def index() -> str:
        return "view"

    out = lines(
        app, "/", "OPTIONS", Origin="https://a.example", Access_Control_Request_Method="POST"
    )
    assert out["body"] == ["view"]
    assert out["access-control-allow-origin"] == ["https://a.example"]


def test_precedence_defaults_config_kwargs() -> None:
    app = Flask(__name__)
    app.config.update(CORS_ORIGINS=["https://config.example"], CORS_EXPOSE_HEADERS="X-Config")

    @app.route("/config")
    @cross_origin()
    def from_config() -> str:
        return "ok"

    @app.route("/kwargs")
    @cross_origin(origins="https://kwargs.example")
    def from_kwargs() -> str:
        return "ok"

    assert lines(app, "/config", Origin="https://config.example")[
        "access-control-expose-headers"
    ] == ["X-Config"]
    assert "access-control-allow-origin" not in lines(
        app, "/kwargs", Origin="https://config.example"
    )
    out = lines(app, "/kwargs", Origin="https://kwargs.example")
    assert out["access-control-allow-origin"] == ["https://kwargs.example"]
    assert out["access-control-expose-headers"] == ["X-Config"]


def test_resolved_once_per_app() -> None:
    """Options resolve on the view's first request per app; later config changes do not apply."""
    view = cross_origin()(lambda: "ok")
    view.__name__ = "shared"
    apps = []
    for origin in ("https://one.example", "https://two.example"):
        app = Flask(__name__)
        app.config["CORS_ORIGINS"] = origin
        app.add_url_rule("/", view_func=view)
        apps.append(app)
    assert lines(apps[0], "/", Origin="https://one.example")["access-control-allow-origin"] == [
        "https://one.example"
    ]
    assert "access-control-allow-origin" not in lines(apps[1], "/", Origin="https://one.example")
    assert lines(apps[1], "/", Origin="https://two.example")["access-control-allow-origin"] == [
        "https://two.example"
    ]
    assert len(apps[0].extensions["fastcors"].views) == 1
    apps[0].config["CORS_ORIGINS"] = "https://changed.example"
    assert lines(apps[0], "/", Origin="https://one.example")["access-control-allow-origin"] == [
        "https://one.example"
    ]


def test_decorator_takes_priority_over_extension_even_when_refusing() -> None:
    app = Flask(__name__)
    CORS(app, origins="*", expose_headers="X-Extension")

    @app.route("/strict")
    @cross_origin(origins="https://only.example")
    def strict() -> str:
        return "ok"

    @app.route("/open")
    def open_() -> str:
        return "ok"

    refused = lines(app, "/strict", Origin="https://a.example")
    assert "access-control-allow-origin" not in refused
    assert "access-control-expose-headers" not in refused
    assert lines(app, "/open", Origin="https://a.example")["access-control-expose-headers"] == [
        "X-Extension"
    ]


def test_view_return_values_go_through_make_response() -> None:
    app = Flask(__name__)

    @app.route("/tuple")
    @cross_origin()
    def tuple_view() -> Any:
        return "created", 201, {"X-Own": "1"}

    @app.route("/json")
    @cross_origin()
    def json_view() -> Any:
        return jsonify(ok=True)

    response = app.test_client().get("/tuple", headers={"Origin": "https://a.example"})
    assert (response.status_code, response.headers["X-Own"]) == (201, "1")
    assert response.headers["Access-Control-Allow-Origin"] == "https://a.example"
    assert app.test_client().get("/json", headers={"Origin": "https://a.example"}).json == {
        "ok": True
    }


def test_stacked_decorators_inner_one_answers() -> None:
    app = Flask(__name__)

    @app.route("/")
    @cross_origin(expose_headers="X-Outer")
    @cross_origin(expose_headers="X-Inner")
    def index() -> str:
        return "ok"

    assert lines(app, "/", Origin="https://a.example")["access-control-expose-headers"] == [
        "X-Inner"
    ]


def test_wrapper_metadata_and_routing_attributes() -> None:
    def view() -> str:
        """Docstring."""
        return "ok"

    wrapped = cross_origin()(view)
    assert wrapped.__name__ == "view"
    assert wrapped.__doc__ == "Docstring."
    assert wrapped.__wrapped__ is view  # type: ignore[attr-defined]
    assert wrapped.provide_automatic_options is False  # type: ignore[attr-defined]
    assert wrapped.required_methods == {"OPTIONS"}  # type: ignore[attr-defined]
    assert not hasattr(view, "required_methods"), "the view itself is left untouched"
    plain = cross_origin(automatic_options=False)(view)
    assert not hasattr(plain, "required_methods")


def test_on_a_blueprint_view_registered_on_two_apps() -> None:
    blueprint = Blueprint("bp", __name__)

    @blueprint.route("/x")
    @cross_origin()
    def x() -> str:
        return "ok"

    for origin in ("https://one.example", "https://two.example"):
        app = Flask(__name__)
        app.config["CORS_ORIGINS"] = origin
        app.register_blueprint(blueprint, url_prefix="/bp")
        assert lines(app, "/bp/x", Origin=origin)["access-control-allow-origin"] == [origin]


# -- async views -------------------------------------------------------------------------------------


def test_async_view() -> None:
    import asgiref  # noqa: F401  (Flask's async support; the "test" extra installs it)

    app = Flask(__name__)
    calls: list[str] = []

    @app.route("/", methods=["GET", "POST"])
    @cross_origin(origins="https://a.example", expose_headers="X-Async")
    async def index() -> str:
        calls.append("called")
        return "async ok"

    # The decorator answers outside the view's event loop (the view runs through ensure_sync),
    # and keeps the view itself reachable.
    assert inspect.iscoroutinefunction(index.__wrapped__)  # type: ignore[attr-defined]
    out = lines(app, "/", Origin="https://a.example")
    assert out["body"] == ["async ok"]
    assert out["access-control-allow-origin"] == ["https://a.example"]
    assert out["access-control-expose-headers"] == ["X-Async"]
    preflight = lines(
        app, "/", "OPTIONS", Origin="https://a.example", Access_Control_Request_Method="POST"
    )
    assert preflight["access-control-allow-methods"]
    assert calls == ["called"]
