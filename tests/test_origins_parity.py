"""Both engines give the same answer for Wildcards and checks (issue 17), and it is the
specification's.

Hypothesis draws lists of :class:`fastcors.Wildcard` from a small grammar (schemes, host labels,
``*.``, ports) and Origin values shaped after them: instances, near misses (a label glued on or
dropped, another scheme or port, a suffix attack), malformed values (a path, a slash, user
information, control characters, non-ASCII, over-long) and arbitrary text. For the same
``policy_fields(...)`` the pure-Python and the compiled ``Policy`` must agree, and for policies with
only wildcards both must equal ``any(w.matches(origin) for w in wildcards)``
(:meth:`Wildcard.matches` is the spec-level matcher). A second oracle covers checks: with literals,
wildcards and a counting :class:`OriginCheck`, the check is asked exactly once when no literal or
wildcard admitted a valid origin, and never otherwise.
"""

from __future__ import annotations

import re
import string
import types
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.wrappers import Response

import fastcors._engine_py as py_engine
from fastcors._compile import policy_fields, resource_table
from fastcors.origins import MAX_ORIGIN_LENGTH, OriginCheck, Wildcard, split_origin

from .helpers import policy_kwargs

pytestmark = pytest.mark.cython


@pytest.fixture(autouse=True)
def engine() -> None:
    """These tests compare both engines themselves; they need no swap and run once."""


@pytest.fixture(scope="module")
def compiled() -> types.ModuleType:
    import fastcors._engine_c

    return fastcors._engine_c


# -- the grammar ------------------------------------------------------------------------------

SCHEMES = ["https", "http", "wss", "app+x"]
LABELS = ["a", "b", "example", "com", "x-y", "0", "co", "uk", "localhost", "_srv", "tenant1"]
PORTS = [None, "*", "8080", "3000", "1", "65535"]
DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443", "ftp": "21"}
IP_HOSTS = ["127.0.0.1", "10.0.0.1", "[::1]", "[2001:db8::1]"]


@st.composite
def wildcards(draw: st.DrawFn) -> Wildcard:
    scheme = draw(st.sampled_from(SCHEMES))
    if draw(st.integers(0, 5)) == 0:
        host = draw(st.sampled_from(IP_HOSTS))
        subdomains = False
    else:
        host = ".".join(draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=3)))
        subdomains = draw(st.booleans())
    port = draw(st.sampled_from(PORTS))
    pattern = f"{scheme}://{'*.' if subdomains else ''}{host}"
    if port is not None:
        pattern += f":{port}"
    return Wildcard(pattern)


wildcard_lists = st.lists(wildcards(), min_size=0, max_size=6)


def _port_text(draw: st.DrawFn, wildcard: Wildcard) -> str:
    if draw(st.integers(0, 2)) > 0:  # the wildcard's own port (or none) two times in three
        return "" if wildcard.port in (None, "*") else f":{wildcard.port}"
    choice = draw(
        st.sampled_from(
            [
                "",
                ":8080",
                ":3000",
                ":1",
                ":65535",
                ":65536",
                ":99999",
                ":080",
                ":",
                ":8o",
                ":123456",
                ":0",
            ]
        )
    )
    if choice == ":*":
        return ""  # "*" is the pattern's, never an Origin's
    default = DEFAULT_PORTS.get(wildcard.scheme)
    if default is not None and draw(st.integers(0, 9)) == 0:
        return f":{default}"
    return choice


MUTATIONS = [
    "none",
    "upper",
    "glue",  # "https://aexample.com": a label glued onto the first one
    "suffix",  # "https://a.example.com.evil.net"
    "scheme",
    "drop-label",
    "trailing-slash",
    "path",
    "user",
    "ctl",
    "space",
    "non-ascii",
    "trailing-dot",
    "empty-label",
    "long",
    "bad-label",
]


@st.composite
def origins_for(draw: st.DrawFn, wildcard: Wildcard) -> str:
    """An Origin value near ``wildcard``: one of its instances, or a mutation of one."""
    host = wildcard.host
    if wildcard.subdomains or draw(st.integers(0, 4)) == 0:
        if not host.startswith("["):
            size = draw(st.sampled_from([0, 1, 1, 1, 2, 3]))
            extra = draw(
                st.lists(st.sampled_from([*LABELS, "eu", "api", "A"]), min_size=size, max_size=size)
            )
            host = ".".join([*extra, host])
    origin = f"{wildcard.scheme}://{host}{_port_text(draw, wildcard)}"
    mutation = draw(st.sampled_from(["none"] * len(MUTATIONS) + MUTATIONS))
    if mutation == "upper":
        origin = origin.upper()
    elif mutation == "glue":
        origin = origin.replace("://", "://a", 1)
    elif mutation == "suffix":
        origin = origin + ".evil.net"
    elif mutation == "scheme":
        other = draw(st.sampled_from([s for s in SCHEMES if s != wildcard.scheme]))
        origin = other + origin[len(wildcard.scheme) :]
    elif mutation == "drop-label":
        origin = re.sub(r"://[^.:/\[]+\.", "://", origin, count=1)
    elif mutation == "trailing-slash":
        origin += "/"
    elif mutation == "path":
        origin += "/p?q#f"
    elif mutation == "user":
        origin = origin.replace("://", "://user@", 1)
    elif mutation == "ctl":
        at = draw(st.integers(0, len(origin)))
        origin = (
            origin[:at] + draw(st.sampled_from(["\x00", "\x01", "\t", "\x7f", "\r"])) + origin[at:]
        )
    elif mutation == "space":
        origin = draw(st.sampled_from([" ", ""])) + origin + draw(st.sampled_from([" ", "\t", ""]))
    elif mutation == "non-ascii":
        origin = origin.replace(
            "a", draw(st.sampled_from(["\u00e1", "\u0430", "\uff41", "\u0131"])), 1
        )
    elif mutation == "trailing-dot":
        origin = origin.replace(wildcard.host, wildcard.host + ".", 1)
    elif mutation == "empty-label":
        origin = origin.replace("://", "://.", 1)
    elif mutation == "long":
        size = draw(st.sampled_from([MAX_ORIGIN_LENGTH - 1, MAX_ORIGIN_LENGTH, 2048]))
        prefix = "a." * size
        origin = origin.replace("://", "://" + prefix[: max(0, size - len(origin))], 1)
    elif mutation == "bad-label":
        origin = origin.replace(
            "://", draw(st.sampled_from(["://-a.", "://a-.", "://" + "b" * 64 + "."])), 1
        )
    return origin


SPECIAL_ORIGINS = [
    "null",
    "NULL",
    "",
    "https://",
    "https://example.com",
    "http://localhost",
    "http://localhost:0",
    "http://[::1]:3000",
    "http://[::1]]",
    "http://[::1",
    "http://[::ffff:1.2.3.4]",
    "http://[fe80::1%25eth0]",
    "https://[::1].example.com",
    "http://127.0.0.1:8080",
    "https://a.example.com:443",
    "file://",
    "https:/a.example.com",
    "https//a.example.com",
    "https://a.example.com\n",
]


@st.composite
def policy_and_origin(draw: st.DrawFn) -> tuple[list[Wildcard], str]:
    wildcard_list = draw(wildcard_lists)
    sources = [
        st.sampled_from(SPECIAL_ORIGINS),
        st.text(alphabet=string.printable + "\x00\x7fé[]", max_size=40),
        wildcards().flatmap(origins_for),
    ]
    if wildcard_list:  # mostly Origins near the policy's own wildcards
        sources += [st.sampled_from(wildcard_list).flatmap(origins_for)] * 5
    origin = draw(st.one_of(sources))
    return wildcard_list, origin


PARITY = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def both(compiled: types.ModuleType, **overrides: Any) -> tuple[Any, Any]:
    fields = policy_fields(**policy_kwargs(**overrides))
    return py_engine.Policy(fields), compiled.Policy(fields)


# -- wildcards only -----------------------------------------------------------------------------


@PARITY
@given(case=policy_and_origin())
@example(case=([Wildcard("https://*.example.com")], "https://aexample.com"))
@example(case=([Wildcard("https://*.example.com")], "https://a.example.com.evil.net"))
@example(case=([Wildcard("https://*.example.com")], "https://example.com"))
@example(case=([Wildcard("https://*.example.com")], "https://A.B.Example.COM"))
@example(case=([Wildcard("http://localhost:*")], "http://localhost"))
@example(case=([Wildcard("http://localhost:*")], "http://localhost:65536"))
@example(case=([Wildcard("http://[::1]:*")], "http://[0:0::1]:3000"))
@example(case=([Wildcard("https://*.3.4")], "https://[::ffff:1.2.3.4]"))
@example(case=([Wildcard("http://localhost:8080")], "http://localhost:08080"))
@example(case=([Wildcard("https://*.example.com")], "https://a.example.com\x00"))
def test_wildcard_policy_parity_and_oracle(
    compiled: types.ModuleType, case: tuple[list[Wildcard], str]
) -> None:
    wildcard_list, origin = case
    py_policy, c_policy = both(compiled, wildcards=wildcard_list, vary=True)
    expected = any(w.matches(origin) for w in wildcard_list)
    if origin:
        assert py_policy.origin_allowed(origin) is expected
        assert c_policy.origin_allowed(origin) is expected
    for method, acrm in (("GET", None), ("OPTIONS", "PUT")):
        args = (origin or None, method, acrm, "x-token", None)
        py_pairs, c_pairs = py_policy.evaluate(*args), c_policy.evaluate(*args)
        assert c_pairs == py_pairs
        if origin and expected:
            assert py_pairs is not None and py_pairs[0] == ("Access-Control-Allow-Origin", origin)
        else:
            assert py_pairs is None


@PARITY
@given(
    case=policy_and_origin(),
    literals=st.lists(
        st.sampled_from(
            ["https://a.example.com", "https://literal.example", "http://localhost:3000", "null"]
        ),
        max_size=2,
    ),
    patterns=st.lists(
        st.sampled_from([r"https://[a-z]+\.example\.com", r"http://localhost(:\d+)?", r"null"]),
        max_size=2,
    ),
    any_origin=st.booleans(),
    send_wildcard=st.booleans(),
    credentials=st.booleans(),
    method=st.sampled_from(["GET", "OPTIONS"]),
    existing_vary=st.sampled_from([None, "Origin", "Accept"]),
)
def test_mixed_policy_parity(
    compiled: types.ModuleType,
    case: tuple[list[Wildcard], str],
    literals: list[str],
    patterns: list[str],
    any_origin: bool,
    send_wildcard: bool,
    credentials: bool,
    method: str,
    existing_vary: str | None,
) -> None:
    wildcard_list, origin = case
    options = dict(
        wildcards=wildcard_list,
        origin_literals=[literal.casefold() for literal in literals],
        origin_patterns=[re.compile(p, re.IGNORECASE) for p in patterns],
        any_origin=any_origin,
        send_wildcard=send_wildcard,
        credentials=credentials,
        no_origin_value=min(literals) if literals else None,
        vary=True,
    )
    py_policy, c_policy = both(compiled, **options)
    if origin:
        assert c_policy.origin_allowed(origin) == py_policy.origin_allowed(origin)
    args = (origin or None, method, "PUT", "x-token", None)
    assert c_policy.evaluate(*args) == py_policy.evaluate(*args)
    # And through apply, with the header scan and Vary.
    environ = {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT"}
    if origin:
        environ["HTTP_ORIGIN"] = origin
    results = []
    for module in (py_engine, compiled):
        policy = module.Policy(policy_fields(**policy_kwargs(**options)))
        response = Response("x", headers=[("Vary", existing_vary)] if existing_vary else [])
        request = types.SimpleNamespace(path="/p", method=method, environ=environ)
        module.apply(module.Resources(resource_table({"/p": policy}, {})), request, response)
        results.append(list(response.headers.items()))
    assert results[0] == results[1]


# -- checks -------------------------------------------------------------------------------------


class CountingCheck:
    """A deterministic check (admits origins with an even number of characters, or ending in
    ``.tenant.net``) that counts its calls."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def __call__(self, origin: str) -> bool:
        self.calls[origin] += 1
        return origin.endswith(".tenant.net") or len(origin) % 2 == 0


CHECK_LITERALS = ["https://a.example.com", "https://shop.tenant.net", "HTTP://LOCALHOST:3000"]


@PARITY
@given(
    case=policy_and_origin(),
    literals=st.lists(st.sampled_from(CHECK_LITERALS), max_size=3),
    allow_null=st.booleans(),
    cache=st.booleans(),
)
@example(
    case=([Wildcard("https://*.tenant.net")], "https://shop.tenant.net"),
    literals=[],
    allow_null=False,
    cache=False,
)
@example(case=([], "null"), literals=[], allow_null=True, cache=False)
@example(case=([], "null"), literals=[], allow_null=False, cache=False)
@example(case=([], "https://a.example.com\x00"), literals=[], allow_null=False, cache=False)
@example(case=([], "HTTPS://A.EXAMPLE.COM"), literals=CHECK_LITERALS, allow_null=False, cache=False)
def test_check_oracle(
    compiled: types.ModuleType,
    case: tuple[list[Wildcard], str],
    literals: list[str],
    allow_null: bool,
    cache: bool,
) -> None:
    wildcard_list, origin = case
    if not origin:
        return  # no Origin: nothing is asked (evaluate answers with no_origin_value)
    folded = {literal.casefold() for literal in literals}
    literal_hit = origin.casefold() in folded
    wildcard_hit = any(w.matches(origin) for w in wildcard_list)
    valid = (origin.casefold() == "null" and allow_null) or (
        origin.casefold() != "null" and split_origin(origin) is not None
    )
    asked = not literal_hit and not wildcard_hit and valid
    answers: dict[str, bool] = {}
    for module in (py_engine, compiled):
        counting = CountingCheck()
        check = OriginCheck(counting, allow_null=allow_null, cache_ttl=60 if cache else None)
        fields = policy_fields(
            **policy_kwargs(
                origin_literals=folded, wildcards=wildcard_list, origin_checks=[check], vary=True
            )
        )
        policy = module.Policy(fields)
        admitted = policy.origin_allowed(origin)
        assert counting.calls == (Counter({origin: 1}) if asked else Counter()), module.__name__
        expected = literal_hit or wildcard_hit or (asked and counting(origin))
        assert admitted is expected, module.__name__
        # evaluate asks at most once more (once per request); with a cache, not at all.
        counting.calls.clear()
        pairs = policy.evaluate(origin, "GET", None, None, None)
        assert (pairs is not None) is expected
        assert counting.calls == (Counter({origin: 1}) if asked and not cache else Counter())
        answers[module.__name__] = admitted
    assert len(set(answers.values())) == 1, answers


@PARITY
@given(case=policy_and_origin(), answer=st.sampled_from([True, False, 1, None, "yes"]))
def test_failing_checks_refuse_in_both_engines(
    compiled: types.ModuleType, case: tuple[list[Wildcard], str], answer: object
) -> None:
    wildcard_list, origin = case
    if not origin:
        return

    def raising(origin: str) -> bool:
        raise RuntimeError("down")

    wildcard_hit = any(w.matches(origin) for w in wildcard_list)
    valid = split_origin(origin) is not None
    for check in (OriginCheck(raising), OriginCheck(lambda origin: answer)):
        check._failures.add(RuntimeError)  # (already logged: keep the test's log quiet)
        check._failures.add("<non-bool>")
        py_policy, c_policy = both(compiled, wildcards=wildcard_list, origin_checks=[check])
        expected = wildcard_hit or (valid and check.check is not raising and answer is True)
        assert py_policy.origin_allowed(origin) is expected
        assert c_policy.origin_allowed(origin) is expected
