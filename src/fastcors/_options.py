"""Configuration: merge the four option locations, normalise once, compile engine objects.

Precedence, highest first: resource options > keyword arguments (``init_app``'s over the
constructor's) > the app's ``CORS_*`` config > defaults. Everything a request cannot change is
decided here, once per registration: regexes compiled (and combined), literals case-folded, header
values serialised, the Vary decision taken, resources ordered and indexed by literal prefix.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Any, NamedTuple

from . import _engine

__all__ = [
    "DEFAULTS",
    "KNOWN_OPTIONS",
    "OPTION_NAMES",
    "Layer",
    "Merged",
    "compile_policy",
    "compile_resources",
    "config_layer",
    "literal_prefix",
    "literal_suffix",
    "merge",
    "origin_index",
    "resource_entries",
]

ALL_METHODS = ("GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE")

#: Flask-CORS's option names, in its order; app config keys are "CORS_" + name.upper().
OPTION_NAMES = (
    "origins",
    "methods",
    "allow_headers",
    "expose_headers",
    "supports_credentials",
    "max_age",
    "send_wildcard",
    "automatic_options",
    "vary_header",
    "resources",
    "intercept_exceptions",
    "always_send",
    "allow_private_network",
)
#: Options only fastcors has.
FASTCORS_OPTIONS = ("strict",)
KNOWN_OPTIONS = frozenset(OPTION_NAMES + FASTCORS_OPTIONS)

DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {
        "origins": "*",
        "methods": list(ALL_METHODS),
        "allow_headers": "*",
        "expose_headers": None,
        "supports_credentials": False,
        "max_age": None,
        "send_wildcard": False,
        "automatic_options": True,
        "vary_header": True,
        "resources": r"/*",
        "intercept_exceptions": True,
        "always_send": True,
        "allow_private_network": False,
        "strict": False,
    }
)

# Flask-CORS treats a string as a regular expression when it holds any of these characters.
_REGEX_CHARS = frozenset("*\\]?$^[()")
_WILDCARDS = frozenset({"*", ".*"})
_CR_LF = re.compile(r"[\r\n]")
_CTL = re.compile(r"[\x00-\x1f\x7f]")


class Layer(NamedTuple):
    """One location's options and a human name for where they came from."""

    options: Mapping[str, Any]
    where: str


class Merged(NamedTuple):
    """Merged options plus, per option, the location that supplied it."""

    options: dict[str, Any]
    sources: dict[str, str]


def config_layer(config: Mapping[str, Any]) -> Layer:
    """The ``CORS_*`` keys of an app's config that are set (a value of None counts as unset)."""
    found = {}
    for name in OPTION_NAMES + FASTCORS_OPTIONS:
        value = config.get("CORS_" + name.upper())
        if value is not None:
            found[name] = value
    return Layer(found, "app.config")


def merge(*layers: Layer) -> Merged:
    """Defaults, then each layer in turn (later layers win)."""
    options = dict(DEFAULTS)
    sources = dict.fromkeys(DEFAULTS, "default")
    for layer in layers:
        for name, value in layer.options.items():
            options[name] = value
            sources[name] = (
                f"app.config[{'CORS_' + name.upper()!r}]"
                if layer.where == "app.config"
                else layer.where
            )
    return Merged(options, sources)


def is_regex(value: str) -> bool:
    """Flask-CORS's rule for telling a regex string from a literal one."""
    return not _REGEX_CHARS.isdisjoint(value)


def as_list(value: Any) -> list[Any]:
    """A string or any non-iterable becomes a one-item list; other iterables are listed."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def flexible_str(value: Any) -> str | None:
    """Flask-CORS's serialisation of methods and expose_headers: None stays None, a non-string
    iterable is sorted and joined with ", ", anything else becomes its str()."""
    if value is None:
        return None
    if not isinstance(value, str) and isinstance(value, Iterable):
        return ", ".join(str(item) for item in sorted(value))
    return str(value)


class _Patterns(NamedTuple):
    any: bool
    literals: list[str]
    patterns: list[re.Pattern[str]]
    regex_count: int


def _classify(option: str, value: Any) -> _Patterns:
    """Split an origins or allow_headers value into wildcard, literals and compiled patterns."""
    any_ = False
    literals: list[str] = []
    patterns: list[re.Pattern[str]] = []
    regex_count = 0
    for item in as_list(value):
        if isinstance(item, re.Pattern):
            if not isinstance(item.pattern, str):
                raise TypeError(f"{option}: {item!r} is a bytes pattern; use a str pattern")
            regex_count += 1
            patterns.append(item)
        elif isinstance(item, str):
            if item in _WILDCARDS:
                any_ = True
                regex_count += 1
            elif is_regex(item):
                regex_count += 1
                try:
                    patterns.append(re.compile(item, re.IGNORECASE))
                except re.error:
                    pass  # never matches, as in Flask-CORS; diagnose() warns about it
            else:
                literals.append(item)
        else:
            raise TypeError(
                f"{option}: {item!r} is neither a string nor a compiled pattern "
                f"(expected a str, an re.Pattern or an iterable of those)"
            )
    return _Patterns(any_, literals, patterns, regex_count)


_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?\(|\(\?P=")
_SCOPED_FLAGS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.ASCII, "a"))


def combine(patterns: list[re.Pattern[str]]) -> tuple[re.Pattern[str], ...]:
    """One alternation equivalent to "any of these patterns matches" (each keeps its own flags as
    a scoped group), so a request costs one regex call; the patterns themselves when they cannot
    be combined safely (verbose mode, backreferences, anything the combined compile rejects)."""
    if len(patterns) < 2:
        return tuple(patterns)
    parts = []
    for pattern in patterns:
        source = pattern.pattern
        if pattern.flags & re.VERBOSE or _BACKREFERENCE.search(source):
            return tuple(patterns)
        while (flags := _GLOBAL_FLAGS.match(source)) is not None:
            source = source[flags.end() :]  # already in pattern.flags
        letters = "".join(letter for flag, letter in _SCOPED_FLAGS if pattern.flags & flag)
        parts.append(f"(?{letters}:{source})" if letters else f"(?:{source})")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return (re.compile("|".join(parts)),)
    except (re.error, Warning):
        return tuple(patterns)


def _check_header_value(option: str, value: str | None) -> None:
    if value is not None and _CR_LF.search(value):
        raise ValueError(f"{option}={value!r}: a header value cannot contain CR or LF")


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
        if _CTL.search(literal):
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
        and (len(as_list(options["origins"])) > 1 or origins.regex_count > 0)
        and not (origins.any and send_wildcard)
    )

    return _engine.Policy(
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
    )


# ---------------------------------------------------------------------------------------------
# Resources


_SPECIAL = frozenset(".^$*+?{}[]\\|()")


def _has_top_level_alternation(source: str) -> bool:
    depth = 0
    i = 0
    size = len(source)
    while i < size:
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i += 1
            if i < size and source[i] == "^":
                i += 1
            if i < size and source[i] == "]":
                i += 1
            while i < size and source[i] != "]":
                i += 2 if source[i] == "\\" else 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
        i += 1
    return False


def _optional_atom(rest: str) -> bool:
    """Whether ``rest`` is one literal character (or escape) made optional: ``c*``, ``c?``, lazy too."""
    if rest[:1] == "\\":
        if len(rest) < 2 or (rest[1].isascii() and rest[1].isalnum()):
            return False
        rest = rest[2:]
    elif rest[:1] and rest[0] not in _SPECIAL:
        rest = rest[1:]
    else:
        return False
    return rest in ("*", "?", "*?", "??")


def literal_prefix(pattern: re.Pattern[str]) -> tuple[str, bool]:
    """The literal text every ``pattern.match`` must start with, and whether the pattern matches
    *every* string starting with it (``/*``, ``.*``, ``/api/.*``, ``/api\\.v1``: the rest can match
    nothing). Conservative: the prefix may be shorter than the true one, and a pattern that does
    match everything may be reported as not doing so; never the other way round."""
    if pattern.flags & re.VERBOSE:
        return "", False
    source = pattern.pattern
    if _has_top_level_alternation(source):
        return "", False
    i = 1 if source.startswith("^") else 0  # re.match is anchored at 0, where ^ always holds
    if pattern.flags & re.IGNORECASE:
        rest = source[i:]
        return "", rest in ("", ".*", ".*?") or _optional_atom(rest)
    prefix = []
    size = len(source)
    while i < size:
        char = source[i]
        if char == "\\":
            if i + 1 >= size or (source[i + 1].isascii() and source[i + 1].isalnum()):
                break
            literal, step = source[i + 1], 2
        elif char in _SPECIAL:
            break
        else:
            literal, step = char, 1
        following = source[i + step] if i + step < size else ""
        if following in ("*", "?", "{"):
            break  # this character may be absent from a match
        if following == "+":
            prefix.append(literal)
            return "".join(prefix), False
        prefix.append(literal)
        i += step
    rest = source[i:]
    return "".join(prefix), rest in ("", ".*", ".*?") or _optional_atom(rest)


def _escaped(source: str, index: int) -> bool:
    """Whether source[index] is escaped (preceded by an odd number of backslashes)."""
    count = 0
    while index - count - 1 >= 0 and source[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def literal_suffix(pattern: re.Pattern[str]) -> str:
    """The ASCII text, lower-cased, that every full match of ``pattern`` ends with (ignoring
    case). Conservative: may be shorter than the true suffix, never longer; cut at the first
    non-ASCII character, since under IGNORECASE some non-ASCII characters match ASCII ones."""
    if pattern.flags & re.VERBOSE:
        return ""
    source = pattern.pattern
    if _has_top_level_alternation(source):
        return ""
    end = len(source)
    if source.endswith("\\Z") and not _escaped(source, end - 2):
        end -= 2
    elif source.endswith("$") and not _escaped(source, end - 1):
        end -= 1
    suffix: list[str] = []
    i = end - 1
    while i >= 0:
        char = source[i]
        if _escaped(source, i):
            if char.isascii() and char.isalnum():
                break  # \d, \w, \b ...
            literal, step = char, 2
        elif char in _SPECIAL:
            break
        else:
            literal, step = char, 1
        if not literal.isascii():
            break
        suffix.append(literal)
        i -= step
    return "".join(reversed(suffix)).lower()


def origin_index(patterns: list[re.Pattern[str]]) -> dict[str, tuple[re.Pattern[str], ...]] | None:
    """Literal suffix -> the (combined) patterns an origin ending with it can match: those whose
    own suffix is a suffix of the key. An origin is tested against the bucket of the longest key
    it ends with (ignoring case), so 100 tenant patterns cost one regex call, not 100. None when
    the patterns share one suffix: then the index would narrow nothing and only cost a lookup."""
    suffixes = [(literal_suffix(pattern), pattern) for pattern in patterns]
    if len({suffix for suffix, _ in suffixes}) < 2:
        return None
    return {
        key: combine([pattern for suffix, pattern in suffixes if key.endswith(suffix)])
        for key in {suffix for suffix, _ in suffixes}
    }


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
    return _engine.Resources(literals, buckets), invalid
