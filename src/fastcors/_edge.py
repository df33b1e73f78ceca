"""The edge: ``CORS(app, edge="preflight" | "all")``.

The engines' ``Edge`` is a WSGI middleware put around ``app.wsgi_app`` (Flask's documented way to
add middleware). It answers a CORS preflight whose path a fastcors policy covers before Flask
routes it, and with ``edge="all"`` adds the CORS lines of every other response in
``start_response``. Its answers are the after-request hooks' answers (same policies, same order):
this module works out, once per app on its first request, which policies the hooks would apply
to which request:

- ``CORS(app)`` registrations: every request, the last registered first (``app_chain``);
- ``CORS(blueprint)`` registrations: the requests Flask routes to a rule of that blueprint (or of
  a blueprint nested in it), before the app's (``rule_chains``);
- ``cross_origin`` views: the requests Flask dispatches to the view, instead of all the above.
  For preflights, the rules whose view Flask calls for OPTIONS (``rule_views``); for actual
  requests under ``edge="all"``, the view itself leaves its policy in the environ.

Finding the rule a preflight routes to takes a Werkzeug match (as Flask does it, through
``app.create_url_adapter``), done only for apps with blueprint registrations or decorated views,
and remembered per path, method and (where routing depends on it) host, for a bounded number of
keys.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from . import _engine
from ._compile import EdgeFields
from ._diagnostics import CORSConfigWarning

if TYPE_CHECKING:
    from flask import Flask

    from ._flask import AppState, Registration
    from ._options import Merged

__all__ = [
    "APP_WIDE_OPTIONS",
    "EDGE_MODES",
    "ROUTE_CACHE_MAX_PATH",
    "ROUTE_CACHE_SIZE",
    "defer_to_edge",
    "edge_fields",
    "install_edge",
    "plan_edge",
    "registration_chain",
    "refuse_app_wide",
]

#: The values of ``edge``: off, preflights only, every response.
EDGE_MODES = (False, "preflight", "all")
_STATUS_LINES = {200: "200 OK", 204: "204 No Content"}
#: Options that belong to the whole app: only ``CORS(app)``/``init_app`` keywords and app config.
APP_WIDE_OPTIONS = ("edge", "preflight_status")
#: How many (path, method, host) keys the preflight router remembers.
ROUTE_CACHE_SIZE = 1024
#: Longer PATH_INFO values are routed each time, never remembered (the cache stays under about a
#: megabyte whatever paths a client sends).
ROUTE_CACHE_MAX_PATH = 1024


def refuse_app_wide(options: Mapping[str, Any], where: str) -> None:
    """Raise ``ValueError`` when ``options`` (given at ``where``) set an app-wide option."""
    for name in APP_WIDE_OPTIONS:
        if name in options:
            raise ValueError(
                f"fastcors: {name} is set in {where}, but it applies to the whole app (the edge is "
                f"one WSGI middleware per app). Fix: pass {name}= to CORS(app, ...) or init_app, "
                f"or set CORS_{name.upper()} in the app config."
            )


def _edge_mode(merged: Merged) -> Any:
    mode = merged.options["edge"]
    if mode is None or mode is False:
        return False
    if isinstance(mode, str) and mode in EDGE_MODES:
        return mode
    raise ValueError(
        f"fastcors: edge={mode!r} (from {merged.sources['edge']}) is not one of False, "
        f"'preflight' or 'all'."
    )


def _status(merged: Merged) -> int:
    status = merged.options["preflight_status"]
    if type(status) is not int or status not in _STATUS_LINES:
        raise ValueError(
            f"fastcors: preflight_status={status!r} (from {merged.sources['preflight_status']}) "
            f"is not 200 or 204."
        )
    return status


def plan_edge(state: AppState, merged: Merged, has_debug_policies: bool) -> tuple[Any, int]:
    """The app's ``edge`` and ``preflight_status`` once a ``CORS(app)`` registration with these
    merged options is added: checked and reported, nothing changed yet (:func:`install_edge`
    does that, once the registration's hook, if any, is in place).

    The first registration decides the app's edge; a later one may repeat it, leave it unset, or
    turn a ``False`` edge into ``"preflight"``. Anything else raises (under ``"all"`` the hooks
    already registered would answer too): set ``edge`` on the first registration or in
    ``CORS_EDGE``.
    """
    mode = _edge_mode(merged)
    status = _status(merged)
    explicit = merged.sources["edge"] != "default"
    current = state.edge
    if current is not None and mode != current:
        if not explicit:
            mode = current
        elif not (current is False and mode == "preflight"):
            raise ValueError(
                f"fastcors: edge={mode!r} (from {merged.sources['edge']}) conflicts with the app's "
                f"edge={current!r}, set by an earlier CORS(app) or init_app. Fix: set edge once, "
                f"on the app's first CORS(app)/init_app call or as CORS_EDGE in the app config."
            )
    if state.edge_wrapper is not None and status != state.edge_status:
        if merged.sources["preflight_status"] != "default":
            raise ValueError(
                f"fastcors: preflight_status={status!r} conflicts with the app's "
                f"preflight_status={state.edge_status!r}. Fix: set it once."
            )
        status = state.edge_status
    if not mode and merged.sources["preflight_status"] != "default":
        warnings.warn(
            f"fastcors: preflight_status={status!r} (from {merged.sources['preflight_status']}) "
            f"has no effect without the edge: Flask answers preflights with its own status. Fix: "
            f"add edge='preflight' (or 'all'), or drop preflight_status.",
            CORSConfigWarning,
            stacklevel=4,
        )
    if mode and has_debug_policies:
        where = "every response" if mode == "all" else "the preflights it answers"
        warnings.warn(
            f"fastcors: debug_refusals adds no X-CORS-Refusal header to {where}: the edge "
            f"answers them (edge={mode!r}). Fix: ask fastcors.explain() or `flask cors check` "
            f"why a request is refused.",
            CORSConfigWarning,
            stacklevel=4,
        )
    return mode, status


def install_edge(app: Flask, state: AppState, mode: Any, status: int) -> None:
    """Record the app's edge and put the middleware around ``app.wsgi_app`` (once). Under
    ``"all"``, ``cross_origin`` views already resolved for the app (it served requests before)
    leave their policy to the edge from now on, as views resolved later do."""
    state.edge = mode
    if mode == "all":
        for view in state.views.values():
            view.apply = defer_to_edge
            view.defer = True
    if mode and state.edge_wrapper is None:
        state.edge_status = status
        state.edge_wrapper = _engine.Edge(app.wsgi_app, lambda: edge_fields(app))
        app.wsgi_app = state.edge_wrapper  # type: ignore[method-assign]


def _blueprint_names(endpoint: str) -> list[str]:
    """``request.blueprints`` for a request routed to ``endpoint``: its blueprint, then each
    blueprint it is nested in."""
    names = []
    name = endpoint.rpartition(".")[0] if "." in endpoint else ""
    while name:
        names.append(name)
        name = name.rpartition(".")[0]
    return names


def _router(app: Flask) -> Callable[[Mapping[str, Any]], int | None]:
    """environ -> ``id`` of the rule Flask routes it to (None: a routing error), remembered for
    up to ROUTE_CACHE_SIZE keys (the oldest forgotten first)."""
    cache: dict[tuple[Any, ...], int | None] = {}
    by_host = bool(
        app.url_map.host_matching or app.subdomain_matching or app.config.get("SERVER_NAME")
    )
    request_class = app.request_class

    def match(environ: Mapping[str, Any]) -> int | None:
        try:
            try:
                request = request_class(environ, populate_request=False, shallow=True)  # type: ignore[arg-type]
            except TypeError:  # a request class with its own constructor
                request = request_class(dict(environ))
            adapter = app.create_url_adapter(request)
            if adapter is None:
                return None
            rule, _ = adapter.match(return_rule=True)
        except Exception:  # a routing error (404, 405, redirect), a bad host: no rule
            return None
        return id(rule)

    def route(environ: Mapping[str, Any]) -> int | None:
        path = environ.get("PATH_INFO")
        host = environ.get("HTTP_HOST") if by_host else None
        if (path and len(path) > ROUTE_CACHE_MAX_PATH) or (host and len(host) > 255):
            return match(environ)
        key = (path, environ.get("REQUEST_METHOD"), host)
        try:
            return cache[key]
        except KeyError:
            pass
        found = match(environ)
        if len(cache) >= ROUTE_CACHE_SIZE:
            try:
                del cache[next(iter(cache))]
            except (KeyError, RuntimeError, StopIteration):  # another thread got there first
                pass
        cache[key] = found
        return found

    return route


def registration_chain(
    app: Flask, state: AppState, endpoint: str | None
) -> list[tuple[Registration, str | None]]:
    """The registrations whose policies answer a request Flask routes to ``endpoint`` (None: no
    rule), in the order Flask runs their after-request functions, with the blueprint name each
    runs under (None: the app's): those of the endpoint's blueprints (innermost first, each
    blueprint's last registered first), then every ``CORS(app)`` registration, the last
    registered first. The edge applies them in this order too."""
    chain: list[tuple[Registration, str | None]] = []
    if endpoint is not None:
        by_hook = {r.hook: r for r in state.records if r.kind == "CORS(blueprint)"}
        if by_hook:
            for name in _blueprint_names(endpoint):
                for func in reversed(list(app.after_request_funcs.get(name, ()))):
                    record = by_hook.get(func)
                    if record is not None:
                        chain.append((record, name))
    chain += [(record, None) for record in reversed(state.records) if record.kind == "CORS"]
    return chain


def edge_fields(app: Flask) -> EdgeFields:
    """The app's ``EdgeTable`` fields, from its registrations, blueprints and routes as they are
    now (the app's first request: Flask allows no new routes after it)."""
    from ._flask import app_state

    state = app_state(app)
    app_chain = tuple(record.resolved.table for record, _ in registration_chain(app, state, None))
    with_blueprints = any(record.kind == "CORS(blueprint)" for record in state.records)
    rule_chains: dict[int, tuple[Any, ...]] = {}
    rule_views: dict[int, Any] = {}
    for rule in app.url_map.iter_rules():
        endpoint = rule.endpoint
        if with_blueprints:
            chain = registration_chain(app, state, endpoint)
            if len(chain) > len(app_chain):
                rule_chains[id(rule)] = tuple(record.resolved.table for record, _ in chain)
        resolve = getattr(app.view_functions.get(endpoint), "fastcors_resolve", None)
        methods: Iterable[str] = rule.methods or ()
        if (
            callable(resolve)
            and "OPTIONS" in methods
            and not getattr(rule, "provide_automatic_options", False)
        ):
            try:
                view = resolve(app)
            except Exception:
                # Options that cannot work together (or strict mode refusing them): the view
                # raises on each request, where Flask logs it and answers 500 with the app's
                # lines. The edge answers its preflights with those same lines.
                continue
            rule_views[id(rule)] = view.policy
    if state.edge == "all":  # the edge answers for them: their after-request functions stand down
        for token in state.blueprints:
            state.blueprints[token] = None
    status = state.edge_status
    return EdgeFields(
        app_chain=app_chain,
        rule_chains=rule_chains,
        rule_views=rule_views,
        route=_router(app) if rule_chains or rule_views else None,
        base=(("Content-Length", "0"),) if status == 200 else (),
        all_responses=state.edge == "all",
        status=_STATUS_LINES[status],
    )


def defer_to_edge(policy: Any, request: Any, response: Any) -> Any:
    """What a ``cross_origin`` view does under ``edge="all"`` instead of adding its lines: leave
    its policy in the environ, where the edge finds it when the response passes, and mark the
    response handled (as ``apply_policy`` does)."""
    request.environ[_engine.VIEW_KEY] = policy
    setattr(response, _engine.MARK, True)
    return response
