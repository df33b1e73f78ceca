"""The scaling series (origins, patterns, resources, requested headers, and origins and resources
with a preflight), every contender on each (the edge contenders included)."""

from __future__ import annotations

from typing import Any

import pytest

from bench.conftest import contender_params
from bench.contenders import BY_KEY
from bench.scenarios import BY_ID, SCALING_SERIES, prepare, series

SCALING = [s.id for name in SCALING_SERIES for s in series(name)]


@pytest.mark.parametrize("contender", contender_params())
@pytest.mark.parametrize("scenario", SCALING)
def test_scaling(benchmark: Any, scenario: str, contender: str) -> None:
    prepared = prepare(BY_ID[scenario], BY_KEY[contender])  # raises on a wrong answer
    benchmark.group = f"{prepared.scenario.series}: {prepared.scenario.size_label}"
    benchmark.extra_info.update(
        contender=contender,
        scenario=scenario,
        series=prepared.scenario.series,
        size=prepared.scenario.size,
    )
    benchmark(prepared.run)
