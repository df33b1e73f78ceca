"""The CORS engine in pure Python: the executable specification of fastcors' hot path.

It reads as the per-request rules of SPEC.md, in their order:

1. a response that already carries ``Access-Control-Allow-Origin``, or that the decorator handled,
   is left alone (:func:`_add_headers`);
2. the first resource matching the path as Flask routed it answers (:meth:`Resources.lookup`);
3. the allowed origin (:meth:`Policy.allowed_origin`, :meth:`Policy.origin_allowed`);
4. the headers every allowed request gets, and 5. those of a preflight (:meth:`Policy.evaluate`,
   :meth:`Policy.allow_headers`);
6. ``Vary: Origin`` (:func:`_add_headers`);
7. control characters never match (:meth:`Policy.origin_allowed`, :meth:`Policy.allow_headers`).

Everything here runs per request and looks only at what the request brings: every decision the
configuration alone can make was made when :mod:`fastcors._compile` built the :class:`Policy` and
:class:`Resources` objects. ``_engine_c.pyx`` is the compiled twin: same names, same signatures,
same results (``tests/test_engine_parity.py`` holds them to that). Nothing here mutates shared
state, so one policy can serve any number of threads.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from werkzeug.datastructures import Headers, MultiDict

from .origins import split_origin

if TYPE_CHECKING:
    from ._compile import EdgeFields, PolicyFields, ResourceTable

__all__ = [
    "ACAC",
    "ACAH",
    "ACAM",
    "ACAO",
    "ACAPN",
    "ACEH",
    "ACMA",
    "MARK",
    "MAX_REQUEST_HEADERS_LENGTH",
    "MAX_REQUEST_HEADERS_PIECES",
    "VIEW_KEY",
    "Edge",
    "EdgeTable",
    "Policy",
    "Resources",
    "apply",
    "apply_policy",
    "request_method",
    "routed_path",
]

ACAO = "Access-Control-Allow-Origin"
ACEH = "Access-Control-Expose-Headers"
ACAC = "Access-Control-Allow-Credentials"
ACAPN = "Access-Control-Allow-Private-Network"
ACAH = "Access-Control-Allow-Headers"
ACMA = "Access-Control-Max-Age"
ACAM = "Access-Control-Allow-Methods"

#: Attribute the decorator sets on a response it handled; the extension leaves such responses alone.
MARK = "_fastcors_evaluated"

#: HEADERS_BOUNDED: longer Access-Control-Request-Headers values get no Allow-Headers at all.
MAX_REQUEST_HEADERS_LENGTH = 4096
#: HEADERS_BOUNDED: values splitting on "," into more pieces (empty ones included) get none either.
MAX_REQUEST_HEADERS_PIECES = 64

_ACAO_LOWER = ACAO.lower()
_VARY_ORIGIN = ("Vary", "Origin")
_PN = "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"

# RFC 9110 token: 1*tchar.
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_is_token = re.compile(_TOKEN).fullmatch
# A comma list of tokens with optional spaces and tabs around each, no empty piece.
_is_token_list = re.compile(rf"[ \t]*{_TOKEN}(?:[ \t]*,[ \t]*{_TOKEN})*[ \t]*").fullmatch
# What browsers send (Fetch: lower-cased names joined with ",") has only token characters and
# commas; a search for any other character is cheaper than a full match (no match object).
_find_not_token_or_comma = re.compile(r"[^!#$%&'*+\-.^_`|~0-9A-Za-z,]").search
# RFC 5234 CTL: NUL through US, and DEL.
_find_ctl = re.compile(r"[\x00-\x1f\x7f]").search


class _Request(Protocol):
    path: str
    method: str
    environ: Mapping[str, Any]


class Policy:
    """One resource's (or one decorated view's) compiled CORS options: immutable, built once by
    :func:`fastcors._compile.compile_policy` from a :class:`fastcors._compile.PolicyFields`, in
    which the configuration layer has already derived everything (both engines take the same
    fields as they are).

    :ivar any_origin: the origins include ``*``.
    :ivar no_origin_value: the Access-Control-Allow-Origin value for requests without an Origin,
        or None for no CORS headers (already accounts for ``always_send``).
    :ivar methods: the configured methods, upper-cased (METHOD_TOKEN).
    :ivar any_header: every well-formed requested header name is allowed.
    :ivar vary: responses of this policy vary on Origin (VARY_ALL).
    """

    __slots__ = (
        "_constant",
        "_header_literals",
        "_header_patterns",
        "_origin_checks",
        "_origin_literals",
        "_origin_patterns",
        "_origin_rules",
        "_origin_suffixes",
        "_preflight",
        "_private_network_pair",
        "_suffix_lengths",
        "_wildcard_domains",
        "_wildcard_hosts",
        "_wildcard_reply",
        "any_header",
        "any_origin",
        "methods",
        "no_origin_value",
        "vary",
    )

    any_origin: bool
    no_origin_value: str | None
    methods: frozenset[str]
    any_header: bool
    vary: bool
    _wildcard_reply: bool
    _origin_literals: frozenset[str]
    _origin_rules: bool
    _origin_patterns: tuple[re.Pattern[str], ...]
    _origin_suffixes: dict[str, tuple[re.Pattern[str], ...]] | None
    _suffix_lengths: tuple[int, ...]
    _wildcard_hosts: dict[str, frozenset[str | None]]
    _wildcard_domains: dict[str, frozenset[str | None]]
    _origin_checks: tuple[Callable[[str], bool], ...]
    _constant: tuple[tuple[str, str], ...]
    _private_network_pair: tuple[str, str]
    _preflight: tuple[tuple[str, str], ...]
    _header_literals: frozenset[str]
    _header_patterns: tuple[re.Pattern[str], ...]

    def __init__(self, fields: PolicyFields) -> None:
        init = object.__setattr__
        init(self, "any_origin", fields.any_origin)
        init(self, "_wildcard_reply", fields.wildcard_reply)
        init(self, "_origin_literals", fields.origin_literals)
        init(self, "_origin_rules", fields.origin_rules)
        init(self, "_origin_patterns", fields.origin_patterns)
        init(self, "_origin_suffixes", fields.origin_suffixes)
        init(self, "_suffix_lengths", fields.suffix_lengths)
        init(self, "_wildcard_hosts", fields.wildcard_hosts)
        init(self, "_wildcard_domains", fields.wildcard_domains)
        init(self, "_origin_checks", fields.origin_checks)
        init(self, "no_origin_value", fields.no_origin_value)
        init(self, "_constant", fields.constant)
        init(self, "_private_network_pair", fields.private_network_pair)
        init(self, "methods", fields.methods)
        init(self, "_preflight", fields.preflight)
        init(self, "any_header", fields.any_header)
        init(self, "_header_literals", fields.header_literals)
        init(self, "_header_patterns", fields.header_patterns)
        init(self, "vary", fields.vary)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        return (
            f"<Policy any_origin={self.any_origin} origins={sorted(self._origin_literals)!r} "
            f"patterns={[p.pattern for p in self._origin_patterns]!r} vary={self.vary}>"
        )

    def origin_allowed(self, origin: str) -> bool:
        """Whether a (non-empty) Origin value is allowed, by the first rule that admits it: a
        literal equal to it ignoring case; ``*``; a pattern matching all of it
        (ORIGIN_FULLMATCH); a :class:`~fastcors.Wildcard`; an :class:`~fastcors.OriginCheck`
        (asked last, so only about origins nothing else admits). A value with a control character
        is never allowed (rule 7; the literals were checked for them when compiled)."""
        literals = self._origin_literals
        if literals and (origin in literals or origin.casefold() in literals):
            return True
        if not self._origin_rules:  # (no wildcard, pattern, Wildcard or check: only literals)
            return False
        if not origin.isprintable() and _find_ctl(origin) is not None:
            return False
        if self.any_origin:
            return True
        for pattern in self._candidate_patterns(origin):
            if pattern.fullmatch(origin) is not None:
                return True
        if (self._wildcard_hosts or self._wildcard_domains) and self._wildcard_allows(origin):
            return True
        for check in self._origin_checks:
            if check(origin):
                return True
        return False

    def _wildcard_allows(self, origin: str) -> bool:
        """Whether a Wildcard admits ``origin``: its scheme and host equal an exact wildcard's
        ``scheme://host``, or its host minus one or more leading labels equals a ``*.``
        wildcard's; and its port is the wildcard's (``*``: any port, or none). A dictionary
        lookup per label of the Origin's host, however many wildcards there are."""
        parts = split_origin(origin)
        if parts is None:
            return False
        scheme, host, port = parts
        ports = self._wildcard_hosts.get(f"{scheme}://{host}")
        if ports is not None and ("*" in ports or port in ports):
            return True
        if self._wildcard_domains:
            dot = host.find(".")
            while dot != -1:
                ports = self._wildcard_domains.get(f"{scheme}://{host[dot + 1 :]}")
                if ports is not None and ("*" in ports or port in ports):
                    return True
                dot = host.find(".", dot + 1)
        return False

    def _candidate_patterns(self, origin: str) -> Sequence[re.Pattern[str]]:
        """The origin patterns that can match ``origin``: with a suffix index, an ASCII Origin's
        bucket (the longest indexed suffix it ends with, ignoring case); else all of them."""
        if self._origin_suffixes is None or not origin.isascii():
            return self._origin_patterns
        lowered = origin.lower()
        size = len(lowered)
        for length in self._suffix_lengths:
            if length <= size:
                bucket = self._origin_suffixes.get(lowered[size - length :])
                if bucket is not None:
                    return bucket
        return ()

    def header_allowed(self, name: str) -> bool:
        """Whether one requested header name (already a valid token) is allowed: anything under
        ``*``, a literal equal to it ignoring case, or a pattern matching its start."""
        literals = self._header_literals
        if self.any_header or (literals and (name in literals or name.casefold() in literals)):
            return True
        for pattern in self._header_patterns:
            if pattern.match(name) is not None:
                return True
        return False

    def allow_headers(self, value: str | None) -> str | None:
        """The Access-Control-Allow-Headers value for an Access-Control-Request-Headers value.

        HEADERS_BOUNDED: over 4096 characters or over 64 comma-separated pieces gives None; pieces
        are stripped of spaces and tabs, and empty or non-token pieces are dropped (so a name with
        a control character never matches). The allowed names are returned as sent, sorted,
        joined with ", "; None when there are none.
        """
        if not value or len(value) > MAX_REQUEST_HEADERS_LENGTH:
            return None
        if value.count(",") >= MAX_REQUEST_HEADERS_PIECES:
            return None
        if _find_not_token_or_comma(value) is None:
            # What browsers send (tokens and commas only): the non-empty pieces are the names.
            tokens = [name for name in value.split(",") if name]
        elif _is_token_list(value) is not None:
            # Tokens with spaces or tabs around them, no empty piece.
            tokens = value.replace(" ", "").replace("\t", "").split(",")
        else:
            pieces = [piece.strip(" \t") for piece in value.split(",")]
            tokens = [name for name in pieces if name and _is_token(name) is not None]
        names = tokens if self.any_header else [n for n in tokens if self.header_allowed(n)]
        if not names:
            return None
        names.sort()
        return ", ".join(names)

    def evaluate(
        self,
        origin: str | None,
        method: str,
        request_method: str | None,
        request_headers: str | None,
        request_private_network: str | None,
    ) -> list[tuple[str, str]] | None:
        """The CORS header pairs for one request, in Flask-CORS's order, without Vary.

        :param origin: the Origin header, or None.
        :param method: the request method (upper-case, as Werkzeug gives it).
        :param request_method: Access-Control-Request-Method, or None.
        :param request_headers: Access-Control-Request-Headers, or None.
        :param request_private_network: Access-Control-Request-Private-Network, or None.
        :return: the pairs to append, or None when no origin is allowed (no CORS headers).
        """
        # Rule 3: the allowed origin, or no CORS headers at all.
        allowed: str | None
        if not origin:
            allowed = self.no_origin_value
            if allowed is None:
                return None
        elif self._wildcard_reply:
            allowed = "*"
        elif (
            origin in self._origin_literals
            or (self.any_origin and origin.isprintable())
            or self.origin_allowed(origin)
        ):
            # (the first two tests are origin_allowed's answer, without a call, for the usual
            # hits: an exact literal, and "*" with a value that has no control character)
            allowed = origin
        else:
            return None
        # Rules 4 and 5.
        pairs = [(ACAO, allowed)]
        if self._constant:
            pairs.extend(self._constant)
        if request_private_network == "true":
            pairs.append(self._private_network_pair)
        if method == "OPTIONS" and self.method_allowed(request_method):
            names = self.allow_headers(request_headers)
            if names is not None:
                pairs.append((ACAH, names))
            pairs.extend(self._preflight)
        return pairs

    def method_allowed(self, request_method: str | None) -> bool:
        """Whether a preflight's Access-Control-Request-Method is one of the methods: the value as
        received, upper-cased and not trimmed (METHOD_TOKEN)."""
        if not request_method:
            return False
        return request_method.upper() in self.methods


class Resources:
    """The compiled ``resources`` of one ``CORS`` registration: which policy answers which path,
    from a :class:`fastcors._compile.ResourceTable`.

    ``literals`` maps each literal resource path to the policy of the first resource (in resource
    order) matching that exact path. ``buckets`` maps a literal prefix to the (pattern, policy)
    pairs, in resource order, of every pattern resource whose own literal prefix is a prefix of
    that key; a path is looked up in the bucket of the longest key it starts with (``lengths``,
    longest first), so only patterns that can match it are tried. A pattern of None matches every
    path that reaches it (``/*``, ``/api/.*``). ``default`` is the policy of a table whose only
    pattern is such a catch-all.
    """

    __slots__ = ("_buckets", "_default", "_lengths", "_literals")

    _literals: dict[str, Policy]
    _buckets: dict[str, tuple[tuple[re.Pattern[str] | None, Policy], ...]]
    _lengths: tuple[int, ...]
    _default: Policy | None

    def __init__(self, table: ResourceTable) -> None:
        init = object.__setattr__
        init(self, "_literals", table.literals)
        init(self, "_buckets", table.buckets)
        init(self, "_lengths", table.lengths)
        init(self, "_default", table.default)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def lookup(self, path: str) -> Policy | None:
        """The policy of the first resource matching ``path`` (PATH_ONCE: as routed), or None: an
        exact literal path, else the catch-all when it is the only pattern, else the first
        pattern of the bucket of the longest indexed prefix the path starts with."""
        policy = self._literals.get(path)
        if policy is not None:
            return policy
        if self._default is not None:
            return self._default
        size = len(path)
        for length in self._lengths:
            if length <= size:
                candidates = self._buckets.get(path[:length])
                if candidates is not None:
                    for pattern, candidate in candidates:
                        if pattern is None or pattern.match(path) is not None:
                            return candidate
                    return None
        return None


def _lists_origin(value: str) -> bool:
    """Whether one Vary field value lists ``Origin`` or ``*``."""
    for token in value.split(","):
        token = token.strip(" \t").lower()
        if token == "origin" or token == "*":
            return True
    return False


def _header_lines(headers: Any) -> list[tuple[str, str]] | None:
    """The line list of a Werkzeug ``Headers`` (or subclass), or None for any other kind of
    headers object.

    Werkzeug keeps a response's header lines as a list of (name, value) tuples; reading and
    extending it directly skips ``Headers``' per-call key normalisation and value validation,
    which cost more than the CORS decision itself. Every value fastcors adds is valid: a CORS
    value never holds a control character.
    """
    if isinstance(headers, Headers):
        lines = getattr(headers, "_list", None)
        if type(lines) is list:
            return lines
    return None


def _add_lines(
    policy: Policy,
    environ: Mapping[str, Any],
    method: str,
    lines: list[tuple[str, str]],
    extension: bool,
) -> None:
    """Add ``policy``'s answer to a request (its WSGI ``environ`` and upper-case ``method``) to a
    response's header ``lines``: the one decision both the after-request hook and the edge make.

    Rule 1 (for the extension): lines that already carry a non-empty Access-Control-Allow-Origin
    are left alone. Rules 3 to 5: the pairs of :meth:`Policy.evaluate`, on values read from the
    environ. Rule 6 (VARY_ALL): a policy that varies on Origin adds ``Vary: Origin`` unless a Vary
    line already lists ``Origin`` or ``*``.
    """
    vary = policy.vary
    vary_listed = False
    acao_seen = not extension  # only the first Access-Control-Allow-Origin line counts
    for name, value in lines:
        # (the length test spares a lower() for the usual Content-Type and Content-Length)
        size = len(name)
        if size == 27 and not acao_seen and name.lower() == _ACAO_LOWER:
            if value:
                return
            acao_seen = True
        elif size == 4 and vary and not vary_listed and name.lower() == "vary":
            vary_listed = _lists_origin(value)
    request_method = request_headers = None
    if method == "OPTIONS":  # only preflights read these two
        request_method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
        request_headers = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
    pairs = policy.evaluate(
        environ.get("HTTP_ORIGIN"), method, request_method, request_headers, environ.get(_PN)
    )
    if pairs is not None:
        lines.extend(pairs)
    if vary and not vary_listed:
        lines.append(_VARY_ORIGIN)


def _add_headers(policy: Policy, request: _Request, response: Any, extension: bool) -> None:
    """Add ``policy``'s answer to ``request`` to the response's headers: the one way both
    ``apply`` and ``apply_policy`` write headers.

    Rule 1: a response the decorator handled is left alone. The rest is :func:`_add_lines`, on
    the response's own line list. Like Flask-CORS, a headers object that is neither ``Headers`` nor
    ``MultiDict`` (some libraries set a plain dict) becomes a ``MultiDict``, and one that keeps no
    line list gets the lines through its ``add``.
    """
    if getattr(response, MARK, False):
        return
    headers = response.headers
    lines = headers._list if type(headers) is Headers else _header_lines(headers)
    if lines is not None:
        _add_lines(policy, request.environ, request.method, lines, extension)
        return
    if not isinstance(headers, (Headers, MultiDict)):
        headers = response.headers = MultiDict(headers)
    copy = list(headers.items(multi=True))
    size = len(copy)
    _add_lines(policy, request.environ, request.method, copy, extension)
    for name, value in copy[size:]:
        headers.add(name, value)


def apply(resources: Resources, request: _Request, response: Any) -> Any:
    """The after-request work of ``CORS``: the policy of the resource matching the request's
    path adds its headers to the response (see :func:`_add_headers`). Returns the response."""
    policy = resources.lookup(request.path)
    if policy is not None:
        _add_headers(policy, request, response, True)
    return response


def apply_policy(policy: Policy, request: _Request, response: Any) -> Any:
    """The work of ``cross_origin``: add the policy's headers (unless an inner decorator already
    did) and mark the response as handled. Returns the response. Unlike ``apply``, it adds them
    even to a response that already has an Access-Control-Allow-Origin (as Flask-CORS does)."""
    _add_headers(policy, request, response, False)
    setattr(response, MARK, True)
    return response


# ---------------------------------------------------------------------------------------------
# The edge: the same decisions, made at the WSGI boundary (see fastcors._edge).

#: Where a ``cross_origin`` view, under ``edge="all"``, leaves its policy for the edge to apply.
VIEW_KEY = "fastcors.view_policy"
#: Where Werkzeug's request object puts itself (``Request(populate_request=True)``, the default).
_REQUEST_KEY = "werkzeug.request"


def routed_path(environ: Mapping[str, Any]) -> str | None:
    """``request.path`` as Werkzeug computes it from the environ (PATH_ONCE: what Flask routes):
    PATH_INFO's Latin-1 characters read back as UTF-8 bytes (invalid sequences replaced), with one
    leading slash. None when PATH_INFO is not a WSGI string (a character above U+00FF): then the
    edge leaves the request to Flask."""
    path = environ.get("PATH_INFO") or ""
    if type(path) is not str:
        return None
    if not path.isascii():
        try:
            path = path.encode("latin-1").decode("utf-8", "replace")
        except UnicodeEncodeError:
            return None
    if path[:1] == "/" and path[1:2] != "/":
        return path
    return "/" + path.lstrip("/")


def request_method(environ: Mapping[str, Any]) -> str:
    """``request.method`` as Werkzeug computes it: REQUEST_METHOD upper-cased, GET when absent."""
    method = environ.get("REQUEST_METHOD", "GET")
    if type(method) is not str:
        return ""
    return method if method.isupper() else method.upper()


class EdgeTable:
    """What the edge of one app answers with, from a :class:`fastcors._compile.EdgeFields` built
    by :mod:`fastcors._edge` on the app's first request (when its routes, blueprints and
    ``CORS`` registrations are all known).

    ``app_chain``: the ``Resources`` of the app's ``CORS(app)`` registrations in the order Flask
    would run their after-request functions (the last registered first). ``rule_chains``: per
    routed rule (by ``id``) whose blueprints have ``CORS(blueprint)`` registrations, their
    ``Resources`` (innermost blueprint first) followed by ``app_chain``. ``rule_views``: per rule
    whose ``cross_origin`` view Flask dispatches OPTIONS to, the view's ``Policy``. ``route``:
    the rule (its ``id``) Flask routes a preflight's environ to, or None when neither table has
    an entry (the path alone decides).
    """

    __slots__ = (
        "_app_chain",
        "_base",
        "_route",
        "_rule_chains",
        "_rule_views",
        "all_responses",
        "status",
    )

    _app_chain: tuple[Resources, ...]
    _rule_chains: dict[int, tuple[Resources, ...]]
    _rule_views: dict[int, Policy]
    _route: Callable[[Mapping[str, Any]], int | None] | None
    _base: tuple[tuple[str, str], ...]
    all_responses: bool
    status: str

    def __init__(self, fields: EdgeFields) -> None:
        init = object.__setattr__
        init(self, "_app_chain", fields.app_chain)
        init(self, "_rule_chains", fields.rule_chains)
        init(self, "_rule_views", fields.rule_views)
        init(self, "_route", fields.route)
        init(self, "_base", fields.base)
        init(self, "all_responses", fields.all_responses)
        init(self, "status", fields.status)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def preflight(self, environ: Mapping[str, Any]) -> list[tuple[str, str]] | None:
        """The header lines of the edge's answer to a CORS preflight, or None when no fastcors
        policy covers its path (then Flask answers it). The lines are those the after-request
        hooks would add to Flask's own OPTIONS answer: the policy of the ``cross_origin`` view
        Flask would dispatch it to, else each registration in the order Flask runs them."""
        path = routed_path(environ)
        if path is None:
            return None
        chain = self._app_chain
        if self._route is not None:
            rule = self._route(environ)
            if rule is not None:
                view = self._rule_views.get(rule)
                if view is not None:
                    lines = list(self._base)
                    _add_lines(view, environ, "OPTIONS", lines, False)
                    return lines
                chain = self._rule_chains.get(rule, chain)
        answer = None
        for resources in chain:
            policy = resources.lookup(path)
            if policy is not None:
                if answer is None:
                    answer = list(self._base)
                _add_lines(policy, environ, "OPTIONS", answer, True)
        return answer

    def response(self, environ: Mapping[str, Any], lines: list[tuple[str, str]]) -> None:
        """Add the CORS lines of an actual response (``edge="all"``) to its WSGI header ``lines``,
        after Flask is done: the policy a ``cross_origin`` view left in the environ, else each
        registration of the rule Flask routed the request to, in the order Flask runs them."""
        method = request_method(environ)
        view = environ.get(VIEW_KEY)
        if view is not None:
            _add_lines(view, environ, method, lines, False)
            return
        path = routed_path(environ)
        if path is None:
            return
        chain = self._app_chain
        if self._rule_chains:
            rule = getattr(environ.get(_REQUEST_KEY), "url_rule", None)
            if rule is not None:
                chain = self._rule_chains.get(id(rule), chain)
        for resources in chain:
            policy = resources.lookup(path)
            if policy is not None:
                _add_lines(policy, environ, method, lines, True)


class _StartResponse:
    """The ``start_response`` the app gets under ``edge="all"``: adds the CORS lines to the
    headers, then calls the server's."""

    __slots__ = ("_environ", "_start_response", "_table")

    def __init__(self, table: EdgeTable, environ: Any, start_response: Callable[..., Any]) -> None:
        self._table = table
        self._environ = environ
        self._start_response = start_response

    def __call__(self, status: str, headers: Any, exc_info: Any = None) -> Any:
        lines = headers if type(headers) is list else list(headers)
        self._table.response(self._environ, lines)
        if exc_info is None:
            return self._start_response(status, lines)
        return self._start_response(status, lines, exc_info)


class Edge:
    """The WSGI middleware ``CORS(app, edge=...)`` puts around ``app.wsgi_app``.

    A CORS preflight (OPTIONS with an Origin and an Access-Control-Request-Method) whose path a
    fastcors policy covers is answered here, before Flask routes it; with ``edge="all"`` every
    other response gets its CORS lines in ``start_response``. Everything else passes through
    untouched: the environ (``wsgi.input`` included), ``exc_info``, and the app's iterable, which
    is returned as it is, so the server closes it. ``build`` makes the :class:`EdgeTable`'s
    fields on the first request.
    """

    __slots__ = ("_build", "_lock", "_table", "wsgi_app")

    def __init__(self, wsgi_app: Callable[..., Any], build: Callable[[], Any]) -> None:
        self.wsgi_app = wsgi_app
        self._build = build
        self._table: EdgeTable | None = None
        self._lock = threading.Lock()

    @property
    def table(self) -> EdgeTable:
        """The edge's table, built on first use."""
        table = self._table
        if table is None:
            with self._lock:
                table = self._table
                if table is None:
                    table = self._table = EdgeTable(self._build())
        return table

    def __call__(self, environ: Any, start_response: Callable[..., Any]) -> Any:
        table = self._table
        if table is None:
            table = self.table
        if (
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD") is not None
            and environ.get("HTTP_ORIGIN") is not None
            and request_method(environ) == "OPTIONS"
        ):
            lines = table.preflight(environ)
            if lines is not None:
                start_response(table.status, lines)
                return []
        if table.all_responses:
            return self.wsgi_app(environ, _StartResponse(table, environ, start_response))
        return self.wsgi_app(environ, start_response)
