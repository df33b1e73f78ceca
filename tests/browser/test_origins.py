"""Which page origins Chromium lets read a simple (non-preflighted) response."""

from __future__ import annotations

import pytest

from fastcors import CORS

from .apps import new_app
from .harness import (
    NO_ALLOW_ORIGIN,
    TRUSTED_PATTERN,
    Origins,
    Serve,
    Tab,
    assert_blocked,
    assert_readable,
)

pytestmark = pytest.mark.browser


def test_simple_get_from_allowed_origin(tab: Tab, serve: Serve, origins: Origins) -> None:
    app = new_app("/data")
    CORS(app, origins=[origins.home])
    api = serve(app)

    tab.open(origins.home)
    result = assert_readable(tab.fetch(api.url("/data")), api)

    assert (result.status, result.body) == (200, "GET /data")
    assert api.last("GET", "/data").header("Access-Control-Allow-Origin") == origins.home


def test_simple_get_from_refused_origin(tab: Tab, serve: Serve, origins: Origins) -> None:
    app = new_app("/data")
    CORS(app, origins=[origins.home])
    api = serve(app)

    tab.open(origins.elsewhere)
    assert_blocked(tab.fetch(api.url("/data")), NO_ALLOW_ORIGIN, api)

    # A simple request is sent; it is its response that the page may not read.
    exchange = api.last("GET", "/data")
    assert exchange.request_headers["origin"] == origins.elsewhere
    assert exchange.cors_headers() == {}


def test_origin_matching_ignores_case_of_configured_origin(
    tab: Tab, serve: Serve, origins: Origins
) -> None:
    app = new_app("/data")
    CORS(app, origins=[origins.home.upper()])
    api = serve(app)

    tab.open(origins.home)
    assert_readable(tab.fetch(api.url("/data")), api)


def test_default_origins_admit_every_page(tab: Tab, serve: Serve, origins: Origins) -> None:
    app = new_app("/data")
    CORS(app)
    api = serve(app)

    for origin in (origins.home, origins.elsewhere, origins.attack):
        tab.open(origin)
        assert_readable(tab.fetch(api.url("/data")), api)
        # Without send_wildcard, the default "*" echoes the Origin (and varies on it).
        exchange = api.last("GET", "/data")
        assert exchange.header("Access-Control-Allow-Origin") == origin
        assert exchange.header("Vary") == "Origin"


def test_send_wildcard_answers_star(tab: Tab, serve: Serve, origins: Origins) -> None:
    app = new_app("/data")
    CORS(app, send_wildcard=True)
    api = serve(app)

    tab.open(origins.elsewhere)
    assert_readable(tab.fetch(api.url("/data")), api)
    assert api.last("GET", "/data").header("Access-Control-Allow-Origin") == "*"


def test_regex_origin_admits_matching_origin(tab: Tab, serve: Serve, origins: Origins) -> None:
    app = new_app("/data")
    CORS(app, origins=[TRUSTED_PATTERN])
    api = serve(app)

    tab.open(origins.trusted)
    assert_readable(tab.fetch(api.url("/data")), api)
    assert api.last("GET", "/data").header("Access-Control-Allow-Origin") == origins.trusted

    tab.open(origins.elsewhere)
    assert_blocked(tab.fetch(api.url("/data")), NO_ALLOW_ORIGIN, api)


def test_regex_origin_refuses_prefix_attack(tab: Tab, serve: Serve, origins: Origins) -> None:
    """ORIGIN_FULLMATCH: ``http://app.trusted.test.evil.test:P`` starts with a string the pattern
    matches, but only the whole Origin counts (Flask-CORS admits it: test_sensitivity.py)."""
    app = new_app("/data")
    CORS(app, origins=[TRUSTED_PATTERN])
    api = serve(app)

    tab.open(origins.attack)
    assert_blocked(tab.fetch(api.url("/data")), NO_ALLOW_ORIGIN, api)
    assert api.last("GET", "/data").cors_headers() == {}


def test_literal_and_regex_origins_together(tab: Tab, serve: Serve, origins: Origins) -> None:
    app = new_app("/data")
    CORS(app, origins=[origins.home, TRUSTED_PATTERN])
    api = serve(app)

    for origin, allowed in (
        (origins.home, True),
        (origins.trusted, True),
        (origins.attack, False),
        (origins.elsewhere, False),
    ):
        tab.open(origin)
        result = tab.fetch(api.url("/data"))
        if allowed:
            assert_readable(result, api)
        else:
            assert_blocked(result, NO_ALLOW_ORIGIN, api)
