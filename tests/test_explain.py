"""fastcors.explain: every reason code on a real app, the policy and its sources, the JSON shape,
hostile request values, and the debug_refusals option (X-CORS-Refusal and its warning)."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask, abort, request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fastcors._engine as selector
from fastcors import CORS, CORSConfigWarning, Explanation, cross_origin, explain
from fastcors.explain import INFORMATIONAL, REASONS, escape, unsafe_header_names

APP = "https://app.example.com"
EVIL = "https://evil.example"


def api_app(**options: Any) -> Flask:
    app = Flask(__name__)
    app.debug = bool(options.pop("debug", False))
    CORS(app, resources={r"/api/*": {"origins": [APP], **options}})

    @app.route("/api/items", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    def items() -> Any:
        return {"items": []}

    @app.route("/api/slash/", methods=["PUT"])
    def slash() -> str:
        return ""

    @app.get("/other")
    def other() -> str:
        return ""

    return app


def codes(explanation: Explanation) -> list[str]:
    return [reason.code for reason in explanation.reasons]


# --- allowed ----------------------------------------------------------------------------------


def test_an_allowed_simple_request_has_no_reasons_and_predicted_headers() -> None:
    result = explain(api_app(), APP, "/api/items")
    assert result.allowed
    assert result.reasons == ()
    assert not result.preflight
    assert result.headers["preflight"] is None
    actual = result.headers["actual"]
    assert actual is not None and actual.source == "predicted" and actual.status is None
    assert ("Access-Control-Allow-Origin", APP) in actual.lines
    assert result.rule == "/api/items" and result.endpoint == "items"
    assert "ALLOWED" in str(result) and "predicted" in str(result)


def test_an_allowed_preflighted_request_sends_the_preflight_through_the_app() -> None:
    result = explain(api_app(), APP, "/api/items", method="PUT", request_headers=["X-Token: 1"])
    assert result.allowed, str(result)
    assert result.preflight
    preflight = result.headers["preflight"]
    assert preflight is not None and preflight.source == "sent" and preflight.status == 200
    names = {name for name, _ in preflight.lines}
    assert {"Access-Control-Allow-Methods", "Access-Control-Allow-Headers"} <= names


def test_run_view_sends_the_actual_request_and_only_then() -> None:
    app = Flask(__name__)
    CORS(app, origins=[APP])
    calls: list[str] = []

    @app.post("/submit")
    def submit() -> str:
        calls.append(request.method)
        return "ok", 201  # type: ignore[return-value]

    predicted = explain(app, APP, "/submit", method="POST")
    assert predicted.allowed and calls == []
    sent = explain(app, APP, "/submit", method="POST", run_view=True)
    assert sent.allowed and calls == ["POST"]
    actual = sent.headers["actual"]
    assert actual is not None and actual.source == "sent" and actual.status == 201
    assert "sent through the app, status 201" in str(sent)


# --- each reason code -------------------------------------------------------------------------


def test_no_policy_for_a_path_no_resource_matches() -> None:
    result = explain(api_app(), APP, "/other")
    assert not result.allowed
    assert codes(result) == ["NO_POLICY"]
    assert result.policy is None
    assert "'/other'" in result.reasons[0].text


def test_no_policy_on_an_app_without_fastcors() -> None:
    app = Flask(__name__)

    @app.get("/")
    def index() -> str:
        return ""

    result = explain(app, APP, "/")
    assert codes(result) == ["NO_POLICY"]
    assert "not set up" in result.reasons[0].text


def test_origin_refused_names_the_policy_and_the_origins_source() -> None:
    result = explain(api_app(), EVIL, "/api/items")
    assert not result.allowed
    assert codes(result) == ["ORIGIN_REFUSED"]
    text = result.reasons[0].text
    assert "CORS #0" in text and "'/api/*'" in text and "resources['/api/*']" in text


@pytest.mark.parametrize(
    ("origin", "meant"),
    [
        ("https://app.example.com/", "https://app.example.com"),
        ("app.example.com", "https://app.example.com"),
        ("HTTPS://APP.EXAMPLE.COM", "https://app.example.com"),
        ("https://app.example.com:443", "https://app.example.com"),
        ("https://app.example.com\r\n", None),
        ("https://bücher.example", None),
        ("", None),
    ],
)
def test_origin_malformed(origin: str, meant: str | None) -> None:
    result = explain(api_app(origins="*"), origin, "/api/items")
    assert not result.allowed
    assert codes(result)[0] == "ORIGIN_MALFORMED"
    if meant is not None:
        assert f"did you mean '{meant}'" in result.reasons[0].text


def test_null_is_a_well_formed_origin() -> None:
    result = explain(api_app(origins="*"), "null", "/api/items")
    assert "ORIGIN_MALFORMED" not in codes(result)


def test_method_refused() -> None:
    result = explain(api_app(methods=["GET", "POST"]), APP, "/api/items", method="PUT")
    assert not result.allowed
    assert result.preflight
    assert codes(result) == ["METHOD_REFUSED"]
    assert "methods=['GET', 'POST']" in result.reasons[0].text
    assert result.headers["actual"] is None  # the browser never sends it
    assert "not sent (the preflight failed)" in str(result)


def test_a_lower_case_method_that_fetch_does_not_normalise_is_refused() -> None:
    result = explain(api_app(), APP, "/api/items", method="patch")
    assert result.method == "patch"
    assert codes(result) == ["METHOD_REFUSED"]
    assert "upper case" in result.reasons[0].text
    # fetch() upper-cases put, so that one passes.
    assert explain(api_app(), APP, "/api/items", method="put").allowed


def test_header_refused() -> None:
    app = api_app(allow_headers=["Content-Type"])
    result = explain(app, APP, "/api/items", request_headers={"X-Token": "1"})
    assert not result.allowed
    assert codes(result) == ["HEADER_REFUSED"]
    assert "'x-token'" in result.reasons[0].text
    assert "allow_headers=['Content-Type']" in result.reasons[0].text
    allowed = explain(app, APP, "/api/items", request_headers={"Content-Type": "application/json"})
    assert allowed.allowed and allowed.preflight


def test_headers_bounded() -> None:
    names = [f"X-Header-{i:02d}" for i in range(70)]
    result = explain(api_app(), APP, "/api/items", request_headers=names)
    assert not result.allowed
    assert codes(result) == ["HEADERS_BOUNDED"]
    assert "64" in result.reasons[0].text


def test_credentials_not_allowed() -> None:
    result = explain(api_app(), APP, "/api/items", credentials=True)
    assert not result.allowed
    assert codes(result) == ["CREDENTIALS_NOT_ALLOWED"]
    assert "supports_credentials=False" in result.reasons[0].text
    assert explain(api_app(supports_credentials=True), APP, "/api/items", credentials=True).allowed


def test_wildcard_with_credentials() -> None:
    app = Flask(__name__)
    CORS(app, send_wildcard=True)

    @app.get("/")
    def index() -> str:
        return ""

    assert explain(app, APP, "/").allowed
    result = explain(app, APP, "/", credentials=True)
    assert not result.allowed
    assert codes(result) == ["WILDCARD_WITH_CREDENTIALS", "CREDENTIALS_NOT_ALLOWED"]
    assert "send_wildcard=True" in result.reasons[0].text


def test_preflight_status_from_a_before_request_hook() -> None:
    app = api_app()

    @app.before_request
    def require_login() -> None:
        if "Authorization" not in request.headers:
            abort(401)

    result = explain(app, APP, "/api/items", method="PUT")
    assert not result.allowed
    assert codes(result) == ["PREFLIGHT_STATUS"]
    preflight = result.headers["preflight"]
    assert preflight is not None and preflight.status == 401
    assert "401" in result.reasons[0].text and "OPTIONS" in result.reasons[0].text


def test_preflight_status_405_without_automatic_options() -> None:
    app = Flask(__name__)
    CORS(app)

    @app.route("/put", methods=["PUT"], provide_automatic_options=False)
    def put() -> str:
        return ""

    result = explain(app, APP, "/put", method="PUT")
    assert "PREFLIGHT_STATUS" in codes(result)
    assert "405" in next(r.text for r in result.reasons if r.code == "PREFLIGHT_STATUS")


def test_preflight_redirect_from_strict_slashes() -> None:
    result = explain(api_app(), APP, "/api/slash", method="PUT")
    assert not result.allowed
    assert codes(result)[0] == "PREFLIGHT_REDIRECT"
    assert "308" in result.reasons[0].text and "trailing slash" in result.reasons[0].text
    assert explain(api_app(), APP, "/api/slash/", method="PUT").allowed


def test_origin_set_by_view_is_informational_when_it_allows() -> None:
    app = Flask(__name__)
    CORS(app, origins=[APP])

    @app.get("/own")
    def own() -> Any:
        return "", 200, {"Access-Control-Allow-Origin": request.headers.get("Origin", "")}

    @app.get("/other-origin")
    def other_origin() -> Any:
        return "", 200, {"Access-Control-Allow-Origin": "https://someone.else"}

    allowed = explain(app, EVIL, "/own", run_view=True)
    assert allowed.allowed
    assert codes(allowed) == ["ORIGIN_SET_BY_VIEW"]
    assert allowed.reasons[0].informational
    refused = explain(app, APP, "/other-origin", run_view=True)
    assert not refused.allowed
    assert codes(refused) == ["ORIGIN_REFUSED", "ORIGIN_SET_BY_VIEW"]
    assert not refused.reasons[1].informational


def test_origin_set_by_a_view_answering_the_preflight() -> None:
    app = Flask(__name__)

    @app.route("/manual", methods=["PUT", "OPTIONS"])
    def manual() -> Any:
        headers = {
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": "*",
            "Access-Control-Allow-Headers": "*",
        }
        return "", 204, headers

    @app.route("/echo", methods=["PUT", "OPTIONS"])
    def echo() -> Any:
        headers = {
            "Access-Control-Allow-Origin": request.headers.get("Origin", ""),
            "Access-Control-Allow-Credentials": "true",
            "Access-Control-Allow-Methods": "*",
            "Access-Control-Allow-Headers": "*",
        }
        return "", 204, headers

    result = explain(app, APP, "/manual", method="PUT", request_headers=["X-Token: 1"])
    assert "ORIGIN_SET_BY_VIEW" in codes(result)
    # '*' covers the method and the header, but never Authorization, nor anything with credentials.
    result = explain(app, APP, "/manual", method="PUT", request_headers=["Authorization: x"])
    assert "HEADER_REFUSED" in codes(result)
    assert "Authorization is never covered by '*'" in str(result)
    result = explain(app, APP, "/manual", method="PUT", credentials=True)
    assert codes(result) == [
        "ORIGIN_SET_BY_VIEW",
        "WILDCARD_WITH_CREDENTIALS",
        "CREDENTIALS_NOT_ALLOWED",
    ]

    result = explain(app, APP, "/echo", method="PUT", request_headers=["X-A"], credentials=True)
    assert codes(result) == ["ORIGIN_SET_BY_VIEW", "METHOD_REFUSED", "HEADER_REFUSED"]
    assert "'*' does not count for a request with credentials" in result.reasons[1].text


def test_every_documented_code_is_exercised_above() -> None:
    here = Path(__file__)
    # (the edge's code is exercised with the edge's apps, in test_explain_edge.py)
    source = here.read_text(encoding="utf-8") + here.with_name("test_explain_edge.py").read_text(
        encoding="utf-8"
    )
    for code in REASONS:
        assert f'"{code}"' in source, code
    assert INFORMATIONAL == {"ORIGIN_SET_BY_VIEW", "PREFLIGHT_AT_EDGE"}


def test_reasons_come_in_the_documented_order() -> None:
    result = explain(api_app(), "https://app.example.com/", "/api/slash", method="PUT")
    order = list(REASONS)
    listed = [order.index(code) for code in codes(result)]
    assert listed == sorted(listed) and len(listed) >= 2


# --- what decided -----------------------------------------------------------------------------


def test_policy_records_each_option_with_its_source() -> None:
    app = Flask(__name__)
    app.config["CORS_MAX_AGE"] = 600
    CORS(app, resources={r"/api/*": {"origins": [APP]}}, expose_headers=["X-Total"])

    @app.get("/api/items")
    def items() -> str:
        return ""

    policy = explain(app, APP, "/api/items").policy
    assert policy is not None
    assert (policy.kind, policy.registration, policy.resource) == ("CORS", 0, "/api/*")
    assert policy.options["origins"] == ([APP], "resources['/api/*']")
    assert policy.options["expose_headers"] == (["X-Total"], "keyword arguments")
    assert policy.options["max_age"] == (600, "app.config['CORS_MAX_AGE']")
    assert policy.options["supports_credentials"] == (False, "default")
    assert policy.options["debug_refusals"] == (False, "default")


def test_the_registration_that_answers_among_several() -> None:
    app = Flask(__name__)
    CORS(app, origins=["https://first.example"])
    CORS(app, origins=["https://second.example"])

    @app.get("/")
    def index() -> str:
        return ""

    # Flask runs the last registered first; the first one is the fallback.
    first = explain(app, "https://first.example", "/")
    second = explain(app, "https://second.example", "/")
    assert first.allowed and second.allowed
    assert first.policy is not None and first.policy.registration == 0
    assert second.policy is not None and second.policy.registration == 1
    refused = explain(app, EVIL, "/")
    assert refused.policy is not None and refused.policy.registration == 1


def test_a_blueprint_registration_is_named() -> None:
    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    bp = Blueprint("partners", __name__, url_prefix="/partners")
    CORS(bp, origins=["https://partner.example"])

    @bp.get("/feed")
    def feed() -> str:
        return ""

    app.register_blueprint(bp)
    result = explain(app, "https://partner.example", "/partners/feed", credentials=True)
    assert result.allowed, str(result)
    assert result.policy is not None
    assert (result.policy.kind, result.policy.blueprint) == ("CORS(blueprint)", "partners")
    assert result.policy.options["supports_credentials"] == (
        True,
        "app.config['CORS_SUPPORTS_CREDENTIALS']",
    )


def test_a_decorated_view_is_named_by_its_endpoint() -> None:
    app = Flask(__name__)
    CORS(app, origins=["https://elsewhere.example"])

    @app.route("/deco", methods=["GET", "PUT"])
    @cross_origin(origins=[APP], methods=["GET", "PUT"])
    def deco() -> str:
        return ""

    result = explain(app, APP, "/deco", method="PUT")
    assert result.allowed, str(result)
    assert result.policy is not None
    assert (result.policy.kind, result.policy.endpoint) == ("cross_origin", "deco")
    assert result.policy.options["origins"] == ([APP], "cross_origin() keyword arguments")
    # The decorator decides even when it refuses.
    refused = explain(app, "https://elsewhere.example", "/deco")
    assert codes(refused) == ["ORIGIN_REFUSED"]
    assert "cross_origin on view 'deco'" in refused.reasons[0].text


# --- Fetch's side ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "unsafe"),
    [
        ([("Content-Type", "text/plain;charset=utf-8")], []),
        ([("Content-Type", "application/json")], ["content-type"]),
        ([("Content-Type", "")], ["content-type"]),
        ([("Accept", "application/json")], []),
        ([("Accept", "a(b)")], ["accept"]),
        ([("Accept-Language", "en-US,en;q=0.9")], []),
        ([("Accept-Language", "en_US")], ["accept-language"]),
        ([("Range", "bytes=0-99")], []),
        ([("Range", "bytes=9-1")], ["range"]),
        ([("Accept", "x" * 129)], ["accept"]),
        (
            [("Accept", "x" * 128), *[("Accept-Language", "y" * 128)] * 8],
            ["accept", "accept-language"],
        ),
        ([("X-B", ""), ("x-a", ""), ("X-A", "")], ["x-a", "x-b"]),
    ],
)
def test_unsafe_header_names(headers: list[tuple[str, str]], unsafe: list[str]) -> None:
    assert unsafe_header_names(headers) == unsafe


def test_headers_a_page_cannot_set_are_ignored() -> None:
    result = explain(
        api_app(), APP, "/api/items", request_headers=["Cookie: a=b", "Origin: x", "Sec-Foo: 1"]
    )
    assert result.allowed and not result.preflight
    assert result.ignored_headers == ("Cookie", "Origin", "Sec-Foo")
    assert "ignored (a page cannot set them)" in str(result)


def test_a_whole_url_is_read_as_its_path() -> None:
    result = explain(api_app(), APP, "https://api.example.com/api/items?page=2")
    assert result.allowed and result.rule == "/api/items"


def test_a_safelisted_request_is_not_preflighted() -> None:
    result = explain(
        api_app(),
        APP,
        "/api/items",
        method="POST",
        request_headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert result.allowed and not result.preflight


# --- output -----------------------------------------------------------------------------------


def test_to_dict_shape() -> None:
    result = explain(api_app(), APP, "/api/items", method="PUT", request_headers=["X-Token: 1"])
    data = json.loads(json.dumps(result.to_dict()))
    assert set(data) == {"allowed", "preflight", "request", "route", "policy", "reasons", "headers"}
    assert data["request"] == {
        "origin": APP,
        "path": "/api/items",
        "method": "PUT",
        "headers": [["X-Token", "1"]],
        "credentials": False,
        "run_view": False,
        "ignored_headers": [],
    }
    assert data["route"] == {"rule": "/api/items", "endpoint": "items", "status": None}
    policy = data["policy"]
    assert set(policy) == {"kind", "registration", "blueprint", "endpoint", "resource", "options"}
    assert policy["options"]["origins"] == {"value": [APP], "source": "resources['/api/*']"}
    assert set(data["headers"]) == {"preflight", "actual"}
    preflight = data["headers"]["preflight"]
    assert set(preflight) == {"source", "status", "lines", "location", "error"}
    assert preflight["source"] == "sent" and preflight["status"] == 200
    assert all(isinstance(line, list) and len(line) == 2 for line in preflight["lines"])
    assert data["headers"]["actual"]["source"] == "predicted"

    refused = explain(api_app(), EVIL, "/api/items").to_dict()
    assert refused["reasons"] == [
        {
            "code": "ORIGIN_REFUSED",
            "stage": "actual",
            "text": refused["reasons"][0]["text"],
            "informational": False,
        }
    ]


def test_option_values_become_json() -> None:
    app = Flask(__name__)
    CORS(
        app,
        origins=[re.compile(r"https://[a-z]+\.example\.com")],
        max_age=__import__("datetime").timedelta(minutes=5),
    )

    @app.get("/")
    def index() -> str:
        return ""

    options = explain(app, "https://a.example.com", "/").to_dict()["policy"]["options"]
    assert options["max_age"]["value"] == 300.0
    assert options["origins"]["value"] == [repr(re.compile(r"https://[a-z]+\.example\.com"))]


def test_escape() -> None:
    assert escape("plain text") == "plain text"
    assert escape("a\r\nb\x00\x7f\\") == "a\\x0d\\x0ab\\x00\\x7f\\\\"
    assert escape("é\u202e\U0001f600") == "\\xe9\\u202e\\U0001f600"


HOSTILE = [
    "https://app.example.com\r\nSet-Cookie: a=b",
    "\x00\x01\x1b[31m",
    "https://bücher.example",
    "https://\u202eevil.example",
    "\ud800",
    "x" * 9000,
]


def _assert_safe(result: Explanation) -> None:
    text = str(result)
    dumped = json.dumps(result.to_dict(), ensure_ascii=False)
    for output in (text, dumped):
        assert re.search(r"[\x00-\x08\x0b-\x1f\x7f]", output) is None
        assert all(ord(char) < 0x80 for char in output)
    for line in text.splitlines():
        assert len(line) < 2000


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_never_raise_and_are_escaped(value: str) -> None:
    app = api_app(origins="*")
    for result in (
        explain(app, value, "/api/items"),
        explain(app, APP, value, method="PUT"),
        explain(app, APP, "/api/items", method=value),
        explain(app, APP, "/api/items", request_headers=[(value, value)], run_view=True),
        explain(app, value, "/api/" + value, request_headers={"X-A": value}, credentials=True),
    ):
        _assert_safe(result)


def test_an_8kb_header_list_never_raises() -> None:
    names = [f"X-Custom-Header-Number-{i:04d}" for i in range(300)]
    result = explain(api_app(origins="*"), APP, "/api/items", request_headers=names)
    assert codes(result) == ["HEADERS_BOUNDED"]
    _assert_safe(result)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    origin=st.text(max_size=40),
    path=st.text(max_size=30),
    method=st.text(max_size=10),
    header=st.tuples(st.text(max_size=20), st.text(max_size=20)),
    credentials=st.booleans(),
)
def test_any_values_never_raise(
    origin: str, path: str, method: str, header: tuple[str, str], credentials: bool
) -> None:
    app = api_app(origins="*")
    result = explain(
        app, origin, path, method=method, request_headers=[header], credentials=credentials
    )
    _assert_safe(result)


def test_wrong_types_raise_type_error() -> None:
    with pytest.raises(TypeError):
        explain(api_app(), None, "/")  # type: ignore[arg-type]


def test_a_view_that_raises_is_reported_not_raised() -> None:
    app = Flask(__name__)
    app.testing = True  # the test client re-raises the view's exception
    CORS(app)

    @app.route("/boom", methods=["PUT", "OPTIONS"])
    def boom() -> str:
        raise RuntimeError("boom\r\n")

    result = explain(app, APP, "/boom", method="PUT")
    assert "PREFLIGHT_STATUS" in codes(result)
    assert "boom\\x0d\\x0a" in str(result)
    _assert_safe(result)


# --- debug_refusals ---------------------------------------------------------------------------


def refusal(response: Any) -> str | None:
    return response.headers.get("X-CORS-Refusal")  # type: ignore[no-any-return]


def preflight(client: Any, path: str, origin: str, method: str, headers: str | None = None) -> Any:
    sent = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        sent["Access-Control-Request-Headers"] = headers
    return client.options(path, headers=sent)


def test_debug_refusals_names_the_reason() -> None:
    app = api_app(debug=True, debug_refusals=True, methods=["GET", "POST"], allow_headers=["X-Ok"])

    @app.before_request
    def refuse_delete() -> Any:
        if request.headers.get("Access-Control-Request-Method") == "POST":
            return "no", 403
        return None

    client = app.test_client()
    assert refusal(client.get("/api/items", headers={"Origin": APP})) is None
    assert refusal(client.get("/api/items")) is None  # not a CORS request
    assert refusal(client.get("/api/items", headers={"Origin": EVIL})) == "ORIGIN_REFUSED"
    assert refusal(preflight(client, "/api/items", EVIL, "GET")) == "ORIGIN_REFUSED"
    assert refusal(preflight(client, "/api/items", APP, "PUT")) == "METHOD_REFUSED"
    assert refusal(preflight(client, "/api/items", APP, "GET", "x-ok,x-no")) == "HEADER_REFUSED"
    assert refusal(preflight(client, "/api/items", APP, "GET", "x-ok")) is None
    bounded = ",".join(f"x-{i}" for i in range(70))
    assert refusal(preflight(client, "/api/items", APP, "GET", bounded)) == "HEADERS_BOUNDED"
    assert refusal(preflight(client, "/api/items", APP, "POST")) == "PREFLIGHT_STATUS"
    assert refusal(preflight(client, "/api/slash", APP, "PUT")) == (
        "PREFLIGHT_REDIRECT, METHOD_REFUSED"
    )
    assert refusal(client.get("/other", headers={"Origin": EVIL})) is None  # no policy here


def test_debug_refusals_never_carries_request_input() -> None:
    app = api_app(debug=True, debug_refusals=True)
    client = app.test_client()
    response = preflight(client, "/api/items", "https://evil.example", "GET", "x-evil-name")
    value = refusal(response)
    assert value is not None
    assert set(value.split(", ")) <= set(REASONS)


def test_debug_refusals_is_off_by_default_and_leaves_the_engine_hook_alone() -> None:
    app = api_app()
    response = app.test_client().get("/api/items", headers={"Origin": EVIL})
    assert refusal(response) is None
    record = app.extensions["fastcors"].records[0]
    assert record.apply is selector.apply


@pytest.mark.parametrize("where", ["kwargs", "config", "resource", "decorator", "blueprint"])
def test_debug_refusals_is_accepted_everywhere(where: str) -> None:
    app = Flask(__name__)
    app.debug = True
    if where == "config":
        app.config["CORS_DEBUG_REFUSALS"] = True
    options: dict[str, Any] = {"origins": [APP]}
    if where == "kwargs":
        options["debug_refusals"] = True
    if where == "resource":
        options = {"resources": {"/*": {"origins": [APP], "debug_refusals": True}}}
    if where == "decorator":

        @app.get("/")
        @cross_origin(origins=[APP], debug_refusals=True)
        def decorated() -> str:
            return ""

    elif where == "blueprint":
        bp = Blueprint("bp", __name__)
        CORS(bp, origins=[APP], debug_refusals=True)

        @bp.get("/")
        def in_blueprint() -> str:
            return ""

        app.register_blueprint(bp)
    else:
        CORS(app, **options)

        @app.get("/")
        def plain() -> str:
            return ""

    client = app.test_client()
    assert refusal(client.get("/", headers={"Origin": EVIL})) == "ORIGIN_REFUSED"
    assert refusal(client.get("/", headers={"Origin": APP})) is None


def test_debug_refusals_warns_outside_debug_mode() -> None:
    app = Flask(__name__)
    with pytest.warns(CORSConfigWarning, match=r"debug_refusals=True .*not in debug mode"):
        CORS(app, debug_refusals=True)
    debug_app = Flask(__name__)
    debug_app.debug = True
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CORS(debug_app, debug_refusals=True)
    config_app = Flask(__name__)
    config_app.config["CORS_DEBUG_REFUSALS"] = True
    with pytest.warns(CORSConfigWarning, match=r"app.config\['CORS_DEBUG_REFUSALS'\]"):
        CORS(config_app)
    strict_app = Flask(__name__)
    with pytest.raises(ValueError, match="debug_refusals"):
        CORS(strict_app, debug_refusals=True, strict=True)


def test_debug_refusals_warns_for_a_decorated_view_outside_debug_mode() -> None:
    app = Flask(__name__)

    @app.get("/")
    @cross_origin(debug_refusals=True)
    def index() -> str:
        return ""

    with pytest.warns(CORSConfigWarning, match="debug_refusals"):
        app.test_client().get("/", headers={"Origin": APP})


def test_a_fallback_registration_that_allows_clears_the_refusal() -> None:
    app = Flask(__name__)
    app.debug = True
    CORS(app, origins=["https://first.example"], debug_refusals=True)
    CORS(app, origins=["https://second.example"], debug_refusals=True)

    @app.get("/")
    def index() -> str:
        return ""

    client = app.test_client()
    response = client.get("/", headers={"Origin": "https://first.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://first.example"
    assert refusal(response) is None
    assert refusal(client.get("/", headers={"Origin": EVIL})) == "ORIGIN_REFUSED"


def test_explain_shows_the_refusal_header_of_a_sent_preflight() -> None:
    app = api_app(debug=True, debug_refusals=True, methods=["GET"])
    result = explain(app, APP, "/api/items", method="PUT")
    preflight_lines = result.headers["preflight"]
    assert preflight_lines is not None
    assert ("X-CORS-Refusal", "METHOD_REFUSED") in preflight_lines.lines
