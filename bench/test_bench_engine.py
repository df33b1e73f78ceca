"""The two fastcors engines alone, without Flask: ``Policy.evaluate`` and ``apply``."""

from __future__ import annotations

from typing import Any

import pytest

from bench.conftest import engine_params
from bench.contenders import BY_KEY
from bench.engine_cases import BY_ID, ENGINE_CASES, OPERATIONS, prepare_engine


@pytest.mark.parametrize("engine", engine_params())
@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("case", [c.id for c in ENGINE_CASES])
def test_engine(benchmark: Any, case: str, operation: str, engine: str) -> None:
    prepared = prepare_engine(BY_ID[case], BY_KEY[engine], operation)  # raises on a wrong result
    benchmark.group = f"engine {case} {operation}: {prepared.case.title}"
    benchmark.extra_info.update(engine=engine, case=case, operation=operation)
    benchmark(prepared.target, *prepared.args)
