"""The option model: names, defaults, the four locations merged, and the value helpers.

Precedence, highest first: resource options > keyword arguments (``init_app``'s over the
constructor's) > the app's ``CORS_*`` config > defaults. :func:`merge` records, per option, which
location supplied it (for diagnostics). The helpers read option values as Flask-CORS does: which
strings are regexes, which are the wildcard, how a value becomes a list or a header string.
Compiling merged options into engine objects is :mod:`fastcors._compile`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

__all__ = [
    "ALL_METHODS",
    "DEFAULTS",
    "FASTCORS_OPTIONS",
    "KNOWN_OPTIONS",
    "OPTION_NAMES",
    "Layer",
    "Merged",
    "as_list",
    "config_layer",
    "entry_pattern",
    "flexible_str",
    "is_regex",
    "is_wildcard",
    "merge",
]

ALL_METHODS = ("GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE")

#: Flask-CORS's option names, in its order; app config keys are "CORS_" + name.upper().
OPTION_NAMES = (
    "origins",
    "methods",
    "allow_headers",
    "expose_headers",
    "supports_credentials",
    "max_age",
    "send_wildcard",
    "automatic_options",
    "vary_header",
    "resources",
    "intercept_exceptions",
    "always_send",
    "allow_private_network",
)
#: Options only fastcors has.
FASTCORS_OPTIONS = ("strict", "debug_refusals", "edge", "preflight_status")
KNOWN_OPTIONS = frozenset(OPTION_NAMES + FASTCORS_OPTIONS)

DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {
        "origins": "*",
        "methods": list(ALL_METHODS),
        "allow_headers": "*",
        "expose_headers": None,
        "supports_credentials": False,
        "max_age": None,
        "send_wildcard": False,
        "automatic_options": True,
        "vary_header": True,
        "resources": r"/*",
        "intercept_exceptions": True,
        "always_send": True,
        "allow_private_network": False,
        "strict": False,
        "debug_refusals": False,
        "edge": False,
        "preflight_status": 200,
    }
)

# Flask-CORS treats a string as a regular expression when it holds any of these characters.
_REGEX_CHARS = frozenset("*\\]?$^[()")
# The origins/allow_headers entries that stand for "any".
_WILDCARDS = frozenset({"*", ".*"})


class Layer(NamedTuple):
    """One location's options and a human name for where they came from."""

    options: Mapping[str, Any]
    where: str


class Merged(NamedTuple):
    """Merged options plus, per option, the location that supplied it."""

    options: dict[str, Any]
    sources: dict[str, str]


def config_layer(config: Mapping[str, Any]) -> Layer:
    """The ``CORS_*`` keys of an app's config that are set (a value of None counts as unset)."""
    found = {}
    for name in OPTION_NAMES + FASTCORS_OPTIONS:
        value = config.get("CORS_" + name.upper())
        if value is not None:
            found[name] = value
    return Layer(found, "app.config")


def merge(*layers: Layer) -> Merged:
    """Defaults, then each layer in turn (later layers win)."""
    options = dict(DEFAULTS)
    sources = dict.fromkeys(DEFAULTS, "default")
    for layer in layers:
        for name, value in layer.options.items():
            options[name] = value
            sources[name] = (
                f"app.config[{'CORS_' + name.upper()!r}]"
                if layer.where == "app.config"
                else layer.where
            )
    return Merged(options, sources)


def is_regex(value: str) -> bool:
    """Flask-CORS's rule for telling a regex string from a literal one."""
    return not _REGEX_CHARS.isdisjoint(value)


def is_wildcard(value: str) -> bool:
    """Whether an origins or allow_headers string is the wildcard (``*``, or its regex ``.*``)."""
    return value in _WILDCARDS


def entry_pattern(value: str) -> re.Pattern[str] | None:
    """An origins or allow_headers regex string compiled as Flask-CORS matches it (ignoring case);
    None for an invalid one, which never matches."""
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error:
        return None


def as_list(value: Any) -> list[Any]:
    """A string or any non-iterable becomes a one-item list; other iterables are listed."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def flexible_str(value: Any) -> str | None:
    """Flask-CORS's serialisation of methods and expose_headers: None stays None, a non-string
    iterable is sorted and joined with ", ", anything else becomes its str()."""
    if value is None:
        return None
    if not isinstance(value, str) and isinstance(value, Iterable):
        return ", ".join(str(item) for item in sorted(value))
    return str(value)
