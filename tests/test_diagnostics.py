"""Start-up diagnostics (SPEC.md, "Start-up diagnostics"): every dangerous-but-valid configuration
warns with ``CORSConfigWarning`` at each place the SPEC names, the message names the option by its
keyword name, the value, the risk and the fix; strict mode turns each into a ``ValueError`` with the
same message before any hook is registered; safe configurations stay silent.

Warnings are recorded with the "always" filter, so what is counted is what fastcors itself emits
(its own once-per-registration rule), not what Python's duplicate suppression lets through.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import warnings
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Blueprint, Flask

from fastcors import CORS, CORSConfigWarning, cross_origin

ORIGIN = "https://app.example"


@dataclasses.dataclass(frozen=True)
class Case:
    """One dangerous configuration and the parts its one message must contain."""

    id: str
    options: dict[str, Any]
    #: keyword names the message must contain
    names: tuple[str, ...]
    #: the offending value, as the message shows it
    value: str
    #: a phrase stating the risk
    risk: str
    #: a phrase stating the fix (after "Fix:")
    fix: str
    #: the options alone are dangerous (the decorator warns at decoration)
    alone: bool = True
    #: can be set through app config CORS_* keys
    configurable: bool = True


CASES = [
    Case(
        "credentials_with_default_wildcard_origins",
        {"supports_credentials": True},
        ("supports_credentials", "origins"),
        "'*'",
        "any site can make credentialed requests",
        "list the trusted origins",
        alone=False,
    ),
    Case(
        "credentials_with_explicit_wildcard",
        {"supports_credentials": True, "origins": "*"},
        ("supports_credentials", "origins"),
        "'*'",
        "any site can make credentialed requests",
        "list the trusted origins",
    ),
    Case(
        "credentials_with_dot_star",
        {"supports_credentials": True, "origins": [".*"]},
        ("supports_credentials", "origins"),
        "'.*'",
        "any site can make credentialed requests",
        "list the trusted origins",
    ),
    Case(
        "credentials_with_regex_matching_null",
        {"supports_credentials": True, "origins": [r"https://a\.example", "[a-z]+"]},
        ("supports_credentials", "origins"),
        "'[a-z]+'",
        "'null' included",
        "list the trusted origins",
    ),
    Case(
        "credentials_with_compiled_wildcard",
        {"supports_credentials": True, "origins": re.compile(r"(?:https?://.*|null)")},
        ("supports_credentials", "origins"),
        "(?:https?://.*|null)",
        "any site can make credentialed requests",
        "list the trusted origins",
    ),
    Case(
        "origin_with_trailing_slash",
        {"origins": ["https://a.example/"]},
        ("origins",),
        "'https://a.example/'",
        "never equals a browser's Origin header",
        "use 'https://a.example'",
    ),
    Case(
        "origin_with_path",
        {"origins": "https://a.example/app"},
        ("origins",),
        "'https://a.example/app'",
        "never equals a browser's Origin header",
        "use 'https://a.example'",
    ),
    Case(
        "max_age_negative",
        {"max_age": -1},
        ("max_age",),
        "-1",
        "preflight before every request",
        "use an int, a timedelta or a string of digits",
    ),
    Case(
        "max_age_negative_timedelta",
        {"max_age": timedelta(seconds=-30)},
        ("max_age",),
        repr(timedelta(seconds=-30)),
        "preflight before every request",
        "use an int, a timedelta or a string of digits",
    ),
    Case(
        "max_age_non_numeric",
        {"max_age": "ten"},
        ("max_age",),
        "'ten'",
        "preflight before every request",
        "use an int, a timedelta or a string of digits",
    ),
    Case(
        "expose_headers_star_with_credentials",
        {"expose_headers": "*", "supports_credentials": True, "origins": [ORIGIN]},
        ("expose_headers", "supports_credentials"),
        "'*'",
        "no header is exposed",
        "list the header names to expose",
    ),
    Case(
        "methods_star",
        {"methods": "*"},
        ("methods",),
        "'*'",
        "every preflight is refused",
        "list the methods",
    ),
    Case(
        "methods_list_with_star",
        {"methods": ["GET", "*"]},
        ("methods",),
        "['GET', '*']",
        "every preflight is refused",
        "list the methods",
    ),
    Case(
        "string_for_boolean_credentials",
        {"supports_credentials": "false", "origins": [ORIGIN]},
        ("supports_credentials",),
        "'false'",
        "supports_credentials is ON",
        "use True or False",
    ),
    Case(
        "string_for_boolean_vary_header",
        {"vary_header": "no"},
        ("vary_header",),
        "'no'",
        "vary_header is ON",
        "use True or False",
    ),
    Case(
        "string_for_boolean_private_network",
        {"allow_private_network": "False"},
        ("allow_private_network",),
        "'False'",
        "allow_private_network is ON",
        "use True or False",
    ),
    Case(
        "unknown_option_typo",
        {"support_credentials": True},
        ("support_credentials",),
        "'support_credentials'",
        "is ignored",
        "did you mean 'supports_credentials'?",
        configurable=False,
    ),
    Case(
        "unknown_option_without_a_close_name",
        {"xyzzy": 1},
        ("xyzzy",),
        "'xyzzy'",
        "is ignored",
        "see the options table",
        configurable=False,
    ),
]
CONFIGURABLE = [case for case in CASES if case.configurable]
ALONE = [case for case in CASES if case.alone]


def ids(cases: list[Case]) -> list[Any]:
    return [pytest.param(case, id=case.id) for case in cases]


SAFE = [
    pytest.param({}, id="defaults"),
    pytest.param(
        {
            "origins": [ORIGIN, "https://b.example:8443", r"https://[a-z]+\.example\.com"],
            "supports_credentials": True,
            "max_age": 600,
            "expose_headers": ["X-Total", "X-Page"],
            "methods": ["GET", "POST"],
            "allow_headers": ["Content-Type", r"X-Custom-.*"],
        },
        id="credentials_with_listed_origins",
    ),
    pytest.param({"origins": "*", "send_wildcard": True, "max_age": "0"}, id="public_wildcard"),
    pytest.param(
        {"origins": ["null"], "max_age": timedelta(hours=1)}, id="null_without_credentials"
    ),
    pytest.param(
        {"expose_headers": "*", "vary_header": False}, id="expose_star_without_credentials"
    ),
    pytest.param(
        {"max_age": 0, "always_send": False, "allow_private_network": True}, id="booleans"
    ),
    pytest.param({"strict": True, "origins": [ORIGIN]}, id="strict_and_safe"),
]


@contextlib.contextmanager
def recorded() -> Iterator[list[warnings.WarningMessage]]:
    """Every warning raised inside, with nothing suppressed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def cors_messages(caught: list[warnings.WarningMessage]) -> list[str]:
    """The CORSConfigWarning messages; any other warning fails the test."""
    others = [w for w in caught if not issubclass(w.category, CORSConfigWarning)]
    assert not others, [str(w.message) for w in others]
    return [str(w.message) for w in caught]


def assert_describes(message: str, case: Case, where: str | None = None) -> None:
    """The message names the option(s) by keyword name, the value, the risk and the fix."""
    assert message.startswith("fastcors: ")
    for name in case.names:
        assert re.search(rf"(?<![A-Za-z_]){re.escape(name)}(?![A-Za-z_])", message), (name, message)
    assert case.value in message, message
    risk, _, fix = message.partition("Fix:")
    assert case.risk in risk, message
    assert case.fix in fix, message
    if where is not None:
        assert where in message, message


def routed_app(name: str = "diagnostics", config: dict[str, Any] | None = None) -> Flask:
    app = Flask(name)
    app.config.update(config or {})

    @app.route("/", methods=["GET", "POST"])
    @app.route("/api/<path:rest>", methods=["GET", "POST"])
    def index(rest: str = "") -> str:
        return "ok"

    return app


def exercise(app: Flask, path: str = "/") -> None:
    """A simple request, a preflight and an error response."""
    client = app.test_client()
    client.get(path, headers={"Origin": ORIGIN})
    client.options(path, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    client.get("/missing", headers={"Origin": ORIGIN})


def config_of(options: dict[str, Any]) -> dict[str, Any]:
    return {"CORS_" + name.upper(): value for name, value in options.items()}


# CORS(app) ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ids(CASES))
def test_cors_app_warns_once_per_init_app(case: Case) -> None:
    cors = CORS(**case.options)
    first, second = routed_app("first"), routed_app("second")
    with recorded() as caught:
        cors.init_app(first)
    messages = cors_messages(caught)
    assert len(messages) == 1, messages
    assert_describes(messages[0], case, "keyword arguments")
    with recorded() as caught:
        exercise(first)
    assert cors_messages(caught) == [], "requests never warn"
    with recorded() as caught:
        cors.init_app(second)
    assert cors_messages(caught) == messages, "each init_app reports its own configuration"


@pytest.mark.parametrize("case", ids(CASES))
def test_cors_app_constructor_warns_once(case: Case) -> None:
    app = routed_app()
    with recorded() as caught:
        CORS(app, **case.options)
    messages = cors_messages(caught)
    assert len(messages) == 1, messages
    assert_describes(messages[0], case)


@pytest.mark.parametrize("case", ids(CONFIGURABLE))
def test_app_config_warns_naming_the_keyword_and_the_key(case: Case) -> None:
    app = routed_app(config=config_of(case.options))
    with recorded() as caught:
        CORS(app)
    messages = cors_messages(caught)
    assert len(messages) == 1, messages
    key = "CORS_" + case.names[0].upper()
    where = f"app.config[{key!r}]" if case.names[0] in case.options else None
    assert_describes(messages[0], case, where)


@pytest.mark.parametrize("case", ids(CASES))
def test_resource_options_warn_naming_the_resource(case: Case) -> None:
    app = routed_app()
    with recorded() as caught:
        CORS(app, resources={"/api/*": case.options, "/": {}})
    messages = cors_messages(caught)
    assert len(messages) == 1, messages
    assert_describes(messages[0], case, "resources['/api/*']")


def test_unknown_option_typo_in_resources_hints_the_right_name() -> None:
    app = routed_app()
    with recorded() as caught:
        CORS(app, resources={r"/api/*": {"orgins": [ORIGIN]}})
    (message,) = cors_messages(caught)
    assert "'orgins'" in message
    assert "resources['/api/*']" in message
    assert "did you mean 'origins'?" in message


@pytest.mark.parametrize(
    ("key", "meant"),
    [
        pytest.param("CORS_ORIGIN", "origins", id="origins"),
        pytest.param("CORS_SUPPORT_CREDENTIALS", "supports_credentials", id="supports_credentials"),
        pytest.param("CORS_ALLOW_HEADER", "allow_headers", id="allow_headers"),
    ],
)
def test_unknown_app_config_key_warns(key: str, meant: str) -> None:
    """A typo in a CORS_* config key is an unknown option name too. ``CORS_ORIGIN = [...]`` (for
    ``CORS_ORIGINS``) silently leaves the default ``*``: every site is admitted. It must warn."""
    app = routed_app(config={key: [ORIGIN]})
    with recorded() as caught:
        CORS(app)
    messages = cors_messages(caught)
    assert len(messages) == 1, messages
    assert key in messages[0]
    assert meant.upper() in messages[0] or meant in messages[0]


# CORS(blueprint) ------------------------------------------------------------------------------------


def blueprint_with_routes(name: str = "bp") -> Blueprint:
    bp = Blueprint(name, __name__)

    @bp.route("/bp")
    def view() -> str:
        return "bp"

    return bp


@pytest.mark.parametrize("case", ids(CASES))
def test_cors_blueprint_warns_once_per_app_that_registers_it(case: Case) -> None:
    first, second = routed_app("first"), routed_app("second")
    with recorded() as caught:
        bp = blueprint_with_routes()
        CORS(bp, **case.options)
        first.register_blueprint(bp)
        first.register_blueprint(bp, name="again", url_prefix="/again")
        exercise(first, "/bp")
    messages = cors_messages(caught)
    assert len(messages) == 1, messages
    assert_describes(messages[0], case)
    with recorded() as caught:
        second.register_blueprint(bp)
    assert cors_messages(caught) == messages


@pytest.mark.parametrize("case", ids(CONFIGURABLE))
def test_cors_blueprint_warns_for_the_registering_apps_config(case: Case) -> None:
    bp = blueprint_with_routes()
    with recorded() as caught:
        CORS(bp)
        routed_app("safe").register_blueprint(bp)
    assert cors_messages(caught) == []
    with recorded() as caught:
        routed_app("dangerous", config_of(case.options)).register_blueprint(bp)
    messages = cors_messages(caught)
    assert len(messages) == 1, messages
    assert_describes(messages[0], case)


# cross_origin ---------------------------------------------------------------------------------------


def decorated_app(name: str, decorator: Any, config: dict[str, Any] | None = None) -> Flask:
    app = Flask(name)
    app.config.update(config or {})
    app.add_url_rule("/view", "view", decorator(lambda: "view"), methods=["GET", "POST"])
    return app


@pytest.mark.parametrize("case", ids(ALONE))
def test_cross_origin_warns_at_decoration_for_its_own_options(case: Case) -> None:
    with recorded() as caught:
        decorator = cross_origin(**case.options)
    messages = cors_messages(caught)
    assert len(messages) == 1, messages
    assert_describes(messages[0], case, "cross_origin() keyword arguments")
    with recorded() as caught:
        for name in ("first", "second"):
            app = decorated_app(name, decorator)
            exercise(app, "/view")
    assert cors_messages(caught) == [], "already reported at decoration"


@pytest.mark.parametrize("case", ids([c for c in CASES if not c.alone]))
def test_cross_origin_warns_on_first_use_per_app_for_merged_options(case: Case) -> None:
    with recorded() as caught:
        decorator = cross_origin(**case.options)
        first, second = decorated_app("first", decorator), decorated_app("second", decorator)
    assert cors_messages(caught) == [], "not dangerous until merged with the defaults"
    for app in (first, second):
        with recorded() as caught:
            exercise(app, "/view")
        messages = cors_messages(caught)
        assert len(messages) == 1, messages
        assert_describes(messages[0], case)
        with recorded() as caught:
            exercise(app, "/view")
        assert cors_messages(caught) == []


@pytest.mark.parametrize("case", ids(CONFIGURABLE))
def test_cross_origin_warns_on_first_use_for_app_config(case: Case) -> None:
    with recorded() as caught:
        decorator = cross_origin()
        dangerous = decorated_app("dangerous", decorator, config_of(case.options))
        safe = decorated_app("safe", decorator)
    assert cors_messages(caught) == []
    with recorded() as caught:
        exercise(safe, "/view")
    assert cors_messages(caught) == []
    with recorded() as caught:
        exercise(dangerous, "/view")
        exercise(dangerous, "/view")
    messages = cors_messages(caught)
    assert len(messages) == 1, messages
    assert_describes(messages[0], case)


def test_cross_origin_first_use_from_many_threads_warns_once() -> None:
    import threading

    decorator = cross_origin(supports_credentials=True)
    app = decorated_app("threads", decorator)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def hit() -> None:
        try:
            barrier.wait()
            app.test_client().get("/view", headers={"Origin": ORIGIN})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    with recorded() as caught:
        threads = [threading.Thread(target=hit) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors
    assert len(cors_messages(caught)) == 1


# Where the warning points ---------------------------------------------------------------------------


def test_warnings_point_at_the_callers_line() -> None:
    """The warning's location is the user's code, not fastcors', Flask's or Werkzeug's."""
    with recorded() as caught:
        CORS(routed_app("a"), methods="*")
        decorator = cross_origin(max_age=-1)
        bp = blueprint_with_routes()
        CORS(bp, supports_credentials=True)
        routed_app("b").register_blueprint(bp)
        decorated = decorated_app("c", cross_origin(), {"CORS_SUPPORTS_CREDENTIALS": True})
        decorated.test_client().get("/view")
    assert len(cors_messages(caught)) == 4
    assert {w.filename for w in caught} == {__file__}
    del decorator


# Strict mode ----------------------------------------------------------------------------------------


def message_of(case: Case, *, from_config: bool = False) -> str:
    """The one warning message of ``case`` given as CORS(app) kwargs (or as app config)."""
    with recorded() as caught:
        if from_config:
            CORS(routed_app("probe", config_of(case.options)))
        else:
            CORS(routed_app("probe"), **case.options)
    (message,) = cors_messages(caught)
    return message


def assert_untouched(app: Flask, funcs_before: dict[Any, list[Any]]) -> None:
    """No hook registered, no state created, no error handler wrapped."""
    assert dict(app.after_request_funcs) == funcs_before
    assert "fastcors" not in app.extensions
    assert "handle_exception" not in vars(app)
    assert "handle_user_exception" not in vars(app)
    response = app.test_client().get("/", headers={"Origin": ORIGIN})
    assert not [k for k in response.headers.keys() if k.lower().startswith("access-control-")]


@pytest.mark.parametrize("case", ids(CASES))
def test_strict_raises_the_same_message_before_any_hook(case: Case) -> None:
    message = message_of(case)
    app = routed_app()
    before = {k: list(v) for k, v in app.after_request_funcs.items()}
    with recorded() as caught, pytest.raises(ValueError) as excinfo:
        CORS(app, strict=True, **case.options)
    assert cors_messages(caught) == [], "strict mode raises instead of warning"
    assert str(excinfo.value) == message
    assert_untouched(app, before)


@pytest.mark.parametrize("case", ids(CASES))
def test_strict_in_init_app_kwargs(case: Case) -> None:
    cors = CORS(**case.options)
    app = routed_app()
    before = {k: list(v) for k, v in app.after_request_funcs.items()}
    with pytest.raises(ValueError, match=re.escape(message_of(case))):
        cors.init_app(app, strict=True)
    assert_untouched(app, before)


@pytest.mark.parametrize("strict", [True, 1, "1", "yes"], ids=["True", "1", "str1", "yes"])
@pytest.mark.parametrize("case", ids(CASES))
def test_cors_strict_config_raises_before_any_hook(case: Case, strict: Any) -> None:
    message = message_of(case)
    app = routed_app(config={"CORS_STRICT": strict})
    before = {k: list(v) for k, v in app.after_request_funcs.items()}
    with recorded() as caught, pytest.raises(ValueError) as excinfo:
        CORS(app, **case.options)
    assert cors_messages(caught) == []
    found = str(excinfo.value).split("\n")
    assert message in found
    if isinstance(strict, str):
        # The string CORS_STRICT is itself a string where a boolean is expected.
        assert any("strict=" in line and "use True or False" in line for line in found)
    else:
        assert found == [message]
    assert_untouched(app, before)


def test_strict_kwarg_false_overrides_cors_strict_config() -> None:
    app = routed_app(config={"CORS_STRICT": True})
    with recorded() as caught:
        CORS(app, strict=False, methods="*")
    assert len(cors_messages(caught)) == 1


def test_strict_collects_every_message_into_one_error() -> None:
    app = routed_app()
    with pytest.raises(ValueError) as excinfo:
        CORS(app, strict=True, methods="*", max_age=-1, origins=["https://a.example/"])
    lines = str(excinfo.value).split("\n")
    assert len(lines) == 3
    assert all(line.startswith("fastcors: ") for line in lines)


@pytest.mark.parametrize("case", ids(CASES))
def test_strict_blueprint_raises_at_construction_before_any_hook(case: Case) -> None:
    message = message_of(case)
    bp = blueprint_with_routes()
    deferred = list(bp.deferred_functions)  # the route's own registration
    with pytest.raises(ValueError) as excinfo:
        CORS(bp, strict=True, **case.options)
    assert str(excinfo.value) == message
    assert not any(bp.after_request_funcs.values()), "a hook was registered"
    assert bp.deferred_functions == deferred, "a registration callback was recorded"
    app = routed_app()
    app.register_blueprint(bp)
    response = app.test_client().get("/bp", headers={"Origin": ORIGIN})
    assert not [k for k in response.headers.keys() if k.lower().startswith("access-control-")]


@pytest.mark.parametrize("case", ids(CONFIGURABLE))
def test_cors_strict_config_blueprint_raises_at_registration(case: Case) -> None:
    message = message_of(case, from_config=True)
    bp = blueprint_with_routes()
    CORS(bp)
    routed_app("safe", {"CORS_STRICT": True}).register_blueprint(bp)
    app = routed_app("dangerous", {"CORS_STRICT": True, **config_of(case.options)})
    with pytest.raises(ValueError, match=re.escape(message)):
        app.register_blueprint(bp)


@pytest.mark.parametrize("case", ids(ALONE))
def test_strict_cross_origin_raises_at_decoration(case: Case) -> None:
    with recorded() as caught, pytest.raises(ValueError) as excinfo:
        cross_origin(strict=True, **case.options)
    assert cors_messages(caught) == []
    assert str(excinfo.value).startswith("fastcors: ")
    expected = message_of(case).replace("keyword arguments", "cross_origin() keyword arguments")
    assert str(excinfo.value) == expected


@pytest.mark.parametrize("case", ids(CASES))
def test_cors_strict_config_cross_origin_raises_on_first_use(case: Case) -> None:
    """With CORS_STRICT on the app, a dangerous decorator configuration must not serve requests,
    whether the danger is in the decorator's own options or appears only once merged."""
    with recorded():
        decorator = cross_origin(**case.options)
    app = decorated_app("strict", decorator, {"CORS_STRICT": True})
    app.testing = True
    with recorded() as caught, pytest.raises(ValueError, match=re.escape(case.value)):
        app.test_client().get("/view", headers={"Origin": ORIGIN})
    assert cors_messages(caught) == []


@pytest.mark.parametrize("case", ids(CONFIGURABLE))
def test_cors_strict_config_cross_origin_raises_for_app_config(case: Case) -> None:
    app = decorated_app("strict", cross_origin(), {"CORS_STRICT": True, **config_of(case.options)})
    app.testing = True
    with pytest.raises(ValueError, match=re.escape(case.value)):
        app.test_client().get("/view", headers={"Origin": ORIGIN})


# Safe configurations ---------------------------------------------------------------------------------


@pytest.mark.parametrize("options", SAFE)
def test_safe_configurations_are_silent_everywhere(options: dict[str, Any]) -> None:
    with recorded() as caught:
        app = routed_app("ext")
        CORS(app, **options)
        exercise(app)
        CORS(routed_app("resources"), resources={"/api/*": options})
        configured = routed_app("config", config_of(options))
        CORS(configured)
        exercise(configured)
        bp = blueprint_with_routes()
        CORS(bp, **options)
        host = routed_app("bp")
        host.register_blueprint(bp)
        exercise(host, "/bp")
        decorated = decorated_app("decorated", cross_origin(**options))
        exercise(decorated, "/view")
        from_config = decorated_app("decorated_config", cross_origin(), config_of(options))
        exercise(from_config, "/view")
    assert cors_messages(caught) == []


def test_warning_category_is_a_user_warning() -> None:
    assert issubclass(CORSConfigWarning, UserWarning)
    with pytest.warns(CORSConfigWarning):
        CORS(routed_app(), methods="*")


def test_top_level_origins_that_no_resource_uses_are_not_diagnosed() -> None:
    # Every resource sets its own origins: the top-level default "*" answers no request, so
    # credentials with it are not a danger (each resource's own origins are still checked).
    app = Flask(__name__)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CORS(
            app,
            resources={r"/api/*": {"origins": ["https://a.example"]}, r"/v2/*": {"origins": []}},
            supports_credentials=True,
        )
    response = app.test_client().get("/api/x", headers={"Origin": "https://a.example"})
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    with pytest.warns(CORSConfigWarning, match=r"resources\['/v1/\*'\]"):
        CORS(
            Flask(__name__),
            resources={r"/v1/*": {"origins": "*"}, r"/api/*": {"origins": ["https://a.example"]}},
            supports_credentials=True,
        )
    # A resource that takes the top-level origins keeps the warning.
    with pytest.warns(CORSConfigWarning, match="supports_credentials"):
        CORS(
            Flask(__name__),
            resources={r"/api/*": {"max_age": 5}, r"/v2/*": {"origins": ["https://a.example"]}},
            supports_credentials=True,
        )
