"""pytest-benchmark configuration for ``pytest bench``.

Every benchmark builds its contender's app and checks its answer (:func:`bench.scenarios.prepare`)
before timing, so a wrong answer fails the test instead of producing a figure. Benchmarks are
grouped per scenario (pytest-benchmark's default ``--benchmark-group-by=group``), so each table
puts bare Flask, Flask-CORS, both fastcors engines and the two edge contenders side by side.
"""

from __future__ import annotations

import pytest

from bench.contenders import CONTENDERS, ENGINES, Contender


def contender_params(contenders: tuple[Contender, ...] = CONTENDERS) -> list[object]:
    # Keys, not the objects: pytest-benchmark saves the parameters in its JSON.
    return [pytest.param(c.key, id=c.key) for c in contenders]


def engine_params() -> list[object]:
    return contender_params(ENGINES)
