"""An independent oracle: what SPEC.md says a configuration must answer, written from the SPEC text
alone, without fastcors' code (no precompilation, no combined regexes, no prefix buckets, no fast
paths). Used by the hostile-input tests, the thread and memory runs and the fuzz target
(``fuzz/fuzz_engine.py``) to compute the expected headers of a request independently of fastcors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

__all__ = [
    "ACAC",
    "ACAH",
    "ACAM",
    "ACAO",
    "ACAPN",
    "ACEH",
    "ACMA",
    "CTL",
    "TOKEN",
    "Oracle",
    "first_resource",
    "has_ctl",
    "is_token",
]

ACAO = "Access-Control-Allow-Origin"
ACEH = "Access-Control-Expose-Headers"
ACAC = "Access-Control-Allow-Credentials"
ACAPN = "Access-Control-Allow-Private-Network"
ACAH = "Access-Control-Allow-Headers"
ACMA = "Access-Control-Max-Age"
ACAM = "Access-Control-Allow-Methods"

#: RFC 9110 token.
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: RFC 5234 CTL.
CTL = re.compile(r"[\x00-\x1f\x7f]")

_DEFAULTS: Mapping[str, Any] = {
    "origins": "*",
    "methods": ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"],
    "allow_headers": "*",
    "expose_headers": None,
    "supports_credentials": False,
    "max_age": None,
    "send_wildcard": False,
    "vary_header": True,
    "always_send": True,
    "allow_private_network": False,
}
_REGEX_CHARS = set("*\\]?$^[()")
_WILDCARDS = ("*", ".*")


def is_token(value: str) -> bool:
    return TOKEN.fullmatch(value) is not None


def has_ctl(value: str) -> bool:
    return CTL.search(value) is not None


def _listed(value: Any) -> list[Any]:
    if isinstance(value, (str, re.Pattern)):
        return [value]
    return list(value)


def _is_regex(item: Any) -> bool:
    return isinstance(item, re.Pattern) or any(char in _REGEX_CHARS for char in item)


def _serialise(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return ", ".join(sorted(str(item) for item in value))


class Oracle:
    """The SPEC's answer for one set of options (defaults filled in)."""

    def __init__(self, options: Mapping[str, Any]) -> None:
        opts = {**_DEFAULTS, **options}
        self.origins = _listed(opts["origins"])
        # "*" and ".*" both mean any origin (Flask-CORS reads "*" as the regex ".*").
        self.any_origin = any(o in _WILDCARDS for o in self.origins if isinstance(o, str))
        self.send_wildcard = bool(opts["send_wildcard"])
        self.credentials = bool(opts["supports_credentials"])
        self.always_send = bool(opts["always_send"])
        self.private_network = bool(opts["allow_private_network"])
        self.allow_headers = _listed(opts["allow_headers"])
        self.expose = _serialise(opts["expose_headers"]) or None
        methods = _serialise(opts["methods"]) or ""
        self.allow_methods = methods.upper() or None
        self.methods = {m.strip() for m in methods.upper().split(",")} - {""}
        max_age = opts["max_age"]
        if isinstance(max_age, timedelta):
            max_age = str(int(max_age.total_seconds()))  # a string: timedelta(0) sends "0"
        self.max_age = str(max_age) if max_age else None
        self.varies = (
            bool(opts["vary_header"])
            and (len(self.origins) > 1 or any(_is_regex(o) for o in self.origins))
            and not (self.any_origin and self.send_wildcard)
        )

    # Origins ----------------------------------------------------------------------------------

    def origin_allowed(self, origin: str) -> bool:
        """ORIGIN_FULLMATCH, case-insensitive; rule 7: a control character never matches."""
        if has_ctl(origin):
            return False
        for item in self.origins:
            if isinstance(item, str) and item in _WILDCARDS:
                return True
            if isinstance(item, re.Pattern):
                if item.fullmatch(origin):
                    return True
            elif _is_regex(item):
                try:
                    if re.fullmatch(item, origin, re.IGNORECASE):
                        return True
                except re.error:
                    continue
            elif item.casefold() == origin.casefold():
                return True
        return False

    def allowed_origin_value(self, origin: str | None) -> str | None:
        """The Access-Control-Allow-Origin value (step 3), or None for no CORS headers."""
        if origin:
            if self.any_origin and self.send_wildcard:
                return "*"
            return origin if self.origin_allowed(origin) else None
        if not self.always_send:
            return None
        if self.any_origin:
            return None if self.credentials else "*"
        literals = [o for o in self.origins if not _is_regex(o)]
        return min(literals) if literals else None

    # Headers ----------------------------------------------------------------------------------

    def header_allowed(self, name: str) -> bool:
        for item in self.allow_headers:
            if isinstance(item, str) and item in _WILDCARDS:
                return True
            if isinstance(item, re.Pattern):
                if item.match(name):
                    return True
            elif _is_regex(item):
                try:
                    if re.match(item, name, re.IGNORECASE):
                        return True
                except re.error:  # an invalid pattern matches nothing
                    continue
            elif item.casefold() == name.casefold():
                return True
        return False

    def allow_headers_value(self, requested: str | None) -> str | None:
        """HEADERS_BOUNDED."""
        if not requested or len(requested) > 4096 or len(requested.split(",")) > 64:
            return None
        names = [piece.strip(" \t") for piece in requested.split(",")]
        kept = sorted(n for n in names if n and is_token(n) and self.header_allowed(n))
        return ", ".join(kept) or None

    # A whole request ----------------------------------------------------------------------------

    def pairs(
        self,
        origin: str | None,
        method: str,
        request_method: str | None,
        request_headers: str | None,
        request_private_network: str | None,
    ) -> list[tuple[str, str]] | None:
        """The CORS lines (without Vary) of SPEC "Per request" steps 3 to 5."""
        allowed = self.allowed_origin_value(origin)
        if allowed is None:
            return None
        out = [(ACAO, allowed)]
        if self.expose:
            out.append((ACEH, self.expose))
        if self.credentials:
            out.append((ACAC, "true"))
        if request_private_network == "true":
            out.append((ACAPN, "true" if self.private_network else "false"))
        if method == "OPTIONS" and request_method and request_method.upper() in self.methods:
            names = self.allow_headers_value(request_headers)
            if names is not None:
                out.append((ACAH, names))
            if self.max_age:
                out.append((ACMA, self.max_age))
            if self.allow_methods:
                out.append((ACAM, self.allow_methods))
        return out

    def lines(
        self,
        origin: str | None,
        method: str,
        request_method: str | None = None,
        request_headers: str | None = None,
        request_private_network: str | None = None,
    ) -> list[tuple[str, str]]:
        """Every CORS line the extension adds to a plain response, Vary included (VARY_ALL)."""
        out = self.pairs(origin, method, request_method, request_headers, request_private_network)
        return (out or []) + ([("Vary", "Origin")] if self.varies else [])


def _resource_text(key: Any) -> str:
    if isinstance(key, re.Pattern):
        return str(key.pattern)
    return ".*" if key == "*" else str(key)


def first_resource(keys: Iterable[Any], path: str) -> Any:
    """RESOURCE_ORDER and PATH_ONCE: the first resource key (in SPEC order) matching ``path``
    exactly as routed, or None. Invalid regexes match nothing."""
    listed = list(keys)

    def order(index: int) -> tuple[int, int, int, int]:
        text = _resource_text(listed[index])
        kind = 1 if _is_regex(listed[index]) or _is_regex(text) else 0
        return (kind, -text.count("/"), -len(text), index)

    for index in sorted(range(len(listed)), key=order):
        key = listed[index]
        text = _resource_text(key)
        if not (isinstance(key, re.Pattern) or _is_regex(text)):
            if text == path:
                return key
            continue
        try:
            if (key if isinstance(key, re.Pattern) else re.compile(text)).match(path):
                return key
        except re.error:
            continue
    return None
