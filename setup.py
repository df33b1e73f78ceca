"""Builds the optional compiled engine; all metadata lives in pyproject.toml.

- FASTCORS_NO_EXTENSIONS=1 (the same parser as at runtime: src/fastcors/_env.py) builds a pure wheel.
- Without a working C compiler (or without Cython), the install still succeeds with the
  pure-Python engine and says why, unless CIBUILDWHEEL=1: a release wheel must never ship degraded.
- FASTCORS_CYTHON_TRACING=1 adds line tracing (coverage builds); FASTCORS_CYTHON_ANNOTATE=1 writes
  the annotated HTML next to the .pyx.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import sys
import traceback

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
PYX = os.path.join("src", "fastcors", "_engine_c.pyx")


def _load_env():
    spec = importlib.util.spec_from_file_location(
        "_fastcors_env", os.path.join(HERE, "src", "fastcors", "_env.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_env = _load_env()
CIBUILDWHEEL = _env.flag("CIBUILDWHEEL")


def _banner(reason: str) -> None:
    line = "*" * 75
    print(
        f"\n{line}\nfastcors: the compiled engine was NOT built ({reason}).\n"
        "fastcors is installed with its pure-Python engine: it works the same, only slower.\n"
        'Check with: python -c "import fastcors; print(fastcors.IMPLEMENTATION)"\n'
        f"{line}\n",
        file=sys.stderr,
        flush=True,
    )


class optional_build_ext(build_ext):
    """build_ext that falls back to the pure-Python engine when compiling fails."""

    def run(self):
        try:
            super().run()
        except Exception as exc:  # no compiler, missing headers, broken toolchain
            self._fail(exc)

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as exc:
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        if CIBUILDWHEEL:
            raise exc
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        _banner(f"{type(exc).__name__}: {exc}")


def _extensions():
    if _env.no_extensions():
        _banner("FASTCORS_NO_EXTENSIONS is set")
        return []
    if platform.python_implementation() != "CPython":
        _banner(f"{platform.python_implementation()} uses the pure-Python engine")
        return []
    try:
        from Cython.Build import cythonize
    except ImportError as exc:
        if CIBUILDWHEEL:
            raise
        _banner(f"Cython is not available: {exc}")
        return []
    tracing = _env.flag("FASTCORS_CYTHON_TRACING")
    directives = {
        "language_level": "3",
        "freethreading_compatible": True,
        "embedsignature": True,
        # Plain builtin functions and methods rather than cyfunctions: each call from Python is
        # about 8 ns cheaper (the hook calls apply once per request).
        "binding": False,
    }
    macros = []
    if tracing:
        directives.update(linetrace=True, profile=True)
        macros.append(("CYTHON_TRACE_NOGIL", "1"))
    extension = Extension("fastcors._engine_c", [PYX], define_macros=macros)
    try:
        return cythonize(
            [extension],
            compiler_directives=directives,
            annotate=_env.flag("FASTCORS_CYTHON_ANNOTATE"),
        )
    except Exception as exc:
        if CIBUILDWHEEL:
            raise
        _banner(f"cythonize failed: {exc}")
        return []


setup(ext_modules=_extensions(), cmdclass={"build_ext": optional_build_ext})
