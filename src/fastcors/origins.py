"""Origins beyond strings: :class:`Wildcard` (subdomains and ports without regular expressions)
and :class:`OriginCheck` (an allow-list decided at run time).

Both go wherever an origin string goes (``origins=`` of ``CORS``, ``init_app``, a resource dict,
``cross_origin``, a ``CORS_ORIGINS`` list), alone or mixed with literal strings and patterns. No
string changes meaning: only these types are new.
"""

from __future__ import annotations

import inspect
import ipaddress
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

__all__ = ["MAX_ORIGIN_LENGTH", "OriginCheck", "Wildcard", "split_origin", "valid_ipv6"]

LOG = logging.getLogger("fastcors")

#: Longer Origin values are never a serialised origin here (a DNS name is at most 253 characters).
MAX_ORIGIN_LENGTH = 512

#: The ports browsers leave out of a serialised origin (they never send them).
DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443", "ftp": "21"}

_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*")
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_\-]{0,61}[a-z0-9_])?")
_IPV6 = re.compile(r"\[[0-9a-f:.]+\]")
_PORT = re.compile(r"[0-9]{1,5}")
_LABEL_SOURCE = r"[a-z0-9_](?:[a-z0-9_\-]{0,61}[a-z0-9_])?"
# scheme "://" host [":" port], lower case, as browsers serialise origins; the host a dot-separated
# name of labels (each 1 to 63 characters, no "-" at either end) or an IPv6 address in brackets.
_ORIGIN = re.compile(
    rf"([a-z][a-z0-9+.\-]*)://((?:{_LABEL_SOURCE}\.)*{_LABEL_SOURCE}|\[[0-9a-f:.]+\])"
    r"(?::([0-9]{1,5}))?"
)


def valid_ipv6(host: str) -> bool:
    """Whether ``host`` is an IPv6 address in brackets, as in a URL (``[::1]``)."""
    if _IPV6.fullmatch(host) is None:
        return False
    try:
        ipaddress.IPv6Address(host[1:-1])
    except ValueError:
        return False
    return True


def _valid_host(host: str) -> bool:
    if host.startswith("["):
        return valid_ipv6(host)
    if len(host) > 253:
        return False
    return all(_LABEL.fullmatch(label) is not None for label in host.split("."))


def split_origin(origin: str) -> tuple[str, str, str | None] | None:
    """``(scheme, host, port)`` of a serialised origin (``scheme://host[:port]``), lower-cased, or
    None when ``origin`` is not one: longer than :data:`MAX_ORIGIN_LENGTH`, not ASCII, ``null``,
    with a path, query, user or empty label, or a port above 65535. ``port`` is None when the
    origin has none."""
    if len(origin) > MAX_ORIGIN_LENGTH or not origin.isascii():
        return None
    match = _ORIGIN.fullmatch(origin.lower())
    if match is None:
        return None
    scheme, host, port = match.groups()
    if host[0] == "[":
        if not valid_ipv6(host):
            return None
    elif len(host) > 253:
        return None
    if port is not None and int(port) > 65535:
        return None
    return scheme, host, port


class Wildcard:
    """An origin pattern with ``*`` where browsers' origins vary, matched without regular
    expressions: ``scheme://`` + an optional leading ``*.`` + host + an optional ``:port`` or
    ``:*``.

    - ``*.`` stands for one or more DNS labels, never for none: ``Wildcard("https://*.example.com")``
      admits ``https://a.example.com`` and ``https://a.b.example.com``, and refuses
      ``https://example.com``, ``https://aexample.com``, ``https://a.example.com.evil.net`` and
      ``http://a.example.com``.
    - ``:*`` stands for any port, and for no port: ``Wildcard("http://localhost:*")`` admits
      ``http://localhost`` and ``http://localhost:5173``. Without it the port must be the one
      written (or none).
    - It never matches ``null``. Comparison ignores case, as for every origin.

    The pattern is checked at once: every problem (a path, query or trailing slash, upper case, a
    non-ASCII host, a ``*`` anywhere else, a default port written out, ``null``, ``file:``) is
    reported together in one ``ValueError``.

    :ivar pattern: the pattern as written.
    :ivar scheme: its scheme.
    :ivar host: its host, without the ``*.``.
    :ivar subdomains: whether it starts with ``*.`` (one or more labels before ``host``).
    :ivar port: the port as written, ``"*"`` for any port, or None for no port.
    """

    __slots__ = ("host", "pattern", "port", "scheme", "subdomains")

    pattern: str
    scheme: str
    host: str
    subdomains: bool
    port: str | None

    def __init__(self, pattern: str) -> None:
        if not isinstance(pattern, str):
            raise TypeError(f"Wildcard: the pattern must be a str, not {type(pattern).__name__}")
        scheme, host, subdomains, port = _parse_wildcard(pattern)
        init = object.__setattr__
        init(self, "pattern", pattern)
        init(self, "scheme", scheme)
        init(self, "host", host)
        init(self, "subdomains", subdomains)
        init(self, "port", port)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Wildcard is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Wildcard is immutable")

    def __repr__(self) -> str:
        return f"Wildcard({self.pattern!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Wildcard) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash((Wildcard, self.pattern))

    @property
    def key(self) -> str:
        """``scheme://host``: what an origin's scheme and host (or, for ``*.``, one of the host's
        proper suffixes after a dot) must equal."""
        return f"{self.scheme}://{self.host}"

    def matches(self, origin: str) -> bool:
        """Whether ``origin`` (an Origin header value) is admitted by this wildcard alone."""
        parts = split_origin(origin)
        if parts is None:
            return False
        scheme, host, port = parts
        if scheme != self.scheme:
            return False
        if self.subdomains:
            if not host.endswith("." + self.host) or host.startswith("["):
                return False
        elif host != self.host:
            return False
        return self.port == "*" or port == self.port


def _parse_wildcard(pattern: str) -> tuple[str, str, bool, str | None]:
    """Check a wildcard pattern; (scheme, host, subdomains, port), or ValueError with every
    problem found."""
    problems: list[str] = []
    text = pattern
    if text.strip().lower() == "null":
        raise ValueError(
            f"fastcors.Wildcard({pattern!r}): 'null' is not a wildcard (it is the Origin of "
            "sandboxed and file: documents); allow it with the literal 'null' if you must."
        )
    if text != text.strip():
        problems.append("it has spaces around it")
        text = text.strip()
    if text.lower() != text:
        problems.append(f"it has upper case: origins are compared in lower case ({text.lower()!r})")
        text = text.lower()
    scheme, sep, rest = text.partition("://")
    if not sep:
        if text.startswith("file:"):
            problems.append("file: documents send the Origin 'null', never a file: origin")
        else:
            problems.append("it has no scheme: write 'https://' (or 'http://') first")
        scheme, rest = "", text
    elif scheme == "file":
        problems.append("file: documents send the Origin 'null', never a file: origin")
    elif "*" in scheme:
        problems.append("a '*' in the scheme: write each scheme out (one Wildcard per scheme)")
    elif _SCHEME.fullmatch(scheme) is None:
        problems.append(f"{scheme!r} is not a URL scheme")
    for mark, what in (("#", "a fragment"), ("?", "a query")):
        if mark in rest:
            problems.append(f"it has {what}: an origin is only scheme://host[:port]")
            rest = rest.split(mark, 1)[0]
    if "/" in rest:
        authority, _, path = rest.partition("/")
        if path:
            problems.append("it has a path: an origin is only scheme://host[:port]")
        else:
            problems.append("it has a trailing slash: browsers send origins without one")
        rest = authority
    if "@" in rest:
        problems.append("it has user information ('@'): an origin is only scheme://host[:port]")
        rest = rest.rsplit("@", 1)[1]
    host, port = rest, None
    if host.startswith("["):
        close = host.find("]")
        if close != -1 and host[close + 1 : close + 2] == ":":
            host, port = host[: close + 1], host[close + 2 :]
    elif ":" in host:
        host, port = host.rsplit(":", 1)
    subdomains = host.startswith("*.")
    if subdomains:
        host = host[2:]
    if "*" in host:
        problems.append(
            "a '*' is only allowed as the whole first label ('https://*.example.com') or as "
            "the port (':*')"
        )
        host = host.replace("*", "x")
    if not host.isascii():
        try:
            ascii_form = host.encode("idna").decode("ascii")
        except UnicodeError:
            ascii_form = ""
        hint = f" ({ascii_form!r})" if ascii_form else ""
        problems.append(
            "its host is not ASCII: browsers send the IDNA (punycode) form of a domain" + hint
        )
    elif not host:
        problems.append("it has no host")
    elif subdomains and host.startswith("["):
        problems.append("'*.' cannot stand before an IP address")
    elif not _valid_host(host):
        problems.append(f"{host!r} is not a host name (labels of letters, digits and '-')")
    if port is not None:
        if port == "*":
            pass
        elif _PORT.fullmatch(port) is None or int(port) > 65535:
            problems.append(f"{port!r} is not a port (digits up to 65535, or '*' for any)")
        elif DEFAULT_PORTS.get(scheme) == str(int(port)):
            problems.append(
                f"it writes out {scheme}'s default port {port}: browsers never send it, so the "
                f"pattern would never match (leave it out)"
            )
        elif port != str(int(port)):
            problems.append(f"port {port!r} has a leading zero: browsers send {str(int(port))!r}")
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise ValueError(
            f"fastcors.Wildcard({pattern!r}) is not a valid origin wildcard:\n{listed}"
        )
    return scheme, host, subdomains, port


class OriginCheck:
    """An allow-list decided at run time: ``check(origin) -> bool`` is asked about Origins that
    no literal, :class:`Wildcard` or pattern of the same policy admits.

    - ``check`` is called only with a syntactically valid serialised origin
      (``scheme://host[:port]``, ASCII, at most :data:`MAX_ORIGIN_LENGTH` characters; never
      ``null`` unless ``allow_null=True``), at most once per request.
    - It fails closed: an exception or a result that is not a ``bool`` refuses the origin. The
      exception is logged once per exception type, under the ``fastcors`` logger, with ``%r``;
      nothing reaches Flask.
    - ``cache_ttl`` (seconds) keeps both answers, per exact origin, for that long, in a bounded
      (least recently used, ``cache_size`` entries) thread-safe cache that invalid origins never
      fill; :meth:`invalidate` forgets one origin or all. Without ``cache_ttl`` every request asks.
    - An ``async def`` check works (run through the app's ``ensure_sync``), at the cost of an
      event loop per call: a start-up warning says so.
    - A policy with a check varies on Origin; with ``supports_credentials`` an admitted origin is
      echoed with ``Access-Control-Allow-Credentials: true``; a check never produces ``*``.

    A bare callable in ``origins`` means ``OriginCheck(callable)``.
    """

    __slots__ = (
        "_cache",
        "_call",
        "_failures",
        "_lock",
        "allow_null",
        "cache_size",
        "cache_ttl",
        "check",
        "is_async",
    )

    def __init__(
        self,
        check: Callable[[str], Any],
        *,
        cache_ttl: float | None = None,
        cache_size: int = 1024,
        allow_null: bool = False,
    ) -> None:
        if not callable(check):
            raise TypeError(f"OriginCheck: {check!r} is not callable")
        if cache_ttl is not None and (isinstance(cache_ttl, bool) or not cache_ttl > 0):
            raise ValueError(
                f"OriginCheck: cache_ttl must be a positive number of seconds or None, not {cache_ttl!r}"
            )
        if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 1:
            raise ValueError(f"OriginCheck: cache_size must be a positive int, not {cache_size!r}")
        self.check = check
        self.cache_ttl = cache_ttl
        self.cache_size = cache_size
        self.allow_null = bool(allow_null)
        call = check
        if not inspect.iscoroutinefunction(check) and not inspect.isfunction(check):
            # A callable object: Flask's ensure_sync recognises an async __call__ only as such.
            method = getattr(check, "__call__", None)  # noqa: B004
            if inspect.iscoroutinefunction(method):
                call = method
        self._call: Callable[[str], Any] = call
        self.is_async = inspect.iscoroutinefunction(call)
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, tuple[float, bool]] = OrderedDict()
        self._failures: set[type[BaseException] | str] = set()

    def __repr__(self) -> str:
        return f"OriginCheck({self.check!r}, cache_ttl={self.cache_ttl!r})"

    def accepts(self, origin: str) -> bool:
        """Whether the check admits ``origin`` (an Origin header value): False for a value that is
        not a serialised origin (the check is not asked), else the cached or fresh answer."""
        if self.cache_ttl is not None:
            # Only valid origins are ever cached: a hit needs no other test.
            now = time.monotonic()
            with self._lock:
                entry = self._cache.get(origin)
                if entry is not None:
                    if entry[0] > now:
                        self._cache.move_to_end(origin)
                        return entry[1]
                    del self._cache[origin]
        if origin.casefold() == "null":
            if not self.allow_null:
                return False
        elif split_origin(origin) is None:
            return False
        if self.cache_ttl is None:
            return self._ask(origin)
        answer = self._ask(origin)
        with self._lock:
            self._cache[origin] = (now + self.cache_ttl, answer)
            self._cache.move_to_end(origin)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return answer

    __call__ = accepts

    def invalidate(self, origin: str | None = None) -> None:
        """Forget the cached answer for ``origin``, or every cached answer."""
        with self._lock:
            if origin is None:
                self._cache.clear()
            else:
                self._cache.pop(origin, None)

    def _ask(self, origin: str) -> bool:
        try:
            if self.is_async:
                from flask import current_app

                result = current_app.ensure_sync(self._call)(origin)
            else:
                result = self._call(origin)
        except Exception as exc:  # fail closed, whatever the check raised
            self._log_once(type(exc), "raised %r, so the origin is refused", exc)
            return False
        if type(result) is not bool:
            self._log_once(
                "<non-bool>", "returned %r, not a bool, so the origin is refused", type(result)
            )
            return False
        return result

    def _log_once(self, key: type[BaseException] | str, message: str, value: object) -> None:
        with self._lock:
            if key in self._failures:
                return
            self._failures.add(key)
        LOG.error("fastcors: origin check %r " + message + " (logged once)", self.check, value)
