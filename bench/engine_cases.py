"""Engine-only benchmarks: the two fastcors engines without Flask.

Each case compiles one configuration with fastcors' own option compiler (bound to the engine under
test) and times either ``Policy.evaluate`` with the request's values, or the engine's ``apply``
(resource lookup, header scan, evaluation, appending the lines) on a minimal request object and a
Werkzeug ``Response`` whose header list is cut back to its original lines after every call. Both
results are checked against the expected header pairs before timing.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Mapping
from typing import Any

from werkzeug.wrappers import Response

from fastcors.origins import OriginCheck, Wildcard

from .contenders import ENGINES, Contender, using_engine
from .scenarios import (
    ACAH,
    ACAM,
    ACAO,
    ADMIN_ORIGIN,
    APP_ORIGIN,
    DEFAULT_METHODS,
    EVIL_ORIGIN,
    VARY_ORIGIN,
    ExpectationError,
    Lines,
    acrh,
    header_names,
    pattern_origin,
    pattern_origins,
)

EVALUATE = "evaluate"
APPLY = "apply"
OPERATIONS = (EVALUATE, APPLY)

_TEN = header_names(10)


def _is_app(origin: str) -> bool:
    return origin == APP_ORIGIN


#: A check whose answers are cached for a day: after the expectation check (the one call that
#: asks it), every timed call is a cache hit. Shared by both engines (one cache).
CACHED_CHECK = OriginCheck(_is_app, cache_ttl=24 * 3600.0)


@dataclasses.dataclass(frozen=True)
class EngineCase:
    """One configuration and one request for the engine alone.

    :ivar pairs: what ``Policy.evaluate`` must return (None: no CORS headers).
    :ivar vary: ``apply`` also appends ``Vary: Origin``.
    """

    id: str
    title: str
    options: Mapping[str, Any]
    origin: str | None
    method: str
    request_method: str | None
    request_headers: str | None
    pairs: Lines | None
    vary: bool

    @property
    def environ(self) -> dict[str, str]:
        environ = {"REQUEST_METHOD": self.method, "PATH_INFO": "/api/items"}
        for key, value in (
            ("HTTP_ORIGIN", self.origin),
            ("HTTP_ACCESS_CONTROL_REQUEST_METHOD", self.request_method),
            ("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", self.request_headers),
        ):
            if value is not None:
                environ[key] = value
        return environ


ENGINE_CASES: tuple[EngineCase, ...] = (
    EngineCase(
        "literal_hit",
        "literal-origin hit",
        {"origins": [APP_ORIGIN, ADMIN_ORIGIN]},
        APP_ORIGIN,
        "GET",
        None,
        None,
        ((ACAO, APP_ORIGIN),),
        True,
    ),
    EngineCase(
        "wildcard_hit",
        "wildcard-origin hit",
        {"origins": [Wildcard("https://*.example.com")]},
        APP_ORIGIN,
        "GET",
        None,
        None,
        ((ACAO, APP_ORIGIN),),
        True,
    ),
    EngineCase(
        "check_cached_hit",
        "cached origin-check hit",
        {"origins": [CACHED_CHECK]},
        APP_ORIGIN,
        "GET",
        None,
        None,
        ((ACAO, APP_ORIGIN),),
        True,
    ),
    EngineCase(
        "pattern_hit",
        "pattern-origin hit",
        {"origins": pattern_origins(1)},
        pattern_origin(0),
        "GET",
        None,
        None,
        ((ACAO, pattern_origin(0)),),
        True,
    ),
    EngineCase(
        "refused",
        "refused origin",
        {"origins": [APP_ORIGIN, ADMIN_ORIGIN]},
        EVIL_ORIGIN,
        "GET",
        None,
        None,
        None,
        True,
    ),
    EngineCase(
        "preflight_10",
        "preflight, 10 headers",
        {},
        APP_ORIGIN,
        "OPTIONS",
        "POST",
        acrh(_TEN),
        ((ACAO, APP_ORIGIN), (ACAH, ", ".join(sorted(_TEN))), (ACAM, DEFAULT_METHODS)),
        True,
    ),
    EngineCase(
        "preflight_10_listed",
        "preflight, 10 headers, allow_headers list",
        {"allow_headers": [*_TEN, "Authorization", "Content-Type"]},
        APP_ORIGIN,
        "OPTIONS",
        "POST",
        acrh(_TEN),
        ((ACAO, APP_ORIGIN), (ACAH, ", ".join(sorted(_TEN))), (ACAM, DEFAULT_METHODS)),
        True,
    ),
)
BY_ID = {case.id: case for case in ENGINE_CASES}


@dataclasses.dataclass(frozen=True)
class PreparedEngine:
    """The timed call is ``target(*args)``: ``Policy.evaluate`` is timed directly, ``apply`` through
    a small function that also cuts the response's header list back."""

    case: EngineCase
    engine: Contender
    operation: str
    target: Callable[..., Any]
    args: tuple[Any, ...]

    def run(self) -> None:
        self.target(*self.args)


def _compile(case: EngineCase, module: types.ModuleType) -> tuple[Any, Any]:
    from fastcors._compile import compile_policy, compile_resources
    from fastcors._options import Layer, config_layer, merge

    merged = merge(config_layer({}), Layer(case.options, "bench"))
    policy = compile_policy(merged.options)
    resources, invalid = compile_resources([("/*", policy)])
    assert not invalid
    for obj in (policy, resources):
        if type(obj).__module__ != module.__name__:
            raise ExpectationError(
                f"engine case {case.id!r}: compiled {type(obj).__module__}, expected {module.__name__}"
            )
    return policy, resources


class _Request:
    """The three attributes the engine reads from a request."""

    __slots__ = ("environ", "method", "path")

    def __init__(self, environ: dict[str, str]) -> None:
        self.environ = environ
        self.method = environ["REQUEST_METHOD"]
        self.path = environ["PATH_INFO"]


def prepare_engine(case: EngineCase, engine: Contender, operation: str) -> PreparedEngine:
    """Compile the case for one engine, check ``evaluate``/``apply`` once, return the timed callable."""
    assert engine.engine_module is not None
    with using_engine(engine.engine_module) as module:
        policy, resources = _compile(case, module)
    args = (case.origin, case.method, case.request_method, case.request_headers, None)
    got = policy.evaluate(*args)
    want = None if case.pairs is None else [tuple(p) for p in case.pairs]
    if (None if got is None else [tuple(p) for p in got]) != want:
        raise ExpectationError(
            f"{engine.key} engine, case {case.id!r}: evaluate returned {got!r}, expected {want!r}"
        )

    if operation == EVALUATE:
        return PreparedEngine(case, engine, operation, policy.evaluate, args)

    request = _Request(case.environ)
    response = Response("ok")
    lines = response.headers._list  # the engine appends straight to this list
    if type(lines) is not list:
        raise TypeError("werkzeug Headers no longer keep a list in _list; update the bench")
    base = len(lines)
    apply = module.apply
    result = apply(resources, request, response)
    added = [tuple(line) for line in lines[base:]]
    expected = list(case.pairs or ()) + ([VARY_ORIGIN] if case.vary else [])
    if result is not response or sorted(added) != sorted(expected):
        raise ExpectationError(
            f"{engine.key} engine, case {case.id!r}: apply added {added!r}, expected {expected!r}"
        )
    del lines[base:]

    def run_apply() -> None:
        apply(resources, request, response)
        del lines[base:]

    return PreparedEngine(case, engine, operation, run_apply, ())


def engine_matrix() -> list[tuple[EngineCase, str, Contender]]:
    return [(case, op, engine) for case in ENGINE_CASES for op in OPERATIONS for engine in ENGINES]
