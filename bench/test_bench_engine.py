"""The two fastcors engines alone, without Flask: ``Policy.evaluate`` and ``apply``."""

from __future__ import annotations

from typing import Any

import pytest

from bench.conftest import engine_params
from bench.contenders import Contender
from bench.engine_cases import ENGINE_CASES, OPERATIONS, EngineCase, prepare_engine


@pytest.mark.parametrize("engine", engine_params())
@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in ENGINE_CASES])
def test_engine(benchmark: Any, case: EngineCase, operation: str, engine: Contender) -> None:
    prepared = prepare_engine(case, engine, operation)  # raises on a wrong result
    benchmark.group = f"engine {case.id} {operation}: {case.title}"
    benchmark.extra_info.update(engine=engine.key, case=case.id, operation=operation)
    benchmark(prepared.target, *prepared.args)
