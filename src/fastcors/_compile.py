"""Compilation: merged options -> the engine's ``Policy`` and ``Resources`` objects.

Everything a request cannot change is decided here, once per registration: origins and
allow_headers split into wildcard, literals (case-folded) and patterns (compiled, combined and
indexed by :mod:`fastcors._regex`), header values serialised and checked, the Vary decision taken,
resources ordered (RESOURCE_ORDER) and bucketed by literal prefix. The engine classes are looked up
on :mod:`fastcors._engine` at call time, so tests can swap engines by patching its names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any, NamedTuple

from . import _engine
from ._engine_py import ACAC, ACAM, ACAPN, ACEH, ACMA, _find_ctl
from ._options import as_list, entry_pattern, flexible_str, is_regex, is_wildcard
from ._regex import combine, literal_prefix, origin_index
from .origins import OriginCheck, Wildcard

__all__ = [
    "EdgeFields",
    "PolicyFields",
    "ResourceTable",
    "compile_policy",
    "compile_resources",
    "policy_fields",
    "resource_entries",
    "resource_table",
]

_CR_LF = re.compile(r"[\r\n]")


class _Patterns(NamedTuple):
    any: bool
    literals: list[str]
    patterns: list[re.Pattern[str]]
    regex_count: int
    wildcards: list[Wildcard]
    checks: list[OriginCheck]


def _classify(option: str, value: Any) -> _Patterns:
    """Split an origins or allow_headers value into wildcard, literals and compiled patterns."""
    any_ = False
    literals: list[str] = []
    patterns: list[re.Pattern[str]] = []
    regex_count = 0
    wildcards: list[Wildcard] = []
    checks: list[OriginCheck] = []
    for item in as_list(value):
        if option == "origins" and isinstance(item, Wildcard):
            wildcards.append(item)
        elif option == "origins" and isinstance(item, OriginCheck):
            checks.append(item)
        elif option == "origins" and callable(item) and not isinstance(item, (str, re.Pattern)):
            checks.append(OriginCheck(item))
        elif isinstance(item, re.Pattern):
            if not isinstance(item.pattern, str):
                raise TypeError(f"{option}: {item!r} is a bytes pattern; use a str pattern")
            regex_count += 1
            patterns.append(item)
        elif isinstance(item, str):
            if is_wildcard(item):
                any_ = True
                regex_count += 1
            elif is_regex(item):
                regex_count += 1
                pattern = entry_pattern(item)
                if pattern is not None:  # else never matches, as in Flask-CORS; diagnose() warns
                    patterns.append(pattern)
            else:
                literals.append(item)
        else:
            expected = (
                "a str, an re.Pattern, a fastcors.Wildcard, a fastcors.OriginCheck or a callable"
                if option == "origins"
                else "a str, an re.Pattern"
            )
            raise TypeError(
                f"{option}: {item!r} is none of the accepted types "
                f"(expected {expected}, or an iterable of those)"
            )
    return _Patterns(any_, literals, patterns, regex_count, wildcards, checks)


def _check_header_value(option: str, value: str | None) -> None:
    if value is not None and _CR_LF.search(value):
        raise ValueError(f"{option}={value!r}: a header value cannot contain CR or LF")


class PolicyFields(NamedTuple):
    """Everything an engine ``Policy`` holds, derived from the options once, here: both engines
    take these fields as they are (see ``fastcors._engine_py.Policy`` for how each is used)."""

    any_origin: bool
    #: answer ``*`` to any Origin (``*`` among the origins and ``send_wildcard``)
    wildcard_reply: bool
    #: the literal origins, case-folded
    origin_literals: frozenset[str]
    #: some origin rule beyond literals exists (``*``, a pattern, a Wildcard, a check)
    origin_rules: bool
    origin_patterns: tuple[re.Pattern[str], ...]
    #: optional index of the patterns by lower-cased literal suffix (see _regex.origin_index)
    origin_suffixes: dict[str, tuple[re.Pattern[str], ...]] | None
    #: the index's key lengths, longest first
    suffix_lengths: tuple[int, ...]
    #: Wildcards without ``*.``: ``scheme://host`` -> ports (None: no port, ``*``: any)
    wildcard_hosts: dict[str, frozenset[str | None]]
    #: Wildcards with ``*.``: ``scheme://domain`` -> ports, for hosts under that domain
    wildcard_domains: dict[str, frozenset[str | None]]
    origin_checks: tuple[Callable[[str], bool], ...]
    no_origin_value: str | None
    #: the pairs every allowed request gets after Access-Control-Allow-Origin
    constant: tuple[tuple[str, str], ...]
    private_network_pair: tuple[str, str]
    methods: frozenset[str]
    #: the pairs an allowed preflight gets after Access-Control-Allow-Headers
    preflight: tuple[tuple[str, str], ...]
    any_header: bool
    header_literals: frozenset[str]
    header_patterns: tuple[re.Pattern[str], ...]
    vary: bool


def policy_fields(
    *,
    any_origin: bool,
    send_wildcard: bool,
    origin_literals: Iterable[str],
    origin_patterns: Sequence[re.Pattern[str]],
    no_origin_value: str | None,
    expose_headers: str | None,
    credentials: bool,
    private_network: bool,
    methods: Iterable[str],
    allow_methods: str | None,
    max_age: str | None,
    any_header: bool,
    header_literals: Iterable[str],
    header_patterns: Sequence[re.Pattern[str]],
    vary: bool,
    origin_suffixes: Mapping[str, Sequence[re.Pattern[str]]] | None = None,
    wildcards: Iterable[Wildcard] = (),
    origin_checks: Iterable[Callable[[str], bool]] = (),
) -> PolicyFields:
    """Derive a policy's fields from its normalised options (literals case-folded, patterns
    compiled, header values serialised)."""
    constant: list[tuple[str, str]] = []
    if expose_headers:
        constant.append((ACEH, expose_headers))
    if credentials:
        constant.append((ACAC, "true"))
    preflight: list[tuple[str, str]] = []
    if max_age:
        preflight.append((ACMA, max_age))
    if allow_methods:
        preflight.append((ACAM, allow_methods))
    suffixes = (
        None if origin_suffixes is None else {k: tuple(v) for k, v in origin_suffixes.items()}
    )
    hosts: dict[str, set[str | None]] = {}
    domains: dict[str, set[str | None]] = {}
    for wildcard in wildcards:
        table = domains if wildcard.subdomains else hosts
        table.setdefault(wildcard.key, set()).add(wildcard.port)
    patterns = tuple(origin_patterns)
    checks = tuple(origin_checks)
    return PolicyFields(
        any_origin=bool(any_origin),
        wildcard_reply=bool(any_origin and send_wildcard),
        origin_literals=frozenset(origin_literals),
        origin_rules=bool(any_origin or patterns or hosts or domains or checks),
        origin_patterns=patterns,
        origin_suffixes=suffixes,
        suffix_lengths=tuple(sorted({len(k) for k in suffixes or ()}, reverse=True)),
        wildcard_hosts={key: frozenset(ports) for key, ports in hosts.items()},
        wildcard_domains={key: frozenset(ports) for key, ports in domains.items()},
        origin_checks=checks,
        no_origin_value=no_origin_value,
        constant=tuple(constant),
        private_network_pair=(ACAPN, "true" if private_network else "false"),
        methods=frozenset(methods),
        preflight=tuple(preflight),
        any_header=bool(any_header),
        header_literals=frozenset(header_literals),
        header_patterns=tuple(header_patterns),
        vary=bool(vary),
    )


def compile_policy(options: Mapping[str, Any]) -> Any:
    """Normalise one resource's merged options into an engine ``Policy``.

    Raises ValueError for ``supports_credentials`` with wildcard origins and ``send_wildcard``
    (as Flask-CORS does) and for values no HTTP header can carry; TypeError for values of a type
    the option does not take.
    """
    origins = _classify("origins", options["origins"])
    credentials = bool(options["supports_credentials"])
    send_wildcard = bool(options["send_wildcard"])
    if origins.any and credentials and send_wildcard:
        raise ValueError(
            "Cannot use supports_credentials in conjunction with an origin string of '*' and "
            "send_wildcard=True: browsers refuse credentialed responses with "
            "Access-Control-Allow-Origin: *. See https://fetch.spec.whatwg.org/#cors-protocol-and-credentials"
        )
    for literal in origins.literals:
        if _find_ctl(literal):
            raise ValueError(f"origins: {literal!r} contains a control character")

    if not options["always_send"]:
        no_origin_value = None
    elif origins.any:
        no_origin_value = None if credentials else "*"
    else:
        no_origin_value = min(origins.literals) if origins.literals else None

    expose = flexible_str(options["expose_headers"]) or None
    _check_header_value("expose_headers", expose)

    if options["methods"] is None:
        raise TypeError("methods: None is not a method or a list of methods")
    allow_methods = (flexible_str(options["methods"]) or "").upper()
    _check_header_value("methods", allow_methods)
    methods = frozenset(m.strip() for m in allow_methods.split(",")) - {""}

    max_age = options["max_age"]
    if isinstance(max_age, timedelta):
        max_age = str(int(max_age.total_seconds()))
    max_age = str(max_age) if max_age else None
    _check_header_value("max_age", max_age)

    headers = _classify("allow_headers", options["allow_headers"])

    vary = (
        bool(options["vary_header"])
        and (
            len(as_list(options["origins"])) > 1
            or origins.regex_count > 0
            or bool(origins.wildcards or origins.checks)
        )
        and not (origins.any and send_wildcard)
    )

    fields = policy_fields(
        any_origin=origins.any,
        send_wildcard=send_wildcard,
        origin_literals=[o.casefold() for o in origins.literals],
        origin_patterns=combine(origins.patterns),
        origin_suffixes=origin_index(origins.patterns),
        no_origin_value=no_origin_value,
        expose_headers=expose,
        credentials=credentials,
        private_network=bool(options["allow_private_network"]),
        methods=methods,
        allow_methods=allow_methods or None,
        max_age=max_age,
        any_header=headers.any,
        header_literals=[h.casefold() for h in headers.literals],
        header_patterns=combine(headers.patterns),
        vary=vary,
        wildcards=origins.wildcards,
        origin_checks=origins.checks,
    )
    return _engine.Policy(fields)


# ---------------------------------------------------------------------------------------------
# Resources


def _resource_text(key: Any) -> str:
    return key.pattern if isinstance(key, re.Pattern) else (".*" if key == "*" else key)


def _resource_sort_key(key: Any) -> tuple[int, int, int]:
    """RESOURCE_ORDER: literals first, then more "/" first, then longer first, for compiled and
    string patterns alike."""
    text = _resource_text(key)
    kind = 1 if isinstance(key, re.Pattern) or is_regex(text) else 0
    return (kind, -text.count("/"), -len(text))


def resource_entries(resources: Any) -> list[tuple[Any, Mapping[str, Any]]]:
    """The ``resources`` option as (pattern, options) pairs in matching order."""
    if isinstance(resources, Mapping):
        for key, value in resources.items():
            if not isinstance(value, Mapping):
                raise TypeError(
                    f"resources[{key!r}]: {value!r} is not a dict of options (use {{}} for none)"
                )
        entries = [(_check_resource_key(key), value) for key, value in resources.items()]
        return sorted(entries, key=lambda entry: _resource_sort_key(entry[0]))
    if isinstance(resources, (str, re.Pattern)):
        return [(_check_resource_key(resources), {})]
    if isinstance(resources, Iterable):
        return [(_check_resource_key(key), {}) for key in resources]
    raise ValueError(f"Unexpected value for resources argument: {resources!r}")


def _check_resource_key(key: Any) -> Any:
    if isinstance(key, re.Pattern):
        if not isinstance(key.pattern, str):
            raise TypeError(f"resources: {key!r} is a bytes pattern; use a str pattern")
        return key
    if isinstance(key, str):
        return key
    raise TypeError(f"resources: {key!r} is neither a path string nor a compiled pattern")


def compile_resources(
    entries: list[tuple[Any, Any]],
) -> tuple[Any, list[str]]:
    """Build the engine ``Resources`` from ordered (pattern, policy) pairs.

    Returns the table and the resource patterns that are invalid regexes (they never match).
    """
    literals: dict[str, Any] = {}
    # (pattern, prefix, policy) in order; pattern None: matches every path starting with prefix
    compiled: list[tuple[re.Pattern[str] | None, str, Any]] = []
    invalid: list[str] = []
    for key, policy in entries:
        text = _resource_text(key)
        if isinstance(key, re.Pattern) or is_regex(text):
            if isinstance(key, re.Pattern):
                pattern = key
            else:
                try:
                    pattern = re.compile(text)
                except re.error:
                    invalid.append(text)
                    continue
            prefix, universal = literal_prefix(pattern)
            compiled.append((None if universal else pattern, prefix, policy))
        elif text not in literals:
            # The first resource in order matching this exact path: an earlier pattern may.
            literals[text] = next(
                (
                    p
                    for pat, prefix, p in compiled
                    if text.startswith(prefix) and (pat is None or pat.match(text) is not None)
                ),
                policy,
            )
    buckets = {
        key: [(pattern, policy) for pattern, prefix, policy in compiled if key.startswith(prefix)]
        for key in {prefix for _, prefix, _ in compiled}
    }
    return _engine.Resources(resource_table(literals, buckets)), invalid


class ResourceTable(NamedTuple):
    """Everything an engine ``Resources`` holds (see ``fastcors._engine_py.Resources``)."""

    literals: dict[str, Any]
    buckets: dict[str, tuple[tuple[re.Pattern[str] | None, Any], ...]]
    #: the bucket keys' lengths, longest first
    lengths: tuple[int, ...]
    #: the policy of a table whose only pattern is a catch-all (``/*``), else None
    default: Any


def resource_table(
    literals: Mapping[str, Any],
    buckets: Mapping[str, Sequence[tuple[re.Pattern[str] | None, Any]]],
) -> ResourceTable:
    """Derive a resource table's fields from its literal paths and prefix buckets."""
    frozen = {key: tuple(pairs) for key, pairs in buckets.items()}
    catch_all = frozen.get("", ())
    only_catch_all = len(frozen) == 1 and bool(catch_all) and catch_all[0][0] is None
    return ResourceTable(
        literals=dict(literals),
        buckets=frozen,
        lengths=tuple(sorted({len(key) for key in frozen}, reverse=True)),
        default=catch_all[0][1] if only_catch_all else None,
    )


class EdgeFields(NamedTuple):
    """Everything an engine ``EdgeTable`` holds (see ``fastcors._engine_py.EdgeTable``), built by
    :func:`fastcors._edge.edge_fields` from an app's registrations and routes."""

    #: the ``Resources`` of the app's ``CORS(app)`` registrations, in the order Flask runs them
    app_chain: tuple[Any, ...]
    #: ``id(rule)`` -> the ``Resources`` its blueprints' registrations add before ``app_chain``
    rule_chains: dict[int, tuple[Any, ...]]
    #: ``id(rule)`` -> the ``Policy`` of the ``cross_origin`` view Flask dispatches OPTIONS to
    rule_views: dict[int, Any]
    #: the environ -> ``id`` of the rule Flask routes it to (None: no rule); None when the two
    #: tables are empty
    route: Callable[[Mapping[str, Any]], int | None] | None
    #: the header lines every preflight answered at the edge starts with
    base: tuple[tuple[str, str], ...]
    #: ``edge="all"``: actual responses get their CORS lines at the edge too
    all_responses: bool
    #: the status line of a preflight answered at the edge
    status: str
