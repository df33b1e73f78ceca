"""Tests of the benchmark's own machinery: the expectation checks must catch wrong answers, the
engine switch must bind each app to the engine it names, the statistics must be what the report
says they are. Plain pytest tests (no timing, no benchmark fixture)."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import json
import math
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import fastcors._engine as selector
from bench import __main__ as cli
from bench import compare, engine_cases, floor, harness, instructions, report, scenarios
from bench.contenders import (
    BY_KEY,
    CONTENDERS,
    FASTCORS_CYTHON,
    FASTCORS_PYTHON,
    FLOOR_HOOK,
    CompiledEngineMissing,
    engines_in_use,
    load_engine,
    using_engine,
)
from bench.scenarios import (
    ACAH,
    ACAO,
    APP_ORIGIN,
    BY_ID,
    EVIL_ORIGIN,
    VARY_ORIGIN,
    ExpectationError,
    check,
    prepare,
)
from bench.wsgi import Reply, call

REPO = Path(__file__).resolve().parent.parent
FLASK_CORS = BY_KEY["flask-cors"]
BARE = BY_KEY["bare"]
PY = BY_KEY[FASTCORS_PYTHON]
CY = BY_KEY[FASTCORS_CYTHON]


def reply(*lines: tuple[str, str], status: int = 200) -> Reply:
    return Reply(status, [("Content-Type", "text/html; charset=utf-8"), *lines], b"ok")


# ---------------------------------------------------------------------------------------------
# The expectation check


def test_every_contender_answers_every_scenario_as_expected() -> None:
    for scenario in scenarios.SCENARIOS:
        for contender in CONTENDERS:
            prepare(scenario, contender)


def test_accepts_the_exact_answer_in_any_order_and_name_case() -> None:
    simple = BY_ID["simple_get"]
    check(
        simple, FLASK_CORS, reply(("vary", "Origin"), ("ACCESS-CONTROL-ALLOW-ORIGIN", APP_ORIGIN))
    )


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param([(ACAO, "*"), VARY_ORIGIN], id="wrong-value"),
        pytest.param([(ACAO, APP_ORIGIN)], id="missing-vary"),
        pytest.param([(ACAO, APP_ORIGIN), VARY_ORIGIN, VARY_ORIGIN], id="duplicate-vary"),
        pytest.param([(ACAO, APP_ORIGIN), VARY_ORIGIN, (ACAH, "x")], id="extra-header"),
        pytest.param([], id="no-cors"),
    ],
)
def test_rejects_wrong_cors_lines(lines: list[tuple[str, str]]) -> None:
    with pytest.raises(ExpectationError, match="simple_get"):
        check(BY_ID["simple_get"], FLASK_CORS, reply(*lines))


def test_rejects_wrong_status() -> None:
    with pytest.raises(ExpectationError, match="status 200, expected 404"):
        check(BY_ID["not_found"], FLASK_CORS, reply((ACAO, APP_ORIGIN), VARY_ORIGIN))


def test_bare_flask_must_send_no_cors_line() -> None:
    check(BY_ID["simple_get"], BARE, reply())
    with pytest.raises(ExpectationError, match="unexpected"):
        check(BY_ID["simple_get"], BARE, reply(VARY_ORIGIN))


def test_vary_all_allowance_is_for_fastcors_only() -> None:
    refused = BY_ID["refused_origin"]
    assert refused.vary_all
    for engine in (PY, CY):
        check(refused, engine, reply(VARY_ORIGIN))
        with pytest.raises(ExpectationError, match="missing"):
            check(refused, engine, reply())
    check(refused, FLASK_CORS, reply())
    with pytest.raises(ExpectationError, match="unexpected"):
        check(refused, FLASK_CORS, reply(VARY_ORIGIN))


def test_headers_bounded_allowance_is_for_fastcors_only() -> None:
    hostile = BY_ID["request_headers_8kb"]
    _, reference = hostile.expected(FLASK_CORS)
    _, ours = hostile.expected(PY)
    assert any(name == ACAH for name, _ in reference)
    assert not any(name == ACAH for name, _ in ours)
    with pytest.raises(ExpectationError):
        check(hostile, PY, reply(*reference))
    with pytest.raises(ExpectationError):
        check(hostile, FLASK_CORS, reply(*ours))


@pytest.mark.parametrize(
    "origin",
    [
        "https://eu.tenant1.example.net",
        "https://a.b.tenant1.example.net",
        "https://EU.Tenant1.example.net",
        "https://tenant1.example.net",
        "https://eutenant1.example.net",
        "https://eu.tenant12.example.net",
        "https://eu.tenant1.example.net.evil.net",
        "https://eu.tenant1.example.net\n",
        "http://eu.tenant1.example.net",
        "https://eu.tenant1.example.net:8443",
        "https://eu.tenant1.example.net/",
    ],
)
def test_wildcard_series_gives_flask_cors_the_equivalent_regexes(origin: str) -> None:
    # Flask-CORS matches a regex string with re.match, ignoring case.
    wildcard, regex = scenarios.wildcard_origins(2)[1], scenarios.wildcard_regexes(2)[1]
    admitted = re.match(regex, origin, flags=re.IGNORECASE) is not None
    assert admitted == wildcard.matches(origin)


def test_wildcard_series_configures_fastcors_with_wildcards() -> None:
    scenario = BY_ID["wildcard_origins_10"]
    assert scenario.fastcors_options is not None
    assert all(isinstance(o, str) for o in scenario.options["origins"])  # type: ignore[index]
    app = prepare(scenario, PY).app
    resources = app.extensions["fastcors"].registrations[0]  # type: ignore[attr-defined]
    policy = resources.lookup("/api/items")
    assert len(policy._wildcard_domains) == 10
    assert policy._origin_patterns == ()


def test_a_real_app_configured_wrongly_is_caught() -> None:
    # simple_get's expectation with an app that only allows another origin.
    wrong = dataclasses.replace(BY_ID["simple_get"], options={"origins": [EVIL_ORIGIN]})
    for contender in (FLASK_CORS, PY, CY):
        with pytest.raises(ExpectationError, match="missing"):
            prepare(wrong, contender)


def test_bare_flask_gets_no_extension_whatever_the_options() -> None:
    # The bare app gets no extension: a scenario's options are ignored for it.
    scenario = dataclasses.replace(BY_ID["simple_get"], options={"origins": [EVIL_ORIGIN]})
    prepare(scenario, BARE)


def test_browser_shaped_request_headers() -> None:
    assert scenarios.acrh(["X-Requested-With", "Content-Type"]) == "content-type,x-requested-with"
    headers = BY_ID["preflight"].request.headers
    assert headers["Access-Control-Request-Headers"] == "content-type,x-api-key,x-requested-with"


# ---------------------------------------------------------------------------------------------
# The engine switch


def test_each_fastcors_contender_is_bound_to_its_engine() -> None:
    for scenario in (BY_ID["simple_get"], BY_ID["decorator"]):
        assert engines_in_use(prepare(scenario, PY).app) == {"fastcors._engine_py"}
        assert engines_in_use(prepare(scenario, CY).app) == {"fastcors._engine_c"}


def test_the_selector_is_restored_after_building() -> None:
    before = {name: getattr(selector, name) for name in selector.ENGINE_NAMES}
    prepare(BY_ID["decorator"], PY)
    prepare(BY_ID["decorator"], CY)
    assert {name: getattr(selector, name) for name in selector.ENGINE_NAMES} == before


def test_an_app_on_the_wrong_engine_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    @contextlib.contextmanager
    def no_swap(module_name: str) -> Iterator[None]:
        yield None

    # Without the swap the app gets whatever the selector holds: make that the other engine.
    with using_engine("fastcors._engine_c"):
        monkeypatch.setattr(scenarios, "using_engine", no_swap)
        with pytest.raises(ExpectationError, match="engine"):
            prepare(BY_ID["simple_get"], PY)


def test_missing_compiled_engine_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def fake_import(name: str) -> object:
        if name == "fastcors._engine_c":
            raise ImportError("No module named 'fastcors._engine_c'")
        return real(name)

    monkeypatch.setattr(importlib, "import_module", fake_import)
    with pytest.raises(CompiledEngineMissing, match="fastcors-cython"):
        load_engine("fastcors._engine_c")
    with pytest.raises(CompiledEngineMissing):
        prepare(BY_ID["simple_get"], CY)
    assert load_engine("fastcors._engine_py").__name__ == "fastcors._engine_py"


def test_unknown_contender_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown contender"):
        scenarios.contenders(["bare", "fastcors"])
    assert scenarios.contenders(["bare", "flask-cors"]) == (BARE, FLASK_CORS)


# ---------------------------------------------------------------------------------------------
# Engine-only cases


def test_engine_cases_check_their_results() -> None:
    for case, operation, engine in engine_cases.engine_matrix():
        engine_cases.prepare_engine(case, engine, operation).run()
    wrong = dataclasses.replace(engine_cases.BY_ID["literal_hit"], pairs=((ACAO, EVIL_ORIGIN),))
    for operation in engine_cases.OPERATIONS:
        with pytest.raises(ExpectationError, match="evaluate returned"):
            engine_cases.prepare_engine(wrong, CY, operation)
    no_vary = dataclasses.replace(engine_cases.BY_ID["literal_hit"], vary=False)
    with pytest.raises(ExpectationError, match="apply added"):
        engine_cases.prepare_engine(no_vary, PY, engine_cases.APPLY)


def test_engine_apply_leaves_the_response_as_it_found_it() -> None:
    prepared = engine_cases.prepare_engine(engine_cases.BY_ID["preflight_10"], CY, "apply")
    for _ in range(3):
        prepared.run()
    # A second check after repeated runs: the header list was cut back each time.
    engine_cases.prepare_engine(engine_cases.BY_ID["preflight_10"], CY, "apply")


# ---------------------------------------------------------------------------------------------
# Statistics


def test_overhead_is_a_difference_of_minimums_and_ignores_disturbed_batches() -> None:
    bare = [100.0, 100.0, 500.0, 101.0, 100.0, 102.0]  # one round disturbed for everyone
    contender = [103.0, 104.0, 503.0, 103.0, 900.0, 105.0]  # and one only for the contender
    estimate = harness.min_difference(contender, bare)
    assert estimate.value == 3.0
    assert estimate.low <= 3.0 <= estimate.high
    assert estimate.high < 10.0  # the disturbed batches never become the minimum
    assert harness.min_ratio([4.0, 5.0], [2.0, 2.5]).value == 2.0


def test_bootstrap_interval_is_reproducible() -> None:
    a = [float(x % 7) + 10 for x in range(50)]
    b = [float(x % 5) + 9 for x in range(50)]
    assert harness.min_difference(a, b) == harness.min_difference(a, b)
    with pytest.raises(ValueError):
        harness.min_difference(a, b[:-1])


def test_speed_up_point_estimate_lower_bound_and_undefined() -> None:
    reference = harness.Estimate(30_000.0, 29_000.0, 31_000.0)
    clear = harness.speed_up(reference, harness.Estimate(1_000.0, 900.0, 1_100.0))
    assert clear == harness.SpeedUp(30.0, False)
    assert str(clear) == "30.0x"
    # Not resolved: over the largest overhead the interval cannot tell apart (here its width).
    bound = harness.speed_up(reference, harness.Estimate(100.0, -50.0, 250.0))
    assert bound == harness.SpeedUp(100.0, True)
    assert str(bound) == ">=100.0x"
    # An interval entirely below zero is noise of its width, not a 1 ns overhead.
    below = harness.speed_up(reference, harness.Estimate(-2_000.0, -3_000.0, -1_000.0))
    assert below == harness.SpeedUp(15.0, True)
    # A resolution (the A/A control's deviation): an overhead not above it is a bound too.
    assert harness.speed_up(reference, harness.Estimate(1_000.0, 900.0, 1_100.0), 2_000.0) == (
        harness.SpeedUp(10.0, True)
    )
    assert harness.speed_up(reference, harness.Estimate(1_000.0, 900.0, 1_100.0), 500.0) == clear
    assert harness.speed_up(reference, harness.Estimate(10.0, 5.0, 15.0), 40_000.0).value is None
    noisy_reference = harness.Estimate(500.0, -100.0, 900.0)
    assert harness.speed_up(noisy_reference, harness.Estimate(10.0, 5.0, 15.0)).value is None
    assert str(harness.SpeedUp(None, False)) == "n/a"


def test_geometric_mean() -> None:
    assert harness.geometric_mean([2.0, 8.0]) == pytest.approx(4.0)
    assert str(harness.geometric_mean([2.0, None])) == "nan"
    assert str(harness.geometric_mean([2.0, -1.0])) == "nan"


def _entry(scenario: scenarios.Scenario, us: dict[str, float]) -> dict[str, Any]:
    """A measured scenario as compare.measure_flask writes it, from µs per contender."""
    bare = us["bare"]
    contenders: dict[str, Any] = {"bare": {"us": bare}}
    for key, value in us.items():
        if key == "bare":
            continue
        contenders[key] = {
            "us": value,
            "overhead_us": value - bare,
            "overhead_pct": 100.0 * (value - bare) / bare,
        }
    for key in ("fastcors-python", "fastcors-cython", "floor"):
        if key in contenders:
            contenders[key]["speedup"] = (
                contenders["flask-cors"]["overhead_us"] / contenders[key]["overhead_us"]
            )
            contenders[key]["speedup_is_lower_bound"] = False
    return {
        "title": scenario.title,
        "size_label": scenario.size_label,
        "contenders": contenders,
    }


def test_closing_summary_states_this_runs_figures() -> None:
    first, second = scenarios.HEADLINE_SCENARIOS[:2]
    row = ("bare", "flask-cors", "fastcors-python", "fastcors-cython")
    flask = {
        first.id: _entry(first, dict(zip(row, (40.0, 80.0, 44.0, 42.0), strict=True))),
        second.id: _entry(second, dict(zip(row, (50.0, 60.0, 55.0, 52.0), strict=True))),
        "literal_origins_1": _entry(
            BY_ID["literal_origins_1"], dict(zip(row, (40.0, 60.0, 42.0, 41.0), strict=True))
        ),
        "literal_origins_1000": _entry(
            BY_ID["literal_origins_1000"], dict(zip(row, (40.0, 240.0, 42.0, 41.41), strict=True))
        ),
    }
    engine = {
        "a/evaluate": {"title": "a", "operation": "evaluate", "engines": {}, "ratio": 2.0},
        "b/apply": {"title": "b", "operation": "apply", "engines": {}, "ratio": 8.0},
    }
    facts = report.summary({"flask": flask, "engine": engine}, list(row))
    py, cy = facts["scenarios"]["fastcors-python"], facts["scenarios"]["fastcors-cython"]
    # Speed-ups 40/4 = 10 and 10/5 = 2 (Python), 40/2 = 20 and 10/2 = 5 (Cython).
    assert py["speedup_geomean"] == pytest.approx(math.sqrt(20))
    assert (py["speedup_min"]["value"], py["speedup_min"]["scenario"]) == (2.0, second.title)
    assert (cy["speedup_max"]["value"], cy["speedup_max"]["scenario"]) == (20.0, first.title)
    assert cy["overhead_pct_min"]["value"] == pytest.approx(4.0)
    assert cy["overhead_pct_max"]["value"] == pytest.approx(5.0)
    assert "speedup_geomean" not in facts["scenarios"]["flask-cors"]
    scaling = facts["scaling"][scenarios.LITERAL_ORIGINS]
    assert (scaling["from"], scaling["to"]) == ("1", "1000")
    assert scaling["contenders"]["flask-cors"]["change_pct"] == pytest.approx(300.0)
    assert scaling["contenders"]["fastcors-cython"]["change_pct"] == pytest.approx(1.0)
    assert facts["engine"]["ratio_geomean"] == pytest.approx(4.0)
    json.dumps(facts, allow_nan=False)  # bench.json's "summary": no NaN

    lines = report.summary_lines(facts)
    text = "\n".join(lines)
    assert (
        "  fastcors (Cython): CORS overhead 10.0x smaller than Flask-CORS's (geometric mean; "
        f"from 5.0x on {second.title} to 20.0x on {first.title})" in lines
    )
    assert "    adds 4.0% to 5.0% to bare Flask's time per request" in text
    assert "Flask-CORS +300% (60.0 → 240.0 µs)" in text
    assert "fastcors (Cython) +1.0% (41.0 → 41.4 µs)" in text
    assert "the Cython engine is 4.00x faster than the Python engine" in text
    assert "docs/performance page and bench/README.md" in lines[-1]
    assert "goal" not in text.lower() and "target" not in text.replace("targets are documented", "")
    markdown = report.text_report({"flask": flask, "engine": engine}, list(row), markdown=True)
    assert "\n  - fastcors (Cython): CORS overhead 10.0x smaller" in markdown
    assert "\n    - adds 4.0% to 5.0%" in markdown


def test_interleave_gives_every_cell_one_sample_per_round() -> None:
    calls = {"a": 0, "b": 0}

    def bump(key: str) -> None:
        calls[key] += 1

    samples = harness.interleave(
        [harness.Cell("a", bump, ("a",)), harness.Cell("b", bump, ("b",))], 5, 20_000
    )
    assert {k: len(v) for k, v in samples.items()} == {"a": 5, "b": 5}
    assert all(v > 0 for values in samples.values() for v in values)
    assert calls["a"] > 5 and calls["b"] > 5


# ---------------------------------------------------------------------------------------------
# The main job, end to end (a quick run: checks everything, figures are rough)


def test_main_job_quick_run_writes_table_json_and_chart(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "geometric mean" in done.stdout
    assert "Engine alone" in done.stdout
    # The closing lines say what was measured; the targets are only pointed to, never stated.
    closing = done.stdout.split("This run in short", 1)[1]
    assert "smaller than Flask-CORS's" in closing and "to bare Flask's time per request" in closing
    assert "1 → 1000 literal origins" in closing and "1 → 100 resources" in closing
    assert "docs/performance" in closing and "bench/README.md" in closing
    assert "goal" not in done.stdout.lower()
    # The edge's figures, each next to its target, in the closing lines.
    edge_part = closing.split("The edge, compiled engine (each figure next to its target):", 1)[1]
    assert 'fastcors edge="preflight" (Cython), a preflight answered at the edge:' in edge_part
    assert re.search(r"preflight, 3 headers: [\d.]+ µs, 1/\d+ of bare Flask's", edge_part)
    assert re.search(r"\(target <= 1/20: (met|not met)\)", edge_part)
    assert re.search(r"less than Flask-CORS's on .* \(target >= 30x: (met|not met)\)", edge_part)
    assert 'fastcors edge="all" (Cython), actual requests (the 8 scenarios' in edge_part
    assert re.search(r"\(target >= 30x: (met|not met|not resolved)\)", edge_part)
    assert re.search(r"\(target >= 10x each: (met|not met|not resolved)\)", edge_part)
    assert re.search(r"\(target <= 2% each: (met|not met|not resolved)\)", edge_part)
    assert "the edge layer alone" in edge_part
    for label in ('fastcors edge="preflight" (Cython): ', 'fastcors edge="all" (Cython): '):
        flat = next(line for line in edge_part.splitlines() if line.strip().startswith(label))
        assert "1 → 1000 literal origins" in flat and "1 → 100 resources" in flat
        assert (
            "1 → 1000 literal origins, preflight" in flat and "1 → 100 resources, preflight" in flat
        )
        assert re.search(r"\(target flat, within ±5%: (met|not met|not resolved)\)", flat)
    assert "The edge\n========" in done.stdout  # the edge's own tables
    payload = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    edge_facts = payload["summary"]["edge"]
    assert edge_facts["preflight"]["time_over_bare_verdict"] in ("met", "not met")
    assert {r["scenario"] for r in edge_facts["actual"]["scenarios"]} == {
        s.id for s in scenarios.HEADLINE_SCENARIOS if not s.is_preflight
    }
    assert set(edge_facts["flat"]) == {"fastcors-edge-preflight", "fastcors-edge-all"}
    assert set(payload["edge_alone"]) == {
        s.id for s in scenarios.HEADLINE_SCENARIOS if not s.is_preflight
    }
    assert "control" in payload["flask"]["simple_get"]
    assert "control" not in payload["flask"]["preflight"]
    assert payload["flask"]["preflight"]["contenders"]["fastcors-edge-preflight"][
        "answered_at_edge"
    ]
    assert {"meta", "settings", "statistic", "flask", "engine", "timing"} <= set(payload)
    assert set(payload["summary"]["scenarios"]) == {c.key for c in CONTENDERS} - {BARE.key}
    assert set(payload["flask"]) == {s.id for s in scenarios.SCENARIOS}
    assert set(payload["flask"]["simple_get"]["contenders"]) == {c.key for c in CONTENDERS}
    assert payload["settings"]["rounds"] == 3
    assert (tmp_path / "scaling.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| scenario |" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_main_job_stops_before_timing_on_a_wrong_answer(tmp_path: Path) -> None:
    # A sitecustomize-free way to break one expectation: run the CLI in-process with a patched
    # scenario list whose expectation is wrong.
    code = (
        "import dataclasses, sys\n"
        "from bench import scenarios, __main__ as cli\n"
        "bad = dataclasses.replace(scenarios.BY_ID['simple_get'], cors=())\n"
        "scenarios.SCENARIOS = (bad,)\n"
        f"sys.exit(cli.main(['--quick', '--out', {str(tmp_path)!r}]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "answers scenario 'simple_get' wrongly" in done.stderr
    assert "nothing was timed" in done.stderr
    assert not (tmp_path / "bench.json").exists()


def test_main_job_accepts_the_floor_hook_and_reports_it_against_flask_cors() -> None:
    assert cli.parse_args(["--contenders", "bare,flask-cors,floor"]).selected == (
        BARE,
        FLASK_CORS,
        FLOOR_HOOK,
    )
    # Measured like any contender (two tiny rounds; the figures themselves are not checked).
    keys = ["bare", "flask-cors", "floor"]
    prepared = compare.check_all([BARE, FLASK_CORS, FLOOR_HOOK], scenarios.HEADLINE_SCENARIOS[:2])
    flask = compare.measure_flask(prepared, rounds=2, batch_ns=2e5)
    floor = flask["simple_get"]["contenders"]["floor"]
    assert {"us", "overhead_us", "overhead_pct", "speedup", "speedup_is_lower_bound"} <= set(floor)
    text = report.text_report({"flask": flask, "engine": {}}, keys)
    table = text.splitlines()
    header = next(line for line in table if line.startswith("scenario"))
    assert header.split()[-4:] == ["floor", "+µs", "(%)", "speed-up"]
    lines = [line.strip() for line in table]
    at = lines.index(next(line for line in lines if line.startswith("append-lines hook (floor):")))
    # Two tiny rounds: the speed-up may be n/a and an overhead may be negative (noise).
    assert "Flask-CORS's" in lines[at]
    assert "bare Flask's time per request" in lines[at + 1]
    assert "the least any after-request CORS hook costs" in lines[at + 2]
    assert "goal" not in text


@pytest.mark.parametrize("scenario", scenarios.HEADLINE_SCENARIOS, ids=lambda s: s.id)
def test_floor_diagnostic_apps_answer_like_fastcors(scenario: scenarios.Scenario) -> None:
    # bench.floor's synthetic apps: the WSGI-level one must send exactly fastcors' lines, and the
    # no-op hook none at all (each is checked before it is timed, as everything else is).
    environ = scenario.request.environ()
    check(scenario, FLOOR_HOOK, call(floor.wsgi_append(scenario), environ))
    check(scenario, BARE, call(floor.noop_hook(scenario), environ))


@pytest.mark.parametrize("key", instructions.CONTENDERS)
def test_instruction_counts_run_checked_apps(key: str) -> None:
    # What the valgrind children run: every contender's app, its answer checked first.
    for scenario_id in instructions.DEFAULT_SCENARIOS:
        instructions.prepare(scenario_id, key)()
