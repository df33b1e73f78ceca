"""The ``CORS`` extension: resolves a configuration once per app (or once per app a blueprint is
registered on) and registers the after-request hook that applies it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask

from . import _engine
from ._edge import install_edge, plan_edge, refuse_app_wide
from ._flask import Registration, after_request_hook, app_state, current_app_and_request
from ._options import Layer
from ._refusals import with_refusals
from ._registration import register_resources, resolve_resources

if TYPE_CHECKING:
    from flask.blueprints import BlueprintSetupState

__all__ = ["CORS"]

LOG = logging.getLogger("fastcors")

_KWARGS = "keyword arguments"


class CORS:
    """Cross-origin resource sharing for a Flask app (or blueprint), configured like Flask-CORS.

    ``CORS(app, **options)`` or ``cors = CORS(**options)`` then ``cors.init_app(app, **options)``.
    Options, highest precedence first: per-resource options (values of the ``resources`` dict),
    keyword arguments (``init_app``'s over the constructor's), the app's ``CORS_*`` config,
    defaults. See the documentation (docs/) for the options and for the ways fastcors
    deliberately differs from Flask-CORS. The object keeps only its keyword arguments, never an app; per-app state lives in
    ``app.extensions["fastcors"]``.

    Every response the app sends, error responses included, gets its CORS headers from one
    after-request function per registration, in its place among the app's other after-request
    functions (ERRORS_IN_ORDER). ``intercept_exceptions`` is accepted and changes nothing.
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
        resolved = resolve_resources(app.config, layers, debug=app.debug)
        apply: Callable[[Any, Any, Any], Any] = _engine.apply
        if resolved.debug_policies:
            apply = with_refusals(apply, resolved.debug_policies)
        state = app_state(app)
        edge, status = plan_edge(state, resolved.merged, bool(resolved.debug_policies))
        hook = None
        # No after-request function under "all" (the edge adds the lines), nor for a registration
        # without any resource (resources={}: it answers no request; such a CORS(app) serves to
        # turn the edge on for an app whose policies are all cross_origin views).
        if edge != "all" and resolved.resources:
            hook = after_request_hook(apply, resolved.table)
            app.after_request(hook)  # Flask refuses it once the app has served requests
        install_edge(app, state, edge, status)
        state.registrations.append(resolved.table)
        state.records.append(
            Registration("CORS", len(state.registrations) - 1, None, hook, apply, resolved)
        )
        LOG.debug("fastcors: configured %r (%s engine)", app, _engine.IMPLEMENTATION)


def _init_blueprint(blueprint: Blueprint, layers: list[Layer]) -> None:
    # The keyword arguments alone must already make sense (Flask-CORS raises here too), and with
    # strict=True among them, what they alone make dangerous fails now, before any hook exists.
    for layer in layers:
        refuse_app_wide(layer.options, "CORS(blueprint) keyword arguments")
    register_resources({}, layers, quiet=True)
    token = object()

    def fastcors_blueprint_after_request(response: Any) -> Any:
        app, req = current_app_and_request()
        entry = app_state(app).blueprints.get(token)
        if entry is None:
            return response
        apply, resources = entry
        return apply(resources, req, response)

    def resolve_for_app(setup: BlueprintSetupState) -> None:
        state = app_state(setup.app)
        if token in state.blueprints:
            return  # once per app, also when registered under several names
        resolved = resolve_resources(setup.app.config, layers, debug=setup.app.debug)
        apply: Callable[[Any, Any, Any], Any] = _engine.apply
        if resolved.debug_policies:
            apply = with_refusals(apply, resolved.debug_policies)
        state.blueprints[token] = (apply, resolved.table)
        state.records.append(
            Registration(
                "CORS(blueprint)",
                -1,
                blueprint.name,
                fastcors_blueprint_after_request,
                apply,
                resolved,
            )
        )

    blueprint.after_request(fastcors_blueprint_after_request)
    blueprint.record(resolve_for_app)
