"""Origins beyond strings (issue 17) through real Flask apps: :class:`fastcors.Wildcard`,
:class:`fastcors.OriginCheck` and bare callables, wherever an origin goes (``CORS`` and
``init_app`` keywords, a resource dict, ``cross_origin``, a ``CORS_ORIGINS`` list, a blueprint),
alone or mixed with literals and patterns; what the responses carry (Vary, always_send,
credentials, preflights); when a check is asked; and the start-up diagnostics of the new types.

The unit tests of the types themselves (grammar, matching, the cache) are in
``tests/test_origin_types.py``; here every answer goes through ``app.test_client()``. The autouse
``engine`` fixture runs every test under both engines.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import types
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Blueprint, Flask
from werkzeug.test import TestResponse

import fastcors
import fastcors.origins as origins_module
from fastcors import CORS, CORSConfigWarning, OriginCheck, Wildcard, cross_origin

from .helpers import cors_lines, header_dict, vary_tokens

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"

SUB = "https://*.example.com"
TENANT = "https://shop.tenant.net"
PATTERN = r"https://[a-z]+\.pattern\.org"


# --------------------------------------------------------------------------------------------
# Apps and requests
# --------------------------------------------------------------------------------------------


def make_app(**config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(config)

    @app.route("/", methods=["GET", "PUT", "POST"])
    def index() -> str:
        return "ok"

    @app.route("/api/items", methods=["GET", "PUT", "POST"])
    def items() -> str:
        return "items"

    @app.route("/other")
    def other() -> str:
        return "other"

    return app


def send(
    app: Flask,
    origin: str | None,
    path: str = "/",
    method: str = "GET",
    **headers: str,
) -> TestResponse:
    fields = {name.replace("_", "-"): value for name, value in headers.items()}
    if origin is not None:
        fields["Origin"] = origin
    return app.test_client().open(path, method=method, headers=fields)


def preflight(
    app: Flask, origin: str | None, path: str = "/", request_method: str = "PUT"
) -> TestResponse:
    return send(
        app,
        origin,
        path,
        "OPTIONS",
        Access_Control_Request_Method=request_method,
        Access_Control_Request_Headers="x-token",
    )


def acao(response: TestResponse) -> str | None:
    values = response.headers.getlist(ACAO)
    assert len(values) <= 1, values
    return values[0] if values else None


def cors(response: TestResponse) -> dict[str, list[str]]:
    """The Access-Control-* and Vary lines, by lower-cased name."""
    return dict(header_dict(cors_lines(response.headers.items())))


class Counting:
    """A check answering from a set (or a function), counting its calls (thread-safe)."""

    def __init__(self, admitted: set[str] | Callable[[str], Any] = frozenset()) -> None:
        self.admitted = admitted
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, origin: str) -> Any:
        with self.lock:
            self.calls[origin] += 1
        if callable(self.admitted):
            return self.admitted(origin)
        return origin in self.admitted

    @property
    def total(self) -> int:
        return sum(self.calls.values())


def fastcors_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "fastcors" and r.levelno >= logging.ERROR]


# Every location an origins value can be given in. Each builder configures ``origins`` there and
# returns the app and the path whose answer that configuration decides.


def _constructor(origins: Any) -> tuple[Flask, str]:
    app = make_app()
    CORS(app, origins=origins)
    return app, "/"


def _init_app(origins: Any) -> tuple[Flask, str]:
    app = make_app()
    extension = CORS(origins=["https://constructor.example"])
    extension.init_app(app, origins=origins)  # init_app's keywords win over the constructor's
    return app, "/"


def _resource(origins: Any) -> tuple[Flask, str]:
    app = make_app()
    CORS(app, origins=["https://top.example"], resources={"/api/*": {"origins": origins}})
    return app, "/api/items"


def _decorator(origins: Any) -> tuple[Flask, str]:
    app = make_app()

    @app.route("/decorated", methods=["GET", "PUT"])
    @cross_origin(origins=origins)
    def decorated() -> str:
        return "decorated"

    return app, "/decorated"


def _config(origins: Any) -> tuple[Flask, str]:
    app = make_app(CORS_ORIGINS=origins)
    CORS(app)
    return app, "/"


def _blueprint(origins: Any) -> tuple[Flask, str]:
    app = make_app()
    blueprint = Blueprint("bp", __name__, url_prefix="/bp")
    blueprint.add_url_rule("/x", "x", lambda: "x", methods=["GET", "PUT"])
    CORS(blueprint, origins=origins)
    app.register_blueprint(blueprint)
    return app, "/bp/x"


LOCATIONS = {
    "constructor": _constructor,
    "init_app": _init_app,
    "resource": _resource,
    "cross_origin": _decorator,
    "CORS_ORIGINS": _config,
    "blueprint": _blueprint,
}
location = pytest.mark.parametrize("build", list(LOCATIONS.values()), ids=list(LOCATIONS))


# --------------------------------------------------------------------------------------------
# The public names
# --------------------------------------------------------------------------------------------


def test_public_names() -> None:
    from fastcors import OriginCheck as ImportedCheck
    from fastcors import Wildcard as ImportedWildcard

    assert ImportedWildcard is origins_module.Wildcard
    assert ImportedCheck is origins_module.OriginCheck
    assert {"Wildcard", "OriginCheck"} <= set(fastcors.__all__)


# --------------------------------------------------------------------------------------------
# Every location
# --------------------------------------------------------------------------------------------


@location
@pytest.mark.parametrize("as_list", [True, False], ids=["list", "alone"])
def test_wildcard_in_every_location(
    build: Callable[[Any], tuple[Flask, str]], as_list: bool
) -> None:
    wildcard = Wildcard(SUB)
    app, path = build([wildcard] if as_list else wildcard)
    for origin in ("https://a.example.com", "https://a.b.example.com"):
        response = send(app, origin, path)
        assert response.status_code == 200
        assert acao(response) == origin
        assert vary_tokens(response.headers.items()) == ["origin"]
    for origin in ("https://example.com", "https://aexample.com", "http://a.example.com"):
        response = send(app, origin, path)
        assert acao(response) is None, origin
        assert vary_tokens(response.headers.items()) == ["origin"]


@location
@pytest.mark.parametrize("wrap", [True, False], ids=["OriginCheck", "bare-callable"])
def test_check_in_every_location(build: Callable[[Any], tuple[Flask, str]], wrap: bool) -> None:
    check = Counting({TENANT})
    app, path = build([OriginCheck(check) if wrap else check])
    assert acao(send(app, TENANT, path)) == TENANT
    refused = send(app, "https://other.tenant.net", path)
    assert refused.status_code == 200
    assert acao(refused) is None
    assert vary_tokens(refused.headers.items()) == ["origin"]
    assert check.calls == {TENANT: 1, "https://other.tenant.net": 1}


@location
def test_mix_of_literal_regex_wildcard_and_check_in_every_location(
    build: Callable[[Any], tuple[Flask, str]],
) -> None:
    check = Counting({TENANT})
    app, path = build(
        ["https://literal.example", re.compile(PATTERN), Wildcard(SUB), check, r"https://re\.str"]
    )
    for origin in (
        "https://literal.example",
        "https://LITERAL.example",  # literals ignore case
        "https://abc.pattern.org",
        "https://re.str",
        "https://deep.a.example.com",
        TENANT,
    ):
        assert acao(send(app, origin, path)) == origin, origin
    for origin in ("https://evil.net", "https://abc.pattern.org.evil.net", "https://example.com"):
        assert acao(send(app, origin, path)) is None, origin
    # Only the origins nobody else admitted reached the check.
    assert set(check.calls) == {
        TENANT,
        "https://evil.net",
        "https://abc.pattern.org.evil.net",
        "https://example.com",
    }


def test_config_list_mixes_with_keyword_precedence() -> None:
    # The keyword argument replaces the app config's list as a whole (Flask-CORS's precedence).
    app = make_app(CORS_ORIGINS=[Wildcard(SUB), "https://config.example"])
    CORS(app, origins=[Wildcard("https://*.keyword.example")])
    assert acao(send(app, "https://a.keyword.example")) == "https://a.keyword.example"
    assert acao(send(app, "https://a.example.com")) is None
    assert acao(send(app, "https://config.example")) is None


def test_resource_wildcard_does_not_leak_to_other_resources() -> None:
    app = make_app()
    CORS(
        app,
        origins=["https://top.example"],
        resources={"/api/*": {"origins": [Wildcard(SUB)]}, "/*": {}},
    )
    assert acao(send(app, "https://a.example.com", "/api/items")) == "https://a.example.com"
    assert acao(send(app, "https://a.example.com", "/other")) is None
    assert acao(send(app, "https://top.example", "/other")) == "https://top.example"


# --------------------------------------------------------------------------------------------
# Wildcard matching through requests
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "admitted"),
    [
        ("https://a.example.com", True),
        ("https://a.b.example.com", True),
        ("https://A.Example.COM", True),  # case ignored
        ("https://example.com", False),  # *. is one or more labels, never none
        ("https://aexample.com", False),
        ("https://a.example.com.evil.net", False),
        ("http://a.example.com", False),
        ("https://a.example.com:8443", False),  # no port written: only no port
        ("https://a.example.com/", False),
        ("https://a.example.com/path", False),
        ("https://user@a.example.com", False),
        ("https://.example.com", False),
        ("null", False),
        ("", False),
    ],
)
def test_subdomain_wildcard(origin: str, admitted: bool) -> None:
    app, _ = _constructor([Wildcard(SUB)])
    response = send(app, origin)
    assert acao(response) == (origin if admitted else None)
    assert vary_tokens(response.headers.items()) == ["origin"]


@pytest.mark.parametrize(
    ("pattern", "admitted", "refused"),
    [
        (
            "http://localhost:*",
            ["http://localhost", "http://localhost:5173", "http://localhost:65535"],
            ["https://localhost:5173", "http://a.localhost:5173", "http://localhost:65536"],
        ),
        (
            "http://localhost:8080",
            ["http://localhost:8080"],
            ["http://localhost", "http://localhost:8081", "http://localhost:80800"],
        ),
        (
            "http://localhost",
            ["http://localhost"],
            ["http://localhost:8080", "http://localhost:80"],
        ),
        (
            "https://*.example.com:*",
            ["https://a.example.com", "https://a.example.com:8443", "https://a.b.example.com:1"],
            ["https://example.com:8443", "http://a.example.com:8443"],
        ),
        (
            "http://[::1]:*",
            ["http://[::1]", "http://[::1]:3000"],
            ["http://[::2]:3000", "http://[::1", "http://localhost:3000"],
        ),
    ],
)
def test_wildcard_ports(pattern: str, admitted: list[str], refused: list[str]) -> None:
    app, _ = _constructor([Wildcard(pattern)])
    for origin in admitted:
        assert acao(send(app, origin)) == origin, origin
    for origin in refused:
        assert acao(send(app, origin)) is None, origin


@pytest.mark.parametrize(
    "origins",
    [
        [Wildcard(SUB)],
        [Wildcard("http://localhost:*"), Wildcard(SUB)],
        [OriginCheck(lambda origin: True)],
        [lambda origin: True],
        [Wildcard(SUB), lambda origin: True, "https://literal.example"],
    ],
    ids=["wildcard", "two-wildcards", "check", "bare-callable", "mixed"],
)
def test_null_origin_is_never_admitted(origins: list[Any]) -> None:
    app, _ = _constructor(origins)
    response = send(app, "null")
    assert acao(response) is None
    assert vary_tokens(response.headers.items()) == ["origin"]


def test_allow_null_check_is_asked_about_null() -> None:
    check = Counting({"null"})
    app, _ = _constructor([Wildcard(SUB), OriginCheck(check, allow_null=True)])
    assert acao(send(app, "null")) == "null"
    assert check.calls == {"null": 1}


def test_many_wildcards_hit_the_last() -> None:
    wildcards = [Wildcard(f"https://*.tenant{i}.example.net") for i in range(1000)]
    app, _ = _constructor(wildcards)
    assert acao(send(app, "https://eu.tenant999.example.net")) == "https://eu.tenant999.example.net"
    assert acao(send(app, "https://eu.tenant1000.example.net")) is None


# --------------------------------------------------------------------------------------------
# Vary, always_send, credentials, send_wildcard
# --------------------------------------------------------------------------------------------


POLICIES = {
    "wildcard": [Wildcard(SUB)],
    "check": [OriginCheck(lambda origin: origin == "https://a.example.com")],
    "bare-callable": [lambda origin: origin == "https://a.example.com"],
    "wildcard-and-literal": [Wildcard(SUB), "https://literal.example"],
}
policies = pytest.mark.parametrize("origins", list(POLICIES.values()), ids=list(POLICIES))


@policies
@pytest.mark.parametrize("always_send", [True, False])
def test_vary_origin_on_every_decided_response(origins: list[Any], always_send: bool) -> None:
    app = make_app()
    CORS(app, origins=origins, always_send=always_send)
    allowed = send(app, "https://a.example.com")
    refused = send(app, "https://evil.example.net")
    missing = send(app, None)
    allowed_preflight = preflight(app, "https://a.example.com")
    refused_preflight = preflight(app, "https://evil.example.net")
    assert acao(allowed) == "https://a.example.com"
    assert acao(allowed_preflight) == "https://a.example.com"
    assert cors(refused) == {"vary": ["Origin"]}
    assert cors(refused_preflight) == {"vary": ["Origin"]}
    for response in (allowed, refused, missing, allowed_preflight, refused_preflight):
        assert response.status_code == 200
        assert vary_tokens(response.headers.items()) == ["origin"]


@policies
def test_vary_header_false_is_honoured(origins: list[Any]) -> None:
    app = make_app()
    CORS(app, origins=origins, vary_header=False)
    assert acao(send(app, "https://a.example.com")) == "https://a.example.com"
    assert vary_tokens(send(app, "https://a.example.com").headers.items()) == []


def test_vary_is_not_repeated_when_the_view_already_varies_on_origin() -> None:
    app = make_app()

    @app.route("/varies")
    def varies() -> Any:
        return "v", 200, {"Vary": "Accept-Encoding, Origin"}

    CORS(app, origins=[Wildcard(SUB)])
    response = send(app, "https://evil.example.net", "/varies")
    assert response.headers.getlist("Vary") == ["Accept-Encoding, Origin"]


def test_always_send_answers_the_first_sorted_literal_without_origin() -> None:
    app = make_app()
    CORS(
        app,
        origins=[
            "https://b.example",
            Wildcard(SUB),
            OriginCheck(lambda origin: True),
            "https://a.example",
            re.compile(PATTERN),
        ],
    )
    response = send(app, None)
    assert cors(response) == {
        "access-control-allow-origin": ["https://a.example"],
        "vary": ["Origin"],
    }


@pytest.mark.parametrize(
    "origins",
    [[Wildcard(SUB)], [OriginCheck(lambda origin: True)], [Wildcard(SUB), re.compile(PATTERN)]],
    ids=["wildcard", "check", "wildcard-and-pattern"],
)
def test_always_send_without_literal_sends_only_vary(origins: list[Any]) -> None:
    app = make_app()
    CORS(app, origins=origins)
    assert cors(send(app, None)) == {"vary": ["Origin"]}


def test_always_send_false_sends_no_origin_without_origin() -> None:
    app = make_app()
    CORS(app, origins=["https://a.example", Wildcard(SUB)], always_send=False)
    assert cors(send(app, None)) == {"vary": ["Origin"]}


@pytest.mark.parametrize(
    "origins",
    [
        [Wildcard(SUB)],
        [OriginCheck(lambda origin: origin == "https://a.example.com")],
        [lambda origin: origin == "https://a.example.com"],
        [Wildcard("https://*.other.example"), OriginCheck(lambda origin: origin.endswith(".com"))],
    ],
    ids=["wildcard", "check", "bare-callable", "check-after-wildcard"],
)
def test_credentials_echo_the_admitted_origin(origins: list[Any]) -> None:
    app = make_app()
    CORS(app, origins=origins, supports_credentials=True)
    response = send(app, "https://a.example.com")
    assert cors(response) == {
        "access-control-allow-origin": ["https://a.example.com"],
        "access-control-allow-credentials": ["true"],
        "vary": ["Origin"],
    }
    response = preflight(app, "https://a.example.com")
    assert acao(response) == "https://a.example.com"
    assert response.headers[ACAC] == "true"
    assert cors(send(app, "https://evil.example.net")) == {"vary": ["Origin"]}


@pytest.mark.parametrize("credentials", [False, True])
@pytest.mark.parametrize(
    "origins",
    [
        [OriginCheck(lambda origin: True)],
        [lambda origin: True],
        [Wildcard(SUB)],
        [Wildcard(SUB), lambda origin: True, "https://a.example"],
    ],
    ids=["check", "bare-callable", "wildcard", "mixed"],
)
def test_send_wildcard_never_turns_them_into_star(origins: list[Any], credentials: bool) -> None:
    app = make_app()
    CORS(app, origins=origins, send_wildcard=True, supports_credentials=credentials)
    response = send(app, "https://a.example.com")
    assert acao(response) == "https://a.example.com"
    assert vary_tokens(response.headers.items()) == ["origin"]
    assert acao(preflight(app, "https://a.example.com")) == "https://a.example.com"


def test_star_with_send_wildcard_still_answers_star_next_to_a_check() -> None:
    # The "*" answers, not the check: the check is never asked.
    check = Counting(lambda origin: True)
    app = make_app()
    CORS(app, origins=["*", check], send_wildcard=True)
    assert acao(send(app, "https://a.example.com")) == "*"
    assert check.total == 0


# --------------------------------------------------------------------------------------------
# Preflights
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origins",
    [
        [Wildcard(SUB)],
        [OriginCheck(lambda origin: origin == "https://a.example.com")],
        [
            "https://literal.example",
            Wildcard("https://*.nothing.example"),
            re.compile(PATTERN),
            lambda origin: origin == "https://a.example.com",
        ],
    ],
    ids=["wildcard", "check", "mixed"],
)
def test_preflights(origins: list[Any]) -> None:
    app = make_app()
    CORS(app, origins=origins, allow_headers=["X-Token"], methods=["GET", "PUT"], max_age=600)
    allowed = preflight(app, "https://a.example.com")
    assert allowed.status_code == 200
    assert cors(allowed) == {
        "access-control-allow-origin": ["https://a.example.com"],
        "access-control-allow-headers": ["x-token"],
        "access-control-max-age": ["600"],
        "access-control-allow-methods": ["GET, PUT"],
        "vary": ["Origin"],
    }
    refused = preflight(app, "https://evil.example.net")
    assert refused.status_code == 200
    assert cors(refused) == {"vary": ["Origin"]}


def test_decorated_preflight_with_wildcard_and_check() -> None:
    check = Counting({TENANT})
    app = make_app()

    @app.route("/decorated", methods=["PUT"])
    @cross_origin(origins=[Wildcard(SUB), check], methods=["PUT"])
    def decorated() -> str:
        raise AssertionError("an automatic preflight never runs the view")

    for origin in ("https://a.example.com", TENANT):
        response = preflight(app, origin, "/decorated")
        assert acao(response) == origin
        assert response.headers[ACAM] == "PUT"
    assert cors(preflight(app, "https://evil.example.net", "/decorated")) == {"vary": ["Origin"]}
    assert check.calls == {TENANT: 1, "https://evil.example.net": 1}


# --------------------------------------------------------------------------------------------
# When a check is asked
# --------------------------------------------------------------------------------------------


def test_check_is_asked_once_per_request() -> None:
    check = Counting({TENANT})
    app, _ = _constructor([Wildcard(SUB), check])
    for round_ in range(1, 4):
        send(app, TENANT)
        preflight(app, TENANT)
        send(app, "https://evil.example.net", "/missing")  # a 404 gets its CORS answer too
        assert check.calls == {TENANT: 2 * round_, "https://evil.example.net": round_}


def test_each_check_of_a_policy_at_most_once_per_request() -> None:
    first, second = Counting(), Counting({TENANT})
    app, _ = _constructor([first, second])
    assert acao(send(app, TENANT)) == TENANT
    assert acao(send(app, "https://evil.example.net")) is None
    assert first.calls == {TENANT: 1, "https://evil.example.net": 1}
    assert second.calls == {TENANT: 1, "https://evil.example.net": 1}


@pytest.mark.parametrize(
    "origin",
    [
        "https://literal.example",
        "HTTPS://LITERAL.EXAMPLE",
        "https://a.example.com",
        "https://a.b.example.com",
        "https://abc.pattern.org",
        "https://re.str",
    ],
)
def test_check_is_never_asked_when_a_literal_wildcard_or_pattern_admits(origin: str) -> None:
    check = Counting(lambda origin: True)
    app, _ = _constructor(
        ["https://literal.example", check, Wildcard(SUB), re.compile(PATTERN), r"https://re\.str"]
    )
    assert acao(send(app, origin)) == origin
    assert acao(preflight(app, origin)) == origin
    assert check.total == 0


INVALID_ORIGINS = [
    "null",
    "NULL",
    "https://a.example.com\x01",
    "https://a.exa\x7fmple.com",
    "https://a.example.com\t",
    "https://a.\x00example.com",
    " https://a.example.com",
    "https://a.example.com/",
    "https://a.example.com/path",
    "https://a.example.com?q",
    "https://user@a.example.com",
    "https://a.example.com:99999",
    "https://a.example.com:",
    "https://a..example.com",
    "https://-a.example.com",
    "https://",
    "a.example.com",
    "https://bücher.example",
    "https://[::1",
    "https://[not-ipv6]",
    "https://" + "a" * 2040 + ".example",  # 2 KB
    "https://" + ".".join(["a" * 60] * 33),  # 2 KB of valid-looking labels
    "https://" + "a" * 500,  # over 253 characters, under MAX_ORIGIN_LENGTH
]


@pytest.mark.parametrize("cache_ttl", [None, 60.0])
def test_check_is_never_asked_about_invalid_origins(cache_ttl: float | None) -> None:
    check = Counting(lambda origin: True)
    app, _ = _constructor([OriginCheck(check, cache_ttl=cache_ttl)])
    for origin in INVALID_ORIGINS:
        response = send(app, origin)
        assert response.status_code == 200, repr(origin)
        assert acao(response) is None, repr(origin)
        assert vary_tokens(response.headers.items()) == ["origin"], repr(origin)
        assert preflight(app, origin).status_code == 200
    assert check.total == 0, check.calls
    # ... while a valid origin is asked (so the check was reachable all along).
    assert acao(send(app, "https://a.example.com")) == "https://a.example.com"
    assert check.total == 1


def test_bare_callable_is_never_asked_about_invalid_origins() -> None:
    check = Counting(lambda origin: True)
    app, _ = _constructor([check])
    for origin in INVALID_ORIGINS:
        assert acao(send(app, origin)) is None, repr(origin)
    assert check.total == 0, check.calls


def test_check_receives_the_origin_as_sent() -> None:
    check = Counting(lambda origin: True)
    app, _ = _constructor([check])
    for origin in ("https://a.example.com:8443", "http://[::1]:3000", "http://127.0.0.1"):
        assert acao(send(app, origin)) == origin
    assert set(check.calls) == {
        "https://a.example.com:8443",
        "http://[::1]:3000",
        "http://127.0.0.1",
    }


def test_decorator_and_extension_share_a_check_asked_once() -> None:
    # The decorator's answer wins, even a refusal: the extension leaves the response alone.
    check = Counting({TENANT})
    app = make_app()

    @app.route("/decorated")
    @cross_origin(origins=[check])
    def decorated() -> str:
        return "d"

    CORS(app, origins=[check])
    assert acao(send(app, TENANT, "/decorated")) == TENANT
    assert acao(send(app, "https://evil.example.net", "/decorated")) is None
    assert check.calls == {TENANT: 1, "https://evil.example.net": 1}


# --------------------------------------------------------------------------------------------
# Failing closed
# --------------------------------------------------------------------------------------------


def test_exception_refuses_with_200_and_is_logged_once_per_type(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="fastcors")
    raised: list[str] = []

    def check(origin: str) -> bool:
        raised.append(origin)
        if origin.startswith("https://key."):
            raise KeyError(origin)
        raise RuntimeError("database down")

    app = make_app()
    CORS(app, origins=[Wildcard(SUB), check], supports_credentials=True)
    for origin in ("https://one.net", "https://two.net", "https://key.net", "https://key.org"):
        for response in (send(app, origin), preflight(app, origin)):
            assert response.status_code == 200
            assert cors(response) == {"vary": ["Origin"]}
    # The wildcard still works next to a failing check.
    assert acao(send(app, "https://a.example.com")) == "https://a.example.com"
    assert len(raised) == 8
    records = fastcors_errors(caplog)
    assert len(records) == 2, [r.getMessage() for r in records]
    messages = " ".join(r.getMessage() for r in records)
    assert "RuntimeError('database down')" in messages
    assert "KeyError" in messages
    assert "refused" in messages


def test_exception_in_a_view_and_in_the_check() -> None:
    def check(origin: str) -> bool:
        raise RuntimeError("check down")

    app = make_app()

    @app.route("/boom")
    def boom() -> str:
        raise ValueError("view down")

    CORS(app, origins=[check])
    response = send(app, "https://a.example.com", "/boom")
    assert response.status_code == 500
    assert cors(response) == {"vary": ["Origin"]}


@pytest.mark.parametrize("result", [1, 0, None, "yes", "", [True], 1.0])
def test_non_bool_refuses(result: object, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="fastcors")
    app, _ = _constructor([lambda origin: result])
    for _ in range(3):
        response = send(app, "https://a.example.com")
        assert response.status_code == 200
        assert cors(response) == {"vary": ["Origin"]}
    records = fastcors_errors(caplog)
    assert len(records) == 1
    assert "not a bool" in records[0].getMessage()


def test_true_and_false_are_honoured_exactly() -> None:
    app, _ = _constructor([lambda origin: origin.endswith(".yes")])
    assert acao(send(app, "https://a.yes")) == "https://a.yes"
    assert acao(send(app, "https://a.no")) is None


# --------------------------------------------------------------------------------------------
# The cache, through requests
# --------------------------------------------------------------------------------------------


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(origins_module, "time", types.SimpleNamespace(monotonic=fake.monotonic))
    return fake


def test_cache_answers_repeated_requests(clock: Clock) -> None:
    allowed = {TENANT}
    check = Counting(allowed)
    tenants = OriginCheck(check, cache_ttl=60)
    app, _ = _constructor([Wildcard(SUB), tenants])
    for _ in range(5):
        assert acao(send(app, TENANT)) == TENANT
        assert acao(preflight(app, TENANT)) == TENANT
        assert acao(send(app, "https://new.tenant.net")) is None  # refusals are cached too
    assert check.calls == {TENANT: 1, "https://new.tenant.net": 1}

    # A new tenant: the cached refusal stands until it is forgotten ...
    allowed.add("https://new.tenant.net")
    assert acao(send(app, "https://new.tenant.net")) is None
    tenants.invalidate("https://new.tenant.net")
    assert acao(send(app, "https://new.tenant.net")) == "https://new.tenant.net"
    assert check.calls == {TENANT: 1, "https://new.tenant.net": 2}

    # ... or until the answer expires.
    allowed.discard(TENANT)
    clock.now += 59
    assert acao(send(app, TENANT)) == TENANT
    clock.now += 2
    assert acao(send(app, TENANT)) is None
    assert check.calls[TENANT] == 2

    tenants.invalidate()
    send(app, TENANT)
    send(app, "https://new.tenant.net")
    assert check.calls == {TENANT: 3, "https://new.tenant.net": 3}


def test_cache_is_keyed_on_the_exact_origin_through_requests(clock: Clock) -> None:
    check = Counting(lambda origin: True)
    app, _ = _constructor([OriginCheck(check, cache_ttl=60)])
    for origin in ("https://a.example.com", "https://A.example.com", "https://a.example.com:1"):
        for _ in range(3):
            assert acao(send(app, origin)) == origin
    assert check.total == 3


def test_cache_size_bounds_the_cache_through_requests(clock: Clock) -> None:
    check = Counting(lambda origin: True)
    app, _ = _constructor([OriginCheck(check, cache_ttl=60, cache_size=2)])
    for origin in ("https://a.net", "https://b.net", "https://a.net", "https://c.net"):
        send(app, origin)
    assert check.total == 3  # a.net was a hit
    send(app, "https://b.net")  # evicted by c.net (the least recently used)
    assert check.calls["https://b.net"] == 2


def test_failures_are_not_retried_within_the_ttl(clock: Clock) -> None:
    calls = Counting(lambda origin: 1 / 0)
    app, _ = _constructor([OriginCheck(calls, cache_ttl=60)])
    for _ in range(3):
        assert cors(send(app, "https://a.example.com")) == {"vary": ["Origin"]}
    assert calls.total == 1


def test_one_check_shared_by_two_apps_shares_its_cache(clock: Clock) -> None:
    check = Counting({TENANT})
    tenants = OriginCheck(check, cache_ttl=60)
    one, _ = _constructor([tenants])
    two, _ = _config([tenants])
    assert acao(send(one, TENANT)) == TENANT
    assert acao(send(two, TENANT)) == TENANT
    assert check.total == 1


# --------------------------------------------------------------------------------------------
# async def checks
# --------------------------------------------------------------------------------------------


def test_async_check_through_a_real_request() -> None:
    seen: list[str] = []

    async def is_tenant(origin: str) -> bool:
        await asyncio.sleep(0)
        seen.append(origin)
        return origin == TENANT

    app = make_app()
    with pytest.warns(CORSConfigWarning, match=r"async check.*ensure_sync"):
        CORS(app, origins=[Wildcard(SUB), is_tenant], supports_credentials=True)
    response = send(app, TENANT)
    assert cors(response) == {
        "access-control-allow-origin": [TENANT],
        "access-control-allow-credentials": ["true"],
        "vary": ["Origin"],
    }
    assert acao(preflight(app, TENANT)) == TENANT
    assert cors(send(app, "https://evil.example.net")) == {"vary": ["Origin"]}
    assert acao(send(app, "https://a.example.com")) == "https://a.example.com"  # not asked
    assert acao(send(app, "https://a.example.com/")) is None  # invalid: not asked
    assert seen == [TENANT, TENANT, "https://evil.example.net"]


async def _is_tenant(origin: str) -> bool:
    await asyncio.sleep(0)
    return origin == TENANT


def test_async_check_on_an_async_view_under_the_extension() -> None:
    app = make_app()

    @app.route("/async")
    async def view() -> str:
        await asyncio.sleep(0)
        return "async"

    with pytest.warns(CORSConfigWarning, match=r"async check"):
        CORS(app, origins=[_is_tenant])
    assert acao(send(app, TENANT, "/async")) == TENANT
    assert acao(send(app, "https://evil.example.net", "/async")) is None


def test_async_check_under_cross_origin_on_a_sync_view() -> None:
    app = make_app()
    with pytest.warns(CORSConfigWarning, match=r"async check"):

        @app.route("/decorated")
        @cross_origin(origins=[OriginCheck(_is_tenant)])
        def view() -> str:
            return "sync"

    assert acao(send(app, TENANT, "/decorated")) == TENANT
    assert acao(preflight(app, TENANT, "/decorated")) == TENANT
    assert acao(send(app, "https://evil.example.net", "/decorated")) is None


def test_async_check_under_cross_origin_on_an_async_view(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The decorator applies the policy inside the async view's coroutine, i.e. inside the event
    # loop Flask's ensure_sync runs it in; the check must still be asked and answer there.
    caplog.set_level(logging.DEBUG, logger="fastcors")
    app = make_app()
    with pytest.warns(CORSConfigWarning, match=r"async check"):

        @app.route("/async")
        @cross_origin(origins=[OriginCheck(_is_tenant)])
        async def view() -> str:
            await asyncio.sleep(0)
            return "async"

    response = send(app, TENANT, "/async")
    assert fastcors_errors(caplog) == []
    assert acao(response) == TENANT
    assert acao(send(app, "https://evil.example.net", "/async")) is None


def test_async_check_fails_closed_through_a_request(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="fastcors")

    async def broken(origin: str) -> bool:
        raise LookupError("tenant table gone")

    app = make_app()
    with pytest.warns(CORSConfigWarning, match=r"async check"):
        CORS(app, origins=[broken])
    response = send(app, TENANT)
    assert response.status_code == 200
    assert cors(response) == {"vary": ["Origin"]}
    assert any("LookupError" in r.getMessage() for r in fastcors_errors(caplog))


def test_async_check_with_cache_still_warns_and_caches(clock: Clock) -> None:
    calls: list[str] = []

    async def is_tenant(origin: str) -> bool:
        calls.append(origin)
        return True

    app = make_app()
    with pytest.warns(CORSConfigWarning, match=r"async check"):
        CORS(app, origins=[OriginCheck(is_tenant, cache_ttl=60)])
    for _ in range(3):
        assert acao(send(app, TENANT)) == TENANT
    assert calls == [TENANT]


# --------------------------------------------------------------------------------------------
# Configuration errors
# --------------------------------------------------------------------------------------------


UNSUPPORTED = [1, 1.5, None, b"https://a.example", object(), ("https://a.example",)]


@pytest.mark.parametrize(
    "build",
    [_constructor, _init_app, _resource, _config, _blueprint],
    ids=["constructor", "init_app", "resource", "CORS_ORIGINS", "blueprint"],
)
@pytest.mark.parametrize("item", UNSUPPORTED, ids=lambda item: type(item).__name__)
def test_unsupported_origin_type_is_a_type_error_at_configuration(
    build: Callable[[Any], tuple[Flask, str]], item: object
) -> None:
    with pytest.raises(TypeError, match=r"origins: .* none of the accepted types"):
        build([Wildcard(SUB), item])
    if item is not None:  # (None alone means "unset" in the app config)
        with pytest.raises(TypeError, match=r"origins: .* none of the accepted types"):
            build(item if not isinstance(item, tuple) else [item])


def test_unsupported_origin_type_in_cross_origin_fails_when_resolved() -> None:
    # cross_origin resolves its options on the view's first request in each app (documented), so
    # that is where the TypeError surfaces; nothing is answered wrongly before it.
    app = make_app()
    app.testing = True  # the exception propagates instead of becoming a 500

    @app.route("/decorated")
    @cross_origin(origins=[Wildcard(SUB), 1])
    def decorated() -> str:
        return "d"

    with pytest.raises(TypeError, match=r"origins: 1 is none of the accepted types"):
        send(app, "https://a.example.com", "/decorated")


@pytest.mark.parametrize("item", [Wildcard(SUB), OriginCheck(lambda origin: True), len])
def test_new_types_are_not_header_names(item: object) -> None:
    with pytest.raises(TypeError, match="allow_headers"):
        CORS(make_app(), allow_headers=["X-Token", item])


@pytest.mark.parametrize(
    "pattern",
    [
        "https://*.Example.com",
        "https://*.example.com/",
        "https://*.example.com:443",
        "https://a.*.example.com",
        "*.example.com",
        "null",
        "file:///tmp",
        "https://*.bücher.example",
        "https://*.example.com/path?q",
    ],
)
def test_bad_wildcard_pattern_is_a_value_error_at_configuration(pattern: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(pattern))):
        CORS(make_app(), origins=[Wildcard(pattern)])
    with pytest.raises(ValueError):
        make_app(CORS_ORIGINS=[Wildcard(pattern)])


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"cache_ttl": 0}, ValueError),
        ({"cache_ttl": -1}, ValueError),
        ({"cache_size": 0}, ValueError),
        ({"cache_size": 1.5}, ValueError),
    ],
)
def test_bad_origin_check_arguments_fail_at_configuration(
    kwargs: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        CORS(make_app(), origins=[OriginCheck(lambda origin: True, **kwargs)])


def test_a_non_callable_origin_check_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="not callable"):
        OriginCheck("https://a.example")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Start-up diagnostics
# --------------------------------------------------------------------------------------------


@pytest.fixture
def no_warnings() -> Iterator[None]:
    """Any warning inside is an error (as pyproject's filterwarnings = error already says)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            "https://*.example.com",
            [
                "looks like a glob",
                "refuses 'https://sub.example.com'",
                "admits 'https://aexample.com'",
                "fastcors.Wildcard('https://*.example.com')",
            ],
        ),
        (
            "http://localhost:*",
            [
                "looks like a glob",
                "refuses 'http://localhost:3000'",
                "fastcors.Wildcard('http://localhost:*')",
            ],
        ),
        (
            "https://*.example.com:*",
            [
                "looks like a glob",
                "refuses 'https://sub.example.com:3000'",
                "fastcors.Wildcard('https://*.example.com:*')",
            ],
        ),
        (
            "http://*.localhost:*",
            ["looks like a glob", "fastcors.Wildcard('http://*.localhost:*')"],
        ),
    ],
)
def test_glob_looking_string_warns(entry: str, expected: list[str]) -> None:
    with pytest.warns(CORSConfigWarning, match="looks like a glob") as caught:
        CORS(make_app(), origins=[entry, "https://literal.example"])
    (message,) = [str(w.message) for w in caught]
    for text in expected:
        assert text in message
    assert repr(entry) in message


def test_glob_warning_for_an_invalid_wildcard_suggests_one_readably() -> None:
    # "https://*example.com" is no valid Wildcard either: the message suggests one generically.
    with pytest.warns(CORSConfigWarning, match="looks like a glob") as caught:
        CORS(make_app(), origins=["https://*example.com"])
    (message,) = [str(w.message) for w in caught]
    assert "Wildcard('https://*.example.com')" in message
    assert "fastcors.a fastcors" not in message, message


def test_glob_looking_string_keeps_its_regex_meaning() -> None:
    app = make_app()
    with pytest.warns(CORSConfigWarning, match="looks like a glob"):
        CORS(app, origins="https://*.example.com")
    assert acao(send(app, "https://sub.example.com")) is None
    assert acao(send(app, "https://aexample.com")) == "https://aexample.com"


@pytest.mark.parametrize(
    "where",
    ["constructor", "init_app", "resource", "CORS_ORIGINS", "blueprint"],
)
def test_glob_warning_in_every_location(where: str) -> None:
    builder = LOCATIONS[where]
    with pytest.warns(CORSConfigWarning, match=r"'https://\*\.example\.com'.*looks like a glob"):
        builder(["https://*.example.com"])


def test_glob_warning_names_the_config_key() -> None:
    with pytest.warns(CORSConfigWarning, match=r"from app\.config\['CORS_ORIGINS'\]"):
        _config(["http://localhost:*"])


def test_glob_warning_of_cross_origin_at_decoration_only() -> None:
    with pytest.warns(CORSConfigWarning, match="looks like a glob"):
        app, path = _decorator(["https://*.example.com"])
    # The first request resolves the options again: the same finding is not repeated (any
    # warning here would be an error).
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert acao(send(app, "https://aexample.com", path)) == "https://aexample.com"


@pytest.mark.parametrize(
    "entry",
    [
        r"https://.*\.example\.com",
        r"https://([a-z0-9-]+\.)*example\.com",
        r"https://(.*\.)?example\.com(:\d+)?",
        "*",
        ".*",
        r"^https://app\.example\.com$",
    ],
)
def test_regular_expressions_that_are_not_globs_do_not_warn(entry: str, no_warnings: None) -> None:
    CORS(make_app(), origins=[entry])


@pytest.mark.parametrize("entry", ["https://*.example.com", "http://localhost:*"])
def test_glob_looking_string_raises_under_strict(entry: str) -> None:
    with pytest.raises(ValueError, match="looks like a glob"):
        CORS(make_app(), origins=[entry], strict=True)
    with pytest.raises(ValueError, match="looks like a glob"):
        CORS(make_app(CORS_STRICT=True, CORS_ORIGINS=[entry]))
    with pytest.raises(ValueError, match="looks like a glob"):
        cross_origin(origins=[entry], strict=True)


@pytest.mark.parametrize(
    ("pattern", "suffix"),
    [
        ("https://*.com", "com"),
        ("https://*.co.uk", "co.uk"),
        ("https://*.github.io", "github.io"),
        ("https://*.com:*", "com"),
    ],
)
def test_credentialed_wildcard_over_a_public_suffix_warns(pattern: str, suffix: str) -> None:
    with pytest.warns(CORSConfigWarning, match=rf"'{re.escape(suffix)}' is a public suffix") as w:
        CORS(make_app(), origins=[Wildcard(pattern)], supports_credentials=True)
    (message,) = [str(item.message) for item in w]
    assert f"Wildcard({pattern!r})" in message
    with pytest.raises(ValueError, match="public suffix"):
        CORS(make_app(), origins=[Wildcard(pattern)], supports_credentials=True, strict=True)


def test_public_suffix_warning_in_resources_and_config() -> None:
    with pytest.warns(CORSConfigWarning, match="public suffix"):
        CORS(
            make_app(),
            supports_credentials=True,
            resources={"/api/*": {"origins": [Wildcard("https://*.co.uk")]}},
        )
    with pytest.warns(CORSConfigWarning, match="public suffix"):
        CORS(
            make_app(),
            origins=[Wildcard("https://*.github.io")],
            resources={"/api/*": {"supports_credentials": True}},
        )
    with pytest.warns(CORSConfigWarning, match="public suffix"):
        CORS(make_app(CORS_SUPPORTS_CREDENTIALS=True, CORS_ORIGINS=[Wildcard("https://*.com")]))
    with pytest.warns(CORSConfigWarning, match="public suffix"):
        cross_origin(origins=[Wildcard("https://*.com")], supports_credentials=True)


@pytest.mark.parametrize(
    "pattern",
    [
        "https://*.example.com",
        "https://*.example.co.uk",
        "https://*.me.github.io",
        "http://localhost:*",
        "http://localhost:5173",
        "http://127.0.0.1:*",
        "http://[::1]:*",
        "http://*.localhost:*",
        "https://com",  # no "*.": one host, however short
    ],
)
def test_safe_credentialed_wildcards_do_not_warn(pattern: str, no_warnings: None) -> None:
    app = make_app()
    CORS(app, origins=[Wildcard(pattern)], supports_credentials=True, strict=True)


@pytest.mark.parametrize(
    "pattern", ["https://*.com", "https://*.github.io", "http://*.example.com"]
)
def test_wildcards_without_credentials_do_not_warn(pattern: str, no_warnings: None) -> None:
    CORS(make_app(), origins=[Wildcard(pattern)], strict=True)


@pytest.mark.parametrize("pattern", ["http://*.example.com", "http://app.example.com:*"])
def test_credentialed_plain_http_wildcard_warns(pattern: str) -> None:
    with pytest.warns(CORSConfigWarning, match="plain-http") as w:
        CORS(make_app(), origins=[Wildcard(pattern)], supports_credentials=True)
    (message,) = [str(item.message) for item in w]
    assert f"Wildcard({pattern!r})" in message
    with pytest.raises(ValueError, match="plain-http"):
        CORS(make_app(), origins=[Wildcard(pattern)], supports_credentials=True, strict=True)


def test_credentialed_plain_http_over_a_public_suffix_warns_twice() -> None:
    with pytest.warns(CORSConfigWarning) as w:
        CORS(make_app(), origins=[Wildcard("http://*.com")], supports_credentials=True)
    messages = sorted(str(item.message) for item in w)
    assert len(messages) == 2
    assert any("public suffix" in m for m in messages)
    assert any("plain-http" in m for m in messages)


def test_async_check_warns_and_raises_under_strict() -> None:
    async def check(origin: str) -> bool:
        return True

    with pytest.warns(CORSConfigWarning, match=r"async check"):
        CORS(make_app(), origins=[check])
    with pytest.warns(CORSConfigWarning, match=r"async check"):
        CORS(make_app(CORS_ORIGINS=[OriginCheck(check)]))
    with pytest.raises(ValueError, match=r"async check"):
        CORS(make_app(), origins=[check], strict=True)


def test_sync_checks_do_not_warn(no_warnings: None) -> None:
    class Check:
        def __call__(self, origin: str) -> bool:
            return True

    CORS(make_app(), origins=[len, Check(), OriginCheck(lambda o: True, cache_ttl=1)], strict=True)
