"""Why was this refused: :func:`explain` asks a Flask app what a browser at an origin would get.

The preflight, when the request needs one, goes through the app as a browser's would (through
``app.test_client()``: hooks, routing, error handlers, the view when it answers OPTIONS itself);
the actual request is sent only with ``run_view=True`` (views have side effects), and is otherwise
predicted from the policy that answers it (the engine's own code, on an empty response). With
``CORS(app, edge=...)`` the preflight goes through the app's edge, which answers it before Flask
routes it when a policy covers its path (reason ``PREFLIGHT_AT_EDGE``), and under ``edge="all"``
the actual response's lines are predicted as the edge adds them, with the policies it applies in
its order (``fastcors._edge``). The responses are then judged as the Fetch standard's CORS check
and CORS-preflight fetch judge them (https://fetch.spec.whatwg.org/#cors-check,
#cors-preflight-fetch), independently of how fastcors decided: what a browser would do with the
headers the app sent.

Request values (origin, path, method, header names and values) appear in the output only escaped:
every character outside printable ASCII, and the backslash, as a Python-style escape.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from itertools import chain
from typing import Any
from urllib.parse import quote

from flask import Flask
from werkzeug.datastructures import Headers, MultiDict

from . import _engine
from ._compile import EdgeFields
from ._edge import registration_chain
from ._engine_py import ACAC, ACAH, ACAM, ACAO, _find_ctl, _is_token
from ._flask import AppState, Registration, app_state, current_request
from ._options import FASTCORS_OPTIONS, OPTION_NAMES, Merged, is_regex
from .origins import split_origin

__all__ = [
    "INFORMATIONAL",
    "REASONS",
    "Decision",
    "Explanation",
    "Reason",
    "ResponseLines",
    "escape",
    "explain",
    "unsafe_header_names",
]

#: Every reason code, in the order reasons are listed, with its meaning.
REASONS: Mapping[str, str] = {
    "ORIGIN_MALFORMED": "the Origin is not one a browser sends (scheme://host[:port] or null)",
    "NO_POLICY": "no fastcors policy answers this request (no resource, blueprint or decorator)",
    "ORIGIN_REFUSED": "the response does not allow the origin (no or another "
    "Access-Control-Allow-Origin)",
    "ORIGIN_SET_BY_VIEW": "Access-Control-Allow-Origin was set by the view or other app code, "
    "not by fastcors",
    "WILDCARD_WITH_CREDENTIALS": "Access-Control-Allow-Origin is '*', which browsers refuse for "
    "a request with credentials",
    "CREDENTIALS_NOT_ALLOWED": "the request sends credentials, the response lacks "
    "Access-Control-Allow-Credentials: true",
    "PREFLIGHT_AT_EDGE": "fastcors' edge (edge='preflight' or 'all') answered the preflight "
    "before Flask routed it, with its preflight_status",
    "PREFLIGHT_REDIRECT": "the preflight was answered with a redirect, which browsers never follow",
    "PREFLIGHT_STATUS": "the preflight was answered with a status outside 200-299",
    "METHOD_REFUSED": "the preflight's Access-Control-Allow-Methods does not allow the method",
    "HEADERS_BOUNDED": "the requested header list is over fastcors' bounds (HEADERS_BOUNDED), "
    "so no header is allowed",
    "HEADER_REFUSED": "the preflight's Access-Control-Allow-Headers does not allow a request "
    "header",
}

#: The codes that can appear on an allowed request: they explain, they do not refuse.
#: ``PREFLIGHT_AT_EDGE`` is always informational, ``ORIGIN_SET_BY_VIEW`` when the origin passes.
INFORMATIONAL = frozenset({"ORIGIN_SET_BY_VIEW", "PREFLIGHT_AT_EDGE"})

_ORDER = {code: index for index, code in enumerate(REASONS)}
_STAGES = {"request": 0, "preflight": 1, "actual": 2}


# --- escaping ---------------------------------------------------------------------------------

_ESCAPE = re.compile(r"[^\x20-\x5b\x5d-\x7e]")


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char == "\\":
        return "\\\\"
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def escape(text: str) -> str:
    """``text`` with every character outside printable ASCII, and the backslash, escaped as in a
    Python string literal (``\\x0d``, ``\\u00e9``): safe to print and to log."""
    return _ESCAPE.sub(_escape_char, text)


def _short(text: str, limit: int = 160) -> str:
    """Escaped, and cut to ``limit`` characters with the full length said (for ``str()``)."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    return f"{escaped[:limit]}... ({len(text)} characters)"


def _exception_text(exc: BaseException) -> str:
    """An exception, escaped and cut short: ``RuntimeError: message``."""
    return f"{type(exc).__name__}: {_short(str(exc), 200)}"


def _quoted(text: str, limit: int = 160) -> str:
    return f"'{_short(text, limit)}'"


# --- the Fetch standard's side ----------------------------------------------------------------

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
#: Fetch: the methods ``fetch()`` upper-cases; any other method is sent as written.
_NORMALIZED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})
#: Fetch: CORS-safelisted methods.
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
# Fetch: a CORS-unsafe request-header byte.
_UNSAFE_BYTE = re.compile(r'[\x00-\x08\x0a-\x1f"():<>?@\[\\\]{}\x7f]')
_LANGUAGE = re.compile(r"[0-9A-Za-z *,\-.;=]*")
_RANGE = re.compile(r"bytes=([0-9]+)-([0-9]*)")
_SAFELISTED_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
_HTTP_WHITESPACE = " \t\r\n"


def _ascii_lower(text: str) -> str:
    return text.translate(_ASCII_LOWER)


def _normalize_method(method: str) -> str:
    upper = method.translate(_ASCII_UPPER)
    return upper if upper in _NORMALIZED_METHODS else method


def _mime_essence(value: str) -> str | None:
    """The essence (``type/subtype``, lower-cased) of a MIME type, or None when it does not
    parse (WHATWG MIME Sniffing, "parse a MIME type", without the parameters)."""
    value = value.strip(_HTTP_WHITESPACE)
    type_, slash, rest = value.partition("/")
    if not slash or _is_token(type_) is None:
        return None
    subtype = rest.split(";", 1)[0].rstrip(_HTTP_WHITESPACE)
    if _is_token(subtype) is None:
        return None
    return _ascii_lower(f"{type_}/{subtype}")


def _safelisted_header(name: str, value: str) -> bool:
    """Fetch: whether (name, value) is a CORS-safelisted request-header (``name`` lower-cased)."""
    if len(value) > 128:
        return False
    if name == "accept":
        return _UNSAFE_BYTE.search(value) is None
    if name in ("accept-language", "content-language"):
        return _LANGUAGE.fullmatch(value) is not None
    if name == "content-type":
        if _UNSAFE_BYTE.search(value) is not None:
            return False
        return _mime_essence(value) in _SAFELISTED_CONTENT_TYPES
    if name == "range":
        match = _RANGE.fullmatch(value)
        if match is None:
            return False
        return not match[2] or int(match[1]) <= int(match[2])
    return False


def unsafe_header_names(headers: Iterable[tuple[str, str]]) -> list[str]:
    """Fetch's CORS-unsafe request-header names of a header list: the lower-cased names of the
    headers that are not CORS-safelisted (all of them when the safelisted values add up to more
    than 1024 characters), sorted, without duplicates. A browser preflights a request that has
    any, and sends them, joined with ``,``, as Access-Control-Request-Headers."""
    unsafe: list[str] = []
    maybe: list[str] = []
    size = 0
    for name, value in headers:
        lower = _ascii_lower(name)
        if _safelisted_header(lower, value):
            maybe.append(lower)
            size += len(value)
        else:
            unsafe.append(lower)
    if size > 1024:
        unsafe += maybe
    return sorted(set(unsafe))


#: Fetch: forbidden request-header names, which a page cannot set (``fetch()`` ignores them).
_FORBIDDEN_HEADERS = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",  # codespell:ignore te
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)


def _forbidden_header(name: str) -> bool:
    lower = _ascii_lower(name)
    return lower in _FORBIDDEN_HEADERS or lower.startswith(("proxy-", "sec-"))


def _list_values(lines: Sequence[tuple[str, str]], name: str) -> list[str] | None:
    """Fetch's "extracting header list values": the comma-separated values of every ``name``
    line, stripped, empty ones dropped; None when one of them is not a token (a failure, which
    fails the preflight). No line gives an empty list."""
    lowered = name.lower()
    values: list[str] = []
    for key, value in lines:
        if key.lower() != lowered:
            continue
        for piece in value.split(","):
            piece = piece.strip(" \t")
            if not piece:
                continue
            if _is_token(piece) is None:
                return None
            values.append(piece)
    return values


def _get(lines: Sequence[tuple[str, str]], name: str) -> str | None:
    """Fetch's "get": every ``name`` line's value joined with ", ", or None without one."""
    lowered = name.lower()
    found = [value for key, value in lines if key.lower() == lowered]
    return ", ".join(found) if found else None


_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}


def _origin_problem(origin: str) -> tuple[str, str | None] | None:
    """Why ``origin`` is not a serialised origin a browser sends, and a likely intended one;
    None when it is one."""
    if origin == "null":
        return None
    if not origin:
        return "it is empty", None
    if _find_ctl(origin) is not None:
        return "it contains a control character", None
    if not origin.isascii():
        return "it is not ASCII (browsers send internationalised host names in punycode)", None
    scheme_end = origin.find("://")
    if scheme_end == -1:
        return "it has no scheme (an origin is scheme://host[:port])", "https://" + origin.split(
            "/", 1
        )[0]
    rest = origin[scheme_end + 3 :]
    if any(char in rest for char in "/?#"):
        cut = len(rest)
        for char in "/?#":
            index = rest.find(char)
            if index != -1:
                cut = min(cut, index)
        return "it has a path, a query or a trailing slash", origin[: scheme_end + 3] + rest[:cut]
    parts = split_origin(origin)
    if parts is None:
        return "it is not scheme://host[:port] with a valid host and port", None
    if origin != _ascii_lower(origin):
        return "it is not in lower case", _ascii_lower(origin)
    scheme, host, port = parts
    if port is not None and _DEFAULT_PORTS.get(scheme) == port:
        return "it writes the scheme's default port out", f"{scheme}://{host}"
    return None


# --- the result -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Reason:
    """One reason code with its one-line explanation."""

    #: one of :data:`REASONS`
    code: str
    #: ``"request"`` (the request itself), ``"preflight"`` or ``"actual"`` (that response)
    stage: str
    #: the explanation, request values escaped
    text: str
    #: True when it does not refuse the request (see :data:`INFORMATIONAL`)
    informational: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "stage": self.stage,
            "text": self.text,
            "informational": self.informational,
        }


@dataclasses.dataclass(frozen=True)
class Decision:
    """What decided: which registration, and each resolved option with where it came from."""

    #: ``"CORS"`` (a ``CORS(app)``/``init_app`` call), ``"CORS(blueprint)"`` or ``"cross_origin"``
    kind: str
    #: ``CORS``: its index among the app's ``CORS`` registrations, in order (0 first)
    registration: int | None
    #: ``CORS(blueprint)``: the blueprint's name
    blueprint: str | None
    #: ``cross_origin``: the view's endpoint
    endpoint: str | None
    #: ``CORS`` and ``CORS(blueprint)``: the resource pattern that matched the path
    resource: str | None
    #: option name -> (value, source): ``"default"``, ``"keyword arguments"``,
    #: ``"app.config['CORS_...']"``, ``"resources['...']"`` or ``"cross_origin() keyword arguments"``
    options: Mapping[str, tuple[Any, str]]

    def describe(self) -> str:
        """A short name: ``CORS #0, resource '/api/*'``."""
        if self.kind == "cross_origin":
            return f"cross_origin on view {_quoted(self.endpoint or '')}"
        name = (
            f"CORS #{self.registration}"
            if self.kind == "CORS"
            else f"CORS(blueprint) {_quoted(self.blueprint or '')}"
        )
        return f"{name}, resource {_quoted(self.resource or '')}"

    def option(self, name: str) -> str:
        """``name=value (from source)``, for messages."""
        if name not in self.options:
            return name
        value, source = self.options[name]
        where = "" if source == "default" else f" (from {source})"
        return f"{name}={_short(repr(value), 120)}{where}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "registration": self.registration,
            "blueprint": self.blueprint,
            "endpoint": self.endpoint,
            "resource": self.resource,
            "options": {
                name: {"value": jsonable(value), "source": source}
                for name, (value, source) in self.options.items()
            },
        }


@dataclasses.dataclass(frozen=True)
class ResponseLines:
    """The CORS lines of one response: ``Access-Control-*``, ``Vary`` and ``X-CORS-Refusal``, in
    order, exactly as the app sent them (or as fastcors would add them, when predicted)."""

    #: ``"sent"`` (the app answered a real request) or ``"predicted"`` (from the policy)
    source: str
    #: the status the app answered with; None when predicted
    status: int | None
    lines: tuple[tuple[str, str], ...]
    #: a redirect's Location
    location: str | None = None
    #: the exception the app raised (escaped), when it raised instead of answering
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": self.status,
            "lines": [[escape(name), escape(value)] for name, value in self.lines],
            "location": None if self.location is None else escape(self.location),
            "error": self.error,
        }


@dataclasses.dataclass(frozen=True)
class Explanation:
    """What a browser at ``origin`` would get from the app for one request, and why.

    ``str()`` gives a short readable report, :meth:`to_dict` a JSON-safe one.
    """

    #: whether a browser at the origin could read the response (the Fetch CORS check, after a
    #: successful CORS-preflight fetch when the request needs one)
    allowed: bool
    #: whether the browser sends a preflight first (a method or a header that is not safelisted)
    preflight: bool
    #: what decided the actual request (None: no fastcors policy answers it)
    policy: Decision | None
    #: the reasons, in the order of :data:`REASONS` (then request, preflight, actual)
    reasons: tuple[Reason, ...]
    #: ``"preflight"`` and ``"actual"``: the CORS lines of each response (None: not sent, or not
    #: needed)
    headers: Mapping[str, ResponseLines | None]
    origin: str
    path: str
    method: str
    request_headers: tuple[tuple[str, str], ...]
    credentials: bool
    run_view: bool
    #: the URL rule and endpoint the actual request routes to (None: no route)
    rule: str | None = None
    endpoint: str | None = None
    #: without a rule: the status of Flask's routing error (404, 405, or a 308 redirect)
    route_status: int | None = None
    #: the names among ``request_headers`` that a page cannot set (Fetch's forbidden request
    #: headers, such as Cookie or Origin): left out, as ``fetch()`` leaves them out
    ignored_headers: tuple[str, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in order."""
        return tuple(reason.code for reason in self.reasons)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (see the documentation for its shape); request values escaped."""
        return {
            "allowed": self.allowed,
            "preflight": self.preflight,
            "request": {
                "origin": escape(self.origin),
                "path": escape(self.path),
                "method": escape(self.method),
                "headers": [[escape(n), escape(v)] for n, v in self.request_headers],
                "credentials": self.credentials,
                "run_view": self.run_view,
                "ignored_headers": [escape(name) for name in self.ignored_headers],
            },
            "route": {"rule": self.rule, "endpoint": self.endpoint, "status": self.route_status},
            "policy": None if self.policy is None else self.policy.to_dict(),
            "reasons": [reason.to_dict() for reason in self.reasons],
            "headers": {
                stage: None if lines is None else lines.to_dict()
                for stage, lines in self.headers.items()
            },
        }

    def __str__(self) -> str:
        verdict = "ALLOWED" if self.allowed else "REFUSED"
        out = [
            f"{verdict}: {_short(self.method, 40)} {_quoted(self.path, 120)} from origin "
            f"{_quoted(self.origin, 120)}{' with credentials' if self.credentials else ''}",
        ]
        if self.request_headers:
            shown = ", ".join(_quoted(name, 40) for name, _ in self.request_headers[:8])
            more = len(self.request_headers) - 8
            out.append(f"request headers: {shown}{f' and {more} more' if more > 0 else ''}")
        if self.ignored_headers:
            shown = ", ".join(_quoted(name, 40) for name in self.ignored_headers[:8])
            out.append(f"ignored (a page cannot set them): {shown}")
        route = (
            f"rule {_quoted(self.rule)} (endpoint {_quoted(self.endpoint or '')})"
            if self.rule is not None
            else f"no rule for this method and path ({self.route_status or 404})"
        )
        out.append(f"route: {route}")
        out.append(f"preflight: {'yes' if self.preflight else 'no (a simple request)'}")
        if self.policy is None:
            out.append("policy: none")
        else:
            out.append(f"policy: {self.policy.describe()}")
            for name, (value, source) in self.policy.options.items():
                if source != "default" and name != "resources":
                    out.append(f"  {name} = {_short(repr(value), 100)}  ({source})")
        for stage in ("preflight", "actual"):
            lines = self.headers.get(stage)
            if lines is None:
                if stage == "actual" and self.preflight and not self.allowed:
                    out.append("actual response: not sent (the preflight failed)")
                continue
            how = (
                f"sent through the app, status {lines.status}"
                if lines.source == "sent"
                else (
                    "predicted from the policy; run_view=True sends it"
                    if lines.error is None
                    else f"predicted: the app raised {lines.error}"
                )
            )
            out.append(f"{stage} response, {how}:")
            for name, value in lines.lines:
                out.append(f"  {_short(name, 60)}: {_short(value, 200)}")
            if not lines.lines:
                out.append("  (no CORS headers)")
        if self.reasons:
            out.append("reasons:")
            for reason in self.reasons:
                note = ", informational" if reason.informational else ""
                out.append(f"  {reason.code} ({reason.stage}{note}): {reason.text}")
        return "\n".join(out)


def jsonable(value: Any) -> Any:
    """An option value as JSON: None, bools, numbers and strings as they are, lists and dicts
    item by item, a timedelta as seconds, anything else (a compiled pattern, a Wildcard, a check)
    as its repr()."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Mapping):
        return {
            (key if isinstance(key, str) else repr(getattr(key, "pattern", key))): jsonable(item)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((jsonable(item) for item in value), key=repr)
    return repr(value)


# --- asking the app ---------------------------------------------------------------------------

_OPTION_ORDER = (*OPTION_NAMES, *FASTCORS_OPTIONS)


def _options(merged: Merged) -> dict[str, tuple[Any, str]]:
    return {
        name: (merged.options[name], merged.sources.get(name, "default"))
        for name in _OPTION_ORDER
        if name in merged.options
    }


def _resource_text(key: Any) -> str:
    return str(key.pattern) if isinstance(key, re.Pattern) else str(key)


def _resource_matches(key: Any, path: str) -> bool:
    if isinstance(key, re.Pattern):
        return key.match(path) is not None
    text = ".*" if key == "*" else str(key)
    if not is_regex(text):
        return text == path
    try:
        return re.match(text, path) is not None
    except re.error:
        return False


def _resource_of(record: Registration, policy: Any, path: str) -> tuple[Any, Merged]:
    """The resource (pattern and merged options) of ``record`` whose policy answered ``path``."""
    found = None
    for key, merged, candidate in record.resolved.resources:
        if candidate is not policy:
            continue
        if _resource_matches(key, path):
            return key, merged
        if found is None:
            found = (key, merged)
    if found is not None:
        return found
    return "", record.resolved.merged


def _cors_lines(headers: Any) -> tuple[tuple[str, str], ...]:
    if isinstance(headers, Headers):
        lines: Iterable[tuple[Any, Any]] = headers.items()
    elif isinstance(headers, MultiDict):
        lines = headers.items(multi=True)
    else:
        lines = dict(headers).items()
    return tuple(
        (str(name), str(value))
        for name, value in lines
        if str(name).lower().startswith("access-control-")
        or str(name).lower() in ("vary", "x-cors-refusal")
    )


@dataclasses.dataclass
class _Route:
    """How the app routes one request, and what of fastcors answers it."""

    rule: str | None
    endpoint: str | None
    #: the path as the app routed it (what resources match)
    path: str
    #: the decorator's state for this app when its view runs for this request
    view: Any
    #: the fastcors registrations, in the order Flask runs their after-request functions (or the
    #: edge applies them), with the blueprint name they run under (None: the app's)
    hooks: list[tuple[Registration, str | None]]
    #: what decided, and its engine policy
    decision: Decision | None
    policy: Any
    #: the CORS lines fastcors adds to an empty response (with the view, and without it)
    predicted: tuple[tuple[str, str], ...]
    predicted_without_view: tuple[tuple[str, str], ...]
    #: the decorator's options could not be resolved (escaped)
    error: str | None = None
    #: the app has some fastcors configuration (a registration or a decorated view)
    configured: bool = True
    #: when no rule matches: the status of Flask's routing error (404, 405, 308), else None
    status: int | None = None
    #: the app's edge (``"preflight"`` or ``"all"``) when it answers this request, a preflight,
    #: before Flask routes it; else None
    edge: str | None = None
    #: the status of that answer (the app's ``preflight_status``)
    edge_status: int | None = None


def _the_view_rule(environ: Mapping[str, Any]) -> int:
    """The router of :func:`_edge_table`'s table: the request's rule, which is the view's."""
    return 0


def _edge_table(
    state: AppState, chain: Sequence[tuple[Registration, str | None]], view_policy: Any
) -> Any:
    """An engine ``EdgeTable`` that answers one request as the app's edge answers it: with
    ``chain`` (see :func:`_edge_chain`), or with ``view_policy`` (a ``cross_origin`` view's) for
    a preflight Flask would dispatch to that view. Made for explain alone: the app's own edge and
    its routing cache are left untouched."""
    return _engine.EdgeTable(
        EdgeFields(
            app_chain=tuple(record.resolved.table for record, _ in chain),
            rule_chains={},
            rule_views={} if view_policy is None else {0: view_policy},
            route=None if view_policy is None else _the_view_rule,
            base=(),  # (the edge's Content-Length: 0 of a 200, which is no CORS line)
            all_responses=state.edge == "all",
            status=str(state.edge_status),
        )
    )


def _is_preflight(environ: Mapping[str, Any], method: str) -> bool:
    """Whether the edge takes a request for a CORS preflight (``Edge.__call__``'s test)."""
    return (
        method == "OPTIONS"
        and environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD") is not None
        and environ.get("HTTP_ORIGIN") is not None
    )


def _decide(
    hooks: Sequence[tuple[Registration, str | None]], path: str, origin: str
) -> tuple[Decision | None, Any]:
    """Which of ``hooks`` (in the order they run) answers ``path``, and its policy: the first
    whose policy admits ``origin`` (the later ones leave its answer alone), else the first with a
    policy for the path."""
    first = None
    for record, name in hooks:
        candidate = record.resolved.table.lookup(path)
        if candidate is None:
            continue
        if first is None:
            first = (record, name, candidate)
        if candidate.evaluate(origin, "GET", None, None, None) is not None:
            first = (record, name, candidate)
            break
    if first is None:
        return None, None
    record, name, policy = first
    key, merged = _resource_of(record, policy, path)
    decision = Decision(
        record.kind,
        record.number if record.kind == "CORS" else None,
        name if name is not None else record.blueprint,
        None,
        _resource_text(key),
        _options(merged),
    )
    return decision, policy


def _route(app: Flask, url: str, method: str, environ: dict[str, str], origin: str) -> _Route:
    """What of fastcors answers ``method url`` sent with ``environ`` (whose Origin is
    ``origin``): the after-request functions, in the order Flask runs them; or the app's edge,
    for the preflights it answers and (``edge="all"``) for every other response, with the
    policies it applies in the order it applies them (``fastcors._edge``)."""
    state = app_state(app)
    mode = state.edge if state.edge in ("preflight", "all") else None
    with app.test_request_context(url, method=method, environ_overrides=environ):
        req = current_request()
        rule = req.url_rule
        endpoint = req.endpoint if rule is not None else None
        path = req.path
        view = None
        error = None
        view_func = app.view_functions.get(endpoint) if endpoint is not None else None
        resolve = getattr(view_func, "fastcors_resolve", None)
        runs = rule is not None and not (
            req.method == "OPTIONS" and getattr(rule, "provide_automatic_options", False)
        )
        if callable(resolve) and runs:
            try:
                view = resolve(app)
            except Exception as exc:
                error = _exception_text(exc)

        edge = None
        hooks: list[tuple[Registration, str | None]] = []
        predicted: tuple[tuple[str, str], ...] = ()
        without_view: tuple[tuple[str, str], ...] = ()
        if mode is not None:
            hooks = registration_chain(app, state, endpoint)
            if _is_preflight(req.environ, req.method):
                # A decorated view Flask would dispatch the preflight to answers it at the edge
                # (its rule declares OPTIONS, without Flask's automatic answer: `runs` above).
                table = _edge_table(state, hooks, None if view is None else view.policy)
                try:
                    lines = table.preflight(req.environ)
                except Exception:  # (a failing origin check is refused by the engine already)
                    lines = None
                if lines is not None:
                    edge = mode
                    predicted = without_view = _cors_lines(lines)
        if edge is None and mode == "all":
            # Flask answers; the view leaves its policy in the environ, and the edge adds the
            # lines of that policy, or else of the chain, at start_response.
            table = _edge_table(state, hooks, None)
            predicted = _predict_at_edge(table, req.environ, view)
            without_view = _predict_at_edge(table, req.environ, None)
        elif edge is None:
            hooks = []
            by_hook = {record.hook: record for record in state.records}
            for name in chain(req.blueprints, (None,)):
                for func in reversed(app.after_request_funcs.get(name, ())):
                    record = by_hook.get(func)
                    if record is not None:
                        hooks.append((record, name))
            predicted = _predict(app, req, view, hooks)
            without_view = _predict(app, req, None, hooks)

        decision: Decision | None
        if view is not None and view.merged is not None:
            policy = view.policy
            decision = Decision("cross_origin", None, None, endpoint, None, _options(view.merged))
        else:
            decision, policy = _decide(hooks, path, origin)

        return _Route(
            rule=None if rule is None else str(rule.rule),
            endpoint=endpoint,
            path=path,
            view=view,
            hooks=hooks,
            decision=decision,
            policy=policy,
            predicted=predicted,
            predicted_without_view=without_view,
            error=error,
            configured=bool(state.records or state.views or callable(resolve)),
            status=getattr(req.routing_exception, "code", None),
            edge=edge,
            edge_status=None if edge is None else state.edge_status,
        )


def _predict(
    app: Flask, req: Any, view: Any, hooks: Sequence[tuple[Registration, str | None]]
) -> tuple[tuple[str, str], ...]:
    """The CORS lines the view (when not None) and the after-request functions add to an empty
    response."""
    response = app.response_class()
    try:
        if view is not None:
            view.apply(view.policy, req, response)
        for record, _ in hooks:
            record.apply(record.resolved.table, req, response)
    except Exception:  # an origin check that fails is refused by the engine already
        return ()
    return _cors_lines(response.headers)


def _predict_at_edge(
    table: Any, environ: Mapping[str, Any], view: Any
) -> tuple[tuple[str, str], ...]:
    """The CORS lines the edge adds to an empty response (``edge="all"``), the view (when not
    None) having left its policy in the environ."""
    wsgi = dict(environ)
    wsgi.pop(_engine.VIEW_KEY, None)
    if view is not None:
        wsgi[_engine.VIEW_KEY] = view.policy
    lines: list[tuple[str, str]] = []
    try:
        table.response(wsgi, lines)
    except Exception:  # an origin check that fails is refused by the engine already
        return ()
    return _cors_lines(lines)


def _wsgi(value: str) -> str:
    """A request value as a WSGI server puts it in the environ: its UTF-8 bytes as Latin-1."""
    return value.encode("utf-8", "surrogatepass").decode("latin-1")


def _header_key(name: str) -> str:
    key = _ascii_lower(name).replace("-", "_").translate(_ASCII_UPPER)
    return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key


def _url(path: str) -> str:
    """``path`` as a browser puts it in the request line (percent-encoded, no fragment); of a
    whole URL, its path and query."""
    path = path.split("#", 1)[0]
    scheme = path.find("://")
    if scheme > 0 and "/" not in path[:scheme]:
        slash = path.find("/", scheme + 3)
        path = "/" if slash == -1 else path[slash:]
    path, question, query = path.partition("?")
    safe = "/!$&'()*+,;=:@-._~%[]|^"
    encoded = quote(path, safe=safe, errors="surrogatepass")
    if not encoded.startswith("/"):
        encoded = "/" + encoded
    if question:
        encoded += "?" + quote(query, safe=safe + "?/", errors="surrogatepass")
    return encoded


def _send(app: Flask, url: str, method: str, environ: dict[str, str]) -> ResponseLines:
    client = app.test_client()
    response = client.open(url, method=method, environ_overrides=environ)
    try:
        lines = _cors_lines(response.headers)
        location = response.headers.get("Location")
        return ResponseLines("sent", int(response.status_code), lines, location)
    finally:
        response.close()


# --- judging the responses --------------------------------------------------------------------


class _Judge:
    """Collects the reasons while the responses are checked as a browser checks them."""

    def __init__(self, origin: str, method: str, credentials: bool) -> None:
        self.origin = origin
        self.wire_origin = _wsgi(origin)
        self.method = method
        self.credentials = credentials
        self.reasons: list[Reason] = []

    def add(self, code: str, stage: str, text: str, informational: bool = False) -> None:
        self.reasons.append(Reason(code, stage, text, informational))

    def cors_check(self, stage: str, response: ResponseLines, route: _Route) -> bool:
        """Fetch's CORS check, with the reasons when it fails."""
        lines = response.lines
        origins = [value for name, value in lines if name.lower() == ACAO.lower()]
        decision = route.decision
        if not origins:
            if decision is None:
                if route.error is not None:
                    why = f"the view's cross_origin options do not resolve: {route.error}"
                elif not route.configured:
                    why = "fastcors is not set up on this app (no CORS, no cross_origin view)"
                else:
                    why = (
                        f"no CORS registration's resources match path {_quoted(route.path)} "
                        f"and the view has no cross_origin"
                    )
                self.add("NO_POLICY", stage, f"no fastcors policy answers this request: {why}.")
            elif (
                route.policy is not None
                and self.wire_origin
                and route.policy.origin_allowed(self.wire_origin)
            ):
                self.add(
                    "ORIGIN_REFUSED",
                    stage,
                    f"the response has no {ACAO} although {decision.describe()} admits "
                    f"{_quoted(self.origin)}: another after-request function or the view "
                    f"removed it, or the response was never finished by Flask.",
                )
            else:
                self.add(
                    "ORIGIN_REFUSED",
                    stage,
                    f"{_quoted(self.origin)} is not among the origins of {decision.describe()}: "
                    f"{decision.option('origins')}.",
                )
            return False
        ok = True
        value = ", ".join(origins)
        fastcors_values = (
            [v for n, v in route.predicted if n.lower() == ACAO.lower()],
            [v for n, v in route.predicted_without_view if n.lower() == ACAO.lower()],
        )
        by_view = response.source == "sent" and origins not in fastcors_values
        if value == "*":
            if self.credentials:
                ok = False
                cause = (
                    f" ({decision.option('send_wildcard')})"
                    if decision is not None and not by_view
                    else ""
                )
                self.add(
                    "WILDCARD_WITH_CREDENTIALS",
                    stage,
                    f"{ACAO} is '*'{cause}, which browsers refuse for a request with "
                    f"credentials: the origin itself must be echoed.",
                )
        elif value != self.wire_origin:
            ok = False
            several = " (several lines)" if len(origins) > 1 else ""
            self.add(
                "ORIGIN_REFUSED",
                stage,
                f"{ACAO} is {_quoted(value)}{several}, not the origin {_quoted(self.origin)}: "
                f"browsers require an exact match.",
            )
        if self.credentials:
            allow = _get(lines, ACAC)
            if allow != "true":
                ok = False
                cause = (
                    f" ({decision.option('supports_credentials')})" if decision is not None else ""
                )
                found = "none" if allow is None else _quoted(allow)
                self.add(
                    "CREDENTIALS_NOT_ALLOWED",
                    stage,
                    f"the request sends credentials but {ACAC} is {found}, not 'true'{cause}.",
                )
        if by_view:
            self.add(
                "ORIGIN_SET_BY_VIEW",
                stage,
                f"{ACAO}: {_quoted(value)} was not set by fastcors (the view or another "
                f"after-request function set it, and fastcors leaves such a response alone).",
                informational=ok,
            )
        return ok

    def preflight(
        self,
        response: ResponseLines,
        route: _Route,
        unsafe: list[str],
        requested: str,
    ) -> bool:
        """Fetch's CORS-preflight fetch: an ok status, the CORS check, the method, the headers."""
        ok = True
        status = response.status or 0
        if route.edge is not None and response.source == "sent" and status == route.edge_status:
            answer = "the CORS lines of " + (
                route.decision.describe() if route.decision is not None else "no policy"
            )
            self.add(
                "PREFLIGHT_AT_EDGE",
                "preflight",
                f"fastcors' edge (edge={route.edge!r}) answered the preflight with {status} "
                f"(preflight_status={route.edge_status}) and {answer}, before Flask routed it: "
                f"no before_request hook, view, error handler or after-request function ran.",
                informational=True,
            )
        if 300 <= status < 400:
            ok = False
            location = "" if response.location is None else f" to {_quoted(response.location)}"
            hint = ""
            if response.location is not None and response.location.split("?", 1)[0].endswith(
                route.path + "/"
            ):
                hint = (
                    " (Flask's strict slashes: the rule ends with '/'; request the URL with the "
                    "trailing slash)"
                )
            self.add(
                "PREFLIGHT_REDIRECT",
                "preflight",
                f"the app answered the preflight with {status}{location}{hint}; browsers never "
                f"follow a preflight's redirect.",
            )
        elif not 200 <= status < 300:
            ok = False
            self.add(
                "PREFLIGHT_STATUS",
                "preflight",
                f"the app answered the preflight with {status}: "
                f"{_status_hint(status, route, response)}",
            )
        if not self.cors_check("preflight", response, route):
            # (refused origin: no Allow-Methods or Allow-Headers either; the cause is above)
            return False
        lines = response.lines
        if self.method not in SAFELISTED_METHODS:
            methods = _list_values(lines, ACAM)
            if methods is None:
                ok = False
                self.add(
                    "METHOD_REFUSED",
                    "preflight",
                    f"{ACAM} ({_quoted(_get(lines, ACAM) or '')}) does not parse as a list of "
                    f"methods.",
                )
            elif self.method not in methods and ("*" not in methods or self.credentials):
                ok = False
                self.add("METHOD_REFUSED", "preflight", self._method_text(lines, route, methods))
        refused = []
        names = _list_values(lines, ACAH)
        if names is None:
            refused = list(unsafe)
        else:
            allowed = {_ascii_lower(name) for name in names}
            for name in unsafe:
                if name in allowed:
                    continue
                if "*" in allowed and not self.credentials and name != "authorization":
                    continue
                refused.append(name)
        if refused:
            ok = False
            if route.decision is not None and (
                len(requested) > _engine.MAX_REQUEST_HEADERS_LENGTH
                or requested.count(",") >= _engine.MAX_REQUEST_HEADERS_PIECES
            ):
                self.add(
                    "HEADERS_BOUNDED",
                    "preflight",
                    f"the browser sends Access-Control-Request-Headers of {len(requested)} "
                    f"characters and {requested.count(',') + 1} names; fastcors answers a value "
                    f"over {_engine.MAX_REQUEST_HEADERS_LENGTH} characters or "
                    f"{_engine.MAX_REQUEST_HEADERS_PIECES} comma-separated pieces with no "
                    f"{ACAH} at all.",
                )
            else:
                self.add("HEADER_REFUSED", "preflight", self._header_text(lines, route, refused))
        return ok

    def _method_text(
        self, lines: Sequence[tuple[str, str]], route: _Route, methods: list[str]
    ) -> str:
        sent = _get(lines, ACAM)
        text = (
            f"{_quoted(self.method)} is not in {ACAM} ({'none' if sent is None else _quoted(sent)})"
        )
        if route.decision is not None:
            text += f"; {route.decision.option('methods')}"
        if self.method.translate(_ASCII_UPPER) in {m.translate(_ASCII_UPPER) for m in methods}:
            text += (
                "; browsers upper-case only DELETE, GET, HEAD, OPTIONS, POST and PUT, and compare "
                "the method exactly, so the page must send it in upper case"
            )
        elif "*" in methods and self.credentials:
            text += "; '*' does not count for a request with credentials"
        return text + "."

    def _header_text(
        self, lines: Sequence[tuple[str, str]], route: _Route, refused: list[str]
    ) -> str:
        shown = ", ".join(_quoted(name, 60) for name in refused[:5])
        if len(refused) > 5:
            shown += f" and {len(refused) - 5} more"
        sent = _get(lines, ACAH)
        text = f"{shown} not in {ACAH} ({'none' if sent is None else _quoted(sent)})"
        decision = route.decision
        if decision is not None:
            text += f"; {decision.option('allow_headers')}"
            if (
                route.policy is not None
                and sent is None
                and not route.policy.method_allowed(self.method)
            ):
                text += (
                    f"; fastcors sends {ACAH} only when the requested method is among the "
                    f"methods ({decision.option('methods')})"
                )
        if "authorization" in refused and sent is not None and "*" in sent:
            text += "; Authorization is never covered by '*'"
        elif sent is not None and "*" in sent and self.credentials:
            text += "; '*' does not count for a request with credentials"
        return text + "."


def _status_hint(status: int, route: _Route, response: ResponseLines) -> str:
    if response.error is not None:
        return f"the app raised {response.error}."
    if status in (401, 403):
        return (
            "browsers send preflights without cookies or Authorization, so an authentication "
            "check (a before_request hook, or the view) must let OPTIONS requests through."
        )
    if status == 404:
        return "no route matches this path."
    if status == 405:
        return (
            "the route does not accept OPTIONS (automatic OPTIONS switched off and OPTIONS not "
            "among its methods)."
        )
    if status >= 500:
        return "the app failed while answering it."
    return "browsers require a status from 200 to 299."


def _normalize_headers(
    request_headers: Mapping[str, str] | Iterable[str | tuple[str, str]],
) -> list[tuple[str, str]]:
    """(name, value) pairs: from a mapping, (name, value) pairs, or strings ``"Name"`` (an empty
    value) or ``"Name: value"``."""
    items: Iterable[Any] = (
        request_headers.items() if isinstance(request_headers, Mapping) else request_headers
    )
    pairs = []
    for item in items:
        if isinstance(item, str):
            name, colon, value = item.partition(":")
            pairs.append((name.strip(" \t"), value.strip(" \t") if colon else ""))
        else:
            name, value = item
            pairs.append((str(name), str(value)))
    return pairs


def explain(
    app: Flask,
    origin: str,
    path: str,
    *,
    method: str = "GET",
    request_headers: Mapping[str, str] | Iterable[str | tuple[str, str]] = (),
    credentials: bool = False,
    run_view: bool = False,
) -> Explanation:
    """Explain whether a browser at ``origin`` could read the app's response to ``method path``.

    :param app: the Flask app (its CORS configuration must be in place: after ``CORS(app)``).
    :param origin: the page's origin, as a browser sends it (``https://app.example.com``).
    :param path: the path requested, with an optional query string.
    :param method: the request method; as ``fetch()`` does, DELETE, GET, HEAD, OPTIONS, POST and
        PUT are upper-cased and any other method is sent as written.
    :param request_headers: the headers the page's script sets: a mapping, (name, value) pairs, or
        strings ``"Name: value"`` or ``"Name"`` (an empty value). The browser's own headers need
        not be listed; those a page cannot set (``Cookie``, ``Origin``, ``Sec-*``...) are ignored,
        as ``fetch()`` ignores them. A header that is not CORS-safelisted makes the request
        preflighted.
    :param credentials: the request is sent with credentials (``fetch(..., {credentials:
        "include"})``, ``XMLHttpRequest.withCredentials``).
    :param run_view: also send the actual request through the app (its view runs, with whatever
        side effects it has); otherwise its CORS headers are predicted from the policy.
    :return: an :class:`Explanation`. It never raises on the request values, whatever they hold.
    """
    if not isinstance(origin, str) or not isinstance(path, str) or not isinstance(method, str):
        raise TypeError("explain(): origin, path and method must be strings")
    method = _normalize_method(method)
    given = _normalize_headers(request_headers)
    headers = [(name, value) for name, value in given if not _forbidden_header(name)]
    ignored = tuple(name for name, _ in given if _forbidden_header(name))
    judge = _Judge(origin, method, bool(credentials))

    problem = _origin_problem(origin)
    if problem is not None:
        why, meant = problem
        did_you_mean = f"; did you mean {_quoted(meant)}?" if meant else "."
        judge.add(
            "ORIGIN_MALFORMED",
            "request",
            f"{_quoted(origin)} is not an origin a browser sends (scheme://host[:port] in lower "
            f"case, or null): {why}{did_you_mean}",
        )
    if _is_token(method) is None:
        judge.add(
            "METHOD_REFUSED",
            "request",
            f"{_quoted(method)} is not an HTTP method token: browsers refuse to send it.",
        )

    unsafe = unsafe_header_names(headers)
    needs_preflight = method not in SAFELISTED_METHODS or bool(unsafe)
    requested = ",".join(unsafe)
    url = _url(path)
    base = {"HTTP_ORIGIN": _wsgi(origin)}

    preflight_lines: ResponseLines | None = None
    preflight_route: _Route | None = None
    preflight_ok = True
    if needs_preflight:
        environ = {
            **base,
            "HTTP_ACCEPT": "*/*",
            "HTTP_ACCESS_CONTROL_REQUEST_METHOD": _wsgi(method),
        }
        if unsafe:
            environ["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = _wsgi(requested)
        route = preflight_route = _route(app, url, "OPTIONS", environ, _wsgi(origin))
        try:
            preflight_lines = _send(app, url, "OPTIONS", environ)
        except Exception as exc:
            preflight_lines = ResponseLines(
                "predicted", 500, route.predicted, None, _exception_text(exc)
            )
        preflight_ok = judge.preflight(preflight_lines, route, unsafe, requested)

    environ = dict(base)
    for name, value in headers:
        environ[_header_key(name)] = _wsgi(value)
    route = _route(app, url, method if _is_token(method) else "GET", environ, _wsgi(origin))
    actual_lines: ResponseLines | None = None
    actual_ok = False
    if preflight_ok:
        if run_view:
            try:
                actual_lines = _send(app, url, method, environ)
            except Exception as exc:
                actual_lines = ResponseLines(
                    "predicted", None, route.predicted, None, _exception_text(exc)
                )
        else:
            actual_lines = ResponseLines("predicted", None, route.predicted)
        actual_ok = judge.cors_check("actual", actual_lines, route)

    reasons = sorted(
        judge.reasons, key=lambda r: (_ORDER.get(r.code, len(_ORDER)), _STAGES.get(r.stage, 3))
    )
    allowed = (
        problem is None
        and preflight_ok
        and actual_ok
        and not any(not reason.informational for reason in reasons)
    )
    return Explanation(
        allowed=allowed,
        preflight=needs_preflight,
        policy=(
            route.decision
            if route.decision is not None or preflight_route is None
            else preflight_route.decision
        ),
        reasons=tuple(reasons),
        headers={"preflight": preflight_lines, "actual": actual_lines},
        origin=origin,
        path=path,
        method=method,
        request_headers=tuple(given),
        ignored_headers=ignored,
        credentials=bool(credentials),
        run_view=bool(run_view),
        rule=route.rule,
        endpoint=route.endpoint,
        route_status=None if route.rule is not None else route.status,
    )
