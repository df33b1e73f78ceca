"""fastcors.explain and ``flask cors`` on apps with the edge (``CORS(app, edge=...)``).

Each app is built three ways: without the edge (the contrast), with ``edge="preflight"`` and with
``edge="all"``. What explain says (the policy that decides, the reason codes, whether a browser
may read the response) must not depend on the mode except where the edge changes what the app
sends (it answers preflights before a before_request hook or a 405 can), and the lines it
predicts must be the lines the app sends: those of a real request through the test client.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Blueprint, Flask, abort, request

from fastcors import CORS, Explanation, cross_origin, explain
from fastcors._flask import app_state
from fastcors.cli import cors
from fastcors.explain import INFORMATIONAL, REASONS

APP = "https://app.example.com"
FIRST = "https://first.example"
SECOND = "https://second.example"
THIRD = "https://third.example"
PARTNER = "https://partner.example"
EVIL = "https://evil.example"

EDGES: list[Any] = [False, "preflight", "all"]
EDGE_MODES = ["preflight", "all"]


class NoAutomaticOptions(Flask):
    """What ``PROVIDE_AUTOMATIC_OPTIONS = False`` does on Flask >= 3.1, for older Flask: no rule
    gets Flask's automatic OPTIONS answer unless its view asks for one."""

    def add_url_rule(  # type: ignore[override]
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: Any = None,
        provide_automatic_options: bool | None = None,
        **options: Any,
    ) -> None:
        if provide_automatic_options is None:
            provide_automatic_options = getattr(view_func, "provide_automatic_options", False)
        super().add_url_rule(rule, endpoint, view_func, provide_automatic_options, **options)


def build(edge: Any, status: int = 204, *, login: bool = False, automatic: bool = True) -> Flask:
    """An app with two CORS objects on it, a blueprint with a nested one (each with its own
    CORS(blueprint)), cross_origin views of each kind and a view no policy covers."""
    app = Flask(__name__)
    if not automatic:
        if "PROVIDE_AUTOMATIC_OPTIONS" in app.config:  # Flask >= 3.1
            app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
        else:  # older Flask: the same effect, route by route
            app = NoAutomaticOptions(__name__)
    edge_options = {"edge": edge, "preflight_status": status} if edge else {}
    CORS(
        app,
        resources={
            r"/api/*": {"origins": [APP], "methods": ["GET", "POST", "PUT"]},
            r"/multi/*": {"origins": [FIRST]},
        },
        supports_credentials=True,
        expose_headers=["X-Total"],
        **edge_options,
    )
    second = CORS(resources={r"/multi/*": {"origins": [SECOND, THIRD], "max_age": 60}})
    second.init_app(app)

    partners = Blueprint("partners", __name__, url_prefix="/partners")
    CORS(partners, origins=[PARTNER, APP], allow_headers=["X-Partner"])
    child = Blueprint("child", __name__, url_prefix="/child")
    CORS(child, origins=[APP])

    @partners.route("/feed", methods=["GET", "PUT"])
    def feed() -> str:
        return "feed"

    @child.route("/x", methods=["GET", "PUT"])
    def nested() -> str:
        return "nested"

    partners.register_blueprint(child)
    app.register_blueprint(partners)

    @app.route("/api/items", methods=["GET", "POST", "PUT"])
    def items() -> Any:
        return {"items": []}

    @app.route("/api/slash/", methods=["GET", "PUT"])
    def slash() -> str:
        return "slash"

    @app.route("/multi/x", methods=["GET", "PUT"])
    def multi() -> str:
        return "multi"

    @app.route("/deco", methods=["GET", "PUT"])
    @cross_origin(origins=[APP], methods=["GET", "PUT"])
    def deco() -> str:
        return "deco"

    @app.route("/deco-manual", methods=["GET", "PUT", "OPTIONS"])
    @cross_origin(origins=[FIRST], automatic_options=False)
    def deco_manual() -> str:
        return "manual"

    @app.route("/deco-auto", methods=["GET", "PUT"])
    @cross_origin(origins=[SECOND], automatic_options=False)
    def deco_auto() -> str:
        return "auto"

    @app.route("/other", methods=["GET", "PUT"])
    def other() -> str:
        return "other"

    if login:

        @app.before_request
        def require_login() -> None:
            if "Authorization" not in request.headers:
                abort(401)

    return app


@dataclass(frozen=True)
class Case:
    origin: str
    path: str
    method: str = "GET"
    headers: tuple[str, ...] = ()
    credentials: bool = False
    #: (kind, registration, blueprint, endpoint) of the policy, or None
    policy: tuple[Any, ...] | None = None
    allowed: bool = True
    #: the reason codes, PREFLIGHT_AT_EDGE left out
    codes: tuple[str, ...] = ()
    #: whether the edge answers the preflight (when there is an edge)
    at_edge: bool = False


CASES = [
    Case(APP, "/api/items", policy=("CORS", 0, None, None)),
    Case(APP, "/api/items", credentials=True, policy=("CORS", 0, None, None)),
    Case(APP, "/api/items", "PUT", ("X-Token: 1",), policy=("CORS", 0, None, None), at_edge=True),
    Case(
        EVIL,
        "/api/items",
        "PUT",
        policy=("CORS", 0, None, None),
        allowed=False,
        codes=("ORIGIN_REFUSED",),
        at_edge=True,
    ),
    Case(FIRST, "/multi/x", policy=("CORS", 0, None, None)),
    Case(SECOND, "/multi/x", "PUT", policy=("CORS", 1, None, None), at_edge=True),
    Case(
        EVIL, "/multi/x", policy=("CORS", 1, None, None), allowed=False, codes=("ORIGIN_REFUSED",)
    ),
    Case(
        PARTNER,
        "/partners/feed",
        "PUT",
        ("X-Partner: 1",),
        policy=("CORS(blueprint)", None, "partners", None),
        at_edge=True,
    ),
    Case(
        PARTNER,
        "/partners/feed",
        "PUT",
        ("X-Other: 1",),
        policy=("CORS(blueprint)", None, "partners", None),
        allowed=False,
        codes=("HEADER_REFUSED",),
        at_edge=True,
    ),
    Case(
        PARTNER,
        "/partners/feed",
        credentials=True,
        policy=("CORS(blueprint)", None, "partners", None),
        allowed=False,
        codes=("CREDENTIALS_NOT_ALLOWED",),
    ),
    Case(
        APP,
        "/partners/child/x",
        "PUT",
        policy=("CORS(blueprint)", None, "partners.child", None),
        at_edge=True,
    ),
    Case(PARTNER, "/partners/child/x", policy=("CORS(blueprint)", None, "partners", None)),
    Case(APP, "/deco", "PUT", policy=("cross_origin", None, None, "deco"), at_edge=True),
    Case(
        EVIL,
        "/deco",
        policy=("cross_origin", None, None, "deco"),
        allowed=False,
        codes=("ORIGIN_REFUSED",),
    ),
    Case(
        FIRST,
        "/deco-manual",
        "PUT",
        policy=("cross_origin", None, None, "deco_manual"),
        at_edge=True,
    ),
    Case(SECOND, "/deco-auto", policy=("cross_origin", None, None, "deco_auto")),
    # Flask answers this preflight itself (automatic OPTIONS, which the view never sees).
    Case(
        SECOND,
        "/deco-auto",
        "PUT",
        policy=("cross_origin", None, None, "deco_auto"),
        allowed=False,
        codes=("NO_POLICY",),
    ),
    Case(APP, "/other", allowed=False, codes=("NO_POLICY",)),
    Case(APP, "/other", "PUT", allowed=False, codes=("NO_POLICY",)),
]


def run(app: Flask, case: Case, *, run_view: bool = False) -> Explanation:
    return explain(
        app,
        case.origin,
        case.path,
        method=case.method,
        request_headers=case.headers,
        credentials=case.credentials,
        run_view=run_view,
    )


def policy_of(result: Explanation) -> tuple[Any, ...] | None:
    policy = result.policy
    if policy is None:
        return None
    return (policy.kind, policy.registration, policy.blueprint, policy.endpoint)


def answered_at_edge(app: Flask, case: Case) -> bool:
    """Whether the app's preflight answer is the edge's: Flask's own answers (its automatic
    OPTIONS, a view, an error) carry Allow or Content-Type, the edge's neither."""
    headers = {"Origin": case.origin, "Access-Control-Request-Method": case.method}
    response = app.test_client().options(case.path, headers=headers)
    return "Allow" not in response.headers and "Content-Type" not in response.headers


def without_edge_code(result: Explanation) -> tuple[str, ...]:
    return tuple(code for code in result.codes if code != "PREFLIGHT_AT_EDGE")


def case_id(case: Case) -> str:
    return f"{case.method}-{case.path}-{case.origin.split('//')[1]}{'-cred' if case.credentials else ''}"


# --- the policy, the codes and the lines agree with the app -------------------------------------


@pytest.mark.parametrize("edge", EDGES)
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_explain_agrees_with_what_the_app_sends(edge: Any, case: Case) -> None:
    app = build(edge)
    predicted = run(app, case)
    sent = run(app, case, run_view=True)
    assert policy_of(predicted) == case.policy, str(predicted)
    assert predicted.allowed is case.allowed, str(predicted)
    assert without_edge_code(predicted) == case.codes, str(predicted)
    # The actual response's predicted lines are the lines the app sends (its view runs).
    assert predicted.codes == sent.codes and predicted.allowed is sent.allowed, str(sent)
    assert (predicted.headers["actual"] is None) == (sent.headers["actual"] is None)
    if sent.headers["actual"] is not None:
        assert predicted.headers["actual"] is not None
        assert predicted.headers["actual"].source == "predicted"
        assert sent.headers["actual"].source == "sent"
        assert predicted.headers["actual"].lines == sent.headers["actual"].lines
    # The edge answers the preflights a policy covers, and explain says so.
    preflight = predicted.headers["preflight"]
    at_edge = bool(edge) and case.at_edge
    assert ("PREFLIGHT_AT_EDGE" in predicted.codes) is at_edge
    if preflight is not None:
        assert answered_at_edge(app, case) is at_edge
        assert preflight.status == (204 if at_edge else 200)
    assert "ORIGIN_SET_BY_VIEW" not in predicted.codes


@pytest.mark.parametrize("edge", EDGES)
def test_the_last_registered_cors_object_answers_first(edge: Any) -> None:
    app = build(edge)
    # FIRST's registration answers FIRST, after the second one (run first) refused it and added
    # its Vary line, and the lines are those the app sends.
    result = explain(app, FIRST, "/multi/x", run_view=True)
    actual = result.headers["actual"]
    assert actual is not None
    assert actual.lines == (
        ("Vary", "Origin"),
        ("Access-Control-Allow-Origin", FIRST),
        ("Access-Control-Expose-Headers", "X-Total"),
        ("Access-Control-Allow-Credentials", "true"),
    )
    predicted = explain(app, FIRST, "/multi/x").headers["actual"]
    assert predicted == dataclasses.replace(actual, source="predicted", status=None)
    result = explain(app, SECOND, "/multi/x", method="PUT")
    preflight = result.headers["preflight"]
    assert preflight is not None and ("Access-Control-Max-Age", "60") in preflight.lines
    assert result.policy is not None and result.policy.options["max_age"] == (
        60,
        "resources['/multi/*']",
    )


@pytest.mark.parametrize("edge", EDGE_MODES)
@pytest.mark.parametrize("status", [200, 204])
def test_preflight_at_edge_names_the_mode_and_the_status(edge: str, status: int) -> None:
    app = build(edge, status)
    result = explain(app, APP, "/api/items", method="PUT")
    assert result.allowed, str(result)
    assert result.codes == ("PREFLIGHT_AT_EDGE",)
    reason = result.reasons[0]
    assert (reason.stage, reason.informational) == ("preflight", True)
    assert f"edge={edge!r}" in reason.text and f"with {status}" in reason.text
    assert "CORS #0, resource '/api/*'" in reason.text
    preflight = result.headers["preflight"]
    assert preflight is not None and preflight.status == status
    assert "PREFLIGHT_AT_EDGE (preflight, informational)" in str(result)
    assert result.to_dict()["reasons"][0]["code"] == "PREFLIGHT_AT_EDGE"


def test_preflight_at_edge_is_a_documented_informational_code() -> None:
    assert "PREFLIGHT_AT_EDGE" in REASONS and "PREFLIGHT_AT_EDGE" in INFORMATIONAL
    order = list(REASONS)
    assert order.index("PREFLIGHT_AT_EDGE") < order.index("PREFLIGHT_REDIRECT")


def test_no_edge_means_no_preflight_at_edge() -> None:
    result = explain(build(False), APP, "/api/items", method="PUT")
    assert result.allowed and result.codes == ()


@pytest.mark.parametrize("edge", EDGE_MODES)
def test_a_refused_preflight_at_the_edge_is_still_refused(edge: str) -> None:
    result = explain(build(edge), APP, "/api/items", method="DELETE")
    assert not result.allowed
    assert result.codes == ("PREFLIGHT_AT_EDGE", "METHOD_REFUSED")
    assert not result.reasons[1].informational


def test_explain_leaves_the_apps_edge_alone() -> None:
    app = build("all")
    state = app_state(app)
    before = dict(state.blueprints)
    assert explain(app, PARTNER, "/partners/feed").allowed
    # No request went through the app: its edge has not set the blueprints' hooks aside yet
    # (explain computes the edge's answer without building the app's own table).
    assert state.blueprints == before and None not in state.blueprints.values()
    response = app.test_client().get("/partners/feed", headers={"Origin": PARTNER})
    assert response.headers["Access-Control-Allow-Origin"] == PARTNER


@pytest.mark.parametrize("edge", EDGES)
def test_a_preflight_flask_would_redirect(edge: Any) -> None:
    app = build(edge)
    # Flask redirects /api/slash to /api/slash/ (strict slashes); the edge answers first.
    result = explain(app, APP, "/api/slash", method="PUT")
    preflight = result.headers["preflight"]
    assert preflight is not None
    if edge:
        assert preflight.status == 204 and result.allowed
        assert result.codes == ("PREFLIGHT_AT_EDGE",)
        sent = explain(app, APP, "/api/slash", method="PUT", run_view=True)
        assert sent.allowed and sent.route_status == 308
        actual = sent.headers["actual"]
        assert actual is not None and actual.status == 308
        assert result.headers["actual"] is not None
        assert result.headers["actual"].lines == actual.lines
    else:
        assert preflight.status == 308 and not result.allowed
        assert result.codes == ("PREFLIGHT_REDIRECT",)


# --- before_request hooks and PROVIDE_AUTOMATIC_OPTIONS -----------------------------------------


LOGIN_PATHS = [
    (APP, "/api/items"),
    (SECOND, "/multi/x"),
    (PARTNER, "/partners/feed"),
    (APP, "/partners/child/x"),
    (APP, "/deco"),
    (FIRST, "/deco-manual"),
]


@pytest.mark.parametrize("edge", EDGES)
@pytest.mark.parametrize(("origin", "path"), LOGIN_PATHS)
def test_an_authentication_hook_refuses_preflights_the_edge_answers(
    edge: Any, origin: str, path: str
) -> None:
    app = build(edge, login=True)
    result = explain(app, origin, path, method="PUT")
    preflight = result.headers["preflight"]
    assert preflight is not None
    if not edge:
        assert not result.allowed
        assert "PREFLIGHT_STATUS" in result.codes and preflight.status == 401
        return
    # The edge answers before the hook runs: the preflight passes.
    assert preflight.status == 204
    assert result.codes == ("PREFLIGHT_AT_EDGE",) and result.allowed, str(result)
    preflight_reasons = [r for r in result.reasons if r.stage == "preflight"]
    assert all(reason.informational for reason in preflight_reasons)
    # The actual request meets the hook (401): the lines on it are the ones explain shows.
    sent = explain(app, origin, path, method="PUT", run_view=True)
    actual = sent.headers["actual"]
    assert actual is not None and actual.status == 401
    direct = app.test_client().put(path, headers={"Origin": origin})
    assert direct.status_code == 401
    assert actual.lines == tuple(
        (name, value)
        for name, value in direct.headers.items()
        if name.lower().startswith("access-control-") or name.lower() == "vary"
    )


@pytest.mark.parametrize("edge", EDGES)
def test_provide_automatic_options_false(edge: Any) -> None:
    app = build(edge, automatic=False)
    result = explain(app, APP, "/api/items", method="PUT")
    preflight = result.headers["preflight"]
    assert preflight is not None
    if edge:
        # The edge answers before Flask's 405.
        assert preflight.status == 204 and result.allowed
        assert result.codes == ("PREFLIGHT_AT_EDGE",)
    else:
        assert preflight.status == 405 and not result.allowed
        assert result.codes == ("PREFLIGHT_STATUS",)
    # A route only CORS(blueprint) covers: Flask's 405 has no blueprint, so neither the hooks nor
    # the edge apply the blueprint's policy, and explain says what the app does.
    result = explain(app, PARTNER, "/partners/feed", method="PUT")
    preflight = result.headers["preflight"]
    assert preflight is not None and preflight.status == 405
    assert "PREFLIGHT_AT_EDGE" not in result.codes and "PREFLIGHT_STATUS" in result.codes
    # A decorated view routes OPTIONS to itself whatever the config: the edge answers for it.
    result = explain(app, APP, "/deco", method="PUT")
    assert result.allowed, str(result)
    assert ("PREFLIGHT_AT_EDGE" in result.codes) is bool(edge)


# --- flask cors ---------------------------------------------------------------------------------


def invoke(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(cors, list(args))


@pytest.mark.parametrize("edge", EDGES)
@pytest.mark.parametrize("status", [200, 204])
def test_config_shows_the_edge(edge: Any, status: int) -> None:
    app = build(edge, status)
    result = invoke(app, "config", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["edge"] == {"mode": edge, "preflight_status": status if edge else None}
    kinds = {entry["kind"]: entry for entry in data["registrations"]}
    assert data["registrations"][0]["options"]["edge"]["value"] == edge
    # edge and preflight_status belong to the app: a blueprint's or a view's are not listed.
    for kind in ("CORS(blueprint)", "cross_origin"):
        assert "edge" not in kinds[kind]["options"]
        assert "preflight_status" not in kinds[kind]["options"]
    text = invoke(app, "config").output
    first = text.splitlines()[0]
    if edge:
        assert first.startswith(f"Edge: edge={edge!r}, preflight_status={status}:")
        assert ("every other response" in first) is (edge == "all")
    else:
        assert first.startswith("Edge: off")


@pytest.mark.parametrize("edge", EDGES)
def test_routes_note_the_preflights_the_edge_answers(edge: Any) -> None:
    app = build(edge, login=True)
    result = invoke(app, "routes", "--origin", APP, "--method", "PUT", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["rule"]: row for row in json.loads(result.output)["routes"]}
    covered = ["/api/items", "/multi/x", "/partners/feed", "/partners/child/x", "/deco"]
    for rule in covered:
        preflight = rows[rule]["preflight"]
        if edge:
            assert preflight == {
                "status": 204,
                "answered_by": "edge",
                "text": f"the edge (edge={edge!r}, 204, before routing)",
            }, rule
        else:
            assert (preflight["status"], preflight["answered_by"]) == (401, "refused"), rule
    # Preflights no policy covers reach Flask (and its before_request hook) whatever the edge.
    for rule in ("/other", "/deco-auto"):
        assert rows[rule]["preflight"]["answered_by"] == "refused", rule
    assert rows["/api/items"]["allowed"] is bool(edge)
    assert rows["/api/items"]["policy"]["name"] == "CORS #0, resource '/api/*'"
    assert rows["/deco"]["policy"]["name"] == "cross_origin on view 'deco'"
    assert rows["/partners/feed"]["policy"]["name"] == "CORS(blueprint) 'partners', resource '/*'"

    text = invoke(app, "routes").output
    items = next(line for line in text.splitlines() if line.startswith("/api/items "))
    assert ("the edge (" in items) is bool(edge)
    assert "CORS #0, resource '/api/*'" in items


@pytest.mark.parametrize("edge", EDGES)
def test_check_through_the_edge(edge: Any) -> None:
    app = build(edge, login=True)
    result = invoke(app, "check", APP, "/api/items", "-X", "PUT", "-H", "X-Token: 1")
    assert result.exit_code == (0 if edge else 1), result.output
    assert ("PREFLIGHT_AT_EDGE" in result.output) is bool(edge)
    assert ("PREFLIGHT_STATUS" in result.output) is not bool(edge)
    as_json = json.loads(invoke(app, "check", APP, "/api/items", "-X", "PUT", "--json").output)
    codes = [reason["code"] for reason in as_json["reasons"]]
    assert codes == (["PREFLIGHT_AT_EDGE"] if edge else ["PREFLIGHT_STATUS"])
    assert as_json["policy"]["kind"] == "CORS" and as_json["policy"]["registration"] == 0
