"""Tests of scripts/load-test that need gunicorn (the bench extra) but not wrk: the servers it
starts answer correctly, are bound to the right engine and are always stopped."""

from __future__ import annotations

import argparse
import dataclasses
import importlib.machinery
import importlib.util
import os
import types
from pathlib import Path
from typing import Any

import pytest

from bench import loadapp, scenarios
from bench.contenders import BY_KEY, CONTENDERS
from bench.scenarios import BY_ID, ExpectationError

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "load-test"

WRK_OUTPUT = """\
Running 5s test @ http://127.0.0.1:40000/api/items
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms  300.00us   9.00ms   90.00%
    Req/Sec     3.80k   100.00     4.00k    70.00%
  19000 requests in 5.00s, 3.00MB read
{extra}Requests/sec:   3800.25
Transfer/sec:    600.00KB
"""


@pytest.fixture(scope="module")
def load_test() -> types.ModuleType:
    loader = importlib.machinery.SourceFileLoader("load_test", str(SCRIPT))
    spec = importlib.util.spec_from_loader("load_test", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.fixture
def started(load_test: types.ModuleType, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every Server the test starts (also those that failed to boot)."""
    servers: list[Any] = []
    real_init = load_test.Server.__init__

    def spy(self: Any, *args: Any) -> None:
        real_init(self, *args)
        servers.append(self)

    monkeypatch.setattr(load_test.Server, "__init__", spy)
    return servers


def options(load_test: types.ModuleType) -> argparse.Namespace:
    parsed: argparse.Namespace = load_test.parse_args(
        ["--rounds", "1", "--duration", "1", "--warmup", "1"]
    )
    return parsed


def gone(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_servers_answer_correctly_and_are_stopped(
    load_test: types.ModuleType, tmp_path: Path
) -> None:
    contenders = [
        BY_KEY["bare"],
        BY_KEY["fastcors-python"],
        BY_KEY["fastcors-cython"],
        BY_KEY["fastcors-edge-preflight"],
        BY_KEY["fastcors-edge-all"],
    ]
    with load_test.servers(BY_ID["preflight"], contenders, options(load_test), tmp_path) as running:
        pids = [server.process.pid for server in running]
        for server in running:  # servers() checked them once; the answer stays right
            reply = server.request()
            assert reply.status == 200
            names = {name.lower() for name, _ in reply.headers}
            # Over HTTP too, the edge answered the preflight itself (Flask sends an Allow line).
            assert ("allow" in names) == (not server.contender.is_edge)
    assert all(gone(pid) for pid in pids)


def test_edge_servers_are_checked_over_http(load_test: types.ModuleType, tmp_path: Path) -> None:
    # Flask's own answer (with its Allow line) is refused for an edge contender over HTTP too.
    cython = [BY_KEY["fastcors-cython"]]
    with load_test.servers(BY_ID["preflight"], cython, options(load_test), tmp_path) as running:
        reply = running[0].request()
    with pytest.raises(ExpectationError, match="Flask answered, not the edge"):
        scenarios.check(BY_ID["preflight"], BY_KEY["fastcors-edge-preflight"], reply)


def test_edge_contenders_are_loaded_by_default(load_test: types.ModuleType) -> None:
    keys = [c.key for c in load_test.parse_args([]).selected]
    assert keys == [c.key for c in CONTENDERS]
    assert "fastcors-edge-preflight" in keys and "fastcors-edge-all" in keys
    picked = load_test.parse_args(["--contenders", "bare,fastcors-edge-all,floor"]).selected
    assert [c.key for c in picked] == ["bare", "fastcors-edge-all", "floor"]


def _load_result(scenario: str, ratios: dict[str, float]) -> dict[str, Any]:
    return {
        "id": scenario,
        "title": BY_ID[scenario].title,
        "contenders": {
            key: {"rps": 1000 * r, "ratio_to_bare": r, "ratio_to_bare_median": r - 0.01}
            for key, r in ratios.items()
        },
    }


def test_edge_goals(load_test: types.ModuleType) -> None:
    results = [
        _load_result("simple_get", {"bare": 1.0, "fastcors-edge-all": 0.985}),
        _load_result("preflight", {"bare": 1.0, "fastcors-edge-preflight": 2.4}),
    ]
    goals = load_test.edge_goals(results)
    assert [(g["contender"], g["scenario"], g["goal"], g["met"]) for g in goals] == [
        ("fastcors-edge-preflight", "preflight", 1.3, True),
        ("fastcors-edge-all", "simple_get", 0.99, False),
    ]
    lines = load_test.edge_lines(goals)
    assert lines[0] == (
        'fastcors edge="preflight" (Cython) on preflight, 3 headers: 2.400x bare Flask\'s '
        "requests/s (median over rounds 2.390x) (target >= 1.3x: met)"
    )
    assert lines[1].endswith("(target >= 0.99x: not met)")
    # Without bare Flask, or without the scenario, nothing to judge.
    assert load_test.edge_goals([_load_result("preflight", {"fastcors-edge-preflight": 2})]) == []
    assert load_test.edge_goals(results[:1])[0]["contender"] == "fastcors-edge-all"


def test_servers_are_stopped_when_the_run_fails(
    load_test: types.ModuleType, tmp_path: Path
) -> None:
    pids = []
    with pytest.raises(RuntimeError, match="boom"):
        with load_test.servers(
            BY_ID["simple_get"], [BY_KEY["bare"]], options(load_test), tmp_path
        ) as running:
            pids = [server.process.pid for server in running]
            raise RuntimeError("boom")
    assert pids and all(gone(pid) for pid in pids)


def test_a_server_that_cannot_boot_is_reported_and_the_others_stopped(
    load_test: types.ModuleType, tmp_path: Path, started: list[Any]
) -> None:
    # An unknown scenario id makes the worker fail at import of the app.
    bad = BY_ID["simple_get"].__class__(
        **{**BY_ID["simple_get"].__dict__, "id": "no_such_scenario"}
    )
    with pytest.raises(load_test.LoadTestError, match="exited"):
        with load_test.servers(
            bad, [BY_KEY["bare"], BY_KEY["flask-cors"]], options(load_test), tmp_path
        ):
            pass
    assert started and all(s.process.poll() is not None for s in started)


def test_app_refuses_the_wrong_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    import fastcors

    monkeypatch.setenv(loadapp.SCENARIO_VAR, "simple_get")
    monkeypatch.setenv(loadapp.CONTENDER_VAR, "fastcors-cython")
    monkeypatch.setattr(fastcors, "IMPLEMENTATION", "python")
    with pytest.raises(RuntimeError, match="expected 'cython'"):
        loadapp.create_app()
    monkeypatch.setattr(fastcors, "IMPLEMENTATION", "cython")
    assert callable(loadapp.create_app())
    for key in ("fastcors-edge-preflight", "fastcors-edge-all"):
        monkeypatch.setenv(loadapp.CONTENDER_VAR, key)
        monkeypatch.setattr(fastcors, "IMPLEMENTATION", "python")
        with pytest.raises(RuntimeError, match="expected 'cython'"):
            loadapp.create_app()
        monkeypatch.setattr(fastcors, "IMPLEMENTATION", "cython")
        assert loadapp.create_app().extensions["fastcors"].edge == key.rsplit("-", 1)[1]


def test_wrk_script_sends_the_scenario_request(load_test: types.ModuleType, tmp_path: Path) -> None:
    text = load_test.wrk_script(BY_ID["preflight"], tmp_path).read_text()
    assert 'wrk.method = "OPTIONS"' in text
    assert (
        'wrk.headers["Access-Control-Request-Headers"] = "content-type,x-api-key,x-requested-with"'
        in text
    )
    assert load_test._lua_string('a"b\\c') == '"a\\"b\\\\c"'


def test_wrk_report_parsing(load_test: types.ModuleType) -> None:
    assert load_test.parse_wrk(WRK_OUTPUT.format(extra=""), 200, False) == 3800.25
    non_2xx = WRK_OUTPUT.format(extra="  Non-2xx or 3xx responses: 12\n")
    with pytest.raises(load_test.LoadTestError, match="Non-2xx"):
        load_test.parse_wrk(non_2xx, 200, False)
    assert load_test.parse_wrk(non_2xx, 404, False) == 3800.25
    errors = WRK_OUTPUT.format(extra="  Socket errors: connect 0, read 3, write 0, timeout 1\n")
    with pytest.raises(load_test.LoadTestError, match="Socket errors"):
        load_test.parse_wrk(errors, 200, False)
    assert load_test.parse_wrk(errors, 200, True) == 3800.25
    with pytest.raises(load_test.LoadTestError, match="no Requests/sec"):
        load_test.parse_wrk("garbage", 200, False)


def test_wrong_answer_over_http_is_caught(
    load_test: types.ModuleType, tmp_path: Path, started: list[Any]
) -> None:
    # The worker serves the real simple_get app; checked over HTTP against an expectation of no
    # CORS lines at all, Flask-CORS's answer must be refused (and the server stopped).
    wrong = dataclasses.replace(BY_ID["simple_get"], cors=())
    with pytest.raises(ExpectationError, match="flask-cors answers scenario 'simple_get'"):
        with load_test.servers(wrong, [BY_KEY["flask-cors"]], options(load_test), tmp_path):
            pass
    assert started and all(s.process.poll() is not None for s in started)
