"""The one parser for fastcors' environment flags.

This module has no imports from the package (or from Flask), because ``setup.py`` loads it by
file path inside an isolated build environment: the rule that decides whether the extension is
built is, character for character, the rule that decides whether it is imported.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

NO_EXTENSIONS_VAR = "FASTCORS_NO_EXTENSIONS"

_TRUE = frozenset({"1", "true", "yes", "on"})


def flag(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """Return True when the variable is set to 1/true/yes/on (any case, spaces ignored).

    Unset, empty, "0", "false", "no", "off" and anything else mean False.
    """
    value = (os.environ if environ is None else environ).get(name, "")
    return value.strip().lower() in _TRUE


def no_extensions(environ: Mapping[str, str] | None = None) -> bool:
    """True when FASTCORS_NO_EXTENSIONS asks for the pure-Python engine."""
    return flag(NO_EXTENSIONS_VAR, environ)
