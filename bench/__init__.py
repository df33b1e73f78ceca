"""fastcors' benchmark suite.

``python -m bench``        the comparison: bare Flask, Flask-CORS, fastcors (Python engine) and
                           fastcors (compiled engine), every answer checked before timing; table,
                           JSON, Markdown and a scaling chart.
``pytest bench``           the same scenarios and the engine-only cases under pytest-benchmark
                           (``--benchmark-autosave`` / ``--benchmark-compare`` for regressions).
``python -m bench.floor``  what an after-request hook that only appends the lines would cost.
``scripts/load-test``      the same apps under gunicorn, loaded by wrk.
"""
