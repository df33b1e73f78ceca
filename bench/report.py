"""Tables, JSON and the scaling chart of ``python -m bench``."""

from __future__ import annotations

import datetime
import json
import math
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from . import edge, harness, scenarios
from .contenders import (
    ANY_BY_KEY,
    BARE,
    FASTCORS_CYTHON,
    FASTCORS_EDGE_ALL,
    FASTCORS_EDGE_PREFLIGHT,
    FASTCORS_KEYS,
    FASTCORS_PYTHON,
    FLASK_CORS,
    FLOOR,
)

STATISTIC = (
    "minimum over interleaved rounds of the mean time per request in one batch (load from other "
    "processes only adds time); overhead = contender minus bare Flask; speed-up = Flask-CORS "
    "overhead / fastcors overhead, '>=' marking a lower bound where the fastcors overhead's "
    "bootstrap 95% interval reaches zero (or, where an A/A control ran, the overhead is within "
    "its deviation), 'n/a' where Flask-CORS's does"
)


LEGEND = (
    "µs per request (minimum over rounds). +µs (%): overhead above bare Flask, and as a share of "
    "bare Flask's time. speed-up: Flask-CORS's overhead / fastcors' overhead (or the floor "
    "hook's, when it runs: a hook that only appends fastcors' lines)."
)
EDGE_LEGEND = (
    'edge-pf, edge-all: fastcors compiled with edge="preflight" / edge="all" (its WSGI '
    "middleware). A preflight the edge answers itself replaces Flask's work, so its overhead is "
    'below zero and it has no speed-up here (see "The edge" below); their geometric means are '
    "over the other scenarios."
)

# ---------------------------------------------------------------------------------------------
# Machine and versions


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git_commit() -> str | None:
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def machine() -> dict[str, Any]:
    import fastcors

    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 0
    try:
        load = list(os.getloadavg())
    except OSError:
        load = []
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpus_usable": cpus,
        "load_average": load,
        "versions": {
            "flask": _version("flask"),
            "werkzeug": _version("werkzeug"),
            "flask-cors": _version("flask-cors"),
            "fastcors": _version("fastcors"),
            "fastcors_default_engine": fastcors.IMPLEMENTATION,
        },
        "git_commit": _git_commit(),
        "executable": sys.executable,
    }


# ---------------------------------------------------------------------------------------------
# Tables


def _fmt_us(value: float) -> str:
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _fmt_overhead(result: dict[str, Any]) -> str:
    value = result["overhead_us"]
    text = f"{value:+.1f}" if abs(value) >= 10 else f"{value:+.2f}"
    return f"{text} ({result['overhead_pct']:.0f}%)"


def _fmt_speedup(result: dict[str, Any]) -> str:
    if "speedup" not in result:
        return ""
    return str(harness.SpeedUp(result["speedup"], result["speedup_is_lower_bound"]))


def _columns(keys: Sequence[str]) -> list[tuple[str, str, str]]:
    """(contender key, column header, kind) for the table."""
    cols: list[tuple[str, str, str]] = []
    for key in keys:
        cols.append((key, ANY_BY_KEY[key].short, "us"))
        if key == BARE:
            continue
        if BARE in keys:
            cols.append((key, "+µs (%)", "overhead"))
        if key in (*FASTCORS_KEYS, FLOOR) and FLASK_CORS in keys and BARE in keys:
            cols.append((key, "speed-up", "speedup"))
    return cols


def _cell(entry: dict[str, Any], key: str, kind: str) -> str:
    result = entry["contenders"].get(key)
    if result is None:
        return ""
    if kind == "us":
        return _fmt_us(result["us"])
    if kind == "overhead":
        return _fmt_overhead(result)
    return _fmt_speedup(result)


def geomean_row(entries: Sequence[dict[str, Any]], keys: Sequence[str]) -> dict[str, str]:
    """Per (key, kind): the geometric mean over ``entries`` ('' where it is undefined)."""
    row: dict[str, str] = {}
    for key in keys:
        results = [
            e["contenders"][key]
            for e in entries
            if key in e["contenders"] and not e["contenders"][key].get("answered_at_edge")
        ]
        if not results:
            continue
        row[f"{key}/us"] = _fmt_us(harness.geometric_mean([r["us"] for r in results]))
        if all("overhead_us" in r for r in results):
            gm = harness.geometric_mean([r["overhead_us"] for r in results])
            row[f"{key}/overhead"] = "n/a (<=0 inside)" if math.isnan(gm) else f"{gm:+.2f}"
        if all("speedup" in r for r in results):
            gm = harness.geometric_mean([r["speedup"] for r in results])
            bound = any(r["speedup_is_lower_bound"] for r in results)
            row[f"{key}/speedup"] = str(harness.SpeedUp(gm, bound))
    return row


def render(headers: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(headers) + " |"]
        lines.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        # First column left-aligned, figures right-aligned.
        return "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in rows]
    return "\n".join(out)


def flask_table(
    entries: Sequence[dict[str, Any]], keys: Sequence[str], markdown: bool, geomean: bool
) -> str:
    cols = _columns(keys)
    headers = ["scenario"] + [h for _, h, _ in cols]
    rows = [[e["title"]] + [_cell(e, key, kind) for key, _, kind in cols] for e in entries]
    if geomean:
        gm = geomean_row(entries, keys)
        rows.append(["geometric mean"] + [gm.get(f"{key}/{kind}", "") for key, _, kind in cols])
    return render(headers, rows, markdown)


def engine_table(entries: Sequence[dict[str, Any]], markdown: bool) -> str:
    headers = ["engine case", "call", "Python ns", "Cython ns", "Python/Cython"]
    rows = []
    for e in entries:
        engines = e["engines"]
        rows.append(
            [
                e["title"],
                e["operation"],
                f"{engines[FASTCORS_PYTHON]['ns']:.0f}" if FASTCORS_PYTHON in engines else "",
                f"{engines[FASTCORS_CYTHON]['ns']:.0f}" if FASTCORS_CYTHON in engines else "",
                f"{e['ratio']:.2f}x" if "ratio" in e else "",
            ]
        )
    return render(headers, rows, markdown)


#: Where a reader finds fastcors' own performance targets; the run itself only reports figures.
TARGETS_DOCUMENTED = "the docs/performance page and bench/README.md"

#: The scaling series summed up as "per-request time from the smallest to the largest size": the
#: configuration sizes (the requested-headers series grows the request, not the configuration).
SUMMARY_SCALING = (
    scenarios.LITERAL_ORIGINS,
    scenarios.PATTERN_ORIGINS,
    scenarios.WILDCARD_ORIGINS,
    scenarios.RESOURCES,
)


def _extreme(
    results: Sequence[tuple[dict[str, Any], str]], field: str, largest: bool
) -> dict[str, Any] | None:
    """``{"value", "scenario"}`` where ``field`` is smallest (or largest); None if never defined."""
    defined = [(r, title) for r, title in results if r.get(field) is not None]
    if not defined:
        return None
    pick = max if largest else min
    result, title = pick(defined, key=lambda item: item[0][field])
    out: dict[str, Any] = {"value": result[field], "scenario": title}
    if field == "speedup":
        out["is_lower_bound"] = result["speedup_is_lower_bound"]
    return out


def _finite(value: float) -> float | None:
    """NaN (an undefined geometric mean) as None: JSON has no NaN."""
    return None if math.isnan(value) else value


def summary(results: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    """What this run measured, in a few figures: bench.json's ``summary`` and the closing lines.

    ``scenarios``, per contender but bare Flask, over the scenarios of the first table: the
    overhead above bare Flask (µs and % of bare Flask's time: geometric mean, smallest, largest);
    for fastcors and the floor hook, the speed-up over Flask-CORS (Flask-CORS's overhead over
    theirs: geometric mean over the scenarios where it is defined, smallest, largest); for the
    fastcors engines when the floor hook ran, their overhead over the floor hook's (geometric
    mean). An edge contender's figures leave out the preflights its edge answers itself (its own
    ``scenario_count`` says over how many). ``scaling``, per configuration-size series: each
    contender's per-request time at the smallest and the largest size, and the change in %.
    ``engine``: the Python engine's time over the Cython engine's, each alone (geometric mean,
    smallest, largest). ``edge``: the edge's figures and verdicts (:func:`bench.edge.summary`).
    """
    flask = results["flask"]
    headline = [flask[s.id] for s in scenarios.HEADLINE_SCENARIOS if s.id in flask]
    out: dict[str, Any] = {
        "scenario_count": len(headline),
        "scenarios": {},
        "scaling": {},
        "engine": None,
        "edge": edge.summary(results, keys),
        "targets_documented_in": TARGETS_DOCUMENTED,
    }
    for key in keys:
        if key == BARE or BARE not in keys or not headline:
            continue
        kept = [e for e in headline if not e["contenders"][key].get("answered_at_edge")]
        if not kept:
            continue
        per = [(e["contenders"][key], e["title"]) for e in kept]
        entry: dict[str, Any] = {
            "scenario_count": len(per),
            "overhead_us_geomean": _finite(
                harness.geometric_mean([r["overhead_us"] for r, _ in per])
            ),
            "overhead_us_min": _extreme(per, "overhead_us", largest=False),
            "overhead_us_max": _extreme(per, "overhead_us", largest=True),
            "overhead_pct_min": _extreme(per, "overhead_pct", largest=False),
            "overhead_pct_max": _extreme(per, "overhead_pct", largest=True),
        }
        if all("speedup" in r for r, _ in per):
            defined = [r for r, _ in per if r["speedup"] is not None]
            entry["speedup_scenarios"] = len(defined)
            entry["speedup_geomean"] = _finite(
                harness.geometric_mean([r["speedup"] for r in defined])
            )
            entry["speedup_geomean_is_lower_bound"] = any(
                r["speedup_is_lower_bound"] for r in defined
            )
            entry["speedup_min"] = _extreme(per, "speedup", largest=False)
            entry["speedup_max"] = _extreme(per, "speedup", largest=True)
        if key in (FASTCORS_PYTHON, FASTCORS_CYTHON) and FLOOR in keys:
            entry["overhead_over_floor_geomean"] = _finite(
                harness.geometric_mean(
                    [
                        r["overhead_us"] / e["contenders"][FLOOR]["overhead_us"]
                        if e["contenders"][FLOOR]["overhead_us"] > 0
                        else None
                        for (r, _), e in zip(per, kept, strict=True)
                    ]
                )
            )
        out["scenarios"][key] = entry
    for series_name in SUMMARY_SCALING:
        entries = [flask[s.id] for s in scenarios.series(series_name) if s.id in flask]
        if len(entries) < 2:
            continue
        first, last = entries[0], entries[-1]
        series: dict[str, Any] = {
            "from": first["size_label"],
            "to": last["size_label"],
            "contenders": {},
        }
        for key in keys:
            if key == FLOOR:
                continue  # the same few lines appended whatever the configuration
            before, after = first["contenders"][key]["us"], last["contenders"][key]["us"]
            series["contenders"][key] = {
                "us_from": before,
                "us_to": after,
                "change_pct": 100.0 * (after / before - 1.0),
            }
        out["scaling"][series_name] = series
    ratios = [
        (e["ratio"], f"{e['title']} ({e['operation']})")
        for e in results["engine"].values()
        if "ratio" in e
    ]
    if ratios:
        (low, low_call), (high, high_call) = min(ratios), max(ratios)
        out["engine"] = {
            "calls": len(ratios),
            "ratio_geomean": _finite(harness.geometric_mean([r for r, _ in ratios])),
            "ratio_min": {"value": low, "call": low_call},
            "ratio_max": {"value": high, "call": high_call},
        }
    return out


def _fmt_pct(value: float) -> str:
    return f"{value:.0f}%" if abs(value) >= 10 else f"{value:.1f}%"


def _fmt_change(value: float) -> str:
    return f"{value:+.0f}%" if abs(value) >= 10 else f"{value:+.1f}%"


def _fmt_extreme_x(extreme: dict[str, Any]) -> str:
    return (
        f"{harness.SpeedUp(extreme['value'], extreme['is_lower_bound'])} on {extreme['scenario']}"
    )


def _speedup_text(entry: dict[str, Any], count: int) -> str:
    if not entry["speedup_scenarios"]:
        return (
            "CORS overhead against Flask-CORS's n/a (Flask-CORS's own overhead is within noise "
            "in every scenario: rerun with more --rounds)"
        )
    gm = harness.SpeedUp(entry["speedup_geomean"], entry["speedup_geomean_is_lower_bound"])
    text = f"CORS overhead {gm} smaller than Flask-CORS's (geometric mean"
    if entry["speedup_scenarios"] < count:
        text += f" over the {entry['speedup_scenarios']} scenarios where it is defined"
    low, high = entry["speedup_min"], entry["speedup_max"]
    if low is not None and high is not None:
        text += f"; from {_fmt_extreme_x(low)} to {_fmt_extreme_x(high)}"
    text += ")"
    if entry["speedup_scenarios"] < count:
        text += " [elsewhere Flask-CORS's own overhead is within noise: rerun with more --rounds]"
    return text


def _overhead_text(entry: dict[str, Any]) -> str | None:
    low, high = entry["overhead_pct_min"], entry["overhead_pct_max"]
    if low is None or high is None:
        return None
    if low["value"] >= 0:
        text = (
            f"adds {_fmt_pct(low['value'])} to {_fmt_pct(high['value'])} to bare Flask's time "
            f"per request (most on {high['scenario']}"
        )
    else:  # a noisy run: an overhead below zero is noise
        text = (
            f"changes bare Flask's time per request by {_fmt_change(low['value'])} to "
            f"{_fmt_change(high['value'])} (below zero: noise; most on {high['scenario']}"
        )
    if entry["overhead_us_geomean"] is not None:
        text += f"; geometric mean {entry['overhead_us_geomean']:+.2f} µs"
    return text + ")"


def summary_lines(facts: dict[str, Any]) -> list[str]:
    """The closing lines of ``python -m bench``: what this run measured, as plain facts.

    Two leading spaces per level of nesting (bullets in Markdown).
    """
    lines: list[str] = []
    count = facts["scenario_count"]
    if facts["scenarios"]:
        lines.append(
            f"Over the {count} scenarios of the first table (per request, in-process WSGI, "
            "minimum over rounds):"
        )
    for key, entry in facts["scenarios"].items():
        label = ANY_BY_KEY[key].label
        own = entry.get("scenario_count", count)
        if own < count:
            label += f" (the {own} scenarios its edge does not answer itself)"
        overhead = _overhead_text(entry)
        if "speedup_geomean" not in entry:
            if overhead is not None:
                lines.append(f"  {label} {overhead}")
            continue
        head, *rest = [t for t in (_speedup_text(entry, own), overhead) if t is not None]
        lines.append(f"  {label}: {head}")
        lines += [f"    {text}" for text in rest]
        if entry.get("overhead_over_floor_geomean") is not None:
            lines.append(
                f"    overhead {entry['overhead_over_floor_geomean']:.2f}x the floor hook's "
                "(geometric mean)"
            )
        if key == FLOOR:
            lines.append(
                "    the floor hook only appends fastcors' header lines, deciding nothing: the "
                "least any after-request CORS hook costs"
            )
    if any(series["contenders"] for series in facts["scaling"].values()):
        lines.append("Per-request time from the smallest to the largest configuration:")
    for series_name, series in facts["scaling"].items():
        cells = [
            f"{ANY_BY_KEY[key].label} {_fmt_change(c['change_pct'])} "
            f"({_fmt_us(c['us_from'])} → {_fmt_us(c['us_to'])} µs)"
            for key, c in series["contenders"].items()
        ]
        if cells:
            lines.append(f"  {series['from']} → {series['to']} {series_name}: " + ", ".join(cells))
    engine = facts["engine"]
    if engine:
        gm = engine["ratio_geomean"]
        low, high = engine["ratio_min"], engine["ratio_max"]
        lines.append(
            "Engine alone, no Flask: the Cython engine is "
            f"{'n/a' if gm is None else f'{gm:.2f}x'} faster than the Python engine (geometric "
            f"mean over {engine['calls']} calls; from {low['value']:.2f}x on {low['call']} to "
            f"{high['value']:.2f}x on {high['call']})"
        )
    lines += edge.summary_lines(facts.get("edge"))
    if lines:
        lines.append(
            "Each scenario's overheads with their bootstrap 95% intervals are in bench.json. "
            f"fastcors' performance targets are documented in {facts['targets_documented_in']}."
        )
    return lines


def text_report(results: dict[str, Any], keys: Sequence[str], markdown: bool = False) -> str:
    flask = results["flask"]
    parts: list[str] = []
    headline = [flask[s.id] for s in scenarios.HEADLINE_SCENARIOS if s.id in flask]

    def heading(title: str) -> str:
        return f"### {title}" if markdown else f"\n{title}\n{'=' * len(title)}"

    if headline:
        parts.append(heading("Per request, in-process WSGI"))
        parts.append(
            LEGEND + (" " + EDGE_LEGEND if any(ANY_BY_KEY[k].is_edge for k in keys) else "")
        )
        parts.append(flask_table(headline, keys, markdown, geomean=True))
    for series_name in scenarios.SCALING_SERIES:
        entries = [flask[s.id] for s in scenarios.series(series_name) if s.id in flask]
        if entries:
            parts.append(heading(f"Scaling: {series_name}"))
            parts.append(flask_table(entries, keys, markdown, geomean=False))
    engine = list(results["engine"].values())
    if engine:
        parts.append(heading("Engine alone, no Flask (ns per call)"))
        parts.append(engine_table(engine, markdown))
    facts = summary(results, keys)
    edge_facts = facts["edge"] or {}
    if edge_facts.get("preflight") or edge_facts.get("actual"):
        parts.append(heading("The edge"))
    if edge_facts.get("preflight"):
        parts.append(
            'Preflights answered at the edge (edge="preflight"): time per request against bare '
            "Flask's own automatic OPTIONS answer and Flask-CORS's (ratios of minimums)."
        )
        parts.append(render(*edge.preflight_table_rows(edge_facts["preflight"]), markdown))
    if edge_facts.get("actual"):
        parts.append(
            'Actual requests with edge="all": overhead above bare Flask in ns. A/A ±ns: how far '
            "a second, identical bare Flask app's minimum moved from bare Flask's in the same "
            "rounds (the smallest overhead this run resolves). range ns: what the run allows "
            "(the bootstrap 95% interval widened by the A/A deviation); an overhead not clearly "
            "above zero and that deviation is 'not resolved', its share of bare Flask's time an "
            "upper bound (<=) and its speed-up (Flask-CORS's overhead over it) a lower bound "
            "(>=). edge layer alone: the middleware around a stub answering as Flask did, "
            "against the stub (bootstrap interval); layer speed-up: Flask-CORS's overhead over it."
        )
        parts.append(render(*edge.actual_table_rows(edge_facts["actual"]), markdown))
    lines = summary_lines(facts)
    if lines:
        parts.append(heading("This run in short"))
        if markdown:
            lines = [
                "  " * ((len(line) - len(line.lstrip(" "))) // 2) + f"- {line.lstrip(' ')}"
                for line in lines
            ]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) if markdown else "\n".join(parts)


def header(meta: dict[str, Any], rounds: int, batch_ms: float) -> str:
    v = meta["versions"]
    load = ", ".join(f"{x:.2f}" for x in meta["load_average"]) or "unknown"
    return (
        f"fastcors benchmark, {meta['date']}\n"
        f"{meta['python']} on {meta['platform']}; {meta['cpu']}, {meta['cpus_usable']} usable CPUs; "
        f"load average {load}\n"
        f"Flask {v['flask']}, Werkzeug {v['werkzeug']}, Flask-CORS {v['flask-cors']}, fastcors "
        f"{v['fastcors']} (commit {meta['git_commit'] or 'unknown'})\n"
        f"{rounds} rounds, batches of ~{batch_ms:g} ms; statistic: {STATISTIC}"
    )


# ---------------------------------------------------------------------------------------------
# Files


def write_json(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def write_chart(
    path: Path, results: dict[str, Any], keys: Sequence[str], meta: dict[str, Any]
) -> None:
    """Overhead above bare Flask against configuration size, one panel per scaling series."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    flask = results["flask"]
    styles = {
        BARE: {"color": "0.4", "linestyle": "--", "marker": ""},
        FLASK_CORS: {"color": "tab:red", "marker": "o"},
        FASTCORS_PYTHON: {"color": "tab:blue", "marker": "s"},
        FASTCORS_CYTHON: {"color": "tab:green", "marker": "^"},
        FASTCORS_EDGE_PREFLIGHT: {"color": "tab:purple", "marker": "v", "linestyle": "-."},
        FASTCORS_EDGE_ALL: {"color": "tab:orange", "marker": "D", "linestyle": "--"},
        FLOOR: {"color": "0.55", "linestyle": ":", "marker": "."},
    }
    count = len(scenarios.SCALING_SERIES)
    columns = min(count, 4)
    rows = -(-count // columns)
    fig, grid = plt.subplots(
        rows, columns, figsize=(3.75 * columns, 4.2 * rows), sharey=True, squeeze=False
    )
    axes = [ax for line in grid for ax in line]
    for ax in axes[count:]:
        ax.set_visible(False)
    for ax, series_name in zip(axes, scenarios.SCALING_SERIES, strict=False):
        entries = [flask[s.id] for s in scenarios.series(series_name) if s.id in flask]
        xs = list(range(len(entries)))
        for key in keys:
            if key == BARE:
                ys = [0.0 for _ in entries]
            else:
                # Below zero on the preflights an edge answers itself (symlog shows both signs).
                ys = [e["contenders"][key]["overhead_us"] for e in entries]
            ax.plot(xs, ys, label=ANY_BY_KEY[key].label, linewidth=1.8, **styles[key])
        ax.set_xticks(xs, [e["size_label"] for e in entries])
        ax.set_title(series_name)
        ax.set_xlabel(
            "Access-Control-Request-Headers names"
            if series_name == scenarios.REQUEST_HEADERS
            else f"number of {series_name.split(',')[0]}"
        )
        ax.set_yscale("symlog", linthresh=1.0)
        ax.grid(True, which="both", alpha=0.3)
    for line in grid:
        line[0].set_ylabel("overhead above bare Flask (µs per request)")
    axes[0].legend(loc="upper left", fontsize=8)
    v = meta["versions"]
    fig.suptitle(
        f"CORS overhead per request vs configuration size (minimum over rounds, {meta['date']}; "
        f"{meta['python']}, Flask {v['flask']}, Flask-CORS {v['flask-cors']}, fastcors {v['fastcors']})",
        fontsize=10,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
