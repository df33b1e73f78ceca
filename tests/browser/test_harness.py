"""The harness's own rules: when the browser tests skip, and when they must fail instead."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from . import harness
from .harness import CHROMIUM_ENV, find_chromium, in_ci, unavailable

# Nothing here touches fastcors: run once, not under both engine legs.
pytestmark = [pytest.mark.browser, pytest.mark.parametrize("engine", ["n/a"])]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        ("", False),
        ("false", False),
        ("0", False),
        ("true", True),
        ("True", True),
        ("1", True),
        ("yes", True),
    ],
)
def test_ci_detection(
    monkeypatch: pytest.MonkeyPatch, engine: str, value: str | None, expected: bool
) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert in_ci() is expected


def test_missing_browser_skips_outside_ci(monkeypatch: pytest.MonkeyPatch, engine: str) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no browser here"):
        unavailable("no browser here")


def test_missing_browser_fails_in_ci(monkeypatch: pytest.MonkeyPatch, engine: str) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"no browser here.*may not be skipped"):
        unavailable("no browser here")


def test_configured_chromium_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, engine: str
) -> None:
    binary = tmp_path / "my-chrome"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv(CHROMIUM_ENV, os.fspath(binary))
    assert find_chromium() == os.fspath(binary)


def test_chromium_found_on_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, engine: str
) -> None:
    binary = tmp_path / "chromium-browser"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    monkeypatch.delenv(CHROMIUM_ENV, raising=False)
    monkeypatch.setenv("PATH", os.fspath(tmp_path))
    monkeypatch.setattr(harness, "DEBIAN_CHROMIUM", os.fspath(tmp_path / "absent"))
    assert find_chromium() == os.fspath(binary)


def test_no_chromium_anywhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, engine: str) -> None:
    monkeypatch.delenv(CHROMIUM_ENV, raising=False)
    monkeypatch.setenv("PATH", os.fspath(tmp_path))
    monkeypatch.setattr(harness, "DEBIAN_CHROMIUM", os.fspath(tmp_path / "absent"))
    assert find_chromium() is None
