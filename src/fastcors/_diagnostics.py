"""Start-up diagnostics: configurations that are valid but dangerous.

Each finding is one message naming the option (by its keyword name), the value, the risk and the
fix. :func:`report` turns findings into ``CORSConfigWarning`` warnings, or into one ``ValueError``
in strict mode. Nothing here runs per request.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import sys
import warnings
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import flask
import werkzeug

from ._options import as_list, entry_pattern, is_regex, is_wildcard
from .origins import OriginCheck, Wildcard

__all__ = [
    "CORSConfigWarning",
    "debug_refusals_outside_debug",
    "diagnose",
    "report",
    "unknown_config_keys",
    "unknown_options",
]

BOOLEAN_OPTIONS = (
    "supports_credentials",
    "send_wildcard",
    "automatic_options",
    "vary_header",
    "intercept_exceptions",
    "always_send",
    "allow_private_network",
    "strict",
    "debug_refusals",
)

_ORIGIN = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]+")
_DIGITS = re.compile(r"[0-9]+")


class CORSConfigWarning(UserWarning):
    """A fastcors configuration that works but is probably not what was meant, or is unsafe."""


def _lists_star(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return "*" in (part.strip() for part in value.split(","))
    return any(isinstance(item, str) and item.strip() == "*" for item in as_list(value))


def _from(sources: Mapping[str, str] | None, name: str) -> str:
    if not sources:
        return ""
    where = sources.get(name, "")
    return f" (from {where})" if where and where != "default" else ""


def _wildcard_origins(origins: Any) -> list[str]:
    """The origins entries that admit any site: '*', and every pattern matching 'null' in full."""
    found = []
    for item in as_list(origins):
        if isinstance(item, re.Pattern):
            if isinstance(item.pattern, str) and item.fullmatch("null"):
                found.append(item.pattern)
        elif isinstance(item, str):
            if is_wildcard(item):
                found.append(item)
            elif is_regex(item):
                pattern = entry_pattern(item)
                if pattern is not None and pattern.fullmatch("null"):
                    found.append(item)
            elif item.casefold() == "null":
                found.append(item)
    return found


def unknown_options(options: Mapping[str, Any], known: Iterable[str], where: str) -> list[str]:
    """One message per option name fastcors does not know (a typo must not pass silently)."""
    known = tuple(known)
    messages = []
    for name in options:
        if name in known:
            continue
        close = difflib.get_close_matches(str(name), known, n=1)
        hint = (
            f"did you mean {close[0]!r}?"
            if close
            else "see the options table in the documentation (docs/configuration.md)."
        )
        messages.append(
            f"fastcors: unknown option {name!r} in {where} is ignored, so whatever it was meant "
            f"to configure keeps its default. Fix: {hint}"
        )
    return messages


def unknown_config_keys(config: Mapping[str, Any], known: Iterable[str]) -> list[str]:
    """One message per ``CORS_*`` app config key that names no option (``CORS_ORIGIN`` for
    ``CORS_ORIGINS`` would otherwise leave the default ``*`` in place, silently)."""
    keys = tuple("CORS_" + name.upper() for name in known)
    messages = []
    for key in config:
        if not isinstance(key, str) or not key.startswith("CORS_") or key in keys:
            continue
        close = difflib.get_close_matches(key, keys, n=1)
        hint = (
            f"did you mean {close[0]!r}?"
            if close
            else "see the options table in the documentation (docs/configuration.md)."
        )
        messages.append(
            f"fastcors: unknown app config key {key!r} is ignored, so whatever it was meant to "
            f"configure keeps its default. Fix: {hint}"
        )
    return messages


_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})


def _is_loopback(wildcard: Wildcard) -> bool:
    return wildcard.host in _LOOPBACK_HOSTS or wildcard.host.endswith(".localhost")


def _is_public_suffix(domain: str) -> bool:
    """Whether ``domain`` is a public suffix (``com``, ``co.uk``, ``github.io``): a domain under
    which anyone can register a name. From the Public Suffix List as packaged by
    ``publicsuffixlist``, which ships the list itself (no download) and is released within days
    of every change to it; both its ICANN and private sections count, since a ``*.github.io``
    wildcard admits every GitHub Pages site."""
    return bool(_public_suffix_list().is_public(domain))


@functools.cache
def _public_suffix_list() -> Any:
    """The list, read once per process, and only by an app that needs it."""
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def _looks_like_a_glob(item: str) -> bool:
    """An origin string that reads as a glob (``https://*.example.com``, ``http://localhost:*``)
    but, holding ``*``, is a regular expression."""
    if "*" not in item or item.strip() in ("*", ".*"):
        return False
    host = item.split("://", 1)[-1]
    return "://*" in item or "*." in host or item.endswith(":*")


def _glob_examples(item: str) -> tuple[str | None, str | None]:
    """(an origin the glob was surely meant to admit but the regex refuses, an origin the regex
    admits that the glob never meant), each None when this pattern does not show it."""
    pattern = entry_pattern(item)
    if pattern is None:
        return None, None
    meant = item.replace("*.", "sub.", 1) if "*." in item else item
    meant = meant[:-2] + ":3000" if meant.endswith(":*") else meant.replace("*", "sub", 1)
    refused = meant if pattern.fullmatch(meant) is None else None
    admitted = None
    if "*." in item:
        glued = item.replace("*.", "a", 1)  # "https://aexample.com": a domain anyone can register
        if pattern.fullmatch(glued) is not None:
            admitted = glued
    return refused, admitted


def diagnose(
    options: Mapping[str, Any],
    sources: Mapping[str, str] | None = None,
    *,
    names: Iterable[str] | None = None,
) -> list[str]:
    """Messages for the dangerous-but-valid settings among ``options``.

    :param options: option values (merged, or a single location's).
    :param sources: where each value came from, for the messages.
    :param names: check only settings involving these names (default: all of ``options``); a check
        of two options runs when both are in ``options`` and one is in ``names``.
    """
    check = set(options if names is None else names)
    found: list[str] = []

    def has(name: str) -> bool:
        return name in options

    for name in BOOLEAN_OPTIONS:
        if name in check and isinstance(options.get(name), str):
            value = options[name]
            found.append(
                f"fastcors: {name}={value!r}{_from(sources, name)} is a string where a boolean is "
                f"expected; every non-empty string is true, so {name} is ON even if {value!r} says "
                f"otherwise. Fix: use True or False."
            )

    if (
        has("supports_credentials")
        and has("origins")
        and check & {"supports_credentials", "origins"}
    ):
        if options["supports_credentials"]:
            wild = _wildcard_origins(options["origins"])
            if wild:
                admits = (
                    "admits the 'null' origin, which any site can send (from a sandboxed iframe or a "
                    "data: URL)"
                    if wild[0].casefold() == "null"
                    else "admits any site ('null' included: sandboxed iframes, file: pages)"
                )
                found.append(
                    f"fastcors: supports_credentials={options['supports_credentials']!r}"
                    f"{_from(sources, 'supports_credentials')} with origins="
                    f"{options['origins']!r}{_from(sources, 'origins')}: {wild[0]!r} {admits}, so "
                    f"any site can make credentialed requests with your users' cookies and read the "
                    f"answers. Fix: list the trusted origins, e.g. origins=['https://app.example.com']."
                )

    if (
        has("supports_credentials")
        and has("origins")
        and check & {"supports_credentials", "origins"}
        and options["supports_credentials"]
    ):
        for item in as_list(options["origins"]):
            if not isinstance(item, Wildcard) or _is_loopback(item):
                continue
            if item.subdomains and _is_public_suffix(item.host):
                found.append(
                    f"fastcors: origins entry {item!r}{_from(sources, 'origins')} with "
                    f"supports_credentials=True: {item.host!r} is a public suffix (a domain under "
                    f"which anyone can register a name), so any site registered there can make "
                    f"credentialed requests with your users' cookies and read the answers. Fix: "
                    f"put your own domain in the wildcard, e.g. Wildcard('https://*.example.{item.host}')."
                )
            if item.scheme == "http":
                found.append(
                    f"fastcors: origins entry {item!r}{_from(sources, 'origins')} with "
                    f"supports_credentials=True admits plain-http origins on a non-loopback host: "
                    f"anyone on the network path can inject a page at such an origin and make "
                    f"credentialed requests with your users' cookies. Fix: use https:// (keep "
                    f"http:// for localhost only)."
                )

    if "origins" in check:
        for item in as_list(options.get("origins")):
            if isinstance(item, str) and _looks_like_a_glob(item):
                refused, admitted = _glob_examples(item)
                shown = [
                    text
                    for text in (
                        f"it refuses {refused!r}" if refused else "",
                        f"it admits {admitted!r}" if admitted else "",
                    )
                    if text
                ]
                behaviour = " and ".join(shown) if shown else "it is not what a glob would match"
                try:
                    meant = f"fastcors.{Wildcard(item)!r}"
                except ValueError:
                    meant = "a fastcors.Wildcard (e.g. Wildcard('https://*.example.com'))"
                found.append(
                    f"fastcors: origins entry {item!r}{_from(sources, 'origins')} looks like a glob "
                    f"but is a regular expression (every origin string holding '*' is one, as in "
                    f"Flask-CORS): {behaviour}. Fix: use {meant}, which matches subdomains "
                    f"and ports as written, or write the regular expression out in full."
                )
            if isinstance(item, OriginCheck) or (
                callable(item) and not isinstance(item, (str, re.Pattern, Wildcard))
            ):
                origin_check = item if isinstance(item, OriginCheck) else OriginCheck(item)
                if origin_check.is_async:
                    found.append(
                        f"fastcors: origins entry {origin_check!r}{_from(sources, 'origins')} is an "
                        f"async check: each call runs it to completion in its own event loop "
                        f"(Flask's ensure_sync), which costs far more than the rest of the CORS "
                        f"work on every request it is asked about. Fix: a plain function, or "
                        f"cache_ttl=... so that each origin is asked once in a while."
                    )
    if "origins" in check:
        for item in as_list(options.get("origins")):
            if (
                isinstance(item, str)
                and not is_regex(item)
                and item.casefold() != "null"
                and _ORIGIN.fullmatch(item) is None
            ):
                kind = (
                    "has a path or a trailing slash"
                    if "://" in item
                    else "has no scheme (an origin is scheme://host[:port])"
                )
                suggestion = item.split("://", 1)
                fixed = (
                    suggestion[0] + "://" + suggestion[1].split("/", 1)[0]
                    if len(suggestion) == 2
                    else "https://" + item.split("/", 1)[0]
                )
                found.append(
                    f"fastcors: origins entry {item!r}{_from(sources, 'origins')} {kind}, so it never "
                    f"equals a browser's Origin header and that site is refused. Fix: use {fixed!r}."
                )

    for name in ("origins", "allow_headers"):
        if name not in check:
            continue
        for item in as_list(options.get(name)):
            if isinstance(item, str) and not is_wildcard(item) and is_regex(item):
                try:
                    re.compile(item)
                except re.error as error:
                    found.append(
                        f"fastcors: {name} entry {item!r}{_from(sources, name)} is not a valid "
                        f"regular expression ({error}), so it matches nothing. Fix: correct the "
                        f"pattern, or escape it with re.escape() if it was meant literally."
                    )

    if "max_age" in check and options.get("max_age") is not None:
        value = options["max_age"]
        bad = False
        if isinstance(value, bool):
            bad = True
        elif isinstance(value, int):
            bad = value < 0
        elif isinstance(value, timedelta):
            bad = value.total_seconds() < 0
        elif isinstance(value, str):
            bad = value != "" and _DIGITS.fullmatch(value) is None
        else:
            bad = True
        if bad:
            found.append(
                f"fastcors: max_age={value!r}{_from(sources, 'max_age')} is not a non-negative whole "
                f"number of seconds; browsers ignore such an Access-Control-Max-Age and send a "
                f"preflight before every request. Fix: use an int, a timedelta or a string of digits."
            )

    if (
        has("expose_headers")
        and has("supports_credentials")
        and check & {"expose_headers", "supports_credentials"}
    ):
        if options["supports_credentials"] and _lists_star(options["expose_headers"]):
            found.append(
                f"fastcors: expose_headers={options['expose_headers']!r}"
                f"{_from(sources, 'expose_headers')} with supports_credentials=True: on credentialed "
                f"requests browsers read '*' as a header literally named '*', so no header is exposed "
                f"to scripts. Fix: list the header names to expose."
            )

    if "methods" in check and _lists_star(options.get("methods")):
        found.append(
            f"fastcors: methods={options['methods']!r}{_from(sources, 'methods')}: a preflight's "
            f"requested method must equal a configured method, and no method is named '*', so "
            f"every preflight is refused. Fix: list the methods, e.g. "
            f"methods=['GET', 'POST', 'PUT', 'DELETE']."
        )
    return found


def debug_refusals_outside_debug(
    options: Mapping[str, Any], sources: Mapping[str, str] | None, debug: bool
) -> list[str]:
    """The message for ``debug_refusals`` switched on in an app that is not in debug mode."""
    if debug or not options.get("debug_refusals"):
        return []
    return [
        f"fastcors: debug_refusals={options['debug_refusals']!r}{_from(sources, 'debug_refusals')} "
        f"on an app that is not in debug mode: every refused CORS request gets an X-CORS-Refusal "
        f"header naming why, which tells anyone probing the app what its CORS policy refuses. "
        f"Fix: switch it on only in development, e.g. CORS_DEBUG_REFUSALS = app.debug."
    ]


_SKIP_DIRS = tuple(
    os.path.dirname(path) + os.sep
    for path in (__file__, flask.__file__ or "", werkzeug.__file__ or "")
    if path
)


def _stacklevel() -> int:
    """The warnings stacklevel of the innermost caller outside fastcors, Flask and Werkzeug."""
    level = 1
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_SKIP_DIRS):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def report(messages: Iterable[str], strict: bool) -> None:
    """Warn once per distinct message, or raise them all as one ValueError in strict mode."""
    unique = list(dict.fromkeys(messages))
    if not unique:
        return
    if strict:
        raise ValueError("\n".join(unique))
    level = _stacklevel()
    for message in unique:
        warnings.warn(message, CORSConfigWarning, stacklevel=level)
