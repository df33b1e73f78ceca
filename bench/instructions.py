"""``python -m bench.instructions``: CPU instructions per request, counted by valgrind.

Wall-clock figures on a shared 2-vCPU machine move by a microsecond from run to run; instruction
counts do not. For each scenario and contender this runs the same app as ``python -m bench`` (plus
the floor hook of ``python -m bench.floor``, which only appends fastcors' lines) in a child process under
``valgrind --tool=callgrind`` twice, with N and N + 1000 requests after a warm-up, and reports the
difference divided by 1000: the instructions one request costs, start-up excluded. The children
run with a fixed hash seed and the garbage collector off after warm-up, so that two runs give the
same counts to within a few hundred instructions. Instructions are not time (an interpreted
instruction stream runs at a lower rate than a compiled one), but they rank the contenders without
noise and show where a difference comes from.

Needs ``valgrind`` (Debian: ``apt-get install valgrind``); about 15 s per count.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable

from . import scenarios
from .contenders import ANY_BY_KEY, FLOOR

CONTENDERS = (
    "bare",
    FLOOR,
    "fastcors-cython",
    "fastcors-python",
    "flask-cors",
    "fastcors-edge-preflight",
    "fastcors-edge-all",
)
DEFAULT_SCENARIOS = ("simple_get", "preflight", "credentials_preflight", "not_found")
WARM_UP = 200
EXTRA = 1000
_COLLECTED = re.compile(r"Collected : (\d+)")


def prepare(scenario_id: str, key: str) -> Callable[[], None]:
    """One request of ``scenario_id`` to ``key``'s app, its answer checked first as the bench
    checks it."""
    return scenarios.prepare(scenarios.BY_ID[scenario_id], ANY_BY_KEY[key]).run


def _child(scenario_id: str, key: str, count: int) -> None:
    run = prepare(scenario_id, key)
    for _ in range(WARM_UP):
        run()
    gc.collect()
    gc.disable()
    for _ in range(count):
        run()


def _count(valgrind: str, scenario_id: str, key: str, count: int) -> int:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    env.pop("FASTCORS_NO_EXTENSIONS", None)
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            [
                valgrind,
                "--tool=callgrind",
                f"--callgrind-out-file={tmp}/out",
                sys.executable,
                "-m",
                "bench.instructions",
                "--child",
                scenario_id,
                key,
                str(count),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    found = _COLLECTED.findall(result.stderr)
    if not found:
        raise RuntimeError(f"no instruction count from valgrind:\n{result.stderr[-2000:]}")
    return int(found[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    parser.add_argument("--scenarios", default=",".join(DEFAULT_SCENARIOS))
    parser.add_argument("--child", nargs=3, metavar=("SCENARIO", "CONTENDER", "COUNT"))
    args = parser.parse_args(argv)
    if args.child:
        scenario_id, key, count = args.child
        _child(scenario_id, key, int(count))
        return 0
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    ids = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = [s for s in ids if s not in scenarios.BY_ID]
    if unknown:
        parser.error(f"unknown scenarios {unknown}; known: {sorted(scenarios.BY_ID)}")
    print("thousands of instructions per request; in brackets, above bare Flask")
    print(f"{'scenario':<24}" + "".join(f"{key:>22}" for key in CONTENDERS))
    for scenario_id in ids:
        per_request = {}
        for key in CONTENDERS:
            low = _count(valgrind, scenario_id, key, WARM_UP)
            high = _count(valgrind, scenario_id, key, WARM_UP + EXTRA)
            per_request[key] = (high - low) / EXTRA / 1000
        bare = per_request["bare"]
        cells = [f"{per_request['bare']:.1f}"] + [
            f"{per_request[key]:.1f} (+{per_request[key] - bare:.1f})" for key in CONTENDERS[1:]
        ]
        print(f"{scenario_id:<24}" + "".join(f"{cell:>22}" for cell in cells), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
