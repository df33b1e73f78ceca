"""``fastcors.explain`` against a real browser: for each scenario, Chromium performs the request
from the page's origin, and ``explain(app, page_origin, path, ...)`` must say what Chromium decided
(the fetch resolved and the body was readable, or it rejected with a ``TypeError``); a refusal must
carry the expected reason code. ``flask cors check`` is run for some of them too: exit status 0
when allowed, 1 when refused.

``explain`` is asked twice per scenario: predicting the actual response from the policy (the
default) and sending it through the app (``run_view=True``); both must agree with Chromium.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import pytest
from flask import Flask, request
from flask.cli import FlaskGroup

from fastcors import CORS, Explanation, OriginCheck, Wildcard, explain

from .apps import new_app
from .harness import (
    CREDENTIALS_NOT_TRUE,
    NO_ALLOW_ORIGIN,
    NOT_ALLOWED_HEADER,
    NOT_ALLOWED_METHOD,
    PREFLIGHT_NO_ALLOW_ORIGIN,
    ApiServer,
    FetchResult,
    Origins,
    Serve,
    Tab,
    describe,
)

pytestmark = pytest.mark.browser

#: Chromium's wording of the refusals not already in the harness.
NOT_OK_STATUS = (
    "Response to preflight request doesn't pass access control check: "
    "It does not have HTTP ok status"
)
PREFLIGHT_REDIRECTED = "Redirect is not allowed for a preflight request"
WILDCARD_REFUSED = "must not be the wildcard '*' when the request's credentials mode is 'include'"

#: Every subdomain of trusted.test, on any port.
TRUSTED = "http://*.trusted.test:*"


# --------------------------------------------------------------------------------------------
# The apps


def plain(**options: object) -> Callable[[Origins], Flask]:
    """``/data`` under ``CORS(app, origins=[home], **options)``."""

    def build(origins: Origins) -> Flask:
        app = new_app("/data")
        CORS(app, **{"origins": [origins.home], **options})
        return app

    return build


def send_wildcard_app(origins: Origins) -> Flask:
    """``origins="*"`` (the default) answered with ``*``, credentials not supported."""
    app = new_app("/data")
    CORS(app, send_wildcard=True)
    return app


def credentials_app(origins: Origins) -> Flask:
    app = new_app("/data")
    CORS(app, origins=[origins.home], supports_credentials=True)
    return app


def auth_app(origins: Origins) -> Flask:
    """Every request without Authorization gets 401 from a ``before_request`` hook: preflights
    (which never carry Authorization) included."""
    app = new_app("/data")

    @app.before_request
    def require_authorization() -> tuple[str, int] | None:
        if "Authorization" not in request.headers:
            return "unauthorized", 401
        return None

    CORS(app, origins=[origins.home])
    return app


def resource_app(origins: Origins) -> Flask:
    """A resource policy for ``/api/*`` (only ``/api/items`` is routed) and an unrouted-by-CORS
    ``/other``."""
    app = new_app("/api/items", "/other")
    CORS(app, resources={"/api/*": {"origins": [origins.home]}})
    return app


def slash_app(origins: Origins) -> Flask:
    """``/items/`` only: Flask's strict slashes redirect ``/items`` (308)."""
    app = new_app("/items/")
    CORS(app, origins=[origins.home])
    return app


def wildcard_app(origins: Origins) -> Flask:
    app = new_app("/data")
    CORS(app, origins=[Wildcard(TRUSTED)], allow_headers=["X-Token"])
    return app


def check_app(origins: Origins) -> Flask:
    trusted = origins.trusted
    app = new_app("/data")
    CORS(app, origins=[OriginCheck(lambda origin: origin == trusted)])
    return app


# --------------------------------------------------------------------------------------------
# The scenarios


@dataclasses.dataclass(frozen=True)
class Scenario:
    build: Callable[[Origins], Flask]
    #: the page origin, an attribute of :class:`Origins`
    page: str
    path: str
    method: str = "GET"
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    credentials: bool = False
    #: what Chromium is expected to decide (a check of the scenario itself)
    readable: bool = True
    #: for a refusal: the reason code explain must give, and Chromium's console wording
    code: str | None = None
    chromium_says: str | None = None
    #: also run ``flask cors check`` for it
    cli: bool = False


SCENARIOS = [
    pytest.param(Scenario(plain(), "home", "/data"), id="simple-get-allowed"),
    pytest.param(
        Scenario(
            plain(),
            "elsewhere",
            "/data",
            readable=False,
            code="ORIGIN_REFUSED",
            chromium_says=NO_ALLOW_ORIGIN,
            cli=True,
        ),
        id="origin-refused",
    ),
    pytest.param(
        Scenario(plain(), "home", "/data", "PUT", {"X-Token": "t"}, cli=True),
        id="preflighted-put-allowed",
    ),
    pytest.param(
        Scenario(
            plain(allow_headers=["Content-Type"]),
            "home",
            "/data",
            "GET",
            {"X-Token": "t"},
            readable=False,
            code="HEADER_REFUSED",
            chromium_says=f"Request header field x-token {NOT_ALLOWED_HEADER}",
            cli=True,
        ),
        id="header-refused",
    ),
    pytest.param(
        Scenario(
            plain(methods=["GET", "POST", "PUT"]),
            "home",
            "/data",
            "DELETE",
            readable=False,
            code="METHOD_REFUSED",
            chromium_says=f"Method DELETE {NOT_ALLOWED_METHOD}",
        ),
        id="method-refused",
    ),
    pytest.param(
        Scenario(
            send_wildcard_app,
            "home",
            "/data",
            credentials=True,
            readable=False,
            code="WILDCARD_WITH_CREDENTIALS",
            chromium_says=WILDCARD_REFUSED,
            cli=True,
        ),
        id="wildcard-with-credentials",
    ),
    pytest.param(
        Scenario(
            plain(),
            "home",
            "/data",
            credentials=True,
            readable=False,
            code="CREDENTIALS_NOT_ALLOWED",
            chromium_says=CREDENTIALS_NOT_TRUE,
        ),
        id="credentials-not-supported",
    ),
    pytest.param(
        Scenario(credentials_app, "home", "/data", credentials=True),
        id="credentials-allowed",
    ),
    pytest.param(
        Scenario(credentials_app, "home", "/data", "PUT", {"X-Token": "t"}, credentials=True),
        id="credentials-preflighted-allowed",
    ),
    pytest.param(
        Scenario(
            auth_app,
            "home",
            "/data",
            "PUT",
            {"Authorization": "Bearer t"},
            readable=False,
            code="PREFLIGHT_STATUS",
            chromium_says=NOT_OK_STATUS,
        ),
        id="before-request-401-preflight",
    ),
    # The same hook answers a simple request with 401 and fastcors' headers: readable.
    pytest.param(Scenario(auth_app, "home", "/data"), id="before-request-401-simple-get"),
    pytest.param(
        Scenario(
            resource_app,
            "home",
            "/api/missing",
            "PUT",
            {"X-Token": "t"},
            readable=False,
            code="PREFLIGHT_STATUS",
            chromium_says=NOT_OK_STATUS,
        ),
        id="no-route-preflight-404",
    ),
    pytest.param(Scenario(resource_app, "home", "/api/missing"), id="no-route-simple-get-404"),
    pytest.param(
        Scenario(
            resource_app,
            "home",
            "/other",
            readable=False,
            code="NO_POLICY",
            chromium_says=NO_ALLOW_ORIGIN,
        ),
        id="no-policy",
    ),
    pytest.param(
        Scenario(
            slash_app,
            "home",
            "/items",
            "PUT",
            {"X-Token": "t"},
            readable=False,
            code="PREFLIGHT_REDIRECT",
            chromium_says=PREFLIGHT_REDIRECTED,
        ),
        id="strict-slashes-preflight-redirect",
    ),
    # A simple request follows the redirect (it carries fastcors' headers) to /items/.
    pytest.param(Scenario(slash_app, "home", "/items"), id="strict-slashes-simple-get"),
    pytest.param(
        Scenario(wildcard_app, "trusted", "/data", "PUT", {"X-Token": "t"}),
        id="wildcard-origin-allowed",
    ),
    pytest.param(
        Scenario(
            wildcard_app,
            "attack",
            "/data",
            "PUT",
            {"X-Token": "t"},
            readable=False,
            code="ORIGIN_REFUSED",
            chromium_says=PREFLIGHT_NO_ALLOW_ORIGIN,
        ),
        id="wildcard-origin-suffix-attack",
    ),
    pytest.param(
        Scenario(check_app, "trusted", "/data", "PATCH", {"Content-Type": "application/json"}),
        id="origin-check-allowed",
    ),
    pytest.param(
        Scenario(
            check_app,
            "elsewhere",
            "/data",
            readable=False,
            code="ORIGIN_REFUSED",
            chromium_says=NO_ALLOW_ORIGIN,
        ),
        id="origin-check-refused",
    ),
]


# --------------------------------------------------------------------------------------------
# The test


def chromium_verdict(result: FetchResult, api: ApiServer) -> bool:
    """True: the fetch resolved and the body was readable; False: it rejected with a TypeError."""
    if result.readable:
        assert result.type == "cors" and result.body is not None, describe(result, api)
        return True
    assert result.error == "TypeError: Failed to fetch", describe(result, api)
    return False


def cli_check(app: Flask, origin: str, scenario: Scenario) -> tuple[int, str]:
    """``flask cors check`` for the scenario, through the ``flask`` command's group (which is
    where the ``flask.commands`` entry point adds ``cors``; ``app.cli`` alone does not have it)."""
    args = ["cors", "check", origin, scenario.path, "-X", scenario.method]
    for name, value in scenario.headers.items():
        args += ["-H", f"{name}: {value}"]
    if scenario.credentials:
        args.append("--credentials")
    group = FlaskGroup(create_app=lambda: app, load_dotenv=False)
    result = app.test_cli_runner().invoke(group, args=args)
    return result.exit_code, result.output


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_explain_agrees_with_chromium(
    tab: Tab, serve: Serve, origins: Origins, scenario: Scenario
) -> None:
    app = scenario.build(origins)
    api = serve(app)
    page_origin = getattr(origins, scenario.page)

    tab.open(page_origin)
    result = tab.fetch(
        api.url(scenario.path),
        scenario.method,
        dict(scenario.headers),
        credentials="include" if scenario.credentials else None,
    )
    readable = chromium_verdict(result, api)

    explanations: dict[bool, Explanation] = {}
    for run_view in (False, True):
        explanations[run_view] = explain(
            app,
            page_origin,
            scenario.path,
            method=scenario.method,
            request_headers=dict(scenario.headers),
            credentials=scenario.credentials,
            run_view=run_view,
        )
    for run_view, explanation in explanations.items():
        assert explanation.allowed == readable, (
            f"explain(run_view={run_view}) says allowed={explanation.allowed}, Chromium "
            f"{'read the response' if readable else 'blocked it'}\n{explanation}\n"
            f"{describe(result, api)}"
        )
        if not readable:
            assert scenario.code in explanation.codes, f"{explanation}\n{describe(result, api)}"

    # The scenario tests what it means to.
    assert readable == scenario.readable, describe(result, api)
    if not readable:
        assert result.cors_error is not None, describe(result, api)
        assert scenario.chromium_says is not None
        assert scenario.chromium_says in result.cors_error, describe(result, api)
    assert explanations[False].preflight == (api.count("OPTIONS", scenario.path) > 0), api.log()

    if scenario.cli:
        exit_code, output = cli_check(app, page_origin, scenario)
        assert exit_code == (0 if readable else 1), output
        assert output.startswith("ALLOWED" if readable else "REFUSED"), output
        if scenario.code is not None:
            assert scenario.code in output, output
