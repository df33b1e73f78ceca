"""The comparison behind ``python -m bench``: check every contender, then time them interleaved.

Results are plain dicts (they go to JSON as they are):

``flask[scenario_id]``:
    ``{"id", "title", "series", "size", "size_label", "rounds", "contenders": {key: {...}}}`` where
    each contender has ``us`` (minimum over rounds of the µs per request of a batch), ``us_median``,
    ``us_q1``, ``us_q3``, ``samples_ns`` (one per round), and, except bare Flask, ``overhead_us``
    (``us`` minus bare Flask's ``us``) with its bootstrap interval ``overhead_low_us`` /
    ``overhead_high_us`` and ``overhead_pct`` (of bare Flask's ``us``); fastcors contenders and the
    floor hook also ``speedup`` (Flask-CORS's overhead over theirs; null when undefined) and
    ``speedup_is_lower_bound``.
``engine[case_id/operation]``:
    ``{"case", "title", "operation", "engines": {key: {"ns", "ns_median", "samples_ns"}},
    "ratio", "ratio_low", "ratio_high"}``, ``ratio`` being Python's ``ns`` over Cython's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from . import engine_cases, harness, scenarios
from .contenders import (
    BARE,
    ENGINES,
    FASTCORS_CYTHON,
    FASTCORS_PYTHON,
    FLASK_CORS,
    FLOOR,
    Contender,
)


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
        samples = harness.interleave(
            [harness.Cell(p.contender.key, p.run) for p in cells], rounds, batch_ns
        )
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
            entry["contenders"][key] = result
        reference = overheads.get(FLASK_CORS)
        if reference is not None:
            for key in (FASTCORS_PYTHON, FASTCORS_CYTHON, FLOOR):
                if key in overheads:
                    speed = harness.speed_up(reference, overheads[key])
                    entry["contenders"][key]["speedup"] = speed.value
                    entry["contenders"][key]["speedup_is_lower_bound"] = speed.lower_bound
        out[scenario_id] = entry
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
    checked = time.monotonic()
    batch_ns = batch_ms * 1e6
    flask = measure_flask(prepared, rounds, batch_ns, progress)
    engine = measure_engines(
        prepared_engines, engine_rounds if engine_rounds is not None else rounds, batch_ns, progress
    )
    return {
        "flask": flask,
        "engine": engine,
        "timing": {
            "check_s": checked - started,
            "measure_s": time.monotonic() - checked,
        },
    }
