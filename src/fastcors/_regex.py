"""Analysis of regular-expression sources, done once per registration, never per request.

What the compiled engine objects are built from: :func:`combine` (several patterns as one
alternation, so a request costs one regex call), :func:`literal_prefix` (the literal text every
match starts with, and whether the pattern matches everything after it: resource buckets and
"universal" resources), :func:`literal_suffix` and :func:`origin_index` (the suffix index of origin
patterns). Every answer is conservative: when a source is not understood, the analysis claims less,
never more.
"""

from __future__ import annotations

import re
import warnings

__all__ = ["combine", "literal_prefix", "literal_suffix", "origin_index"]

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


# Escapes longer than a backslash and one character: how many characters follow the first one.
_LONG_ESCAPES = {"x": 2, "u": 4, "U": 8}


def _in_escape(source: str, index: int) -> bool:
    """Whether source[index], an unescaped character, ends a longer escape: ``\\x41``,
    ``\\u017f``, ``\\U0001f600``, an octal ``\\101`` or a group reference ``\\12``."""
    for start in range(index - 1, max(index - 8, 0) - 1, -1):
        char = source[start]
        if _escaped(source, start):
            if char in _LONG_ESCAPES:
                return index - start <= _LONG_ESCAPES[char]
            return char.isdigit() and index - start <= 2
        if not (char.isascii() and char.isalnum()):
            return False
    return False


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
        elif char in _SPECIAL or _in_escape(source, i):
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
