"""The scaling series (origins, patterns, resources, requested headers), four contenders each."""

from __future__ import annotations

from typing import Any

import pytest

from bench.conftest import contender_params
from bench.contenders import Contender
from bench.scenarios import SCALING_SERIES, Scenario, prepare, series

SCALING = [pytest.param(s, id=s.id) for name in SCALING_SERIES for s in series(name)]


@pytest.mark.parametrize("contender", contender_params())
@pytest.mark.parametrize("scenario", SCALING)
def test_scaling(benchmark: Any, scenario: Scenario, contender: Contender) -> None:
    prepared = prepare(scenario, contender)  # raises on a wrong answer: nothing gets timed
    benchmark.group = f"{scenario.series}: {scenario.size_label}"
    benchmark.extra_info.update(
        contender=contender.key, scenario=scenario.id, series=scenario.series, size=scenario.size
    )
    benchmark(prepared.run)
