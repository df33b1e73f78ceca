"""``flask cors``: what the app's CORS configuration does, from the command line.

- ``flask cors routes``: every URL rule, the policy that answers it, and how its preflights are
  answered (a real preflight through the app's test client: Flask, the view, or the app's edge);
- ``flask cors check ORIGIN PATH``: :func:`fastcors.explain`, exit status 0 when allowed, 1 when
  refused;
- ``flask cors config``: the app's edge (``edge`` and ``preflight_status``), every registration's
  resolved options with their sources, and the start-up diagnostics.

Registered with Flask through the ``flask.commands`` entry point; each command takes ``--json``.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ._diagnostics import (
    CORSConfigWarning,
    debug_refusals_outside_debug,
    diagnose,
    unknown_config_keys,
    unknown_options,
)
from ._edge import APP_WIDE_OPTIONS
from ._flask import app_state
from ._options import KNOWN_OPTIONS, Merged, is_regex
from .explain import (
    Decision,
    _exception_text,
    _options,
    _resource_text,
    _route,
    _url,
    _wsgi,
    escape,
    explain,
    jsonable,
)

__all__ = ["cors"]

cors = AppGroup("cors", help="Inspect the app's CORS configuration (fastcors).")

#: The Origin of the preflights ``flask cors routes`` sends when no --origin is given.
PROBE_ORIGIN = "https://client.example"

_VARIABLE = re.compile(
    r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?P<args>[^)]*)\))?:)?[a-zA-Z_][a-zA-Z0-9_]*>"
)
_SAMPLES = {
    "int": "1",
    "float": "1.0",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def _app() -> Flask:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return app


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=True))


def _sample(match: re.Match[str]) -> str:
    converter = match["converter"] or "default"
    if converter == "any" and match["args"]:
        return match["args"].split(",")[0].strip().strip("'\"") or "x"
    return _SAMPLES.get(converter, "x")


def sample_path(rule: str) -> str:
    """A path the rule matches: each variable replaced by a sample value of its converter."""
    return _VARIABLE.sub(_sample, rule)


def _probe_method(methods: Iterable[str], wanted: str | None) -> str:
    if wanted:
        return wanted
    usable = sorted(set(methods) - {"HEAD", "OPTIONS"})
    return usable[0] if usable else "GET"


def _origins_summary(value: Any) -> str:
    items = [value] if isinstance(value, str) or not isinstance(value, Iterable) else list(value)
    texts = []
    for item in items:
        if isinstance(item, str):
            texts.append("any (*)" if item in ("*", ".*") else item)
        elif isinstance(item, re.Pattern):
            texts.append(f"/{item.pattern}/")
        else:
            texts.append(repr(item))
    if len(texts) <= 2:
        return ", ".join(texts) if texts else "none"
    return f"{texts[0]}, {texts[1]} and {len(texts) - 2} more"


def _preflight_handling(
    app: Flask, rule: Any, path: str, method: str, origin: str
) -> dict[str, Any]:
    """How the app answers a preflight for ``rule``: a real one through the test client (and
    whether the app's edge answers it, before Flask routes it)."""
    environ = {
        "HTTP_ORIGIN": _wsgi(origin),
        "HTTP_ACCEPT": "*/*",
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": _wsgi(method),
    }
    edge: tuple[str, int | None] | None = None
    try:
        route = _route(app, _url(path), "OPTIONS", environ, _wsgi(origin))
        if route.edge is not None:
            edge = (route.edge, route.edge_status)
    except Exception:
        pass
    try:
        response = app.test_client().open(_url(path), method="OPTIONS", environ_overrides=environ)
    except Exception as exc:
        return {
            "status": None,
            "answered_by": "error",
            "text": f"refused: the app raised {_exception_text(exc)}",
        }
    try:
        status = response.status_code
        location = response.headers.get("Location")
    finally:
        response.close()
    automatic = bool(getattr(rule, "provide_automatic_options", False)) and "OPTIONS" in (
        rule.methods or ()
    )
    if 300 <= status < 400:
        where = f" to {escape(location)}" if location else ""
        return {
            "status": status,
            "answered_by": "refused",
            "text": f"refused: {status} redirect{where}",
        }
    if edge is not None and status == edge[1]:
        return {
            "status": status,
            "answered_by": "edge",
            "text": f"the edge (edge={edge[0]!r}, {status}, before routing)",
        }
    if 200 <= status < 300:
        if automatic:
            return {
                "status": status,
                "answered_by": "automatic",
                "text": "Flask's automatic OPTIONS",
            }
        view = app.view_functions.get(rule.endpoint)
        resolve = getattr(view, "fastcors_resolve", None)
        if callable(resolve):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", CORSConfigWarning)
                    resolved = resolve(app)
                if resolved.automatic_options:
                    return {
                        "status": status,
                        "answered_by": "cross_origin",
                        "text": "the view's cross_origin (automatic_options)",
                    }
            except Exception:
                pass
        return {
            "status": status,
            "answered_by": "view",
            "text": "the view itself (declares OPTIONS)",
        }
    if status in (401, 403):
        source = "a before_request hook" if automatic else "a before_request hook or the view"
        return {
            "status": status,
            "answered_by": "refused",
            "text": f"refused: {status} from {source}",
        }
    if status == 405:
        return {
            "status": status,
            "answered_by": "refused",
            "text": "refused: 405 (automatic OPTIONS off and OPTIONS not declared)",
        }
    return {"status": status, "answered_by": "refused", "text": f"refused: {status}"}


def _policy_name(decision: Decision | None) -> str:
    return "none" if decision is None else decision.describe()


@cors.command("routes")
@click.option("--origin", help="Also say whether this origin is allowed on each route.")
@click.option("--method", "-X", help="The method to check (default: the route's first).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def routes_command(origin: str | None, method: str | None, as_json: bool) -> None:
    """Every URL rule, the CORS policy that answers it and how its preflights are answered."""
    app = _app()
    rows = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (str(r.rule), str(r.endpoint))):
        methods = sorted(rule.methods or ())
        path = sample_path(str(rule.rule))
        probe = _probe_method(methods, method)
        probe_origin = origin if origin is not None else PROBE_ORIGIN
        try:
            route = _route(
                app,
                _url(path),
                _probe_method(methods, None),
                {"HTTP_ORIGIN": _wsgi(probe_origin)},
                _wsgi(probe_origin),
            )
            decision = route.decision
        except Exception:
            decision = None
        row: dict[str, Any] = {
            "rule": str(rule.rule),
            "endpoint": str(rule.endpoint),
            "methods": methods,
            "path": path,
            "policy": None if decision is None else _decision_summary(decision),
            "origins": None
            if decision is None
            else _origins_summary(decision.options["origins"][0]),
            "credentials": None
            if decision is None
            else bool(decision.options["supports_credentials"][0]),
            "preflight": _preflight_handling(app, rule, path, probe, probe_origin),
        }
        if origin is not None:
            explanation = explain(app, origin, path, method=probe)
            row["allowed"] = explanation.allowed
            row["reasons"] = list(explanation.codes)
        rows.append(row)
    if as_json:
        _echo_json({"origin": None if origin is None else escape(origin), "routes": rows})
        return
    header = ["RULE", "ENDPOINT", "METHODS", "POLICY", "ORIGINS", "CREDENTIALS", "PREFLIGHT"]
    if origin is not None:
        header.append("ALLOWED")
    table = [header]
    for row in rows:
        cells = [
            escape(row["rule"]),
            escape(row["endpoint"]),
            ",".join(row["methods"]),
            "-" if row["policy"] is None else row["policy"]["name"],
            "-" if row["origins"] is None else row["origins"],
            "-" if row["credentials"] is None else ("yes" if row["credentials"] else "no"),
            row["preflight"]["text"],
        ]
        if origin is not None:
            cells.append("yes" if row["allowed"] else "no (" + ", ".join(row["reasons"]) + ")")
        table.append(cells)
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )


def _decision_summary(decision: Decision) -> dict[str, Any]:
    return {
        "name": decision.describe(),
        "kind": decision.kind,
        "registration": decision.registration,
        "blueprint": decision.blueprint,
        "endpoint": decision.endpoint,
        "resource": decision.resource,
    }


@cors.command("check")
@click.argument("origin")
@click.argument("path")
@click.option("-X", "--method", default="GET", show_default=True, help="The request method.")
@click.option(
    "-H",
    "--header",
    "headers",
    multiple=True,
    help="A request header the page sets: NAME or 'NAME: value' (repeatable).",
)
@click.option("--credentials", is_flag=True, help="The request is sent with credentials.")
@click.option("--run-view", is_flag=True, help="Also send the actual request (the view runs).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def check_command(
    ctx: click.Context,
    origin: str,
    path: str,
    method: str,
    headers: tuple[str, ...],
    credentials: bool,
    run_view: bool,
    as_json: bool,
) -> None:
    """Explain whether a browser at ORIGIN could read PATH; exit status 1 when refused."""
    explanation = explain(
        _app(),
        origin,
        path,
        method=method,
        request_headers=headers,
        credentials=credentials,
        run_view=run_view,
    )
    if as_json:
        _echo_json(explanation.to_dict())
    else:
        click.echo(str(explanation))
    ctx.exit(0 if explanation.allowed else 1)


def _unknown(merged: Merged, names: Iterable[str] | None = None) -> list[str]:
    messages = []
    for name in merged.options if names is None else names:
        if name not in KNOWN_OPTIONS:
            where = merged.sources.get(name, "keyword arguments")
            messages += unknown_options({name: None}, KNOWN_OPTIONS, where)
    return messages


def _every_resource_sets_origins(resources: Any) -> bool:
    if not isinstance(resources, Mapping) or not resources:
        return False
    return all(
        isinstance(options, Mapping) and "origins" in options for options in resources.values()
    )


def _diagnostics(app: Flask, merged: Merged, resources: Iterable[tuple[Any, Merged]]) -> list[str]:
    """The start-up diagnostics of one registration, from its recorded merged options."""
    skipped = (
        {"origins"} if _every_resource_sets_origins(merged.options.get("resources")) else set()
    )
    used = {name: value for name, value in merged.options.items() if name not in skipped}
    messages = _unknown(merged) + diagnose(used, merged.sources)
    messages += debug_refusals_outside_debug(merged.options, merged.sources, app.debug)
    for key, resource in resources:
        if resource is merged:
            if isinstance(key, str) and key != "*" and is_regex(key):
                try:
                    re.compile(key)
                except re.error:
                    messages.append(
                        f"fastcors: resources pattern {key!r} is not a valid regular expression, "
                        f"so it matches no path and its options never apply."
                    )
            continue
        names = [n for n, source in resource.sources.items() if source.startswith("resources[")]
        messages += _unknown(resource, names)
        messages += diagnose(resource.options, resource.sources, names=names)
        if "debug_refusals" in names:
            messages += debug_refusals_outside_debug(resource.options, resource.sources, app.debug)
    return messages


def _registrations(app: Flask) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for record in app_state(app).records:
        resolved = record.resolved
        merged = resolved.merged
        names = (
            [
                name
                for name, functions in app.after_request_funcs.items()
                if name is not None and record.hook in functions
            ]
            if record.kind == "CORS(blueprint)"
            else []
        )
        found.append(
            {
                "kind": record.kind,
                "registration": record.number if record.kind == "CORS" else None,
                "blueprint": record.blueprint,
                "registered_as": names,
                "endpoint": None,
                "options": _options(merged)
                if record.kind == "CORS"
                else _without_app_wide(_options(merged)),
                "resources": [
                    {
                        "resource": _resource_text(key),
                        "options": {
                            name: value
                            for name, value in _options(resource).items()
                            if value[1].startswith("resources[")
                        },
                    }
                    for key, resource, _ in resolved.resources
                ],
                "diagnostics": _diagnostics(
                    app, merged, [(key, resource) for key, resource, _ in resolved.resources]
                ),
            }
        )
    for endpoint, view in sorted(app.view_functions.items()):
        resolve = getattr(view, "fastcors_resolve", None)
        if not callable(resolve):
            continue
        entry: dict[str, Any] = {
            "kind": "cross_origin",
            "registration": None,
            "blueprint": None,
            "registered_as": [],
            "endpoint": endpoint,
            "options": {},
            "resources": [],
            "diagnostics": [],
        }
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CORSConfigWarning)
                resolved_view = resolve(app)
        except Exception as exc:  # strict mode: the first request would fail the same way
            entry["diagnostics"] = [str(exc)]
        else:
            if resolved_view.merged is not None:
                entry["options"] = _without_app_wide(_options(resolved_view.merged))
                entry["diagnostics"] = _diagnostics(app, resolved_view.merged, [])
        found.append(entry)
    return found


def _without_app_wide(options: dict[str, tuple[Any, str]]) -> dict[str, tuple[Any, str]]:
    """``options`` without those only ``CORS(app)`` sets (``edge``, ``preflight_status``): a
    blueprint's or a view's values of them apply to nothing (the app's edge is shown once)."""
    return {name: value for name, value in options.items() if name not in APP_WIDE_OPTIONS}


def _edge_summary(app: Flask) -> dict[str, Any]:
    """The app's edge: ``mode`` (False, ``"preflight"`` or ``"all"``) and ``preflight_status``
    (the status of the preflights it answers; None without the edge)."""
    state = app_state(app)
    mode = state.edge if state.edge in ("preflight", "all") else False
    return {"mode": mode, "preflight_status": state.edge_status if mode else None}


def _edge_text(edge: Mapping[str, Any]) -> str:
    mode = edge["mode"]
    if not mode:
        return "Edge: off (Flask answers preflights; after-request functions add the CORS headers)"
    text = (
        f"Edge: edge={mode!r}, preflight_status={edge['preflight_status']}: a WSGI middleware "
        f"answers the CORS preflights a policy covers, before Flask routes them"
    )
    if mode == "all":
        text += ", and adds the CORS headers of every other response"
    return text


def _title(entry: Mapping[str, Any]) -> str:
    if entry["kind"] == "CORS":
        return f"CORS #{entry['registration']} (CORS(app) / init_app)"
    if entry["kind"] == "CORS(blueprint)":
        names = ", ".join(repr(name) for name in entry["registered_as"]) or "not registered"
        return f"CORS(blueprint) {entry['blueprint']!r} (registered as {names})"
    return f"cross_origin on view {entry['endpoint']!r}"


@cors.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def config_command(as_json: bool) -> None:
    """The app's edge, every CORS registration's resolved options with their sources, and the
    diagnostics."""
    app = _app()
    entries = _registrations(app)
    edge = _edge_summary(app)
    app_messages = unknown_config_keys(app.config, KNOWN_OPTIONS)
    diagnostics = list(
        dict.fromkeys([*app_messages, *(m for e in entries for m in e["diagnostics"])])
    )
    if as_json:
        _echo_json(
            {
                "edge": edge,
                "registrations": [
                    {
                        **{k: v for k, v in entry.items() if k not in ("options", "resources")},
                        "options": _json_options(entry["options"]),
                        "resources": [
                            {"resource": r["resource"], "options": _json_options(r["options"])}
                            for r in entry["resources"]
                        ],
                    }
                    for entry in entries
                ],
                "diagnostics": diagnostics,
            }
        )
        return
    click.echo(_edge_text(edge))
    click.echo("")
    if not entries:
        click.echo(
            "No CORS registration on this app (no CORS(app), CORS(blueprint) or cross_origin)."
        )
    for entry in entries:
        click.echo(_title(entry))
        for name, (value, source) in entry["options"].items():
            click.echo(f"  {name} = {value!r}  ({source})")
        for resource in entry["resources"]:
            own = resource["options"]
            click.echo(
                f"  resource {resource['resource']!r}" + (":" if own else ": the options above")
            )
            for name, (value, source) in own.items():
                click.echo(f"    {name} = {value!r}  ({source})")
        click.echo("")
    click.echo("Diagnostics:" if diagnostics else "Diagnostics: none")
    for message in diagnostics:
        click.echo(f"  {message}")


def _json_options(options: Mapping[str, tuple[Any, str]]) -> dict[str, Any]:
    return {
        name: {"value": jsonable(value), "source": source}
        for name, (value, source) in options.items()
    }
