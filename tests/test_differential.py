"""Differential tests: fastcors against Flask-CORS 6.0.x over generated configurations and requests.

For each generated scenario (options spread over every location, several registrations,
blueprints, the decorator, error routes) the same app is built twice, once with Flask-CORS and
once with fastcors, and every generated request is sent to both. Responses must agree header by
header. Each intended difference of SPEC.md is accounted for by one explicit rule, applied only when
its condition holds:

- ORIGIN_FULLMATCH, BLUEPRINT_CONFIG, RESOURCE_ORDER, PATH_ONCE, HEADERS_BOUNDED, METHOD_TOKEN,
  PREFLIGHT_NO_VIEW, ERRORS_IN_ORDER and rule 7 (control characters): the *reference* is given
  the configuration or request that makes the hole disappear (its origin patterns anchored at the
  end, the app config passed to ``CORS(blueprint)``, string keys instead of compiled ones, its
  second ``unquote`` disabled, the request headers as fastcors reads them, a method no policy
  has, ``automatic_options=True``, ``intercept_exceptions=False``, a matcher that refuses control
  characters); answers must then be identical.
- VARY_ALL: the ``Origin`` token of Vary is compared by rule (fastcors lists it exactly once
  whenever Flask-CORS lists it, and may add it); all other Vary tokens must agree.

``FASTCORS_DIFFERENTIAL_EXAMPLES`` sets the number of scenarios (default 300; each sends up to 12
requests).
"""

from __future__ import annotations

import os
import re
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import flask_cors
import flask_cors.core
import flask_cors.extension
import pytest
from flask import Blueprint, Flask, abort
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fastcors

from .helpers import ReferenceFlask, cors_lines

pytestmark = pytest.mark.filterwarnings(
    "ignore::fastcors.CORSConfigWarning",
    # Flask-CORS logs an error for the /boom route; Flask's own logger, nothing to assert on.
)

EXAMPLES = int(os.environ.get("FASTCORS_DIFFERENTIAL_EXAMPLES", "300"))

# -- value pools ------------------------------------------------------------------------------------

LITERAL_ORIGINS = ["https://a.example", "https://B.example", "http://localhost:3000", "null"]
REGEX_ORIGINS = [r"https://.*\.example", r"http://localhost:\d+", r"https?://b\.example"]
COMPILED_ORIGINS = [
    re.compile(r"https://c\.example"),
    re.compile(r"https://.*\.test", re.IGNORECASE),
]
REQUEST_ORIGINS = [
    "https://a.example",
    "https://A.EXAMPLE",
    "https://b.example",
    "https://sub.example",
    "https://c.example",
    "https://x.test",
    "http://localhost:3000",
    "http://localhost:8080",
    "null",
    "https://evil.example.org",  # prefix attacks on the patterns above
    "http://localhost:3000.evil",
    "https://c.example.evil",
    "https://a.example\tx",  # control characters (rule 7)
    "https://a\x00.example",
    "",
]
METHODS_VALUES = [
    ["GET", "POST"],
    "GET, PUT",
    ["get", "PUT"],
    "PATCH",
    ["DELETE", "GET", "OPTIONS"],
]
ALLOW_HEADERS_VALUES = [
    "*",
    ["content-type", "x-a"],
    r"x-custom-.*",
    [re.compile(r"x-a", re.IGNORECASE), "Authorization"],
]
EXPOSE_VALUES = [None, "X-Total", ["X-B", "X-A"], []]
MAX_AGE_VALUES = [None, 600, "60", timedelta(seconds=30), 0, "0"]
REQUEST_METHODS = [None, "GET", "post", "PUT", "PATCH", "DELETE", "ET", " GET", "GET, HEAD", ""]
REQUEST_HEADERS = [
    None,
    "content-type",
    "content-type,x-a",
    "x-a,x-custom-1",
    "X-A, X-B",
    "authorization,x-custom-9",
    "X-A,,X-B,",
    "x a,x-b",
    "x-a\x0b,x-b",
    ",".join(f"x-{i}" for i in range(70)),
    "x" * 5000,
]
PATHS = [
    "/",
    "/api/items",
    "/api/items/7",
    "/public/x",
    "/missing",
    "/api/missing",
    "/boom",
    "/abort",
    "/bp/items",
    "/bp/missing",
    "/api/it%65ms",
    "/files/%2573ecret",
]

RESOURCE_KEYS = [
    r"/api/*",
    r"/api/items/\d+",
    "/public/x",
    r"/.*",
    "*",
    r"/files/secret",
    r"/bp/.*",
]

OPTION_NAMES = [
    "origins",
    "methods",
    "allow_headers",
    "expose_headers",
    "supports_credentials",
    "max_age",
    "send_wildcard",
    "vary_header",
    "always_send",
    "allow_private_network",
    "intercept_exceptions",
]


def origins_values() -> st.SearchStrategy[Any]:
    item = st.sampled_from(LITERAL_ORIGINS + REGEX_ORIGINS + COMPILED_ORIGINS + ["*"])
    return st.one_of(
        st.just("*"),
        st.sampled_from(LITERAL_ORIGINS + REGEX_ORIGINS),
        st.lists(item, min_size=1, max_size=4),
    )


OPTION_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "origins": origins_values(),
    "methods": st.sampled_from(METHODS_VALUES),
    "allow_headers": st.sampled_from(ALLOW_HEADERS_VALUES),
    "expose_headers": st.sampled_from(EXPOSE_VALUES),
    "supports_credentials": st.booleans(),
    "max_age": st.sampled_from(MAX_AGE_VALUES),
    "send_wildcard": st.booleans(),
    "vary_header": st.booleans(),
    "always_send": st.booleans(),
    "allow_private_network": st.booleans(),
    "intercept_exceptions": st.booleans(),
}


@st.composite
def option_set(
    draw: st.DrawFn, names: list[str] = OPTION_NAMES, max_size: int = 4
) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(names), max_size=max_size, unique=True))
    return {name: draw(OPTION_VALUES[name]) for name in chosen}


@st.composite
def resources_value(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(["none", "string", "list", "dict", "compiled"]))
    keys = draw(st.lists(st.sampled_from(RESOURCE_KEYS), min_size=1, max_size=3, unique=True))
    if kind == "none":
        return None
    if kind == "string":
        return keys[0]
    if kind == "list":
        return keys
    compile_some = kind == "compiled"
    out: dict[Any, dict[str, Any]] = {}
    for key in keys:
        options = draw(option_set(max_size=3))
        if compile_some and key not in ("*", "/public/x", r"/files/secret") and draw(st.booleans()):
            out[re.compile(key)] = options
        else:
            out[key] = options
    return out


@dataclass
class Scenario:
    kind: str  # "extension", "two", "decorator", "blueprint"
    config: dict[str, Any]
    constructor: dict[str, Any]
    init_app: dict[str, Any]
    second: dict[str, Any] = field(default_factory=dict)
    decorator: dict[str, Any] = field(default_factory=dict)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    kind = draw(st.sampled_from(["extension", "extension", "two", "decorator", "blueprint"]))
    config = draw(
        option_set([*OPTION_NAMES, "automatic_options"] if kind == "decorator" else OPTION_NAMES)
    )
    constructor = draw(option_set())
    init_app = draw(option_set(max_size=2))
    resources = draw(resources_value())
    if resources is not None:
        draw(st.sampled_from([constructor, init_app, config]))["resources"] = resources
    second = draw(option_set()) if kind == "two" else {}
    decorator = (
        draw(option_set([*OPTION_NAMES, "automatic_options"])) if kind == "decorator" else {}
    )
    return Scenario(kind, config, constructor, init_app, second, decorator)


OPTION_VALUES["automatic_options"] = st.booleans()


ROUTED_PATHS = ["/", "/api/items", "/api/items/7", "/public/x", "/bp/items"]


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly requests a browser would send to routed paths; the rest is odd on purpose."""
    usual = draw(st.integers(0, 9)) < 7
    return {
        "path": draw(st.sampled_from(ROUTED_PATHS if usual else PATHS)),
        "method": draw(
            st.sampled_from(["GET", "OPTIONS"] if usual else ["GET", "OPTIONS", "POST", "PUT"])
        ),
        "origin": draw(
            st.sampled_from(REQUEST_ORIGINS[:9])
            if usual
            else st.one_of(st.none(), st.sampled_from(REQUEST_ORIGINS))
        ),
        "request_method": draw(
            st.sampled_from(["GET", "PUT", "post", "DELETE"] if usual else REQUEST_METHODS)
        ),
        "request_headers": draw(st.sampled_from(REQUEST_HEADERS[:6] if usual else REQUEST_HEADERS)),
        "private_network": draw(st.sampled_from([None, "true", "false"])),
    }


# -- building the two apps ------------------------------------------------------------------------------


def add_routes(target: Flask | Blueprint, decorate: Any = None) -> None:
    def wrap(f: Any) -> Any:
        return decorate(f) if decorate is not None else f

    @target.route("/", methods=["GET", "POST"])
    @wrap
    def index() -> str:
        return "index"

    @target.route("/api/items", methods=["GET", "POST", "PUT"])
    @wrap
    def items() -> str:
        return "items"

    @target.route("/api/items/<int:item>", methods=["GET", "PUT", "DELETE"])
    def item(item: int) -> str:
        return str(item)

    @target.route("/public/x")
    def public() -> str:
        return "public"

    @target.route("/boom")
    @wrap
    def boom() -> str:
        raise RuntimeError("boom")

    @target.route("/abort")
    def aborts() -> str:
        abort(418)

    @target.route("/files/<path:name>")
    def files(name: str) -> str:
        return name


def anchored(value: Any) -> Any:
    """ORIGIN_FULLMATCH for the reference: every origin pattern must match to the end."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, re.Pattern):
            out.append(re.compile(f"(?:{item.pattern})\\Z", item.flags))
        elif isinstance(item, str) and item not in ("*", ".*") and fastcors._options.is_regex(item):
            out.append(f"(?:{item})\\Z")
        else:
            out.append(item)
    return out if isinstance(value, list) else out[0]


def stringified(resources: Any) -> Any:
    """RESOURCE_ORDER for the reference: compiled keys as strings, so both order them alike."""
    if isinstance(resources, dict):
        return {(k.pattern if isinstance(k, re.Pattern) else k): v for k, v in resources.items()}
    return resources


def for_reference(options: dict[str, Any]) -> dict[str, Any]:
    out = dict(options)
    if "origins" in out:
        out["origins"] = anchored(out["origins"])
    if "resources" in out:
        resources = stringified(out["resources"])
        if isinstance(resources, dict):
            resources = {k: for_reference(v) for k, v in resources.items()}
        out["resources"] = resources
    return out


def build(module: types.ModuleType, scenario: Scenario) -> Flask:
    reference = module is flask_cors
    adapt = for_reference if reference else (lambda options: options)
    app = ReferenceFlask(__name__) if reference else Flask(__name__)
    for name, value in adapt(scenario.config).items():
        app.config["CORS_" + name.upper()] = value
    if scenario.kind == "decorator":
        kwargs = adapt(scenario.decorator)
        if (
            reference
            and "automatic_options" not in kwargs
            and "automatic_options" in scenario.config
            and not scenario.config["automatic_options"]
        ):
            kwargs["automatic_options"] = True  # PREFLIGHT_NO_VIEW
        add_routes(app, module.cross_origin(**kwargs))
        return app
    if scenario.kind == "blueprint":
        bp = Blueprint("bp", __name__)
        add_routes(bp)
        kwargs = {**adapt(scenario.constructor), **adapt(scenario.init_app)}
        if reference:
            # Flask-CORS validates a blueprint's own kwargs at once (fastcors too); then
            # BLUEPRINT_CONFIG: give it the app config, which it would otherwise ignore.
            module.CORS(Blueprint("validate", __name__), **kwargs)
            kwargs = {**adapt(scenario.config), **kwargs}
        module.CORS(bp, **kwargs)
        add_routes(app)
        app.register_blueprint(bp, url_prefix="/bp")
        return app
    add_routes(app)
    # ERRORS_IN_ORDER: fastcors answers errors from its after-request hook, whatever
    # intercept_exceptions says; so does Flask-CORS without interception.
    plain = {"intercept_exceptions": False} if reference else {}
    module.CORS(**adapt(scenario.constructor)).init_app(
        app, **{**adapt(scenario.init_app), **plain}
    )
    if scenario.kind == "two":
        module.CORS(app, **{**adapt(scenario.second), **plain})
    return app


# -- requests ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CTL = re.compile(r"[\x00-\x1f\x7f]")


def reference_request_headers(value: str | None) -> str | None:
    """HEADERS_BOUNDED for the reference: the names fastcors reads from the value."""
    if not value or len(value) > 4096 or value.count(",") >= 64:
        return None
    names = [p.strip(" \t") for p in value.split(",")]
    kept = [n for n in names if n and _TOKEN.fullmatch(n)]
    return ",".join(kept) or None


def configured_methods(scenario: Scenario) -> set[str]:
    found = {"GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"}
    for value in _all_values(scenario, "methods"):
        text = fastcors._options.flexible_str(value) or ""
        found |= {m.strip() for m in text.upper().split(",")}
    return found


def _all_values(scenario: Scenario, name: str) -> Iterator[Any]:
    for options in (
        scenario.config,
        scenario.constructor,
        scenario.init_app,
        scenario.second,
        scenario.decorator,
    ):
        if name in options:
            yield options[name]
        resources = options.get("resources")
        if isinstance(resources, dict):
            for resource in resources.values():
                if name in resource:
                    yield resource[name]


def environ_for(request: dict[str, Any], reference: bool, scenario: Scenario) -> dict[str, str]:
    environ = {}
    if request["origin"] is not None:
        environ["HTTP_ORIGIN"] = request["origin"]
    method = request["request_method"]
    headers = request["request_headers"]
    if reference:
        headers = reference_request_headers(headers)
        if method and method.upper() not in configured_methods(scenario):
            method = "NOT-A-CONFIGURED-METHOD"  # METHOD_TOKEN: fastcors refuses it under any policy
    if method is not None:
        environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"] = method
    if headers is not None:
        environ["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = headers
    if request["private_network"] is not None:
        environ["HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"] = request["private_network"]
    return environ


@contextmanager
def reference_with_holes_closed() -> Iterator[None]:
    """PATH_ONCE and rule 7 for the reference: resources match the path as Flask routed it, and an
    Origin or header name with a control character matches nothing."""
    unquote = flask_cors.extension.unquote
    match_any = flask_cors.core.try_match_any_pattern

    def no_control_characters(value: str, patterns: Any, caseSensitive: bool = True) -> Any:
        return not _CTL.search(value) and match_any(value, patterns, caseSensitive=caseSensitive)

    flask_cors.extension.unquote = lambda path: path  # type: ignore[assignment]
    flask_cors.core.try_match_any_pattern = no_control_characters  # type: ignore[assignment]
    try:
        yield
    finally:
        flask_cors.extension.unquote = unquote  # type: ignore[assignment]
        flask_cors.core.try_match_any_pattern = match_any  # type: ignore[assignment]


def send(app: Flask, request: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    response = app.test_client().open(
        request["path"],
        method=request["method"],
        environ_overrides=environ,
    )
    lines = cors_lines(response.headers.items())
    vary = [
        token.strip()
        for name, value in lines
        if name.lower() == "vary"
        for token in value.split(",")
        if token.strip()
    ]
    return {
        "status": response.status_code,
        "body": response.get_data(),
        "headers": [(k, v) for k, v in lines if k.lower() != "vary"],
        "vary_origin": sum(1 for t in vary if t.lower() == "origin"),
        "vary_other": [t for t in vary if t.lower() != "origin"],
    }


def explain(ours: dict[str, Any], theirs: dict[str, Any]) -> str | None:
    """None when the two answers agree, up to the VARY_ALL rule."""
    if ours["status"] != theirs["status"] or ours["body"] != theirs["body"]:
        return "status or body differ"
    if ours["vary_other"] != theirs["vary_other"]:
        return "non-Origin Vary tokens differ"
    if ours["vary_origin"] > 1:
        return "fastcors repeats Origin in Vary"
    if theirs["vary_origin"] and not ours["vary_origin"]:
        return "fastcors drops a Vary: Origin Flask-CORS sends"
    if ours["headers"] != theirs["headers"]:
        return "CORS headers differ"
    return None


# -- the test ------------------------------------------------------------------------------------------------


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario=scenarios(), requests_=st.lists(requests(), min_size=1, max_size=12))
def test_fastcors_answers_like_flask_cors(
    scenario: Scenario, requests_: list[dict[str, Any]]
) -> None:
    errors = []
    try:
        with reference_with_holes_closed():
            reference = build(flask_cors, scenario)
        reference_error: type[BaseException] | None = None
    except (ValueError, TypeError) as exc:
        reference_error = type(exc)
    try:
        ours = build(fastcors, scenario)
        our_error: type[BaseException] | None = None
    except (ValueError, TypeError) as exc:
        our_error = type(exc)
    assert our_error == reference_error, (our_error, reference_error)
    if our_error is not None:
        return
    for request in requests_:
        with reference_with_holes_closed():
            theirs = send(reference, request, environ_for(request, True, scenario))
        mine = send(ours, request, environ_for(request, False, scenario))
        problem = explain(mine, theirs)
        if problem:
            errors.append((problem, request, mine, theirs))
    assert not errors, errors[0]


def test_differential_rules_are_not_vacuous() -> None:
    """The transforms change what the reference sees only where an intended difference applies."""
    assert anchored([r"https://.*\.example", "https://a.example", "*"]) == [
        r"(?:https://.*\.example)\Z",
        "https://a.example",
        "*",
    ]
    assert reference_request_headers("X-A,,X-B,") == "X-A,X-B"
    assert reference_request_headers("content-type,x-a") == "content-type,x-a"
    assert reference_request_headers("a" * 4097) is None
    assert stringified({re.compile("/a/.*"): {}}) == {"/a/.*": {}}
