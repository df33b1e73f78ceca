"""The compiled engine and its pure-Python twin: same names, same answers for the same inputs."""

from __future__ import annotations

import re
import string
import types
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.wrappers import Response

import fastcors._engine_py as py_engine
from fastcors._compile import policy_fields, resource_table
from fastcors._regex import origin_index

from .helpers import policy_kwargs

pytestmark = pytest.mark.cython


@pytest.fixture(autouse=True)
def engine() -> None:
    """These tests compare both engines themselves; they need no swap and run once."""


@pytest.fixture(scope="module")
def compiled() -> types.ModuleType:
    import fastcors._engine_c

    return fastcors._engine_c


def test_same_public_names(compiled: types.ModuleType) -> None:
    assert sorted(compiled.__all__) == sorted(py_engine.__all__)
    for name in py_engine.__all__:
        assert hasattr(compiled, name), name
        py_value, c_value = getattr(py_engine, name), getattr(compiled, name)
        if isinstance(py_value, (str, int)):
            assert py_value == c_value, name
    for cls in ("Policy", "Resources"):
        py_methods = {m for m in dir(getattr(py_engine, cls)) if not m.startswith("_")}
        c_methods = {m for m in dir(getattr(compiled, cls)) if not m.startswith("_")}
        assert py_methods == c_methods, cls


# -- strategies -----------------------------------------------------------------------------------

ORIGINS = [
    "https://a.example",
    "https://B.example",
    "http://a.example:8080",
    "null",
    "https://x.y.z",
]
origin_text = st.one_of(
    st.sampled_from(ORIGINS),
    st.sampled_from(ORIGINS).map(str.upper),
    st.text(alphabet=string.printable + "\x00\x7f\x85é€ŉ", max_size=40),
    st.sampled_from(ORIGINS).map(lambda o: o + ".evil.net"),
)
PATTERN_SOURCES = [
    r"https://.*\.example",
    r"https?://a\.example(:\d+)?",
    r"null",
    r".*",
    r"https://[a-z]+\.example",
    r"http://.*:8080",
]
patterns = st.lists(
    st.builds(
        lambda src, flags: re.compile(src, flags),
        st.sampled_from(PATTERN_SOURCES),
        st.sampled_from([0, re.IGNORECASE]),
    ),
    max_size=3,
)
token_chars = string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~"
header_piece = st.one_of(
    st.text(alphabet=token_chars, min_size=1, max_size=12),
    st.sampled_from(
        [
            *("content-type", "Content-Type", "x-a", "X-A", "X-Custom-1", "authorization"),
            *("x-s", "X-SS", "x-ß", "x-\u017f", "x-é", "X-Up", "x-up"),
        ]
    ),
    st.text(alphabet=" \t,\x00\x0bé;" + token_chars, max_size=12),
)
header_value = st.one_of(
    st.none(),
    st.lists(header_piece, max_size=70).map(",".join),
    st.lists(header_piece, max_size=8).map(", ".join),
    # sorted, as browsers send them (the compiled engine's one-pass path), with the odd duplicate,
    # empty piece, non-ASCII or non-token name
    st.lists(header_piece, max_size=70).map(lambda names: ",".join(sorted(names))),
    st.integers(4090, 4100).map(lambda n: "x" * n),
)
methods_value = st.one_of(
    st.none(), st.sampled_from(["GET", "get", "POST", " GET", "ET", "PUT", "OPTIONS", "", "DELETE"])
)


@st.composite
def policy_options(draw: st.DrawFn) -> dict[str, Any]:
    return dict(
        any_origin=draw(st.booleans()),
        send_wildcard=draw(st.booleans()),
        origin_literals=[
            o.casefold() for o in draw(st.lists(st.sampled_from(ORIGINS), max_size=3))
        ],
        origin_patterns=draw(patterns),
        no_origin_value=draw(st.one_of(st.none(), st.just("*"), st.sampled_from(ORIGINS))),
        expose_headers=draw(st.one_of(st.none(), st.just("X-Total, X-Page"))),
        credentials=draw(st.booleans()),
        private_network=draw(st.booleans()),
        methods=draw(st.lists(st.sampled_from(["GET", "POST", "PUT", "OPTIONS"]), max_size=4)),
        allow_methods=draw(st.one_of(st.none(), st.just("GET, POST"))),
        max_age=draw(st.one_of(st.none(), st.just("600"))),
        any_header=draw(st.booleans()),
        header_literals=draw(
            st.lists(
                st.sampled_from(
                    # as compile_policy gives them (case-folded), and one that is not
                    ["content-type", "x-a", "authorization", "x-s", "x-ss", "x-é", "X-Up"]
                ),
                max_size=4,
            )
        ),
        header_patterns=[
            re.compile(s, re.IGNORECASE)
            for s in draw(st.lists(st.sampled_from([r"x-custom-", r"x-\d"]), max_size=2))
        ],
        vary=draw(st.booleans()),
    )


@st.composite
def indexed_policy_options(draw: st.DrawFn) -> dict[str, Any]:
    options = draw(policy_options())
    if draw(st.booleans()):
        options["origin_suffixes"] = origin_index(list(options["origin_patterns"]))
    return options


class Request:
    def __init__(self, path: str, method: str, environ: dict[str, str]) -> None:
        self.path = path
        self.method = method
        self.environ = environ


PARITY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PARITY
@given(
    options=indexed_policy_options(),
    origin=st.one_of(st.none(), origin_text),
    method=st.sampled_from(["GET", "OPTIONS", "POST"]),
    request_method=methods_value,
    request_headers=header_value,
    private_network=st.sampled_from([None, "true", "false", "TRUE"]),
)
def test_evaluate_parity(
    compiled: types.ModuleType,
    options: dict[str, Any],
    origin: str | None,
    method: str,
    request_method: str | None,
    request_headers: str | None,
    private_network: str | None,
) -> None:
    py_policy = py_engine.Policy(policy_fields(**options))
    c_policy = compiled.Policy(policy_fields(**options))
    args = (origin, method, request_method, request_headers, private_network)
    assert c_policy.evaluate(*args) == py_policy.evaluate(*args)
    assert c_policy.allow_headers(request_headers) == py_policy.allow_headers(request_headers)
    if origin:
        assert c_policy.origin_allowed(origin) == py_policy.origin_allowed(origin)
    for attribute in ("any_origin", "no_origin_value", "methods", "any_header", "vary"):
        assert getattr(c_policy, attribute) == getattr(py_policy, attribute)


# Browser-shaped Access-Control-Request-Headers values (the compiled engine answers these on the
# raw bytes): names from a small vocabulary so that allow-lists hit and miss, in every case.
HEADER_VOCABULARY = ["content-type", "x-a", "x-s", "x-ss", "x-up", "authorization", "x-b-1", "a"]
browser_name = st.sampled_from(HEADER_VOCABULARY).flatmap(
    lambda name: st.sampled_from([name, name.upper(), name.title()])
)
browser_value = st.one_of(
    st.lists(browser_name, min_size=1, max_size=66).map(lambda names: ",".join(sorted(names))),
    st.lists(browser_name, min_size=1, max_size=8).map(",".join),  # not necessarily sorted
    st.sampled_from(
        ["x-ß", "x-\u017f", "x-é,x-a", "x-a,x-\u0101"]
    ),  # non-ASCII (1- and 2-byte str)
)
allow_list = st.lists(
    st.sampled_from([*HEADER_VOCABULARY, "x-é", "x-ß".casefold(), "X-Up", "Content-Type"]),
    max_size=6,
)


@PARITY
@given(
    literals=allow_list,
    patterns=st.lists(st.sampled_from([r"x-b-", r"X-S"]), max_size=1),
    any_header=st.booleans(),
    value=browser_value,
)
# literals as compile_policy never gives them (not case-folded) still answer as the spec does
@example(literals=["X-Up"], patterns=[], any_header=False, value="X-Up")
@example(literals=["Content-Type", "x-a"], patterns=[], any_header=False, value="Content-Type,x-a")
@example(literals=["x-ss"], patterns=[], any_header=False, value="X-SS,x-\u00df")
def test_allow_headers_parity(
    compiled: types.ModuleType,
    literals: list[str],
    patterns: list[str],
    any_header: bool,
    value: str,
) -> None:
    options = policy_kwargs(
        any_header=any_header,
        header_literals=literals,
        header_patterns=[re.compile(p, re.IGNORECASE) for p in patterns],
    )
    expected = py_engine.Policy(policy_fields(**options)).allow_headers(value)
    assert compiled.Policy(policy_fields(**options)).allow_headers(value) == expected


RESOURCE_PATTERNS = [r"/api/v\d+/.*", r"/api/.*", r"/static/[a-z]+\.css", r"/x$", r"/files/(a|b)"]
paths = st.one_of(
    st.sampled_from(
        ["/", "/api/v1/users", "/api/x", "/static/a.css", "/x", "/files/a", "/exact", ""]
    ),
    st.text(alphabet="/apivx1%.", max_size=20),
)


@PARITY
@given(
    literals=st.lists(st.sampled_from(["/exact", "/", "/api/x"]), max_size=3, unique=True),
    bucket_patterns=st.lists(
        st.tuples(
            st.sampled_from(["", "/", "/api/", "/static/"]),
            st.one_of(st.none(), st.sampled_from(RESOURCE_PATTERNS)),
        ),
        max_size=6,
    ),
    path=paths,
)
def test_lookup_parity(
    compiled: types.ModuleType,
    literals: list[str],
    bucket_patterns: list[tuple[str, str | None]],
    path: str,
) -> None:
    names = {}
    for module in (py_engine, compiled):
        policies = {
            i: module.Policy(
                policy_fields(**policy_kwargs(any_origin=True, no_origin_value=str(i)))
            )
            for i in range(10)
        }
        buckets: dict[str, list[Any]] = {}
        for i, (key, source) in enumerate(bucket_patterns):
            buckets.setdefault(key, []).append(
                (None if source is None else re.compile(source), policies[i])
            )
        table = module.Resources(resource_table(dict.fromkeys(literals, policies[9]), buckets))
        found = table.lookup(path)
        names[module.__name__] = None if found is None else found.no_origin_value
    assert len(set(names.values())) == 1, names


@PARITY
@given(
    options=indexed_policy_options(),
    origin=st.one_of(st.none(), origin_text),
    method=st.sampled_from(["GET", "OPTIONS"]),
    request_headers=header_value,
    existing=st.lists(
        st.tuples(
            st.sampled_from(["Vary", "vary", "Access-Control-Allow-Origin", "X-Other", "VARY"]),
            st.sampled_from(["", "Origin", "accept, origin", "*", "x", "https://view.example"]),
        ),
        max_size=3,
    ),
    extension=st.booleans(),
)
def test_apply_parity(
    compiled: types.ModuleType,
    options: dict[str, Any],
    origin: str | None,
    method: str,
    request_headers: str | None,
    existing: list[tuple[str, str]],
    extension: bool,
) -> None:
    environ = {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "GET"}
    if origin is not None:
        environ["HTTP_ORIGIN"] = origin
    if request_headers is not None:
        environ["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = request_headers
    results = []
    for module in (py_engine, compiled):
        policy = module.Policy(policy_fields(**options))
        response = Response("x", headers=existing)
        request = Request("/p", method, environ)
        if extension:
            module.apply(module.Resources(resource_table({"/p": policy}, {})), request, response)
        else:
            module.apply_policy(policy, request, response)
        results.append(list(response.headers.items()))
    assert results[0] == results[1]
