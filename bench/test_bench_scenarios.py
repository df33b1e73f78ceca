"""The ten headline scenarios, for the four contenders (pytest-benchmark)."""

from __future__ import annotations

from typing import Any

import pytest

from bench.conftest import contender_params
from bench.contenders import Contender
from bench.scenarios import HEADLINE_SCENARIOS, Scenario, prepare


@pytest.mark.parametrize("contender", contender_params())
@pytest.mark.parametrize("scenario", [pytest.param(s, id=s.id) for s in HEADLINE_SCENARIOS])
def test_scenario(benchmark: Any, scenario: Scenario, contender: Contender) -> None:
    prepared = prepare(scenario, contender)  # raises on a wrong answer: nothing gets timed
    benchmark.group = f"{scenario.id}: {scenario.title}"
    benchmark.extra_info.update(contender=contender.key, scenario=scenario.id)
    benchmark(prepared.run)
