"""Preflighted requests: Chromium sends the real request only after a preflight that allows it,
and caches that permission for ``max_age`` seconds."""

from __future__ import annotations

import datetime

import pytest

from fastcors import CORS

from .apps import new_app
from .harness import (
    NOT_ALLOWED_HEADER,
    NOT_ALLOWED_METHOD,
    PREFLIGHT_NO_ALLOW_ORIGIN,
    Origins,
    Serve,
    Tab,
    assert_blocked,
    assert_readable,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("allow_headers", "method", "headers"),
    [
        pytest.param(["X-Token"], "PUT", {"X-Token": "t"}, id="literal"),
        pytest.param([r"X-Custom-.*"], "PUT", {"X-Custom-Token": "t"}, id="pattern"),
        pytest.param("*", "PUT", {"X-Token": "t", "X-Trace": "1"}, id="any"),
        pytest.param(
            ["Content-Type"], "POST", {"Content-Type": "application/json"}, id="json-content-type"
        ),
        pytest.param(["X-TOKEN"], "DELETE", {"x-token": "t"}, id="case-insensitive"),
    ],
)
def test_preflight_with_allowed_header(
    tab: Tab,
    serve: Serve,
    origins: Origins,
    allow_headers: object,
    method: str,
    headers: dict[str, str],
) -> None:
    app = new_app("/data")
    CORS(app, origins=[origins.home], allow_headers=allow_headers)
    api = serve(app)

    tab.open(origins.home)
    result = assert_readable(tab.fetch(api.url("/data"), method, headers, body="{}"), api)

    assert result.body == f"{method} /data"
    assert api.count("OPTIONS", "/data") == 1
    assert api.count(method, "/data") == 1
    preflight = api.last("OPTIONS", "/data")
    assert preflight.request_headers["access-control-request-method"] == method
    assert preflight.header("Access-Control-Allow-Origin") == origins.home


def test_preflight_with_refused_header(tab: Tab, serve: Serve, origins: Origins) -> None:
    app = new_app("/data")
    CORS(app, origins=[origins.home], allow_headers=["X-Token"])
    api = serve(app)

    tab.open(origins.home)
    result = tab.fetch(api.url("/data"), "PUT", {"X-Token": "t", "X-Other": "o"})
    assert_blocked(result, f"Request header field x-other {NOT_ALLOWED_HEADER}", api)

    assert api.count("OPTIONS", "/data") == 1
    assert api.count("PUT") == 0, "the real request must never reach the server"
    # Only the allowed name is listed, which is not enough for Chromium.
    preflight = api.last("OPTIONS", "/data")
    assert preflight.request_headers["access-control-request-headers"] == "x-other,x-token"
    assert preflight.header("Access-Control-Allow-Headers") == "x-token"


def test_preflight_with_refused_method(tab: Tab, serve: Serve, origins: Origins) -> None:
    app = new_app("/data")
    CORS(app, origins=[origins.home], methods=["GET", "POST", "PUT"])
    api = serve(app)

    tab.open(origins.home)
    assert_blocked(
        tab.fetch(api.url("/data"), "DELETE"), f"Method DELETE {NOT_ALLOWED_METHOD}", api
    )

    assert api.count("OPTIONS", "/data") == 1
    assert api.count("DELETE") == 0, "the real request must never reach the server"
    assert "access-control-allow-methods" not in api.last("OPTIONS", "/data").cors_headers()

    # The same app lets PUT through.
    assert_readable(tab.fetch(api.url("/data"), "PUT"), api)
    assert api.count("PUT", "/data") == 1


def test_preflight_from_refused_origin(tab: Tab, serve: Serve, origins: Origins) -> None:
    app = new_app("/data")
    CORS(app, origins=[origins.home])
    api = serve(app)

    tab.open(origins.elsewhere)
    result = tab.fetch(api.url("/data"), "PUT", {"X-Token": "t"})
    assert_blocked(result, PREFLIGHT_NO_ALLOW_ORIGIN, api)

    assert api.count("OPTIONS", "/data") == 1
    assert api.count("PUT") == 0, "the real request must never reach the server"


@pytest.mark.parametrize(
    ("max_age", "sent", "pause", "preflights"),
    [
        # Cached for two seconds: the second request uses the cache, the third comes after
        # expiry. Without the header Chromium would cache for 5 s (one preflight); with the
        # cache ignored there would be three. (The margins absorb a slow CI machine.)
        pytest.param(datetime.timedelta(seconds=2), "2", 3.0, 2, id="timedelta-2s"),
        # "0" (a str: the int 0 sends no header, like Flask-CORS) forbids caching: three
        # preflights in quick succession, where the 5 s default would give one.
        pytest.param("0", "0", 0, 3, id="str-0"),
    ],
)
def test_max_age_governs_preflight_cache(
    tab: Tab,
    serve: Serve,
    origins: Origins,
    max_age: object,
    sent: str,
    pause: float,
    preflights: int,
) -> None:
    """Chromium caps Access-Control-Max-Age at 2 hours and uses 5 s when it is absent, so short
    values are the ones a test can tell apart from the default."""
    app = new_app("/data")
    CORS(app, origins=[origins.home], max_age=max_age)
    api = serve(app)
    tab.open(origins.home)

    def put() -> None:
        assert_readable(tab.fetch(api.url("/data"), "PUT", {"X-Token": "t"}), api)

    put()
    put()
    tab.pause(pause)
    put()

    assert api.count("PUT", "/data") == 3
    assert api.count("OPTIONS", "/data") == preflights, api.log()
    assert api.last("OPTIONS", "/data").header("Access-Control-Max-Age") == sent


def test_long_max_age_serves_repeated_requests_from_cache(
    tab: Tab, serve: Serve, origins: Origins
) -> None:
    app = new_app("/data")
    CORS(app, origins=[origins.home], max_age=datetime.timedelta(hours=1))
    api = serve(app)
    tab.open(origins.home)

    for _ in range(5):
        assert_readable(tab.fetch(api.url("/data"), "PATCH", {"X-Token": "t"}), api)

    assert api.count("PATCH", "/data") == 5
    assert api.count("OPTIONS", "/data") == 1
    assert api.last("OPTIONS", "/data").header("Access-Control-Max-Age") == "3600"
