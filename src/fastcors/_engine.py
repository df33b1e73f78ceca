"""Selects the CORS engine: the compiled ``_engine_c`` unless FASTCORS_NO_EXTENSIONS is set or it
cannot be imported, otherwise the pure-Python ``_engine_py``.

This is the only module that decides. The Flask layer reaches the engine through this module's
names when it compiles a configuration (never through early ``from ... import`` copies), so the test
suite can swap implementations by patching these names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._env import no_extensions

if TYPE_CHECKING:  # type checkers read the pure-Python twin, the typed reference
    from ._engine_py import MARK as MARK
    from ._engine_py import MAX_REQUEST_HEADERS_LENGTH as MAX_REQUEST_HEADERS_LENGTH
    from ._engine_py import MAX_REQUEST_HEADERS_PIECES as MAX_REQUEST_HEADERS_PIECES
    from ._engine_py import VIEW_KEY as VIEW_KEY
    from ._engine_py import Edge as Edge
    from ._engine_py import EdgeTable as EdgeTable
    from ._engine_py import Policy as Policy
    from ._engine_py import Resources as Resources
    from ._engine_py import apply as apply
    from ._engine_py import apply_policy as apply_policy

    IMPLEMENTATION: str
else:
    _impl = None
    if not no_extensions():
        try:
            from . import _engine_c as _impl
        except ImportError:  # no wheel for this platform, or built without a compiler
            _impl = None
    if _impl is None:
        from . import _engine_py as _impl

        IMPLEMENTATION = "python"
    else:
        IMPLEMENTATION = "cython"

    MARK = _impl.MARK
    MAX_REQUEST_HEADERS_LENGTH = _impl.MAX_REQUEST_HEADERS_LENGTH
    MAX_REQUEST_HEADERS_PIECES = _impl.MAX_REQUEST_HEADERS_PIECES
    Policy = _impl.Policy
    Resources = _impl.Resources
    VIEW_KEY = _impl.VIEW_KEY
    Edge = _impl.Edge
    EdgeTable = _impl.EdgeTable
    apply = _impl.apply
    apply_policy = _impl.apply_policy

#: The names the Flask layer uses; a swap replaces exactly these.
ENGINE_NAMES = ("Policy", "Resources", "apply", "apply_policy", "Edge", "EdgeTable", "VIEW_KEY")
