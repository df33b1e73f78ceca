"""Every test runs under both engines.

The autouse ``engine`` fixture swaps the names of ``fastcors._engine`` (the selector) for those of
the pure-Python or the compiled module, so Flask-level tests exercise either engine with no
opt-in. The compiled leg imports ``fastcors._engine_c`` itself: if the extension is missing, those
tests error instead of silently testing Python twice. ``--no-cython`` deselects the compiled leg
(for pure-Python installs only).
"""

from __future__ import annotations

import dataclasses
import importlib
import types
from collections.abc import Iterator

import pytest

import fastcors._engine as selector


@dataclasses.dataclass(frozen=True)
class Implementation:
    name: str
    module_name: str

    def load(self) -> types.ModuleType:
        return importlib.import_module(self.module_name)


PYTHON = Implementation("python", "fastcors._engine_py")
CYTHON = Implementation("cython", "fastcors._engine_c")
IMPLEMENTATIONS = (PYTHON, CYTHON)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--no-cython",
        action="store_true",
        default=False,
        help="deselect the compiled-engine leg (only for installs without the extension)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--no-cython"):
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("cython") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def engine_params() -> list[object]:
    return [
        pytest.param(PYTHON, id="python"),
        pytest.param(CYTHON, id="cython", marks=pytest.mark.cython),
    ]


@pytest.fixture(params=engine_params(), autouse=True)
def engine(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[types.ModuleType]:
    """The engine module under test; the selector's names point at it for the test's duration."""
    module = request.param.load()
    for name in selector.ENGINE_NAMES:
        monkeypatch.setattr(selector, name, getattr(module, name))
    yield module
