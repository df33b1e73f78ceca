"""The ``cross_origin`` view decorator."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from functools import update_wrapper
from typing import Any, TypeVar

from flask import Flask

from . import _engine
from ._diagnostics import report
from ._edge import defer_to_edge, refuse_app_wide
from ._flask import app_state, current_flask_app, current_request, default_options_response
from ._options import Layer, Merged
from ._refusals import with_refusals_policy
from ._registration import check_own_options, register_policy

__all__ = ["cross_origin"]

F = TypeVar("F", bound=Callable[..., Any])

_WHERE = "cross_origin() keyword arguments"
#: Where a view leaves its policy for the edge (the same key in both engines).
_VIEW_KEY: str = _engine.VIEW_KEY


class _AddedOptions(str):
    """The "OPTIONS" the decorator adds to a route's methods.

    Werkzeug upper-cases a rule's methods; this string stays itself, so at request time the rule
    tells an OPTIONS the route declared (a plain str) from the one only the decorator added.
    """

    __slots__ = ()

    def upper(self) -> str:
        return self


_ADDED_OPTIONS = _AddedOptions("OPTIONS")


def _route_declares_options(req: Any) -> bool:
    methods = getattr(req.url_rule, "methods", None) or ()
    for method in methods:
        if method == "OPTIONS":
            return type(method) is not _AddedOptions
    return False


class _View:
    """A decorator's options resolved for one app."""

    __slots__ = ("apply", "automatic_options", "defer", "merged", "policy")

    def __init__(
        self,
        apply: Callable[..., Any],
        policy: Any,
        automatic_options: bool,
        merged: Merged | None = None,
        defer: bool = False,
    ) -> None:
        self.apply = apply
        self.policy = policy
        self.automatic_options = automatic_options
        #: the merged options and their sources (for fastcors.explain and ``flask cors``)
        self.merged = merged
        #: the app's edge adds the lines (``edge="all"``): the view only leaves its policy
        self.defer = defer


def cross_origin(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """Enable CORS on one view, with the options of :class:`fastcors.CORS` (except ``resources``
    and ``intercept_exceptions``) plus ``automatic_options``.

    The options resolve (defaults < the app's ``CORS_*`` config < these keyword arguments) once per
    app, on the view's first request. With ``automatic_options`` (the default) the view is also
    routed for OPTIONS, and an OPTIONS request gets Flask's default OPTIONS response with the CORS
    headers, without calling the view. Works on ``def`` and ``async def`` views.
    """
    options = dict(kwargs)
    refuse_app_wide(options, _WHERE)
    layer = Layer(options, _WHERE)
    own = check_own_options(layer)
    report(own, bool(options.get("strict")))
    automatic_options_set = "automatic_options" in options
    token = object()
    lock = threading.Lock()
    last: list[tuple[Any, Any]] = [(None, None)]

    def resolve(app: Flask) -> _View:
        with lock:
            views = app_state(app).views
            view = views.get(token)
            if view is None:
                policy, merged = register_policy(app.config, layer, reported=own, debug=app.debug)
                apply: Callable[..., Any] = _engine.apply_policy
                defer = app_state(app).edge == "all"
                if defer:
                    apply = defer_to_edge
                elif merged.options["debug_refusals"]:
                    apply = with_refusals_policy(apply)
                automatic = bool(merged.options["automatic_options"])
                view = _View(apply, policy, automatic, merged, defer)
                views[token] = view
            return view

    def answers_options(view: _View, req: Any) -> bool:
        # PREFLIGHT_NO_VIEW: automatic_options switched off only by the app config must not run
        # the view of a route that never declared OPTIONS.
        return view.automatic_options or (
            not automatic_options_set and not _route_declares_options(req)
        )

    def decorator(f: F) -> F:
        is_async = inspect.iscoroutinefunction(f)

        # One synchronous wrapper for both kinds of view: an ``async def`` view runs through the
        # app's ensure_sync, and the CORS answer is made outside its event loop, where an async
        # OriginCheck can run in turn.
        def wrapped(*a: Any, **kw: Any) -> Any:
            app = current_flask_app()
            req = current_request()
            seen = last[0]  # (app, its _View) of an earlier request: usually the only app
            if seen[0] is app:
                view = seen[1]
            else:
                view = app_state(app).views.get(token) or resolve(app)
                last[0] = (app, view)  # (one tuple, replaced whole: safe between threads)
            if req.method == "OPTIONS" and answers_options(view, req):
                response = default_options_response(app)
            else:
                rv = app.ensure_sync(f)(*a, **kw) if is_async else f(*a, **kw)
                if view.defer:  # edge="all": Flask makes the response, the edge adds the lines
                    req.environ[_VIEW_KEY] = view.policy
                    return rv
                response = app.make_response(rv)
            return view.apply(view.policy, req, response)

        update_wrapper(wrapped, f)
        # How fastcors.explain and `flask cors` find this decorator's options for an app.
        wrapped.fastcors_resolve = resolve  # type: ignore[attr-defined]
        if options.get("automatic_options", True):
            # Route OPTIONS to the view instead of Flask's automatic answer (Flask-CORS does this
            # by changing f itself; fastcors leaves f alone).
            wrapped.required_methods = set(getattr(f, "required_methods", ())) | {_ADDED_OPTIONS}  # type: ignore[attr-defined]
            wrapped.provide_automatic_options = False  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator
