"""Where CORS applies: ``resources`` rules, the ``cross_origin`` decorator, ``CORS(blueprint)``,
and error responses."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

import pytest
from flask import Blueprint, Flask, abort

from fastcors import CORS, cross_origin

from .apps import add_echo_routes, files_app, new_app, submit_app
from .harness import (
    NO_ALLOW_ORIGIN,
    PREFLIGHT_NO_ALLOW_ORIGIN,
    Origins,
    Serve,
    Tab,
    assert_blocked,
    assert_readable,
)

pytestmark = pytest.mark.browser


# ---------------------------------------------------------------------------- resources


def test_resources_rules(tab: Tab, serve: Serve, origins: Origins) -> None:
    app = new_app("/api/items", "/public/logo", "/private/keys")
    CORS(
        app,
        resources={
            r"/api/*": {"origins": [origins.home]},
            re.compile(r"/public/.*"): {"origins": "*", "send_wildcard": True},
        },
    )
    api = serve(app)

    tab.open(origins.home)
    assert_readable(tab.fetch(api.url("/api/items")), api)
    assert_readable(tab.fetch(api.url("/public/logo")), api)
    # Outside every resource: no CORS headers at all, so Chromium blocks it.
    assert_blocked(tab.fetch(api.url("/private/keys")), NO_ALLOW_ORIGIN, api)
    assert api.last("GET", "/private/keys").cors_headers() == {}

    tab.open(origins.elsewhere)
    assert_blocked(tab.fetch(api.url("/api/items")), NO_ALLOW_ORIGIN, api)
    assert_readable(tab.fetch(api.url("/public/logo")), api)
    assert api.last("GET", "/public/logo").header("Access-Control-Allow-Origin") == "*"

    # A preflight outside the resources fails, and the real request is never sent.
    tab.open(origins.home)
    assert_blocked(tab.fetch(api.url("/private/keys"), "DELETE"), PREFLIGHT_NO_ALLOW_ORIGIN, api)
    assert api.count("DELETE") == 0


def test_resource_options_override_keyword_arguments(
    tab: Tab, serve: Serve, origins: Origins
) -> None:
    app = new_app("/api/items", "/admin/users")
    CORS(
        app,
        origins=[origins.home, origins.elsewhere],
        resources={r"/api/*": {}, r"/admin/*": {"origins": [origins.home]}},
    )
    api = serve(app)

    tab.open(origins.elsewhere)
    assert_readable(tab.fetch(api.url("/api/items")), api)
    assert_blocked(tab.fetch(api.url("/admin/users")), NO_ALLOW_ORIGIN, api)


# ---------------------------------------------------------------------------- decorator


def decorated_app(origins: Origins, asynchronous: bool) -> tuple[Flask, list[str]]:
    app = Flask(__name__)
    calls: list[str] = []
    options = {"origins": [origins.home], "allow_headers": ["X-Token"], "methods": ["GET", "PUT"]}

    async def async_view() -> str:
        await asyncio.sleep(0)
        calls.append("deco")
        return "decorated"

    def sync_view() -> str:
        calls.append("deco")
        return "decorated"

    view = cross_origin(**options)(async_view if asynchronous else sync_view)
    app.add_url_rule("/deco", view_func=view, methods=["GET", "PUT"])

    @app.get("/plain")
    def plain() -> str:
        calls.append("plain")
        return "plain"

    return app, calls


@pytest.mark.parametrize("asynchronous", [False, True], ids=["def", "async-def"])
def test_cross_origin_decorator(
    tab: Tab, serve: Serve, origins: Origins, asynchronous: bool
) -> None:
    app, calls = decorated_app(origins, asynchronous)
    api = serve(app)

    tab.open(origins.home)
    assert assert_readable(tab.fetch(api.url("/deco")), api).body == "decorated"
    put = assert_readable(tab.fetch(api.url("/deco"), "PUT", {"X-Token": "t"}), api)
    assert put.body == "decorated"
    # automatic_options: the preflight was answered without running the view.
    assert api.count("OPTIONS", "/deco") == 1
    assert calls == ["deco", "deco"]

    assert_blocked(tab.fetch(api.url("/deco"), "PUT", {"X-Other": "o"}), "x-other", api)
    assert api.count("PUT") == 1
    # An undecorated view of the same app has no CORS.
    assert_blocked(tab.fetch(api.url("/plain")), NO_ALLOW_ORIGIN, api)

    tab.open(origins.elsewhere)
    assert_blocked(tab.fetch(api.url("/deco")), NO_ALLOW_ORIGIN, api)


def test_decorator_takes_priority_over_extension(tab: Tab, serve: Serve, origins: Origins) -> None:
    app = new_app("/open")
    CORS(app)  # every origin

    @app.get("/closed")
    @cross_origin(origins=[origins.home])
    def closed() -> str:
        return "closed"

    api = serve(app)

    tab.open(origins.elsewhere)
    assert_readable(tab.fetch(api.url("/open")), api)
    assert_blocked(tab.fetch(api.url("/closed")), NO_ALLOW_ORIGIN, api)
    tab.open(origins.home)
    assert_readable(tab.fetch(api.url("/closed")), api)


# ---------------------------------------------------------------------------- blueprints


def blueprint_app(bp_setup: Callable[[Flask, Blueprint], object]) -> Flask:
    app = Flask(__name__)
    bp = Blueprint("v1", __name__, url_prefix="/v1")
    add_echo_routes(bp, "/items")
    bp_setup(app, bp)
    app.register_blueprint(bp)
    add_echo_routes(app, "/outside")
    return app


def test_blueprint(tab: Tab, serve: Serve, origins: Origins) -> None:
    app = blueprint_app(lambda app, bp: CORS(bp, origins=[origins.home]))
    api = serve(app)

    tab.open(origins.home)
    assert_readable(tab.fetch(api.url("/v1/items")), api)
    assert_readable(tab.fetch(api.url("/v1/items"), "PUT", {"X-Token": "t"}), api)
    # Routes outside the blueprint get nothing from it.
    assert_blocked(tab.fetch(api.url("/outside")), NO_ALLOW_ORIGIN, api)

    tab.open(origins.elsewhere)
    assert_blocked(tab.fetch(api.url("/v1/items")), NO_ALLOW_ORIGIN, api)


def test_blueprint_honours_app_config(tab: Tab, serve: Serve, origins: Origins) -> None:
    """BLUEPRINT_CONFIG: ``CORS(bp)`` takes the app's ``CORS_ORIGINS`` (Flask-CORS would admit
    every origin here)."""

    def setup(app: Flask, bp: Blueprint) -> None:
        app.config["CORS_ORIGINS"] = [origins.home]
        CORS(bp)

    api = serve(blueprint_app(setup))

    tab.open(origins.home)
    assert_readable(tab.fetch(api.url("/v1/items")), api)
    tab.open(origins.elsewhere)
    assert_blocked(tab.fetch(api.url("/v1/items")), NO_ALLOW_ORIGIN, api)


# ---------------------------------------------------------------------------- errors


def failing_app() -> Flask:
    app = Flask(__name__)

    @app.route("/crash", methods=["GET", "PUT"])
    def crash() -> str:
        raise RuntimeError("boom")

    @app.get("/abort")
    def aborted() -> str:
        abort(500)

    @app.get("/teapot")
    def teapot() -> tuple[str, int]:
        return "short and stout", 418

    return app


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        pytest.param("GET", "/missing", {}, 404, id="404"),
        pytest.param("GET", "/crash", {}, 500, id="500-exception"),
        pytest.param("PUT", "/crash", {"X-Token": "t"}, 500, id="500-preflighted"),
        pytest.param("GET", "/abort", {}, 500, id="500-abort"),
        pytest.param("GET", "/teapot", {}, 418, id="418-view"),
    ],
)
def test_error_status_is_readable(
    tab: Tab,
    serve: Serve,
    origins: Origins,
    method: str,
    path: str,
    headers: dict[str, str],
    status: int,
) -> None:
    app = failing_app()
    CORS(app, origins=[origins.home])
    api = serve(app)

    tab.open(origins.home)
    result = assert_readable(tab.fetch(api.url(path), method, headers), api)
    assert result.status == status
    assert api.last(method, path).status == status


def test_error_response_is_unreadable_from_refused_origin(
    tab: Tab, serve: Serve, origins: Origins
) -> None:
    app = failing_app()
    CORS(app, origins=[origins.home])
    api = serve(app)

    tab.open(origins.elsewhere)
    assert_blocked(tab.fetch(api.url("/crash")), NO_ALLOW_ORIGIN, api)
    assert api.last("GET", "/crash").status == 500


# ---------------------------------------------------------------------------- intended differences


def test_resources_match_the_path_as_routed(tab: Tab, serve: Serve, origins: Origins) -> None:
    """PATH_ONCE: ``/files/%2573ecret`` is routed as ``/files/%73ecret``, which is not the
    ``/files/secret`` resource (Flask-CORS decodes it a second time and applies that resource's
    CORS: test_sensitivity.py)."""
    app = files_app()
    CORS(app, resources={"/files/secret": {"origins": "*"}})
    api = serve(app)
    tab.open(origins.elsewhere)

    assert_readable(tab.fetch(api.url("/files/secret")), api)
    assert_blocked(tab.fetch(api.url("/files/%2573ecret")), NO_ALLOW_ORIGIN, api)
    assert api.last("GET", "/files/%73ecret").cors_headers() == {}


def test_preflight_never_runs_a_post_only_view(tab: Tab, serve: Serve, origins: Origins) -> None:
    """PREFLIGHT_NO_VIEW: with ``CORS_AUTOMATIC_OPTIONS = False`` in the app config, the preflight
    of a POST-only decorated view is answered without running the view (Flask-CORS runs it:
    test_sensitivity.py)."""
    app, calls = submit_app(origins.home, cross_origin)
    api = serve(app)
    tab.open(origins.home)

    result = tab.fetch(api.url("/submit"), "POST", {"Content-Type": "application/json"}, "{}")
    assert assert_readable(result, api).body == "submitted"
    assert api.count("OPTIONS", "/submit") == 1
    assert calls == ["POST"]
