"""Hostile input never breaks a response (issue 6, SPEC "Per request" rule 7, HEADERS_BOUNDED).

Property-based tests over the engine (``Policy.evaluate``/``allow_headers``/``origin_allowed``,
``Resources.lookup``) and over the Flask layer (raw WSGI environs checked by ``wsgiref.validate``,
and the test client): malformed ``Origin`` (empty, ``null``, non-ASCII, control characters, 8 KB,
many schemes), hostile ``Access-Control-Request-Headers`` (8 KB of commas, 10 000 one-character
names, non-token characters), ``Access-Control-Request-Method`` oddities and bad percent-encoding in
paths. Every answer is compared with :mod:`tests.cors_oracle`, which computes it from the
configuration and the SPEC text alone; so "never an Access-Control-Allow-Origin for an origin the
policy does not allow" is checked exactly, not approximately.

Parsing cost is checked by counting work (pattern calls, interpreted lines), never by wall-clock.
"""

from __future__ import annotations

import io
import re
import sys
import types
import wsgiref.validate
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import create_environ
from werkzeug.wrappers import Request

import fastcors._engine_py as engine_py
from fastcors import CORS, cross_origin
from fastcors._compile import (
    compile_policy,
    compile_resources,
    policy_fields,
    resource_entries,
    resource_table,
)
from fastcors._options import DEFAULTS

from .cors_oracle import ACAH, ACAO, Oracle, first_resource, has_ctl, is_token
from .helpers import cors_lines, wsgi_environ

EXAMPLES = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

CONFIGS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "listed": {
        "origins": [
            "https://a.example",
            "HTTPS://B.Example:8443",
            r"https://[a-z0-9-]+\.c\.example",
            re.compile(r"http://localhost:\d+"),
        ],
        "allow_headers": ["Content-Type", "X-Requested-With", r"X-Custom-[A-Z]+"],
        "supports_credentials": True,
        "expose_headers": ["X-Total", "X-Page"],
        "max_age": 600,
        "methods": ["GET", "POST", "put"],
    },
    "public": {
        "origins": "*",
        "send_wildcard": True,
        "always_send": False,
        "max_age": timedelta(0),
    },
    "null_and_private": {
        "origins": ["null", "https://a.example"],
        "allow_headers": ["x-a", "x-b", "x-c", "x-d"],
        "allow_private_network": True,
        "max_age": "0",
    },
    "prefix_regex": {
        "origins": r"https://.*\.example\.com",
        "vary_header": False,
        "methods": "GET, POST",
    },
}
CONFIG_IDS = list(CONFIGS)

# Strategies ------------------------------------------------------------------------------------------

SEED_ORIGINS = [
    "https://a.example",
    "https://b.example:8443",
    "https://x-1.c.example",
    "http://localhost:5000",
    "null",
    "https://a.example.com",
    "https://a.example.com.evil.net",
    "https://evil.example",
]
HOSTILE_PIECES = [
    "\r",
    "\n",
    "\r\n",
    "\x00",
    "\t",
    "\x0b",
    "\x1b[31m",
    "\x7f",
    " ",
    "\x85",
    "\xa0",
    "\xff",
    "\u2028",
    "\ufeff",
    "\u212a",
    "é",
    "ß",
    "İ",
    "%0d%0a",
    "%00",
    ",",
    ";",
    "*",
    ".",
    "/",
    ":",
    "@",
    "#",
    "?",
    "\\",
    '"',
    "'",
    "<",
    ">",
    "(",
    ")",
    "https://",
    "null",
]


def _latin1(text: str) -> str:
    """What a WSGI server can put in the environ: one code point per received byte."""
    return "".join(char if ord(char) < 256 else "?" for char in text)


@st.composite
def origins(draw: st.DrawFn, wsgi: bool = False) -> str | None:
    seed = draw(st.sampled_from(SEED_ORIGINS))
    kind = draw(st.integers(0, 9))
    if kind == 0:
        value: str | None = draw(st.sampled_from([None, "", "null", "NULL", " null", "*"]))
    elif kind == 1:
        value = seed
    elif kind == 2:
        value = "".join(c.upper() if draw(st.booleans()) else c for c in seed)
    elif kind in (3, 4):
        chars = list(seed)
        for _ in range(draw(st.integers(1, 3))):
            chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from(HOSTILE_PIECES)))
        value = "".join(chars)
    elif kind == 5:
        value = seed + draw(
            st.sampled_from([".evil.net", "/", ":443", "\r\nSet-Cookie: a=b", "\x00"])
        )
    elif kind == 6:
        value = "https://" * draw(st.integers(2, 200)) + seed.split("://")[-1]
    elif kind == 7:
        filler = draw(st.sampled_from(["a", "a.", "é", "\x00", "-"]))
        value = (
            "https://" + filler * (8192 // len(filler)) + draw(st.sampled_from([".c.example", ""]))
        )
    elif kind == 8:
        value = draw(st.text(max_size=60))
    else:
        value = draw(st.text(st.sampled_from("htps:/.-aAcelxmnu0123456789é\x00\r\n "), max_size=40))
    if wsgi and value is not None:
        value = _latin1(value)
    return value


HEADER_NAMES = [
    "Content-Type",
    "content-type",
    "CONTENT-TYPE",
    "X-Requested-With",
    "X-Custom-ABC",
    "x-custom-",
    "X-Custom-abc",
    "x-a",
    "X-B",
    "x-c",
    "x-d",
    "x-e",
    "a",
    "*",
    "X A",
    "x:y",
    "é",
    "x\x00y",
    "x\r\ny",
    "(",
    '"q"',
    "{}",
    "x-a;",
    "",
    " ",
    "\t",
    "ﬀ",
    "X-\u212a",
]
SEPARATORS = [",", ", ", " ,", ",\t", ",,", " , ", "\t,\t"]


@st.composite
def request_headers(draw: st.DrawFn, wsgi: bool = False) -> str | None:
    kind = draw(st.integers(0, 7))
    if kind == 0:
        value: str | None = draw(st.sampled_from([None, "", ",", " ", "*"]))
    elif kind == 1:
        value = "," * draw(st.sampled_from([63, 64, 65, 8192]))
    elif kind == 2:
        name = draw(st.sampled_from(["a", "x-a", "Content-Type"]))
        value = ",".join([name] * draw(st.sampled_from([63, 64, 65, 2048, 4000])))
    elif kind == 3:
        # 10 000 one-character names, some not tokens.
        cycle = draw(st.text(st.sampled_from("abXY-*é\x00 "), min_size=1, max_size=16))
        value = ",".join((cycle * 10_000)[:10_000])
    elif kind == 4:
        value = draw(st.text(max_size=80))
    else:
        names = draw(st.lists(st.sampled_from(HEADER_NAMES), max_size=80))
        value = ""
        for i, name in enumerate(names):
            value += (draw(st.sampled_from(SEPARATORS)) if i else "") + name
    if wsgi and value is not None:
        value = _latin1(value)
    return value


REQUEST_METHODS = st.one_of(
    st.sampled_from(
        [
            None,
            "",
            "GET",
            "get",
            "Get",
            "POST",
            "put",
            "PUT",
            "DELETE",
            "PATCH",
            "OPTIONS",
            " GET",
            "GET ",
            "ET",
            "G",
            "GETPOST",
            "GET, POST",
            "GET,POST",
            "*",
            "POﬆ",
            "ǅ",
            "\x00GET",
            "GET\r\n",
            "g\u0130t",
        ]
    ),
    st.text(max_size=12),
)
METHODS = st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
PRIVATE_NETWORK = st.one_of(
    st.sampled_from([None, "true", "TRUE", "false", "", " true"]), st.text(max_size=6)
)


# Engine -----------------------------------------------------------------------------------------------


def policy_for(options: Mapping[str, Any]) -> Any:
    return compile_policy({**DEFAULTS, **options})


def assert_well_formed(pairs: list[tuple[str, str]] | None) -> None:
    for name, value in pairs or ():
        assert type(name) is str and type(value) is str
        assert not has_ctl(value), (name, value)
        if name == ACAH:
            names = value.split(", ")
            assert names == sorted(names)
            assert all(is_token(n) for n in names), value


@pytest.mark.parametrize("config", CONFIG_IDS)
def test_evaluate_equals_the_spec_oracle(config: str) -> None:
    policy = policy_for(CONFIGS[config])
    oracle = Oracle(CONFIGS[config])

    @EXAMPLES
    @given(origins(), METHODS, REQUEST_METHODS, request_headers(), PRIVATE_NETWORK)
    def check(origin: Any, method: str, acrm: Any, acrh: Any, acrpn: Any) -> None:
        pairs = policy.evaluate(origin, method, acrm, acrh, acrpn)
        assert_well_formed(pairs)
        assert pairs == oracle.pairs(origin, method, acrm, acrh, acrpn)
        if pairs and origin and pairs[0][1] != "*":
            assert pairs[0] == (ACAO, origin)
            assert oracle.origin_allowed(origin)

    check()


@pytest.mark.parametrize("config", CONFIG_IDS)
def test_origin_allowed_equals_the_spec_oracle(config: str) -> None:
    policy = policy_for(CONFIGS[config])
    oracle = Oracle(CONFIGS[config])

    @EXAMPLES
    @given(origins().filter(bool))
    def check(origin: str) -> None:
        assert policy.origin_allowed(origin) is oracle.origin_allowed(origin)

    check()


@pytest.mark.parametrize("config", CONFIG_IDS)
def test_allow_headers_equals_the_spec_oracle(config: str) -> None:
    policy = policy_for(CONFIGS[config])
    oracle = Oracle(CONFIGS[config])

    @EXAMPLES
    @given(request_headers())
    def check(value: str | None) -> None:
        answer = policy.allow_headers(value)
        assert answer == oracle.allow_headers_value(value)
        if answer is not None:
            assert_well_formed([(ACAH, answer)])

    check()


@pytest.mark.parametrize(
    "origin",
    [
        "https://a.example\r\n",
        "https://a.example\nX-Injected: 1",
        "https://a.example\x00",
        "\x00https://a.example",
        "https://a.ex\tample",
        "https://x-1.c.example\x1b[2J",
        "https://x-1.c.example\x7f",
        "http://localhost:5000\r",
    ],
)
@pytest.mark.parametrize("config", ["defaults", "listed", "null_and_private"])
def test_rule7_origin_with_control_character_never_matches(config: str, origin: str) -> None:
    policy = policy_for(CONFIGS[config])
    assert policy.origin_allowed(origin) is False
    assert policy.evaluate(origin, "GET", None, None, None) is None
    assert policy.evaluate(origin, "OPTIONS", "GET", "x-a", "true") is None


def test_rule7_requested_header_with_control_character_is_dropped() -> None:
    policy = policy_for({})
    assert policy.allow_headers("x-a,x\r\nb,x-c") == "x-a, x-c"
    assert policy.allow_headers("x\x00a") is None
    assert policy.allow_headers("x-a, \x7f") == "x-a"


# Bounded, linear work --------------------------------------------------------------------------------


class CountingPattern:
    """A stand-in for a compiled pattern that counts the calls and characters it is given."""

    def __init__(self, source: str) -> None:
        self.pattern = source
        self._compiled = re.compile(source, re.IGNORECASE)
        self.calls = 0
        self.chars = 0

    def match(self, text: str) -> Any:
        self.calls += 1
        self.chars += len(text)
        return self._compiled.match(text)

    def fullmatch(self, text: str) -> Any:
        self.calls += 1
        self.chars += len(text)
        return self._compiled.fullmatch(text)


def counting_policy(
    engine: types.ModuleType, header: CountingPattern, origin: CountingPattern
) -> Any:
    return engine.Policy(
        policy_fields(
            any_origin=False,
            send_wildcard=False,
            origin_literals=["https://a.example"],
            origin_patterns=[origin],
            no_origin_value="https://a.example",
            expose_headers=None,
            credentials=False,
            private_network=False,
            methods=["GET", "POST"],
            allow_methods="GET, POST",
            max_age=None,
            any_header=False,
            header_literals=["content-type"],
            header_patterns=[header],
            vary=True,
        )
    )


OVER_BOUND = {
    "8 KB of commas": "," * 8192,
    "4000 'a,' pairs": "a," * 4000,
    "10 000 one-character names": ",".join("abcdefghij" * 1000),
    "65 pieces": ",".join(["x-a"] * 65),
    "64 commas": "," * 64,
    "4097 characters": "x-" + "a" * 4095,
    "2048 'x-a,' (8 KB)": "x-a," * 2048,
}


@pytest.mark.parametrize("value", list(OVER_BOUND.values()), ids=list(OVER_BOUND))
def test_over_bound_request_headers_are_refused_without_matching(
    engine: types.ModuleType, value: str
) -> None:
    header, origin = CountingPattern(r"x-"), CountingPattern(r"https://.*\.example")
    policy = counting_policy(engine, header, origin)
    assert policy.allow_headers(value) is None
    pairs = policy.evaluate("https://a.example", "OPTIONS", "POST", value, None)
    assert pairs is not None and ACAH not in dict(pairs)
    assert header.calls == 0, "no name of an over-bound value is even looked at"
    assert policy_for({}).allow_headers(value) is None


def test_bound_edges(engine: types.ModuleType) -> None:
    policy = policy_for({})
    assert policy.allow_headers(",".join(["x-a"] * 64)) == ", ".join(["x-a"] * 64)
    assert policy.allow_headers(",".join(["x-a"] * 65)) is None
    assert policy.allow_headers("," * 63 + "x-a") == "x-a"  # 64 pieces, 63 of them empty
    assert policy.allow_headers("," * 64 + "x-a") is None
    longest = "x-" + "a" * 4094
    assert policy.allow_headers(longest) == longest
    assert policy.allow_headers(longest + "a") is None
    assert engine.MAX_REQUEST_HEADERS_LENGTH == 4096
    assert engine.MAX_REQUEST_HEADERS_PIECES == 64


@pytest.mark.parametrize("pieces", [1, 2, 8, 31, 64])
@pytest.mark.parametrize("junk", [False, True], ids=["tokens", "with_junk"])
def test_matching_work_is_bounded_by_the_pieces(
    engine: types.ModuleType, pieces: int, junk: bool
) -> None:
    """One pattern call per (non-empty, token) piece at most, each on that piece only."""
    header, origin = CountingPattern(r"x-custom-"), CountingPattern(r"https://.*\.example")
    policy = counting_policy(engine, header, origin)
    names = [f"X-Other-{i}" if not (junk and i % 3 == 0) else f"x y{i}" for i in range(pieces)]
    value = ", ".join(names)
    policy.allow_headers(value)
    assert header.calls <= pieces
    assert header.chars <= len(value)


@pytest.mark.parametrize("size", [16, 1024, 8192, 65536])
def test_origin_work_is_one_pass(engine: types.ModuleType, size: int) -> None:
    header, origin = CountingPattern(r"x-"), CountingPattern(r"https://[a-z]+\.example")
    policy = counting_policy(engine, header, origin)
    value = "https://" + "a" * size + ".example"
    assert policy.evaluate(value, "GET", None, None, None) == [(ACAO, value)]
    assert policy.evaluate(value + "\r\n", "GET", None, None, None) is None
    assert policy.evaluate("https://A.EXAMPLE", "GET", None, None, None) == [
        (ACAO, "https://A.EXAMPLE")
    ]
    # One fullmatch for the allowed value, none for the refused one (control character), none for
    # the literal.
    assert origin.calls == 1
    assert origin.chars == len(value)


def _traced_lines(func: Callable[[], Any], filename: str) -> int:
    count = 0

    def tracer(frame: types.FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if frame.f_code.co_filename != filename:
            return None
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        func()
    finally:
        sys.settrace(None)
    return count


def test_pure_engine_parsing_is_linear_in_interpreted_lines() -> None:
    """The pure-Python engine's per-request parsing, counted in interpreted lines: linear in the
    number of pieces up to the bound, and constant (no parsing at all) past it. The compiled twin
    has no Python lines to count; its work is bounded by the pattern-call tests above and its
    answers are held equal to this engine's by the parity tests."""
    pure = engine_py.Policy(
        policy_fields(
            any_origin=False,
            send_wildcard=False,
            origin_literals=[],
            origin_patterns=[],
            no_origin_value=None,
            expose_headers=None,
            credentials=False,
            private_network=False,
            methods=["GET"],
            allow_methods="GET",
            max_age=None,
            any_header=False,
            header_literals=["x-a", "x-b"],
            header_patterns=[re.compile("x-c", re.IGNORECASE)],
            vary=False,
        )
    )
    filename = engine_py.__file__

    def lines(value: str) -> int:
        return _traced_lines(lambda: pure.allow_headers(value), filename)

    # Junk forces the piece-by-piece loop (the slow path).
    def junk(pieces: int) -> str:
        return ",".join("x-a" if i % 2 else "x y" for i in range(pieces))

    counts = {n: lines(junk(n)) for n in (4, 8, 16, 32, 64)}
    assert counts[4] > 0, "the tracer sees the pure engine"
    for n in (4, 8, 16, 32):
        assert counts[2 * n] <= 2 * counts[n], counts
    for value in OVER_BOUND.values():
        assert lines(value) <= counts[4] // 2, "past the bound nothing is parsed"


def test_resource_lookup_work_is_bounded(engine: types.ModuleType) -> None:
    patterns = [CountingPattern(r"/api/v\d+/items"), CountingPattern(r"/api/[a-z]+/x")]
    policy = policy_for({})
    resources = engine.Resources(resource_table({}, {"/api/": [(p, policy) for p in patterns]}))
    for path in ["/api/" + "a" * 65536, "/api/" + "%2f" * 4096, "/other/" + "/" * 8192]:
        before = sum(p.calls for p in patterns)
        resources.lookup(path)
        assert sum(p.calls for p in patterns) - before <= len(patterns)


# Resources --------------------------------------------------------------------------------------------

RESOURCE_KEYS: list[Any] = [
    "/api/*",
    "/api/v1/.*",
    r"/files/[a-z%]+",
    "/exact",
    "/a+b",
    "/a b",
    "*",
    re.compile(r"/API/.*"),
    re.compile(r"/(x|y)/\d+$"),
    "/static/app.js",
    r"^/anchored/.+",
]
PATH_PARTS = [
    "/",
    "api",
    "API",
    "v1",
    "v2",
    "files",
    "exact",
    "a+b",
    "a b",
    "x",
    "y",
    "1",
    "42",
    "static",
    "app.js",
    "anchored",
    "%",
    "%2",
    "%25",
    "%2F",
    "%2f",
    "%zz",
    "%C3%A9",
    "%00",
    "é",
    "\x00",
    "\r\n",
    "+",
    ".",
    "..",
    "//",
    "\ufffd",
    "ü",
    "\u212a",
]
PATHS = st.one_of(
    st.lists(st.sampled_from(PATH_PARTS), max_size=12).map(lambda parts: "/" + "".join(parts)),
    st.text(max_size=40).map(lambda text: "/" + text),
    st.sampled_from(["/api/" + "a" * 8192, "/" + "/" * 8192, "/files/" + "%" * 8192]),
)


def test_resource_lookup_equals_the_spec_oracle() -> None:
    # A distinct policy per resource, to tell them apart.
    keyed = {key: {"origins": [f"https://r{i}.example"]} for i, key in enumerate(RESOURCE_KEYS)}
    entries = [(key, policy_for(options)) for key, options in resource_entries(keyed)]
    resources, invalid = compile_resources(entries)
    assert invalid == []
    policy_of = {id(policy): key for key, policy in entries}

    @EXAMPLES
    @given(PATHS)
    def check(path: str) -> None:
        found = resources.lookup(path)
        assert (None if found is None else policy_of[id(found)]) == first_resource(
            RESOURCE_KEYS, path
        )

    check()


# The Flask layer ------------------------------------------------------------------------------------

APP_RESOURCES: dict[Any, dict[str, Any]] = {
    "/api/*": CONFIGS["listed"],
    "/public/*": CONFIGS["public"],
    r"/files/[a-z%]+": CONFIGS["null_and_private"],
    "/exact": CONFIGS["prefix_regex"],
    re.compile(r"/a\+b/.*"): {},
    "/boom/*": CONFIGS["listed"],
}
ORACLES = {key: Oracle(options) for key, options in APP_RESOURCES.items()}
DECORATED = {"origins": ["https://a.example", r"https://[a-z]+\.c\.example"], "max_age": 5}
DECORATED_ORACLE = Oracle(DECORATED)

WSGI_PATHS = st.one_of(
    st.sampled_from(["/api/x", "/public/p", "/files/abc", "/exact", "/a+b/1", "/view", "/nothing"]),
    st.tuples(
        st.sampled_from(
            ["/api/", "/public/", "/files/", "/exact", "/a+b/", "/API/", "//api/", "/", "/view"]
        ),
        st.lists(st.sampled_from(PATH_PARTS), max_size=8).map("".join),
    ).map("".join),
).map(_latin1)


def hostile_app() -> Flask:
    app = Flask("hostile")

    @app.route("/", methods=["GET", "POST", "PUT"])
    @app.route("/<path:rest>", methods=["GET", "POST", "PUT"])
    def anything(rest: str = "") -> str:
        return "ok"

    @app.route("/boom/<path:rest>")
    def boom(rest: str) -> str:
        raise RuntimeError("view failure")

    @app.route("/view", methods=["GET", "POST"])
    @cross_origin(**DECORATED)
    def view() -> str:
        return "view"

    CORS(app, resources=APP_RESOURCES)
    return app


def call_wsgi(app: Any, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]]]:
    """Run one request through ``wsgiref.validate`` (which fails on a malformed status or header,
    such as a control character in a value). Returns (status code, header lines)."""
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    environ = {**environ, "wsgi.errors": io.StringIO()}
    iterable = wsgiref.validate.validator(app)(environ, start_response)
    try:
        for _ in iterable:
            pass
    finally:
        iterable.close()  # type: ignore[attr-defined]
    for _name, value in captured["headers"]:
        value.encode("latin-1")  # what a server writes: one byte per code point
    return int(captured["status"].split()[0]), captured["headers"]


def expected_lines(
    path: str,
    method: str,
    origin: str | None,
    acrm: str | None,
    acrh: str | None,
    acrpn: str | None,
) -> list[tuple[str, str]]:
    routed = Request(wsgi_environ(path, method, origin, acrm, acrh, acrpn)).path
    if routed == "/view" and method in ("GET", "HEAD", "POST", "OPTIONS"):
        oracle = DECORATED_ORACLE  # otherwise a 405 that the view (so the decorator) never sees
    else:
        key = first_resource(APP_RESOURCES, routed)
        if key is None:
            return []
        oracle = ORACLES[key]
    return oracle.lines(origin, method, acrm, acrh, acrpn)


WSGI_METHODS = st.sampled_from(
    ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"]
)


def test_wsgi_hostile_requests_get_the_spec_answer() -> None:
    app = hostile_app()

    @EXAMPLES
    @given(
        WSGI_PATHS,
        WSGI_METHODS,
        origins(wsgi=True),
        REQUEST_METHODS.map(lambda v: None if v is None else _latin1(v)),
        request_headers(wsgi=True),
        PRIVATE_NETWORK.map(lambda v: None if v is None else _latin1(v)),
    )
    def check(path: str, method: str, origin: Any, acrm: Any, acrh: Any, acrpn: Any) -> None:
        status, headers = call_wsgi(app, wsgi_environ(path, method, origin, acrm, acrh, acrpn))
        assert status < 500, (status, path)
        assert cors_lines(headers) == expected_lines(path, method, origin, acrm, acrh, acrpn)

    check()


def test_test_client_hostile_requests_get_the_spec_answer() -> None:
    """The same hostile values through Flask's test client (which refuses CR and LF itself)."""
    app = hostile_app()
    client = app.test_client()

    def no_newline(value: str | None) -> bool:
        return value is None or not ("\r" in value or "\n" in value)

    @EXAMPLES
    @given(
        st.sampled_from(
            ["/api/x", "/public/p", "/files/abc", "/exact", "/view", "/nothing", "/boom/x"]
        ),
        WSGI_METHODS,
        origins(wsgi=True).filter(no_newline),
        REQUEST_METHODS.filter(no_newline).map(lambda v: None if v is None else _latin1(v)),
        request_headers(wsgi=True).filter(no_newline),
    )
    def check(path: str, method: str, origin: Any, acrm: Any, acrh: Any) -> None:
        headers = {
            name: value
            for name, value in (
                ("Origin", origin),
                ("Access-Control-Request-Method", acrm),
                ("Access-Control-Request-Headers", acrh),
            )
            if value is not None
        }
        response = client.open(path, method=method, headers=headers)
        assert response.status_code < 500 or path == "/boom/x"
        expected = expected_lines(path, method, origin, acrm, acrh, None)
        assert cors_lines(response.headers.items()) == expected

    check()


@pytest.mark.parametrize(
    ("name", "environ"),
    [
        ("8 KB of commas", {"HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "," * 8192}),
        (
            "10 000 one-character names",
            {"HTTP_ACCESS_CONTROL_REQUEST_HEADERS": ",".join("x" * 10_000)},
        ),
        (
            "non-token names",
            {"HTTP_ACCESS_CONTROL_REQUEST_HEADERS": 'x-a,x b,"q",(c),x:y,\xe9,x-c'},
        ),
        ("8 KB origin", {"HTTP_ORIGIN": "https://" + "a" * 8192 + ".c.example"}),
        ("many schemes", {"HTTP_ORIGIN": "https://" * 1000 + "a.example"}),
        ("origin with CRLF", {"HTTP_ORIGIN": "https://a.example\r\nSet-Cookie: a=b"}),
        ("origin with NUL", {"HTTP_ORIGIN": "https://a.example\x00"}),
        ("latin-1 origin", {"HTTP_ORIGIN": "https://\xe9.c.example"}),
        ("method with CRLF", {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "GET\r\n"}),
        ("method substring", {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "ET"}),
        ("8 KB method", {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "G" * 8192}),
    ],
)
@pytest.mark.parametrize(
    "path", ["/api/x", "/public/p", "/files/abc", "/view", "/api/%zz", "/files/%"]
)
def test_named_hostile_preflights(name: str, environ: dict[str, str], path: str) -> None:
    app = hostile_app()
    values = {
        "origin": "https://a.example",
        "acrm": "POST",
        "acrh": None,
        "acrpn": None,
    }
    keys = {
        "HTTP_ORIGIN": "origin",
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "acrm",
        "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "acrh",
    }
    for key, value in environ.items():
        values[keys[key]] = value
    status, headers = call_wsgi(app, wsgi_environ(path, "OPTIONS", **values))
    assert status == 200
    assert cors_lines(headers) == expected_lines(path, "OPTIONS", **values)
    if "8 KB of commas" in name or "10 000" in name:
        assert ACAH.lower() not in {k.lower() for k, _ in headers}


@pytest.mark.parametrize(
    "path",
    [
        "/api/%zz",
        "/api/%",
        "/api/%2",
        "/api/%C3%28",
        "/api/%ff",
        "/api/a%00b",
        "/api/%252e",
        "/files/%E2%82",
    ],
)
def test_bad_percent_encoding_through_the_test_client(path: str) -> None:
    response = hostile_app().test_client().get(path, headers={"Origin": "https://a.example"})
    assert response.status_code == 200
    routed = Request(create_environ(path)).path
    key = first_resource(APP_RESOURCES, routed)  # None for /files/\ufffd: no resource matches
    expected = ORACLES[key].lines("https://a.example", "GET") if key is not None else []
    assert cors_lines(response.headers.items()) == expected


def test_error_responses_keep_their_status_under_hostile_input() -> None:
    app = hostile_app()
    status, headers = call_wsgi(
        app, wsgi_environ("/boom/x", "GET", "https://a.example\r\n", None, "," * 8192, "true")
    )
    assert status == 500  # the view's own failure, answered by Flask
    assert ACAO.lower() not in {k.lower() for k, _ in headers}
    status, headers = call_wsgi(
        app, wsgi_environ("/boom/x", "GET", "https://x-1.c.example", None, None, None)
    )
    assert status == 500
    assert (ACAO, "https://x-1.c.example") in headers
