"""The engine's own contract (no Flask app): Policy, Resources, apply, apply_policy.

Runs under both engines through the ``engine`` fixture, which is also the module under test.
"""

from __future__ import annotations

import re
import types
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import Headers, MultiDict
from werkzeug.wrappers import Response

from fastcors._compile import policy_fields, resource_table
from fastcors._regex import combine, literal_suffix, origin_index

from .helpers import policy_kwargs, wsgi_environ

ACAO = "Access-Control-Allow-Origin"


def make_policy(engine: types.ModuleType, **overrides: Any) -> Any:
    return engine.Policy(policy_fields(**policy_kwargs(**overrides)))


class FakeRequest:
    def __init__(self, path: str = "/", method: str = "GET", **environ: str) -> None:
        self.path = path
        self.method = method
        self.environ = environ


# -- origins -------------------------------------------------------------------------------------


def test_literal_origin_is_echoed_as_sent_case_insensitively(engine: types.ModuleType) -> None:
    policy = make_policy(engine, origin_literals=["https://app.example"])
    assert policy.evaluate("https://APP.example", "GET", None, None, None) == [
        (ACAO, "https://APP.example")
    ]
    assert policy.evaluate("https://other.example", "GET", None, None, None) is None


def test_pattern_origin_must_match_the_whole_value(engine: types.ModuleType) -> None:
    pattern = re.compile(r"https://.*\.example\.com", re.IGNORECASE)
    policy = make_policy(engine, origin_patterns=[pattern])
    assert policy.origin_allowed("https://a.example.com")
    assert policy.origin_allowed("HTTPS://A.EXAMPLE.COM")
    # ORIGIN_FULLMATCH: a prefix match is not enough.
    assert not policy.origin_allowed("https://a.example.com.evil.net")


def test_wildcard_echoes_or_sends_star(engine: types.ModuleType) -> None:
    echo = make_policy(engine, any_origin=True)
    assert echo.evaluate("https://x.example", "GET", None, None, None) == [
        (ACAO, "https://x.example")
    ]
    star = make_policy(engine, any_origin=True, send_wildcard=True)
    assert star.evaluate("https://x.example", "GET", None, None, None) == [(ACAO, "*")]


@pytest.mark.parametrize(
    "bad", ["https://a.example\r\nX: y", "https://a\x00", "https://a\tb", "x\x7f"]
)
def test_origin_with_control_characters_never_matches(engine: types.ModuleType, bad: str) -> None:
    assert not make_policy(engine, any_origin=True).origin_allowed(bad)
    assert not make_policy(engine, origin_patterns=[re.compile(r".*", re.S)]).origin_allowed(bad)
    # With send_wildcard nothing is echoed, so "*" stays safe (as in Flask-CORS).
    star = make_policy(engine, any_origin=True, send_wildcard=True)
    assert star.evaluate(bad, "GET", None, None, None) == [(ACAO, "*")]


def test_non_ascii_printable_origin_is_not_treated_as_control(engine: types.ModuleType) -> None:
    policy = make_policy(engine, any_origin=True)
    assert policy.origin_allowed("http://bücher.example")
    assert policy.origin_allowed("http://a\xa0b")  # NBSP: not a CTL


def test_no_origin_value(engine: types.ModuleType) -> None:
    assert make_policy(engine, no_origin_value="*").evaluate(None, "GET", None, None, None) == [
        (ACAO, "*")
    ]
    assert make_policy(engine, no_origin_value="*").evaluate("", "GET", None, None, None) == [
        (ACAO, "*")
    ]
    assert make_policy(engine).evaluate(None, "GET", None, None, None) is None


# -- header order, constants, private network --------------------------------------------------


def test_pairs_come_in_flask_cors_order(engine: types.ModuleType) -> None:
    policy = make_policy(
        engine,
        any_origin=True,
        expose_headers="X-Total",
        credentials=True,
        max_age="600",
        private_network=True,
    )
    pairs = policy.evaluate("https://a.example", "OPTIONS", "POST", "x-b,X-A", "true")
    assert pairs == [
        (ACAO, "https://a.example"),
        ("Access-Control-Expose-Headers", "X-Total"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Private-Network", "true"),
        ("Access-Control-Allow-Headers", "X-A, x-b"),
        ("Access-Control-Max-Age", "600"),
        ("Access-Control-Allow-Methods", "GET, OPTIONS, POST"),
    ]


@pytest.mark.parametrize(("value", "answer"), [("true", "false"), ("TRUE", None), ("1", None)])
def test_private_network_answers_only_exact_true(
    engine: types.ModuleType, value: str, answer: str | None
) -> None:
    pairs = make_policy(engine, any_origin=True).evaluate(
        "https://a.example", "GET", None, None, value
    )
    found = [v for k, v in pairs if k == "Access-Control-Allow-Private-Network"]
    assert found == ([answer] if answer else [])


# -- preflight: METHOD_TOKEN -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "is_preflight"),
    [
        ("POST", True),
        ("post", True),
        ("PoSt", True),
        ("ET", False),
        (" GET", False),
        ("GET ", False),
        ("GET, POST", False),
        ("", False),
        (None, False),
        ("DELETE", False),
    ],
)
def test_requested_method_must_equal_a_configured_method(
    engine: types.ModuleType, requested: str | None, is_preflight: bool
) -> None:
    policy = make_policy(engine, any_origin=True, max_age="5")
    names = {k for k, _ in policy.evaluate("https://a.example", "OPTIONS", requested, "x-a", None)}
    preflight = {
        "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers",
        "Access-Control-Max-Age",
    }
    assert (preflight <= names) is is_preflight
    assert not (names & preflight) or is_preflight


def test_non_options_requests_get_no_preflight_headers(engine: types.ModuleType) -> None:
    pairs = make_policy(engine, any_origin=True).evaluate(
        "https://a.example", "GET", "GET", "x-a", None
    )
    assert [k for k, _ in pairs] == [ACAO]


# -- Access-Control-Request-Headers: HEADERS_BOUNDED ---------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("content-type,x-requested-with", "content-type, x-requested-with"),
        ("x-b,x-a", "x-a, x-b"),
        ("X-A, X-B", "X-A, X-B"),
        ("X-A,,X-B,", "X-A, X-B"),
        (" \tX-A\t , X-B ", "X-A, X-B"),
        ("x-a,x-a", "x-a, x-a"),
        ("X A,x-b", "x-b"),
        ("x-\x00a,x-b", "x-b"),
        ("x-é,x-b", "x-b"),
        ("x-a\x0b,x-b", "x-b"),  # only spaces and tabs are stripped
        (",,,", None),
        ("", None),
        (None, None),
        ("a" * 4096, "a" * 4096),
        ("a" * 4097, None),
        (",".join(["x"] * 64), ", ".join(["x"] * 64)),
        (",".join(["x"] * 65), None),
        ("," * 63, None),
        ("," * 64, None),
        (", ".join(["x"] * 64), ", ".join(["x"] * 64)),
        (", ".join(["x"] * 65), None),
        ("x" + "," * 4000, None),
        ("x " + "," * 4000, None),
    ],
)
def test_allow_headers_parsing(
    engine: types.ModuleType, value: str | None, expected: str | None
) -> None:
    assert make_policy(engine).allow_headers(value) == expected


def test_allow_headers_literals_and_patterns(engine: types.ModuleType) -> None:
    policy = make_policy(
        engine,
        any_header=False,
        header_literals=["content-type", "x-api-key"],
        header_patterns=[re.compile(r"X-Custom-", re.IGNORECASE)],
    )
    assert policy.allow_headers("Content-Type,x-api-key,x-custom-one,x-other") == (
        "Content-Type, x-api-key, x-custom-one"
    )
    assert policy.allow_headers("x-other") is None
    assert policy.header_allowed("X-API-KEY")
    # header patterns keep Flask-CORS's start-anchored matching
    assert policy.header_allowed("x-custom-anything-else")


# -- Resources ------------------------------------------------------------------------------------


def test_resources_literal_bucket_and_universal_entries(engine: types.ModuleType) -> None:
    a, b, c, d = (make_policy(engine, no_origin_value=str(i)) for i in range(4))
    resources = engine.Resources(
        resource_table(
            {"/exact": a},
            {
                "/api/": [(re.compile(r"/api/v\d+/.*"), b), (None, c)],
                "": [(None, d)],
            },
        )
    )
    assert resources.lookup("/exact") is a
    assert resources.lookup("/api/v2/users") is b
    assert resources.lookup("/api/other") is c
    assert resources.lookup("/elsewhere") is d
    assert resources.lookup("") is d


def test_resources_without_catch_all(engine: types.ModuleType) -> None:
    a = make_policy(engine)
    resources = engine.Resources(resource_table({}, {"/api/": [(re.compile(r"/api/\d+$"), a)]}))
    assert resources.lookup("/api/12") is a
    assert resources.lookup("/api/x") is None
    assert resources.lookup("/ap") is None
    assert resources.lookup("/") is None


# -- apply / apply_policy ------------------------------------------------------------------------


def resources_for(engine: types.ModuleType, policy: Any) -> Any:
    return engine.Resources(resource_table({}, {"": [(None, policy)]}))


def test_apply_appends_pairs_and_vary(engine: types.ModuleType) -> None:
    policy = make_policy(
        engine, origin_literals=["https://a.example", "https://b.example"], vary=True
    )
    response = Response("x")
    request = FakeRequest(HTTP_ORIGIN="https://a.example")
    assert engine.apply(resources_for(engine, policy), request, response) is response
    assert response.headers.getlist(ACAO) == ["https://a.example"]
    assert response.headers.getlist("Vary") == ["Origin"]


def test_apply_refused_origin_still_varies(engine: types.ModuleType) -> None:
    policy = make_policy(
        engine, origin_literals=["https://a.example", "https://b.example"], vary=True
    )
    response = Response("x")
    engine.apply(
        resources_for(engine, policy), FakeRequest(HTTP_ORIGIN="https://evil.example"), response
    )
    assert ACAO not in response.headers
    assert response.headers.getlist("Vary") == ["Origin"]


@pytest.mark.parametrize("existing", ["Origin", "accept-encoding, ORIGIN", "*", " origin "])
def test_vary_is_not_repeated(engine: types.ModuleType, existing: str) -> None:
    policy = make_policy(engine, any_origin=True, vary=True)
    response = Response("x", headers={"Vary": existing})
    engine.apply(
        resources_for(engine, policy), FakeRequest(HTTP_ORIGIN="https://a.example"), response
    )
    assert response.headers.getlist("Vary") == [existing]


def test_vary_added_beside_other_vary_lines(engine: types.ModuleType) -> None:
    policy = make_policy(engine, any_origin=True, vary=True)
    response = Response("x", headers={"Vary": "Accept-Encoding, Originality"})
    engine.apply(
        resources_for(engine, policy), FakeRequest(HTTP_ORIGIN="https://a.example"), response
    )
    assert response.headers.getlist("Vary") == ["Accept-Encoding, Originality", "Origin"]


def test_apply_leaves_responses_with_an_allow_origin_alone(engine: types.ModuleType) -> None:
    policy = make_policy(engine, any_origin=True, vary=True)
    response = Response("x", headers={ACAO: "https://set.by.view"})
    engine.apply(
        resources_for(engine, policy), FakeRequest(HTTP_ORIGIN="https://a.example"), response
    )
    assert response.headers.getlist(ACAO) == ["https://set.by.view"]
    assert "Vary" not in response.headers
    # An empty value does not count (Flask-CORS checks the first value's truthiness).
    response = Response("x", headers={ACAO: ""})
    engine.apply(
        resources_for(engine, policy), FakeRequest(HTTP_ORIGIN="https://a.example"), response
    )
    assert response.headers.getlist(ACAO) == ["", "https://a.example"]


COMMON_RESPONSE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Disposition": "inline",
    "ETag": '"abc"',
    "Last-Modified": "Tue, 24 Nov 2026 10:00:00 GMT",
    "Location": "/elsewhere",
    "Set-Cookie": "session=1",
    "WWW-Authenticate": "Basic",
    "X-Request-Id": "42",
}


@pytest.mark.parametrize("spelling", [ACAO, ACAO.lower(), ACAO.upper()])
def test_existing_allow_origin_found_behind_ordinary_headers(
    engine: types.ModuleType, spelling: str
) -> None:
    # The scan of the existing lines must reach a late Allow-Origin or Vary whatever the lines
    # before it (the Python engine skips the usual names at once).
    policy = make_policy(engine, any_origin=True, vary=True)
    response = Response("x", headers={**COMMON_RESPONSE_HEADERS, spelling: "https://view.example"})
    engine.apply(
        resources_for(engine, policy), FakeRequest(HTTP_ORIGIN="https://a.example"), response
    )
    assert response.headers.getlist(ACAO) == ["https://view.example"]
    assert "Vary" not in response.headers
    response = Response("x", headers={**COMMON_RESPONSE_HEADERS, "VARY": "ORIGIN"})
    engine.apply(
        resources_for(engine, policy), FakeRequest(HTTP_ORIGIN="https://a.example"), response
    )
    assert response.headers.getlist(ACAO) == ["https://a.example"]
    assert response.headers.getlist("Vary") == ["ORIGIN"]


def test_apply_without_matching_resource_touches_nothing(engine: types.ModuleType) -> None:
    policy = make_policy(engine, any_origin=True, vary=True)
    resources = engine.Resources(resource_table({"/only": policy}, {}))
    response = Response("x")
    before = list(response.headers.items())
    engine.apply(resources, FakeRequest("/other", HTTP_ORIGIN="https://a.example"), response)
    assert list(response.headers.items()) == before


def test_apply_policy_marks_and_extension_respects_mark(engine: types.ModuleType) -> None:
    refusing = make_policy(engine, origin_literals=["https://only.example"])
    allowing = make_policy(engine, any_origin=True)
    response = Response("x")
    request = FakeRequest(HTTP_ORIGIN="https://a.example")
    engine.apply_policy(refusing, request, response)
    assert getattr(response, engine.MARK) is True
    engine.apply(resources_for(engine, allowing), request, response)
    assert ACAO not in response.headers  # the decorator's refusal stands
    # apply_policy ignores an existing Allow-Origin (as Flask-CORS's decorator does)
    response = Response("x", headers={ACAO: "https://view.example"})
    engine.apply_policy(allowing, request, response)
    assert response.headers.getlist(ACAO) == ["https://view.example", "https://a.example"]


class HeadersSubclass(Headers):
    pass


@pytest.mark.parametrize("kind", ["subclass", "multidict", "dict"])
def test_apply_with_other_header_containers(engine: types.ModuleType, kind: str) -> None:
    policy = make_policy(engine, any_origin=True, vary=True, expose_headers="X-A")
    response = Response("x")
    if kind == "subclass":
        response.headers = HeadersSubclass(response.headers)
    elif kind == "multidict":
        response.headers = MultiDict(list(response.headers.items()))
    else:
        response.headers = dict(response.headers.items())  # type: ignore[assignment]
    engine.apply(
        resources_for(engine, policy), FakeRequest(HTTP_ORIGIN="https://a.example"), response
    )
    headers = response.headers
    assert isinstance(headers, (Headers, MultiDict))
    assert headers.getlist(ACAO) == ["https://a.example"]
    assert headers.getlist("Access-Control-Expose-Headers") == ["X-A"]
    assert headers.getlist("Vary") == ["Origin"]


def test_policies_are_immutable(engine: types.ModuleType) -> None:
    policy = make_policy(engine)
    with pytest.raises(AttributeError):
        policy.vary = True  # type: ignore[misc]
    resources = engine.Resources(resource_table({}, {}))
    with pytest.raises(AttributeError):
        resources._literals = {}  # type: ignore[misc]


def test_evaluate_rejects_non_string_origin(engine: types.ModuleType) -> None:
    policy = make_policy(engine, any_origin=True)
    with pytest.raises((TypeError, AttributeError)):
        policy.evaluate(b"https://a.example", "GET", None, None, None)


# -- the origin pattern index ---------------------------------------------------------------------

INDEX_PATTERNS = [
    r"https://([a-z0-9-]+\.)?tenant7\.example\.net",
    r"https://.*\.example\.com",
    r"http://localhost:\d+",
    r"https?://b\.Example\.COM$",
    "https://x\\.\u017f\\.com",  # long s: matches "s"/"S" under IGNORECASE
    r"https://k\.test",  # and the Kelvin sign matches k
    r"(https://a|http://b)\.example",
    r"null",
    r"https://[^.]+\.apps\.example",
]
INDEX_ORIGINS = [
    "https://eu.tenant7.example.net",
    "https://tenant7.example.net",
    "https://EU.TENANT7.EXAMPLE.NET",
    "https://tenant7.example.net.evil",
    "https://a.example.com",
    "http://localhost:3000",
    "https://b.example.com",
    "https://x.s.com",
    "https://x.S.com",
    "https://x.\u017f.com",
    "https://\u212a.test",
    "https://k.test",
    "https://a.example",
    "http://b.example",
    "null",
    "NULL",
    "https://one.apps.example",
    "",
]


@given(
    sources=st.lists(st.sampled_from(INDEX_PATTERNS), min_size=1, max_size=5, unique=True),
    flags=st.sampled_from([0, re.IGNORECASE]),
    origin=st.one_of(st.sampled_from(INDEX_ORIGINS), st.text(max_size=30)),
)
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_origin_index_changes_no_answer(
    engine: types.ModuleType, sources: list[str], flags: int, origin: str
) -> None:
    patterns = [re.compile(source, flags) for source in sources]
    indexed = make_policy(
        engine, origin_patterns=combine(patterns), origin_suffixes=origin_index(patterns)
    )
    plain = make_policy(engine, origin_patterns=patterns)
    expected = (
        bool(origin)
        and not re.search(r"[\x00-\x1f\x7f]", origin)
        and any(p.fullmatch(origin) for p in patterns)
    )
    if origin:
        assert indexed.origin_allowed(origin) is expected
        assert plain.origin_allowed(origin) is expected


def test_origin_index_tries_only_candidates(engine: types.ModuleType) -> None:
    calls: list[str] = []

    class Spy:
        def __init__(self, pattern: re.Pattern[str]) -> None:
            self.pattern = pattern

        def fullmatch(self, value: str) -> Any:
            calls.append(self.pattern.pattern)
            return self.pattern.fullmatch(value)

    patterns = [
        re.compile(rf"https://([a-z]+\.)?tenant{i}\.example\.net", re.I) for i in range(100)
    ]
    index = {key: [Spy(p) for p in group] for key, group in _raw_index(patterns).items()}
    policy = make_policy(engine, origin_patterns=[Spy(p) for p in patterns], origin_suffixes=index)
    assert policy.origin_allowed("https://eu.tenant42.example.net")
    assert calls == [r"https://([a-z]+\.)?tenant42\.example\.net"]
    calls.clear()
    assert not policy.origin_allowed("https://eu.tenant42.example.org")
    assert calls == []


def _raw_index(patterns: list[re.Pattern[str]]) -> dict[str, list[re.Pattern[str]]]:
    """origin_index without combining, so each candidate pattern can be observed."""
    suffixes = [(literal_suffix(p), p) for p in patterns]
    return {key: [p for s, p in suffixes if key.endswith(s)] for key in {s for s, _ in suffixes}}


# -- apply and evaluate agree ---------------------------------------------------------------------

MIXED_LITERALS = ["https://a.example", "https://b.example"]
MIXED_PATTERNS = [re.compile(r"https://[a-z0-9]+\.c\.example")]


def mixed_policy(engine: types.ModuleType) -> Any:
    return make_policy(
        engine,
        origin_literals=MIXED_LITERALS,
        origin_patterns=MIXED_PATTERNS,
        any_header=False,
        header_literals=["content-type", "x-a"],
        expose_headers="X-E",
        vary=True,
    )


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    origin=st.one_of(
        st.none(),
        st.sampled_from([*MIXED_LITERALS, "HTTPS://A.example", "https://x1.c.example", ""]),
        st.text(max_size=30),
    ),
    method=st.sampled_from(["GET", "POST", "OPTIONS"]),
    request_method=st.sampled_from([None, "GET", "PUT", "put", "BREW"]),
    request_headers=st.one_of(
        st.none(), st.sampled_from(["content-type", "x-a,x-b", " X-A , bad header", ""])
    ),
    private_network=st.sampled_from([None, "true", "false"]),
)
def test_apply_answers_what_evaluate_answers(
    engine: types.ModuleType,
    origin: str | None,
    method: str,
    request_method: str | None,
    request_headers: str | None,
    private_network: str | None,
) -> None:
    # Whatever path apply takes through the environ (literal origin or not, preflight or not,
    # private network or not), it adds exactly evaluate's pairs, then Vary.
    policy = mixed_policy(engine)
    environ = wsgi_environ("/", method, origin, request_method, request_headers, private_network)
    preflight = method == "OPTIONS"
    expected = policy.evaluate(
        origin,
        method,
        request_method if preflight else None,
        request_headers if preflight else None,
        private_network,
    )
    for _ in range(2):
        response = Response("x")
        engine.apply(resources_for(engine, policy), FakeRequest("/", method, **environ), response)
        assert response.headers.to_wsgi_list()[2:] == [*(expected or ()), ("Vary", "Origin")]
