"""Type stub for the compiled engine (``_engine_c.pyx``).

The compiled engine is the Cython twin of ``_engine_py``: same names, same signatures, same
results (tests/test_engine_parity.py holds both to that). So the stub declares nothing of its own:
it re-exports the pure-Python twin, which is the typed reference, and cannot drift from it.
"""

from ._engine_py import *  # noqa: F403
from ._engine_py import __all__ as __all__
