"""``expose_headers``: JavaScript reads a non-safelisted response header only when it is exposed."""

from __future__ import annotations

import pytest
from flask import Flask

from fastcors import CORS

from .apps import with_headers
from .harness import Origins, Serve, Tab, assert_readable

pytestmark = pytest.mark.browser


def headers_app() -> Flask:
    app = Flask(__name__)
    app.add_url_rule("/headers", view_func=with_headers, methods=["GET", "PUT"])
    return app


@pytest.mark.parametrize(
    ("expose_headers", "readable"),
    [
        pytest.param(None, set(), id="none"),
        pytest.param(["X-Total-Count"], {"x-total-count"}, id="one"),
        pytest.param("X-Total-Count", {"x-total-count"}, id="str"),
        pytest.param(
            ["X-Request-Id", "X-Total-Count"], {"x-total-count", "x-request-id"}, id="two"
        ),
        pytest.param(
            "x-request-id, x-total-count", {"x-total-count", "x-request-id"}, id="str-list"
        ),
    ],
)
def test_only_exposed_headers_are_readable(
    tab: Tab, serve: Serve, origins: Origins, expose_headers: object, readable: set[str]
) -> None:
    app = headers_app()
    CORS(app, origins=[origins.home], expose_headers=expose_headers)
    api = serve(app)

    tab.open(origins.home)
    result = assert_readable(tab.fetch(api.url("/headers")), api)

    extra = {"x-total-count": "42", "x-request-id": "r-1"}
    assert {k: v for k, v in result.headers.items() if k in extra} == {
        k: extra[k] for k in readable
    }
    # The safelisted ones are always readable.
    assert result.headers["content-type"] == "text/html; charset=utf-8"


def test_exposed_headers_on_a_preflighted_response(
    tab: Tab, serve: Serve, origins: Origins
) -> None:
    app = headers_app()
    CORS(app, origins=[origins.home], expose_headers=["X-Total-Count"])
    api = serve(app)

    tab.open(origins.home)
    result = assert_readable(tab.fetch(api.url("/headers"), "PUT", {"X-Token": "t"}), api)
    assert result.headers.get("x-total-count") == "42"
    assert "x-request-id" not in result.headers
