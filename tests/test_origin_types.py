"""Unit tests of :mod:`fastcors.origins` against its specification (issue 17): :class:`Wildcard`
(grammar, matching, validation, value semantics), :func:`split_origin` and :class:`OriginCheck`
(when the check is asked, failing closed, logging, the TTL/LRU cache, threads, ``async def``).

A property test compares :meth:`Wildcard.matches` with an oracle written from the specification
alone (:mod:`tests.wildcard_oracle`). These tests do not need the engine; the autouse ``engine``
fixture runs them twice, which is harmless.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import types
from collections import Counter
from collections.abc import Callable

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fastcors.origins as origins
from fastcors.origins import MAX_ORIGIN_LENGTH, OriginCheck, Wildcard, split_origin

from .wildcard_oracle import PatternParts, oracle_matches, parse_origin

SUB = "https://*.example.com"


def host_of_length(length: int, suffix: str = "example.com") -> str:
    """A valid host name of exactly ``length`` characters ending in ``.suffix`` (labels <= 63)."""
    remaining = length - len(suffix) - 1  # the labels before the suffix, with their dots
    labels: list[str] = []
    while remaining > 0:
        size = min(63, remaining)
        if remaining - size == 1:  # a lone dot would be left over
            size -= 2
        labels.append("a" * size)
        remaining -= size + 1
    host = ".".join([*labels, suffix])
    assert len(host) == length, (len(host), length)
    return host


class Counting:
    """A check that answers from a set of admitted origins and counts its calls (thread-safe)."""

    def __init__(self, admitted: set[str] | Callable[[str], bool] = frozenset()) -> None:
        self.admitted = admitted
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, origin: str) -> bool:
        with self.lock:
            self.calls[origin] += 1
        if callable(self.admitted):
            return self.admitted(origin)
        return origin in self.admitted

    @property
    def total(self) -> int:
        return sum(self.calls.values())


# --------------------------------------------------------------------------------------------
# Wildcard: matching
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        "https://a.example.com",
        "https://a.b.example.com",
        "https://a.b.c.d.e.example.com",
        "https://x-y.example.com",
        "https://0.example.com",
        "https://a1.example.com",
        "https://" + "a" * 63 + ".example.com",  # the longest label
        "HTTPS://A.EXAMPLE.COM",  # compared in lower case
        "https://A.Example.Com",
        "hTtPs://a.EXAMPLE.com",
    ],
)
def test_subdomain_wildcard_admits(origin: str) -> None:
    assert Wildcard(SUB).matches(origin) is True


@pytest.mark.parametrize(
    "origin",
    [
        "https://example.com",  # *. is never the bare domain
        "HTTPS://EXAMPLE.COM",
        "https://aexample.com",  # glued, no dot
        "https://a-example.com",
        "https://a.example.com.evil.net",  # suffix appended
        "https://a.example.comm",
        "https://a.example.co",
        "https://a.example.org",
        "https://example.com.evil.net",
        "http://a.example.com",  # other scheme
        "ws://a.example.com",
        "wss://a.example.com",
        "https://a.example.com:8443",  # a port, and none in the pattern
        "https://a.example.com:443",  # even the default port written out
        "https://.example.com",  # empty label
        "https://a..example.com",
        "https://a.example.com.",  # trailing dot (empty last label)
        "https://*.example.com",  # a literal star is no host
        "https://-a.example.com",  # label starting or ending with a hyphen
        "https://a-.example.com",
        "https://" + "a" * 64 + ".example.com",  # a label longer than 63
        "null",
        "NULL",
        "",
        "example.com",
        "a.example.com",
        "//a.example.com",
        "https//a.example.com",
        "https:/a.example.com",
        "https:a.example.com",
        "https://",
    ],
)
def test_subdomain_wildcard_refuses(origin: str) -> None:
    assert Wildcard(SUB).matches(origin) is False


@pytest.mark.parametrize(
    "origin",
    [
        "https://a.example.com/",  # trailing slash
        "https://a.example.com/path",
        "https://a.example.com?x=1",
        "https://a.example.com#frag",
        "https://user@a.example.com",
        "https://user:pw@a.example.com",
        "https://evil.net@a.example.com",
        " https://a.example.com",
        "https://a.example.com ",
        "https://a.exa mple.com",
        "https://a.example.com\r\n",
        "https://a.example.com\n",
        "https://a.example.com\t",
        "https://a.example.com\x00",
        "https://a\x00.example.com",
        "https://a.example.com\x7f",
        "https://a.example.com:",  # empty port
        "https://a.example.com:-1",
        "https://a.example.com:+80",
        "https://a.example.com:8o",
        "https://a.bücher.example.com",  # not ASCII (not the punycode form)
        "https://a.example.com\u2028",
        "https://a.example.com%2f",
        "https://a.example.com\\",
        "https://[::1]",
        "https://[::1]:443",
    ],
)
def test_malformed_origins_are_refused(origin: str) -> None:
    assert Wildcard(SUB).matches(origin) is False
    assert Wildcard("https://*.example.com:*").matches(origin) is False
    assert split_origin(origin) is None or origin.startswith("https://[")


@pytest.mark.parametrize("port", ["65536", "70000", "99999", "100000", "123456", "4294967376"])
def test_ports_above_65535_are_refused(port: str) -> None:
    assert Wildcard("https://*.example.com:*").matches(f"https://a.example.com:{port}") is False
    assert split_origin(f"https://a.example.com:{port}") is None


def test_port_bounds() -> None:
    any_port = Wildcard("http://localhost:*")
    for port in ("0", "1", "80", "443", "5173", "8080", "65535"):
        assert any_port.matches(f"http://localhost:{port}") is True
    assert Wildcard("http://localhost:65535").matches("http://localhost:65535") is True


def test_any_port_admits_any_port_and_none() -> None:
    w = Wildcard("http://localhost:*")
    assert w.matches("http://localhost")
    assert w.matches("http://localhost:5173")
    assert w.matches("http://LOCALHOST:5173")
    assert not w.matches("https://localhost:5173")
    assert not w.matches("http://localhost.evil.net:5173")
    assert not w.matches("http://localhostx:5173")
    assert not w.matches("http://a.localhost:5173")  # no *. in the pattern
    assert not w.matches("http://localhost:65536")
    assert not w.matches("http://localhost:")


def test_subdomains_with_any_port() -> None:
    w = Wildcard("https://*.example.com:*")
    assert w.matches("https://a.example.com")
    assert w.matches("https://a.example.com:8443")
    assert w.matches("https://a.b.example.com:1")
    assert not w.matches("https://example.com:8443")
    assert not w.matches("https://example.com")
    assert not w.matches("http://a.example.com:8443")
    assert not w.matches("https://aexample.com:8443")


def test_exact_port() -> None:
    w = Wildcard("http://localhost:8080")
    assert w.matches("http://localhost:8080")
    for origin in (
        "http://localhost",
        "http://localhost:8081",
        "http://localhost:80",
        "http://localhost:808",
        "http://localhost:80800",
        "http://localhost:18080",
        "https://localhost:8080",
    ):
        assert not w.matches(origin), origin
    sub = Wildcard("https://*.example.com:8443")
    assert sub.matches("https://a.example.com:8443")
    assert sub.matches("https://a.b.example.com:8443")
    assert not sub.matches("https://a.example.com")
    assert not sub.matches("https://a.example.com:443")
    assert not sub.matches("https://example.com:8443")


def test_no_port_in_pattern_admits_only_origins_without_port() -> None:
    w = Wildcard("http://localhost")
    assert w.matches("http://localhost")
    assert not w.matches("http://localhost:80")
    assert not w.matches("http://localhost:5173")


@pytest.mark.parametrize(
    ("pattern", "admitted", "refused"),
    [
        (
            "ws://*.example.com",
            "ws://a.example.com",
            ["wss://a.example.com", "http://a.example.com"],
        ),
        (
            "wss://*.example.com",
            "wss://a.example.com",
            ["ws://a.example.com", "https://a.example.com"],
        ),
        ("http://*.example.com", "http://a.example.com", ["https://a.example.com"]),
        ("ws://*.example.com:*", "ws://a.example.com:9000", ["wss://a.example.com:9000"]),
        (
            "chrome-extension://abcdefghijklmnop",
            "chrome-extension://abcdefghijklmnop",
            ["chrome-extension://abcdefghijklmnoq", "https://abcdefghijklmnop"],
        ),
    ],
)
def test_schemes(pattern: str, admitted: str, refused: list[str]) -> None:
    w = Wildcard(pattern)
    assert w.matches(admitted)
    assert w.matches(admitted.upper())
    for origin in refused:
        assert not w.matches(origin), origin


def test_label_depth() -> None:
    one = Wildcard("https://*.com")
    assert one.matches("https://a.com")
    assert one.matches("https://a.b.com")
    assert not one.matches("https://com")
    three = Wildcard("https://*.a.b.example")
    assert three.matches("https://x.a.b.example")
    assert three.matches("https://y.x.a.b.example")
    assert not three.matches("https://a.b.example")
    assert not three.matches("https://x.b.example")
    assert not three.matches("https://x.a.c.example")
    assert not three.matches("https://xa.b.example")
    exact = Wildcard("https://a.b.example")
    assert exact.matches("https://a.b.example")
    assert not exact.matches("https://x.a.b.example")
    assert not exact.matches("https://b.example")


def test_long_hosts() -> None:
    w = Wildcard(SUB)
    assert w.matches("https://" + host_of_length(253))
    assert not w.matches("https://" + host_of_length(254))


def test_idna_punycode() -> None:
    w = Wildcard("https://*.xn--bcher-kva.example")
    assert w.matches("https://a.xn--bcher-kva.example")
    assert w.matches("https://a.b.xn--bcher-kva.example")
    assert w.matches("HTTPS://A.XN--BCHER-KVA.EXAMPLE")
    assert not w.matches("https://xn--bcher-kva.example")
    assert not w.matches("https://a.bücher.example")  # browsers send punycode; not ASCII
    assert not w.matches("https://a.xn--bcher-kva.example.evil.net")
    exact = Wildcard("https://xn--bcher-kva.example")
    assert exact.matches("https://xn--bcher-kva.example")
    assert not exact.matches("https://bücher.example")


def test_never_matches_null() -> None:
    for pattern in (SUB, "https://*.example.com:*", "http://localhost:*", "https://example.com"):
        for value in ("null", "NULL", "Null", " null", "null "):
            assert Wildcard(pattern).matches(value) is False


def test_ip_hosts() -> None:
    w = Wildcard("http://127.0.0.1:*")
    assert w.matches("http://127.0.0.1")
    assert w.matches("http://127.0.0.1:8000")
    assert not w.matches("http://127.0.0.2:8000")
    v6 = Wildcard("http://[::1]:*")
    assert v6.matches("http://[::1]")
    assert v6.matches("http://[::1]:3000")
    assert not v6.matches("http://[::2]:3000")
    assert not Wildcard(SUB).matches("https://[::1]")


@pytest.mark.parametrize(
    "origin",
    [
        "https://a.example.com",
        "https://[::1]",
        "https://a.example.com:8443",
        "null",
        "",
        "https://a.example.com/",
        "https://a.example.com:99999",
        "https://" + host_of_length(254),
    ],
)
def test_matches_is_always_a_bool(origin: str) -> None:
    for pattern in (SUB, "https://*.example.com:*", "https://a.example.com"):
        assert type(Wildcard(pattern).matches(origin)) is bool


# --------------------------------------------------------------------------------------------
# Wildcard: validation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    [
        SUB,
        "https://*.example.com:*",
        "https://*.example.com:8443",
        "http://localhost:*",
        "http://localhost:5173",
        "https://example.com",
        "https://*.com",
        "https://*.xn--bcher-kva.example",
        "http://127.0.0.1:*",
        "http://[::1]:*",
        "ws://*.example.com",
        "wss://*.example.com:*",
        # a port that is the default of another scheme only
        "http://example.com:443",
        "https://example.com:80",
        "ws://example.com:443",
        "wss://example.com:80",
    ],
)
def test_valid_patterns(pattern: str) -> None:
    w = Wildcard(pattern)
    assert w.pattern == pattern


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        # path, query, fragment, trailing slash
        ("https://*.example.com/path", ["path"]),
        ("https://*.example.com/a/b", ["path"]),
        ("https://*.example.com/*", ["path"]),
        ("https://*.example.com?x=1", ["query"]),
        ("https://*.example.com#top", ["fragment"]),
        ("https://*.example.com/", ["trailing slash"]),
        ("http://localhost:*/", ["trailing slash"]),
        # upper case
        ("HTTPS://*.example.com", ["upper case"]),
        ("https://*.Example.com", ["upper case"]),
        ("https://*.EXAMPLE.COM:*", ["upper case"]),
        ("https://*.xn--BCHER-kva.example", ["upper case"]),
        # non-ASCII host, the punycode form suggested
        ("https://*.bücher.example", ["ASCII", "xn--bcher-kva.example"]),
        ("https://bücher.example", ["ASCII", "xn--bcher-kva.example"]),
        ("https://*.münchen.de:*", ["ASCII", "xn--mnchen-3ya.de"]),
        # a star anywhere else
        ("https://a.*.example.com", ["'*'"]),
        ("https://*example.com", ["'*'"]),
        ("https://ex*ample.com", ["'*'"]),
        ("https://example.*", ["'*'"]),
        ("https://*.*.example.com", ["'*'"]),
        ("https://**.example.com", ["'*'"]),
        ("https://*", ["'*'"]),
        ("https://*.example.*", ["'*'"]),
        ("*://example.com", ["'*'"]),
        ("http*://example.com", ["'*'"]),
        ("https://*.example.com:8*", ["port"]),
        ("https://*.example.com:**", ["port"]),
        # a default port written out
        ("http://*.example.com:80", ["default port"]),
        ("https://*.example.com:443", ["default port"]),
        ("ws://*.example.com:80", ["default port"]),
        ("wss://*.example.com:443", ["default port"]),
        ("https://example.com:443", ["default port"]),
        # null and file:
        ("null", ["null"]),
        ("NULL", ["null"]),
        (" null ", ["null"]),
        ("file:///home/user/index.html", ["file:"]),
        ("file://host", ["file:"]),
        ("file:", ["file:"]),
        # other problems
        ("https://user@*.example.com", ["user"]),
        ("*.example.com", ["scheme"]),
        ("example.com", ["scheme"]),
        ("https://*.example.com:65536", ["port"]),
        ("https://*.example.com:abc", ["port"]),
        ("https://*.example.com:", ["port"]),
        (" https://*.example.com", ["spaces"]),
        ("https://*.example.com\n", ["spaces"]),
        ("https://", ["no host"]),
        ("https://*.", ["no host"]),
        ("https://*.[::1]", ["IP"]),
        ("https://*.example..com", ["host"]),
        ("https://*.-example.com", ["host"]),
        ("https://*.example.com.", ["host"]),
        ("https://*." + "a" * 64 + ".com", ["host"]),
        ("", ["scheme"]),
    ],
)
def test_invalid_patterns(pattern: str, words: list[str]) -> None:
    with pytest.raises(ValueError) as info:
        Wildcard(pattern)
    message = str(info.value)
    for word in words:
        assert word in message, (word, message)


def test_several_problems_in_one_error() -> None:
    pattern = "HTTPS://*.Example.com:443/path?q=1#f"
    with pytest.raises(ValueError) as info:
        Wildcard(pattern)
    message = str(info.value)
    assert repr(pattern) in message
    for word in ("upper case", "default port", "path", "query", "fragment"):
        assert word in message, (word, message)
    assert message.count("\n  - ") >= 5


def test_several_problems_star_ascii_slash() -> None:
    with pytest.raises(ValueError) as info:
        Wildcard("https://a.*.bücher.example/")
    message = str(info.value)
    for word in ("'*'", "ASCII", "trailing slash"):
        assert word in message, (word, message)
    assert message.count("\n  - ") >= 3


def test_several_problems_file_and_path() -> None:
    with pytest.raises(ValueError) as info:
        Wildcard("FILE:///etc/passwd")
    message = str(info.value)
    for word in ("upper case", "file:", "path"):
        assert word in message, (word, message)


def test_default_port_with_leading_zero_is_a_default_port() -> None:
    # ":080" is http's default port 80 written out: browsers never send it (they send no port),
    # so the pattern could never match a browser's Origin.
    with pytest.raises(ValueError, match="default port"):
        Wildcard("http://*.example.com:080")
    with pytest.raises(ValueError, match="default port"):
        Wildcard("https://*.example.com:0443")


@pytest.mark.parametrize("pattern", [None, b"https://*.example.com", 1, ["https://*.a.com"]])
def test_pattern_must_be_a_str(pattern: object) -> None:
    with pytest.raises(TypeError):
        Wildcard(pattern)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Wildcard: value semantics
# --------------------------------------------------------------------------------------------


def test_attributes() -> None:
    w = Wildcard("https://*.example.com:8443")
    assert (w.pattern, w.scheme, w.host, w.subdomains, w.port) == (
        "https://*.example.com:8443",
        "https",
        "example.com",
        True,
        "8443",
    )
    assert w.key == "https://example.com"
    plain = Wildcard("http://localhost:*")
    assert (plain.scheme, plain.host, plain.subdomains, plain.port) == (
        "http",
        "localhost",
        False,
        "*",
    )
    assert Wildcard(SUB).port is None


def test_equality_and_hash() -> None:
    a, b = Wildcard(SUB), Wildcard(SUB)
    assert a == b
    assert not a != b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1
    assert {a: 1}[b] == 1
    assert a != Wildcard("https://*.example.com:*")
    assert a != Wildcard("http://*.example.com")
    assert a != Wildcard("https://*.example.org")
    assert a != SUB  # not equal to its pattern string
    assert a != object()
    assert len({a, Wildcard("https://*.example.com:*"), Wildcard(SUB)}) == 2


def test_repr_round_trips() -> None:
    w = Wildcard("https://*.example.com:*")
    assert repr(w) == "Wildcard('https://*.example.com:*')"
    assert eval(repr(w), {"Wildcard": Wildcard}) == w


def test_immutable_set() -> None:
    w = Wildcard(SUB)
    for name in ("pattern", "scheme", "host", "subdomains", "port"):
        with pytest.raises(AttributeError):
            setattr(w, name, "x")
    with pytest.raises(AttributeError):
        w.other = 1  # type: ignore[attr-defined]
    assert not hasattr(w, "__dict__")
    assert w.pattern == SUB and w.host == "example.com"
    assert w.matches("https://a.example.com")


def test_immutable_del() -> None:
    w = Wildcard(SUB)
    before = hash(w)
    for name in ("pattern", "scheme", "host", "subdomains", "port"):
        with pytest.raises(AttributeError):
            delattr(w, name)
    assert hash(w) == before
    assert w.pattern == SUB


# --------------------------------------------------------------------------------------------
# split_origin
# --------------------------------------------------------------------------------------------


def test_split_origin() -> None:
    assert split_origin("https://a.example.com") == ("https", "a.example.com", None)
    assert split_origin("HTTPS://A.Example.COM:8443") == ("https", "a.example.com", "8443")
    assert split_origin("http://[::1]:3000") == ("http", "[::1]", "3000")
    for bad in ("null", "", "https://a.example.com/", "https://u@a.example.com", "https://a..b"):
        assert split_origin(bad) is None, bad


def test_max_origin_length_boundary() -> None:
    host = "a.example.com"
    scheme = "x" * (MAX_ORIGIN_LENGTH - len("://" + host))
    at_limit = f"{scheme}://{host}"
    assert len(at_limit) == MAX_ORIGIN_LENGTH
    over = f"{scheme}y://{host}"
    assert split_origin(at_limit) is not None
    assert split_origin(over) is None
    assert Wildcard(f"{scheme}://*.example.com").matches(at_limit)
    assert not Wildcard(f"{scheme}y://*.example.com").matches(over)
    assert not Wildcard(SUB).matches("https://" + "a." * 5000 + "example.com")


# --------------------------------------------------------------------------------------------
# Property: Wildcard.matches against the specification oracle
# --------------------------------------------------------------------------------------------

SCHEMES = ("http", "https", "ws")
DEFAULT = {"http": "80", "https": "443", "ws": "80", "wss": "443"}
LABELS = st.one_of(
    st.sampled_from(["a", "b", "example", "com", "www", "xn--bcher-kva", "x-y", "0"]),
    st.from_regex(r"[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?", fullmatch=True),
)
PORT_NUMBERS = st.one_of(
    st.sampled_from([1, 80, 81, 443, 3000, 5173, 8080, 8443, 65535]),
    st.integers(min_value=0, max_value=65535),
)


@st.composite
def patterns(draw: st.DrawFn) -> PatternParts:
    scheme = draw(st.sampled_from(SCHEMES))
    labels = tuple(draw(st.lists(LABELS, min_size=1, max_size=3)))
    subdomains = draw(st.booleans())
    kind = draw(st.sampled_from(["none", "any", "number"]))
    port: str | None = None
    if kind == "any":
        port = "*"
    elif kind == "number":
        port = str(draw(PORT_NUMBERS.filter(lambda p: str(p) != DEFAULT[scheme])))
    return PatternParts(scheme, labels, subdomains, port)


MUTATIONS = [
    "extra_label",
    "fewer_labels",
    "bare_domain",
    "other_scheme",
    "other_port",
    "no_port",
    "glue",
    "suffix",
    "upper",
    "replace_label",
    "big_port",
    "path",
    "userinfo",
    "space",
    "empty_label",
]


@st.composite
def origins_for(draw: st.DrawFn, pattern: PatternParts) -> str:
    scheme = pattern.scheme
    labels = list(pattern.labels)
    if pattern.subdomains:
        labels = draw(st.lists(LABELS, min_size=1, max_size=3)) + labels
    port: str | None
    if pattern.port is None:
        port = None
    elif pattern.port == "*":
        port = draw(st.one_of(st.none(), PORT_NUMBERS.map(str)))
    else:
        port = pattern.port
    prefix, suffix, upper = "", "", False
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), max_size=3)):
        if mutation == "extra_label":
            labels.insert(0, draw(LABELS))
        elif mutation == "fewer_labels" and len(labels) > 1:
            labels.pop(0)
        elif mutation == "bare_domain":
            labels = list(pattern.labels)
        elif mutation == "other_scheme":
            scheme = draw(st.sampled_from(["http", "https", "ws", "wss", "ftp"]))
        elif mutation == "other_port":
            port = str(draw(PORT_NUMBERS))
        elif mutation == "no_port":
            port = None
        elif mutation == "glue" and len(labels) > 1:
            index = draw(st.integers(0, len(labels) - 2))
            labels[index : index + 2] = [labels[index] + labels[index + 1]]
        elif mutation == "suffix":
            labels += draw(st.sampled_from([["evil", "net"], ["com"], ["x"]]))
        elif mutation == "upper":
            upper = True
        elif mutation == "replace_label":
            labels[draw(st.integers(0, len(labels) - 1))] = draw(LABELS)
        elif mutation == "big_port":
            port = str(draw(st.integers(65536, 999999)))
        elif mutation == "path":
            suffix = draw(st.sampled_from(["/", "/x", "?q", "#f"]))
        elif mutation == "userinfo":
            prefix = "user@"
        elif mutation == "space":
            suffix = draw(st.sampled_from([" ", "\t", "\r\n", "\x00"]))
        elif mutation == "empty_label":
            labels.insert(draw(st.integers(0, len(labels))), "")
    origin = f"{scheme}://{prefix}{'.'.join(labels)}"
    if port is not None:
        origin += f":{port}"
    origin += suffix
    if upper:
        origin = draw(
            st.sampled_from(
                [
                    origin.upper(),
                    origin.title(),
                    "".join(c.upper() if i % 2 else c for i, c in enumerate(origin)),
                ]
            )
        )
    return origin


FUZZ_ALPHABET = "abcexmplo.-_:/*@?# []09AEX\t\n"


@st.composite
def pattern_and_origin(draw: st.DrawFn) -> tuple[PatternParts, str]:
    pattern = draw(patterns())
    if draw(st.integers(0, 9)) == 0:  # now and then, arbitrary text after the scheme
        origin = pattern.scheme + "://" + draw(st.text(FUZZ_ALPHABET, max_size=30))
    else:
        origin = draw(origins_for(pattern))
    return pattern, origin


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pattern_and_origin())
def test_wildcard_matches_the_oracle(case: tuple[PatternParts, str]) -> None:
    pattern, origin = case
    wildcard = Wildcard(pattern.pattern())
    assert wildcard.matches(origin) == oracle_matches(pattern, origin), (pattern.pattern(), origin)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(patterns())
def test_wildcard_admits_its_own_instances(pattern: PatternParts) -> None:
    """A generated admitted origin (one label per *., the pattern's port or none for :*)."""
    host = ("sub." if pattern.subdomains else "") + ".".join(pattern.labels)
    origin = f"{pattern.scheme}://{host}"
    if pattern.port not in (None, "*"):
        origin += f":{pattern.port}"
    assert oracle_matches(pattern, origin)
    assert Wildcard(pattern.pattern()).matches(origin)
    assert Wildcard(pattern.pattern()).matches(origin.upper())


def test_oracle_sanity() -> None:
    """The oracle itself answers the specification's own examples."""
    sub = PatternParts("https", ("example", "com"), True, None)
    assert oracle_matches(sub, "https://a.example.com")
    assert oracle_matches(sub, "https://a.b.example.com")
    assert oracle_matches(sub, "HTTPS://A.EXAMPLE.COM")
    for origin in (
        "https://example.com",
        "https://aexample.com",
        "https://a.example.com.evil.net",
        "http://a.example.com",
        "https://a.example.com:8443",
        "null",
        "https://a.example.com/",
    ):
        assert not oracle_matches(sub, origin), origin
    assert parse_origin("https://a.example.com:65536") is None
    assert parse_origin("https://u@a.example.com") is None


# --------------------------------------------------------------------------------------------
# OriginCheck: when the check is asked
# --------------------------------------------------------------------------------------------

INVALID_ORIGINS = [
    "",
    "null",
    "NULL",
    "Null",
    "example.com",
    "https://",
    "https://a.example.com/",
    "https://a.example.com/path",
    "https://a.example.com?q",
    "https://a.example.com#f",
    "https://user@a.example.com",
    "https://a.example.com:65536",
    "https://a.example.com:99999",
    "https://a.example.com:",
    " https://a.example.com",
    "https://a.example.com ",
    "https://a.example.com\r\n",
    "https://a.exa mple.com",
    "https://a\x00.example.com",
    "https://a..example.com",
    "https://bücher.example",
    "https://[::1",
    "https://::1",
    "https://[::g]",
    "https://[]",
    "https://" + host_of_length(254),
    "x" * (MAX_ORIGIN_LENGTH + 1),
    "https://" + "a" * MAX_ORIGIN_LENGTH + ".com",
]


def test_called_once_per_accepts() -> None:
    check = Counting({"https://a.example.com"})
    oc = OriginCheck(check)
    for _ in range(3):
        assert oc.accepts("https://a.example.com") is True
        assert oc.accepts("https://b.example.com") is False
    assert check.calls == {"https://a.example.com": 3, "https://b.example.com": 3}


def test_call_is_accepts() -> None:
    check = Counting({"https://a.example.com"})
    oc = OriginCheck(check)
    assert oc("https://a.example.com") is True
    assert oc("https://b.example.com") is False
    assert check.total == 2


@pytest.mark.parametrize("origin", INVALID_ORIGINS)
@pytest.mark.parametrize("cache_ttl", [None, 60])
def test_not_called_for_invalid_origins(origin: str, cache_ttl: float | None) -> None:
    check = Counting(lambda _origin: True)
    oc = OriginCheck(check, cache_ttl=cache_ttl)
    assert oc.accepts(origin) is False
    assert check.total == 0


@pytest.mark.parametrize(
    "origin", ["http://[1]", "http://[.]", "http://[:]", "http://[::::::]", "http://[1.2.3.4]"]
)
def test_not_called_for_malformed_ipv6(origin: str) -> None:
    # Not IPv6 addresses, so not a syntactically valid serialised origin.
    check = Counting(lambda _origin: True)
    assert OriginCheck(check).accepts(origin) is False
    assert check.total == 0


@pytest.mark.parametrize(
    "origin",
    [
        "https://a.example.com",
        "http://localhost:5173",
        "http://[::1]:8080",
        "http://127.0.0.1",
        "chrome-extension://abcdefghijklmnop",
        "https://" + host_of_length(253),
        "x" * (MAX_ORIGIN_LENGTH - len("://a.com")) + "://a.com",
    ],
)
def test_called_with_valid_origins(origin: str) -> None:
    seen: list[str] = []

    def check(value: str) -> bool:
        seen.append(value)
        return True

    assert OriginCheck(check).accepts(origin) is True
    assert seen == [origin]


def test_null_only_with_allow_null() -> None:
    check = Counting({"null"})
    assert OriginCheck(check).accepts("null") is False
    assert check.total == 0
    allowing = OriginCheck(check, allow_null=True)
    assert allowing.accepts("null") is True
    assert check.calls == {"null": 1}
    refusing = OriginCheck(Counting(), allow_null=True)
    assert refusing.accepts("null") is False
    assert refusing.check.calls == {"null": 1}


def test_allow_null_keeps_other_validation() -> None:
    check = Counting(lambda _origin: True)
    oc = OriginCheck(check, allow_null=True)
    for origin in ("null/", "nul", "https://a.example.com/", ""):
        assert oc.accepts(origin) is False
    assert check.total == 0


# --------------------------------------------------------------------------------------------
# OriginCheck: failing closed, logging
# --------------------------------------------------------------------------------------------


def _records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "fastcors"]


@pytest.mark.parametrize(
    "exc", [RuntimeError("boom"), KeyError("k"), ValueError("v"), ZeroDivisionError()]
)
def test_exception_fails_closed(exc: Exception, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="fastcors")

    def check(origin: str) -> bool:
        raise exc

    oc = OriginCheck(check)
    assert oc.accepts("https://a.example.com") is False
    records = _records(caplog)
    assert len(records) == 1
    assert records[0].levelno >= logging.WARNING
    assert repr(exc) in records[0].getMessage()
    assert exc in records[0].args  # type: ignore[operator]
    assert "%r" in str(records[0].msg)


@pytest.mark.parametrize("result", [1, 0, None, "yes", "", [], [True], 1.0, object()])
def test_non_bool_fails_closed(result: object, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="fastcors")
    check = Counting(lambda _origin: result)  # type: ignore[arg-type,return-value]
    oc = OriginCheck(check)
    assert oc.accepts("https://a.example.com") is False
    assert oc.accepts("https://a.example.com") is False
    assert check.total == 2
    assert len(_records(caplog)) <= 1


def test_true_and_false_are_honoured() -> None:
    assert OriginCheck(lambda _o: True).accepts("https://a.example.com") is True
    assert OriginCheck(lambda _o: False).accepts("https://a.example.com") is False


def test_logged_once_per_exception_type(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="fastcors")
    raised = [ValueError("one"), ValueError("two"), KeyError("three"), ValueError("four")]
    raised += [KeyError("five"), RuntimeError("six")]
    queue = list(raised)

    def check(origin: str) -> bool:
        raise queue.pop(0)

    oc = OriginCheck(check)
    for _ in raised:
        assert oc.accepts("https://a.example.com") is False
    messages = [r.getMessage() for r in _records(caplog)]
    assert len(messages) == 3, messages
    assert repr(raised[0]) in messages[0]
    assert repr(raised[2]) in messages[1]
    assert repr(raised[5]) in messages[2]


def test_logged_once_per_type_not_per_name(caplog: pytest.LogCaptureFixture) -> None:
    # Two distinct exception types that share a name (as requests.ConnectionError and the
    # built-in ConnectionError do): each is logged.
    caplog.set_level(logging.DEBUG, logger="fastcors")
    other = type("ConnectionError", (Exception,), {})
    raised = [ConnectionError("builtin"), other("library")]
    queue = list(raised)

    def check(origin: str) -> bool:
        raise queue.pop(0)

    oc = OriginCheck(check)
    assert oc.accepts("https://a.example.com") is False
    assert oc.accepts("https://a.example.com") is False
    messages = [r.getMessage() for r in _records(caplog)]
    assert len(messages) == 2, messages


def test_exceptions_do_not_propagate_with_cache() -> None:
    def check(origin: str) -> bool:
        raise OSError("down")

    oc = OriginCheck(check, cache_ttl=60)
    assert oc.accepts("https://a.example.com") is False
    assert oc.accepts("https://b.example.com") is False


# --------------------------------------------------------------------------------------------
# OriginCheck: the cache
# --------------------------------------------------------------------------------------------


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(origins, "time", types.SimpleNamespace(monotonic=fake.monotonic))
    return fake


def test_no_cache_without_ttl() -> None:
    check = Counting({"https://a.example.com"})
    oc = OriginCheck(check)
    for _ in range(5):
        oc.accepts("https://a.example.com")
    assert check.total == 5


def test_cache_hits_do_not_call(clock: Clock) -> None:
    check = Counting({"https://a.example.com"})
    oc = OriginCheck(check, cache_ttl=10)
    for _ in range(5):
        assert oc.accepts("https://a.example.com") is True
        assert oc.accepts("https://b.example.com") is False  # False is cached too
    assert check.calls == {"https://a.example.com": 1, "https://b.example.com": 1}


def test_cache_is_keyed_on_the_exact_origin(clock: Clock) -> None:
    check = Counting(lambda _origin: True)
    oc = OriginCheck(check, cache_ttl=10)
    for origin in ("https://a.example.com", "HTTPS://A.EXAMPLE.COM", "https://a.example.com:1"):
        assert oc.accepts(origin) is True
        assert oc.accepts(origin) is True
    assert check.total == 3


def test_ttl_expiry(clock: Clock) -> None:
    answers = {"https://a.example.com": True, "https://b.example.com": False}
    check = Counting(lambda origin: answers[origin])
    oc = OriginCheck(check, cache_ttl=10)
    assert oc.accepts("https://a.example.com") is True
    assert oc.accepts("https://b.example.com") is False
    clock.now += 9.9
    assert oc.accepts("https://a.example.com") is True
    assert oc.accepts("https://b.example.com") is False
    assert check.total == 2
    clock.now += 0.2  # 10.1 seconds after the first answers: both expired
    answers["https://a.example.com"] = False
    answers["https://b.example.com"] = True
    assert oc.accepts("https://a.example.com") is False
    assert oc.accepts("https://b.example.com") is True
    assert check.calls == {"https://a.example.com": 2, "https://b.example.com": 2}
    clock.now += 5
    assert oc.accepts("https://a.example.com") is False
    assert check.total == 4
    clock.now += 5.1
    assert oc.accepts("https://a.example.com") is False
    assert check.calls["https://a.example.com"] == 3


def test_ttl_is_not_extended_by_hits(clock: Clock) -> None:
    check = Counting(lambda _origin: True)
    oc = OriginCheck(check, cache_ttl=10)
    oc.accepts("https://a.example.com")
    for _ in range(4):
        clock.now += 3
        oc.accepts("https://a.example.com")
    assert check.total == 2  # expired at +10, asked again at +12


def test_lru_eviction(clock: Clock) -> None:
    check = Counting(lambda _origin: True)
    oc = OriginCheck(check, cache_ttl=60, cache_size=2)
    a, b, c = "https://a.example.com", "https://b.example.com", "https://c.example.com"
    oc.accepts(a)
    oc.accepts(b)
    oc.accepts(a)  # a hit: a is now the most recently used
    assert check.total == 2
    oc.accepts(c)  # evicts b, the least recently used
    assert check.total == 3
    oc.accepts(a)
    oc.accepts(c)
    assert check.total == 3  # both still cached
    oc.accepts(b)  # asked again; evicts a (c was used after a)
    assert check.calls[b] == 2
    oc.accepts(c)
    assert check.calls[c] == 1
    oc.accepts(a)
    assert check.calls[a] == 2


def test_cache_size_one(clock: Clock) -> None:
    check = Counting(lambda _origin: True)
    oc = OriginCheck(check, cache_ttl=60, cache_size=1)
    oc.accepts("https://a.example.com")
    oc.accepts("https://a.example.com")
    oc.accepts("https://b.example.com")
    oc.accepts("https://a.example.com")
    assert check.calls == {"https://a.example.com": 2, "https://b.example.com": 1}


def test_invalid_origins_never_fill_the_cache(clock: Clock) -> None:
    check = Counting(lambda _origin: True)
    oc = OriginCheck(check, cache_ttl=60, cache_size=1)
    oc.accepts("https://a.example.com")
    for origin in INVALID_ORIGINS * 3:
        assert oc.accepts(origin) is False
    assert oc.accepts("https://a.example.com") is True
    assert check.total == 1  # still cached: nothing evicted it


def test_invalidate_one_origin(clock: Clock) -> None:
    check = Counting(lambda _origin: True)
    oc = OriginCheck(check, cache_ttl=60)
    oc.accepts("https://a.example.com")
    oc.accepts("https://b.example.com")
    oc.invalidate("https://a.example.com")
    oc.invalidate("https://never.example.com")  # unknown: no error
    oc.invalidate("not an origin")
    oc.accepts("https://a.example.com")
    oc.accepts("https://b.example.com")
    assert check.calls == {"https://a.example.com": 2, "https://b.example.com": 1}


def test_invalidate_all(clock: Clock) -> None:
    check = Counting(lambda _origin: True)
    oc = OriginCheck(check, cache_ttl=60)
    for origin in ("https://a.example.com", "https://b.example.com"):
        oc.accepts(origin)
    oc.invalidate()
    for origin in ("https://a.example.com", "https://b.example.com"):
        oc.accepts(origin)
        oc.accepts(origin)
    assert check.calls == {"https://a.example.com": 2, "https://b.example.com": 2}


def test_invalidate_picks_up_a_new_answer(clock: Clock) -> None:
    allowed: set[str] = set()
    oc = OriginCheck(lambda origin: origin in allowed, cache_ttl=3600)
    assert oc.accepts("https://a.example.com") is False
    allowed.add("https://a.example.com")
    assert oc.accepts("https://a.example.com") is False  # still the cached answer
    oc.invalidate("https://a.example.com")
    assert oc.accepts("https://a.example.com") is True


def test_invalidate_without_cache_is_harmless() -> None:
    oc = OriginCheck(lambda _o: True)
    oc.invalidate()
    oc.invalidate("https://a.example.com")
    assert oc.accepts("https://a.example.com") is True


def test_null_is_cached_with_allow_null(clock: Clock) -> None:
    check = Counting({"null"})
    oc = OriginCheck(check, cache_ttl=60, allow_null=True)
    assert oc.accepts("null") is True
    assert oc.accepts("null") is True
    assert check.total == 1


# --------------------------------------------------------------------------------------------
# OriginCheck: threads
# --------------------------------------------------------------------------------------------


def _admitted(origin: str) -> bool:
    return origin.split("//", 1)[1].startswith("ok")


def test_thread_safety_cached_and_uncached_mix() -> None:
    check = Counting(_admitted)
    oc = OriginCheck(check, cache_ttl=3600, cache_size=10_000)
    cached = [f"https://{'ok' if i % 2 else 'no'}{i}.example.com" for i in range(50)]
    uncached = [f"https://{'ok' if i % 3 else 'no'}u{i}.example.com" for i in range(200)]
    invalid = ["null", "https://x.example.com/", "https://x.example.com:70000", ""]
    for origin in cached:
        oc.accepts(origin)
    assert check.total == len(cached)

    n_threads, rounds = 16, 5
    barrier = threading.Barrier(n_threads)
    errors: list[object] = []

    def worker(seed: int) -> None:
        try:
            barrier.wait()
            mix = cached + uncached + invalid
            for r in range(rounds):
                step = 1 if (seed + r) % 2 else -1
                for origin in mix[::step]:
                    expected = split_origin(origin) is not None and _admitted(origin)
                    got = oc.accepts(origin)
                    if got is not expected:
                        errors.append((origin, expected, got))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    for origin in cached:
        assert check.calls[origin] == 1, origin  # never asked again
    for origin in uncached:
        assert 1 <= check.calls[origin] <= n_threads, origin  # at most once per thread
    for origin in invalid:
        assert check.calls[origin] == 0
    assert check.total <= len(cached) + len(uncached) * n_threads


def test_thread_safety_with_eviction() -> None:
    check = Counting(_admitted)
    oc = OriginCheck(check, cache_ttl=3600, cache_size=8)
    pool = [f"https://{'ok' if i % 2 else 'no'}{i}.example.com" for i in range(40)]
    n_threads, rounds = 12, 20
    barrier = threading.Barrier(n_threads)
    errors: list[object] = []

    def worker(seed: int) -> None:
        try:
            barrier.wait()
            for r in range(rounds):
                for origin in pool[seed % 7 :] + pool[: seed % 7]:
                    if oc.accepts(origin) is not _admitted(origin):
                        errors.append((origin, r))
                if r % 5 == seed % 5:
                    oc.invalidate(pool[r % len(pool)])
                if r == 10 and seed == 0:
                    oc.invalidate()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert check.total <= n_threads * rounds * len(pool)
    # The cache is still bounded and coherent: after the storm, one round asks at most for
    # what fell out of an 8-entry cache.
    before = check.total
    for origin in pool[:8]:
        oc.accepts(origin)
    for origin in pool[:8]:
        oc.accepts(origin)
    assert check.total - before <= 8


# --------------------------------------------------------------------------------------------
# OriginCheck: async def
# --------------------------------------------------------------------------------------------


def test_async_check_in_app_context() -> None:
    seen: list[str] = []

    async def check(origin: str) -> bool:
        await asyncio.sleep(0)
        seen.append(origin)
        return origin == "https://ok.example.com"

    oc = OriginCheck(check)
    with Flask(__name__).app_context():
        assert oc.accepts("https://ok.example.com") is True
        assert oc.accepts("https://no.example.com") is False
        assert oc.accepts("https://ok.example.com/") is False  # invalid: not asked
    assert seen == ["https://ok.example.com", "https://no.example.com"]


def test_async_callable_object_in_app_context() -> None:
    class Check:
        async def __call__(self, origin: str) -> bool:
            await asyncio.sleep(0)
            return origin.endswith(".example.com")

    with Flask(__name__).app_context():
        assert OriginCheck(Check()).accepts("https://a.example.com") is True
        assert OriginCheck(Check()).accepts("https://a.example.org") is False


def test_async_partial_in_app_context() -> None:
    async def allowed(suffix: str, origin: str) -> bool:
        return origin.endswith(suffix)

    with Flask(__name__).app_context():
        partial = OriginCheck(functools.partial(allowed, ".example.com"))
        assert partial.accepts("https://a.example.com") is True
        assert partial.accepts("https://a.example.org") is False


def test_async_check_fails_closed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="fastcors")

    async def raising(origin: str) -> bool:
        raise LookupError("nope")

    async def non_bool(origin: str) -> object:
        return 1

    with Flask(__name__).app_context():
        assert OriginCheck(raising).accepts("https://a.example.com") is False
        assert OriginCheck(non_bool).accepts("https://a.example.com") is False  # type: ignore[arg-type]
    assert any("LookupError('nope')" in r.getMessage() for r in _records(caplog))


def test_async_check_cached(clock: Clock) -> None:
    calls: list[str] = []

    async def check(origin: str) -> bool:
        calls.append(origin)
        return True

    oc = OriginCheck(check, cache_ttl=60)
    with Flask(__name__).app_context():
        assert oc.accepts("https://a.example.com") is True
        assert oc.accepts("https://a.example.com") is True
    assert oc.accepts("https://a.example.com") is True  # a cache hit needs no app context
    assert calls == ["https://a.example.com"]


def test_async_check_outside_app_context_fails_closed() -> None:
    async def check(origin: str) -> bool:
        return True

    assert OriginCheck(check).accepts("https://a.example.com") is False


# --------------------------------------------------------------------------------------------
# OriginCheck: constructor
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cache_ttl", [0, 0.0, -1, -0.5, float("nan"), float("-inf")])
def test_cache_ttl_must_be_positive(cache_ttl: float) -> None:
    with pytest.raises((ValueError, TypeError)):
        OriginCheck(lambda _o: True, cache_ttl=cache_ttl)


@pytest.mark.parametrize("cache_size", [0, -1, -100, 1.5, "10", None, True])
def test_cache_size_must_be_a_positive_int(cache_size: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        OriginCheck(lambda _o: True, cache_ttl=10, cache_size=cache_size)  # type: ignore[arg-type]


@pytest.mark.parametrize("check", [None, "https://a.example.com", 1, ["https://a.example.com"]])
def test_check_must_be_callable(check: object) -> None:
    with pytest.raises(TypeError):
        OriginCheck(check)  # type: ignore[arg-type]


def test_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        OriginCheck(lambda _o: True, 10)  # type: ignore[misc]


def test_valid_constructor_arguments() -> None:
    check = Counting(lambda _o: True)
    oc = OriginCheck(check, cache_ttl=0.001, cache_size=1, allow_null=True)
    assert oc.check is check
    assert oc.cache_ttl == 0.001
    assert oc.cache_size == 1
    assert oc.allow_null is True
    assert OriginCheck(check, cache_ttl=5).cache_size == 1024
    assert OriginCheck(check).cache_ttl is None
    assert OriginCheck(check).allow_null is False
