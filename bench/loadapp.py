"""The WSGI app ``scripts/load-test`` serves with gunicorn: one scenario's app for one contender.

``gunicorn 'bench.loadapp:create_app()'`` with ``BENCH_SCENARIO`` (a scenario id of
:mod:`bench.scenarios`) and ``BENCH_CONTENDER`` (``bare``, ``flask-cors``, ``fastcors-python``,
``fastcors-cython``, ``fastcors-edge-preflight``, ``fastcors-edge-all``, or ``floor``: the
after-request hook that only appends fastcors' lines) in the environment. The app is the one the
in-process benchmarks time, built and checked the same way (:func:`bench.scenarios.prepare`): a wrong answer or a missing compiled
engine stops the worker from booting.

The load script also sets ``FASTCORS_NO_EXTENSIONS=1`` for ``fastcors-python``, so in that server
the selector itself is on the pure-Python engine, as in a pure install; :func:`create_app` checks
that ``fastcors.IMPLEMENTATION`` agrees with the contender.
"""

from __future__ import annotations

import os

from .contenders import (
    ANY_BY_KEY,
    FASTCORS_CYTHON,
    FASTCORS_EDGE_ALL,
    FASTCORS_EDGE_PREFLIGHT,
    FASTCORS_PYTHON,
)
from .scenarios import BY_ID, prepare
from .wsgi import WSGIApp

SCENARIO_VAR = "BENCH_SCENARIO"
CONTENDER_VAR = "BENCH_CONTENDER"

_EXPECTED_IMPLEMENTATION = {
    FASTCORS_PYTHON: "python",
    FASTCORS_CYTHON: "cython",
    FASTCORS_EDGE_PREFLIGHT: "cython",
    FASTCORS_EDGE_ALL: "cython",
}


def create_app() -> WSGIApp:
    scenario = BY_ID[os.environ[SCENARIO_VAR]]
    contender = ANY_BY_KEY[os.environ[CONTENDER_VAR]]
    expected = _EXPECTED_IMPLEMENTATION.get(contender.key)
    if expected is not None:
        import fastcors

        if fastcors.IMPLEMENTATION != expected:
            raise RuntimeError(
                f"{contender.key}: fastcors.IMPLEMENTATION is {fastcors.IMPLEMENTATION!r} in this "
                f"server, expected {expected!r}"
            )
    return prepare(scenario, contender).app
