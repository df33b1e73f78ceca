#!/usr/bin/env python3
"""Coverage-guided fuzz target for fastcors' engine, both implementations (atheris / libFuzzer).

Each input is decoded into one of three experiments:

1. a request (Origin, method, Access-Control-Request-Method/-Headers/-Private-Network) against a
   fixed set of configurations;
2. a generated configuration (origin and header patterns from a regex grammar, literal values,
   flags) and a request against it: this drives the option compiler, including the combining of
   several patterns into one regex;
3. a generated ``resources`` table and a path: resource ordering, literal-prefix buckets, lookup.

Invariants checked on every input:

- no exception, except ``ValueError``/``TypeError`` from compiling a configuration, and then the
  same one (type and message) from both engines;
- the pure-Python and compiled engines give the same answer;
- that answer is the SPEC oracle's (tests/cors_oracle.py), so Access-Control-Allow-Origin is only
  ever sent for an origin the configuration allows, and Access-Control-Allow-Headers only lists
  RFC 9110 tokens (HEADERS_BOUNDED), sorted, and nothing past the bound;
- no header value contains a control character.

The pure-Python engine and the option compiler are instrumented for coverage; the compiled engine
runs alongside and must agree. Run from the repository root, with atheris installed:

    python fuzz/fuzz_engine.py -max_total_time=60 fuzz/corpus
    python fuzz/fuzz_engine.py -runs=100000

Without atheris (``pip install atheris`` has no wheel for the interpreter and no clang), the same
target runs under a plain random-input loop, bounded the same way (not coverage-guided):

    python fuzz/fuzz_engine.py --no-atheris -max_total_time=20
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import sys
import time
import types
import warnings
from collections.abc import Iterator
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # tests.cors_oracle

USE_ATHERIS = "--no-atheris" not in sys.argv
if not USE_ATHERIS:
    sys.argv.remove("--no-atheris")
atheris: Any = None
if USE_ATHERIS:
    try:
        import atheris
    except ImportError:
        print("atheris is not installed: falling back to --no-atheris", file=sys.stderr)
        USE_ATHERIS = False

if USE_ATHERIS:
    with atheris.instrument_imports(include=["fastcors"]):
        import fastcors._compile as compile_module
        import fastcors._engine as selector
        import fastcors._engine_py as engine_py
else:
    import fastcors._compile as compile_module
    import fastcors._engine as selector
    import fastcors._engine_py as engine_py

from tests.cors_oracle import ACAH, ACAO, Oracle, first_resource, has_ctl, is_token  # noqa: E402

import fastcors._engine_c as engine_c  # noqa: E402
from fastcors._options import DEFAULTS  # noqa: E402

ENGINES = (engine_py, engine_c)

# Material the decoder picks from ---------------------------------------------------------------------

ORIGIN_PIECES = [
    "https://", "http://", "a.example", "b.example:8443", ".c.example", "localhost", ":5000",
    "null", "NULL", ".evil.net", "/", "*", "\r", "\n", "\x00", "\t", "\x7f", " ", "é", "\u212a",
    "ß", "İ", "\x85", "\u2028", "%0d%0a", "@", "..", "A", "-",
]  # fmt: skip
HEADER_PIECES = [
    "Content-Type", "content-type", "X-Requested-With", "X-Custom-A", "x-a", "X-B", "a", ",",
    ", ", " ", "\t", ",,", "*", "x y", "x:y", "é", "\x00", "\r\n", "(", '"', "ﬀ",
]  # fmt: skip
METHOD_PIECES = [
    "GET",
    "get",
    "POST",
    "PUT",
    "put",
    "DELETE",
    "OPTIONS",
    "ET",
    " ",
    ",",
    "ﬆ",
    "\x00",
]
# A regex grammar without nested quantifiers, so generated patterns cannot backtrack badly.
REGEX_ATOMS = [
    "https://", "http://", "a", "b", "example", r"\.", ".", "[a-z]", "[a-z0-9-]", r"\d", ":",
    "/", "null", "(x|y)", "(?:www\\.)?", "^", "$", "-", "api", "v1", "%", "+", r"\+", "[^/]",
]  # fmt: skip
QUANTIFIERS = ["", "", "", "*", "+", "?", "{2}"]
LITERALS = [
    "https://a.example",
    "HTTPS://B.Example:8443",
    "null",
    "https://x.example",
    "X-A",
    "x-b",
]
PATH_PIECES = [
    "/", "api", "API", "v1", "a", "b", "x", "y", "1", "%", "%2", "%25", "%2F", "+", " ", ".", "é",
    "\x00", "-", "files", "\ufffd",
]  # fmt: skip

FIXED_CONFIGS = [
    {},
    {
        "origins": [
            "https://a.example",
            "HTTPS://B.Example:8443",
            r"https://[a-z0-9-]+\.c\.example",
            re.compile(r"http://localhost:\d+"),
        ],
        "allow_headers": ["Content-Type", "X-Requested-With", r"X-Custom-[A-Z]+"],
        "supports_credentials": True,
        "expose_headers": ["X-Total"],
        "max_age": 600,
        "methods": ["GET", "POST", "put"],
    },
    {"origins": "*", "send_wildcard": True, "always_send": False},
    {"origins": ["null", "https://a.example"], "allow_headers": ["x-a", "x-b", "x-c", "x-d"]},
    {"origins": r"https://.*\.example\.com", "vary_header": False, "allow_private_network": True},
]


class Source:
    """Decodes fuzz input bytes into values (atheris' FuzzedDataProvider, or a stand-in)."""

    def __init__(self, data: bytes) -> None:
        self.fdp = atheris.FuzzedDataProvider(data) if USE_ATHERIS else _Provider(data)

    def integer(self, low: int, high: int) -> int:
        return int(self.fdp.ConsumeIntInRange(low, high))

    def flag(self) -> bool:
        return bool(self.fdp.ConsumeBool())

    def pick(self, values: list[Any]) -> Any:
        return values[self.integer(0, len(values) - 1)]

    def raw(self, limit: int) -> str:
        return str(self.fdp.ConsumeUnicodeNoSurrogates(self.integer(0, limit)))

    def text(self, pieces: list[str], parts: int = 8) -> str | None:
        kind = self.integer(0, 9)
        if kind == 0:
            return None
        if kind == 1:
            return self.raw(64)
        if kind == 2:  # one piece repeated up to far past HEADERS_BOUNDED
            return self.pick(pieces) * self.integer(1, 10_000)
        return "".join(
            self.pick(pieces) if self.integer(0, 3) else self.raw(4)
            for _ in range(self.integer(0, parts))
        )

    def regex(self) -> str:
        """Up to five atoms, at most one of them quantified: matching stays linear, so a slow
        input is fastcors' fault, not the generated pattern's."""
        atoms = [self.pick(REGEX_ATOMS) for _ in range(self.integer(1, 5))]
        quantified = self.integer(0, len(atoms) - 1)
        atoms[quantified] += self.pick(QUANTIFIERS)
        return "".join(atoms)

    def patterns(self) -> Any:
        """An origins or allow_headers value: one item or a list of literals, regexes, wildcards."""
        items: list[Any] = []
        for _ in range(self.integer(0, 4)):
            kind = self.integer(0, 5)
            if kind == 0:
                items.append(self.pick(["*", ".*"]))
            elif kind == 1:
                items.append(self.pick(LITERALS))
            elif kind == 2:
                try:
                    items.append(re.compile(self.regex(), re.IGNORECASE if self.flag() else 0))
                except re.error:
                    pass
            else:
                items.append(self.regex())
        if len(items) == 1 and self.flag():
            return items[0]
        return items


class _Provider:
    """The subset of atheris.FuzzedDataProvider this target uses, over plain bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def _take(self, n: int) -> bytes:
        chunk = self.data[self.at : self.at + n]
        self.at += len(chunk)
        return chunk

    def ConsumeIntInRange(self, low: int, high: int) -> int:
        span = high - low
        if span <= 0:
            return low
        size = (span.bit_length() + 7) // 8
        return low + int.from_bytes(self._take(size).ljust(size, b"\0"), "little") % (span + 1)

    def ConsumeBool(self) -> bool:
        return bool(self.ConsumeIntInRange(0, 1))

    def ConsumeUnicodeNoSurrogates(self, count: int) -> str:
        raw = self._take(count * 2)
        chars = []
        for i in range(0, len(raw) - 1, 2):
            code = int.from_bytes(raw[i : i + 2], "little")
            chars.append(chr(code if not 0xD800 <= code <= 0xDFFF else code - 0x800))
        return "".join(chars)


# Engines ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def engine(module: types.ModuleType) -> Iterator[None]:
    """Point the selector at one engine while the option compiler builds objects."""
    saved = {name: getattr(selector, name) for name in selector.ENGINE_NAMES}
    for name in selector.ENGINE_NAMES:
        setattr(selector, name, getattr(module, name))
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(selector, name, value)


def compile_both(options: dict[str, Any]) -> tuple[Any, ...] | Exception:
    """The policy for ``options`` from each engine, or the documented error both raise."""
    results: list[Any] = []
    for module in ENGINES:
        with engine(module), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                results.append(compile_module.compile_policy({**DEFAULTS, **options}))
            except (ValueError, TypeError) as exc:
                results.append(exc)
    first, second = results
    if isinstance(first, Exception) or isinstance(second, Exception):
        assert type(first) is type(second), (options, first, second)
        assert str(first) == str(second), (first, second)
        return first
    return tuple(results)


FIXED = [(compile_both(config), Oracle(config)) for config in FIXED_CONFIGS]


def check_request(policies: tuple[Any, ...], oracle: Oracle, source: Source) -> None:
    origin = source.text(ORIGIN_PIECES)
    method = source.pick(["GET", "POST", "OPTIONS", "OPTIONS", "PUT", "HEAD"])
    acrm = source.text(METHOD_PIECES, parts=3)
    acrh = source.text(HEADER_PIECES, parts=80)
    acrpn = source.pick([None, "true", "TRUE", "false", ""])
    answers = [p.evaluate(origin, method, acrm, acrh, acrpn) for p in policies]
    assert answers[0] == answers[1], (origin, method, acrm, acrh, answers)
    expected = oracle.pairs(origin, method, acrm, acrh, acrpn)
    assert answers[0] == expected, (origin, method, acrm, acrh, answers[0], expected)
    for name, value in answers[0] or ():
        assert not has_ctl(value), (name, value)
        if name == ACAO and value != "*" and origin:
            assert value == origin and oracle.origin_allowed(origin)
        if name == ACAH:
            names = value.split(", ")
            assert all(is_token(n) for n in names) and names == sorted(names), value
            assert acrh is not None and len(acrh) <= 4096 and acrh.count(",") < 64
    if origin:
        allowed = [p.origin_allowed(origin) for p in policies]
        assert allowed[0] == allowed[1] == oracle.origin_allowed(origin), (origin, allowed)


def generated_config(source: Source) -> dict[str, Any]:
    config: dict[str, Any] = {"origins": source.patterns(), "allow_headers": source.patterns()}
    for name in ("supports_credentials", "send_wildcard", "always_send", "vary_header"):
        if source.flag():
            config[name] = source.flag()
    if source.flag():
        config["methods"] = source.pick([["GET", "POST"], "GET, put", ["DELETE"], "*"])
    if source.flag():
        config["max_age"] = source.pick([0, 5, "0", "600"])
    return config


def check_resources(source: Source) -> None:
    keys: list[Any] = []
    for _ in range(source.integer(1, 6)):
        kind = source.integer(0, 3)
        if kind == 0:
            key: Any = source.pick(["*", "/*", "/", "/api", "/api/*", "/a+b", "/files/*"])
        elif kind == 1:
            try:
                key = re.compile(source.regex())
            except re.error:
                continue
        else:
            key = "/" + source.regex()
        if all(type(k) is not type(key) or k != key for k in keys):
            keys.append(key)
    path = "/" + "".join(source.pick(PATH_PIECES) for _ in range(source.integer(0, 12)))
    table = {key: {"origins": [f"https://r{i}.example"]} for i, key in enumerate(keys)}
    found = []
    for module in ENGINES:
        with engine(module):
            try:
                entries = compile_module.resource_entries(table)
            except (ValueError, TypeError):
                return
            policies = [
                (key, compile_module.compile_policy({**DEFAULTS, **opts})) for key, opts in entries
            ]
            resources, _invalid = compile_module.compile_resources(policies)
            policy = resources.lookup(path)
            owner = next((key for key, p in policies if p is policy), None)
            found.append(owner)
    expected = first_resource(keys, path)
    assert found[0] is found[1] is expected or found[0] == found[1] == expected, (
        keys,
        path,
        found,
        expected,
    )


def TestOneInput(data: bytes) -> None:
    source = Source(data)
    experiment = source.integer(0, 2)
    if experiment == 0:
        policies, oracle = source.pick(FIXED)
        check_request(policies, oracle, source)
    elif experiment == 1:
        config = generated_config(source)
        policies = compile_both(config)
        if isinstance(policies, Exception):
            return
        check_request(policies, Oracle(config), source)
    else:
        check_resources(source)


def _max_total_time(argv: list[str], default: float) -> float:
    for arg in argv:
        if arg.startswith("-max_total_time="):
            return float(arg.split("=", 1)[1])
    return default


def fallback(argv: list[str]) -> None:
    """Random inputs (and mutations of earlier ones) for -max_total_time seconds (default 20)."""
    deadline = time.monotonic() + _max_total_time(argv, 20.0)
    rng = random.Random(int(os.environ.get("FUZZ_SEED", "0")))
    pool: list[bytes] = [b""]
    runs = 0
    while time.monotonic() < deadline:
        if pool and rng.random() < 0.5:
            data = bytearray(rng.choice(pool))
            for _ in range(rng.randint(1, 8)):
                if data and rng.random() < 0.7:
                    data[rng.randrange(len(data))] = rng.randrange(256)
                else:
                    data[rng.randrange(len(data) + 1) : 0] = rng.randbytes(rng.randint(1, 16))
            data = bytes(data)
        else:
            data = rng.randbytes(rng.randint(0, 512))
        TestOneInput(data)
        runs += 1
        if len(pool) < 1000:
            pool.append(data)
    print(f"fuzz_engine (random, not coverage-guided): {runs} inputs, no failure")


def main() -> None:
    if USE_ATHERIS:
        atheris.Setup(sys.argv, TestOneInput)
        atheris.Fuzz()
    else:
        fallback(sys.argv)


if __name__ == "__main__":
    main()
