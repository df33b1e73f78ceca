"""One answer on every Flask line: the same requests get the same status and header lines on
Flask 2.3, 3.1 and 3.2.

``tests/data/flask_lines.json`` holds the answers recorded on Flask 3.1 (``python -m
tests.test_flask_lines`` writes it anew); this test sends the same requests to the same apps on
whatever Flask is installed and requires identical answers. ``.ci/run`` runs it on the latest
Flask release, on Flask 2.3.0 and on Flask 3.2 from ``shared/flask-next``. The scenarios are the
ones that touch Flask's dispatch: errors of every kind, the decorator (sync and async, its
automatic OPTIONS answer), blueprints, preflights, several ``CORS`` objects.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable
from typing import Any

import pytest
from flask import Blueprint, Flask, abort, after_this_request

from fastcors import CORS, cross_origin

RECORDED = pathlib.Path(__file__).parent / "data" / "flask_lines.json"

#: Header lines that may differ between Werkzeug versions without any CORS meaning: the length of
#: Werkzeug's HTML error pages.
UNCOMPARED = frozenset({"content-length"})


class Teapot(Exception):
    pass


def routes(target: Flask | Blueprint, decorate: Callable[[Any], Any] = lambda f: f) -> None:
    @target.route("/", methods=["GET", "POST"])
    @decorate
    def index() -> str:
        return "ok"

    @target.route("/async", methods=["GET", "PUT"])
    @decorate
    async def asynchronous() -> str:
        return "async"

    @target.route("/abort/<int:code>")
    @decorate
    def aborts(code: int) -> str:
        abort(code)

    @target.route("/boom")
    @decorate
    def boom() -> str:
        raise RuntimeError("boom")

    @target.route("/teapot")
    @decorate
    def teapot() -> str:
        raise Teapot()

    @target.route("/callback-abort")
    @decorate
    def callback_abort() -> str:
        @after_this_request
        def callback(response: Any) -> Any:
            response.headers["X-Callback"] = "1"
            return response

        abort(403)

    @target.route("/slash/")
    @decorate
    def slash() -> str:
        return "slash"


def plain_app() -> Flask:
    app = Flask(__name__)

    @app.errorhandler(Teapot)
    def handle_teapot(error: Exception) -> tuple[str, int]:
        return "teapot", 418

    return app


def extension() -> Flask:
    app = plain_app()
    routes(app)
    CORS(app, origins=["https://a.example", r"https://.*\.b\.example"], expose_headers="X-Id")
    return app


def two_objects() -> Flask:
    app = plain_app()
    routes(app)
    CORS(app, resources={r"/abort/*": {"origins": "https://a.example"}}, max_age=60)
    CORS(app, supports_credentials=True, origins="https://a.example", intercept_exceptions=False)
    return app


def decorator() -> Flask:
    app = plain_app()
    routes(app, cross_origin(origins=["https://a.example"], allow_headers=["X-Token"]))
    return app


def blueprint() -> Flask:
    app = plain_app()
    routes(app)
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    routes(bp)
    CORS(bp, origins="https://a.example", methods=["GET", "PUT"])
    app.register_blueprint(bp)
    return app


APPS: dict[str, Callable[[], Flask]] = {
    "extension": extension,
    "two objects": two_objects,
    "decorator": decorator,
    "blueprint": blueprint,
}

PATHS = [
    "/",
    "/async",
    "/abort/403",
    "/abort/500",
    "/boom",
    "/teapot",
    "/callback-abort",
    "/missing",
    "/slash",
    "/bp/",
    "/bp/async",
    "/bp/abort/404",
    "/bp/boom",
    "/bp/missing",
]

REQUESTS: list[tuple[str, dict[str, str]]] = [
    ("GET", {"Origin": "https://a.example"}),
    ("GET", {"Origin": "https://x.b.example"}),
    ("GET", {"Origin": "https://evil.example"}),
    ("GET", {}),
    ("POST", {"Origin": "https://a.example"}),
    ("OPTIONS", {"Origin": "https://a.example", "Access-Control-Request-Method": "PUT"}),
    (
        "OPTIONS",
        {
            "Origin": "https://a.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-token, content-type",
        },
    ),
    ("OPTIONS", {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}),
    ("OPTIONS", {}),
]


def normalised(name: str, value: str) -> str:
    # Flask builds Allow from a set: its order changes with the process's string hashing.
    if name.lower() == "allow":
        return ", ".join(sorted(value.split(", ")))
    return value


def answer(app: Flask, method: str, path: str, headers: dict[str, str]) -> dict[str, Any]:
    response = app.test_client().open(path, method=method, headers=headers)
    lines = [
        [name, normalised(name, value)]
        for name, value in response.headers.items()
        if name.lower() not in UNCOMPARED
    ]
    return {"status": response.status_code, "headers": lines}


def key(name: str, method: str, path: str, headers: dict[str, str]) -> str:
    return f"{name} | {method} {path} | {json.dumps(headers, sort_keys=True)}"


def answers(name: str) -> dict[str, Any]:
    app = APPS[name]()
    return {
        key(name, method, path, headers): answer(app, method, path, headers)
        for path in PATHS
        for method, headers in REQUESTS
    }


@pytest.mark.parametrize("name", list(APPS))
def test_same_answers_as_recorded_on_flask_3_1(name: str) -> None:
    recorded = json.loads(RECORDED.read_text())
    got = answers(name)
    expected = {k: v for k, v in recorded.items() if k.startswith(f"{name} | ")}
    assert len(got) == len(expected) == len(PATHS) * len(REQUESTS)
    different = [k for k in expected if got.get(k) != expected[k]]
    assert different == [], {k: (got.get(k), expected[k]) for k in different[:5]}


def record() -> None:
    """Write the answers of the installed Flask (3.1) to ``tests/data/flask_lines.json``."""
    everything: dict[str, Any] = {}
    for name in APPS:
        everything.update(answers(name))
    RECORDED.write_text(json.dumps(everything, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    record()
