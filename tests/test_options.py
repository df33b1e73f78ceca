"""Every option at every location, the precedence between locations, and normalisation."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from fastcors import CORS, CORSConfigWarning

from .helpers import cors_lines, header_dict

# Several probes are deliberately dangerous (credentials with "*"); diagnostics have their own tests.
pytestmark = pytest.mark.filterwarnings("ignore::fastcors.CORSConfigWarning")

LOCATIONS = ("resource", "init_app", "constructor", "config")  # highest precedence first
PATH = "/r/x"


def build(placement: Mapping[str, Mapping[str, Any]]) -> Flask:
    """An app whose CORS options are spread over locations: {location: {option: value}}."""
    app = Flask(__name__)

    @app.route(PATH, methods=["GET", "POST", "PUT"])
    def view() -> str:
        return "ok"

    @app.route("/elsewhere")
    def elsewhere() -> str:
        return "ok"

    for option, value in placement.get("config", {}).items():
        app.config["CORS_" + option.upper()] = value
    constructor = dict(placement.get("constructor", {}))
    if "resource" in placement:
        constructor["resources"] = {r"/r/*": dict(placement["resource"])}
    cors = CORS(**constructor)
    cors.init_app(app, **placement.get("init_app", {}))
    return app


@dataclass(frozen=True)
class Probe:
    """A value that changes an option's observable behaviour, and how to observe it."""

    value: Any
    other: Any  # a second non-default value, for precedence tests
    request: Mapping[str, Any]
    observe: Callable[[Mapping[str, list[str]]], Any]


def get(name: str) -> Callable[[Mapping[str, list[str]]], Any]:
    return lambda headers: headers.get(name.lower())


PREFLIGHT = {
    "method": "OPTIONS",
    "headers": {
        "Origin": "http://a.example",
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "x-one,x-two",
    },
}
SIMPLE = {"method": "GET", "headers": {"Origin": "http://a.example"}}

PROBES: dict[str, Probe] = {
    "origins": Probe(
        ["http://b.example"], ["http://a.example"], SIMPLE, get("Access-Control-Allow-Origin")
    ),
    "methods": Probe(
        ["GET", "PUT"], ["PUT", "DELETE"], PREFLIGHT, get("Access-Control-Allow-Methods")
    ),
    "allow_headers": Probe(["x-one"], ["x-two"], PREFLIGHT, get("Access-Control-Allow-Headers")),
    "expose_headers": Probe(["X-Total"], "X-Page", SIMPLE, get("Access-Control-Expose-Headers")),
    "supports_credentials": Probe(True, 1, SIMPLE, get("Access-Control-Allow-Credentials")),
    "max_age": Probe(600, timedelta(minutes=5), PREFLIGHT, get("Access-Control-Max-Age")),
    "send_wildcard": Probe(True, 1, SIMPLE, get("Access-Control-Allow-Origin")),
    "vary_header": Probe(False, 0, SIMPLE, get("Vary")),
    "resources": Probe(r"/elsewhere", r"/nothing", SIMPLE, get("Access-Control-Allow-Origin")),
    "always_send": Probe(False, 0, {"method": "GET"}, get("Access-Control-Allow-Origin")),
    "allow_private_network": Probe(
        True,
        1,
        {
            "method": "GET",
            "headers": {
                "Origin": "http://a.example",
                "Access-Control-Request-Private-Network": "true",
            },
        },
        get("Access-Control-Allow-Private-Network"),
    ),
}
# Expected observation per option: (with the default, with ``value``).
EXPECTED: dict[str, tuple[Any, Any]] = {
    "origins": (["http://a.example"], None),
    "methods": (["DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"], ["GET, PUT"]),
    "allow_headers": (["x-one, x-two"], ["x-one"]),
    "expose_headers": (None, ["X-Total"]),
    "supports_credentials": (None, ["true"]),
    "max_age": (None, ["600"]),
    "send_wildcard": (["http://a.example"], ["*"]),
    "vary_header": (["Origin"], None),
    "resources": (["http://a.example"], None),
    "always_send": (["*"], None),
    "allow_private_network": (["false"], ["true"]),
}


def observe(app: Flask, probe: Probe) -> Any:
    response = app.test_client().open(PATH, **probe.request)
    assert response.status_code == 200
    return probe.observe(header_dict(cors_lines(response.headers.items())))


# "resources" inside a resource's own options means nothing (as in Flask-CORS): not a location.
OPTION_LOCATIONS = [
    (option, location)
    for option in sorted(PROBES)
    for location in (*LOCATIONS, "default")
    if not (option == "resources" and location == "resource")
]


@pytest.mark.parametrize(("option", "location"), OPTION_LOCATIONS)
def test_each_option_at_each_location(option: str, location: str) -> None:
    probe = PROBES[option]
    default, changed = EXPECTED[option]
    if location == "default":
        assert observe(build({}), probe) == default
    else:
        assert observe(build({location: {option: probe.value}}), probe) == changed


@pytest.mark.parametrize("option", sorted(set(PROBES) - {"resources"}))
@pytest.mark.parametrize(("higher", "lower"), list(itertools.combinations(LOCATIONS, 2)))
def test_precedence(option: str, higher: str, lower: str) -> None:
    probe = PROBES[option]
    high_only = observe(build({higher: {option: probe.value}}), probe)
    low_only = observe(build({lower: {option: probe.other}}), probe)
    both = observe(build({higher: {option: probe.value}, lower: {option: probe.other}}), probe)
    assert both == high_only
    if option not in (
        "supports_credentials",
        "send_wildcard",
        "vary_header",
        "always_send",
        "allow_private_network",
    ):
        assert high_only != low_only, "the probe cannot tell the two values apart"
    # and reversed: the lower location alone loses to the higher one with the other value
    both_reversed = observe(
        build({higher: {option: probe.other}, lower: {option: probe.value}}), probe
    )
    assert both_reversed == observe(build({higher: {option: probe.other}}), probe)


def test_init_app_kwargs_override_constructor_kwargs() -> None:
    app = Flask(__name__)

    @app.route(PATH)
    def view() -> str:
        return "ok"

    CORS(origins="http://constructor.example").init_app(app, origins="http://init.example")
    client = app.test_client()
    assert (
        client.get(PATH, headers={"Origin": "http://init.example"}).headers.get(
            "Access-Control-Allow-Origin"
        )
        == "http://init.example"
    )
    assert (
        "Access-Control-Allow-Origin"
        not in client.get(PATH, headers={"Origin": "http://constructor.example"}).headers
    )


def test_config_value_none_counts_as_unset() -> None:
    app = build({"config": {"origins": None, "max_age": None, "supports_credentials": None}})
    assert observe(app, PROBES["origins"]) == ["http://a.example"]
    assert observe(app, PROBES["max_age"]) is None


def test_resources_from_config() -> None:
    app = build({"config": {"resources": {r"/r/*": {"origins": "http://b.example"}}}})
    assert observe(app, PROBES["origins"]) is None


# -- normalisation -------------------------------------------------------------------------------


def single(app: Flask, request: Mapping[str, Any], name: str, path: str = PATH) -> list[str] | None:
    response = app.test_client().open(path, **request)
    return header_dict(cors_lines(response.headers.items())).get(name.lower())


@pytest.mark.parametrize(
    ("methods", "expected"),
    [
        (["get", "PUT"], "PUT, GET"),  # Flask-CORS sorts before upper-casing
        ("get, put", "GET, PUT"),
        ({"PUT", "GET"}, "GET, PUT"),
        ("PUT", "PUT"),
    ],
)
def test_methods_serialisation(methods: Any, expected: str) -> None:
    app = build({"constructor": {"methods": methods}})
    assert single(app, PREFLIGHT, "Access-Control-Allow-Methods") == [expected]


@pytest.mark.parametrize(
    ("max_age", "expected"),
    [
        (600, ["600"]),
        ("600", ["600"]),
        (timedelta(hours=1), ["3600"]),
        (timedelta(0), ["0"]),
        (0, None),
        ("0", ["0"]),
        (None, None),
    ],
)
def test_max_age_serialisation(max_age: Any, expected: list[str] | None) -> None:
    app = build({"constructor": {"max_age": max_age}})
    assert single(app, PREFLIGHT, "Access-Control-Max-Age") == expected


@pytest.mark.parametrize(
    ("expose", "expected"),
    [
        (["X-B", "X-A"], ["X-A, X-B"]),
        ("X-B, X-A", ["X-B, X-A"]),
        ([], None),
        ("", None),
        (None, None),
    ],
)
def test_expose_headers_serialisation(expose: Any, expected: list[str] | None) -> None:
    app = build({"constructor": {"expose_headers": expose}})
    assert single(app, SIMPLE, "Access-Control-Expose-Headers") == expected


def test_string_regex_and_compiled_origins() -> None:
    app = build(
        {
            "constructor": {
                "origins": [r"https://.*\.example\.com", re.compile(r"http://localhost:\d+")]
            }
        }
    )
    for origin, allowed in [
        ("https://a.example.com", True),
        ("HTTPS://A.EXAMPLE.COM", True),  # string regexes ignore case
        ("http://localhost:3000", True),
        ("HTTP://LOCALHOST:3000", False),  # compiled patterns keep their own flags
        ("https://a.example.com.evil", False),
    ]:
        value = single(app, {"headers": {"Origin": origin}}, "Access-Control-Allow-Origin")
        assert value == ([origin] if allowed else None), origin


def test_no_origin_with_literal_list_sends_first_sorted_literal() -> None:
    app = build(
        {"constructor": {"origins": ["https://b.example", "https://A.example", r"https://.*\.c"]}}
    )
    assert single(app, {}, "Access-Control-Allow-Origin") == ["https://A.example"]


def test_wildcard_with_credentials_and_no_origin_sends_nothing() -> None:
    with pytest.warns(CORSConfigWarning):  # credentials with "*" is dangerous: warned
        app = build({"constructor": {"supports_credentials": True}})
    assert single(app, {}, "Access-Control-Allow-Origin") is None


def test_credentials_wildcard_send_wildcard_is_refused() -> None:
    with pytest.raises(ValueError, match="supports_credentials"):
        build({"constructor": {"supports_credentials": True, "send_wildcard": True}})
    with pytest.raises(ValueError, match="supports_credentials"):
        build({"resource": {"supports_credentials": True, "send_wildcard": True}})


def test_unknown_option_warns_with_a_hint() -> None:
    with pytest.warns(CORSConfigWarning, match=r"'support_credentials'.*supports_credentials"):
        build({"constructor": {"support_credentials": True}})
    with pytest.warns(CORSConfigWarning, match=r"'orgins' in resources"):
        build({"resource": {"orgins": "x"}})


@pytest.mark.parametrize(
    "options",
    [
        {"origins": [None]},
        {"origins": 5},
        {"allow_headers": [b"x"]},
        {"methods": None},
        {"resources": 5},
        {"resources": {"/x": None}},
        {"origins": [re.compile(b"x")]},
    ],
)
def test_bad_types_fail_at_configuration(options: dict[str, Any]) -> None:
    with pytest.raises((TypeError, ValueError)):
        build({"constructor": options})


@pytest.mark.parametrize(
    "options",
    [
        {"expose_headers": "X-A\r\nSet-Cookie: x=y"},
        {"max_age": "1\n"},
        {"methods": ["GET\r\n"]},
        {"origins": ["https://a.example\r\n"]},
    ],
)
def test_values_no_header_can_carry_fail_at_configuration(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        build({"constructor": options})


def test_invalid_regex_warns_and_never_matches() -> None:
    with pytest.warns(CORSConfigWarning, match=r"not a valid regular expression"):
        app = build({"constructor": {"resources": {r"/r/(": {}}}})
    assert single(app, SIMPLE, "Access-Control-Allow-Origin") is None


@pytest.mark.parametrize("option", ["origins", "allow_headers"])
def test_invalid_origin_or_header_pattern_warns_and_never_matches(option: str) -> None:
    with pytest.warns(
        CORSConfigWarning, match=rf"{option} entry 'https://\(a\.example'.* is not a valid"
    ):
        app = build(
            {
                "constructor": {
                    option: ["https://(a.example", "x-ok"]
                    if option == "allow_headers"
                    else ["https://(a.example"]
                }
            }
        )
    if option == "origins":
        assert (
            single(
                app, {"headers": {"Origin": "https://(a.example"}}, "Access-Control-Allow-Origin"
            )
            is None
        )
    with pytest.raises(ValueError, match="not a valid regular expression"):
        build({"constructor": {option: "https://(a.example", "strict": True}})
