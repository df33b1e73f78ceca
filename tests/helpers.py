"""Shared helpers for the test suite."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask
from werkzeug.test import create_environ

from fastcors._flask import _options_response_takes_context

CORS_PREFIX = "access-control-"


def cors_lines(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The Access-Control-* and Vary lines of a response, in order."""
    return [(k, v) for k, v in headers if k.lower().startswith(CORS_PREFIX) or k.lower() == "vary"]


def vary_tokens(headers: Iterable[tuple[str, str]]) -> list[str]:
    """Every token of every Vary line, lower-cased."""
    return [
        token.strip().lower()
        for k, v in headers
        if k.lower() == "vary"
        for token in v.split(",")
        if token.strip()
    ]


def header_dict(lines: Iterable[tuple[str, str]]) -> Mapping[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in lines:
        out.setdefault(k.lower(), []).append(v)
    return out


def policy_kwargs(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for an engine ``Policy``: nothing allowed but what ``overrides`` set."""
    kwargs: dict[str, Any] = dict(
        any_origin=False,
        send_wildcard=False,
        origin_literals=(),
        origin_patterns=(),
        no_origin_value=None,
        expose_headers=None,
        credentials=False,
        private_network=False,
        methods=("GET", "POST", "OPTIONS"),
        allow_methods="GET, OPTIONS, POST",
        max_age=None,
        any_header=True,
        header_literals=(),
        header_patterns=(),
        vary=False,
    )
    kwargs.update(overrides)
    return kwargs


def wsgi_environ(
    path: str,
    method: str,
    origin: str | None,
    acrm: str | None,
    acrh: str | None,
    acrpn: str | None,
) -> dict[str, Any]:
    """A WSGI environ for one request, its PATH_INFO taken as given (not parsed as a URL), with
    the CORS request headers that are not None."""
    environ = create_environ(base_url="http://localhost", method="GET")
    environ["REQUEST_METHOD"] = method
    environ["PATH_INFO"] = path
    environ["QUERY_STRING"] = ""
    for key, value in (
        ("HTTP_ORIGIN", origin),
        ("HTTP_ACCESS_CONTROL_REQUEST_METHOD", acrm),
        ("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", acrh),
        ("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK", acrpn),
    ):
        if value is not None:
            environ[key] = value
    return environ


if _options_response_takes_context():
    from flask.globals import app_ctx

    class ReferenceFlask(Flask):
        """Flask for the Flask-CORS reference on Flask 3.2, whose ``make_default_options_response``
        takes the app context: Flask-CORS's decorator calls it without one (a 500 on every
        decorated preflight). This supplies the context, so the reference answers as it does on
        Flask 3.1 and can still serve as the oracle there."""

        def make_default_options_response(self, ctx=None):
            if ctx is None:
                ctx = app_ctx._get_current_object()
            return super().make_default_options_response(ctx)  # type: ignore[call-arg]

else:
    ReferenceFlask = Flask  # type: ignore[misc]
