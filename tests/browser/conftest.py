"""Fixtures of the browser tests: one Chromium per run, one fresh tab per test, one page server,
and API servers started per test for apps built inside the test.

The apps are built in the test body, after the autouse ``engine`` fixture (tests/conftest.py) has
pointed fastcors at the engine of the current leg, and served from threads of this process; ``serve``
checks afterwards that every compiled object the app holds came from that engine, so the [python]
and [cython] legs cannot silently test the same thing.

Without Playwright or a Chromium the tests skip, saying why; with ``CI=true`` that is a failure.
"""

from __future__ import annotations

import os
import types
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask

from .harness import (
    CHROMIUM_ENV,
    HOST_RESOLVER_RULES,
    ApiServer,
    Origins,
    PageServer,
    Serve,
    Tab,
    find_chromium,
    unavailable,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    """Headless Chromium, launched once for the browser tests."""
    try:
        from playwright.sync_api import sync_playwright

        missing = False
    except ImportError:
        missing = True
    if missing:  # outside the except block: no chained traceback in the report
        unavailable(
            "Playwright for Python is not installed "
            "(pip install playwright, or run scripts/install-browser)"
        )
    executable = find_chromium()
    if executable is None:
        unavailable(
            f"no Chromium found (apt-get install chromium, or run scripts/install-browser, "
            f"or point {CHROMIUM_ENV} at a Chromium or Chrome binary)"
        )
    if not os.access(executable, os.X_OK):
        unavailable(f"{CHROMIUM_ENV}={executable!r} is not an executable file")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[f"--host-resolver-rules={HOST_RESOLVER_RULES}"],
        )
    except BaseException:
        playwright.stop()
        raise
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@pytest.fixture(scope="package")
def page_server() -> Iterator[PageServer]:
    server = PageServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def origins(page_server: PageServer) -> Origins:
    """The page origins: ``home`` (127.0.0.1), ``elsewhere``, ``trusted``, ``attack``."""
    return page_server.origins


@pytest.fixture
def tab(chromium: Browser) -> Iterator[Tab]:
    """A tab in a fresh browser context (own cookies, HTTP cache and CORS preflight cache)."""
    context = chromium.new_context()
    try:
        yield Tab(context.new_page())
    finally:
        context.close()


def module_of(obj: Any) -> str | None:
    """The module that defines ``obj``'s class, or for a function, the function."""
    module: str = type(obj).__module__
    if module.startswith("fastcors."):
        return module
    # Functions (Python's, and Cython's cyfunctions) name their module themselves. (Instances of
    # compiled classes do not: hence the type first.)
    found = getattr(obj, "__module__", None)
    return found if isinstance(found, str) else None


def engine_parts(obj: Any, depth: int = 0) -> Iterator[Any]:
    """The engine objects (policies, resources, apply functions) reachable from fastcors' per-app
    state, whatever its layout."""
    module = module_of(obj)
    if isinstance(module, str) and module.startswith("fastcors._engine"):
        yield obj
        return
    if depth > 6:
        return
    children: Iterable[Any]
    if isinstance(obj, dict):
        children = obj.values()
    elif isinstance(obj, (list, tuple)):
        children = obj
    elif isinstance(module, str) and module.startswith("fastcors."):
        names = {n for cls in type(obj).__mro__ for n in getattr(cls, "__slots__", ())}
        names.update(getattr(obj, "__dict__", {}))
        children = [getattr(obj, n) for n in sorted(names) if hasattr(obj, n)]
    else:
        return
    for child in children:
        yield from engine_parts(child, depth + 1)


def assert_engine(app: Flask, engine: types.ModuleType) -> None:
    parts = list(engine_parts(app.extensions.get("fastcors")))
    assert parts, f"{app!r} holds no fastcors engine objects: was fastcors applied to it?"
    wrong = [p for p in parts if module_of(p) != engine.__name__]
    assert not wrong, f"{app!r} was built with another engine than {engine.__name__}: {wrong!r}"


@pytest.fixture
def serve(engine: types.ModuleType) -> Iterator[Serve]:
    """``serve(app, strip=(), fastcors=True)`` serves ``app`` on a free 127.0.0.1 port until the
    test ends; ``strip`` names response headers to remove on the way out (the sensitivity tests).
    Afterwards, for fastcors apps, checks the app used the engine of this leg."""
    started: list[tuple[ApiServer, Flask, bool]] = []

    def start(app: Flask, *, strip: Iterable[str] = (), fastcors: bool = True) -> ApiServer:
        server = ApiServer(app, strip)
        started.append((server, app, fastcors))
        return server

    yield start
    for server, _, _ in started:
        server.stop()
    for _, app, fastcors in started:
        if fastcors:
            assert_engine(app, engine)
