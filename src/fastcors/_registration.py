"""The one registration pipeline: merge → unknown names → diagnose → compile → report.

``CORS(app)``/``init_app``, ``CORS(blueprint)`` (once per app it is registered on) and
``cross_origin`` (once per app, on the view's first request) all resolve their options here, so
precedence, diagnostics and strict mode behave the same wherever the options are given.
Compilation comes before the report so that an invalid combination raises its ``ValueError``
alone, and nothing is registered with Flask until the report has passed (strict mode raises).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from ._compile import compile_policy, compile_resources, resource_entries
from ._diagnostics import (
    debug_refusals_outside_debug,
    diagnose,
    report,
    unknown_config_keys,
    unknown_options,
)
from ._edge import refuse_app_wide
from ._options import KNOWN_OPTIONS, Layer, Merged, config_layer, merge

__all__ = [
    "Resolved",
    "check_own_options",
    "register_policy",
    "register_resources",
    "resolve_resources",
]


class Resolved(NamedTuple):
    """What a ``CORS(app)`` or ``CORS(blueprint)`` registration resolved for one app, kept in the
    app's state for :func:`fastcors.explain` and the ``flask cors`` commands."""

    #: the registration's options (defaults < app config < keyword arguments) and their sources
    merged: Merged
    #: (pattern, merged options with their sources, engine Policy) per resource, in matching order
    resources: tuple[tuple[Any, Merged, Any], ...]
    #: the engine ``Resources``
    table: Any
    #: the policies whose options switch ``debug_refusals`` on
    debug_policies: frozenset[Any]


def _resource_name(key: Any) -> str:
    return repr(getattr(key, "pattern", key))


def _merge_and_check(
    config: Mapping[str, Any], layers: Iterable[Layer], *, unused: Iterable[str] = ()
) -> tuple[Merged, list[str]]:
    """Merge defaults < app config < layers; the messages for unknown names and dangerous values.
    The ``unused`` options apply to no request (every resource sets its own): they are not
    diagnosed at this level."""
    layers = list(layers)
    merged = merge(config_layer(config), *layers)
    messages = unknown_config_keys(config, KNOWN_OPTIONS)
    for layer in layers:
        messages += unknown_options(layer.options, KNOWN_OPTIONS, layer.where)
    skipped = frozenset(unused)
    used = {name: value for name, value in merged.options.items() if name not in skipped}
    messages += diagnose(used, merged.sources)
    return merged, messages


def _unused_top_level(config: Mapping[str, Any], layers: list[Layer]) -> set[str]:
    """The options that every resource sets for itself (a resources dict), so that their
    top-level values (keyword arguments, app config, defaults) answer no request."""
    resources = merge(config_layer(config), *layers).options["resources"]
    if not isinstance(resources, Mapping) or not resources:
        return set()
    per_resource = [set(options) for options in resources.values() if isinstance(options, Mapping)]
    if len(per_resource) != len(resources):
        return set()
    return set.intersection(*per_resource) & {"origins"}


def _report(merged: Merged, messages: list[str], reported: Iterable[str], quiet: bool) -> None:
    """Warn about ``messages`` (or raise them under ``strict``). ``reported`` were already warned
    about earlier: strict mode raises them again, otherwise they are not repeated. ``quiet``
    reports only under ``strict`` (a check of keyword arguments alone)."""
    strict = bool(merged.options["strict"])
    if strict:
        report([*reported, *messages], strict=True)
    elif not quiet:
        earlier = frozenset(reported)
        report([m for m in messages if m not in earlier], strict=False)


def register_resources(
    config: Mapping[str, Any], layers: Iterable[Layer], *, quiet: bool = False
) -> Any:
    """The engine ``Resources`` of a ``CORS(app)`` or ``CORS(blueprint)`` registration: options
    merged (resource dicts over ``layers`` over ``config``'s ``CORS_*`` keys over defaults),
    checked, reported, compiled."""
    return resolve_resources(config, layers, quiet=quiet).table


def resolve_resources(
    config: Mapping[str, Any],
    layers: Iterable[Layer],
    *,
    quiet: bool = False,
    debug: bool | None = None,
) -> Resolved:
    """:func:`register_resources`, returning everything it resolved. ``debug``: whether the app is
    in debug mode (None: no app yet), for the ``debug_refusals`` warning."""
    layers = list(layers)
    merged, messages = _merge_and_check(config, layers, unused=_unused_top_level(config, layers))
    top = compile_policy(merged.options)
    entries = []
    records = []
    debug_policies = set()
    if merged.options["debug_refusals"]:
        debug_policies.add(top)
    if debug is not None:
        messages += debug_refusals_outside_debug(merged.options, merged.sources, debug)
    for key, options in resource_entries(merged.options["resources"]):
        if not options:
            entries.append((key, top))
            records.append((key, merged, top))
            continue
        where = f"resources[{_resource_name(key)}]"
        refuse_app_wide(options, where)
        messages += unknown_options(options, KNOWN_OPTIONS, where)
        resource = Merged(
            {**merged.options, **options}, {**merged.sources, **dict.fromkeys(options, where)}
        )
        messages += diagnose(resource.options, resource.sources, names=options)
        policy = compile_policy(resource.options)
        entries.append((key, policy))
        records.append((key, resource, policy))
        if resource.options["debug_refusals"]:
            debug_policies.add(policy)
            if debug is not None and "debug_refusals" in options:
                messages += debug_refusals_outside_debug(resource.options, resource.sources, debug)
    resources, invalid = compile_resources(entries)
    for text in invalid:
        messages.append(
            f"fastcors: resources pattern {text!r} is not a valid regular expression, so it "
            f"matches no path and its options never apply. Fix: correct the pattern "
            f"(or escape it with re.escape)."
        )
    _report(merged, messages, (), quiet)
    return Resolved(merged, tuple(records), resources, frozenset(debug_policies))


def register_policy(
    config: Mapping[str, Any],
    layer: Layer,
    *,
    reported: Iterable[str] = (),
    debug: bool | None = None,
) -> tuple[Any, Merged]:
    """The engine ``Policy`` of a ``cross_origin`` view for one app (defaults < ``config``'s
    ``CORS_*`` keys < the decorator's ``layer``), and the merged options. ``reported``: the
    messages already given at decoration. ``debug``: whether the app is in debug mode."""
    merged, messages = _merge_and_check(config, [layer])
    policy = compile_policy(merged.options)
    if debug is not None:
        messages += debug_refusals_outside_debug(merged.options, merged.sources, debug)
    _report(merged, messages, reported, quiet=False)
    return policy, merged


def check_own_options(layer: Layer) -> list[str]:
    """The messages for a decorator's own options, checked at decoration (before any app)."""
    sources = dict.fromkeys(layer.options, layer.where)
    return unknown_options(layer.options, KNOWN_OPTIONS, layer.where) + diagnose(
        layer.options, sources
    )
