"""``debug_refusals``: an ``X-CORS-Refusal`` header on refused requests, for development.

Used only by registrations whose options switch ``debug_refusals`` on: they register these
wrappers around the engine's ``apply``/``apply_policy`` instead of the engine functions themselves,
so the default path is untouched. The header carries reason codes only (the codes of
:mod:`fastcors.explain`), never anything the request sent.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from . import _engine
from ._engine_py import _is_token

__all__ = ["REFUSAL_HEADER", "refusal_codes", "with_refusals", "with_refusals_policy"]

#: The response header that names why fastcors refused a request.
REFUSAL_HEADER = "X-CORS-Refusal"

_ACAO = "Access-Control-Allow-Origin"


def _requested_names(value: str) -> list[str]:
    """The well-formed header names of an Access-Control-Request-Headers value (as the engines
    read it: pieces stripped of spaces and tabs, empty and non-token pieces dropped)."""
    names = []
    for piece in value.split(","):
        name = piece.strip(" \t")
        if name and _is_token(name) is not None:
            names.append(name)
    return names


def refusal_codes(policy: Any, request: Any, status: int) -> list[str]:
    """The reason codes for ``policy``'s answer to ``request`` (empty: nothing refused), as far as
    the server can tell: whether the Origin, the requested method and the requested headers were
    allowed, and a preflight's status (``status``). A request without Origin is not a CORS
    request and is never refused."""
    environ = request.environ
    origin = environ.get("HTTP_ORIGIN")
    if not origin:
        return []
    codes = []
    if policy.evaluate(origin, "GET", None, None, None) is None:
        codes.append("ORIGIN_REFUSED")
    request_method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
    if request.method != "OPTIONS" or request_method is None:
        return codes
    if 300 <= status < 400:
        codes.append("PREFLIGHT_REDIRECT")
    elif not 200 <= status < 300:
        codes.append("PREFLIGHT_STATUS")
    if codes and codes[0] == "ORIGIN_REFUSED":
        return codes
    if not policy.method_allowed(request_method):
        codes.append("METHOD_REFUSED")
        return codes
    requested = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
    if requested:
        if (
            len(requested) > _engine.MAX_REQUEST_HEADERS_LENGTH
            or requested.count(",") >= _engine.MAX_REQUEST_HEADERS_PIECES
        ):
            codes.append("HEADERS_BOUNDED")
        else:
            allowed = policy.allow_headers(requested)
            granted = set() if allowed is None else set(allowed.split(", "))
            if any(name not in granted for name in _requested_names(requested)):
                codes.append("HEADER_REFUSED")
    return codes


def _has_origin(response: Any) -> bool:
    try:
        return bool(response.headers.get(_ACAO))
    except Exception:  # a headers object of some other kind: let the engine deal with it
        return False


def _say(policy: Any, request: Any, response: Any) -> None:
    codes = refusal_codes(policy, request, int(getattr(response, "status_code", 200)))
    headers = response.headers
    if codes:
        headers[REFUSAL_HEADER] = ", ".join(codes)
    elif REFUSAL_HEADER in headers:
        # an earlier CORS registration refused, this one allowed: the response is not refused
        del headers[REFUSAL_HEADER]


def with_refusals(
    apply: Callable[[Any, Any, Any], Any], policies: Collection[Any]
) -> Callable[[Any, Any, Any], Any]:
    """``apply`` (the engine's, for a ``Resources``) that also says why it refused, for the
    resources whose policy is among ``policies``. A response the decorator handled or that
    already had an Access-Control-Allow-Origin is left alone, as ``apply`` leaves it."""
    mark = _engine.MARK

    def apply_and_say_why(resources: Any, request: Any, response: Any) -> Any:
        handled = getattr(response, mark, False) or _has_origin(response)
        response = apply(resources, request, response)
        if not handled:
            policy = resources.lookup(request.path)
            if policy is not None and policy in policies:
                _say(policy, request, response)
        return response

    return apply_and_say_why


def with_refusals_policy(
    apply_policy: Callable[[Any, Any, Any], Any],
) -> Callable[[Any, Any, Any], Any]:
    """``apply_policy`` (the engine's, for a ``cross_origin`` view) that also says why it refused."""
    mark = _engine.MARK

    def apply_policy_and_say_why(policy: Any, request: Any, response: Any) -> Any:
        handled = getattr(response, mark, False)
        response = apply_policy(policy, request, response)
        if not handled:
            _say(policy, request, response)
        return response

    return apply_policy_and_say_why
