"""An independent oracle for :class:`fastcors.origins.Wildcard`, written from the specification
(issue 17) alone, without fastcors' code: no regular expressions of the implementation, no
``split_origin``.

A pattern is given as its parts (:class:`PatternParts`), an origin as the Origin header value. The
origin is parsed here with :func:`urllib.parse.urlsplit` plus explicit checks, and host names are
compared as lists of DNS labels from the right:

- the scheme must be equal (case ignored);
- without ``*.`` the labels must be equal; with ``*.`` the origin must have at least one more label
  and its rightmost labels must equal the pattern's (``*.`` is one or more labels, never none);
- port ``*`` admits any port and no port; no port admits only an origin without a port; a number
  admits only that port;
- ``null`` and anything that is not ``scheme://host[:port]`` (path, query, fragment, user
  information, spaces, control characters, non-ASCII, an empty label, a port above 65535) is
  never admitted.
"""

from __future__ import annotations

import dataclasses
import string
from urllib.parse import urlsplit

__all__ = ["PatternParts", "oracle_matches", "parse_origin"]

_LABEL_CHARS = frozenset(string.ascii_lowercase + string.digits + "-_")
_SCHEME_CHARS = frozenset(string.ascii_lowercase + string.digits + "+-.")
#: The longest Origin value considered at all (the spec's bounded length; generous here).
_MAX_LENGTH = 512


@dataclasses.dataclass(frozen=True)
class PatternParts:
    """``scheme://`` + (``*.`` if ``subdomains``) + ``".".join(labels)`` + (``:port``)."""

    scheme: str
    labels: tuple[str, ...]
    subdomains: bool
    port: str | None  # None (no port), "*" (any port, or none) or digits

    def pattern(self) -> str:
        text = f"{self.scheme}://{'*.' if self.subdomains else ''}{'.'.join(self.labels)}"
        return text if self.port is None else f"{text}:{self.port}"


def _is_label(label: str) -> bool:
    return (
        0 < len(label) <= 63
        and set(label) <= _LABEL_CHARS
        and not label.startswith("-")
        and not label.endswith("-")
    )


def parse_origin(origin: str) -> tuple[str, tuple[str, ...], int | None] | None:
    """``(scheme, labels, port)`` of a serialised origin (lower-cased), or None if it is not one."""
    if not isinstance(origin, str) or len(origin) > _MAX_LENGTH or not origin.isascii():
        return None
    text = origin.lower()
    if text == "null" or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        return None
    if "://" not in text:
        return None
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unbalanced or invalid bracketed (IPv6) host
        return None
    if parts.path or parts.query or parts.fragment or "?" in text or "#" in text:
        return None
    scheme, netloc = parts.scheme, parts.netloc
    if not scheme or not scheme[0].isalpha() or not set(scheme) <= _SCHEME_CHARS:
        return None
    if text != f"{scheme}://{netloc}" or "@" in netloc or not netloc:
        return None
    host, colon, port_text = netloc.rpartition(":")
    if not colon:
        host, port_text = netloc, ""
    port: int | None = None
    if colon:
        if not port_text or not port_text.isdigit() or len(port_text) > 5:
            return None
        port = int(port_text)
        if port > 65535:
            return None
    if host.startswith("["):
        # An IPv6 literal: never under a DNS name, so a single opaque "label".
        if not host.endswith("]"):
            return None
        return scheme, (host,), port
    labels = tuple(host.split("."))
    if len(host) > 253 or not all(_is_label(label) for label in labels):
        return None
    return scheme, labels, port


def oracle_matches(pattern: PatternParts, origin: str) -> bool:
    """Whether the specification says the wildcard ``pattern`` admits ``origin``."""
    parsed = parse_origin(origin)
    if parsed is None:
        return False
    scheme, labels, port = parsed
    if scheme != pattern.scheme:
        return False
    wanted = pattern.labels
    if pattern.subdomains:
        if len(labels) <= len(wanted) or labels[-len(wanted) :] != wanted:
            return False
        if any(label.startswith("[") for label in labels):
            return False
    elif labels != wanted:
        return False
    if pattern.port == "*":
        return True
    if pattern.port is None:
        return port is None
    return port is not None and port == int(pattern.port)
