"""The machinery of the browser tests: real HTTP servers on loopback and a Chromium tab that
fetches from them.

- :class:`ApiServer` serves one Flask app (the one under test) on ``127.0.0.1`` and a free port,
  through a recording WSGI middleware: every request that reached the server is counted, with the
  response headers that went out on the wire. The middleware can also *strip* response headers,
  which is how the sensitivity tests simulate a fastcors that forgot to send one.
- :class:`PageServer` serves an empty HTML page, whatever the Host. Chromium maps every ``*.test``
  name to 127.0.0.1 (see :data:`HOST_RESOLVER_RULES`), so one page server gives the tests several
  page origins: ``http://127.0.0.1:P``, ``http://elsewhere.test:P``, ...
- :class:`Tab` drives one Chromium page: open a page origin, run ``fetch`` in it and report what the
  page's JavaScript could see (status, readable headers, body) or the ``TypeError`` it got, with
  the reason Chromium printed to the console.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

import pytest
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask
    from playwright.sync_api import ConsoleMessage, Page

LOOPBACK = "127.0.0.1"

#: Chromium resolves every ``*.test`` name (RFC 6761: never a real domain) to loopback.
HOST_RESOLVER_RULES = f"MAP *.test {LOOPBACK}"

#: Where Debian's ``chromium`` package puts the browser.
DEBIAN_CHROMIUM = "/usr/bin/chromium"
#: Environment variable naming another Chromium/Chrome binary.
CHROMIUM_ENV = "FASTCORS_CHROMIUM"

#: How long a blocked fetch may take to show its CORS error on the console.
CONSOLE_WAIT = 3.0


def in_ci() -> bool:
    """True when the environment says this is a CI run (``CI=true``, as CI services set it)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def unavailable(reason: str) -> NoReturn:
    """Skip the browser tests, saying why; under CI, fail them instead: there they must run."""
    if in_ci():
        pytest.fail(f"{reason} [CI is set, so the browser tests may not be skipped]", pytrace=False)
    pytest.skip(reason)


def find_chromium() -> str | None:
    """The Chromium to drive: ``$FASTCORS_CHROMIUM`` if set, else Debian's, else one on PATH."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        return configured
    if os.access(DEBIAN_CHROMIUM, os.X_OK):
        return DEBIAN_CHROMIUM
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


# --------------------------------------------------------------------------------------------
# Servers


@dataclasses.dataclass
class Exchange:
    """One request that reached a server, and the response that left it."""

    method: str
    path: str
    request_headers: dict[str, str]
    status: int | None = None
    response_headers: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def header(self, name: str) -> str | None:
        """The response header's value (several lines joined with ``", "``), or None."""
        values = [v for k, v in self.response_headers if k.lower() == name.lower()]
        return ", ".join(values) if values else None

    def cors_headers(self) -> dict[str, str]:
        """The ``Access-Control-*`` response headers, names lower-cased."""
        out: dict[str, str] = {}
        for k, v in self.response_headers:
            if k.lower().startswith("access-control-"):
                out[k.lower()] = v
        return out


class Recorder:
    """WSGI middleware: records every request before the app sees it, and the response headers
    as they go out, minus the ones named in ``strip``."""

    def __init__(self, app: WSGIApplication, strip: Iterable[str] = ()) -> None:
        self.app = app
        self.strip = frozenset(name.lower() for name in strip)
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        exchange = Exchange(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), headers)
        with self._lock:
            self.exchanges.append(exchange)

        def recording_start_response(
            status: str, response_headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            kept = [(k, v) for k, v in response_headers if k.lower() not in self.strip]
            exchange.status = int(status.split(None, 1)[0])
            exchange.response_headers = kept
            return start_response(status, kept, exc_info)

        return self.app(environ, recording_start_response)

    def snapshot(self) -> list[Exchange]:
        with self._lock:
            return list(self.exchanges)


class _Handler(WSGIRequestHandler):
    """Werkzeug's handler without the per-request access log: the tests print the exchanges the
    :class:`Recorder` saw when an assertion fails."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class _Server:
    """A threaded Werkzeug server on 127.0.0.1 and a free port, serving in a daemon thread."""

    def __init__(self, app: WSGIApplication, name: str) -> None:
        self._server: BaseWSGIServer = make_server(
            LOOPBACK, 0, app, threaded=True, request_handler=_Handler
        )
        self.port: int = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{name}:{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class ApiServer(_Server):
    """A Flask app under test, served on ``http://127.0.0.1:<free port>`` through a
    :class:`Recorder`."""

    def __init__(self, app: WSGIApplication, strip: Iterable[str] = ()) -> None:
        self.recorder = Recorder(app, strip)
        super().__init__(self.recorder, "api")
        self.origin = f"http://{LOOPBACK}:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path

    @property
    def exchanges(self) -> list[Exchange]:
        return self.recorder.snapshot()

    def count(self, method: str, path: str | None = None) -> int:
        """How many ``method`` requests (for ``path``, if given) reached the server."""
        return sum(
            1
            for e in self.exchanges
            if e.method == method.upper() and (path is None or e.path == path)
        )

    def last(self, method: str, path: str) -> Exchange:
        """The last ``method`` request for ``path`` that reached the server."""
        for exchange in reversed(self.exchanges):
            if exchange.method == method.upper() and exchange.path == path:
                return exchange
        raise AssertionError(f"no {method} {path} reached {self.origin}; log:\n{self.log()}")

    def log(self) -> str:
        lines = []
        for e in self.exchanges:
            origin = e.request_headers.get("origin", "-")
            lines.append(
                f"  {e.method} {e.path} (Origin {origin}) -> {e.status} {e.cors_headers()}"
            )
        return "\n".join(lines) or "  (no request reached the server)"


class Serve(Protocol):
    """The ``serve`` fixture: serves a Flask app until the end of the test."""

    def __call__(
        self, app: Flask, *, strip: Iterable[str] = (), fastcors: bool = True
    ) -> ApiServer: ...


PAGE_HTML = b"<!doctype html><meta charset=utf-8><title>fastcors browser test</title>\n"


def page_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """The page every test runs its JavaScript in: an empty document, on any Host."""
    if environ.get("PATH_INFO") == "/":
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(PAGE_HTML))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [PAGE_HTML]
    start_response("204 No Content", [("Cache-Control", "no-store")])  # favicon.ico and co.
    return []


@dataclasses.dataclass(frozen=True)
class Origins:
    """The page origins the tests load pages from (all served by the one page server)."""

    port: int

    def of(self, host: str) -> str:
        return f"http://{host}:{self.port}"

    @property
    def home(self) -> str:
        """The usual page origin; same-site with the API servers (both on 127.0.0.1)."""
        return self.of(LOOPBACK)

    @property
    def elsewhere(self) -> str:
        """An origin no test allows by name."""
        return self.of("elsewhere.test")

    @property
    def trusted(self) -> str:
        """An origin that :data:`TRUSTED_PATTERN` admits."""
        return self.of("app.trusted.test")

    @property
    def attack(self) -> str:
        """The ORIGIN_FULLMATCH attack: starts like a trusted origin, belongs to ``evil.test``."""
        return self.of("app.trusted.test.evil.test")


#: An origin regex of the kind users write (SPEC: ``https://.*\\.example\\.com``), port optional.
TRUSTED_PATTERN = r"http://.*\.trusted\.test(:\d+)?"


class PageServer(_Server):
    def __init__(self) -> None:
        super().__init__(page_app, "pages")
        self.origins = Origins(self.port)


# --------------------------------------------------------------------------------------------
# The browser side

#: Runs in the page: one fetch, and what the page can learn from it.
FETCH_JS = """
async ({url, init}) => {
  try {
    const response = await fetch(url, init);
    const headers = [...response.headers];
    const body = await response.text();
    return {blocked: false, type: response.type, status: response.status, headers, body};
  } catch (error) {
    return {blocked: true, error: `${error.name}: ${error.message}`};
  }
}
"""


@dataclasses.dataclass
class FetchResult:
    """What JavaScript saw of one ``fetch``.

    :ivar blocked: the promise rejected (for a cross-origin request that reached a server: Chromium
        refused the response, or the preflight).
    :ivar type: the Response's type: ``"cors"`` for a readable cross-origin response, ``"opaque"``
        for a ``no-cors`` one (status 0, nothing readable).
    :ivar status: the status JavaScript could read (None when blocked).
    :ivar headers: the response headers JavaScript could read, names lower-cased: the
        CORS-safelisted ones plus those the server exposed.
    :ivar cors_error: the CORS error Chromium printed to the console for this fetch, if any.
    """

    url: str
    blocked: bool
    type: str | None = None
    status: int | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    body: str | None = None
    error: str | None = None
    cors_error: str | None = None

    @property
    def readable(self) -> bool:
        return not self.blocked


class Tab:
    """One Chromium tab (a fresh browser context per test: no cookies, caches or preflight cache
    shared between tests)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self._console: list[str] = []
        page.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        self._console.append(message.text)

    def open(self, origin: str) -> None:
        """Load the empty page of ``origin``; later fetches run with that Origin."""
        self.page.goto(origin + "/")
        actual = self.page.evaluate("() => self.origin")
        assert actual == origin, f"page opened as {actual!r}, wanted {origin!r}"

    def fetch(
        self,
        url: str,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        body: str | None = None,
        credentials: str | None = None,
        mode: str | None = None,
    ) -> FetchResult:
        """``fetch(url, init)`` in the page; on rejection, wait for Chromium's CORS console error."""
        init: dict[str, Any] = {"method": method}
        if mode is not None:
            init["mode"] = mode
        if headers:
            init["headers"] = dict(headers)
        if body is not None:
            init["body"] = body
        if credentials is not None:
            init["credentials"] = credentials
        raw = self.page.evaluate(FETCH_JS, {"url": url, "init": init})
        if not raw["blocked"]:
            return FetchResult(
                url,
                blocked=False,
                type=raw["type"],
                status=raw["status"],
                headers={k.lower(): v for k, v in raw["headers"]},
                body=raw["body"],
            )
        return FetchResult(url, blocked=True, error=raw["error"], cors_error=self._cors_error(url))

    def _cors_error(self, url: str) -> str | None:
        """Take the console's CORS error about ``url`` (they may arrive after the rejection)."""
        needle = f"Access to fetch at '{url}'"
        deadline = time.monotonic() + CONSOLE_WAIT
        while True:
            for i, text in enumerate(self._console):
                if text.startswith(needle):
                    del self._console[i]
                    return text
            if time.monotonic() > deadline:
                return None
            self.page.wait_for_timeout(20)  # lets Playwright deliver pending events

    def pause(self, seconds: float) -> None:
        self.page.wait_for_timeout(seconds * 1000)


def describe(result: FetchResult, api: ApiServer | None = None) -> str:
    """A failure message: what the page saw, and what the server saw."""
    text = f"fetch {result.url}: {result!r}"
    if api is not None:
        text += f"\nserver log:\n{api.log()}"
    return text


def assert_readable(result: FetchResult, api: ApiServer | None = None) -> FetchResult:
    """Chromium let the page read the response."""
    assert result.readable, "Chromium blocked the response\n" + describe(result, api)
    return result


def assert_blocked(result: FetchResult, reason: str, api: ApiServer | None = None) -> FetchResult:
    """Chromium refused the response (or preflight) with a CORS error containing ``reason``."""
    assert result.blocked, "Chromium let the page read the response\n" + describe(result, api)
    assert result.error == "TypeError: Failed to fetch", describe(result, api)
    assert result.cors_error is not None, "no CORS error on the console\n" + describe(result, api)
    assert reason in result.cors_error, describe(result, api)
    return result


# Chromium's wording of the CORS failures the tests provoke.
NO_ALLOW_ORIGIN = "No 'Access-Control-Allow-Origin' header is present on the requested resource"
PREFLIGHT_NO_ALLOW_ORIGIN = (
    "Response to preflight request doesn't pass access control check: " + NO_ALLOW_ORIGIN
)
NOT_ALLOWED_HEADER = "is not allowed by Access-Control-Allow-Headers in preflight response"
NOT_ALLOWED_METHOD = "is not allowed by Access-Control-Allow-Methods in preflight response"
CREDENTIALS_NOT_TRUE = "The value of the 'Access-Control-Allow-Credentials' header in the response"
