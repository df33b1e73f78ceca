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

from . import harness, scenarios
from .contenders import ANY_BY_KEY, BARE, FASTCORS_CYTHON, FASTCORS_PYTHON, FLASK_CORS, FLOOR

STATISTIC = (
    "minimum over interleaved rounds of the mean time per request in one batch (load from other "
    "processes only adds time); overhead = contender minus bare Flask; speed-up = Flask-CORS "
    "overhead / fastcors overhead, '>=' marking a lower bound where the fastcors overhead's "
    "bootstrap 95% interval reaches zero, 'n/a' where Flask-CORS's does"
)


LEGEND = (
    "µs per request (minimum over rounds). +µs (%): overhead above bare Flask, and as a share of "
    "bare Flask's time. speed-up: Flask-CORS's overhead / fastcors' overhead (or the floor "
    "hook's, when it runs: a hook that only appends fastcors' lines)."
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
        if key in (FASTCORS_PYTHON, FASTCORS_CYTHON, FLOOR) and FLASK_CORS in keys and BARE in keys:
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
        results = [e["contenders"][key] for e in entries if key in e["contenders"]]
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


def _flatness(entries: Sequence[dict[str, Any]], key: str) -> float | None:
    """Per-request time at the largest size over the time at the smallest."""
    if len(entries) < 2 or key not in entries[0]["contenders"]:
        return None
    return float(entries[-1]["contenders"][key]["us"] / entries[0]["contenders"][key]["us"])


def _goal(goal: float | None, unit: str, paren: bool = False, relation: str = ">=") -> str:
    """A goal's text after a figure: "; goal >=8x" or, with ``paren``, " (goal >=4x each)"."""
    if goal is None:
        return ""
    text = f"goal {relation}{goal:.0f}{unit}"
    return f" ({text})" if paren else f"; {text}"


def targets(results: dict[str, Any], keys: Sequence[str]) -> list[str]:
    """fastcors' own performance targets, checked against this run (informative, never fatal)."""
    flask = results["flask"]
    headline = [flask[s.id] for s in scenarios.HEADLINE_SCENARIOS if s.id in flask]
    lines: list[str] = []
    # (geometric mean, each, % of bare Flask) goals; the floor hook has none: it shows the best
    # any after-request CORS hook can reach, next to the goals of the compiled engine.
    goals: dict[str, tuple[float | None, float | None, float | None]] = {
        FASTCORS_PYTHON: (8.0, 4.0, None),
        FASTCORS_CYTHON: (20.0, 10.0, 5.0),
        FLOOR: (None, None, None),
    }
    for key, (gm_goal, each_goal, pct_goal) in goals.items():
        if key not in keys or FLASK_CORS not in keys or BARE not in keys or not headline:
            continue
        per_scenario = [(e["contenders"][key], e["title"]) for e in headline]
        gm = harness.SpeedUp(
            harness.geometric_mean([r["speedup"] for r, _ in per_scenario]),
            any(r["speedup_is_lower_bound"] for r, _ in per_scenario),
        )
        defined = [(r, t) for r, t in per_scenario if r["speedup"] is not None]
        label = ANY_BY_KEY[key].label
        text = f"{label}: overhead {gm} below Flask-CORS's (geometric mean{_goal(gm_goal, 'x')})"
        if defined:
            worst, worst_title = min(defined, key=lambda item: item[0]["speedup"])
            each = _goal(each_goal, "x each", paren=True)
            text += f", worst {_fmt_speedup(worst)} on {worst_title}{each}"
        if len(defined) < len(per_scenario):
            text += " [n/a: Flask-CORS overhead within noise somewhere; rerun with more --rounds]"
        if key != FASTCORS_PYTHON:
            pct, pct_title = max(
                (e["contenders"][key]["overhead_pct"], e["title"]) for e in headline
            )
            most = _goal(pct_goal, "%", paren=True, relation="<=")
            text += f"; largest overhead {pct:.1f}% of bare Flask on {pct_title}{most}"
        if key == FLOOR:
            text += " (no goal: the least any after-request CORS hook costs)"
        lines.append(text)
        if key == FLOOR:
            continue
        for series_name, label in (
            (scenarios.LITERAL_ORIGINS, "1 → 1000 literal origins"),
            (scenarios.RESOURCES, "1 → 100 resources"),
        ):
            ratio = _flatness([flask[s.id] for s in scenarios.series(series_name)], key)
            if ratio is not None:
                lines.append(
                    f"  {label}: per-request time x{ratio:.3f} ({(ratio - 1) * 100:+.1f}%; goal within ±20%)"
                )
    ratios = [
        (e["ratio"], f"{e['title']} ({e['operation']})")
        for e in results["engine"].values()
        if "ratio" in e
    ]
    if ratios:
        worst, title = min(ratios)
        lines.append(
            f"engine alone: Cython {worst:.2f}x faster than Python at worst, on {title} (goal >=3x)"
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
        parts.append(LEGEND)
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
    goal_lines = targets(results, keys)
    if goal_lines:
        parts.append(heading("fastcors' performance goals, this run"))
        if markdown:
            goal_lines = [
                f"  - {line.strip()}" if line.startswith(" ") else f"- {line}"
                for line in goal_lines
            ]
        parts.append("\n".join(goal_lines))
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
        FLOOR: {"color": "0.55", "linestyle": ":", "marker": "."},
    }
    fig, axes = plt.subplots(1, len(scenarios.SCALING_SERIES), figsize=(15, 4.2), sharey=True)
    for ax, series_name in zip(axes, scenarios.SCALING_SERIES, strict=True):
        entries = [flask[s.id] for s in scenarios.series(series_name) if s.id in flask]
        xs = list(range(len(entries)))
        for key in keys:
            if key == BARE:
                ys = [0.0 for _ in entries]
            else:
                ys = [e["contenders"][key]["overhead_us"] for e in entries]
            ax.plot(xs, ys, label=ANY_BY_KEY[key].label, linewidth=1.8, **styles[key])
        ax.set_xticks(xs, [e["size_label"] for e in entries])
        ax.set_title(series_name)
        ax.set_xlabel(
            "Access-Control-Request-Headers names"
            if series_name == scenarios.REQUEST_HEADERS
            else f"number of {series_name}"
        )
        ax.set_yscale("symlog", linthresh=1.0)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("overhead above bare Flask (µs per request)")
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
