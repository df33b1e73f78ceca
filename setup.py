"""Builds the optional compiled engine; all metadata lives in pyproject.toml.

- FASTCORS_NO_EXTENSIONS=1 (the same parser as at runtime: src/fastcors/_env.py) builds a pure
  py3-none-any wheel.
- Without Cython, or without a working C compiler, the install still succeeds with the
  pure-Python engine and says why, unless CIBUILDWHEEL=1: a release wheel must never ship degraded.
  The wheel is then py3-none-any: a compiler or build error (BuildFailed below; any other error
  stays fatal) reruns setup() without the extension, since pip caches wheels by tag and would
  reuse a platform-tagged wheel without its compiled module even after a compiler appears.
  Editable installs (never cached) just go on without the module.
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
from setuptools.errors import CCompilerError, ExecError, PlatformError

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


# What a missing or broken toolchain raises. CCompilerError covers CompileError, LinkError and
# LibError; ExecError is a compiler that could not be run; PlatformError is "no compiler for this
# platform" (MSVC not installed, for one).
BUILD_ERRORS = (CCompilerError, ExecError, PlatformError)


class BuildFailed(Exception):
    """The compiled engine could not be built; setup() is run again without it."""


class optional_build_ext(build_ext):
    """build_ext that turns compiler and build errors into BuildFailed (fatal under cibuildwheel)."""

    def initialize_options(self):
        super().initialize_options()
        self.failed_extensions: set[str] = set()  # editable mode only, see _fail

    def run(self):
        try:
            super().run()
        except BUILD_ERRORS as exc:
            self._fail(exc)
        except (OSError, ValueError) as exc:
            if not self._raised_by_compiler(exc):
                raise
            self._fail(exc)

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except BUILD_ERRORS as exc:
            self._fail(exc, ext.name)
        except (OSError, ValueError) as exc:
            if not self._raised_by_compiler(exc):
                raise
            self._fail(exc, ext.name)

    def copy_extensions_to_source(self):
        # Editable mode copies the built modules into src/: not the ones that failed to build.
        extensions = self.extensions
        self.extensions = [e for e in extensions if e.name not in self.failed_extensions]
        try:
            super().copy_extensions_to_source()
        finally:
            self.extensions = extensions

    def _raised_by_compiler(self, exc: BaseException) -> bool:
        """True when the compiler object's code raised exc (MSVC's environment probing, for one);
        an OSError or ValueError from anywhere else is a bug, not a missing toolchain."""
        modules = {"setuptools.msvc"}
        if self.compiler is not None and not isinstance(self.compiler, str):
            modules |= {c.__module__ for c in type(self.compiler).__mro__ if c is not object}
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_globals.get("__name__") in modules:
                return True
            tb = tb.tb_next
        return False

    def _fail(self, exc: BaseException, extension: str | None = None) -> None:
        if CIBUILDWHEEL:
            raise exc
        reason = f"{type(exc).__name__}: {exc}"
        if self.editable_mode:
            # pip never caches editable wheels, and setup() cannot run twice in an editable build
            # (the first run deletes the egg-info directory that distutils remembers creating):
            # go on without the extension; the checkout's pure-Python engine is what loads.
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
            _banner(reason)
            if extension is not None:
                self.failed_extensions.add(extension)
            return
        raise BuildFailed(reason) from exc


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


def main() -> None:
    cmdclass = {"build_ext": optional_build_ext}
    try:
        setup(ext_modules=_extensions(), cmdclass=cmdclass)
    except BuildFailed as exc:
        cause = exc.__cause__ or exc
        traceback.print_exception(type(cause), cause, cause.__traceback__, file=sys.stderr)
        print(
            f"\nfastcors: compiling the engine failed ({exc});\n"
            "fastcors: running setup again without it, for a pure py3-none-any wheel.\n",
            file=sys.stderr,
            flush=True,
        )
        setup(ext_modules=[], cmdclass=cmdclass)
        _banner(str(exc))


main()
