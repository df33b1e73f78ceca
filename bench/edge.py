"""The edge's figures from one run of ``python -m bench``, each next to its target.

``CORS(app, edge="preflight" | "all")`` puts fastcors' WSGI middleware around ``app.wsgi_app``.
Its targets, all judged on one run next to bare Flask and Flask-CORS, compiled engine:

* preflights (``fastcors-edge-preflight``): a preflight answered at the edge takes at most 1/20
  of bare Flask's time for its own automatic OPTIONS answer, and at least 30 times less than
  Flask-CORS's preflight (time against time: the edge replaces Flask's work, so an overhead would
  be below zero). Judged on every preflight scenario of the run (the worst one).
* actual requests (``fastcors-edge-all``): over the headline scenarios that are not preflights,
  the overhead above bare Flask at least 30 times below Flask-CORS's (geometric mean), at least
  10 times in each, and at most 2% of bare Flask's time in each.
* flat (both edge contenders): per-request time from 1 to 1000 literal origins and from 1 to 100
  resources, for a GET and for a preflight; read here as a change of at most
  :data:`FLAT_MAX_CHANGE_PCT` per cent from the smallest to the largest configuration.

An overhead of a few hundred nanoseconds on a request of about 60 µs is within reach of the
noise of a shared machine, so each such overhead is set against the run's A/A control: a second,
identical bare Flask app timed in the same rounds (``control`` in ``compare.measure_flask``), whose
difference from bare Flask is nothing but noise and layout. An overhead is *resolved* when its
bootstrap interval is above zero and the overhead is above the control's largest deviation (the
control's interval, either side of zero); an unresolved overhead is reported as an upper bound
(the larger of the two), and a speed-up computed from it as a lower bound (``>=``). A verdict
that a bound cannot settle says ``not resolved`` rather than met or not met.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from . import compare, harness, scenarios
from .contenders import ANY_BY_KEY, BARE, FASTCORS_EDGE_ALL, FASTCORS_EDGE_PREFLIGHT, FLASK_CORS

PREFLIGHT_MAX_FRACTION_OF_BARE = 1 / 20
PREFLIGHT_MIN_VS_FLASK_CORS = 30.0
ACTUAL_MIN_SPEEDUP_GEOMEAN = 30.0
ACTUAL_MIN_SPEEDUP_EACH = 10.0
ACTUAL_MAX_PCT_OF_BARE = 2.0
#: What "flat" is read as: the per-request time changes by at most this many per cent.
FLAT_MAX_CHANGE_PCT = 5.0
FLAT_SERIES = (
    scenarios.LITERAL_ORIGINS,
    scenarios.RESOURCES,
    scenarios.PREFLIGHT_LITERAL_ORIGINS,
    scenarios.PREFLIGHT_RESOURCES,
)

MET, NOT_MET, NOT_RESOLVED = "met", "not met", "not resolved"


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else value


# ---------------------------------------------------------------------------------------------
# Figures


def preflight_figures(flask: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The preflight figures of edge contender ``key``: per preflight scenario its time against
    bare Flask's and Flask-CORS's, the worst of each, and the verdicts."""
    rows = []
    for scenario in scenarios.SCENARIOS:
        entry = flask.get(scenario.id)
        if entry is None or not scenario.is_preflight:
            continue
        result = entry["contenders"].get(key)
        if result is None or not result.get("answered_at_edge"):
            continue
        row: dict[str, Any] = {
            "scenario": scenario.id,
            "title": scenario.title,
            "headline": scenario.series == scenarios.HEADLINE,
            "us": result["us"],
            "bare_us": entry["contenders"][BARE]["us"],
            "time_over_bare": result["time_over_bare"],
        }
        if FLASK_CORS in entry["contenders"] and "flask_cors_over_time" in result:
            row["flask_cors_us"] = entry["contenders"][FLASK_CORS]["us"]
            row["flask_cors_over_time"] = result["flask_cors_over_time"]
        rows.append(row)
    if not rows:
        return None
    worst_bare = max(rows, key=lambda r: r["time_over_bare"]["value"])
    out: dict[str, Any] = {
        "contender": key,
        "scenarios": rows,
        "worst_time_over_bare": {
            "value": worst_bare["time_over_bare"]["value"],
            "scenario": worst_bare["title"],
        },
        "target_time_over_bare": PREFLIGHT_MAX_FRACTION_OF_BARE,
    }
    # Judged on the bootstrap intervals: met when every one is within the target, not met when
    # one is entirely beyond it.
    target = PREFLIGHT_MAX_FRACTION_OF_BARE
    out["time_over_bare_verdict"] = _judge_at_least(
        [[-r["time_over_bare"]["high"], -r["time_over_bare"]["low"]] for r in rows], -target
    )
    with_fc = [r for r in rows if "flask_cors_over_time" in r]
    if with_fc:
        worst_fc = min(with_fc, key=lambda r: r["flask_cors_over_time"]["value"])
        out["worst_flask_cors_over_time"] = {
            "value": worst_fc["flask_cors_over_time"]["value"],
            "scenario": worst_fc["title"],
        }
        out["target_flask_cors_over_time"] = PREFLIGHT_MIN_VS_FLASK_CORS
        out["flask_cors_over_time_verdict"] = _judge_at_least(
            [
                [r["flask_cors_over_time"]["low"], r["flask_cors_over_time"]["high"]]
                for r in with_fc
            ],
            PREFLIGHT_MIN_VS_FLASK_CORS,
        )
    return out


def actual_row(
    entry: dict[str, Any], key: str, alone: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """One actual-request scenario of edge contender ``key``: its overhead in ns with the range
    the run cannot narrow further (bootstrap interval and A/A resolution together), its share of
    bare Flask's time and its speed-up over Flask-CORS (ranges too), and, given ``alone`` (the
    scenario's :mod:`bench.edge_alone` result), the edge layer's own cost."""
    contenders = entry["contenders"]
    result = contenders.get(key)
    if result is None or "overhead_us" not in result or result.get("answered_at_edge"):
        return None
    bare_ns = 1000.0 * contenders[BARE]["us"]
    estimate = harness.Estimate(
        1000.0 * result["overhead_us"],
        1000.0 * result["overhead_low_us"],
        1000.0 * result["overhead_high_us"],
    )
    control = entry.get("control")
    resolution = compare.control_resolution_ns(entry)
    resolved = estimate.low > 0 and estimate.value > resolution
    upper = harness.overhead_bound(estimate, resolution)
    lower = min(estimate.low, estimate.value - resolution)
    row: dict[str, Any] = {
        "scenario": entry["id"],
        "title": entry["title"],
        "bare_us": contenders[BARE]["us"],
        "overhead_ns": estimate.value,
        "overhead_low_ns": estimate.low,
        "overhead_high_ns": estimate.high,
        "resolution_ns": resolution if control is not None else None,
        "resolved": resolved,
        "overhead_lower_ns": lower,
        "overhead_upper_ns": upper,
        "pct_of_bare": 100.0 * (estimate.value if resolved else upper) / bare_ns,
        "pct_is_upper_bound": not resolved,
        "pct_range": [100.0 * lower / bare_ns, 100.0 * upper / bare_ns],
    }
    reference = contenders.get(FLASK_CORS)
    if reference is not None and "overhead_us" in reference:
        fc = 1000.0 * reference["overhead_us"]
        row["flask_cors_overhead_ns"] = fc
        if "speedup" in result:  # harness.speed_up with the same resolution: the value shown
            row["speedup"] = result["speedup"]
            row["speedup_is_lower_bound"] = result["speedup_is_lower_bound"]
        if result.get("speedup") is not None:
            row["speedup_range"] = [fc / upper, fc / lower if lower > 0 else None]
    if alone is not None:
        layer = alone["layer_ns"]
        row["layer_ns"] = layer
        row["layer_low_ns"] = alone["layer_low_ns"]
        row["layer_high_ns"] = alone["layer_high_ns"]
        row["layer_pct_of_bare"] = 100.0 * layer / bare_ns
        if "flask_cors_overhead_ns" in row and layer > 0:
            row["layer_speedup"] = row["flask_cors_overhead_ns"] / layer
    return row


def _judge_at_least(ranges: Sequence[list[float | None]], target: float) -> str:
    """Every value in ``[low, high]`` (high None: unbounded) is at least ``target``: met; some
    value is certainly below (its high is): not met; otherwise not resolved."""
    if all(r[0] is not None and r[0] >= target for r in ranges):
        return MET
    if any(r[1] is not None and r[1] < target for r in ranges):
        return NOT_MET
    return NOT_RESOLVED


def actual_figures(
    flask: dict[str, Any], key: str, alone: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """The actual-request figures of edge contender ``key`` over the headline scenarios that are
    not preflights, with the verdicts: each judged on the range the run cannot narrow further,
    so that noise gives "not resolved", never "met" or "not met"."""
    rows = []
    for scenario in scenarios.HEADLINE_SCENARIOS:
        entry = flask.get(scenario.id)
        if entry is None or scenario.is_preflight:
            continue
        row = actual_row(entry, key, (alone or {}).get(scenario.id))
        if row is not None:
            rows.append(row)
    if not rows:
        return None
    out: dict[str, Any] = {"contender": key, "scenarios": rows}
    worst_pct = max(rows, key=lambda r: r["pct_of_bare"])
    out["max_pct_of_bare"] = {
        "value": worst_pct["pct_of_bare"],
        "is_upper_bound": worst_pct["pct_is_upper_bound"],
        "scenario": worst_pct["title"],
    }
    out["target_max_pct_of_bare"] = ACTUAL_MAX_PCT_OF_BARE
    if all(r["pct_range"][1] <= ACTUAL_MAX_PCT_OF_BARE for r in rows):
        out["max_pct_of_bare_verdict"] = MET
    elif any(r["pct_range"][0] > ACTUAL_MAX_PCT_OF_BARE for r in rows):
        out["max_pct_of_bare_verdict"] = NOT_MET
    else:
        out["max_pct_of_bare_verdict"] = NOT_RESOLVED
    speedups = [r for r in rows if r.get("speedup") is not None]
    out["speedup_scenarios"] = len(speedups)
    out["target_speedup_geomean"] = ACTUAL_MIN_SPEEDUP_GEOMEAN
    out["target_speedup_each"] = ACTUAL_MIN_SPEEDUP_EACH
    if speedups and len(speedups) == len(rows):
        gm = harness.geometric_mean([r["speedup"] for r in speedups])
        out["speedup_geomean"] = _finite(gm)
        out["speedup_geomean_is_lower_bound"] = any(r["speedup_is_lower_bound"] for r in speedups)
        lows = [r["speedup_range"][0] for r in speedups]
        highs = [r["speedup_range"][1] for r in speedups]
        gm_range = [
            harness.geometric_mean(lows),
            None if None in highs else harness.geometric_mean(highs),
        ]
        out["speedup_geomean_range"] = gm_range
        out["speedup_geomean_verdict"] = _judge_at_least([gm_range], ACTUAL_MIN_SPEEDUP_GEOMEAN)
        worst = min(speedups, key=lambda r: r["speedup"])
        out["speedup_min"] = {
            "value": worst["speedup"],
            "is_lower_bound": worst["speedup_is_lower_bound"],
            "scenario": worst["title"],
        }
        out["speedup_each_verdict"] = _judge_at_least(
            [r["speedup_range"] for r in speedups], ACTUAL_MIN_SPEEDUP_EACH
        )
    else:  # Flask-CORS's own overhead within noise somewhere: the ratios are undefined there
        out["speedup_geomean"] = None
        out["speedup_geomean_verdict"] = NOT_RESOLVED
        out["speedup_each_verdict"] = NOT_RESOLVED
    layered = [r for r in rows if "layer_ns" in r]
    if layered and len(layered) == len(rows):
        layer_speedups = [r.get("layer_speedup") for r in layered]
        out["layer"] = {
            "ns_min": min(r["layer_ns"] for r in layered),
            "ns_max": max(r["layer_ns"] for r in layered),
            "pct_of_bare_max": max(r["layer_pct_of_bare"] for r in layered),
            "speedup_geomean": _finite(harness.geometric_mean(layer_speedups)),
            "speedup_min": (
                None if None in layer_speedups else min(s for s in layer_speedups if s is not None)
            ),
        }
    return out


def flat_figures(
    flask: dict[str, Any], keys: Sequence[str], series_names: Sequence[str] = FLAT_SERIES
) -> dict[str, Any] | None:
    """Per edge contender and series, the per-request time at the smallest and the largest
    configuration and the change, with the verdict: within :data:`FLAT_MAX_CHANGE_PCT` is met;
    beyond it by more than bare Flask's own change along the same series (bare Flask has no CORS
    configuration at all: its change is this run's noise there) is not met; in between, not
    resolved."""
    out: dict[str, Any] = {}
    for key in keys:
        if not ANY_BY_KEY[key].is_edge:
            continue
        per_series = []
        for name in series_names:
            entries = [flask[s.id] for s in scenarios.series(name) if s.id in flask]
            if len(entries) < 2 or key not in entries[0]["contenders"]:
                continue
            first, last = entries[0], entries[-1]
            before, after = first["contenders"][key]["us"], last["contenders"][key]["us"]
            change = 100.0 * (after / before - 1.0)
            noise = None
            if BARE in first["contenders"] and BARE in last["contenders"]:
                bare_from, bare_to = first["contenders"][BARE]["us"], last["contenders"][BARE]["us"]
                noise = abs(100.0 * (bare_to / bare_from - 1.0))
            if abs(change) <= FLAT_MAX_CHANGE_PCT:
                verdict = MET
            elif abs(change) > FLAT_MAX_CHANGE_PCT + (noise or 0.0):
                verdict = NOT_MET
            else:
                verdict = NOT_RESOLVED
            per_series.append(
                {
                    "series": name,
                    "from": first["size_label"],
                    "to": last["size_label"],
                    "us_from": before,
                    "us_to": after,
                    "change_pct": change,
                    "bare_change_abs_pct": noise,
                    "verdict": verdict,
                }
            )
        if per_series:
            worst = max(per_series, key=lambda s: abs(s["change_pct"]))
            verdicts = {s["verdict"] for s in per_series}
            out[key] = {
                "series": per_series,
                "worst_change_pct": worst["change_pct"],
                "worst_series": worst["series"],
                "target_max_change_pct": FLAT_MAX_CHANGE_PCT,
                "verdict": (
                    NOT_MET
                    if NOT_MET in verdicts
                    else NOT_RESOLVED
                    if NOT_RESOLVED in verdicts
                    else MET
                ),
            }
    return out or None


def summary(results: dict[str, Any], keys: Sequence[str]) -> dict[str, Any] | None:
    """bench.json's ``summary.edge``: the three groups of figures (None without an edge
    contender or without bare Flask)."""
    if BARE not in keys or not any(ANY_BY_KEY[k].is_edge for k in keys):
        return None
    flask = results["flask"]
    out: dict[str, Any] = {
        "preflight": (
            preflight_figures(flask, FASTCORS_EDGE_PREFLIGHT)
            if FASTCORS_EDGE_PREFLIGHT in keys
            else None
        ),
        "actual": (
            actual_figures(flask, FASTCORS_EDGE_ALL, results.get("edge_alone"))
            if FASTCORS_EDGE_ALL in keys
            else None
        ),
        "flat": flat_figures(flask, keys),
    }
    return out


# ---------------------------------------------------------------------------------------------
# Text


def fraction(value: float) -> str:
    """A time ratio below 1 as "1/N" (N to two significant figures for small N)."""
    if value <= 0:
        return "0"
    inverse = 1.0 / value
    return f"1/{inverse:.0f}" if inverse >= 10 else f"1/{inverse:.1f}"


def _x(value: float | None, lower_bound: bool = False) -> str:
    return str(harness.SpeedUp(value, lower_bound))


def _us(value: float) -> str:
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _ns(value: float | None, sign: bool = True) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.0f}" if sign else f"{value:.0f}"


def actual_table_rows(figures: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    headers = [
        "scenario",
        "bare µs",
        "Flask-CORS +ns",
        'edge="all" +ns',
        "range ns",
        "A/A ±ns",
        "% of bare",
        "speed-up",
        "edge layer alone ns",
        "layer speed-up",
    ]
    rows = []
    for row in figures["scenarios"]:
        pct = f"{'<=' if row['pct_is_upper_bound'] else ''}{row['pct_of_bare']:.2f}%"
        overhead = _ns(row["overhead_ns"]) + ("" if row["resolved"] else " (not resolved)")
        layer = ""
        if "layer_ns" in row:
            layer = f"{row['layer_ns']:.0f} [{row['layer_low_ns']:.0f}, {row['layer_high_ns']:.0f}]"
        rows.append(
            [
                row["title"],
                _us(row["bare_us"]),
                _ns(row.get("flask_cors_overhead_ns")) if "flask_cors_overhead_ns" in row else "",
                overhead,
                f"{_ns(row['overhead_lower_ns'])} .. {_ns(row['overhead_upper_ns'])}",
                _ns(row["resolution_ns"], sign=False),
                pct,
                _x(row.get("speedup"), row.get("speedup_is_lower_bound", False)),
                layer,
                _x(row.get("layer_speedup")) if "layer_ns" in row else "",
            ]
        )
    return headers, rows


def preflight_table_rows(figures: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    headers = [
        "preflight scenario",
        "bare µs",
        "Flask-CORS µs",
        'edge="preflight" µs',
        "of bare's time",
        "Flask-CORS's time / edge's",
    ]
    rows = []
    for row in figures["scenarios"]:
        rows.append(
            [
                row["title"],
                _us(row["bare_us"]),
                _us(row["flask_cors_us"]) if "flask_cors_us" in row else "",
                _us(row["us"]),
                fraction(row["time_over_bare"]["value"]),
                _x(row["flask_cors_over_time"]["value"]) if "flask_cors_over_time" in row else "",
            ]
        )
    return headers, rows


def _target(text: str, verdict: str) -> str:
    return f"(target {text}: {verdict})"


def summary_lines(facts: dict[str, Any] | None) -> list[str]:
    """The edge's closing lines, each figure next to its target; two leading spaces per level."""
    if not facts:
        return []
    lines = ["The edge, compiled engine (each figure next to its target):"]
    pre = facts.get("preflight")
    if pre:
        label = ANY_BY_KEY[pre["contender"]].label
        count = len(pre["scenarios"])
        lines.append(f"  {label}, a preflight answered at the edge:")
        for row in pre["scenarios"]:
            if not row["headline"]:
                continue
            text = (
                f"    {row['title']}: {_us(row['us'])} µs, {fraction(row['time_over_bare']['value'])} "
                f"of bare Flask's {_us(row['bare_us'])} µs"
            )
            if "flask_cors_over_time" in row:
                text += (
                    f"; {_x(row['flask_cors_over_time']['value'])} less time than Flask-CORS's "
                    f"{_us(row['flask_cors_us'])} µs"
                )
            lines.append(text)
        worst = pre["worst_time_over_bare"]
        text = (
            f"    worst of the {count} preflight scenarios: {fraction(worst['value'])} of bare "
            f"Flask's time on {worst['scenario']} "
            + _target(
                f"<= {fraction(PREFLIGHT_MAX_FRACTION_OF_BARE)}", pre["time_over_bare_verdict"]
            )
        )
        if "worst_flask_cors_over_time" in pre:
            fc = pre["worst_flask_cors_over_time"]
            text += f"; {_x(fc['value'])} less than Flask-CORS's on {fc['scenario']} " + _target(
                f">= {PREFLIGHT_MIN_VS_FLASK_CORS:.0f}x", pre["flask_cors_over_time_verdict"]
            )
        lines.append(text)
    actual = facts.get("actual")
    if actual:
        lines += _actual_lines(actual)
    for key, flat in (facts.get("flat") or {}).items():
        cells = [
            f"{s['from']} → {s['to']} {s['series']} {s['change_pct']:+.1f}%" for s in flat["series"]
        ]
        text = (
            f"  {ANY_BY_KEY[key].label}: "
            + ", ".join(cells)
            + " "
            + _target(f"flat, within ±{FLAT_MAX_CHANGE_PCT:g}%", flat["verdict"])
        )
        unsure = [s for s in flat["series"] if s["verdict"] == NOT_RESOLVED]
        if unsure:
            text += (
                " [beyond ±5% only within bare Flask's own change along the same series ("
                + ", ".join(f"{s['series']} {s['bare_change_abs_pct']:.1f}%" for s in unsure)
                + "): noise; rerun with more --rounds]"
            )
        lines.append(text)
    return lines


def _range_x(values: list[float | None]) -> str:
    low, high = values
    return f"{_x(low)} to {'unbounded' if high is None else _x(high)}"


def _actual_lines(actual: dict[str, Any]) -> list[str]:
    label = ANY_BY_KEY[actual["contender"]].label
    rows = actual["scenarios"]
    count = len(rows)
    lines = [
        f"  {label}, actual requests (the {count} scenarios of the first table that are not "
        "preflights), overhead above bare Flask:"
    ]
    if actual.get("speedup_geomean") is not None:
        low = actual["speedup_min"]
        lines.append(
            "    "
            f"{_x(actual['speedup_geomean'], actual['speedup_geomean_is_lower_bound'])} smaller "
            f"than Flask-CORS's (geometric mean; the run allows {_range_x(actual['speedup_geomean_range'])}) "
            + _target(f">= {ACTUAL_MIN_SPEEDUP_GEOMEAN:.0f}x", actual["speedup_geomean_verdict"])
            + f"; {_x(low['value'], low['is_lower_bound'])} at worst, on {low['scenario']} "
            + _target(f">= {ACTUAL_MIN_SPEEDUP_EACH:.0f}x each", actual["speedup_each_verdict"])
        )
    else:
        why = (
            "Flask-CORS's own overhead within the run's noise somewhere: rerun with more --rounds"
            if any("flask_cors_overhead_ns" in r for r in rows)
            else "Flask-CORS is not in this run"
        )
        lines.append(
            f"    against Flask-CORS's: n/a ({why}) "
            + _target(f">= {ACTUAL_MIN_SPEEDUP_GEOMEAN:.0f}x", NOT_RESOLVED)
            + ", at worst "
            + _target(f">= {ACTUAL_MIN_SPEEDUP_EACH:.0f}x each", NOT_RESOLVED)
        )
    worst = actual["max_pct_of_bare"]
    bound = " (an upper bound: not resolved)" if worst["is_upper_bound"] else ""
    lines.append(
        f"    at most {worst['value']:.2f}% of bare Flask's time{bound}, on {worst['scenario']} "
        + _target(f"<= {ACTUAL_MAX_PCT_OF_BARE:g}% each", actual["max_pct_of_bare_verdict"])
    )
    unresolved = [r["title"] for r in rows if not r["resolved"]]
    if unresolved:
        lines.append(
            f"    not resolved in {len(unresolved)} of {count} scenarios ({', '.join(unresolved)}): "
            "the overhead is not above both zero (bootstrap interval) and the A/A control's "
            "deviation; there it is an upper bound and the speed-up a lower bound (>=)"
        )
    layer = actual.get("layer")
    if layer:
        gm, worst_x = layer["speedup_geomean"], layer["speedup_min"]
        pct_ok = layer["pct_of_bare_max"] <= ACTUAL_MAX_PCT_OF_BARE
        if gm is None or worst_x is None:  # no Flask-CORS to compare with
            verdict = NOT_MET if not pct_ok else NOT_RESOLVED
        else:
            ok = gm >= ACTUAL_MIN_SPEEDUP_GEOMEAN and worst_x >= ACTUAL_MIN_SPEEDUP_EACH
            verdict = MET if ok and pct_ok else NOT_MET
        lines.append(
            "    the edge layer alone (its middleware around a stub answering as Flask did; the "
            f"cross_origin view wrapper not included): {layer['ns_min']:.0f} to "
            f"{layer['ns_max']:.0f} ns per request, Flask-CORS's overhead over it {_x(gm)} "
            f"(geometric mean), {_x(worst_x)} at worst, at most {layer['pct_of_bare_max']:.2f}% "
            "of bare Flask's time "
            + _target(
                f">= {ACTUAL_MIN_SPEEDUP_GEOMEAN:.0f}x, >= {ACTUAL_MIN_SPEEDUP_EACH:.0f}x each, "
                f"<= {ACTUAL_MAX_PCT_OF_BARE:g}%, judged on the layer",
                verdict,
            )
        )
    return lines
