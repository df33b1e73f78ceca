"""What Chromium lets pages read under origins beyond strings (issue 17): ``fastcors.Wildcard``
(subdomains, ports) and ``fastcors.OriginCheck`` (a function deciding), for simple and preflighted
requests, with and without credentials.

The page origins are those of the harness: ``home`` (``http://127.0.0.1:P``), ``trusted``
(``http://app.trusted.test:P``), ``attack`` (``http://app.trusted.test.evil.test:P``, the suffix
attack) and ``elsewhere``, plus any other ``*.test`` name (Chromium maps them all to loopback), all
on the page server's port ``P``; the API runs on ``127.0.0.1`` and another port.
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from flask import Flask, Response, request

from fastcors import CORS, CORSConfigWarning, OriginCheck, Wildcard, cross_origin

from .apps import METHODS, echo, new_app
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

#: Every subdomain of trusted.test, on any port (the page server's port is a free one).
TRUSTED = "http://*.trusted.test:*"


def other_port(port: int) -> int:
    return port + 1 if port < 65535 else port - 1


class Asked:
    """A check admitting one origin, recording what it was asked (from the server's threads)."""

    def __init__(self, admitted: str) -> None:
        self.admitted = admitted
        self.origins: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, origin: str) -> bool:
        with self._lock:
            self.origins.append(origin)
        return origin == self.admitted


# --------------------------------------------------------------------------------------------
# Wildcard


def test_subdomain_wildcard_simple_request(tab: Tab, serve: Serve, origins: Origins) -> None:
    app = new_app("/data")
    CORS(app, origins=[Wildcard(TRUSTED)])
    api = serve(app)

    for origin in (origins.trusted, origins.of("eu.api.trusted.test")):
        tab.open(origin)
        result = assert_readable(tab.fetch(api.url("/data")), api)
        assert (result.status, result.body) == (200, "GET /data")
        exchange = api.last("GET", "/data")
        assert exchange.header("Access-Control-Allow-Origin") == origin
        assert exchange.header("Vary") == "Origin"

    # The suffix attack, the bare domain (``*.`` is one label or more), another site, and the
    # API's own host on another port: all refused, and the refusal varies on Origin too.
    for origin in (origins.attack, origins.of("trusted.test"), origins.elsewhere, origins.home):
        tab.open(origin)
        assert_blocked(tab.fetch(api.url("/data")), NO_ALLOW_ORIGIN, api)
        exchange = api.last("GET", "/data")
        assert exchange.request_headers["origin"] == origin
        assert exchange.cors_headers() == {}
        assert exchange.header("Vary") == "Origin"


def test_subdomain_wildcard_preflighted_request(tab: Tab, serve: Serve, origins: Origins) -> None:
    app = new_app("/data")
    CORS(app, origins=[Wildcard(TRUSTED)], allow_headers=["X-Token"])
    api = serve(app)

    tab.open(origins.trusted)
    result = assert_readable(tab.fetch(api.url("/data"), "PUT", {"X-Token": "t"}, body="{}"), api)
    assert result.body == "PUT /data"
    assert (api.count("OPTIONS", "/data"), api.count("PUT", "/data")) == (1, 1)
    preflight = api.last("OPTIONS", "/data")
    assert preflight.header("Access-Control-Allow-Origin") == origins.trusted
    assert preflight.header("Access-Control-Allow-Headers") == "x-token"

    tab.open(origins.attack)
    result = tab.fetch(api.url("/data"), "PUT", {"X-Token": "t"}, body="{}")
    assert_blocked(result, PREFLIGHT_NO_ALLOW_ORIGIN, api)
    assert api.count("OPTIONS", "/data") == 2
    assert api.count("PUT", "/data") == 1, "the attack's real request must never be sent"
    refused = api.last("OPTIONS", "/data")
    assert refused.cors_headers() == {}
    assert refused.header("Vary") == "Origin"


@pytest.mark.parametrize(
    ("path", "readable"), [("/any", True), ("/exact", True), ("/other-port", False)]
)
def test_port_wildcards(
    tab: Tab, serve: Serve, origins: Origins, path: str, readable: bool
) -> None:
    app = new_app("/any", "/exact", "/other-port")
    CORS(
        app,
        resources={
            "/any": {"origins": [Wildcard("http://127.0.0.1:*")]},
            "/exact": {"origins": [Wildcard(f"http://127.0.0.1:{origins.port}")]},
            "/other-port": {"origins": [Wildcard(f"http://127.0.0.1:{other_port(origins.port)}")]},
        },
    )
    api = serve(app)

    tab.open(origins.home)
    for method, headers in (("GET", None), ("PUT", {"X-Token": "t"})):
        result = tab.fetch(api.url(path), method, headers)
        if readable:
            assert assert_readable(result, api).body == f"{method} {path}"
        else:
            reason = NO_ALLOW_ORIGIN if method == "GET" else PREFLIGHT_NO_ALLOW_ORIGIN
            assert_blocked(result, reason, api)

    # Another host on the same port is refused by every one of them.
    tab.open(origins.elsewhere)
    assert_blocked(tab.fetch(api.url(path)), NO_ALLOW_ORIGIN, api)


def test_literal_and_wildcard_together(tab: Tab, serve: Serve, origins: Origins) -> None:
    app = new_app("/data")
    CORS(app, origins=[origins.home, Wildcard(TRUSTED)])
    api = serve(app)

    for origin, allowed in (
        (origins.home, True),
        (origins.trusted, True),
        (origins.attack, False),
        (origins.elsewhere, False),
    ):
        tab.open(origin)
        result = tab.fetch(api.url("/data"), "PUT", {"X-Token": "t"})
        if allowed:
            assert_readable(result, api)
        else:
            assert_blocked(result, PREFLIGHT_NO_ALLOW_ORIGIN, api)
    assert api.count("PUT", "/data") == 2


def test_wildcard_under_cross_origin(tab: Tab, serve: Serve, origins: Origins) -> None:
    app = Flask(__name__)
    app.add_url_rule(
        "/view", "view", cross_origin(origins=[Wildcard(TRUSTED)])(echo), methods=METHODS
    )
    api = serve(app)

    tab.open(origins.trusted)
    assert assert_readable(tab.fetch(api.url("/view"), "DELETE", {"X-Token": "t"}), api).body == (
        "DELETE /view"
    )
    assert api.count("OPTIONS", "/view") == 1  # answered by the decorator, not the view

    tab.open(origins.attack)
    assert_blocked(tab.fetch(api.url("/view"), "DELETE"), PREFLIGHT_NO_ALLOW_ORIGIN, api)
    assert api.count("DELETE", "/view") == 1


def test_glob_looking_string_is_a_regex_and_the_wildcard_is_what_was_meant(
    tab: Tab, serve: Serve, origins: Origins
) -> None:
    """The glob trap, as a browser sees it: the string refuses the very subdomain it seems to
    name (it is a regular expression), the Wildcard the start-up warning suggests admits it."""
    trap = new_app("/data")
    with pytest.warns(CORSConfigWarning, match=r"looks like a glob.*Wildcard\('http://\*\.trusted"):
        CORS(trap, origins=[TRUSTED])
    meant = new_app("/data")
    CORS(meant, origins=[Wildcard(TRUSTED)])
    trap_api, meant_api = serve(trap), serve(meant)

    tab.open(origins.trusted)
    assert_blocked(tab.fetch(trap_api.url("/data")), NO_ALLOW_ORIGIN, trap_api)
    assert_readable(tab.fetch(meant_api.url("/data")), meant_api)


# --------------------------------------------------------------------------------------------
# OriginCheck


@pytest.mark.parametrize("wrap", [True, False], ids=["OriginCheck", "bare-callable"])
def test_origin_check_simple_and_preflighted(
    tab: Tab, serve: Serve, origins: Origins, wrap: bool
) -> None:
    check = Asked(origins.trusted)
    app = new_app("/data")
    CORS(
        app,
        origins=[origins.home, OriginCheck(check) if wrap else check],
        allow_headers=["X-Token"],
    )
    api = serve(app)

    tab.open(origins.trusted)
    assert_readable(tab.fetch(api.url("/data")), api)
    assert assert_readable(tab.fetch(api.url("/data"), "PUT", {"X-Token": "t"}), api).body == (
        "PUT /data"
    )
    assert api.last("PUT", "/data").header("Access-Control-Allow-Origin") == origins.trusted
    assert api.last("PUT", "/data").header("Vary") == "Origin"
    # Asked once per request that reached the server: the GET, the preflight, the PUT.
    assert check.origins == [origins.trusted] * 3

    tab.open(origins.home)  # the literal admits it: the check is not asked
    assert_readable(tab.fetch(api.url("/data"), "PUT", {"X-Token": "t"}), api)
    assert check.origins == [origins.trusted] * 3

    tab.open(origins.attack)
    assert_blocked(tab.fetch(api.url("/data")), NO_ALLOW_ORIGIN, api)
    result = tab.fetch(api.url("/data"), "PUT", {"X-Token": "t"})
    assert_blocked(result, PREFLIGHT_NO_ALLOW_ORIGIN, api)
    assert check.origins == [origins.trusted] * 3 + [origins.attack] * 2
    assert api.count("PUT", "/data") == 2


def test_origin_check_cache_spares_the_repeated_questions(
    tab: Tab, serve: Serve, origins: Origins
) -> None:
    check = Asked(origins.trusted)
    tenants = OriginCheck(check, cache_ttl=600)
    app = new_app("/data")
    CORS(app, origins=[tenants])
    api = serve(app)

    tab.open(origins.trusted)
    for _ in range(3):
        assert_readable(tab.fetch(api.url("/data")), api)
    tab.open(origins.elsewhere)
    for _ in range(2):
        assert_blocked(tab.fetch(api.url("/data")), NO_ALLOW_ORIGIN, api)
    assert check.origins == [origins.trusted, origins.elsewhere]


def test_failing_check_refuses_without_an_error_status(
    tab: Tab, serve: Serve, origins: Origins, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(origin: str) -> bool:
        raise ConnectionError("tenant database unreachable")

    app = new_app("/data")
    CORS(app, origins=[Wildcard(TRUSTED), broken])
    api = serve(app)

    tab.open(origins.elsewhere)
    assert_blocked(tab.fetch(api.url("/data")), NO_ALLOW_ORIGIN, api)
    assert api.last("GET", "/data").status == 200
    tab.open(origins.trusted)  # the wildcard still admits, the check is not asked
    assert_readable(tab.fetch(api.url("/data")), api)
    assert any("ConnectionError" in r.getMessage() for r in caplog.records if r.name == "fastcors")


def test_async_check(tab: Tab, serve: Serve, origins: Origins) -> None:
    async def is_trusted(origin: str) -> bool:
        await asyncio.sleep(0)
        return origin == origins.trusted

    app = new_app("/data")
    with pytest.warns(CORSConfigWarning, match=r"async check"):
        CORS(app, origins=[is_trusted], allow_headers=["X-Token"])
    api = serve(app)

    tab.open(origins.trusted)
    assert_readable(tab.fetch(api.url("/data"), "PUT", {"X-Token": "t"}), api)
    tab.open(origins.attack)
    assert_blocked(tab.fetch(api.url("/data"), "PUT", {"X-Token": "t"}), PREFLIGHT_NO_ALLOW_ORIGIN)


# --------------------------------------------------------------------------------------------
# Credentials

TOKEN = "s3cr3t-session"


def session_app() -> Flask:
    app = Flask(__name__)

    @app.post("/login")
    def login() -> Response:
        response = Response("logged in")
        response.set_cookie("session", TOKEN, httponly=True, samesite="Lax")
        return response

    @app.route("/whoami", methods=["GET", "PUT"])
    def whoami() -> str:
        return request.cookies.get("session", "<no cookie>")

    return app


@pytest.mark.parametrize("kind", ["wildcard", "check"])
def test_credentialed_requests(tab: Tab, serve: Serve, origins: Origins, kind: str) -> None:
    """Pages of 127.0.0.1 on any port (the API's own site, so its cookie is first-party) may make
    credentialed requests: fastcors echoes the Origin with Allow-Credentials, never ``*``."""
    app = session_app()
    allowed = (
        Wildcard("http://127.0.0.1:*")
        if kind == "wildcard"
        else OriginCheck(lambda origin: origin.startswith("http://127.0.0.1:"))
    )
    CORS(app, origins=[allowed], supports_credentials=True, send_wildcard=True)
    api = serve(app)

    tab.open(origins.home)
    assert_readable(tab.fetch(api.url("/login"), "POST", credentials="include"), api)
    whoami = assert_readable(
        tab.fetch(api.url("/whoami"), "PUT", {"X-Token": "t"}, credentials="include"), api
    )
    assert whoami.body == TOKEN
    for method in ("OPTIONS", "PUT"):
        exchange = api.last(method, "/whoami")
        assert exchange.header("Access-Control-Allow-Origin") == origins.home
        assert exchange.header("Access-Control-Allow-Credentials") == "true"

    tab.open(origins.elsewhere)
    result = tab.fetch(api.url("/whoami"), credentials="include")
    assert_blocked(result, NO_ALLOW_ORIGIN, api)
