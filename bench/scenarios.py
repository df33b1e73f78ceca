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

The edge contenders (``CORS(app, edge=...)``) must send fastcors' CORS lines too, and more: the
same lines, in the same order, as the same app without the edge (the after-request hooks), and
every other header line and the body unchanged, except on a CORS preflight, which the edge
answers itself: there the status is the contender's ``preflight_status``, the body is empty, and
the only other line is ``Content-Length: 0`` (status 200); no ``Allow``, no ``Content-Type``
(Flask's automatic OPTIONS answer has both, so an edge that let Flask answer is caught).

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
    edge_in_use,
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
#: The literal-origins and resources series again, with a preflight instead of a GET: what the
#: edge answers itself.
PREFLIGHT_LITERAL_ORIGINS = "literal origins, preflight"
PREFLIGHT_RESOURCES = "resources, preflight"
SCALING_SERIES = (
    LITERAL_ORIGINS,
    PATTERN_ORIGINS,
    WILDCARD_ORIGINS,
    RESOURCES,
    REQUEST_HEADERS,
    PREFLIGHT_LITERAL_ORIGINS,
    PREFLIGHT_RESOURCES,
)


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

    @property
    def is_preflight(self) -> bool:
        """A CORS preflight: OPTIONS with an Origin and an Access-Control-Request-Method."""
        names = {name.lower() for name in self.request.headers}
        required = {"origin", "access-control-request-method"}
        return self.request.method == "OPTIONS" and required <= names

    def expected(self, contender: Contender) -> tuple[int, Lines]:
        """(status, CORS lines) that ``contender`` must answer with (the floor hook: fastcors')."""
        if contender.library is None:
            return self.status, ()
        if contender.library == "flask_cors":
            return self.status, self.cors
        lines = self.cors if self.fastcors_cors is None else self.fastcors_cors
        if self.vary_all:
            lines = (*lines, VARY_ORIGIN)
        if answered_at_edge(self, contender):
            return contender.preflight_status, lines
        return self.status, lines


def answered_at_edge(scenario: Scenario, contender: Contender) -> bool:
    """Whether ``contender``'s edge answers ``scenario``'s request itself, before Flask routes it:
    a CORS preflight (every preflight scenario's path has a fastcors policy)."""
    return contender.is_edge and scenario.is_preflight


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
    one_header = acrh(["Content-Type"])
    for n in (1, 10, 100, 1000):
        origin = literal_origin(n - 1)
        out.append(
            Scenario(
                f"preflight_literal_origins_{n}",
                f"{n} literal origins, preflight",
                PREFLIGHT_LITERAL_ORIGINS,
                preflight(origin=origin, method="PUT", headers=one_header),
                200,
                (
                    (ACAO, origin),
                    (ACAH, one_header),
                    (ACAM, DEFAULT_METHODS),
                    *((VARY_ORIGIN,) if n > 1 else ()),
                ),
                options={"origins": literal_origins(n)},
                size=n,
                size_label=str(n),
            )
        )
    for n in (1, 10, 100):
        out.append(
            Scenario(
                f"preflight_resources_{n}",
                f"{n} resources, preflight",
                PREFLIGHT_RESOURCES,
                preflight(path=f"/api/r{n - 1}/items", method="PUT", headers=one_header),
                200,
                ((ACAO, APP_ORIGIN), (ACAH, one_header), (ACAM, DEFAULT_METHODS), VARY_ORIGIN),
                options={"resources": specific_resources(n)},
                size=n,
                size_label=str(n),
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
    """The scenario's app for one contender: the same routes and views for all.

    An edge contender's app is the ``fastcors-cython`` one with ``edge=`` (and
    ``preflight_status=``) added to its ``CORS(app)`` call. A scenario with no ``CORS(app)`` (only
    ``cross_origin``, which refuses app-wide options) gets ``CORS(app, edge=..., resources={})``:
    the edge and no policy of its own (under ``edge="preflight"`` that registration's after-request
    hook, which finds no resource, still runs)."""
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
    if contender.is_edge:
        edge = {"edge": contender.edge, "preflight_status": contender.preflight_status}
        options = {**options, **edge} if options is not None else {"resources": {}, **edge}
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


def _edge_answer_problems(contender: Contender, reply: Reply) -> list[str]:
    """What is wrong with the non-CORS part of an edge's own answer to a preflight: an empty
    body, ``Content-Length: 0`` with status 200 (none with 204), no ``Allow``, no
    ``Content-Type``. Lines a server adds (``Date``, ``Server``, ``Connection``) are allowed."""
    problems = []
    names = {name.lower(): value for name, value in reply.headers}
    for name in ("allow", "content-type"):
        if name in names:
            problems.append(
                f"a {name.title()} line ({names[name]!r}): Flask answered, not the edge"
            )
    length = names.get("content-length")
    if contender.preflight_status == 200 and length != "0":
        problems.append(f"Content-Length {length!r}, expected '0'")
    if contender.preflight_status == 204 and length not in (None, "0"):
        problems.append(f"Content-Length {length!r} on a 204")
    if reply.body:
        problems.append(f"a body of {len(reply.body)} bytes, expected none")
    return problems


def check(scenario: Scenario, contender: Contender, reply: Reply) -> None:
    """Raise :class:`ExpectationError` unless ``reply`` is exactly the expected answer."""
    status, expected = scenario.expected(contender)
    want = cors_lines(expected)
    got = cors_lines(reply.headers)
    problems = []
    if reply.status != status:
        problems.append(f"status {reply.status}, expected {status}")
    if answered_at_edge(scenario, contender):
        problems += _edge_answer_problems(contender, reply)
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


def _in_order(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The CORS lines (Access-Control-* and Vary) in the order they were sent."""
    return [
        (name, value)
        for name, value in headers
        if name.lower().startswith("access-control-") or name.lower() == "vary"
    ]


def check_edge_like_hooks(
    scenario: Scenario, contender: Contender, reply: Reply, hooks: Reply
) -> None:
    """Raise :class:`ExpectationError` unless an edge contender's ``reply`` is the answer of the
    same app without the edge (``hooks``): the same CORS lines in the same order, and, where the
    edge does not answer itself, the same status, header lines and body; where it does, no other
    line than ``Content-Length: 0`` (none with status 204)."""
    problems = []
    if _in_order(reply.headers) != _in_order(hooks.headers):
        problems.append(
            f"CORS lines {_short(_in_order(reply.headers))}, without the edge "
            f"{_short(_in_order(hooks.headers))}"
        )
    if answered_at_edge(scenario, contender):
        others = [line for line in reply.headers if line not in _in_order(reply.headers)]
        base = [("Content-Length", "0")] if contender.preflight_status == 200 else []
        if others != base:
            problems.append(f"other lines {others!r} on the edge's own answer, expected {base!r}")
    else:
        if reply.status != hooks.status:
            problems.append(f"status {reply.status}, without the edge {hooks.status}")
        if reply.headers != hooks.headers:
            problems.append(
                f"header lines {reply.headers!r:.300}, without the edge {hooks.headers!r:.300}"
            )
        if reply.body != hooks.body:
            problems.append("a different body")
    if problems:
        raise ExpectationError(
            f"{contender.key} answers scenario {scenario.id!r} unlike the same app without the "
            "edge (the after-request hooks): " + "; ".join(problems)
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
        mode, wrapper = edge_in_use(app)
        if mode != contender.edge or (mode is not None and app.wsgi_app is not wrapper):
            raise ExpectationError(
                f"{contender.key} on scenario {scenario.id!r}: the app's edge is {mode!r} "
                f"(app.wsgi_app {app.wsgi_app!r}), expected {contender.edge!r}"
            )
    check(scenario, contender, reply)
    # A second answer must be the same (nothing cached wrongly on the first request).
    again = call(app, environ)
    check(scenario, contender, again)
    if contender.is_edge:
        hooks = dataclasses.replace(contender, edge=None)
        with using_engine(hooks.engine_module or ""):
            twin = build_app(scenario, hooks)
            expected = call(twin, environ)
        for answer in (reply, again):
            check_edge_like_hooks(scenario, contender, answer, expected)
    return Prepared(scenario, contender, app, environ, reply, runner(app, environ))


def contenders(keys: Iterable[str] | None = None, floor: bool = False) -> tuple[Contender, ...]:
    """The contenders named (all of :data:`CONTENDERS` when None); ``floor`` also accepts the
    floor hook."""
    if keys is None:
        return CONTENDERS
    choices = ANY_BY_KEY if floor else BY_KEY
    wanted = list(keys)
    unknown = sorted(set(wanted) - set(choices))
    if unknown:
        raise ValueError(f"unknown contender(s) {unknown}; choose from {list(choices)}")
    return tuple(c for c in choices.values() if c.key in wanted)
