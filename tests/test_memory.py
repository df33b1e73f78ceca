"""Memory: requests with random, unique origins, paths and requested headers leave no trace.

Short versions of ``scripts/memory-soak`` (which runs 1 000 000 requests per engine and watches
RSS). Here, per engine, after a warm-up:

- 20 000 requests: Python's allocated block count (``sys.getallocatedblocks``, after a full
  collection) does not grow, so no object is kept per request; RSS grows by less than 5 MB.
- 3 000 requests under ``tracemalloc``: traced memory does not grow either, which also covers
  allocations too large for the block allocator.

Every request is unique, so any cache keyed by origin, path or header value without a bound would
grow with the run. Every answer is also checked (no 5xx, allowed origins echoed, refused ones not).
"""

from __future__ import annotations

import gc
import io
import os
import random
import resource
import sys
import tracemalloc
import types
from collections.abc import Callable
from typing import Any

import pytest
from flask import Blueprint, Flask
from werkzeug.test import create_environ

import fastcors._edge
from fastcors import CORS, cross_origin

ACAO = "Access-Control-Allow-Origin"


def rss_bytes() -> int:
    """Current resident set size (Linux: /proc/self/statm); elsewhere the peak RSS."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def build_app(edge: Any = False) -> Flask:
    """Extension with several resources (regex, literal, wildcard), a decorated view, a blueprint
    and error responses; with ``edge``, behind fastcors' edge (whose route cache must stay
    bounded: the app has a blueprint and a decorated view, so preflights are routed)."""
    app = Flask("memory")
    app.config["CORS_EXPOSE_HEADERS"] = ["X-Total"]

    @app.route("/api/<path:rest>", methods=["GET", "POST"])
    @app.route("/public/<path:rest>")
    def anything(rest: str) -> str:
        return "ok"

    @app.route("/view/<rest>", methods=["GET", "POST"])
    @cross_origin(origins=[r"https://[0-9a-f]+\.view\.example"], max_age=60)
    def view(rest: str) -> str:
        return "view"

    bp = Blueprint("bp", __name__, url_prefix="/bp")
    bp.add_url_rule("/<rest>", "x", lambda rest: "bp")
    CORS(bp, origins=["https://bp.example"])
    app.register_blueprint(bp)
    CORS(
        app,
        resources={
            "/api/*": {
                "origins": ["https://trusted.example", r"https://[0-9a-f]+\.partner\.example"],
                "supports_credentials": True,
                "allow_headers": ["Content-Type", r"X-[0-9a-f]+"],
            },
            "/public/*": {"origins": "*"},
            "/*": {"origins": ["https://other.example"]},
        },
        edge=edge,
    )
    return app


class Requests:
    """Random, unique WSGI requests and the Access-Control-Allow-Origin each must get."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.base = create_environ("/")

    def next(self) -> tuple[dict[str, Any], str | None]:
        rng = self.rng
        token = f"{rng.getrandbits(48):x}"
        kind = rng.randrange(8)
        environ = dict(self.base)
        environ["wsgi.input"] = io.BytesIO()
        environ["wsgi.errors"] = io.StringIO()
        method = "GET"
        if kind <= 2:  # API: allowed partner origin, or a refused one
            path = f"/api/{token}/{rng.getrandbits(16)}"
            allowed = kind != 2
            origin = (
                f"https://{token}.partner.example" if allowed else f"https://{token}.evil.example"
            )
        elif kind == 3:  # preflight with random requested headers, some past the bound
            path = f"/api/{token}"
            origin, allowed = f"https://{token}.partner.example", True
            method = "OPTIONS"
            names = [f"X-{rng.getrandbits(32):x}" for _ in range(rng.choice((1, 3, 10, 70)))]
            environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"] = rng.choice(
                ("POST", "GET", "PUT", token)
            )
            environ["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = ",".join(names)
        elif kind == 4:  # public: any origin echoed
            path = f"/public/{token}"
            origin, allowed = f"https://{token}.example", True
        elif kind == 5:  # decorated view
            path = f"/view/{token}"
            allowed = rng.random() < 0.5
            origin = f"https://{token}.view.example" if allowed else f"https://{token}.example"
        elif kind == 6:  # 404 under the catch-all resource: refused origin, error response
            path = f"/{token}/{rng.getrandbits(20)}"
            origin, allowed = f"https://{token}.example", False
        else:  # blueprint
            path = f"/bp/{token}"
            origin, allowed = "https://bp.example", True
        environ["REQUEST_METHOD"] = method
        environ["PATH_INFO"] = path
        environ["HTTP_ORIGIN"] = origin
        return environ, (origin if allowed else None)


def runner(app: Flask, seed: int) -> tuple[Callable[[int], int], list[str]]:
    """A function sending n fresh requests and returning how many got a wrong answer, and the
    list it appends descriptions of wrong answers to."""
    source = Requests(seed)
    captured: list[Any] = []
    problems: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured[:] = [status, headers]
        return lambda data: None

    def send(n: int) -> int:
        wrong = 0
        for _ in range(n):
            environ, expected = source.next()
            iterable = app(environ, start_response)
            for _ in iterable:
                pass
            close = getattr(iterable, "close", None)  # (the edge's answers are plain lists)
            if close is not None:
                close()
            status, headers = captured
            acao = [v for k, v in headers if k == ACAO]
            if status[0] == "5" or acao != ([] if expected is None else [expected]):
                wrong += 1
                if len(problems) < 5:
                    problems.append(
                        f"{status} {acao} for {environ['PATH_INFO']} from {environ['HTTP_ORIGIN']}"
                    )
        return wrong

    return send, problems


EDGES = pytest.mark.parametrize("edge", [False, "preflight", "all"])


@pytest.fixture(autouse=True)
def small_route_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """The edge's route cache is full after the warm-up (1 request in 8 is a preflight)."""
    monkeypatch.setattr(fastcors._edge, "ROUTE_CACHE_SIZE", 64)


@EDGES
def test_blocks_and_rss_flat_over_20000_unique_requests(
    engine: types.ModuleType, edge: Any
) -> None:
    send, problems = runner(build_app(edge), seed=1)
    assert send(3_000) == 0, problems
    gc.collect()
    blocks, rss = sys.getallocatedblocks(), rss_bytes()
    assert send(20_000) == 0, problems
    gc.collect()
    block_growth = sys.getallocatedblocks() - blocks
    rss_growth = rss_bytes() - rss
    # One object kept per request would be >= 20 000 blocks; the run's own noise is a few.
    assert block_growth < 500, block_growth
    assert rss_growth < 5 * 2**20, rss_growth


@EDGES
def test_traced_memory_flat_under_tracemalloc(engine: types.ModuleType, edge: Any) -> None:
    send, problems = runner(build_app(edge), seed=2)
    assert send(2_000) == 0, problems
    tracemalloc.start(1)
    try:
        assert send(200) == 0, problems  # tracemalloc's own tables settle
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        assert send(3_000) == 0, problems
        gc.collect()
        growth = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # 64 KB over 3 000 requests: under 22 bytes a request, less than any leaked object.
    assert growth < 64 * 1024, growth
