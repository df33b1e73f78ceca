"""The contenders of every Flask-level benchmark, and the engine switch for fastcors.

``bare``                    Flask with no CORS at all: the floor every overhead is measured from.
``flask-cors``              the reference, Flask-CORS 6.0.x.
``fastcors-python``         fastcors with its pure-Python engine (``fastcors._engine_py``).
``fastcors-cython``         fastcors with its compiled engine (``fastcors._engine_c``), imported
                            directly: if the extension is missing the benchmark fails instead of
                            timing Python twice.
``fastcors-edge-preflight`` the ``fastcors-cython`` app with ``edge="preflight"``: CORS
                            preflights answered by fastcors' WSGI middleware before Flask routes
                            them, everything else through the after-request hook.
``fastcors-edge-all``       the ``fastcors-cython`` app with ``edge="all"``: the same, and every
                            other response gets its CORS lines in ``start_response``.

fastcors picks its engine through the names of ``fastcors._engine`` (the selector):
``CORS.init_app`` reads them when it compiles a configuration and ``cross_origin`` on a view's
first request for each app. :func:`using_engine` points those names at one engine module while an
app is built and answers its first request (the expectation check), then restores them, so the
contenders live side by side in one process, each app bound to its own engine.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import types
from collections.abc import Iterator

BARE = "bare"
FLASK_CORS = "flask-cors"
FASTCORS_PYTHON = "fastcors-python"
FASTCORS_CYTHON = "fastcors-cython"
FASTCORS_EDGE_PREFLIGHT = "fastcors-edge-preflight"
FASTCORS_EDGE_ALL = "fastcors-edge-all"
FLOOR = "floor"


class CompiledEngineMissing(RuntimeError):
    """The compiled engine cannot be imported, so the ``fastcors-cython`` contender cannot run."""


@dataclasses.dataclass(frozen=True)
class Contender:
    """One implementation under test.

    :ivar key: short stable id, used in benchmark names and JSON.
    :ivar label: name for charts.
    :ivar short: column name for tables.
    :ivar library: ``None`` (bare Flask), ``"flask_cors"``, ``"fastcors"`` or ``"floor"``.
    :ivar engine_module: for fastcors, the engine module to bind the app to.
    :ivar edge: for fastcors, ``CORS(app, edge=...)``: None (no edge, the after-request hooks),
        ``"preflight"`` or ``"all"``.
    :ivar preflight_status: with an edge, ``CORS(app, preflight_status=...)``: the status of the
        preflights the edge answers.
    """

    key: str
    label: str
    short: str
    library: str | None
    engine_module: str | None = None
    edge: str | None = None
    preflight_status: int = 200

    @property
    def is_fastcors(self) -> bool:
        return self.library == "fastcors"

    @property
    def is_edge(self) -> bool:
        return self.edge is not None


CONTENDERS: tuple[Contender, ...] = (
    Contender(BARE, "bare Flask", "bare", None),
    Contender(FLASK_CORS, "Flask-CORS", "Flask-CORS", "flask_cors"),
    Contender(
        FASTCORS_PYTHON, "fastcors (Python)", "fastcors-py", "fastcors", "fastcors._engine_py"
    ),
    Contender(
        FASTCORS_CYTHON, "fastcors (Cython)", "fastcors-cy", "fastcors", "fastcors._engine_c"
    ),
    Contender(
        FASTCORS_EDGE_PREFLIGHT,
        'fastcors edge="preflight" (Cython)',
        "edge-pf",
        "fastcors",
        "fastcors._engine_c",
        edge="preflight",
    ),
    Contender(
        FASTCORS_EDGE_ALL,
        'fastcors edge="all" (Cython)',
        "edge-all",
        "fastcors",
        "fastcors._engine_c",
        edge="all",
    ),
)
BY_KEY = {contender.key: contender for contender in CONTENDERS}

#: Not one of the contenders compared: bare Flask plus an after-request hook that appends, with no
#: decision at all, exactly the header lines fastcors sends for the scenario. What it costs is the
#: floor for any CORS implementation that answers through an after-request hook (``python -m
#: bench.floor``, ``python -m bench.instructions``, ``scripts/load-test --contenders ...,floor``).
FLOOR_HOOK = Contender(FLOOR, "append-lines hook (floor)", "floor", FLOOR)
#: Every contender by key, the floor included.
ANY_BY_KEY = {**BY_KEY, FLOOR: FLOOR_HOOK}

#: The fastcors contenders with an edge (WSGI middleware).
EDGE_CONTENDERS: tuple[Contender, ...] = tuple(c for c in CONTENDERS if c.is_edge)
#: The fastcors contenders whose CORS overhead is compared with Flask-CORS's (speed-up columns).
FASTCORS_KEYS: tuple[str, ...] = tuple(c.key for c in CONTENDERS if c.is_fastcors)

#: The two fastcors engines, for the engine-only benchmarks.
ENGINES: tuple[Contender, ...] = (BY_KEY[FASTCORS_PYTHON], BY_KEY[FASTCORS_CYTHON])


def load_engine(module_name: str) -> types.ModuleType:
    """Import an engine module; the compiled one raises :class:`CompiledEngineMissing` loudly."""
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        if module_name != "fastcors._engine_c":
            raise
        raise CompiledEngineMissing(
            "fastcors._engine_c cannot be imported, so the 'fastcors-cython' contender cannot "
            f"run ({exc}). The compiled engine was not built: install with a C compiler and "
            "without FASTCORS_NO_EXTENSIONS (for a checkout: `python setup.py build_ext "
            "--inplace`), or leave the contender out explicitly (python -m bench "
            "--contenders bare,flask-cors,fastcors-python)."
        ) from exc


@contextlib.contextmanager
def using_engine(module_name: str) -> Iterator[types.ModuleType]:
    """Point fastcors' engine selector at ``module_name`` for the duration of the block."""
    import fastcors._engine as selector

    module = load_engine(module_name)
    saved = {name: getattr(selector, name) for name in selector.ENGINE_NAMES}
    try:
        for name in selector.ENGINE_NAMES:
            setattr(selector, name, getattr(module, name))
        yield module
    finally:
        for name, value in saved.items():
            setattr(selector, name, value)


def engines_in_use(app: object) -> set[str]:
    """The modules of the engine objects fastcors compiled for ``app`` (registrations of
    ``CORS(app)``, views of ``cross_origin`` resolved so far, and the edge middleware)."""
    state = getattr(app, "extensions", {}).get("fastcors")
    if state is None:
        return set()
    found = {type(resources).__module__ for resources in state.registrations}
    found |= {type(view.policy).__module__ for view in state.views.values()}
    if state.edge_wrapper is not None:
        found.add(type(state.edge_wrapper).__module__)
    return found


def edge_in_use(app: object) -> tuple[str | None, object]:
    """(the app's ``edge`` mode or None, the middleware ``app.wsgi_app`` now is or None)."""
    state = getattr(app, "extensions", {}).get("fastcors")
    if state is None or not state.edge:
        return None, None
    return state.edge, state.edge_wrapper
