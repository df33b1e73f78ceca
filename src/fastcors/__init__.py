"""fastcors: a drop-in, faster and safer replacement for Flask-CORS.

``from fastcors import CORS, cross_origin`` takes Flask-CORS's options with the same precedence and
sends the same headers, except for the documented intended differences (docs/differences.md).
"""

from __future__ import annotations

from typing import Any

from ._diagnostics import CORSConfigWarning
from ._engine import IMPLEMENTATION
from .decorator import cross_origin
from .explain import Explanation, explain
from .extension import CORS
from .origins import OriginCheck, Wildcard

__all__ = [
    "CORS",
    "IMPLEMENTATION",
    "CORSConfigWarning",
    "Explanation",
    "OriginCheck",
    "Wildcard",
    "__version__",
    "cross_origin",
    "explain",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("fastcors")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
