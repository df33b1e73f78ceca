"""CORS(blueprint): prefixes, nesting, several apps, and the app config (BLUEPRINT_CONFIG)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Blueprint, Flask, abort

from fastcors import CORS, CORSConfigWarning

from .helpers import cors_lines, header_dict


def lines(app: Flask, path: str, method: str = "GET", **headers: str) -> dict[str, list[str]]:
    response = app.test_client().open(
        path, method=method, headers={k.replace("_", "-"): v for k, v in headers.items()}
    )
    return {
        "status": [str(response.status_code)],
        **header_dict(cors_lines(response.headers.items())),
    }


def blueprint(name: str = "api", **cors: Any) -> Blueprint:
    bp = Blueprint(name, __name__)

    @bp.route("/items")
    def items() -> str:
        return "items"

    @bp.route("/fail")
    def fail() -> str:
        abort(500)

    CORS(bp, **cors)
    return bp


def test_blueprint_routes_get_headers_others_do_not() -> None:
    app = Flask(__name__)

    @app.route("/plain")
    def plain() -> str:
        return "plain"

    app.register_blueprint(blueprint(origins="https://a.example"), url_prefix="/api")
    assert lines(app, "/api/items", Origin="https://a.example")["access-control-allow-origin"] == [
        "https://a.example"
    ]
    assert "access-control-allow-origin" not in lines(app, "/plain", Origin="https://a.example")
    # errors raised inside the blueprint's views are covered; unrouted paths under the prefix are
    # not (no blueprint is involved in a 404), as in Flask-CORS
    assert lines(app, "/api/fail", Origin="https://a.example")["access-control-allow-origin"] == [
        "https://a.example"
    ]
    assert "access-control-allow-origin" not in lines(
        app, "/api/missing", Origin="https://a.example"
    )


def test_nested_blueprints() -> None:
    parent = Blueprint("parent", __name__)
    child = blueprint("child", expose_headers="X-Child")
    parent.register_blueprint(child, url_prefix="/child")
    app = Flask(__name__)
    app.register_blueprint(parent, url_prefix="/parent")
    out = lines(app, "/parent/child/items", Origin="https://a.example")
    assert out["access-control-expose-headers"] == ["X-Child"]


def test_parent_blueprint_cors_covers_child_routes() -> None:
    parent = Blueprint("parent", __name__)
    CORS(parent, expose_headers="X-Parent")
    child = Blueprint("child", __name__)

    @child.route("/x")
    def x() -> str:
        return "x"

    parent.register_blueprint(child, url_prefix="/child")
    app = Flask(__name__)
    app.register_blueprint(parent, url_prefix="/parent")
    assert lines(app, "/parent/child/x", Origin="https://a.example")[
        "access-control-expose-headers"
    ] == ["X-Parent"]


def test_app_config_applies_per_app() -> None:
    """BLUEPRINT_CONFIG: the blueprint honours the CORS_* config of each app it is registered on."""
    bp = blueprint()
    one, two = Flask(__name__), Flask(__name__)
    one.config["CORS_ORIGINS"] = ["https://one.example"]
    two.config.update(CORS_ORIGINS=["https://two.example"], CORS_MAX_AGE=30)
    one.register_blueprint(bp, url_prefix="/api")
    two.register_blueprint(bp, url_prefix="/api")
    assert lines(one, "/api/items", Origin="https://one.example")[
        "access-control-allow-origin"
    ] == ["https://one.example"]
    assert "access-control-allow-origin" not in lines(
        one, "/api/items", Origin="https://two.example"
    )
    out = lines(
        two,
        "/api/items",
        "OPTIONS",
        Origin="https://two.example",
        Access_Control_Request_Method="GET",
    )
    assert out["access-control-max-age"] == ["30"]


def test_kwargs_override_app_config() -> None:
    app = Flask(__name__)
    app.config.update(CORS_ORIGINS=["https://config.example"], CORS_EXPOSE_HEADERS="X-Config")
    app.register_blueprint(blueprint(origins="https://kwarg.example"), url_prefix="/api")
    out = lines(app, "/api/items", Origin="https://kwarg.example")
    assert out["access-control-allow-origin"] == ["https://kwarg.example"]
    assert out["access-control-expose-headers"] == ["X-Config"]


def test_registered_twice_on_one_app_resolves_once() -> None:
    bp = blueprint()
    app = Flask(__name__)
    app.register_blueprint(bp, url_prefix="/v1")
    app.register_blueprint(bp, url_prefix="/v2", name="api_v2")
    assert len(app.extensions["fastcors"].blueprints) == 1
    for prefix in ("/v1", "/v2"):
        assert lines(app, prefix + "/items", Origin="https://a.example")[
            "access-control-allow-origin"
        ] == ["https://a.example"]


def test_own_kwargs_are_validated_at_once() -> None:
    bp = Blueprint("bad", __name__)
    with pytest.raises(ValueError, match="supports_credentials"):
        CORS(bp, supports_credentials=True, send_wildcard=True)


def test_invalid_combination_with_app_config_raises_at_registration() -> None:
    bp = blueprint(supports_credentials=True, origins="https://a.example")
    app = Flask(__name__)
    app.config.update(CORS_ORIGINS="*", CORS_SEND_WILDCARD=True)
    # kwargs origins win over the config's "*": valid
    app.register_blueprint(bp, url_prefix="/api")
    bp2 = blueprint("api2", send_wildcard=True)
    app2 = Flask(__name__)
    app2.config["CORS_SUPPORTS_CREDENTIALS"] = True
    with pytest.raises(ValueError, match="supports_credentials"):
        app2.register_blueprint(bp2, url_prefix="/api")


def test_warnings_once_per_app_that_registers() -> None:
    bp = blueprint(supports_credentials=True)  # with the default "*": dangerous
    for _ in range(2):
        app = Flask(__name__)
        with pytest.warns(CORSConfigWarning, match="supports_credentials") as record:
            app.register_blueprint(bp, url_prefix="/v1")
            app.register_blueprint(bp, url_prefix="/v2", name="again")
        assert len(record) == 1


def test_blueprint_and_app_extension_together() -> None:
    app = Flask(__name__)
    CORS(app, resources=r"/other/*", expose_headers="X-App")
    app.register_blueprint(blueprint(expose_headers="X-Blueprint"), url_prefix="/api")

    @app.route("/other/x")
    def other() -> str:
        return "x"

    assert lines(app, "/api/items", Origin="https://a.example")[
        "access-control-expose-headers"
    ] == ["X-Blueprint"]
    assert lines(app, "/other/x", Origin="https://a.example")["access-control-expose-headers"] == [
        "X-App"
    ]
