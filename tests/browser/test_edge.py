"""The edge (``CORS(app, edge="preflight" | "all")``): a WSGI middleware around ``app.wsgi_app``
that answers CORS preflights before Flask routes them, and under ``"all"`` adds the CORS lines of
actual responses in ``start_response``.

Every app here records what Flask itself handled (a ``before_request`` function registered first)
and what its views ran for, so each test can tell apart what Chromium did, what reached the server
(the :class:`~tests.browser.harness.Recorder` sits outside the edge) and what got past the edge
into Flask. Where Flask alone would fail a preflight (a ``before_request`` guard, no route, no
automatic OPTIONS, a strict-slashes redirect) the same app without the edge is the contrast case.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Blueprint, Flask, Response, request

from fastcors import CORS, cross_origin

from .harness import (
    NO_ALLOW_ORIGIN,
    NOT_ALLOWED_METHOD,
    PREFLIGHT_NO_ALLOW_ORIGIN,
    ApiServer,
    Exchange,
    FetchResult,
    Origins,
    Serve,
    Tab,
    assert_blocked,
    assert_readable,
)

pytestmark = pytest.mark.browser

#: The edge modes; ``False`` (where present) is plain ``CORS(app)``, Flask answering preflights.
EDGES = [pytest.param("preflight", id="edge-preflight"), pytest.param("all", id="edge-all")]
EDGES_AND_NONE = [pytest.param(False, id="no-edge"), *EDGES]

# Chromium's wording of the preflight failures Flask's own answers provoke.
PREFLIGHT_NOT_OK = (
    "Response to preflight request doesn't pass access control check: "
    "It does not have HTTP ok status."
)
PREFLIGHT_REDIRECT = "Redirect is not allowed for a preflight request."

TOKEN = "Bearer s3cret"


def edge_options(edge: str | bool) -> dict[str, Any]:
    """The keyword arguments that put ``edge`` on ``CORS(app)``: none for the contrast case."""
    return {"edge": edge} if edge else {}


class Tracked:
    """A Flask app that records, in order, each request Flask handled (``flask``: its
    ``before_request`` functions ran) and each request a view ran for (``views``)."""

    def __init__(self, app: Flask | None = None) -> None:
        self.app = app if app is not None else Flask(__name__)
        self.flask: list[str] = []
        self.views: list[str] = []
        self.app.before_request(self._record)

    def _record(self) -> None:
        self.flask.append(f"{request.method} {request.path}")

    def view(self) -> str:
        """A view function: records its request, answers ``"<METHOD> <path>"``."""
        line = f"{request.method} {request.path}"
        self.views.append(line)
        return line

    def route(self, target: Flask | Blueprint, rule: str, methods: list[str], **kw: Any) -> None:
        target.add_url_rule(rule, endpoint=rule, view_func=self.view, methods=methods, **kw)


def preflight(api: ApiServer, path: str) -> Exchange:
    """The one preflight for ``path`` that reached the server."""
    assert api.count("OPTIONS", path) == 1, api.log()
    return api.last("OPTIONS", path)


# ---------------------------------------------------------------------------- before_request


@pytest.mark.parametrize("edge", EDGES_AND_NONE)
def test_preflight_skips_before_request_guard(
    tab: Tab, serve: Serve, origins: Origins, edge: str | bool
) -> None:
    """An auth guard in ``before_request`` refuses the preflight (no Authorization on it): Flask
    answers 401 and Chromium fails the preflight. The edge answers it before the guard runs; the
    actual request, token included, then passes the guard and reaches the view."""
    tracked = Tracked()
    app = tracked.app
    guarded: list[str] = []

    @app.before_request
    def require_token() -> tuple[str, int] | None:
        guarded.append(request.method)
        if request.headers.get("Authorization") != TOKEN:
            return "unauthorized", 401
        return None

    # Registered before CORS(app): Flask runs it after fastcors' hook (if there is one).
    allow_origin_seen: list[str | None] = []

    @app.after_request
    def note_allow_origin(response: Response) -> Response:
        allow_origin_seen.append(response.headers.get("Access-Control-Allow-Origin"))
        return response

    tracked.route(app, "/private", ["GET"])
    CORS(app, origins=[origins.home], **edge_options(edge))
    api = serve(app)

    tab.open(origins.home)
    result = tab.fetch(api.url("/private"), headers={"Authorization": TOKEN})
    options = preflight(api, "/private")
    assert options.request_headers["access-control-request-headers"] == "authorization"

    if not edge:
        assert_blocked(result, PREFLIGHT_NOT_OK, api)
        assert options.status == 401
        assert guarded == ["OPTIONS"], "Flask ran the guard for the preflight"
        assert tracked.views == []
        assert api.count("GET") == 0, "the actual request must never be sent"
        return

    assert_readable(result, api)
    assert (result.status, result.body) == (200, "GET /private")
    assert options.status == 200
    assert options.header("Access-Control-Allow-Origin") == origins.home
    assert "authorization" in (options.header("Access-Control-Allow-Headers") or "")
    assert options.header("Allow") is None, "Flask's automatic OPTIONS answer has an Allow line"
    # The preflight never got into Flask: only the actual request ran the guard and the view.
    assert tracked.flask == ["GET /private"]
    assert guarded == ["GET"]
    assert tracked.views == ["GET /private"]
    assert api.last("GET", "/private").header("Access-Control-Allow-Origin") == origins.home
    # "preflight": fastcors' after-request hook added the line before the app's own hook ran;
    # "all": no hook, the edge adds it on the way out, after Flask is done.
    assert allow_origin_seen == ([origins.home] if edge == "preflight" else [None])

    # A wrong token: the (cached) preflight lets it go, the guard refuses it, and the page can
    # read the 401, which carries the CORS lines too.
    refused = assert_readable(tab.fetch(api.url("/private"), headers={"Authorization": "x"}), api)
    assert refused.status == 401
    assert tracked.views == ["GET /private"]
    assert api.count("OPTIONS") == 1


# ---------------------------------------------------------------------------- no route


@pytest.mark.parametrize("edge", EDGES_AND_NONE)
def test_preflight_for_path_without_route(
    tab: Tab, serve: Serve, origins: Origins, edge: str | bool
) -> None:
    """A resource policy covers ``/api/*``, but ``/api/missing`` has no route: Flask answers its
    preflight 404 and Chromium fails it. The edge answers the preflight; the actual request then
    gets Flask's 404, with its CORS lines, and the page reads that 404."""
    tracked = Tracked()
    app = tracked.app
    tracked.route(app, "/api/items", ["GET", "PUT"])
    tracked.route(app, "/other/items", ["GET", "PUT"])
    CORS(app, resources={r"/api/*": {"origins": [origins.home]}}, **edge_options(edge))
    api = serve(app)

    tab.open(origins.home)
    result = tab.fetch(api.url("/api/missing"), "PUT", {"X-Token": "t"}, body="{}")
    options = preflight(api, "/api/missing")

    if not edge:
        assert_blocked(result, PREFLIGHT_NOT_OK, api)
        assert options.status == 404
        assert tracked.flask == ["OPTIONS /api/missing"]
        assert api.count("PUT") == 0, "the actual request must never be sent"
        return

    assert_readable(result, api)
    assert result.status == 404
    assert "Not Found" in (result.body or "")
    assert options.status == 200
    assert options.header("Access-Control-Allow-Origin") == origins.home
    actual = api.last("PUT", "/api/missing")
    assert actual.status == 404
    assert actual.header("Access-Control-Allow-Origin") == origins.home
    assert tracked.flask == ["PUT /api/missing"], "the preflight must not get into Flask"
    assert tracked.views == []

    # Outside every resource the edge stands aside: Flask answers the preflight (404, no CORS
    # lines; Chromium reports the missing Allow-Origin first).
    outside = tab.fetch(api.url("/other/missing"), "PUT", {"X-Token": "t"})
    assert_blocked(outside, PREFLIGHT_NO_ALLOW_ORIGIN, api)
    assert (preflight(api, "/other/missing").status, tracked.flask[-1]) == (
        404,
        "OPTIONS /other/missing",
    )
    assert preflight(api, "/other/missing").cors_headers() == {}
    assert api.count("PUT", "/other/missing") == 0


# ---------------------------------------------------------------------------- no automatic OPTIONS


@pytest.mark.parametrize("edge", EDGES_AND_NONE)
def test_preflight_without_automatic_options(
    tab: Tab, serve: Serve, origins: Origins, edge: str | bool
) -> None:
    """``PROVIDE_AUTOMATIC_OPTIONS = False`` (Flask 3.1): a PUT-only route answers OPTIONS 405,
    which fails the preflight. The edge answers it, and the PUT reaches the view."""
    tracked = Tracked()
    app = tracked.app
    assert "PROVIDE_AUTOMATIC_OPTIONS" in app.config, "this Flask has no PROVIDE_AUTOMATIC_OPTIONS"
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False  # read by add_url_rule: set before routes
    tracked.route(app, "/upload", ["PUT"])
    rule = next(r for r in app.url_map.iter_rules() if r.rule == "/upload")
    assert "OPTIONS" not in (rule.methods or set())
    CORS(app, origins=[origins.home], **edge_options(edge))
    api = serve(app)

    tab.open(origins.home)
    result = tab.fetch(api.url("/upload"), "PUT", body="data")
    options = preflight(api, "/upload")

    if not edge:
        assert_blocked(result, PREFLIGHT_NOT_OK, api)
        assert options.status == 405
        assert tracked.flask == ["OPTIONS /upload"]
        assert tracked.views == []
        assert api.count("PUT") == 0, "the actual request must never be sent"
        return

    assert_readable(result, api)
    assert (result.status, result.body) == (200, "PUT /upload")
    assert options.status == 200
    assert options.header("Access-Control-Allow-Origin") == origins.home
    assert tracked.flask == ["PUT /upload"]
    assert tracked.views == ["PUT /upload"]


# ---------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("edge", EDGES)
def test_refused_origin_never_reaches_view(
    tab: Tab, serve: Serve, origins: Origins, edge: str
) -> None:
    """The edge answers a refused origin's preflight without Access-Control-Allow-Origin:
    Chromium fails it and never sends the actual request."""
    tracked = Tracked()
    app = tracked.app
    tracked.route(app, "/data", ["GET", "PUT"])
    CORS(app, origins=[origins.home], edge=edge)
    api = serve(app)

    tab.open(origins.elsewhere)
    assert_blocked(
        tab.fetch(api.url("/data"), "PUT", {"X-Token": "t"}), PREFLIGHT_NO_ALLOW_ORIGIN, api
    )
    options = preflight(api, "/data")
    assert options.status == 200, "answered at the edge (Flask never saw it)"
    assert options.request_headers["origin"] == origins.elsewhere
    assert options.cors_headers() == {}
    assert api.count("PUT") == 0, "the actual request must never be sent"
    assert tracked.flask == []
    assert tracked.views == []


@pytest.mark.parametrize("edge", EDGES)
def test_refused_method_never_reaches_view(
    tab: Tab, serve: Serve, origins: Origins, edge: str
) -> None:
    """``methods=["GET", "POST"]``: the edge's answer to a PUT preflight lists no methods, so
    Chromium refuses; a POST with a custom header from the same page passes."""
    tracked = Tracked()
    app = tracked.app
    tracked.route(app, "/data", ["GET", "POST", "PUT"])
    CORS(app, origins=[origins.home], methods=["GET", "POST"], edge=edge)
    api = serve(app)

    tab.open(origins.home)
    assert_blocked(tab.fetch(api.url("/data"), "PUT"), f"Method PUT {NOT_ALLOWED_METHOD}", api)
    options = preflight(api, "/data")
    assert options.status == 200
    assert "access-control-allow-methods" not in options.cors_headers()
    assert api.count("PUT") == 0, "the actual request must never be sent"
    assert tracked.flask == []
    assert tracked.views == []

    post = assert_readable(tab.fetch(api.url("/data"), "POST", {"X-Token": "t"}, body="{}"), api)
    assert post.body == "POST /data"
    assert api.count("OPTIONS", "/data") == 2
    assert tracked.flask == ["POST /data"]
    assert tracked.views == ["POST /data"]


# ---------------------------------------------------------------------------- preflight_status


@pytest.mark.parametrize("configured_by", ["keywords", "app-config"])
@pytest.mark.parametrize("edge", EDGES)
def test_preflight_status_204(
    tab: Tab, serve: Serve, origins: Origins, edge: str, configured_by: str
) -> None:
    """``preflight_status=204`` (or ``CORS_EDGE`` + ``CORS_PREFLIGHT_STATUS`` in the app config):
    the edge answers 204 No Content, which Chromium accepts as a preflight."""
    tracked = Tracked()
    app = tracked.app
    tracked.route(app, "/data", ["GET", "PATCH"])
    if configured_by == "keywords":
        CORS(app, origins=[origins.home], edge=edge, preflight_status=204)
    else:
        app.config["CORS_EDGE"] = edge
        app.config["CORS_PREFLIGHT_STATUS"] = 204
        app.config["CORS_ORIGINS"] = [origins.home]
        CORS(app)
    api = serve(app)

    tab.open(origins.home)
    result = assert_readable(tab.fetch(api.url("/data"), "PATCH", {"X-Token": "t"}), api)
    assert (result.status, result.body) == (200, "PATCH /data")
    options = preflight(api, "/data")
    assert options.status == 204
    assert options.header("Content-Length") is None
    assert options.header("Access-Control-Allow-Origin") == origins.home
    assert tracked.flask == ["PATCH /data"]
    assert tracked.views == ["PATCH /data"]


# ---------------------------------------------------------------------------- strict slashes


@pytest.mark.parametrize("edge", EDGES_AND_NONE)
def test_strict_slashes_redirect_after_preflight(
    tab: Tab, serve: Serve, origins: Origins, edge: str | bool
) -> None:
    """``/things/`` requested as ``/things``. Flask answers the preflight with its 308 redirect,
    and Chromium refuses to follow a redirect on a preflight. The edge answers the preflight
    (200, no redirect); the actual PUT then gets the 308, which carries the CORS lines, so
    Chromium follows it (a 308 keeps the method and body), preflighting the new URL (another edge
    answer), and the page reads the view's answer at ``/things/``."""
    tracked = Tracked()
    app = tracked.app
    tracked.route(app, "/things/", ["GET", "PUT"])
    CORS(app, resources={r"/things*": {"origins": [origins.home]}}, **edge_options(edge))
    api = serve(app)

    tab.open(origins.home)
    result = tab.fetch(api.url("/things"), "PUT", {"X-Token": "t"}, body="{}")
    options = preflight(api, "/things")

    if not edge:
        assert_blocked(result, PREFLIGHT_REDIRECT, api)
        assert options.status == 308
        assert tracked.flask == ["OPTIONS /things"]
        assert api.count("PUT") == 0, "the actual request must never be sent"
        return

    # The key point: the edge answered the preflight itself, 200, without routing it.
    assert options.status == 200
    assert options.header("Location") is None
    assert options.header("Access-Control-Allow-Origin") == origins.home
    redirect = api.last("PUT", "/things")
    assert redirect.status == 308
    assert redirect.header("Location") == api.url("/things/")
    assert redirect.header("Access-Control-Allow-Origin") == origins.home

    assert_readable(result, api)
    assert (result.status, result.body) == (200, "PUT /things/")
    assert preflight(api, "/things/").status == 200
    assert api.last("PUT", "/things/").header("Access-Control-Allow-Origin") == origins.home
    assert [(e.method, e.path, e.status) for e in api.exchanges] == [
        ("OPTIONS", "/things", 200),
        ("PUT", "/things", 308),
        ("OPTIONS", "/things/", 200),
        ("PUT", "/things/", 200),
    ]
    assert tracked.flask == ["PUT /things", "PUT /things/"]
    assert tracked.views == ["PUT /things/"]


# ---------------------------------------------------------------------------- view and blueprint


@pytest.mark.parametrize("edge", EDGES)
def test_cross_origin_view_and_blueprint_at_edge(
    tab: Tab, serve: Serve, origins: Origins, edge: str
) -> None:
    """The edge answers preflights with the policy the hooks would use: a ``cross_origin`` view's
    (origin ``home`` only) and a ``CORS(blueprint)``'s (origin ``elsewhere`` only); the app's own
    ``CORS(app, resources={})`` covers no path and only turns the edge on."""
    tracked = Tracked()
    app = tracked.app

    @app.route("/deco", methods=["GET", "PUT"])
    @cross_origin(origins=[origins.home])
    def deco() -> str:
        return tracked.view()

    bp = Blueprint("v1", __name__, url_prefix="/v1")
    tracked.route(bp, "/items", ["GET", "PUT"])
    CORS(bp, origins=[origins.elsewhere])
    app.register_blueprint(bp)
    CORS(app, resources={}, edge=edge)
    api = serve(app)

    def put(path: str) -> FetchResult:
        return tab.fetch(api.url(path), "PUT", {"X-Token": "t"}, body="{}")

    tab.open(origins.home)
    assert assert_readable(put("/deco"), api).body == "PUT /deco"
    assert_blocked(put("/v1/items"), PREFLIGHT_NO_ALLOW_ORIGIN, api)
    assert_blocked(tab.fetch(api.url("/v1/items")), NO_ALLOW_ORIGIN, api)

    tab.open(origins.elsewhere)
    assert assert_readable(put("/v1/items"), api).body == "PUT /v1/items"
    assert_blocked(put("/deco"), PREFLIGHT_NO_ALLOW_ORIGIN, api)
    assert_blocked(tab.fetch(api.url("/deco")), NO_ALLOW_ORIGIN, api)

    # Two preflights per path (one per page origin), all answered at the edge: Flask saw only
    # the actual requests, and of the PUTs only the allowed ones were sent.
    for path in ("/deco", "/v1/items"):
        assert api.count("OPTIONS", path) == 2, api.log()
        assert api.count("PUT", path) == 1, api.log()
        assert {e.status for e in api.exchanges if e.method == "OPTIONS"} == {200}
    assert tracked.flask == ["PUT /deco", "GET /v1/items", "PUT /v1/items", "GET /deco"]
    assert tracked.views == tracked.flask
    allowed = {
        ("/deco", origins.home): origins.home,
        ("/deco", origins.elsewhere): None,
        ("/v1/items", origins.home): None,
        ("/v1/items", origins.elsewhere): origins.elsewhere,
    }
    for exchange in api.exchanges:
        key = (exchange.path, exchange.request_headers["origin"])
        assert exchange.header("Access-Control-Allow-Origin") == allowed[key], api.log()
