"""The comparison behind ``python -m bench``: check every contender, then time them interleaved.

Results are plain dicts (they go to JSON as they are):

``flask[scenario_id]``:
    ``{"id", "title", "series", "size", "size_label", "rounds", "contenders": {key: {...}}}`` where
    each contender has ``us`` (minimum over rounds of the µs per request of a batch), ``us_median``,
    ``us_q1``, ``us_q3``, ``samples_ns`` (one per round), and, except bare Flask, ``overhead_us``
    (``us`` minus bare Flask's ``us``) with its bootstrap interval ``overhead_low_us`` /
    ``overhead_high_us`` and ``overhead_pct`` (of bare Flask's ``us``); fastcors contenders and the
    floor hook also ``speedup`` (Flask-CORS's overhead over theirs; null when undefined) and
    ``speedup_is_lower_bound``, except an edge contender on a preflight its edge answers itself
    (an overhead below zero: the edge replaces Flask's work): there ``answered_at_edge`` is true
    and it has, as ``{"value", "low", "high"}`` with bootstrap intervals, ``time_over_bare`` (its
    ``us`` over bare Flask's) and ``flask_cors_over_time`` (Flask-CORS's ``us`` over its).
    When an edge contender runs, the headline scenarios that are not preflights also have
    ``control``: a second bare Flask app timed in the same rounds (an A/A comparison), with
    ``us`` and ``difference_us`` / ``difference_low_us`` / ``difference_high_us`` (its minimum
    minus bare Flask's, with the bootstrap interval): how far two identical apps' minimums differ
    in this run, i.e. the smallest overhead this run resolves there.
``edge_alone[scenario_id]`` (with the ``fastcors-edge-all`` contender, for the headline scenarios
that are not preflights; see :mod:`bench.edge_alone`):
    ``{"id", "title", "rounds", "edge_ns", "stub_ns", "layer_ns", "layer_low_ns",
    "layer_high_ns"}``: the edge middleware around a stub and the stub alone (minimums), and the
    difference, the edge layer's cost per request, with its bootstrap interval.
``engine[case_id/operation]``:
    ``{"case", "title", "operation", "engines": {key: {"ns", "ns_median", "samples_ns"}},
    "ratio", "ratio_low", "ratio_high"}``, ``ratio`` being Python's ``ns`` over Cython's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from . import edge_alone, engine_cases, harness, scenarios
from .contenders import (
    BARE,
    BY_KEY,
    ENGINES,
    FASTCORS_CYTHON,
    FASTCORS_EDGE_ALL,
    FASTCORS_KEYS,
    FASTCORS_PYTHON,
    FLASK_CORS,
    FLOOR,
    Contender,
)

#: The key of the A/A control cell (a second bare Flask app); never a contender.
CONTROL = "bare (A/A control)"


def needs_control(scenario: scenarios.Scenario, contenders: Sequence[Contender]) -> bool:
    """Whether the scenario gets the A/A control cell: a headline scenario that is not a
    preflight, in a run with an edge contender (whose overhead there is a fraction of a µs)."""
    return (
        scenario.series == scenarios.HEADLINE
        and not scenario.is_preflight
        and any(c.is_edge for c in contenders)
        and any(c.key == BARE for c in contenders)
    )


def control_resolution_ns(entry: dict[str, Any]) -> float:
    """The smallest overhead (ns) a scenario's A/A control says the run resolves: how far the
    second bare Flask app's minimum moved from bare Flask's, the far end of its bootstrap
    interval on either side of zero (0.0 without a control)."""
    control = entry.get("control")
    if control is None:
        return 0.0
    deviations = (
        control["difference_us"],
        control["difference_low_us"],
        control["difference_high_us"],
    )
    return 1000.0 * max(abs(float(d)) for d in deviations)


def _ratio(estimate: harness.Estimate) -> dict[str, float]:
    return {"value": estimate.value, "low": estimate.low, "high": estimate.high}


def check_all(
    contenders: Sequence[Contender], scenario_list: Sequence[scenarios.Scenario]
) -> dict[str, list[scenarios.Prepared]]:
    """Prepare (build and check) every contender for every scenario; raises on the first wrong
    answer (:class:`scenarios.ExpectationError`) or a missing compiled engine."""
    return {s.id: [scenarios.prepare(s, c) for c in contenders] for s in scenario_list}


def check_engines(
    engines: Sequence[Contender],
) -> dict[str, list[engine_cases.PreparedEngine]]:
    prepared: dict[str, list[engine_cases.PreparedEngine]] = {}
    for case in engine_cases.ENGINE_CASES:
        for operation in engine_cases.OPERATIONS:
            prepared[f"{case.id}/{operation}"] = [
                engine_cases.prepare_engine(case, engine, operation) for engine in engines
            ]
    return prepared


def _us(ns: float) -> float:
    return ns / 1000.0


def measure_flask(
    prepared: dict[str, list[scenarios.Prepared]],
    rounds: int,
    batch_ns: float,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for scenario_id, cells in prepared.items():
        scenario = cells[0].scenario
        progress(scenario.title)
        timed = [harness.Cell(p.contender.key, p.run) for p in cells]
        if needs_control(scenario, [p.contender for p in cells]):
            # A second, identical bare Flask app (its own objects), timed in the same rounds.
            timed.append(harness.Cell(CONTROL, scenarios.prepare(scenario, BY_KEY[BARE]).run))
        samples = harness.interleave(timed, rounds, batch_ns)
        control = samples.pop(CONTROL, None)
        entry: dict[str, Any] = {
            "id": scenario.id,
            "title": scenario.title,
            "series": scenario.series,
            "size": scenario.size,
            "size_label": scenario.size_label,
            "rounds": rounds,
            "contenders": {},
        }
        bare = samples.get(BARE)
        if control is not None and bare is not None:
            difference = harness.min_difference(control, bare)
            entry["control"] = {
                "us": _us(min(control)),
                "difference_us": _us(difference.value),
                "difference_low_us": _us(difference.low),
                "difference_high_us": _us(difference.high),
                "samples_ns": [round(v, 1) for v in control],
            }
        at_edge = {
            p.contender.key for p in cells if scenarios.answered_at_edge(scenario, p.contender)
        }
        overheads: dict[str, harness.Estimate] = {}
        for key, values in samples.items():
            summary = harness.summarise(values)
            result: dict[str, Any] = {
                "us": _us(summary.minimum),
                "us_median": _us(summary.median),
                "us_q1": _us(summary.q1),
                "us_q3": _us(summary.q3),
                "samples_ns": [round(v, 1) for v in values],
            }
            if bare is not None and key != BARE:
                overhead = harness.min_difference(values, bare)
                overheads[key] = overhead
                result["overhead_us"] = _us(overhead.value)
                result["overhead_low_us"] = _us(overhead.low)
                result["overhead_high_us"] = _us(overhead.high)
                result["overhead_pct"] = 100.0 * overhead.value / min(bare)
                if key in at_edge:
                    result["answered_at_edge"] = True
                    result["time_over_bare"] = _ratio(harness.min_ratio(values, bare))
                    if FLASK_CORS in samples:
                        result["flask_cors_over_time"] = _ratio(
                            harness.min_ratio(samples[FLASK_CORS], values)
                        )
            entry["contenders"][key] = result
        reference = overheads.get(FLASK_CORS)
        resolution = control_resolution_ns(entry)
        if reference is not None:
            for key in (*FASTCORS_KEYS, FLOOR):
                if key in overheads and key not in at_edge:
                    speed = harness.speed_up(reference, overheads[key], resolution)
                    entry["contenders"][key]["speedup"] = speed.value
                    entry["contenders"][key]["speedup_is_lower_bound"] = speed.lower_bound
        out[scenario_id] = entry
    return out


def check_edge_alone(
    prepared: dict[str, list[scenarios.Prepared]],
) -> list[edge_alone.PreparedAlone]:
    """The edge layer alone of the ``fastcors-edge-all`` contender, for every headline scenario
    that is not a preflight (checked; see :mod:`bench.edge_alone`)."""
    out = []
    for cells in prepared.values():
        scenario = cells[0].scenario
        if scenario.series != scenarios.HEADLINE or scenario.is_preflight:
            continue
        for p in cells:
            if p.contender.key == FASTCORS_EDGE_ALL:
                out.append(edge_alone.prepare_alone(p))
    return out


def measure_edge_alone(
    prepared: Sequence[edge_alone.PreparedAlone],
    rounds: int,
    batch_ns: float,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for alone in prepared:
        progress(f"edge layer alone: {alone.scenario.title}")
        samples = harness.interleave(
            [harness.Cell("edge", alone.edge), harness.Cell("stub", alone.stub)], rounds, batch_ns
        )
        layer = harness.min_difference(samples["edge"], samples["stub"])
        out[alone.scenario.id] = {
            "id": alone.scenario.id,
            "title": alone.scenario.title,
            "rounds": rounds,
            "edge_ns": min(samples["edge"]),
            "stub_ns": min(samples["stub"]),
            "layer_ns": layer.value,
            "layer_low_ns": layer.low,
            "layer_high_ns": layer.high,
        }
    return out


def measure_engines(
    prepared: dict[str, list[engine_cases.PreparedEngine]],
    rounds: int,
    batch_ns: float,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, cells in prepared.items():
        case = cells[0].case
        operation = cells[0].operation
        progress(f"engine: {case.title}, {operation}")
        samples = harness.interleave(
            [harness.Cell(p.engine.key, p.target, p.args) for p in cells], rounds, batch_ns
        )
        entry: dict[str, Any] = {
            "case": case.id,
            "title": case.title,
            "operation": operation,
            "rounds": rounds,
            "engines": {},
        }
        for engine_key, values in samples.items():
            summary = harness.summarise(values)
            entry["engines"][engine_key] = {
                "ns": summary.minimum,
                "ns_median": summary.median,
                "samples_ns": [round(v, 2) for v in values],
            }
        if FASTCORS_PYTHON in samples and FASTCORS_CYTHON in samples:
            ratio = harness.min_ratio(samples[FASTCORS_PYTHON], samples[FASTCORS_CYTHON])
            entry["ratio"] = ratio.value
            entry["ratio_low"] = ratio.low
            entry["ratio_high"] = ratio.high
        out[key] = entry
    return out


def run(
    contenders: Sequence[Contender],
    rounds: int,
    batch_ms: float,
    engine_rounds: int | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Check everything first (nothing is timed if any answer is wrong), then measure."""
    started = time.monotonic()
    prepared = check_all(contenders, scenarios.SCENARIOS)
    engines = [e for e in ENGINES if e in contenders]
    prepared_engines = check_engines(engines) if engines else {}
    prepared_alone = check_edge_alone(prepared)
    checked = time.monotonic()
    batch_ns = batch_ms * 1e6
    flask = measure_flask(prepared, rounds, batch_ns, progress)
    engine_rounds = engine_rounds if engine_rounds is not None else rounds
    engine = measure_engines(prepared_engines, engine_rounds, batch_ns, progress)
    alone = measure_edge_alone(prepared_alone, engine_rounds, batch_ns, progress)
    return {
        "flask": flask,
        "engine": engine,
        "edge_alone": alone,
        "timing": {
            "check_s": checked - started,
            "measure_s": time.monotonic() - checked,
        },
    }
