"""Small Flask apps and routes the browser tests put fastcors on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, request

View = Callable[..., Any]

#: Every method a route of these apps accepts (Flask adds OPTIONS).
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]


def echo() -> str:
    """The body tells the test which request the view ran for."""
    return f"{request.method} {request.path}"


def add_echo_routes(target: Flask | Blueprint, *paths: str) -> None:
    for path in paths:
        target.add_url_rule(path, endpoint=path, view_func=echo, methods=METHODS)


def new_app(*paths: str) -> Flask:
    """A Flask app whose ``paths`` answer every method with ``"<METHOD> <path>"``."""
    app = Flask(__name__)
    add_echo_routes(app, *paths)
    return app


def with_headers() -> Response:
    """A response with two non-safelisted headers, for ``expose_headers``."""
    response = Response("with headers")
    response.headers["X-Total-Count"] = "42"
    response.headers["X-Request-Id"] = "r-1"
    return response


def cacheable_app() -> Flask:
    """``/logo``, cacheable for 10 minutes."""
    app = Flask(__name__)

    @app.get("/logo")
    def logo() -> Response:
        response = Response("logo")
        response.headers["Cache-Control"] = "public, max-age=600"
        return response

    return app


def files_app() -> Flask:
    """``/files/<name>``, for resources that name one file."""
    app = Flask(__name__)

    @app.get("/files/<name>")
    def files(name: str) -> str:
        return f"file {name}"

    return app


def submit_app(
    allowed_origin: str, cross_origin_impl: Callable[..., Callable[[View], View]]
) -> tuple[Flask, list[str]]:
    """A POST-only ``/submit`` view under ``cross_origin_impl``, with ``automatic_options``
    switched off in the app config; also returns the list of the methods the view ran for."""
    app = Flask(__name__)
    app.config["CORS_AUTOMATIC_OPTIONS"] = False
    calls: list[str] = []

    @app.post("/submit")
    @cross_origin_impl(origins=[allowed_origin])
    def submit() -> str:
        calls.append(request.method)
        return "submitted"

    return app, calls
