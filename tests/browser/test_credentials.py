"""Credentialed requests: a cookie set by the API and sent back to it, from a page of another
origin of the same site (127.0.0.1 with another port: Chromium would block third-party cookies)."""

from __future__ import annotations

import pytest
from flask import Flask, Response, request

from fastcors import CORS

from .harness import (
    CREDENTIALS_NOT_TRUE,
    NOT_ALLOWED_HEADER,
    Origins,
    Serve,
    Tab,
    assert_blocked,
    assert_readable,
)

pytestmark = pytest.mark.browser

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


def test_cookie_round_trip(tab: Tab, serve: Serve, origins: Origins) -> None:
    app = session_app()
    CORS(app, origins=[origins.home], supports_credentials=True)
    api = serve(app)
    assert origins.home != api.origin  # cross-origin (other port), same site (127.0.0.1)

    tab.open(origins.home)
    login = assert_readable(tab.fetch(api.url("/login"), "POST", credentials="include"), api)
    assert login.body == "logged in"
    assert api.last("POST", "/login").header("Access-Control-Allow-Credentials") == "true"

    whoami = assert_readable(tab.fetch(api.url("/whoami"), credentials="include"), api)
    assert whoami.body == TOKEN
    assert api.last("GET", "/whoami").request_headers.get("cookie") == f"session={TOKEN}"

    # A preflighted credentialed request carries the cookie too (the preflight never does).
    put = assert_readable(
        tab.fetch(api.url("/whoami"), "PUT", {"X-Token": "t"}, credentials="include"), api
    )
    assert put.body == TOKEN
    assert "cookie" not in api.last("OPTIONS", "/whoami").request_headers
    assert api.last("OPTIONS", "/whoami").header("Access-Control-Allow-Credentials") == "true"


def test_without_supports_credentials_a_credentialed_response_is_unreadable(
    tab: Tab, serve: Serve, origins: Origins
) -> None:
    app = session_app()
    CORS(app, origins=[origins.home])
    api = serve(app)

    tab.open(origins.home)
    result = tab.fetch(api.url("/login"), "POST", credentials="include")
    assert_blocked(result, CREDENTIALS_NOT_TRUE, api)
    assert api.count("POST", "/login") == 1
    assert "access-control-allow-credentials" not in api.last("POST", "/login").cors_headers()

    # The same request without credentials is fine.
    assert_readable(tab.fetch(api.url("/login"), "POST"), api)


def test_credentialed_preflight_with_refused_header(
    tab: Tab, serve: Serve, origins: Origins
) -> None:
    app = session_app()
    CORS(app, origins=[origins.home], supports_credentials=True, allow_headers=["X-Token"])
    api = serve(app)

    tab.open(origins.home)
    result = tab.fetch(api.url("/whoami"), "PUT", {"X-Other": "o"}, credentials="include")
    assert_blocked(result, f"Request header field x-other {NOT_ALLOWED_HEADER}", api)
    assert api.count("PUT") == 0, "the real request must never reach the server"
