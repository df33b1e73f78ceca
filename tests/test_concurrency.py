"""Threads: many threads, mixed requests (origins, methods, resources, a blueprint, a decorator
shared by two apps), real WSGI calls, every response checked against the headers the SPEC oracle
(:mod:`tests.cors_oracle`) computes from the configuration: zero wrong answers, both engines.

The apps are fresh when the threads start, so the decorator's once-per-app resolution and the
blueprint's per-app state are first used under contention too. The thread switch interval is cut
to a few microseconds during the run so that threads interleave inside fastcors' code.

The default run is small; ``test_threads_full_size`` (marked ``slow``) and ``scripts/thread-soak``
run 16 threads x 10 000 requests per engine.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import itertools
import random
import sys
import threading
import types
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Blueprint, Flask
from werkzeug.test import create_environ

import fastcors._edge
from fastcors import CORS, cross_origin

from .cors_oracle import Oracle
from .helpers import cors_lines, wsgi_environ

TRUSTED = "https://trusted.example"
EVIL = "https://evil.example"

API_OPTIONS = {
    "origins": [TRUSTED, r"https://[a-z]+\.partner\.example"],
    "supports_credentials": True,
    "allow_headers": ["Content-Type", "X-Token"],
    "methods": ["GET", "POST"],
}
PUBLIC_OPTIONS = {"origins": "*", "send_wildcard": True}
BP_OPTIONS = {"origins": ["https://bp.example"]}
VIEW_OPTIONS = {
    "origins": ["https://view.example", r"https://[a-z]+\.view\.example"],
    "methods": ["GET", "POST"],
}
A_CONFIG = {"CORS_EXPOSE_HEADERS": ["X-Total"], "CORS_MAX_AGE": 600}
B_CONFIG = {"CORS_ALLOW_PRIVATE_NETWORK": True, "CORS_ORIGINS": ["https://b.example"]}

# What each registration must answer, merged by hand from the SPEC's precedence (resource options >
# keyword arguments > app config > defaults), so that fastcors' own merging is under test too.
A_ORACLES = {
    "api": Oracle({"expose_headers": ["X-Total"], "max_age": 600, **API_OPTIONS}),
    "public": Oracle({"expose_headers": ["X-Total"], "max_age": 600, **PUBLIC_OPTIONS}),
    "bp": Oracle({"expose_headers": ["X-Total"], "max_age": 600, **BP_OPTIONS}),
    "view": Oracle({"expose_headers": ["X-Total"], "max_age": 600, **VIEW_OPTIONS}),
}
B_ORACLES = {
    "extension": Oracle({"allow_private_network": True, "origins": ["https://b.example"]}),
    "view": Oracle({"allow_private_network": True, **VIEW_OPTIONS}),
}

ORIGINS = [
    None,
    TRUSTED,
    "https://x.partner.example",
    "https://X.PARTNER.EXAMPLE",
    "https://x.partner.example.evil.net",
    "https://view.example",
    "https://a.view.example",
    "https://bp.example",
    "https://b.example",
    EVIL,
    "null",
]
PREFLIGHTS = [
    (acrm, acrh, acrpn)
    for acrm in ("POST", "PUT", "ET")
    for acrh in (None, "content-type, x-token", "X-Other,,X-Token")
    for acrpn in (None, "true")
]
A_PATHS = ["/api/items", "/api/items/7", "/public/logo.png", "/view", "/bp/x", "/plain", "/missing"]
B_PATHS = ["/view", "/other", "/missing"]


def build_apps(edge: Any = False) -> dict[str, Flask]:
    """Two apps sharing one decorator; app A also serves a blueprint with its own CORS. With
    ``edge``, both behind fastcors' edge."""
    decorator = cross_origin(**VIEW_OPTIONS)

    a = Flask("app_a")
    a.config.update(A_CONFIG)

    @a.route("/api/<path:rest>", methods=["GET", "POST"])
    @a.route("/public/<path:rest>")
    @a.route("/plain")
    def a_any(rest: str = "") -> str:
        return "a"

    a.add_url_rule("/view", "view", decorator(lambda: "a-view"), methods=["GET", "POST"])
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    bp.add_url_rule("/x", "x", lambda: "bp")
    CORS(bp, **BP_OPTIONS)
    a.register_blueprint(bp)
    CORS(a, resources={"/api/*": API_OPTIONS, "/public/*": PUBLIC_OPTIONS}, edge=edge)

    b = Flask("app_b")
    b.config.update(B_CONFIG)
    b.add_url_rule("/view", "view", decorator(lambda: "b-view"), methods=["GET", "POST"])
    b.add_url_rule("/other", "other", lambda: "b", methods=["GET", "POST"])
    CORS(b, edge=edge)
    return {"a": a, "b": b}


def oracle_for(app: str, path: str, method: str) -> Oracle | None:
    """Which registration answers: the decorator when its view runs (or answers OPTIONS); else
    the first extension resource matching the path; blueprint hooks only run for routed requests."""
    view_runs = method in ("GET", "POST", "OPTIONS")
    if app == "a":
        if path == "/view":
            return A_ORACLES["view"] if view_runs else None
        if path == "/bp/x":
            return A_ORACLES["bp"] if method in ("GET", "OPTIONS") else None
        if path.startswith("/api/"):
            return A_ORACLES["api"]
        if path.startswith("/public/"):
            return A_ORACLES["public"]
        return None
    if path == "/view" and view_runs:
        return B_ORACLES["view"]
    return B_ORACLES["extension"]


@dataclasses.dataclass(frozen=True)
class Template:
    """One request and the CORS lines it must get."""

    app: str
    environ: dict[str, Any]
    expected: list[tuple[str, str]]


def templates() -> list[Template]:
    out = []
    for app, paths in (("a", A_PATHS), ("b", B_PATHS)):
        for path, origin in itertools.product(paths, ORIGINS):
            variants: list[tuple[str, str | None, str | None, str | None]] = [
                (method, None, None, None) for method in ("GET", "POST", "PUT")
            ]
            variants += [("OPTIONS", *preflight) for preflight in PREFLIGHTS]
            for method, acrm, acrh, acrpn in variants:
                environ = wsgi_environ(path, method, origin, acrm, acrh, acrpn)
                oracle = oracle_for(app, path, method)
                expected = [] if oracle is None else oracle.lines(origin, method, acrm, acrh, acrpn)
                out.append(Template(app, environ, expected))
    return out


def call(app: Flask, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    captured: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured[:] = [status, headers]
        return lambda data: None

    environ = {**environ, "wsgi.input": io.BytesIO(), "wsgi.errors": io.StringIO()}
    iterable = app(environ, start_response)
    try:
        for _ in iterable:
            pass
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    return captured[0], captured[1]


@dataclasses.dataclass
class Outcome:
    requests: int = 0
    wrong: int = 0
    examples: list[str] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class Plan:
    cases: list[Template]
    statuses: list[str]


def plan(edge: Any = False) -> Plan:
    """The templates, with the status each gets when run alone (and a check that, alone, every
    template already gets exactly its expected headers)."""
    cases = templates()
    apps = build_apps(edge)
    statuses = []
    for case in cases:
        status, headers = call(apps[case.app], case.environ)
        got = cors_lines(headers)
        assert got == case.expected, (
            case.app,
            case.environ["PATH_INFO"],
            case.environ,
            got,
            case.expected,
        )
        statuses.append(status)
    return Plan(cases, statuses)


@contextlib.contextmanager
def fast_switching(interval: float = 5e-6) -> Iterator[None]:
    """Make the interpreter switch threads every few microseconds (default: 5 ms)."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(interval)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def run_threads(
    threads: int, per_thread: int, seed: int = 0, the_plan: Plan | None = None, edge: Any = False
) -> Outcome:
    """``threads`` threads, each sending ``per_thread`` requests drawn at random from the plan to a
    fresh pair of apps, all starting together. Every answer is compared with its expectation."""
    the_plan = the_plan or plan(edge)
    apps = build_apps(edge)
    cases, statuses = the_plan.cases, the_plan.statuses
    barrier = threading.Barrier(threads)
    lock = threading.Lock()
    outcome = Outcome()

    def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        wrong = 0
        examples: list[str] = []
        try:
            barrier.wait()
            for _ in range(per_thread):
                n = rng.randrange(len(cases))
                case = cases[n]
                status, headers = call(apps[case.app], case.environ)
                got = cors_lines(headers)
                if got != case.expected or status != statuses[n]:
                    wrong += 1
                    if len(examples) < 5:
                        examples.append(
                            f"{case.app} {case.environ['REQUEST_METHOD']} "
                            f"{case.environ['PATH_INFO']}: got {status} {got}, "
                            f"expected {statuses[n]} {case.expected}"
                        )
        except BaseException as exc:  # reported, not swallowed
            with lock:
                outcome.errors.append(f"thread {index}: {exc!r}")
        with lock:
            outcome.requests += per_thread
            outcome.wrong += wrong
            outcome.examples.extend(examples)

    with fast_switching():
        workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join()
    return outcome


# -------------------------------------------------------------------------------------------------


def test_every_template_alone_gets_the_spec_answer(engine: types.ModuleType) -> None:
    result = plan()
    assert len(result.cases) > 1000
    assert len({tuple(c.expected) for c in result.cases}) > 20, "the mix covers many answers"


def test_threads_mixed_requests_zero_wrong_answers(engine: types.ModuleType) -> None:
    outcome = run_threads(threads=16, per_thread=300, seed=1)
    assert outcome.errors == []
    assert outcome.requests == 16 * 300
    assert outcome.wrong == 0, outcome.examples


@pytest.mark.parametrize("edge", ["preflight", "all"])
def test_threads_behind_the_edge_zero_wrong_answers(
    engine: types.ModuleType, edge: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same mix behind the edge: its first build races, and its route cache (kept small
    here) is filled and emptied by all the threads at once."""
    monkeypatch.setattr(fastcors._edge, "ROUTE_CACHE_SIZE", 8)
    outcome = run_threads(threads=16, per_thread=300, seed=3, edge=edge)
    assert outcome.errors == []
    assert outcome.requests == 16 * 300
    assert outcome.wrong == 0, outcome.examples


@pytest.mark.slow
def test_threads_full_size(engine: types.ModuleType) -> None:
    """Issue 6: 16 threads x 10 000 mixed requests, per engine."""
    outcome = run_threads(threads=16, per_thread=10_000, seed=2)
    assert outcome.errors == []
    assert outcome.requests == 160_000
    assert outcome.wrong == 0, outcome.examples


def first_use_race(threads: int) -> tuple[dict[str, Flask], list[Any]]:
    """``threads`` threads hit the never-used decorated view of two fresh apps at once."""
    apps = build_apps()
    barrier = threading.Barrier(threads)
    answers: list[Any] = []
    lock = threading.Lock()

    def hit(app: str) -> None:
        environ = create_environ("/view", headers={"Origin": "https://a.view.example"})
        barrier.wait()
        _, headers = call(apps[app], environ)
        with lock:
            answers.append((app, cors_lines(headers)))

    with fast_switching():
        workers = [threading.Thread(target=hit, args=("ab"[i % 2],)) for i in range(threads)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join()
    return apps, answers


def test_decorator_first_use_race_resolves_once_per_app(engine: types.ModuleType) -> None:
    """Sixteen threads hit a never-used decorated view at once, on two apps: each app resolves
    the decorator once and every answer is right."""
    for _ in range(5):
        apps, answers = first_use_race(16)
        assert len(answers) == 16
        for app, lines in answers:
            oracle = A_ORACLES["view"] if app == "a" else B_ORACLES["view"]
            assert lines == oracle.lines("https://a.view.example", "GET")
        for flask_app in apps.values():
            assert len(flask_app.extensions["fastcors"].views) == 1
