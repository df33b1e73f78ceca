"""The ten headline scenarios, for every contender (the edge contenders included; pytest-benchmark)."""

from __future__ import annotations

from typing import Any

import pytest

from bench.conftest import contender_params
from bench.contenders import BY_KEY
from bench.scenarios import BY_ID, HEADLINE_SCENARIOS, prepare


@pytest.mark.parametrize("contender", contender_params())
@pytest.mark.parametrize("scenario", [s.id for s in HEADLINE_SCENARIOS])
def test_scenario(benchmark: Any, scenario: str, contender: str) -> None:
    prepared = prepare(
        BY_ID[scenario], BY_KEY[contender]
    )  # raises on a wrong answer: nothing gets timed
    benchmark.group = f"{scenario}: {prepared.scenario.title}"
    benchmark.extra_info.update(contender=contender, scenario=scenario)
    benchmark(prepared.run)
