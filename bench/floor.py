"""``python -m bench.floor``: how much of fastcors' overhead any after-request CORS hook would pay.

For each headline scenario, next to bare Flask and the two fastcors engines, two synthetic apps:

``noop hook``      bare Flask plus an ``after_request`` function that returns the response as is
                   (the cost of having a hook at all);
``append lines``   bare Flask plus an ``after_request`` function that appends, with no decision
                   at all, exactly the header lines fastcors sends for the scenario (the cost of
                   the hook plus Werkzeug copying, validating and serialising those lines).

``WSGI append``   bare Flask whose ``wsgi_app`` is wrapped so that ``start_response`` gets the same
                   lines appended after Flask and Werkzeug have finished with the response.

``append lines`` is a floor for any implementation that answers through an after-request hook;
what fastcors costs above it is its own work (resource lookup, reading the environ, the decision,
the Vary scan). ``WSGI append`` shows what the same lines cost when they skip
Flask's hook and Werkzeug's per-line handling. fastcors does not answer that way: other
after-request functions, and code calling ``app.process_response``, would no longer see the CORS
headers on the response, which Flask-CORS gives them (SPEC: everything outside the listed
differences stays as Flask-CORS does it). Same timing and statistic as ``python -m bench``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from flask import Flask

from . import harness, report, scenarios
from .contenders import BY_KEY, FASTCORS_CYTHON, FASTCORS_PYTHON, FLOOR_HOOK
from .wsgi import call, runner


def noop_hook(scenario: scenarios.Scenario) -> Flask:
    """Bare Flask plus an after-request function that returns the response as it is."""
    app = scenarios.build_app(scenario, BY_KEY["bare"])
    app.after_request(lambda response: response)
    return app


def wsgi_append(scenario: scenarios.Scenario) -> Flask:
    """Bare Flask with fastcors' lines appended at the WSGI level, in ``start_response``."""
    app = scenarios.build_app(scenario, BY_KEY["bare"])
    lines = list(scenario.expected(FLOOR_HOOK)[1])
    inner = app.wsgi_app

    def wsgi_app(environ: Any, start_response: Any) -> Any:
        def appending(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers.extend(lines)
            return start_response(status, headers, exc_info)

        return inner(environ, appending)

    app.wsgi_app = wsgi_app  # type: ignore[method-assign]
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--batch-ms", type=float, default=2.0)
    args = parser.parse_args(argv)
    meta = report.machine()
    print(report.header(meta, args.rounds, args.batch_ms))
    keys = ("noop hook", "append lines", "WSGI append", FASTCORS_PYTHON, FASTCORS_CYTHON)
    headers = ["scenario", "bare µs", *(f"{k} +µs" for k in keys)]
    rows = []
    for scenario in scenarios.HEADLINE_SCENARIOS:
        environ = scenario.request.environ()
        # The two apps built here are checked like every contender: the no-op hook must answer
        # as bare Flask does, the WSGI-level one with exactly fastcors' lines.
        noop = noop_hook(scenario)
        scenarios.check(scenario, BY_KEY["bare"], call(noop, environ))
        wsgi = wsgi_append(scenario)
        scenarios.check(scenario, FLOOR_HOOK, call(wsgi, environ))
        cells = [
            harness.Cell("bare", scenarios.prepare(scenario, BY_KEY["bare"]).run),
            harness.Cell("noop hook", runner(noop, environ)),
            harness.Cell("append lines", scenarios.prepare(scenario, FLOOR_HOOK).run),
            harness.Cell("WSGI append", runner(wsgi, environ)),
        ]
        for key in (FASTCORS_PYTHON, FASTCORS_CYTHON):
            cells.append(harness.Cell(key, scenarios.prepare(scenario, BY_KEY[key]).run))
        samples = harness.interleave(cells, args.rounds, args.batch_ms * 1e6)
        bare = samples["bare"]
        row = [scenario.title, f"{min(bare) / 1000:.1f}"]
        for key in keys:
            estimate = harness.min_difference(samples[key], bare)
            row.append(f"{estimate.value / 1000:+.2f}")
        rows.append(row)
        print(f"\r\033[K  {scenario.title}", end="", file=sys.stderr, flush=True)
    print("\r\033[K", end="", file=sys.stderr)
    print(report.render(headers, rows, markdown=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
