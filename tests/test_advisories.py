"""One regression test per Flask-CORS advisory, and per attack behind each intended difference of
SPEC.md, named after it. Each shows fastcors is not affected; where Flask-CORS 6.0.x still is, the
same app is built with Flask-CORS (run here, as the reference) to show the attack is real.

- CVE-2024-1681: log injection through request data.
- CVE-2024-6221: Access-Control-Allow-Private-Network sent as true by default.
- CVE-2024-6839: a less specific resource pattern winning over a more specific one.
- CVE-2024-6844: '+' in paths read as a space.
- CVE-2024-6866: paths matched case-insensitively.
- ORIGIN_FULLMATCH, PATH_ONCE, RESOURCE_ORDER, HEADERS_BOUNDED, METHOD_TOKEN, VARY_ALL and rule 7
  of "Per request": the holes fastcors closes on purpose.

Also: fastcors logs nothing per request, at any level (issue 6).
"""

from __future__ import annotations

import logging
import re
import types
from collections.abc import Callable
from typing import Any

import flask_cors
import pytest
from flask import Blueprint, Flask
from werkzeug.test import create_environ, run_wsgi_app

import fastcors

from .cors_oracle import has_ctl

ACAO = "Access-Control-Allow-Origin"
ACAH = "Access-Control-Allow-Headers"
ACAM = "Access-Control-Allow-Methods"
ACAPN = "Access-Control-Allow-Private-Network"

EVIL = "https://evil.example"
TRUSTED = "https://trusted.example"

Build = Callable[[types.ModuleType], Flask]


def catch_all_app(module: types.ModuleType, **options: Any) -> Flask:
    """An app routing every path (so CORS, not routing, decides), with ``module.CORS``."""
    app = Flask(__name__)

    @app.route("/", methods=["GET", "POST"])
    @app.route("/<path:rest>", methods=["GET", "POST"])
    def anything(rest: str = "") -> str:
        return "ok"

    module.CORS(app, **options)
    return app


def request(app: Flask, path: str, method: str = "GET", **headers: str) -> Any:
    return app.test_client().open(
        path, method=method, headers={k.replace("_", "-"): v for k, v in headers.items()}
    )


def raw_request(app: Flask, path: str, method: str = "GET", **environ: str) -> tuple[str, Any]:
    """A request with raw WSGI environ values (the test client refuses CR and LF in headers)."""
    env = create_environ(path, method=method)
    env.update(environ)
    _app_iter, status, headers = run_wsgi_app(app, env, buffered=True)
    return status, headers


# CVE-2024-1681 -----------------------------------------------------------------------------------------

INJECTION = "\r\n2024-01-01 00:00:00 CRITICAL forged entry\x1b[2J"


def fastcors_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "fastcors" or r.name.startswith("fastcors.")]


def exercise_every_kind_of_request(app: Flask) -> None:
    client = app.test_client()
    hostile = {
        "Origin": "https://a.example\x1b[2J",
        "Access-Control-Request-Headers": "x-a,\x1b[2J",
    }
    for path in ["/", "/api/%0d%0aforged", "/missing/%0aforged", "/view", "/bp/x", "/boom"]:
        client.get(path, headers={"Origin": "https://a.example"})
        client.get(path, headers=hostile)
        client.options(path, headers={**hostile, "Access-Control-Request-Method": "POST"})
        client.get(path)
    raw_request(app, "/api/x", HTTP_ORIGIN=INJECTION)
    raw_request(
        app, "/view", "OPTIONS", HTTP_ORIGIN=INJECTION, HTTP_ACCESS_CONTROL_REQUEST_METHOD=INJECTION
    )


def full_app() -> Flask:
    """fastcors with every kind of registration: extension, decorator, blueprint, error handling."""
    app = Flask(__name__)

    @app.route("/", methods=["GET", "POST"])
    @app.route("/api/<path:rest>", methods=["GET", "POST"])
    def anything(rest: str = "") -> str:
        return "ok"

    @app.route("/view", methods=["GET", "POST"])
    @fastcors.cross_origin(origins=["https://a.example"])
    def view() -> str:
        return "view"

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.route("/x")
    def bp_view() -> str:
        return "bp"

    fastcors.CORS(bp, origins=[r"https://.*\.example"])
    app.register_blueprint(bp)
    fastcors.CORS(app, resources={"/api/*": {"origins": [r"https://[a-z]+\.example"]}, "/*": {}})
    return app


def test_cve_2024_1681_log_injection(caplog: pytest.LogCaptureFixture) -> None:
    """Flask-CORS logged request data (path, Origin) unescaped at debug level, so a request could
    forge log lines. fastcors logs nothing per request, even with its logger at DEBUG; what it logs
    at start-up holds no control character."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("fastcors").debug("probe")
    assert [r.getMessage() for r in fastcors_records(caplog)] == ["probe"], "the capture works"
    app = full_app()
    for record in fastcors_records(caplog):
        assert not has_ctl(record.getMessage()), record.getMessage()
    caplog.clear()
    exercise_every_kind_of_request(app)
    assert fastcors_records(caplog) == []


def test_cve_2024_1681_flask_cors_still_logs_the_origin_unescaped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The reference: Flask-CORS 6.0.x writes the raw Origin with ``%s`` at DEBUG."""
    caplog.set_level(logging.DEBUG, logger="flask_cors")
    app = catch_all_app(flask_cors)
    caplog.clear()
    with pytest.raises(ValueError, match="newline"):  # and then it fails the request: rule 7
        raw_request(app, "/api/x", HTTP_ORIGIN="https://a.example" + INJECTION)
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("flask_cors")]
    assert any("\r\n2024-01-01" in m and "\x1b[2J" in m for m in messages)


@pytest.mark.parametrize("level", [logging.DEBUG, logging.INFO, logging.WARNING])
def test_no_per_request_logging_at_any_level(caplog: pytest.LogCaptureFixture, level: int) -> None:
    caplog.set_level(level, logger="fastcors")
    logging.getLogger("fastcors").log(level, "probe")
    assert len(fastcors_records(caplog)) == 1, "the capture works"
    app = full_app()
    caplog.clear()
    exercise_every_kind_of_request(app)
    assert fastcors_records(caplog) == []


# CVE-2024-6221 -----------------------------------------------------------------------------------------


def private_network_preflight(app: Flask, path: str = "/") -> Any:
    return request(
        app,
        path,
        "OPTIONS",
        Origin="https://public.example",
        Access_Control_Request_Method="GET",
        Access_Control_Request_Private_Network="true",
    )


def test_cve_2024_6221_private_network_access_is_off_by_default() -> None:
    """Flask-CORS before 4.0.2 answered ``Access-Control-Allow-Private-Network: true`` by default,
    letting any public site reach a server on the private network. fastcors: false unless
    ``allow_private_network=True``, through the extension, the decorator and a blueprint."""
    app = catch_all_app(fastcors)
    assert private_network_preflight(app).headers.get(ACAPN) == "false"

    decorated = Flask(__name__)
    decorated.add_url_rule("/", "v", fastcors.cross_origin()(lambda: "ok"))
    assert private_network_preflight(decorated).headers.get(ACAPN) == "false"

    bp = Blueprint("bp", __name__)
    bp.add_url_rule("/bp", "v", lambda: "ok")
    fastcors.CORS(bp)
    host = Flask(__name__)
    host.register_blueprint(bp)
    assert private_network_preflight(host, "/bp").headers.get(ACAPN) == "false"

    configured = Flask(__name__)
    configured.config["CORS_ALLOW_PRIVATE_NETWORK"] = None  # None counts as unset
    configured.add_url_rule("/", "v", lambda: "ok")
    fastcors.CORS(configured)
    assert private_network_preflight(configured).headers.get(ACAPN) == "false"

    opted_in = catch_all_app(fastcors, allow_private_network=True)
    assert private_network_preflight(opted_in).headers.get(ACAPN) == "true"


# CVE-2024-6839 -----------------------------------------------------------------------------------------

SPECIFICITY = {
    # Long, but only two "/": under length-only ordering this catch-most rule won every /api path.
    r"/api/[a-z0-9]*[a-z0-9]*[a-z0-9]*[a-z0-9]*[a-z0-9]*[a-z0-9]*.*": {"origins": "*"},
    # Shorter, but more specific: more "/".
    r"/api/.*/admin/.*": {"origins": [TRUSTED]},
}


@pytest.mark.parametrize("reverse", [False, True], ids=["declared_order", "reversed_order"])
def test_cve_2024_6839_more_specific_resource_wins(reverse: bool) -> None:
    """Flask-CORS before 6.0 ordered resource patterns by length only, so a long catch-most pattern
    took priority over a more specific admin rule. fastcors orders by "/" count, then length, in
    any declaration order."""
    resources = dict(reversed(SPECIFICITY.items())) if reverse else SPECIFICITY
    app = catch_all_app(fastcors, resources=resources)
    admin = request(app, "/api/v1/admin/users", Origin=EVIL)
    assert ACAO not in admin.headers
    assert request(app, "/api/v1/admin/users", Origin=TRUSTED).headers[ACAO] == TRUSTED
    assert request(app, "/api/v1/widgets", Origin=EVIL).headers[ACAO] == EVIL


# CVE-2024-6844 -----------------------------------------------------------------------------------------


def test_cve_2024_6844_plus_in_paths_is_a_plus() -> None:
    """Flask-CORS before 6.0 decoded '+' in the path as a space before matching resources, so rules
    for paths containing '+' did not apply (and applied to paths with a space instead)."""
    app = catch_all_app(
        fastcors,
        resources={
            "/files/a+b": {"origins": [TRUSTED]},
            r"/lang/c\+\+/.*": {"origins": [TRUSTED]},
            "/*": {"origins": ["https://other.example"]},
        },
    )
    assert request(app, "/files/a+b", Origin=TRUSTED).headers.get(ACAO) == TRUSTED
    assert request(app, "/lang/c++/docs", Origin=TRUSTED).headers.get(ACAO) == TRUSTED
    # A space is not a plus: these fall through to the catch-all rule.
    assert ACAO not in request(app, "/files/a%20b", Origin=TRUSTED).headers
    assert ACAO not in request(app, "/lang/c%20%20/docs", Origin=TRUSTED).headers
    assert request(app, "/files/a%20b", Origin="https://other.example").headers.get(ACAO)


# CVE-2024-6866 -----------------------------------------------------------------------------------------


def test_cve_2024_6866_paths_are_case_sensitive() -> None:
    """Flask-CORS before 6.0 matched resource paths case-insensitively, so a rule written for
    ``/public/*`` also opened ``/PUBLIC/...``, a different Flask route."""
    app = Flask(__name__)

    @app.route("/public/<p>")
    def public(p: str) -> str:
        return "public"

    @app.route("/PUBLIC/<p>")
    @app.route("/Public/<p>")
    def private(p: str) -> str:
        return "private"

    fastcors.CORS(app, resources={"/public/*": {"origins": "*", "send_wildcard": True}})
    assert request(app, "/public/x", Origin=EVIL).headers.get(ACAO) == "*"
    for path in ("/PUBLIC/x", "/Public/x"):
        response = request(app, path, Origin=EVIL)
        assert response.get_data(as_text=True) == "private"
        assert ACAO not in response.headers


# Intended differences: the attack each one closes ---------------------------------------------------


def both(build: Build, path: str, method: str = "GET", **headers: str) -> tuple[Any, Any]:
    """(Flask-CORS's response, fastcors's response) to the same request."""
    return request(build(flask_cors), path, method, **headers), request(
        build(fastcors), path, method, **headers
    )


def test_origin_fullmatch_prefix_regex_origin() -> None:
    """A start-anchored origin regex admits any origin that merely starts like a trusted one."""

    def build(m: types.ModuleType) -> Flask:
        return catch_all_app(m, origins=[r"https://.*\.example\.com"], supports_credentials=True)

    for attack in ("https://app.example.com.evil.net", "https://a.example.com:1@evil.net"):
        theirs, ours = both(build, "/", Origin=attack)
        assert theirs.headers.get(ACAO) == attack, "Flask-CORS 6.0.x is affected"
        assert ACAO not in ours.headers
    theirs, ours = both(build, "/", Origin="https://app.example.com")
    assert ours.headers.get(ACAO) == theirs.headers.get(ACAO) == "https://app.example.com"


def test_path_once_double_decoding() -> None:
    """Flask-CORS percent-decodes the routed path a second time: ``/files/%2573ecret`` (Flask
    routes ``/files/%73ecret``) gets the rule of ``/files/secret``."""

    def build(m: types.ModuleType) -> Flask:
        return catch_all_app(m, resources={"/files/secret": {"origins": [TRUSTED]}})

    theirs, ours = both(build, "/files/%2573ecret", Origin=TRUSTED)
    assert theirs.headers.get(ACAO) == TRUSTED, "Flask-CORS 6.0.x is affected"
    assert ACAO not in ours.headers
    assert request(build(fastcors), "/files/secret", Origin=TRUSTED).headers.get(ACAO) == TRUSTED


def test_resource_order_compiled_regex_priority() -> None:
    """Flask-CORS sorts compiled patterns before string ones, so a compiled catch-all beats a
    specific string rule (residue of CVE-2024-6839)."""

    def build(m: types.ModuleType) -> Flask:
        return catch_all_app(
            m,
            resources={
                re.compile(r"/.*"): {"origins": "*"},
                "/api/private/*": {"origins": [TRUSTED]},
            },
        )

    theirs, ours = both(build, "/api/private/data", Origin=EVIL)
    assert theirs.headers.get(ACAO) == EVIL, "Flask-CORS 6.0.x is affected"
    assert ACAO not in ours.headers
    assert (
        request(build(fastcors), "/api/private/data", Origin=TRUSTED).headers.get(ACAO) == TRUSTED
    )
    assert request(build(fastcors), "/elsewhere", Origin=EVIL).headers.get(ACAO) == EVIL


@pytest.mark.parametrize(
    ("requested", "options"),
    [
        pytest.param("," * 8192, {}, id="8192_commas_default_star"),
        pytest.param("a," * 4000, {"allow_headers": ["x-a", "x-b", "x-c", "x-d"]}, id="4000_pairs"),
        pytest.param(",".join("x" * 10_000), {}, id="10000_names"),
    ],
)
def test_headers_bounded_junk_request_headers(requested: str, options: dict[str, Any]) -> None:
    """Flask-CORS splits and matches every piece of any Access-Control-Request-Headers value and
    echoes junk (empty names) back; fastcors refuses over-long values outright."""

    def build(m: types.ModuleType) -> Flask:
        return catch_all_app(m, **options)

    theirs, ours = both(
        build,
        "/",
        "OPTIONS",
        Origin=TRUSTED,
        Access_Control_Request_Method="POST",
        Access_Control_Request_Headers=requested,
    )
    assert ACAH not in ours.headers
    assert ours.headers[ACAO] == TRUSTED and ACAM in ours.headers, "the preflight still succeeds"
    if not options:
        assert len(theirs.headers[ACAH]) >= len(requested), "Flask-CORS 6.0.x echoes the junk"


def test_headers_bounded_junk_pieces_are_not_echoed() -> None:
    def build(m: types.ModuleType) -> Flask:
        return catch_all_app(m)

    theirs, ours = both(
        build,
        "/",
        "OPTIONS",
        Origin=TRUSTED,
        Access_Control_Request_Method="GET",
        Access_Control_Request_Headers="X-A,,X-B,",
    )
    assert theirs.headers[ACAH] == ", , X-A, X-B", "Flask-CORS 6.0.x echoes empty names"
    assert ours.headers[ACAH] == "X-A, X-B"


@pytest.mark.parametrize("requested", ["ET", "GET, POST", "T, P", ", "])
def test_method_token_substring_method(requested: str) -> None:
    """Flask-CORS checks the requested method as a substring of the joined methods."""

    def build(m: types.ModuleType) -> Flask:
        return catch_all_app(m, methods=["GET", "POST"])

    theirs, ours = both(
        build, "/", "OPTIONS", Origin=TRUSTED, Access_Control_Request_Method=requested
    )
    assert ACAM in theirs.headers, "Flask-CORS 6.0.x accepts it"
    assert ACAM not in ours.headers


def test_vary_all_cache_poisoning() -> None:
    """Without ``Vary: Origin`` on refused or Origin-less answers, a shared cache can serve an
    answer computed for one Origin to another."""

    def listed(m: types.ModuleType) -> Flask:
        return catch_all_app(m, origins=[TRUSTED, "https://other.example"])

    def default(m: types.ModuleType) -> Flask:
        return catch_all_app(m)

    for build, headers in ((listed, {"Origin": EVIL}), (default, {})):
        theirs, ours = both(build, "/", **headers)
        assert "Origin" not in theirs.headers.getlist("Vary"), "Flask-CORS 6.0.x omits it"
        assert ours.headers.getlist("Vary") == ["Origin"]


def test_rule7_origin_with_crlf_is_refused_not_a_server_error() -> None:
    """Flask-CORS echoes an Origin holding CR/LF under the default ``*``; Werkzeug then refuses the
    header, in the after-request hook and again in the error handler, so the exception escapes the
    WSGI app and the server answers 500: any client can make any request fail."""
    origin = "https://a.example\r\nSet-Cookie: session=forged"
    status, headers = raw_request(catch_all_app(fastcors), "/", HTTP_ORIGIN=origin)
    assert status.startswith("200")
    assert ACAO not in headers
    assert not any(has_ctl(value) for _, value in headers.items())
    with pytest.raises(ValueError, match="newline"):  # Flask-CORS 6.0.x fails the request
        raw_request(catch_all_app(flask_cors), "/", HTTP_ORIGIN=origin)
