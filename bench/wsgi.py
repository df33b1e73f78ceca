"""Calling a Flask app the way a WSGI server does, without a server or Flask's test client.

The environ is built once per request shape (Werkzeug's ``EnvironBuilder``) and copied per call,
because Flask stores per-request objects in it. The body iterator is consumed and closed, as a
server would, so teardown runs inside the measurement.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from werkzeug.test import EnvironBuilder

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: Headers every browser request in the benchmarks carries besides the CORS ones.
BROWSER_HEADERS: Mapping[str, str] = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Accept": "*/*",
    "Accept-Language": "en-US,en;q=0.5",
    "Accept-Encoding": "gzip, deflate, br",
    "Referer": "https://app.example.com/",
    "Sec-Fetch-Dest": "empty",
    "Sec-Fetch-Mode": "cors",
    "Sec-Fetch-Site": "cross-site",
}


@dataclasses.dataclass(frozen=True)
class Request:
    """One request shape: method, path and the headers a browser would send."""

    method: str
    path: str
    headers: Mapping[str, str]

    def environ(self) -> dict[str, Any]:
        headers: dict[str, str] = {**BROWSER_HEADERS, **self.headers}
        builder = EnvironBuilder(
            path=self.path,
            method=self.method,
            base_url="http://api.example.com",
            headers=list(headers.items()),
        )
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        environ["wsgi.input"] = io.BytesIO(b"")  # no request bodies; nothing ever reads it
        return environ


@dataclasses.dataclass(frozen=True)
class Reply:
    """What the app answered: status code, header lines in order, body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


def call(app: WSGIApp, environ: Mapping[str, Any]) -> Reply:
    """One request, recording the answer (for the expectation checks, not for timing)."""
    captured: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured[:] = [status, headers]
        return lambda data: None

    iterable = app(dict(environ), start_response)
    try:
        body = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    status, headers = captured
    return Reply(int(status.split(" ", 1)[0]), list(headers), body)


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return _write


def _write(data: bytes) -> None:
    return None


def runner(app: WSGIApp, environ: Mapping[str, Any]) -> Callable[[], None]:
    """A no-argument callable doing one full request (what the benchmarks time)."""
    template = dict(environ)
    copy = template.copy
    start_response = _start_response

    def run() -> None:
        iterable = app(copy(), start_response)
        for _chunk in iterable:
            pass
        close = getattr(iterable, "close", None)
        if close is not None:
            close()

    return run
