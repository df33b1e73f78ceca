"""Tests of the edge contenders' place in the benchmark: their answers are checked (and a wrong
one, or an app without its edge, is caught), they are measured in the same run, and the edge's
figures are computed and reported next to their targets as documented in bench/edge.py."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

import fastcors._edge
from bench import compare, edge, edge_alone, report, scenarios
from bench.contenders import (
    BY_KEY,
    CONTENDERS,
    EDGE_CONTENDERS,
    FASTCORS_EDGE_ALL,
    FASTCORS_EDGE_PREFLIGHT,
)
from bench.scenarios import (
    ACAO,
    APP_ORIGIN,
    BY_ID,
    EVIL_ORIGIN,
    VARY_ORIGIN,
    ExpectationError,
    check,
    check_edge_like_hooks,
    prepare,
)
from bench.wsgi import Reply, call

BARE = BY_KEY["bare"]
FLASK_CORS = BY_KEY["flask-cors"]
CY = BY_KEY["fastcors-cython"]
EDGE_PF = BY_KEY[FASTCORS_EDGE_PREFLIGHT]
EDGE_ALL = BY_KEY[FASTCORS_EDGE_ALL]
ACTUAL = [s for s in scenarios.HEADLINE_SCENARIOS if not s.is_preflight]
PREFLIGHTS = [s for s in scenarios.SCENARIOS if s.is_preflight]


# ---------------------------------------------------------------------------------------------
# The contenders and their answers


def test_edge_contenders_are_in_the_default_run() -> None:
    assert [c.key for c in EDGE_CONTENDERS] == [FASTCORS_EDGE_PREFLIGHT, FASTCORS_EDGE_ALL]
    assert all(c in CONTENDERS for c in EDGE_CONTENDERS)
    assert scenarios.contenders() == CONTENDERS
    for contender in EDGE_CONTENDERS:
        assert contender.engine_module == "fastcors._engine_c"
        assert (
            dataclasses.replace(contender, edge=None, key=CY.key, label=CY.label, short=CY.short)
            == CY
        )


def test_preflight_scenarios_and_scaling_series() -> None:
    assert {s.id for s in scenarios.HEADLINE_SCENARIOS if s.is_preflight} == {
        "preflight",
        "credentials_preflight",
    }
    assert len(ACTUAL) == 8
    for name in (scenarios.PREFLIGHT_LITERAL_ORIGINS, scenarios.PREFLIGHT_RESOURCES):
        assert all(s.is_preflight for s in scenarios.series(name))
    assert [s.size for s in scenarios.series(scenarios.PREFLIGHT_LITERAL_ORIGINS)] == [
        1,
        10,
        100,
        1000,
    ]
    assert [s.size for s in scenarios.series(scenarios.PREFLIGHT_RESOURCES)] == [1, 10, 100]


@pytest.mark.parametrize("contender", EDGE_CONTENDERS, ids=lambda c: c.key)
@pytest.mark.parametrize("scenario", scenarios.SCENARIOS, ids=lambda s: s.id)
def test_edge_contender_answers_like_the_hooks(
    scenario: scenarios.Scenario, contender: Any
) -> None:
    prepared = prepare(scenario, contender)  # checked, and against the app without the edge
    mode, wrapper = fastcors_edge(prepared.app)
    assert mode == contender.edge and prepared.app.wsgi_app is wrapper
    if scenario.is_preflight:
        assert prepared.reply.body == b""
        assert ("Content-Length", "0") in prepared.reply.headers
        assert not any(name in ("Allow", "Content-Type") for name, _ in prepared.reply.headers)


def fastcors_edge(app: Any) -> tuple[Any, Any]:
    state = app.extensions["fastcors"]
    return state.edge, state.edge_wrapper


def test_edge_preflight_check_refuses_flasks_own_options_answer() -> None:
    # Flask's automatic OPTIONS answer with the right CORS lines (what fastcors-cython sends):
    # right for the hook contenders, wrong for an edge contender (the edge did not answer).
    scenario = BY_ID["preflight"]
    flask_answer = prepare(scenario, CY).reply
    check(scenario, CY, flask_answer)
    for contender in EDGE_CONTENDERS:
        with pytest.raises(ExpectationError, match="Flask answered, not the edge"):
            check(scenario, contender, flask_answer)
    # The edge's answer has no Allow line: still right for the hook contenders (CORS lines and
    # status only, as before).
    check(scenario, CY, prepare(scenario, EDGE_PF).reply)


def test_edge_preflight_check_status_length_and_body() -> None:
    scenario = BY_ID["preflight"]
    good = prepare(scenario, EDGE_PF).reply
    cors = [line for line in good.headers if line[0] != "Content-Length"]
    with pytest.raises(ExpectationError, match="Content-Length None"):
        check(scenario, EDGE_PF, Reply(200, cors, b""))
    with pytest.raises(ExpectationError, match="a body of 2 bytes"):
        check(scenario, EDGE_PF, Reply(200, good.headers, b"ok"))
    with pytest.raises(ExpectationError, match="status 204, expected 200"):
        check(scenario, EDGE_PF, Reply(204, cors, b""))
    # With preflight_status=204 the app answers 204 without Content-Length, and that is checked.
    no_content = dataclasses.replace(EDGE_PF, preflight_status=204)
    reply = prepare(scenario, no_content).reply
    assert reply.status == 204 and not any(n == "Content-Length" for n, _ in reply.headers)
    with pytest.raises(ExpectationError, match="status 200, expected 204"):
        check(scenario, no_content, good)


def test_edge_contender_actual_answer_must_equal_the_hooks() -> None:
    scenario = BY_ID["simple_get"]
    hooks = prepare(scenario, CY).reply
    check_edge_like_hooks(scenario, EDGE_ALL, hooks, hooks)
    swapped = Reply(
        hooks.status, [*hooks.headers[:-2], hooks.headers[-1], hooks.headers[-2]], b"ok"
    )
    with pytest.raises(ExpectationError, match="CORS lines"):
        check_edge_like_hooks(scenario, EDGE_ALL, swapped, hooks)
    extra = Reply(hooks.status, [*hooks.headers, ("X-Extra", "1")], hooks.body)
    with pytest.raises(ExpectationError, match="header lines"):
        check_edge_like_hooks(scenario, EDGE_ALL, extra, hooks)
    with pytest.raises(ExpectationError, match="status"):
        check_edge_like_hooks(scenario, EDGE_ALL, dataclasses.replace(hooks, status=201), hooks)
    with pytest.raises(ExpectationError, match="body"):
        check_edge_like_hooks(scenario, EDGE_ALL, dataclasses.replace(hooks, body=b"no"), hooks)
    # On a preflight the edge answers itself: its CORS lines as the hooks', and only
    # Content-Length: 0 besides.
    preflight = BY_ID["preflight"]
    flask_answer = prepare(preflight, CY).reply
    edge_answer = prepare(preflight, EDGE_PF).reply
    check_edge_like_hooks(preflight, EDGE_PF, edge_answer, flask_answer)
    stray = Reply(200, [*edge_answer.headers, ("X-Stray", "1")], b"")
    with pytest.raises(ExpectationError, match="other lines"):
        check_edge_like_hooks(preflight, EDGE_PF, stray, flask_answer)


def test_an_edge_contender_without_its_edge_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    real = scenarios.build_app

    def without_edge(scenario: scenarios.Scenario, contender: Any) -> Any:
        return real(scenario, dataclasses.replace(contender, edge=None))

    monkeypatch.setattr(scenarios, "build_app", without_edge)
    # An actual request: the answer itself is right, only the edge is missing.
    with pytest.raises(ExpectationError, match="the app's edge is None"):
        prepare(BY_ID["simple_get"], EDGE_ALL)


def test_an_edge_answering_wrongly_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = dataclasses.replace(BY_ID["simple_get"], options={"origins": [EVIL_ORIGIN]})
    for contender in EDGE_CONTENDERS:
        with pytest.raises(ExpectationError, match="missing"):
            prepare(wrong, contender)
    # An edge app that changes anything else in the answer differs from the same app without
    # the edge, even with the right CORS lines.
    real = scenarios.build_app

    def changed(scenario: scenarios.Scenario, contender: Any) -> Any:
        app = real(scenario, contender)
        if contender.edge == "all":

            @app.after_request
            def extra(response: Any) -> Any:
                response.headers.add("X-Not-Without-The-Edge", "1")
                return response

        return app

    monkeypatch.setattr(scenarios, "build_app", changed)
    with pytest.raises(ExpectationError, match="unlike the same app without the edge"):
        prepare(BY_ID["simple_get"], EDGE_ALL)
    prepare(BY_ID["simple_get"], EDGE_PF)


def test_decorator_scenario_gets_the_edge_through_an_empty_registration() -> None:
    for contender in EDGE_CONTENDERS:
        app = scenarios.build_app(BY_ID["decorator"], contender)
        assert fastcors_edge(app)[0] == contender.edge
    assert "fastcors" not in scenarios.build_app(BY_ID["decorator"], CY).extensions


# ---------------------------------------------------------------------------------------------
# The edge layer alone


@pytest.mark.parametrize("scenario", ACTUAL, ids=lambda s: s.id)
def test_edge_layer_alone_answers_like_the_app(scenario: scenarios.Scenario) -> None:
    alone = edge_alone.prepare_alone(prepare(scenario, EDGE_ALL))
    lines = [line for line in alone.reply.headers if line[0].startswith("Access-Control")]
    assert lines == [line for line in prepare(scenario, CY).reply.headers if line in lines]
    alone.edge()
    alone.stub()


def test_edge_layer_alone_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError):
        edge_alone.prepare_alone(prepare(BY_ID["preflight"], EDGE_ALL))
    with pytest.raises(ValueError):
        edge_alone.prepare_alone(prepare(BY_ID["simple_get"], EDGE_PF))
    # An edge table that is not the app's (another app's, refusing the origin) is caught.
    refusing = dataclasses.replace(BY_ID["simple_get"], cors=(), options={"origins": [EVIL_ORIGIN]})
    other = prepare(refusing, EDGE_ALL).app
    right = prepare(BY_ID["simple_get"], EDGE_ALL)  # its own edge built on its first request
    edge_alone.prepare_alone(right)
    real = fastcors._edge.edge_fields
    monkeypatch.setattr(fastcors._edge, "edge_fields", lambda app: real(other))
    with pytest.raises(ExpectationError, match="edge layer alone"):
        edge_alone.prepare_alone(right)


# ---------------------------------------------------------------------------------------------
# Measurement: what compare records for the edge


def test_measure_records_edge_answers_and_the_control() -> None:
    chosen = [BY_ID["simple_get"], BY_ID["preflight"]]
    contenders = [BARE, FLASK_CORS, CY, *EDGE_CONTENDERS]
    prepared = compare.check_all(contenders, chosen)
    flask = compare.measure_flask(prepared, rounds=2, batch_ns=2e5)
    get, pre = flask["simple_get"], flask["preflight"]
    assert set(get["control"]) >= {"us", "difference_us", "difference_low_us", "difference_high_us"}
    assert "control" not in pre
    assert compare.CONTROL not in get["contenders"]
    for key in (FASTCORS_EDGE_PREFLIGHT, FASTCORS_EDGE_ALL):
        at_edge = pre["contenders"][key]
        assert at_edge["answered_at_edge"] is True
        assert "speedup" not in at_edge
        assert {"value", "low", "high"} == set(at_edge["time_over_bare"])
        assert at_edge["time_over_bare"]["value"] < 1
        assert at_edge["flask_cors_over_time"]["value"] > 1
        assert (
            "speedup" in get["contenders"][key] and "answered_at_edge" not in get["contenders"][key]
        )
    assert "answered_at_edge" not in pre["contenders"]["fastcors-cython"]
    # Without an edge contender, no control cell (the other runs are timed as before).
    plain = compare.measure_flask(compare.check_all([BARE, CY], chosen[:1]), 2, 2e5)
    assert "control" not in plain["simple_get"]
    alone = compare.measure_edge_alone(compare.check_edge_alone(prepared), 2, 2e5)
    assert set(alone) == {"simple_get"}
    assert alone["simple_get"]["edge_ns"] > alone["simple_get"]["stub_ns"] > 0


# ---------------------------------------------------------------------------------------------
# Figures and verdicts, from made-up measurements


def _contender(
    us: float, bare: float, low: float | None = None, high: float | None = None
) -> dict[str, Any]:
    overhead = us - bare
    return {
        "us": us,
        "overhead_us": overhead,
        "overhead_low_us": overhead if low is None else low,
        "overhead_high_us": overhead if high is None else high,
        "overhead_pct": 100.0 * overhead / bare,
    }


def _actual_entry(
    scenario: scenarios.Scenario,
    edge_overhead_us: float,
    interval: tuple[float, float],
    control_us: float = 0.05,
    bare: float = 50.0,
    flask_cors: float = 20.0,
) -> dict[str, Any]:
    from bench import harness

    fc = _contender(bare + flask_cors, bare)
    result = _contender(bare + edge_overhead_us, bare, *interval)
    speed = harness.speed_up(
        harness.Estimate(flask_cors * 1000, flask_cors * 1000, flask_cors * 1000),
        harness.Estimate(edge_overhead_us * 1000, interval[0] * 1000, interval[1] * 1000),
        control_us * 1000,
    )
    result["speedup"], result["speedup_is_lower_bound"] = speed.value, speed.lower_bound
    return {
        "id": scenario.id,
        "title": scenario.title,
        "series": scenario.series,
        "size_label": scenario.size_label,
        "control": {
            "us": bare + control_us,
            "difference_us": control_us,
            "difference_low_us": -control_us,
            "difference_high_us": control_us,
        },
        "contenders": {"bare": {"us": bare}, "flask-cors": fc, FASTCORS_EDGE_ALL: result},
    }


def _preflight_entry(
    scenario: scenarios.Scenario, edge_us: float, bare: float = 70.0, fc: float = 100.0
) -> dict[str, Any]:
    result = _contender(edge_us, bare)
    result["answered_at_edge"] = True
    result["time_over_bare"] = {
        "value": edge_us / bare,
        "low": edge_us / bare,
        "high": edge_us / bare,
    }
    result["flask_cors_over_time"] = {
        "value": fc / edge_us,
        "low": fc / edge_us,
        "high": fc / edge_us,
    }
    return {
        "id": scenario.id,
        "title": scenario.title,
        "series": scenario.series,
        "size_label": scenario.size_label,
        "contenders": {
            "bare": {"us": bare},
            "flask-cors": _contender(fc, bare),
            FASTCORS_EDGE_PREFLIGHT: result,
        },
    }


def test_preflight_figures_and_verdicts() -> None:
    flask = {
        "preflight": _preflight_entry(BY_ID["preflight"], 0.7),
        "credentials_preflight": _preflight_entry(BY_ID["credentials_preflight"], 0.7),
        "request_headers_64": _preflight_entry(BY_ID["request_headers_64"], 2.0, fc=50.0),
    }
    facts = edge.preflight_figures(flask, FASTCORS_EDGE_PREFLIGHT)
    assert facts is not None
    assert facts["worst_time_over_bare"] == {
        "value": 2.0 / 70.0,
        "scenario": "64 requested headers",
    }
    assert facts["time_over_bare_verdict"] == "met"  # 1/35
    assert facts["worst_flask_cors_over_time"]["value"] == 25.0
    assert facts["flask_cors_over_time_verdict"] == "not met"  # 25x < 30x
    lines = edge.summary_lines({"preflight": facts})
    text = "\n".join(lines)
    assert (
        "    preflight, 3 headers: 0.70 µs, 1/100 of bare Flask's 70.0 µs; 142.9x less time" in text
    )
    assert (
        "worst of the 3 preflight scenarios: 1/35 of bare Flask's time on 64 requested headers (target <= 1/20: met)"
        in text
    )
    assert "25.0x less than Flask-CORS's on 64 requested headers (target >= 30x: not met)" in text
    slow = {"preflight": _preflight_entry(BY_ID["preflight"], 7.0)}
    assert (
        edge.preflight_figures(slow, FASTCORS_EDGE_PREFLIGHT)["time_over_bare_verdict"] == "not met"
    )
    # Judged on the bootstrap intervals: one reaching across the target is not resolved.
    unsure = {"preflight": _preflight_entry(BY_ID["preflight"], 3.4)}  # 1/20.6 of 70 µs
    result = unsure["preflight"]["contenders"][FASTCORS_EDGE_PREFLIGHT]
    result["time_over_bare"]["high"] = 3.8 / 70.0
    result["flask_cors_over_time"].update(low=25.0, high=31.0)  # 29.4x measured
    facts = edge.preflight_figures(unsure, FASTCORS_EDGE_PREFLIGHT)
    assert facts["time_over_bare_verdict"] == "not resolved"
    assert facts["flask_cors_over_time_verdict"] == "not resolved"


def test_actual_figures_resolved_and_met() -> None:
    flask = {s.id: _actual_entry(s, 0.4, (0.3, 0.5)) for s in ACTUAL}
    facts = edge.actual_figures(flask, FASTCORS_EDGE_ALL)
    assert facts is not None
    assert all(r["resolved"] for r in facts["scenarios"])
    assert facts["speedup_geomean"] == pytest.approx(50.0)
    assert facts["speedup_geomean_verdict"] == "met"  # the whole range (20/0.55 .. 20/0.25) >= 30
    assert facts["speedup_each_verdict"] == "met"
    assert facts["max_pct_of_bare"]["value"] == pytest.approx(0.8)
    assert facts["max_pct_of_bare_verdict"] == "met"
    text = "\n".join(edge.summary_lines({"actual": facts}))
    assert "50.0x smaller than Flask-CORS's (geometric mean" in text
    assert "(target >= 30x: met)" in text and "(target >= 10x each: met)" in text
    assert "at most 0.80% of bare Flask's time, on simple GET (target <= 2% each: met)" in text
    assert "not resolved" not in text


def test_actual_figures_not_met_when_resolved_and_too_slow() -> None:
    flask = {s.id: _actual_entry(s, 0.4, (0.3, 0.5)) for s in ACTUAL}
    flask["no_origin"] = _actual_entry(BY_ID["no_origin"], 4.0, (3.9, 4.1))  # 5x, 8%
    facts = edge.actual_figures(flask, FASTCORS_EDGE_ALL)
    assert facts["speedup_each_verdict"] == "not met"
    assert facts["speedup_min"]["scenario"] == "no Origin"
    assert facts["max_pct_of_bare_verdict"] == "not met"


def test_actual_figures_below_resolution_say_so_instead_of_a_huge_ratio() -> None:
    # Overheads whose interval reaches zero, and an A/A control moving by 300 ns: no verdict can
    # be "met" on a bound that does not reach the target, and no ratio is computed over ~1 ns.
    flask = {s.id: _actual_entry(s, 0.01, (-0.2, 0.2), control_us=0.3) for s in ACTUAL}
    facts = edge.actual_figures(flask, FASTCORS_EDGE_ALL)
    assert not any(r["resolved"] for r in facts["scenarios"])
    row = facts["scenarios"][0]
    assert row["overhead_upper_ns"] == pytest.approx(400.0)  # interval width beats 10 + 300
    assert facts["speedup_geomean"] == pytest.approx(50.0)  # 20 µs / 400 ns, a lower bound
    assert facts["speedup_geomean_is_lower_bound"]
    assert facts["speedup_geomean_verdict"] == "met"  # even the bound clears 30x
    text = "\n".join(edge.summary_lines({"actual": facts}))
    assert ">=50.0x smaller than Flask-CORS's" in text
    assert "not resolved in 8 of 8 scenarios" in text
    headers, rows = edge.actual_table_rows(facts)
    assert rows[0][headers.index('edge="all" +ns')] == "+10 (not resolved)"
    # A noisier run: the bound no longer clears the target, but nothing shows it missed it.
    noisy = {s.id: _actual_entry(s, 0.01, (-0.2, 0.2), control_us=1.5) for s in ACTUAL}
    facts = edge.actual_figures(noisy, FASTCORS_EDGE_ALL)
    assert facts["speedup_geomean_verdict"] == "not resolved"
    assert facts["speedup_each_verdict"] == "met"  # 20 µs / 1.51 µs >= 10x
    assert facts["max_pct_of_bare_verdict"] == "not resolved"  # 1.51 µs could be 3% of 50 µs
    text = "\n".join(edge.summary_lines({"actual": facts}))
    assert "(target >= 30x: not resolved)" in text
    assert "(an upper bound: not resolved)" in text


def test_edge_layer_alone_figures() -> None:
    flask = {s.id: _actual_entry(s, 0.4, (0.3, 0.5)) for s in ACTUAL}
    alone = {
        s.id: {"layer_ns": 400.0, "layer_low_ns": 390.0, "layer_high_ns": 410.0} for s in ACTUAL
    }
    alone["origins_60_regex"]["layer_ns"] = 800.0
    facts = edge.actual_figures(flask, FASTCORS_EDGE_ALL, alone)
    assert facts["layer"]["ns_min"] == 400.0 and facts["layer"]["ns_max"] == 800.0
    assert facts["layer"]["speedup_min"] == pytest.approx(25.0)
    text = "\n".join(edge.summary_lines({"actual": facts}))
    assert "the edge layer alone" in text and "400 to 800 ns per request" in text
    assert "judged on the layer: met)" in text


def test_flat_figures() -> None:
    def entry(scenario: scenarios.Scenario, us: float) -> dict[str, Any]:
        return {
            "title": scenario.title,
            "size_label": scenario.size_label,
            "contenders": {FASTCORS_EDGE_ALL: {"us": us}, FASTCORS_EDGE_PREFLIGHT: {"us": us * 2}},
        }

    flask = {
        "literal_origins_1": entry(BY_ID["literal_origins_1"], 50.0),
        "literal_origins_1000": entry(BY_ID["literal_origins_1000"], 51.0),
        "preflight_resources_1": entry(BY_ID["preflight_resources_1"], 0.7),
        "preflight_resources_100": entry(BY_ID["preflight_resources_100"], 0.8),
    }
    facts = edge.flat_figures(flask, ["bare", FASTCORS_EDGE_PREFLIGHT, FASTCORS_EDGE_ALL])
    assert facts is not None
    flat = facts[FASTCORS_EDGE_ALL]
    assert [s["series"] for s in flat["series"]] == ["literal origins", "resources, preflight"]
    assert flat["series"][0]["change_pct"] == pytest.approx(2.0)
    assert flat["verdict"] == "not met"  # +14% on the preflight resources
    assert flat["worst_series"] == "resources, preflight"
    text = "\n".join(edge.summary_lines({"flat": facts}))
    assert (
        "1 → 1000 literal origins +2.0%, 1 → 100 resources, preflight +14.3% (target flat, within ±5%: not met)"
        in text
    )
    flask["preflight_resources_100"] = entry(BY_ID["preflight_resources_100"], 0.72)
    assert edge.flat_figures(flask, [FASTCORS_EDGE_ALL])[FASTCORS_EDGE_ALL]["verdict"] == "met"
    # Beyond ±5%, but bare Flask itself (no CORS configuration) moved by 10% along the series:
    # noise, not resolved; beyond 5% + 10%: not met.
    flask["literal_origins_1"]["contenders"]["bare"] = {"us": 40.0}
    flask["literal_origins_1000"]["contenders"]["bare"] = {"us": 44.0}
    flask["literal_origins_1000"]["contenders"][FASTCORS_EDGE_ALL] = {"us": 55.0}  # +10%
    facts = edge.flat_figures(flask, [FASTCORS_EDGE_ALL])
    assert facts is not None and facts[FASTCORS_EDGE_ALL]["verdict"] == "not resolved"
    text = "\n".join(edge.summary_lines({"flat": facts}))
    assert "(target flat, within ±5%: not resolved) [beyond ±5% only within bare Flask's" in text
    assert "literal origins 10.0%" in text
    flask["literal_origins_1000"]["contenders"][FASTCORS_EDGE_ALL] = {"us": 58.0}  # +16%
    facts = edge.flat_figures(flask, [FASTCORS_EDGE_ALL])
    assert facts is not None and facts[FASTCORS_EDGE_ALL]["verdict"] == "not met"


def test_report_shows_the_edge_tables_and_closing_lines() -> None:
    flask = {s.id: _actual_entry(s, 0.4, (0.3, 0.5)) for s in ACTUAL}
    for s in (BY_ID["preflight"], BY_ID["credentials_preflight"]):
        pre = _preflight_entry(s, 0.7)
        pre["contenders"][FASTCORS_EDGE_ALL] = pre["contenders"].pop(FASTCORS_EDGE_PREFLIGHT)
        pre["contenders"][FASTCORS_EDGE_PREFLIGHT] = dict(pre["contenders"][FASTCORS_EDGE_ALL])
        flask[s.id] = pre
    for entry in flask.values():
        entry["contenders"].setdefault(
            FASTCORS_EDGE_PREFLIGHT, dict(entry["contenders"][FASTCORS_EDGE_ALL])
        )
    keys = ["bare", "flask-cors", FASTCORS_EDGE_PREFLIGHT, FASTCORS_EDGE_ALL]
    results = {"flask": flask, "engine": {}}
    text = report.text_report(results, keys)
    assert "\nThe edge\n========" in text
    assert "edge-pf, edge-all: fastcors compiled" in text
    closing = text.split("This run in short", 1)[1]
    assert "The edge, compiled engine (each figure next to its target):" in closing
    assert "(target <= 1/20: met)" in closing and "(target >= 30x: met)" in closing
    facts = report.summary(results, keys)
    # The generic figures of an edge contender leave out the preflights its edge answers.
    assert facts["scenarios"][FASTCORS_EDGE_ALL]["scenario_count"] == 8
    assert (
        'fastcors edge="all" (Cython) (the 8 scenarios its edge does not answer itself)' in closing
    )
    markdown = report.text_report(results, keys, markdown=True)
    assert "### The edge" in markdown and "| preflight scenario |" in markdown
    assert "\n- The edge, compiled engine" in markdown
    # No edge contender: no edge figures, and the closing lines name no target.
    plain = report.text_report(results, ["bare", "flask-cors"])
    assert "The edge" not in plain and "target" not in plain.replace("targets are documented", "")


def test_scenario_expectations_of_the_preflight_series() -> None:
    # The expectations written out in scenarios.py, against Flask-CORS itself (the reference).
    for scenario in (
        *scenarios.series(scenarios.PREFLIGHT_LITERAL_ORIGINS),
        *scenarios.series(scenarios.PREFLIGHT_RESOURCES),
    ):
        reply = call(scenarios.build_app(scenario, FLASK_CORS), scenario.request.environ())
        check(scenario, FLASK_CORS, reply)
    one = BY_ID["preflight_literal_origins_1"]
    assert VARY_ORIGIN not in one.cors and (ACAO, scenarios.literal_origin(0)) in one.cors
    assert (ACAO, APP_ORIGIN) in BY_ID["preflight_resources_100"].cors
