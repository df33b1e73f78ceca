"""Properties of the regex-source analysis in :mod:`fastcors._regex` (issue 19).

Patterns come from a small grammar whose every sentence is a valid regex: literal characters (through
``re.escape``, special and non-ASCII ones included), classes, ``.``, ``\\d``/``\\w``, hex, octal and
Unicode escapes, quantifiers (``*``, ``+``, ``?``, lazy ones, ``{m,n}``), groups, alternation and
anchors, under various flags; and, so that every shape the analysis looks for is certainly tried,
from literal text followed by each of a list of tails (near misses included). Test strings are
drawn from the same trees (so that many of them match), then varied, plus arbitrary text. The
analysis may be conservative (claim less); the properties check it never claims more than is true,
and the examples at the end pin the precision the engine relies on.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastcors._regex import combine, literal_prefix, literal_suffix, origin_index


@pytest.fixture(autouse=True, scope="module")
def engine() -> None:
    """Regex analysis involves no engine: run once, not once per engine."""


EXAMPLES = settings(max_examples=200, deadline=None)

# Literal characters: plain, regex-special (escaped when rendered), non-ASCII ones that match ASCII
# letters under IGNORECASE (U+017F LATIN SMALL LETTER LONG S ~ "s", U+212A KELVIN SIGN ~ "k").
LITERALS = "aAbBkKsSz0_/.-:*?+$^()[]{}|\\ \u00e9\u017f\u212a"
TEXT = LITERALS + "\n\u0663"  # U+0663 ARABIC-INDIC DIGIT THREE: \d and \w without re.ASCII
NOT_NEWLINE = TEXT.replace("\n", "")
# Escapes and the characters they match: classes, and characters written as hex, octal, Unicode.
ESCAPES = {
    r"\d": "09\u0663",
    r"\w": "aZ_0\u00e9\u0663",
    r"\x41": "A",
    r"\x2e": ".",
    r"\101": "A",
    r"\u017f": "\u017f",
    r"\U0001F600": "\U0001f600",
}
QUANTIFIERS = {
    "*": (0, 2),
    "+": (1, 3),
    "?": (0, 1),
    "*?": (0, 2),
    "+?": (1, 2),
    "??": (0, 1),
    "{0,2}": (0, 2),
    "{1,2}": (1, 2),
    "{2}": (2, 2),
}
# Between them, these match nearly every tail of tail_patterns (under IGNORECASE: "s", "k").
TAIL_MATCHES = ["", "a", "aa", "A", "b", "ab", "x", ".", "\n", "s", "S", "k", "K", "$", "\\"]
FLAG_LETTERS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.ASCII, "a"))

# A node is a tuple: ("lit", char), ("class", chars), ("nclass", chars), ("dot",), ("esc", source),
# ("group", capturing, [sequence, ...]), ("quant", atom, quantifier). A sequence is a list of nodes.
Node = tuple[Any, ...]
Seq = list[Node]


def render(node: Node) -> str:
    kind = node[0]
    if kind == "lit":
        return re.escape(node[1])
    if kind in ("class", "nclass"):
        chars = "".join(re.escape(char) for char in node[1])
        return f"[{chars}]" if kind == "class" else f"[^{chars}]"
    if kind == "dot":
        return "."
    if kind in ("esc", "tail"):
        return str(node[1])
    if kind == "group":
        body = "|".join(render_seq(alternative) for alternative in node[2])
        return f"({body})" if node[1] else f"(?:{body})"
    return render(node[1]) + node[2]  # quant


def render_seq(seq: Seq) -> str:
    return "".join(render(node) for node in seq)


@st.composite
def atoms(draw: st.DrawFn, depth: int) -> Node:
    kinds = ["lit"] * 6 + ["class", "nclass", "dot", "esc"] + (["group"] if depth < 2 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "lit":
        return ("lit", draw(st.sampled_from(LITERALS)))
    if kind in ("class", "nclass"):
        return (kind, draw(st.text(LITERALS, min_size=1, max_size=3)))
    if kind == "dot":
        return ("dot",)
    if kind == "esc":
        return ("esc", draw(st.sampled_from(sorted(ESCAPES))))
    alternatives = draw(st.lists(sequences(depth + 1), min_size=1, max_size=2))
    return ("group", draw(st.booleans()), alternatives)


@st.composite
def nodes(draw: st.DrawFn, depth: int) -> Node:
    atom = draw(atoms(depth))
    if draw(st.integers(0, 3)) == 0:
        return ("quant", atom, draw(st.sampled_from(sorted(QUANTIFIERS))))
    return atom


def sequences(depth: int = 0) -> st.SearchStrategy[Seq]:
    return st.lists(nodes(depth), min_size=1, max_size=5)


class Generated:
    """A compiled pattern and the tree it was rendered from (to draw strings it matches)."""

    def __init__(self, start: str, alternatives: list[Seq], end: str, flags: int, inline: int):
        self.alternatives = alternatives
        self.end = end
        letters = "".join(letter for flag, letter in FLAG_LETTERS if inline & flag)
        source = start + "|".join(render_seq(alt) for alt in alternatives) + end
        self.pattern = re.compile(f"(?{letters}){source}" if letters else source, flags)

    def __repr__(self) -> str:
        return f"re.compile({self.pattern.pattern!r}, {self.pattern.flags!r})"


def flag_sets(allowed: tuple[int, ...]) -> st.SearchStrategy[int]:
    return st.lists(st.sampled_from(allowed), unique=True).map(lambda flags: sum(flags, 0))


@st.composite
def generated(
    draw: st.DrawFn, allowed_flags: tuple[int, ...] = (re.I, re.M, re.S, re.A)
) -> Generated:
    alternatives = draw(st.lists(sequences(), min_size=1, max_size=2))
    start = draw(st.sampled_from(["", "", "^"]))
    end = draw(st.sampled_from(["", "", "$", r"\Z"]))
    flags, inline = draw(flag_sets(allowed_flags)), 0
    if draw(st.booleans()):  # some flags given inline, as (?i) at the start, instead
        inline = draw(flag_sets(allowed_flags))
    return Generated(start, alternatives, end, flags, inline)


@st.composite
def tail_patterns(
    draw: st.DrawFn, tails: list[str], lead: bool, literals: str = LITERALS
) -> Generated:
    """Literal text then one of a few tails, near misses included (after a lead from the grammar,
    with ``lead``): the shapes where the analysis has something to find, a long literal prefix
    or suffix."""
    seq = draw(st.one_of(st.just([]), sequences())) if lead else []
    tail = draw(st.sampled_from(tails))
    quantified = tail[:1] in ("*", "+", "?", "{")  # needs a literal to repeat
    seq += [("lit", char) for char in draw(st.text(literals, min_size=quantified, max_size=6))]
    seq.append(("tail", tail))
    start = draw(st.sampled_from(["", "^"]))
    flags = draw(st.sampled_from([0, 0, re.M, re.S, re.I, re.I | re.S]))
    return Generated(start, [seq], "", flags, 0)


def sample(draw: st.DrawFn, node: Node, flags: int) -> str:
    """A string ``node`` matches (or nearly: a case swap may not fold back, under re.ASCII)."""
    kind = node[0]
    if kind == "lit":
        char = str(node[1])
        swapped = char.swapcase()
        return swapped if flags & re.I and len(swapped) == 1 and draw(st.booleans()) else char
    if kind == "class":
        return draw(st.sampled_from(node[1]))
    if kind == "nclass":
        return draw(st.sampled_from([char for char in TEXT if char not in node[1]]))
    if kind == "dot":
        return draw(st.sampled_from(TEXT if flags & re.S else NOT_NEWLINE))
    if kind == "esc":
        return draw(st.sampled_from(ESCAPES[node[1]]))
    if kind == "group":
        return sample_seq(draw, draw(st.sampled_from(node[2])), flags)
    if kind == "tail":  # tail_patterns: strings that match most tails, or anything short
        return draw(st.one_of(st.sampled_from(TAIL_MATCHES), st.text(TEXT, max_size=3)))
    low, high = QUANTIFIERS[node[2]]
    return "".join(sample(draw, node[1], flags) for _ in range(draw(st.integers(low, high))))


def sample_seq(draw: st.DrawFn, seq: Seq, flags: int) -> str:
    return "".join(sample(draw, node, flags) for node in seq)


@st.composite
def strings_for(draw: st.DrawFn, sources: list[Generated]) -> list[str]:
    """Strings the patterns match, variations on them (near misses), and arbitrary text."""
    found = []
    for source in sources:
        for _ in range(3):
            text = sample_seq(
                draw, draw(st.sampled_from(source.alternatives)), source.pattern.flags
            )
            if source.end == "$" and draw(st.integers(0, 3)) == 0:
                text += "\n"  # $ also matches before a final newline
            variation = draw(st.integers(0, 5))
            if variation == 1:
                text += draw(st.text(TEXT, min_size=1, max_size=3))
            elif variation == 2 and text:
                text = text[: draw(st.integers(0, len(text) - 1))]
            elif variation == 3:
                text = text.swapcase()
            elif variation == 4:
                text = draw(st.text(TEXT, min_size=1, max_size=2)) + text
            found.append(text)
    found += draw(st.lists(st.text(TEXT, max_size=8), max_size=3))
    return found


# -- literal_prefix ---------------------------------------------------------------------------------

PREFIX_TAILS = [
    "",
    ".*",
    ".*?",
    "a*",
    "a?",
    "a??",
    r"\.?",
    r"\.*?",
    ".+",
    ".",
    ".?",
    "a+",
    "[a-z]*",
    "(?:.*)",
    "(.*)",
    ".*$",
    "$",
    r"\Z",
    "a{0,2}",
    r"\d?",
    "a*b",
    ".*a",
    "|x",
    "(?i:a)?",
]


@st.composite
def with_strings(
    draw: st.DrawFn, patterns: st.SearchStrategy[Generated]
) -> tuple[Generated, list[str]]:
    source = draw(patterns)
    return source, draw(strings_for([source]))


# Each property runs on the grammar's patterns (EXAMPLES) and, so that every shape is certainly
# tried, on each tail's patterns (PER_TAIL examples per tail).
PER_TAIL = settings(max_examples=25, deadline=None)


def check_prefix(source: Generated, strings: list[str]) -> None:
    """Every string ``pattern.match`` accepts (as Resources.lookup uses it) starts with the prefix."""
    prefix, _universal = literal_prefix(source.pattern)
    for text in strings:
        if source.pattern.match(text) is not None:
            assert text.startswith(prefix), (source, prefix, text)


def check_universal(source: Generated, suffixes: list[str]) -> None:
    """ "Universal" (the pattern need not be run) only when the pattern matches the prefix followed
    by anything at all."""
    prefix, universal = literal_prefix(source.pattern)
    if universal:
        for suffix in ["", "\n", "\n\n", "x\ny", *suffixes]:
            assert source.pattern.match(prefix + suffix) is not None, (source, prefix, suffix)


SUFFIXES = st.lists(st.text(TEXT, max_size=8), max_size=6)


@EXAMPLES
@given(case=with_strings(generated()), suffixes=SUFFIXES)
def test_literal_prefix(case: tuple[Generated, list[str]], suffixes: list[str]) -> None:
    check_prefix(*case)
    check_universal(case[0], suffixes)


@pytest.mark.parametrize("tail", PREFIX_TAILS)
@PER_TAIL
@given(data=st.data(), suffixes=SUFFIXES)
def test_literal_prefix_per_tail(tail: str, data: st.DataObject, suffixes: list[str]) -> None:
    source, strings = data.draw(with_strings(tail_patterns([tail], lead=False)))
    check_prefix(source, strings)
    check_universal(source, suffixes)


# -- literal_suffix and origin_index ----------------------------------------------------------------

SUFFIX_TAILS = [
    "",
    "$",
    r"\Z",
    r"\$",
    r"\\$",
    "?",
    "*",
    "+",
    "{2}",
    r"\d",
    ".",
    "(?:x)",
    "|x",
    "\u017f",  # matches "s" and "S" under IGNORECASE
    r"\x41",  # escapes of several characters
    r"\101",
    r"\u0061",
    "\u212a$",  # matches "k" and "K" under IGNORECASE
]


def check_suffix(source: Generated, strings: list[str]) -> None:
    """Every ASCII string the pattern fullmatches, lower-cased (as Policy.origin_allowed looks it
    up), ends with the suffix; the suffix itself is lower-case ASCII."""
    suffix = literal_suffix(source.pattern)
    assert suffix.isascii() and suffix == suffix.lower()
    for text in strings:
        if text.isascii() and source.pattern.fullmatch(text) is not None:
            assert text.lower().endswith(suffix), (source, suffix, text)


@EXAMPLES
@given(case=with_strings(generated()))
def test_literal_suffix(case: tuple[Generated, list[str]]) -> None:
    check_suffix(*case)


@pytest.mark.parametrize("tail", SUFFIX_TAILS)
@PER_TAIL
@given(data=st.data())
def test_literal_suffix_per_tail(tail: str, data: st.DataObject) -> None:
    check_suffix(*data.draw(with_strings(tail_patterns([tail], lead=True))))


def _candidates(index: dict[str, tuple[re.Pattern[str], ...]], origin: str) -> tuple[Any, ...]:
    """The bucket Policy.origin_allowed tries for an ASCII origin: the longest key it ends with."""
    lowered = origin.lower()
    for key in sorted(index, key=len, reverse=True):
        if lowered.endswith(key):
            return index[key]
    return ()


@st.composite
def pattern_lists(
    draw: st.DrawFn, patterns: st.SearchStrategy[Generated], max_size: int = 4
) -> tuple[list[Generated], list[str]]:
    sources = draw(st.lists(patterns, min_size=1, max_size=max_size))
    return sources, draw(strings_for(sources))


# Origin-like patterns over few characters, so that one's suffix often ends another's.
INDEX_PATTERNS = st.one_of(tail_patterns(SUFFIX_TAILS, lead=True, literals="a."), generated())


@EXAMPLES
@given(case=pattern_lists(INDEX_PATTERNS))
def test_origin_index_loses_no_match(case: tuple[list[Generated], list[str]]) -> None:
    """An ASCII origin some pattern fullmatches is fullmatched by a pattern of its bucket, and a
    bucket holds only input patterns' matches."""
    sources, strings = case
    patterns = [source.pattern for source in sources]
    index = origin_index(patterns)
    if index is None:
        return
    for text in strings:
        if text.isascii():
            expected = any(p.fullmatch(text) is not None for p in patterns)
            got = any(p.fullmatch(text) is not None for p in _candidates(index, text))
            assert got == expected, (sources, index, text)


# -- combine ----------------------------------------------------------------------------------------


@EXAMPLES
@given(case=pattern_lists(generated()))
def test_combine_matches_what_any_input_matches(case: tuple[list[Generated], list[str]]) -> None:
    """One pattern for two or more, accepting (match, fullmatch, search) exactly the strings one of
    the inputs accepts, each input under its own flags (given as arguments or inline)."""
    sources, strings = case
    patterns = [source.pattern for source in sources]
    combined = combine(patterns)
    # An octal escape looks like a backreference to combine(), which leaves such inputs apart.
    apart = len(patterns) < 2 or any(r"\101" in p.pattern for p in patterns)
    assert combined == tuple(patterns) if apart else len(combined) == 1
    for text in strings:
        for method in ("match", "fullmatch", "search"):
            expected = any(getattr(p, method)(text) is not None for p in patterns)
            got = any(getattr(p, method)(text) is not None for p in combined)
            assert got == expected, (sources, combined, method, text)


REFUSED = [
    [re.compile("a b # comment", re.VERBOSE)],
    [re.compile(r"(a)\1")],
    [re.compile(r"(?P<n>a)(?P=n)")],
    [re.compile(r"(a)?(?(1)b|c)")],
    [re.compile("(?P<n>a)"), re.compile("(?P<n>b)")],  # the combined compile rejects these
]


@EXAMPLES
@given(
    before=st.lists(generated(), max_size=2),
    refused=st.sampled_from(REFUSED),
    after=st.lists(generated(), max_size=2),
)
def test_combine_leaves_what_it_cannot_merge(
    before: list[Generated], refused: list[re.Pattern[str]], after: list[Generated]
) -> None:
    """Verbose mode, backreferences and whatever the combined compile rejects: the inputs
    themselves, unchanged, in order."""
    patterns = [g.pattern for g in before] + refused + [g.pattern for g in after]
    combined = combine(patterns)
    assert len(combined) == len(patterns)
    assert all(got is given for got, given in zip(combined, patterns, strict=True))


# -- precision the engine relies on -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "flags", "expected"),
    [
        ("/*", 0, ("", True)),
        (".*", 0, ("", True)),
        ("/api/.*", 0, ("/api/", True)),
        ("^/api/.*?", 0, ("/api/", True)),
        (r"/api\.v1", 0, ("/api.v1", True)),
        ("/api/v1?", 0, ("/api/v", True)),
        ("/api/.+", 0, ("/api/", False)),
        ("/ab+c", 0, ("/ab", False)),
        ("/a{2}", 0, ("/", False)),
        (r"/api/\d", 0, ("/api/", False)),
        ("/a|/b", 0, ("", False)),
        (".*", re.I, ("", True)),
        ("/api/", re.I, ("", False)),
        ("/api/.*", re.VERBOSE, ("", False)),
    ],
)
def test_literal_prefix_examples(source: str, flags: int, expected: tuple[str, bool]) -> None:
    assert literal_prefix(re.compile(source, flags)) == expected


@pytest.mark.parametrize(
    ("source", "flags", "expected"),
    [
        (r"https://.*\.example\.com", re.I, ".example.com"),
        (r"https://.*\.Example\.COM$", 0, ".example.com"),
        (r"https://.*\.example\.com\Z", 0, ".example.com"),
        (r".*x\$", 0, "x$"),
        (r".*x\\$", 0, "x\\"),
        (".*\\.ex\u017fmple", re.I, "mple"),  # cut at the non-ASCII character
        (r".*\.ex\u017fmple", re.I, "mple"),  # the same character as an escape
        (r".*\.ex\u0061mple", 0, "mple"),
        (r".*\x41", 0, ""),
        (r".*\x41b", 0, "b"),
        (r".*\U0001F600", 0, ""),
        (r".*\101", 0, ""),
        (r"(a)\1x", 0, ""),
        (r".*\\x41", 0, "\\x41"),  # a literal backslash, then literal text
        (r"https://[a-z]+\.s\.com", 0, ".s.com"),
        (r".*\d", 0, ""),
        (".*com?", 0, ""),
        ("https://a|https://b", 0, ""),
        (r".*\.com", re.VERBOSE, ""),
    ],
)
def test_literal_suffix_examples(source: str, flags: int, expected: str) -> None:
    assert literal_suffix(re.compile(source, flags)) == expected


def test_combine_keeps_each_inputs_flags() -> None:
    strict, loose = re.compile("a.b"), re.compile("(?s)c.d", re.I)
    (combined,) = combine([strict, loose])
    assert combined.fullmatch("C\nD") and combined.fullmatch("a-b")
    assert not combined.fullmatch("A-B") and not combined.fullmatch("a\nb")
    assert combine([strict]) == (strict,) and combine([]) == ()
