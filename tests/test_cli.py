"""``flask cors routes|check|config``: through Flask's CLI runner, and once through a real
``flask`` process (the ``flask.commands`` entry point)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import types
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask, abort, request

from fastcors import CORS, CORSConfigWarning, cross_origin
from fastcors._env import NO_EXTENSIONS_VAR
from fastcors.cli import cors, sample_path

APP = "https://app.example.com"


def build_app() -> Flask:
    app = Flask(__name__)
    CORS(
        app,
        resources={r"/api/*": {"origins": [APP], "methods": ["GET", "POST"]}},
        supports_credentials=True,
    )
    bp = Blueprint("admin", __name__, url_prefix="/admin")
    CORS(bp, origins="https://admin.example.com")

    @bp.get("/users/<int:user_id>")
    def user(user_id: int) -> str:
        return ""

    @app.before_request
    def require_login() -> None:
        if request.path.startswith("/api/private") and "Authorization" not in request.headers:
            abort(401)

    @app.route("/api/items", methods=["GET", "POST"])
    def items() -> Any:
        return {"items": []}

    @app.route("/api/private", methods=["GET", "PUT"])
    def private() -> str:
        return ""

    @app.route("/api/manual", methods=["PUT", "OPTIONS"])
    def manual() -> str:
        return ""

    @app.route("/api/redirect", methods=["PUT", "OPTIONS"])
    def redirect() -> Any:
        return "", 302, {"Location": "/elsewhere"}

    @app.route("/noopt", methods=["PUT"], provide_automatic_options=False)
    def noopt() -> str:
        return ""

    @app.get("/deco")
    @cross_origin(origins="https://x.example")
    def deco() -> str:
        return ""

    app.register_blueprint(bp)
    return app


def invoke(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(cors, list(args))


def test_sample_path() -> None:
    assert sample_path("/a/<int:id>/<name>/<path:rest>") == "/a/1/x/x"
    assert sample_path("/<any(one, two):kind>/<uuid:u>") == (
        "/one/00000000-0000-0000-0000-000000000000"
    )


def test_routes_json() -> None:
    result = invoke(build_app(), "routes", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["origin"] is None
    rows = {row["rule"]: row for row in data["routes"]}
    assert set(rows["/api/items"]) == {
        "rule",
        "endpoint",
        "methods",
        "path",
        "policy",
        "origins",
        "credentials",
        "preflight",
    }
    items = rows["/api/items"]
    assert items["endpoint"] == "items"
    assert items["methods"] == ["GET", "HEAD", "OPTIONS", "POST"]
    assert items["policy"] == {
        "name": "CORS #0, resource '/api/*'",
        "kind": "CORS",
        "registration": 0,
        "blueprint": None,
        "endpoint": None,
        "resource": "/api/*",
    }
    assert items["origins"] == APP and items["credentials"] is True
    assert items["preflight"] == {
        "status": 200,
        "answered_by": "automatic",
        "text": "Flask's automatic OPTIONS",
    }
    private = rows["/api/private"]["preflight"]
    assert (private["status"], private["answered_by"]) == (401, "refused")
    assert "before_request" in private["text"]
    assert rows["/api/manual"]["preflight"]["answered_by"] == "view"
    redirect = rows["/api/redirect"]["preflight"]
    assert (redirect["status"], redirect["answered_by"]) == (302, "refused")
    assert "redirect" in redirect["text"] and "/elsewhere" in redirect["text"]
    noopt = rows["/noopt"]
    assert noopt["policy"] is None
    assert (
        noopt["preflight"]["status"] == 405
        and "automatic OPTIONS off" in noopt["preflight"]["text"]
    )
    assert rows["/deco"]["preflight"]["answered_by"] == "cross_origin"
    assert rows["/deco"]["policy"]["kind"] == "cross_origin"
    admin = rows["/admin/users/<int:user_id>"]
    assert admin["path"] == "/admin/users/1"
    assert admin["policy"]["blueprint"] == "admin"
    assert admin["origins"] == "https://admin.example.com" and admin["credentials"] is False


def test_routes_with_an_origin() -> None:
    result = invoke(build_app(), "routes", "--origin", APP, "--method", "POST", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["rule"]: row for row in json.loads(result.output)["routes"]}
    assert rows["/api/items"]["allowed"] is True and rows["/api/items"]["reasons"] == []
    assert rows["/admin/users/<int:user_id>"]["allowed"] is False
    assert rows["/noopt"]["allowed"] is False


def test_routes_text() -> None:
    result = invoke(build_app(), "routes", "--origin", APP)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "RULE",
        "ENDPOINT",
        "METHODS",
        "POLICY",
        "ORIGINS",
        "CREDENTIALS",
        "PREFLIGHT",
        "ALLOWED",
    ]
    items = next(line for line in lines if line.startswith("/api/items "))
    assert "CORS #0, resource '/api/*'" in items and "Flask's automatic OPTIONS" in items
    assert items.rstrip().endswith("yes")
    private = next(line for line in lines if line.startswith("/api/private "))
    assert "refused: 401 from a before_request hook" in private


def test_check_exit_status_and_text() -> None:
    app = build_app()
    allowed = invoke(app, "check", APP, "/api/items")
    assert allowed.exit_code == 0, allowed.output
    assert allowed.output.startswith("ALLOWED")
    refused = invoke(app, "check", APP, "/api/items", "-X", "PUT", "-H", "X-Token: 1")
    assert refused.exit_code == 1
    assert refused.output.startswith("REFUSED")
    assert "METHOD_REFUSED" in refused.output
    credentials = invoke(app, "check", APP, "/api/items", "--credentials")
    assert credentials.exit_code == 0, credentials.output


def test_check_json() -> None:
    result = invoke(build_app(), "check", "https://evil.example", "/api/items", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["allowed"] is False
    assert [reason["code"] for reason in data["reasons"]] == ["ORIGIN_REFUSED"]
    assert data["request"]["origin"] == "https://evil.example"


def test_check_escapes_hostile_arguments() -> None:
    result = invoke(
        build_app(), "check", "https://a.example\x1b[31m\r\n", "/api/\x00é", "-H", "X-\x07: \x01"
    )
    assert result.exit_code == 1
    assert all(0x20 <= ord(char) < 0x7F for char in result.output.replace("\n", ""))
    assert "ORIGIN_MALFORMED" in result.output


def test_config_text_and_json() -> None:
    app = build_app()
    text = invoke(app, "config")
    assert text.exit_code == 0, text.output
    assert "CORS #0 (CORS(app) / init_app)" in text.output
    assert "supports_credentials = True  (keyword arguments)" in text.output
    assert "resource '/api/*':" in text.output
    assert "origins = ['https://app.example.com']  (resources['/api/*'])" in text.output
    assert "CORS(blueprint) 'admin' (registered as 'admin')" in text.output
    assert "cross_origin on view 'deco'" in text.output
    assert "Diagnostics: none" in text.output

    data = json.loads(invoke(app, "config", "--json").output)
    assert set(data) == {"edge", "registrations", "diagnostics"}
    first = data["registrations"][0]
    assert set(first) == {
        "kind",
        "registration",
        "blueprint",
        "registered_as",
        "endpoint",
        "options",
        "resources",
        "diagnostics",
    }
    assert first["options"]["supports_credentials"] == {
        "value": True,
        "source": "keyword arguments",
    }
    assert first["resources"] == [
        {
            "resource": "/api/*",
            "options": {
                "origins": {"value": [APP], "source": "resources['/api/*']"},
                "methods": {"value": ["GET", "POST"], "source": "resources['/api/*']"},
            },
        }
    ]
    kinds = [entry["kind"] for entry in data["registrations"]]
    assert kinds == ["CORS", "CORS(blueprint)", "cross_origin"]
    assert data["registrations"][2]["endpoint"] == "deco"


def test_config_lists_the_start_up_diagnostics() -> None:
    app = Flask(__name__)
    app.config["CORS_ORIGIN"] = APP  # a typo
    with pytest.warns(CORSConfigWarning):
        CORS(app, supports_credentials=True, debug_refusals=True)

    @app.get("/")
    def index() -> str:
        return ""

    data = json.loads(invoke(app, "config", "--json").output)
    messages = "\n".join(data["diagnostics"])
    assert "'CORS_ORIGIN'" in messages
    assert "supports_credentials=True" in messages
    assert "debug_refusals=True" in messages
    text = invoke(app, "config").output
    assert "Diagnostics:\n" in text and "'CORS_ORIGIN'" in text


def test_the_entry_point_is_registered() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="flask.commands")}
    assert found.get("cors") == "fastcors.cli:cors"


APP_MODULE = """
from flask import Flask

from fastcors import CORS

app = Flask(__name__)
CORS(app, resources={"/api/*": {"origins": ["https://app.example.com"]}})


@app.get("/api/items")
def items():
    return {"items": []}
"""


def test_a_real_flask_process(tmp_path: Path, engine: types.ModuleType) -> None:
    (tmp_path / "corsapp.py").write_text(textwrap.dedent(APP_MODULE), encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    if engine.__name__.endswith("_engine_py"):
        environ[NO_EXTENSIONS_VAR] = "1"
    else:
        environ.pop(NO_EXTENSIONS_VAR, None)

    def flask(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "corsapp", "cors", *args],
            cwd=tmp_path,
            env=environ,
            capture_output=True,
            text=True,
            timeout=60,
        )

    allowed = flask("check", APP, "/api/items")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert allowed.stdout.startswith("ALLOWED")
    refused = flask("check", "https://evil.example", "/api/items")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "ORIGIN_REFUSED" in refused.stdout
    as_json = flask("check", APP, "/api/items", "-X", "DELETE", "--json")
    assert as_json.returncode == 0, as_json.stdout + as_json.stderr
    assert json.loads(as_json.stdout)["preflight"] is True
