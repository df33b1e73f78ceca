"""The Flask-level benchmark scenarios and, for each one, the exact answer every contender must give.

A benchmark of a wrong answer is worthless, so :func:`prepare` builds a contender's app, sends the
scenario's request once and compares the status and every CORS header line (``Access-Control-*``
and ``Vary``) with the expectation written out here, before anything is timed. The expectation is
Flask-CORS 6.0.x's answer (the reference); bare Flask must send no CORS line at all; fastcors must
send the reference's lines plus, where the scenario says so, the documented intended differences:

* VARY_ALL: one extra ``Vary: Origin`` line on responses whose answer depends on the Origin but
  where Flask-CORS sends none (no Origin, refused Origin);
* HEADERS_BOUNDED: no ``Access-Control-Allow-Headers`` for an oversized
  ``Access-Control-Request-Headers`` value (Flask-CORS echoes it).

Requests are shaped like a browser's: a Fetch preflight lists the requested header names
lower-cased, sorted, comma-joined without spaces.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from flask import Flask

from fastcors.origins import Wildcard

from .contenders import (
    ANY_BY_KEY,
    BY_KEY,
    CONTENDERS,
    FLOOR,
    Contender,
    engines_in_use,
    using_engine,
)
from .wsgi import Reply, Request, WSGIApp, call, runner

ACAO = "Access-Control-Allow-Origin"
ACEH = "Access-Control-Expose-Headers"
ACAC = "Access-Control-Allow-Credentials"
ACAH = "Access-Control-Allow-Headers"
ACMA = "Access-Control-Max-Age"
ACAM = "Access-Control-Allow-Methods"
VARY = "Vary"
VARY_ORIGIN = (VARY, "Origin")

APP_ORIGIN = "https://app.example.com"
ADMIN_ORIGIN = "https://admin.example.com"
EVIL_ORIGIN = "https://evil.example.net"
#: Flask-CORS's default methods, serialised as both libraries send them.
DEFAULT_METHODS = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"

Lines = tuple[tuple[str, str], ...]

#: The series of the ten headline scenarios; the others are scaling series.
HEADLINE = "scenarios"
LITERAL_ORIGINS = "literal origins"
PATTERN_ORIGINS = "pattern origins"
WILDCARD_ORIGINS = "wildcard origins"
RESOURCES = "resources"
REQUEST_HEADERS = "requested headers"
SCALING_SERIES = (LITERAL_ORIGINS, PATTERN_ORIGINS, WILDCARD_ORIGINS, RESOURCES, REQUEST_HEADERS)


class ExpectationError(AssertionError):
    """A contender's answer to a scenario is not the expected one; nothing gets timed."""


# ---------------------------------------------------------------------------------------------
# Building blocks


def acrh(names: Iterable[str]) -> str:
    """An Access-Control-Request-Headers value as a browser (Fetch) sends it."""
    return ",".join(sorted(name.lower() for name in names))


def get(path: str = "/api/items", origin: str | None = APP_ORIGIN) -> Request:
    return Request("GET", path, {"Origin": origin} if origin is not None else {})


def preflight(
    path: str = "/api/items",
    origin: str = APP_ORIGIN,
    method: str = "POST",
    headers: str | None = None,
) -> Request:
    fields = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        fields["Access-Control-Request-Headers"] = headers
    return Request("OPTIONS", path, fields)


def literal_origins(count: int) -> list[str]:
    return [f"https://site{i}.example.com" for i in range(count)]


def literal_origin(index: int) -> str:
    return f"https://site{index}.example.com"


def pattern_origins(count: int) -> list[str]:
    """Tenant subdomain patterns (regex strings, as users write them)."""
    return [rf"https://([a-z0-9-]+\.)?tenant{i}\.example\.net" for i in range(count)]


def pattern_origin(index: int) -> str:
    return f"https://eu.tenant{index}.example.net"


def wildcard_origins(count: int) -> list[Wildcard]:
    """Tenant subdomain wildcards (fastcors only): ``https://*.tenant<i>.example.net``."""
    return [Wildcard(f"https://*.tenant{i}.example.net") for i in range(count)]


def wildcard_regexes(count: int) -> list[str]:
    """The anchored regex equivalent of each of :func:`wildcard_origins` (one or more labels,
    then the domain, nothing after), for Flask-CORS, which has no wildcards."""
    return [rf"https://(?:[a-z0-9_-]+\.)+tenant{i}\.example\.net\Z" for i in range(count)]


def wildcard_origin(index: int) -> str:
    return f"https://eu.tenant{index}.example.net"


def specific_resources(count: int) -> dict[str, dict[str, Any]]:
    """``count`` pattern resources, each with its own origins."""
    return {
        f"/api/r{i}/.*": {"origins": [APP_ORIGIN, f"https://r{i}.example.com"]}
        for i in range(count)
    }


def header_names(count: int) -> list[str]:
    return [f"x-custom-{i:02d}" for i in range(count)]


#: HEADERS_BOUNDED: 8 KB of "x-a," (2048 names and a trailing empty piece).
HOSTILE_REQUEST_HEADERS = "x-a," * 2048


def flask_cors_allow_headers(value: str) -> str:
    """Flask-CORS 6.0.x's Access-Control-Allow-Headers for ``allow_headers="*"``: every piece,
    stripped (empty ones included), sorted, joined with ", "."""
    return ", ".join(sorted(piece.strip() for piece in value.split(",")))


# ---------------------------------------------------------------------------------------------
# Scenarios


@dataclasses.dataclass(frozen=True)
class Scenario:
    """One configuration and one request, and the answer each contender must give.

    :ivar id: stable id (benchmark names, JSON).
    :ivar title: for tables.
    :ivar series: :data:`HEADLINE` or one of :data:`SCALING_SERIES`.
    :ivar size: the configuration size along the series (None for headline scenarios).
    :ivar size_label: how the size is printed.
    :ivar request: the request sent.
    :ivar options: ``CORS(app, **options)``; None when the scenario uses no extension.
    :ivar fastcors_options: fastcors' ``CORS(app, **fastcors_options)`` when it is configured
        with what only fastcors has (a Wildcard) while Flask-CORS gets ``options``, the
        equivalent in its terms; None: ``options`` for both.
    :ivar decorator: ``@cross_origin(**decorator)`` on the view; None for no decorator.
    :ivar status: the expected status code (every contender).
    :ivar cors: the expected CORS lines of Flask-CORS (the reference).
    :ivar vary_all: fastcors adds one ``Vary: Origin`` line to ``cors`` (VARY_ALL).
    :ivar fastcors_cors: fastcors' CORS lines when an intended difference other than VARY_ALL
        changes them (before the VARY_ALL line), else None.
    """

    id: str
    title: str
    series: str
    request: Request
    status: int
    cors: Lines
    options: Mapping[str, Any] | None = None
    fastcors_options: Mapping[str, Any] | None = None
    decorator: Mapping[str, Any] | None = None
    vary_all: bool = False
    fastcors_cors: Lines | None = None
    size: int | None = None
    size_label: str = ""

    def expected(self, contender: Contender) -> tuple[int, Lines]:
        """(status, CORS lines) that ``contender`` must answer with (the floor hook: fastcors')."""
        if contender.library is None:
            return self.status, ()
        if contender.library == "flask_cors":
            return self.status, self.cors
        lines = self.cors if self.fastcors_cors is None else self.fastcors_cors
        if self.vary_all:
            lines = (*lines, VARY_ORIGIN)
        return self.status, lines


def _headline() -> list[Scenario]:
    three = acrh(["Content-Type", "X-Requested-With", "X-Api-Key"])
    credentialed = acrh(["Content-Type", "X-CSRF-Token"])
    sixty = literal_origins(50) + pattern_origins(10)
    return [
        Scenario(
            "simple_get",
            "simple GET",
            HEADLINE,
            get(),
            200,
            ((ACAO, APP_ORIGIN), VARY_ORIGIN),
            options={},
        ),
        Scenario(
            "preflight",
            "preflight, 3 headers",
            HEADLINE,
            preflight(method="POST", headers=three),
            200,
            (
                (ACAO, APP_ORIGIN),
                (ACAH, "content-type, x-api-key, x-requested-with"),
                (ACAM, DEFAULT_METHODS),
                VARY_ORIGIN,
            ),
            options={},
        ),
        Scenario(
            "no_origin",
            "no Origin",
            HEADLINE,
            get(origin=None),
            200,
            ((ACAO, "*"),),
            options={},
            vary_all=True,
        ),
        Scenario(
            "refused_origin",
            "refused Origin",
            HEADLINE,
            get(origin=EVIL_ORIGIN),
            200,
            (),
            options={"origins": [APP_ORIGIN, ADMIN_ORIGIN]},
            vary_all=True,
        ),
        Scenario(
            "origins_60_regex",
            "60 origins, regex hit",
            HEADLINE,
            get(origin=pattern_origin(7)),
            200,
            ((ACAO, pattern_origin(7)), VARY_ORIGIN),
            options={"origins": sixty},
        ),
        Scenario(
            "origins_200_literal",
            "200 literal origins",
            HEADLINE,
            get(origin=literal_origin(197)),
            200,
            ((ACAO, literal_origin(197)), VARY_ORIGIN),
            options={"origins": literal_origins(200)},
        ),
        Scenario(
            "resources_31",
            "31 resources",
            HEADLINE,
            get(path="/api/r17/items"),
            200,
            ((ACAO, APP_ORIGIN), VARY_ORIGIN),
            options={"resources": {**specific_resources(30), "/*": {}}},
        ),
        Scenario(
            "credentials_preflight",
            "credentials preflight",
            HEADLINE,
            preflight(method="PUT", headers=credentialed),
            200,
            (
                (ACAO, APP_ORIGIN),
                (ACEH, "X-Request-Id, X-Total-Count"),
                (ACAC, "true"),
                (ACAH, "content-type, x-csrf-token"),
                (ACMA, "600"),
                (ACAM, DEFAULT_METHODS),
                VARY_ORIGIN,
            ),
            options={
                "origins": [APP_ORIGIN, ADMIN_ORIGIN],
                "supports_credentials": True,
                "expose_headers": ["X-Total-Count", "X-Request-Id"],
                "max_age": 600,
            },
        ),
        Scenario(
            "decorator",
            "decorator",
            HEADLINE,
            get(),
            200,
            ((ACAO, APP_ORIGIN), VARY_ORIGIN),
            decorator={},
        ),
        Scenario(
            "not_found",
            "404",
            HEADLINE,
            get(path="/missing"),
            404,
            ((ACAO, APP_ORIGIN), VARY_ORIGIN),
            options={},
        ),
    ]


def _scaling() -> list[Scenario]:
    out: list[Scenario] = []
    for n in (1, 10, 100, 1000):
        origin = literal_origin(n - 1)  # the last one: Flask-CORS tries them all
        out.append(
            Scenario(
                f"literal_origins_{n}",
                f"{n} literal origins",
                LITERAL_ORIGINS,
                get(origin=origin),
                200,
                ((ACAO, origin), VARY_ORIGIN) if n > 1 else ((ACAO, origin),),
                options={"origins": literal_origins(n)},
                size=n,
                size_label=str(n),
            )
        )
    for n in (1, 10, 100):
        origin = pattern_origin(n - 1)
        out.append(
            Scenario(
                f"pattern_origins_{n}",
                f"{n} pattern origins",
                PATTERN_ORIGINS,
                get(origin=origin),
                200,
                ((ACAO, origin), VARY_ORIGIN),
                options={"origins": pattern_origins(n)},
                size=n,
                size_label=str(n),
            )
        )
    for n in (1, 10, 100, 1000):
        origin = wildcard_origin(n - 1)  # the last one: Flask-CORS tries every regex before it
        out.append(
            Scenario(
                f"wildcard_origins_{n}",
                f"{n} wildcard origins",
                WILDCARD_ORIGINS,
                get(origin=origin),
                200,
                ((ACAO, origin), VARY_ORIGIN),
                options={"origins": wildcard_regexes(n)},
                fastcors_options={"origins": wildcard_origins(n)},
                size=n,
                size_label=str(n),
            )
        )
    for n in (1, 10, 100):
        out.append(
            Scenario(
                f"resources_{n}",
                f"{n} resources",
                RESOURCES,
                get(path=f"/api/r{n - 1}/items"),
                200,
                ((ACAO, APP_ORIGIN), VARY_ORIGIN),
                options={"resources": specific_resources(n)},
                size=n,
                size_label=str(n),
            )
        )
    for n in (1, 10, 64):
        names = header_names(n)
        out.append(
            Scenario(
                f"request_headers_{n}",
                f"{n} requested headers",
                REQUEST_HEADERS,
                preflight(method="POST", headers=acrh(names)),
                200,
                (
                    (ACAO, APP_ORIGIN),
                    (ACAH, ", ".join(sorted(names))),
                    (ACAM, DEFAULT_METHODS),
                    VARY_ORIGIN,
                ),
                options={},
                size=n,
                size_label=str(n),
            )
        )
    out.append(
        Scenario(
            "request_headers_8kb",
            "8 KB hostile request headers",
            REQUEST_HEADERS,
            preflight(method="POST", headers=HOSTILE_REQUEST_HEADERS),
            200,
            (
                (ACAO, APP_ORIGIN),
                (ACAH, flask_cors_allow_headers(HOSTILE_REQUEST_HEADERS)),
                (ACAM, DEFAULT_METHODS),
                VARY_ORIGIN,
            ),
            options={},
            # HEADERS_BOUNDED: over 4096 characters, so no Access-Control-Allow-Headers.
            fastcors_cors=((ACAO, APP_ORIGIN), (ACAM, DEFAULT_METHODS), VARY_ORIGIN),
            size=HOSTILE_REQUEST_HEADERS.count(",") + 1,
            size_label="8 KB",
        )
    )
    return out


SCENARIOS: tuple[Scenario, ...] = (*_headline(), *_scaling())
BY_ID = {scenario.id: scenario for scenario in SCENARIOS}
HEADLINE_SCENARIOS = tuple(s for s in SCENARIOS if s.series == HEADLINE)


def series(name: str) -> tuple[Scenario, ...]:
    return tuple(s for s in SCENARIOS if s.series == name)


# ---------------------------------------------------------------------------------------------
# Apps, checks


def _library(contender: Contender) -> Any:
    if contender.library == "flask_cors":
        import flask_cors

        return flask_cors
    import fastcors

    return fastcors


def build_app(scenario: Scenario, contender: Contender) -> Flask:
    """The scenario's app for one contender: the same routes and views for all four."""
    app = Flask(f"bench_{scenario.id}")
    decorate: Callable[[Callable[..., Any]], Callable[..., Any]] = lambda view: view  # noqa: E731
    if contender.library == FLOOR:
        added = list(scenario.expected(contender)[1])

        @app.after_request
        def append_lines(response: Any) -> Any:
            response.headers._list.extend(added)
            return response

        return _routes(app, decorate)
    if scenario.decorator is not None and contender.library is not None:
        decorate = _library(contender).cross_origin(**scenario.decorator)

    _routes(app, decorate)
    options = scenario.options
    if contender.is_fastcors and scenario.fastcors_options is not None:
        options = scenario.fastcors_options
    if options is not None and contender.library is not None:
        _library(contender).CORS(app, **options)
    return app


def _routes(app: Flask, decorate: Callable[[Callable[..., Any]], Callable[..., Any]]) -> Flask:
    @app.route("/api/items", methods=["GET", "POST", "PUT", "DELETE"])
    @decorate
    def items() -> str:
        return "ok"

    @app.route("/api/<section>/items", methods=["GET", "POST", "PUT", "DELETE"])
    def section_items(section: str) -> str:
        return "ok"

    return app


def cors_lines(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The Access-Control-* and Vary lines, names lower-cased, sorted (order is not part of the
    contract; every line and value is)."""
    return sorted(
        (name.lower(), value)
        for name, value in headers
        if name.lower().startswith("access-control-") or name.lower() == "vary"
    )


def _short(lines: Sequence[tuple[str, str]]) -> str:
    def cut(value: str) -> str:
        return value if len(value) <= 80 else f"{value[:60]}... ({len(value)} chars)"

    return "[" + ", ".join(f"{name}: {cut(value)}" for name, value in lines) + "]"


def check(scenario: Scenario, contender: Contender, reply: Reply) -> None:
    """Raise :class:`ExpectationError` unless ``reply`` is exactly the expected answer."""
    status, expected = scenario.expected(contender)
    want = cors_lines(expected)
    got = cors_lines(reply.headers)
    problems = []
    if reply.status != status:
        problems.append(f"status {reply.status}, expected {status}")
    if got != want:
        missing = [line for line in want if line not in got or want.count(line) > got.count(line)]
        extra = [line for line in got if line not in want or got.count(line) > want.count(line)]
        problems.append(f"CORS lines {_short(got)}, expected {_short(want)}")
        if missing:
            problems.append(f"missing {_short(sorted(set(missing)))}")
        if extra:
            problems.append(f"unexpected {_short(sorted(set(extra)))}")
    if problems:
        raise ExpectationError(
            f"{contender.key} answers scenario {scenario.id!r} wrongly ({scenario.request.method} "
            f"{scenario.request.path} {dict(scenario.request.headers)!r:.200}): "
            + "; ".join(problems)
        )


@dataclasses.dataclass(frozen=True)
class Prepared:
    """A contender's app for a scenario, checked, with the callable the benchmarks time."""

    scenario: Scenario
    contender: Contender
    app: WSGIApp
    environ: Mapping[str, Any]
    reply: Reply
    run: Callable[[], None]


def prepare(scenario: Scenario, contender: Contender) -> Prepared:
    """Build the app, answer the request once and check the answer (and, for fastcors, that the
    app is bound to the contender's engine). Raises :class:`ExpectationError` on a wrong answer and
    :class:`~bench.contenders.CompiledEngineMissing` when the compiled engine is missing."""
    environ = scenario.request.environ()
    if contender.engine_module is None:
        app = build_app(scenario, contender)
        reply = call(app, environ)
    else:
        with using_engine(contender.engine_module):
            app = build_app(scenario, contender)
            # The decorator resolves its options on the first request: answer it while swapped.
            reply = call(app, environ)
        bound = engines_in_use(app)
        if bound != {contender.engine_module}:
            raise ExpectationError(
                f"{contender.key} on scenario {scenario.id!r}: the app uses engine(s) "
                f"{sorted(bound)}, expected {contender.engine_module!r}"
            )
    check(scenario, contender, reply)
    # A second answer must be the same (nothing cached wrongly on the first request).
    check(scenario, contender, call(app, environ))
    return Prepared(scenario, contender, app, environ, reply, runner(app, environ))


def contenders(keys: Iterable[str] | None = None, floor: bool = False) -> tuple[Contender, ...]:
    """The contenders named (all four when None); ``floor`` also accepts the floor hook."""
    if keys is None:
        return CONTENDERS
    choices = ANY_BY_KEY if floor else BY_KEY
    wanted = list(keys)
    unknown = sorted(set(wanted) - set(choices))
    if unknown:
        raise ValueError(f"unknown contender(s) {unknown}; choose from {list(choices)}")
    return tuple(c for c in choices.values() if c.key in wanted)
