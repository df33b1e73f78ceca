"""The ``CORS`` extension: resolves a configuration once per app and registers the after-request
hook that applies it."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, current_app, request
from flask import globals as flask_globals

from . import _engine
from ._diagnostics import diagnose, report, unknown_config_keys, unknown_options
from ._options import (
    KNOWN_OPTIONS,
    Layer,
    Merged,
    compile_policy,
    compile_resources,
    config_layer,
    merge,
    resource_entries,
)

if TYPE_CHECKING:
    from flask.blueprints import BlueprintSetupState
    from flask.sansio.app import App

__all__ = ["CORS"]

LOG = logging.getLogger("fastcors")

#: Returns the current request object (no proxy in between on the hot path).
get_request: Callable[[], Any] = request._get_current_object  # type: ignore[attr-defined]
_get_app: Callable[[], Flask] = current_app._get_current_object  # type: ignore[attr-defined]

_request_context_var = getattr(flask_globals, "_cv_request", None)
#: The current request context's getter, where Flask keeps it in a ContextVar (2.3 to 3.1):
#: ``request_context().request`` is the request (and ``.app`` its app) without the proxies'
#: Python-level function calls, which cost as much as a quarter of the compiled engine's work.
#: None on any other Flask, where the proxies serve.
request_context: Callable[[], Any] | None = (
    _request_context_var.get if isinstance(_request_context_var, ContextVar) else None
)


def current_app_and_request() -> tuple[Flask, Any]:
    """The current app and request: both from one read of Flask's request context where Flask
    keeps it in a ContextVar, else through the proxies. (The after-request hook inlines this.)"""
    context = request_context
    if context is not None:
        ctx = context()
        return ctx.app, ctx.request
    return _get_app(), get_request()


_KWARGS = "keyword arguments"


class AppState:
    """fastcors' per-app state, kept in ``app.extensions["fastcors"]``.

    :ivar registrations: the compiled ``Resources`` of each ``CORS(app)``/``init_app`` call, in order.
    :ivar intercepting: (apply, resources) of the registrations with ``intercept_exceptions``.
    :ivar blueprints: per ``CORS(blueprint)`` registration, (apply, resources) resolved for this app.
    :ivar views: per ``cross_origin`` decorator, its options resolved for this app.
    :ivar solo_hook: the after-request hook of the app's only registration, when that one
        intercepts exceptions (else None): it may answer errors in interception's place.
    """

    __slots__ = ("blueprints", "intercepting", "registrations", "solo_hook", "views")

    def __init__(self) -> None:
        self.registrations: list[Any] = []
        self.intercepting: list[tuple[Callable[..., Any], Any]] = []
        self.solo_hook: Callable[..., Any] | None = None
        self.blueprints: dict[object, tuple[Callable[..., Any], Any]] = {}
        self.views: dict[object, Any] = {}


def app_state(app: App) -> AppState:
    """The app's fastcors state, created on first use."""
    state: AppState | None = app.extensions.get("fastcors")
    if state is None:
        state = app.extensions["fastcors"] = AppState()
    return state


class Compiled:
    """One registration's configuration, resolved against one app's config."""

    __slots__ = ("intercept", "messages", "resources", "strict")

    def __init__(self, resources: Any, intercept: bool, strict: bool, messages: list[str]) -> None:
        self.resources = resources
        self.intercept = intercept
        self.strict = strict
        self.messages = messages


def _resource_name(key: Any) -> str:
    return repr(getattr(key, "pattern", key))


def compile_registration(config: Mapping[str, Any], layers: list[Layer]) -> Compiled:
    """Merge defaults < app config < keyword arguments < resource options and compile them."""
    merged = merge(config_layer(config), *layers)
    messages = unknown_config_keys(config, KNOWN_OPTIONS)
    for layer in layers:
        messages += unknown_options(layer.options, KNOWN_OPTIONS, layer.where)
    messages += diagnose(merged.options, merged.sources)
    top = compile_policy(merged.options)
    entries = []
    for key, options in resource_entries(merged.options["resources"]):
        if not options:
            entries.append((key, top))
            continue
        where = f"resources[{_resource_name(key)}]"
        messages += unknown_options(options, KNOWN_OPTIONS, where)
        resource = Merged(
            {**merged.options, **options}, {**merged.sources, **dict.fromkeys(options, where)}
        )
        messages += diagnose(resource.options, resource.sources, names=options)
        entries.append((key, compile_policy(resource.options)))
    resources, invalid = compile_resources(entries)
    for text in invalid:
        messages.append(
            f"fastcors: resources pattern {text!r} is not a valid regular expression, so it "
            f"matches no path and its options never apply. Fix: correct the pattern "
            f"(or escape it with re.escape)."
        )
    return Compiled(
        resources,
        bool(merged.options["intercept_exceptions"]),
        bool(merged.options["strict"]),
        messages,
    )


class CORS:
    """Cross-origin resource sharing for a Flask app (or blueprint), configured like Flask-CORS.

    ``CORS(app, **options)`` or ``cors = CORS(**options)`` then ``cors.init_app(app, **options)``.
    Options, highest precedence first: per-resource options (values of the ``resources`` dict),
    keyword arguments (``init_app``'s over the constructor's), the app's ``CORS_*`` config,
    defaults. See the README for the options and for the ways fastcors deliberately differs from
    Flask-CORS. The object keeps only its keyword arguments, never an app; per-app state lives in
    ``app.extensions["fastcors"]``.
    """

    def __init__(self, app: Flask | Blueprint | None = None, **kwargs: Any) -> None:
        self._options = kwargs
        if app is not None:
            self.init_app(app, **kwargs)

    def init_app(self, app: Flask | Blueprint, **kwargs: Any) -> None:
        """Resolve the configuration for ``app`` and register the after-request hook.

        On a blueprint the resolution waits for each app the blueprint is registered on, so that
        app's ``CORS_*`` config applies (BLUEPRINT_CONFIG); the keyword arguments are checked now.
        """
        layers = [Layer(self._options, _KWARGS), Layer(kwargs, _KWARGS)]
        if isinstance(app, Blueprint):
            _init_blueprint(app, layers)
            return
        compiled = compile_registration(app.config, layers)
        report(compiled.messages, compiled.strict)
        apply = _engine.apply
        resources = compiled.resources
        context = request_context

        if context is not None:

            def fastcors_after_request(response: Any) -> Any:
                return apply(resources, context().request, response)

        else:

            def fastcors_after_request(response: Any) -> Any:
                return apply(resources, get_request(), response)

        app.after_request(fastcors_after_request)
        state = app_state(app)
        state.registrations.append(resources)
        only = len(state.registrations) == 1 and compiled.intercept
        state.solo_hook = fastcors_after_request if only else None
        if compiled.intercept:
            if not state.intercepting:
                _intercept_errors(app, state)
            state.intercepting.append((apply, resources))
        LOG.debug("fastcors: configured %r (%s engine)", app, _engine.IMPLEMENTATION)


def _init_blueprint(blueprint: Blueprint, layers: list[Layer]) -> None:
    # The keyword arguments alone must already make sense (Flask-CORS raises here too), and with
    # strict=True among them, what they alone make dangerous fails now, before any hook exists.
    own = compile_registration({}, layers)
    if own.strict:
        report(own.messages, strict=True)
    token = object()

    def fastcors_blueprint_after_request(response: Any) -> Any:
        app, req = current_app_and_request()
        entry = app_state(app).blueprints.get(token)
        if entry is None:
            return response
        return entry[0](entry[1], req, response)

    def resolve_for_app(setup: BlueprintSetupState) -> None:
        state = app_state(setup.app)
        if token in state.blueprints:
            return  # once per app, also when registered under several names
        compiled = compile_registration(setup.app.config, layers)
        report(compiled.messages, compiled.strict)
        state.blueprints[token] = (_engine.apply, compiled.resources)

    blueprint.after_request(fastcors_blueprint_after_request)
    blueprint.record(resolve_for_app)


def _blueprints_have_functions(funcs: Mapping[Any, list[Any]], request: Any) -> bool:
    """Whether a blueprint that handles the request has after-request functions (they run
    before the app's)."""
    for name in request.blueprints:
        if funcs.get(name):
            return True
    return False


#: The Flask methods between ``handle_user_exception`` and the first after-request function.
_FINALIZING = ("finalize_request", "make_response", "process_response")


def _intercept_errors(app: Flask, state: AppState) -> None:
    """Give responses built by Flask's error handling the CORS headers of the intercepting
    registrations first, in registration order, before the after-request hooks run, as
    Flask-CORS's ``intercept_exceptions`` does. Installed once per app; wraps the app's own
    handlers, which still do all the error handling."""
    handle_user_exception = app.handle_user_exception
    handle_exception = app.handle_exception
    context = request_context

    def intercept(response: Any) -> Any:
        # The app itself (the wrapped bound methods hold it anyway), not the current_app proxy.
        response = app.make_response(response)
        _, req = current_app_and_request()
        for apply, resources in state.intercepting:
            response = apply(resources, req, response)
        return response

    def setup_lets_hook_answer() -> bool:
        """Whether, as far as the app's setup decides, the only registration's after-request hook
        is the first function to see a response after Flask's own code."""
        hook = state.solo_hook
        if hook is None or context is None:
            return False
        for name in _FINALIZING:  # Flask's own, neither overridden nor replaced on the instance
            if name in app.__dict__ or getattr(type(app), name) is not getattr(Flask, name):
                return False
        own = app.after_request_funcs.get(None)
        return own is not None and own[-1:] == [hook]  # they run last-registered first

    # Decided once, at the first error after the app's first request: from then on Flask refuses
    # any further setup (after_request, register_blueprint, CORS(app) raise), so only replacing
    # one of the _FINALIZING methods on the instance could change the answer.
    settled: list[bool] = []

    @functools.wraps(handle_user_exception)
    def fastcors_handle_user_exception(e: Exception) -> Any:
        rv = handle_user_exception(e)
        # When that hook is also the first function to see this request's response (no
        # after_this_request function, no blueprint function), it answers the error exactly as
        # interception would: return Flask's value as it is, and the conversion to a response
        # happens where Flask does it, outside its ``except`` block. Inside it, every exception
        # that Werkzeug raises and catches while converting is built in full for chaining, which
        # costs more than all of the CORS work. (No generator or any() here, for that reason.)
        if settled:
            hook_may_answer = settled[0]
        else:
            hook_may_answer = setup_lets_hook_answer()
            if getattr(app, "_got_first_request", False):
                settled.append(hook_may_answer)
        if hook_may_answer and context is not None:
            ctx = context()
            if not getattr(ctx, "_after_request_functions", True):
                funcs = app.after_request_funcs
                if len(funcs) == 1 or not _blueprints_have_functions(funcs, ctx.request):
                    return rv
        return intercept(rv)

    @functools.wraps(handle_exception)
    def fastcors_handle_exception(e: Exception) -> Any:
        return intercept(handle_exception(e))

    app.handle_user_exception = fastcors_handle_user_exception  # type: ignore[method-assign]
    app.handle_exception = fastcors_handle_exception  # type: ignore[method-assign]
