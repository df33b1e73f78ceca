"""``python -m bench``: bare Flask, Flask-CORS, both fastcors engines and fastcors' edge, compared
in one run.

Every contender's answer to every scenario is checked before anything is timed; a wrong answer
stops the run with exit status 1. Then the table goes to stdout and the results to
``<out>/bench.json``, ``<out>/summary.md`` and the chart ``<out>/scaling.png``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import compare, report, scenarios
from .contenders import CONTENDERS, ENGINES, FLOOR, CompiledEngineMissing

DEFAULT_OUT = Path(__file__).resolve().parent / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=(
            "Compare bare Flask, Flask-CORS and fastcors (Python and Cython engines, and the "
            "compiled engine with edge='preflight' and edge='all')."
        ),
    )
    parser.add_argument(
        "--rounds", type=int, default=100, help="interleaved rounds per scenario (default 100)"
    )
    parser.add_argument(
        "--batch-ms",
        type=float,
        default=2.0,
        help="target duration of one contender's batch of calls in a round (default 2 ms)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 3 rounds of 0.5 ms batches (checks everything, figures are rough)",
    )
    parser.add_argument(
        "--check-only",
        action="store_true",
        help="only check every contender's answers (no timing); exit 1 on a wrong answer",
    )
    parser.add_argument(
        "--contenders",
        default=",".join(c.key for c in CONTENDERS),
        help=(
            "comma-separated subset of: %(default)s; add "
            f"'{FLOOR}' for the hook that only appends fastcors' lines (the floor of any "
            "after-request CORS hook)"
        ),
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output directory (default bench/results)"
    )
    parser.add_argument("--json", type=Path, help="JSON path (default <out>/bench.json)")
    parser.add_argument("--chart", type=Path, help="PNG path (default <out>/scaling.png)")
    parser.add_argument("--markdown", type=Path, help="Markdown path (default <out>/summary.md)")
    parser.add_argument("--no-chart", action="store_true", help="skip the PNG (no matplotlib)")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.batch_ms = 3, 0.5
    if args.rounds < 1 or args.batch_ms <= 0:
        parser.error("--rounds must be >= 1 and --batch-ms > 0")
    try:
        args.selected = scenarios.contenders(
            (k.strip() for k in args.contenders.split(",")), floor=True
        )
    except ValueError as exc:
        parser.error(str(exc))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    keys = [c.key for c in args.selected]
    started = time.monotonic()
    meta = report.machine()
    print(report.header(meta, args.rounds, args.batch_ms), flush=True)
    try:
        if args.check_only:
            prepared = compare.check_all(args.selected, scenarios.SCENARIOS)
            compare.check_engines([c for c in args.selected if c in ENGINES])
            alone = compare.check_edge_alone(prepared)
            print(
                f"\nchecked {len(scenarios.SCENARIOS)} scenarios x {len(keys)} contenders"
                + (
                    f" ({', '.join(c.key for c in args.selected if c.is_edge)}: also against "
                    "the same app without the edge)"
                    if any(c.is_edge for c in args.selected)
                    else ""
                )
                + ", the engine cases"
                + (f" and the edge layer alone in {len(alone)} scenarios" if alone else "")
                + ": every answer is the expected one"
            )
            return 0

        interactive = sys.stderr.isatty()

        def progress(title: str) -> None:
            if interactive:
                print(f"\r\033[K  timing {title} ...", end="", file=sys.stderr, flush=True)

        results = compare.run(args.selected, args.rounds, args.batch_ms, progress=progress)
        if interactive:
            print("\r\033[K", end="", file=sys.stderr, flush=True)
    except (scenarios.ExpectationError, CompiledEngineMissing) as exc:
        print(f"\nbench: {exc}", file=sys.stderr)
        print(
            "bench: nothing was timed: a benchmark of a wrong answer is worthless.", file=sys.stderr
        )
        return 1

    print(report.text_report(results, keys))
    meta["load_average_after"] = report.machine()["load_average"]
    payload = {
        "meta": meta,
        "settings": {"rounds": args.rounds, "batch_ms": args.batch_ms, "contenders": keys},
        "statistic": report.STATISTIC,
        **results,
        "summary": report.summary(results, keys),
    }
    json_path = args.json or args.out / "bench.json"
    md_path = args.markdown or args.out / "summary.md"
    report.write_json(json_path, payload)
    md_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.write_text(
        report.header(meta, args.rounds, args.batch_ms).replace("\n", "  \n")
        + "\n\n"
        + report.text_report(results, keys, markdown=True)
        + "\n",
        encoding="utf-8",
    )
    written = [json_path, md_path]
    if not args.no_chart:
        chart_path = args.chart or args.out / "scaling.png"
        report.write_chart(chart_path, results, keys, meta)
        written.append(chart_path)
    elapsed = time.monotonic() - started
    print(f"\nwrote {', '.join(str(p) for p in written)} ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
