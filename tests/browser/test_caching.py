"""Chromium's HTTP cache and ``Vary: Origin`` (VARY_ALL)."""

from __future__ import annotations

import pytest

from fastcors import CORS

from .apps import cacheable_app
from .harness import TRUSTED_PATTERN, Origins, Serve, Tab, assert_readable

pytestmark = pytest.mark.browser


def test_response_without_origin_is_not_reused_for_a_cors_request(
    tab: Tab, serve: Serve, origins: Origins
) -> None:
    """A ``no-cors`` load (an ``<img>``, a ``fetch(..., {mode: "no-cors"})``) sends no Origin and
    gets no CORS headers. fastcors marks that response ``Vary: Origin``, so Chromium does not
    answer a later CORS request from its cache with it: the CORS request goes to the server and
    its answer is readable. (Flask-CORS sends no Vary there; Chromium then serves the cached copy
    and blocks the page: test_sensitivity.py.)"""
    app = cacheable_app()
    CORS(app, origins=[TRUSTED_PATTERN])
    api = serve(app)
    tab.open(origins.trusted)

    opaque = assert_readable(tab.fetch(api.url("/logo"), mode="no-cors"), api)
    assert (opaque.type, opaque.status) == ("opaque", 0)
    result = assert_readable(tab.fetch(api.url("/logo")), api)
    assert (result.type, result.body) == ("cors", "logo")
    assert api.count("GET", "/logo") == 2

    first = api.exchanges[0]
    assert "origin" not in first.request_headers
    assert first.cors_headers() == {}
    assert first.header("Vary") == "Origin"

    # The cache is in use: the same CORS request again is answered from it.
    assert_readable(tab.fetch(api.url("/logo")), api)
    assert api.count("GET", "/logo") == 2
