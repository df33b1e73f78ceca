"""Which engine loads, checked in fresh interpreters (``python -I``: no user site, no PYTHONPATH
tricks, environment variables under the test's control)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fastcors import _env


@pytest.fixture(autouse=True)
def engine() -> None:
    """Subprocess tests pick their engine through the environment; run once, not per engine."""


PROBE = """
import json, sys
import fastcors, fastcors._engine as selector
print(json.dumps({
    "implementation": fastcors.IMPLEMENTATION,
    "policy_module": selector.Policy.__module__,
    "apply_module": getattr(selector.apply, "__module__", None),
}))
"""


def probe(**env: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k != _env.NO_EXTENSIONS_VAR}
    environ.update(env)
    src = str(Path(__import__("fastcors").__file__).resolve().parents[1])
    # -I ignores PYTHONPATH, so make the package importable the way it was imported here.
    code = f"import sys; sys.path.insert(0, {src!r})\n" + PROBE
    out = subprocess.run(
        [sys.executable, "-I", "-W", "error", "-c", code],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


@pytest.mark.cython
def test_compiled_engine_loads_by_default() -> None:
    result = probe()
    assert result == {
        "implementation": "cython",
        "policy_module": "fastcors._engine_c",
        "apply_module": "fastcors._engine_c",
    }


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on", " On "])
def test_environment_variable_forces_python(value: str) -> None:
    result = probe(FASTCORS_NO_EXTENSIONS=value)
    assert result["implementation"] == "python"
    assert result["policy_module"] == "fastcors._engine_py"


@pytest.mark.cython
@pytest.mark.parametrize("value", ["", "0", "false", "no", "off", "nope"])
def test_other_values_keep_the_compiled_engine(value: str) -> None:
    assert probe(FASTCORS_NO_EXTENSIONS=value)["implementation"] == "cython"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        ("", False),
        ("0", False),
        ("false", False),
        ("no", False),
        ("off", False),
        ("2", False),
        ("1", True),
        ("true", True),
        ("Yes", True),
        ("ON", True),
        (" 1 ", True),
    ],
)
def test_flag_parser(value: str | None, expected: bool) -> None:
    environ = {} if value is None else {_env.NO_EXTENSIONS_VAR: value}
    assert _env.no_extensions(environ) is expected


def test_public_names() -> None:
    import fastcors

    assert set(fastcors.__all__) == {
        "CORS",
        "CORSConfigWarning",
        "Explanation",
        "IMPLEMENTATION",
        "OriginCheck",
        "Wildcard",
        "__version__",
        "cross_origin",
        "explain",
    }
    namespace: dict[str, object] = {}
    exec("from fastcors import *", namespace)
    assert {
        "CORS",
        "cross_origin",
        "IMPLEMENTATION",
        "CORSConfigWarning",
        "OriginCheck",
        "Wildcard",
        "explain",
        "Explanation",
    } <= set(namespace)
    assert fastcors.IMPLEMENTATION in ("cython", "python")
    assert issubclass(fastcors.CORSConfigWarning, UserWarning)
    assert isinstance(fastcors.__version__, str)
