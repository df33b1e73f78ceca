"""What fastcors uses of Flask, in one place: the current request, Flask's default OPTIONS
answer, the after-request hook and fastcors' per-app state.

Everything here stands on Flask's public surface and works on every Flask from 2.3 on, with one
exception that pays for itself: the current request is read from Flask's context variable, where
Flask keeps one whose value has ``.app`` and ``.request``, instead of through the ``request`` and
``current_app`` proxies. :data:`CONTEXT` is that read or ``None``; with ``None`` every function
here takes the public proxies, so a Flask that moves its context again loses speed, not
correctness. Both paths are tested on every Flask line.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, request
from flask import ctx as flask_ctx
from flask import globals as flask_globals

if TYPE_CHECKING:
    from flask.sansio.app import App

__all__ = [
    "CONTEXT",
    "AppState",
    "after_request_hook",
    "app_state",
    "current_app_and_request",
    "default_options_response",
]


def _find_context() -> Callable[[], Any] | None:
    """The getter of Flask's private context variable whose value has ``.app`` and ``.request``
    during a request: ``_cv_request`` (a ``RequestContext``, Flask 2.3 to 3.1) or ``_cv_app`` (an
    ``AppContext`` with ``.request``, Flask 3.2, where the two contexts merged). None otherwise.
    """
    request_var = getattr(flask_globals, "_cv_request", None)
    if isinstance(request_var, ContextVar):
        return request_var.get
    app_var = getattr(flask_globals, "_cv_app", None)
    app_context = getattr(flask_ctx, "AppContext", None)
    if isinstance(app_var, ContextVar) and hasattr(app_context, "request"):
        return app_var.get
    return None


#: Returns the current request's context (``.app``, ``.request``) without the proxies' Python-level
#: calls, which cost about a quarter of the compiled engine's work per request; None where this
#: Flask keeps its context elsewhere, and the public proxies serve. Read once, at import.
CONTEXT: Callable[[], Any] | None = _find_context()

#: The public path: the objects behind the ``request`` and ``current_app`` proxies.
_request_proxy: Any = request
_app_proxy: Any = current_app
_proxied_request: Callable[[], Any] = _request_proxy._get_current_object
_proxied_app: Callable[[], Flask] = _app_proxy._get_current_object


def current_app_and_request() -> tuple[Flask, Any]:
    """The current app and request (inside a request)."""
    context = CONTEXT
    if context is not None:
        ctx = context()
        return ctx.app, ctx.request
    return _proxied_app(), _proxied_request()


def after_request_hook(apply: Callable[[Any, Any, Any], Any], target: Any) -> Callable[[Any], Any]:
    """An after-request function that runs ``apply(target, request, response)``: the whole of
    fastcors' per-request work, one engine call. Which read of the request it uses is decided
    here, once."""
    context = CONTEXT
    if context is not None:

        def fastcors_after_request(response: Any) -> Any:
            return apply(target, context().request, response)

    else:
        get_request = _proxied_request

        def fastcors_after_request(response: Any) -> Any:
            return apply(target, get_request(), response)

    return fastcors_after_request


def _options_response_takes_context() -> bool:
    """Whether this Flask's ``make_default_options_response`` takes the app context (Flask 3.2
    passes it to its dispatch methods; 2.3 to 3.1 take none)."""
    parameters = inspect.signature(Flask.make_default_options_response).parameters
    return len(parameters) > 1


if _options_response_takes_context():
    from flask.globals import app_ctx

    _app_context_proxy: Any = app_ctx
    _current_app_context: Callable[[], Any] = _app_context_proxy._get_current_object

    def default_options_response(app: Any) -> Any:
        """Flask's own answer to an OPTIONS request for the current route (200, ``Allow``), as the
        app (a ``Flask``, or a subclass) builds it."""
        return app.make_default_options_response(_current_app_context())

else:

    def default_options_response(app: Any) -> Any:
        """Flask's own answer to an OPTIONS request for the current route (200, ``Allow``), as the
        app (a ``Flask``, or a subclass) builds it."""
        return app.make_default_options_response()


class AppState:
    """fastcors' per-app state, kept in ``app.extensions["fastcors"]``.

    :ivar registrations: the compiled ``Resources`` of each ``CORS(app)``/``init_app`` call, in order.
    :ivar blueprints: per ``CORS(blueprint)`` registration, its ``Resources`` resolved for this app.
    :ivar views: per ``cross_origin`` decorator, its options resolved for this app.
    """

    __slots__ = ("blueprints", "registrations", "views")

    def __init__(self) -> None:
        self.registrations: list[Any] = []
        self.blueprints: dict[object, Any] = {}
        self.views: dict[object, Any] = {}


def app_state(app: App) -> AppState:
    """The app's fastcors state, created on first use."""
    state: AppState | None = app.extensions.get("fastcors")
    if state is None:
        state = app.extensions["fastcors"] = AppState()
    return state
