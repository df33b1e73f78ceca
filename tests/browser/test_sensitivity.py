"""The browser tests can fail.

Each scenario of the first part runs twice, once as fastcors answers it and once with one CORS
header stripped from the responses on their way to Chromium (a fastcors that forgot that header),
and Chromium must tell the two apart.

The second part runs the scenarios of fastcors' intended differences (ORIGIN_FULLMATCH,
BLUEPRINT_CONFIG, VARY_ALL, PATH_ONCE, PREFLIGHT_NO_VIEW) against Flask-CORS, and shows that
Chromium does what fastcors prevents: the fastcors tests of those scenarios test a real
difference."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import flask_cors
import pytest
from flask import Blueprint, Flask, request

from fastcors import CORS

from .apps import add_echo_routes, cacheable_app, files_app, new_app, submit_app, with_headers
from .harness import (
    CREDENTIALS_NOT_TRUE,
    NO_ALLOW_ORIGIN,
    NOT_ALLOWED_HEADER,
    NOT_ALLOWED_METHOD,
    TRUSTED_PATTERN,
    ApiServer,
    Origins,
    Serve,
    Tab,
    assert_blocked,
    assert_readable,
)

pytestmark = pytest.mark.browser

ACAO = "Access-Control-Allow-Origin"
ACAH = "Access-Control-Allow-Headers"
ACAM = "Access-Control-Allow-Methods"
ACAC = "Access-Control-Allow-Credentials"
ACEH = "Access-Control-Expose-Headers"
ACMA = "Access-Control-Max-Age"


Build = Callable[[Origins], Flask]
Pair = Callable[[Build, str], tuple[ApiServer, ApiServer]]


@pytest.fixture
def intact_and_broken(serve: Serve, origins: Origins) -> Pair:
    """``pair(build, strip)``: serve two copies of the app ``build(origins)`` returns, one as is
    and one with the ``strip`` header removed from every response."""

    def pair(build: Build, strip: str) -> tuple[ApiServer, ApiServer]:
        return serve(build(origins)), serve(build(origins), strip=[strip])

    return pair


def simple_app(origins: Origins) -> Flask:
    app = new_app("/data")
    CORS(app, origins=[origins.home], allow_headers=["X-Token"], methods=["GET", "PUT"])
    return app


def test_without_allow_origin_chromium_blocks(
    tab: Tab, intact_and_broken: Pair, origins: Origins
) -> None:
    intact, broken = intact_and_broken(simple_app, ACAO)
    tab.open(origins.home)

    assert_readable(tab.fetch(intact.url("/data")), intact)
    assert_blocked(tab.fetch(broken.url("/data")), NO_ALLOW_ORIGIN, broken)


def test_without_allow_headers_chromium_blocks(
    tab: Tab, intact_and_broken: Pair, origins: Origins
) -> None:
    intact, broken = intact_and_broken(simple_app, ACAH)
    tab.open(origins.home)

    assert_readable(tab.fetch(intact.url("/data"), "PUT", {"X-Token": "t"}), intact)
    result = tab.fetch(broken.url("/data"), "PUT", {"X-Token": "t"})
    assert_blocked(result, f"Request header field x-token {NOT_ALLOWED_HEADER}", broken)
    assert (intact.count("PUT"), broken.count("PUT")) == (1, 0)


def test_without_allow_methods_chromium_blocks(
    tab: Tab, intact_and_broken: Pair, origins: Origins
) -> None:
    intact, broken = intact_and_broken(simple_app, ACAM)
    tab.open(origins.home)

    assert_readable(tab.fetch(intact.url("/data"), "PUT"), intact)
    assert_blocked(
        tab.fetch(broken.url("/data"), "PUT"), f"Method PUT {NOT_ALLOWED_METHOD}", broken
    )
    assert (intact.count("PUT"), broken.count("PUT")) == (1, 0)


def test_without_allow_credentials_chromium_blocks(
    tab: Tab, intact_and_broken: Pair, origins: Origins
) -> None:
    def build(origins: Origins) -> Flask:
        app = Flask(__name__)

        @app.get("/whoami")
        def whoami() -> str:
            return request.cookies.get("session", "<no cookie>")

        CORS(app, origins=[origins.home], supports_credentials=True)
        return app

    intact, broken = intact_and_broken(build, ACAC)
    tab.open(origins.home)

    assert_readable(tab.fetch(intact.url("/whoami"), credentials="include"), intact)
    assert_blocked(
        tab.fetch(broken.url("/whoami"), credentials="include"), CREDENTIALS_NOT_TRUE, broken
    )


def test_without_expose_headers_the_header_is_unreadable(
    tab: Tab, intact_and_broken: Pair, origins: Origins
) -> None:
    def build(origins: Origins) -> Flask:
        app = Flask(__name__)
        app.add_url_rule("/headers", view_func=with_headers)
        CORS(app, origins=[origins.home], expose_headers=["X-Total-Count"])
        return app

    intact, broken = intact_and_broken(build, ACEH)
    tab.open(origins.home)

    assert assert_readable(tab.fetch(intact.url("/headers")), intact).headers.get("x-total-count")
    assert "x-total-count" not in assert_readable(tab.fetch(broken.url("/headers")), broken).headers


@pytest.mark.parametrize(
    ("max_age", "pause", "intact_preflights"),
    [
        pytest.param(datetime.timedelta(seconds=2), 3.0, 2, id="2s"),
        pytest.param("0", 0, 3, id="0"),
    ],
)
def test_without_max_age_chromium_caches_for_its_default(
    tab: Tab,
    intact_and_broken: Pair,
    origins: Origins,
    max_age: object,
    pause: float,
    intact_preflights: int,
) -> None:
    def build(origins: Origins) -> Flask:
        app = new_app("/data")
        CORS(app, origins=[origins.home], max_age=max_age)
        return app

    intact, broken = intact_and_broken(build, ACMA)
    tab.open(origins.home)
    for i in range(3):
        if i == 2:
            tab.pause(pause)
        for api in (intact, broken):
            assert_readable(tab.fetch(api.url("/data"), "PUT", {"X-Token": "t"}), api)

    # Without the header, Chromium caches the preflight for its default 5 seconds.
    assert (intact.count("OPTIONS"), broken.count("OPTIONS")) == (intact_preflights, 1)


# ---------------------------------------------------------------------------- against Flask-CORS
# These scenarios need no engine: run them once, not under both legs.


@pytest.mark.parametrize("engine", ["flask-cors"])
def test_flask_cors_admits_the_prefix_attack(
    tab: Tab, serve: Serve, origins: Origins, engine: str
) -> None:
    """The attack that test_origins.py sees refused works against Flask-CORS's start-anchored
    origin matching, in a real browser."""
    app = new_app("/data")
    flask_cors.CORS(app, origins=[TRUSTED_PATTERN])
    api = serve(app, fastcors=False)

    tab.open(origins.attack)
    assert_readable(tab.fetch(api.url("/data")), api)
    assert api.last("GET", "/data").header(ACAO) == origins.attack


@pytest.mark.parametrize("engine", ["flask-cors"])
def test_flask_cors_blueprint_ignores_app_config(
    tab: Tab, serve: Serve, origins: Origins, engine: str
) -> None:
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = [origins.home]
    bp = Blueprint("v1", __name__, url_prefix="/v1")
    add_echo_routes(bp, "/items")
    flask_cors.CORS(bp)
    app.register_blueprint(bp)
    api = serve(app, fastcors=False)

    tab.open(origins.elsewhere)
    assert_readable(tab.fetch(api.url("/v1/items")), api)


@pytest.mark.parametrize("engine", ["flask-cors"])
def test_flask_cors_cached_response_without_origin_blocks_cors_request(
    tab: Tab, serve: Serve, origins: Origins, engine: str
) -> None:
    """VARY_ALL: the ``no-cors`` response carries no ``Vary: Origin``, so Chromium answers the
    later CORS request from its cache, without CORS headers, and blocks it."""
    app = cacheable_app()
    flask_cors.CORS(app, origins=[TRUSTED_PATTERN])
    api = serve(app, fastcors=False)
    tab.open(origins.trusted)

    assert_readable(tab.fetch(api.url("/logo"), mode="no-cors"), api)
    assert api.last("GET", "/logo").header("Vary") is None
    assert_blocked(tab.fetch(api.url("/logo")), NO_ALLOW_ORIGIN, api)
    assert api.count("GET", "/logo") == 1  # never reached the server


@pytest.mark.parametrize("engine", ["flask-cors"])
def test_flask_cors_decodes_the_path_twice(
    tab: Tab, serve: Serve, origins: Origins, engine: str
) -> None:
    app = files_app()
    flask_cors.CORS(app, resources={"/files/secret": {"origins": "*"}})
    api = serve(app, fastcors=False)
    tab.open(origins.elsewhere)

    assert assert_readable(tab.fetch(api.url("/files/%2573ecret")), api).body == "file %73ecret"


@pytest.mark.parametrize("engine", ["flask-cors"])
def test_flask_cors_preflight_runs_a_post_only_view(
    tab: Tab, serve: Serve, origins: Origins, engine: str
) -> None:
    app, calls = submit_app(origins.home, flask_cors.cross_origin)
    api = serve(app, fastcors=False)
    tab.open(origins.home)

    result = tab.fetch(api.url("/submit"), "POST", {"Content-Type": "application/json"}, "{}")
    assert_readable(result, api)
    assert calls == ["OPTIONS", "POST"]
