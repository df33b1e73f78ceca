"""The edge layer alone: what ``edge="all"`` adds to an actual request, without Flask's noise.

Under ``edge="all"`` Flask does bare Flask's work (no after-request hook) and the edge, around
it, adds the CORS lines in ``start_response``. What the edge layer itself costs is a few hundred
nanoseconds, against about 50 µs of Flask: on a shared machine, the difference of two Flask apps'
minimums moves by more than that. So this also times the edge's middleware alone, for each
actual-request scenario: the contender's own engine ``Edge`` class, with the app's own edge table
(:func:`fastcors._edge.edge_fields`), around a stub WSGI app that answers exactly as the app's
Flask answered (status, header lines) and leaves in the environ what Flask left there (the
Werkzeug request object, a ``cross_origin`` view's policy), next to the stub alone, interleaved.
The difference is the edge layer's cost per request. Its answer is checked first: the same CORS
lines, in the same order, as the real app's.

It leaves out, by construction, anything the edge makes Flask do: in the ``decorator`` scenario
the ``cross_origin`` view wrapper (which, under ``edge="all"``, leaves its policy in the environ
instead of adding lines) runs inside Flask and is not in this figure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from . import scenarios
from .contenders import load_engine
from .wsgi import Reply, WSGIApp, call, runner


@dataclasses.dataclass(frozen=True)
class PreparedAlone:
    """The edge around a stub (``edge``) and the stub alone (``stub``), for one scenario."""

    scenario: scenarios.Scenario
    edge: Callable[[], None]
    stub: Callable[[], None]
    reply: Reply


def prepare_alone(prepared: scenarios.Prepared) -> PreparedAlone:
    """The edge layer of an ``edge="all"`` contender's app for one actual-request scenario, around
    a stub answering as that app's Flask did; raises :class:`scenarios.ExpectationError` unless
    it answers with the real app's CORS lines."""
    from fastcors._edge import edge_fields

    app: Any = prepared.app
    contender = prepared.contender
    if contender.edge != "all" or prepared.scenario.is_preflight:
        raise ValueError("the edge layer alone is timed for edge='all' on actual requests")
    inner: WSGIApp = app.wsgi_app.wsgi_app  # Flask's own wsgi_app, under the edge
    seen: dict[str, Any] = {}

    def record(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, list(headers)
            return start_response(status, headers)

        result = inner(environ, capture)
        seen["environ"] = dict(environ)
        return result

    call(record, prepared.environ)
    left = {k: v for k, v in seen["environ"].items() if k not in prepared.environ}
    status, headers = seen["status"], tuple(seen["headers"])
    body = [b"ok"]

    def stub(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        start_response(status, list(headers))
        return body

    edge_class = load_engine(contender.engine_module or "").Edge
    edge = edge_class(stub, lambda: edge_fields(app))
    environ = {**prepared.environ, **left}
    reply = call(edge, environ)
    lines = [line for line in reply.headers if line not in headers]
    real = [line for line in prepared.reply.headers if line not in headers]
    if reply.status != prepared.reply.status or lines != real:
        raise scenarios.ExpectationError(
            f"the edge layer alone answers scenario {prepared.scenario.id!r} with status "
            f"{reply.status} and lines {lines!r}, the app with {prepared.reply.status} and "
            f"{real!r}"
        )
    return PreparedAlone(prepared.scenario, runner(edge, environ), runner(stub, environ), reply)
